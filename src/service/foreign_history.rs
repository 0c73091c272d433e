//! An importer's readings of a vehicle before it came to Belgium (issue 22, point 3):
//! `SubmitForeignHistory`. Each reading is judged as a bulk-feed line is (`feed::judge`), in
//! date order so that the readings are checked among themselves as well as against the Belgian
//! history: stored in the history, stored and held for staff (a conflict, which no garage may
//! correct), or refused. A reading already received (same VIN, date, value and country) is
//! answered as it was, never stored twice. A refused reading is kept with its reason, in the
//! same transaction, for staff's per-partner report.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::foreign_readings::{self, ForeignRow};
use crate::db::foreign_refusals::{self, NewRefusal};
use crate::db::readings::{self, ReadingRow};
use crate::db::{self as storage, issues, vehicles, DbConnection};
use crate::domain::country::Country;
use crate::domain::feed::{judge, FeedReading, Verdict};
use crate::domain::issue::IssueDetail;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;
use crate::domain::vin::Vin;

use super::feeds::{conflict_detail, hold_for_staff};
use super::known_vins::KnownVins;
use super::{Caller, ServiceError};

/// The most characters of a foreign source's name kept.
pub const MAX_SOURCE_CHARS: usize = 200;

/// One reading as the importer sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignReading {
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
    /// The foreign registry's or garage's name.
    pub source: String,
}

/// What became of one reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Stored {
        reading_id: String,
        resent: bool,
    },
    /// Stored, kept out of the history, held for staff review.
    Conflict {
        reading_id: String,
        reason: String,
        message: String,
        resent: bool,
    },
    Refused {
        reason: String,
        message: String,
    },
}

/// Why the whole request was refused; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the vehicle {vin} is not in the Belgian vehicle register: send its foreign history once \
         it is registered in Belgium"
    )]
    VinUnknown { vin: String },
    #[error(
        "the country of origin is BE (Belgium): Belgian readings come from Belgian garages, not \
         as a foreign history. Give the country the vehicle was imported from"
    )]
    Belgium,
}

/// Judges and stores the readings; the outcomes are in the order the readings were sent.
pub fn submit(
    conn: &mut DbConnection,
    caller: &Caller,
    vin: &Vin,
    country: Country,
    sent: &[ForeignReading],
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Result<Vec<Outcome>, Refusal>, ServiceError> {
    if country.is_belgium() {
        return Ok(Err(Refusal::Belgium));
    }
    storage::writing(conn, |conn| {
        if vehicles::find(conn, vin)?.is_none() {
            return Ok(Err(Refusal::VinUnknown {
                vin: vin.as_str().to_owned(),
            }));
        }
        readings::lock_vin(conn, vin.as_str(), now)?;
        let mut known = KnownVins::load(conn, &[vin.as_str()])?;
        // Oldest first, so that each is judged against the ones before it.
        let mut order: Vec<usize> = (0..sent.len()).collect();
        order.sort_by_key(|&i| (sent[i].date, sent[i].unit.to_km(sent[i].odometer)));
        let mut outcomes: Vec<Option<Outcome>> = vec![None; sent.len()];
        for i in order {
            let reading = &sent[i];
            let outcome = one(conn, caller, vin, country, reading, &mut known, today, now)?;
            outcomes[i] = Some(outcome);
        }
        Ok(Ok(outcomes.into_iter().flatten().collect()))
    })
}

#[allow(clippy::too_many_arguments)]
fn one(
    conn: &mut DbConnection,
    caller: &Caller,
    vin: &Vin,
    country: Country,
    reading: &ForeignReading,
    known: &mut KnownVins,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Outcome, ServiceError> {
    let odometer = i64::try_from(reading.odometer).unwrap_or(i64::MAX);
    let unit = reading.unit.as_str();
    let same = foreign_readings::find_same(
        conn,
        vin.as_str(),
        reading.date,
        odometer,
        unit,
        country.as_str(),
    )?;
    if let Some((reading_id, status)) = same {
        return again(conn, reading_id, &status);
    }
    let feed = FeedReading {
        vin: vin.clone(),
        date: reading.date,
        odometer: reading.odometer,
        unit: reading.unit,
    };
    let vehicle = known.vehicle(vin.as_str()).cloned();
    let verdict = judge(&feed, vehicle.as_ref(), known.history(vin.as_str()), today);
    let (status, findings) = match verdict {
        Verdict::Refuse(problem) => {
            let (reason, message) = (problem.code().to_owned(), problem.to_string());
            // Kept for staff (issue 22, point 7): the answer alone leaves no trace of it.
            foreign_refusals::insert(
                conn,
                &NewRefusal {
                    company_id: caller.account.company_id,
                    account_id: caller.account.id,
                    vin: vin.as_str(),
                    reading_date: reading.date,
                    odometer,
                    odometer_unit: unit,
                    country: country.as_str(),
                    reason: &reason,
                    detail: &message,
                    refused_at: now,
                },
            )?;
            return Ok(Outcome::Refused { reason, message });
        }
        Verdict::Store => {
            known.add(vin.as_str(), feed.history_entry(), now);
            (ReadingStatus::Accepted, Vec::new())
        }
        Verdict::Conflict(findings) => (ReadingStatus::Reviewing, findings),
    };
    let id = readings::new_id();
    let row = ReadingRow {
        id: id.clone(),
        account_id: caller.account.id,
        company_id: caller.account.company_id,
        client_reference: format!(
            "foreign {country} {vin} {} {} {unit}",
            reading.date,
            reading.odometer,
            vin = vin.as_str()
        ),
        vin: vin.as_str().to_owned(),
        work_date: reading.date,
        odometer,
        odometer_unit: unit.to_owned(),
        odometer_km: i64::try_from(reading.unit.to_km(reading.odometer)).unwrap_or(i64::MAX),
        odometer_replaced: None,
        subcontracted: false,
        customer_type: "Business".to_owned(),
        invoice_total_cents: 0,
        license_plate: None,
        language: Language::En.as_str().to_owned(),
        software_builder: caller.software.builder.clone(),
        software_name: caller.software.name.clone(),
        software_version: caller.software.version.clone(),
        status: status.as_str().to_owned(),
        receipt_status: status.as_str().to_owned(),
        received_at: now,
        updated_at: now,
        source: ReadingSource::Foreign.as_str().to_owned(),
    };
    readings::insert(conn, &[row], &[])?;
    foreign_readings::insert(
        conn,
        &ForeignRow {
            reading_id: id.clone(),
            vin: vin.as_str().to_owned(),
            work_date: reading.date,
            odometer,
            odometer_unit: unit.to_owned(),
            country: country.as_str().to_owned(),
            source_text: reading.source.clone(),
        },
    )?;
    if findings.is_empty() {
        return Ok(Outcome::Stored {
            reading_id: id,
            resent: false,
        });
    }
    hold_for_staff(conn, &id, &findings, now)?;
    let first = &findings[0];
    Ok(Outcome::Conflict {
        reading_id: id,
        reason: first.code().as_str().to_owned(),
        message: conflict_detail(&first.detail.message(Language::En)),
        resent: false,
    })
}

/// A reading received before, answered as it stands now (staff may have decided on it since):
/// a conflict still waiting with the reason it was held for.
fn again(
    conn: &mut DbConnection,
    reading_id: String,
    status: &str,
) -> Result<Outcome, ServiceError> {
    let status = ReadingStatus::parse(status)
        .ok_or_else(|| ServiceError::Corrupt(format!("reading {reading_id}: status {status}")))?;
    if status.in_official_history() {
        return Ok(Outcome::Stored {
            reading_id,
            resent: true,
        });
    }
    let held = issues::for_reading(conn, &reading_id)?.into_iter().next();
    let (reason, finding) = match held {
        Some(issue) => {
            let detail: IssueDetail = serde_json::from_str(&issue.detail)
                .map_err(|e| ServiceError::Corrupt(format!("issue {}: {e}", issue.id)))?;
            (issue.code, detail.message(Language::En))
        }
        None => ("already_received".to_owned(), String::new()),
    };
    let message = if status == ReadingStatus::Reviewing {
        conflict_detail(&finding)
    } else {
        format!(
            "{}. Staff reviewed it: it is {}, out of the history",
            finding.trim_end_matches('.'),
            status.as_str()
        )
    };
    Ok(Outcome::Conflict {
        reading_id,
        reason,
        message,
        resent: true,
    })
}
