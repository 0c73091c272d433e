//! Settings: a typed struct, passed in explicitly (so that tests run one database each).

use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::DatabaseUrl;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://carpass.db";
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;

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
        }
    }
}
