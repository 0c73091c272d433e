//! A certification session's HTTP API (issue 18): everything `carpass certify` does on the
//! registry, for a DMS vendor who has no shell on it, with the session's own credentials
//! (HTTP Basic) and JSON in and out. Starting a session stays a staff action (`carpass certify
//! start` prints the id and credentials the vendor then uses here): a session gets a company,
//! accounts and fixture vehicles in the certification database, which the registry hands out.
//!
//! Every refusal is `{"error": CODE, "message": ...}` with a message that says what to do.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::app::{AppState, Certification};
use crate::certification::report::bundle::BundleError;
use crate::certification::report::{self, Format};
use crate::certification::sessions::{self, OpenedStep, Session};
use crate::certification::{evaluations, CertificationError};
use crate::domain::calendar::brussels_date;
use crate::domain::certification::evaluation::Software;
use crate::domain::certification::scenario::{SheetStep, SheetVehicle};
use crate::metrics::Channel;
use crate::service::auth::AuthError;
use crate::service::ServiceError;
use crate::soap;
use crate::web::page::Failure;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/certify/{session}/sheet", web::get().to(sheet))
        .route("/certify/{session}/next", web::post().to(next))
        .route(
            "/certify/{session}/steps/{number}/rerun",
            web::post().to(rerun),
        )
        .route(
            "/certify/{session}/steps/{number}/screenshots",
            web::post().to(attach),
        )
        .route("/certify/{session}/evaluations", web::post().to(evaluate))
        .route("/certify/{session}/evaluations", web::get().to(list))
        .route(
            "/certify/{session}/evaluations/{evaluation}",
            web::get().to(report),
        )
        .route("/certify/{session}/review", web::get().to(review))
        .route("/certify/{session}/review/ready", web::post().to(ready));
}

/// Why a request for a session was not let in.
pub(super) enum Refusal {
    /// No credentials, wrong ones, or an account that is not this session's.
    Unauthenticated,
    UnknownSession(String),
    /// Too many wrong passwords from here, or the hashing queue is full.
    Throttled(String),
    Failed(Failure),
}

impl Refusal {
    /// For a person at the operator page.
    pub(super) fn text(self) -> HttpResponse {
        let text = |mut builder: actix_web::HttpResponseBuilder, body: String| {
            builder
                .content_type("text/plain; charset=utf-8")
                .body(body + "\n")
        };
        match self {
            Refusal::Unauthenticated => {
                text(challenged(StatusCode::UNAUTHORIZED), Refusal::LOG_IN.into())
            }
            Refusal::UnknownSession(id) => text(
                HttpResponse::NotFound(),
                format!("no certification session '{id}'"),
            ),
            Refusal::Throttled(message) => text(HttpResponse::TooManyRequests(), message),
            Refusal::Failed(failure) => failure.response(),
        }
    }

    fn json(self) -> HttpResponse {
        match self {
            Refusal::Unauthenticated => challenged(StatusCode::UNAUTHORIZED)
                .json(error_body("UNAUTHENTICATED", Refusal::LOG_IN)),
            Refusal::UnknownSession(id) => json_error(
                StatusCode::NOT_FOUND,
                "NO_SUCH_SESSION",
                &format!("no certification session '{id}': use the session id the registry's staff gave you"),
            ),
            Refusal::Throttled(message) => {
                json_error(StatusCode::TOO_MANY_REQUESTS, "THROTTLED", &message)
            }
            Refusal::Failed(failure) => failure.json_response(),
        }
    }

    const LOG_IN: &'static str = "log in with this session's user name (cert-SESSION) and the password the registry gave you when it started the session";
}

fn challenged(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::WWW_AUTHENTICATE, soap::fault::BASIC_CHALLENGE));
    builder
}

fn error_body(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "error": code, "message": message })
}

fn json_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_body(code, message))
}

fn header_value(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get(name).cloned())
}

/// The session and the user name of the session's account that logged in (HTTP Basic).
pub(super) async fn login(
    req: &HttpRequest,
    state: &AppState,
    session_id: String,
) -> Result<(Session, String), Refusal> {
    let credentials = header_value(req, header::AUTHORIZATION)
        .and_then(|value| soap::security::credentials(&[], Some(value)).ok())
        .ok_or(Refusal::Unauthenticated)?;
    let session = state
        .read(move |conn| sessions::find(conn, &session_id))
        .await
        .map_err(|error| match error {
            CertificationError::UnknownSession(id) => Refusal::UnknownSession(id),
            error => Refusal::Failed(error.into()),
        })?;
    let source = crate::app::client_address(req, &state.settings);
    match state
        .authenticate(Channel::Soap, source, &credentials)
        .await
    {
        Ok(account) if account.company_id == session.company_id => Ok((session, account.username)),
        Ok(_)
        | Err(
            AuthError::Failed
            | AuthError::Stale { .. }
            | AuthError::Replayed
            | AuthError::Disabled(_),
        ) => Err(Refusal::Unauthenticated),
        Err(e @ (AuthError::Throttled { .. } | AuthError::Busy)) => {
            Err(Refusal::Throttled(e.to_string()))
        }
        Err(AuthError::Storage(e)) => Err(Refusal::Failed(e.into())),
    }
}

/// The sheet as data: each step's instructions in every language and every value in them
/// (its job's VIN, odometer as typed, unit, flags, customer, invoice total and works; the
/// answer the operator gives; the fault injected; the advert; the step whose status is asked),
/// and per step whether it was opened, each attempt and the work date of the latest.
#[derive(Serialize)]
struct Sheet {
    session_id: String,
    dms: Software,
    username: String,
    /// Where the DMS sends its requests, as this server is reached.
    endpoint: String,
    wsdl: String,
    operator_page: String,
    endpoint_path: String,
    operator_page_path: String,
    vehicles: Vec<SheetVehicle>,
    steps: Vec<Step>,
    /// Every opening of every step, in the order they were opened.
    opened: Vec<OpenedStep>,
    /// The step open now (the one opened last): where the DMS's requests are recorded.
    open_step: Option<OpenedStep>,
    /// The step `POST .../next` opens; none once the last step is open.
    next_step: Option<u32>,
}

#[derive(Serialize)]
struct Step {
    #[serde(flatten)]
    step: SheetStep,
    state: StepState,
    /// The day the job is done, as the DMS must send it: the day the step's latest attempt
    /// was opened, in Brussels; none until it is opened.
    work_date: Option<NaiveDate>,
    attempts: Vec<StepAttempt>,
}

#[derive(Serialize)]
struct StepAttempt {
    attempt: u32,
    opened_at: DateTime<Utc>,
    work_date: NaiveDate,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum StepState {
    NotOpened,
    /// Opened last: the DMS's requests are recorded as this step's.
    Open,
    /// Opened before the step open now.
    Played,
}

impl Sheet {
    fn of(view: sessions::SheetView, base: &str) -> Sheet {
        let open_step = view.opened.last().cloned();
        let total = view.steps.len() as u32;
        let next_step = match &open_step {
            None => Some(1),
            Some(open) => Some(open.number + 1).filter(|n| *n <= total),
        };
        let steps = view
            .steps
            .into_iter()
            .map(|step| {
                let attempts: Vec<StepAttempt> = view
                    .opened
                    .iter()
                    .filter(|o| o.number == step.number)
                    .map(|o| StepAttempt {
                        attempt: o.attempt,
                        opened_at: o.opened_at,
                        work_date: o.work_date,
                    })
                    .collect();
                let state = match &open_step {
                    Some(open) if open.number == step.number => StepState::Open,
                    _ if attempts.is_empty() => StepState::NotOpened,
                    _ => StepState::Played,
                };
                Step {
                    work_date: attempts.last().map(|a| a.work_date),
                    step,
                    state,
                    attempts,
                }
            })
            .collect();
        Sheet {
            endpoint: format!("{base}{}", view.endpoint_path),
            wsdl: format!("{base}{}?wsdl", view.endpoint_path),
            operator_page: format!("{base}{}", view.operator_page_path),
            session_id: view.session_id,
            dms: view.dms,
            username: view.username,
            endpoint_path: view.endpoint_path,
            operator_page_path: view.operator_page_path,
            vehicles: view.vehicles,
            steps,
            opened: view.opened,
            open_step,
            next_step,
        }
    }
}

async fn sheet(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match login(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    let base = crate::app::public_base(&req, &state.settings);
    match state
        .run(move |conn| sessions::sheet_view(conn, &session.id))
        .await
    {
        Ok(view) => HttpResponse::Ok().json(Sheet::of(view, &base)),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// A browser's post must come from the operator page itself (no cross-site posts).
fn same_origin(req: &HttpRequest, settings: &crate::settings::Settings) -> bool {
    let Some(origin) =
        header_value(req, header::ORIGIN).or_else(|| header_value(req, header::REFERER))
    else {
        return true;
    };
    let base = crate::app::public_base(req, settings);
    let host = base
        .split_once("://")
        .map_or(base.as_str(), |(_, host)| host);
    origin
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .is_some_and(|origin_host| origin_host == host)
}

const CROSS_SITE: &str = "a change to a session comes from this server's operator page, or from a client that sends no Origin (curl, a script, `carpass certify --server`)";

/// A browser logged in to the session would send its credentials with another site's form too.
fn cross_site() -> HttpResponse {
    json_error(StatusCode::FORBIDDEN, "CROSS_SITE", CROSS_SITE)
}

/// The operator page's button posts a form from a browser, which asks for HTML and goes back to
/// the page; anything else (curl, a script, `carpass certify --server`) gets JSON.
fn from_a_browser(req: &HttpRequest) -> bool {
    header_value(req, header::ACCEPT).is_some_and(|v| v.contains("text/html"))
}

async fn next(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    open_step(req, id.into_inner(), None, cert).await
}

/// Plays a step again as a new attempt; `next` then resumes with the step after it.
async fn rerun(
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let (id, number) = path.into_inner();
    open_step(req, id, Some(number), cert).await
}

/// Opens the next step, or step `again` as a new attempt: its number, attempt, when it opened,
/// its work date and the step itself.
async fn open_step(
    req: HttpRequest,
    id: String,
    again: Option<u32>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let browser = from_a_browser(&req);
    let (session, username) = match login(&req, state, id).await {
        Ok(found) => found,
        Err(refusal) if browser => return refusal.text(),
        Err(refusal) => return refusal.json(),
    };
    if !same_origin(&req, &state.settings) {
        return if browser {
            HttpResponse::Forbidden()
                .content_type("text/plain; charset=utf-8")
                .body(format!("{CROSS_SITE}\n"))
        } else {
            cross_site()
        };
    }
    let api = sessions::page_path(&session.id);
    let total = session.sheet.steps.len() as u32;
    if let Some(number) = again.filter(|n| *n == 0 || *n > total) {
        let message = format!(
            "session {} has steps 1 to {total}; there is no step {number} to play again",
            session.id
        );
        return if browser {
            HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body(format!("{message}\n"))
        } else {
            json_error(StatusCode::NOT_FOUND, "NO_SUCH_STEP", &message)
        };
    }
    let now = state.clock.now();
    let session_id = session.id.clone();
    let opened = state
        .run(move |conn| match again {
            Some(number) => sessions::rerun(conn, &session_id, number, &username, now),
            None => sessions::next(conn, &session_id, &username, now),
        })
        .await;
    let refused = |status: StatusCode, code: &str, message: String| {
        if browser {
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(format!("{message}\n"))
        } else {
            json_error(status, code, &message)
        }
    };
    match opened {
        Ok(opened) if !browser => HttpResponse::Ok().json(serde_json::json!({
            "number": opened.step.number,
            "attempt": opened.attempt,
            "opened_at": opened.opened_at,
            "work_date": brussels_date(opened.opened_at),
            "step": opened.step,
        })),
        Ok(_) => HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!(
                    "{api}?lang={}",
                    crate::web::page::Reader::of(&req).lang.as_str()
                ),
            ))
            .finish(),
        Err(CertificationError::NoNextStep { .. }) => refused(
            StatusCode::CONFLICT,
            "NO_NEXT_STEP",
            format!(
                "all {total} steps of session {} are open: evaluate with POST {api}/evaluations, or play a step again with POST {api}/steps/NUMBER/rerun",
                session.id
            ),
        ),
        Err(e @ CertificationError::StepTaken(_)) => {
            refused(StatusCode::CONFLICT, "STEP_TAKEN", e.to_string())
        }
        // The one step that cannot be played again is one not played yet.
        Err(CertificationError::Invalid(_)) => refused(
            StatusCode::CONFLICT,
            "CANNOT_RERUN",
            format!(
                "step {} of session {} has not been played yet: open the steps in order with POST {api}/next",
                again.unwrap_or_default(),
                session.id
            ),
        ),
        Err(error) if browser => Failure::from(error).response(),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Attaches a screenshot to a step (C07, C14): the body is the PNG or JPEG itself, `?name=`
/// its file name.
async fn attach(
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    mut payload: web::Payload,
    cert: web::Data<Certification>,
) -> HttpResponse {
    use futures_util::StreamExt;
    let state = &cert.0;
    let (id, number) = path.into_inner();
    let (session, username) = match login(&req, state, id).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    if !same_origin(&req, &state.settings) {
        return cross_site();
    }
    let limit = sessions::ATTACHMENT_MAX_BYTES;
    let too_large = || {
        json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "SCREENSHOT_TOO_LARGE",
            &format!("a screenshot may have at most {limit} bytes"),
        )
    };
    let announced = header_value(&req, header::CONTENT_LENGTH).and_then(|l| l.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let mut content = Vec::with_capacity(announced.map_or(0, |l| l as usize));
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return json_error(
                StatusCode::BAD_REQUEST,
                "INVALID_SCREENSHOT",
                "the screenshot could not be read; send the image as the request body",
            );
        };
        // Nothing past the limit is held: the rest of the body is not even read.
        if content.len() + chunk.len() > limit {
            return too_large();
        }
        content.extend_from_slice(&chunk);
    }
    let name = query_param(&req, "name").unwrap_or_else(|| "screenshot".into());
    let now = state.clock.now();
    let attached = state
        .run(move |conn| {
            sessions::attach(conn, &session.id, number, &name, content, &username, now)
        })
        .await;
    match attached {
        Ok(sha256) => {
            HttpResponse::Created().json(serde_json::json!({ "step": number, "sha256": sha256 }))
        }
        Err(CertificationError::Invalid(message)) => {
            json_error(StatusCode::BAD_REQUEST, "INVALID_SCREENSHOT", &message)
        }
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Evaluates the session now (a new, immutable record): the report as JSON, its address in
/// `Location`.
async fn evaluate(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, username) = match login(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    if !same_origin(&req, &state.settings) {
        return cross_site();
    }
    let api = sessions::page_path(&session.id);
    let now = state.clock.now();
    match state
        .run(move |conn| evaluations::evaluate(conn, &session.id, &username, now))
        .await
    {
        Ok(report) => HttpResponse::Created()
            .insert_header((
                header::LOCATION,
                format!("{api}/evaluations/{}", report.evaluation_id),
            ))
            .json(report),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Every evaluation of the session, oldest first: id, when, by whom, certifiable, and where
/// its report is.
async fn list(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match login(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    let api = sessions::page_path(&session.id);
    match state
        .run(move |conn| evaluations::all(conn, &session.id))
        .await
    {
        Ok(reports) => HttpResponse::Ok().json(
            reports
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "evaluation_id": r.evaluation_id,
                        "evaluated_at": r.evaluated_at,
                        "evaluated_by": r.evaluated_by,
                        "certifiable": r.certifiable,
                        "failed": r.failed_criteria(),
                        "report": format!("{api}/evaluations/{}", r.evaluation_id),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// One evaluation's report (`latest` for the newest) in `?format=` html, json (the default),
/// junit or bundle.
async fn report(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (id, wanted) = path.into_inner();
    let (session, _) = match login(&req, state, id).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    let format_name = query_param(&req, "format").unwrap_or_else(|| "json".into());
    let Some(format) = Format::parse(&format_name) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_FORMAT",
            &format!("format '{format_name}' is not one of html, json, junit, bundle"),
        );
    };
    let api = sessions::page_path(&session.id);
    let session_id = session.id.clone();
    let loaded = state
        .run(move |conn| -> Result<_, CertificationError> {
            let reports = evaluations::all(conn, &session.id)?;
            let found = if wanted == "latest" {
                reports.into_iter().next_back()
            } else {
                reports.into_iter().find(|r| r.evaluation_id == wanted)
            };
            let Some(found) = found else {
                return Ok(None);
            };
            let attachments = evaluations::attachments(conn, &session.id)?;
            // The bundle's exchanges are read a page at a time: no row is held beside the tar.
            let rendered = match format {
                Format::Bundle => {
                    let rows = evaluations::exchanges_paged(conn, &session.id);
                    report::bundle::write(&found, &attachments, rows, Vec::new()).map_err(|e| {
                        match e {
                            BundleError::Read(e) => e,
                            BundleError::Write(e) => CertificationError::Service(
                                ServiceError::Corrupt(format!("the evidence bundle: {e}")),
                            ),
                        }
                    })?
                }
                _ => {
                    let evidence = evaluations::Evidence {
                        exchanges: Vec::new(),
                        attachments,
                    };
                    report::render(format, &found, &evidence)
                }
            };
            Ok(Some((found.evaluation_id, rendered)))
        })
        .await;
    match loaded {
        Ok(Some((evaluation, rendered))) => {
            let (content_type, extension) = match format {
                Format::Html => ("text/html; charset=utf-8", "html"),
                Format::Json => ("application/json", "json"),
                Format::Junit => ("application/xml; charset=utf-8", "xml"),
                Format::Bundle => ("application/x-tar", "tar"),
            };
            let mut response = HttpResponse::Ok();
            response.content_type(content_type);
            if format == Format::Bundle {
                response.insert_header((
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"certification-{session_id}-{evaluation}.{extension}\""
                    ),
                ));
            }
            response.body(rendered)
        }
        Ok(None) => json_error(
            StatusCode::NOT_FOUND,
            "NO_SUCH_EVALUATION",
            &format!(
                "session {session_id} has no evaluation '{}': POST {api}/evaluations evaluates it, GET {api}/evaluations lists them",
                req.match_info().get("evaluation").unwrap_or_default()
            ),
        ),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// The session's review: whether it was marked ready, the staff's comments and overrides.
async fn review(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match login(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    match state
        .run(move |conn| crate::certification::review::notes(conn, &session.id))
        .await
    {
        Ok(notes) => HttpResponse::Ok().json(serde_json::json!({
            "ready_for_review": crate::certification::review::ready_since(&notes).map(|n| n.at),
            "notes": notes,
        })),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// The vendor marks the session ready for review (`POST /certify/{session}/review/ready`,
/// an optional `{"note": "..."}` for staff).
async fn ready(
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
    cert: web::Data<Certification>,
) -> HttpResponse {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct ReadyBody {
        #[serde(default)]
        note: String,
    }
    let state = &cert.0;
    let (session, username) = match login(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(refusal) => return refusal.json(),
    };
    if !same_origin(&req, &state.settings) {
        return cross_site();
    }
    let note = if body.is_empty() {
        String::new()
    } else {
        match serde_json::from_slice::<ReadyBody>(&body) {
            Ok(read) => read.note,
            Err(e) => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_BODY",
                    &format!(
                        "the body is empty or a JSON object with an optional \"note\" string: {e}"
                    ),
                )
            }
        }
    };
    let now = state.clock.now();
    match state
        .run(move |conn| {
            crate::certification::review::mark_ready(conn, &session.id, &note, &username, now)
        })
        .await
    {
        Ok(note) => HttpResponse::Created().json(note),
        Err(error) => Failure::from(error).json_response(),
    }
}
