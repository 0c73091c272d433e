//! Hostile load against the real binary on loopback (issue 19): request bodies that stall or
//! pile up must not grow the server's memory past its budget, and a stalled upload is dropped.
//! Every loop here is bounded in count and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A body just under the 8 MiB limit, as an attacker would send.
const BODY: usize = 7_900 * 1024;
const CONNECTIONS: usize = 200;
/// The server's peak resident memory may not pass this, whatever the bodies.
const PEAK_LIMIT_KIB: u64 = 256 * 1024;

/// `carpass serve` on a random port and a fresh SQLite file, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
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
