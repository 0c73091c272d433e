//! The defects the reference DMS can be given (SPEC 5.4): each makes it break exactly one
//! criterion, so that a test can prove the harness catches every one of them.

use crate::domain::certification::criterion::Criterion;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    BatchAtEnd,
    NewReadingInsteadOfCorrection,
    RetryAfterCorrectionLimit,
    AddedDigit,
    NoWorkDescription,
    NoReplacementFlag,
    NoSubcontractFlag,
    SkipVatJob,
    NewClientReferenceOnRetry,
    CredentialsInBody,
    ChangedVin,
    MissingSoftwareHeader,
    InvalidXml,
    NoStatusQuery,
    NoOkLabel,
    NoValidate,
}

impl Defect {
    pub const ALL: [Defect; 16] = [
        Defect::BatchAtEnd,
        Defect::NewReadingInsteadOfCorrection,
        Defect::RetryAfterCorrectionLimit,
        Defect::AddedDigit,
        Defect::NoWorkDescription,
        Defect::NoReplacementFlag,
        Defect::NoSubcontractFlag,
        Defect::SkipVatJob,
        Defect::NewClientReferenceOnRetry,
        Defect::CredentialsInBody,
        Defect::ChangedVin,
        Defect::MissingSoftwareHeader,
        Defect::InvalidXml,
        Defect::NoStatusQuery,
        Defect::NoOkLabel,
        Defect::NoValidate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Defect::BatchAtEnd => "batch-at-end",
            Defect::NewReadingInsteadOfCorrection => "new-reading-instead-of-correction",
            Defect::RetryAfterCorrectionLimit => "retry-after-correction-limit",
            Defect::AddedDigit => "added-digit",
            Defect::NoWorkDescription => "no-work-description",
            Defect::NoReplacementFlag => "no-replacement-flag",
            Defect::NoSubcontractFlag => "no-subcontract-flag",
            Defect::SkipVatJob => "skip-vat-job",
            Defect::NewClientReferenceOnRetry => "new-client-reference-on-retry",
            Defect::CredentialsInBody => "credentials-in-body",
            Defect::ChangedVin => "changed-vin",
            Defect::MissingSoftwareHeader => "missing-software-header",
            Defect::InvalidXml => "invalid-xml",
            Defect::NoStatusQuery => "no-status-query",
            Defect::NoOkLabel => "no-ok-label",
            Defect::NoValidate => "no-validate",
        }
    }

    pub fn parse(name: &str) -> Option<Defect> {
        Defect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The one criterion this defect breaks.
    pub fn criterion(self) -> Criterion {
        match self {
            Defect::InvalidXml => Criterion::C01,
            Defect::CredentialsInBody => Criterion::C02,
            Defect::ChangedVin => Criterion::C03,
            Defect::NoWorkDescription => Criterion::C04,
            Defect::BatchAtEnd => Criterion::C05,
            Defect::NewReadingInsteadOfCorrection => Criterion::C06,
            Defect::RetryAfterCorrectionLimit => Criterion::C07,
            Defect::NoReplacementFlag => Criterion::C08,
            Defect::AddedDigit => Criterion::C09,
            Defect::NoSubcontractFlag => Criterion::C10,
            Defect::SkipVatJob => Criterion::C11,
            Defect::NewClientReferenceOnRetry => Criterion::C12,
            Defect::NoStatusQuery => Criterion::C13,
            Defect::NoOkLabel => Criterion::C14,
            Defect::MissingSoftwareHeader => Criterion::C15,
            Defect::NoValidate => Criterion::C16,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Defect::BatchAtEnd => "holds every job until the end of the day and sends them then",
            Defect::NewReadingInsteadOfCorrection => {
                "answers an error by sending a new reading instead of CorrectIssue"
            }
            Defect::RetryAfterCorrectionLimit => "corrects once more after CORRECTION_LIMIT",
            Defect::AddedDigit => "adds a leading digit to a 5-digit odometer that passed 99 999",
            Defect::NoWorkDescription => "sends no work description",
            Defect::NoReplacementFlag => "does not flag an odometer replacement",
            Defect::NoSubcontractFlag => "does not flag subcontracted work",
            Defect::SkipVatJob => "skips every job of at most 125 EUR, a VAT-liable customer's and subcontracted work too",
            Defect::NewClientReferenceOnRetry => "invents a new ClientReference when it retries",
            Defect::CredentialsInBody => {
                "also puts the user name and password in a SOAP header block of its own"
            }
            Defect::ChangedVin => "sends the first job's VIN with two characters swapped",
            Defect::MissingSoftwareHeader => "sends no ClientInfo header",
            Defect::InvalidXml => "sends ListActivities with an element the XSD does not allow",
            Defect::NoStatusQuery => "never asks GetReadingStatus",
            Defect::NoOkLabel => "publishes adverts without asking for the OK label",
            Defect::NoValidate => "sends readings without checking them with ValidateReading first",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_criterion_has_exactly_one_defect_and_names_round_trip() {
        for criterion in Criterion::ALL {
            let defects: Vec<Defect> = Defect::ALL
                .into_iter()
                .filter(|d| d.criterion() == criterion)
                .collect();
            assert_eq!(defects.len(), 1, "{criterion}: {defects:?}");
        }
        for defect in Defect::ALL {
            assert_eq!(Defect::parse(defect.name()), Some(defect));
        }
    }
}
