//! NACE-BEL activity codes.
//!
//! SPEC 2.6: enterprises registered with NACE codes 45113, 45201, 45203,
//! 45204, 45205, 45209 or 45320 get an account.

use std::fmt;
use std::str::FromStr;

/// SPEC 2.6: the activities whose enterprises report odometer readings and so
/// get an account (car trade, repair and maintenance, parts trade).
pub const REPORTING_NACE_CODES: [&str; 7] = [
    "45113", "45201", "45203", "45204", "45205", "45209", "45320",
];

/// A 5-digit NACE-BEL subclass code, such as `45201`.
///
/// Stored as a number: codes may start with 0 (`01110`), which [`fmt::Display`]
/// restores by padding to 5 digits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct NaceCode(u32);

impl NaceCode {
    /// Parses `45201` or the official notation `45.201`: exactly five digits,
    /// with at most one dot and only after the second digit (the division).
    /// Nothing is trimmed: codes come from registers, not from typing.
    pub fn parse(raw: &str) -> Result<NaceCode, NaceCodeError> {
        let mut value = 0u32;
        let mut count = 0usize;
        for (index, c) in raw.chars().enumerate() {
            let position = index + 1;
            match c {
                '0'..='9' => {
                    count += 1;
                    // Stop accumulating past 5 digits; the count reports it.
                    if count <= 5 {
                        value = value * 10 + c.to_digit(10).expect("ASCII digit");
                    }
                }
                // The dot belongs right after the 2-digit division: "45.201".
                '.' if position == 3 && count == 2 => {}
                '.' => return Err(NaceCodeError::MisplacedDot { position }),
                _ => {
                    return Err(NaceCodeError::NotADigit {
                        character: c,
                        position,
                    })
                }
            }
        }
        if count != 5 {
            return Err(NaceCodeError::WrongDigitCount { count });
        }
        Ok(NaceCode(value))
    }

    /// SPEC 2.6: whether this activity entitles the enterprise to an account.
    pub fn is_reporting_activity(&self) -> bool {
        // Compare through the constant so the list lives in one place.
        REPORTING_NACE_CODES
            .iter()
            .any(|code| code.parse::<u32>() == Ok(self.0))
    }
}

impl fmt::Display for NaceCode {
    /// Five digits, without the dot: `45201`, `01110`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

impl FromStr for NaceCode {
    type Err = NaceCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NaceCode::parse(s)
    }
}

impl TryFrom<String> for NaceCode {
    type Error = NaceCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        NaceCode::parse(&value)
    }
}

impl From<NaceCode> for String {
    fn from(code: NaceCode) -> String {
        code.to_string()
    }
}

/// Why a string is not a 5-digit NACE-BEL code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NaceCodeError {
    /// Not 5 digits.
    #[error("the NACE code has {count} digits but must have 5, like 45201 or 45.201")]
    WrongDigitCount { count: usize },

    /// A character that is neither a digit nor the dot after the division.
    #[error(
        "the NACE code has {character:?} at position {position}: \
         write 5 digits, like 45201 or 45.201"
    )]
    NotADigit { character: char, position: usize },

    /// A dot anywhere but right after the first two digits.
    #[error(
        "the NACE code has a dot at position {position}, but a dot may only follow \
         the first two digits, like 45.201"
    )]
    MisplacedDot { position: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> NaceCode {
        NaceCode::parse(raw).unwrap()
    }

    #[test]
    fn five_digits_parse_and_display_unchanged() {
        assert_eq!(code("45201").to_string(), "45201");
    }

    #[test]
    fn the_dotted_notation_displays_without_the_dot() {
        assert_eq!(code("45.201"), code("45201"));
        assert_eq!(code("45.201").to_string(), "45201");
    }

    #[test]
    fn a_leading_zero_is_kept_on_display() {
        assert_eq!(code("01110").to_string(), "01110");
        assert_eq!(code("01.110").to_string(), "01110");
        assert_eq!(code("00000").to_string(), "00000");
    }

    #[test]
    fn every_five_digit_code_round_trips_with_and_without_dot() {
        for n in 0..100_000u32 {
            let plain = format!("{n:05}");
            let dotted = format!("{}.{}", &plain[..2], &plain[2..]);
            assert_eq!(code(&plain).to_string(), plain);
            assert_eq!(code(&dotted), code(&plain));
        }
    }

    #[test]
    fn each_of_the_seven_reporting_codes_is_a_reporting_activity() {
        for raw in REPORTING_NACE_CODES {
            assert!(code(raw).is_reporting_activity(), "{raw}");
            let dotted = format!("{}.{}", &raw[..2], &raw[2..]);
            assert!(code(&dotted).is_reporting_activity(), "{dotted}");
        }
    }

    #[test]
    fn exactly_seven_codes_are_reporting_activities() {
        let reporting: Vec<String> = (0..100_000u32)
            .map(NaceCode)
            .filter(NaceCode::is_reporting_activity)
            .map(|c| c.to_string())
            .collect();
        assert_eq!(reporting, REPORTING_NACE_CODES);
    }

    #[test]
    fn neighbouring_motor_trade_codes_are_not_reporting_activities() {
        // Motor-trade codes that SPEC 2.6 does not list.
        for raw in [
            "45111", "45112", "45190", "45202", "45206", "45310", "45400", "47300",
        ] {
            assert!(!code(raw).is_reporting_activity(), "{raw}");
        }
    }

    #[test]
    fn four_and_six_digits_are_wrong_counts() {
        assert_eq!(
            NaceCode::parse("4520"),
            Err(NaceCodeError::WrongDigitCount { count: 4 })
        );
        assert_eq!(
            NaceCode::parse("45.20"),
            Err(NaceCodeError::WrongDigitCount { count: 4 })
        );
        assert_eq!(
            NaceCode::parse("452011"),
            Err(NaceCodeError::WrongDigitCount { count: 6 })
        );
        assert_eq!(
            NaceCode::parse("45.2011"),
            Err(NaceCodeError::WrongDigitCount { count: 6 })
        );
        assert_eq!(
            NaceCode::parse("4520100000000000000000"),
            Err(NaceCodeError::WrongDigitCount { count: 22 })
        );
    }

    #[test]
    fn empty_and_lone_dot_are_refused() {
        assert_eq!(
            NaceCode::parse(""),
            Err(NaceCodeError::WrongDigitCount { count: 0 })
        );
        assert_eq!(
            NaceCode::parse("."),
            Err(NaceCodeError::MisplacedDot { position: 1 })
        );
    }

    #[test]
    fn a_dot_anywhere_but_after_the_division_is_misplaced() {
        for (raw, position) in [
            (".45201", 1),
            ("4.5201", 2),
            ("452.01", 4),
            ("4520.1", 5),
            ("45201.", 6),
            ("45..201", 4),
            ("45.2.01", 5),
        ] {
            assert_eq!(
                NaceCode::parse(raw),
                Err(NaceCodeError::MisplacedDot { position }),
                "{raw}"
            );
        }
    }

    #[test]
    fn other_characters_are_refused_without_trimming() {
        for (raw, character, position) in [
            (" 45201", ' ', 1),
            ("45201 ", ' ', 6),
            ("45-201", '-', 3),
            ("45,201", ',', 3),
            ("4520a", 'a', 5),
            ("45２01", '２', 3),
        ] {
            assert_eq!(
                NaceCode::parse(raw),
                Err(NaceCodeError::NotADigit {
                    character,
                    position
                }),
                "{raw}"
            );
        }
    }

    #[test]
    fn serializes_as_five_digits_and_deserializes_through_parse() {
        let c = code("45.201");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"45201\"");
        assert_eq!(serde_json::from_str::<NaceCode>("\"45.201\"").unwrap(), c);
        assert!(serde_json::from_str::<NaceCode>("\"4520\"").is_err());
    }

    #[test]
    fn from_str_parses_like_parse() {
        assert_eq!("45.320".parse::<NaceCode>(), NaceCode::parse("45320"));
    }

    #[test]
    fn messages_show_the_expected_form() {
        assert_eq!(
            NaceCodeError::WrongDigitCount { count: 4 }.to_string(),
            "the NACE code has 4 digits but must have 5, like 45201 or 45.201"
        );
        assert_eq!(
            NaceCode::parse("45-201").unwrap_err().to_string(),
            "the NACE code has '-' at position 3: write 5 digits, like 45201 or 45.201"
        );
        assert_eq!(
            NaceCode::parse("4520.1").unwrap_err().to_string(),
            "the NACE code has a dot at position 5, but a dot may only follow \
             the first two digits, like 45.201"
        );
    }
}
