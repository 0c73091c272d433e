//! Connected-car readings in bulk (issue 22, point 2): `PUT /feeds/readings/{batch}` and `GET`,
//! for manufacturer accounts only; bad lines listed with their numbers, good lines stored,
//! the same batch idempotent, a reused id with another file refused, a conflict held for staff.

use carpass::service::auth::Role;
use carpass::staff::{self, companies::CompanyKind};
use serde_json::Value;

use crate::helpers::*;

pub const MAKER_KBO: &str = "0400.000.185";
pub const MAKER_USER: &str = "maker-one";

/// A manufacturer with its feed account, beside the usual seed.
fn add_manufacturer(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, Some(STAFF_USER)).unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        MAKER_KBO,
        "Autobouwer Belgium NV",
        "46190",
        CompanyKind::Manufacturer,
        now(),
    )
    .unwrap();
    staff::accounts::add(
        &mut conn,
        &actor,
        MAKER_KBO,
        MAKER_USER,
        Role::Manufacturer,
        Some(PASSWORD.into()),
        now(),
    )
    .unwrap();
}

struct Answer {
    status: u16,
    json: Value,
    www_authenticate: Option<String>,
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    user: Option<(&str, &str)>,
    content_type: &str,
    body: &str,
) -> Answer {
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish();
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "PUT" => client.put(url),
        _ => client.get(url),
    }
    .insert_header(("Content-Type", content_type));
    if let Some((user, password)) = user {
        request = request.basic_auth(user, password);
    }
    let mut response = request.send_body(body.to_owned()).await.expect("an answer");
    let bytes = response.body().limit(16 << 20).await.expect("a body");
    Answer {
        status: response.status().as_u16(),
        json: serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("JSON, not {:?}", String::from_utf8_lossy(&bytes))),
        www_authenticate: response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned()),
    }
}

async fn put_csv(app: &TestApp, batch: &str, body: &str) -> Answer {
    send(
        app,
        "PUT",
        &format!("/feeds/readings/{batch}"),
        Some((MAKER_USER, PASSWORD)),
        "text/csv",
        body,
    )
    .await
}

async fn get(app: &TestApp, batch: &str) -> Answer {
    send(
        app,
        "GET",
        &format!("/feeds/readings/{batch}"),
        Some((MAKER_USER, PASSWORD)),
        "text/plain",
        "",
    )
    .await
}

const GOOD_AND_BAD: &str = "vin,date,odometer,unit
WDB2030461A000001,2025-01-10,50000,km
WDB2030461A00000,2025-01-10,50000,km
WDB2030461A000001,2025-13-10,50000,km
ZFA31200000123456,2025-01-10,50000,km
YV2RT40A0EB123456,2025-01-10,50000,km
WDB2030461A000001,2025-06-04,50000,km
WDB2030461A000001,2025-02-10,51000,km,extra

WDB2030461A000001,2025-03-10,52000,mi
";

on_both_backends! {
    async fn only_manufacturer_accounts_may_send_or_read_a_batch(app: TestApp) {
        add_manufacturer(&app);
        let csv = "vin,date,odometer,unit\nWDB2030461A000001,2025-01-10,50000,km\n";
        let path = "/feeds/readings/B1";
        let anonymous = send(&app, "PUT", path, None, "text/csv", csv).await;
        assert_eq!(anonymous.status, 401);
        assert!(anonymous.www_authenticate.unwrap().starts_with("Basic"));
        let wrong = send(&app, "PUT", path, Some((MAKER_USER, "not the password")), "text/csv", csv).await;
        assert_eq!(wrong.status, 401, "{}", wrong.json);
        assert!(wrong.json["error"].as_str().unwrap().contains("authentication failed"));
        for user in [GARAGE_USER, PORTAL_USER, STAFF_USER] {
            for method in ["PUT", "GET"] {
                let refused = send(&app, method, path, Some((user, PASSWORD)), "text/csv", csv).await;
                assert_eq!(refused.status, 403, "{user} {method}: {}", refused.json);
                let message = refused.json["error"].as_str().unwrap();
                assert!(message.contains("role manufacturer"), "{message}");
            }
        }
        assert_eq!(app.count("readings"), 0);
        assert_eq!(app.count("feed_batches"), 0);
        let accepted = put_csv(&app, "B1", csv).await;
        assert_eq!(accepted.status, 200, "{}", accepted.json);
    }
}

on_both_backends! {
    async fn good_lines_are_stored_and_bad_ones_listed_with_their_numbers(app: TestApp) {
        add_manufacturer(&app);
        let answer = put_csv(&app, "2025-05-export", GOOD_AND_BAD).await;
        assert_eq!(answer.status, 200, "{}", answer.json);
        let j = &answer.json;
        assert_eq!(j["state"], "complete");
        assert_eq!(j["lines"], 10);
        assert_eq!(j["stored"], 2);
        assert_eq!(j["conflicts"], 0);
        // The blank line is neither stored nor refused.
        assert_eq!(j["refused"], 6);
        let problems: Vec<(i64, String)> = j["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["line"].as_i64().unwrap(), p["reason"].as_str().unwrap().to_owned()))
            .collect();
        let expected = [
            (3, "vin_invalid"),
            (4, "date_invalid"),
            (5, "vin_unknown"),
            (6, "not_subject"),
            (7, "date_future"),
            (8, "columns"),
        ];
        assert_eq!(
            problems,
            expected.iter().map(|(l, r)| (*l, r.to_string())).collect::<Vec<_>>()
        );
        assert!(j["problems"][0]["detail"].as_str().unwrap().contains("17"));
        assert_eq!(
            readings_from(&app, "connected"),
            [
                ("WDB2030461A000001".to_owned(), "2025-01-10".to_owned(), 50_000, "Accepted".to_owned(), "batch 2025-05-export line 2".to_owned()),
                ("WDB2030461A000001".to_owned(), "2025-03-10".to_owned(), 52_000, "Accepted".to_owned(), "batch 2025-05-export line 10".to_owned()),
            ]
        );
        // The same answer later, and in NDJSON the same rules.
        let again = get(&app, "2025-05-export").await;
        assert_eq!(again.status, 200);
        assert_eq!(again.json, answer.json);
        let ndjson = "{\"vin\":\"WDB2030461A000001\",\"date\":\"2025-04-01\",\"odometer\":85000,\"unit\":\"km\"}\n{\"vin\":\"WDB2030461A000001\"}\n";
        let nd = send(&app, "PUT", "/feeds/readings/nd-1", Some((MAKER_USER, PASSWORD)), "application/x-ndjson", ndjson).await;
        assert_eq!(nd.status, 200, "{}", nd.json);
        assert_eq!((nd.json["stored"].as_i64(), nd.json["refused"].as_i64()), (Some(1), Some(1)));
        assert_eq!(nd.json["problems"][0]["line"], 2);
        assert_eq!(nd.json["problems"][0]["reason"], "json");
        let missing = get(&app, "never-sent").await;
        assert_eq!(missing.status, 404);
    }
}

on_both_backends! {
    async fn the_same_batch_again_stores_nothing_twice_and_answers_the_first_result(app: TestApp) {
        add_manufacturer(&app);
        let first = put_csv(&app, "B-7", GOOD_AND_BAD).await;
        assert_eq!(first.status, 200);
        let readings = app.count("readings");
        let again = put_csv(&app, "B-7", GOOD_AND_BAD).await;
        assert_eq!(again.status, 200, "{}", again.json);
        assert_eq!(again.json, first.json);
        assert_eq!(app.count("readings"), readings);
        assert_eq!(app.count("feed_lines"), 6);
    }
}

on_both_backends! {
    async fn a_batch_id_reused_with_another_file_is_refused_and_nothing_changes(app: TestApp) {
        add_manufacturer(&app);
        put_csv(&app, "B-8", GOOD_AND_BAD).await;
        let (readings, lines) = (app.count("readings"), app.count("feed_lines"));
        let other = GOOD_AND_BAD.replace("52000", "53000");
        let refused = put_csv(&app, "B-8", &other).await;
        assert_eq!(refused.status, 409, "{}", refused.json);
        let message = refused.json["error"].as_str().unwrap();
        assert!(message.contains("batch B-8 was already sent with a different file"), "{message}");
        assert!(message.contains("choose a new batch id"), "{message}");
        let as_ndjson = send(&app, "PUT", "/feeds/readings/B-8", Some((MAKER_USER, PASSWORD)), "application/x-ndjson", "{}\n").await;
        assert_eq!(as_ndjson.status, 409);
        assert!(as_ndjson.json["error"].as_str().unwrap().contains("was sent as csv"));
        assert_eq!((app.count("readings"), app.count("feed_lines")), (readings, lines));
        assert_eq!(get(&app, "B-8").await.json["lines"], 10);
    }
}

on_both_backends! {
    async fn a_file_the_registry_cannot_read_is_refused_whole(app: TestApp) {
        add_manufacturer(&app);
        let header = put_csv(&app, "H1", "vin;date;odometer;unit\nWDB2030461A000001;2025-01-10;1;km\n").await;
        assert_eq!(header.status, 400);
        assert!(header.json["error"].as_str().unwrap().contains("must be the header vin,date,odometer,unit"));
        let empty = put_csv(&app, "H2", "").await;
        assert_eq!(empty.status, 400);
        assert!(empty.json["error"].as_str().unwrap().contains("the file is empty"));
        let json = send(&app, "PUT", "/feeds/readings/H3", Some((MAKER_USER, PASSWORD)), "application/json", "{}").await;
        assert_eq!(json.status, 415);
        assert!(json.json["error"].as_str().unwrap().contains("text/csv"));
        let bad_id = put_csv(&app, "a%20b", "vin,date,odometer,unit\n").await;
        assert_eq!(bad_id.status, 400);
        assert_eq!(app.count("feed_batches"), 0);
        assert_eq!(app.count("readings"), 0);
    }
}

on_both_backends! {
    async fn a_line_that_contradicts_the_history_is_held_for_staff_naming_batch_and_line(app: TestApp) {
        add_manufacturer(&app);
        let garage = app.submit_one(reading("G-1", CAR, date(2025, 5, 30), 60_000)).await;
        assert_eq!(garage.status, "Accepted");
        let csv = "vin,date,odometer,unit
WDB2030461A000001,2025-06-01,59000,km
WDB2030461A000001,2025-05-01,61000,km
WDB2030461A000001,2025-05-31,160000,km
WDB2030461A000001,2025-06-02,60100,km
";
        let answer = put_csv(&app, "C1", csv).await;
        assert_eq!(answer.status, 200, "{}", answer.json);
        assert_eq!((answer.json["stored"].as_i64(), answer.json["conflicts"].as_i64()), (Some(1), Some(3)));
        let reasons: Vec<&str> = answer.json["problems"].as_array().unwrap().iter().map(|p| p["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["ODOMETER_ROLLBACK", "ODOMETER_ABOVE_LATER", "ODOMETER_IMPLAUSIBLE_RATE"]);
        assert!(answer.json["problems"][0]["reading_id"].is_string());
        let detail = answer.json["problems"][0]["detail"].as_str().unwrap();
        assert!(detail.ends_with("Held for staff review: the reading stays out of the history until staff decide"), "{detail}");
        assert!(!detail.contains("confirm"), "{detail}");
        let queue = carpass::staff::review::queue(&mut app.pool.get().unwrap()).unwrap();
        let held: Vec<&str> = queue.iter().map(|r| r["client_reference"].as_str().unwrap()).collect();
        assert_eq!(held, ["batch C1 line 2", "batch C1 line 3", "batch C1 line 4"]);
        assert_eq!(queue[0]["issues"][0]["correctable"], false);
        assert_eq!(queue[0]["issues"][0]["state"], "Escalated");
        // Kept out of the history: a garage's next reading is judged without them.
        let next = app.submit_one(reading("G-2", CAR, date(2025, 6, 3), 60_200)).await;
        assert_eq!(next.status, "Accepted", "{:?}", next.codes());
    }
}

on_both_backends! {
    async fn staff_see_per_partner_what_it_sent_and_what_was_refused(app: TestApp) {
        add_manufacturer(&app);
        put_csv(&app, "R1", GOOD_AND_BAD).await;
        let report = carpass::staff::feeds::report(&mut app.pool.get().unwrap()).unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!((report[0].name.as_str(), report[0].batch_feeds.len()), ("Autobouwer Belgium NV", 1));
        let p = &report[0].batch_feeds[0];
        assert_eq!((p.source.as_str(), p.batches), ("connected", 1));
        assert_eq!((p.lines, p.stored, p.refused), (10, 2, 6));
        assert_eq!(p.refused_by_reason.get("columns"), Some(&1));
        let text = carpass::staff::feeds::render_text(&report);
        assert!(text.contains("refused: vin_unknown 1"), "{text}");
    }
}

on_both_backends! {
    async fn connected_readings_count_neither_for_nor_against_a_garage(app: TestApp) {
        add_manufacturer(&app);
        let answer = put_csv(&app, "TP", "vin,date,odometer,unit\nWDB2030461A000001,2024-05-01,80000,km\n").await;
        assert_eq!(answer.json["stored"], 1, "{}", answer.json);
        // Below the connected reading only: flagged when sent, but no break of the garages' history.
        let garage = app.submit_one(reading("G-TP", CAR, date(2024, 6, 1), 50_000)).await;
        assert!(garage.codes().contains(&"ODOMETER_ROLLBACK"), "{:?}", garage.codes());
        let candidates = carpass::staff::trusted_providers::compute(&mut app.pool.get().unwrap(), 2025).unwrap();
        let janssens = candidates.iter().find(|c| c.name == "Garage Janssens BV").unwrap();
        assert_eq!((janssens.readings, janssens.discrepancies), (1, 0));
        assert!(candidates.iter().filter(|c| c.name == "Autobouwer Belgium NV").all(|c| c.readings == 0));
    }
}
