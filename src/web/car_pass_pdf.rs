//! `GET /car-pass/{id}.pdf`: the printable Car-Pass, for the accounts of the company that asked
//! for it (HTTP Basic, as their DMS already sends) and for staff (also at
//! `/staff/car-pass/{id}.pdf` with the staff pages' session). In the requester's language
//! unless `?lang=` asks for another. Anyone else is told no such Car-Pass exists: whether an ID
//! was issued is the verification page's to say, with its throttle.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;

use crate::app::AppState;
use crate::domain::car_pass_id::CarPassId;
use crate::domain::language::Language;
use crate::metrics::Channel;
use crate::service::auth::{AuthError, Credentials, Role};
use crate::service::car_pass::{self, Recorded};
use crate::web::page::Failure;
use crate::web::staff::Staff;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/car-pass/{file}", web::get().to(for_account))
        .route("/staff/car-pass/{file}", web::get().to(for_staff));
}

#[derive(serde::Deserialize)]
struct Shown {
    lang: Option<String>,
}

/// `1234567890123.pdf` (or the ID written with hyphens) to the ID.
fn id_of(file: &str) -> Option<CarPassId> {
    CarPassId::parse(file.strip_suffix(".pdf")?).ok()
}

fn not_found() -> HttpResponse {
    Failure::Refused(
        actix_web::http::StatusCode::NOT_FOUND,
        "no such Car-Pass for this account: check the PdfUrl of the RequestCarPass answer".into(),
    )
    .response()
}

fn unauthorized(message: &str) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"carpass\""))
        .body(message.to_owned())
}

fn basic(req: &HttpRequest) -> Option<Credentials> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (username, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(Credentials {
        username: username.to_owned(),
        password: password.to_owned(),
        nonce: None,
        created: None,
    })
}

async fn for_account(
    req: HttpRequest,
    file: web::Path<String>,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(credentials) = basic(&req) else {
        return unauthorized("log in with the account that asked for the Car-Pass (HTTP Basic)");
    };
    let source = crate::app::client_address(&req, &state.settings);
    let account = match state
        .authenticate(Channel::Soap, source, &credentials)
        .await
    {
        Ok(account) => account,
        Err(AuthError::Throttled { retry_after }) => {
            return HttpResponse::TooManyRequests()
                .insert_header((
                    header::RETRY_AFTER,
                    retry_after.as_secs().max(1).to_string(),
                ))
                .finish()
        }
        Err(_) => return unauthorized("the user name or the password is wrong"),
    };
    let Some(recorded) = find(&state, &file).await else {
        return not_found();
    };
    match recorded {
        Ok(recorded)
            if recorded.company_id == account.company_id || account.role == Role::Staff =>
        {
            pdf(&req, &state, &recorded, shown.lang.as_deref())
        }
        Ok(_) => not_found(),
        Err(failure) => failure.response(),
    }
}

async fn for_staff(
    req: HttpRequest,
    _me: Staff,
    file: web::Path<String>,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    match find(&state, &file).await {
        Some(Ok(recorded)) => pdf(&req, &state, &recorded, shown.lang.as_deref()),
        Some(Err(failure)) => failure.response(),
        None => not_found(),
    }
}

async fn find(state: &AppState, file: &str) -> Option<Result<Recorded, Failure>> {
    let id = id_of(file)?;
    match state.run(move |conn| car_pass::find(conn, &id)).await {
        Ok(found) => found.map(Ok),
        Err(e) => Some(Err(Failure::from(e))),
    }
}

fn pdf(
    req: &HttpRequest,
    state: &AppState,
    recorded: &Recorded,
    lang: Option<&str>,
) -> HttpResponse {
    let lang = lang.and_then(Language::parse).unwrap_or(recorded.language);
    let compact: String = recorded
        .pass
        .id
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let verify_url = format!(
        "{}/verify/{compact}",
        crate::app::public_base(req, &state.settings)
    );
    let bytes = crate::document::car_pass_pdf(&recorded.pass, lang, &verify_url);
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"car-pass-{compact}.pdf\""),
        ))
        .body(bytes)
}
