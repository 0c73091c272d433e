//! The review queue and paper correction forms (SPEC 2.7, 6): staff decide what the one
//! electronic answer could not settle. Every action records who, when and why.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::json;

use super::{Refusal, StaffError};
use crate::db::audit::{self, NewStaffAction};
use crate::db::readings::ReadingRow;
use crate::db::{companies, issues, readings, DbConnection};
use crate::domain::format::Formatter;
use crate::domain::issue::{IssueCode, IssueDetail, Severity};
use crate::domain::issue_number::IssueNumber;
use crate::domain::issue_state::IssueState;
use crate::domain::language::Language;
use crate::domain::reading::ReadingInput;
use crate::domain::status::ReadingStatus;
use crate::domain::trusted_provider::DISCREPANCIES;
use crate::domain::vin::Vin;
use crate::service::corrections::{evaluate_again, keep_version, record_new, status_after};
use crate::service::inflow::{input_of, Raise};
use crate::service::ServiceError;

/// The states staff settle when they decide on a reading.
const UNSETTLED: [&str; 3] = ["Open", "Confirmed", "Escalated"];

/// One reading held for staff, with everything needed to decide on it.
pub fn queue(conn: &mut DbConnection) -> Result<Vec<serde_json::Value>, StaffError> {
    readings::in_status(conn, ReadingStatus::Reviewing)?
        .iter()
        .map(|reading| describe(conn, reading, Language::En))
        .collect()
}

/// One page of the queue, of one garage or all, oldest or newest first, with the issues'
/// messages in `lang`; and how many readings are held in all.
pub fn queue_page(
    conn: &mut DbConnection,
    lang: Language,
    company: Option<i64>,
    newest_first: bool,
    window: crate::db::clerk::Window,
) -> Result<(i64, Vec<serde_json::Value>), StaffError> {
    let (total, rows) = crate::db::clerk::in_status_page(
        conn,
        ReadingStatus::Reviewing.as_str(),
        company,
        newest_first,
        window,
    )?;
    let described = rows
        .iter()
        .map(|reading| describe(conn, reading, lang))
        .collect::<Result<_, _>>()?;
    Ok((total, described))
}

fn describe(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    lang: Language,
) -> Result<serde_json::Value, StaffError> {
    let issue_rows = issues::for_reading(conn, &reading.id)?;
    let ids: Vec<i64> = issue_rows.iter().map(|i| i.id).collect();
    let answers = audit::answers_for(conn, &ids)?;
    let issues_json: Vec<_> = issue_rows
        .iter()
        .map(|i| {
            let detail: Option<IssueDetail> = serde_json::from_str(&i.detail).ok();
            let answer = answers.iter().find(|a| a.issue_id == i.id);
            json!({
                "number": IssueNumber::from_sequence(i.id).map(|n| n.to_string()),
                "code": i.code,
                "severity": i.severity,
                "state": i.state,
                "correctable": i.correctable,
                "field": i.field,
                "message": detail.map(|d| d.message(lang)),
                "answer": answer.map(|a| json!({"kind": a.kind, "note": a.note, "at": a.answered_at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)})),
            })
        })
        .collect();
    let versions: Vec<_> = audit::versions_of(conn, &reading.id)?
        .into_iter()
        .map(|v| {
            json!({
                "changed_at": v.changed_at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
                "changed_by": v.changed_by,
                "channel": v.channel,
                "form_reference": v.form_reference,
                "previous": serde_json::from_str::<serde_json::Value>(&v.previous_values).unwrap_or_default(),
            })
        })
        .collect();
    let history: Vec<_> = readings::official_history(conn, &reading.vin)?
        .into_iter()
        .map(|h| json!({"work_date": h.work_date.to_string(), "odometer": h.odometer, "unit": h.unit.as_str(), "replaced": h.odometer_replaced}))
        .collect();
    let current = input_of(conn, reading)?;
    let company = companies::kbo_and_name(conn, reading.company_id)?
        .map(|(kbo, name)| json!({"kbo": super::companies::display_kbo(&kbo), "name": name}));
    Ok(json!({
        "reading_id": reading.id,
        "client_reference": reading.client_reference,
        "company_id": reading.company_id,
        "company": company,
        "received_at": reading.received_at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
        "status": reading.status,
        "current": current,
        "issues": issues_json,
        "versions": versions,
        "official_history_of_vin": history,
    }))
}

/// The queue as a clerk reads it.
pub fn render_text(queue: &[serde_json::Value]) -> String {
    use std::fmt::Write;
    let fmt = Formatter(Language::En);
    let odometer = |value: &serde_json::Value| {
        value
            .as_u64()
            .map_or_else(|| value.to_string(), |n| fmt.num(n))
    };
    let mut out = String::new();
    if queue.is_empty() {
        out.push_str("no readings in review\n");
    }
    for item in queue {
        let current = &item["current"];
        let _ = writeln!(
            out,
            "reading {} (client reference {}) from {} ({}), received {}\n  now:  VIN {} on {}: {} {}",
            item["reading_id"].as_str().unwrap_or(""),
            item["client_reference"].as_str().unwrap_or(""),
            item["company"]["name"].as_str().unwrap_or("an unknown company"),
            item["company"]["kbo"].as_str().unwrap_or(""),
            item["received_at"].as_str().unwrap_or(""),
            current["vin"].as_str().unwrap_or(""),
            current["work_date"].as_str().unwrap_or(""),
            odometer(&current["odometer"]),
            current["unit"].as_str().unwrap_or(""),
        );
        for version in item["versions"].as_array().into_iter().flatten() {
            let previous = &version["previous"];
            let _ = writeln!(
                out,
                "  was:  VIN {} on {}: {} {} (changed {} by {} via {}{})",
                previous["vin"].as_str().unwrap_or(""),
                previous["work_date"].as_str().unwrap_or(""),
                odometer(&previous["odometer"]),
                previous["unit"].as_str().unwrap_or(""),
                version["changed_at"].as_str().unwrap_or(""),
                version["changed_by"].as_str().unwrap_or(""),
                version["channel"].as_str().unwrap_or(""),
                version["form_reference"]
                    .as_str()
                    .map(|f| format!(", form {f}"))
                    .unwrap_or_default(),
            );
        }
        for issue in item["issues"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  issue {} {} [{}]: {}",
                issue["number"].as_str().unwrap_or(""),
                issue["code"].as_str().unwrap_or(""),
                issue["state"].as_str().unwrap_or(""),
                issue["message"].as_str().unwrap_or(""),
            );
            if let Some(note) = issue["answer"]["note"].as_str() {
                let _ = writeln!(out, "    the garage says: {note}");
            }
        }
        let history: Vec<String> = item["official_history_of_vin"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                format!(
                    "{} {} {}",
                    h["work_date"].as_str().unwrap_or(""),
                    odometer(&h["odometer"]),
                    h["unit"].as_str().unwrap_or("")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  history of the VIN: {}",
            if history.is_empty() {
                "none".into()
            } else {
                history.join(", ")
            }
        );
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

/// Accepts or rejects a reading held for staff (or still pending correction). Accepted
/// anomalies stay on the reading as issues: the history shows them (issue 3, point 7).
pub fn decide(
    conn: &mut DbConnection,
    staff: &str,
    reading_id: &str,
    decision: Decision,
    note: &str,
    now: DateTime<Utc>,
) -> Result<ReadingStatus, StaffError> {
    require_note(note)?;
    crate::db::writing(conn, |conn| {
        let reading = decidable(conn, reading_id)?;
        readings::lock_vin(conn, &reading.vin, now.naive_utc())?;
        let at = now.naive_utc();
        issues::move_states(
            conn,
            &reading.id,
            &UNSETTLED,
            IssueState::ResolvedByStaff.as_str(),
        )?;
        let status = match decision {
            Decision::Reject => ReadingStatus::Rejected,
            Decision::Accept => {
                let warned = issues::for_reading(conn, &reading.id)?
                    .iter()
                    .any(|i| i.severity == Severity::Warning.as_str());
                if warned {
                    ReadingStatus::AcceptedWithWarnings
                } else {
                    ReadingStatus::Accepted
                }
            }
        };
        readings::set_status(conn, &reading.id, status, at)?;
        if decision == Decision::Accept {
            let why = format!("reading {} was accepted", reading.id);
            settle_followers(conn, staff, &reading.vin, &why, now)?;
        }
        audit::add_staff_action(
            conn,
            &NewStaffAction {
                reading_id: &reading.id,
                staff_username: staff,
                action: match decision {
                    Decision::Accept => "Accept",
                    Decision::Reject => "Reject",
                },
                note,
                form_reference: None,
                acted_at: at,
            },
        )?;
        Ok(status)
    })
}

/// After staff change a VIN's history (accept a reading, correct one from a paper form), the
/// VIN's readings that wait only because of an odometer anomaly and were not answered yet are
/// checked again against the history as it now stands: an honest reading sent after a drop,
/// while the drop waited for staff, was flagged against the values from before it (issue 17),
/// and one flagged against a value that a paper form corrected was flagged against a typo.
/// One that passes now joins the history, its anomaly resolved by that staff action;
/// GetReadingStatus then shows what the history says. One that still breaks it keeps its open
/// issue, and its garage answers it as before. `why` says what changed, for the audit trail.
fn settle_followers(
    conn: &mut DbConnection,
    staff: &str,
    vin: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), StaffError> {
    let at = now.naive_utc();
    for follower in readings::pending_correction(conn, vin)? {
        let issues = issues::for_reading(conn, &follower.id)?;
        let unsettled = issues
            .iter()
            .filter(|i| UNSETTLED.contains(&i.state.as_str()))
            .collect::<Vec<_>>();
        let only_open_anomalies = unsettled.iter().all(|i| {
            i.state == IssueState::Open.as_str()
                && IssueCode::parse(&i.code).is_some_and(|c| DISCREPANCIES.contains(&c))
        });
        if unsettled.is_empty() || !only_open_anomalies {
            continue;
        }
        let values = input_of(conn, &follower)?;
        let findings = evaluate_again(conn, &follower, &values, now)?;
        if findings
            .iter()
            .any(|f| f.code().severity() == Severity::Error)
        {
            continue;
        }
        issues::move_states(
            conn,
            &follower.id,
            &[IssueState::Open.as_str()],
            IssueState::ResolvedByStaff.as_str(),
        )?;
        record_new(conn, &follower, &findings, None, at)?;
        let status = status_after(conn, &follower, &findings, &values)?;
        readings::set_status(conn, &follower.id, status, at)?;
        let note = format!("checked again once {why}: it no longer contradicts the history");
        audit::add_staff_action(
            conn,
            &NewStaffAction {
                reading_id: &follower.id,
                staff_username: staff,
                action: "Accept",
                note: &note,
                form_reference: None,
                acted_at: at,
            },
        )?;
    }
    Ok(())
}

/// What a signed paper correction form changes.
#[derive(Debug, Clone, Default)]
pub struct PaperForm {
    pub reference: String,
    pub odometer: Option<u64>,
    pub work_date: Option<NaiveDate>,
    pub vin: Option<String>,
    pub note: Option<String>,
}

/// Applies a paper correction form: the same audit trail as CorrectIssue, then the reading is
/// checked again. What is still wrong waits for an accept or reject.
pub fn apply_paper_form(
    conn: &mut DbConnection,
    staff: &str,
    reading_id: &str,
    form: &PaperForm,
    now: DateTime<Utc>,
) -> Result<ReadingStatus, StaffError> {
    if form.reference.trim().is_empty() {
        return Err(StaffError::usage("--form-ref must name the signed form"));
    }
    if form.odometer.is_none() && form.work_date.is_none() && form.vin.is_none() {
        return Err(StaffError::usage(
            "give at least one of --odometer, --work-date, --vin",
        ));
    }
    if let Some(vin) = &form.vin {
        Vin::parse(vin).map_err(|e| StaffError::usage(format!("--vin: {e}")))?;
    }
    crate::db::writing(conn, |conn| {
        let reading = readings::find(conn, reading_id)?.ok_or_else(|| {
            StaffError::NotFound(Refusal::NoReading {
                id: reading_id.to_owned(),
            })
        })?;
        let previous = input_of(conn, &reading)?;
        let corrected = ReadingInput {
            vin: form.vin.clone().unwrap_or_else(|| previous.vin.clone()),
            work_date: form.work_date.unwrap_or(previous.work_date),
            odometer: form.odometer.unwrap_or(previous.odometer),
            ..previous.clone()
        };
        let mut vins = vec![previous.vin.as_str(), corrected.vin.as_str()];
        vins.sort_unstable();
        vins.dedup();
        for vin in vins {
            readings::lock_vin(conn, vin, now.naive_utc())?;
        }
        let at = now.naive_utc();
        keep_version(
            conn,
            &reading,
            &previous,
            staff,
            "PaperForm",
            None,
            Some(&form.reference),
            at,
        )?;
        readings::update_values(conn, &reading.id, &corrected, at)?;
        issues::move_states(
            conn,
            &reading.id,
            &UNSETTLED,
            IssueState::ResolvedByStaff.as_str(),
        )?;
        let findings = evaluate_again(conn, &reading, &corrected, now)?;
        let held = Raise {
            on_receipt: false,
            correctable: false,
            state: IssueState::Escalated,
        };
        record_new(conn, &reading, &findings, Some(held), at)?;
        let status = status_after(conn, &reading, &findings, &corrected)?;
        readings::set_status(conn, &reading.id, status, at)?;
        let why = format!(
            "reading {} was corrected from paper form {}",
            reading.id, form.reference
        );
        let mut vins = vec![previous.vin.as_str(), corrected.vin.as_str()];
        vins.sort_unstable();
        vins.dedup();
        for vin in vins {
            settle_followers(conn, staff, vin, &why, now)?;
        }
        let note = form
            .note
            .clone()
            .unwrap_or_else(|| format!("paper correction form {}", form.reference));
        audit::add_staff_action(
            conn,
            &NewStaffAction {
                reading_id: &reading.id,
                staff_username: staff,
                action: "PaperCorrection",
                note: &note,
                form_reference: Some(&form.reference),
                acted_at: at,
            },
        )?;
        Ok(status)
    })
}

fn require_note(note: &str) -> Result<(), StaffError> {
    if note.trim().is_empty() {
        return Err(StaffError::Invalid(Refusal::NoteMissing));
    }
    Ok(())
}

fn decidable(conn: &mut DbConnection, reading_id: &str) -> Result<ReadingRow, StaffError> {
    let reading = readings::find(conn, reading_id)?.ok_or_else(|| {
        StaffError::NotFound(Refusal::NoReading {
            id: reading_id.to_owned(),
        })
    })?;
    let status = ReadingStatus::parse(&reading.status).ok_or_else(|| {
        StaffError::Service(ServiceError::Corrupt(format!(
            "reading {reading_id}: status"
        )))
    })?;
    if !matches!(
        status,
        ReadingStatus::Reviewing | ReadingStatus::PendingCorrection
    ) {
        return Err(StaffError::Conflict(Refusal::NotDecidable {
            reading: reading_id.to_owned(),
            status: status.as_str().to_owned(),
        }));
    }
    Ok(reading)
}
