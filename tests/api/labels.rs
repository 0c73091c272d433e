//! RequestOkLabel over SOAP, and the public label page an advert links to.

use crate::helpers::*;

/// A history that satisfies SPEC 2.9 for the car (first registered 2019-03-01, 75 months old on
/// 3 June 2025): four readings, never 24 months without one.
async fn honest_history(app: &TestApp) {
    for (i, (day, km)) in [
        (date(2020, 6, 1), 14_000),
        (date(2022, 1, 10), 38_500),
        (date(2023, 9, 1), 61_200),
        (date(2025, 3, 3), 80_150),
    ]
    .into_iter()
    .enumerate()
    {
        let receipt = app
            .submit_one(reading(&format!("H-{i}"), CAR, day, km))
            .await;
        assert_eq!(receipt.status, "AcceptedWithWarnings", "{receipt:?}");
    }
}

fn label_body(vin: &str, advertised: u64) -> String {
    format!(
        r#"<c:RequestOkLabel xmlns:c="{NS}"><c:Vin>{vin}</c:Vin><c:AdvertisedOdometer>{advertised}</c:AdvertisedOdometer><c:AdvertReference>AD-123</c:AdvertReference></c:RequestOkLabel>"#
    )
}

struct Label {
    granted: bool,
    label_id: Option<String>,
    reasons: Vec<(String, String)>,
    last: Option<(String, String)>,
}

async fn ask(app: &TestApp, user: &str, vin: &str, advertised: u64) -> Label {
    let response = app
        .call_as(Soap::V11, user, "en", &label_body(vin, advertised))
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_valid(&response.body);
    let doc = roxmltree::Document::parse(&response.body).unwrap();
    let root = doc
        .descendants()
        .find(|n| n.has_tag_name((NS, "RequestOkLabelResponse")))
        .unwrap();
    let last = root
        .children()
        .find(|n| n.has_tag_name((NS, "LastReading")));
    Label {
        granted: child_text(root, "Granted").as_deref() == Some("true"),
        label_id: child_text(root, "LabelId"),
        reasons: root
            .children()
            .filter(|n| n.has_tag_name((NS, "Reason")))
            .map(|r| {
                (
                    child_text(r, "Code").unwrap(),
                    child_text(r, "Message").unwrap(),
                )
            })
            .collect(),
        last: last.map(|l| {
            (
                child_text(l, "Date").unwrap(),
                child_text(l, "Odometer").unwrap(),
            )
        }),
    }
}

async fn page(app: &TestApp, id: &str, accept: &str) -> (u16, String) {
    let mut response = awc::Client::default()
        .get(format!("{}/label/{id}", app.address))
        .insert_header(("Accept", accept))
        .insert_header(("Accept-Language", "en"))
        .send()
        .await
        .unwrap();
    let body = response.body().await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

on_both_backends! {
    async fn a_portal_gets_a_label_for_an_honest_advert_and_the_public_page_shows_it(app: TestApp) {
        honest_history(&app).await;
        let label = ask(&app, PORTAL_USER, CAR, 80_150).await;
        assert!(label.granted, "{:?}", label.reasons);
        assert_eq!(label.reasons, []);
        assert_eq!(label.last, Some(("2025-03-03".into(), "80150".into())));
        let id = label.label_id.unwrap();

        let (status, json) = page(&app, &id, "application/json").await;
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["valid_now"], true);
        assert_eq!(json["advertised_km"], 80_150);
        assert_eq!((json["make"].as_str(), json["model"].as_str()), (Some("Make"), Some("Model")));

        let (status, html) = page(&app, &id, "text/html").await;
        assert_eq!(status, 200);
        assert!(html.contains("This OK label is valid") && html.contains("80,150 km"), "{html}");
        // SPEC 2.8: the history serves the certificate only.
        for km in ["14000", "38500", "61200"] {
            assert!(!html.contains(km) && !json.to_string().contains(km), "{km} leaked");
        }
    }
}

on_both_backends! {
    async fn a_submitter_may_ask_too_but_staff_may_not(app: TestApp) {
        honest_history(&app).await;
        assert!(ask(&app, GARAGE_USER, CAR, 81_000).await.granted);
        let f = app.fails(STAFF_USER, &label_body(CAR, 81_000)).await;
        assert_eq!(f.detail_code, "ROLE_NOT_ALLOWED");
    }
}

on_both_backends! {
    async fn a_refusal_lists_every_reason_with_its_numbers(app: TestApp) {
        honest_history(&app).await;
        let below = ask(&app, PORTAL_USER, CAR, 80_149).await;
        assert!(!below.granted && below.label_id.is_none());
        let codes: Vec<&str> = below.reasons.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(codes, ["ADVERTISED_BELOW_LAST_READING"]);
        assert!(below.reasons[0].1.contains("80,149") && below.reasons[0].1.contains("80,150"), "{}", below.reasons[0].1);

        // The 5-digit van with no reading at all: several reasons at once.
        let van = ask(&app, PORTAL_USER, VAN5, 1_000).await;
        let codes: Vec<&str> = van.reasons.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(codes, ["FIVE_DIGIT_ODOMETER", "TOO_FEW_READINGS", "READING_GAP"]);
        assert_eq!(van.last, None);

        let unknown = ask(&app, PORTAL_USER, UNREGISTERED, 1_000).await;
        assert_eq!(unknown.reasons.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["VIN_UNKNOWN"]);
        let invalid = ask(&app, PORTAL_USER, "NOT-A-VIN", 1_000).await;
        assert_eq!(invalid.reasons.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["VIN_UNKNOWN"]);
    }
}

on_both_backends! {
    async fn a_label_stops_being_valid_when_a_reading_contradicts_it(app: TestApp) {
        honest_history(&app).await;
        let id = ask(&app, PORTAL_USER, CAR, 81_000).await.label_id.unwrap();
        // The car was at the garage the day before: 82,000 km, more than the advert says.
        app.submit_one(reading("LATER", CAR, date(2025, 6, 2), 82_000)).await;
        let (_, json) = page(&app, &id, "application/json").await;
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["valid_now"], false);
        assert!(json["no_longer_valid_because"].as_str().unwrap().contains("82,000 km"), "{json}");
        let (_, html) = page(&app, &id, "text/html").await;
        assert!(html.contains("no longer valid"), "{html}");
    }
}

on_both_backends! {
    async fn an_anomaly_accepted_by_staff_refuses_the_label(app: TestApp) {
        honest_history(&app).await;
        let rollback = app.submit_one(reading("RB", CAR, date(2025, 6, 2), 70_000)).await;
        let number = rollback.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
        app.ok(&confirm_body(&number, Some("tellerstand klopt"))).await;
        let mut conn = app.pool.get().unwrap();
        carpass::staff::review::decide(&mut conn, STAFF_USER, &rollback.reading_id, carpass::staff::review::Decision::Accept, "genuine", now()).unwrap();
        drop(conn);
        let label = ask(&app, PORTAL_USER, CAR, 90_000).await;
        let codes: Vec<&str> = label.reasons.iter().map(|r| r.0.as_str()).collect();
        assert!(codes.contains(&"HISTORY_ANOMALY"), "{codes:?}");
    }
}

on_both_backends! {
    async fn an_unknown_label_is_a_clear_404(app: TestApp) {
        let (status, html) = page(&app, "no-such-label", "text/html").await;
        assert_eq!(status, 404);
        assert!(html.contains("There is no OK label"), "{html}");
        let (status, json) = page(&app, "0e7c8a4e-3f7b-4a51-9d3c-2b8f1c1d2e3f", "application/json").await;
        assert_eq!(status, 404);
        assert!(json.contains("LABEL_NOT_FOUND"), "{json}");
    }
}

on_both_backends! {
    /// Issue 20: the page names the advert it belongs to (the VIN's end, the mileage, the last
    /// reading's date) so that it cannot be pasted under another "Make Model" advert, without
    /// showing the VIN or the history; in the reader's language; HEAD answered; times zoned.
    async fn the_label_page_names_its_advert_without_exposing_the_vehicle(app: TestApp) {
        honest_history(&app).await;
        let id = ask(&app, PORTAL_USER, CAR, 80_150).await.label_id.unwrap();
        let (_, json) = page(&app, &id, "application/json").await;
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["vin_ends_with"].as_str(), Some(&CAR[CAR.len() - 4..]));
        assert_eq!(json["last_reading_on"].as_str(), Some("2025-03-03"));
        assert_eq!(json["advert_reference"].as_str(), Some("AD-123"));
        let granted = json["granted_at"].as_str().unwrap();
        assert!(granted.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(granted).is_ok(), "{granted}");
        assert!(!json.to_string().contains(CAR), "the whole VIN is not published: {json}");

        let dutch = awc::Client::default()
            .get(format!("{}/label/{id}?lang=nl", app.address))
            .send()
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        let dutch = String::from_utf8(dutch.to_vec()).unwrap();
        assert!(dutch.contains("lang=\"nl\"") && dutch.contains("Dit OK-label is geldig"), "{dutch}");
        assert!(dutch.contains("80.150 km") && dutch.contains("03/03/2025") && dutch.contains(&CAR[CAR.len() - 4..]), "{dutch}");
        assert!(!dutch.contains(CAR), "the whole VIN is not shown: {dutch}");
        assert!(dutch.contains("(UTC+2)"), "the grant's time says its zone: {dutch}");

        let head = awc::Client::default()
            .head(format!("{}/label/{id}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status().as_u16(), 200);
        let missing = awc::Client::default()
            .head(format!("{}/label/no-such-label", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);
    }
}

// ---- Issue 17: rules that garages and buyers can trust -----------------------------------

fn codes(label: &Label) -> Vec<&str> {
    label.reasons.iter().map(|r| r.0.as_str()).collect()
}

async fn still_holds(app: &TestApp, id: &str) -> serde_json::Value {
    let (status, json) = page(app, id, "application/json").await;
    assert_eq!(status, 200, "{json}");
    serde_json::from_str(&json).unwrap()
}

fn decide(app: &TestApp, reading_id: &str) {
    let mut conn = app.pool.get().unwrap();
    carpass::staff::review::decide(
        &mut conn,
        STAFF_USER,
        reading_id,
        carpass::staff::review::Decision::Accept,
        "the counter shows it",
        now(),
    )
    .unwrap();
}

/// The rollback typo of issue 17, point 1: 8,090 km for 80,900 on 2 June.
async fn typo(app: &TestApp) -> Receipt {
    let typo = app
        .submit_one(reading("TYPO", CAR, date(2025, 6, 2), 8_090))
        .await;
    assert_eq!(typo.codes(), ["ODOMETER_ROLLBACK"]);
    typo
}

on_both_backends! {
    /// Issue 17, point 1: a value corrected by CorrectIssue is the history, not an anomaly.
    async fn a_rollback_typo_corrected_by_correct_issue_keeps_the_label(app: TestApp) {
        honest_history(&app).await;
        let earlier = ask(&app, PORTAL_USER, CAR, 81_000).await.label_id.unwrap();
        let typo = typo(&app).await;
        let number = typo.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
        app.ok(&correct_body(&number, &reading("TYPO", CAR, date(2025, 6, 2), 80_900))).await;

        let status = app.ok(&status_by_reference("TYPO")).await;
        assert_eq!(receipts(&status)[0].status, "Accepted");
        assert_eq!(states(&status), [("ODOMETER_ROLLBACK".to_owned(), "Corrected".to_owned())]);

        let label = ask(&app, PORTAL_USER, CAR, 81_000).await;
        assert!(label.granted, "{:?}", label.reasons);
        assert_eq!(label.last, Some(("2025-06-02".into(), "80900".into())));
        let json = still_holds(&app, &earlier).await;
        assert_eq!(json["valid_now"], true, "{json}");
    }
}

on_both_backends! {
    /// Issue 17, point 1: so is a value staff corrected from a signed paper form.
    async fn a_rollback_typo_corrected_by_a_paper_form_keeps_the_label(app: TestApp) {
        honest_history(&app).await;
        let earlier = ask(&app, PORTAL_USER, CAR, 81_000).await.label_id.unwrap();
        let typo = typo(&app).await;
        let mut conn = app.pool.get().unwrap();
        let form = carpass::staff::review::PaperForm {
            reference: "CF-2025-0017".into(),
            odometer: Some(80_900),
            ..Default::default()
        };
        let status = carpass::staff::review::apply_paper_form(&mut conn, STAFF_USER, &typo.reading_id, &form, now()).unwrap();
        assert_eq!(status.as_str(), "Accepted");
        drop(conn);

        let label = ask(&app, PORTAL_USER, CAR, 81_000).await;
        assert!(label.granted, "{:?}", label.reasons);
        assert_eq!(still_holds(&app, &earlier).await["valid_now"], true);
    }
}

on_both_backends! {
    /// Issue 17, point 2: staff accept a drop as genuine. Later honest readings follow it
    /// without an issue, the drop stays an anomaly for the label, and only the reading that
    /// made the drop counts against its garage's Trusted Provider share.
    async fn an_accepted_drop_starts_a_new_baseline_for_later_readings_and_the_trusted_provider_list(app: TestApp) {
        honest_history(&app).await;
        // Another garage finds the counter at 60,000 km after a repair of the instrument panel.
        let submit_as_other = |r: Reading| {
            let app = &app;
            async move {
                let response = app.call_as(Soap::V11, OTHER_USER, "en", &submit_body(&[r])).await;
                assert_eq!(response.status, 200, "{}", response.body);
                receipts(&response.body).remove(0)
            }
        };
        let drop = submit_as_other(reading("DROP", CAR, date(2025, 5, 26), 60_000)).await;
        assert_eq!(drop.codes(), ["ODOMETER_ROLLBACK"]);
        let number = drop.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
        let confirmed = app.call_as(Soap::V11, OTHER_USER, "en", &confirm_body(&number, Some("nieuw instrumentenpaneel"))).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        // Our garage's readings arrive while the drop waits for staff: flagged against 80,150 km.
        let meanwhile = app.submit_one(reading("MEANWHILE", CAR, date(2025, 5, 27), 60_400)).await;
        assert_eq!(meanwhile.codes(), ["ODOMETER_ROLLBACK"]);
        let confirmed = app.submit_one(reading("CONFIRMED", CAR, date(2025, 5, 28), 60_500)).await;
        let number = confirmed.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
        app.ok(&confirm_body(&number, Some("stand klopt"))).await;
        decide(&app, &drop.reading_id);
        // The unanswered one is checked again against the history that now holds the drop.
        let status = app.ok(&status_by_reference("MEANWHILE")).await;
        assert_eq!(receipts(&status)[0].status, "Accepted");
        assert_eq!(states(&status), [("ODOMETER_ROLLBACK".to_owned(), "ResolvedByStaff".to_owned())]);
        // The confirmed one waits for staff, who decide it as any other.
        assert_eq!(receipts(&app.ok(&status_by_reference("CONFIRMED")).await)[0].status, "Reviewing");
        decide(&app, &confirmed.reading_id);

        // After the accepted drop, an honest reading above it raises nothing.
        let after = app.submit_one(reading("AFTER", CAR, date(2025, 6, 2), 61_000)).await;
        assert_eq!((after.status.as_str(), after.codes()), ("Accepted", vec![]));
        // Below the drop's sequence is still a rollback, named against the drop.
        let below = app.submit_one(reading("BELOW", CAR, date(2025, 6, 3), 60_999)).await;
        assert_eq!(below.codes(), ["ODOMETER_ROLLBACK"]);
        assert!(below.issues[0].message.contains("61,000"), "{}", below.issues[0].message);

        let label = ask(&app, PORTAL_USER, CAR, 61_000).await;
        assert_eq!(codes(&label), ["HISTORY_ANOMALY"]);
        assert!(label.reasons[0].1.contains("2025-05-26"), "{}", label.reasons[0].1);

        let mut conn = app.pool.get().unwrap();
        let candidates = carpass::staff::trusted_providers::compute(&mut conn, 2026).unwrap();
        let discrepancies = |name: &str| candidates.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} in {candidates:?}")).discrepancies;
        // Ours: the readings that followed the drop broke nothing; BELOW did.
        assert_eq!(discrepancies("Garage Janssens BV"), 1);
        assert_eq!(discrepancies("Bandencentrale Peeters"), 1);
    }
}

on_both_backends! {
    /// Issue 17, point 3: a reading that waits only for its work description holds its
    /// odometer value; one whose odometer is the open question is left out, and the answer
    /// says so.
    async fn the_label_compares_with_every_reading_whose_odometer_is_not_in_question(app: TestApp) {
        honest_history(&app).await;
        let mut no_work = reading("NO-WORK", CAR, date(2025, 6, 2), 82_000);
        no_work.works.clear();
        assert_eq!(app.submit_one(no_work).await.codes(), ["WORK_MISSING"]);

        let below = ask(&app, PORTAL_USER, CAR, 81_999).await;
        assert_eq!(codes(&below), ["ADVERTISED_BELOW_LAST_READING"]);
        assert!(below.reasons[0].1.contains("82,000 km on 2025-06-02"), "{}", below.reasons[0].1);
        assert!(below.reasons[0].1.contains("work description"), "{}", below.reasons[0].1);
        assert_eq!(below.last, Some(("2025-06-02".into(), "82000".into())));
        let granted = ask(&app, PORTAL_USER, CAR, 82_000).await;
        assert!(granted.granted, "{:?}", granted.reasons);

        // A rollback not yet answered: its value is the open question.
        let rollback = app.submit_one(reading("RB", CAR, date(2025, 6, 3), 70_000)).await;
        assert_eq!(rollback.codes(), ["ODOMETER_ROLLBACK"]);
        let below = ask(&app, PORTAL_USER, CAR, 81_999).await;
        assert_eq!(codes(&below), ["ADVERTISED_BELOW_LAST_READING"]);
        assert!(
            below.reasons[0].1.contains("a more recent reading of 70,000 km on 2025-06-03 is not counted"),
            "{}",
            below.reasons[0].1
        );
        assert!(ask(&app, PORTAL_USER, CAR, 82_000).await.granted);
        assert_eq!(still_holds(&app, granted.label_id.as_deref().unwrap()).await["valid_now"], true);
    }
}
