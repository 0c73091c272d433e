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
use super::reading::ReadingInput;
use super::rules::{self, HistoryEntry};

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

/// Whether values a reading was sent or corrected with break its vehicle's official history
/// as it now stands without that reading (`history`): read with the drops staff accepted as
/// new sequences, so an honest reading above an accepted drop breaks nothing.
pub fn breaks_history(values: &ReadingInput, five_digit: bool, history: &[HistoryEntry]) -> bool {
    !rules::history_findings(values, five_digit, history).is_empty()
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
    use crate::domain::odometer::OdometerUnit;
    use crate::domain::reading::{CustomerType, Work};
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn entry(date: NaiveDate, odometer: u64) -> HistoryEntry {
        HistoryEntry {
            work_date: date,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
        }
    }

    fn sent(date: NaiveDate, odometer: u64) -> ReadingInput {
        ReadingInput {
            vin: "WDB2030461A000001".into(),
            work_date: date,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 20_000,
            works: vec![Work {
                activity_code: "MAINTENANCE".into(),
                description: "Onderhoud".into(),
            }],
            license_plate: None,
            source: crate::domain::source::ReadingSource::Garage,
        }
    }

    #[test]
    fn a_typo_below_the_history_breaks_it_and_the_corrected_value_does_not() {
        let history = [entry(d(1, 10), 80_150)];
        assert!(breaks_history(&sent(d(6, 2), 8_090), false, &history));
        assert!(breaks_history(&sent(d(6, 2), 80_149), false, &history));
        assert!(!breaks_history(&sent(d(6, 2), 80_150), false, &history));
    }

    #[test]
    fn a_reading_above_an_accepted_drop_breaks_nothing_and_the_drop_itself_does() {
        // 60,000 on 26 May was accepted below 80,150: it starts a new sequence.
        let history = [entry(d(1, 10), 80_150), entry(d(5, 26), 60_000)];
        assert!(!breaks_history(&sent(d(5, 27), 60_000), false, &history));
        assert!(breaks_history(&sent(d(5, 27), 59_999), false, &history));
        let before_the_drop = [entry(d(1, 10), 80_150)];
        assert!(breaks_history(
            &sent(d(5, 26), 60_000),
            false,
            &before_the_drop
        ));
    }

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
