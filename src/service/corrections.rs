//! CorrectIssue and ConfirmReading (SPEC 2.7): each issue gets one electronic answer. A second
//! answer, or a correction that is still wrong, needs the signed paper form (CORRECTION_LIMIT).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::audit::{self, NewVersion};
use crate::db::issues::IssueRow;
use crate::db::readings::ReadingRow;
use crate::db::{issues, readings, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::issue::{IssueCode, IssueDetail, Severity};
use crate::domain::issue_number::IssueNumber;
use crate::domain::issue_state::IssueState;
use crate::domain::reading::ReadingInput;
use crate::domain::rules::{self, Dates, Finding};
use crate::domain::status::ReadingStatus;

use super::inflow::{context, input_of, record_issue, Raise};
use super::receipts::{self, Receipt};
use super::{Caller, ServiceError};

pub enum Answer {
    /// The reading as it should have been sent.
    Correction(ReadingInput),
    /// The data sent was right; an optional note for staff.
    Confirmation(Option<String>),
}

impl Answer {
    fn kind(&self) -> &'static str {
        match self {
            Answer::Correction(_) => "Correction",
            Answer::Confirmation(_) => "Confirmation",
        }
    }
}

/// Why an answer was not taken; nothing is stored then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerRefused {
    /// No such issue among the caller's company's readings: another company's issue gets the
    /// same answer as a number that does not exist.
    NotFound,
    /// Warnings and remarks need no answer.
    NotAnError(IssueCode),
}

pub fn answer(
    conn: &mut DbConnection,
    caller: &Caller,
    number: IssueNumber,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<Result<Receipt, AnswerRefused>, ServiceError> {
    crate::db::writing(conn, |conn| {
        let Some((issue, reading)) = owned_issue(conn, caller, number)? else {
            return Ok(Err(AnswerRefused::NotFound));
        };
        let mut vins = vec![reading.vin.as_str()];
        if let Answer::Correction(corrected) = answer {
            vins.push(corrected.vin.as_str());
        }
        vins.sort_unstable();
        vins.dedup();
        for vin in vins {
            readings::lock_vin(conn, vin, now.naive_utc())?;
        }
        // Read again under the lock: a concurrent answer may have just been taken.
        let (issue, reading) = match owned_issue(conn, caller, number)? {
            Some(found) => found,
            None => (issue, reading),
        };
        let code = IssueCode::parse(&issue.code)
            .ok_or_else(|| ServiceError::Corrupt(format!("issue {}: code", issue.id)))?;
        if code.severity() != Severity::Error {
            return Ok(Err(AnswerRefused::NotAnError(code)));
        }
        let at = now.naive_utc();
        let note = match answer {
            Answer::Confirmation(note) => note.as_deref(),
            Answer::Correction(_) => None,
        };
        let first = issue.state == IssueState::Open.as_str()
            && audit::answer_once(conn, issue.id, answer.kind(), caller.account.id, note, at)?;
        if !first {
            correction_limit(conn, &reading, number, at)?;
        } else {
            match answer {
                Answer::Correction(corrected) => {
                    correct(conn, caller, &reading, &issue, number, corrected, now)?
                }
                Answer::Confirmation(_) => {
                    issues::set_state(conn, issue.id, IssueState::Confirmed.as_str())?;
                    readings::set_status(conn, &reading.id, ReadingStatus::Reviewing, at)?;
                }
            }
        }
        let reading = readings::find(conn, &reading.id)?
            .ok_or_else(|| ServiceError::Corrupt(format!("reading {} vanished", reading.id)))?;
        Ok(Ok(receipts::current(conn, &reading, caller.language)?))
    })
}

/// The issue and its reading, when the reading belongs to the caller's company.
fn owned_issue(
    conn: &mut DbConnection,
    caller: &Caller,
    number: IssueNumber,
) -> Result<Option<(IssueRow, ReadingRow)>, ServiceError> {
    let Some(issue) = issues::find(conn, number.sequence())? else {
        return Ok(None);
    };
    let reading = readings::find(conn, &issue.reading_id)?
        .filter(|r| r.company_id == caller.account.company_id);
    Ok(reading.map(|r| (issue, r)))
}

fn correct(
    conn: &mut DbConnection,
    caller: &Caller,
    reading: &ReadingRow,
    issue: &IssueRow,
    number: IssueNumber,
    corrected: &ReadingInput,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let at = now.naive_utc();
    let previous = input_of(conn, reading)?;
    keep_version(
        conn,
        reading,
        &previous,
        &caller.account.username,
        "CorrectIssue",
        Some(issue.id),
        None,
        at,
    )?;
    readings::update_values(conn, &reading.id, corrected, at)?;
    let findings = evaluate_again(conn, reading, corrected, now)?;
    let still_wrong = findings
        .iter()
        .any(|f| f.code().severity() == Severity::Error);
    if still_wrong {
        // SPEC 2.7: the one electronic chance is spent; the paper form takes over.
        issues::move_states(
            conn,
            &reading.id,
            &[IssueState::Open.as_str()],
            IssueState::Escalated.as_str(),
        )?;
        record_new(
            conn,
            reading,
            &findings,
            Some(Raise {
                on_receipt: false,
                correctable: false,
                state: IssueState::Escalated,
            }),
            at,
        )?;
        correction_limit(conn, reading, number, at)?;
        readings::set_status(conn, &reading.id, ReadingStatus::Reviewing, at)?;
    } else {
        issues::move_states(
            conn,
            &reading.id,
            &[IssueState::Open.as_str()],
            IssueState::Corrected.as_str(),
        )?;
        record_new(conn, reading, &findings, None, at)?;
        let status = status_after(conn, reading, &findings, corrected)?;
        readings::set_status(conn, &reading.id, status, at)?;
    }
    Ok(())
}

/// The status a reading gets from its issues: anything awaiting staff keeps it in review.
pub fn status_after(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    findings: &[Finding],
    values: &ReadingInput,
) -> Result<ReadingStatus, ServiceError> {
    let awaiting_staff = issues::for_reading(conn, &reading.id)?
        .iter()
        .any(|i| IssueState::parse(&i.state).is_some_and(IssueState::awaits_staff));
    if awaiting_staff {
        return Ok(ReadingStatus::Reviewing);
    }
    let (vehicle, _) = context(conn, &values.vin)?;
    let registered_or_invalid =
        vehicle.is_some() || crate::domain::vin::Vin::parse(&values.vin).is_err();
    Ok(rules::status_for(findings, !registered_or_invalid))
}

/// The corrected values against the history as it stands now; lateness still counts from the
/// day the reading was first received.
pub fn evaluate_again(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    values: &ReadingInput,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, ServiceError> {
    let (vehicle, history) = context(conn, &values.vin)?;
    let dates = Dates {
        today: brussels_date(now),
        received_on: brussels_date(reading.received_at.and_utc()),
    };
    Ok(rules::evaluate(values, vehicle.as_ref(), &history, dates).findings)
}

/// Stores the findings the reading does not carry yet (same code, field and state).
/// `errors_as`: how Error findings are raised; None raises them as the catalog says.
pub fn record_new(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    findings: &[Finding],
    errors_as: Option<Raise>,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let known: HashSet<(String, Option<String>, String)> = issues::for_reading(conn, &reading.id)?
        .into_iter()
        .map(|i| (i.code, i.field, i.state))
        .collect();
    for finding in findings {
        let code = finding.code();
        let catalogued = Raise::as_catalogued(code, false);
        let raise = match errors_as {
            Some(raise) if code.severity() == Severity::Error => raise,
            _ => catalogued,
        };
        // A failed correction's errors are new issues even where the old ones had the same code.
        let fresh_error = errors_as.is_some() && code.severity() == Severity::Error;
        let key = (
            code.as_str().to_owned(),
            finding.field.clone(),
            raise.state.as_str().to_owned(),
        );
        if fresh_error || !known.contains(&key) {
            record_issue(conn, &reading.id, finding, raise, at)?;
        }
    }
    Ok(())
}

/// CORRECTION_LIMIT on the reading, once per answered issue.
fn correction_limit(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    number: IssueNumber,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let detail = IssueDetail::CorrectionLimit {
        issue_number: number.to_string(),
    };
    let already = issues::for_reading(conn, &reading.id)?
        .iter()
        .any(|i| serde_json::from_str::<IssueDetail>(&i.detail).is_ok_and(|d| d == detail));
    if !already {
        let finding = Finding {
            detail,
            field: Some("IssueNumber".into()),
        };
        let raise = Raise {
            on_receipt: false,
            correctable: false,
            state: IssueState::Escalated,
        };
        record_issue(conn, &reading.id, &finding, raise, at)?;
    }
    Ok(())
}

/// The audit trail: the values before a change, who made it, how and when.
#[allow(clippy::too_many_arguments)]
pub fn keep_version(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    previous: &ReadingInput,
    changed_by: &str,
    channel: &str,
    issue_id: Option<i64>,
    form_reference: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let values =
        serde_json::to_string(previous).map_err(|e| ServiceError::Corrupt(e.to_string()))?;
    audit::add_version(
        conn,
        &NewVersion {
            reading_id: &reading.id,
            previous_values: &values,
            changed_by,
            channel,
            issue_id,
            form_reference,
            changed_at: at,
        },
    )?;
    Ok(())
}
