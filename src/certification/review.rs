//! A session's review (issue 18): the vendor marks it ready for review once evaluated; staff
//! comment on it and may override a criterion with a reason, which every following evaluation
//! applies and every report shows. Records that never change, oldest first.

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::Serialize;

use super::evaluations::{self, Report};
use super::{sessions, CertificationError};
use crate::db::review_notes::{self as store, NewNote, NoteRow};
use crate::db::DbConnection;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::Verdict;
use crate::domain::certification::review::Override;

/// A comment or reason longer than this is refused: a review note, not a document.
pub const NOTE_MAX_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoteKind {
    /// The vendor says the session is ready for staff to review.
    Ready,
    Comment,
    Override {
        criterion: Criterion,
        passed: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    #[serde(flatten)]
    pub kind: NoteKind,
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

impl Note {
    fn from_row(row: NoteRow) -> Option<Note> {
        let kind = match (row.kind.as_str(), row.criterion.as_deref(), row.passed) {
            ("ready", _, _) => NoteKind::Ready,
            ("comment", _, _) => NoteKind::Comment,
            ("override", Some(c), Some(passed)) => NoteKind::Override {
                criterion: Criterion::parse(c)?,
                passed,
            },
            _ => return None,
        };
        Some(Note {
            kind,
            text: row.body,
            at: row.written_at.and_utc(),
            by: row.written_by,
        })
    }
}

/// The session's review notes, oldest first.
pub fn notes(conn: &mut DbConnection, session_id: &str) -> Result<Vec<Note>, CertificationError> {
    Ok(store::of_session(conn, session_id)?
        .into_iter()
        .filter_map(Note::from_row)
        .collect())
}

/// The staff's overrides among the notes, oldest first.
pub fn overrides(notes: &[Note]) -> Vec<Override> {
    notes
        .iter()
        .filter_map(|n| match n.kind {
            NoteKind::Override { criterion, passed } => Some(Override {
                criterion,
                passed,
                reason: n.text.clone(),
                by: n.by.clone(),
                at: n.at,
            }),
            _ => None,
        })
        .collect()
}

/// When the vendor last marked the session ready for review.
pub fn ready_since(notes: &[Note]) -> Option<&Note> {
    notes.iter().rfind(|n| n.kind == NoteKind::Ready)
}

/// The sessions marked ready for review, with when they were last marked.
pub fn ready_sessions(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, DateTime<Utc>>, CertificationError> {
    Ok(store::ready(conn)?
        .into_iter()
        .map(|(id, at)| (id, at.and_utc()))
        .collect())
}

fn text<'a>(what: &str, text: &'a str) -> Result<&'a str, CertificationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CertificationError::Invalid(format!(
            "the {what} is empty: write what staff should read"
        )));
    }
    let length = text.chars().count();
    if length > NOTE_MAX_CHARS {
        return Err(CertificationError::Invalid(format!(
            "the {what} has {length} characters; at most {NOTE_MAX_CHARS}"
        )));
    }
    Ok(text)
}

fn insert(
    conn: &mut DbConnection,
    session_id: &str,
    kind: &NoteKind,
    body: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), CertificationError> {
    let (kind, criterion, passed) = match kind {
        NoteKind::Ready => ("ready", None, None),
        NoteKind::Comment => ("comment", None, None),
        NoteKind::Override { criterion, passed } => {
            ("override", Some(criterion.id().to_owned()), Some(*passed))
        }
    };
    store::insert(
        conn,
        &NewNote {
            session_id: session_id.to_owned(),
            kind: kind.to_owned(),
            criterion,
            passed,
            body: body.to_owned(),
            written_at: now.naive_utc(),
            written_by: by.to_owned(),
        },
    )?;
    Ok(())
}

/// The vendor marks the session ready for review: once it has an evaluation, and again only
/// after a newer evaluation (a re-run evaluated since), so that staff know what to look at.
pub fn mark_ready(
    conn: &mut DbConnection,
    session_id: &str,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Note, CertificationError> {
    let session = sessions::find(conn, session_id)?;
    let latest = evaluations::latest(conn, &session.id)?.ok_or_else(|| {
        CertificationError::Invalid(format!(
            "session {0} has no evaluation yet: evaluate it (`carpass certify evaluate {0}`), then mark it ready for review",
            session.id
        ))
    })?;
    let notes = notes(conn, &session.id)?;
    if let Some(ready) = ready_since(&notes).filter(|r| r.at >= latest.evaluated_at) {
        return Err(CertificationError::Invalid(format!(
            "session {} was marked ready for review on {} by {}, after its latest evaluation; evaluate again after a change, then mark it again",
            session.id,
            ready.at.format("%Y-%m-%d %H:%M UTC"),
            ready.by
        )));
    }
    let body = match note.trim() {
        "" => format!("evaluation {} is ready for review", latest.evaluation_id),
        given => text("note", given)?.to_owned(),
    };
    insert(conn, &session.id, &NoteKind::Ready, &body, by, now)?;
    Ok(Note {
        kind: NoteKind::Ready,
        text: body,
        at: now,
        by: by.to_owned(),
    })
}

/// A staff comment on the session, which the vendor reads with the review.
pub fn comment(
    conn: &mut DbConnection,
    session_id: &str,
    comment: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), CertificationError> {
    let session = sessions::find(conn, session_id)?;
    let comment = text("comment", comment)?;
    insert(conn, &session.id, &NoteKind::Comment, comment, by, now)
}

/// Staff settle a criterion otherwise than the harness did, with a reason; the session is
/// evaluated again at once, so that the report in force shows the override. Returns that report.
pub fn override_criterion(
    conn: &mut DbConnection,
    session_id: &str,
    criterion: &str,
    passed: bool,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Report, CertificationError> {
    let reason = text("reason", reason)?;
    let criterion = Criterion::parse(criterion).ok_or_else(|| {
        CertificationError::Invalid(format!(
            "criterion '{}' is not one of C01 to C16",
            criterion.trim()
        ))
    })?;
    let session = sessions::find(conn, session_id)?;
    let latest = evaluations::latest(conn, &session.id)?.ok_or_else(|| {
        CertificationError::Invalid(format!(
            "session {0} has no evaluation yet: `carpass certify evaluate {0}` first",
            session.id
        ))
    })?;
    let current = latest
        .criteria
        .iter()
        .find(|r| r.criterion == criterion)
        .map_or(Verdict::NotExercised, |r| r.verdict);
    let wanted = if passed {
        Verdict::Passed
    } else {
        Verdict::Failed
    };
    if current == Verdict::AwaitingStaffReview {
        return Err(CertificationError::Invalid(format!(
            "{criterion} awaits a staff verdict on its screenshot: record the verdict (`carpass staff verdict {} --criterion {criterion}`), not an override",
            session.id
        )));
    }
    if current == wanted {
        return Err(CertificationError::AlreadySo {
            criterion,
            verdict: current,
        });
    }
    conn.transaction(|conn| {
        insert(
            conn,
            &session.id,
            &NoteKind::Override { criterion, passed },
            reason,
            by,
            now,
        )?;
        evaluations::evaluate(conn, &session.id, by, now)
    })
}
