//! Evaluating a session (SPEC 5.3): its recording read back as facts, judged against every
//! criterion, and kept as an immutable record; evaluating again adds a new one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::sessions::{self, Attempt, Session};
use super::{recording, CertificationError};
use crate::db::certification::{self as store, AttachmentRow, EvaluationRow, ExchangeRow};
use crate::db::DbConnection;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::{
    self, Check, CriterionResult, Recording, Software, StaffVerdict,
};
use crate::domain::certification::facts::{Exchange, ResponseFacts};
use crate::domain::certification::review::{self as overriding, Overridden};
use crate::domain::certification::scenario::{InjectedFault, Texts};
use crate::service::ServiceError;
use crate::soap::inspect::{self, RawRequest};

/// What a report shows: the evaluation with enough of the session to read it alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub evaluation_id: String,
    /// The harness that judged: a report read years later says which rules applied. Empty in
    /// reports made before it was kept.
    #[serde(default)]
    pub harness_version: String,
    /// The scenario set judged against (`scenarios::digest`).
    #[serde(default)]
    pub scenarios_sha256: String,
    pub evaluated_at: DateTime<Utc>,
    pub evaluated_by: String,
    pub session_id: String,
    pub dms: Software,
    pub session_started_at: DateTime<Utc>,
    pub certifiable: bool,
    pub criteria: Vec<CriterionResult>,
    pub checks: Vec<Check>,
    pub steps: Vec<StepInfo>,
    pub exchanges: Vec<ExchangeInfo>,
    pub screenshots: Vec<ScreenshotInfo>,
    /// The staff's overrides applied to this evaluation, with what the harness had found.
    #[serde(default)]
    pub overrides: Vec<Overridden>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepInfo {
    pub number: u32,
    pub scenario: String,
    pub title: Texts,
    pub instructions: Texts,
    pub criteria: Vec<String>,
    /// When its latest attempt was opened: the one judged.
    pub opened_at: Option<DateTime<Utc>>,
    /// Every attempt, the judged one last; one for a step played once.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeInfo {
    pub number: u32,
    pub received_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
    pub step: Option<u32>,
    pub operation: String,
    pub http_status: u16,
    /// "2 receipts", "fault SCHEMA_VIOLATION", ...
    pub outcome: String,
    pub injected: Option<InjectedFault>,
    /// The attempt of the step open when it arrived.
    #[serde(default)]
    pub attempt: Option<u32>,
    /// It belongs to an attempt of its step that was played again: shown, not judged.
    #[serde(default)]
    pub superseded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenshotInfo {
    pub step: u32,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub attached_at: DateTime<Utc>,
    pub attached_by: String,
    /// The name as uploaded, when `file_name` had to be made safe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
}

impl Report {
    pub fn failed_criteria(&self) -> Vec<Criterion> {
        self.criteria
            .iter()
            .filter(|c| c.verdict == evaluation::Verdict::Failed)
            .map(|c| c.criterion)
            .collect()
    }
}

/// The raw recording, for the evidence bundle.
pub struct Evidence {
    pub exchanges: Vec<ExchangeRow>,
    pub attachments: Vec<AttachmentRow>,
}

pub fn evidence(conn: &mut DbConnection, session_id: &str) -> Result<Evidence, CertificationError> {
    Ok(Evidence {
        exchanges: store::exchanges(conn, session_id)?,
        attachments: store::attachments(conn, session_id)?,
    })
}

/// Exchanges read for the bundle at a time: a few bodies in memory, however long the recording.
const EXCHANGE_PAGE: i64 = 16;

/// The session's exchanges in the order recorded, read a page at a time.
pub fn exchanges_paged<'c>(
    conn: &'c mut DbConnection,
    session_id: &'c str,
) -> impl Iterator<Item = Result<ExchangeRow, CertificationError>> + 'c {
    let mut page = std::collections::VecDeque::new();
    let mut after = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if page.is_empty() && !done {
            match store::exchanges_after(conn, session_id, after, EXCHANGE_PAGE) {
                Ok(rows) => {
                    done = rows.len() < EXCHANGE_PAGE as usize;
                    after = rows.last().map_or(after, |r| r.id);
                    page.extend(rows);
                }
                Err(e) => {
                    done = true;
                    return Some(Err(e.into()));
                }
            }
        }
        page.pop_front().map(Ok)
    })
}

pub fn attachments(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<Vec<AttachmentRow>, CertificationError> {
    Ok(store::attachments(conn, session_id)?)
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub fn headers_of(json: &str) -> Vec<(String, String)> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The recording as facts, in the order it was recorded.
pub fn facts(rows: &[ExchangeRow], usernames: &[String]) -> Vec<Exchange> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| fact(i as u32 + 1, row, usernames))
        .collect()
}

/// The exchange numbered `number` as facts.
fn fact(number: u32, row: &ExchangeRow, usernames: &[String]) -> Exchange {
    let headers = headers_of(&row.request_headers);
    let query = row.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let raw = RawRequest {
        content_type: header(&headers, "content-type").unwrap_or(""),
        authorization: header(&headers, "authorization"),
        query,
        body: &row.request_body,
    };
    Exchange {
        number,
        received_at: row.received_at.and_utc(),
        step: row.step.map(|s| s as u32),
        // A body not kept whole was read when it arrived.
        request: row
            .request_facts
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_else(|| inspect::request(&raw, usernames)),
        // Status 0: nothing went back on the wire (the held request of C12).
        response: if row.response_status == 0 {
            ResponseFacts::Unanswered
        } else {
            inspect::response(&row.response_body)
        },
        injected: row.injected.as_deref().and_then(InjectedFault::parse),
    }
}

/// What the report keeps of a row besides its facts.
struct RowInfo {
    answered_at: DateTime<Utc>,
    response_status: i32,
    step: Option<i32>,
    attempt: Option<i32>,
}

/// Judges the session's recording as it is now and stores the result.
pub fn evaluate(
    conn: &mut DbConnection,
    session_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Report, CertificationError> {
    let session = sessions::find(conn, session_id)?;
    let attempts = sessions::attempts(conn, &session.id)?;
    let opened = sessions::opened(conn, &session.id)?;
    let attachments = store::attachments(conn, &session.id)?;
    let usernames = recording::usernames(conn, &session)?;
    let verdicts = store::verdicts(conn, &session.id)?;
    let overrides = super::review::overrides(&super::review::notes(conn, &session.id)?);
    // Read a page at a time and kept as facts: the bodies are never all in memory.
    let mut all = Vec::new();
    let mut rows = Vec::new();
    for (i, row) in exchanges_paged(conn, &session.id).enumerate() {
        let row = row?;
        all.push(fact(i as u32 + 1, &row, &usernames));
        rows.push(RowInfo {
            answered_at: row.answered_at.and_utc(),
            response_status: row.response_status,
            step: row.step,
            attempt: row.attempt,
        });
    }
    // The latest attempt of each step is judged; an earlier one's exchanges and screenshots
    // stay in the report, marked, and keep their numbers.
    let latest: BTreeMap<u32, u32> = attempts.iter().map(|a| (a.number, a.attempt)).collect();
    let superseded: Vec<bool> = rows
        .iter()
        .map(|r| match (r.step, r.attempt) {
            (Some(step), Some(attempt)) => latest
                .get(&(step as u32))
                .is_some_and(|l| *l != attempt as u32),
            _ => false,
        })
        .collect();
    let exchanges: Vec<Exchange> = all
        .iter()
        .zip(&superseded)
        .filter(|(_, superseded)| !**superseded)
        .map(|(e, _)| e.clone())
        .collect();
    let screenshots: BTreeSet<u32> = attachments
        .iter()
        .filter(|a| {
            opened
                .get(&(a.step as u32))
                .is_none_or(|at| a.attached_at.and_utc() >= *at)
        })
        .map(|a| a.step as u32)
        .collect();
    let verdicts: Vec<StaffVerdict> = verdicts
        .into_iter()
        .filter_map(|v| {
            Some(StaffVerdict {
                criterion: Criterion::parse(&v.criterion)?,
                passed: v.passed,
                reason: format!(
                    "staff verdict by {} on {}: {} ({})",
                    v.decided_by,
                    v.decided_at.format("%Y-%m-%d"),
                    if v.passed { "passed" } else { "failed" },
                    v.note
                ),
            })
        })
        .collect();
    let evaluation = evaluation::evaluate(&Recording {
        sheet: &session.sheet,
        software: &session.software,
        opened: &opened,
        exchanges: &exchanges,
        screenshots: &screenshots,
    })
    .with_verdicts(&verdicts);
    let (evaluation, overrides) = overriding::overridden(evaluation, &overrides);
    let report = Report {
        // Time-ordered: two evaluations in the same instant still list (and "latest" finds
        // them) in the order they were made, since the list is ordered by time, then id.
        evaluation_id: uuid::Uuid::now_v7().to_string(),
        harness_version: harness_version(),
        scenarios_sha256: super::scenarios::digest(),
        evaluated_at: now,
        evaluated_by: by.to_owned(),
        session_id: session.id.clone(),
        dms: session.software.clone(),
        session_started_at: session.created_at,
        certifiable: evaluation.certifiable,
        criteria: evaluation.criteria,
        checks: evaluation.checks,
        steps: steps(&session, &attempts),
        exchanges: all
            .iter()
            .zip(&rows)
            .zip(&superseded)
            .map(|((e, row), superseded)| ExchangeInfo {
                number: e.number,
                received_at: e.received_at,
                answered_at: row.answered_at,
                step: e.step,
                operation: e.operation().to_owned(),
                http_status: row.response_status as u16,
                outcome: outcome(&e.response),
                injected: e.injected,
                attempt: row.attempt.map(|a| a as u32),
                superseded: *superseded,
            })
            .collect(),
        screenshots: attachments
            .iter()
            .map(|a| ScreenshotInfo {
                step: a.step as u32,
                file_name: a.file_name.clone(),
                content_type: a.content_type.clone(),
                sha256: a.sha256.clone(),
                attached_at: a.attached_at.and_utc(),
                attached_by: a.attached_by.clone(),
                original_name: a.original_name.clone(),
            })
            .collect(),
        overrides,
    };
    store::insert_evaluation(
        conn,
        &EvaluationRow {
            id: report.evaluation_id.clone(),
            session_id: session.id.clone(),
            created_at: now.naive_utc(),
            created_by: by.to_owned(),
            certifiable: report.certifiable,
            report: serde_json::to_string(&report).expect("a report serialises"),
        },
    )?;
    Ok(report)
}

pub fn harness_version() -> String {
    format!("carpass {}", env!("CARGO_PKG_VERSION"))
}

/// Every evaluation of the session, oldest first.
pub fn all(conn: &mut DbConnection, session_id: &str) -> Result<Vec<Report>, CertificationError> {
    store::evaluations(conn, session_id)?
        .into_iter()
        .map(|row| {
            serde_json::from_str(&row.report).map_err(|e| {
                ServiceError::Corrupt(format!("evaluation {} cannot be read: {e}", row.id)).into()
            })
        })
        .collect()
}

pub fn latest(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<Option<Report>, CertificationError> {
    Ok(all(conn, session_id)?.pop())
}

fn steps(session: &Session, attempts: &[Attempt]) -> Vec<StepInfo> {
    session
        .sheet
        .steps
        .iter()
        .map(|s| StepInfo {
            number: s.number,
            scenario: s.scenario.clone(),
            title: s.scenario_title.clone(),
            instructions: s.instructions.clone(),
            criteria: s.criteria.iter().map(|c| c.id().to_owned()).collect(),
            opened_at: attempts
                .iter()
                .rfind(|a| a.number == s.number)
                .map(|a| a.opened_at),
            attempts: attempts
                .iter()
                .filter(|a| a.number == s.number)
                .copied()
                .collect(),
        })
        .collect()
}

/// What the DMS got back, in a few words.
pub fn outcome(response: &ResponseFacts) -> String {
    match response {
        ResponseFacts::Receipts(receipts) => {
            let statuses: Vec<&str> = receipts.iter().map(|r| r.status.as_str()).collect();
            format!("receipt: {}", statuses.join(", "))
        }
        ResponseFacts::Fault { code, .. } => format!("fault {code}"),
        ResponseFacts::Unanswered => "no answer: the connection was closed".into(),
        ResponseFacts::Other => "answered".into(),
    }
}
