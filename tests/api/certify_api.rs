//! The certification session's HTTP API (issue 18, points 4 and 5): a DMS vendor with no shell
//! on the registry certifies with the session's credentials only, plays a step again after a
//! fix, and resumes from a step; every refusal says what to do, as JSON.

use std::time::Duration;

use base64::Engine;
use carpass::certification::evaluations::Report;
use carpass::certification::reference_dms::{self, Defect};
use carpass::certification::sessions::{self, Started};
use carpass::domain::certification::criterion::Criterion;
use serde_json::Value;

use crate::certify::{acme, certification_pool};
use crate::helpers::*;

/// What a vendor has: the server's address and the session's id, user name and password.
struct Vendor {
    agent: ureq::Agent,
    authorization: String,
    base: String,
    page: String,
    user: String,
    password: String,
}

impl Vendor {
    fn of(address: &str, started: &Started) -> Vendor {
        let (user, password) = (started.session.username.clone(), started.password.clone());
        Vendor {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            authorization: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            ),
            base: address.to_owned(),
            page: format!("{address}{}", sessions::page_path(&started.session.id)),
            user,
            password,
        }
    }

    fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Vec<u8>) {
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        (status, body)
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let sent = self
            .agent
            .get(format!("{}{path}", self.page))
            .header("Authorization", &self.authorization)
            .call();
        Vendor::answer(sent.unwrap())
    }

    /// A bare POST, as `curl -X POST` sends it: no Accept: text/html, so JSON comes back.
    fn post(&self, path: &str, body: &[u8]) -> (u16, Value) {
        let sent = self
            .agent
            .post(format!("{}{path}", self.page))
            .header("Authorization", &self.authorization)
            .send(body);
        let (status, body) = Vendor::answer(sent.unwrap());
        (status, serde_json::from_slice(&body).unwrap())
    }

    fn json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path);
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// The reference DMS plays the SOAP side and the operator's clicks over HTTP; its
    /// screenshots are attached over HTTP too.
    fn play(&self, sheet: &sessions::SheetView, defect: Option<Defect>, rerun: Option<u32>) {
        let options = reference_dms::Options {
            base_url: self.base.clone(),
            defect,
            timeout: Duration::from_secs(5),
            soap: reference_dms::Soap::V11,
            rerun,
        };
        let mut attach = |step: u32, png: Vec<u8>| match self
            .post(&format!("/steps/{step}/screenshots?name=screen.png"), &png)
        {
            (201, _) => Ok(()),
            (_, refused) => Err(refused.to_string()),
        };
        reference_dms::play(sheet, &self.user, &self.password, &options, &mut attach).unwrap();
    }
}

async fn start(app: &TestApp) -> Started {
    // Starting is the registry staff's part (`carpass certify start`); the rest is the vendor's.
    let pool = certification_pool(app);
    actix_web::rt::task::spawn_blocking(move || {
        sessions::start_holding(&mut pool.get().unwrap(), &acme(), now(), Some(2)).unwrap()
    })
    .await
    .unwrap()
}

on_both_backends! {
    /// Issue 18's HTTP-only certification, with a fix in between: the vendor plays the sheet,
    /// fails one criterion, plays that step again in the same session and is certifiable; the
    /// earlier attempt stays in the report, not judged.
    async fn a_vendor_certifies_over_http_only_and_plays_a_fixed_step_again(app: TestApp) {
        let started = start(&app).await;
        let vendor = Vendor::of(&app.address, &started);
        actix_web::rt::task::spawn_blocking(move || {
            let (status, sheet) = vendor.json("/sheet");
            assert_eq!(status, 200);
            assert_eq!(sheet["endpoint"], format!("{}{}", vendor.base, sessions::endpoint_path(&started.session.id)));
            assert_eq!(sheet["wsdl"], format!("{}?wsdl", sheet["endpoint"].as_str().unwrap()));
            assert_eq!((sheet["next_step"].clone(), sheet["open_step"].clone()), (Value::from(1), Value::Null));
            let steps = sheet["steps"].as_array().unwrap();
            assert_eq!(steps.len(), 17);
            for step in steps {
                assert_eq!((step["state"].as_str(), &step["work_date"]), (Some("not_opened"), &Value::Null), "{step}");
            }
            // Every job's values are data: its VIN is one of the session's vehicles, with the
            // odometer, unit, customer and works the DMS must send.
            let vins: Vec<&str> = sheet["vehicles"].as_array().unwrap().iter().map(|v| v["vin"].as_str().unwrap()).collect();
            let jobs: Vec<&Value> = steps.iter().filter(|s| !s["job"].is_null()).map(|s| &s["job"]).collect();
            assert!(jobs.len() >= 10, "{}", jobs.len());
            for job in jobs {
                assert!(vins.contains(&job["vin"].as_str().unwrap()), "{job}");
                assert!(job["odometer"].is_u64() && job["unit"].is_string() && job["customer"].is_string(), "{job}");
                assert!(!job["works"].as_array().unwrap().is_empty(), "{job}");
            }
            let view: sessions::SheetView = serde_json::from_value(sheet).unwrap();

            vendor.play(&view, Some(Defect::ChangedVin), None);
            let (status, first) = vendor.post("/evaluations", b"");
            assert_eq!(status, 201);
            let first: Report = serde_json::from_value(first).unwrap();
            assert_eq!(first.failed_criteria(), [Criterion::C03]);
            let step = first.criteria.iter().find(|c| c.criterion == Criterion::C03).unwrap().step.unwrap();

            let (_, sheet) = vendor.json("/sheet");
            assert_eq!(sheet["open_step"]["number"], 17);
            assert_eq!(sheet["next_step"], Value::Null, "every step is open");
            let (status, refused) = vendor.post("/next", b"");
            assert_eq!((status, refused["error"].as_str()), (409, Some("NO_NEXT_STEP")), "{refused}");
            assert!(refused["message"].as_str().unwrap().contains("/rerun"), "{refused}");

            // The fix: the reference DMS plays that step again as a new attempt.
            vendor.play(&view, None, Some(step));
            let (_, sheet) = vendor.json("/sheet");
            let played = &sheet["steps"][step as usize - 1];
            assert_eq!(played["state"], "open");
            assert_eq!(played["attempts"].as_array().unwrap().len(), 2, "{played}");
            assert_eq!(played["work_date"], played["attempts"][1]["work_date"]);
            assert_eq!(sheet["open_step"]["number"], step);
            assert_eq!(sheet["steps"][16]["state"], "played");

            let (status, second) = vendor.post("/evaluations", b"");
            assert_eq!(status, 201);
            let second: Report = serde_json::from_value(second).unwrap();
            assert!(second.certifiable, "{:?}", second.failed_criteria());
            assert_eq!(second.steps[step as usize - 1].attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2]);

            let (status, listed) = vendor.json("/evaluations");
            assert_eq!(status, 200);
            let listed = listed.as_array().unwrap();
            assert_eq!(listed.len(), 2);
            assert_eq!((listed[0]["certifiable"].as_bool(), &listed[0]["failed"]), (Some(false), &serde_json::json!(["C03"])));
            assert_eq!(listed[1]["evaluation_id"], second.evaluation_id.as_str());
            let report = listed[1]["report"].as_str().unwrap();
            let (status, html) = vendor.get(&format!("{}?format=html", report.trim_start_matches(&sessions::page_path(&started.session.id))));
            assert_eq!(status, 200);
            let html = String::from_utf8(html).unwrap();
            assert!(html.contains("played again: not judged"), "the earlier attempt is shown, marked");
            for (format, opening) in [("html", &b"<!DOCTYPE html>"[..]), ("json", b"{"), ("junit", b"<?xml")] {
                let (status, body) = vendor.get(&format!("/evaluations/latest?format={format}"));
                assert_eq!(status, 200, "{format}");
                assert!(body.starts_with(opening), "{format}");
            }
            let (status, bundle) = vendor.get(&format!("/evaluations/{}?format=bundle", first.evaluation_id));
            assert_eq!((status, bundle.len() % 512), (200, 0), "a tar archive");
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    /// Resuming from a step: after step 2 is played again, `next` opens step 3's second
    /// attempt. Each refusal is JSON saying what to do, and changes nothing.
    async fn a_vendor_resumes_from_a_step_and_every_refusal_says_what_to_do(app: TestApp) {
        let started = start(&app).await;
        let vendor = Vendor::of(&app.address, &started);
        let id = started.session.id.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let (status, listed) = vendor.json("/evaluations");
            assert_eq!((status, listed), (200, serde_json::json!([])));
            let (status, missing) = vendor.json("/evaluations/latest");
            assert_eq!((status, missing["error"].as_str()), (404, Some("NO_SUCH_EVALUATION")));
            let (status, early) = vendor.post("/steps/1/rerun", b"");
            assert_eq!((status, early["error"].as_str()), (409, Some("CANNOT_RERUN")), "{early}");
            assert!(early["message"].as_str().unwrap().contains("/next"), "{early}");

            for number in 1..=3 {
                let (status, opened) = vendor.post("/next", b"");
                assert_eq!(status, 200, "{opened}");
                assert_eq!((opened["number"].as_u64(), opened["attempt"].as_u64()), (Some(number), Some(1)));
                assert!(opened["work_date"].is_string() && opened["step"]["instructions"]["nl"].is_string(), "{opened}");
            }
            let (status, again) = vendor.post("/steps/2/rerun", b"");
            assert_eq!(status, 200, "{again}");
            assert_eq!((again["number"].as_u64(), again["attempt"].as_u64()), (Some(2), Some(2)));
            let (_, sheet) = vendor.json("/sheet");
            let states: Vec<&str> = sheet["steps"].as_array().unwrap()[..4].iter().map(|s| s["state"].as_str().unwrap()).collect();
            assert_eq!(states, ["played", "open", "played", "not_opened"]);
            assert_eq!(sheet["next_step"], 3, "the session resumes after the step played again");
            let (status, resumed) = vendor.post("/next", b"");
            assert_eq!(status, 200);
            assert_eq!((resumed["number"].as_u64(), resumed["attempt"].as_u64()), (Some(3), Some(2)));

            for (path, status, error) in [
                ("/steps/0/rerun", 404, "NO_SUCH_STEP"),
                ("/steps/18/rerun", 404, "NO_SUCH_STEP"),
                ("/steps/9/rerun", 409, "CANNOT_RERUN"),
                ("/steps/3/screenshots?name=a.png", 400, "INVALID_SCREENSHOT"),
            ] {
                let (got, refused) = vendor.post(path, b"not an image");
                assert_eq!((got, refused["error"].as_str()), (status, Some(error)), "{path}: {refused}");
                assert!(!refused["message"].as_str().unwrap().is_empty());
            }
            // Another site's page cannot use a browser's remembered login to change the session.
            for path in ["/next", "/steps/2/rerun", "/evaluations", "/steps/3/screenshots"] {
                let sent = vendor.agent.post(format!("{}{path}", vendor.page)).header("Authorization", &vendor.authorization).header("Origin", "https://evil.example").send(&b"\x89PNG"[..]).unwrap();
                let (status, body) = Vendor::answer(sent);
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!((status, body["error"].as_str()), (403, Some("CROSS_SITE")), "{path}");
            }
            let (status, unknown) = vendor.json("/evaluations/latest?format=pdf");
            assert_eq!((status, unknown["error"].as_str()), (400, Some("UNKNOWN_FORMAT")));
            let (_, sheet) = vendor.json("/sheet");
            assert_eq!(sheet["opened"].as_array().unwrap().len(), 5, "nothing refused opened a step");
            assert_eq!(vendor.json("/evaluations").1, serde_json::json!([]), "nor evaluated");

            // Without the session's login: a challenge, in JSON; another session's id: unknown.
            let anonymous = vendor.agent.get(format!("{}/sheet", vendor.page)).call().unwrap();
            assert_eq!(anonymous.status().as_u16(), 401);
            assert!(anonymous.headers().contains_key("www-authenticate"));
            let (status, body) = Vendor::answer(anonymous);
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!((status, body["error"].as_str()), (401, Some("UNAUTHENTICATED")));
            let elsewhere = Vendor { page: vendor.page.replace(&id, "nosuchsession"), ..vendor };
            let (status, unknown) = elsewhere.json("/sheet");
            assert_eq!((status, unknown["error"].as_str()), (404, Some("NO_SUCH_SESSION")), "{unknown}");
        })
        .await
        .unwrap();
    }
}
