//! The defects the reference DMS can be given (SPEC 5.4): each makes it break exactly one
//! criterion, so that a test can prove the harness catches every one of them. Every criterion
//! has at least two; where a criterion is about a flag or a value, one of them sends it where
//! it does not belong (SPEC 5.6).

use crate::domain::certification::criterion::Criterion;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    InvalidXml,
    UnqualifiedBody,
    CredentialsInBody,
    BasicForAnotherAccount,
    ChangedVin,
    DoubleReading,
    SwappedDigits,
    ReadingForAdvert,
    NoWorkDescription,
    LabelAsDescription,
    BatchAtEnd,
    OneJobBehind,
    NewReadingInsteadOfCorrection,
    AnswerTwice,
    NeverAnswers,
    RetryAfterCorrectionLimit,
    NewReadingAfterCorrectionLimit,
    NoReplacementFlag,
    ReplacementFlagEverywhere,
    AddedDigit,
    UnrolledOdometer,
    NoSubcontractFlag,
    SubcontractFlagEverywhere,
    SkipVatJob,
    PrivateCustomerEverywhere,
    PrivateAboveLimit,
    NewClientReferenceOnRetry,
    ChangedRetry,
    NoStatusQuery,
    BlindResend,
    NoOkLabel,
    StaleAdvertMileage,
    MissingSoftwareHeader,
    WrongSoftwareVersion,
    NoValidate,
    ValidateAfterSubmit,
}

impl Defect {
    pub const ALL: [Defect; 36] = [
        Defect::InvalidXml,
        Defect::UnqualifiedBody,
        Defect::CredentialsInBody,
        Defect::BasicForAnotherAccount,
        Defect::ChangedVin,
        Defect::DoubleReading,
        Defect::SwappedDigits,
        Defect::ReadingForAdvert,
        Defect::NoWorkDescription,
        Defect::LabelAsDescription,
        Defect::BatchAtEnd,
        Defect::OneJobBehind,
        Defect::NewReadingInsteadOfCorrection,
        Defect::AnswerTwice,
        Defect::NeverAnswers,
        Defect::RetryAfterCorrectionLimit,
        Defect::NewReadingAfterCorrectionLimit,
        Defect::NoReplacementFlag,
        Defect::ReplacementFlagEverywhere,
        Defect::AddedDigit,
        Defect::UnrolledOdometer,
        Defect::NoSubcontractFlag,
        Defect::SubcontractFlagEverywhere,
        Defect::SkipVatJob,
        Defect::PrivateCustomerEverywhere,
        Defect::PrivateAboveLimit,
        Defect::NewClientReferenceOnRetry,
        Defect::ChangedRetry,
        Defect::NoStatusQuery,
        Defect::BlindResend,
        Defect::NoOkLabel,
        Defect::StaleAdvertMileage,
        Defect::MissingSoftwareHeader,
        Defect::WrongSoftwareVersion,
        Defect::NoValidate,
        Defect::ValidateAfterSubmit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Defect::InvalidXml => "invalid-xml",
            Defect::UnqualifiedBody => "unqualified-body",
            Defect::CredentialsInBody => "credentials-in-body",
            Defect::BasicForAnotherAccount => "basic-for-another-account",
            Defect::ChangedVin => "changed-vin",
            Defect::DoubleReading => "double-reading",
            Defect::SwappedDigits => "swapped-digits",
            Defect::ReadingForAdvert => "reading-for-advert",
            Defect::NoWorkDescription => "no-work-description",
            Defect::LabelAsDescription => "label-as-description",
            Defect::BatchAtEnd => "batch-at-end",
            Defect::OneJobBehind => "one-job-behind",
            Defect::NewReadingInsteadOfCorrection => "new-reading-instead-of-correction",
            Defect::AnswerTwice => "answer-twice",
            Defect::NeverAnswers => "never-answers",
            Defect::RetryAfterCorrectionLimit => "retry-after-correction-limit",
            Defect::NewReadingAfterCorrectionLimit => "new-reading-after-correction-limit",
            Defect::NoReplacementFlag => "no-replacement-flag",
            Defect::ReplacementFlagEverywhere => "replacement-flag-everywhere",
            Defect::AddedDigit => "added-digit",
            Defect::UnrolledOdometer => "unrolled-odometer",
            Defect::NoSubcontractFlag => "no-subcontract-flag",
            Defect::SubcontractFlagEverywhere => "subcontract-flag-everywhere",
            Defect::SkipVatJob => "skip-vat-job",
            Defect::PrivateCustomerEverywhere => "private-customer-everywhere",
            Defect::PrivateAboveLimit => "private-above-limit",
            Defect::NewClientReferenceOnRetry => "new-client-reference-on-retry",
            Defect::ChangedRetry => "changed-retry",
            Defect::NoStatusQuery => "no-status-query",
            Defect::BlindResend => "blind-resend",
            Defect::NoOkLabel => "no-ok-label",
            Defect::StaleAdvertMileage => "stale-advert-mileage",
            Defect::MissingSoftwareHeader => "missing-software-header",
            Defect::WrongSoftwareVersion => "wrong-software-version",
            Defect::NoValidate => "no-validate",
            Defect::ValidateAfterSubmit => "validate-after-submit",
        }
    }

    pub fn parse(name: &str) -> Option<Defect> {
        Defect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The one criterion this defect breaks.
    pub fn criterion(self) -> Criterion {
        match self {
            Defect::InvalidXml | Defect::UnqualifiedBody => Criterion::C01,
            Defect::CredentialsInBody | Defect::BasicForAnotherAccount => Criterion::C02,
            Defect::ChangedVin
            | Defect::DoubleReading
            | Defect::SwappedDigits
            | Defect::ReadingForAdvert => Criterion::C03,
            Defect::NoWorkDescription | Defect::LabelAsDescription => Criterion::C04,
            Defect::BatchAtEnd | Defect::OneJobBehind => Criterion::C05,
            Defect::NewReadingInsteadOfCorrection | Defect::AnswerTwice | Defect::NeverAnswers => {
                Criterion::C06
            }
            Defect::RetryAfterCorrectionLimit | Defect::NewReadingAfterCorrectionLimit => {
                Criterion::C07
            }
            Defect::NoReplacementFlag | Defect::ReplacementFlagEverywhere => Criterion::C08,
            Defect::AddedDigit | Defect::UnrolledOdometer => Criterion::C09,
            Defect::NoSubcontractFlag | Defect::SubcontractFlagEverywhere => Criterion::C10,
            Defect::SkipVatJob | Defect::PrivateCustomerEverywhere | Defect::PrivateAboveLimit => {
                Criterion::C11
            }
            Defect::NewClientReferenceOnRetry | Defect::ChangedRetry => Criterion::C12,
            Defect::NoStatusQuery | Defect::BlindResend => Criterion::C13,
            Defect::NoOkLabel | Defect::StaleAdvertMileage => Criterion::C14,
            Defect::MissingSoftwareHeader | Defect::WrongSoftwareVersion => Criterion::C15,
            Defect::NoValidate | Defect::ValidateAfterSubmit => Criterion::C16,
        }
    }

    /// A flag or value sent where the job does not have it (SPEC 5.6), rather than missing
    /// where it does.
    pub fn sent_where_it_does_not_belong(self) -> bool {
        matches!(
            self,
            Defect::ReadingForAdvert
                | Defect::LabelAsDescription
                | Defect::ReplacementFlagEverywhere
                | Defect::UnrolledOdometer
                | Defect::SubcontractFlagEverywhere
                | Defect::PrivateCustomerEverywhere
        )
    }

    pub fn description(self) -> &'static str {
        match self {
            Defect::InvalidXml => "sends ListActivities with an element the XSD does not allow",
            Defect::UnqualifiedBody => {
                "sends ListActivities without its namespace (an unqualified element)"
            }
            Defect::CredentialsInBody => {
                "also puts the user name and password in a SOAP header block of its own"
            }
            Defect::BasicForAnotherAccount => {
                "sends ListActivities with a WS-Security token for its account and HTTP Basic for another"
            }
            Defect::ChangedVin => "sends the first job's VIN with its last character changed",
            Defect::DoubleReading => {
                "sends one job's reading a second time under a new ClientReference, on a step that does not list C03"
            }
            Defect::SwappedDigits => {
                "swaps the odometer's last two digits on one job, on a step that does not list C03"
            }
            Defect::ReadingForAdvert => {
                "also sends the advertised mileage as a reading when it advertises a car no job brought to the workshop"
            }
            Defect::NoWorkDescription => "sends no work description",
            Defect::LabelAsDescription => {
                "sends the standard activity's label as the Description instead of the invoice's wording"
            }
            Defect::BatchAtEnd => "holds every job until the end of the day and sends them then",
            Defect::OneJobBehind => "sends each job's reading only when the next job is opened",
            Defect::NewReadingInsteadOfCorrection => {
                "answers an error by sending a new reading instead of CorrectIssue"
            }
            Defect::AnswerTwice => "sends its answer to an error a second time",
            Defect::NeverAnswers => {
                "shows its user the errors a receipt brings but never answers them"
            }
            Defect::RetryAfterCorrectionLimit => "corrects once more after CORRECTION_LIMIT",
            Defect::NewReadingAfterCorrectionLimit => {
                "sends the corrected reading as a new reading after CORRECTION_LIMIT"
            }
            Defect::NoReplacementFlag => "does not flag an odometer replacement",
            Defect::ReplacementFlagEverywhere => {
                "sends OdometerReplaced 0 on every job whose odometer was not replaced (a non-nullable field)"
            }
            Defect::AddedDigit => "adds a leading digit to a 5-digit odometer that passed 99 999",
            Defect::UnrolledOdometer => {
                "adds 100 000 to any reading below the vehicle's last one, as if every odometer had 5 digits and rolled over"
            }
            Defect::NoSubcontractFlag => "does not flag subcontracted work",
            Defect::SubcontractFlagEverywhere => "flags every job as subcontracted",
            Defect::SkipVatJob => {
                "skips every job of at most 125 EUR, a VAT-liable customer's and subcontracted work too"
            }
            Defect::PrivateCustomerEverywhere => "sends CustomerType Private for every customer",
            Defect::PrivateAboveLimit => {
                "asks the customer's type only where the 125 EUR exemption could apply, and sends every larger job as Private (no step listing C11 has such a job)"
            }
            Defect::NewClientReferenceOnRetry => "invents a new ClientReference when it retries",
            Defect::ChangedRetry => {
                "has the odometer typed again when it retries, and sends the new value under the same ClientReference"
            }
            Defect::NoStatusQuery => "never asks GetReadingStatus",
            Defect::BlindResend => "sends every reading twice, ignoring the first receipt",
            Defect::NoOkLabel => "publishes adverts without asking for the OK label",
            Defect::StaleAdvertMileage => {
                "asks the OK label with the vehicle's last known mileage instead of the advertised one"
            }
            Defect::MissingSoftwareHeader => "sends no ClientInfo header",
            Defect::WrongSoftwareVersion => {
                "sends its build number as SoftwareVersion instead of the certified version"
            }
            Defect::NoValidate => "sends readings without checking them with ValidateReading first",
            Defect::ValidateAfterSubmit => {
                "checks a reading with ValidateReading after sending it instead of before"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The criteria about a flag or a value the DMS sends.
    const FLAGS_AND_VALUES: [Criterion; 6] = [
        Criterion::C03,
        Criterion::C04,
        Criterion::C08,
        Criterion::C09,
        Criterion::C10,
        Criterion::C11,
    ];

    #[test]
    fn every_criterion_has_two_defects_one_sent_where_it_does_not_belong_for_flags_and_values() {
        for criterion in Criterion::ALL {
            let defects: Vec<Defect> = Defect::ALL
                .into_iter()
                .filter(|d| d.criterion() == criterion)
                .collect();
            assert!(defects.len() >= 2, "{criterion}: {defects:?}");
            if FLAGS_AND_VALUES.contains(&criterion) {
                assert!(
                    defects.iter().any(|d| d.sent_where_it_does_not_belong()),
                    "{criterion}: {defects:?}"
                );
            }
        }
        for defect in Defect::ALL {
            assert_eq!(Defect::parse(defect.name()), Some(defect));
        }
    }
}
