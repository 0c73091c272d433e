//! What `GET /metrics` shows, in the Prometheus text exposition format (version 0.0.4): SOAP
//! requests per operation and outcome, their latency, issues raised per code, the database
//! pool, and group-commit batch sizes.
//!
//! One `Metrics` per `Application` (held in `AppState`), never a static: every test runs its
//! own server on its own database, and counts nothing of the others.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::domain::issue::IssueCode;
use crate::service::auth::AuthError;
use crate::service::operation::Operation;

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Seconds, from 0.5 ms (a ListActivities) to 5 s (a slow 1000-reading batch).
const LATENCY_BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Requests per committed transaction.
const BATCH_BUCKETS: [f64; 12] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
];

/// How a SOAP request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response (a receipt may still carry issues).
    Ok,
    /// A Client / Sender fault (also VersionMismatch and MustUnderstand): the caller's mistake.
    ClientFault,
    /// A Server / Receiver fault: ours, worth a retry.
    ServerFault,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::ClientFault, Outcome::ServerFault];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ClientFault => "client_fault",
            Outcome::ServerFault => "server_fault",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The `operation` label: one of the seven, or `unknown` when the request failed before its
/// operation was known (not SOAP, not well-formed, an unknown Body element).
pub fn operation_label(operation: Option<Operation>) -> &'static str {
    operation.map_or("unknown", Operation::name)
}

/// Index 0..7 for the operations, 7 for `unknown`.
const OPERATIONS: usize = Operation::ALL.len() + 1;

fn operation_index(operation: Option<Operation>) -> usize {
    operation
        .and_then(|op| Operation::ALL.iter().position(|o| *o == op))
        .unwrap_or(Operation::ALL.len())
}

fn operation_at(index: usize) -> Option<Operation> {
    Operation::ALL.get(index).copied()
}

/// What the SOAP handler learnt of a request, kept in the request's extensions: read by the
/// middleware in `web::metrics` that counts the request and writes its access-log line.
#[derive(Debug, Clone, Default)]
pub struct SoapCall {
    /// Known once the Body's element is.
    pub operation: Option<Operation>,
    /// The authenticated account, once authentication passed.
    pub user: Option<String>,
    pub outcome: Option<Outcome>,
}

/// The database pool's connections, as r2d2 reports them at scrape time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub idle: u32,
    pub in_use: u32,
}

/// What is read at scrape time rather than counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    pub pool: PoolUse,
    /// SubmitReadings requests waiting for the group-commit writer.
    pub writer_queue: usize,
}

/// A histogram with fixed buckets; counts per bucket (not cumulative), summed at render.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    /// One more than `bounds`: the last is +Inf.
    counts: Vec<u64>,
    sum: f64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
        }
    }

    fn observe(&mut self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|le| value <= *le)
            .unwrap_or(self.bounds.len());
        self.counts[bucket] += 1;
        self.sum += value;
    }

    /// `_bucket`, `_sum` and `_count` lines; `labels` is `k="v",` or empty.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count;
            let le = self
                .bounds
                .get(i)
                .map_or("+Inf".to_owned(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{le}\"}} {cumulative}");
        }
        let labels = labels.trim_end_matches(',');
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// Where a login was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Soap,
    Staff,
}

impl Channel {
    const ALL: [Channel; 2] = [Channel::Soap, Channel::Staff];

    fn as_str(self) -> &'static str {
        match self {
            Channel::Soap => "soap",
            Channel::Staff => "staff",
        }
    }
}

/// Why a login was refused, as counted: a wrong user name or password, the throttle, or the
/// hashing queue full.
const LOGIN_REFUSALS: [&str; 3] = ["wrong_password", "throttled", "busy"];

/// The registry: lock-free counters, and a mutex per histogram (an observation is a few
/// additions; a request costs far more).
#[derive(Debug)]
pub struct Metrics {
    requests: [[AtomicU64; 3]; OPERATIONS],
    logins_refused: [[AtomicU64; LOGIN_REFUSALS.len()]; Channel::ALL.len()],
    issues: [AtomicU64; IssueCode::ALL.len()],
    latency: Mutex<Vec<Histogram>>,
    batch_sizes: Mutex<Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            requests: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            issues: std::array::from_fn(|_| AtomicU64::new(0)),
            logins_refused: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            latency: Mutex::new(
                (0..OPERATIONS)
                    .map(|_| Histogram::new(&LATENCY_BUCKETS))
                    .collect(),
            ),
            batch_sizes: Mutex::new(Histogram::new(&BATCH_BUCKETS)),
        }
    }

    /// A login refused for its credentials or for load; other failures are not counted here.
    pub fn login_refused(&self, channel: Channel, error: &AuthError) {
        let reason = match error {
            AuthError::Failed => 0,
            AuthError::Throttled { .. } => 1,
            AuthError::Busy => 2,
            _ => return,
        };
        let channel = Channel::ALL.iter().position(|c| *c == channel).unwrap_or(0);
        self.logins_refused[channel][reason].fetch_add(1, Ordering::Relaxed);
    }

    /// One SOAP request answered: counted by operation and outcome, its duration observed.
    pub fn soap_request(&self, operation: Option<Operation>, outcome: Outcome, duration: Duration) {
        let op = operation_index(operation);
        self.requests[op][outcome.index()].fetch_add(1, Ordering::Relaxed);
        lock(&self.latency)[op].observe(duration.as_secs_f64());
    }

    /// `n` issues of `code` raised (on receipts sent to a DMS).
    pub fn issues_raised(&self, code: IssueCode, n: u64) {
        let index = IssueCode::ALL
            .iter()
            .position(|c| *c == code)
            .expect("every code is in ALL");
        self.issues[index].fetch_add(n, Ordering::Relaxed);
    }

    /// Group commit: `n` SubmitReadings requests were stored by one transaction.
    pub fn observe_batch_size(&self, n: usize) {
        lock(&self.batch_sizes).observe(n as f64);
    }

    /// The exposition, with the gauges read at scrape time.
    pub fn render(&self, gauges: Gauges) -> String {
        let pool = gauges.pool;
        let mut out = String::with_capacity(16 * 1024);

        let name = "carpass_soap_requests_total";
        family(
            &mut out,
            name,
            "counter",
            "SOAP requests answered, by operation and outcome.",
        );
        for (op, outcomes) in self.requests.iter().enumerate() {
            let operation = operation_label(operation_at(op));
            for outcome in Outcome::ALL {
                let value = outcomes[outcome.index()].load(Ordering::Relaxed);
                let outcome = outcome.as_str();
                let _ = writeln!(
                    out,
                    "{name}{{operation=\"{operation}\",outcome=\"{outcome}\"}} {value}"
                );
            }
        }

        let name = "carpass_soap_request_duration_seconds";
        family(
            &mut out,
            name,
            "histogram",
            "Time to answer a SOAP request, from its arrival to its response.",
        );
        for (op, histogram) in lock(&self.latency).iter().enumerate() {
            let labels = format!("operation=\"{}\",", operation_label(operation_at(op)));
            histogram.render(&mut out, name, &labels);
        }

        let name = "carpass_issues_total";
        family(
            &mut out,
            name,
            "counter",
            "Issues on the receipts of SubmitReadings, by code.",
        );
        for (code, count) in IssueCode::ALL.iter().zip(&self.issues) {
            let _ = writeln!(
                out,
                "{name}{{code=\"{}\"}} {}",
                code.as_str(),
                count.load(Ordering::Relaxed)
            );
        }

        let name = "carpass_db_pool_connections";
        family(
            &mut out,
            name,
            "gauge",
            "Database connections of the pool, idle or in use.",
        );
        let _ = writeln!(out, "{name}{{state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "{name}{{state=\"in_use\"}} {}", pool.in_use);

        let name = "carpass_group_commit_batch_size";
        family(
            &mut out,
            name,
            "histogram",
            "SubmitReadings requests stored by one transaction (group commit).",
        );
        lock(&self.batch_sizes).render(&mut out, name, "");

        let name = "carpass_logins_refused_total";
        family(
            &mut out,
            name,
            "counter",
            "Logins refused: a wrong user name or password, throttled, or the hashing queue full.",
        );
        for (channel, counts) in Channel::ALL.iter().zip(&self.logins_refused) {
            for (reason, count) in LOGIN_REFUSALS.iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "{name}{{channel=\"{}\",reason=\"{reason}\"}} {}",
                    channel.as_str(),
                    count.load(Ordering::Relaxed)
                );
            }
        }

        let name = "carpass_group_commit_queue";
        family(
            &mut out,
            name,
            "gauge",
            "SubmitReadings requests waiting for the group-commit writer.",
        );
        let _ = writeln!(out, "{name} {}", gauges.writer_queue);

        out
    }
}

/// The `# HELP` and `# TYPE` lines that open a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A panic while holding a histogram leaves numbers, not broken invariants: go on with them.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, start: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(start) && l[start.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no line {start} in\n{text}"))
    }

    fn value(text: &str, series: &str) -> f64 {
        line(text, series)
            .rsplit_once(' ')
            .unwrap()
            .1
            .parse()
            .unwrap()
    }

    #[test]
    fn counters_start_at_zero_for_every_operation_outcome_and_code() {
        let text = Metrics::new().render(Gauges {
            pool: PoolUse { idle: 3, in_use: 1 },
            writer_queue: 2,
        });
        for op in Operation::ALL.iter().map(|o| o.name()).chain(["unknown"]) {
            for outcome in ["ok", "client_fault", "server_fault"] {
                let series = format!(
                    "carpass_soap_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}}"
                );
                assert_eq!(value(&text, &series), 0.0);
            }
        }
        for code in IssueCode::ALL {
            assert_eq!(
                value(
                    &text,
                    &format!("carpass_issues_total{{code=\"{}\"}}", code.as_str())
                ),
                0.0
            );
        }
        assert_eq!(value(&text, "carpass_group_commit_queue"), 2.0);
        assert_eq!(
            value(&text, "carpass_db_pool_connections{state=\"idle\"}"),
            3.0
        );
        assert_eq!(
            value(&text, "carpass_db_pool_connections{state=\"in_use\"}"),
            1.0
        );
        assert_eq!(value(&text, "carpass_group_commit_batch_size_count"), 0.0);
    }

    #[test]
    fn histograms_are_cumulative_and_count_what_they_observed() {
        let metrics = Metrics::new();
        let op = Some(Operation::SubmitReadings);
        for ms in [0.2, 3.0, 3.0, 700.0, 9_000.0] {
            metrics.soap_request(op, Outcome::Ok, Duration::from_secs_f64(ms / 1000.0));
        }
        for n in [1, 1, 3, 5000] {
            metrics.observe_batch_size(n);
        }
        metrics.issues_raised(IssueCode::OdometerRollback, 2);
        let text = metrics.render(Gauges {
            pool: PoolUse { idle: 0, in_use: 0 },
            writer_queue: 0,
        });
        let latency = |le: &str| {
            value(&text, &format!("carpass_soap_request_duration_seconds_bucket{{operation=\"SubmitReadings\",le=\"{le}\"}}"))
        };
        assert_eq!(latency("0.0005"), 1.0);
        assert_eq!(latency("0.0025"), 1.0);
        assert_eq!(latency("0.005"), 3.0);
        assert_eq!(latency("0.5"), 3.0);
        assert_eq!(latency("1"), 4.0);
        assert_eq!(latency("5"), 4.0);
        assert_eq!(latency("+Inf"), 5.0);
        assert_eq!(
            value(
                &text,
                "carpass_soap_request_duration_seconds_count{operation=\"SubmitReadings\"}"
            ),
            5.0
        );
        let sum = value(
            &text,
            "carpass_soap_request_duration_seconds_sum{operation=\"SubmitReadings\"}",
        );
        assert!((sum - 9.7062).abs() < 1e-9, "{sum}");
        assert_eq!(
            value(
                &text,
                "carpass_soap_requests_total{operation=\"SubmitReadings\",outcome=\"ok\"}"
            ),
            5.0
        );
        assert_eq!(
            value(&text, "carpass_group_commit_batch_size_bucket{le=\"1\"}"),
            2.0
        );
        assert_eq!(
            value(&text, "carpass_group_commit_batch_size_bucket{le=\"4\"}"),
            3.0
        );
        assert_eq!(
            value(&text, "carpass_group_commit_batch_size_bucket{le=\"2048\"}"),
            3.0
        );
        assert_eq!(
            value(&text, "carpass_group_commit_batch_size_bucket{le=\"+Inf\"}"),
            4.0
        );
        assert_eq!(value(&text, "carpass_group_commit_batch_size_sum"), 5005.0);
        assert_eq!(value(&text, "carpass_group_commit_batch_size_count"), 4.0);
        assert_eq!(
            value(&text, "carpass_issues_total{code=\"ODOMETER_ROLLBACK\"}"),
            2.0
        );
    }
}
