//! Receipts (SPEC 3.3): a reading's status and its issues, with messages in the caller's language.

use crate::db::issues::IssueRow;
use crate::db::readings::ReadingRow;
use crate::db::{issues, DbConnection};
use crate::domain::issue::{IssueCode, IssueDetail, Severity};
use crate::domain::issue_number::IssueNumber;
use crate::domain::issue_state::IssueState;
use crate::domain::language::Language;
use crate::domain::rules::Finding;
use crate::domain::status::ReadingStatus;

use super::ServiceError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptIssue {
    /// None for issues predicted by ValidateReading: nothing was stored, so nothing is numbered.
    pub number: Option<IssueNumber>,
    pub code: IssueCode,
    pub severity: Severity,
    pub correctable: bool,
    pub field: Option<String>,
    pub message: String,
    /// None for predicted issues.
    pub state: Option<IssueState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub client_reference: String,
    pub reading_id: String,
    pub status: ReadingStatus,
    pub issues: Vec<ReceiptIssue>,
}

impl ReceiptIssue {
    pub fn predicted(finding: &Finding, language: Language) -> ReceiptIssue {
        let code = finding.code();
        ReceiptIssue {
            number: None,
            code,
            severity: code.severity(),
            correctable: code.correctable(),
            field: finding.field.clone(),
            message: finding.detail.message(language),
            state: None,
        }
    }

    pub fn stored(row: &IssueRow, language: Language) -> Result<ReceiptIssue, ServiceError> {
        let corrupt = |what: &str| ServiceError::Corrupt(format!("issue {}: {what}", row.id));
        let detail: IssueDetail =
            serde_json::from_str(&row.detail).map_err(|e| corrupt(&e.to_string()))?;
        let code = detail.code();
        Ok(ReceiptIssue {
            number: Some(IssueNumber::from_sequence(row.id).ok_or_else(|| corrupt("sequence"))?),
            code,
            severity: Severity::parse(&row.severity).ok_or_else(|| corrupt("severity"))?,
            correctable: row.correctable,
            field: row.field.clone(),
            message: detail.message(language),
            state: Some(IssueState::parse(&row.state).ok_or_else(|| corrupt("state"))?),
        })
    }
}

/// The receipt as it stands now: the current status and every issue with its present state.
pub fn current(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    language: Language,
) -> Result<Receipt, ServiceError> {
    build(conn, reading, &reading.status, false, language)
}

/// The receipt as it was first sent: a resubmission gets exactly that again (SPEC 3.3).
pub fn original(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    language: Language,
) -> Result<Receipt, ServiceError> {
    build(conn, reading, &reading.receipt_status, true, language)
}

fn build(
    conn: &mut DbConnection,
    reading: &ReadingRow,
    status: &str,
    only_on_receipt: bool,
    language: Language,
) -> Result<Receipt, ServiceError> {
    let status = ReadingStatus::parse(status)
        .ok_or_else(|| ServiceError::Corrupt(format!("reading {}: status {status}", reading.id)))?;
    let issues = issues::for_reading(conn, &reading.id)?
        .iter()
        .filter(|row| row.on_receipt || !only_on_receipt)
        .map(|row| ReceiptIssue::stored(row, language))
        .collect::<Result<_, _>>()?;
    Ok(Receipt {
        client_reference: reading.client_reference.clone(),
        reading_id: reading.id.clone(),
        status,
        issues,
    })
}
