//! The ID number printed on a Car-Pass (seed 002): what a buyer types on the verification page.
//!
//! Twelve random digits and a Damm check digit, written `4821-7730-1956-3`. Random, so that
//! IDs say nothing about how many were issued and guessing one is hopeless (10^12 of them for
//! under a million a year); the check digit tells a mistyped ID (any one digit wrong, or two
//! neighbours swapped) from one that was never issued, before anything is looked up.

use std::fmt;

use rand::Rng;

use super::issue_number::damm;

/// The random digits, without the check digit.
const BODY_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CarPassId {
    /// The 13 digits, check digit last.
    digits: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CarPassIdError {
    #[error("a Car-Pass ID is 13 digits, written like 4821-7730-1956-3")]
    Malformed,
    /// Well formed but the check digit does not match: a typo, or not a Car-Pass ID.
    #[error("the check digit does not match: a digit was mistyped or two were swapped")]
    CheckDigit,
}

impl CarPassId {
    /// A new random ID; the caller makes sure it was never issued (the key is unique).
    pub fn random(rng: &mut impl Rng) -> CarPassId {
        let body: Vec<u8> = (0..BODY_DIGITS).map(|_| rng.gen_range(0..10)).collect();
        CarPassId::from_body(&body)
    }

    fn from_body(body: &[u8]) -> CarPassId {
        let check = damm(body.iter().copied());
        let digits = body
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect();
        CarPassId { digits }
    }

    /// Reads an ID as typed: spaces, hyphens and dots anywhere are ignored.
    pub fn parse(raw: &str) -> Result<CarPassId, CarPassIdError> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
            .collect();
        if digits.len() != BODY_DIGITS + 1 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CarPassIdError::Malformed);
        }
        if damm(digits.bytes().map(|b| b - b'0')) != 0 {
            return Err(CarPassIdError::CheckDigit);
        }
        Ok(CarPassId { digits })
    }

    /// The 13 digits without separators: the stored key and the URL's.
    pub fn compact(&self) -> &str {
        &self.digits
    }
}

impl fmt::Display for CarPassId {
    /// In groups of four, the check digit apart: `4821-7730-1956-3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.digits;
        write!(f, "{}-{}-{}-{}", &d[0..4], &d[4..8], &d[8..12], &d[12..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn id(body: &str) -> CarPassId {
        let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        CarPassId::from_body(&digits)
    }

    #[test]
    fn an_id_is_written_in_groups_and_read_back_however_it_is_typed() {
        let issued = id("482177301956");
        let written = issued.to_string();
        assert_eq!(written.len(), 16);
        assert_eq!(&written[..15], "4821-7730-1956-");
        for typed in [
            written.clone(),
            issued.compact().to_owned(),
            written.replace('-', " "),
            format!("  {}  ", written.replace('-', ".")),
        ] {
            assert_eq!(CarPassId::parse(&typed), Ok(issued.clone()), "{typed}");
        }
    }

    #[test]
    fn every_single_digit_typo_and_every_swap_of_neighbours_is_caught() {
        let issued = id("000123456789");
        let digits: Vec<u8> = issued.compact().bytes().map(|b| b - b'0').collect();
        for at in 0..digits.len() {
            for wrong in 0..10u8 {
                if wrong == digits[at] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[at] = wrong;
                let typed: String = typo.iter().map(|d| char::from(b'0' + d)).collect();
                assert_eq!(CarPassId::parse(&typed), Err(CarPassIdError::CheckDigit));
            }
            if at + 1 < digits.len() && digits[at] != digits[at + 1] {
                let mut swapped = digits.clone();
                swapped.swap(at, at + 1);
                let typed: String = swapped.iter().map(|d| char::from(b'0' + d)).collect();
                assert_eq!(CarPassId::parse(&typed), Err(CarPassIdError::CheckDigit));
            }
        }
    }

    #[test]
    fn anything_but_thirteen_digits_is_malformed_not_mistyped() {
        let issued = id("482177301956").compact().to_owned();
        for typed in [
            "",
            &issued[..12],
            &format!("{issued}0"),
            &issued.replace('4', "A"),
            "4821/7730/1956/3",
        ] {
            assert_eq!(
                CarPassId::parse(typed),
                Err(CarPassIdError::Malformed),
                "{typed}"
            );
        }
    }

    #[test]
    fn random_ids_are_valid_and_do_not_follow_each_other() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let ids: Vec<CarPassId> = (0..1000).map(|_| CarPassId::random(&mut rng)).collect();
        for issued in &ids {
            assert_eq!(CarPassId::parse(issued.compact()).as_ref(), Ok(issued));
        }
        let mut unique: Vec<&str> = ids.iter().map(CarPassId::compact).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        // Not a sequence: consecutive IDs differ by more than a few.
        let value = |i: &CarPassId| i.compact()[..12].parse::<i64>().unwrap();
        assert!(ids
            .windows(2)
            .all(|w| (value(&w[0]) - value(&w[1])).abs() > 1000));
    }
}
