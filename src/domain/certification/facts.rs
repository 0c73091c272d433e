//! What one recorded exchange of a certification session says, read out of its raw request and
//! response (by `soap::inspect`). The evaluator judges these facts, never the raw bytes, so
//! that its rules are plain functions tested without XML.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::scenario::InjectedFault;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// 1, 2, ... in the order the harness received them.
    pub number: u32,
    pub received_at: DateTime<Utc>,
    /// The step open when the request arrived (None before the first step is opened).
    pub step: Option<u32>,
    pub request: RequestFacts,
    pub response: ResponseFacts,
    /// A fault the harness injected on this exchange (C12).
    pub injected: Option<InjectedFault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestFacts {
    /// Why the request is not well-formed SOAP valid against the XSD (C01); None when it is.
    pub contract_violation: Option<String>,
    /// The operation's element name, when the body has one.
    pub operation: Option<String>,
    pub authentication: Authentication,
    /// HTTP Basic naming another account than the request's UsernameToken (C02): two
    /// credentials, and the server cannot know whose request it is.
    pub conflicting_account: Option<String>,
    /// Where the credentials showed up outside the HTTP or WS-Security header (C02).
    pub leaks: Vec<String>,
    pub client_info: Option<ClientInfo>,
    /// SubmitReadings' readings, or ValidateReading's one.
    pub readings: Vec<SentReading>,
    /// CorrectIssue or ConfirmReading.
    pub answer: Option<SentAnswer>,
    /// GetReadingStatus: the ReadingId or ClientReference asked about.
    pub status_of: Option<String>,
    /// RequestOkLabel.
    pub label: Option<LabelAsked>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Authentication {
    #[default]
    None,
    UsernameToken {
        username: String,
    },
    PasswordDigest {
        username: String,
    },
    Basic {
        username: String,
    },
}

impl Authentication {
    pub fn username(&self) -> Option<&str> {
        match self {
            Authentication::None => None,
            Authentication::UsernameToken { username }
            | Authentication::PasswordDigest { username }
            | Authentication::Basic { username } => Some(username),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientInfo {
    pub language: Option<String>,
    pub builder: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
}

/// A reading as the DMS sent it; fields it got wrong are None.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SentReading {
    pub client_reference: String,
    pub vin: String,
    pub work_date: Option<NaiveDate>,
    pub odometer: Option<u64>,
    pub unit: Option<String>,
    pub odometer_replaced: Option<u64>,
    pub subcontracted: Option<bool>,
    pub customer_type: Option<String>,
    pub invoice_total_cents: Option<i64>,
    /// (ActivityCode, Description)
    pub works: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentAnswer {
    pub operation: String,
    /// As typed; compare with `same_issue_number`.
    pub issue_number: String,
    pub corrected: Option<SentReading>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelAsked {
    pub vin: String,
    pub advertised_odometer: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ResponseFacts {
    /// Receipts, in the order of the request's readings (SubmitReadings, CorrectIssue,
    /// ConfirmReading, GetReadingStatus).
    Receipts(Vec<ReceiptFacts>),
    Fault {
        code: String,
        message: String,
    },
    /// No answer reached the DMS: the harness held the request and closed the connection
    /// (an injected timeout, C12).
    Unanswered,
    /// Any other answer (ValidateReading's issues, a label, the activities).
    #[default]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptFacts {
    pub client_reference: String,
    pub reading_id: String,
    pub status: String,
    pub issues: Vec<IssueFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFacts {
    pub number: String,
    pub code: String,
    pub severity: String,
    pub correctable: bool,
    /// Open, Corrected, Confirmed, Escalated, ... as the receipt said at the time.
    pub state: Option<String>,
}

impl IssueFacts {
    /// An Error that waits for its one electronic answer (SPEC 2.7; C06).
    pub fn awaits_answer(&self) -> bool {
        self.severity == "Error"
            && self.correctable
            && self.state.as_deref().is_none_or(|s| s == "Open")
    }
}

/// Issue numbers are typed with or without their dash and leading zeros: 000042-7 = 42-7 = 427.
pub fn same_issue_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| {
        let d: String = s.chars().filter(char::is_ascii_digit).collect();
        d.trim_start_matches('0').to_owned()
    };
    !digits(a).is_empty() && digits(a) == digits(b)
}

impl Exchange {
    pub fn operation(&self) -> &str {
        self.request.operation.as_deref().unwrap_or("?")
    }

    /// Whether the service took the request: it answered receipts, or the harness stored it
    /// before injecting a fault.
    pub fn taken(&self) -> bool {
        matches!(
            self.response,
            ResponseFacts::Receipts(_) | ResponseFacts::Other
        ) || self.injected.is_some()
    }

    pub fn is(&self, operation: &str) -> bool {
        self.request.operation.as_deref() == Some(operation)
    }

    /// The DMS got no answer it could use: a Server fault, or none at all (C12).
    pub fn lost(&self) -> bool {
        match &self.response {
            ResponseFacts::Unanswered => true,
            ResponseFacts::Fault { code, .. } => code == "SERVER_ERROR",
            _ => false,
        }
    }

    /// The receipt for a ClientReference in this exchange's response.
    pub fn receipt_for(&self, client_reference: &str) -> Option<&ReceiptFacts> {
        match &self.response {
            ResponseFacts::Receipts(receipts) => receipts
                .iter()
                .find(|r| r.client_reference == client_reference),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_match_however_they_are_typed() {
        assert!(same_issue_number("000042-7", "42-7"));
        assert!(same_issue_number("000042-7", "427"));
        assert!(!same_issue_number("000042-7", "000043-7"));
        assert!(!same_issue_number("", ""));
        assert!(!same_issue_number("-", "0"));
    }
}
