//! The OK label for used-car adverts (SPEC 2.9): asked with the VIN and the advertised mileage,
//! granted only when the history allows it; a granted label can be checked publicly later.

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::db::labels::{self, LabelRow};
use crate::db::{readings, vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::issue::IssueCode;
use crate::domain::odometer::OdometerUnit;
use crate::domain::ok_label::{self, LabelReading, LabelVehicle, LabelVerdict, OpenQuestion};
use crate::domain::rules::{self, HistoryEntry};
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;

use super::{Caller, ServiceError};

fn label_vehicle(vehicle: &Vehicle) -> LabelVehicle {
    LabelVehicle {
        first_registration: vehicle.first_registration,
        five_digit_odometer: vehicle.has_five_digit_odometer(),
        imported_used: vehicle.imported_used == Some(true),
    }
}

/// What the registry holds for a VIN, as the label reads it, each with when it was received:
/// the official history, its anomalies read from the values as they now stand (a corrected
/// typo is none; a drop staff accepted is one), and the sent readings still open.
fn holdings(
    conn: &mut DbConnection,
    vin: &str,
    five_digit: bool,
) -> Result<Vec<(LabelReading, NaiveDateTime)>, ServiceError> {
    let official = readings::received_history(conn, vin)?;
    let entries: Vec<HistoryEntry> = official.iter().map(|(_, e)| e.clone()).collect();
    let links = rules::links(&entries, five_digit);
    let mut held: Vec<(LabelReading, NaiveDateTime)> = official
        .into_iter()
        .zip(links)
        .map(|((received_at, entry), link)| {
            let reading = LabelReading {
                work_date: entry.work_date,
                odometer: entry.odometer,
                unit: entry.unit,
                anomaly: link.anomaly,
                open: None,
            };
            (reading, received_at)
        })
        .collect();
    for open in labels::open_readings(conn, vin)? {
        // An unknown code questions everything: the reading is left out rather than trusted.
        let codes: Option<Vec<IssueCode>> =
            open.unsettled.iter().map(|c| IssueCode::parse(c)).collect();
        let question = codes.map_or(OpenQuestion::Odometer, OpenQuestion::of);
        let reading = LabelReading {
            work_date: open.work_date,
            odometer: open.odometer.max(0) as u64,
            unit: OdometerUnit::parse(&open.unit).unwrap_or_default(),
            anomaly: false,
            open: Some(question),
        };
        held.push((reading, open.received_at));
    }
    Ok(held)
}

/// The verdict on an advert, from the register and the history; nothing is stored.
pub fn judge(
    conn: &mut DbConnection,
    vin: &str,
    advertised_km: u64,
    now: DateTime<Utc>,
) -> Result<LabelVerdict, ServiceError> {
    let vehicle = match Vin::parse(vin) {
        Ok(vin) => vehicles::find(conn, &vin)?,
        Err(_) => None,
    };
    let five_digit = vehicle
        .as_ref()
        .is_some_and(Vehicle::has_five_digit_odometer);
    let history: Vec<LabelReading> = holdings(conn, vin, five_digit)?
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    Ok(ok_label::evaluate(
        vehicle.as_ref().map(label_vehicle).as_ref(),
        &history,
        advertised_km,
        brussels_date(now),
    ))
}

/// Stores a label that `judge` granted; its id is what the public page is found by.
pub fn grant(
    conn: &mut DbConnection,
    caller: &Caller,
    vin: &str,
    advertised_km: u64,
    advert_reference: Option<String>,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let id = Uuid::new_v4().to_string();
    labels::insert(
        conn,
        &LabelRow {
            id: id.clone(),
            vin: vin.to_owned(),
            advertised_km: advertised_km as i64,
            advert_reference,
            account_id: caller.account.id,
            granted_at: now.naive_utc(),
        },
    )?;
    Ok(id)
}

/// What the public page of a label shows: never the reading history (SPEC 2.8).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicLabel {
    pub label_id: String,
    pub granted: bool,
    pub granted_at: NaiveDateTime,
    pub advertised_km: u64,
    pub make: Option<String>,
    pub model: Option<String>,
    pub valid_now: bool,
    /// Why it no longer holds, in English, when it does not.
    pub no_longer_valid_because: Option<String>,
}

/// A label stays valid while the history agrees with it: no anomaly in it, no reading
/// registered since the grant below the advertised mileage, no earlier reading above it. The
/// readings are those the label counts when it is asked (`ok_label::evaluate`): a reading whose
/// odometer value is in question counts once it is settled.
pub fn public(
    conn: &mut DbConnection,
    label_id: &str,
) -> Result<Option<PublicLabel>, ServiceError> {
    let Some(label) = labels::find(conn, label_id)? else {
        return Ok(None);
    };
    let vehicle = match Vin::parse(&label.vin) {
        Ok(vin) => vehicles::find(conn, &vin)?,
        Err(_) => None,
    };
    let advertised = label.advertised_km.max(0) as u64;
    let granted_on = label.granted_at.date();
    let five_digit = vehicle
        .as_ref()
        .is_some_and(Vehicle::has_five_digit_odometer);
    let mut reason = None;
    for (reading, received_at) in holdings(conn, &label.vin, five_digit)? {
        let km = reading.unit.to_km(reading.odometer);
        if reading.open == Some(OpenQuestion::Odometer) {
            continue;
        } else if reading.anomaly {
            reason = Some(format!(
                "an odometer anomaly of {} is in the history",
                reading.work_date
            ));
        } else if received_at > label.granted_at
            && reading.work_date >= granted_on
            && km < advertised
        {
            reason = Some(format!(
                "a reading of {km} km on {} is below the advertised {advertised} km",
                reading.work_date
            ));
        } else if reading.work_date <= granted_on && km > advertised {
            reason = Some(format!(
                "a reading of {km} km on {} is above the advertised {advertised} km",
                reading.work_date
            ));
        }
        if reason.is_some() {
            break;
        }
    }
    Ok(Some(PublicLabel {
        label_id: label.id,
        granted: true,
        granted_at: label.granted_at,
        advertised_km: advertised,
        make: vehicle.as_ref().and_then(|v| v.make.clone()),
        model: vehicle.as_ref().and_then(|v| v.model.clone()),
        valid_now: reason.is_none(),
        no_longer_valid_because: reason,
    }))
}
