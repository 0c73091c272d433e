//! The Dutch registry's history (issue 22, point 4): `carpass import rdw-history`'s work on
//! both backends: good lines stored as the RDW's, bad ones named by line, the same file again
//! storing nothing, the verdict kept and printed on the Car-Pass, a contradicting reading held
//! for staff and never counted for a garage.

use carpass::domain::language::Language;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::rdw::RdwVerdict;
use carpass::domain::reading::ClientReference;
use carpass::domain::source::ReadingSource;
use carpass::service::auth::{Account, Role};
use carpass::service::car_pass::{self, Outcome, Request};
use carpass::service::{Caller, Software};
use carpass::staff::feeds::{self, RdwImport};

use crate::helpers::*;

/// Imports `text` as the file `name`, as `carpass import rdw-history` does.
fn import(app: &TestApp, name: &str, text: &str) -> RdwImport {
    let mut conn = app.pool.get().unwrap();
    let upload = feeds::rdw_upload(&mut conn, name).unwrap();
    let summary = feeds::import(&mut conn, &upload, text.as_bytes(), now, |_| {}).unwrap();
    feeds::rdw_result(&mut conn, &upload, summary).unwrap()
}

const GOOD_AND_BAD: &str = "vin;date;odometer;unit;verdict
WDB2030461A000001;2020-04-02;21000;km;logisch
WDB2030461A000001;2021-04-06;39500;km;Logisch
WDB2030461A00000;2021-05-01;40000;km;logisch
WDB2030461A000001;2021-13-01;40000;km;logisch
WDB2030461A000001;2022-04-05;58000;km;goed
ZFA31200000123456;2022-04-05;58000;km;onlogisch
WDB2030461A000001;2022-04-05;58000;km

VF1RFB00X12345678;2022-04-05;58000;km;geen oordeel
";

on_both_backends! {
    async fn an_rdw_file_stores_its_good_lines_as_the_rdw_s_and_names_each_bad_one_by_line(app: TestApp) {
        let result = import(&app, "rdw-2025-06.csv", GOOD_AND_BAD);
        let s = &result.summary;
        assert_eq!((s.state, s.source.as_str(), s.format.as_str()), ("complete", "rdw", "rdw"));
        assert_eq!((s.lines, s.stored, s.conflicts, s.refused), (10, 3, 0, 5));
        let problems: Vec<(i64, &str)> = s.problems.iter().map(|p| (p.line, p.reason.as_str())).collect();
        assert_eq!(
            problems,
            [(4, "vin_invalid"), (5, "date_invalid"), (6, "verdict_invalid"), (7, "vin_unknown"), (8, "columns")]
        );
        assert!(s.problems[2].detail.contains("logisch, onlogisch or geen oordeel"), "{}", s.problems[2].detail);
        assert!(s.problems[4].detail.contains("vin;date;odometer;unit;verdict"), "{}", s.problems[4].detail);
        let stored = readings_from(&app, "rdw");
        assert_eq!(
            stored,
            [
                (CAR.to_owned(), "2020-04-02".to_owned(), 21_000, "Accepted".to_owned(), "batch rdw-2025-06.csv line 2".to_owned()),
                (CAR.to_owned(), "2021-04-06".to_owned(), 39_500, "Accepted".to_owned(), "batch rdw-2025-06.csv line 3".to_owned()),
                (VAN5.to_owned(), "2022-04-05".to_owned(), 58_000, "Accepted".to_owned(), "batch rdw-2025-06.csv line 10".to_owned()),
            ]
        );
        // A verdict per vehicle: the unknown vehicle's and the refused lines' are not kept.
        let verdicts: Vec<(&str, i64)> = result.verdicts.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        assert_eq!(verdicts, [("geen oordeel", 1), ("logisch", 1)]);
        let mut conn = app.pool.get().unwrap();
        assert_eq!(
            carpass::db::rdw::latest_verdict(&mut conn, CAR).unwrap(),
            Some(("logisch".to_owned(), date(2021, 4, 6)))
        );
        assert_eq!(carpass::db::rdw::latest_verdict(&mut conn, UNREGISTERED).unwrap(), None);
        // The staff's report names the RDW's imports beside the partners' feeds.
        let report = feeds::report(&mut conn).unwrap();
        let rdw = report.iter().flat_map(|p| &p.batch_feeds).find(|b| b.source == "rdw").expect("the RDW's line");
        assert_eq!((rdw.batches, rdw.stored, rdw.refused), (1, 3, 5));
        assert_eq!(rdw.refused_by_reason.get("verdict_invalid"), Some(&1));
    }
}

on_both_backends! {
    async fn importing_the_same_rdw_file_again_stores_nothing_twice(app: TestApp) {
        let first = import(&app, "rdw-1.csv", GOOD_AND_BAD);
        let (readings, lines, verdicts) = (app.count("readings"), app.count("feed_lines"), app.count("rdw_verdicts"));
        assert_eq!(verdicts, 3);
        let again = import(&app, "rdw-1.csv", GOOD_AND_BAD);
        assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&first).unwrap());
        assert_eq!(
            (app.count("readings"), app.count("feed_lines"), app.count("rdw_verdicts")),
            (readings, lines, verdicts)
        );
        // The same readings in a file of another name: already in the history, nothing added.
        let renamed = import(&app, "rdw-1-copy.csv", GOOD_AND_BAD);
        assert_eq!(renamed.summary.stored, 0);
        assert_eq!(app.count("readings"), readings);
        assert!(renamed.summary.problems.iter().any(|p| p.reason == "already_in_history"));
        // Another file under a name already imported is refused, and changes nothing.
        let mut conn = app.pool.get().unwrap();
        let upload = feeds::rdw_upload(&mut conn, "rdw-1.csv").unwrap();
        let other = GOOD_AND_BAD.replace("39500", "39600");
        let refused = feeds::import(&mut conn, &upload, other.as_bytes(), now, |_| {}).unwrap_err();
        assert!(refused.to_string().contains("batch rdw-1.csv was already sent with a different file"), "{refused}");
        assert_eq!(app.count("readings"), readings);
    }
}

/// A Car-Pass issued through the service for the demo garage, as an inspection centre would.
fn issue(app: &TestApp, reference: &str, odometer: u64) -> carpass::domain::car_pass::CarPass {
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
        date: carpass::domain::calendar::brussels_date(now()),
        odometer,
        unit: OdometerUnit::Km,
    };
    match car_pass::request(&mut conn, &caller, &request, now()).unwrap() {
        Outcome::Issued { pass, .. } => *pass,
        other => panic!("{other:?}"),
    }
}

on_both_backends! {
    async fn the_rdw_s_readings_and_latest_verdict_are_on_the_car_pass_and_its_verification_page(app: TestApp) {
        import(&app, "old.csv", "vin,date,odometer,unit,verdict\nWDB2030461A000001,2020-04-02,21000,km,geen oordeel\n");
        import(&app, "new.csv", "vin;date;odometer;unit;verdict\nWDB2030461A000001;2021-04-06;39500;km;onlogisch\n");
        let garage = app.submit_one(reading("G-1", CAR, date(2025, 6, 2), 70_000)).await;
        assert_eq!(garage.status, "Accepted");
        let pass = issue(&app, "CP-1", 70_500);
        let sources: Vec<(ReadingSource, &str)> = pass.readings.iter().map(|r| (r.source, r.registered_by.as_str())).collect();
        assert_eq!(
            sources,
            [
                (ReadingSource::Rdw, "Rijksdienst voor het Wegverkeer"),
                (ReadingSource::Rdw, "Rijksdienst voor het Wegverkeer"),
                (ReadingSource::Garage, "Garage Janssens BV"),
                (ReadingSource::CarPass, "Garage Janssens BV"),
            ]
        );
        let judgment = pass.mentions.rdw_verdict.expect("the RDW's verdict");
        assert_eq!((judgment.verdict, judgment.judged_on), (RdwVerdict::Onlogisch, date(2021, 4, 6)));
        let client = awc::Client::default();
        let day = |lang| carpass::domain::format::Formatter(lang).date(date(2021, 4, 6));
        for (lang, expected) in [
            ("en", format!("RDW (Netherlands) odometer judgment of the readings up to {}: “onlogisch” (illogical", day(Language::En))),
            ("nl", format!("Oordeel van de RDW (Nederland) over de tellerstanden tot {}: onlogisch (de reeks tellerstanden is niet oplopend)", day(Language::Nl))),
        ] {
            let digits: String = pass.id.chars().filter(char::is_ascii_digit).collect();
            let mut response = client
                .get(format!("{}/verify/{digits}?lang={lang}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
            assert!(body.contains(&expected), "{lang}: {body}");
            assert!(body.contains("Rijksdienst voor het Wegverkeer"), "{body}");
            assert!(body.contains("Garage Janssens BV"), "{body}");
        }
    }
}

on_both_backends! {
    async fn a_contradicting_rdw_reading_is_held_for_staff_and_never_counts_for_a_garage(app: TestApp) {
        let garage = app.submit_one(reading("G-1", CAR, date(2025, 5, 30), 70_000)).await;
        assert_eq!(garage.status, "Accepted");
        let result = import(&app, "late.csv", "vin;date;odometer;unit;verdict\nWDB2030461A000001;2025-06-01;65000;km;onlogisch\n");
        assert_eq!((result.summary.stored, result.summary.conflicts), (0, 1));
        assert_eq!(result.summary.problems[0].reason, "ODOMETER_ROLLBACK");
        let queue = carpass::staff::review::queue(&mut app.pool.get().unwrap()).unwrap();
        let held: Vec<&str> = queue.iter().map(|r| r["client_reference"].as_str().unwrap()).collect();
        assert_eq!(held, ["batch late.csv line 2"]);
        assert_eq!(queue[0]["issues"][0]["correctable"], false);
        assert_eq!(queue[0]["issues"][0]["state"], "Escalated");
        // The verdict judges the series whatever became of the reading.
        assert_eq!(app.count("rdw_verdicts"), 1);
        // A garage's next reading is judged without it, and the registry's account that holds
        // the RDW's readings is no Trusted Provider candidate.
        let next = app.submit_one(reading("G-2", CAR, date(2025, 6, 2), 70_300)).await;
        assert_eq!(next.status, "Accepted", "{:?}", next.codes());
        let candidates = carpass::staff::trusted_providers::compute(&mut app.pool.get().unwrap(), 2025).unwrap();
        assert!(candidates.iter().filter(|c| c.name == "Het Register vzw").all(|c| c.readings == 0));
    }
}

on_both_backends! {
    async fn an_rdw_import_without_a_registry_account_or_with_a_bad_header_changes_nothing(app: TestApp) {
        let mut conn = app.pool.get().unwrap();
        let upload = feeds::rdw_upload(&mut conn, "h.csv").unwrap();
        let header = feeds::import(&mut conn, &upload, "vin,date,odometer,unit\n".as_bytes(), now, |_| {}).unwrap_err();
        assert!(header.to_string().contains("must be the header vin;date;odometer;unit;verdict"), "{header}");
        let name = feeds::rdw_upload(&mut conn, "my file.csv").unwrap_err().to_string();
        assert!(name.contains("--batch"), "{name}");
        {
            use carpass::db::schema::accounts::dsl::*;
            use diesel::prelude::*;
            diesel::update(accounts.filter(username.eq(STAFF_USER)))
                .set(disabled_at.eq(Some(now().naive_utc())))
                .execute(&mut **conn)
                .unwrap();
        }
        let none = feeds::rdw_upload(&mut conn, "h.csv").unwrap_err().to_string();
        assert!(none.contains("--kind registry") && none.contains("--role staff"), "{none}");
        assert_eq!((app.count("feed_batches"), app.count("readings")), (0, 0));
    }
}

on_both_backends! {
    async fn the_soap_answer_carries_the_rdw_s_verdict_valid_against_the_schema(app: TestApp) {
        import(&app, "nl.csv", "vin;date;odometer;unit;verdict\nWDB2030461A000001;2021-04-06;39500;km;geen oordeel\n");
        let body = format!(
            r#"<c:RequestCarPass xmlns:c="{NS}"><c:ClientReference>CP-S</c:ClientReference><c:Vin>{CAR}</c:Vin><c:ReadingDate>2025-06-03</c:ReadingDate><c:Odometer>80000</c:Odometer></c:RequestCarPass>"#
        );
        let response = app.call_as(Soap::V11, GARAGE_USER, "en", &body).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        let verdict = doc.descendants().find(|n| n.has_tag_name((NS, "RdwVerdict"))).expect("RdwVerdict");
        assert_eq!(child_text(verdict, "Verdict").as_deref(), Some("geen oordeel"));
        assert_eq!(child_text(verdict, "JudgedOn").as_deref(), Some("2021-04-06"));
        let sources: Vec<String> = doc.descendants().filter(|n| n.has_tag_name((NS, "RegisteredBy"))).map(|n| n.text().unwrap_or("").to_owned()).collect();
        assert_eq!(sources, ["Rijksdienst voor het Wegverkeer", "Garage Janssens BV"]);
    }
}
