//! The certification endpoints of a session (SPEC 5.1): its own SOAP endpoint, where every
//! exchange is recorded raw and faults are injected where the sheet says; the operator page
//! with the next-step button; and the sheet as JSON. All on the certification database.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::app::{AppState, Certification};
use crate::certification::recording::{self, ExchangeRecord, Recorded};
use crate::certification::report::bundle::BundleError;
use crate::certification::report::{self, Format};
use crate::certification::sessions::{self, Session};
use crate::certification::{evaluations, CertificationError};
use crate::db::certification::{self as store, Quota};
use crate::domain::certification::scenario::{InjectedFault, SheetLanguage};
use crate::metrics::Channel;
use crate::metrics::SoapCall;
use crate::service::auth::AuthError;
use crate::service::ServiceError;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::inspect::{self, RawRequest};
use crate::soap::{self, Reply};
use maud::html;

use crate::domain::language::Language;
use crate::web::page::{shell, t, Failure, Reader};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/certify/{session}/soap/inflow")
            .route(web::post().to(inflow))
            .route(web::get().to(describe)),
    )
    .route("/certify/{session}", web::get().to(page))
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
    .route("/certify/{session}/sheet", web::get().to(sheet))
    .route("/certify/{session}/review", web::get().to(review))
    .route("/certify/{session}/review/ready", web::post().to(ready));
}

/// The session's review: whether it was marked ready, the staff's comments and overrides.
async fn review(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
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
    let state = &cert.0;
    let (session, username) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct ReadyBody {
        #[serde(default)]
        note: String,
    }
    let note = if body.is_empty() {
        String::new()
    } else {
        match serde_json::from_slice::<ReadyBody>(&body) {
            Ok(read) => read.note,
            Err(e) => {
                return json_error(
                    actix_web::http::StatusCode::BAD_REQUEST,
                    "invalid",
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

fn header_value(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The WSDL with the session's endpoint as the service address.
async fn describe(
    req: HttpRequest,
    session: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    soap::wsdl(&req, &cert.0.settings, &sessions::endpoint_path(&session))
}

async fn inflow(
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let received_at = state.clock.now();
    let request = soap::read_request(&req, payload, state).await;
    let (version, body) = match &request {
        Ok((version, body)) => (*version, body.to_vec()),
        Err((version, _)) => (*version, Vec::new()),
    };
    let content_type = header_value(&req, header::CONTENT_TYPE)
        .unwrap_or("")
        .to_owned();
    let authorization = header_value(&req, header::AUTHORIZATION).map(str::to_owned);
    let raw = RawRequest {
        content_type: &content_type,
        authorization: authorization.as_deref(),
        query: req.query_string(),
        body: &body,
    };
    let facts = inspect::request(&raw, &[]);
    let id = id.into_inner();
    let quota = Quota {
        exchanges: clamp(state.settings.recording_quota.exchanges),
        bytes: clamp(state.settings.recording_quota.bytes),
    };
    let found = state
        .run(move |conn| -> Result<_, CertificationError> {
            let session = sessions::find(conn, &id)?;
            if store::recording_full(conn, &session.id, quota)? {
                store::count_refused(conn, &session.id)?;
                return Ok(Err(session.id));
            }
            let step = sessions::current_step(conn, &session.id)?;
            let injection = recording::injection_for(conn, &session, &facts)?;
            Ok(Ok((session, step, injection)))
        })
        .await;
    let (session, step, injection) = match found {
        Ok(Ok(found)) => found,
        Ok(Err(session)) => return recording_full(version, &session).into_response(),
        Err(CertificationError::UnknownSession(id)) => {
            let fault = Fault::new(
                FaultCode::AuthenticationFailed,
                format!("no certification session '{id}': use the endpoint `carpass certify start` printed"),
            );
            return Reply::of(version, Err(fault)).into_response();
        }
        Err(e) => {
            log::error!("certification endpoint: {e}");
            return Reply::of(version, Err(Fault::server())).into_response();
        }
    };
    // `process` notes the account once its password is checked: only then is the whole
    // request recorded.
    req.extensions_mut().insert(SoapCall::default());
    let answer = match request {
        Ok((version, body)) => {
            soap::process(&req, &body, version, state, Some(session.company_id)).await
        }
        Err((_, fault)) => Err(fault),
    };
    // Taken out again: the metrics count the production endpoint's calls, not these.
    let user = req
        .extensions_mut()
        .remove::<SoapCall>()
        .and_then(|call| call.user);
    // Only a request that was taken gets a fault injected: its reading is stored, its answer lost.
    let injected = injection.filter(|_| answer.is_ok());
    let fault = injected.map(|i| i.fault);
    let reply = match fault {
        Some(InjectedFault::Server) => Reply::of(
            version,
            Err(Fault::new(
                FaultCode::ServerError,
                "the registry could not confirm the request (a fault injected by the certification harness, C12). \
                 Retry with the same ClientReference values",
            )),
        ),
        _ => Reply::of(version, answer),
    };
    // A held request gets no answer at all: the connection is closed after the hold, so that
    // a DMS with a timeout longer than the hold loses its answer as surely as an impatient one
    // (C12). Recorded as it went on the wire: status 0, nothing sent, at the moment of closing.
    let hold = injected
        .filter(|i| i.fault == InjectedFault::Timeout)
        .map(|i| Duration::from_secs(i.hold_seconds));
    let now = state.clock.now();
    let (answered_at, response_status, response_headers, response_body) = match hold {
        Some(hold) => (
            now + chrono::Duration::from_std(hold).unwrap_or_default(),
            0,
            Vec::new(),
            Vec::new(),
        ),
        None => (
            now,
            reply.status.as_u16(),
            reply.headers.clone(),
            reply.body.clone(),
        ),
    };
    let exchange = ExchangeRecord {
        step: step.map(|s| s.number),
        attempt: step.map(|s| s.attempt),
        received_at,
        answered_at,
        method: req.method().to_string(),
        path: match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        },
        request_headers: req
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        request_body: body,
        response_status,
        response_headers,
        response_body,
        injected: fault,
    };
    let session_id = session.id.clone();
    let recorded = state
        .run(move |conn| recording::record(conn, &session, exchange, user.as_deref(), quota))
        .await;
    match recorded {
        Ok(Recorded::Yes) => {}
        // Filled by requests running at the same time: this one was not recorded either, so it
        // cannot count for the certification, taken or not; the vendor hears why.
        Ok(Recorded::Full) => return recording_full(version, &session_id).into_response(),
        Err(e) => {
            log::error!("a certification exchange could not be recorded: {e}");
            return Reply::of(version, Err(Fault::server())).into_response();
        }
    }
    match hold {
        Some(hold) => {
            actix_web::rt::time::sleep(hold).await;
            close_unanswered()
        }
        None => reply.into_response(),
    }
}

fn clamp(limit: u64) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The session's recording has reached its quota (issue 19): nothing more is taken, since an
/// exchange that is not recorded cannot count for the certification.
fn recording_full(version: soap::version::SoapVersion, session: &str) -> Reply {
    Reply::of(
        version,
        Err(Fault::new(
            FaultCode::ServerBusy,
            format!(
                "the recording of certification session {session} is full: nothing more is taken or recorded. \
                 Contact the registry, or run the scenarios again in a new session (`carpass certify start`)"
            ),
        )),
    )
}

/// A response whose body fails before a byte is written: actix-web then drops the connection
/// without sending the status line, which is what a DMS sees when the registry vanishes.
fn close_unanswered() -> HttpResponse {
    HttpResponse::Ok().streaming(futures_util::stream::once(async {
        Err::<web::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "closed unanswered: a timeout injected by the certification harness (C12)",
        ))
    }))
}

/// The operator: HTTP Basic with one of the session's accounts.
async fn operator(
    req: &HttpRequest,
    state: &AppState,
    session_id: String,
) -> Result<(Session, String), HttpResponse> {
    let challenge = || {
        HttpResponse::Unauthorized()
            .insert_header(("WWW-Authenticate", soap::fault::BASIC_CHALLENGE))
            .content_type("text/plain; charset=utf-8")
            .body("log in with the user name and password `carpass certify start` printed for this session\n")
    };
    let Some(credentials) = header_value(req, header::AUTHORIZATION)
        .and_then(|value| soap::security::credentials(&[], Some(value)).ok())
    else {
        return Err(challenge());
    };
    let found = state
        .read(move |conn| sessions::find(conn, &session_id))
        .await;
    let session = match found {
        Ok(session) => session,
        Err(CertificationError::UnknownSession(id)) => {
            return Err(HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body(format!("no certification session '{id}'\n")))
        }
        Err(error) => return Err(Failure::from(error).response()),
    };
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
        ) => Err(challenge()),
        Err(e @ (AuthError::Throttled { .. } | AuthError::Busy)) => {
            Err(HttpResponse::TooManyRequests()
                .content_type("text/plain; charset=utf-8")
                .body(format!("{e}\n")))
        }
        Err(AuthError::Storage(e)) => Err(Failure::from(e).response()),
    }
}

fn wants_json(req: &HttpRequest) -> bool {
    header_value(req, header::ACCEPT).is_some_and(|v| v.contains("application/json"))
}

async fn sheet(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state
        .run(move |conn| sessions::sheet_view(conn, &session.id))
        .await
    {
        Ok(view) => HttpResponse::Ok().json(view),
        Err(error) => Failure::from(error).response(),
    }
}

/// A browser's form post must come from the operator page itself (no cross-site posts).
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

async fn next(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    open_step(req, id.into_inner(), None, cert).await
}

/// Plays a step again as a new attempt (`POST /certify/{session}/steps/{n}/rerun`).
async fn rerun(
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let (id, number) = path.into_inner();
    open_step(req, id, Some(number), cert).await
}

fn json_error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": code, "message": message }))
}

/// Attaches a screenshot to a step (C07, C14): the body is the PNG or JPEG itself, `?name=`
/// its file name. What `carpass certify attach` does, for a vendor without a shell here.
async fn attach(
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    mut payload: web::Payload,
    cert: web::Data<Certification>,
) -> HttpResponse {
    use futures_util::StreamExt;
    let state = &cert.0;
    let (id, number) = path.into_inner();
    let (session, username) = match operator(&req, state, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let limit = sessions::ATTACHMENT_MAX_BYTES;
    let too_large = || {
        json_error(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
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
                actix_web::http::StatusCode::BAD_REQUEST,
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
    let name =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("name").cloned())
            .unwrap_or_else(|| "screenshot".into());
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
        Err(CertificationError::Invalid(message)) => json_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "INVALID_SCREENSHOT",
            &message,
        ),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Evaluates the session now (a new, immutable record) and answers the report as JSON.
async fn evaluate(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, username) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let now = state.clock.now();
    match state
        .run(move |conn| evaluations::evaluate(conn, &session.id, &username, now))
        .await
    {
        Ok(report) => HttpResponse::Created().json(report),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Every evaluation of the session, oldest first: id, when, by whom, certifiable.
async fn list(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
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
    let (session, _) = match operator(&req, state, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let format_name =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("format").cloned())
            .unwrap_or_else(|| "json".into());
    let Some(format) = Format::parse(&format_name) else {
        return json_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            "UNKNOWN_FORMAT",
            &format!("format '{format_name}' is not one of html, json, junit, bundle"),
        );
    };
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
            Ok(Some(rendered))
        })
        .await;
    match loaded {
        Ok(Some(rendered)) => {
            let content_type = match format {
                Format::Html => "text/html; charset=utf-8",
                Format::Json => "application/json",
                Format::Junit => "application/xml; charset=utf-8",
                Format::Bundle => "application/x-tar",
            };
            HttpResponse::Ok()
                .content_type(content_type)
                .body(rendered)
        }
        Ok(None) => json_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "NO_SUCH_EVALUATION",
            "no such evaluation of this session: POST /certify/SESSION/evaluations evaluates it, GET /certify/SESSION/evaluations lists them",
        ),
        Err(error) => Failure::from(error).json_response(),
    }
}

/// Opens the next step, or step `again` as a new attempt.
async fn open_step(
    req: HttpRequest,
    id: String,
    again: Option<u32>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, username) = match operator(&req, state, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !same_origin(&req, &state.settings) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("a step is opened from the operator page of this server only\n");
    }
    let now = state.clock.now();
    let session_id = session.id.clone();
    let opened = state
        .run(move |conn| match again {
            Some(number) => sessions::rerun(conn, &session_id, number, &username, now),
            None => sessions::next(conn, &session_id, &username, now),
        })
        .await;
    let json = wants_json(&req);
    match opened {
        Ok(opened) if json => HttpResponse::Ok().json(serde_json::json!({
            "number": opened.step.number,
            "attempt": opened.attempt,
            "opened_at": opened.opened_at,
            "work_date": crate::domain::calendar::brussels_date(opened.opened_at),
            "step": opened.step,
        })),
        Ok(_) => HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!(
                    "{}?lang={}",
                    sessions::page_path(&session.id),
                    Reader::of(&req).lang.as_str()
                ),
            ))
            .finish(),
        Err(e @ CertificationError::NoNextStep { .. }) if json => HttpResponse::Conflict()
            .json(serde_json::json!({ "error": "NO_NEXT_STEP", "message": e.to_string() })),
        Err(e @ CertificationError::StepTaken(_)) if json => HttpResponse::Conflict()
            .json(serde_json::json!({ "error": "STEP_TAKEN", "message": e.to_string() })),
        Err(e @ (CertificationError::NoNextStep { .. } | CertificationError::StepTaken(_))) => {
            HttpResponse::Conflict()
                .content_type("text/plain; charset=utf-8")
                .body(format!("{e}\n"))
        }
        Err(CertificationError::Invalid(message)) if json => {
            let error = if again.is_some() {
                "CANNOT_RERUN"
            } else {
                "NO_NEXT_STEP"
            };
            HttpResponse::Conflict().json(serde_json::json!({ "error": error, "message": message }))
        }
        Err(CertificationError::Invalid(message)) => HttpResponse::Conflict()
            .content_type("text/plain; charset=utf-8")
            .body(format!("{message}\n")),
        Err(error) => Failure::from(error).response(),
    }
}

async fn page(
    req: HttpRequest,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let state = &cert.0;
    let (session, _) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let reader = Reader::of(&req);
    let base = crate::app::public_base(&req, &state.settings);
    let page_number = query_param(&req, "page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(0);
    let loaded = state
        .run(move |conn| -> Result<_, CertificationError> {
            let view = sessions::sheet_view(conn, &session.id)?;
            let total = store::exchange_count(conn, &session.id)?;
            let offset = i64::from(page_number) * PAGE;
            let exchanges = store::latest_exchanges(conn, &session.id, PAGE, offset)?;
            let (_, _, refused) = store::recording_totals(conn, &session.id)?;
            let latest = evaluations::latest(conn, &session.id)?;
            let listed = Listed {
                exchanges,
                total,
                page: page_number,
                refused,
            };
            Ok((view, listed, latest))
        })
        .await;
    let (view, exchanges, latest) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::from(error).response(),
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(render_page(
            &view,
            &exchanges,
            latest.as_ref(),
            &reader,
            &base,
        ))
}

/// Exchanges listed on one page of the operator page, newest first.
const PAGE: i64 = 50;

/// One page of the recording: only the columns shown, never a body.
struct Listed {
    exchanges: Vec<store::ExchangeSummary>,
    total: i64,
    page: u32,
    /// Answered "recording full" and not recorded.
    refused: i64,
}

fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get(name).cloned())
}

/// The sheet's texts exist in nl, fr and en; a German reader gets the page's own words in
/// German and the steps in English.
fn sheet_language(lang: Language) -> SheetLanguage {
    match lang {
        Language::Nl => SheetLanguage::Nl,
        Language::Fr => SheetLanguage::Fr,
        Language::De | Language::En => SheetLanguage::En,
    }
}

fn render_page(
    view: &sessions::SheetView,
    listed: &Listed,
    latest: Option<&evaluations::Report>,
    reader: &Reader,
    base: &str,
) -> String {
    let lang = reader.lang;
    let f = reader.fmt();
    let sheet = sheet_language(lang);
    let total = view.steps.len();
    let open = view.opened.last();
    let current = open.and_then(|o| {
        view.steps
            .iter()
            .find(|s| s.number == o.number)
            .map(|s| (o, s))
    });
    let pages = u32::try_from((listed.total + PAGE - 1) / PAGE).unwrap_or(u32::MAX);
    let first = listed.total - i64::from(listed.page) * PAGE;
    let body = html! {
        main {
            h1 {
                (t(lang, "Certification of", "Certificatie van", "Certification de", "Zertifizierung von"))
                " " (view.dms.name) " " (view.dms.version) " "
                span.muted { (t(lang, "by", "door", "par", "von")) " " (view.dms.builder) }
            }
            p.muted {
                (t(lang, "Session", "Sessie", "Session", "Sitzung")) " " code { (view.session_id) }
                " · " (t(lang, "endpoint", "eindpunt", "point d'accès", "Endpunkt")) " " code { (base) (view.endpoint_path) }
            }
            @if lang == Language::De {
                p.muted.small { "Die Anweisungen der Schritte gibt es auf Niederländisch, Französisch und Englisch; hier auf Englisch." }
            }
            @match current {
                Some((opened, step)) => {
                    div.step {
                        h2 {
                            (match lang {
                                Language::Nl => format!("Stap {} van {total}", step.number),
                                Language::Fr => format!("Étape {} sur {total}", step.number),
                                Language::De => format!("Schritt {} von {total}", step.number),
                                Language::En => format!("Step {} of {total}", step.number),
                            })
                            @if opened.attempt > 1 {
                                " (" (t(lang, "attempt", "poging", "tentative", "Versuch")) " " (opened.attempt) ")"
                            }
                            ": " (step.scenario_title.get(sheet))
                        }
                        p { (step.instructions.get(sheet)) }
                        @if let Some(shot) = &step.screenshot {
                            p {
                                strong { (t(lang, "Screenshot:", "Schermafdruk:", "Capture d'écran\u{a0}:", "Bildschirmfoto:")) } " " (shot.get(sheet)) " "
                                span.muted { "(" code { "carpass certify attach " (view.session_id) " --step " (step.number) " FILE" } ")" }
                            }
                        }
                        p.muted {
                            (t(lang, "Opened", "Geopend", "Ouverte", "Geöffnet")) " " (f.moment(opened.opened_at)) "; "
                            (t(lang, "work date", "datum werk", "date des travaux", "Arbeitsdatum")) " " (f.date(opened.work_date)) ". "
                            (t(lang, "Criteria:", "Criteria:", "Critères\u{a0}:", "Kriterien:")) " "
                            (step.criteria.iter().map(|c| c.id()).collect::<Vec<_>>().join(", "))
                        }
                    }
                }
                None => {
                    div.step { p { (t(lang,
                        "No step is open yet. Configure the DMS, then open step 1.",
                        "Er is nog geen stap geopend. Configureer het DMS en open dan stap 1.",
                        "Aucune étape n'est encore ouverte. Configurez le DMS, puis ouvrez l'étape 1.",
                        "Noch ist kein Schritt geöffnet. Konfigurieren Sie das DMS und öffnen Sie dann Schritt 1.",
                    )) } }
                }
            }
            @if open.map_or(0, |o| o.number as usize) < total {
                form method="post" action=(format!("{}/next?lang={}", sessions::page_path(&view.session_id), lang.as_str())) {
                    p { button type="submit" { (t(lang, "Open the next step", "De volgende stap openen", "Ouvrir l'étape suivante", "Nächsten Schritt öffnen")) } }
                }
            } @else {
                p {
                    (t(lang, "All steps are open. Evaluate with", "Alle stappen zijn geopend. Beoordeel met", "Toutes les étapes sont ouvertes. Évaluez avec", "Alle Schritte sind geöffnet. Bewerten Sie mit"))
                    " " code { "carpass certify evaluate " (view.session_id) " --format html --output report.html" } " "
                    (t(lang, "or", "of", "ou", "oder")) " " code { "POST " (sessions::page_path(&view.session_id)) "/evaluations" } "."
                }
            }
            h2 { (t(lang, "Exchanges recorded", "Opgenomen uitwisselingen", "Échanges enregistrés", "Aufgezeichnete Austausche")) }
            p.muted {
                (f.num(listed.total.max(0) as u64)) " " (t(lang, "recorded", "opgenomen", "enregistrés", "aufgezeichnet"))
                @if listed.refused > 0 {
                    ", " (f.num(listed.refused as u64)) " " (t(lang,
                        "more refused: the session's recording is full",
                        "meer geweigerd: de opname van de sessie is vol",
                        "de plus refusés\u{a0}: l'enregistrement de la session est plein",
                        "weitere abgelehnt: die Aufzeichnung der Sitzung ist voll",
                    ))
                }
                "; " (t(lang, "the latest first.", "de laatste eerst.", "les plus récents d'abord.", "die neuesten zuerst."))
            }
            @if listed.exchanges.is_empty() {
                p.muted { (t(lang, "None here.", "Hier geen.", "Aucun ici.", "Hier keine.")) }
            } @else {
                div.scroll { table {
                    tr {
                        th { "#" }
                        th { (t(lang, "received", "ontvangen", "reçu", "empfangen")) }
                        th { (t(lang, "step", "stap", "étape", "Schritt")) }
                        th { (t(lang, "operation", "operatie", "opération", "Operation")) }
                        th { (t(lang, "outcome", "uitkomst", "résultat", "Ergebnis")) }
                    }
                    @for (x, number) in listed.exchanges.iter().zip((1..=first).rev()) {
                        tr {
                            td { (number) }
                            td.nowrap { (x.received_at.format("%H:%M:%S")) " UTC" }
                            td { (x.step.map(|s| s.to_string()).unwrap_or_else(|| "–".into())) }
                            td { (x.operation.as_deref().unwrap_or("?")) }
                            td {
                                (x.outcome.as_deref().unwrap_or("–"))
                                @if let Some(fault) = &x.injected {
                                    " (" (t(lang, "injected", "geïnjecteerd", "injecté", "eingespeist")) ": " (fault) ")"
                                }
                            }
                        }
                    }
                } }
            }
            @if pages > 1 {
                nav.pager {
                    @if listed.page > 0 {
                        a href=(reader.with("page", &(listed.page - 1).to_string())) { (t(lang, "newer", "nieuwer", "plus récents", "neuere")) }
                    }
                    @if listed.page + 1 < pages {
                        a href=(reader.with("page", &(listed.page + 1).to_string())) { (t(lang, "older", "ouder", "plus anciens", "ältere")) }
                    }
                }
            }
            h2 { (t(lang, "Latest evaluation", "Laatste beoordeling", "Dernière évaluation", "Letzte Bewertung")) }
            @match latest {
                None => p.muted { (t(lang, "Not evaluated yet.", "Nog niet beoordeeld.", "Pas encore évalué.", "Noch nicht bewertet.")) },
                Some(report) => {
                    p {
                        @if report.certifiable {
                            span.ok { (t(lang, "certifiable", "certificeerbaar", "certifiable", "zertifizierbar")) }
                        } @else {
                            span.bad { (t(lang, "not certifiable", "niet certificeerbaar", "non certifiable", "nicht zertifizierbar")) }
                        }
                        " " span.muted { "(" (f.moment(report.evaluated_at)) ", " (report.evaluated_by) ")" }
                    }
                    div.scroll { table {
                        tr {
                            th { (t(lang, "criterion", "criterium", "critère", "Kriterium")) }
                            th { (t(lang, "verdict", "oordeel", "verdict", "Urteil")) }
                            th { (t(lang, "step", "stap", "étape", "Schritt")) }
                            th { (t(lang, "reason", "reden", "raison", "Grund")) }
                        }
                        @for c in &report.criteria {
                            tr {
                                td { (c.criterion.to_string()) }
                                td class=(c.verdict.slug()) { (c.verdict.as_str()) }
                                td { (c.step.map(|s| s.to_string()).unwrap_or_default()) }
                                td { (c.reason) }
                            }
                        }
                    } }
                }
            }
        }
    };
    let title = format!(
        "{} {}",
        t(
            lang,
            "Certification",
            "Certificatie",
            "Certification",
            "Zertifizierung"
        ),
        view.session_id
    );
    shell(reader, &title, body).into_string()
}
