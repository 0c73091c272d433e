//! One electronic answer per issue (SPEC 2.7), the reading's status, and the audit trail.

use crate::helpers::*;

/// A rollback on the car: an accepted reading of 47,500 km on 30 May, then 45,210 km on 3 June.
async fn rollback(app: &TestApp, reference: &str) -> Receipt {
    app.submit_one(reading("BASE", CAR, date(2025, 5, 30), 47_500))
        .await;
    let receipt = app
        .submit_one(reading(reference, CAR, date(2025, 6, 3), 45_210))
        .await;
    assert_eq!(receipt.codes(), ["ODOMETER_ROLLBACK"]);
    receipt
}

fn number(receipt: &Receipt, code: &str) -> String {
    receipt.issue(code).number.clone().unwrap()
}

on_both_backends! {
    async fn a_rollback_corrected_once_is_accepted_and_both_versions_stay_readable(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let fixed = reading("C-1", CAR, date(2025, 6, 3), 48_210);
        let body = app.ok(&correct_body(&issue, &fixed)).await;
        let after = receipts(&body).remove(0);
        assert_eq!((after.reading_id.as_str(), after.status.as_str()), (receipt.reading_id.as_str(), "Accepted"));
        assert_eq!(states(&body), [("ODOMETER_ROLLBACK".to_owned(), "Corrected".to_owned())]);

        // GetReadingStatus: the current values, and the original ones in the audit trail.
        let status = app.ok(&status_by_reference("C-1")).await;
        let doc = roxmltree::Document::parse(&status).unwrap();
        let current = doc.descendants().find(|n| n.has_tag_name((NS, "Reading"))).unwrap();
        assert_eq!(child_text(current, "Odometer").as_deref(), Some("48210"));
        let correction = doc.descendants().find(|n| n.has_tag_name((NS, "Correction"))).unwrap();
        assert_eq!(child_text(correction, "ChangedBy").as_deref(), Some(GARAGE_USER));
        assert_eq!(child_text(correction, "Channel").as_deref(), Some("CorrectIssue"));
        assert_eq!(child_text(correction, "IssueNumber"), Some(issue.clone()));
        assert_eq!(child_text(correction, "ChangedAt").as_deref(), Some("2025-06-03T08:00:00Z"));
        let previous = correction.children().find(|n| n.has_tag_name((NS, "Previous"))).unwrap();
        assert_eq!(child_text(previous, "Odometer").as_deref(), Some("45210"));

        // It is history now: an earlier-dated reading above it is flagged.
        let next = app.submit_one(reading("C-2", CAR, date(2025, 6, 2), 48_300)).await;
        assert_eq!(next.codes(), ["ODOMETER_ABOVE_LATER"]);
    }
}

on_both_backends! {
    async fn a_second_answer_to_the_same_issue_gets_correction_limit(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let fixed = reading("C-1", CAR, date(2025, 6, 3), 48_210);
        app.ok(&correct_body(&issue, &fixed)).await;
        let again = app.ok(&correct_body(&issue, &reading("C-1", CAR, date(2025, 6, 3), 48_300))).await;
        let receipt = receipts(&again).remove(0);
        assert!(receipt.codes().contains(&"CORRECTION_LIMIT"), "{receipt:?}");
        let limit = receipt.issue("CORRECTION_LIMIT");
        assert!(!limit.correctable);
        assert!(limit.message.contains(&issue) && limit.message.contains("correction form"), "{}", limit.message);
        // The second attempt changed nothing.
        let status = app.ok(&status_by_reference("C-1")).await;
        let doc = roxmltree::Document::parse(&status).unwrap();
        let current = doc.descendants().find(|n| n.has_tag_name((NS, "Reading"))).unwrap();
        assert_eq!(child_text(current, "Odometer").as_deref(), Some("48210"));
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name((NS, "Correction"))).count(), 1);
        // A confirmation is an answer too.
        let confirm = app.ok(&confirm_body(&issue, Some("toch juist"))).await;
        assert_eq!(receipts(&confirm)[0].issues.iter().filter(|i| i.code == "CORRECTION_LIMIT").count(), 1);
    }
}

on_both_backends! {
    async fn a_correction_that_is_still_wrong_goes_to_review_and_needs_the_paper_form(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let still_low = reading("C-1", CAR, date(2025, 6, 3), 46_000);
        let body = app.ok(&correct_body(&issue, &still_low)).await;
        let after = receipts(&body).remove(0);
        assert_eq!(after.status, "Reviewing");
        let new_rollback = after.issues.iter().find(|i| i.code == "ODOMETER_ROLLBACK" && i.number.as_deref() != Some(&issue)).unwrap();
        assert!(!new_rollback.correctable);
        assert!(after.codes().contains(&"CORRECTION_LIMIT"));
        let mut seen = states(&body);
        seen.sort();
        assert_eq!(
            seen,
            [
                ("CORRECTION_LIMIT".to_owned(), "Escalated".to_owned()),
                ("ODOMETER_ROLLBACK".to_owned(), "Escalated".to_owned()),
                ("ODOMETER_ROLLBACK".to_owned(), "Escalated".to_owned()),
            ]
        );
        // The new issue cannot be answered electronically either.
        let number = new_rollback.number.clone().unwrap();
        let again = app.ok(&correct_body(&number, &reading("C-1", CAR, date(2025, 6, 3), 48_000))).await;
        assert_eq!(receipts(&again)[0].status, "Reviewing");
    }
}

on_both_backends! {
    async fn a_confirmation_sends_the_reading_to_review_with_its_note(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let body = app.ok(&confirm_body(&issue, Some("De vorige garage typte een cijfer te veel"))).await;
        let after = receipts(&body).remove(0);
        assert_eq!(after.status, "Reviewing");
        assert_eq!(states(&body), [("ODOMETER_ROLLBACK".to_owned(), "Confirmed".to_owned())]);
        let queue = carpass::staff::review::queue(&mut app.pool.get().unwrap()).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0]["issues"][0]["answer"]["note"], "De vorige garage typte een cijfer te veel");
    }
}

on_both_backends! {
    /// No existence leak: another company's issue looks exactly like one that does not exist.
    async fn another_companys_issue_number_is_not_found(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let theirs = app.fails(OTHER_USER, &confirm_body(&issue, None)).await;
        assert_eq!(theirs.detail_code, "ISSUE_NOT_FOUND");
        let unknown = carpass::domain::issue_number::IssueNumber::from_sequence(999_999).unwrap().to_string();
        let nothing = app.fails(OTHER_USER, &confirm_body(&unknown, None)).await;
        assert_eq!(nothing.detail_code, "ISSUE_NOT_FOUND");
        assert_eq!(theirs.message.replace(&issue, "N"), nothing.message.replace(&unknown, "N"));
        // And the issue is still open for its own garage.
        let mine = app.ok(&status_by_reference("C-1")).await;
        assert_eq!(states(&mine), [("ODOMETER_ROLLBACK".to_owned(), "Open".to_owned())]);
    }
}

on_both_backends! {
    async fn a_mistyped_check_digit_is_caught_before_anything_happens(app: TestApp) {
        let receipt = rollback(&app, "C-1").await;
        let issue = number(&receipt, "ODOMETER_ROLLBACK");
        let (digits, check) = issue.split_once('-').unwrap();
        let wrong = format!("{digits}-{}", (check.parse::<u8>().unwrap() + 1) % 10);
        let f = app.fails(GARAGE_USER, &confirm_body(&wrong, None)).await;
        assert_eq!(f.detail_code, "ISSUE_NUMBER_INVALID");
        assert_eq!(f.element.as_deref(), Some("ConfirmReading/IssueNumber"));
        assert!(f.message.contains("check digit"), "{}", f.message);
        // Without the hyphen, the same number is understood.
        let body = app.ok(&confirm_body(&issue.replace('-', ""), None)).await;
        assert_eq!(receipts(&body)[0].status, "Reviewing");
    }
}

on_both_backends! {
    async fn warnings_need_no_answer(app: TestApp) {
        let late = app.submit_one(reading("L-1", CAR, date(2025, 5, 23), 39_000)).await;
        let f = app.fails(GARAGE_USER, &confirm_body(&number(&late, "LATE_SUBMISSION"), None)).await;
        assert_eq!(f.detail_code, "ISSUE_NOT_ANSWERABLE");
    }
}

on_both_backends! {
    async fn the_status_is_found_by_reading_id_and_by_client_reference_of_the_own_company_only(app: TestApp) {
        let receipt = app.submit_one(reading("S-1", CAR, date(2025, 6, 3), 45_000)).await;
        let by_id = receipts(&app.ok(&status_by_id(&receipt.reading_id)).await).remove(0);
        let by_reference = receipts(&app.ok(&status_by_reference("S-1")).await).remove(0);
        assert_eq!(by_id, by_reference);
        assert_eq!(by_id.status, "Accepted");
        for body in [status_by_id(&receipt.reading_id), status_by_reference("S-1")] {
            assert_eq!(app.fails(OTHER_USER, &body).await.detail_code, "READING_NOT_FOUND");
        }
        let unknown = app.fails(GARAGE_USER, &status_by_id("00000000-0000-4000-8000-000000000000")).await;
        assert_eq!(unknown.detail_code, "READING_NOT_FOUND");
    }
}

on_both_backends! {
    async fn a_reading_still_waiting_after_30_days_gets_vin_unknown_and_can_be_corrected(app: TestApp) {
        let waiting = app.submit_one(reading("U-1", UNREGISTERED, date(2025, 6, 3), 45_000)).await;
        assert_eq!(waiting.status, "WaitingForRegistration");
        let mut conn = app.pool.get().unwrap();
        use carpass::service::register::sweep_unregistered;
        let day_30 = now() + chrono::Duration::days(30) - chrono::Duration::seconds(1);
        assert_eq!(sweep_unregistered(&mut conn, day_30).unwrap(), 0);
        let day_30_after = now() + chrono::Duration::days(30);
        assert_eq!(sweep_unregistered(&mut conn, day_30_after).unwrap(), 1);
        assert_eq!(sweep_unregistered(&mut conn, day_30_after).unwrap(), 0, "the sweep is idempotent");
        drop(conn);
        let status = receipts(&app.ok(&status_by_reference("U-1")).await).remove(0);
        assert_eq!(status.status, "PendingCorrection");
        let unknown = status.issue("VIN_UNKNOWN");
        assert!(unknown.correctable && unknown.message.contains(UNREGISTERED), "{unknown:?}");
        // The VIN was a typo for the registered car.
        let fixed = reading("U-1", CAR, date(2025, 6, 3), 45_000);
        let body = app.ok(&correct_body(unknown.number.as_deref().unwrap(), &fixed)).await;
        assert_eq!(receipts(&body)[0].status, "Accepted");
    }
}

on_both_backends! {
    /// Regression: the primary key on issue_answers is the last line of defence against a second
    /// answer; hitting it must not abort the surrounding transaction (it did on PostgreSQL).
    async fn a_second_answer_refused_by_the_database_leaves_the_transaction_usable(app: TestApp) {
        use diesel::Connection;
        let receipt = rollback(&app, "C-1").await;
        let issue = carpass::domain::issue_number::IssueNumber::parse(&number(&receipt, "ODOMETER_ROLLBACK")).unwrap();
        let mut conn = app.pool.get().unwrap();
        let account = carpass::db::accounts::find_by_username(&mut conn, GARAGE_USER).unwrap().unwrap();
        let at = now().naive_utc();
        let outcome: (bool, bool, usize) = conn
            .transaction(|conn| {
                let first = carpass::db::audit::answer_once(conn, issue.sequence(), "Correction", account.id, None, at)?;
                let second = carpass::db::audit::answer_once(conn, issue.sequence(), "Confirmation", account.id, None, at)?;
                let issues = carpass::db::issues::for_reading(conn, &receipt.reading_id)?.len();
                Ok::<_, diesel::result::Error>((first, second, issues))
            })
            .unwrap();
        assert_eq!(outcome, (true, false, 1));
    }
}
