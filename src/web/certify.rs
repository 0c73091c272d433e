//! The certification endpoints of a session (SPEC 5.1): its own SOAP endpoint, where every
//! exchange is recorded raw and faults are injected where the sheet says; the operator page
//! with the next-step button. All on the certification database; the session's JSON API is
//! `certify_api.rs`.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::app::{AppState, Certification};
use crate::certification::recording::{self, ExchangeRecord, Recorded};
use crate::certification::sessions::{self, Session};
use crate::certification::{evaluations, CertificationError};
use crate::db::certification::{self as store, Quota};
use crate::domain::certification::scenario::{InjectedFault, SheetLanguage};
use crate::metrics::SoapCall;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::inspect::{self, RawRequest};
use crate::soap::{self, Reply};
use crate::web::certify_api;
use crate::web::page::{document, e, Failure};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/certify/{session}/soap/inflow")
            .route(web::post().to(inflow))
            .route(web::get().to(describe)),
    )
    .route("/certify/{session}", web::get().to(page));
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
    certify_api::login(req, state, session_id)
        .await
        .map_err(certify_api::Refusal::text)
}

fn language(req: &HttpRequest) -> SheetLanguage {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| SheetLanguage::parse(l)))
        .unwrap_or_default()
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
    let language = language(&req);
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
            language,
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

fn render_page(
    view: &sessions::SheetView,
    listed: &Listed,
    latest: Option<&evaluations::Report>,
    language: SheetLanguage,
    base: &str,
) -> String {
    let total = view.steps.len();
    let open = view.opened.last();
    let mut html = format!(
        "<main><h1>Certification of {name} {version} <span class=\"muted\">by {builder}</span></h1>\
<p class=\"muted\">Session <code>{id}</code> · endpoint <code>{base}{endpoint}</code></p>\
<nav class=\"langs\">{langs}</nav>",
        id = e(&view.session_id),
        name = e(&view.dms.name),
        version = e(&view.dms.version),
        builder = e(&view.dms.builder),
        endpoint = e(&view.endpoint_path),
        langs = SheetLanguage::ALL
            .iter()
            .map(|l| format!("<a href=\"?lang={0}\">{0}</a>", l.as_str()))
            .collect::<String>(),
    );
    match open.and_then(|o| view.steps.iter().find(|s| s.number == o.number).map(|s| (o, s))) {
        Some((opened, step)) => {
            html.push_str(&format!(
                "<div class=\"step\"><h2>Step {n} of {total}{again}: {title}</h2><p>{text}</p>{shot}\
<p class=\"muted\">Opened {at}; work date {date}. Criteria: {criteria}</p></div>",
                n = step.number,
                again = if opened.attempt > 1 { format!(" (attempt {})", opened.attempt) } else { String::new() },
                title = e(step.scenario_title.get(language)),
                text = e(step.instructions.get(language)),
                shot = step
                    .screenshot
                    .as_ref()
                    .map(|s| format!(
                        "<p><strong>Screenshot:</strong> {} <span class=\"muted\">(<code>carpass certify attach {} --step {} FILE</code>)</span></p>",
                        e(s.get(language)),
                        e(&view.session_id),
                        step.number
                    ))
                    .unwrap_or_default(),
                at = opened.opened_at.format("%Y-%m-%d %H:%M:%S UTC"),
                date = opened.work_date,
                criteria = step.criteria.iter().map(|c| c.id()).collect::<Vec<_>>().join(", "),
            ));
        }
        None => html.push_str("<div class=\"step\"><p>No step is open yet. Configure the DMS, then open step 1.</p></div>"),
    }
    if open.map_or(0, |o| o.number as usize) < total {
        html.push_str(&format!(
            "<form method=\"post\" action=\"{}/next?lang={}\"><p><button type=\"submit\">Open the next step</button></p></form>",
            e(&sessions::page_path(&view.session_id)),
            language.as_str()
        ));
    } else {
        html.push_str(&format!(
            "<p>All steps are open. Evaluate with <code>carpass certify evaluate {} --format html --output report.html</code> \
or <code>POST {}/evaluations</code>.</p>",
            e(&view.session_id),
            e(&sessions::page_path(&view.session_id))
        ));
    }
    html.push_str(&format!(
        "<h2>Exchanges recorded</h2><p class=\"muted\">{} recorded{}; the latest first.</p>",
        listed.total,
        if listed.refused > 0 {
            format!(
                ", {} more refused: the session's recording is full",
                listed.refused
            )
        } else {
            String::new()
        }
    ));
    if listed.exchanges.is_empty() {
        html.push_str("<p class=\"muted\">None here.</p>");
    } else {
        html.push_str("<table><tr><th>#</th><th>received</th><th>step</th><th>operation</th><th>outcome</th></tr>");
        let first = listed.total - i64::from(listed.page) * PAGE;
        for (x, number) in listed.exchanges.iter().zip((1..=first).rev()) {
            let injected = x
                .injected
                .as_ref()
                .map(|f| format!(" (injected: {f})"))
                .unwrap_or_default();
            html.push_str(&format!(
                "<tr><td>{number}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                x.received_at.format("%H:%M:%S"),
                x.step.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
                e(x.operation.as_deref().unwrap_or("?")),
                e(x.outcome.as_deref().unwrap_or("–")),
                e(&injected)
            ));
        }
        html.push_str("</table>");
    }
    let pages = u32::try_from((listed.total + PAGE - 1) / PAGE).unwrap_or(u32::MAX);
    let link = |page: u32, label: &str| {
        format!(
            "<a href=\"?lang={}&amp;page={page}\">{label}</a> ",
            language.as_str()
        )
    };
    let mut nav = String::new();
    if listed.page > 0 {
        nav.push_str(&link(listed.page - 1, "newer"));
    }
    if listed.page + 1 < pages {
        nav.push_str(&link(listed.page + 1, "older"));
    }
    if !nav.is_empty() {
        html.push_str(&format!("<nav class=\"pages\">{nav}</nav>"));
    }
    html.push_str("<h2>Latest evaluation</h2>");
    match latest {
        None => html.push_str("<p class=\"muted\">Not evaluated yet.</p>"),
        Some(report) => {
            let verdict = if report.certifiable {
                "<span class=\"ok\">certifiable</span>"
            } else {
                "<span class=\"bad\">not certifiable</span>"
            };
            html.push_str(&format!(
                "<p>{verdict} <span class=\"muted\">({} by {})</span></p><table><tr><th>criterion</th><th>verdict</th><th>step</th><th>reason</th></tr>",
                report.evaluated_at.format("%Y-%m-%d %H:%M UTC"),
                e(&report.evaluated_by)
            ));
            for c in &report.criteria {
                let class = c.verdict.slug();
                html.push_str(&format!(
                    "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td></tr>",
                    c.criterion,
                    c.verdict.as_str(),
                    c.step.map(|s| s.to_string()).unwrap_or_default(),
                    e(&c.reason)
                ));
            }
            html.push_str("</table>");
        }
    }
    html.push_str("</main>");
    document(
        language.as_str(),
        &format!("Certification {}", view.session_id),
        &html,
    )
}
