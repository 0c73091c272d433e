//! Issue 6: approvals from certification reports, the public lists, Trusted Providers and the
//! software report, through the staff functions the commands and pages call.

use carpass::certification::reference_dms::Defect;
use carpass::db::accounts;
use carpass::domain::odometer::OdometerUnit;
use carpass::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission, Work};
use carpass::service::auth::{Account, Role};
use carpass::service::{inflow, register, Caller, Software};
use carpass::staff::approvals;
use carpass::staff::trusted_providers;
use carpass::staff::StaffError;
use chrono::{Days, NaiveDate};

use crate::certify::{certification_pool, certify};
use crate::helpers::*;

fn today() -> NaiveDate {
    carpass::domain::calendar::brussels_date(now())
}

async fn get_json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let mut response = awc::Client::new()
        .get(format!("{}{path}", app.address))
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().limit(1 << 20).await.unwrap())
}

fn invalid(result: Result<impl std::fmt::Debug, StaffError>) -> String {
    match result {
        Err(StaffError::Invalid(message)) => message.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

on_both_backends! {
    async fn an_approval_needs_a_certifiable_evaluation_and_a_verdict_on_every_screenshot(app: TestApp) {
        let cert_pool = certification_pool(&app);
        let (defective, _) = certify(&app, Some(Defect::ChangedVin)).await;
        let (reference, _) = certify(&app, None).await;
        let valid_until = today().checked_add_days(Days::new(365)).unwrap();
        let mut prod = app.pool.get().unwrap();
        let mut cert = cert_pool.get().unwrap();

        let refused = invalid(approvals::approve(&mut prod, &mut cert, &defective.session.id, valid_until, "", STAFF_USER, now()));
        assert!(refused.contains("not certifiable") && refused.contains("C03"), "{refused}");

        let refused = invalid(approvals::approve(&mut prod, &mut cert, &reference.session.id, valid_until, "", STAFF_USER, now()));
        assert!(refused.contains("C07 awaits a staff verdict"), "{refused}");
        approvals::verdict(&mut cert, &reference.session.id, "C07", true, "the paper-form message is shown", STAFF_USER, now()).unwrap();
        let refused = invalid(approvals::approve(&mut prod, &mut cert, &reference.session.id, valid_until, "", STAFF_USER, now()));
        assert!(refused.contains("C14 awaits a staff verdict"), "{refused}");
        let refused = invalid(approvals::verdict(&mut cert, &reference.session.id, "C03", true, "looks fine", STAFF_USER, now()));
        assert!(refused.contains("staff verdicts are for the criteria awaiting staff review"), "{refused}");
        approvals::verdict(&mut cert, &reference.session.id, "C14", true, "the refusal reasons are listed", STAFF_USER, now()).unwrap();
        // SPEC 5.3: the next evaluation reads as what it is now, with the verdict and who gave it.
        let settled = carpass::certification::evaluations::evaluate(&mut cert, &reference.session.id, "test", now()).unwrap();
        for c in [carpass::domain::certification::criterion::Criterion::C07, carpass::domain::certification::criterion::Criterion::C14] {
            let result = settled.criteria.iter().find(|r| r.criterion == c).unwrap();
            assert_eq!(result.verdict, carpass::domain::certification::evaluation::Verdict::Passed, "{}", result.reason);
            assert!(!result.reason.contains("await") && result.reason.contains(STAFF_USER), "{}", result.reason);
        }

        let (_, before) = get_json(&app, "/approved-dms").await;
        assert_eq!(before["approved"].as_array().unwrap().len(), 0);
        let approval = approvals::approve(&mut prod, &mut cert, &reference.session.id, valid_until, "all criteria met", STAFF_USER, now()).unwrap();
        let (status, listed) = get_json(&app, "/approved-dms").await;
        assert_eq!(status, 200);
        assert_eq!(
            listed["approved"],
            serde_json::json!([{ "id": approval.id, "name": "Acme DMS", "version": "4.2", "builder": "Acme Software NV", "valid_until": valid_until }])
        );
        let html = awc::Client::new().get(format!("{}/approved-dms", app.address)).send().await.unwrap().body().await.unwrap();
        let html = String::from_utf8_lossy(&html);
        assert!(html.contains("Acme DMS 4.2") && html.contains("Acme Software NV"), "{html}");
        // Each line links to the approval's own page, which anyone can check.
        assert!(html.contains(&format!("href=\"/approved-dms/{}\"", approval.id)), "{html}");

        // Expired: off the list the day after its last day.
        let after = valid_until.checked_add_days(Days::new(1)).unwrap();
        assert_eq!(approvals::public_list(&mut prod, valid_until).unwrap().len(), 1);
        assert!(approvals::public_list(&mut prod, after).unwrap().is_empty());

        // Revoked: off the list at once, and revoked only once.
        let revoked = approvals::revoke(&mut prod, &approval.id, "the DMS batches readings in production", STAFF_USER, now()).unwrap();
        assert_eq!(revoked.revoked_by.as_deref(), Some(STAFF_USER));
        let (_, listed) = get_json(&app, "/approved-dms").await;
        assert_eq!(listed["approved"].as_array().unwrap().len(), 0);
        assert!(matches!(
            approvals::revoke(&mut prod, &approval.id, "again", STAFF_USER, now()),
            Err(StaffError::Conflict(_))
        ));
    }
}

fn caller(app: &TestApp, username: &str, software: &str) -> Caller {
    let account = accounts::find_by_username(&mut app.pool.get().unwrap(), username)
        .unwrap()
        .unwrap();
    Caller {
        account: Account {
            id: account.id,
            company_id: account.company_id,
            username: account.username,
            role: Role::Submitter,
        },
        language: carpass::domain::language::Language::Nl,
        software: Software {
            builder: Some("Garagesoft NV".into()),
            name: Some(software.into()),
            version: Some("7.2.1".into()),
        },
    }
}

fn submission(reference: String, vin: String, work_date: NaiveDate, odometer: u64) -> Submission {
    Submission {
        client_reference: ClientReference::parse(&reference).unwrap(),
        reading: ReadingInput {
            vin,
            work_date,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 20_000,
            works: vec![Work {
                activity_code: "MAINTENANCE".into(),
                description: "Onderhoud".into(),
            }],
            license_plate: None,
            source: carpass::domain::source::ReadingSource::Garage,
        },
    }
}

/// `count` readings dated in 2024 on vehicles not yet registered (no anomaly possible).
fn plain_readings(prefix: &str, count: usize) -> Vec<Submission> {
    (0..count)
        .map(|i| {
            submission(
                format!("{prefix}-{i}"),
                format!("TSTVHC{prefix}{i:010}"),
                date(2024, 5, 2),
                10_000,
            )
        })
        .collect()
}

on_both_backends! {
    /// SPEC 2.10 at its edges: 1 discrepancy in 204 readings (0.49 %) is in, 1 in 200 (0.5 %) is out.
    async fn trusted_providers_are_those_under_half_a_percent(app: TestApp) {
        let mut conn = app.pool.get().unwrap();
        let in_1 = "WDB2030461A000101";
        let in_2 = "WDB2030461A000102";
        register::import(&mut conn, &[vehicle(in_1, "M1", false), vehicle(in_2, "M1", false)], now()).unwrap();
        let janssens = caller(&app, GARAGE_USER, "WerkplaatsPro");
        let peeters = caller(&app, OTHER_USER, "BandenSoft");
        // Each garage sends a high reading first, then the other a lower one: a rollback on the second.
        inflow::submit(&mut conn, &peeters, &[submission("p-high".into(), in_1.into(), date(2024, 3, 1), 90_000)], now()).unwrap();
        inflow::submit(&mut conn, &janssens, &[submission("j-low".into(), in_1.into(), date(2024, 4, 1), 40_000)], now()).unwrap();
        inflow::submit(&mut conn, &janssens, &[submission("j-high".into(), in_2.into(), date(2024, 3, 1), 90_000)], now()).unwrap();
        inflow::submit(&mut conn, &peeters, &[submission("p-low".into(), in_2.into(), date(2024, 4, 1), 40_000)], now()).unwrap();
        // Janssens: 204 readings, 1 discrepancy; Peeters: 200 readings, 1 discrepancy.
        inflow::submit(&mut conn, &janssens, &plain_readings("J", 202), now()).unwrap();
        inflow::submit(&mut conn, &peeters, &plain_readings("P", 198), now()).unwrap();
        // Readings of another year do not count.
        inflow::submit(&mut conn, &peeters, &[submission("p-2025".into(), "TSTVHCP2025000001".into(), date(2025, 1, 2), 5)], now()).unwrap();

        let candidates = trusted_providers::compute(&mut conn, 2025).unwrap();
        let standing = |name: &str| {
            let c = candidates.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} in {candidates:?}"));
            (c.readings, c.discrepancies, c.standing)
        };
        use carpass::domain::trusted_provider::Standing;
        assert_eq!(standing("Garage Janssens BV"), (204, 1, Standing::Trusted));
        assert_eq!(standing("Bandencentrale Peeters"), (200, 1, Standing::NotTrusted));
        assert!(trusted_providers::compute(&mut conn, 2026).unwrap().iter().all(|c| c.standing == Standing::TooFewReadings));

        let (status, _) = get_json(&app, "/trusted-providers/2025").await;
        assert_eq!(status, 404, "not published yet");
        trusted_providers::publish(&mut conn, 2025, STAFF_USER, now()).unwrap();
        assert!(matches!(trusted_providers::publish(&mut conn, 2025, STAFF_USER, now()), Err(StaffError::Conflict(_))));
        let (status, list) = get_json(&app, "/trusted-providers/2025").await;
        assert_eq!(status, 200);
        let names: Vec<&str> = list["providers"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Garage Janssens BV"]);

        // The software report: what sent how much, and none of it approved.
        let usage = carpass::staff::software::usage(&mut conn, today()).unwrap();
        let of = |name: &str| usage.iter().find(|u| u.name.as_deref() == Some(name)).unwrap().clone();
        assert_eq!(of("WerkplaatsPro").readings, 204);
        assert_eq!(of("BandenSoft").readings, 201);
        assert!(of("WerkplaatsPro").issues >= 1);
        assert_eq!(of("WerkplaatsPro").approved_until, None);
    }
}
