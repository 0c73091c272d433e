//! Settings: a typed struct, passed in explicitly (so that tests run one database each).

use crate::clock::Clock;
use crate::db::DatabaseUrl;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://carpass.db";

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
    pub sweep_interval: std::time::Duration,
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
            sweep_interval: std::time::Duration::from_secs(3600),
        }
    }
}
