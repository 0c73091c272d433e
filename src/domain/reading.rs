//! A reading as a DMS sends it, once its shape is known to be right (SPEC 3.3).
//! Its content may still break rules: those become issues on the receipt, not errors here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::odometer::OdometerUnit;
use super::source::ReadingSource;

/// The DMS's own id of a reading: 1-64 characters, unique per account, the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientReference(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientReferenceError {
    #[error("a ClientReference has 1 to 64 characters; this one has {0}")]
    Length(usize),
    /// The XSD's length allows it, but it names no job: every blank one would be the same key.
    #[error(
        "a ClientReference of only spaces names no job: send the DMS's own id of the job or \
         invoice line (1 to 64 characters, at least one of them not a space)"
    )]
    Blank,
}

impl ClientReference {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<ClientReference, ClientReferenceError> {
        let length = raw.chars().count();
        if length == 0 || length > Self::MAX_CHARS {
            return Err(ClientReferenceError::Length(length));
        }
        if raw.trim().is_empty() {
            return Err(ClientReferenceError::Blank);
        }
        Ok(ClientReference(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SPEC 2.4: whether the customer is liable for VAT decides the 125 EUR exemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerType {
    Private,
    Business,
}

impl CustomerType {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Private => "Private",
            CustomerType::Business => "Business",
        }
    }

    pub fn parse(raw: &str) -> Option<CustomerType> {
        match raw {
            "Private" => Some(CustomerType::Private),
            "Business" => Some(CustomerType::Business),
            _ => None,
        }
    }
}

/// One job on the invoice: a standard code (checked by the rules) and the invoice's wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Work {
    pub activity_code: String,
    pub description: String,
}

/// Serialisable, so that the audit trail can keep every earlier version of a reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingInput {
    /// As sent: a malformed VIN is stored and flagged VIN_INVALID, so it can be corrected.
    pub vin: String,
    pub work_date: NaiveDate,
    /// As displayed: a 5-digit odometer gets no digit added (SPEC 2.3).
    pub odometer: u64,
    pub unit: OdometerUnit,
    /// Present when the job replaced the odometer: the old one's final value.
    pub odometer_replaced: Option<u64>,
    pub subcontracted: bool,
    pub customer_type: CustomerType,
    pub invoice_total_cents: i64,
    pub works: Vec<Work>,
    pub license_plate: Option<String>,
    /// Where it came from: only a garage's job describes the work done (SPEC 2.3); a reading
    /// taken for a Car-Pass or sent by a feed does not. Absent in audit records written
    /// before sources existed, which were all garages'.
    #[serde(default)]
    pub source: ReadingSource,
}

/// A reading with its idempotency key, as SubmitReadings carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub client_reference: ClientReference,
    pub reading: ReadingInput,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_reference_has_one_to_sixty_four_characters() {
        assert!(ClientReference::parse("").is_err());
        assert!(ClientReference::parse("a").is_ok());
        assert!(ClientReference::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            ClientReference::parse(&"x".repeat(65))
                .unwrap_err()
                .to_string(),
            "a ClientReference has 1 to 64 characters; this one has 65"
        );
    }

    #[test]
    fn a_client_reference_of_only_spaces_is_refused_and_one_space_around_text_is_kept() {
        for blank in [" ", "   ", "\t", " \n "] {
            assert_eq!(
                ClientReference::parse(blank),
                Err(ClientReferenceError::Blank),
                "{blank:?}"
            );
        }
        assert_eq!(ClientReference::parse(" J-1 ").unwrap().as_str(), " J-1 ");
        assert!(ClientReferenceError::Blank
            .to_string()
            .contains("only spaces"));
    }

    #[test]
    fn customer_types_are_written_as_in_the_contract() {
        for t in [CustomerType::Private, CustomerType::Business] {
            assert_eq!(CustomerType::parse(t.as_str()), Some(t));
        }
        assert_eq!(CustomerType::parse("private"), None);
    }
}
