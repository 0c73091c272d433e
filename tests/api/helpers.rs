//! One real server per test, on a random port, with its own database: a SQLite file in a temp
//! dir, or a fresh PostgreSQL database when CARPASS_TEST_POSTGRES_URL names a server.

use std::process::Command;
use std::sync::Once;

use carpass::clock::Clock;
use carpass::db::{self, DatabaseUrl, Pool};
use carpass::domain::vehicle::Vehicle;
use carpass::domain::vin::Vin;
use carpass::service::auth::Role;
use carpass::service::register;
use carpass::settings::Settings;
use carpass::staff::{self, companies::CompanyKind};
use carpass::startup::Application;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel::{Connection, RunQueryDsl};

pub const NS: &str = "urn:carpass:inflow:1";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

pub const GARAGE_KBO: &str = "0403.170.701";
pub const OTHER_GARAGE_KBO: &str = "1234.567.894";
pub const PORTAL_KBO: &str = "1122.334.441";
pub const REGISTRY_KBO: &str = "1000.010.117";
pub const STAFF_USER: &str = "clerk-one";
pub const GARAGE_USER: &str = "garage-one";
pub const OTHER_USER: &str = "garage-two";
pub const PORTAL_USER: &str = "portal-one";
pub const PASSWORD: &str = "correct horse battery staple";

/// A registered passenger car with a 6-digit odometer.
pub const CAR: &str = "WDB2030461A000001";
/// A registered light commercial vehicle with a 5-digit odometer.
pub const VAN5: &str = "VF1RFB00X12345678";
/// A registered truck (N3): outside the reporting duty.
pub const TRUCK: &str = "YV2RT40A0EB123456";
/// A valid VIN the register does not know.
pub const UNREGISTERED: &str = "ZFA31200000123456";

/// The tests' "now": Tuesday 3 June 2025, 10:00 in Brussels.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 3, 8, 0, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub pool: Pool,
    pub database_url: DatabaseUrl,
    _guard: DatabaseGuard,
}

enum DatabaseGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if let DatabaseGuard::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = diesel::pg::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// The PostgreSQL server the tests may use, if any. In CI (CARPASS_REQUIRE_POSTGRES=1) its
/// absence fails the test instead of skipping it.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("CARPASS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CARPASS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CARPASS_REQUIRE_POSTGRES=1 but CARPASS_TEST_POSTGRES_URL is not set");
            }
            static SAY: Once = Once::new();
            SAY.call_once(|| {
                eprintln!("SKIPPED PostgreSQL variants: set CARPASS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST/postgres (a role that may CREATE DATABASE) to run them")
            });
            None
        }
    }
}

/// A fresh database of the backend, empty but migrated on first connect.
pub fn fresh_database(backend: Backend) -> Option<(DatabaseUrl, DatabaseGuardHandle)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temp dir");
            let url = DatabaseUrl::Sqlite(dir.path().join("carpass.db"));
            Some((url, DatabaseGuardHandle(DatabaseGuard::Sqlite(dir))))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url()?;
            let name = format!("carpass_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::pg::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("cannot reach CARPASS_TEST_POSTGRES_URL: {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("CREATE DATABASE");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("a URL with a database name");
            let url = DatabaseUrl::Postgres(format!("{base}/{name}"));
            Some((
                url,
                DatabaseGuardHandle(DatabaseGuard::Postgres { admin_url, name }),
            ))
        }
    }
}

/// Drops the test database when the test ends.
pub struct DatabaseGuardHandle(DatabaseGuard);

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Clock::Fixed(now())).await
}

pub async fn spawn_app_with(backend: Backend, clock: Clock) -> Option<TestApp> {
    spawn_app_tuned(backend, |settings| settings.clock = clock).await
}

/// An app with some settings changed from the tests' usual ones.
pub async fn spawn_app_tuned(
    backend: Backend,
    tune: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let (database_url, guard) = fresh_database(backend)?;
    let mut settings = Settings::new("127.0.0.1:0", database_url.clone());
    settings.clock = Clock::Fixed(now());
    settings.workers = Some(2);
    settings.pool_size = 4;
    tune(&mut settings);
    let app = Application::build(settings).expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let pool = db::connect(&database_url, 2).expect("a pool for the test");
    seed(&pool);
    Some(TestApp {
        address,
        pool,
        database_url,
        _guard: guard.0,
    })
}

fn seed(pool: &Pool) {
    let mut conn = pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None).unwrap();
    let at = now();
    staff::companies::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        "Garage Janssens BV",
        "45201",
        CompanyKind::Garage,
        at,
    )
    .unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        OTHER_GARAGE_KBO,
        "Bandencentrale Peeters",
        "45320",
        CompanyKind::Garage,
        at,
    )
    .unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        PORTAL_KBO,
        "Autoportaal NV",
        "63120",
        CompanyKind::Portal,
        at,
    )
    .unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        REGISTRY_KBO,
        "Het Register vzw",
        "94990",
        CompanyKind::Registry,
        at,
    )
    .unwrap();
    for (kbo, user, role) in [
        (GARAGE_KBO, GARAGE_USER, Role::Submitter),
        (OTHER_GARAGE_KBO, OTHER_USER, Role::Submitter),
        (PORTAL_KBO, PORTAL_USER, Role::Portal),
        (REGISTRY_KBO, STAFF_USER, Role::Staff),
    ] {
        staff::accounts::add(
            &mut conn,
            &actor,
            kbo,
            user,
            role,
            Some(PASSWORD.into()),
            at,
        )
        .unwrap();
    }
    register::import(
        &mut conn,
        &[
            vehicle(CAR, "M1", false),
            vehicle(VAN5, "N1", true),
            vehicle(TRUCK, "N3", false),
        ],
        at,
    )
    .unwrap();
}

pub fn vehicle(vin: &str, category: &str, five_digit: bool) -> Vehicle {
    Vehicle {
        vin: Vin::parse(vin).unwrap(),
        make: Some("Make".into()),
        model: Some("Model".into()),
        category: Some(category.into()),
        mass_kg: Some(if category == "N3" { 18_000 } else { 1_500 }),
        first_registration: Some(date(2019, 3, 1)),
        first_registration_be: Some(date(2019, 3, 1)),
        imported_used: Some(false),
        five_digit_odometer: Some(five_digit),
        euro_norm: None,
        co2_g_km: None,
        fuel: None,
    }
}

/// Runs a scenario on SQLite, and on PostgreSQL when one is configured.
macro_rules! on_both_backends {
    ($(#[doc = $doc:literal])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[doc = $doc])*
            async fn scenario($app: $crate::helpers::TestApp) $body

            #[actix_web::test]
            async fn on_sqlite() {
                scenario($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await.unwrap()).await
            }

            #[actix_web::test]
            async fn on_postgres() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                    scenario(app).await
                }
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Requests

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Soap {
    V11,
    V12,
}

impl Soap {
    pub fn namespace(self) -> &'static str {
        match self {
            Soap::V11 => SOAP11,
            Soap::V12 => SOAP12,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Soap::V11 => "text/xml; charset=utf-8",
            Soap::V12 => "application/soap+xml; charset=utf-8",
        }
    }
}

pub fn security(user: &str, password: &str) -> String {
    format!(
        r#"<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</wsse:Password></wsse:UsernameToken></wsse:Security>"#
    )
}

pub fn client_info(language: &str) -> String {
    format!(
        r#"<ci:ClientInfo xmlns:ci="{NS}"><ci:Language>{language}</ci:Language><ci:SoftwareBuilder>Garagesoft NV</ci:SoftwareBuilder><ci:SoftwareName>WerkplaatsPro</ci:SoftwareName><ci:SoftwareVersion>7.2.1</ci:SoftwareVersion></ci:ClientInfo>"#
    )
}

pub fn envelope(version: Soap, header: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{}"><env:Header>{header}</env:Header><env:Body>{body}</env:Body></env:Envelope>"#,
        version.namespace()
    )
}

/// A reading as a DMS would send it; fields are written in the XSD's order.
#[derive(Debug, Clone)]
pub struct Reading {
    pub reference: String,
    pub vin: String,
    pub work_date: String,
    pub odometer: String,
    pub unit: Option<&'static str>,
    pub replaced: Option<u64>,
    pub subcontracted: bool,
    pub customer: &'static str,
    pub total: &'static str,
    pub works: Vec<(String, String)>,
    pub plate: Option<&'static str>,
}

pub fn reading(reference: &str, vin: &str, work_date: NaiveDate, odometer: u64) -> Reading {
    Reading {
        reference: reference.into(),
        vin: vin.into(),
        work_date: work_date.to_string(),
        odometer: odometer.to_string(),
        unit: None,
        replaced: None,
        subcontracted: false,
        customer: "Business",
        total: "240.50",
        works: vec![("MAINTENANCE".into(), "Kleine onderhoudsbeurt".into())],
        plate: None,
    }
}

impl Reading {
    /// The reading's child elements under the given prefix (empty for the default namespace).
    pub fn fields(&self, p: &str, with_reference: bool) -> String {
        let mut x = String::new();
        if with_reference {
            x += &format!(
                "<{p}ClientReference>{}</{p}ClientReference>",
                self.reference
            );
        }
        x += &format!(
            "<{p}Vin>{}</{p}Vin><{p}WorkDate>{}</{p}WorkDate><{p}Odometer>{}</{p}Odometer>",
            self.vin, self.work_date, self.odometer
        );
        if let Some(unit) = self.unit {
            x += &format!("<{p}OdometerUnit>{unit}</{p}OdometerUnit>");
        }
        if let Some(replaced) = self.replaced {
            x += &format!("<{p}OdometerReplaced>{replaced}</{p}OdometerReplaced>");
        }
        x += &format!(
            "<{p}Subcontracted>{}</{p}Subcontracted><{p}CustomerType>{}</{p}CustomerType><{p}InvoiceTotal>{}</{p}InvoiceTotal>",
            self.subcontracted, self.customer, self.total
        );
        for (code, description) in &self.works {
            x += &format!("<{p}Work><{p}ActivityCode>{code}</{p}ActivityCode><{p}Description>{description}</{p}Description></{p}Work>");
        }
        if let Some(plate) = self.plate {
            x += &format!("<{p}LicensePlate>{plate}</{p}LicensePlate>");
        }
        x
    }
}

pub fn submit_body(readings: &[Reading]) -> String {
    let inner: String = readings
        .iter()
        .map(|r| format!("<c:Reading>{}</c:Reading>", r.fields("c:", true)))
        .collect();
    format!(r#"<c:SubmitReadings xmlns:c="{NS}">{inner}</c:SubmitReadings>"#)
}

pub fn validate_body(reading: &Reading) -> String {
    format!(
        r#"<c:ValidateReading xmlns:c="{NS}"><c:Reading>{}</c:Reading></c:ValidateReading>"#,
        reading.fields("c:", true)
    )
}

pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl TestApp {
    pub fn endpoint(&self) -> String {
        format!("{}/soap/inflow", self.address)
    }

    pub async fn post(
        &self,
        content_type: &str,
        extra: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> Response {
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish();
        let mut request = client
            .post(self.endpoint())
            .insert_header(("Content-Type", content_type));
        for (name, value) in extra {
            request = request.insert_header((*name, *value));
        }
        let mut response = request
            .send_body(body.into())
            .await
            .expect("the server answers");
        let bytes = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("a body");
        Response {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
        }
    }

    /// A SOAP call as the garage's DMS, in English.
    pub async fn call(&self, version: Soap, body: &str) -> Response {
        self.call_as(version, GARAGE_USER, "en", body).await
    }

    pub async fn call_as(&self, version: Soap, user: &str, language: &str, body: &str) -> Response {
        let header = format!("{}{}", security(user, PASSWORD), client_info(language));
        self.post(
            version.content_type(),
            &[],
            envelope(version, &header, body),
        )
        .await
    }

    pub async fn submit(&self, readings: &[Reading]) -> Vec<Receipt> {
        let response = self.call(Soap::V11, &submit_body(readings)).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        receipts(&response.body)
    }

    pub async fn submit_one(&self, reading: Reading) -> Receipt {
        self.submit(&[reading]).await.remove(0)
    }

    /// Counts rows of a table, to prove that nothing was stored.
    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().unwrap();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut **conn)
            .unwrap()
            .n
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: Option<String>,
    pub code: String,
    pub severity: String,
    pub correctable: bool,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub client_reference: String,
    pub reading_id: String,
    pub status: String,
    pub issues: Vec<Issue>,
}

impl Receipt {
    pub fn codes(&self) -> Vec<&str> {
        self.issues.iter().map(|i| i.code.as_str()).collect()
    }
    pub fn issue(&self, code: &str) -> &Issue {
        self.issues
            .iter()
            .find(|i| i.code == code)
            .unwrap_or_else(|| panic!("no {code} in {self:?}"))
    }
}

pub fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name((NS, name)))
        .map(|c| c.text().unwrap_or("").to_owned())
}

pub fn issue_of(node: roxmltree::Node) -> Issue {
    Issue {
        number: child_text(node, "IssueNumber"),
        code: child_text(node, "Code").unwrap(),
        severity: child_text(node, "Severity").unwrap(),
        correctable: child_text(node, "Correctable").unwrap() == "true",
        field: child_text(node, "Field"),
        message: child_text(node, "Message").unwrap(),
    }
}

pub fn receipts(xml: &str) -> Vec<Receipt> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name((NS, "Receipt")))
        .map(|r| Receipt {
            client_reference: child_text(r, "ClientReference").unwrap(),
            reading_id: child_text(r, "ReadingId").unwrap(),
            status: child_text(r, "Status").unwrap(),
            issues: r
                .children()
                .filter(|c| c.has_tag_name((NS, "Issue")))
                .map(issue_of)
                .collect(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapFault {
    pub code: String,
    pub detail_code: String,
    pub message: String,
    pub element: Option<String>,
}

/// The fault in a response, from either SOAP version.
pub fn fault(xml: &str) -> SoapFault {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let fault = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Fault")
        .unwrap_or_else(|| panic!("no Fault in {xml}"));
    let code = fault
        .descendants()
        .find(|n| n.tag_name().name() == "faultcode" || n.has_tag_name((SOAP12, "Value")))
        .and_then(|n| n.text())
        .unwrap()
        .to_owned();
    let detail = fault
        .descendants()
        .find(|n| n.has_tag_name((NS, "FaultDetail")))
        .unwrap();
    SoapFault {
        code,
        detail_code: child_text(detail, "Code").unwrap(),
        message: child_text(detail, "Message").unwrap(),
        element: child_text(detail, "Element"),
    }
}

/// Whether xmllint is here; without it a test skips its XSD checks, unless CI requires it.
pub fn xmllint_available() -> bool {
    static SAY: Once = Once::new();
    if Command::new("xmllint").arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var("CARPASS_REQUIRE_XMLLINT").is_ok_and(|v| v == "1") {
        panic!("CARPASS_REQUIRE_XMLLINT=1 but xmllint is not installed (Debian: libxml2-utils)");
    }
    SAY.call_once(|| {
        eprintln!("SKIPPED XSD validation of responses: install xmllint (libxml2-utils)")
    });
    false
}

/// Validates the Body's element (a response or a FaultDetail) against wsdl/carpass-inflow.xsd
/// with xmllint, a real XSD validator.
pub fn assert_valid(xml: &str) {
    assert_valid_against(
        xml,
        NS,
        concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/carpass-inflow.xsd"),
    );
}

/// Validates the Body's element (a response or a FaultDetail in namespace `ns`) against the
/// schema file `xsd`.
pub fn assert_valid_against(xml: &str, ns: &str, xsd: &str) {
    if !xmllint_available() {
        return;
    }
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let element = doc
        .descendants()
        .find(|n| n.has_tag_name((ns, "FaultDetail")))
        .or_else(|| {
            doc.descendants()
                .find(|n| n.tag_name().name() == "Body")
                .and_then(|b| b.first_element_child())
        })
        .expect("a Body element");
    let fragment = &xml[element.range()];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fragment.xml");
    std::fs::write(&file, fragment).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the response does not validate against {xsd}:\n{}\n{fragment}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// Corrections and status

pub fn correct_body(number: &str, corrected: &Reading) -> String {
    format!(
        r#"<c:CorrectIssue xmlns:c="{NS}"><c:IssueNumber>{number}</c:IssueNumber><c:Correction>{}</c:Correction></c:CorrectIssue>"#,
        corrected.fields("c:", false)
    )
}

pub fn confirm_body(number: &str, note: Option<&str>) -> String {
    let note = note
        .map(|n| format!("<c:Note>{n}</c:Note>"))
        .unwrap_or_default();
    format!(
        r#"<c:ConfirmReading xmlns:c="{NS}"><c:IssueNumber>{number}</c:IssueNumber>{note}</c:ConfirmReading>"#
    )
}

pub fn status_by_reference(reference: &str) -> String {
    format!(
        r#"<c:GetReadingStatus xmlns:c="{NS}"><c:ClientReference>{reference}</c:ClientReference></c:GetReadingStatus>"#
    )
}

pub fn status_by_id(id: &str) -> String {
    format!(
        r#"<c:GetReadingStatus xmlns:c="{NS}"><c:ReadingId>{id}</c:ReadingId></c:GetReadingStatus>"#
    )
}

/// An issue as GetReadingStatus and the answers show it, with its state.
pub fn states(xml: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((NS, "Issue")))
        .map(|n| {
            (
                child_text(n, "Code").unwrap(),
                child_text(n, "State").unwrap_or_default(),
            )
        })
        .collect()
}

impl TestApp {
    /// A SOAP call whose answer must be a valid, successful response.
    pub async fn ok(&self, body: &str) -> String {
        let response = self.call(Soap::V11, body).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        response.body
    }

    /// A SOAP call whose answer must be a valid fault.
    pub async fn fails(&self, user: &str, body: &str) -> SoapFault {
        let response = self.call_as(Soap::V11, user, "en", body).await;
        assert_eq!(response.status, 500, "{}", response.body);
        assert_valid(&response.body);
        fault(&response.body)
    }
}

/// (vin, work date, odometer, status, client reference) of the readings from `source`
/// ("connected", "rdw", ...), by work date.
pub fn readings_from(app: &TestApp, from: &str) -> Vec<(String, String, i64, String, String)> {
    use carpass::db::schema::readings::dsl::*;
    use diesel::prelude::*;
    let rows: Vec<(String, NaiveDate, i64, String, String)> = readings
        .filter(source.eq(from))
        .order((work_date, client_reference))
        .select((vin, work_date, odometer, status, client_reference))
        .load(&mut **app.pool.get().unwrap())
        .unwrap();
    rows.into_iter()
        .map(|(v, d, o, s, c)| (v, d.to_string(), o, s, c))
        .collect()
}
