//! The operations of the contract (SPEC 3.3) and who may call them. A leaf: the SOAP layer
//! finds and runs them, the metrics count them, the certification harness recognises them.

use super::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    SubmitReadings,
    ValidateReading,
    CorrectIssue,
    ConfirmReading,
    GetReadingStatus,
    RequestOkLabel,
    RequestCarPass,
    ListActivities,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::SubmitReadings,
        Operation::ValidateReading,
        Operation::CorrectIssue,
        Operation::ConfirmReading,
        Operation::GetReadingStatus,
        Operation::RequestOkLabel,
        Operation::RequestCarPass,
        Operation::ListActivities,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::SubmitReadings => "SubmitReadings",
            Operation::ValidateReading => "ValidateReading",
            Operation::CorrectIssue => "CorrectIssue",
            Operation::ConfirmReading => "ConfirmReading",
            Operation::GetReadingStatus => "GetReadingStatus",
            Operation::RequestOkLabel => "RequestOkLabel",
            Operation::RequestCarPass => "RequestCarPass",
            Operation::ListActivities => "ListActivities",
        }
    }

    /// Portals ask for labels; garages report, and may ask for labels of their own adverts.
    /// A Car-Pass is asked by inspection centres and by garages and dealers who sell a car.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Operation::ListActivities => true,
            Operation::RequestOkLabel => matches!(role, Role::Submitter | Role::Portal),
            Operation::RequestCarPass => matches!(role, Role::Submitter | Role::Inspector),
            _ => role == Role::Submitter,
        }
    }
}
