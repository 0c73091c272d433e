//! Issue 18, points 6 and 7: the vendor marks a session ready for review, staff comment and
//! override a criterion with a reason (in every report format), a session and a DMS version are
//! approved once, and each approval has a public page and a badge that say when it no longer
//! holds.

use carpass::certification::report::{self, Format};
use carpass::certification::{evaluations, review};
use carpass::domain::certification::criterion::Criterion;
use carpass::domain::certification::evaluation::Verdict;
use carpass::staff::{approvals, StaffError};
use chrono::Days;

use crate::certify::{certification_pool, certify};
use crate::helpers::*;

struct Answer {
    status: u16,
    content_type: String,
    cache_control: String,
    body: String,
}

async fn get(app: &TestApp, path: &str) -> Answer {
    let mut response = awc::Client::new()
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, cache_control) = (header("content-type"), header("cache-control"));
    let body = response.body().limit(1 << 20).await.unwrap();
    Answer {
        status: response.status().as_u16(),
        content_type,
        cache_control,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn conflict(result: Result<impl std::fmt::Debug, StaffError>) -> String {
    match result {
        Err(StaffError::Conflict(message)) => message.to_string(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

on_both_backends! {
    async fn a_session_is_marked_ready_reviewed_overridden_and_approved_once_with_a_page_and_badge(app: TestApp) {
        let cert_pool = certification_pool(&app);
        let (started, _) = certify(&app, None).await;
        let id = started.session.id.clone();
        let client = awc::Client::new();
        let vendor = |r: awc::ClientRequest| r.basic_auth(&started.session.username, &started.password);
        let ready_path = format!("{}/certify/{id}/review/ready", app.address);

        // The vendor says the session is ready, over HTTP with the session's credentials; once
        // per evaluation.
        let mut marked = vendor(client.post(&ready_path)).send_json(&serde_json::json!({ "note": "all steps played" })).await.unwrap();
        assert_eq!(marked.status().as_u16(), 201);
        let note: serde_json::Value = marked.json().await.unwrap();
        assert_eq!((note["kind"].as_str(), note["text"].as_str()), (Some("ready"), Some("all steps played")));
        let mut again = vendor(client.post(&ready_path)).send().await.unwrap();
        let refused: serde_json::Value = again.json().await.unwrap();
        assert_eq!(again.status().as_u16(), 422, "{refused}");
        assert!(refused["message"].as_str().unwrap().contains("was marked ready for review on"), "{refused}");
        let bad = vendor(client.post(&ready_path)).insert_header(("Content-Type", "application/json")).send_body("[1]").await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        assert_eq!(client.post(&ready_path).send().await.unwrap().status().as_u16(), 401);

        let mut cert = cert_pool.get().unwrap();
        // Staff comment; an empty comment is refused and changes nothing.
        assert!(review::comment(&mut cert, &id, "  ", STAFF_USER, now()).is_err());
        review::comment(&mut cert, &id, "C05: the DMS sends at closing; fine.", STAFF_USER, now()).unwrap();
        let mut answer = vendor(client.get(format!("{}/certify/{id}/review", app.address))).send().await.unwrap();
        let seen: serde_json::Value = answer.json().await.unwrap();
        assert!(seen["ready_for_review"].is_string(), "{seen}");
        let notes = seen["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 2, "{seen}");
        assert_eq!(notes[1]["kind"], "comment");
        assert_eq!(notes[1]["by"], STAFF_USER);

        // An override needs a reason, a criterion the harness judged and a change; it is
        // evaluated at once and shown in every report format with what the harness found.
        assert!(review::override_criterion(&mut cert, &id, "C05", false, "", STAFF_USER, now()).is_err());
        let refused = review::override_criterion(&mut cert, &id, "C05", true, "why", STAFF_USER, now()).unwrap_err().to_string();
        assert!(refused.contains("C05 is passed in the latest evaluation already"), "{refused}");
        let refused = review::override_criterion(&mut cert, &id, "C07", true, "why", STAFF_USER, now()).unwrap_err().to_string();
        assert!(refused.contains("awaits a staff verdict"), "{refused}");
        let evaluations_before = evaluations::all(&mut cert, &id).unwrap().len();
        let failed = review::override_criterion(&mut cert, &id, "C05", false, "the operator waited 20 minutes in step 3", STAFF_USER, now()).unwrap();
        assert_eq!(evaluations::all(&mut cert, &id).unwrap().len(), evaluations_before + 1);
        assert!(!failed.certifiable);
        let c05 = failed.criteria.iter().find(|c| c.criterion == Criterion::C05).unwrap();
        assert_eq!(c05.verdict, Verdict::Failed);
        assert_eq!(failed.overrides.len(), 1);
        assert_eq!(failed.overrides[0].harness_verdict, Verdict::Passed);
        let evidence = evaluations::evidence(&mut cert, &id).unwrap();
        for format in [Format::Html, Format::Json, Format::Junit] {
            let rendered = String::from_utf8(report::render(format, &failed, &evidence)).unwrap();
            assert!(rendered.contains("the operator waited 20 minutes in step 3"), "{format:?}");
        }
        let passed = review::override_criterion(&mut cert, &id, "C05", true, "the wait was the harness's", STAFF_USER, now()).unwrap();
        assert!(passed.overrides[0].reason.contains("the wait was the harness's"));

        // One approval per session.
        approvals::verdict(&mut cert, &id, "C07", true, "paper-form message shown", STAFF_USER, now()).unwrap();
        approvals::verdict(&mut cert, &id, "C14", true, "refusal reasons shown", STAFF_USER, now()).unwrap();
        let mut prod = app.pool.get().unwrap();
        let today = carpass::domain::calendar::brussels_date(now());
        let until = today.checked_add_days(Days::new(365)).unwrap();
        let approval = approvals::approve(&mut prod, &mut cert, &id, until, "", STAFF_USER, now()).unwrap();
        let twice = conflict(approvals::approve(&mut prod, &mut cert, &id, until, "", STAFF_USER, now()));
        assert!(twice.contains(&format!("session {id} was approved already (approval {})", approval.id)), "{twice}");
        // One approval per DMS version: another session renews it only near its end.
        drop(cert);
        let (other, _) = certify(&app, None).await;
        let mut cert = cert_pool.get().unwrap();
        for c in ["C07", "C14"] {
            approvals::verdict(&mut cert, &other.session.id, c, true, "shown", STAFF_USER, now()).unwrap();
        }
        let renewal = conflict(approvals::approve(&mut prod, &mut cert, &other.session.id, until, "", STAFF_USER, now()));
        assert!(renewal.contains("one approval per DMS version") && renewal.contains("renews it from"), "{renewal}");
        assert_eq!(app.count("dms_approvals"), 1);

        // The public page and the badge say it holds, in the reader's language; no login.
        let page = get(&app, &format!("/approved-dms/{}?lang=en", approval.id)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Acme DMS") && page.body.contains("This approval holds"), "{}", page.body);
        assert!(page.body.contains(&format!("/approved-dms/{}/badge.svg", approval.id)));
        let page = get(&app, &format!("/approved-dms/{}?lang=fr", approval.id)).await;
        assert!(page.body.contains("Cet agrément est valable"), "{}", page.body);
        let badge = get(&app, &format!("/approved-dms/{}/badge.svg?lang=en", approval.id)).await;
        assert_eq!((badge.status, badge.content_type.as_str()), (200, "image/svg+xml"));
        assert!(badge.cache_control.contains("max-age=300"));
        assert!(badge.body.contains(&format!(">approved until {until}</text>")), "{}", badge.body);

        // Revoked: both say so at once.
        approvals::revoke(&mut prod, &approval.id, "sold without the C12 fix", STAFF_USER, now()).unwrap();
        let badge = get(&app, &format!("/approved-dms/{}/badge.svg?lang=en", approval.id)).await;
        assert!(badge.body.contains(">revoked</text>"), "{}", badge.body);
        let page = get(&app, &format!("/approved-dms/{}?lang=en", approval.id)).await;
        assert!(page.body.contains("This approval was revoked on"), "{}", page.body);
        // Revoked, it no longer stands in the way of the other session's approval.
        approvals::approve(&mut prod, &mut cert, &other.session.id, until, "", STAFF_USER, now()).unwrap();

        assert_eq!(get(&app, "/approved-dms/nosuch").await.status, 404);
        assert_eq!(get(&app, "/approved-dms/nosuch/badge.svg").await.status, 404);
    }
}
