//! `carpass serve --demo`: a demo garage, its account and a few vehicles with histories, so that
//! a newcomer can send a reading at once. Safe to run again: the password is renewed each time.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::companies::{self, CompanyKind};
use super::{Actor, StaffError};
use crate::db::{accounts, DbConnection};
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;
use crate::service::auth::{Account, Role};
use crate::service::{inflow, passwords, register, Caller, Software};

pub const DEMO_KBO: &str = "1234.567.894";
pub const DEMO_USER: &str = "demo-garage";
pub const DEMO_PORTAL_USER: &str = "demo-portal";
const DEMO_PORTAL_KBO: &str = "1122.334.441";
/// An inspection centre's clerk: asks for Car-Passes (RequestCarPass).
pub const DEMO_INSPECTOR_USER: &str = "demo-inspection";
const DEMO_INSPECTION_KBO: &str = "0417.497.106";

pub struct DemoCredentials {
    pub garage_password: String,
    pub portal_password: String,
    pub inspector_password: String,
    pub vins: Vec<String>,
}

pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<DemoCredentials, StaffError> {
    let garage_password = ensure_account(
        conn,
        DEMO_KBO,
        "Garage Demo BV",
        "45201",
        CompanyKind::Garage,
        DEMO_USER,
        Role::Submitter,
        now,
    )?;
    let portal_password = ensure_account(
        conn,
        DEMO_PORTAL_KBO,
        "Demo Autoportaal NV",
        "63120",
        CompanyKind::Portal,
        DEMO_PORTAL_USER,
        Role::Portal,
        now,
    )?;
    let inspector_password = ensure_account(
        conn,
        DEMO_INSPECTION_KBO,
        "Demo Keuringscentrum",
        "71200",
        CompanyKind::Inspection,
        DEMO_INSPECTOR_USER,
        Role::Inspector,
        now,
    )?;

    let vehicles = demo_vehicles(now);
    register::import(conn, &vehicles, now)?;
    let account = accounts::find_by_username(conn, DEMO_USER)?
        .ok_or_else(|| StaffError::NotFound(DEMO_USER.into()))?;
    let caller = Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: Language::Nl,
        software: Software {
            builder: Some("carpass".into()),
            name: Some("demo seed".into()),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    };
    // Each past reading is submitted as it would have been, on its work date.
    for (vin, months_ago, odometer) in [
        ("WDB2030461A000001", 24, 61_200),
        ("WDB2030461A000001", 12, 94_850),
        ("VF1RFB00X12345678", 30, 98_500),
        ("VF1RFB00X12345678", 18, 12_300),
    ] {
        let work_date = (now - Duration::days(months_ago * 30)).date_naive();
        let submission = Submission {
            client_reference: ClientReference::parse(&format!("demo-{vin}-{months_ago}"))
                .expect("a short reference"),
            reading: ReadingInput {
                vin: vin.into(),
                work_date,
                odometer,
                unit: OdometerUnit::Km,
                odometer_replaced: None,
                subcontracted: false,
                customer_type: CustomerType::Business,
                invoice_total_cents: 31_075,
                works: vec![Work {
                    activity_code: "MAINTENANCE".into(),
                    description: "Onderhoudsbeurt volgens fabrieksvoorschrift".into(),
                }],
                license_plate: None,
                source: crate::domain::source::ReadingSource::Garage,
            },
        };
        let at = work_date
            .and_hms_opt(10, 0, 0)
            .expect("a valid time")
            .and_utc();
        inflow::submit(conn, &caller, &[submission], at)?;
    }
    Ok(DemoCredentials {
        garage_password,
        portal_password,
        inspector_password,
        vins: vehicles.iter().map(|v| v.vin.to_string()).collect(),
    })
}

#[allow(clippy::too_many_arguments)]
fn ensure_account(
    conn: &mut DbConnection,
    kbo: &str,
    name: &str,
    nace: &str,
    kind: CompanyKind,
    username: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<String, StaffError> {
    let demo = Actor::demo();
    match companies::add(conn, &demo, kbo, name, nace, kind, now) {
        Ok(_) | Err(StaffError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    let password = passwords::generate();
    if accounts::find_by_username(conn, username)?.is_some() {
        super::accounts::reset_password(conn, &demo, username, Some(password.clone()), None, now)?;
    } else {
        super::accounts::add(
            conn,
            &demo,
            kbo,
            username,
            role,
            Some(password.clone()),
            now,
        )?;
    }
    Ok(password)
}

fn demo_vehicles(now: DateTime<Utc>) -> Vec<Vehicle> {
    let years_ago = |years: i64| -> Option<NaiveDate> {
        Some((now - Duration::days(years * 365)).date_naive())
    };
    let vin = |v: &str| Vin::parse(v).expect("a valid demo VIN");
    vec![
        Vehicle {
            vin: vin("WDB2030461A000001"),
            make: Some("Mercedes-Benz".into()),
            model: Some("C 200".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_545),
            first_registration: years_ago(5),
            first_registration_be: years_ago(5),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: Some("6d-TEMP".into()),
            co2_g_km: Some(138),
            fuel: Some("petrol".into()),
        },
        Vehicle {
            vin: vin("VF1RFB00X12345678"),
            make: Some("Renault".into()),
            model: Some("Kangoo".into()),
            category: Some("N1".into()),
            mass_kg: Some(1_420),
            first_registration: years_ago(12),
            first_registration_be: years_ago(12),
            imported_used: Some(false),
            five_digit_odometer: Some(true),
            euro_norm: Some("4".into()),
            co2_g_km: Some(152),
            fuel: Some("diesel".into()),
        },
        Vehicle {
            vin: vin("WVWZZZ1KZ8W123456"),
            make: Some("Volkswagen".into()),
            model: Some("Golf".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_280),
            first_registration: years_ago(9),
            first_registration_be: years_ago(3),
            imported_used: Some(true),
            five_digit_odometer: Some(false),
            euro_norm: Some("5".into()),
            co2_g_km: Some(129),
            fuel: Some("diesel".into()),
        },
    ]
}
