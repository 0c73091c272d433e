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
use maud::{html, Markup};

use crate::domain::language::{Language, Text};
use crate::web::certify_api;
use crate::web::page::{shell, t, Failure, Reader};
use crate::web::staff::certification::verdict_label;

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
            soap::process(
                &soap::INFLOW,
                &req,
                &body,
                version,
                state,
                Some(session.company_id),
            )
            .await
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
                                td { strong { (c.criterion.id()) } br; span.small { (c.criterion.text().get(lang)) } }
                                td class=(c.verdict.slug()) { (verdict_label(c.verdict, lang)) }
                                td { (c.step.map(|s| s.to_string()).unwrap_or_default()) }
                                td { (c.reason) }
                            }
                        }
                    } }
                    (reasons_in_english(lang))
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

/// The harness writes each criterion's reason as an English sentence (it names exchanges,
/// values and SPEC clauses); a page in another language says so under the table.
pub(crate) fn reasons_in_english(lang: Language) -> Markup {
    const NOTE: Text = Text {
        nl: "De redenen zijn de woorden van de testomgeving en blijven in het Engels.",
        fr: "Les raisons sont les mots du banc d'essai et restent en anglais.",
        de: "Die Gründe sind die Worte des Prüfstands und bleiben auf Englisch.",
        en: "",
    };
    html! {
        @if lang != Language::En {
            p.muted.small lang=(lang.as_str()) { (NOTE.get(lang)) }
        }
    }
}
