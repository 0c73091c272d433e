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
        assert!(html.contains("This OK label is valid") && html.contains("80150 km"), "{html}");
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
        assert!(json["no_longer_valid_because"].as_str().unwrap().contains("82000 km"), "{json}");
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
