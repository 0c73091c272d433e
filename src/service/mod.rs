//! Application services: what an operation does, between the SOAP layer and storage.
//! No XML and no SQL here.

pub mod auth;
pub mod car_pass;
pub mod corrections;
pub mod feeds;
pub mod foreign_history;
pub mod group_commit;
pub mod inflow;
mod known_vins;
pub mod labels;
pub mod operation;
pub mod passwords;
pub mod post_accident;
pub mod receipts;
pub mod register;
pub mod status;

use crate::domain::language::Language;
use auth::Account;

/// The software that sent a request, from the ClientInfo header (SPEC 3.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Software {
    pub builder: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
}

/// Who is calling, in which language, with which software.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub language: Language,
    pub software: Software,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Refused for load before anything was done: the caller may try again in a moment.
    #[error("busy: {0}")]
    Busy(String),
}

impl ServiceError {
    /// No connection could be had: the database is down or the pool exhausted, whatever the
    /// request was.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServiceError::Pool(_) | ServiceError::Unavailable(_))
    }
}
