//! SubmitReadings and ValidateReading (SPEC 3.3): check each reading against the rules with the
//! VIN's official history, store it with its issues, answer with receipts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::issues::NewIssue;
use crate::db::readings::{ReadingRow, WorkRow};
use crate::db::{issues, readings, vehicles, DbConnection};
use crate::domain::activity::ActivityCode;
use crate::domain::calendar::brussels_date;
use crate::domain::issue::{IssueCode, Severity};
use crate::domain::issue_number::IssueNumber;
use crate::domain::issue_state::IssueState;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{CustomerType, ReadingInput, Submission, Work};
use crate::domain::rules::{self, Dates, Evaluation, Finding, HistoryEntry};
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;

use super::known_vins::KnownVins;
use super::recalls;
use super::receipts::{self, Receipt, ReceiptIssue};
use super::{Caller, ServiceError};

/// How an issue is raised: on the receipt or later, correctable or not, and its first state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raise {
    pub on_receipt: bool,
    pub correctable: bool,
    pub state: IssueState,
}

impl Raise {
    /// As the catalog says: an Error waits for its answer; warnings and info are only noted.
    pub fn as_catalogued(code: IssueCode, on_receipt: bool) -> Raise {
        Raise {
            on_receipt,
            correctable: code.correctable(),
            state: if code.severity() == Severity::Error {
                IssueState::Open
            } else {
                IssueState::Noted
            },
        }
    }
}

/// One SubmitReadings request on its way to the writer: who sent it, the readings whose
/// ClientReference the caller had not used when the request was read (`prepare`), and when it
/// arrived. A reading stored meanwhile under the same reference breaks the unique key: the
/// transaction is then run again, looking each reference up.
#[derive(Debug)]
pub struct Batch {
    pub caller: Caller,
    pub submissions: Vec<Submission>,
    pub received: DateTime<Utc>,
}

/// The receipts of readings sent again (SPEC 3.3: a resubmission gets the original), by their
/// position in the request.
#[derive(Debug, Default)]
pub struct Resent(Vec<(usize, Receipt)>);

impl Resent {
    /// The receipts of the whole request in its order, given those of the readings stored
    /// (`Batch::submissions`, in order).
    pub fn merge(self, stored: Vec<Receipt>) -> Vec<Receipt> {
        let total = self.0.len() + stored.len();
        let mut resent = self.0.into_iter().peekable();
        let mut stored = stored.into_iter();
        (0..total)
            .filter_map(|at| match resent.next_if(|(position, _)| *position == at) {
                Some((_, receipt)) => Some(receipt),
                None => stored.next(),
            })
            .collect()
    }
}

/// Answers the readings sent again, on any connection (a reader will do), so that the
/// group-commit writer, through which every new reading passes, does not look them up: the
/// new readings, and the others' receipts.
pub fn prepare(
    conn: &mut DbConnection,
    caller: &Caller,
    submissions: Vec<Submission>,
) -> Result<(Vec<Submission>, Resent), ServiceError> {
    let references: Vec<&str> = submissions
        .iter()
        .map(|s| s.client_reference.as_str())
        .collect();
    let stored = readings::find_by_client_references(conn, caller.account.id, &references)?;
    if stored.is_empty() {
        return Ok((submissions, Resent::default()));
    }
    let stored: HashMap<&str, &ReadingRow> = stored
        .iter()
        .map(|row| (row.client_reference.as_str(), row))
        .collect();
    let mut new = Vec::with_capacity(submissions.len());
    let mut resent = Resent::default();
    for (at, submission) in submissions.into_iter().enumerate() {
        match stored.get(submission.client_reference.as_str()) {
            Some(existing) => resent
                .0
                .push((at, receipts::original(conn, existing, caller.language)?)),
            None => new.push(submission),
        }
    }
    Ok((new, resent))
}

/// Stores one request at once, outside group commit (demo data, fixtures, imports), and
/// answers one receipt per reading, in order. A reading that breaks rules gets issues, never
/// an error: only a storage failure fails it, and then nothing of it is stored, so the DMS
/// can resend it with the same ClientReferences.
pub fn submit(
    conn: &mut DbConnection,
    caller: &Caller,
    submissions: &[Submission],
    now: DateTime<Utc>,
) -> Result<Vec<Receipt>, ServiceError> {
    let (submissions, resent) = prepare(conn, caller, submissions.to_vec())?;
    let batch = Batch {
        caller: caller.clone(),
        submissions,
        received: now,
    };
    let stored = submit_together(conn, std::slice::from_ref(&batch))?.remove(0);
    Ok(resent.merge(stored))
}

/// Stores several requests in one transaction (group commit): one durable commit for all of
/// them, and receipts for each only once it is done.
pub fn submit_together(
    conn: &mut DbConnection,
    batches: &[Batch],
) -> Result<Vec<Vec<Receipt>>, ServiceError> {
    match submit_once(conn, batches, References::Unused) {
        // A ClientReference was stored since `prepare` (a resend racing its original, or the
        // same reference twice in one batch): again, finding each stored one's receipt.
        Err(ServiceError::Database(e)) if crate::db::is_duplicate(&e) => {
            submit_once(conn, batches, References::LookUp)
        }
        other => other,
    }
}

/// Whether `submit_once` trusts `prepare`'s finding that no reference was used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum References {
    Unused,
    LookUp,
}

fn submit_once(
    conn: &mut DbConnection,
    batches: &[Batch],
    references: References,
) -> Result<Vec<Vec<Receipt>>, ServiceError> {
    crate::db::writing(conn, |conn| {
        let mut vins: Vec<&str> = batches
            .iter()
            .flat_map(|b| b.submissions.iter().map(|s| s.reading.vin.as_str()))
            .collect();
        vins.sort_unstable();
        vins.dedup();
        // Locks in one order: two transactions sharing VINs cannot deadlock.
        let locked_at = batches.iter().map(|b| b.received).max().unwrap_or_default();
        readings::lock_vins(conn, &vins, locked_at.naive_utc())?;
        let mut answered = match references {
            References::Unused => store_by_vin(conn, batches, &vins)?,
            References::LookUp => store_in_order(conn, batches)?,
        };
        answered.sort_unstable_by_key(|(slot, _)| *slot);
        let mut receipts: Vec<Vec<Receipt>> = batches
            .iter()
            .map(|b| Vec::with_capacity(b.submissions.len()))
            .collect();
        for ((request, _), receipt) in answered {
            receipts[request].push(receipt);
        }
        Ok(receipts)
    })
}

/// Where a reading is in a group commit: its request, and its place in the request.
type Slot = (usize, usize);

/// How many VINs' vehicles and histories to read together (one query each on PostgreSQL) and
/// hold while their readings are checked, given what the reads so far held. It bounds the
/// memory of a batch of 1000-reading requests by history entries, not VINs: holding all of a
/// batch's histories at once made the server's peak grow with their length, while a fixed
/// small number of VINs per read cost a 1000-reading request on PostgreSQL many round trips
/// (the figures: bench/PROFILE.md, "Figures behind choices in the code").
fn vins_per_read(vins_read: usize, entries_read: usize) -> usize {
    if vins_read == 0 {
        return FIRST_VINS_PER_READ;
    }
    let per_vin = entries_read.div_ceil(vins_read).max(1);
    (ENTRIES_PER_READ / per_vin).clamp(1, MOST_VINS_PER_READ)
}

/// Before anything is known of the histories: as if they were a few hundred entries long.
const FIRST_VINS_PER_READ: usize = 25;
/// What one read may hold, PostgreSQL's result and diesel's rows included (bench/PROFILE.md).
const ENTRIES_PER_READ: usize = 6_000;
const MOST_VINS_PER_READ: usize = 250;

/// Checks and stores the batch's readings VIN after VIN, each VIN's in the order of the batch:
/// the readings of different VINs do not depend on each other, so only the histories of a
/// few VINs are held at a time.
fn store_by_vin(
    conn: &mut DbConnection,
    batches: &[Batch],
    vins: &[&str],
) -> Result<Vec<(Slot, Receipt)>, ServiceError> {
    let mut order: Vec<(&str, Slot)> = batches
        .iter()
        .enumerate()
        .flat_map(|(request, b)| {
            b.submissions
                .iter()
                .enumerate()
                .map(move |(at, s)| (s.reading.vin.as_str(), (request, at)))
        })
        .collect();
    order.sort_unstable();
    let mut answered = Vec::with_capacity(order.len());
    let (mut next, mut vins_read, mut entries_read) = (0, 0, 0);
    while vins_read < vins.len() {
        let chunk =
            &vins[vins_read..(vins_read + vins_per_read(vins_read, entries_read)).min(vins.len())];
        let mut known = KnownVins::load(conn, chunk)?;
        entries_read += known.entries();
        vins_read += chunk.len();
        let last = chunk[chunk.len() - 1];
        let end = next + order[next..].partition_point(|(vin, _)| *vin <= last);
        let evaluated = order[next..end]
            .iter()
            .map(|&(_, slot)| (slot, evaluate_in_batch(batches, slot, &mut known)))
            .collect();
        store(conn, batches, evaluated, &mut answered)?;
        next = end;
    }
    Ok(answered)
}

/// Checks and stores the batch's readings one by one in its order, looking each reference up
/// first: a reference used twice in the batch finds the first, stored just before.
fn store_in_order(
    conn: &mut DbConnection,
    batches: &[Batch],
) -> Result<Vec<(Slot, Receipt)>, ServiceError> {
    let mut answered = Vec::new();
    for (request, batch) in batches.iter().enumerate() {
        let caller = &batch.caller;
        for (at, submission) in batch.submissions.iter().enumerate() {
            let reference = submission.client_reference.as_str();
            if let Some(existing) =
                readings::find_by_client_reference(conn, caller.account.id, reference)?
            {
                answered.push((
                    (request, at),
                    receipts::original(conn, &existing, caller.language)?,
                ));
                continue;
            }
            let mut known = KnownVins::load(conn, &[submission.reading.vin.as_str()])?;
            let evaluated = evaluate_in_batch(batches, (request, at), &mut known);
            store(
                conn,
                batches,
                vec![((request, at), evaluated)],
                &mut answered,
            )?;
        }
    }
    Ok(answered)
}

/// What ValidateReading answers: the status and issues the reading would get now.
pub fn validate(
    conn: &mut DbConnection,
    caller: &Caller,
    reading: &ReadingInput,
    now: DateTime<Utc>,
) -> Result<(ReadingStatus, Vec<ReceiptIssue>), ServiceError> {
    let evaluation = evaluate(conn, reading, today(now))?;
    let issues = evaluation
        .findings
        .iter()
        .map(|f| ReceiptIssue::predicted(f, caller.language))
        .collect();
    Ok((evaluation.status, issues))
}

fn today(now: DateTime<Utc>) -> Dates {
    let date = brussels_date(now);
    Dates {
        today: date,
        received_on: date,
    }
}

/// The register's vehicle and the official history, when the VIN is valid.
pub fn context(
    conn: &mut DbConnection,
    vin: &str,
) -> Result<(Option<Vehicle>, Vec<HistoryEntry>), ServiceError> {
    match Vin::parse(vin) {
        Ok(vin) => Ok((
            vehicles::find(conn, &vin)?,
            readings::official_history(conn, vin.as_str())?,
        )),
        Err(_) => Ok((None, Vec::new())),
    }
}

pub fn evaluate(
    conn: &mut DbConnection,
    reading: &ReadingInput,
    dates: Dates,
) -> Result<Evaluation, ServiceError> {
    let (vehicle, history) = context(conn, &reading.vin)?;
    Ok(rules::evaluate(reading, vehicle.as_ref(), &history, dates))
}

/// A reading checked against what the transaction knows of its VIN, to be stored.
struct Evaluated {
    row: ReadingRow,
    works: Vec<WorkRow>,
    status: ReadingStatus,
    findings: Vec<Finding>,
}

/// Checks the reading in `slot` against what the transaction knows of its VIN, and adds it to
/// the VIN's history when it is official: the next reading of the VIN is checked against it.
fn evaluate_in_batch(
    batches: &[Batch],
    (request, position): Slot,
    known: &mut KnownVins,
) -> Evaluated {
    let batch = &batches[request];
    let (caller, now) = (&batch.caller, batch.received);
    let submission = &batch.submissions[position];
    let reading = &submission.reading;
    let evaluation = rules::evaluate(
        reading,
        known.vehicle(&reading.vin),
        known.history(&reading.vin),
        today(now),
    );
    let id = readings::new_id();
    let at = now.naive_utc();
    if evaluation.status.in_official_history() {
        let entry = HistoryEntry {
            work_date: reading.work_date,
            odometer: reading.odometer,
            unit: reading.unit,
            odometer_replaced: reading.odometer_replaced,
        };
        known.add(&reading.vin, entry, at);
    }
    let works = WorkRow::all_of(&id, &reading.works);
    let row = ReadingRow {
        id,
        account_id: caller.account.id,
        company_id: caller.account.company_id,
        client_reference: submission.client_reference.as_str().to_owned(),
        vin: reading.vin.clone(),
        work_date: reading.work_date,
        odometer: reading.odometer as i64,
        odometer_unit: reading.unit.as_str().to_owned(),
        odometer_km: reading.unit.to_km(reading.odometer) as i64,
        odometer_replaced: reading.odometer_replaced.map(|v| v as i64),
        subcontracted: reading.subcontracted,
        customer_type: reading.customer_type.as_str().to_owned(),
        invoice_total_cents: reading.invoice_total_cents,
        license_plate: reading.license_plate.clone(),
        language: caller.language.as_str().to_owned(),
        software_builder: caller.software.builder.clone(),
        software_name: caller.software.name.clone(),
        software_version: caller.software.version.clone(),
        status: evaluation.status.as_str().to_owned(),
        receipt_status: evaluation.status.as_str().to_owned(),
        received_at: at,
        updated_at: at,
        source: reading.source.as_str().to_owned(),
    };
    Evaluated {
        row,
        works,
        status: evaluation.status,
        findings: evaluation.findings,
    }
}

/// Stores checked readings and their works together, then their issues, which reference them,
/// and answers each reading's receipt.
fn store(
    conn: &mut DbConnection,
    batches: &[Batch],
    evaluated: Vec<(Slot, Evaluated)>,
    answered: &mut Vec<(Slot, Receipt)>,
) -> Result<(), ServiceError> {
    let mut rows = Vec::with_capacity(evaluated.len());
    let mut works = Vec::new();
    let mut rest = Vec::with_capacity(evaluated.len());
    for (slot, reading) in evaluated {
        works.extend(reading.works);
        rest.push((slot, reading.status, reading.findings));
        rows.push(reading.row);
    }
    readings::insert(conn, &rows, &works)?;
    let repairs = recall_repairs(&works);
    for (row, (slot, status, findings)) in rows.into_iter().zip(rest) {
        let (at, language) = (row.received_at, batches[slot.0].caller.language);
        if status != ReadingStatus::Rejected && repairs.contains(&row.id.as_str()) {
            let repair = recalls::Repair {
                vin: &row.vin,
                work_date: row.work_date,
                reading_id: &row.id,
                company_id: row.company_id,
                at,
            };
            recalls::close_by_repair(conn, &repair, today(batches[slot.0].received).today)?;
        }
        let mut issues = Vec::with_capacity(findings.len());
        for finding in &findings {
            let raise = Raise::as_catalogued(finding.code(), true);
            let number = record_issue(conn, &row.id, finding, raise, at)?;
            let mut issue = ReceiptIssue::predicted(finding, language);
            issue.number = Some(number);
            issue.state = Some(raise.state);
            issues.push(issue);
        }
        let receipt = Receipt {
            client_reference: row.client_reference,
            reading_id: row.id,
            status,
            issues,
        };
        answered.push((slot, receipt));
    }
    Ok(())
}

/// The readings whose works name the recall campaign's activity (mostly none): each closes
/// its vehicle's open recalls (issue 22, point 5), in the reading's own transaction.
fn recall_repairs(works: &[WorkRow]) -> Vec<&str> {
    works
        .iter()
        .filter(|w| w.activity_code == ActivityCode::RecallCampaign.as_str())
        .map(|w| w.reading_id.as_str())
        .collect()
}

pub fn record_issue(
    conn: &mut DbConnection,
    reading_id: &str,
    finding: &Finding,
    raise: Raise,
    at: NaiveDateTime,
) -> Result<IssueNumber, ServiceError> {
    let code = finding.code();
    let detail =
        serde_json::to_string(&finding.detail).map_err(|e| ServiceError::Corrupt(e.to_string()))?;
    let sequence = issues::insert(
        conn,
        &NewIssue {
            reading_id,
            code: code.as_str(),
            severity: code.severity().as_str(),
            correctable: raise.correctable,
            field: finding.field.as_deref(),
            detail: &detail,
            state: raise.state.as_str(),
            on_receipt: raise.on_receipt,
            created_at: at,
        },
    )?;
    IssueNumber::from_sequence(sequence)
        .ok_or_else(|| ServiceError::Corrupt(format!("issue sequence {sequence}")))
}

/// The reading as it was sent, rebuilt from storage for a re-evaluation.
pub fn input_of(conn: &mut DbConnection, row: &ReadingRow) -> Result<ReadingInput, ServiceError> {
    let corrupt = |what: &str| ServiceError::Corrupt(format!("reading {}: {what}", row.id));
    Ok(ReadingInput {
        vin: row.vin.clone(),
        work_date: row.work_date,
        odometer: row.odometer.max(0) as u64,
        unit: OdometerUnit::parse(&row.odometer_unit).ok_or_else(|| corrupt("unit"))?,
        odometer_replaced: row.odometer_replaced.map(|v| v.max(0) as u64),
        subcontracted: row.subcontracted,
        customer_type: CustomerType::parse(&row.customer_type)
            .ok_or_else(|| corrupt("customer type"))?,
        invoice_total_cents: row.invoice_total_cents,
        works: readings::works_of(conn, &row.id)?
            .into_iter()
            .map(|w| Work {
                activity_code: w.activity_code,
                description: w.description,
            })
            .collect(),
        license_plate: row.license_plate.clone(),
        source: ReadingSource::parse(&row.source).ok_or_else(|| corrupt("source"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(reference: &str) -> Receipt {
        Receipt {
            client_reference: reference.to_owned(),
            reading_id: format!("id-{reference}"),
            status: ReadingStatus::Accepted,
            issues: Vec::new(),
        }
    }

    fn references(receipts: &[Receipt]) -> Vec<&str> {
        receipts
            .iter()
            .map(|r| r.client_reference.as_str())
            .collect()
    }

    #[test]
    fn the_vins_read_together_keep_their_histories_near_the_entries_per_read() {
        assert_eq!(vins_per_read(0, 0), FIRST_VINS_PER_READ);
        // Histories of real length: as many VINs as the cap allows.
        assert_eq!(vins_per_read(25, 25 * 10), MOST_VINS_PER_READ);
        assert_eq!(vins_per_read(25, 25 * 24), MOST_VINS_PER_READ);
        assert_eq!(vins_per_read(25, 25 * 25), 240);
        assert_eq!(vins_per_read(25, 25 * 25 + 1), ENTRIES_PER_READ / 26);
        // VINs without a history count as one entry each.
        assert_eq!(vins_per_read(100, 0), MOST_VINS_PER_READ);
        // Longer histories, fewer VINs; never none.
        assert_eq!(vins_per_read(25, 25 * 300), 20);
        assert_eq!(vins_per_read(10, 10 * ENTRIES_PER_READ), 1);
        assert_eq!(vins_per_read(1, 100_000), 1);
    }

    #[test]
    fn resent_and_stored_receipts_come_back_in_the_order_of_the_request() {
        let resent =
            |at: &[(usize, &str)]| Resent(at.iter().map(|(i, r)| (*i, receipt(r))).collect());
        let stored = |refs: &[&str]| refs.iter().map(|r| receipt(r)).collect::<Vec<_>>();
        let merged = resent(&[(0, "a"), (2, "c"), (5, "f")]).merge(stored(&["b", "d", "e"]));
        assert_eq!(references(&merged), ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(
            references(&resent(&[]).merge(stored(&["a", "b"]))),
            ["a", "b"]
        );
        assert_eq!(
            references(&resent(&[(0, "a"), (1, "b")]).merge(Vec::new())),
            ["a", "b"]
        );
        assert_eq!(
            references(&resent(&[(1, "b")]).merge(stored(&["a"]))),
            ["a", "b"]
        );
    }
}
