//! `/healthz`: the process answers. `/readyz`: and so do its database and the group-commit
//! writer that stores SubmitReadings.

use std::time::Duration;

use actix_web::{web, HttpResponse};

use crate::app::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Probes time out in a second or so: answer 503 fast rather than wait out the pool's timeout.
const PROBE_TIMEOUT: Duration = Duration::from_millis(800);

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if !state.committer.can_write() {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("the group-commit writer cannot write\n");
    }
    let pool = state.pool.clone();
    let ready = web::block(move || {
        pool.get_timeout(PROBE_TIMEOUT)
            .map(|mut conn| crate::db::ping(&mut conn).is_ok())
            .unwrap_or(false)
    })
    .await;
    match ready {
        Ok(true) => HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n"),
        _ => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("the database does not answer\n"),
    }
}
