//! A fresh carpass database for the load: one garage and its submitter account, `vehicles`
//! registered passenger cars, each with three readings in its official history, stored through
//! the service itself (as tests/api/helpers.rs and the demo do), so that ValidateReading and
//! RequestOkLabel read real histories; and, for the Car-Pass scenario, `history_vehicles` more
//! with nineteen readings each.
//!
//! The numbering is shared with bench/soap.lua: vehicle i has the VIN WDB2030461B + i on six
//! digits and the readings 20,000 + i, 40,000 + i and 60,000 + i km, 900, 540 and 180 days
//! ago; the load sends readings from 70,000 + i km on, dated today.

use chrono::{Duration, NaiveTime, Utc};

use carpass::db::{self, accounts, DatabaseUrl};
use carpass::domain::language::Language;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use carpass::domain::vehicle::Vehicle;
use carpass::domain::vin::Vin;
use carpass::service::auth::{Account, Role};
use carpass::service::{inflow, register, Caller, Software};
use carpass::staff::{self, companies::CompanyKind};

use crate::Error;

pub const KBO: &str = "0403.170.701";

/// The Car-Pass scenario's vehicles are numbered from here (WDB2030461B100000 on), apart from
/// the fleet the SOAP load cycles over, so that no load adds to their histories.
pub const HISTORY_FIRST: usize = 100_000;
/// Readings seeded per Car-Pass vehicle: with the one RequestCarPass itself records, the
/// Car-Pass prints a 20-reading history, as the car-pass-pdf floor renders.
const HISTORY_READINGS: i64 = 19;

/// The odometer of a reading today for history vehicle `i` (from 0) that the history accepts:
/// one step of 5,000 km past its last seeded reading, as the seed numbers them (km + VIN number).
pub fn history_next_odometer(i: usize) -> u64 {
    5_000 * (HISTORY_READINGS as u64 + 1) + (HISTORY_FIRST + i) as u64
}

pub fn run(
    url: &str,
    username: &str,
    password: &str,
    vehicles: usize,
    history_vehicles: usize,
) -> Result<(), Error> {
    let pool = db::connect(&DatabaseUrl::parse(url)?, 1)?;
    let mut conn = pool.get()?;
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None)?;
    let now = Utc::now();
    staff::companies::add(
        &mut conn,
        &actor,
        KBO,
        "Garage Bank BV",
        "45201",
        CompanyKind::Garage,
        now,
    )?;
    staff::accounts::add(
        &mut conn,
        &actor,
        KBO,
        username,
        Role::Submitter,
        Some(password.into()),
        now,
    )?;
    let account =
        accounts::find_by_username(&mut conn, username)?.ok_or("the account was not stored")?;

    let first_registration = Some((now - Duration::days(5 * 365)).date_naive());
    let register: Vec<Vehicle> = (0..vehicles)
        .chain(HISTORY_FIRST..HISTORY_FIRST + history_vehicles)
        .map(|i| Vehicle {
            vin: Vin::parse(&vin(i)).expect("a valid VIN"),
            make: Some("Volkswagen".into()),
            model: Some("Golf".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_300),
            first_registration,
            first_registration_be: first_registration,
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: Some("6d".into()),
            co2_g_km: Some(120),
            fuel: Some("petrol".into()),
        })
        .collect();
    register::import(&mut conn, &register, now)?;

    let caller = Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: Language::En,
        software: Software {
            builder: Some("carpass".into()),
            name: Some("bench seed".into()),
            version: None,
        },
    };
    // Each round is sent on its own work date, as a DMS would have: on time, no warnings.
    let mut rounds: Vec<(i64, u64, std::ops::Range<usize>)> =
        [(900, 20_000), (540, 40_000), (180, 60_000)]
            .into_iter()
            .map(|(days_ago, km)| (days_ago, km, 0..vehicles))
            .collect();
    // The Car-Pass vehicles: a reading every 90 days, 5,000 km apart, the last 90 days ago.
    rounds.extend((0..HISTORY_READINGS).map(|k| {
        (
            90 * (HISTORY_READINGS - k),
            5_000 * (k as u64 + 1),
            HISTORY_FIRST..HISTORY_FIRST + history_vehicles,
        )
    }));
    for (days_ago, km, fleet) in rounds {
        let work_date = (now - Duration::days(days_ago)).date_naive();
        let expected = fleet.len();
        let submissions: Vec<Submission> = fleet
            .map(|i| Submission {
                client_reference: ClientReference::parse(&format!("seed-{days_ago}-{i}"))
                    .expect("short"),
                reading: ReadingInput {
                    vin: vin(i),
                    work_date,
                    odometer: km + i as u64,
                    unit: OdometerUnit::Km,
                    odometer_replaced: None,
                    subcontracted: false,
                    customer_type: CustomerType::Business,
                    invoice_total_cents: 24_050,
                    works: vec![Work {
                        activity_code: "MAINTENANCE".into(),
                        description: "Kleine onderhoudsbeurt".into(),
                    }],
                    license_plate: None,
                    source: carpass::domain::source::ReadingSource::Garage,
                },
            })
            .collect();
        let at = work_date
            .and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a time"))
            .and_utc();
        let receipts = inflow::submit(&mut conn, &caller, &submissions, at)?;
        let accepted = receipts
            .iter()
            .filter(|r| r.status.as_str() == "Accepted")
            .count();
        if accepted != expected {
            return Err(format!(
                "{} of {expected} seed readings {days_ago} days ago were not Accepted",
                expected - accepted
            )
            .into());
        }
    }
    println!(
        "SEED vehicles={vehicles} readings={} history_vehicles={history_vehicles} history_readings={}",
        3 * vehicles,
        HISTORY_READINGS as usize * history_vehicles
    );
    Ok(())
}

pub fn vin(i: usize) -> String {
    format!("WDB2030461B{i:06}")
}
