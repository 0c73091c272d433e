//! `carpass serve --demo`: every part at once, so that a newcomer can try each without reading
//! further: a garage, a portal and a staff account (one table, `ACCOUNTS`: a later part adds its
//! row), vehicles with histories, readings waiting in the review queue, and a certification
//! session ready to play. Safe to run again: the passwords are renewed each time, and a new
//! session is opened.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::companies::{self, CompanyKind};
use super::{Actor, Refusal, StaffError};
use crate::db::{accounts, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::country::Country;
use crate::domain::issue::Severity;
use crate::domain::issue_state::IssueState;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::post_accident::InformexReference;
use crate::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use crate::domain::status::ReadingStatus;
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;
use crate::service::auth::{Account, Role};
use crate::service::corrections::{self, Answer};
use crate::service::foreign_history::{self, ForeignReading};
use crate::service::{
    inflow, labels, passwords, post_accident, recalls, register, Caller, Software,
};

pub const DEMO_KBO: &str = "1234.567.894";
pub const DEMO_USER: &str = "demo-garage";
pub const DEMO_PORTAL_USER: &str = "demo-portal";
pub const DEMO_STAFF_USER: &str = "demo-staff";
/// An inspection centre's clerk: asks for Car-Passes (RequestCarPass).
pub const DEMO_INSPECTOR_USER: &str = "demo-inspection";
/// An importer (the manufacturer role): sends foreign histories (SubmitForeignHistory).
pub const DEMO_IMPORTER_USER: &str = "demo-importer";
/// An accident expert: reports post-accident inspections (ReportPostAccident).
pub const DEMO_EXPERT_USER: &str = "demo-expert";

/// A demo account and its company, created if missing.
pub struct DemoAccount {
    /// How the banner names it, e.g. `submitter`.
    pub label: &'static str,
    pub username: &'static str,
    pub role: Role,
    pub kbo: &'static str,
    pub company: &'static str,
    pub nace: &'static str,
    pub kind: CompanyKind,
    /// Where it works, after the server's address.
    pub path: &'static str,
}

/// Every demo account, in the order the banner prints them: a part that adds a kind of account
/// (an inspection centre's, a manufacturer's) adds its row here.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        label: "submitter",
        username: DEMO_USER,
        role: Role::Submitter,
        kbo: DEMO_KBO,
        company: "Garage Demo BV",
        nace: "45201",
        kind: CompanyKind::Garage,
        path: "/soap/inflow",
    },
    DemoAccount {
        label: "portal",
        username: DEMO_PORTAL_USER,
        role: Role::Portal,
        kbo: "1122.334.441",
        company: "Demo Autoportaal NV",
        nace: "63120",
        kind: CompanyKind::Portal,
        path: "/soap/inflow",
    },
    DemoAccount {
        label: "inspector",
        username: DEMO_INSPECTOR_USER,
        role: Role::Inspector,
        kbo: "0417.497.106",
        company: "Demo Keuringscentrum",
        nace: "71200",
        kind: CompanyKind::Inspection,
        path: "/soap/inflow",
    },
    DemoAccount {
        label: "importer",
        username: DEMO_IMPORTER_USER,
        role: Role::Manufacturer,
        kbo: "0400.000.185",
        company: "Demo Import NV",
        nace: "46190",
        kind: CompanyKind::Manufacturer,
        path: "/soap/feeds",
    },
    DemoAccount {
        label: "expert",
        username: DEMO_EXPERT_USER,
        role: Role::Expert,
        kbo: "0411.111.140",
        company: "Demo Expertisebureau",
        nace: "",
        kind: CompanyKind::Expert,
        path: "/soap/feeds",
    },
    DemoAccount {
        label: "staff",
        username: DEMO_STAFF_USER,
        role: Role::Staff,
        kbo: "1000.001.110",
        company: "Car-Pass demo registry",
        nace: "",
        kind: CompanyKind::Registry,
        path: "/staff",
    },
];

/// Readings the demo garage confirmed as right although they contradict the history: they wait
/// in the review queue for staff. (client reference, VIN, days ago, odometer, the garage's note)
const FOR_REVIEW: [(&str, &str, i64, u64, &str); 2] = [
    (
        "demo-review-1",
        "WDB2030461A000001",
        30,
        90_400,
        "teller vervangen na defect; factuur van de dealer bij de klant",
    ),
    (
        "demo-review-2",
        "WDB2030461A000001",
        15,
        94_000,
        "klant bevestigt de stand",
    ),
];

/// The car the demo portal advertises with an OK label, and the mileage of its advert.
const LABELLED_VIN: &str = "VF3LBHNSMHS000308";
const ADVERTISED_KM: u64 = 78_500;

pub struct DemoCredentials {
    /// Each of `ACCOUNTS` with its new password.
    pub accounts: Vec<(&'static DemoAccount, String)>,
    pub vins: Vec<String>,
    /// The readings waiting in the review queue.
    pub in_review: Vec<String>,
    /// The OK label the demo portal was granted, for its public page `/label/{id}`.
    pub label: Option<String>,
}

impl DemoCredentials {
    /// The password of the account named, for the banner and tests.
    pub fn password(&self, username: &str) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(a, _)| a.username == username)
            .map(|(_, password)| password.as_str())
    }
}

pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<DemoCredentials, StaffError> {
    let mut credentials = Vec::new();
    for account in ACCOUNTS {
        credentials.push((account, ensure_account(conn, account, now)?));
    }

    let vehicles = demo_vehicles(now);
    register::import(conn, &vehicles, now)?;
    let account = accounts::find_by_username(conn, DEMO_USER)?
        .ok_or_else(|| StaffError::NotFound(Refusal::Untranslated(DEMO_USER.into())))?;
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
        (LABELLED_VIN, 44, 6_100),
        (LABELLED_VIN, 36, 21_400),
        (LABELLED_VIN, 24, 43_900),
        (LABELLED_VIN, 12, 64_250),
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
    let mut in_review = Vec::new();
    for (reference, vin, days_ago, odometer, note) in FOR_REVIEW {
        let work_date = (now - Duration::days(days_ago)).date_naive();
        let submission = Submission {
            client_reference: ClientReference::parse(reference).expect("a short reference"),
            reading: ReadingInput {
                vin: vin.into(),
                work_date,
                odometer,
                unit: OdometerUnit::Km,
                odometer_replaced: None,
                subcontracted: false,
                customer_type: CustomerType::Private,
                invoice_total_cents: 18_950,
                works: vec![Work {
                    activity_code: "MAINTENANCE".into(),
                    description: "Kleine onderhoudsbeurt".into(),
                }],
                license_plate: None,
                source: crate::domain::source::ReadingSource::Garage,
            },
        };
        // Sent again on a later run, the reading answers its stored receipt: confirmed then.
        let mut receipt = inflow::submit(conn, &caller, &[submission], now)?.remove(0);
        if receipt.status == ReadingStatus::PendingCorrection {
            let open: Vec<_> = receipt
                .issues
                .iter()
                .filter(|i| i.severity == Severity::Error && i.state == Some(IssueState::Open))
                .filter_map(|i| i.number)
                .collect();
            for number in open {
                let confirmation = Answer::Confirmation(Some(note.to_owned()));
                // Refused (staff decided on it meanwhile): it is no longer in review.
                if let Ok(after) = corrections::answer(conn, &caller, number, &confirmation, now)? {
                    receipt = after;
                }
            }
        }
        if receipt.status == ReadingStatus::Reviewing {
            in_review.push(receipt.reading_id);
        }
    }
    report_recall(conn, now)?;
    rdw_history(conn, now)?;
    partner_reports(conn, now)?;
    let label = grant_label(conn, now)?;
    Ok(DemoCredentials {
        accounts: credentials,
        vins: vehicles.iter().map(|v| v.vin.to_string()).collect(),
        in_review,
        label,
    })
}

/// An open recall on the first car, as the demo importer reports it (ReportRecall): its
/// Car-Pass prints it until a garage's RECALL_CAMPAIGN job closes it. Left as it is on a later
/// run.
fn report_recall(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), StaffError> {
    let importer = accounts::find_by_username(conn, DEMO_IMPORTER_USER)?
        .ok_or_else(|| StaffError::NotFound(Refusal::Untranslated(DEMO_IMPORTER_USER.into())))?;
    let report = recalls::Report {
        vins: vec!["WDB2030461A000001".into()],
        reference: "DEMO-24-017".into(),
        title_nl: Some("Airbag bestuurder vervangen".into()),
        title_fr: Some("Remplacement de l'airbag conducteur".into()),
        title_de: Some("Austausch des Fahrerairbags".into()),
        title_en: Some("Driver's airbag replacement".into()),
        opened_on: (now - Duration::days(60)).date_naive(),
    };
    match recalls::report(conn, importer.company_id, &report, now) {
        Ok(_) => Ok(()),
        Err(recalls::RecallError::Service(e)) => Err(e.into()),
        Err(refused) => Err(StaffError::Invalid(Refusal::Untranslated(
            refused.to_string(),
        ))),
    }
}

/// The demo portal's OK label on the Golf's advert, as RequestOkLabel grants it (none if the
/// history no longer allows it).
fn grant_label(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Option<String>, StaffError> {
    if !labels::judge(conn, LABELLED_VIN, ADVERTISED_KM, now)?.granted() {
        return Ok(None);
    }
    let caller = caller(conn, DEMO_PORTAL_USER, Role::Portal)?;
    let reference = Some("demo-advert-308".to_owned());
    Ok(Some(labels::grant(
        conn,
        &caller,
        LABELLED_VIN,
        ADVERTISED_KM,
        reference,
        now,
    )?))
}

/// A demo account as it calls the service.
fn caller(conn: &mut DbConnection, username: &str, role: Role) -> Result<Caller, StaffError> {
    let account = accounts::find_by_username(conn, username)?
        .ok_or_else(|| StaffError::NotFound(Refusal::Untranslated(username.into())))?;
    Ok(Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role,
        },
        language: Language::Nl,
        software: Software::default(),
    })
}

/// The other partners' feeds, so that every part of a Car-Pass shows in the demo: the
/// importer's Dutch reading of the Golf (SubmitForeignHistory) and an expert's report that
/// the Mercedes must pass a post-accident inspection (ReportPostAccident). A later run stores
/// the reading once and finds the report's INFORMEX reference taken.
fn partner_reports(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), StaffError> {
    let today = brussels_date(now);
    let importer = caller(conn, DEMO_IMPORTER_USER, Role::Manufacturer)?;
    let golf = Vin::parse("WVWZZZ1KZ8W123456").expect("a valid demo VIN");
    let netherlands = Country::parse("NL").expect("a country code");
    let reading = ForeignReading {
        date: (now - Duration::days(5 * 365)).date_naive(),
        odometer: 93_400,
        unit: OdometerUnit::Km,
        source: "Volkswagen Dealer Utrecht BV".into(),
    };
    if let Err(refused) = foreign_history::submit(
        conn,
        &importer,
        &golf,
        netherlands,
        &[reading],
        today,
        now.naive_utc(),
    )? {
        return Err(StaffError::Invalid(Refusal::Untranslated(
            refused.to_string(),
        )));
    }
    let expert = caller(conn, DEMO_EXPERT_USER, Role::Expert)?;
    let mercedes = Vin::parse("WDB2030461A000001").expect("a valid demo VIN");
    let reference =
        InformexReference::parse("IFX-DEMO-000123").expect("a valid INFORMEX reference");
    let reported = post_accident::report(
        conn,
        &expert,
        &mercedes,
        today - Duration::days(10),
        &reference,
        today,
        now.naive_utc(),
    )?;
    match reported {
        Ok(_) | Err(post_accident::Refusal::Duplicate { .. }) => Ok(()),
        Err(refused) => Err(StaffError::Invalid(Refusal::Untranslated(
            refused.to_string(),
        ))),
    }
}

/// The account and its company, created if missing; its password renewed if not.
/// The Golf came from the Netherlands: the RDW's history of it, imported once (a later run
/// finds the batch and leaves it).
fn rdw_history(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), StaffError> {
    const BATCH: &str = "demo-rdw.csv";
    let upload = super::feeds::rdw_upload(conn, BATCH)?;
    if crate::db::feeds::find_batch(conn, upload.company_id, BATCH)?.is_some() {
        return Ok(());
    }
    let mut file = String::from("vin;date;odometer;unit;verdict\n");
    for (years_ago, odometer) in [(8, 31_500), (6, 74_200), (4, 112_900)] {
        let date = (now - Duration::days(years_ago * 365)).date_naive();
        file.push_str(&format!("WVWZZZ1KZ8W123456;{date};{odometer};km;logisch\n"));
    }
    super::feeds::import(conn, &upload, file.as_bytes(), || now, |_| {})?;
    Ok(())
}

fn ensure_account(
    conn: &mut DbConnection,
    account: &DemoAccount,
    now: DateTime<Utc>,
) -> Result<String, StaffError> {
    let demo = Actor::demo();
    let company = companies::add(
        conn,
        &demo,
        account.kbo,
        account.company,
        account.nace,
        account.kind,
        now,
    );
    match company {
        Ok(_) | Err(StaffError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    let password = passwords::generate();
    let username = account.username;
    if accounts::find_by_username(conn, username)?.is_some() {
        super::accounts::reset_password(conn, &demo, username, Some(password.clone()), None, now)?;
    } else {
        super::accounts::add(
            conn,
            &demo,
            account.kbo,
            username,
            account.role,
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
        Vehicle {
            vin: vin(LABELLED_VIN),
            make: Some("Peugeot".into()),
            model: Some("308".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_320),
            first_registration: years_ago(4),
            first_registration_be: years_ago(4),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: Some("6d".into()),
            co2_g_km: Some(118),
            fuel: Some("petrol".into()),
        },
    ]
}
