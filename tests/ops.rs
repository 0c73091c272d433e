//! Operations: HTTPS, GET /metrics, the graceful stop on SIGTERM and SIGINT, and the access
//! log. The real server, in this process (`Application::build`) or as the `carpass` binary,
//! each test on its own SQLite file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use carpass::clock::Clock;
use carpass::db::{self, DatabaseUrl};
use carpass::domain::vehicle::Vehicle;
use carpass::domain::vin::Vin;
use carpass::service::auth::Role;
use carpass::service::register;
use carpass::settings::{Settings, TlsFiles};
use carpass::staff::{self, companies::CompanyKind};
use carpass::startup::Application;
use chrono::{NaiveDate, TimeZone, Utc};
use diesel::RunQueryDsl;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tempfile::TempDir;

const NS: &str = "urn:carpass:inflow:1";
const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const GARAGE_KBO: &str = "0403.170.701";
const GARAGE_USER: &str = "garage-one";
const PASSWORD: &str = "correct horse battery staple";
const CAR: &str = "WDB2030461A000001";

// ---------------------------------------------------------------------------------------------
// The database, the server, the requests

/// A temp dir holding a migrated SQLite database with a garage, its account and a car.
fn seeded_database() -> (TempDir, DatabaseUrl) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = DatabaseUrl::Sqlite(dir.path().join("carpass.db"));
    let pool = db::connect(&url, 1).expect("the database opens");
    let mut conn = pool.get().unwrap();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None).unwrap();
    let at = Utc.with_ymd_and_hms(2025, 6, 3, 8, 0, 0).unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        "Garage Janssens BV",
        "45201",
        CompanyKind::Garage,
        at,
    )
    .unwrap();
    staff::accounts::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        GARAGE_USER,
        Role::Submitter,
        Some(PASSWORD.into()),
        at,
    )
    .unwrap();
    let car = Vehicle {
        vin: Vin::parse(CAR).unwrap(),
        make: Some("Mercedes-Benz".into()),
        model: Some("C 200".into()),
        category: Some("M1".into()),
        mass_kg: Some(1_545),
        first_registration: Some(date(2010, 3, 1)),
        first_registration_be: Some(date(2010, 3, 1)),
        imported_used: Some(false),
        five_digit_odometer: Some(false),
        euro_norm: None,
        co2_g_km: None,
        fuel: None,
    };
    register::import(&mut conn, &[car], at).unwrap();
    (dir, url)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn count(url: &DatabaseUrl, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pool = db::connect(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(&mut **conn)
        .unwrap()
        .n
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

fn tls_files() -> TlsFiles {
    TlsFiles {
        cert: fixture("cert.pem"),
        key: fixture("key.pem"),
    }
}

/// An in-process server on a random port; it stops with the test's runtime.
fn start(url: &DatabaseUrl, tls: Option<TlsFiles>) -> u16 {
    let mut settings = Settings::new("127.0.0.1:0", url.clone());
    settings.clock = Clock::Fixed(Utc.with_ymd_and_hms(2025, 6, 3, 8, 0, 0).unwrap());
    settings.workers = Some(2);
    settings.pool_size = 4;
    settings.tls = tls;
    let app = Application::build(settings).expect("the application starts");
    let port = app.port();
    actix_web::rt::spawn(app.run_until_stopped());
    port
}

fn envelope(user: &str, password: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP11}"><env:Header><wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password>{password}</wsse:Password></wsse:UsernameToken></wsse:Security><c:ClientInfo xmlns:c="{NS}"><c:Language>en</c:Language><c:SoftwareBuilder>Garagesoft NV</c:SoftwareBuilder><c:SoftwareName>WerkplaatsPro</c:SoftwareName><c:SoftwareVersion>7.2.1</c:SoftwareVersion></c:ClientInfo></env:Header><env:Body>{body}</env:Body></env:Envelope>"#
    )
}

fn list_activities() -> String {
    envelope(
        GARAGE_USER,
        PASSWORD,
        &format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#),
    )
}

/// A SubmitReadings of the car, one reading per (reference, work date, odometer).
fn submit(readings: &[(String, NaiveDate, u64)]) -> String {
    let readings: Vec<_> = readings
        .iter()
        .map(|(r, d, o)| (r.clone(), CAR.to_owned(), *d, *o))
        .collect();
    submit_vins(&readings)
}

/// A SubmitReadings, one reading per (reference, VIN, work date, odometer).
fn submit_vins(readings: &[(String, String, NaiveDate, u64)]) -> String {
    let inner: String = readings
        .iter()
        .map(|(reference, vin, work_date, odometer)| {
            format!(
                "<c:Reading><c:ClientReference>{reference}</c:ClientReference><c:Vin>{vin}</c:Vin>\
                 <c:WorkDate>{work_date}</c:WorkDate><c:Odometer>{odometer}</c:Odometer>\
                 <c:Subcontracted>false</c:Subcontracted><c:CustomerType>Business</c:CustomerType>\
                 <c:InvoiceTotal>240.50</c:InvoiceTotal><c:Work><c:ActivityCode>MAINTENANCE</c:ActivityCode>\
                 <c:Description>Kleine onderhoudsbeurt</c:Description></c:Work></c:Reading>"
            )
        })
        .collect();
    envelope(
        GARAGE_USER,
        PASSWORD,
        &format!(r#"<c:SubmitReadings xmlns:c="{NS}">{inner}</c:SubmitReadings>"#),
    )
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

async fn send(client: &awc::Client, url: &str, content_type: &str, body: String) -> Answer {
    let mut response = client
        .post(url)
        .insert_header(("Content-Type", content_type))
        .send_body(body)
        .await
        .unwrap_or_else(|e| panic!("{url} answers: {e}"));
    let bytes = response
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .expect("a body");
    Answer {
        status: response.status().as_u16(),
        content_type: header(response.headers(), "content-type"),
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    }
}

async fn get(client: &awc::Client, url: &str) -> Answer {
    let mut response = client
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url} answers: {e}"));
    let bytes = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("a body");
    Answer {
        status: response.status().as_u16(),
        content_type: header(response.headers(), "content-type"),
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    }
}

fn header(headers: &awc::http::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The text of every element with this local name in our namespace.
fn texts(xml: &str, name: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    doc.descendants()
        .filter(|n| n.has_tag_name((NS, name)))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

/// The Codes of the Issues on the receipts of a SubmitReadings response.
fn issue_codes(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((NS, "Issue")))
        .filter_map(|issue| issue.children().find(|c| c.has_tag_name((NS, "Code"))))
        .map(|code| code.text().unwrap_or("").to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// HTTPS

/// A client that trusts the test certificate (and nothing else), speaking only `version`.
fn tls_client(version: &'static rustls::SupportedProtocolVersion) -> awc::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fixture("cert.pem")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    awc::Client::builder()
        .connector(awc::Connector::new().rustls_0_23(Arc::new(config)))
        .timeout(Duration::from_secs(60))
        .finish()
}

#[actix_web::test]
async fn https_answers_soap_over_tls_1_3_and_1_2() {
    let (_dir, url) = seeded_database();
    let port = start(&url, Some(tls_files()));
    let endpoint = format!("https://127.0.0.1:{port}/soap/inflow");
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let client = tls_client(version);
        let answer = send(
            &client,
            &endpoint,
            "text/xml; charset=utf-8",
            list_activities(),
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}: {}", version.version, answer.body);
        assert!(
            answer.content_type.starts_with("text/xml"),
            "{}",
            answer.content_type
        );
        let codes = texts(&answer.body, "Code");
        assert!(
            codes.iter().any(|c| c == "MAINTENANCE"),
            "{:?}: {}",
            version.version,
            answer.body
        );
        // The WSDL names the address the client asked, with its scheme.
        let wsdl = get(&client, &format!("{endpoint}?wsdl")).await;
        assert_eq!(wsdl.status, 200);
        assert!(
            wsdl.body.contains(&format!("location=\"{endpoint}\"")),
            "{}",
            wsdl.body
        );
    }
    // Plain HTTP on the TLS port gets no answer.
    let plain = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let refused = plain
        .post(format!("http://127.0.0.1:{port}/soap/inflow"))
        .insert_header(("Content-Type", "text/xml"))
        .send_body(list_activities())
        .await;
    assert!(refused.is_err() || refused.is_ok_and(|r| r.status() != 200));
}

/// A ClientHello that offers TLS 1.1 at most (no supported_versions extension), as an old DMS
/// would send it.
fn tls_1_1_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02]; // client_version TLS 1.1
    body.extend((0..32u8).map(|i| i.wrapping_mul(37))); // random
    body.push(0); // no session id
    let suites: [u16; 4] = [0xc009, 0xc013, 0x002f, 0x0035]; // ECDHE-ECDSA/RSA, RSA; AES-CBC-SHA
    body.extend(((suites.len() * 2) as u16).to_be_bytes());
    suites.iter().for_each(|s| body.extend(s.to_be_bytes()));
    body.extend([1, 0]); // compression: null
    let mut extensions = Vec::new();
    extensions.extend([0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17]); // supported_groups: P-256
    extensions.extend([0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]); // ec_point_formats: uncompressed
    body.extend((extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    let mut handshake = vec![0x01]; // ClientHello
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01]; // handshake record, TLS 1.0 framing
    record.extend((handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

#[actix_web::test]
async fn a_tls_1_1_client_is_refused() {
    let (_dir, url) = seeded_database();
    let port = start(&url, Some(tls_files()));
    let reply = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(&tls_1_1_client_hello()).unwrap();
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        reply
    })
    .await
    .unwrap();
    // No ServerHello (a handshake record, type 22): a fatal alert (type 21), handshake_failure
    // (40; rustls's answer) or protocol_version (70).
    assert!(reply.len() >= 7, "the server answered {reply:?}");
    assert_eq!(reply[0], 21, "an alert record, not {reply:?}");
    assert_eq!(reply[5], 2, "a fatal alert, not {reply:?}");
    assert!(
        [40, 70].contains(&reply[6]),
        "handshake_failure or protocol_version, not {reply:?}"
    );
}

#[actix_web::test]
async fn the_key_may_be_sec1_as_well_as_pkcs8() {
    let (_dir, url) = seeded_database();
    let tls = TlsFiles {
        cert: fixture("cert.pem"),
        key: fixture("key-sec1.pem"),
    };
    let port = start(&url, Some(tls));
    let client = tls_client(&rustls::version::TLS13);
    let answer = send(
        &client,
        &format!("https://127.0.0.1:{port}/soap/inflow"),
        "text/xml",
        list_activities(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// The binary with its own database, unaffected by the environment of the test run.
fn carpass(database: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carpass"));
    command
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .args(args);
    for name in [
        "CARPASS_DATABASE_URL",
        "CARPASS_BIND",
        "CARPASS_TLS_CERT",
        "CARPASS_TLS_KEY",
        "CARPASS_SHUTDOWN_TIMEOUT",
    ] {
        command.env_remove(name);
    }
    command.env("RUST_LOG", "info");
    command
}

#[test]
fn tls_files_come_in_pairs_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("carpass.db");
    let cert = fixture("cert.pem").display().to_string();
    let key = fixture("key.pem").display().to_string();
    let missing = dir.path().join("missing.pem").display().to_string();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let garbage = garbage.display().to_string();
    let toml = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

    let alone = carpass(
        &database,
        &["serve", "--bind", "127.0.0.1:0", "--tls-cert", &cert],
    )
    .output()
    .unwrap();
    assert_eq!(alone.status.code(), Some(2), "{alone:?}");
    assert!(
        String::from_utf8_lossy(&alone.stderr).contains("--tls-key"),
        "{alone:?}"
    );
    let alone = carpass(
        &database,
        &["serve", "--bind", "127.0.0.1:0", "--tls-key", &key],
    )
    .output()
    .unwrap();
    assert_eq!(alone.status.code(), Some(2), "{alone:?}");
    assert!(
        String::from_utf8_lossy(&alone.stderr).contains("--tls-cert"),
        "{alone:?}"
    );

    for (cert, key, expected) in [
        (
            missing.as_str(),
            key.as_str(),
            format!("error: cannot read the TLS certificate {missing}: "),
        ),
        (
            cert.as_str(),
            missing.as_str(),
            format!("error: cannot read the TLS private key {missing}: "),
        ),
        (
            toml,
            key.as_str(),
            format!("error: {toml} holds no PEM certificate"),
        ),
        (
            key.as_str(),
            key.as_str(),
            format!("error: {key} holds no PEM certificate"),
        ),
        (
            cert.as_str(),
            cert.as_str(),
            format!("error: {cert} holds no PEM private key"),
        ),
        (
            garbage.as_str(),
            key.as_str(),
            format!("error: {garbage} is not a valid PEM certificate"),
        ),
    ] {
        let out = carpass(
            &database,
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--tls-cert",
                cert,
                "--tls-key",
                key,
            ],
        )
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cert} {key}: {stderr}");
        assert!(
            stderr.contains(&expected),
            "expected {expected:?} in {stderr}"
        );
    }
    assert!(
        !database.exists(),
        "no database is created when the server cannot start"
    );
}

// ---------------------------------------------------------------------------------------------
// GET /metrics

/// One sample line of the text format: `name{label="value",...} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses the exposition line by line, failing on any line that is not a comment, a HELP or
/// TYPE line, or a sample; every sample must belong to the family its TYPE line announced.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut family: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(_)) => assert!(is_metric_name(name), "{line}"),
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(is_metric_name(name), "{line}");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "{line}"
                    );
                    family = Some((name.to_owned(), kind.to_owned()));
                }
                _ => panic!("not a HELP or TYPE line: {line}"),
            }
            continue;
        }
        assert!(
            !line.is_empty() && !line.starts_with('#'),
            "unexpected line {line:?}"
        );
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, Vec::new()),
            Some((name, rest)) => {
                let inner = rest
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let labels = inner
                    .split(',')
                    .map(|pair| {
                        let (key, quoted) = pair
                            .split_once('=')
                            .unwrap_or_else(|| panic!("bad label: {line}"));
                        assert!(
                            is_metric_name(key) && !key.contains(':'),
                            "bad label name: {line}"
                        );
                        let value = quoted
                            .strip_prefix('"')
                            .and_then(|v| v.strip_suffix('"'))
                            .unwrap_or_else(|| panic!("unquoted label value: {line}"));
                        assert!(!value.contains(['"', '\\', '\n']), "{line}");
                        (key.to_owned(), value.to_owned())
                    })
                    .collect();
                (name, labels)
            }
        };
        assert!(is_metric_name(name), "bad metric name: {line}");
        let (family_name, kind) = family
            .as_ref()
            .unwrap_or_else(|| panic!("a sample before any TYPE: {line}"));
        let belongs = match kind.as_str() {
            "histogram" => [
                format!("{family_name}_bucket"),
                format!("{family_name}_sum"),
                format!("{family_name}_count"),
            ]
            .contains(&name.to_owned()),
            _ => name == family_name,
        };
        assert!(
            belongs,
            "{name} is not of the family {family_name} ({kind})"
        );
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

/// The value of the one sample with this name and these labels.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && s.labels.len() == labels.len()
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?}");
    found[0].value
}

/// The `le` buckets of a histogram series, in order: cumulative, ending in +Inf = _count.
fn check_histogram(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let buckets: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == format!("{name}_bucket")
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .collect();
    assert!(buckets.len() > 2, "{name} {labels:?} has buckets");
    let bounds: Vec<f64> = buckets
        .iter()
        .map(|s| {
            let le = &s
                .labels
                .iter()
                .find(|(k, _)| k == "le")
                .expect("an le label")
                .1;
            if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap()
            }
        })
        .collect();
    assert!(
        bounds.windows(2).all(|w| w[0] < w[1]),
        "{name}: bounds in order: {bounds:?}"
    );
    assert_eq!(*bounds.last().unwrap(), f64::INFINITY);
    assert!(
        buckets.windows(2).all(|w| w[0].value <= w[1].value),
        "{name}: cumulative"
    );
    let count = value(samples, &format!("{name}_count"), labels);
    assert_eq!(
        buckets.last().unwrap().value,
        count,
        "{name}: +Inf is the count"
    );
    let sum = value(samples, &format!("{name}_sum"), labels);
    assert!(sum >= 0.0);
    count
}

#[actix_web::test]
async fn metrics_count_requests_by_operation_and_outcome_issues_latency_and_the_pool() {
    let (_dir, url) = seeded_database();
    let port = start(&url, None);
    let base = format!("http://127.0.0.1:{port}");
    let endpoint = format!("{base}/soap/inflow");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let xml = "text/xml; charset=utf-8";

    for _ in 0..2 {
        assert_eq!(
            send(&client, &endpoint, xml, list_activities())
                .await
                .status,
            200
        );
    }
    // The second reading is lower than the first, a day earlier: ODOMETER_ROLLBACK.
    let mut codes = Vec::new();
    for (reference, day, odometer) in [("JOB-1", 2, 150_000), ("JOB-2", 3, 140_000)] {
        let answer = send(
            &client,
            &endpoint,
            xml,
            submit(&[(reference.into(), date(2025, 6, day), odometer)]),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        codes.extend(issue_codes(&answer.body));
    }
    assert!(codes.iter().any(|c| c == "ODOMETER_ROLLBACK"), "{codes:?}");
    // Client faults: a wrong password (the operation is known), a body that is not XML and a
    // Content-Type that is not SOAP (it is not).
    let wrong = envelope(
        GARAGE_USER,
        "wrong password!",
        &format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#),
    );
    assert_eq!(send(&client, &endpoint, xml, wrong).await.status, 500);
    assert_eq!(
        send(&client, &endpoint, xml, "<not xml".into())
            .await
            .status,
        500
    );
    assert_eq!(
        send(&client, &endpoint, "application/json", "{}".into())
            .await
            .status,
        415
    );
    // A server fault: the readings table is gone.
    let pool = db::connect(&url, 1).unwrap();
    diesel::sql_query("ALTER TABLE readings RENAME TO readings_gone")
        .execute(&mut **pool.get().unwrap())
        .unwrap();
    let status = envelope(
        GARAGE_USER,
        PASSWORD,
        &format!(
            r#"<c:GetReadingStatus xmlns:c="{NS}"><c:ClientReference>JOB-1</c:ClientReference></c:GetReadingStatus>"#
        ),
    );
    let answer = send(&client, &endpoint, xml, status).await;
    assert_eq!(answer.status, 500);
    assert!(answer.body.contains("SERVER_ERROR"), "{}", answer.body);
    // Not SOAP requests: not counted.
    assert_eq!(get(&client, &format!("{base}/healthz")).await.status, 200);
    assert_eq!(get(&client, &format!("{endpoint}?wsdl")).await.status, 200);

    let metrics = get(&client, &format!("{base}/metrics")).await;
    assert_eq!(metrics.status, 200);
    assert_eq!(
        metrics.content_type,
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let samples = parse_exposition(&metrics.body);

    let requests = "carpass_soap_requests_total";
    let expected = [
        ("ListActivities", "ok", 2.0),
        ("ListActivities", "client_fault", 1.0),
        ("SubmitReadings", "ok", 2.0),
        ("GetReadingStatus", "server_fault", 1.0),
        ("unknown", "client_fault", 2.0),
    ];
    let operations = [
        "SubmitReadings",
        "ValidateReading",
        "CorrectIssue",
        "ConfirmReading",
        "GetReadingStatus",
        "RequestOkLabel",
        "ListActivities",
        "unknown",
    ];
    for operation in operations {
        let mut answered = 0.0;
        for outcome in ["ok", "client_fault", "server_fault"] {
            let want = expected
                .iter()
                .find(|(op, out, _)| *op == operation && *out == outcome)
                .map_or(0.0, |e| e.2);
            let got = value(
                &samples,
                requests,
                &[("operation", operation), ("outcome", outcome)],
            );
            assert_eq!(got, want, "{requests} {operation} {outcome}");
            answered += got;
        }
        let latency = "carpass_soap_request_duration_seconds";
        assert_eq!(
            check_histogram(&samples, latency, &[("operation", operation)]),
            answered,
            "{operation}"
        );
    }

    for code in [
        "VIN_INVALID",
        "VIN_UNKNOWN",
        "WORK_DATE_FUTURE",
        "ODOMETER_INVALID",
        "ODOMETER_ROLLBACK",
        "ODOMETER_ABOVE_LATER",
        "ODOMETER_IMPLAUSIBLE_RATE",
        "WORK_MISSING",
        "ACTIVITY_UNKNOWN",
        "FIVE_DIGIT_OVERFLOW",
        "CORRECTION_LIMIT",
        "LATE_SUBMISSION",
        "BEFORE_FIRST_REGISTRATION",
        "NOT_SUBJECT",
        "NOT_REQUIRED",
    ] {
        let on_receipts = codes.iter().filter(|c| *c == code).count() as f64;
        assert_eq!(
            value(&samples, "carpass_issues_total", &[("code", code)]),
            on_receipts,
            "{code}"
        );
    }

    let idle = value(
        &samples,
        "carpass_db_pool_connections",
        &[("state", "idle")],
    );
    let in_use = value(
        &samples,
        "carpass_db_pool_connections",
        &[("state", "in_use")],
    );
    assert!(
        idle + in_use >= 1.0 && idle + in_use <= 4.0,
        "idle {idle}, in use {in_use}"
    );

    // Each SubmitReadings was committed alone (they were sent one after the other).
    let batches = check_histogram(&samples, "carpass_group_commit_batch_size", &[]);
    assert_eq!(batches, 2.0);
    assert_eq!(
        value(&samples, "carpass_group_commit_batch_size_sum", &[]),
        2.0
    );
    assert_eq!(
        value(
            &samples,
            "carpass_group_commit_batch_size_bucket",
            &[("le", "1")]
        ),
        2.0
    );
}

// ---------------------------------------------------------------------------------------------
// The binary: graceful stop and the access log

/// `carpass serve` on a random port; its log (stderr) is collected line by line.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(database: &Path) -> Server {
        // A slow machine may take long over 1000 readings: the default of 30 s is not the point.
        let mut child = carpass(
            database,
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--shutdown-timeout",
                "300",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("carpass starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving http://127.0.0.1:").nth(1) {
                    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                    let _ = port_tx.send(port);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let port = match port_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                panic!("carpass did not start: {:?}", log.lock().unwrap());
            }
        };
        Server { child, port, log }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// The exit status, within `limit`.
    fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("carpass did not stop within {limit:?}: {}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_request(port: u16, body: &str) -> Vec<u8> {
    format!(
        "POST /soap/inflow HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Status and body of a `Connection: close` response with a Content-Length.
fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("the response");
    parse_response(raw)
}

fn parse_response(raw: Vec<u8>) -> (u16, String) {
    let text = String::from_utf8(raw).expect("UTF-8");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, body.to_owned())
}

fn exchange(port: u16, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(&http_request(port, body)).unwrap();
    read_response(&mut stream)
}

#[test]
fn sigterm_lets_a_1000_reading_submission_finish_then_exits_0() {
    let (dir, url) = seeded_database();
    let mut server = Server::start(&dir.path().join("carpass.db"));
    let (status, _) = exchange(server.port, &list_activities());
    assert_eq!(status, 200);

    // 1000 vehicles the register does not know yet: stored, waiting for their registration.
    let readings: Vec<(String, String, NaiveDate, u64)> = (0..1000u64)
        .map(|i| {
            (
                format!("BIG-{i:04}"),
                format!("ZFA3120000{i:07}"),
                date(2025, 1, 2),
                10_000 + i,
            )
        })
        .collect();
    let body = submit_vins(&readings);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // As curl sends a large body: the head first, the body once the server has taken the
    // request (a connection the server has not read from yet is closed on SIGTERM, and the
    // DMS resends; that race is not what this test is about).
    let head = format!(
        "POST /soap/inflow HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: text/xml; charset=utf-8\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        server.port,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = Vec::new();
    while !interim.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).expect("100 Continue");
        interim.push(byte[0]);
    }
    assert!(
        interim.starts_with(b"HTTP/1.1 100 Continue"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    stream.write_all(body.as_bytes()).unwrap();
    // The request is in flight: all of it sent, no answer yet.
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let pending =
        matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    server.signal("TERM");
    assert!(
        pending,
        "the server answered before SIGTERM: the test proves nothing"
    );

    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .unwrap();
    let mut raw = Vec::new();
    if let Err(e) = stream.read_to_end(&mut raw) {
        let _ = server.wait(Duration::from_secs(300));
        panic!("no response ({e}): {}", server.log_text());
    }
    let (status, body) = parse_response(raw);
    assert_eq!(status, 200, "{body}");
    let references = texts(&body, "ClientReference");
    assert_eq!(references.len(), 1000);
    assert_eq!(references[0], "BIG-0000");
    assert_eq!(references[999], "BIG-0999");
    let exit = server.wait(Duration::from_secs(300));
    let log = server.log_text();
    assert!(exit.success(), "{exit}: {log}");
    assert_eq!(count(&url, "readings"), 1000, "{log}");

    // The log: the signal, then the submission's access line, then the stop.
    let position = |needle: &str| {
        log.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {log}"))
    };
    let signalled = position("SIGTERM received");
    let submitted = position("operation=SubmitReadings status=200 outcome=ok");
    assert!(
        signalled < submitted && submitted < position("carpass::startup] stopped"),
        "{log}"
    );
    // No connection is taken any more.
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err());
}

#[test]
fn sigint_stops_gracefully_too_and_each_request_has_one_access_line() {
    let (dir, _url) = seeded_database();
    let mut server = Server::start(&dir.path().join("carpass.db"));
    let (status, _) = exchange(server.port, &list_activities());
    assert_eq!(status, 200);
    let wrong = envelope(
        GARAGE_USER,
        "wrong password!",
        &format!(r#"<c:ListActivities xmlns:c="{NS}"/>"#),
    );
    assert_eq!(exchange(server.port, &wrong).0, 500);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let get = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port
    );
    stream.write_all(get.as_bytes()).unwrap();
    assert_eq!(read_response(&mut stream).0, 200);
    server.signal("INT");
    let exit = server.wait(Duration::from_secs(40));
    let log = server.log_text();
    assert!(exit.success(), "{exit}: {log}");
    assert!(log.contains("SIGINT received"), "{log}");

    let access: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("carpass::access"))
        .collect();
    assert_eq!(access.len(), 3, "{log}");
    let fields = |line: &str| -> Vec<(String, String)> {
        let start = line.find("method=").unwrap_or_else(|| panic!("{line}"));
        line[start..]
            .split(' ')
            .map(|pair| {
                let (k, v) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{pair} in {line}"));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    };
    let keys = [
        "method",
        "path",
        "operation",
        "status",
        "outcome",
        "duration_ms",
        "remote",
        "user",
    ];
    for line in &access {
        let fields = fields(line);
        assert_eq!(
            fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            keys,
            "{line}"
        );
        let ms: f64 = fields[5].1.parse().unwrap_or_else(|_| panic!("{line}"));
        assert!(ms >= 0.0);
        assert!(fields[6].1.starts_with("127.0.0.1:"), "{line}");
    }
    let values = |i: usize| {
        fields(access[i])
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
    };
    let ok = values(0);
    assert_eq!(
        [&ok[0], &ok[1], &ok[2], &ok[3], &ok[4], &ok[7]],
        [
            "POST",
            "/soap/inflow",
            "ListActivities",
            "200",
            "ok",
            GARAGE_USER
        ]
    );
    let refused = values(1);
    assert_eq!(
        [
            &refused[0],
            &refused[1],
            &refused[2],
            &refused[3],
            &refused[4],
            &refused[7]
        ],
        [
            "POST",
            "/soap/inflow",
            "ListActivities",
            "500",
            "client_fault",
            "-"
        ]
    );
    let health = values(2);
    assert_eq!(
        [&health[0], &health[1], &health[2], &health[3], &health[4], &health[7]],
        ["GET", "/healthz", "-", "200", "-", "-"]
    );
}
