//! The one list component of the staff pages: a page of a list that can grow (the review
//! queue, the approvals, a garage's readings), its pager, and the filter and order choices,
//! all plain links and GET forms that keep the rest of the page's query.

use maud::{html, Markup};

use crate::db::clerk::Window;
use crate::domain::language::{Language, Text};
use crate::web::page::Reader;

/// Rows a page shows.
pub const PER_PAGE: i64 = 20;

/// The page asked for with `?page=` (1 when absent or not a number) and the rows it covers.
pub fn window(reader: &Reader) -> (i64, Window) {
    let number = reader
        .param("page")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|&p| p >= 1)
        .unwrap_or(1)
        // No page so far out that its offset would overflow.
        .min(i64::MAX / PER_PAGE);
    (
        number,
        Window {
            offset: (number - 1) * PER_PAGE,
            limit: PER_PAGE,
        },
    )
}

/// "Page 2 of 5 (87)" with links to the pages before and after.
pub fn pager(reader: &Reader, number: i64, total: i64) -> Markup {
    const PAGE: Text = Text {
        nl: "Pagina",
        fr: "Page",
        de: "Seite",
        en: "Page",
    };
    const OF: Text = Text {
        nl: "van",
        fr: "sur",
        de: "von",
        en: "of",
    };
    const PREVIOUS: Text = Text {
        nl: "← Vorige",
        fr: "← Précédente",
        de: "← Vorherige",
        en: "← Previous",
    };
    const NEXT: Text = Text {
        nl: "Volgende →",
        fr: "Suivante →",
        de: "Nächste →",
        en: "Next →",
    };
    let lang = reader.lang;
    let f = reader.fmt();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    html! {
        nav.pager aria-label=(PAGE.get(lang)) {
            @if number > 1 {
                a rel="prev" href=(reader.with("page", &(number - 1).min(pages).to_string())) { (PREVIOUS.get(lang)) }
            }
            span.muted {
                (PAGE.get(lang)) " " (f.num(number as u64)) " " (OF.get(lang)) " " (f.num(pages as u64))
                " (" (f.num(total as u64)) ")"
            }
            @if number < pages {
                a rel="next" href=(reader.with("page", &(number + 1).to_string())) { (NEXT.get(lang)) }
            }
        }
    }
}

/// A choice of a list: the query key, and its options as (value, label); the first option
/// is the default.
pub struct Choice<'a> {
    pub key: &'static str,
    pub label: Text,
    pub options: Vec<(String, String)>,
    pub chosen: &'a str,
}

/// The filter and order choices of a list as one GET form, keeping the page's language.
pub fn choices(reader: &Reader, action: &str, choices: &[Choice<'_>]) -> Markup {
    const SHOW: Text = Text {
        nl: "Tonen",
        fr: "Afficher",
        de: "Anzeigen",
        en: "Show",
    };
    let lang = reader.lang;
    html! {
        form.filters method="get" action=(action) {
            input type="hidden" name="lang" value=(lang.as_str());
            @for choice in choices {
                div {
                    label for=(choice.key) { (choice.label.get(lang)) }
                    select id=(choice.key) name=(choice.key) {
                        @for (value, label) in &choice.options {
                            option value=(value) selected[value == choice.chosen] { (label) }
                        }
                    }
                }
            }
            button type="submit" { (SHOW.get(lang)) }
        }
    }
}

/// The two orders every growing list offers.
pub fn order_options(lang: Language, oldest_first_is_default: bool) -> Vec<(String, String)> {
    let oldest = (
        "oldest".to_owned(),
        Text {
            nl: "Oudste eerst",
            fr: "Les plus anciens d'abord",
            de: "Älteste zuerst",
            en: "Oldest first",
        }
        .get(lang)
        .to_owned(),
    );
    let newest = (
        "newest".to_owned(),
        Text {
            nl: "Nieuwste eerst",
            fr: "Les plus récents d'abord",
            de: "Neueste zuerst",
            en: "Newest first",
        }
        .get(lang)
        .to_owned(),
    );
    if oldest_first_is_default {
        vec![oldest, newest]
    } else {
        vec![newest, oldest]
    }
}
