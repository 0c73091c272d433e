//! Odometer values exactly as displayed, and their units (SPEC 2.3, 4).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OdometerUnit {
    #[default]
    Km,
    Mi,
}

/// SPEC 4 ODOMETER_INVALID: no car shows more than 2,000,000 km.
pub const MAX_KM: u64 = 2_000_000;
/// The largest value a 5-digit odometer can display (SPEC 2.3, FIVE_DIGIT_OVERFLOW).
pub const FIVE_DIGIT_MAX: u64 = 99_999;
/// A 5-digit odometer starts again at 0 after 99,999: a rollover, not a rollback.
pub const FIVE_DIGIT_MODULUS: u64 = FIVE_DIGIT_MAX + 1;
/// One international mile is exactly 1,609,344 mm.
const MILLIMETRES_PER_MILE: u64 = 1_609_344;
const MILLIMETRES_PER_KM: u64 = 1_000_000;

impl OdometerUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            OdometerUnit::Km => "km",
            OdometerUnit::Mi => "mi",
        }
    }

    pub fn parse(raw: &str) -> Option<OdometerUnit> {
        match raw {
            "km" => Some(OdometerUnit::Km),
            "mi" => Some(OdometerUnit::Mi),
            _ => None,
        }
    }

    /// The distance in whole kilometres, rounded to the nearest.
    pub fn to_km(self, value: u64) -> u64 {
        match self {
            OdometerUnit::Km => value,
            OdometerUnit::Mi => {
                (value * MILLIMETRES_PER_MILE + MILLIMETRES_PER_KM / 2) / MILLIMETRES_PER_KM
            }
        }
    }

    /// The highest valid display in this unit: its equivalent must not pass `MAX_KM`.
    pub fn max_value(self) -> u64 {
        match self {
            OdometerUnit::Km => MAX_KM,
            OdometerUnit::Mi => MAX_KM * MILLIMETRES_PER_KM / MILLIMETRES_PER_MILE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miles_convert_to_the_nearest_kilometre() {
        assert_eq!(OdometerUnit::Mi.to_km(0), 0);
        assert_eq!(OdometerUnit::Mi.to_km(1), 2);
        assert_eq!(OdometerUnit::Mi.to_km(100), 161);
        assert_eq!(OdometerUnit::Mi.to_km(62_137), 100_000);
        assert_eq!(OdometerUnit::Km.to_km(45_210), 45_210);
    }

    #[test]
    fn the_highest_valid_mileage_is_the_last_one_within_two_million_km() {
        assert_eq!(OdometerUnit::Km.max_value(), 2_000_000);
        let max_mi = OdometerUnit::Mi.max_value();
        assert_eq!(max_mi, 1_242_742);
        assert!(max_mi * MILLIMETRES_PER_MILE <= MAX_KM * MILLIMETRES_PER_KM);
        assert!((max_mi + 1) * MILLIMETRES_PER_MILE > MAX_KM * MILLIMETRES_PER_KM);
    }

    #[test]
    fn units_are_written_as_in_the_contract() {
        for unit in [OdometerUnit::Km, OdometerUnit::Mi] {
            assert_eq!(OdometerUnit::parse(unit.as_str()), Some(unit));
        }
        assert_eq!(OdometerUnit::parse("KM"), None);
    }
}
