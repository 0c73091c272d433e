//! The OK label for used-car adverts (SPEC 2.9): asked with the VIN and the advertised mileage,
//! granted only when the history allows it; a granted label can be checked publicly later.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::db::labels::{self, LabelRow};
use crate::db::{readings, vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::issue::IssueCode;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::ok_label::{
    self, LabelReading, LabelVehicle, LabelVerdict, Lapse, OpenQuestion,
};
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

/// What the public page of a label shows: never the reading history (SPEC 2.8), only what
/// lets a buyer tell that the label belongs to the advert in front of them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicLabel {
    pub label_id: String,
    pub granted: bool,
    /// In UTC, written with its zone (`Z`) in the JSON.
    pub granted_at: DateTime<Utc>,
    pub advertised_km: u64,
    /// The portal's own reference of the advert, when it gave one.
    pub advert_reference: Option<String>,
    /// The VIN's last `VIN_SHOWN` characters: enough to compare with the advert, too few to
    /// find the vehicle's history with.
    pub vin_ends_with: String,
    /// The work date of the latest reading in the registered history.
    pub last_reading_on: Option<NaiveDate>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub valid_now: bool,
    /// Why it no longer holds, in English, when it does not.
    pub no_longer_valid_because: Option<String>,
    /// The same, for a page to say in its reader's language.
    #[serde(skip)]
    pub lapse: Option<Lapse>,
}

/// How many of the VIN's characters the public page shows (the end of the serial number).
pub const VIN_SHOWN: usize = 4;

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
    let mut lapse = None;
    let mut last_reading_on = None;
    for (reading, received_at) in holdings(conn, &label.vin, five_digit)? {
        if reading.open.is_none() {
            last_reading_on = last_reading_on.max(Some(reading.work_date));
        }
        if lapse.is_some() {
            continue;
        }
        let km = reading.unit.to_km(reading.odometer);
        let on = reading.work_date;
        if reading.open == Some(OpenQuestion::Odometer) {
            continue;
        } else if reading.anomaly {
            lapse = Some(Lapse::Anomaly { on });
        } else if received_at > label.granted_at && on >= granted_on && km < advertised {
            lapse = Some(Lapse::Below {
                km,
                on,
                advertised_km: advertised,
            });
        } else if on <= granted_on && km > advertised {
            lapse = Some(Lapse::Above {
                km,
                on,
                advertised_km: advertised,
            });
        }
    }
    let vin_ends_with = label
        .vin
        .char_indices()
        .rev()
        .nth(VIN_SHOWN - 1)
        .map_or(label.vin.as_str(), |(i, _)| &label.vin[i..])
        .to_owned();
    Ok(Some(PublicLabel {
        label_id: label.id,
        granted: true,
        granted_at: label.granted_at.and_utc(),
        advertised_km: advertised,
        advert_reference: label.advert_reference,
        vin_ends_with,
        last_reading_on,
        make: vehicle.as_ref().and_then(|v| v.make.clone()),
        model: vehicle.as_ref().and_then(|v| v.model.clone()),
        valid_now: lapse.is_none(),
        no_longer_valid_because: lapse.as_ref().map(|l| l.message(Language::En)),
        lapse,
    }))
}
