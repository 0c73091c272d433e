//! Issue numbers of certificates.
//!
//! SPEC 3.5: issue numbers are unique (from a database sequence), short enough
//! to type, and carry a check digit so that a typo is caught.

use std::fmt;
use std::str::FromStr;

/// Largest sequence: 18 digits, so that with the check digit an issue number
/// has at most 19 digits and always parses back (a database sequence will not
/// get anywhere near it).
pub const MAX_SEQUENCE: i64 = 999_999_999_999_999_999;

/// SPEC 3.5: at most this many digits in a typed issue number, check digit
/// included.
pub const MAX_DIGITS: usize = 19;

/// Display pads the sequence to this many digits so early numbers look alike.
const MIN_SEQUENCE_DIGITS: usize = 6;

/// Damm's quasigroup table (H. M. Damm, 2004), weakly totally
/// anti-symmetric: a check digit computed with it catches every single-digit
/// error and every transposition of two adjacent digits (SPEC 3.5), unlike
/// Luhn, which misses 09 <-> 90. Its diagonal is all zeros, so leading zeros
/// do not change the check digit: `42` and `000042` share it.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// Damm interim digit after feeding `digits` (each 0..=9); it is the check
/// digit of `digits`, and 0 exactly when `digits` ends with a correct one.
/// The Car-Pass ID (`car_pass_id`) uses it too.
pub(crate) fn damm(digits: impl IntoIterator<Item = u8>) -> u8 {
    digits
        .into_iter()
        .fold(0, |interim, d| DAMM[usize::from(interim)][usize::from(d)])
}

/// A certificate issue number: a positive database sequence value plus a
/// Damm check digit, written `000042-7` (SPEC 3.5).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct IssueNumber {
    sequence: i64,
}

impl IssueNumber {
    /// The issue number of database sequence value `seq`; `None` below 1
    /// (sequences start at 1) or above [`MAX_SEQUENCE`].
    pub fn from_sequence(seq: i64) -> Option<IssueNumber> {
        (1..=MAX_SEQUENCE)
            .contains(&seq)
            .then_some(IssueNumber { sequence: seq })
    }

    /// The database sequence value, without the check digit.
    pub fn sequence(&self) -> i64 {
        self.sequence
    }

    /// The Damm check digit (0..=9) of the sequence.
    pub fn check_digit(&self) -> u8 {
        damm(self.sequence.to_string().bytes().map(|b| b - b'0'))
    }

    /// Parses a typed issue number: surrounding whitespace is trimmed, inner
    /// whitespace is ignored, and the hyphen before the check digit is
    /// optional (`000042-7`, `0000427`, `42-7`, ` 000 042 - 7 `).
    pub fn parse(raw: &str) -> Result<IssueNumber, IssueNumberError> {
        let mut compact: Vec<char> = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(IssueNumberError::Empty);
        }
        // Only one hyphen, and only where Display puts it: before the check digit.
        if let Some(hyphen) = compact.iter().position(|&c| c == '-') {
            if hyphen + 2 != compact.len() {
                return Err(IssueNumberError::NotDigits);
            }
            compact.remove(hyphen);
        }
        let digits: Vec<u8> = compact
            .iter()
            .map(|&c| c.is_ascii_digit().then(|| c as u8 - b'0'))
            .collect::<Option<_>>()
            .ok_or(IssueNumberError::NotDigits)?;
        if digits.len() > MAX_DIGITS {
            return Err(IssueNumberError::TooLong {
                count: digits.len(),
            });
        }
        if damm(digits.iter().copied()) != 0 {
            return Err(IssueNumberError::CheckDigitMismatch);
        }
        // At most 18 sequence digits: fits in i64 without overflow.
        let sequence = digits[..digits.len() - 1]
            .iter()
            .fold(0i64, |n, &d| n * 10 + i64::from(d));
        IssueNumber::from_sequence(sequence).ok_or(IssueNumberError::Zero)
    }
}

impl fmt::Display for IssueNumber {
    /// The sequence padded to at least 6 digits, a hyphen, the check digit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}-{}",
            self.sequence,
            self.check_digit(),
            width = MIN_SEQUENCE_DIGITS
        )
    }
}

impl FromStr for IssueNumber {
    type Err = IssueNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IssueNumber::parse(s)
    }
}

impl TryFrom<String> for IssueNumber {
    type Error = IssueNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        IssueNumber::parse(&value)
    }
}

impl From<IssueNumber> for String {
    fn from(number: IssueNumber) -> String {
        number.to_string()
    }
}

/// Why a typed issue number is not accepted (SPEC 3.5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueNumberError {
    #[error(
        "the issue number is empty: type the number printed on the certificate, like 000042-7"
    )]
    Empty,

    #[error(
        "the issue number may contain only digits, with an optional hyphen before \
         the last digit, like 000042-7: check what was typed"
    )]
    NotDigits,

    #[error("the issue number has {count} digits but has at most 19: look for extra digits")]
    TooLong { count: usize },

    #[error("the check digit does not match: look for a typo in the issue number")]
    CheckDigitMismatch,

    #[error("000000-0 is not an issue number (they start at 000001): check the number printed on the certificate")]
    Zero,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(seq: i64) -> IssueNumber {
        IssueNumber::from_sequence(seq).unwrap()
    }

    /// Digits of a rendered issue number, without the hyphen.
    fn digits_of(n: IssueNumber) -> Vec<u8> {
        n.to_string()
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    fn render(digits: &[u8]) -> String {
        digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    #[test]
    fn damm_check_digit_of_572_is_4_as_in_the_published_example() {
        assert_eq!(damm([5, 7, 2]), 4);
        assert_eq!(damm([5, 7, 2, 4]), 0);
    }

    #[test]
    fn the_damm_table_is_a_latin_square_with_a_zero_diagonal() {
        for i in 0..10 {
            assert_eq!(DAMM[i][i], 0);
            let mut row: Vec<u8> = DAMM[i].to_vec();
            let mut column: Vec<u8> = DAMM.iter().map(|r| r[i]).collect();
            row.sort_unstable();
            column.sort_unstable();
            assert_eq!(row, (0..10).collect::<Vec<u8>>());
            assert_eq!(column, (0..10).collect::<Vec<u8>>());
        }
    }

    #[test]
    fn sequence_42_displays_as_000042_7() {
        assert_eq!(number(42).to_string(), "000042-7");
        assert_eq!(number(42).check_digit(), 7);
        assert_eq!(number(42).sequence(), 42);
    }

    #[test]
    fn small_sequences_are_padded_to_six_digits() {
        assert_eq!(number(1).to_string(), "000001-3");
        assert_eq!(number(999_999).to_string().len(), 8);
        assert_eq!(number(1_000_000).to_string().len(), 9);
    }

    #[test]
    fn sequences_below_one_have_no_issue_number() {
        for seq in [0, -1, -42, i64::MIN] {
            assert_eq!(IssueNumber::from_sequence(seq), None, "{seq}");
        }
    }

    #[test]
    fn sequences_above_the_maximum_have_no_issue_number() {
        assert!(IssueNumber::from_sequence(MAX_SEQUENCE).is_some());
        assert_eq!(IssueNumber::from_sequence(MAX_SEQUENCE + 1), None);
        assert_eq!(IssueNumber::from_sequence(i64::MAX), None);
    }

    #[test]
    fn every_sequence_up_to_100000_round_trips() {
        for seq in 1..=100_000 {
            let n = number(seq);
            assert_eq!(IssueNumber::parse(&n.to_string()), Ok(n), "{seq}");
        }
    }

    #[test]
    fn big_sequences_round_trip() {
        for seq in [
            999_999,
            1_000_000,
            123_456_789,
            4_294_967_296,
            100_000_000_000_000_000,
            MAX_SEQUENCE - 1,
            MAX_SEQUENCE,
        ] {
            let n = number(seq);
            let shown = n.to_string();
            assert!(shown.len() <= MAX_DIGITS + 1, "{shown}");
            assert_eq!(IssueNumber::parse(&shown), Ok(n), "{seq}");
            assert_eq!(IssueNumber::parse(&shown.replace('-', "")), Ok(n), "{seq}");
        }
    }

    #[test]
    fn the_hyphen_is_optional() {
        assert_eq!(IssueNumber::parse("000042-7"), Ok(number(42)));
        assert_eq!(IssueNumber::parse("0000427"), Ok(number(42)));
    }

    #[test]
    fn leading_zeros_may_be_left_out() {
        assert_eq!(IssueNumber::parse("42-7"), Ok(number(42)));
        assert_eq!(IssueNumber::parse("427"), Ok(number(42)));
        assert_eq!(IssueNumber::parse("00000000000000427"), Ok(number(42)));
    }

    #[test]
    fn surrounding_and_inner_whitespace_is_ignored() {
        for raw in [
            " 000042-7",
            "000042-7 ",
            "\t000042-7\n",
            "000 042-7",
            "000042 - 7",
            "0 0 0 0 4 2 7",
            "  000042 7  ",
        ] {
            assert_eq!(IssueNumber::parse(raw), Ok(number(42)), "{raw:?}");
        }
    }

    #[test]
    fn empty_or_blank_input_is_empty() {
        for raw in ["", " ", "\t\n  "] {
            assert_eq!(
                IssueNumber::parse(raw),
                Err(IssueNumberError::Empty),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn letters_signs_and_misplaced_hyphens_are_not_digits() {
        for raw in [
            "-",
            "--",
            "00004a-7",
            "000042-x",
            "000042_7",
            "0000-427",
            "-0000427",
            "0000427-",
            "000042--7",
            "00-0042-7",
            "+0000427",
            "000042.7",
            "00004２-7",
            "000042—7",
        ] {
            assert_eq!(
                IssueNumber::parse(raw),
                Err(IssueNumberError::NotDigits),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn twenty_digits_are_too_long_and_nineteen_are_not() {
        let nineteen = number(MAX_SEQUENCE).to_string();
        assert_eq!(nineteen.replace('-', "").len(), 19);
        assert!(IssueNumber::parse(&nineteen).is_ok());
        assert_eq!(
            IssueNumber::parse(&format!("0{nineteen}")),
            Err(IssueNumberError::TooLong { count: 20 })
        );
        assert_eq!(
            IssueNumber::parse(&"9".repeat(40)),
            Err(IssueNumberError::TooLong { count: 40 })
        );
    }

    #[test]
    fn all_zeros_with_a_valid_check_digit_is_zero() {
        for raw in ["0", "00", "000000-0", "0000000", "0-0"] {
            assert_eq!(
                IssueNumber::parse(raw),
                Err(IssueNumberError::Zero),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_wrong_check_digit_is_a_mismatch() {
        for wrong in 0..10 {
            if wrong == 7 {
                continue;
            }
            assert_eq!(
                IssueNumber::parse(&format!("000042-{wrong}")),
                Err(IssueNumberError::CheckDigitMismatch),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_single_nonzero_digit_is_a_mismatch_not_a_crash() {
        for d in 1..10 {
            assert_eq!(
                IssueNumber::parse(&d.to_string()),
                Err(IssueNumberError::CheckDigitMismatch)
            );
        }
    }

    #[test]
    fn every_single_digit_substitution_is_rejected() {
        let samples = (1..=2_000)
            .chain([123_456, 999_999, 1_000_000, 9_876_543_210, MAX_SEQUENCE])
            .map(number);
        for n in samples {
            let digits = digits_of(n);
            for position in 0..digits.len() {
                for replacement in 0..10 {
                    if replacement == digits[position] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[position] = replacement;
                    assert_eq!(
                        IssueNumber::parse(&render(&typo)),
                        Err(IssueNumberError::CheckDigitMismatch),
                        "{n} with digit {position} -> {replacement}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_adjacent_transposition_is_rejected() {
        let samples = (1..=20_000)
            .chain([123_456, 909_090, 1_000_000, 9_876_543_210, MAX_SEQUENCE])
            .map(number);
        for n in samples {
            let digits = digits_of(n);
            for position in 0..digits.len() - 1 {
                if digits[position] == digits[position + 1] {
                    continue;
                }
                let mut typo = digits.clone();
                typo.swap(position, position + 1);
                assert_eq!(
                    IssueNumber::parse(&render(&typo)),
                    Err(IssueNumberError::CheckDigitMismatch),
                    "{n} swapping {position} and {}",
                    position + 1
                );
            }
        }
    }

    #[test]
    fn swapping_the_check_digit_across_the_hyphen_is_rejected() {
        // 000042-7 typed as 000047-2.
        assert_eq!(
            IssueNumber::parse("000047-2"),
            Err(IssueNumberError::CheckDigitMismatch)
        );
    }

    #[test]
    fn serializes_as_displayed_and_deserializes_through_parse() {
        let n = number(42);
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"000042-7\"");
        assert_eq!(
            serde_json::from_str::<IssueNumber>("\"0000427\"").unwrap(),
            n
        );
        assert!(serde_json::from_str::<IssueNumber>("\"000042-1\"").is_err());
    }

    #[test]
    fn from_str_parses_like_parse() {
        assert_eq!("000042-7".parse::<IssueNumber>(), Ok(number(42)));
    }

    #[test]
    fn issue_numbers_order_by_sequence() {
        assert!(number(9) < number(10));
        assert!(number(99_999) < number(100_000));
    }

    #[test]
    fn messages_tell_the_user_what_to_do() {
        assert_eq!(
            IssueNumberError::CheckDigitMismatch.to_string(),
            "the check digit does not match: look for a typo in the issue number"
        );
        assert_eq!(
            IssueNumberError::Empty.to_string(),
            "the issue number is empty: type the number printed on the certificate, like 000042-7"
        );
        assert_eq!(
            IssueNumberError::TooLong { count: 20 }.to_string(),
            "the issue number has 20 digits but has at most 19: look for extra digits"
        );
        assert!(IssueNumberError::NotDigits
            .to_string()
            .contains("only digits"));
        assert!(IssueNumberError::Zero.to_string().contains("000001"));
    }
}
