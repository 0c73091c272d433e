//! Reading statuses (SPEC 3.4; the names are part of the contract).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadingStatus {
    Accepted,
    AcceptedWithWarnings,
    /// An Error issue is open.
    PendingCorrection,
    /// Held for staff: uncorrectable or escalated.
    Reviewing,
    /// The VIN is not in the vehicle register yet; re-evaluated when the vehicle arrives.
    WaitingForRegistration,
    Rejected,
}

impl ReadingStatus {
    pub const ALL: [ReadingStatus; 6] = [
        ReadingStatus::Accepted,
        ReadingStatus::AcceptedWithWarnings,
        ReadingStatus::PendingCorrection,
        ReadingStatus::Reviewing,
        ReadingStatus::WaitingForRegistration,
        ReadingStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadingStatus::Accepted => "Accepted",
            ReadingStatus::AcceptedWithWarnings => "AcceptedWithWarnings",
            ReadingStatus::PendingCorrection => "PendingCorrection",
            ReadingStatus::Reviewing => "Reviewing",
            ReadingStatus::WaitingForRegistration => "WaitingForRegistration",
            ReadingStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<ReadingStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// SPEC 4: a reading with an open Error stays out of the official history.
    pub fn in_official_history(self) -> bool {
        matches!(
            self,
            ReadingStatus::Accepted | ReadingStatus::AcceptedWithWarnings
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_contract_name() {
        for status in ReadingStatus::ALL {
            assert_eq!(ReadingStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ReadingStatus::parse("accepted"), None);
    }

    #[test]
    fn only_accepted_readings_build_the_official_history() {
        let official: Vec<_> = ReadingStatus::ALL
            .into_iter()
            .filter(|s| s.in_official_history())
            .collect();
        assert_eq!(
            official,
            [ReadingStatus::Accepted, ReadingStatus::AcceptedWithWarnings]
        );
    }
}
