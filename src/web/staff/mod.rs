//! The staff's web pages (SPEC 6): plain server-rendered HTML under `/staff` that works without
//! JavaScript. Every page and action but the login page needs a live staff session; every
//! action also needs the session's CSRF token (see `session`).

mod approvals;
pub(crate) mod certification;
mod clerk;
mod feeds;
mod layout;
mod listing;
mod review;
mod session;
mod trusted_providers;

/// The staff member of a live session, for staff-only routes outside these pages (a PDF).
pub use session::Staff;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/staff/login")
            .route(web::get().to(session::login_page))
            .route(web::post().to(session::login)),
    )
    .route("/staff/logout", web::post().to(session::logout))
    .route("/staff", web::get().to(review::queue))
    .route("/staff/search", web::get().to(clerk::search))
    .route("/staff/garages/{company}", web::get().to(clerk::garage))
    .route("/staff/vehicles/{vin}", web::get().to(clerk::vehicle))
    .route(
        "/staff/readings/{reading}/decision",
        web::post().to(review::decide),
    )
    .service(
        web::resource("/staff/paper-form")
            .route(web::get().to(review::paper_form))
            .route(web::post().to(review::apply_paper_form)),
    )
    .route("/staff/certification", web::get().to(certification::list))
    .route(
        "/staff/certification/{session}",
        web::get().to(certification::session),
    )
    .route(
        "/staff/certification/{session}/report",
        web::get().to(certification::report),
    )
    .route(
        "/staff/certification/{session}/screenshots/{attachment}",
        web::get().to(certification::screenshot),
    )
    .route(
        "/staff/certification/{session}/verdict",
        web::post().to(certification::verdict),
    )
    .route(
        "/staff/certification/{session}/evaluate",
        web::post().to(certification::evaluate),
    )
    .route(
        "/staff/certification/{session}/comment",
        web::post().to(certification::comment),
    )
    .route(
        "/staff/certification/{session}/override",
        web::post().to(certification::override_criterion),
    )
    .route(
        "/staff/certification/{session}/approve",
        web::post().to(certification::approve),
    )
    .route("/staff/approvals", web::get().to(approvals::list))
    .route(
        "/staff/approvals/{approval}/revoke",
        web::post().to(approvals::revoke),
    )
    .route(
        "/staff/trusted-providers",
        web::get().to(trusted_providers::show),
    )
    .service(
        web::resource("/staff/trusted-providers/publish")
            .route(web::get().to(trusted_providers::confirm))
            .route(web::post().to(trusted_providers::publish)),
    )
    .route("/staff/feeds", web::get().to(feeds::list))
    .route(
        "/staff/feeds/{company}/{batch}",
        web::get().to(feeds::batch),
    );
}
