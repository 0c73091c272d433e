//! The certification harness (SPEC 5): sessions in the certification database, the recording
//! of their exchanges and the faults injected into them, evaluations and their reports, and
//! the reference DMS that proves the harness.

pub mod evaluations;
pub mod recording;
pub mod redaction;
pub mod reference_dms;
pub mod remote;
pub mod report;
pub mod review;
pub mod scenarios;
pub mod sessions;

use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::Verdict;
use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum CertificationError {
    #[error("no certification session '{0}': `carpass certify start` prints the session id")]
    UnknownSession(String),
    #[error("all {steps} steps of session {session} are open; evaluate it with `carpass certify evaluate {session}`")]
    NoNextStep { session: String, steps: usize },
    #[error("step {0} was opened by someone else just now; look at the sheet")]
    StepTaken(u32),
    /// A request the caller can put right (a value out of range, a file that is no image).
    #[error("{0}")]
    Invalid(String),
    /// An override asked for the verdict the criterion has already.
    #[error("{criterion} is {} in the latest evaluation already", verdict.as_str())]
    AlreadySo {
        criterion: Criterion,
        verdict: Verdict,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<diesel::result::Error> for CertificationError {
    fn from(e: diesel::result::Error) -> Self {
        CertificationError::Service(ServiceError::Database(e))
    }
}
