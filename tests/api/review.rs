//! Staff decide what the one electronic answer could not: the review queue, accept and reject,
//! and paper correction forms. Every action records who, when and why.

use carpass::staff::review::{self, Decision, PaperForm};
use carpass::staff::StaffError;

use crate::helpers::*;

/// A reading held for staff: a rollback the garage confirmed as right.
async fn confirmed_rollback(app: &TestApp) -> Receipt {
    app.submit_one(reading("BASE", CAR, date(2025, 5, 30), 47_500))
        .await;
    let receipt = app
        .submit_one(reading("R-1", CAR, date(2025, 6, 3), 45_210))
        .await;
    let number = receipt.issue("ODOMETER_ROLLBACK").number.clone().unwrap();
    let body = app
        .ok(&confirm_body(&number, Some("klant bevestigt de stand")))
        .await;
    receipts(&body).remove(0)
}

fn staff_actions(app: &TestApp) -> Vec<(String, String, String)> {
    use carpass::db::schema::staff_actions::dsl::*;
    use diesel::prelude::*;
    staff_actions
        .order(id)
        .select((staff_username, action, note))
        .load(&mut **app.pool.get().unwrap())
        .unwrap()
}

on_both_backends! {
    async fn the_queue_lists_readings_in_review_with_their_issues_and_the_vins_history(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let queue = review::queue(&mut app.pool.get().unwrap()).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0]["reading_id"], held.reading_id.as_str());
        assert_eq!(queue[0]["issues"][0]["code"], "ODOMETER_ROLLBACK");
        assert_eq!(queue[0]["issues"][0]["state"], "Confirmed");
        assert_eq!(queue[0]["official_history_of_vin"][0]["odometer"], 47_500);
        let text = review::render_text(&queue);
        assert!(text.contains("ODOMETER_ROLLBACK [Confirmed]"), "{text}");
        assert!(text.contains("the garage says: klant bevestigt de stand"), "{text}");
        assert!(text.contains("history of the VIN: 2025-05-30 47,500 km"), "{text}");
    }
}

on_both_backends! {
    async fn an_accepted_reading_joins_the_history_and_keeps_its_anomaly_marked(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let mut conn = app.pool.get().unwrap();
        let staff = carpass::staff::staff_member(&mut conn, Some(STAFF_USER)).unwrap();
        let status = review::decide(&mut conn, &staff, &held.reading_id, Decision::Accept, "dashboard photo checked", now()).unwrap();
        assert_eq!(status.as_str(), "Accepted");
        drop(conn);
        let body = app.ok(&status_by_reference("R-1")).await;
        assert_eq!(receipts(&body)[0].status, "Accepted");
        assert_eq!(states(&body), [("ODOMETER_ROLLBACK".to_owned(), "ResolvedByStaff".to_owned())]);
        // Part of the history now, as the start of a new sequence (issue 17): a reading of the
        // same day is measured against it, not against the 47,500 km from before the drop.
        let next = app.submit_one(reading("R-2", CAR, date(2025, 6, 3), 47_300)).await;
        assert_eq!(next.codes(), ["ODOMETER_IMPLAUSIBLE_RATE"]);
        assert!(next.issues[0].message.contains("45,210"), "{}", next.issues[0].message);
        assert_eq!(staff_actions(&app), [(STAFF_USER.to_owned(), "Accept".to_owned(), "dashboard photo checked".to_owned())]);
        assert!(review::queue(&mut app.pool.get().unwrap()).unwrap().is_empty());
    }
}

on_both_backends! {
    async fn a_rejected_reading_stays_out_of_the_history(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let mut conn = app.pool.get().unwrap();
        let status = review::decide(&mut conn, STAFF_USER, &held.reading_id, Decision::Reject, "typo confirmed by phone", now()).unwrap();
        assert_eq!(status.as_str(), "Rejected");
        // Deciding twice is refused: the reading is no longer in review.
        let again = review::decide(&mut conn, STAFF_USER, &held.reading_id, Decision::Accept, "x", now());
        assert!(matches!(again, Err(StaffError::Conflict(_))), "{again:?}");
        drop(conn);
        let next = app.submit_one(reading("R-2", CAR, date(2025, 6, 3), 47_600)).await;
        assert_eq!(next.status, "Accepted");
        assert_eq!(receipts(&app.ok(&status_by_reference("R-1")).await)[0].status, "Rejected");
    }
}

on_both_backends! {
    async fn a_paper_form_corrects_the_reading_with_the_same_audit_trail(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let mut conn = app.pool.get().unwrap();
        let form = PaperForm {
            reference: "CF-2025-0042".into(),
            odometer: Some(48_210),
            ..PaperForm::default()
        };
        let status = review::apply_paper_form(&mut conn, STAFF_USER, &held.reading_id, &form, now()).unwrap();
        assert_eq!(status.as_str(), "Accepted");
        drop(conn);
        let body = app.ok(&status_by_reference("R-1")).await;
        assert_eq!(states(&body), [("ODOMETER_ROLLBACK".to_owned(), "ResolvedByStaff".to_owned())]);
        let doc = roxmltree::Document::parse(&body).unwrap();
        let correction = doc.descendants().find(|n| n.has_tag_name((NS, "Correction"))).unwrap();
        assert_eq!(child_text(correction, "Channel").as_deref(), Some("PaperForm"));
        assert_eq!(child_text(correction, "FormReference").as_deref(), Some("CF-2025-0042"));
        assert_eq!(child_text(correction, "ChangedBy").as_deref(), Some(STAFF_USER));
        let previous = correction.children().find(|n| n.has_tag_name((NS, "Previous"))).unwrap();
        assert_eq!(child_text(previous, "Odometer").as_deref(), Some("45210"));
        assert_eq!(staff_actions(&app)[0].1, "PaperCorrection");
    }
}

on_both_backends! {
    async fn a_paper_form_that_is_still_wrong_keeps_the_reading_in_review(app: TestApp) {
        let held = confirmed_rollback(&app).await;
        let mut conn = app.pool.get().unwrap();
        let form = PaperForm { reference: "CF-1".into(), odometer: Some(46_000), ..PaperForm::default() };
        let status = review::apply_paper_form(&mut conn, STAFF_USER, &held.reading_id, &form, now()).unwrap();
        assert_eq!(status.as_str(), "Reviewing");
        let text = review::render_text(&review::queue(&mut conn).unwrap());
        assert!(text.contains("now:  VIN WDB2030461A000001 on 2025-06-03: 46,000 km"), "{text}");
        assert!(text.contains("was:  VIN WDB2030461A000001 on 2025-06-03: 45,210 km"), "{text}");
        assert!(text.contains("form CF-1"), "{text}");
    }
}

on_both_backends! {
    async fn only_staff_accounts_act_and_every_action_says_why(app: TestApp) {
        let mut conn = app.pool.get().unwrap();
        assert!(carpass::staff::staff_member(&mut conn, Some(GARAGE_USER)).is_err());
        assert!(carpass::staff::staff_member(&mut conn, Some("nobody")).is_err());
        assert!(carpass::staff::staff_member(&mut conn, None).is_err());
        drop(conn);
        let held = confirmed_rollback(&app).await;
        let mut conn = app.pool.get().unwrap();
        let no_reason = review::decide(&mut conn, STAFF_USER, &held.reading_id, Decision::Accept, " ", now());
        assert!(matches!(no_reason, Err(StaffError::Invalid(_))));
        let no_form = review::apply_paper_form(&mut conn, STAFF_USER, &held.reading_id, &PaperForm { odometer: Some(1), ..PaperForm::default() }, now());
        assert!(matches!(no_form, Err(StaffError::Invalid(_))));
    }
}

on_both_backends! {
    /// Issue 17: a reading flagged only against a value that staff then corrected from a paper
    /// form was flagged against a typo; it joins the history without its garage answering.
    async fn a_paper_form_that_corrects_the_history_settles_the_readings_flagged_against_it(app: TestApp) {
        app.submit_one(reading("BASE", CAR, date(2025, 1, 10), 40_000)).await;
        // A digit too many that no rule caught: 94,900 for 49,400.
        let slipped = app.submit_one(reading("SLIPPED", CAR, date(2025, 5, 20), 94_900)).await;
        assert_eq!(slipped.codes(), ["LATE_SUBMISSION"]);
        let honest = app.submit_one(reading("HONEST", CAR, date(2025, 6, 2), 50_000)).await;
        assert_eq!(honest.codes(), ["ODOMETER_ROLLBACK"]);

        let mut conn = app.pool.get().unwrap();
        let form = PaperForm {
            reference: "CF-2025-0099".into(),
            odometer: Some(49_400),
            ..PaperForm::default()
        };
        review::apply_paper_form(&mut conn, STAFF_USER, &slipped.reading_id, &form, now()).unwrap();
        drop(conn);

        let status = app.ok(&status_by_reference("HONEST")).await;
        assert_eq!(receipts(&status)[0].status, "Accepted");
        assert_eq!(states(&status), [("ODOMETER_ROLLBACK".to_owned(), "ResolvedByStaff".to_owned())]);
        let actions = staff_actions(&app);
        assert!(actions.iter().any(|(_, action, note)| action == "Accept" && note.contains("paper form CF-2025-0099")), "{actions:?}");
    }
}
