//! Certification sessions: each gets its own company, credentials, endpoint path and fixture
//! vehicles (unique VINs, with the histories the scenarios need) in the certification
//! database; the operator opens the steps one by one and attaches screenshots.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveTime, Utc};
use diesel::Connection;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{scenarios, CertificationError};
use crate::db::certification::{self as store, NewAttachment, SessionRow, StepRow};
use crate::db::{accounts, companies, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::certification::evaluation::Software;
use crate::domain::certification::scenario::{self, Sheet, SheetStep, SheetVehicle};
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;
use crate::service::auth::{Account, Role};
use crate::service::{inflow, passwords, register, Caller, ServiceError};

/// The SOAP endpoint of a session, under the server's address.
pub fn endpoint_path(session_id: &str) -> String {
    format!("/certify/{session_id}/soap/inflow")
}

/// The operator page of a session.
pub fn page_path(session_id: &str) -> String {
    format!("/certify/{session_id}")
}

/// ClientInfo carries at most this many characters per software field (the XSD).
const SOFTWARE_FIELD_MAX: usize = 100;
/// A screenshot larger than this is refused: a PNG of a screen is far smaller.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The company that owns the fixtures' earlier readings in the certification database.
const FIXTURE_KBO_FIRST_EIGHT: u32 = 19_999_999;
const FIXTURE_USER: &str = "certification-fixtures";

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub software: Software,
    pub company_id: i64,
    pub username: String,
    pub sheet: Sheet,
    pub created_at: DateTime<Utc>,
}

impl Session {
    fn from_row(row: SessionRow) -> Result<Session, CertificationError> {
        let sheet = serde_json::from_str(&row.sheet).map_err(|e| {
            ServiceError::Corrupt(format!(
                "the sheet of session {} cannot be read: {e}",
                row.id
            ))
        })?;
        Ok(Session {
            id: row.id,
            software: Software {
                builder: row.dms_builder,
                name: row.dms_name,
                version: row.dms_version,
            },
            company_id: row.company_id,
            username: row.username,
            sheet,
            created_at: row.created_at.and_utc(),
        })
    }
}

pub struct Started {
    pub session: Session,
    pub password: String,
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Session, CertificationError> {
    let row = store::find_session(conn, id.trim())?
        .ok_or_else(|| CertificationError::UnknownSession(id.to_owned()))?;
    Session::from_row(row)
}

pub fn all(conn: &mut DbConnection) -> Result<Vec<Session>, CertificationError> {
    store::sessions(conn)?
        .into_iter()
        .map(Session::from_row)
        .collect()
}

/// When each step's latest attempt was opened: the one the evaluation judges.
pub fn opened(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<BTreeMap<u32, DateTime<Utc>>, CertificationError> {
    Ok(attempts(conn, session_id)?
        .into_iter()
        .map(|s| (s.number, s.opened_at))
        .collect())
}

/// One opening of a step: the first attempt, or a later one when the step is played again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub attempt: u32,
    pub opened_at: DateTime<Utc>,
}

/// Every opening of every step, in the order they were opened.
pub fn attempts(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<Vec<Attempt>, CertificationError> {
    Ok(store::steps(conn, session_id)?
        .into_iter()
        .map(|s| Attempt {
            number: s.number as u32,
            attempt: s.attempt as u32,
            opened_at: s.opened_at.and_utc(),
        })
        .collect())
}

/// The step open now: the one opened last, with its attempt.
pub fn current_step(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<Option<Attempt>, CertificationError> {
    Ok(attempts(conn, session_id)?.pop())
}

/// Opens a session for a DMS name, version and builder, as the certified ClientInfo must say.
pub fn start(
    conn: &mut DbConnection,
    software: &Software,
    now: DateTime<Utc>,
) -> Result<Started, CertificationError> {
    start_holding(conn, software, now, None)
}

/// `start`, with the injected timeouts holding their request `hold_seconds` instead of the
/// scenario's time (tests play a patient and an impatient DMS against a short hold).
pub fn start_holding(
    conn: &mut DbConnection,
    software: &Software,
    now: DateTime<Utc>,
    hold_seconds: Option<u64>,
) -> Result<Started, CertificationError> {
    let software = Software {
        builder: software.builder.trim().to_owned(),
        name: software.name.trim().to_owned(),
        version: software.version.trim().to_owned(),
    };
    for (flag, value) in [
        ("--dms", &software.name),
        ("--dms-version", &software.version),
        ("--builder", &software.builder),
    ] {
        let length = value.chars().count();
        if length == 0 || length > SOFTWARE_FIELD_MAX {
            return Err(CertificationError::Invalid(format!(
                "{flag} must have 1 to {SOFTWARE_FIELD_MAX} characters, as ClientInfo carries it; it has {length}"
            )));
        }
    }
    let mut scenarios = scenarios::builtin();
    if let Some(hold) = hold_seconds {
        for inject in scenarios
            .iter_mut()
            .flat_map(|s| &mut s.steps)
            .filter_map(|s| s.inject.as_mut())
        {
            inject.hold_seconds = hold;
        }
    }
    let today = brussels_date(now);
    crate::db::writing(conn, |conn| {
        let id = new_session_id();
        let company_id = new_company(
            conn,
            &format!(
                "Certification {} {} ({})",
                software.name, software.version, software.builder
            ),
            now,
        )?;
        let username = format!("cert-{id}");
        let password = passwords::generate();
        add_account(conn, company_id, &username, &password, now)?;

        let mut vins = HashMap::new();
        for vehicle in scenarios.iter().flat_map(|s| &s.vehicles) {
            vins.insert(vehicle.key.clone(), new_vin());
        }
        let sheet = scenario::sheet(&scenarios, &vins, today);
        let fixtures = fixture_caller(conn, now)?;
        let registered: Vec<Vehicle> = sheet
            .vehicles
            .iter()
            .filter(|v| v.registered)
            .map(vehicle_of)
            .collect();
        register::import(conn, &registered, now)?;
        for vehicle in &sheet.vehicles {
            for (i, (work_date, odometer)) in vehicle.history.iter().enumerate() {
                let reference = ClientReference::parse(&format!("fixture-{}-{i}", vehicle.vin))
                    .expect("a short reference");
                let submission = Submission {
                    client_reference: reference,
                    reading: ReadingInput {
                        vin: vehicle.vin.clone(),
                        work_date: *work_date,
                        odometer: *odometer,
                        unit: OdometerUnit::Km,
                        odometer_replaced: None,
                        subcontracted: false,
                        customer_type: CustomerType::Business,
                        invoice_total_cents: 24_000,
                        works: vec![Work {
                            activity_code: "MAINTENANCE".into(),
                            description: "Onderhoudsbeurt".into(),
                        }],
                        license_plate: None,
                        source: crate::domain::source::ReadingSource::Garage,
                    },
                };
                let at = work_date
                    .and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a time"))
                    .and_utc();
                inflow::submit(conn, &fixtures, &[submission], at)?;
            }
        }
        let row = SessionRow {
            id: id.clone(),
            dms_name: software.name.clone(),
            dms_version: software.version.clone(),
            dms_builder: software.builder.clone(),
            company_id,
            username,
            sheet: serde_json::to_string(&sheet).expect("a sheet serialises"),
            created_at: now.naive_utc(),
        };
        store::insert_session(conn, &row)?;
        Ok(Started {
            session: Session::from_row(row)?,
            password,
        })
    })
}

/// A further account for the session's DMS (the reference DMS uses one), with a new password.
pub fn add_operator(
    conn: &mut DbConnection,
    session: &Session,
    suffix: &str,
    now: DateTime<Utc>,
) -> Result<(String, String), CertificationError> {
    let username = format!("{}-{suffix}", session.username);
    let password = passwords::generate();
    match accounts::find_by_username(conn, &username)? {
        Some(_) => {
            accounts::set_password_hash(conn, &username, &passwords::hash(&password))?;
        }
        None => add_account(conn, session.company_id, &username, &password, now)?,
    }
    Ok((username, password))
}

pub struct Opened {
    pub step: SheetStep,
    /// 1, or more when the step is played again.
    pub attempt: u32,
    pub opened_at: DateTime<Utc>,
}

/// Opens the step after the one open now: the moment C05 measures from. After a step was
/// played again, that is the next step's next attempt (the session resumes from there). A
/// step that registers a vehicle does so now, and the readings waiting for it are evaluated
/// again.
pub fn next(
    conn: &mut DbConnection,
    session_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Opened, CertificationError> {
    let session = find(conn, session_id)?;
    let number = current_step(conn, &session.id)?.map_or(1, |c| c.number + 1);
    open(conn, &session, number, by, now)
}

/// Plays a step again (SPEC 5.3 stays: nothing recorded is removed): a new attempt of it
/// opens now, the exchanges from here on belong to it, and the evaluation judges the latest
/// attempt of each step. `next` then resumes with the following step.
pub fn rerun(
    conn: &mut DbConnection,
    session_id: &str,
    number: u32,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Opened, CertificationError> {
    let session = find(conn, session_id)?;
    if !attempts(conn, &session.id)?
        .iter()
        .any(|a| a.number == number)
    {
        return Err(CertificationError::Invalid(format!(
            "step {number} of session {} has not been played yet: open it with `carpass certify next {}`",
            session.id, session.id
        )));
    }
    open(conn, &session, number, by, now)
}

fn open(
    conn: &mut DbConnection,
    session: &Session,
    number: u32,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Opened, CertificationError> {
    let attempt = attempts(conn, &session.id)?
        .iter()
        .filter(|a| a.number == number)
        .map(|a| a.attempt)
        .max()
        .unwrap_or(0)
        + 1;
    // The step's row is written first (see `new_company`); a concurrent `next` that opened the
    // same number makes this one fail on the primary key, and nothing is opened twice.
    conn.transaction(|conn| {
        let Some(step) = session.sheet.step(number).cloned() else {
            return Err(CertificationError::NoNextStep {
                session: session.id.clone(),
                steps: session.sheet.steps.len(),
            });
        };
        let row = StepRow {
            session_id: session.id.clone(),
            number: number as i32,
            attempt: attempt as i32,
            opened_at: now.naive_utc(),
            opened_by: by.to_owned(),
        };
        store::open_step(conn, &row).map_err(|e| {
            if crate::db::is_duplicate(&e) {
                CertificationError::StepTaken(number)
            } else {
                e.into()
            }
        })?;
        if let Some(vin) = &step.register {
            if let Some(vehicle) = session.sheet.vehicles.iter().find(|v| &v.vin == vin) {
                let mut registered = vehicle_of(vehicle);
                registered.first_registration = Some(brussels_date(now));
                registered.first_registration_be = Some(brussels_date(now));
                register::import(conn, &[registered], now)?;
            }
        }
        Ok(Opened {
            step,
            attempt,
            opened_at: now,
        })
    })
}

/// Screenshots are PNG or JPEG; anything else is refused before it is stored.
fn image_type(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Stores a screenshot as evidence for a step (C07, C14); returns its SHA-256.
pub fn attach(
    conn: &mut DbConnection,
    session_id: &str,
    step: u32,
    file_name: &str,
    content: Vec<u8>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<String, CertificationError> {
    let session = find(conn, session_id)?;
    if session.sheet.step(step).is_none() {
        return Err(CertificationError::Invalid(format!(
            "session {} has steps 1 to {}; there is no step {step}",
            session.id,
            session.sheet.steps.len()
        )));
    }
    if !opened(conn, &session.id)?.contains_key(&step) {
        return Err(CertificationError::Invalid(format!(
            "step {step} is not open yet: a screenshot proves what the DMS showed during the step"
        )));
    }
    if content.len() > ATTACHMENT_MAX_BYTES {
        return Err(CertificationError::Invalid(format!(
            "{file_name} has {} bytes; a screenshot may have at most {ATTACHMENT_MAX_BYTES}",
            content.len()
        )));
    }
    let content_type = image_type(&content).ok_or_else(|| {
        CertificationError::Invalid(format!(
            "{file_name} is not a PNG or JPEG image; attach a screenshot"
        ))
    })?;
    let sha256 = hex(&Sha256::digest(&content));
    let name = safe_file_name(file_name);
    let given = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let original_name = (name != given).then(|| given.to_owned());
    store::insert_attachment(
        conn,
        &NewAttachment {
            session_id: session.id,
            step: step as i32,
            file_name: name,
            content_type: content_type.to_owned(),
            content,
            sha256: sha256.clone(),
            attached_at: now.naive_utc(),
            attached_by: by.to_owned(),
            original_name,
        },
    )?;
    Ok(sha256)
}

/// The longest name a screenshot is stored under: with its `screenshots/step-07-2-` prefix it
/// fits a plain tar header (100 bytes), and any file system.
const FILE_NAME_MAX: usize = 64;

/// A screenshot's name as every consumer takes it (tar, file systems, `SHA256SUMS`, mail):
/// the last path component in ASCII letters, digits, `.`, `-` and `_`, at most
/// `FILE_NAME_MAX` bytes with its extension kept. The original is kept beside it.
pub fn safe_file_name(file_name: &str) -> String {
    let last = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut safe: String = last
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect();
    safe = safe.trim_start_matches('.').to_owned();
    if safe.len() > FILE_NAME_MAX {
        let extension = safe
            .rfind('.')
            .map(|dot| safe[dot..].to_owned())
            .filter(|e| e.len() <= 8)
            .unwrap_or_default();
        safe.truncate(FILE_NAME_MAX - extension.len());
        safe.push_str(&extension);
    }
    if safe.trim_matches(['_', '.']).is_empty() {
        "screenshot".into()
    } else {
        safe
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// ISO 3779 characters; the fixtures' VINs start with CPT so that nobody takes them for real.
fn new_vin() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..14)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    let vin = format!("CPT{tail}");
    debug_assert!(Vin::parse(&vin).is_ok());
    vin
}

/// Inserted first in its transaction: on SQLite a transaction that writes first waits for the
/// write lock instead of failing when another writer got there between its read and its write.
fn new_company(
    conn: &mut DbConnection,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, CertificationError> {
    loop {
        let kbo = EnterpriseNumber::from_first_eight(
            rand::thread_rng().gen_range(0..FIXTURE_KBO_FIRST_EIGHT),
        )
        .expect("in the enterprise range");
        let company = companies::NewCompany {
            kbo: kbo.digits(),
            name,
            kind: "garage",
            nace_codes: "45201",
            created_at: now.naive_utc(),
        };
        // A savepoint, so that a number already taken costs only this attempt.
        match conn.transaction(|conn| companies::insert(conn, &company)) {
            Ok(id) => return Ok(id),
            Err(e) if crate::db::is_duplicate(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

fn add_account(
    conn: &mut DbConnection,
    company_id: i64,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), CertificationError> {
    accounts::insert(
        conn,
        &accounts::NewAccount {
            company_id,
            username,
            role: Role::Submitter.as_str(),
            password_hash: &passwords::hash(password),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(())
}

/// The garage that "sent" the fixtures' history, made once per certification database.
fn fixture_caller(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<Caller, CertificationError> {
    let account = match accounts::find_by_username(conn, FIXTURE_USER)? {
        Some(account) => account,
        None => {
            let kbo =
                EnterpriseNumber::from_first_eight(FIXTURE_KBO_FIRST_EIGHT).expect("in range");
            let company = companies::NewCompany {
                kbo: kbo.digits(),
                name: "Certification fixtures",
                kind: "garage",
                nace_codes: "45201",
                created_at: now.naive_utc(),
            };
            // Two sessions started together on a fresh database both find no fixture garage:
            // the one that loses the race (a savepoint) reads what the other made.
            let company_id = match companies::find_by_kbo(conn, kbo.digits())? {
                Some(company) => company.id,
                None => match conn.transaction(|conn| companies::insert(conn, &company)) {
                    Err(e) if crate::db::is_duplicate(&e) => {
                        companies::find_by_kbo(conn, kbo.digits())?
                            .expect("the other session's")
                            .id
                    }
                    inserted => inserted?,
                },
            };
            // Nobody logs in as the fixtures: the password is thrown away.
            let added = conn.transaction(|conn| {
                add_account(conn, company_id, FIXTURE_USER, &passwords::generate(), now)
            });
            match added {
                Err(CertificationError::Service(ServiceError::Database(e)))
                    if crate::db::is_duplicate(&e) => {}
                other => other?,
            }
            accounts::find_by_username(conn, FIXTURE_USER)?.expect("just added")
        }
    };
    Ok(Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: Language::Nl,
        software: Default::default(),
    })
}

fn vehicle_of(v: &SheetVehicle) -> Vehicle {
    Vehicle {
        vin: Vin::parse(&v.vin).expect("fixture VINs are made valid"),
        make: Some(v.make.clone()),
        model: Some(v.model.clone()),
        category: Some(v.category.clone()),
        mass_kg: Some(1_400),
        first_registration: Some(v.first_registration),
        first_registration_be: Some(v.imported_used_on.unwrap_or(v.first_registration)),
        imported_used: Some(v.imported_used_on.is_some()),
        five_digit_odometer: Some(v.five_digit_odometer),
        euro_norm: Some("6d".into()),
        co2_g_km: Some(120),
        fuel: Some("petrol".into()),
    }
}

/// What `certify sheet --format json` and `GET /certify/{session}/sheet` give a DMS vendor's
/// automation: the session, its endpoint, every step with its structured data, and which
/// steps are open.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SheetView {
    pub session_id: String,
    pub dms: Software,
    pub username: String,
    pub endpoint_path: String,
    pub operator_page_path: String,
    pub vehicles: Vec<SheetVehicle>,
    pub steps: Vec<SheetStep>,
    pub opened: Vec<OpenedStep>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OpenedStep {
    pub number: u32,
    /// 1, or more for a step played again.
    pub attempt: u32,
    pub opened_at: DateTime<Utc>,
    /// The work date of the step's job: the day it was opened, in Brussels.
    pub work_date: chrono::NaiveDate,
}

pub fn sheet_view(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<SheetView, CertificationError> {
    let session = find(conn, session_id)?;
    let opened = attempts(conn, &session.id)?
        .into_iter()
        .map(|a| OpenedStep {
            number: a.number,
            attempt: a.attempt,
            opened_at: a.opened_at,
            work_date: brussels_date(a.opened_at),
        })
        .collect();
    Ok(SheetView {
        endpoint_path: endpoint_path(&session.id),
        operator_page_path: page_path(&session.id),
        session_id: session.id,
        dms: session.software,
        username: session.username,
        vehicles: session.sheet.vehicles,
        steps: session.sheet.steps,
        opened,
    })
}

/// The sheet for people, in one language.
pub fn render_text(view: &SheetView, language: scenario::SheetLanguage, base_url: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Certification session {} for {} {} ({})",
        view.session_id, view.dms.name, view.dms.version, view.dms.builder
    );
    let _ = writeln!(out, "Endpoint:      {base_url}{}", view.endpoint_path);
    let _ = writeln!(out, "Operator page: {base_url}{}", view.operator_page_path);
    let _ = writeln!(out, "User name:     {}", view.username);
    let mut scenario = "";
    for step in &view.steps {
        if step.scenario != scenario {
            scenario = &step.scenario;
            let _ = writeln!(out, "\n== {} ==", step.scenario_title.get(language));
        }
        let criteria: Vec<&str> = step.criteria.iter().map(|c| c.id()).collect();
        // The latest attempt is the one judged, and its work date the one the DMS sends.
        let state = match view.opened.iter().rfind(|o| o.number == step.number) {
            Some(o) if o.attempt > 1 => format!(
                "attempt {} opened {}, work date {}",
                o.attempt,
                o.opened_at.format("%Y-%m-%d %H:%M:%S UTC"),
                o.work_date
            ),
            Some(o) => format!(
                "opened {}, work date {}",
                o.opened_at.format("%Y-%m-%d %H:%M:%S UTC"),
                o.work_date
            ),
            None => "not opened".into(),
        };
        let _ = writeln!(
            out,
            "\nStep {} [{}] ({state})",
            step.number,
            criteria.join(", ")
        );
        let _ = writeln!(out, "  {}", step.instructions.get(language));
        if let Some(screenshot) = &step.screenshot {
            let _ = writeln!(out, "  Screenshot: {}", screenshot.get(language));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn a_file_name_keeps_only_what_every_consumer_takes() {
        assert_eq!(safe_file_name("/home/dev/shot 1 (é).png"), "shot_1____.png");
        assert_eq!(safe_file_name("C:\\shots\\a.png"), "a.png");
        assert_eq!(safe_file_name("../../.."), "screenshot");
        assert_eq!(safe_file_name(".hidden.png"), "hidden.png");
        assert_eq!(safe_file_name("\n\u{7}"), "screenshot");
    }

    #[test]
    fn a_long_file_name_is_cut_keeping_its_extension() {
        let long = format!("{}.png", "a".repeat(300));
        let safe = safe_file_name(&long);
        assert_eq!(safe.len(), 64);
        assert!(safe.ends_with("a.png"));
        // With the bundle's longest prefix it fits a plain tar header.
        assert!(format!("screenshots/step-07-99-{safe}").len() <= 100);
    }
}
