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
    // The partners' feeds (issue 22), published in wsdl/carpass-feeds.wsdl.
    SubmitForeignHistory,
    ReportPostAccident,
    ClearPostAccident,
}

impl Operation {
    pub const ALL: [Operation; 11] = [
        Operation::SubmitReadings,
        Operation::ValidateReading,
        Operation::CorrectIssue,
        Operation::ConfirmReading,
        Operation::GetReadingStatus,
        Operation::RequestOkLabel,
        Operation::RequestCarPass,
        Operation::ListActivities,
        Operation::SubmitForeignHistory,
        Operation::ReportPostAccident,
        Operation::ClearPostAccident,
    ];

    /// The garages' contract, at /soap/inflow.
    pub const INFLOW: [Operation; 8] = [
        Operation::SubmitReadings,
        Operation::ValidateReading,
        Operation::CorrectIssue,
        Operation::ConfirmReading,
        Operation::GetReadingStatus,
        Operation::RequestOkLabel,
        Operation::RequestCarPass,
        Operation::ListActivities,
    ];

    /// The partners' feeds, at /soap/feeds.
    pub const FEEDS: [Operation; 3] = [
        Operation::SubmitForeignHistory,
        Operation::ReportPostAccident,
        Operation::ClearPostAccident,
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
            Operation::SubmitForeignHistory => "SubmitForeignHistory",
            Operation::ReportPostAccident => "ReportPostAccident",
            Operation::ClearPostAccident => "ClearPostAccident",
        }
    }

    /// Portals ask for labels; garages report, and may ask for labels of their own adverts.
    /// A Car-Pass is asked by inspection centres and by garages and dealers who sell a car.
    /// Importers (the manufacturer role) send foreign histories; accident experts report an
    /// accident, and inspection centres clear it.
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// The roles that may call the operation, for `allows` and for the fault that names them.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Operation::ListActivities => &Role::ALL,
            Operation::RequestOkLabel => &[Role::Submitter, Role::Portal],
            Operation::RequestCarPass => &[Role::Submitter, Role::Inspector],
            Operation::SubmitForeignHistory => &[Role::Manufacturer],
            Operation::ReportPostAccident => &[Role::Expert],
            Operation::ClearPostAccident => &[Role::Inspector],
            Operation::SubmitReadings
            | Operation::ValidateReading
            | Operation::CorrectIssue
            | Operation::ConfirmReading
            | Operation::GetReadingStatus => &[Role::Submitter],
        }
    }
}
