//! The certification recording under attack (issue 19): it keeps no password in any form,
//! whatever the request looks like, and stops growing at the session's quota.

use base64::Engine;
use carpass::certification::evaluations;
use carpass::certification::report::{self, Format};
use carpass::certification::sessions::{self, Started};
use carpass::db::certification::{self as store, ExchangeRow};
use carpass::settings::RecordingQuota;

use crate::certify::{acme, certification_pool};
use crate::helpers::*;

const LIST: &str = "<ListActivities xmlns=\"urn:carpass:inflow:1\"/>";

async fn start(app: &TestApp) -> Started {
    let pool = certification_pool(app);
    actix_web::rt::task::spawn_blocking(move || {
        sessions::start(&mut pool.get().unwrap(), &acme(), now()).unwrap()
    })
    .await
    .unwrap()
}

async fn send(
    app: &TestApp,
    started: &Started,
    content_type: &str,
    authorization: Option<String>,
    body: String,
) -> (u16, String) {
    let url = format!(
        "{}{}",
        app.address,
        sessions::endpoint_path(&started.session.id)
    );
    let mut request = awc::Client::new()
        .post(url)
        .insert_header(("Content-Type", content_type));
    if let Some(authorization) = authorization {
        request = request.insert_header(("Authorization", authorization));
    }
    let mut response = request.send_body(body).await.unwrap();
    let text = String::from_utf8_lossy(&response.body().await.unwrap()).into_owned();
    (response.status().as_u16(), text)
}

fn rows(app: &TestApp, started: &Started) -> Vec<ExchangeRow> {
    let mut conn = certification_pool(app).get().unwrap();
    store::exchanges(&mut conn, &started.session.id).unwrap()
}

/// Every column of a row, as the database holds it.
fn raw(row: &ExchangeRow) -> Vec<u8> {
    let mut all = format!(
        "{} {} {} {:?} {:?} {:?}",
        row.path,
        row.request_headers,
        row.response_headers,
        row.request_sha256,
        row.request_note,
        row.request_facts
    )
    .into_bytes();
    all.extend_from_slice(&row.request_body);
    all.extend_from_slice(&row.response_body);
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn char_references(text: &str) -> String {
    text.chars().map(|c| format!("&#{};", c as u32)).collect()
}

on_both_backends! {
    /// Issue 19: none of the six ways a request can carry its password leaves it in the
    /// recording or the evidence bundle, and the evaluation still knows who sent what.
    async fn no_form_of_a_password_is_recorded_or_bundled(app: TestApp) {
        let started = start(&app).await;
        let (user, password) = (started.session.username.clone(), started.password.clone());
        let (half, rest) = password.split_at(10);
        let ampersand = "wrong&password-of-a-guesser";
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let v11 = Soap::V11.content_type();
        let cases: Vec<(&str, String, Option<String>)> = vec![
            (
                v11,
                envelope(Soap::V11, &security(&user, &password), "<ListActivities xmlns=\"urn:carpass:inflow:1\"></env:Body>"),
                Some(basic.clone()),
            ),
            (Soap::V12.content_type(), envelope(Soap::V11, &security(&user, &password), LIST), None),
            (
                v11,
                format!(
                    "<?xml version=\"1.0\"?><!DOCTYPE env:Envelope [<!ENTITY p \"{password}\">]>{}",
                    envelope(Soap::V11, &security(&user, "&p;"), LIST)
                ),
                None,
            ),
            (v11, envelope(Soap::V11, &security(&user, &char_references(&password)), LIST), None),
            (
                v11,
                envelope(Soap::V11, &security(&user, &format!("<![CDATA[{half}]]><![CDATA[{rest}]]>")), LIST),
                None,
            ),
            (v11, envelope(Soap::V11, &security(&user, "wrong&amp;password-of-a-guesser"), LIST), None),
        ];
        let mut statuses = Vec::new();
        for (content_type, body, authorization) in cases {
            statuses.push(send(&app, &started, content_type, authorization, body).await.0);
        }
        assert_eq!(statuses, [500, 500, 500, 200, 200, 500], "the two well-formed ones authenticate");

        let rows = rows(&app, &started);
        assert_eq!(rows.len(), 6);
        let forbidden = [
            password.clone(),
            char_references(&password),
            half.to_owned(),
            rest.to_owned(),
            ampersand.to_owned(),
            "wrong&amp;password".to_owned(),
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
        ];
        for (i, row) in rows.iter().enumerate() {
            let raw = raw(row);
            for secret in &forbidden {
                assert!(!contains(&raw, secret), "exchange {} keeps {secret}: {}", i + 1, String::from_utf8_lossy(&raw));
            }
            assert!(row.request_size > 0);
        }
        // What the evaluation reads: who sent the requests that authenticated, and that the
        // others broke the contract.
        let facts = evaluations::facts(&rows, std::slice::from_ref(&user));
        assert_eq!(facts[3].request.authentication.username(), Some(user.as_str()));
        assert_eq!(facts[4].request.authentication.username(), Some(user.as_str()));
        assert_eq!(facts[3].request.contract_violation, None);
        assert!(facts[0].request.contract_violation.is_some());
        assert!(facts[2].request.contract_violation.is_some(), "the DOCTYPE is refused");
        assert!(rows[2].request_body.is_empty() && rows[2].request_note.is_some());

        let pool = certification_pool(&app);
        let id = started.session.id.clone();
        let bundle = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let report = evaluations::evaluate(&mut conn, &id, "test", now()).unwrap();
            let evidence = evaluations::evidence(&mut conn, &id).unwrap();
            let bundle = report::render(Format::Bundle, &report, &evidence);
            // Written from rows read a page at a time, it is the same archive.
            let rows = evaluations::exchanges_paged(&mut conn, &id);
            let streamed = report::bundle::write(&report, &evidence.attachments, rows, Vec::new()).unwrap();
            assert!(streamed == bundle, "the streamed bundle differs");
            bundle
        })
        .await
        .unwrap();
        for secret in &forbidden {
            assert!(!contains(&bundle, secret), "the bundle keeps {secret}");
        }
    }
}

async fn quota_stops_the_recording(backend: Backend) {
    let Some(app) = spawn_app_tuned(backend, |settings| {
        settings.recording_quota = RecordingQuota {
            exchanges: 4,
            bytes: 1 << 20,
        };
    })
    .await
    else {
        return;
    };
    let started = start(&app).await;
    let (user, password) = (started.session.username.clone(), started.password.clone());
    let v11 = Soap::V11.content_type();
    // A wrong password with a large body: kept as its size, digest and first bytes only.
    let padding = format!("<!-- {} -->", "x".repeat(2 << 20));
    let big = envelope(
        Soap::V11,
        &security(&user, "wrong-password-guess"),
        &format!("{LIST}{padding}"),
    );
    let (status, body) = send(&app, &started, v11, None, big.clone()).await;
    assert_eq!(status, 500, "{body}");
    let good = envelope(Soap::V11, &security(&user, &password), LIST);
    for _ in 0..3 {
        let (status, body) = send(&app, &started, v11, None, good.clone()).await;
        assert_eq!(status, 200, "{body}");
    }
    for _ in 0..2 {
        let (status, body) = send(&app, &started, v11, None, good.clone()).await;
        assert_eq!(
            status, 503,
            "SERVER_BUSY, with no Retry-After: waiting does not help"
        );
        assert!(
            body.contains("is full") && body.contains("new session"),
            "{body}"
        );
    }
    let rows = rows(&app, &started);
    assert_eq!(rows.len(), 4, "the recording stops at its quota");
    assert_eq!(rows[0].request_size, big.len() as i64);
    assert_eq!(rows[0].request_body.len(), 256);
    assert!(rows[0]
        .request_note
        .as_deref()
        .unwrap()
        .contains("not authenticated"));
    assert!(rows[0].request_sha256.is_some());
    assert!(rows[1].request_note.is_none() && rows[1].request_body.ends_with(b"</env:Envelope>"));
    let mut conn = certification_pool(&app).get().unwrap();
    let (recorded, bytes, refused) =
        store::recording_totals(&mut conn, &started.session.id).unwrap();
    assert_eq!((recorded, refused), (4, 2));
    assert!(bytes < 64 * 1024, "{bytes}");

    // The operator page lists from the summary columns, and says the recording is full.
    let page = format!(
        "{}{}",
        app.address,
        sessions::page_path(&started.session.id)
    );
    let mut shown = awc::Client::new()
        .get(&page)
        .insert_header(("Accept-Language", "en"))
        .basic_auth(&user, &password)
        .send()
        .await
        .unwrap();
    let html = String::from_utf8_lossy(&shown.body().await.unwrap()).into_owned();
    assert!(html.contains("4 recorded, 2 more refused"), "{html}");
    assert!(
        html.contains("<td>ListActivities</td><td>answered</td>"),
        "{html}"
    );
    assert!(html.contains("fault AUTHENTICATION_FAILED"), "{html}");
}

/// Issue 19: a session's recording stops growing at its quota; an unauthenticated request,
/// however large, adds a few hundred bytes.
#[actix_web::test]
async fn a_sessions_recording_stops_at_its_quota_on_sqlite() {
    quota_stops_the_recording(Backend::Sqlite).await
}

#[actix_web::test]
async fn a_sessions_recording_stops_at_its_quota_on_postgres() {
    quota_stops_the_recording(Backend::Postgres).await
}

/// Issue 19: the screenshot endpoint refuses a body over the limit from its Content-Length,
/// and holds no more than the limit of one that does not announce it.
#[actix_web::test]
async fn a_screenshot_over_the_limit_is_refused_without_being_held() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let started = start(&app).await;
    let url = format!(
        "{}{}/steps/1/screenshots?name=a.png",
        app.address,
        sessions::page_path(&started.session.id)
    );
    let too_large = vec![0u8; sessions::ATTACHMENT_MAX_BYTES + 1];
    let announced = awc::Client::new()
        .post(&url)
        .basic_auth(&started.session.username, &started.password)
        .send_body(too_large.clone())
        .await
        .unwrap();
    assert_eq!(announced.status().as_u16(), 413);
    let chunks = futures_util::stream::iter(
        too_large
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(actix_web::web::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let streamed = awc::Client::new()
        .post(&url)
        .basic_auth(&started.session.username, &started.password)
        .send_stream(chunks)
        .await;
    // Refused mid-stream: the answer, or the connection closed under the rest of the body.
    if let Ok(response) = streamed {
        assert_eq!(response.status().as_u16(), 413);
    }
}

on_both_backends! {
    /// Issue 19: the operator page lists the latest 50 exchanges and pages to older ones; the
    /// bundle written from rows read 16 at a time is the one built from the whole recording.
    async fn the_operator_page_pages_and_the_bundle_streams_a_long_recording(app: TestApp) {
        let started = start(&app).await;
        let (user, password) = (started.session.username.clone(), started.password.clone());
        let good = envelope(Soap::V11, &security(&user, &password), LIST);
        for _ in 0..53 {
            let (status, body) = send(&app, &started, Soap::V11.content_type(), None, good.clone()).await;
            assert_eq!(status, 200, "{body}");
        }
        let page = format!("{}{}", app.address, sessions::page_path(&started.session.id));
        let html = |query: &'static str| {
            let (page, user, password) = (page.clone(), user.clone(), password.clone());
            async move {
                let mut shown = awc::Client::new()
                    .get(format!("{page}{query}"))
                    .insert_header(("Accept-Language", "en"))
                    .basic_auth(&user, &password)
                    .send()
                    .await
                    .unwrap();
                String::from_utf8_lossy(&shown.body().await.unwrap()).into_owned()
            }
        };
        let first = html("").await;
        assert!(first.contains("53 recorded; the latest first"), "{first}");
        assert!(first.contains("<tr><td>53</td>") && first.contains("<tr><td>4</td>"), "{first}");
        assert!(!first.contains("<tr><td>3</td>") && first.contains("page=1\">older"), "{first}");
        let second = html("?page=1").await;
        assert!(second.contains("<tr><td>3</td>") && second.contains("<tr><td>1</td>"), "{second}");
        assert!(!second.contains("<tr><td>4</td>") && second.contains("page=0\">newer"), "{second}");

        let pool = certification_pool(&app);
        let id = started.session.id.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let report = evaluations::evaluate(&mut conn, &id, "test", now()).unwrap();
            let evidence = evaluations::evidence(&mut conn, &id).unwrap();
            let bundle = report::render(Format::Bundle, &report, &evidence);
            let rows = evaluations::exchanges_paged(&mut conn, &id);
            let streamed = report::bundle::write(&report, &evidence.attachments, rows, Vec::new()).unwrap();
            assert!(streamed == bundle, "the streamed bundle differs");
            assert!(contains(&bundle, "exchanges/0053.json"));
        })
        .await
        .unwrap();
    }
}
