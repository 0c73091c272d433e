//! The vehicle register: importing vehicles re-evaluates the readings that waited for them
//! (SPEC 3.4 WaitingForRegistration).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::db::vehicles::VehicleRow;
use crate::db::{issues, readings, vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::issue::{IssueCode, IssueDetail};
use crate::domain::rules::{self, Dates, Finding};
use crate::domain::status::ReadingStatus;
use crate::domain::vehicle::Vehicle;

use super::inflow::{input_of, record_issue, Raise};
use super::ServiceError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub vehicles: usize,
    pub readings_reevaluated: usize,
}

/// Imports all vehicles or none, and re-evaluates their waiting readings in the same transaction.
pub fn import(
    conn: &mut DbConnection,
    vehicles_in: &[Vehicle],
    now: DateTime<Utc>,
) -> Result<ImportSummary, ServiceError> {
    crate::db::writing(conn, |conn| {
        let mut summary = ImportSummary::default();
        let mut vins: Vec<&str> = vehicles_in.iter().map(|v| v.vin.as_str()).collect();
        vins.sort_unstable();
        vins.dedup();
        for vin in &vins {
            readings::lock_vin(conn, vin, now.naive_utc())?;
        }
        for vehicle in vehicles_in {
            vehicles::upsert(conn, &VehicleRow::from_vehicle(vehicle, now.naive_utc()))?;
            summary.vehicles += 1;
        }
        for vehicle in vehicles_in {
            summary.readings_reevaluated += reevaluate_waiting(conn, vehicle, now)?;
        }
        Ok(summary)
    })
}

/// Each waiting reading, oldest work date first, against the history as it grows.
fn reevaluate_waiting(
    conn: &mut DbConnection,
    vehicle: &Vehicle,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let waiting = readings::waiting_for_registration(conn, vehicle.vin.as_str())?;
    for row in &waiting {
        let input = input_of(conn, row)?;
        let history = readings::official_history(conn, vehicle.vin.as_str())?;
        let dates = Dates {
            today: brussels_date(now),
            received_on: brussels_date(row.received_at.and_utc()),
        };
        let evaluation = rules::evaluate(&input, Some(vehicle), &history, dates);
        let known: HashSet<(String, Option<String>)> = issues::for_reading(conn, &row.id)?
            .into_iter()
            .map(|i| (i.code, i.field))
            .collect();
        for finding in &evaluation.findings {
            if !known.contains(&(finding.code().as_str().to_owned(), finding.field.clone())) {
                let raise = Raise::as_catalogued(finding.code(), false);
                record_issue(conn, &row.id, finding, raise, now.naive_utc())?;
            }
        }
        readings::set_status(conn, &row.id, evaluation.status, now.naive_utc())?;
    }
    Ok(waiting.len())
}

/// SPEC 4 VIN_UNKNOWN: how long a reading may wait for its vehicle before the VIN is suspect.
pub const WAITING_DAYS: i64 = 30;

/// Gives VIN_UNKNOWN to every reading still waiting for its vehicle 30 days after it was
/// received. Idempotent, and safe with several instances: each reading is re-checked under
/// its VIN lock, and once flagged it no longer waits.
pub fn sweep_unregistered(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let cutoff = (now - chrono::Duration::days(WAITING_DAYS)).naive_utc();
    let candidates = readings::waiting_since_before(conn, cutoff)?;
    let mut flagged = 0;
    for candidate in candidates {
        flagged += crate::db::writing(conn, |conn| -> Result<usize, ServiceError> {
            readings::lock_vin(conn, &candidate.vin, now.naive_utc())?;
            let Some(reading) = readings::find(conn, &candidate.id)? else {
                return Ok(0);
            };
            if reading.status != ReadingStatus::WaitingForRegistration.as_str() {
                return Ok(0);
            }
            let days = (now.naive_utc() - reading.received_at).num_days().max(0) as u32;
            let finding = Finding {
                detail: IssueDetail::VinUnknown {
                    vin: reading.vin.clone(),
                    days,
                },
                field: Some("Vin".into()),
            };
            record_issue(
                conn,
                &reading.id,
                &finding,
                Raise::as_catalogued(IssueCode::VinUnknown, false),
                now.naive_utc(),
            )?;
            readings::set_status(
                conn,
                &reading.id,
                ReadingStatus::PendingCorrection,
                now.naive_utc(),
            )?;
            Ok(1)
        })?;
    }
    Ok(flagged)
}
