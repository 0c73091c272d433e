//! Settings: a typed struct, passed in explicitly (so that tests run one database each).

use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::DatabaseUrl;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://carpass.db";
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;

/// Eight largest bodies at once, or dozens of real 1000-reading requests (1-2 MiB each).
pub const DEFAULT_BODY_BUDGET_MIB: usize = 64;
/// 8 MiB arrive in 30 s at about 2 Mbit/s.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// A hash takes about 16 ms on one thread: 64 waiting are answered within a second or two.
pub const DEFAULT_HASH_QUEUE: usize = 64;
/// Enough for every connection the server takes at once to have a request waiting.
pub const DEFAULT_WRITER_QUEUE: usize = 1024;

/// A certification session records a few hundred exchanges; a DMS replaying its whole
/// scenario many times over stays well within both.
pub const DEFAULT_RECORDING_EXCHANGES: u64 = 2000;
pub const DEFAULT_RECORDING_MIB: u64 = 64;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: DatabaseUrl,
    /// 1000 readings with long work descriptions fit comfortably.
    pub max_body_bytes: usize,
    pub pool_size: u32,
    /// HTTP worker threads; None is one per core.
    pub workers: Option<usize>,
    pub clock: Clock,
    /// How often readings waiting for their vehicle are checked for VIN_UNKNOWN.
    pub sweep_interval: Duration,
    /// HTTPS instead of HTTP when set.
    pub tls: Option<TlsFiles>,
    /// On SIGTERM or SIGINT, how long the requests in flight may take to finish.
    pub shutdown_timeout: Duration,
    /// SubmitReadings requests that may wait for the group-commit writer; more are refused
    /// at once with a Server fault (retry later).
    pub writer_queue: usize,
    /// Request bodies held in memory at once across all connections; past it a request is
    /// answered 503 with Retry-After before its body is read.
    pub body_budget_bytes: usize,
    /// How long a request body may take to arrive; a slower one is dropped with 408.
    pub body_timeout: Duration,
    /// Password hashes that may wait for a hashing thread; more logins are refused at once.
    pub hash_queue: usize,
    /// The reverse proxies whose Forwarded / X-Forwarded-* headers are believed; nobody
    /// else's are.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How clients reach the service (`https://registry.example`), for the addresses it hands
    /// out; when unset, the request's Host.
    pub public_url: Option<String>,
    /// What one certification session may record; past either, its requests are answered
    /// with a fault and only counted.
    pub recording_quota: RecordingQuota,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingQuota {
    pub exchanges: u64,
    pub bytes: u64,
}

/// PEM files: the certificate chain (the server's first) and its private key (PKCS#8, RSA or EC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Settings {
    pub fn new(bind: &str, database_url: DatabaseUrl) -> Settings {
        Settings {
            bind: bind.to_owned(),
            database_url,
            max_body_bytes: 8 * 1024 * 1024,
            pool_size: 16,
            workers: None,
            clock: Clock::System,
            sweep_interval: Duration::from_secs(3600),
            tls: None,
            shutdown_timeout: Duration::from_secs(DEFAULT_SHUTDOWN_TIMEOUT_SECS),
            writer_queue: DEFAULT_WRITER_QUEUE,
            body_budget_bytes: DEFAULT_BODY_BUDGET_MIB * 1024 * 1024,
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            hash_queue: DEFAULT_HASH_QUEUE,
            trusted_proxies: Vec::new(),
            public_url: None,
            recording_quota: RecordingQuota {
                exchanges: DEFAULT_RECORDING_EXCHANGES,
                bytes: DEFAULT_RECORDING_MIB * 1024 * 1024,
            },
        }
    }
}
