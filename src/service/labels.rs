//! The OK label for used-car adverts (SPEC 2.9): asked with the VIN and the advertised mileage,
//! granted only when the history allows it; a granted label can be checked publicly later.

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::db::labels::{self, LabelRow};
use crate::db::{vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::ok_label::{self, LabelReading, LabelVehicle, LabelVerdict};
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
    let history: Vec<LabelReading> = labels::history(conn, vin)?
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

/// A label stays valid while the history agrees with it: no anomaly accepted since, no reading
/// registered since the grant below the advertised mileage, no earlier reading above it.
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
    let mut reason = None;
    for (reading, received_at) in labels::history(conn, &label.vin)? {
        let km = reading.unit.to_km(reading.odometer);
        if reading.anomaly {
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
