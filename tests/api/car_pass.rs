//! Issue 21: RequestCarPass over real SOAP, what the Car-Pass shows, its price and validity,
//! the verification page for anyone, and the throttle on unknown IDs.

use crate::helpers::*;
use carpass::domain::language::Language;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::reading::ClientReference;
use carpass::service::auth::{Account, Role};
use carpass::service::car_pass::{self, Outcome, Request, MISSES_ALLOWED};
use carpass::service::{Caller, Software};
use carpass::staff::companies::CompanyKind;
use carpass::staff::review::{self, Decision};

pub const INSPECTOR_USER: &str = "keuring-gent";
const INSPECTION_KBO: &str = "0417.497.106";
const IMPORTED: &str = "WVWZZZ1KZAW000123";

/// An inspection centre and its clerk's account, and an imported used car in the register.
fn add_inspection_centre(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    let actor = carpass::staff::Actor::staff(&mut conn, Some(STAFF_USER)).unwrap();
    carpass::staff::companies::add(
        &mut conn,
        &actor,
        INSPECTION_KBO,
        "Keuringscentrum Gent",
        "71200",
        CompanyKind::Inspection,
        now(),
    )
    .unwrap();
    carpass::staff::accounts::add(
        &mut conn,
        &actor,
        INSPECTION_KBO,
        INSPECTOR_USER,
        Role::Inspector,
        Some(PASSWORD.into()),
        now(),
    )
    .unwrap();
    let mut imported = vehicle(IMPORTED, "M1", false);
    imported.first_registration = Some(date(2016, 4, 1));
    imported.first_registration_be = Some(date(2021, 9, 15));
    imported.imported_used = Some(true);
    imported.euro_norm = Some("Euro 6".into());
    imported.co2_g_km = Some(128);
    imported.fuel = Some("petrol".into());
    carpass::service::register::import(&mut conn, &[imported], now()).unwrap();
}

fn request_body(
    reference: &str,
    vin: &str,
    day: &str,
    odometer: u64,
    unit: Option<&str>,
) -> String {
    let unit = unit
        .map(|u| format!("<c:OdometerUnit>{u}</c:OdometerUnit>"))
        .unwrap_or_default();
    format!(
        r#"<c:RequestCarPass xmlns:c="{NS}"><c:ClientReference>{reference}</c:ClientReference><c:Vin>{vin}</c:Vin><c:ReadingDate>{day}</c:ReadingDate><c:Odometer>{odometer}</c:Odometer>{unit}</c:RequestCarPass>"#
    )
}

/// What an answer says, read from the XML.
struct Answer {
    xml: String,
}

impl Answer {
    fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.xml).unwrap()
    }
    fn pass(&self, name: &str) -> Option<String> {
        let doc = self.doc();
        let pass = doc
            .descendants()
            .find(|n| n.has_tag_name((NS, "CarPass")))?;
        child_text(pass, name)
    }
    fn mention(&self, name: &str) -> Vec<String> {
        let doc = self.doc();
        let Some(m) = doc.descendants().find(|n| n.has_tag_name((NS, "Mentions"))) else {
            return Vec::new();
        };
        m.children()
            .filter(|c| c.has_tag_name((NS, name)))
            .map(|c| c.text().unwrap_or("").to_owned())
            .collect()
    }
    /// (date, odometer, source, disputed, accepted anomaly) per printed reading.
    fn readings(&self) -> Vec<(String, u64, String, bool, bool)> {
        let doc = self.doc();
        doc.descendants()
            .filter(|n| n.has_tag_name((NS, "Reading")))
            .map(|r| {
                (
                    child_text(r, "Date").unwrap(),
                    child_text(r, "Odometer").unwrap().parse().unwrap(),
                    child_text(r, "Source").unwrap(),
                    child_text(r, "Disputed").unwrap() == "true",
                    child_text(r, "AcceptedAnomaly").unwrap() == "true",
                )
            })
            .collect()
    }
    fn not_issued(&self) -> Option<(String, String)> {
        let doc = self.doc();
        let n = doc
            .descendants()
            .find(|n| n.has_tag_name((NS, "NotIssued")))?;
        Some((
            child_text(n, "Code").unwrap(),
            child_text(n, "Message").unwrap(),
        ))
    }
    fn earlier(&self) -> Option<(String, String)> {
        let doc = self.doc();
        let n = doc
            .descendants()
            .find(|n| n.has_tag_name((NS, "EarlierCarPass")))?;
        Some((
            child_text(n, "Id").unwrap(),
            child_text(n, "ValidUntil").unwrap(),
        ))
    }
    fn receipt(&self) -> Option<Receipt> {
        receipts(&self.xml).into_iter().next()
    }
    fn id(&self) -> String {
        self.pass("Id").expect("a Car-Pass")
    }
}

async fn ask(app: &TestApp, user: &str, body: &str) -> Answer {
    let response = app.call_as(Soap::V11, user, "en", body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_valid(&response.body);
    Answer { xml: response.body }
}

/// Four garage readings of CAR, 2021 to 2024 (the last one with its work description).
async fn four_readings(app: &TestApp) {
    for (i, (day, km)) in [
        (date(2021, 3, 1), 15_000),
        (date(2022, 3, 7), 31_000),
        (date(2023, 3, 6), 46_000),
        (date(2024, 3, 4), 60_500),
    ]
    .into_iter()
    .enumerate()
    {
        let receipt = app
            .submit_one(reading(&format!("G-{i}"), CAR, day, km))
            .await;
        // Sent late (the test's today is 2025): accepted with a warning.
        assert!(receipt.status.starts_with("Accepted"), "{receipt:?}");
    }
}

fn digits(id: &str) -> String {
    id.chars().filter(char::is_ascii_digit).collect()
}

async fn get(
    app: &TestApp,
    path: &str,
    json: bool,
    forwarded: Option<&str>,
) -> (u16, String, Option<String>) {
    let client = awc::Client::default();
    let mut request = client
        .get(format!("{}{path}", app.address))
        .insert_header(("Accept-Language", "en"));
    if json {
        request = request.insert_header(("Accept", "application/json"));
    }
    if let Some(ip) = forwarded {
        request = request.insert_header(("X-Forwarded-For", ip));
    }
    let mut response = request.send().await.unwrap();
    let body = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), body, retry)
}

on_both_backends! {
    /// A clean history: every reading printed with its source, the request's own last; 10.50
    /// EUR; the PDF's and the verification page's addresses; the issuance recorded.
    async fn a_car_pass_for_a_clean_history_prints_every_reading_and_costs_ten_fifty(app: TestApp) {
        add_inspection_centre(&app);
        four_readings(&app).await;
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        assert_eq!(answer.receipt().unwrap().status, "Accepted");
        let printed = answer.readings();
        assert_eq!(printed.iter().map(|r| r.1).collect::<Vec<_>>(), [15_000, 31_000, 46_000, 60_500, 81_200]);
        assert_eq!(printed[0].2, "garage");
        assert_eq!(printed[4].2, "car_pass");
        assert!(printed.iter().all(|r| !r.3 && !r.4));
        assert_eq!(answer.pass("Price").as_deref(), Some("10.50"));
        assert_eq!(answer.pass("ValidUntil").as_deref(), Some("2025-08-03"));
        assert_eq!(answer.pass("Make").as_deref(), Some("Make"));
        let id = answer.id();
        assert_eq!(id.len(), 16, "{id}");
        assert_eq!(answer.pass("PdfUrl").unwrap(), format!("{}/car-pass/{}.pdf", app.address, digits(&id)));
        assert_eq!(answer.pass("VerifyUrl").unwrap(), format!("{}/verify/{}", app.address, digits(&id)));
        assert_eq!(answer.mention("ImportedUsed"), ["false"]);
        assert_eq!(answer.mention("AcceptedAnomalies"), ["false"]);
        assert!(answer.earlier().is_none());
        assert_eq!(app.count("car_passes"), 1);
        assert_eq!(app.count("readings WHERE source = 'car_pass'"), 1);
        // No work description is asked of the Car-Pass's own reading.
        assert!(answer.receipt().unwrap().issues.is_empty());
        // The same ClientReference again: the same Car-Pass, nothing charged twice.
        let again = ask(&app, INSPECTOR_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        assert_eq!(again.id(), id);
        assert_eq!(app.count("car_passes"), 1);
        assert_eq!(app.count("readings"), 5);
        // The registry's invoices list it for the centre.
        let mut conn = app.pool.get().unwrap();
        let lines = car_pass::invoices(&mut conn, date(2025, 6, 1)).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].company.as_str(), lines[0].car_passes, lines[0].total_cents), ("Keuringscentrum Gent", 1, 1_050));
        assert!(car_pass::invoices(&mut conn, date(2025, 5, 1)).unwrap().is_empty());
    }
}

on_both_backends! {
    async fn a_car_pass_listing_fewer_than_four_readings_is_free(app: TestApp) {
        add_inspection_centre(&app);
        app.submit_one(reading("G-1", CAR, date(2024, 3, 4), 60_500)).await;
        let answer = ask(&app, GARAGE_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        assert_eq!(answer.readings().len(), 2);
        assert_eq!(answer.pass("Price").as_deref(), Some("0.00"));
    }
}

on_both_backends! {
    async fn an_imported_used_vehicle_is_mentioned_with_its_belgian_registration(app: TestApp) {
        add_inspection_centre(&app);
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-1", IMPORTED, "2025-06-03", 142_000, None)).await;
        assert_eq!(answer.mention("ImportedUsed"), ["true"]);
        assert_eq!(answer.pass("FirstRegistration").as_deref(), Some("2016-04-01"));
        assert_eq!(answer.pass("FirstRegistrationBelgium").as_deref(), Some("2021-09-15"));
        assert_eq!(answer.pass("EuroNorm").as_deref(), Some("Euro 6"));
        assert_eq!(answer.pass("Co2").as_deref(), Some("128"));
        assert_eq!(answer.pass("Fuel").as_deref(), Some("petrol"));
    }
}

on_both_backends! {
    async fn a_five_digit_odometer_and_a_replaced_odometer_are_mentioned(app: TestApp) {
        add_inspection_centre(&app);
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-1", VAN5, "2025-06-03", 81_200, None)).await;
        assert_eq!(answer.mention("FiveDigitOdometer"), ["true"]);
        let mut replaced = reading("G-1", CAR, date(2024, 3, 4), 120);
        replaced.replaced = Some(60_500);
        app.submit_one(reading("G-0", CAR, date(2023, 3, 4), 58_000)).await;
        assert!(app.submit_one(replaced).await.status.starts_with("Accepted"));
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-2", CAR, "2025-06-03", 15_000, None)).await;
        assert_eq!(answer.mention("OdometerReplaced"), ["2024-03-04"]);
        assert_eq!(answer.mention("FiveDigitOdometer"), ["false"]);
        assert_eq!(answer.mention("AcceptedAnomalies"), ["false"]);
    }
}

on_both_backends! {
    /// A drop staff accepted is printed and marked; a reading still open is not printed; the
    /// request's own reading that raised an Error is printed as disputed and goes its way.
    async fn accepted_anomalies_are_marked_open_readings_absent_and_a_rollback_disputed(app: TestApp) {
        add_inspection_centre(&app);
        four_readings(&app).await;
        let drop = app.submit_one(reading("G-drop", CAR, date(2024, 9, 2), 20_000)).await;
        assert_eq!(drop.status, "PendingCorrection");
        let open = app.submit_one(reading("G-open", CAR, date(2024, 10, 1), 9_000)).await;
        assert_eq!(open.status, "PendingCorrection");
        {
            let mut conn = app.pool.get().unwrap();
            review::decide(&mut conn, STAFF_USER, &drop.reading_id, Decision::Accept, "new dashboard, invoice seen", now()).unwrap();
        }
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-1", CAR, "2025-06-02", 30_000, None)).await;
        let printed = answer.readings();
        assert_eq!(printed.iter().map(|r| r.1).collect::<Vec<_>>(), [15_000, 31_000, 46_000, 60_500, 20_000, 30_000]);
        assert!(printed[4].4, "the accepted drop is marked: {printed:?}");
        assert_eq!(answer.mention("AcceptedAnomalies"), ["true"]);
        // Below the last official reading: the request's reading raised an Error, and is shown.
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-2", CAR, "2025-06-03", 25_000, None)).await;
        let receipt = answer.receipt().unwrap();
        assert_eq!(receipt.status, "PendingCorrection");
        assert_eq!(receipt.codes(), ["ODOMETER_ROLLBACK"]);
        let last = answer.readings().pop().unwrap();
        assert_eq!((last.1, last.2.as_str(), last.3), (25_000, "car_pass", true));
        assert_eq!(app.count("car_passes"), 2);
    }
}

on_both_backends! {
    async fn a_second_request_within_two_months_names_the_earlier_car_pass(app: TestApp) {
        add_inspection_centre(&app);
        let first = ask(&app, INSPECTOR_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        let second = ask(&app, GARAGE_USER, &request_body("CP-2", CAR, "2025-06-03", 81_210, None)).await;
        assert_ne!(second.id(), first.id());
        assert_eq!(second.earlier(), Some((first.id(), "2025-08-03".to_owned())));
        assert_eq!(app.count("car_passes"), 2);
    }
}

on_both_backends! {
    async fn a_portal_account_may_not_ask_for_a_car_pass(app: TestApp) {
        let fault = app.fails(PORTAL_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        assert_eq!(fault.detail_code, "ROLE_NOT_ALLOWED");
        assert_eq!(app.count("readings"), 0);
        assert_eq!(app.count("car_passes"), 0);
    }
}

on_both_backends! {
    /// Bad input gets a clear answer, and nothing is issued or charged.
    async fn bad_input_is_answered_clearly_and_nothing_is_issued_or_charged(app: TestApp) {
        add_inspection_centre(&app);
        let unknown = ask(&app, INSPECTOR_USER, &request_body("CP-1", UNREGISTERED, "2025-06-03", 81_200, None)).await;
        let (code, message) = unknown.not_issued().unwrap();
        assert_eq!(code, "VEHICLE_NOT_REGISTERED");
        assert!(message.contains("not in the vehicle register"), "{message}");
        assert_eq!(unknown.receipt().unwrap().status, "WaitingForRegistration");
        assert!(unknown.pass("Id").is_none());
        let invalid = ask(&app, INSPECTOR_USER, &request_body("CP-2", "WDB2030461A00000I", "2025-06-03", 81_200, None)).await;
        let (code, message) = invalid.not_issued().unwrap();
        assert_eq!(code, "VIN_INVALID");
        assert!(message.contains("read it again from the vehicle"), "{message}");
        assert!(invalid.receipt().is_none());
        let future = ask(&app, INSPECTOR_USER, &request_body("CP-3", CAR, "2025-06-04", 81_200, None)).await;
        assert_eq!(future.not_issued().unwrap().0, "WORK_DATE_FUTURE");
        let fault = app.fails(INSPECTOR_USER, &request_body("CP-4", CAR, "2025-06-03", 81_200, Some("miles"))).await;
        assert_eq!(fault.detail_code, "SCHEMA_VIOLATION");
        assert!(fault.element.unwrap().contains("OdometerUnit"));
        assert_eq!(app.count("car_passes"), 0);
        // Only the unknown VIN's reading was kept: it waits for the vehicle.
        assert_eq!(app.count("readings"), 1);
    }
}

/// A Car-Pass issued through the service at another moment (the test's clock is fixed).
fn issue_at(
    app: &TestApp,
    reference: &str,
    at: chrono::DateTime<chrono::Utc>,
    odometer: u64,
) -> String {
    let mut conn = app.pool.get().unwrap();
    let account = carpass::db::accounts::find_by_username(&mut conn, GARAGE_USER)
        .unwrap()
        .unwrap();
    let caller = Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: Language::En,
        software: Software::default(),
    };
    let request = Request {
        client_reference: ClientReference::parse(reference).unwrap(),
        vin: CAR.into(),
        date: carpass::domain::calendar::brussels_date(at),
        odometer,
        unit: OdometerUnit::Km,
    };
    match car_pass::request(&mut conn, &caller, &request, at).unwrap() {
        Outcome::Issued { pass, .. } => pass.id,
        other => panic!("{other:?}"),
    }
}

on_both_backends! {
    /// Anyone can check an ID: a valid one shows what was printed; expired, mistyped and unknown
    /// ones each get their own message, in HTML and in JSON.
    async fn the_verification_page_tells_valid_expired_mistyped_and_unknown_apart(app: TestApp) {
        four_readings(&app).await;
        let valid = issue_at(&app, "CP-now", now(), 81_200);
        let expired = issue_at(&app, "CP-old", now() - chrono::Duration::days(70), 70_000);
        let (status, body, _) = get(&app, &format!("/verify/{}", digits(&valid)), false, None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("genuine and still valid"), "{body}");
        assert!(body.contains(&valid) && body.contains(CAR) && body.contains("81,200 km"), "{body}");
        assert!(body.contains("Kleine onderhoudsbeurt"), "the works overview: {body}");
        assert!(body.contains("none registered"), "{body}");
        let (status, json, _) = get(&app, &format!("/verify/{valid}"), true, None).await;
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["status"], "valid");
        assert_eq!(json["car_pass"]["id"], valid.as_str());
        assert_eq!(json["car_pass"]["readings"].as_array().unwrap().len(), 5);
        let (status, body, _) = get(&app, &format!("/verify/{}", digits(&expired)), false, None).await;
        assert_eq!(status, 410);
        assert!(body.contains("expired on"), "{body}");
        assert!(!body.contains("70,000"), "an expired Car-Pass shows no history: {body}");
        let (_, json, _) = get(&app, &format!("/verify/{}", digits(&expired)), true, None).await;
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap()["status"], "expired");
        // One digit changed: the check digit catches it.
        let mut typo: Vec<u8> = digits(&valid).into_bytes();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        let typo = String::from_utf8(typo).unwrap();
        let (status, body, _) = get(&app, &format!("/verify/{typo}"), false, None).await;
        assert_eq!(status, 400);
        assert!(body.contains("check digit does not match"), "{body}");
        let unknown = carpass::domain::car_pass_id::CarPassId::random(&mut rand::thread_rng());
        let (status, body, _) = get(&app, &format!("/verify/{}", unknown.compact()), false, None).await;
        assert_eq!(status, 404);
        assert!(body.contains("was ever issued"), "{body}");
        let (status, _, _) = get(&app, "/verify/12", true, None).await;
        assert_eq!(status, 400);
        let (status, body, _) = get(&app, "/verify?lang=fr", false, None).await;
        assert_eq!(status, 200);
        assert!(body.contains("Vérifier l'authenticité"), "{body}");
    }
}

/// A client that asks for many unknown IDs is held back; another client is not, and a known
/// ID asked by the held-back client waits too. Counted, not timed: the clock is fixed.
#[actix_web::test]
async fn a_client_asking_for_many_unknown_ids_is_held_back() {
    let app = spawn_app_tuned(Backend::Sqlite, |s| {
        s.clock = carpass::clock::Clock::Fixed(now());
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    .unwrap();
    four_readings(&app).await;
    let known = issue_at(&app, "CP-1", now(), 81_200);
    let guesser = Some("203.0.113.7");
    let mut rng = rand::thread_rng();
    for _ in 0..MISSES_ALLOWED {
        let id = carpass::domain::car_pass_id::CarPassId::random(&mut rng);
        let (status, _, _) = get(&app, &format!("/verify/{}", id.compact()), true, guesser).await;
        assert_eq!(status, 404);
    }
    let id = carpass::domain::car_pass_id::CarPassId::random(&mut rng);
    let (status, body, retry) =
        get(&app, &format!("/verify/{}", id.compact()), true, guesser).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(retry.as_deref(), Some("600"));
    let (status, _, _) = get(&app, &format!("/verify/{}", digits(&known)), true, guesser).await;
    assert_eq!(status, 429);
    let (status, _, _) = get(
        &app,
        &format!("/verify/{}", digits(&known)),
        true,
        Some("198.51.100.2"),
    )
    .await;
    assert_eq!(status, 200);
}

async fn fetch_pdf(url: &str, user: Option<&str>) -> (u16, Vec<u8>) {
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish();
    let mut request = client.get(url);
    if let Some(user) = user {
        request = request.basic_auth(user, PASSWORD);
    }
    let mut response = request.send().await.unwrap();
    let body = response
        .body()
        .limit(8 * 1024 * 1024)
        .await
        .unwrap()
        .to_vec();
    (response.status().as_u16(), body)
}

on_both_backends! {
    /// The PDF at PdfUrl: for the requesting company, not for another; its text names the ID
    /// and its QR code, read by a real decoder, opens the verification page of that Car-Pass.
    async fn the_pdf_is_served_to_the_requester_and_its_qr_code_opens_the_verification_page(app: TestApp) {
        add_inspection_centre(&app);
        four_readings(&app).await;
        let answer = ask(&app, INSPECTOR_USER, &request_body("CP-1", CAR, "2025-06-03", 81_200, None)).await;
        let url = answer.pass("PdfUrl").unwrap();
        let (status, _) = fetch_pdf(&url, None).await;
        assert_eq!(status, 401);
        let (status, _) = fetch_pdf(&url, Some(GARAGE_USER)).await;
        assert_eq!(status, 404, "another company's account does not get it");
        let (status, pdf) = fetch_pdf(&url, Some(INSPECTOR_USER)).await;
        assert_eq!(status, 200);
        assert!(pdf.starts_with(b"%PDF"));
        assert!(pdf.len() <= 150 * 1024, "{} bytes", pdf.len());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("car-pass.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let tools = std::process::Command::new("pdftotext").arg("-v").output().is_ok()
            && std::process::Command::new("zbarimg").arg("--version").output().is_ok();
        if !tools {
            eprintln!("SKIPPED reading the PDF: install poppler-utils and zbar-tools");
            return;
        }
        let text = std::process::Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains(&answer.id()), "{text}");
        assert!(text.contains(CAR), "{text}");
        let png = dir.path().join("page");
        let rendered = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "150", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(&png)
            .status()
            .unwrap();
        assert!(rendered.success());
        let page = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "png")).unwrap();
        let decoded = std::process::Command::new("zbarimg").args(["--quiet", "--raw"]).arg(&page).output().unwrap();
        let qr = String::from_utf8_lossy(&decoded.stdout).trim().to_owned();
        assert_eq!(qr, answer.pass("VerifyUrl").unwrap());
        let path = qr.strip_prefix(&app.address).unwrap();
        let (status, body, _) = get(&app, path, false, None).await;
        assert_eq!(status, 200);
        assert!(body.contains(&answer.id()), "{body}");
    }
}
