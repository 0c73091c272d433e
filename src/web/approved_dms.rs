//! One approval's public, verifiable page (`/approved-dms/{id}`) and the badge a vendor may show
//! on its site (`/approved-dms/{id}/badge.svg`), no login: both say what the approval is today
//! (holds, expired or revoked), read from the registry each time, so a copied badge cannot
//! outlive its approval.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use crate::app::{public_base, AppState};
use crate::db::approvals::{self, ApprovalRow};
use crate::domain::calendar::brussels_date;
use crate::domain::certification::approval::Standing;
use crate::domain::format::Formatter;
use crate::domain::language::{Language, Text};
use crate::service::ServiceError;
use crate::web::page::{shell, Failure, Reader};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/approved-dms/{id}", web::get().to(page))
        .route("/approved-dms/{id}/badge.svg", web::get().to(badge));
}

/// A badge is fetched with every page of the vendor's site that shows it: cached a few
/// minutes, so a revocation shows within them.
const BADGE_MAX_AGE: &str = "public, max-age=300";

async fn find(state: &AppState, id: String) -> Result<Option<ApprovalRow>, Failure> {
    state
        .run(move |conn| Ok::<_, ServiceError>(approvals::find(conn, id.trim())?))
        .await
        .map_err(Failure::from)
}

fn standing(state: &AppState, a: &ApprovalRow) -> Standing {
    Standing::on(
        a.valid_until,
        a.revoked_at.is_some(),
        brussels_date(state.clock.now()),
    )
}

const TITLE: Text = Text {
    nl: "Goedgekeurde DMS",
    fr: "DMS agréé",
    de: "Zugelassenes DMS",
    en: "Approved DMS",
};

async fn page(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let reader = Reader::of(&req);
    let lang = reader.lang;
    let approval = match find(&state, id.into_inner()).await {
        Ok(found) => found,
        Err(failure) => return failure.response(),
    };
    let Some(a) = approval else {
        let body = html! {
            main.narrow {
                h1 { (NOT_FOUND.get(lang)) }
                p { (NOT_FOUND_BODY.get(lang)) " " a href="/approved-dms" { (LIST.get(lang)) } }
            }
        };
        return html_response(
            StatusCode::NOT_FOUND,
            shell(&reader, NOT_FOUND.get(lang), body),
        );
    };
    let standing = standing(&state, &a);
    let fmt = reader.fmt();
    let base = public_base(&req, &state.settings);
    let page_url = format!("{base}/approved-dms/{}", a.id);
    let badge_url = format!("{page_url}/badge.svg");
    let embed = format!(
        "<a href=\"{page_url}\"><img src=\"{badge_url}\" alt=\"Car-Pass approved DMS\"></a>"
    );
    let (class, said) = match standing {
        Standing::Holds => (
            "ok",
            HOLDS.get(lang).replace("{date}", &fmt.date(a.valid_until)),
        ),
        Standing::Expired => (
            "wait",
            EXPIRED
                .get(lang)
                .replace("{date}", &fmt.date(a.valid_until)),
        ),
        Standing::Revoked => (
            "bad",
            REVOKED.get(lang).replace(
                "{date}",
                &a.revoked_at
                    .map(|at| fmt.date(at.date()))
                    .unwrap_or_default(),
            ),
        ),
    };
    let title = format!("{}: {} {}", TITLE.get(lang), a.dms_name, a.dms_version);
    let body = html! {
        main.narrow {
            h1 { (title) }
            p.card {
                img src=(format!("/approved-dms/{}/badge.svg?lang={}", a.id, lang.as_str())) alt=(said) height="20";
                br;
                strong class=(class) { (said) }
            }
            dl {
                dt { (DMS.get(lang)) } dd { (a.dms_name) }
                dt { (VERSION.get(lang)) } dd { (a.dms_version) }
                dt { (DEVELOPER.get(lang)) } dd { (a.dms_builder) }
                dt { (APPROVED_ON.get(lang)) } dd { (fmt.date(a.approved_at.date())) }
                dt { (VALID_UNTIL.get(lang)) } dd { (fmt.date(a.valid_until)) }
                dt { (APPROVAL.get(lang)) } dd { code { (a.id) } }
                dt { (EVALUATION.get(lang)) } dd { code { (a.evaluation_id) } }
            }
            p.muted { (VERIFY.get(lang)) " " code { (page_url) } }
            h2 { (EMBED.get(lang)) }
            p.muted { (EMBED_HOW.get(lang)) }
            pre style="white-space:pre-wrap;word-break:break-all" { code { (embed) } }
            p { a href="/approved-dms" { (LIST.get(lang)) } }
        }
    };
    html_response(StatusCode::OK, shell(&reader, &title, body))
}

fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "Accept-Language, Cookie"))
        .body(markup.into_string())
}

async fn badge(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let lang = Reader::of(&req).lang;
    let approval = match find(&state, id.into_inner()).await {
        Ok(found) => found,
        Err(failure) => return failure.response(),
    };
    let Some(a) = approval else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such approval: /approved-dms lists the DMS approved today\n");
    };
    let standing = standing(&state, &a);
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, BADGE_MAX_AGE))
        .insert_header((header::VARY, "Accept-Language, Cookie"))
        .body(badge_svg(standing, a.valid_until, lang))
}

/// What the badge's right half says.
fn badge_words(standing: Standing, valid_until: chrono::NaiveDate, lang: Language) -> String {
    match standing {
        Standing::Holds => format!(
            "{} {}",
            BADGE_UNTIL.get(lang),
            Formatter(lang).date(valid_until)
        ),
        Standing::Expired => EXPIRED_WORD.get(lang).to_owned(),
        Standing::Revoked => REVOKED_WORD.get(lang).to_owned(),
    }
}

/// A flat two-part badge, 20 pixels high, as the shields projects draw them: the label on grey,
/// the standing on green, grey (expired) or red (revoked). Only our own words and a date go in.
pub fn badge_svg(standing: Standing, valid_until: chrono::NaiveDate, lang: Language) -> String {
    const LABEL: &str = "Car-Pass DMS";
    let words = badge_words(standing, valid_until, lang);
    // Verdana 11 px averages about 6.5 px a character; 10 px of padding each side.
    let width = |text: &str| (text.chars().count() as u32 * 13).div_ceil(2) + 20;
    let (left, right) = (width(LABEL), width(&words));
    let colour = match standing {
        Standing::Holds => "#2e8b57",
        Standing::Expired => "#7a8694",
        Standing::Revoked => "#c0392b",
    };
    let total = left + right;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{LABEL}: {words}\">\
<title>{LABEL}: {words}</title>\
<rect width=\"{left}\" height=\"20\" rx=\"3\" fill=\"#4a5a6b\"/>\
<rect x=\"{left}\" width=\"{right}\" height=\"20\" rx=\"3\" fill=\"{colour}\"/>\
<rect x=\"{left}\" width=\"4\" height=\"20\" fill=\"{colour}\"/>\
<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
<text x=\"{lx}\" y=\"14\">{LABEL}</text><text x=\"{rx}\" y=\"14\">{words}</text></g></svg>",
        lx = left / 2,
        rx = left + right / 2,
    )
}

const NOT_FOUND: Text = Text {
    nl: "Geen goedkeuring met dit nummer",
    fr: "Aucun agrément sous ce numéro",
    de: "Keine Zulassung unter dieser Nummer",
    en: "No approval by this number",
};
const NOT_FOUND_BODY: Text = Text {
    nl: "Het register kent deze goedkeuring niet. Kijk na of het adres volledig is.",
    fr: "Le registre ne connaît pas cet agrément. Vérifiez que l'adresse est complète.",
    de: "Das Register kennt diese Zulassung nicht. Prüfen Sie, ob die Adresse vollständig ist.",
    en: "The registry knows no such approval. Check that the address is complete.",
};
const LIST: Text = Text {
    nl: "Alle goedgekeurde DMS van vandaag",
    fr: "Tous les DMS agréés aujourd'hui",
    de: "Alle heute zugelassenen DMS",
    en: "Every DMS approved today",
};
const HOLDS: Text = Text {
    nl: "Deze goedkeuring geldt: de software voldoet aan de criteria van het Car-Pass-register tot en met {date}.",
    fr: "Cet agrément est valable : le logiciel répond aux critères du registre Car-Pass jusqu'au {date} inclus.",
    de: "Diese Zulassung gilt: Die Software erfüllt die Kriterien des Car-Pass-Registers bis einschließlich {date}.",
    en: "This approval holds: the software meets the Car-Pass registry's criteria through {date}.",
};
const EXPIRED: Text = Text {
    nl: "Deze goedkeuring is verlopen: ze gold tot en met {date}.",
    fr: "Cet agrément a expiré : il était valable jusqu'au {date} inclus.",
    de: "Diese Zulassung ist abgelaufen: Sie galt bis einschließlich {date}.",
    en: "This approval has expired: it held through {date}.",
};
const REVOKED: Text = Text {
    nl: "Deze goedkeuring is ingetrokken op {date}: ze geldt niet meer.",
    fr: "Cet agrément a été révoqué le {date} : il n'est plus valable.",
    de: "Diese Zulassung wurde am {date} widerrufen: Sie gilt nicht mehr.",
    en: "This approval was revoked on {date}: it no longer holds.",
};
const DMS: Text = Text {
    nl: "DMS",
    fr: "DMS",
    de: "DMS",
    en: "DMS",
};
const VERSION: Text = Text {
    nl: "Versie",
    fr: "Version",
    de: "Version",
    en: "Version",
};
const DEVELOPER: Text = Text {
    nl: "Ontwikkelaar",
    fr: "Développeur",
    de: "Entwickler",
    en: "Developer",
};
const APPROVED_ON: Text = Text {
    nl: "Goedgekeurd op",
    fr: "Agréé le",
    de: "Zugelassen am",
    en: "Approved on",
};
const VALID_UNTIL: Text = Text {
    nl: "Geldig tot en met",
    fr: "Valable jusqu'au",
    de: "Gültig bis",
    en: "Valid until",
};
const APPROVAL: Text = Text {
    nl: "Goedkeuring",
    fr: "Agrément",
    de: "Zulassung",
    en: "Approval",
};
const EVALUATION: Text = Text {
    nl: "Op basis van evaluatie",
    fr: "Sur la base de l'évaluation",
    de: "Auf Grundlage der Bewertung",
    en: "Based on evaluation",
};
const VERIFY: Text = Text {
    nl: "Het register toont deze pagina telkens zoals de goedkeuring vandaag is. Echt is alleen wat op dit adres staat:",
    fr: "Le registre affiche cette page telle que l'agrément est aujourd'hui. Seul ce qui figure à cette adresse fait foi :",
    de: "Das Register zeigt diese Seite stets so, wie die Zulassung heute ist. Maßgeblich ist nur, was unter dieser Adresse steht:",
    en: "The registry shows this page as the approval is today. Only what this address shows counts:",
};
const EMBED: Text = Text {
    nl: "Het label op uw website",
    fr: "Le label sur votre site",
    de: "Das Label auf Ihrer Website",
    en: "The label on your website",
};
const EMBED_HOW: Text = Text {
    nl: "Het label zegt zelf of de goedkeuring geldt, verlopen is of ingetrokken werd, en leidt naar deze pagina:",
    fr: "Le label dit lui-même si l'agrément est valable, expiré ou révoqué, et renvoie à cette page :",
    de: "Das Label zeigt selbst, ob die Zulassung gilt, abgelaufen ist oder widerrufen wurde, und führt zu dieser Seite:",
    en: "The label itself says whether the approval holds, has expired or was revoked, and leads to this page:",
};
const BADGE_UNTIL: Text = Text {
    nl: "goedgekeurd tot",
    fr: "agréé jusqu'au",
    de: "zugelassen bis",
    en: "approved until",
};
const EXPIRED_WORD: Text = Text {
    nl: "verlopen",
    fr: "expiré",
    de: "abgelaufen",
    en: "expired",
};
const REVOKED_WORD: Text = Text {
    nl: "ingetrokken",
    fr: "révoqué",
    de: "widerrufen",
    en: "revoked",
};

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn until() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 12, 6).unwrap()
    }

    #[test]
    fn the_badge_says_the_standing_in_the_reader_s_language() {
        let holds = badge_svg(Standing::Holds, until(), Language::En);
        assert!(holds.contains(">approved until 2027-12-06</text>"));
        assert!(holds.contains("#2e8b57"));
        assert!(badge_svg(Standing::Revoked, until(), Language::En).contains(">revoked</text>"));
        assert!(badge_svg(Standing::Expired, until(), Language::En).contains(">expired</text>"));
        assert!(badge_svg(Standing::Revoked, until(), Language::Fr).contains(">révoqué</text>"));
        assert!(badge_svg(Standing::Holds, until(), Language::Nl)
            .contains(">goedgekeurd tot 06/12/2027</text>"));
    }

    #[test]
    fn the_badge_is_svg_that_parses_and_is_wide_enough_for_its_words() {
        for lang in Language::ALL {
            for standing in [Standing::Holds, Standing::Expired, Standing::Revoked] {
                let svg = badge_svg(standing, until(), lang);
                let doc = roxmltree::Document::parse(&svg).expect("well-formed");
                let root = doc.root_element();
                let width: u32 = root.attribute("width").unwrap().parse().unwrap();
                let words = badge_words(standing, until(), lang);
                assert!(width as usize >= 6 * ("Car-Pass DMS".len() + words.chars().count()));
            }
        }
    }
}
