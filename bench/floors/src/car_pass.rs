//! The Car-Pass scenario's client: `connections` keep-alive connections, each in a closed loop
//! issuing Car-Passes as an inspection centre's DMS does: SOAP RequestCarPass for the next of
//! the seed's 20-reading vehicles, then GET the answer's PdfUrl with the same credentials
//! (HTTP Basic). One Car-Pass is both requests; its latency is from the first byte sent to
//! the PDF's last byte read. wrk cannot follow a URL from one answer to the next request.
//! Every answer is checked (a Car-Pass issued, its reading Accepted, a PDF); the first of each
//! kind is written next to `sample`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::paced::read_into;
use crate::seed;
use crate::Error;

pub struct Load {
    pub address: String,
    pub username: String,
    pub password: String,
    /// How many of the seed's history vehicles to cycle over.
    pub vehicles: u64,
    /// Where this run starts in the fleet (the warm-up's run takes the ones before).
    pub first: u64,
    /// Makes this run's ClientReferences its own.
    pub tag: String,
    pub seconds: f64,
    pub connections: usize,
    pub sample: Option<PathBuf>,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<u64>,
    errors: u64,
    max_pdf: usize,
}

pub fn run(load: Load) -> Result<(), Error> {
    let addr: SocketAddr = load
        .address
        .to_socket_addrs()?
        .next()
        .ok_or("the address does not resolve")?;
    let load = Arc::new(load);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (tally, elapsed, next) = runtime.block_on(async {
        let next = Arc::new(AtomicU64::new(load.first));
        let taken = next.clone();
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(load.seconds);
        let mut tasks = Vec::new();
        for _ in 0..load.connections {
            let (next, load) = (next.clone(), load.clone());
            tasks.push(tokio::spawn(async move {
                connection(addr, &load, &next, deadline).await
            }));
        }
        let mut all = Tally::default();
        for task in tasks {
            let one = task.await.expect("a connection task")?;
            all.latencies.extend(one.latencies);
            all.errors += one.errors;
            all.max_pdf = all.max_pdf.max(one.max_pdf);
        }
        Ok::<_, std::io::Error>((all, start.elapsed(), taken.load(Ordering::Relaxed)))
    })?;
    let mut latencies = tally.latencies;
    latencies.sort_unstable();
    let pct = |q: f64| {
        latencies
            .get(
                ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len().max(1)) - 1,
            )
            .copied()
            .unwrap_or(0)
    };
    println!(
        "CAR_PASS issued={} seconds={:.2} per_second={:.1} p50_us={} p99_us={} errors={} pdf_bytes={} next={next}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        tally.errors,
        tally.max_pdf,
    );
    Ok(())
}

async fn connection(
    addr: SocketAddr,
    load: &Load,
    next: &AtomicU64,
    deadline: Instant,
) -> std::io::Result<Tally> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let host = load.address.as_str();
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", load.username, load.password));
    let today = chrono::Utc::now().date_naive();
    let mut tally = Tally::default();
    let mut answer = Vec::new();
    let mut pdf = Vec::new();
    while Instant::now() < deadline {
        let n = next.fetch_add(1, Ordering::Relaxed);
        // Each pass over the fleet 100 km further: never a rollback, never implausible.
        let (i, pass) = (n % load.vehicles, n / load.vehicles);
        let odometer = seed::history_next_odometer(i as usize) + 100 * pass;
        let body = envelope(load, n, i as usize, today, odometer);
        let sent = Instant::now();
        writer
            .write_all(
                format!(
                    "POST /soap/inflow HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
            .await?;
        answer.clear();
        let status = read_into(&mut reader, &mut answer).await?;
        let text = String::from_utf8_lossy(&answer);
        // Issued, and the request's reading accepted: a reading the history disputes would
        // open an issue too, which is not the work this scenario measures.
        let accepted = text.contains("<Status>Accepted</Status>");
        let Some(path) = (status == 200 && accepted)
            .then(|| pdf_path(&text))
            .flatten()
        else {
            tally.errors += 1;
            keep(load, "soap-refused.xml", &answer);
            continue;
        };
        keep(load, "soap.xml", &answer);
        writer
            .write_all(
                format!(
                    "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {basic}\r\n\r\n"
                )
                .as_bytes(),
            )
            .await?;
        pdf.clear();
        let status = read_into(&mut reader, &mut pdf).await?;
        if status != 200 || !pdf.starts_with(b"%PDF") {
            tally.errors += 1;
            keep(load, "pdf-refused.txt", &pdf);
            continue;
        }
        keep(load, "pdf", &pdf);
        tally.max_pdf = tally.max_pdf.max(pdf.len());
        tally.latencies.push(sent.elapsed().as_micros() as u64);
    }
    Ok(tally)
}

/// The RequestCarPass envelope for vehicle `i` of the history fleet (request number `n`).
fn envelope(load: &Load, n: u64, i: usize, day: chrono::NaiveDate, odometer: u64) -> String {
    let vin = seed::vin(seed::HISTORY_FIRST + i);
    let (user, password, tag) = (&load.username, &load.password, &load.tag);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:cp="urn:carpass:inflow:1"><soapenv:Header><wsse:Security soapenv:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</wsse:Password></wsse:UsernameToken></wsse:Security><cp:ClientInfo><cp:Language>nl</cp:Language><cp:SoftwareBuilder>Keuringsoft NV</cp:SoftwareBuilder><cp:SoftwareName>Keuring</cp:SoftwareName><cp:SoftwareVersion>3.1</cp:SoftwareVersion></cp:ClientInfo></soapenv:Header><soapenv:Body><cp:RequestCarPass><cp:ClientReference>{tag}-{n}</cp:ClientReference><cp:Vin>{vin}</cp:Vin><cp:ReadingDate>{day}</cp:ReadingDate><cp:Odometer>{odometer}</cp:Odometer></cp:RequestCarPass></soapenv:Body></soapenv:Envelope>"#
    )
}

/// The path of the answer's PdfUrl (its host is the server's public one, not ours).
fn pdf_path(answer: &str) -> Option<String> {
    let start = answer.find("PdfUrl>")? + "PdfUrl>".len();
    let url = &answer[start..start + answer[start..].find('<')?];
    Some(url[url.find("/car-pass/")?..].to_owned())
}

/// Writes the first answer of each kind to SAMPLE.KIND, for the reader of the run.
fn keep(load: &Load, kind: &str, body: &[u8]) {
    if let Some(sample) = &load.sample {
        let path = sample.with_extension(kind);
        if !path.exists() {
            let _ = std::fs::write(path, body);
        }
    }
}
