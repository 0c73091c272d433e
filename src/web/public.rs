//! The public lists (SPEC 2.10, 2.11, 6), no login: `GET /approved-dms` and
//! `GET /trusted-providers/{year}`, as HTML, or JSON on `Accept: application/json`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::staff::approvals::{self, PublicApproval};
use crate::staff::trusted_providers::{self, PublishedList};
use crate::web::page::{document, e, Failure};

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

/// A public page: narrow, with its title as its heading.
fn page(title: &str, body: &str) -> String {
    document(
        "en",
        title,
        &format!("<main class=\"narrow\"><h1>{}</h1>{body}</main>", e(title)),
    )
}

async fn approved(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let today = brussels_date(state.clock.now());
    let list = match state
        .run(move |conn| approvals::public_list(conn, today))
        .await
    {
        Ok(list) => list,
        Err(error) => return Failure::from(error).response(),
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
                e(&a.name),
                e(&a.version),
                e(&a.builder),
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
    let list = match state
        .run(move |conn| trusted_providers::published(conn, year))
        .await
    {
        Ok(list) => list,
        Err(error) => return Failure::from(error).response(),
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
        .map(|p| format!("<tr><td>{}</td><td>{}</td></tr>", e(&p.name), e(&p.kbo)))
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
