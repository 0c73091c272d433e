//! Belgian enterprise number (ondernemingsnummer / numéro d'entreprise).
//!
//! SPEC 2.6: an enterprise number is 10 digits; its last two digits are 97
//! minus (the first eight mod 97).

use std::fmt;
use std::str::FromStr;

/// SPEC 2.6: an enterprise number has exactly this many digits.
pub const ENTERPRISE_NUMBER_DIGITS: usize = 10;

/// A valid Belgian enterprise number: 10 digits, starting with 0 or 1, whose
/// last two digits are the mod-97 check of the first eight (SPEC 2.6).
///
/// Holds the 10 digits without separators; displays as `0403.170.701` and
/// serializes as `"0403170701"`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct EnterpriseNumber(String);

impl EnterpriseNumber {
    /// Parses the forms people and registers write: `0403170701`,
    /// `0403.170.701`, `BE0403170701`, `BE 0403.170.701`, `be0403170701`.
    ///
    /// An optional `BE` prefix (any case, after optional leading spaces) is
    /// dropped, then dots and spaces anywhere are ignored; what remains must be
    /// exactly 10 digits. The old 9-digit form is not accepted: its holder
    /// must add the leading 0, so that one number has one spelling.
    pub fn parse(raw: &str) -> Result<Self, EnterpriseNumberError> {
        let without_leading_spaces = raw.trim_start_matches(' ');
        let skipped = raw.len() - without_leading_spaces.len();
        let has_prefix = without_leading_spaces
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("BE"));
        let body_start = if has_prefix { skipped + 2 } else { skipped };

        let mut digits = String::with_capacity(ENTERPRISE_NUMBER_DIGITS);
        // Positions are 1-based characters of `raw`, so the user can find them.
        let prefix_chars = raw[..body_start].chars().count();
        for (index, c) in raw[body_start..].chars().enumerate() {
            match c {
                '.' | ' ' => {}
                '0'..='9' => digits.push(c),
                _ => {
                    return Err(EnterpriseNumberError::NotADigit {
                        character: c,
                        position: prefix_chars + index + 1,
                    })
                }
            }
        }

        if digits.len() != ENTERPRISE_NUMBER_DIGITS {
            return Err(EnterpriseNumberError::WrongDigitCount {
                count: digits.len(),
            });
        }

        // SPEC 2.6: 0 and 1 start enterprise numbers; 2-9 start the numbers
        // of establishment units, which do not get an account.
        let first = digits.as_bytes()[0];
        if !matches!(first, b'0' | b'1') {
            return Err(EnterpriseNumberError::WrongFirstDigit {
                digit: char::from(first),
            });
        }

        let (base, check) = digits.split_at(8);
        let expected = check_digits(base.parse().expect("eight ASCII digits"));
        let found: u8 = check.parse().expect("two ASCII digits");
        if found != expected {
            return Err(EnterpriseNumberError::CheckDigitsMismatch {
                found,
                expected,
                base: format!("{}.{}.{}", &base[..4], &base[4..7], &base[7..]),
            });
        }
        Ok(EnterpriseNumber(digits))
    }

    /// The enterprise number whose first eight digits these are (0..=19_999_999), with its
    /// check digits; None for an establishment unit's range.
    pub fn from_first_eight(first_eight: u32) -> Option<EnterpriseNumber> {
        (first_eight < 20_000_000)
            .then(|| EnterpriseNumber(format!("{first_eight:08}{:02}", check_digits(first_eight))))
    }

    /// The 10 digits without separators, e.g. `0403170701`.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// SPEC 2.6: the check digits are 97 minus (the first eight digits mod 97).
/// They are therefore 01..=97: 97 when the first eight are a multiple of 97,
/// and never 00 or 98/99.
fn check_digits(first_eight: u32) -> u8 {
    (97 - first_eight % 97) as u8
}

impl fmt::Display for EnterpriseNumber {
    /// The official notation `dddd.ddd.ddd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "{}.{}.{}", &d[..4], &d[4..7], &d[7..])
    }
}

impl FromStr for EnterpriseNumber {
    type Err = EnterpriseNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EnterpriseNumber::parse(s)
    }
}

impl TryFrom<String> for EnterpriseNumber {
    type Error = EnterpriseNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        EnterpriseNumber::parse(&value)
    }
}

impl From<EnterpriseNumber> for String {
    fn from(number: EnterpriseNumber) -> String {
        number.0
    }
}

/// Why a string is not a valid enterprise number (SPEC 2.6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterpriseNumberError {
    /// Something other than a digit, a dot, a space or a leading `BE`.
    #[error(
        "the enterprise number has {character:?} at position {position}: write 10 digits, \
         optionally after BE and with dots or spaces, like BE 0403.170.701"
    )]
    NotADigit { character: char, position: usize },

    /// Not 10 digits once the `BE` prefix, dots and spaces are removed.
    #[error(
        "the enterprise number has {count} digits but must have 10, like 0403.170.701 \
         (an old 9-digit number gets a leading 0)"
    )]
    WrongDigitCount { count: usize },

    /// First digit 2-9: an establishment unit number, not an enterprise number.
    #[error(
        "the number starts with {digit}, but an enterprise number starts with 0 or 1 \
         (numbers starting with 2 to 9 are establishment units): give the enterprise number"
    )]
    WrongFirstDigit { digit: char },

    /// The last two digits are not 97 - (first eight mod 97).
    #[error(
        "the check digits are {found:02} but {base}xx needs {expected:02}: \
         look for a typo in the enterprise number"
    )]
    CheckDigitsMismatch {
        found: u8,
        expected: u8,
        /// The first eight digits, written `dddd.ddd.d`.
        base: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<EnterpriseNumber, EnterpriseNumberError> {
        EnterpriseNumber::parse(raw)
    }

    /// Builds a valid number from its first eight digits by the SPEC 2.6 rule.
    fn valid_from_base(base: u32) -> String {
        format!("{base:08}{:02}", 97 - base % 97)
    }

    #[test]
    fn the_check_digits_of_0403_170_701_are_01() {
        // 4031707 = 97 * 41563 + 96, and 97 - 96 = 1.
        assert_eq!(4_031_707 % 97, 96);
        assert_eq!(check_digits(4_031_707), 1);
        assert_eq!(parse("0403170701").unwrap().digits(), "0403170701");
    }

    #[test]
    fn real_enterprise_numbers_are_accepted() {
        for raw in ["0403.170.701", "0202.239.951", "0417.497.106"] {
            assert_eq!(parse(raw).unwrap().to_string(), raw);
        }
    }

    #[test]
    fn all_the_usual_spellings_give_the_same_number() {
        let expected = parse("0403170701").unwrap();
        for raw in [
            "0403170701",
            "0403.170.701",
            "BE0403170701",
            "BE 0403.170.701",
            "be0403170701",
            "Be0403.170.701",
            "bE 0403 170 701",
            "BE.0403.170.701",
            "  BE0403170701  ",
            "0403 170 701",
        ] {
            assert_eq!(parse(raw).as_ref(), Ok(&expected), "{raw}");
        }
    }

    #[test]
    fn displays_with_dots_and_gives_plain_digits() {
        let number = parse("BE0403170701").unwrap();
        assert_eq!(number.to_string(), "0403.170.701");
        assert_eq!(number.digits(), "0403170701");
        assert_eq!(String::from(number), "0403170701");
    }

    #[test]
    fn numbers_starting_with_1_are_enterprise_numbers_too() {
        let raw = valid_from_base(10_000_000);
        assert_eq!(raw, "1000000021");
        assert_eq!(parse(&raw).unwrap().to_string(), "1000.000.021");
    }

    #[test]
    fn a_multiple_of_97_gets_check_digits_97() {
        // 4031611 = 97 * 41563 and 10000021 = 97 * 103093.
        assert_eq!(check_digits(4_031_611), 97);
        assert!(parse("0403161197").is_ok());
        assert!(parse("1000002197").is_ok());
        // Even an all-zero base: 0 is a multiple of 97.
        assert!(parse("0000000097").is_ok());
        assert_eq!(
            parse("0403161100"),
            Err(EnterpriseNumberError::CheckDigitsMismatch {
                found: 0,
                expected: 97,
                base: "0403.161.1".into()
            })
        );
    }

    #[test]
    fn a_number_made_from_its_first_eight_digits_parses() {
        for first_eight in [0, 4_031_707, 12_345_678, 19_999_999] {
            let made = EnterpriseNumber::from_first_eight(first_eight).unwrap();
            assert_eq!(EnterpriseNumber::parse(made.digits()).unwrap(), made);
        }
        assert_eq!(
            EnterpriseNumber::from_first_eight(4_031_707)
                .unwrap()
                .digits(),
            "0403170701"
        );
        assert!(EnterpriseNumber::from_first_eight(20_000_000).is_none());
    }

    #[test]
    fn check_digits_are_never_00_98_or_99() {
        for base in (0..20_000_000).step_by(997) {
            let check = check_digits(base);
            assert!((1..=97).contains(&check), "{base}");
        }
    }

    #[test]
    fn exactly_one_pair_of_check_digits_fits_each_base() {
        for base in [4_031_707, 2_022_399, 10_000_000, 19_999_999, 4_031_611, 1] {
            let valid: Vec<u32> = (0..100)
                .filter(|check| parse(&format!("{base:08}{check:02}")).is_ok())
                .collect();
            assert_eq!(valid, vec![u32::from(check_digits(base))], "{base}");
        }
    }

    #[test]
    fn check_digits_off_by_one_are_rejected_with_the_expected_value() {
        for base in [
            4_031_707, 2_022_399, 4_174_971, 10_000_000, 19_999_999, 8_580_000,
        ] {
            let expected = check_digits(base);
            for found in [expected - 1, expected + 1] {
                let raw = format!("{base:08}{found:02}");
                let Err(EnterpriseNumberError::CheckDigitsMismatch {
                    found: f,
                    expected: e,
                    ..
                }) = parse(&raw)
                else {
                    panic!("{raw} should fail its check digits");
                };
                assert_eq!((f, e), (found, expected), "{raw}");
            }
        }
    }

    #[test]
    fn generated_numbers_round_trip_through_display_and_digits() {
        for base in (0..20_000_000).step_by(7_919) {
            let raw = valid_from_base(base);
            let number = parse(&raw).unwrap();
            assert_eq!(number.digits(), raw);
            assert_eq!(parse(&number.to_string()).unwrap(), number);
        }
    }

    #[test]
    fn a_changed_base_digit_is_caught() {
        // 0403.170.701 with its 8th digit 7 -> 8: the check digits no longer fit.
        assert_eq!(
            parse("0403.170.801"),
            Err(EnterpriseNumberError::CheckDigitsMismatch {
                found: 1,
                expected: 97,
                base: "0403.170.8".into()
            })
        );
        // Swapping two adjacent base digits is caught too.
        assert!(parse("0430.170.701").is_err());
    }

    #[test]
    fn nine_and_eleven_digits_are_wrong_counts() {
        assert_eq!(
            parse("403.170.701"),
            Err(EnterpriseNumberError::WrongDigitCount { count: 9 })
        );
        assert_eq!(
            parse("04031707010"),
            Err(EnterpriseNumberError::WrongDigitCount { count: 11 })
        );
    }

    #[test]
    fn empty_or_only_separators_has_zero_digits() {
        for raw in ["", "   ", "BE", "be ", "...", "BE ..."] {
            assert_eq!(
                parse(raw),
                Err(EnterpriseNumberError::WrongDigitCount { count: 0 }),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn establishment_unit_numbers_are_refused() {
        for first in 2..=9 {
            let raw = format!("{first}403170701");
            assert_eq!(
                parse(&raw),
                Err(EnterpriseNumberError::WrongFirstDigit {
                    digit: char::from_digit(first, 10).unwrap()
                }),
                "{raw}"
            );
        }
    }

    #[test]
    fn first_digit_is_checked_before_the_check_digits() {
        // 2.xxx.xxx.xxx with valid mod-97 digits is still an establishment unit.
        let raw = format!("{:08}{:02}", 20_000_000, 97 - 20_000_000 % 97);
        assert_eq!(
            parse(&raw),
            Err(EnterpriseNumberError::WrongFirstDigit { digit: '2' })
        );
    }

    #[test]
    fn other_characters_are_reported_with_their_position_in_the_input() {
        assert_eq!(
            parse("0403-170-701"),
            Err(EnterpriseNumberError::NotADigit {
                character: '-',
                position: 5
            })
        );
        assert_eq!(
            parse("BE 0403/170/701"),
            Err(EnterpriseNumberError::NotADigit {
                character: '/',
                position: 8
            })
        );
        assert_eq!(
            parse("NL0403170701"),
            Err(EnterpriseNumberError::NotADigit {
                character: 'N',
                position: 1
            })
        );
        assert_eq!(
            parse("0403170701BE"),
            Err(EnterpriseNumberError::NotADigit {
                character: 'B',
                position: 11
            })
        );
        assert_eq!(
            parse("BEBE0403170701"),
            Err(EnterpriseNumberError::NotADigit {
                character: 'B',
                position: 3
            })
        );
        assert_eq!(
            parse("0403170701\t"),
            Err(EnterpriseNumberError::NotADigit {
                character: '\t',
                position: 11
            })
        );
    }

    #[test]
    fn non_ascii_input_does_not_panic_and_is_reported() {
        assert_eq!(
            parse("ÉE0403170701"),
            Err(EnterpriseNumberError::NotADigit {
                character: 'É',
                position: 1
            })
        );
        assert_eq!(
            parse("B€0403170701"),
            Err(EnterpriseNumberError::NotADigit {
                character: 'B',
                position: 1
            })
        );
        assert_eq!(
            parse("0403１70701"),
            Err(EnterpriseNumberError::NotADigit {
                character: '１',
                position: 5
            })
        );
    }

    #[test]
    fn serializes_as_ten_digits_and_deserializes_any_spelling() {
        let number = parse("BE 0403.170.701").unwrap();
        assert_eq!(serde_json::to_string(&number).unwrap(), "\"0403170701\"");
        assert_eq!(
            serde_json::from_str::<EnterpriseNumber>("\"0403.170.701\"").unwrap(),
            number
        );
        assert!(serde_json::from_str::<EnterpriseNumber>("\"0403.170.702\"").is_err());
    }

    #[test]
    fn from_str_parses_like_parse() {
        assert_eq!(
            "0403170701".parse::<EnterpriseNumber>(),
            parse("0403170701")
        );
    }

    #[test]
    fn messages_say_what_was_expected() {
        assert_eq!(
            parse("0403.170.702").unwrap_err().to_string(),
            "the check digits are 02 but 0403.170.7xx needs 01: \
             look for a typo in the enterprise number"
        );
        assert_eq!(
            parse("403170701").unwrap_err().to_string(),
            "the enterprise number has 9 digits but must have 10, like 0403.170.701 \
             (an old 9-digit number gets a leading 0)"
        );
        assert_eq!(
            parse("2403170701").unwrap_err().to_string(),
            "the number starts with 2, but an enterprise number starts with 0 or 1 \
             (numbers starting with 2 to 9 are establishment units): give the enterprise number"
        );
        assert_eq!(
            parse("0403-170-701").unwrap_err().to_string(),
            "the enterprise number has '-' at position 5: write 10 digits, \
             optionally after BE and with dots or spaces, like BE 0403.170.701"
        );
    }
}
