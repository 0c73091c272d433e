//! The partners' SOAP feeds (issue 22, points 1, 3 and 6) at /soap/feeds: an importer's
//! foreign history, an accident expert's report and an inspection centre's result. Each
//! operation for its role only, every bad input a clear fault that changes nothing, the foreign
//! history idempotent and judged like a bulk feed, and the Car-Pass showing both.

use std::process::Command;

use carpass::service::auth::Role;
use carpass::staff::{self, companies::CompanyKind};

use crate::helpers::*;
use crate::staff_pages::Browser;

const FEEDS: &str = "urn:carpass:feeds:1";
const FEEDS_XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/carpass-feeds.xsd");
const IMPORTER_KBO: &str = "0400.000.185";
pub const IMPORTER_USER: &str = "importer-one";
const EXPERT_KBO: &str = "0411.111.140";
pub const EXPERT_USER: &str = "expert-one";
const CENTRE_KBO: &str = "0417.497.106";
pub const CENTRE_USER: &str = "centre-one";
/// Imported used from Germany: first registered there in 2016, in Belgium in 2021.
const IMPORTED: &str = "WVWZZZ1KZAW000123";

/// An importer, an accident expert and an inspection centre with their accounts, and an
/// imported car in the register.
pub fn add_partners(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, Some(STAFF_USER)).unwrap();
    for (kbo, name, nace, kind, user, role) in [
        (
            IMPORTER_KBO,
            "Import Auto NV",
            "46190",
            CompanyKind::Manufacturer,
            IMPORTER_USER,
            Role::Manufacturer,
        ),
        (
            EXPERT_KBO,
            "Expertisebureau Claes",
            "",
            CompanyKind::Expert,
            EXPERT_USER,
            Role::Expert,
        ),
        (
            CENTRE_KBO,
            "Keuringscentrum Gent",
            "71200",
            CompanyKind::Inspection,
            CENTRE_USER,
            Role::Inspector,
        ),
    ] {
        staff::companies::add(&mut conn, &actor, kbo, name, nace, kind, now()).unwrap();
        staff::accounts::add(
            &mut conn,
            &actor,
            kbo,
            user,
            role,
            Some(PASSWORD.into()),
            now(),
        )
        .unwrap();
    }
    let mut imported = vehicle(IMPORTED, "M1", false);
    imported.first_registration = Some(date(2016, 4, 1));
    imported.first_registration_be = Some(date(2021, 9, 15));
    imported.imported_used = Some(true);
    carpass::service::register::import(&mut conn, &[imported], now()).unwrap();
}

pub async fn feed(app: &TestApp, version: Soap, user: &str, body: &str) -> Response {
    let header = security(user, PASSWORD);
    let client = awc::Client::default();
    let mut response = client
        .post(format!("{}/soap/feeds", app.address))
        .insert_header(("Content-Type", version.content_type()))
        .send_body(envelope(version, &header, body))
        .await
        .expect("the server answers");
    let body = response.body().limit(16 * 1024 * 1024).await.unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert_feeds_valid(&body);
    Response {
        status: response.status().as_u16(),
        content_type: String::new(),
        body,
    }
}

/// A successful answer's XML.
pub async fn ok(app: &TestApp, user: &str, body: &str) -> String {
    let response = feed(app, Soap::V11, user, body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

/// A fault's (code, message, element), from the feeds' FaultDetail.
pub async fn refused(app: &TestApp, user: &str, body: &str) -> (String, String, Option<String>) {
    let response = feed(app, Soap::V12, user, body).await;
    assert_eq!(response.status, 400, "{}", response.body);
    let doc = roxmltree::Document::parse(&response.body).unwrap();
    let detail = doc
        .descendants()
        .find(|n| n.has_tag_name((FEEDS, "FaultDetail")))
        .unwrap_or_else(|| panic!("no feeds FaultDetail in {}", response.body));
    let text = |name: &str| {
        detail
            .children()
            .find(|c| c.has_tag_name((FEEDS, name)))
            .map(|c| c.text().unwrap_or("").to_owned())
    };
    (
        text("Code").unwrap(),
        text("Message").unwrap(),
        text("Element"),
    )
}

/// Validates the Body's element (a response or a FaultDetail) against the feeds' XSD with
/// xmllint, when it is installed (as `helpers::assert_valid` does for the inflow).
fn assert_feeds_valid(xml: &str) {
    assert_valid_against(xml, FEEDS, FEEDS_XSD);
}

fn history(vin: &str, country: &str, readings: &[(&str, u64, &str)]) -> String {
    let readings: String = readings
        .iter()
        .map(|(day, odometer, source)| {
            format!("<f:Reading><f:ReadingDate>{day}</f:ReadingDate><f:Odometer>{odometer}</f:Odometer><f:Source>{source}</f:Source></f:Reading>")
        })
        .collect();
    format!(
        r#"<f:SubmitForeignHistory xmlns:f="{FEEDS}"><f:Vin>{vin}</f:Vin><f:CountryOfOrigin>{country}</f:CountryOfOrigin>{readings}</f:SubmitForeignHistory>"#
    )
}

fn report(vin: &str, day: &str, reference: &str) -> String {
    format!(
        r#"<f:ReportPostAccident xmlns:f="{FEEDS}"><f:Vin>{vin}</f:Vin><f:ReportDate>{day}</f:ReportDate><f:InformexReference>{reference}</f:InformexReference></f:ReportPostAccident>"#
    )
}

fn clear(vin: &str, day: &str, result: &str) -> String {
    format!(
        r#"<ClearPostAccident xmlns="{FEEDS}"><Vin>{vin}</Vin><InspectionDate>{day}</InspectionDate><Result>{result}</Result></ClearPostAccident>"#
    )
}

/// (outcome, reason, reading id, resent) per reading, in the order sent.
fn results(xml: &str) -> Vec<(String, String, String, bool)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let text = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((FEEDS, name)))
            .map(|c| c.text().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    doc.descendants()
        .filter(|n| {
            n.has_tag_name((FEEDS, "Result"))
                && n.parent()
                    .is_some_and(|p| p.has_tag_name((FEEDS, "SubmitForeignHistoryResponse")))
        })
        .map(|r| {
            (
                text(r, "Outcome"),
                text(r, "Reason"),
                text(r, "ReadingId"),
                text(r, "Resent") == "true",
            )
        })
        .collect()
}

fn pending_of(xml: &str) -> String {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .find(|n| n.has_tag_name((FEEDS, "InspectionPending")))
        .and_then(|n| n.text())
        .unwrap()
        .to_owned()
}

/// The imported car's foreign history from Germany, sent out of order: checked oldest first.
fn german_history() -> String {
    history(
        IMPORTED,
        "DE",
        &[
            ("2018-05-01", 45_000, "Autohaus Müller, Köln"),
            ("2017-05-01", 20_000, "Kraftfahrt-Bundesamt"),
            ("2019-05-01", 40_000, "Autohaus Müller, Köln"),
            ("2020-05-01", 70_000, "Kraftfahrt-Bundesamt"),
            ("2021-06-01", 120_000, "TÜV Rheinland"),
            ("2026-01-01", 130_000, "TÜV Rheinland"),
            ("2015-01-01", 1_000, "Kraftfahrt-Bundesamt"),
        ],
    )
}

on_both_backends! {
    async fn the_feeds_contract_is_served_with_the_callers_host(app: TestApp) {
        let client = awc::Client::default();
        let mut wsdl = client
            .get(format!("{}/soap/feeds?wsdl", app.address))
            .insert_header(("Host", "registry.example.be:8443"))
            .send()
            .await
            .unwrap();
        assert_eq!(wsdl.status(), 200);
        let body = String::from_utf8(wsdl.body().await.unwrap().to_vec()).unwrap();
        assert_eq!(body.matches("http://registry.example.be:8443/soap/feeds").count(), 2);
        assert_eq!(
            body.replace("http://registry.example.be:8443/soap/feeds", "http://localhost:8080/soap/feeds"),
            include_str!("../../wsdl/carpass-feeds.wsdl")
        );
        let mut xsd = client.get(format!("{}/soap/feeds?xsd", app.address)).send().await.unwrap();
        assert_eq!(
            String::from_utf8(xsd.body().await.unwrap().to_vec()).unwrap(),
            include_str!("../../wsdl/carpass-feeds.xsd")
        );
        // An inflow operation is not part of this contract, and the other way round.
        add_partners(&app);
        let (code, message, _) = refused(&app, IMPORTER_USER, &format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#)).await;
        assert_eq!(code, "UNKNOWN_OPERATION");
        assert!(message.contains("SubmitForeignHistory, ReportPostAccident, ClearPostAccident"), "{message}");
        let wrong = app.call(Soap::V11, &report(CAR, "2025-06-01", "IX-1")).await;
        assert_eq!(fault(&wrong.body).detail_code, "UNKNOWN_OPERATION");
    }
}

/// The feeds' XSD and the schema inline in the WSDL are schemas xmllint accepts; each answer
/// of the other tests is validated against the XSD.
#[test]
fn the_feeds_xsd_and_wsdl_are_well_formed_schemas_for_xmllint() {
    if !xmllint_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.xml");
    std::fs::write(&sample, report(CAR, "2025-06-01", "IX-1")).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", FEEDS_XSD])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The WSDL's inline schema, cut out with its namespaces, validates the same sample.
    let wsdl = include_str!("../../wsdl/carpass-feeds.wsdl");
    let doc = roxmltree::Document::parse(wsdl).unwrap();
    let inline = doc
        .descendants()
        .find(|n| n.has_tag_name(("http://www.w3.org/2001/XMLSchema", "schema")))
        .unwrap();
    let schema = dir.path().join("inline.xsd");
    std::fs::write(&schema, &wsdl[inline.range()]).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("xmllint")
        .args(["--noout"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/wsdl/carpass-feeds.wsdl"
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both_backends! {
    /// Each operation is open to its role only; the fault names the role it needs.
    async fn each_feed_refuses_the_roles_it_is_not_for(app: TestApp) {
        add_partners(&app);
        let calls = [
            (history(IMPORTED, "DE", &[("2017-05-01", 20_000, "KBA")]), "manufacturer", [GARAGE_USER, PORTAL_USER, EXPERT_USER, CENTRE_USER]),
            (report(IMPORTED, "2025-06-01", "IX-9"), "expert", [GARAGE_USER, PORTAL_USER, IMPORTER_USER, CENTRE_USER]),
            (clear(IMPORTED, "2025-06-01", "passed"), "inspector", [GARAGE_USER, PORTAL_USER, IMPORTER_USER, EXPERT_USER]),
        ];
        for (body, role, others) in calls {
            for user in others {
                let (code, message, _) = refused(&app, user, &body).await;
                assert_eq!(code, "ROLE_NOT_ALLOWED", "{user}: {message}");
                assert!(message.contains(&format!("open to accounts with the role {role}")), "{message}");
            }
        }
        let (code, _, _) = refused(&app, STAFF_USER, &report(IMPORTED, "2025-06-01", "IX-9")).await;
        assert_eq!(code, "ROLE_NOT_ALLOWED");
        // Wrong password: the inflow's authentication, in the feeds' fault.
        let response = feed(&app, Soap::V11, "nobody", &report(IMPORTED, "2025-06-01", "IX-9")).await;
        assert_eq!(response.status, 500);
        assert!(response.body.contains("AUTHENTICATION_FAILED"), "{}", response.body);
        assert_eq!(app.count("readings"), 0);
        assert_eq!(app.count("post_accident_events"), 0);
    }
}

on_both_backends! {
    /// Stored, conflicting (among themselves and with the Belgian reading) and refused readings,
    /// each answered; the conflicts held for staff like a bulk feed's, and nothing stored twice.
    async fn a_foreign_history_is_judged_oldest_first_and_a_resend_stores_nothing_twice(app: TestApp) {
        add_partners(&app);
        let garage = app.submit_one(reading("G-1", IMPORTED, date(2025, 5, 30), 110_000)).await;
        assert_eq!(garage.status, "Accepted");
        let xml = ok(&app, IMPORTER_USER, &german_history()).await;
        let first = results(&xml);
        let outcomes: Vec<(&str, &str)> = first.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        assert_eq!(
            outcomes,
            [
                ("stored", ""),
                ("stored", ""),
                ("conflict", "ODOMETER_ROLLBACK"),
                ("stored", ""),
                ("conflict", "ODOMETER_ABOVE_LATER"),
                ("refused", "date_future"),
                ("refused", "before_first_registration"),
            ]
        );
        assert!(first.iter().all(|r| !r.3));
        assert!(xml.contains("Held for staff review"), "{xml}");
        assert_eq!(app.count("readings WHERE source = 'foreign'"), 5);
        assert_eq!(app.count("foreign_readings WHERE country = 'DE'"), 5);
        // The conflicts wait for staff, correctable by nobody at a garage.
        let queue = carpass::staff::review::queue(&mut app.pool.get().unwrap()).unwrap();
        assert_eq!(queue.len(), 2, "{queue:?}");
        for held in &queue {
            assert_eq!(held["issues"][0]["correctable"], false);
            assert_eq!(held["issues"][0]["state"], "Escalated");
        }
        // The same readings again: each answered as it stands, nothing stored twice.
        let again = results(&ok(&app, IMPORTER_USER, &german_history()).await);
        for (before, after) in first.iter().zip(&again) {
            assert_eq!((&before.0, &before.1, &before.2), (&after.0, &after.1, &after.2));
            assert_eq!(after.3, before.0 != "refused");
        }
        assert_eq!(app.count("readings WHERE source = 'foreign'"), 5);
        assert_eq!(app.count("issues"), 2);
        // The garage's next reading is judged without the conflicting ones.
        let next = app.submit_one(reading("G-2", IMPORTED, date(2025, 6, 2), 110_300)).await;
        assert_eq!(next.status, "Accepted", "{:?}", next.codes());
    }
}

on_both_backends! {
    async fn a_foreign_history_with_bad_input_is_refused_whole_and_changes_nothing(app: TestApp) {
        add_partners(&app);
        let one = [("2017-05-01", 20_000, "KBA")];
        let cases = [
            (history("WVWZZZ1KZAW00012", "DE", &one), "VIN_INVALID", "SubmitForeignHistory/Vin"),
            (history(UNREGISTERED, "DE", &one), "VIN_UNKNOWN", ""),
            (history(IMPORTED, "XX", &one), "COUNTRY_INVALID", "SubmitForeignHistory/CountryOfOrigin"),
            (history(IMPORTED, "BE", &one), "COUNTRY_INVALID", ""),
            (history(IMPORTED, "de", &one), "SCHEMA_VIOLATION", "SubmitForeignHistory/CountryOfOrigin"),
            (history(IMPORTED, "DE", &[("2017-13-01", 20_000, "KBA")]), "SCHEMA_VIOLATION", "SubmitForeignHistory/Reading[1]/ReadingDate"),
            (history(IMPORTED, "DE", &[("2017-05-01", 20_000, "")]), "SCHEMA_VIOLATION", "SubmitForeignHistory/Reading[1]/Source"),
            (history(IMPORTED, "DE", &[]), "SCHEMA_VIOLATION", "SubmitForeignHistory"),
        ];
        for (body, expected, element) in cases {
            let (code, message, at) = refused(&app, IMPORTER_USER, &body).await;
            assert_eq!(code, expected, "{message}");
            if !element.is_empty() {
                assert_eq!(at.as_deref(), Some(element), "{message}");
            }
            assert!(!message.is_empty());
        }
        let (_, message, _) = refused(&app, IMPORTER_USER, &history(UNREGISTERED, "DE", &one)).await;
        assert!(message.contains("not in the Belgian vehicle register"), "{message}");
        let (_, message, _) = refused(&app, IMPORTER_USER, &history(IMPORTED, "XX", &one)).await;
        assert!(message.contains("ISO 3166-1 alpha-2"), "{message}");
        assert_eq!(app.count("readings"), 0);
        assert_eq!(app.count("foreign_readings"), 0);
    }
}

on_both_backends! {
    /// Reported, a failed inspection that keeps it pending, a passed one that clears it; the
    /// whole history kept and shown to staff.
    async fn a_post_accident_inspection_is_pending_until_it_is_passed(app: TestApp) {
        add_partners(&app);
        let reported = ok(&app, EXPERT_USER, &report(IMPORTED, "2025-05-20", "IX-2025-0001")).await;
        assert_eq!(pending_of(&reported), "true");
        let failed = ok(&app, CENTRE_USER, &clear(IMPORTED, "2025-05-28", "failed")).await;
        assert_eq!(pending_of(&failed), "true");
        assert!(failed.contains("IX-2025-0001"));
        let passed = ok(&app, CENTRE_USER, &clear(IMPORTED, "2025-06-02", "passed")).await;
        assert_eq!(pending_of(&passed), "false");
        let (code, message, _) = refused(&app, CENTRE_USER, &clear(IMPORTED, "2025-06-03", "passed")).await;
        assert_eq!(code, "NOTHING_PENDING");
        assert!(message.contains(&format!("no post-accident inspection was reported for VIN {IMPORTED}")), "{message}");
        assert_eq!(app.count("post_accident_events"), 3);
        // Staff see the whole history on the vehicle's page.
        let mut browser = Browser::new(&app);
        browser.log_in(STAFF_USER, PASSWORD).await;
        let page = browser.get(&format!("/staff/vehicles/{IMPORTED}")).await;
        assert_eq!(page.status, 200);
        for text in ["Post-accident inspection", "accident reported", "IX-2025-0001", "inspection failed", "inspection passed", "Expertisebureau Claes", "Keuringscentrum Gent", "Nothing pending."] {
            assert!(page.body.contains(text), "{text} missing");
        }
    }
}

on_both_backends! {
    async fn a_post_accident_report_or_result_with_bad_input_changes_nothing(app: TestApp) {
        add_partners(&app);
        ok(&app, EXPERT_USER, &report(IMPORTED, "2025-05-20", "IX-1")).await;
        let cases = [
            (EXPERT_USER, report(IMPORTED, "2025-05-21", "IX-1"), "INFORMEX_DUPLICATE"),
            (EXPERT_USER, report(CAR, "2025-05-21", "IX-1"), "INFORMEX_DUPLICATE"),
            (EXPERT_USER, report(IMPORTED, "2025-06-04", "IX-2"), "DATE_INVALID"),
            (EXPERT_USER, report(UNREGISTERED, "2025-05-21", "IX-3"), "VIN_UNKNOWN"),
            (EXPERT_USER, report("NOT-A-VIN", "2025-05-21", "IX-3"), "VIN_INVALID"),
            (EXPERT_USER, report(IMPORTED, "2025-05-21", "   "), "SCHEMA_VIOLATION"),
            (CENTRE_USER, clear(IMPORTED, "2025-06-04", "passed"), "DATE_INVALID"),
            (CENTRE_USER, clear(IMPORTED, "2025-05-19", "passed"), "DATE_INVALID"),
            (CENTRE_USER, clear(IMPORTED, "2025-05-21", "maybe"), "SCHEMA_VIOLATION"),
            (CENTRE_USER, clear(CAR, "2025-05-21", "passed"), "NOTHING_PENDING"),
            (CENTRE_USER, clear(UNREGISTERED, "2025-05-21", "passed"), "VIN_UNKNOWN"),
        ];
        for (user, body, expected) in cases {
            let (code, message, _) = refused(&app, user, &body).await;
            assert_eq!(code, expected, "{message}");
            assert!(message.contains("nothing was recorded") || expected == "SCHEMA_VIOLATION" || expected == "VIN_INVALID", "{message}");
        }
        let (_, message, _) = refused(&app, EXPERT_USER, &report(CAR, "2025-05-21", "IX-1")).await;
        assert!(message.contains(&format!("already reported (for VIN {IMPORTED})")), "{message}");
        assert_eq!(app.count("post_accident_events"), 1);
    }
}

on_both_backends! {
    /// The Car-Pass prints the foreign readings with their country and source, and the pending
    /// post-accident inspection; so does its verification page.
    async fn the_car_pass_shows_foreign_readings_and_a_pending_post_accident_inspection(app: TestApp) {
        add_partners(&app);
        ok(&app, IMPORTER_USER, &history(IMPORTED, "DE", &[("2017-05-01", 20_000, "Kraftfahrt-Bundesamt"), ("2019-05-01", 48_000, "Autohaus Müller, Köln")])).await;
        ok(&app, EXPERT_USER, &report(IMPORTED, "2025-05-20", "IX-2025-0042")).await;
        let body = format!(
            r#"<c:RequestCarPass xmlns:c="{NS}"><c:ClientReference>CP-1</c:ClientReference><c:Vin>{IMPORTED}</c:Vin><c:ReadingDate>2025-06-03</c:ReadingDate><c:Odometer>81000</c:Odometer></c:RequestCarPass>"#
        );
        let response = app.call_as(Soap::V11, CENTRE_USER, "en", &body).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        let printed: Vec<(String, String)> = doc
            .descendants()
            .filter(|n| n.has_tag_name((NS, "Reading")))
            .map(|r| (child_text(r, "Source").unwrap(), child_text(r, "RegisteredBy").unwrap()))
            .collect();
        assert_eq!(printed[0], ("foreign".to_owned(), "Kraftfahrt-Bundesamt".to_owned()));
        assert_eq!(printed[1], ("foreign".to_owned(), "Autohaus Müller, Köln".to_owned()));
        assert_eq!(printed[2].0, "car_pass");
        let pending = doc.descendants().find(|n| n.has_tag_name((NS, "PostAccidentInspection"))).expect("the pending inspection");
        assert_eq!(child_text(pending, "Reference").as_deref(), Some("IX-2025-0042"));
        assert_eq!(child_text(pending, "ReportedOn").as_deref(), Some("2025-05-20"));
        let verify = doc.descendants().find(|n| n.has_tag_name((NS, "VerifyUrl"))).unwrap().text().unwrap().to_owned();
        let mut page = awc::Client::default().get(&verify).insert_header(("Accept-Language", "en")).send().await.unwrap();
        let html = String::from_utf8(page.body().await.unwrap().to_vec()).unwrap();
        assert!(html.contains("(DE)"), "{html}");
        assert!(html.contains("IX-2025-0042"), "{html}");
        // Once passed, the next Car-Pass has nothing pending.
        ok(&app, CENTRE_USER, &clear(IMPORTED, "2025-06-03", "passed")).await;
        let next = app.call_as(Soap::V11, CENTRE_USER, "en", &body.replace("CP-1", "CP-2").replace("81000", "81010")).await;
        assert_eq!(next.status, 200, "{}", next.body);
        assert!(!next.body.contains("PostAccidentInspection"), "{}", next.body);
    }
}

on_both_backends! {
    async fn foreign_readings_count_neither_for_nor_against_a_garage(app: TestApp) {
        add_partners(&app);
        let xml = ok(&app, IMPORTER_USER, &history(IMPORTED, "DE", &[("2020-05-01", 70_000, "Kraftfahrt-Bundesamt")])).await;
        assert_eq!(results(&xml)[0].0, "stored");
        // Below the foreign reading only: flagged when sent, but no break of the garages' history.
        let garage = app.submit_one(reading("G-TP", IMPORTED, date(2024, 6, 1), 50_000)).await;
        assert!(garage.codes().contains(&"ODOMETER_ROLLBACK"), "{:?}", garage.codes());
        let candidates = carpass::staff::trusted_providers::compute(&mut app.pool.get().unwrap(), 2025).unwrap();
        let janssens = candidates.iter().find(|c| c.name == "Garage Janssens BV").unwrap();
        assert_eq!((janssens.readings, janssens.discrepancies), (1, 0));
        assert!(candidates.iter().filter(|c| c.name == "Import Auto NV").all(|c| c.readings == 0));
    }
}

/// The feeds' FaultDetail codes are the inflow's catalog, documented in the feeds' XSD too.
#[test]
fn the_feeds_xsd_documents_every_fault_code() {
    let xsd = include_str!("../../wsdl/carpass-feeds.xsd");
    let doc = roxmltree::Document::parse(xsd).unwrap();
    let documentation = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("FaultCodeType"))
        .and_then(|n| {
            n.descendants()
                .find(|d| d.tag_name().name() == "documentation")
        })
        .and_then(|d| d.text())
        .unwrap();
    let listed = documentation.split_once("Known values: ").unwrap().1;
    let listed: Vec<&str> = listed[..listed.find(" (").unwrap()].split(", ").collect();
    let mut sent: Vec<&str> = carpass::soap::fault::FaultCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let mut listed = listed;
    listed.sort_unstable();
    sent.sort_unstable();
    assert_eq!(listed, sent);
}

on_both_backends! {
    /// Issue 22, point 7: per partner, what each feed sent and what was refused, in the staff's
    /// report and on the feeds page: an importer's foreign readings with each refused one and
    /// why, its recalls and how they were closed, an expert's report and an inspection centre's
    /// results. A request refused whole by a fault changed nothing and is not counted.
    async fn staff_see_per_partner_every_feed_and_each_refused_foreign_reading(app: TestApp) {
        add_partners(&app);
        app.submit_one(reading("G-1", IMPORTED, date(2025, 5, 30), 110_000)).await;
        ok(&app, IMPORTER_USER, &german_history()).await;
        refused(&app, IMPORTER_USER, &history(IMPORTED, "BE", &[("2017-05-01", 20_000, "KBA")])).await;
        for reference in ["RC-2025-01", "RC-2025-02"] {
            let recall = format!(
                r#"<f:ReportRecall xmlns:f="{FEEDS}"><f:Vin>{IMPORTED}</f:Vin><f:RecallReference>{reference}</f:RecallReference><f:TitleNl>Airbag vervangen</f:TitleNl><f:TitleFr>Remplacer l'airbag</f:TitleFr><f:OpenedOn>2025-01-10</f:OpenedOn></f:ReportRecall>"#
            );
            ok(&app, IMPORTER_USER, &recall).await;
        }
        let close = format!(
            r#"<f:CloseRecall xmlns:f="{FEEDS}"><f:Vin>{IMPORTED}</f:Vin><f:RecallReference>RC-2025-01</f:RecallReference><f:ClosedOn>2025-03-01</f:ClosedOn></f:CloseRecall>"#
        );
        ok(&app, IMPORTER_USER, &close).await;
        ok(&app, EXPERT_USER, &report(IMPORTED, "2025-05-20", "IX-2025-0001")).await;
        ok(&app, CENTRE_USER, &clear(IMPORTED, "2025-05-28", "failed")).await;
        ok(&app, CENTRE_USER, &clear(IMPORTED, "2025-06-02", "passed")).await;
        assert_eq!(app.count("foreign_refusals"), 2);

        let report = carpass::staff::feeds::report(&mut app.pool.get().unwrap()).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        let partner = |name: &str| {
            json.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} in {json}")).clone()
        };
        let importer = partner("Import Auto NV");
        let foreign = &importer["foreign"];
        let counts: Vec<i64> = ["sent", "stored", "held", "rejected_by_staff", "refused"].iter().map(|k| foreign[k].as_i64().unwrap()).collect();
        assert_eq!(counts, [7, 3, 2, 0, 2], "{foreign}");
        assert_eq!(foreign["refused_by_reason"]["date_future"], 1, "{foreign}");
        assert_eq!(foreign["refused_by_reason"]["before_first_registration"], 1, "{foreign}");
        // Newest first: the readings are judged oldest first, the 2015 one refused before.
        let latest = foreign["latest_refused"].as_array().unwrap();
        assert_eq!(latest.len(), 2, "{foreign}");
        assert_eq!((latest[0]["reason"].as_str(), latest[0]["date"].as_str()), (Some("date_future"), Some("2026-01-01")));
        assert_eq!((latest[1]["vin"].as_str(), latest[1]["odometer"].as_i64(), latest[1]["unit"].as_str(), latest[1]["country"].as_str()), (Some(IMPORTED), Some(1_000), Some("km"), Some("DE")));
        assert!(!latest[1]["detail"].as_str().unwrap().is_empty(), "{foreign}");
        assert_eq!(importer["recalls"], serde_json::json!({"reported": 2, "open": 1, "closed_by_manufacturer": 1, "closed_by_repair": 0}));
        assert_eq!(partner("Expertisebureau Claes")["post_accident"], serde_json::json!({"reported": 1, "passed": 0, "failed": 0}));
        assert_eq!(partner("Keuringscentrum Gent")["post_accident"], serde_json::json!({"reported": 0, "passed": 1, "failed": 1}));
        let text = carpass::staff::feeds::render_text(&report);
        assert!(text.contains("foreign history: 7 readings sent  stored 3  held for review 2  rejected by staff 0  refused 2"), "{text}");
        assert!(text.contains("    refused: date_future 1"), "{text}");
        assert!(text.contains("recalls: 2 vehicle recalls reported  open 1  closed by the manufacturer 1"), "{text}");
        assert!(text.contains("post-accident inspections: passed 1  failed 1"), "{text}");

        let mut browser = Browser::new(&app);
        browser.log_in(STAFF_USER, PASSWORD).await;
        let page = browser.get("/staff/feeds?lang=en").await;
        assert_eq!(page.status, 200, "{}", page.body);
        for text in [
            "Import Auto NV", "7 readings sent", "3 stored", "2 held for review", "2 refused",
            "before_first_registration 1, date_future 1", IMPORTED, "2026-01-01",
            "2 vehicle recalls reported", "1 open", "1 closed by the manufacturer",
            "Expertisebureau Claes", "1 accident reported", "Keuringscentrum Gent",
            "1 inspection passed", "1 inspection failed", "refused whole by a fault",
        ] {
            assert!(page.body.contains(text), "{text} missing in {}", page.body);
        }
        let french = browser.get("/staff/feeds?lang=fr").await;
        for text in ["7 relevés envoyés", "2 refusés", "2 rappels de véhicule signalés", "1 ouvert", "1 accident signalé", "1 contrôle réussi", "1 clôturé par le constructeur"] {
            assert!(french.body.contains(text), "{text} missing in {}", french.body);
        }
    }
}
