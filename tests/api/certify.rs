//! The certification harness proves itself (SPEC 5.4): the reference DMS passes, each defect
//! fails exactly its criterion, and a full certification run leaves production unchanged.

use std::collections::BTreeMap;
use std::time::Duration;

use carpass::certification::evaluations::{self, Report};
use carpass::certification::reference_dms::{self, Defect};
use carpass::certification::sessions::{self, Started};
use carpass::db::{self, Database, DbConnection};
use carpass::domain::certification::criterion::Criterion;
use carpass::domain::certification::evaluation::{Software, Verdict};
use carpass::domain::certification::scenario::InjectedFault;
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};

use crate::helpers::*;

pub fn acme() -> Software {
    Software {
        builder: "Acme Software NV".into(),
        name: "Acme DMS".into(),
        version: "4.2".into(),
    }
}

pub fn certification_pool(app: &TestApp) -> db::Pool {
    db::open(Database::Certification, &app.database_url, 4)
        .expect("the certification database opens")
}

/// How the reference DMS plays a session: its defect, how long it waits for an answer, and
/// how long the harness holds the request of the timeout step before closing it unanswered.
#[derive(Clone, Copy)]
pub struct Run {
    pub defect: Option<Defect>,
    pub timeout: Duration,
    pub hold_seconds: u64,
    pub soap: reference_dms::Soap,
}

impl Run {
    /// A patient DMS: it waits longer than the hold, so the closed connection is what it sees.
    /// The hold is short, so that the test stays fast; the timeout long enough that no other
    /// answer comes later on a loaded machine.
    pub fn with(defect: Option<Defect>) -> Run {
        Run {
            defect,
            timeout: Duration::from_secs(5),
            hold_seconds: 2,
            soap: reference_dms::Soap::V11,
        }
    }
}

/// Starts a session and lets the reference DMS (with the defect, if any) play it; evaluates.
pub async fn certify(app: &TestApp, defect: Option<Defect>) -> (Started, Report) {
    certify_with(app, Run::with(defect)).await
}

pub async fn certify_with(app: &TestApp, run: Run) -> (Started, Report) {
    let pool = certification_pool(app);
    let address = app.address.clone();
    actix_web::rt::task::spawn_blocking(move || play(&pool, address, run))
        .await
        .unwrap()
}

pub fn play(pool: &db::Pool, address: String, run: Run) -> (Started, Report) {
    {
        let mut conn = pool.get().unwrap();
        let started =
            sessions::start_holding(&mut conn, &acme(), now(), Some(run.hold_seconds)).unwrap();
        let id = started.session.id.clone();
        let (user, password) =
            sessions::add_operator(&mut conn, &started.session, "reference-dms", now()).unwrap();
        let view = sessions::sheet_view(&mut conn, &id).unwrap();
        let options = reference_dms::Options {
            base_url: address,
            defect: run.defect,
            timeout: run.timeout,
            soap: run.soap,
            rerun: None,
        };
        let mut attach = |step: u32, png: Vec<u8>| {
            sessions::attach(&mut conn, &id, step, "screen.png", png, &user, now())
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        reference_dms::play(&view, &user, &password, &options, &mut attach).unwrap();
        let report = evaluations::evaluate(&mut conn, &id, "test", now()).unwrap();
        (started, report)
    }
}

on_both_backends! {
    /// The reference DMS waits longer than the hold (SPEC 5.6: .NET's HttpClient waits 100 s
    /// where the hold is 60 s): the connection closes under it, it retries, and passes.
    async fn the_reference_dms_with_a_timeout_longer_than_the_hold_is_certifiable(app: TestApp) {
        let (started, report) = certify(&app, None).await;
        // Its screenshots show what a DMS shows: a window-sized image with the message drawn.
        let shots = evaluations::evidence(&mut certification_pool(&app).get().unwrap(), &started.session.id).unwrap().attachments;
        assert_eq!(shots.len(), 2, "the paper-form message and the refusal's reasons");
        for shot in &shots {
            assert!(shot.content.starts_with(b"\x89PNG") && shot.content.len() > 10_000, "{}", shot.content.len());
            assert_eq!(u32::from_be_bytes(shot.content[16..20].try_into().unwrap()), 720);
        }
        assert_certifiable(&report);
        // SPEC 5.3: the report says which harness judged against which scenarios.
        assert!(report.harness_version.starts_with("carpass "), "{}", report.harness_version);
        assert_eq!(report.scenarios_sha256, carpass::certification::scenarios::digest());
        assert!(report.criteria.iter().all(|c| c.spec.starts_with("SPEC 5.2")));
        let held = report.exchanges.iter().find(|e| e.injected == Some(InjectedFault::Timeout)).unwrap();
        assert_eq!(held.http_status, 0, "the held request is closed unanswered: {}", held.outcome);
    }
}

on_both_backends! {
    /// A vendor who fixed one behaviour plays that step again in the same session: the new
    /// attempt is judged, the earlier one stays in the report, marked.
    async fn a_step_played_again_is_judged_on_its_latest_attempt(app: TestApp) {
        let (started, first) = certify(&app, Some(Defect::ChangedVin)).await;
        assert_eq!(first.failed_criteria(), [Criterion::C03]);
        let step = first.criteria.iter().find(|c| c.criterion == Criterion::C03).unwrap().step.unwrap();
        let pool = certification_pool(&app);
        let address = app.address.clone();
        let report = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let id = started.session.id.clone();
            let (user, password) = sessions::add_operator(&mut conn, &started.session, "reference-dms", now()).unwrap();
            let view = sessions::sheet_view(&mut conn, &id).unwrap();
            let options = reference_dms::Options {
                base_url: address,
                defect: None,
                timeout: Duration::from_secs(5),
                soap: reference_dms::Soap::V11,
                rerun: Some(step),
            };
            let mut attach = |_: u32, _: Vec<u8>| Ok(());
            reference_dms::play(&view, &user, &password, &options, &mut attach).unwrap();
            evaluations::evaluate(&mut conn, &id, "test", now()).unwrap()
        })
        .await
        .unwrap();
        assert_certifiable(&report);
        let played = &report.steps[step as usize - 1];
        assert_eq!(played.attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2]);
        let earlier: Vec<_> = report.exchanges.iter().filter(|e| e.superseded).collect();
        assert!(!earlier.is_empty() && earlier.iter().all(|e| e.step == Some(step) && e.attempt == Some(1)), "{earlier:?}");
        let html = carpass::certification::report::html::render(&report, &[]);
        assert!(html.contains("attempt 1 of its step, played again: not judged"));
    }
}

on_both_backends! {
    /// A DMS vendor has no shell on the registry: once staff started its session, the sheet,
    /// the steps, the screenshots, the evaluation and every report format are HTTP, with the
    /// session's own credentials.
    async fn a_whole_certification_runs_over_http_only(app: TestApp) {
        let pool = certification_pool(&app);
        let started = actix_web::rt::task::spawn_blocking(move || {
            sessions::start_holding(&mut pool.get().unwrap(), &acme(), now(), Some(2)).unwrap()
        })
        .await
        .unwrap();
        let (user, password, id) = (started.session.username.clone(), started.password.clone(), started.session.id.clone());
        let base = app.address.clone();
        let report = actix_web::rt::task::spawn_blocking(move || {
            use base64::Engine;
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
            let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
            let page = format!("{base}{}", sessions::page_path(&id));
            let get = |path: &str| {
                let mut response = agent.get(format!("{page}{path}")).header("Authorization", &auth).call().unwrap();
                (response.status().as_u16(), response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
            };
            let (status, sheet) = get("/sheet");
            assert_eq!(status, 200);
            let sheet: sessions::SheetView = serde_json::from_slice(&sheet).unwrap();
            let options = reference_dms::Options {
                base_url: base.clone(),
                defect: None,
                timeout: Duration::from_secs(5),
                soap: reference_dms::Soap::V11,
                rerun: None,
            };
            let mut attach = |step: u32, png: Vec<u8>| {
                let mut response = agent
                    .post(format!("{page}/steps/{step}/screenshots?name=screen.png"))
                    .header("Authorization", &auth)
                    .header("Content-Type", "image/png")
                    .send(&png[..])
                    .map_err(|e| e.to_string())?;
                match response.status().as_u16() {
                    201 => Ok(()),
                    _ => Err(response.body_mut().read_to_string().unwrap_or_default()),
                }
            };
            reference_dms::play(&sheet, &user, &password, &options, &mut attach).unwrap();
            let refused = agent.post(format!("{page}/steps/2/screenshots")).header("Authorization", &auth).send(&b"not an image"[..]).unwrap();
            assert_eq!(refused.status().as_u16(), 400, "a file that is no screenshot is refused");
            let mut evaluated = agent.post(format!("{page}/evaluations")).header("Authorization", &auth).send_empty().unwrap();
            assert_eq!(evaluated.status().as_u16(), 201);
            let report: Report = serde_json::from_slice(&evaluated.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap()).unwrap();
            let (status, listed) = get("/evaluations");
            assert_eq!(status, 200);
            let listed: serde_json::Value = serde_json::from_slice(&listed).unwrap();
            assert_eq!(listed[0]["evaluation_id"], report.evaluation_id.as_str());
            for (format, opening) in [("html", &b"<!DOCTYPE html>"[..]), ("json", b"{"), ("junit", b"<?xml")] {
                let (status, body) = get(&format!("/evaluations/latest?format={format}"));
                assert_eq!(status, 200, "{format}");
                assert!(body.starts_with(opening), "{format}");
            }
            let (status, bundle) = get(&format!("/evaluations/{}?format=bundle", report.evaluation_id));
            assert_eq!((status, bundle.len() % 512), (200, 0), "a tar archive");
            assert_eq!(get("/evaluations/latest?format=pdf").0, 400);
            assert_eq!(get("/evaluations/nosuch").0, 404);
            report
        })
        .await
        .unwrap();
        assert_certifiable(&report);
    }
}

fn assert_certifiable(report: &Report) {
    for result in &report.criteria {
        let expected = match result.criterion {
            // Proven on the DMS's screen: the screenshots wait for a staff verdict.
            Criterion::C07 | Criterion::C14 => Verdict::AwaitingStaffReview,
            _ => Verdict::Passed,
        };
        assert_eq!(
            result.verdict, expected,
            "{}: {}",
            result.criterion, result.reason
        );
    }
    assert!(report.certifiable);
}

on_both_backends! {
    /// SPEC 5.6: a DMS whose timeout is shorter than the hold gives up and retries while the
    /// harness still holds its request; it is certifiable as much as a patient one.
    async fn an_impatient_dms_that_retries_before_the_hold_ends_is_certifiable(app: TestApp) {
        let run = Run { timeout: Duration::from_secs(4), hold_seconds: 9, ..Run::with(None) };
        let (_, report) = certify_with(&app, run).await;
        assert_certifiable(&report);
        let c12 = report.checks.iter().find(|c| c.criterion == Criterion::C12 && c.reason.contains("timeout")).unwrap();
        assert_eq!(c12.verdict, Verdict::Passed, "{}", c12.reason);
    }
}

on_both_backends! {
    /// SPEC 3.1 and 5.6: an impatient DMS speaking SOAP 1.2 retries while its first request is
    /// still held; the retry is read as a SOAP 1.2 request carrying the step's vehicle, so it
    /// gets the stored receipt, not a second injected fault.
    async fn an_impatient_dms_in_soap_1_2_gets_each_fault_once_and_is_certifiable(app: TestApp) {
        let run = Run { timeout: Duration::from_secs(4), hold_seconds: 9, soap: reference_dms::Soap::V12, ..Run::with(None) };
        let (_, report) = certify_with(&app, run).await;
        assert_certifiable(&report);
        let injected: Vec<_> = report.exchanges.iter().filter(|e| e.injected.is_some()).collect();
        assert_eq!(injected.len(), 2, "one Server fault and one held request: {injected:?}");
    }
}

on_both_backends! {
    /// SPEC 3.1 and 5.6: a DMS speaking SOAP 1.2 is recorded, injected and judged as one
    /// speaking SOAP 1.1: each fault is injected once, and the DMS is certifiable.
    async fn the_reference_dms_in_soap_1_2_is_certifiable(app: TestApp) {
        let (_, report) = certify_with(&app, Run { soap: reference_dms::Soap::V12, ..Run::with(None) }).await;
        assert_certifiable(&report);
        let injected: Vec<_> = report.exchanges.iter().filter(|e| e.injected.is_some()).collect();
        assert_eq!(injected.len(), 2, "one Server fault and one held request: {injected:?}");
        let faulted = report.exchanges.iter().filter(|e| e.outcome == "fault SERVER_ERROR").count();
        assert_eq!(faulted, 1, "the retry of the Server fault step got its receipt");
    }
}

on_both_backends! {
/// Every defect (`Defect::ALL`, two or more per criterion) fails its own criterion and no
/// other; a mandatory one makes the DMS not certifiable. A defect caught by the wrong
/// criterion, or by none, fails this test.
async fn every_defect_fails_exactly_its_criterion(app: TestApp) {
    let pool = db::open(Database::Certification, &app.database_url, 4).unwrap();
    // A few at a time: sessions are independent, and one at a time would take minutes; all at
    // once would make a loaded machine slower than the reference DMS's patience.
    let mut wrong = Vec::new();
    for defects in Defect::ALL.chunks(4) {
        let runs: Vec<_> = defects
            .iter()
            .map(|&defect| {
                let (pool, address) = (pool.clone(), app.address.clone());
                actix_web::rt::task::spawn_blocking(move || {
                    (defect, play(&pool, address, Run::with(Some(defect))).1)
                })
            })
            .collect();
        for run in runs {
            let (defect, report) = run.await.unwrap();
            let failed = report.failed_criteria();
            if failed != [defect.criterion()] {
                let reasons: Vec<String> = report
                    .criteria
                    .iter()
                    .filter(|c| c.verdict == Verdict::Failed)
                    .map(|c| format!("{}: {}", c.criterion, c.reason))
                    .collect();
                wrong.push(format!(
                    "{} should fail {} only; failed {:?}: {reasons:?}",
                    defect.name(),
                    defect.criterion(),
                    failed
                ));
            }
            if defect.criterion().mandatory() && report.certifiable {
                wrong.push(format!(
                    "{} breaks a mandatory criterion but the report says certifiable",
                    defect.name()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
}

#[derive(QueryableByName)]
struct Dump {
    #[diesel(sql_type = Text)]
    dump: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Every production table, row by row, as text.
fn snapshot(conn: &mut DbConnection) -> BTreeMap<String, String> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let tables: Vec<Name> = if postgres {
        diesel::sql_query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'")
            .load(conn)
            .unwrap()
    } else {
        diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .load(conn)
        .unwrap()
    };
    tables
        .into_iter()
        .map(|t| {
            let query = if postgres {
                format!("SELECT COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS dump FROM public.{} t", t.name)
            } else {
                let columns: Vec<Name> = diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                    .load(conn)
                    .unwrap();
                let row = columns.iter().map(|c| format!("quote({})", c.name)).collect::<Vec<_>>().join("||'|'||");
                format!("SELECT COALESCE(group_concat(r, char(10)), '') AS dump FROM (SELECT {row} AS r FROM {} ORDER BY 1)", t.name)
            };
            let dump: Dump = diesel::sql_query(query).get_result(conn).unwrap();
            (t.name, dump.dump)
        })
        .collect()
}

on_both_backends! {
    /// SPEC 5.5: certification traffic never changes production histories, accounts or statistics.
    async fn a_full_certification_run_leaves_production_unchanged(app: TestApp) {
        let before = snapshot(&mut app.pool.get().unwrap());
        assert!(before.contains_key("readings") && before.contains_key("accounts"), "{:?}", before.keys());
        let (_, report) = certify(&app, None).await;
        assert!(report.exchanges.len() > 20, "the run did talk to the harness");
        let after = snapshot(&mut app.pool.get().unwrap());
        assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "no table added to production");
        for (table, rows) in &before {
            assert_eq!(rows, &after[table], "production table {table} changed");
        }
        let metrics = awc::Client::new()
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        let metrics = String::from_utf8_lossy(&metrics);
        let counted: Vec<&str> = metrics
            .lines()
            .filter(|l| l.starts_with("carpass_soap_requests_total{") && !l.ends_with(" 0"))
            .collect();
        assert!(counted.is_empty(), "certification traffic shows in production's metrics: {counted:?}");
    }
}

on_both_backends! {
    /// A session's credentials work on its own endpoint only: not on another session's, not in production.
    async fn session_credentials_open_only_their_own_session(app: TestApp) {
        let pool = certification_pool(&app);
        let (one, two) = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            (sessions::start(&mut conn, &acme(), now()).unwrap(), sessions::start(&mut conn, &acme(), now()).unwrap())
        })
        .await
        .unwrap();
        let call = |path: String, user: &str, password: &str| {
            let body = envelope(Soap::V11, &security(user, password), "<ListActivities xmlns=\"urn:carpass:inflow:1\"/>");
            let url = format!("{}{path}", app.address);
            async move {
                let mut response = awc::Client::new()
                    .post(url)
                    .insert_header(("Content-Type", "text/xml; charset=utf-8"))
                    .send_body(body)
                    .await
                    .unwrap();
                let text = String::from_utf8_lossy(&response.body().await.unwrap()).into_owned();
                (response.status().as_u16(), text)
            }
        };
        let (status, body) = call(sessions::endpoint_path(&one.session.id), &one.session.username, &one.password).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(sessions::endpoint_path(&two.session.id), &one.session.username, &one.password).await;
        assert_eq!(status, 500);
        assert!(body.contains("another certification session"), "{body}");
        let (status, body) = call("/soap/inflow".into(), &one.session.username, &one.password).await;
        assert_eq!(status, 500);
        assert!(body.contains("AUTHENTICATION_FAILED"), "{body}");
        let (status, _) = call(sessions::endpoint_path("nosuchsession"), &one.session.username, &one.password).await;
        assert_eq!(status, 500);
    }
}

#[actix_web::test]
async fn the_operator_page_needs_the_session_login_and_opens_steps() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let pool = certification_pool(&app);
    let started = actix_web::rt::task::spawn_blocking(move || {
        sessions::start(&mut pool.get().unwrap(), &acme(), now()).unwrap()
    })
    .await
    .unwrap();
    let page = format!(
        "{}{}",
        app.address,
        sessions::page_path(&started.session.id)
    );
    let client = awc::Client::builder().disable_redirects().finish();
    let anonymous = client.get(&page).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let wrong = client
        .get(&page)
        .basic_auth(&started.session.username, "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let production_user = client
        .get(&page)
        .basic_auth(GARAGE_USER, PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(production_user.status().as_u16(), 401);

    let login = |r: awc::ClientRequest| r.basic_auth(&started.session.username, &started.password);
    let cross_site = login(client.post(format!("{page}/next")))
        .insert_header(("Origin", "https://evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status().as_u16(), 403);
    let opened = login(client.post(format!("{page}/next")))
        .insert_header(("Origin", app.address.as_str()))
        .insert_header(("Accept", "text/html,application/xhtml+xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        opened.status().as_u16(),
        303,
        "a browser's form post goes back to the page"
    );
    let mut shown = login(client.get(format!("{page}?lang=fr")))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status().as_u16(), 200);
    let html = String::from_utf8_lossy(&shown.body().await.unwrap()).into_owned();
    assert!(html.contains("Étape 1 sur 17"), "{html}");
    assert!(
        html.contains("Configurez dans le DMS"),
        "the instructions in French: {html}"
    );
    assert!(
        html.contains("Ouvrir l'étape suivante") && html.contains("lang=\"fr\""),
        "the page's own words in French too (issue 20): {html}"
    );

    let mut sheet = login(client.get(format!("{page}/sheet")))
        .send()
        .await
        .unwrap();
    let sheet: serde_json::Value = sheet.json().limit(1 << 20).await.unwrap();
    assert_eq!(sheet["steps"].as_array().unwrap().len(), 17);
    assert_eq!(sheet["opened"][0]["number"], 1);
}
