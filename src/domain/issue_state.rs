//! Where an issue stands (issue 3: open, corrected, confirmed, escalated, resolved by staff).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueState {
    /// An Error waiting for its one electronic answer.
    Open,
    /// Answered by CorrectIssue, and the corrected reading passed.
    Corrected,
    /// Answered by ConfirmReading: the data sent was right; staff review it.
    Confirmed,
    /// Needs the signed paper form: the correction was still wrong, or the limit was reached.
    Escalated,
    /// Staff accepted, rejected or corrected the reading.
    ResolvedByStaff,
    /// A warning or information: nothing to answer.
    Noted,
}

impl IssueState {
    pub const ALL: [IssueState; 6] = [
        IssueState::Open,
        IssueState::Corrected,
        IssueState::Confirmed,
        IssueState::Escalated,
        IssueState::ResolvedByStaff,
        IssueState::Noted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueState::Open => "Open",
            IssueState::Corrected => "Corrected",
            IssueState::Confirmed => "Confirmed",
            IssueState::Escalated => "Escalated",
            IssueState::ResolvedByStaff => "ResolvedByStaff",
            IssueState::Noted => "Noted",
        }
    }

    pub fn parse(raw: &str) -> Option<IssueState> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Issues that still hold the reading back, until staff decide.
    pub fn awaits_staff(self) -> bool {
        matches!(self, IssueState::Confirmed | IssueState::Escalated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_through_its_contract_name() {
        for state in IssueState::ALL {
            assert_eq!(IssueState::parse(state.as_str()), Some(state));
        }
        assert_eq!(IssueState::parse("open"), None);
    }
}
