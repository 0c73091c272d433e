//! Post-accident inspections (issue 22, point 6): an accident expert's report and an inspection
//! centre's result, recorded in full; what is still pending goes on the Car-Pass.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::post_accidents::{self, EventRow, NewEvent};
use crate::db::{self as storage, readings, vehicles, DbConnection};
use crate::domain::car_pass::PostAccident;
use crate::domain::post_accident::{
    check_inspection, check_report, pending, Event, InformexReference, InspectionResult, Refused,
};
use crate::domain::vin::Vin;

use super::{Caller, ServiceError};

/// Why nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the vehicle {vin} is not in the Belgian vehicle register: check the VIN on the \
         registration certificate"
    )]
    VinUnknown { vin: String },
    #[error(
        "the INFORMEX reference {reference} was already reported (for VIN {vin}): nothing was \
         changed. Each accident file is reported once"
    )]
    Duplicate { reference: String, vin: String },
    #[error(transparent)]
    Rule(#[from] Refused),
}

/// What an inspection left behind: whether the inspection is still pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub result: InspectionResult,
    pub still_pending: Option<PostAccident>,
}

/// Records an expert's report: the inspection is pending from now on.
pub fn report(
    conn: &mut DbConnection,
    caller: &Caller,
    vin: &Vin,
    date: NaiveDate,
    reference: &InformexReference,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Result<PostAccident, Refusal>, ServiceError> {
    storage::writing(conn, |conn| {
        if let Err(refused) = known(conn, vin)?.and_then(|()| Ok(check_report(date, today)?)) {
            return Ok(Err(refused));
        }
        if let Some(earlier) = post_accidents::vin_of_reference(conn, reference.as_str())? {
            return Ok(Err(Refusal::Duplicate {
                reference: reference.as_str().to_owned(),
                vin: earlier,
            }));
        }
        let event = NewEvent {
            vin: vin.as_str(),
            kind: "reported",
            event_date: date,
            informex_reference: Some(reference.as_str()),
            company_id: caller.account.company_id,
            account_id: caller.account.id,
            received_at: now,
        };
        match post_accidents::insert(conn, &event) {
            // Another expert's request with the same reference committed in between.
            Err(e) if storage::is_duplicate(&e) => Ok(Err(Refusal::Duplicate {
                reference: reference.as_str().to_owned(),
                vin: vin.as_str().to_owned(),
            })),
            Err(e) => Err(e.into()),
            Ok(()) => Ok(Ok(PostAccident {
                reported_on: date,
                informex_reference: reference.as_str().to_owned(),
            })),
        }
    })
}

/// Records an inspection centre's result: a passed inspection clears what is pending, a failed
/// one is recorded and leaves it pending.
pub fn inspect(
    conn: &mut DbConnection,
    caller: &Caller,
    vin: &Vin,
    date: NaiveDate,
    result: InspectionResult,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Result<Inspected, Refusal>, ServiceError> {
    storage::writing(conn, |conn| {
        if let Err(refused) = known(conn, vin)? {
            return Ok(Err(refused));
        }
        // One inspection of a VIN at a time: the second sees what the first recorded.
        readings::lock_vin(conn, vin.as_str(), now)?;
        let events = events_of(conn, vin.as_str())?;
        let pending = match check_inspection(vin.as_str(), date, today, &events) {
            Ok(pending) => pending,
            Err(refused) => return Ok(Err(refused.into())),
        };
        post_accidents::insert(
            conn,
            &NewEvent {
                vin: vin.as_str(),
                kind: result.as_str(),
                event_date: date,
                informex_reference: None,
                company_id: caller.account.company_id,
                account_id: caller.account.id,
                received_at: now,
            },
        )?;
        Ok(Ok(Inspected {
            result,
            still_pending: (result == InspectionResult::Failed).then_some(pending),
        }))
    })
}

fn known(conn: &mut DbConnection, vin: &Vin) -> Result<Result<(), Refusal>, ServiceError> {
    Ok(match vehicles::find(conn, vin)? {
        Some(_) => Ok(()),
        None => Err(Refusal::VinUnknown {
            vin: vin.as_str().to_owned(),
        }),
    })
}

/// The inspection pending for the VIN, for the Car-Pass.
pub fn pending_of(
    conn: &mut DbConnection,
    vin: &str,
) -> Result<Option<PostAccident>, ServiceError> {
    Ok(pending(&events_of(conn, vin)?))
}

/// The VIN's whole post-accident history, oldest first, for staff.
pub fn history(conn: &mut DbConnection, vin: &str) -> Result<Vec<EventRow>, ServiceError> {
    Ok(post_accidents::of_vin(conn, vin)?)
}

fn events_of(conn: &mut DbConnection, vin: &str) -> Result<Vec<Event>, ServiceError> {
    post_accidents::of_vin(conn, vin)?
        .into_iter()
        .map(|row| event(&row))
        .collect()
}

/// A stored record as the domain reads it.
pub fn event(row: &EventRow) -> Result<Event, ServiceError> {
    let corrupt = || ServiceError::Corrupt(format!("post-accident record of kind {}", row.kind));
    Ok(match (row.kind.as_str(), &row.informex_reference) {
        ("reported", Some(reference)) => Event::Reported {
            date: row.event_date,
            informex_reference: reference.clone(),
        },
        (kind, None) => Event::Inspected {
            date: row.event_date,
            result: InspectionResult::parse(kind).ok_or_else(corrupt)?,
        },
        _ => return Err(corrupt()),
    })
}
