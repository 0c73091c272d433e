//! A paced load (what wrk2 does; Debian has only wrk, which can only saturate): request k is
//! due at start + k / rate, whichever connection is free takes it, and its latency is counted
//! from when it was due, not from when it was sent, so a stalled server cannot hide its queue
//! (no coordinated omission). tokio's timer ticks every millisecond, so a request may leave up
//! to 1 ms after it was due, and that counts in its latency. Plain HTTP/1.1 over keep-alive
//! TcpStreams on one thread, to leave the cores to the server.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::Error;

pub fn run(
    url: &str,
    body: Vec<u8>,
    rate: f64,
    seconds: f64,
    connections: usize,
) -> Result<(), Error> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("the URL must start with http://")?;
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let addr: SocketAddr = host
        .to_socket_addrs()?
        .next()
        .ok_or("the host does not resolve")?;
    let request = Arc::new(Request {
        head: format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\n"
        ),
        body: String::from_utf8(body).map_err(|_| "the body must be UTF-8")?,
    });
    let total = (rate * seconds).round() as u64;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut latencies, errors, elapsed) = runtime.block_on(async move {
        let next = Arc::new(AtomicU64::new(0));
        // A little time to open the connections before the first request is due.
        let start = Instant::now() + Duration::from_millis(200);
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (next, request) = (next.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                connection(addr, &request, &next, total, start, rate).await
            }));
        }
        let (mut latencies, mut errors) = (Vec::new(), 0u64);
        for task in tasks {
            let (l, e) = task.await.expect("a connection task")?;
            latencies.extend(l);
            errors += e;
        }
        Ok::<_, std::io::Error>((latencies, errors, start.elapsed()))
    })?;

    latencies.sort_unstable();
    let pct = |q: f64| {
        latencies[((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    println!(
        "PACED requests={} seconds={:.2} achieved_rps={:.1} p50_us={} p99_us={} max_us={} errors={errors}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or(0),
    );
    Ok(())
}

/// One keep-alive connection: takes the next due request, waits for its time, sends it, reads
/// the answer. Returns the latencies in microseconds and the count of non-200 answers.
async fn connection(
    addr: SocketAddr,
    request: &Request,
    next: &AtomicU64,
    total: u64,
    start: Instant,
    rate: f64,
) -> std::io::Result<(Vec<u64>, u64)> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let (mut latencies, mut errors) = (Vec::new(), 0);
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= total {
            return Ok((latencies, errors));
        }
        let due = start + Duration::from_secs_f64(k as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        writer.write_all(&request.numbered(k)).await?;
        if read_response(&mut reader).await? != 200 {
            errors += 1;
        }
        latencies.push(due.elapsed().as_micros() as u64);
    }
}

/// The request every connection sends; `{N}` in its body becomes the request's number, so
/// that each SubmitReadings carries a ClientReference of its own (a resend is not stored).
struct Request {
    head: String,
    body: String,
}

impl Request {
    fn numbered(&self, k: u64) -> Vec<u8> {
        let body = self.body.replace("{N}", &k.to_string());
        format!("{}Content-Length: {}\r\n\r\n{body}", self.head, body.len()).into_bytes()
    }
}

/// Status line, headers, then exactly Content-Length bytes of body (actix always sends it for
/// these answers).
async fn read_response<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<u16> {
    read_into(reader, &mut tokio::io::sink()).await
}

/// As `read_response`, with the body written to `body`.
pub async fn read_into<R, W>(reader: &mut BufReader<R>, body: &mut W) -> std::io::Result<u16>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(bad("the connection closed in the headers"));
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<u64>().ok();
            }
        }
    }
    let length = length.ok_or_else(|| bad("no Content-Length"))?;
    tokio::io::copy(&mut (&mut *reader).take(length), body).await?;
    Ok(status)
}
