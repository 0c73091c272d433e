//! SubmitReadings and ValidateReading over the wire: every issue code this service raises at
//! submission, every status a submission can get, idempotency and batches.

use crate::helpers::*;

on_both_backends! {
    /// The plain case: a reading of a registered car, on time, with its work.
    async fn a_clean_reading_is_accepted_with_a_reading_id(app: TestApp) {
        let receipt = app.submit_one(reading("JOB-1", CAR, date(2025, 6, 3), 45_210)).await;
        assert_eq!(receipt.client_reference, "JOB-1");
        assert_eq!(receipt.status, "Accepted");
        assert_eq!(receipt.issues, []);
        assert_eq!(receipt.reading_id.len(), 36);
        assert_eq!(app.count("readings"), 1);
    }
}

on_both_backends! {
    async fn a_resubmitted_client_reference_returns_the_original_receipt_and_stores_nothing(app: TestApp) {
        let mut r = reading("JOB-1", CAR, date(2025, 6, 3), 45_210);
        r.works.clear();
        let first = app.submit_one(r.clone()).await;
        assert_eq!(first.codes(), ["WORK_MISSING"]);
        let again = app.submit_one(r.clone()).await;
        assert_eq!(again, first);
        // Even with other content, the key wins: the DMS gets what it was told the first time.
        r.odometer = "45300".into();
        assert_eq!(app.submit_one(r).await, first);
        assert_eq!(app.count("readings"), 1);
        assert_eq!(app.count("issues"), 1);
    }
}

on_both_backends! {
    /// Resent references are answered before the writer's transaction, new ones in it: the
    /// receipts still come in the request's order, and a reference sent twice in one request
    /// is stored once (the unique key sends the batch round again, looking references up).
    async fn a_request_mixing_resent_and_new_references_answers_each_in_order(app: TestApp) {
        let first = app.submit_one(reading("MIX-1", CAR, date(2025, 6, 3), 45_210)).await;
        let receipts = app
            .submit(&[
                reading("MIX-2", CAR, date(2025, 5, 28), 45_000),
                reading("MIX-1", CAR, date(2025, 6, 3), 45_210),
                reading("MIX-3", CAR, date(2025, 5, 30), 45_100),
                reading("MIX-3", CAR, date(2025, 5, 30), 45_100),
            ])
            .await;
        let references: Vec<&str> = receipts.iter().map(|r| r.client_reference.as_str()).collect();
        assert_eq!(references, ["MIX-2", "MIX-1", "MIX-3", "MIX-3"]);
        assert_eq!(receipts[1], first);
        assert_eq!(receipts[3], receipts[2]);
        assert_ne!(receipts[0].reading_id, receipts[2].reading_id);
        assert!(receipts.iter().all(|r| r.status == "Accepted"), "{receipts:?}");
        assert_eq!(app.count("readings"), 3);
    }
}

on_both_backends! {
    async fn one_bad_reading_never_fails_its_batch(app: TestApp) {
        let mut bad_vin = reading("B-2", "WDB2030461A00000O", date(2025, 6, 3), 10);
        bad_vin.works.push(("WASH".into(), "Autowas".into()));
        let receipts = app
            .submit(&[
                reading("B-1", CAR, date(2025, 6, 3), 45_210),
                bad_vin,
                reading("B-3", UNREGISTERED, date(2025, 6, 3), 5_000),
            ])
            .await;
        let summary: Vec<(&str, &str)> = receipts.iter().map(|r| (r.client_reference.as_str(), r.status.as_str())).collect();
        assert_eq!(summary, [("B-1", "Accepted"), ("B-2", "PendingCorrection"), ("B-3", "WaitingForRegistration")]);
        assert_eq!(receipts[1].codes(), ["VIN_INVALID", "ACTIVITY_UNKNOWN"]);
        let vin = receipts[1].issue("VIN_INVALID");
        assert_eq!((vin.severity.as_str(), vin.correctable, vin.field.as_deref()), ("Error", true, Some("Vin")));
        assert!(vin.message.contains("position 17"), "{}", vin.message);
        assert_eq!(receipts[1].issue("ACTIVITY_UNKNOWN").field.as_deref(), Some("Work[2]/ActivityCode"));
        assert_eq!(app.count("readings"), 3);
    }
}

on_both_backends! {
    async fn every_issue_gets_a_distinct_number_with_a_check_digit(app: TestApp) {
        let mut r = reading("N-1", CAR, date(2025, 6, 4), 2_000_001);
        r.works = vec![("WASH".into(), "x".into()), ("POLISH".into(), "y".into())];
        let receipt = app.submit_one(r).await;
        assert_eq!(receipt.codes(), ["WORK_DATE_FUTURE", "ODOMETER_INVALID", "ACTIVITY_UNKNOWN", "ACTIVITY_UNKNOWN"]);
        let numbers: Vec<String> = receipt.issues.iter().map(|i| i.number.clone().unwrap()).collect();
        for number in &numbers {
            let parsed = carpass::domain::issue_number::IssueNumber::parse(number).unwrap();
            assert_eq!(parsed.to_string(), *number);
        }
        let mut unique = numbers.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
    }
}

on_both_backends! {
    async fn the_history_catches_rollbacks_readings_above_later_ones_and_implausible_rates(app: TestApp) {
        app.submit(&[
            reading("H-1", CAR, date(2025, 3, 3), 40_000),
            reading("H-2", CAR, date(2025, 5, 30), 47_500),
        ])
        .await;
        let mut late = reading("H-3", CAR, date(2025, 5, 28), 47_600);
        late.total = "300.00";
        let receipt = app.submit_one(late).await;
        assert_eq!(receipt.codes(), ["ODOMETER_ABOVE_LATER"]);
        assert_eq!(receipt.status, "PendingCorrection");

        let rollback = app.submit_one(reading("H-4", CAR, date(2025, 6, 3), 47_499)).await;
        assert_eq!(rollback.codes(), ["ODOMETER_ROLLBACK"]);
        let message = &rollback.issue("ODOMETER_ROLLBACK").message;
        assert!(message.contains("47,499") && message.contains("47,500"), "{message}");

        // 4 days since 30 May: at most 8,000 km.
        let fast = app.submit_one(reading("H-5", CAR, date(2025, 6, 3), 55_501)).await;
        assert_eq!(fast.codes(), ["ODOMETER_IMPLAUSIBLE_RATE"]);
        let fine = app.submit_one(reading("H-6", CAR, date(2025, 6, 3), 55_500)).await;
        assert_eq!(fine.status, "Accepted");
    }
}

on_both_backends! {
    /// The readings of one request are checked in order, each against the history as the ones
    /// before it left it: the writer reads a VIN's history once per transaction and keeps it
    /// up to date in memory, so this pins that it answers what the database would.
    async fn readings_of_one_vin_in_one_request_are_checked_against_the_ones_before_them(app: TestApp) {
        let receipts = app
            .submit(&[
                reading("R-1", CAR, date(2025, 5, 30), 47_500),
                // Another VIN in between: the writer checks VIN after VIN, answers in order.
                reading("V-1", VAN5, date(2025, 6, 2), 12_000),
                // Below R-1: pending, so out of the history of the readings after it.
                reading("R-2", CAR, date(2025, 6, 2), 47_400),
                // Above R-2, which is not history: accepted.
                reading("R-3", CAR, date(2025, 6, 1), 47_600),
                // Dated before R-3 but above it: R-3 is a later reading of the history.
                reading("R-4", CAR, date(2025, 5, 31), 47_700),
                // The same day as R-3, after it: accepted, and the highest value so far.
                reading("R-5", CAR, date(2025, 6, 1), 47_650),
                reading("R-6", CAR, date(2025, 6, 3), 47_640),
            ])
            .await;
        let summary: Vec<(&str, Vec<&str>)> = receipts.iter().map(|r| (r.status.as_str(), r.codes())).collect();
        assert_eq!(
            summary,
            [
                ("Accepted", vec![]),
                ("Accepted", vec![]),
                ("PendingCorrection", vec!["ODOMETER_ROLLBACK"]),
                ("Accepted", vec![]),
                ("PendingCorrection", vec!["ODOMETER_ABOVE_LATER"]),
                ("Accepted", vec![]),
                ("PendingCorrection", vec!["ODOMETER_ROLLBACK"]),
            ]
        );
        let references: Vec<&str> = receipts.iter().map(|r| r.client_reference.as_str()).collect();
        assert_eq!(references, ["R-1", "V-1", "R-2", "R-3", "R-4", "R-5", "R-6"]);
        let message = &receipts[6].issue("ODOMETER_ROLLBACK").message;
        assert!(message.contains("47,650"), "R-6 is checked against R-5: {message}");
        // The next request reads from the database what the first kept in memory.
        let next = app.submit_one(reading("R-7", CAR, date(2025, 6, 3), 47_640)).await;
        assert_eq!(next.issue("ODOMETER_ROLLBACK").message, *message);
    }
}

on_both_backends! {
    /// SPEC 4: a reading with an open Error stays out of the history the next one is checked against.
    async fn a_reading_with_an_open_error_is_not_part_of_the_history(app: TestApp) {
        let typo = app.submit_one(reading("T-1", CAR, date(2025, 5, 30), 470_000)).await;
        assert_eq!(typo.status, "Accepted");
        // Accepted readings count: a later lower reading is a rollback against it.
        let next = app.submit_one(reading("T-2", CAR, date(2025, 6, 2), 47_100)).await;
        assert_eq!(next.codes(), ["ODOMETER_ROLLBACK"]);
        // T-2 is pending: were it history, T-3 would be above a later reading.
        let again = app.submit_one(reading("T-3", CAR, date(2025, 6, 1), 470_050)).await;
        assert_eq!(again.status, "Accepted", "{again:?}");
    }
}

on_both_backends! {
    async fn a_five_digit_odometer_rolls_over_and_never_shows_six_digits(app: TestApp) {
        app.submit_one(reading("F-1", VAN5, date(2025, 5, 30), 99_500)).await;
        let rolled = app.submit_one(reading("F-2", VAN5, date(2025, 6, 2), 700)).await;
        assert_eq!(rolled.status, "Accepted", "{rolled:?}");
        let added_digit = app.submit_one(reading("F-3", VAN5, date(2025, 6, 3), 100_900)).await;
        assert_eq!(added_digit.codes(), ["FIVE_DIGIT_OVERFLOW"]);
        assert_eq!(added_digit.issue("FIVE_DIGIT_OVERFLOW").field.as_deref(), Some("Odometer"));
    }
}

on_both_backends! {
    async fn an_odometer_replacement_starts_a_new_sequence(app: TestApp) {
        app.submit_one(reading("R-1", CAR, date(2025, 5, 2), 181_000)).await;
        let mut swap = reading("R-2", CAR, date(2025, 5, 28), 12);
        swap.replaced = Some(182_400);
        swap.works = vec![("ODOMETER_REPLACEMENT".into(), "Kilometerteller vervangen".into())];
        let replaced = app.submit_one(swap).await;
        assert_eq!(replaced.status, "Accepted", "{replaced:?}");
        let after = app.submit_one(reading("R-3", CAR, date(2025, 6, 3), 900)).await;
        assert_eq!(after.status, "Accepted", "{after:?}");
    }
}

on_both_backends! {
    async fn miles_are_compared_with_kilometres(app: TestApp) {
        app.submit_one(reading("M-1", CAR, date(2025, 5, 2), 100_000)).await;
        let mut miles = reading("M-2", CAR, date(2025, 6, 3), 62_000);
        miles.unit = Some("mi");
        let receipt = app.submit_one(miles).await;
        assert_eq!(receipt.codes(), ["ODOMETER_ROLLBACK"]);
        assert!(receipt.issues[0].message.contains("62,000 mi"), "{}", receipt.issues[0].message);
    }
}

on_both_backends! {
    async fn warnings_and_info_accept_the_reading(app: TestApp) {
        // Monday 26 May 2025 + 5 working days (Ascension on Thursday 29 May) = Tuesday 3 June: on time.
        let on_time = app.submit_one(reading("W-1", CAR, date(2025, 5, 26), 40_000)).await;
        assert_eq!(on_time.status, "Accepted");
        let late = app.submit_one(reading("W-2", CAR, date(2025, 5, 23), 39_000)).await;
        assert_eq!(late.codes(), ["LATE_SUBMISSION"]);
        assert_eq!(late.status, "AcceptedWithWarnings");
        assert_eq!(late.issue("LATE_SUBMISSION").severity, "Warning");

        let before = app.submit_one(reading("W-3", CAR, date(2019, 2, 28), 5)).await;
        assert!(before.codes().contains(&"BEFORE_FIRST_REGISTRATION"), "{before:?}");

        let truck = app.submit_one(reading("W-4", TRUCK, date(2025, 6, 3), 310_000)).await;
        assert_eq!(truck.codes(), ["NOT_SUBJECT"]);
        assert_eq!(truck.status, "AcceptedWithWarnings");

        let mut small = reading("W-5", CAR, date(2025, 6, 3), 41_000);
        small.customer = "Private";
        small.total = "125.00";
        let exempt = app.submit_one(small).await;
        assert_eq!(exempt.codes(), ["NOT_REQUIRED"]);
        assert_eq!((exempt.status.as_str(), exempt.issues[0].severity.as_str()), ("Accepted", "Info"));
    }
}

on_both_backends! {
    /// Issue 17, point 4: a subcontractor always reports (seed 004), so its small job for a
    /// "private" customer is not told that reporting was optional.
    async fn subcontracted_work_is_never_not_required(app: TestApp) {
        let mut small = reading("SUB-1", CAR, date(2025, 6, 3), 41_000);
        small.subcontracted = true;
        small.customer = "Private";
        small.total = "78.00";
        let receipt = app.submit_one(small.clone()).await;
        assert_eq!(receipt.codes(), Vec::<&str>::new(), "{receipt:?}");
        assert_eq!(receipt.status, "Accepted");

        small.reference = "SUB-2".into();
        small.subcontracted = false;
        let exempt = app.submit_one(small).await;
        assert_eq!(exempt.codes(), ["NOT_REQUIRED"]);
    }
}

on_both_backends! {
    async fn work_is_required_from_2024_and_activity_codes_must_be_standard(app: TestApp) {
        let mut none = reading("A-1", CAR, date(2025, 6, 3), 45_000);
        none.works.clear();
        let receipt = app.submit_one(none).await;
        assert_eq!(receipt.codes(), ["WORK_MISSING"]);
        assert_eq!(receipt.issue("WORK_MISSING").field.as_deref(), Some("Work"));
    }
}

on_both_backends! {
    async fn messages_come_in_the_callers_language(app: TestApp) {
        let mut r = reading("L-1", CAR, date(2025, 6, 3), 45_000);
        r.works.clear();
        for (language, word) in [("nl", "werken"), ("fr", "travaux"), ("de", "arbeiten"), ("en", "work")] {
            r.reference = format!("L-{language}");
            let response = app.call_as(Soap::V11, GARAGE_USER, language, &submit_body(std::slice::from_ref(&r))).await;
            let receipt = receipts(&response.body).remove(0);
            let message = &receipt.issue("WORK_MISSING").message;
            assert!(message.to_lowercase().contains(word), "{language}: {message}");
        }
    }
}

on_both_backends! {
    async fn the_sending_software_is_stored_with_every_reading(app: TestApp) {
        app.submit_one(reading("S-1", CAR, date(2025, 6, 3), 45_000)).await;
        use diesel::prelude::*;
        use carpass::db::schema::readings::dsl::*;
        let mut conn = app.pool.get().unwrap();
        let row: (Option<String>, Option<String>, Option<String>, String) = readings
            .select((software_builder, software_name, software_version, language))
            .first(&mut **conn)
            .unwrap();
        assert_eq!(row, (Some("Garagesoft NV".into()), Some("WerkplaatsPro".into()), Some("7.2.1".into()), "en".into()));
    }
}

on_both_backends! {
    async fn validate_reading_predicts_the_issues_and_stores_nothing(app: TestApp) {
        app.submit_one(reading("V-1", CAR, date(2025, 5, 30), 47_500)).await;
        let response = app.call(Soap::V11, &validate_body(&reading("V-2", CAR, date(2025, 6, 3), 47_400))).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_valid(&response.body);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        let expected = doc.descendants().find(|n| n.has_tag_name((NS, "ExpectedStatus"))).unwrap();
        assert_eq!(expected.text(), Some("PendingCorrection"));
        let issues: Vec<Issue> = doc.descendants().filter(|n| n.has_tag_name((NS, "Issue"))).map(issue_of).collect();
        assert_eq!(issues.len(), 1);
        assert_eq!((issues[0].code.as_str(), issues[0].number.as_deref()), ("ODOMETER_ROLLBACK", None));
        assert_eq!(app.count("readings"), 1);
        assert_eq!(app.count("issues"), 0);
    }
}

on_both_backends! {
    async fn soap_1_2_is_answered_in_soap_1_2(app: TestApp) {
        let response = app.call(Soap::V12, &submit_body(&[reading("V12-1", CAR, date(2025, 6, 3), 45_000)])).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert!(response.content_type.starts_with("application/soap+xml"), "{}", response.content_type);
        let doc = roxmltree::Document::parse(&response.body).unwrap();
        assert!(doc.root_element().has_tag_name((SOAP12, "Envelope")));
        assert_valid(&response.body);
        assert_eq!(receipts(&response.body)[0].status, "Accepted");
    }
}

on_both_backends! {
    /// SPEC 3.1: elements are matched by namespace URI, never by prefix.
    async fn any_prefix_and_the_default_namespace_work(app: TestApp) {
        let r = reading("P-1", CAR, date(2025, 6, 3), 45_000);
        let odd = format!(
            r#"<zz9:SubmitReadings xmlns:zz9="{NS}"><zz9:Reading>{}</zz9:Reading></zz9:SubmitReadings>"#,
            r.fields("zz9:", true)
        );
        let mut r2 = r.clone();
        r2.reference = "P-2".into();
        let default = format!(
            r#"<SubmitReadings xmlns="{NS}"><Reading>{}</Reading></SubmitReadings>"#,
            r2.fields("", true)
        );
        let mut r3 = r.clone();
        r3.reference = "P-3".into();
        let mixed = format!(
            r#"<a:SubmitReadings xmlns:a="{NS}"><Reading xmlns="{NS}">{}</Reading></a:SubmitReadings>"#,
            r3.fields("", true)
        );
        for body in [odd, default, mixed] {
            let header = format!(
                r#"<S:Security xmlns:S="{WSSE}"><S:UsernameToken><S:Username>{GARAGE_USER}</S:Username><S:Password>{PASSWORD}</S:Password></S:UsernameToken></S:Security>"#
            );
            let doc = format!(r#"<s11:Envelope xmlns:s11="{SOAP11}"><s11:Header>{header}</s11:Header><s11:Body>{body}</s11:Body></s11:Envelope>"#);
            let response = app.post(Soap::V11.content_type(), &[], doc).await;
            assert_eq!(response.status, 200, "{}", response.body);
            assert_eq!(receipts(&response.body)[0].status, "Accepted");
        }
        assert_eq!(app.count("readings"), 3);
    }
}

on_both_backends! {
    async fn a_batch_of_a_thousand_readings_gets_a_thousand_receipts_in_order(app: TestApp) {
        let batch: Vec<Reading> = (0..1000u64)
            .map(|i| {
                let vin = format!("WDB2030461A{:06}", 100_000 + i);
                reading(&format!("BIG-{i}"), &vin, date(2025, 6, 3), 10_000 + i)
            })
            .collect();
        let receipts = app.submit(&batch).await;
        assert_eq!(receipts.len(), 1000);
        for (i, receipt) in receipts.iter().enumerate() {
            assert_eq!(receipt.client_reference, format!("BIG-{i}"));
            assert_eq!(receipt.status, "WaitingForRegistration");
        }
        assert_eq!(app.count("readings"), 1000);
    }
}

on_both_backends! {
    async fn http_basic_authentication_works_too(app: TestApp) {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{GARAGE_USER}:{PASSWORD}"));
        let body = envelope(Soap::V11, "", &submit_body(&[reading("HB-1", CAR, date(2025, 6, 3), 45_000)]));
        let auth = format!("Basic {token}");
        let response = app.post(Soap::V11.content_type(), &[("Authorization", &auth), ("SOAPAction", "")], body).await;
        assert_eq!(response.status, 200, "{}", response.body);
        // Without ClientInfo the language is Dutch.
        assert_eq!(receipts(&response.body)[0].status, "Accepted");
    }
}

on_both_backends! {
    /// Issue 20, point 1: a receipt's message writes numbers, amounts and dates as the pages do,
    /// in the language of the request's ClientInfo.
    async fn a_receipts_message_writes_numbers_amounts_and_dates_the_callers_way(app: TestApp) {
        app.submit_one(reading("BASE", CAR, date(2025, 5, 30), 47_500)).await;
        // Before the base reading and below it: the rollback is still measured against the base.
        let mut small = reading("SMALL", CAR, date(2025, 5, 20), 47_000);
        small.customer = "Private";
        small.total = "98.50";
        for (language, odometers, day, amount) in [
            ("fr", ["45\u{a0}210 km", "47\u{a0}500 km"], "30/05/2025", "98,50 EUR"),
            ("nl", ["45.210 km", "47.500 km"], "30/05/2025", "98,50 EUR"),
            ("de", ["45.210 km", "47.500 km"], "30.05.2025", "98,50 EUR"),
            ("en", ["45,210 km", "47,500 km"], "2025-05-30", "98.50 EUR"),
        ] {
            let mut rollback = reading(&format!("R-{language}"), CAR, date(2025, 6, 3), 45_210);
            rollback.works[0].1 = format!("onderhoud {language}");
            small.reference = format!("SMALL-{language}");
            let body = submit_body(&[rollback, small.clone()]);
            let response = app.call_as(Soap::V11, GARAGE_USER, language, &body).await;
            let receipts = receipts(&response.body);
            let message = &receipts[0].issue("ODOMETER_ROLLBACK").message;
            for shown in odometers.iter().chain([&day]) {
                assert!(message.contains(shown), "{language}: {shown} in {message}");
            }
            let message = &receipts[1].issue("NOT_REQUIRED").message;
            assert!(message.contains(amount), "{language}: {amount} in {message}");
        }
    }
}
