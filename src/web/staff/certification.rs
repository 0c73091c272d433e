//! Certification for staff (SPEC 5): the sessions with their latest evaluation; per session the
//! report, the screenshots, a verdict on each criterion that only the DMS's screen can prove,
//! evaluating again, and the approval. A refused action is shown on the page and changes nothing.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;

use super::layout::{self, filled, page, Nav, Notice};
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::app::Certification;
use crate::certification::evaluations::{self, Report};
use crate::certification::sessions::{self, Session};
use crate::certification::{report, CertificationError};
use crate::db::approvals::{self as approval_rows, ApprovalRow};
use crate::db::certification::{self as store, AttachmentRow, VerdictRow};
use crate::domain::calendar::brussels_date;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::Verdict;
use crate::service::ServiceError;
use crate::staff::{approvals, StaffError};
use crate::web::page::{e, respond, unavailable, Failure};

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn session_path(id: &str) -> String {
    format!("/staff/certification/{id}")
}

fn criteria_list(report: &Report, verdict: Verdict) -> String {
    let ids: Vec<&str> = report
        .criteria
        .iter()
        .filter(|c| c.verdict == verdict)
        .map(|c| c.criterion.id())
        .collect();
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
}

pub async fn list(
    me: Staff,
    shown: web::Query<Shown>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let loaded = cert
        .0
        .run(|conn| -> Result<_, CertificationError> {
            let mut all = sessions::all(conn)?;
            all.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then_with(|| b.id.cmp(&a.id))
            });
            all.into_iter()
                .map(|session| {
                    let latest = evaluations::latest(conn, &session.id)?;
                    Ok((session, latest))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await;
    let rows = match loaded {
        Ok(rows) => rows,
        Err(error) => return Failure::from(error).response(),
    };
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    let mut body = String::from(
        "<p class=\"muted\">Certification sessions, newest first. A session is opened with <code>carpass certify start</code>; \
open one to see its report and screenshots, record verdicts and approve.</p>",
    );
    if rows.is_empty() {
        body.push_str("<p class=\"card\">No certification session yet.</p>");
    } else {
        body.push_str(
            "<table><tr><th>Session</th><th>DMS</th><th>Builder</th><th>Started</th><th>Latest evaluation</th>\
<th>Failed</th><th>Awaiting staff review</th></tr>",
        );
        for (session, latest) in &rows {
            let (verdict, failed, awaiting) = match latest {
                None => (
                    "<span class=\"muted\">not evaluated</span>".to_owned(),
                    String::new(),
                    String::new(),
                ),
                Some(report) => (
                    format!(
                        "{} <span class=\"muted small\">{}</span>",
                        if report.certifiable {
                            "<span class=\"ok\">certifiable</span>"
                        } else {
                            "<span class=\"bad\">not certifiable</span>"
                        },
                        time(report.evaluated_at)
                    ),
                    criteria_list(report, Verdict::Failed),
                    criteria_list(report, Verdict::AwaitingStaffReview),
                ),
            };
            body.push_str(&format!(
                "<tr><td><a href=\"{href}\"><code>{id}</code></a></td><td><a href=\"{href}\">{name} {version}</a></td><td>{builder}</td>\
<td class=\"nowrap\">{started}</td><td>{verdict}</td><td>{failed}</td><td>{awaiting}</td></tr>",
                href = e(&session_path(&session.id)),
                id = e(&session.id),
                name = e(&session.software.name),
                version = e(&session.software.version),
                builder = e(&session.software.builder),
                started = time(session.created_at),
            ));
        }
        body.push_str("</table>");
    }
    respond(
        StatusCode::OK,
        page(
            &me,
            Nav::Certification,
            "Certification sessions",
            notice.as_ref(),
            &body,
        ),
    )
}

/// Everything the session page shows.
struct Loaded {
    session: Session,
    latest: Option<Report>,
    verdicts: BTreeMap<Criterion, VerdictRow>,
    screenshots: Vec<AttachmentRow>,
    approvals: Vec<ApprovalRow>,
}

async fn load(state: &AppState, cert: &Certification, id: String) -> Result<Loaded, HttpResponse> {
    let loaded = cert
        .0
        .run(move |conn| -> Result<_, StaffError> {
            let session = sessions::find(conn, &id)?;
            let latest = evaluations::latest(conn, &session.id)?;
            let verdicts = approvals::verdicts(conn, &session.id)?;
            let screenshots = store::attachments(conn, &session.id)?;
            Ok((session, latest, verdicts, screenshots))
        })
        .await;
    let (session, latest, verdicts, screenshots) = match loaded {
        Ok(found) => found,
        Err(StaffError::NotFound(message)) => {
            return Err(respond(
                StatusCode::NOT_FOUND,
                layout::document(
                    "No such session",
                    &format!(
                        "<main><h1>No such certification session</h1><p>{}</p><p><a href=\"/staff/certification\">All sessions</a></p></main>",
                        e(&message)
                    ),
                ),
            ))
        }
        Err(error) => return Err(Failure::from(error).response()),
    };
    let session_id = session.id.clone();
    let approvals = match state
        .run(move |conn| -> Result<_, ServiceError> {
            let all = approval_rows::all(conn)?;
            Ok(all
                .into_iter()
                .filter(|a| a.session_id == session_id)
                .collect())
        })
        .await
    {
        Ok(rows) => rows,
        Err(error) => return Err(Failure::from(error).response()),
    };
    Ok(Loaded {
        session,
        latest,
        verdicts,
        screenshots,
        approvals,
    })
}

pub async fn session(
    me: Staff,
    id: web::Path<String>,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    session_page(
        &me,
        &state,
        &cert,
        id.into_inner(),
        StatusCode::OK,
        notice.as_ref(),
    )
    .await
}

async fn session_page(
    me: &Staff,
    state: &AppState,
    cert: &Certification,
    id: String,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let loaded = match load(state, cert, id).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let today = brussels_date(state.clock.now());
    let dms = &loaded.session.software;
    let title = format!("Certification of {} {}", dms.name, dms.version);
    respond(
        status,
        page(
            me,
            Nav::Certification,
            &title,
            notice,
            &session_body(me, &loaded, today),
        ),
    )
}

fn session_body(me: &Staff, loaded: &Loaded, today: NaiveDate) -> String {
    let session = &loaded.session;
    let path = e(&session_path(&session.id));
    let mut html = format!(
        "<dl><dt>Session</dt><dd><code>{id}</code>, started {started}</dd><dt>DMS</dt><dd>{name} {version}</dd>\
<dt>Builder</dt><dd>{builder}</dd></dl>",
        id = e(&session.id),
        started = time(session.created_at),
        name = e(&session.software.name),
        version = e(&session.software.version),
        builder = e(&session.software.builder),
    );
    for approval in &loaded.approvals {
        let state = match (&approval.revoked_at, &approval.revoked_by) {
            (Some(at), Some(by)) => format!(
                "<span class=\"bad\">revoked</span> on {} by {}",
                at.format("%Y-%m-%d"),
                e(by)
            ),
            _ if approval.valid_until < today => "<span class=\"muted\">expired</span>".to_owned(),
            _ => "<span class=\"ok\">holds</span>".to_owned(),
        };
        html.push_str(&format!(
            "<p class=\"card\">Approval <code>{}</code> until {}: {state} <span class=\"muted small\">(approved {} by {})</span> \
· <a href=\"/staff/approvals\">Approvals</a></p>",
            e(&approval.id),
            approval.valid_until,
            approval.approved_at.format("%Y-%m-%d"),
            e(&approval.approved_by)
        ));
    }

    html.push_str("<h2>Latest evaluation</h2>");
    match &loaded.latest {
        None => html.push_str(
            "<p class=\"card\">Not evaluated yet. Evaluate once the DMS has played every step.</p>",
        ),
        Some(report) => {
            html.push_str(&format!(
                "<p>{verdict} <span class=\"muted\">· evaluated {at} by {by}</span> · <a href=\"{path}/report\">Open the full report</a> \
<span class=\"muted small\">(steps, exchanges and every reason)</span></p>\
<table><tr><th>Criterion</th><th>The DMS...</th><th title=\"M: mandatory, R: recommended\">M/R</th><th>Verdict</th>\
<th>Step</th><th>Reason</th></tr>",
                verdict = if report.certifiable {
                    "<strong class=\"ok\">Certifiable</strong>"
                } else {
                    "<strong class=\"bad\">Not certifiable</strong>"
                },
                at = time(report.evaluated_at),
                by = e(&report.evaluated_by),
            ));
            for c in &report.criteria {
                html.push_str(&format!(
                    "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td><td class=\"{} nowrap\">{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
                    c.criterion,
                    e(&c.title),
                    if c.mandatory { "M" } else { "R" },
                    c.verdict.slug(),
                    c.verdict.as_str(),
                    c.step.map(|s| s.to_string()).unwrap_or_default(),
                    e(&c.reason)
                ));
            }
            html.push_str("</table>");
        }
    }

    html.push_str("<h2>Screenshots</h2>");
    if loaded.screenshots.is_empty() {
        html.push_str("<p class=\"muted\">None attached (<code>carpass certify attach SESSION --step N FILE</code>).</p>");
    } else {
        html.push_str("<div class=\"shots\">");
        for shot in &loaded.screenshots {
            html.push_str(&shot_figure(&path, shot));
        }
        html.push_str("</div>");
    }

    html.push_str(&verdict_forms(me, loaded, &path));

    html.push_str(&format!(
        "<h2>Evaluate again</h2><form method=\"post\" action=\"{path}/evaluate\">{csrf}\
<p class=\"muted\">Judges the recording as it is now, with the staff verdicts, and keeps the result as a new evaluation; \
earlier evaluations stay as they were.</p><button type=\"submit\">Evaluate again</button></form>",
        csrf = me.csrf_field()
    ));

    let suggested = today
        .with_year(today.year() + 1)
        .or_else(|| today.checked_add_days(chrono::Days::new(365)))
        .map(|d| d.to_string())
        .unwrap_or_default();
    html.push_str(&format!(
        "<h2>Approve</h2><form class=\"card\" method=\"post\" action=\"{path}/approve\">{csrf}\
<p class=\"muted\">Lists {name} {version} by {builder} as an approved DMS until the date below. Needs a certifiable latest \
evaluation and a passing staff verdict on every criterion that awaits one.</p>\
<label for=\"valid_until\">Valid until</label><input type=\"date\" id=\"valid_until\" name=\"valid_until\" value=\"{suggested}\" required>\
<label for=\"approve-note\">Note <span class=\"hint\">(optional)</span></label><textarea id=\"approve-note\" name=\"note\"></textarea>\
<div class=\"actions\"><button type=\"submit\" class=\"pass\">Approve this DMS</button></div></form>",
        csrf = me.csrf_field(),
        name = e(&session.software.name),
        version = e(&session.software.version),
        builder = e(&session.software.builder),
    ));
    html
}

fn shot_figure(path: &str, shot: &AttachmentRow) -> String {
    format!(
        "<figure><a href=\"{path}/screenshots/{id}\"><img src=\"{path}/screenshots/{id}\" alt=\"screenshot of step {step}\"></a>\
<figcaption>Step {step}: {file}<br>{at} by {by}<br><code title=\"SHA-256\">{sha}…</code></figcaption></figure>",
        id = shot.id,
        step = shot.step,
        file = e(&shot.file_name),
        at = shot.attached_at.format("%Y-%m-%d %H:%M"),
        by = e(&shot.attached_by),
        sha = e(shot.sha256.get(..16).unwrap_or(&shot.sha256)),
    )
}

/// A form per criterion that awaits staff review (or has a verdict that may be changed).
fn verdict_forms(me: &Staff, loaded: &Loaded, path: &str) -> String {
    let Some(report) = &loaded.latest else {
        return String::new();
    };
    let open: Vec<_> = report
        .criteria
        .iter()
        .filter(|c| {
            c.verdict == Verdict::AwaitingStaffReview || loaded.verdicts.contains_key(&c.criterion)
        })
        .collect();
    if open.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<h2>Staff verdicts</h2><p class=\"muted\">What only the DMS's screen can show is judged from the screenshots of its step. \
A verdict counts for the approval at once; evaluate again to see it in the report.</p>",
    );
    for c in open {
        let criterion = c.criterion.id();
        let recorded = loaded
            .verdicts
            .get(&c.criterion)
            .map(|v| {
                format!(
                    "<p>Recorded: <span class=\"{}\">{}</span> by {} on {}: {}</p>",
                    if v.passed { "ok" } else { "bad" },
                    if v.passed { "passed" } else { "failed" },
                    e(&v.decided_by),
                    v.decided_at.format("%Y-%m-%d %H:%M"),
                    e(&v.note)
                )
            })
            .unwrap_or_else(|| "<p class=\"wait\">Awaiting your verdict.</p>".into());
        let shots: String = loaded
            .screenshots
            .iter()
            .filter(|s| c.step.is_some_and(|step| s.step as u32 == step))
            .map(|s| shot_figure(path, s))
            .collect();
        html.push_str(&format!(
            "<form class=\"card\" method=\"post\" action=\"{path}/verdict\" id=\"verdict-{criterion}\">{csrf}\
<input type=\"hidden\" name=\"criterion\" value=\"{criterion}\"><h3>{criterion} {title}</h3>\
<p class=\"muted small\">{step}{reason}</p>{shots}{recorded}\
<label for=\"note-{criterion}\">Note <span class=\"hint\">(required: what the screenshot shows)</span></label>\
<textarea id=\"note-{criterion}\" name=\"note\" required></textarea>\
<div class=\"actions\"><button type=\"submit\" name=\"passed\" value=\"true\" class=\"pass\">{criterion} passed</button>\
<button type=\"submit\" name=\"passed\" value=\"false\" class=\"danger\">{criterion} failed</button></div></form>",
            csrf = me.csrf_field(),
            title = e(&c.title),
            step = c.step.map(|s| format!("Step {s}. ")).unwrap_or_default(),
            reason = e(&c.reason),
            shots = if shots.is_empty() { shots } else { format!("<div class=\"shots\">{shots}</div>") },
        ));
    }
    html
}

pub async fn report(
    me: Staff,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let id = id.into_inner();
    let lookup = id.clone();
    let loaded = cert
        .0
        .run(move |conn| -> Result<_, CertificationError> {
            let session = sessions::find(conn, &lookup)?;
            let screenshots = evaluations::attachments(conn, &session.id)?;
            Ok(evaluations::latest(conn, &session.id)?.map(|r| (r, screenshots)))
        })
        .await;
    match loaded {
        Ok(Some((report, screenshots))) => respond(
            StatusCode::OK,
            report::html::render(&report, &screenshots),
        ),
        Ok(None) => respond(
            StatusCode::NOT_FOUND,
            page(
                &me,
                Nav::Certification,
                "No report yet",
                None,
                &format!(
                    "<p>Session <code>{}</code> has not been evaluated yet. <a href=\"{}\">Back to the session</a></p>",
                    e(&id),
                    e(&session_path(&id))
                ),
            ),
        ),
        Err(CertificationError::UnknownSession(_)) => {
            respond(StatusCode::NOT_FOUND, page(&me, Nav::Certification, "No such session", None, "<p><a href=\"/staff/certification\">All sessions</a></p>"))
        }
        Err(error) => Failure::from(error).response(),
    }
}

pub async fn screenshot(
    _me: Staff,
    path: web::Path<(String, i64)>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let (id, attachment) = path.into_inner();
    let found = cert
        .0
        .run(move |conn| -> Result<_, ServiceError> {
            let all = store::attachments(conn, &id)?;
            Ok(all.into_iter().find(|a| a.id == attachment))
        })
        .await;
    match found {
        // Only PNG and JPEG are ever attached (`sessions::attach` checks the bytes).
        Ok(Some(shot)) => HttpResponse::Ok()
            .content_type(shot.content_type)
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(shot.content),
        Ok(None) => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such screenshot in this session\n"),
        Err(error) => Failure::from(error).response(),
    }
}

#[derive(Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
}

impl Protected for VerdictForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Shows the session page again with why the action was refused; our own failure is a 503.
async fn refused(
    me: &Staff,
    state: &AppState,
    cert: &Certification,
    id: String,
    error: StaffError,
) -> HttpResponse {
    match Failure::from(error) {
        Failure::Refused(status, message) => {
            let notice = Notice::Error(format!("{message} Nothing was changed."));
            session_page(me, state, cert, id, status, Some(&notice)).await
        }
        Failure::Ours => unavailable(),
    }
}

pub async fn verdict(
    action: Action<VerdictForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let id = id.into_inner();
    let passed = match form.passed.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return refused(
                &me,
                &state,
                &cert,
                id,
                StaffError::Invalid("Choose passed or failed.".into()),
            )
            .await
        }
    };
    if filled(&form.note).is_none() {
        let message = format!(
            "{}: write a note saying what the screenshot shows.",
            form.criterion.trim()
        );
        return refused(&me, &state, &cert, id, StaffError::Invalid(message)).await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| {
            approvals::verdict(
                conn,
                &session,
                form.criterion.trim(),
                passed,
                &form.note,
                &by,
                now,
            )
        })
        .await;
    match outcome {
        Ok(criterion) => layout::done(
            &session_path(&id),
            "verdict",
            &format!("{criterion} ({})", if passed { "passed" } else { "failed" }),
        ),
        Err(error) => refused(&me, &state, &cert, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct EvaluateForm {
    #[serde(default)]
    csrf: String,
}

impl Protected for EvaluateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn evaluate(
    action: Action<EvaluateForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let me = action.me;
    let id = id.into_inner();
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| evaluations::evaluate(conn, &session, &by, now).map_err(StaffError::from))
        .await;
    match outcome {
        Ok(report) => layout::done(
            &session_path(&id),
            "evaluated",
            if report.certifiable {
                "certifiable"
            } else {
                "not certifiable"
            },
        ),
        Err(error) => refused(&me, &state, &cert, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    note: String,
}

impl Protected for ApproveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn approve(
    action: Action<ApproveForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let id = id.into_inner();
    let raw = form.valid_until.trim();
    let Ok(valid_until) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") else {
        let message = format!("Valid until: '{raw}' is not a date (YYYY-MM-DD).");
        return refused(&me, &state, &cert, id, StaffError::Invalid(message)).await;
    };
    let now = state.clock.now();
    let today = brussels_date(now);
    if valid_until <= today {
        let message = format!("Valid until {valid_until} is not after today ({today}).");
        return refused(&me, &state, &cert, id, StaffError::Invalid(message)).await;
    }
    let by = me.username.clone();
    let session = id.clone();
    let production = state.pool.clone();
    let certification = cert.0.pool.clone();
    // Reads the certification database and writes production: a connection to each at once.
    let outcome = web::block(move || -> Result<_, StaffError> {
        let mut production = production.get().map_err(ServiceError::Pool)?;
        let mut certification = certification.get().map_err(ServiceError::Pool)?;
        approvals::approve(
            &mut production,
            &mut certification,
            &session,
            valid_until,
            &form.note,
            &by,
            now,
        )
    })
    .await
    .unwrap_or_else(|e| {
        Err(ServiceError::Unavailable(format!("blocking task failed: {e}")).into())
    });
    match outcome {
        Ok(row) => layout::done(
            &session_path(&id),
            "approved",
            &format!(
                "{} {} until {} (approval {})",
                row.dms_name, row.dms_version, row.valid_until, row.id
            ),
        ),
        Err(error) => refused(&me, &state, &cert, id, error).await,
    }
}
