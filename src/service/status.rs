//! GetReadingStatus: the current receipt of one of the caller's readings, its values, and the
//! audit trail of every change.

use chrono::NaiveDateTime;

use crate::db::{audit, readings, DbConnection};
use crate::domain::issue_number::IssueNumber;
use crate::domain::reading::ReadingInput;

use super::inflow::input_of;
use super::receipts::{self, Receipt};
use super::{Caller, ServiceError};

pub enum ReadingKey {
    /// Any reading of the caller's company.
    ReadingId(String),
    /// The caller's own idempotency key.
    ClientReference(String),
}

#[derive(Debug, Clone)]
pub struct Change {
    pub at: NaiveDateTime,
    pub by: String,
    pub channel: String,
    pub issue_number: Option<IssueNumber>,
    pub form_reference: Option<String>,
    pub previous: ReadingInput,
}

#[derive(Debug, Clone)]
pub struct ReadingReport {
    pub receipt: Receipt,
    pub values: ReadingInput,
    pub changes: Vec<Change>,
}

/// None when the reading does not exist or belongs to another company (the same answer).
pub fn report(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &ReadingKey,
) -> Result<Option<ReadingReport>, ServiceError> {
    let reading = match key {
        ReadingKey::ReadingId(id) => {
            readings::find(conn, id)?.filter(|r| r.company_id == caller.account.company_id)
        }
        ReadingKey::ClientReference(reference) => {
            readings::find_by_client_reference(conn, caller.account.id, reference)?
        }
    };
    let Some(reading) = reading else {
        return Ok(None);
    };
    let changes = audit::versions_of(conn, &reading.id)?
        .into_iter()
        .map(|v| {
            Ok(Change {
                at: v.changed_at,
                by: v.changed_by,
                channel: v.channel,
                issue_number: v.issue_id.and_then(IssueNumber::from_sequence),
                form_reference: v.form_reference,
                previous: serde_json::from_str(&v.previous_values)
                    .map_err(|e| ServiceError::Corrupt(format!("version {}: {e}", v.id)))?,
            })
        })
        .collect::<Result<_, ServiceError>>()?;
    Ok(Some(ReadingReport {
        receipt: receipts::current(conn, &reading, caller.language)?,
        values: input_of(conn, &reading)?,
        changes,
    }))
}
