//! `GET /label/{id}`: the public page an advert links to (HTML, or JSON on
//! `Accept: application/json`). It shows the label and whether it still holds, never the
//! reading history (SPEC 2.8: the data serves the certificate only).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::service::labels::{self, PublicLabel};
use crate::web::page::{document, e, Failure};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/label/{id}", web::get().to(show));
}

async fn show(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let id = id.into_inner();
    let lookup = id.clone();
    let label = match state.run(move |conn| labels::public(conn, &lookup)).await {
        Ok(label) => label,
        Err(error) => return Failure::from(error).response(),
    };
    match (label, wants_json) {
        (Some(label), true) => HttpResponse::Ok().json(&label),
        (Some(label), false) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page(&label)),
        (None, true) => HttpResponse::NotFound().json(serde_json::json!({
            "error": "LABEL_NOT_FOUND",
            "message": format!("no OK label {id}: check the link in the advert"),
        })),
        (None, false) => HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body(not_found(&id)),
    }
}

fn page(label: &PublicLabel) -> String {
    let vehicle = match (&label.make, &label.model) {
        (Some(make), Some(model)) => format!("{make} {model}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => "unknown".into(),
    };
    let (class, verdict) = if label.valid_now {
        (
            "valid",
            "This OK label is valid: the registered odometer history agrees with the advert."
                .to_owned(),
        )
    } else {
        (
            "invalid",
            format!(
                "This OK label is no longer valid: {}.",
                label
                    .no_longer_valid_because
                    .as_deref()
                    .unwrap_or("the history changed")
            ),
        )
    };
    let body = format!(
        "<main class=\"narrow\"><h1>Odometer OK label</h1><p class=\"verdict {class}\">{verdict}</p><dl>\
<dt>Vehicle</dt><dd>{vehicle}</dd><dt>Advertised mileage</dt><dd>{km} km</dd>\
<dt>Granted on</dt><dd>{granted}</dd><dt>Label</dt><dd><code>{id}</code></dd></dl>\
<footer>Granted when the vehicle's registered odometer history showed no anomaly and the advertised \
mileage was not below its last registered reading. The history itself is not published.</footer></main>",
        id = e(&label.label_id),
        vehicle = e(&vehicle),
        verdict = e(&verdict),
        km = label.advertised_km,
        granted = label.granted_at.format("%Y-%m-%d %H:%M UTC"),
    );
    document("en", &format!("OK label {}", label.label_id), &body)
}

fn not_found(id: &str) -> String {
    document(
        "en",
        "No such OK label",
        &format!(
            "<main class=\"narrow\"><h1>No such OK label</h1><p>There is no OK label <code>{}</code>. \
Check the link in the advert.</p></main>",
            e(id)
        ),
    )
}
