//! The public lists (SPEC 2.10, 2.11, 6), no login: `GET /approved-dms` and
//! `GET /trusted-providers/{year}`, as HTML, or JSON on `Accept: application/json`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::domain::language::Language;
use crate::staff::approvals::{self, PublicApproval};
use crate::staff::trusted_providers::{self, PublishedList};
use crate::web::page::{respond, shell, t, Failure, Reader};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/approved-dms", web::get().to(approved))
        .route("/trusted-providers/{year}", web::get().to(trusted));
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// A public page in the reader's language: narrow, with its title as its heading.
fn page(reader: &Reader, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    let body = html! { main.narrow { h1 { (title) } (body) } };
    respond(status, shell(reader, title, body).into_string())
}

async fn approved(req: HttpRequest, reader: Reader, state: web::Data<AppState>) -> HttpResponse {
    let today = brussels_date(state.clock.now());
    let list = match state
        .run(move |conn| approvals::public_list(conn, today))
        .await
    {
        Ok(list) => list,
        Err(error) => return Failure::staff(error, reader.lang).response(),
    };
    if wants_json(&req) {
        return HttpResponse::Ok().json(serde_json::json!({ "date": today, "approved": list }));
    }
    let title = t(
        reader.lang,
        "Approved DMS",
        "Erkende DMS",
        "DMS agréés",
        "Zugelassene DMS",
    );
    page(
        &reader,
        StatusCode::OK,
        title,
        approved_table(&reader, &list, today),
    )
}

fn approved_table(reader: &Reader, list: &[PublicApproval], today: chrono::NaiveDate) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let today = f.date(today);
    if list.is_empty() {
        return html! { p { (match lang {
            Language::Nl => format!("Geen enkel DMS draagt het label op {today}."),
            Language::Fr => format!("Aucun DMS ne porte le label le {today}."),
            Language::De => format!("Kein DMS trägt das Label am {today}."),
            Language::En => format!("No DMS holds the label on {today}."),
        }) } };
    }
    html! {
        p { (match lang {
            Language::Nl => format!("Software die aan de criteria van het register voldoet, draagt het label «\u{a0}erkend DMS\u{a0}» (op {today})."),
            Language::Fr => format!("Les logiciels qui répondent aux critères du registre portent le label «\u{a0}DMS agréé\u{a0}» (au {today})."),
            Language::De => format!("Software, die die Kriterien des Registers erfüllt, trägt das Label „zugelassenes DMS“ (Stand {today})."),
            Language::En => format!("Software that meets the registry's criteria carries the label \"approved DMS\" (as of {today})."),
        }) }
        div.scroll { table {
            tr {
                th { (t(lang, "DMS name", "Naam van het DMS", "Nom du DMS", "Name des DMS")) }
                th { (t(lang, "Developer", "Ontwikkelaar", "Développeur", "Hersteller")) }
                th { (t(lang, "Valid until", "Geldig tot", "Valable jusqu'au", "Gültig bis")) }
            }
            @for a in list {
                tr {
                    td { a href=(format!("/approved-dms/{}", a.id)) { (a.name) " " (a.version) } }
                    td { (a.builder) }
                    td.nowrap { (f.date(a.valid_until)) }
                }
            }
        } }
    }
}

async fn trusted(
    req: HttpRequest,
    reader: Reader,
    year: web::Path<i32>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let year = year.into_inner();
    let list = match state
        .run(move |conn| trusted_providers::published(conn, year))
        .await
    {
        Ok(list) => list,
        Err(error) => return Failure::staff(error, reader.lang).response(),
    };
    let title = format!("Trusted Providers {year}");
    match (list, wants_json(&req)) {
        (Some(list), true) => HttpResponse::Ok().json(&list),
        (Some(list), false) => page(
            &reader,
            StatusCode::OK,
            &title,
            trusted_table(&reader, &list),
        ),
        (None, true) => HttpResponse::NotFound().json(serde_json::json!({
            "error": "LIST_NOT_PUBLISHED",
            "message": format!("the Trusted Provider list {year} has not been published"),
        })),
        (None, false) => {
            let text = match reader.lang {
                Language::Nl => format!("De lijst {year} is niet gepubliceerd."),
                Language::Fr => format!("La liste {year} n'a pas été publiée."),
                Language::De => format!("Die Liste {year} wurde nicht veröffentlicht."),
                Language::En => format!("The list {year} has not been published."),
            };
            page(
                &reader,
                StatusCode::NOT_FOUND,
                &title,
                html! { p { (text) } },
            )
        }
    }
}

fn trusted_table(reader: &Reader, list: &PublishedList) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let n = list.providers.len();
    let prev = list.year - 1;
    let min = f.num(list.min_readings.max(0) as u64);
    let published = f.date(crate::domain::calendar::brussels_date(list.published_at));
    html! {
        p { (match lang {
            Language::Nl => format!("{n} bedrijf/bedrijven waarvan de kilometerstanden van {prev} in minder dan 0,5\u{a0}% van de gevallen een breuk in de kilometerhistoriek van een voertuig veroorzaakten (met minstens {min} kilometerstanden dat jaar). Gepubliceerd op {published}."),
            Language::Fr => format!("{n} entreprise(s) dont les relevés de {prev} ont rompu l'historique kilométrique d'un véhicule dans moins de 0,5\u{a0}% des cas (avec au moins {min} relevés cette année-là). Publiée le {published}."),
            Language::De => format!("{n} Unternehmen, deren Kilometerstände von {prev} in weniger als 0,5\u{a0}% der Fälle einen Bruch in der Kilometerhistorie eines Fahrzeugs verursachten (bei mindestens {min} Kilometerständen in dem Jahr). Veröffentlicht am {published}."),
            Language::En => format!("{n} {} whose readings of {prev} caused a break in a vehicle's odometer history in less than 0.5\u{a0}% of cases (with at least {min} readings that year). Published {published}.", if n == 1 { "company" } else { "companies" }),
        }) }
        div.scroll { table {
            tr {
                th { (t(lang, "Company", "Bedrijf", "Entreprise", "Unternehmen")) }
                th { (t(lang, "Enterprise number", "Ondernemingsnummer", "Numéro d'entreprise", "Unternehmensnummer")) }
            }
            @for p in &list.providers {
                tr { td { (p.name) } td.nowrap { (f.kbo(&p.kbo)) } }
            }
        } }
    }
}
