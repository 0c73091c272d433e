//! What every staff page shares: the frame with the nav bar and the logout button, the
//! notices, and the headers that keep staff pages out of caches and out of other sites' frames.

use actix_web::http::header;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::session::Staff;
use crate::domain::language::{Language, Text};
use crate::web::page::{self, Reader};

/// The staff pages, in the nav bar's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Review,
    PaperForm,
    Certification,
    Approvals,
    TrustedProviders,
    Feeds,
    /// The search box's results and the pages it leads to (a garage, a vehicle): no nav item
    /// of its own, the search box is on every page.
    Search,
}

impl Nav {
    const ALL: [Nav; 6] = [
        Nav::Review,
        Nav::PaperForm,
        Nav::Certification,
        Nav::Approvals,
        Nav::TrustedProviders,
        Nav::Feeds,
    ];

    fn label(self) -> Text {
        match self {
            Nav::Review => Text {
                nl: "Controlelijst",
                fr: "File de contrôle",
                de: "Prüfliste",
                en: "Review queue",
            },
            Nav::PaperForm => Text {
                nl: "Papieren formulier",
                fr: "Formulaire papier",
                de: "Papierformular",
                en: "Paper form",
            },
            Nav::Certification => Text {
                nl: "Certificatie",
                fr: "Certification",
                de: "Zertifizierung",
                en: "Certification",
            },
            Nav::Approvals => Text {
                nl: "Erkenningen",
                fr: "Agréments",
                de: "Zulassungen",
                en: "Approvals",
            },
            Nav::TrustedProviders => Text {
                nl: "Trusted Providers",
                fr: "Trusted Providers",
                de: "Trusted Providers",
                en: "Trusted Providers",
            },
            Nav::Feeds => Text {
                nl: "Feeds",
                fr: "Flux",
                de: "Lieferungen",
                en: "Feeds",
            },
            Nav::Search => Text {
                nl: "Zoeken",
                fr: "Recherche",
                de: "Suche",
                en: "Search",
            },
        }
    }

    fn link(self) -> (&'static str, &'static str) {
        match self {
            Nav::Review => ("/staff", "Review queue"),
            Nav::PaperForm => ("/staff/paper-form", "Paper form"),
            Nav::Certification => ("/staff/certification", "Certification"),
            Nav::Approvals => ("/staff/approvals", "Approvals"),
            Nav::TrustedProviders => ("/staff/trusted-providers", "Trusted Providers"),
            Nav::Feeds => ("/staff/feeds", "Feeds"),
            Nav::Search => ("/staff/search", "Search"),
        }
    }
}

/// What an action did, or why it did nothing, shown at the top of the page.
pub enum Notice {
    Done(String),
    Error(String),
}

impl Notice {
    fn markup(&self) -> Markup {
        let (class, role, text) = match self {
            Notice::Done(text) => ("notice done", "status", text),
            Notice::Error(text) => ("notice error", "alert", text),
        };
        html! { p class=(class) role=(role) { (text) } }
    }
}

/// What every refusal adds: the reader may try again, nothing half-done is left behind.
pub fn nothing_changed(lang: Language) -> &'static str {
    Text {
        nl: "Er werd niets gewijzigd.",
        fr: "Rien n'a été modifié.",
        de: "Es wurde nichts geändert.",
        en: "Nothing was changed.",
    }
    .get(lang)
}

/// A staff page with the nav bar, who is logged in and the logout button, in the reader's
/// language.
pub fn frame(
    reader: &Reader,
    me: &Staff,
    current: Nav,
    title: &str,
    notice: Option<&Notice>,
    body: Markup,
) -> Markup {
    const BRAND: Text = Text {
        nl: "Kilometerregister · personeel",
        fr: "Registre kilométrique · personnel",
        de: "Kilometerregister · Personal",
        en: "Odometer registry · staff",
    };
    const LOGGED_IN_AS: Text = Text {
        nl: "Aangemeld als",
        fr: "Connecté en tant que",
        de: "Angemeldet als",
        en: "Logged in as",
    };
    const LOG_OUT: Text = Text {
        nl: "Afmelden",
        fr: "Se déconnecter",
        de: "Abmelden",
        en: "Log out",
    };
    const SEARCH_HINT: Text = Text {
        nl: "Chassisnr., garage, ondernemingsnr., id, ClientReference, sessie",
        fr: "VIN, garage, n° d'entreprise, identifiant, ClientReference, session",
        de: "FIN, Werkstatt, Unternehmensnr., Kennung, ClientReference, Sitzung",
        en: "VIN, garage, enterprise no., reading id, ClientReference, session",
    };
    let lang = reader.lang;
    let search = (current == Nav::Search)
        .then(|| reader.param("q"))
        .flatten();
    let body = html! {
        header.bar {
            nav {
                a.brand href="/staff" { (BRAND.get(lang)) }
                @for nav in Nav::ALL {
                    @let (href, _) = nav.link();
                    @if nav == current {
                        a.current href=(href) aria-current="page" { (nav.label().get(lang)) }
                    } @else {
                        a href=(href) { (nav.label().get(lang)) }
                    }
                }
            }
            form.search method="get" action="/staff/search" role="search" {
                input type="search" name="q" value=[search]
                    aria-label=(SEARCH_HINT.get(lang)) placeholder=(SEARCH_HINT.get(lang));
                button type="submit" { (Nav::Search.label().get(lang)) }
            }
            form.who method="post" action="/staff/logout" {
                span { (LOGGED_IN_AS.get(lang)) " " strong { (me.username) } }
                (me.csrf_input())
                button type="submit" { (LOG_OUT.get(lang)) }
            }
        }
        main {
            h1 { (title) }
            @if let Some(notice) = notice { (notice.markup()) }
            (body)
        }
    };
    page::shell(reader, &format!("{title} · {}", BRAND.get(lang)), body)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// After a successful action: back to the page, which says what was done.
pub fn done(path: &str, what: &str, subject: &str) -> HttpResponse {
    let join = if path.contains('?') { '&' } else { '?' };
    see_other(&format!(
        "{path}{join}done={what}&subject={}",
        percent_encode(subject)
    ))
}

/// The confirmation for `?done=...&subject=...`; only known actions are confirmed.
pub fn confirmation(lang: Language, done: Option<&str>, subject: Option<&str>) -> Option<Notice> {
    let s = subject.unwrap_or("");
    let text = match (done?, lang) {
        ("accepted", Language::Nl) => format!("Kilometerstand {s} aanvaard."),
        ("accepted", Language::Fr) => format!("Relevé {s} accepté."),
        ("accepted", Language::De) => format!("Kilometerstand {s} angenommen."),
        ("accepted", Language::En) => format!("Reading {s} accepted."),
        ("rejected", Language::Nl) => format!("Kilometerstand {s} geweigerd."),
        ("rejected", Language::Fr) => format!("Relevé {s} refusé."),
        ("rejected", Language::De) => format!("Kilometerstand {s} abgelehnt."),
        ("rejected", Language::En) => format!("Reading {s} rejected."),
        ("paper-form", Language::Nl) => {
            format!("Papieren formulier toegepast: kilometerstand {s}.")
        }
        ("paper-form", Language::Fr) => format!("Formulaire papier appliqué\u{a0}: relevé {s}."),
        ("paper-form", Language::De) => format!("Papierformular angewandt: Kilometerstand {s}."),
        ("paper-form", Language::En) => format!("Paper form applied: reading {s}."),
        ("verdict", Language::Nl) => format!("Oordeel van het personeel vastgelegd voor {s}."),
        ("verdict", Language::Fr) => format!("Avis du personnel enregistré pour {s}."),
        ("verdict", Language::De) => format!("Urteil des Personals für {s} erfasst."),
        ("verdict", Language::En) => format!("Staff verdict recorded for {s}."),
        ("evaluated", Language::Nl) => format!("Opnieuw beoordeeld: {s}."),
        ("evaluated", Language::Fr) => format!("Évalué à nouveau\u{a0}: {s}."),
        ("evaluated", Language::De) => format!("Erneut bewertet: {s}."),
        ("evaluated", Language::En) => format!("Evaluated again: {s}."),
        ("approved", Language::Nl) => format!("Erkend: {s}."),
        ("approved", Language::Fr) => format!("Agréé\u{a0}: {s}."),
        ("approved", Language::De) => format!("Zugelassen: {s}."),
        ("approved", Language::En) => format!("Approved: {s}."),
        ("revoked", Language::Nl) => format!("Erkenning {s} ingetrokken."),
        ("revoked", Language::Fr) => format!("Agrément {s} retiré."),
        ("revoked", Language::De) => format!("Zulassung {s} widerrufen."),
        ("revoked", Language::En) => format!("Approval {s} revoked."),
        ("commented", Language::Nl) => format!("Opmerking bij sessie {s} vastgelegd."),
        ("commented", Language::Fr) => format!("Commentaire sur la session {s} enregistré."),
        ("commented", Language::De) => format!("Kommentar zur Sitzung {s} erfasst."),
        ("commented", Language::En) => format!("Comment on session {s} recorded."),
        ("overridden", Language::Nl) => {
            format!("Afwijkend oordeel vastgelegd en opnieuw beoordeeld: {s}.")
        }
        ("overridden", Language::Fr) => {
            format!("Dérogation enregistrée et nouvelle évaluation\u{a0}: {s}.")
        }
        ("overridden", Language::De) => {
            format!("Abweichendes Urteil erfasst und erneut bewertet: {s}.")
        }
        ("overridden", Language::En) => {
            format!("Override recorded and evaluated again: {s}.")
        }
        ("published", Language::Nl) => format!("De Trusted Provider-lijst {s} is gepubliceerd."),
        ("published", Language::Fr) => format!("La liste Trusted Provider {s} est publiée."),
        ("published", Language::De) => {
            format!("Die Trusted-Provider-Liste {s} ist veröffentlicht.")
        }
        ("published", Language::En) => format!("The Trusted Provider list {s} is published."),
        _ => return None,
    };
    Some(Notice::Done(text))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form field, trimmed; `None` when left empty.
pub fn filled(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_survives_the_query_string() {
        assert_eq!(
            percent_encode("Acme DMS 4.2 & co"),
            "Acme%20DMS%204.2%20%26%20co"
        );
    }

    #[test]
    fn only_known_actions_are_confirmed() {
        assert!(confirmation(Language::En, Some("anything"), Some("x")).is_none());
        assert!(
            matches!(confirmation(Language::En, Some("revoked"), Some("ab12")), Some(Notice::Done(t)) if t == "Approval ab12 revoked.")
        );
        assert!(
            matches!(confirmation(Language::Nl, Some("revoked"), Some("ab12")), Some(Notice::Done(t)) if t == "Erkenning ab12 ingetrokken.")
        );
    }
}
