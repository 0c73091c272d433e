//! The certification endpoints of a session (SPEC 5.1): its own SOAP endpoint, where every
//! exchange is recorded raw and faults are injected where the sheet says; the operator page
//! with the next-step button; and the sheet as JSON. All on the certification database.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::{AppState, Certification};
use crate::certification::recording::{self, ExchangeRecord};
use crate::certification::sessions::{self, Session};
use crate::certification::{evaluations, CertificationError};
use crate::domain::certification::scenario::{InjectedFault, SheetLanguage};
use crate::metrics::Channel;
use crate::service::auth::AuthError;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::inspect::{self, RawRequest};
use crate::soap::{self, Reply};
use crate::web::page::{document, e, verdict_class, Failure};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/certify/{session}/soap/inflow")
            .route(web::post().to(inflow))
            .route(web::get().to(describe)),
    )
    .route("/certify/{session}", web::get().to(page))
    .route("/certify/{session}/next", web::post().to(next))
    .route("/certify/{session}/sheet", web::get().to(sheet));
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
    let secrets = inspect::secrets(&raw);
    let id = id.into_inner();
    let found = state
        .run(move |conn| -> Result<_, CertificationError> {
            let session = sessions::find(conn, &id)?;
            let step = sessions::current_step(conn, &session.id)?;
            let injection = recording::injection_for(conn, &session, &facts)?;
            Ok((session, step, injection))
        })
        .await;
    let (session, step, injection) = match found {
        Ok(found) => found,
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
    let answer = match request {
        Ok((version, body)) => {
            soap::process(&req, &body, version, state, Some(session.company_id)).await
        }
        Err((_, fault)) => Err(fault),
    };
    // Only a request that was taken gets a fault injected: its reading is stored, its answer lost.
    let injected = injection.filter(|_| answer.is_ok());
    let reply = match injected.map(|i| i.fault) {
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
    let exchange = ExchangeRecord {
        step,
        received_at,
        answered_at: state.clock.now(),
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
        response_status: reply.status.as_u16(),
        response_headers: reply.headers.clone(),
        response_body: reply.body.clone(),
        injected: injected.map(|i| i.fault),
    };
    let recorded = state
        .run(move |conn| recording::record(conn, &session, exchange, &secrets))
        .await;
    if let Err(e) = recorded {
        log::error!("a certification exchange could not be recorded: {e}");
        return Reply::of(version, Err(Fault::server())).into_response();
    }
    if let Some(injection) = injected.filter(|i| i.fault == InjectedFault::Timeout) {
        actix_web::rt::time::sleep(Duration::from_secs(injection.hold_seconds)).await;
    }
    reply.into_response()
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
        Ok(_) | Err(AuthError::Failed | AuthError::Stale { .. } | AuthError::Replayed) => {
            Err(challenge())
        }
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

fn language(req: &HttpRequest) -> SheetLanguage {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| SheetLanguage::parse(l)))
        .unwrap_or_default()
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
    let state = &cert.0;
    let (session, username) = match operator(&req, state, id.into_inner()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !same_origin(&req, &state.settings) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("the next step is opened from the operator page of this server only\n");
    }
    let now = state.clock.now();
    let session_id = session.id.clone();
    let opened = state
        .run(move |conn| sessions::next(conn, &session_id, &username, now))
        .await;
    let json = wants_json(&req);
    match opened {
        Ok(opened) if json => HttpResponse::Ok().json(serde_json::json!({
            "number": opened.step.number,
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
                    language(&req).as_str()
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
    let language = language(&req);
    let base = crate::app::public_base(&req, &state.settings);
    let loaded = state
        .run(move |conn| -> Result<_, CertificationError> {
            let view = sessions::sheet_view(conn, &session.id)?;
            let usernames = recording::usernames(conn, &session)?;
            let rows = evaluations::evidence(conn, &session.id)?.exchanges;
            let exchanges = evaluations::facts(&rows, &usernames);
            let latest = evaluations::latest(conn, &session.id)?;
            Ok((view, exchanges, latest))
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

fn render_page(
    view: &sessions::SheetView,
    exchanges: &[crate::domain::certification::facts::Exchange],
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
                "<div class=\"step\"><h2>Step {n} of {total}: {title}</h2><p>{text}</p>{shot}\
<p class=\"muted\">Opened {at}; work date {date}. Criteria: {criteria}</p></div>",
                n = step.number,
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
            "<p>All steps are open. Evaluate with <code>carpass certify evaluate {} --format html --output report.html</code>.</p>",
            e(&view.session_id)
        ));
    }
    html.push_str("<h2>Exchanges recorded</h2>");
    if exchanges.is_empty() {
        html.push_str("<p class=\"muted\">None yet.</p>");
    } else {
        html.push_str("<table><tr><th>#</th><th>received</th><th>step</th><th>operation</th><th>outcome</th></tr>");
        for x in exchanges {
            let outcome = match &x.response {
                crate::domain::certification::facts::ResponseFacts::Receipts(r) => r
                    .iter()
                    .map(|r| r.status.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::domain::certification::facts::ResponseFacts::Fault { code, .. } => {
                    format!("fault {code}")
                }
                crate::domain::certification::facts::ResponseFacts::Other => "answered".into(),
            };
            let injected = x
                .injected
                .map(|f| format!(" (injected: {})", f.as_str()))
                .unwrap_or_default();
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                x.number,
                x.received_at.format("%H:%M:%S"),
                x.step.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
                e(x.operation()),
                e(&outcome),
                e(&injected)
            ));
        }
        html.push_str("</table>");
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
                let class = verdict_class(c.verdict);
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
