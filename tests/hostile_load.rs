//! Hostile load against the real binary on loopback (issue 19): request bodies that stall or
//! pile up must not grow the server's memory past its budget, and a stalled upload is dropped.
//! Every loop here is bounded in count and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use carpass::db::{self, DatabaseUrl};
use carpass::service::auth::Role;
use carpass::staff::{self, companies::CompanyKind};
use chrono::Utc;

/// A body just under the 8 MiB limit, as an attacker would send.
const BODY: usize = 7_900 * 1024;
const CONNECTIONS: usize = 200;
/// The server's peak resident memory may not pass this, whatever the bodies.
const PEAK_LIMIT_KIB: u64 = 256 * 1024;

/// One attack at a time: each test loads the machine's cores on purpose, and one test's flood
/// must not be another's measurement.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// `carpass serve` on a random port and a fresh SQLite file, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::on(tempfile::tempdir().unwrap(), extra)
    }

    /// On the database in `dir` (carpass.db), made beforehand.
    fn on(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let db = dir.path().join("carpass.db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_carpass"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
            .arg(&db)
            .args(extra)
            .env("RUST_LOG", "info,carpass::access=off")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("carpass serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("the server says where it serves")
                .unwrap();
            if let Some(rest) = line.split("serving http://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading, so that the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            child,
            port,
            _dir: dir,
        }
    }

    /// VmHWM: the most resident memory the process has had.
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc")
    }

    /// Sends a whole HTTP request on a connection of its own; the status, the answer and how
    /// long it took.
    fn exchange(&self, request: &[u8]) -> (u16, String, Duration) {
        let started = Instant::now();
        let mut stream = self.connect();
        stream.write_all(request).unwrap();
        let (status, text) = read_answer(&mut stream);
        (status, text, started.elapsed())
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }

    /// A small request's status and body, on a connection of its own.
    fn ask(&self, body: &str) -> (u16, String) {
        let mut stream = self.connect();
        stream.write_all(&headers(body.len())).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        read_answer(&mut stream)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn headers(length: usize) -> Vec<u8> {
    format!(
        "POST /soap/inflow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A well-formed envelope padded with a comment to `size` bytes, with a wrong password.
fn large_envelope(size: usize) -> Vec<u8> {
    let head = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><w:UsernameToken><w:Username>nobody</w:Username><w:Password>wrong</w:Password></w:UsernameToken></w:Security></s:Header><s:Body><c:ListActivities xmlns:c="urn:carpass:inflow:1"/><!--"#;
    let tail = "--></s:Body></s:Envelope>";
    let mut doc = head.as_bytes().to_vec();
    doc.resize(size - tail.len(), b'x');
    doc.extend_from_slice(tail.as_bytes());
    doc
}

fn small_envelope() -> String {
    String::from_utf8(large_envelope(1024)).unwrap()
}

fn read_answer(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn two_hundred_stalled_bodies_hold_no_more_than_the_budget_and_others_are_still_answered() {
    let _alone = alone();
    let server = Server::start(&[]);
    let body = large_envelope(BODY);
    let started = Instant::now();
    // Each connection sends all of its body but the last byte, and holds it back.
    let stalled: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let mut stream = server.connect();
            let body = body[..BODY - 1].to_vec();
            std::thread::spawn(move || {
                let _ = stream.write_all(&headers(BODY));
                let _ = stream.write_all(&body);
                stream
            })
        })
        .collect();
    let streams: Vec<TcpStream> = stalled.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(started.elapsed() < Duration::from_secs(120));
    let peak = server.peak_kib();
    assert!(
        peak < PEAK_LIMIT_KIB,
        "VmHWM {peak} KiB with {CONNECTIONS} stalled bodies"
    );
    // Those past the budget were told at once to come back later.
    let mut refused = 0;
    for mut stream in streams.into_iter().take(CONNECTIONS / 2) {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut start = [0u8; 12];
        if stream.read_exact(&mut start).is_ok() && start.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        }
    }
    assert!(refused > 0, "no connection was refused for want of budget");
    // A small request still gets its answer (a fault: the user does not exist).
    let (status, answer) = server.ask(&small_envelope());
    assert_eq!(status, 500, "{answer}");
    assert!(answer.contains("AUTHENTICATION_FAILED"), "{answer}");
}

#[test]
fn two_hundred_complete_large_bodies_at_once_stay_under_the_bound() {
    let _alone = alone();
    let server = Server::start(&[]);
    let body = std::sync::Arc::new(large_envelope(BODY));
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let mut stream = server.connect();
            let body = body.clone();
            std::thread::spawn(move || {
                let _ = stream.write_all(&headers(BODY));
                let _ = stream.write_all(&body);
                read_answer(&mut stream).0
            })
        })
        .collect();
    let statuses: Vec<u16> = senders.into_iter().map(|t| t.join().unwrap()).collect();
    let peak = server.peak_kib();
    assert!(
        peak < PEAK_LIMIT_KIB,
        "VmHWM {peak} KiB with {CONNECTIONS} complete bodies"
    );
    // Each was either read and refused for its credentials, or refused for load with
    // Retry-After: never dropped unanswered.
    for status in &statuses {
        assert!([500, 503].contains(status), "{statuses:?}");
    }
    assert!(
        statuses.contains(&500),
        "no body was read at all: {statuses:?}"
    );
}

#[test]
fn a_stalled_upload_is_dropped_with_408_after_the_body_timeout() {
    let server = Server::start(&["--body-timeout", "2"]);
    let mut stream = server.connect();
    stream.write_all(&headers(10_000)).unwrap();
    stream.write_all(&large_envelope(10_000)[..5_000]).unwrap();
    let started = Instant::now();
    let (status, answer) = read_answer(&mut stream);
    assert_eq!(status, 408, "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(
        answer.contains("did not arrive within 2 s"),
        "the fault says why: {answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

const GARAGE_KBO: &str = "0403.170.701";
const REGISTRY_KBO: &str = "0200.065.765";
const GARAGE: &str = "garage-one";
const CLERK: &str = "clerk-one";
const PASSWORD: &str = "correct horse battery staple";

/// A database with a garage's account and a staff account.
fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("carpass.db"));
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let now = Utc::now();
    let actor = staff::Actor::staff_or_bootstrap(&mut conn, None).unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        "Garage Janssens BV",
        "45201",
        CompanyKind::Garage,
        now,
    )
    .unwrap();
    staff::companies::add(
        &mut conn,
        &actor,
        REGISTRY_KBO,
        "Registry",
        "",
        CompanyKind::Registry,
        now,
    )
    .unwrap();
    staff::accounts::add(
        &mut conn,
        &actor,
        GARAGE_KBO,
        GARAGE,
        Role::Submitter,
        Some(PASSWORD.into()),
        now,
    )
    .unwrap();
    staff::accounts::add(
        &mut conn,
        &actor,
        REGISTRY_KBO,
        CLERK,
        Role::Staff,
        Some(PASSWORD.into()),
        now,
    )
    .unwrap();
    dir
}

/// A SOAP request of `user` with `password`, keeping the connection open unless `close`.
fn soap(user: &str, password: &str, body: &str, close: bool) -> Vec<u8> {
    let envelope = format!(
        r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><w:UsernameToken><w:Username>{user}</w:Username><w:Password>{password}</w:Password></w:UsernameToken></w:Security></s:Header><s:Body>{body}</s:Body></s:Envelope>"#
    );
    let connection = if close { "close" } else { "keep-alive" };
    let mut request = format!(
        "POST /soap/inflow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
        envelope.len()
    )
    .into_bytes();
    request.extend_from_slice(envelope.as_bytes());
    request
}

fn submit_one(reference: &str) -> String {
    let today = Utc::now().date_naive();
    format!(
        r#"<c:SubmitReadings xmlns:c="urn:carpass:inflow:1"><c:Reading><c:ClientReference>{reference}</c:ClientReference><c:Vin>WDB2030461A000001</c:Vin><c:WorkDate>{today}</c:WorkDate><c:Odometer>123456</c:Odometer><c:Subcontracted>false</c:Subcontracted><c:CustomerType>Business</c:CustomerType><c:InvoiceTotal>240.50</c:InvoiceTotal><c:Work><c:ActivityCode>MAINTENANCE</c:ActivityCode><c:Description>Kleine onderhoudsbeurt</c:Description></c:Work></c:Reading></c:SubmitReadings>"#
    )
}

const LIST_ACTIVITIES: &str = r#"<c:ListActivities xmlns:c="urn:carpass:inflow:1"/>"#;

/// One response from a kept-alive connection: its status (0 when none came).
fn read_one(stream: &mut BufReader<TcpStream>) -> u16 {
    let (mut status, mut length) = (0, 0usize);
    let mut line = String::new();
    loop {
        line.clear();
        match stream.read_line(&mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("http/1.1 ") {
            status = lower[9..12].parse().unwrap_or(0);
        } else if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        } else if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; length];
    match stream.read_exact(&mut body) {
        Ok(()) => status,
        Err(_) => 0,
    }
}

fn p99(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[(times.len() * 99).div_ceil(100).saturating_sub(1)]
}

#[test]
fn a_flood_of_wrong_passwords_is_throttled_and_a_verified_garage_and_staff_are_still_served() {
    let _alone = alone();
    let server = Server::on(seeded(), &[]);
    // The garage's password is verified once, and remembered; the clerk logs in.
    let (status, answer, _) = server.exchange(&soap(GARAGE, PASSWORD, &submit_one("WARM-1"), true));
    assert_eq!(status, 200, "{answer}");
    let form = format!("username={CLERK}&password={}", PASSWORD.replace(' ', "+"));
    let login = format!(
        "POST /staff/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let (status, answer, _) = server.exchange(login.as_bytes());
    assert_eq!(status, 303, "{answer}");
    let cookie = answer
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();

    // 500 connections send wrong passwords for the garage's own user name, as fast as they
    // are answered, for a bounded time.
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, refused_wrong, throttled) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let flood: Vec<_> = (0..500)
        .map(|_| {
            let stream = server.connect();
            let (stop, answered, refused_wrong, throttled) = (
                stop.clone(),
                answered.clone(),
                refused_wrong.clone(),
                throttled.clone(),
            );
            std::thread::spawn(move || {
                let request = soap(GARAGE, "guess", LIST_ACTIVITIES, false);
                let deadline = Instant::now() + Duration::from_secs(40);
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    if writer.write_all(&request).is_err() {
                        return;
                    }
                    match read_one(&mut reader) {
                        0 => return,
                        429 => throttled.fetch_add(1, Ordering::Relaxed),
                        500 => refused_wrong.fetch_add(1, Ordering::Relaxed),
                        // 503: refused for load, the hashing queue full; counted as answered.
                        _ => 0,
                    };
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let flood_started = (Instant::now(), answered.load(Ordering::Relaxed));

    // The garage's SubmitReadings and ListActivities and the clerk's review queue, in turns,
    // during the flood: each is answered (their p99, printed, is bench/run's to judge: the
    // flood scenario; a test on a shared machine asserts no timing).
    let (mut soap_times, mut page_times, mut list_times) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..200 {
        let request = soap(GARAGE, PASSWORD, &submit_one(&format!("FLOOD-{n}")), true);
        let (status, answer, took) = server.exchange(&request);
        assert_eq!(status, 200, "the garage during the flood: {answer}");
        soap_times.push(took);
        let request = soap(GARAGE, PASSWORD, LIST_ACTIVITIES, true);
        let (status, answer, took) = server.exchange(&request);
        assert_eq!(status, 200, "the garage during the flood: {answer}");
        list_times.push(took);
        let request = format!(
            "GET /staff HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        );
        let (status, answer, took) = server.exchange(request.as_bytes());
        assert_eq!(status, 200, "the review queue during the flood: {answer}");
        page_times.push(took);
    }
    assert!(
        !stop.load(Ordering::Relaxed) && flood_started.0.elapsed() < Duration::from_secs(38),
        "the flood lasted as long as the measurement"
    );
    let flood_rate = (answered.load(Ordering::Relaxed) - flood_started.1) as f64
        / flood_started.0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for thread in flood {
        let _ = thread.join();
    }
    eprintln!(
        "flood: {flood_rate:.0} wrong-password requests/s answered; garage SubmitReadings p99 {:?}, \
         ListActivities p99 {:?}, staff page p99 {:?}; {} refused as wrong, {} throttled",
        p99(soap_times),
        p99(list_times),
        p99(page_times),
        refused_wrong.load(Ordering::Relaxed),
        throttled.load(Ordering::Relaxed)
    );
    // The guesses were hashed only until the throttle held them back: a few dozen, not
    // thousands.
    let hashed = refused_wrong.load(Ordering::Relaxed);
    assert!(hashed < 30, "{hashed} guesses were checked");
    assert!(throttled.load(Ordering::Relaxed) > 0);
}

#[test]
fn a_brute_force_from_one_address_gets_far_fewer_than_sixty_guesses_a_second() {
    let _alone = alone();
    let server = Server::on(seeded(), &[]);
    let started = Instant::now();
    let (mut checked, mut throttled, mut retry_after) = (0, 0, None);
    while started.elapsed() < Duration::from_secs(3) {
        let (status, answer, _) = server.exchange(&soap(GARAGE, "guess", LIST_ACTIVITIES, true));
        match status {
            429 => {
                throttled += 1;
                assert!(answer.contains("TOO_MANY_FAILED_LOGINS"), "{answer}");
                retry_after = answer.lines().find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("retry-after: ")
                        .map(str::to_owned)
                });
            }
            500 => {
                assert!(answer.contains("AUTHENTICATION_FAILED"), "{answer}");
                checked += 1;
            }
            other => panic!("{other}: {answer}"),
        }
    }
    let per_second = checked as f64 / started.elapsed().as_secs_f64();
    assert!(per_second < 6.0, "{checked} guesses checked in 3 s");
    assert!(throttled > 0);
    assert!(retry_after.is_some_and(|s| s.trim().parse::<u64>().is_ok_and(|s| s >= 1)));
    // The garage that knows its password still gets in once the wait is over... or at once
    // when its password is remembered; here it never was, so it waits like the guesser.
    let (status, answer, _) = server.exchange(&soap(GARAGE, PASSWORD, LIST_ACTIVITIES, true));
    assert!([200, 429].contains(&status), "{answer}");
}
