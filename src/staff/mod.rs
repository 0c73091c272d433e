//! The registry's own tools: companies and accounts, the vehicle register import, the demo.

pub mod accounts;
pub mod approvals;
pub mod companies;
pub mod demo;
pub mod import;
pub mod review;
pub mod software;
pub mod trusted_providers;

use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{file}, line {line}: {message}; nothing of this file was imported")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<diesel::result::Error> for StaffError {
    fn from(e: diesel::result::Error) -> Self {
        StaffError::Service(ServiceError::Database(e))
    }
}
