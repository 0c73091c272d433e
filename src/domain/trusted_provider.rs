//! The Trusted Provider label (SPEC 2.10): awarded for year Y to the companies whose readings
//! of year Y-1 caused a discrepancy in a vehicle's history in less than 0.5 % of cases.
//!
//! Interpretation, documented in the README:
//! - a reading "dated in Y-1" is one whose work date falls in Y-1;
//! - a reading caused a discrepancy when it raised an odometer anomaly on its vehicle's history
//!   (ODOMETER_ROLLBACK, ODOMETER_ABOVE_LATER, ODOMETER_IMPLAUSIBLE_RATE) and the values it was
//!   sent or corrected with still contradict that history as it now stands: a typo corrected
//!   later still broke the history when it was sent, but a reading flagged only against values
//!   from before a drop staff accepted later broke nothing (the drop starts a new sequence);
//! - a company needs at least `MIN_READINGS` readings that year to be judged at all, so that one
//!   mistake among a handful of readings neither awards nor withholds the label by chance.

use super::issue::IssueCode;

/// Fewer readings than this in the year: the share says too little to award the label.
pub const MIN_READINGS: u64 = 200;
/// 0.5 %, in parts per thousand: the share must stay strictly below it.
const LIMIT_PER_MILLE: u64 = 5;

/// The issues that mark a break in a vehicle's odometer history.
pub const DISCREPANCIES: [IssueCode; 3] = [
    IssueCode::OdometerRollback,
    IssueCode::OdometerAboveLater,
    IssueCode::OdometerImplausibleRate,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    TooFewReadings,
    Trusted,
    NotTrusted,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::TooFewReadings => "too few readings",
            Standing::Trusted => "trusted",
            Standing::NotTrusted => "not trusted",
        }
    }
}

pub fn standing(readings: u64, discrepancies: u64) -> Standing {
    if readings < MIN_READINGS {
        Standing::TooFewReadings
    } else if discrepancies * 1000 < readings * LIMIT_PER_MILLE {
        Standing::Trusted
    } else {
        Standing::NotTrusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn just_below_half_a_percent_is_trusted_and_half_a_percent_is_not() {
        // 1 in 204 is 0.49 %; 1 in 200 is exactly 0.5 %.
        assert_eq!(standing(204, 1), Standing::Trusted);
        assert_eq!(standing(200, 1), Standing::NotTrusted);
        assert_eq!(standing(10_000, 49), Standing::Trusted);
        assert_eq!(standing(10_000, 50), Standing::NotTrusted);
        assert_eq!(standing(10_000, 0), Standing::Trusted);
    }

    #[test]
    fn the_minimum_volume_decides_eligibility_whatever_the_share() {
        assert_eq!(standing(MIN_READINGS - 1, 0), Standing::TooFewReadings);
        assert_eq!(standing(MIN_READINGS, 0), Standing::Trusted);
        assert_eq!(standing(0, 0), Standing::TooFewReadings);
    }
}
