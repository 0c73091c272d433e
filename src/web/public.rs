//! The public lists (SPEC 2.10, 2.11, 6), no login: `GET /approved-dms` and
//! `GET /trusted-providers/{year}`, as HTML, or JSON on `Accept: application/json`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use quick_xml::escape::escape;

use crate::domain::calendar::brussels_date;
use crate::staff::approvals::{self, PublicApproval};
use crate::staff::trusted_providers::{self, PublishedList};
use crate::startup::AppState;

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

fn unavailable() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain; charset=utf-8")
        .body("the registry cannot answer right now; try again in a moment\n")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;color:#1d2733}\
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #dde3ea}\
th{color:#5a6b7d;font-weight:600}footer{margin-top:2rem;font-size:.85rem;color:#5a6b7d}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    )
}

async fn approved(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let today = brussels_date(state.clock.now());
    let Ok(Ok(list)) = state
        .run_raw(move |conn| approvals::public_list(conn, today))
        .await
    else {
        return unavailable();
    };
    if wants_json(&req) {
        return HttpResponse::Ok().json(serde_json::json!({ "date": today, "approved": list }));
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page("Approved DMS", &approved_table(&list, today)))
}

fn approved_table(list: &[PublicApproval], today: chrono::NaiveDate) -> String {
    if list.is_empty() {
        return format!("<p>No DMS holds the label on {today}.</p>");
    }
    let rows: String = list
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                escape(&a.name),
                escape(&a.version),
                escape(&a.builder),
                a.valid_until.format("%d/%m/%Y")
            )
        })
        .collect();
    format!(
        "<p>Software that meets the registry's criteria carries the label \"approved DMS\" (as of {today}).</p>\
<table><tr><th>DMS name</th><th>Developer</th><th>Valid until</th></tr>{rows}</table>"
    )
}

async fn trusted(
    req: HttpRequest,
    year: web::Path<i32>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let year = year.into_inner();
    let Ok(Ok(list)) = state
        .run_raw(move |conn| trusted_providers::published(conn, year))
        .await
    else {
        return unavailable();
    };
    match (list, wants_json(&req)) {
        (Some(list), true) => HttpResponse::Ok().json(&list),
        (Some(list), false) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page(
                &format!("Trusted Providers {year}"),
                &trusted_table(&list),
            )),
        (None, true) => HttpResponse::NotFound().json(serde_json::json!({
            "error": "LIST_NOT_PUBLISHED",
            "message": format!("the Trusted Provider list {year} has not been published"),
        })),
        (None, false) => HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body(page(
                &format!("Trusted Providers {year}"),
                &format!("<p>The list {year} has not been published.</p>"),
            )),
    }
}

fn trusted_table(list: &PublishedList) -> String {
    let rows: String = list
        .providers
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&p.name),
                escape(&p.kbo)
            )
        })
        .collect();
    format!(
        "<p>{n} companies whose readings of {prev} caused a break in a vehicle's odometer history in less than 0.5 % of cases \
(with at least {min} readings that year). Published {published}.</p>\
<table><tr><th>Company</th><th>Enterprise number</th></tr>{rows}</table>",
        n = list.providers.len(),
        prev = list.year - 1,
        min = list.min_readings,
        published = list.published_at.format("%Y-%m-%d"),
    )
}
