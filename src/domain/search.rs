//! What the clerk typed in the search box, read once: the text itself (a garage's name, a
//! reading id, a ClientReference, a session), and what it can also be: the start of a VIN, or
//! an enterprise number typed with or without its dots and spaces.

/// The shortest text searched: one or two characters would match half the register.
pub const MIN_CHARS: usize = 3;

/// The longest text searched: nothing the registry names is longer (a ClientReference is at
/// most 50 characters, a VIN 17).
pub const MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    /// As typed, trimmed.
    pub text: String,
    /// Uppercase, when the text can be the start of a VIN (letters and digits only).
    pub vin_prefix: Option<String>,
    /// The digits, when the text is only digits, dots and spaces (an enterprise number, whole
    /// or its start; `876543270` is taken as `0876543270`).
    pub kbo_digits: Option<String>,
}

/// Why a text is not searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooVague {
    TooShort,
    TooLong,
}

impl Needle {
    pub fn parse(raw: &str) -> Result<Needle, TooVague> {
        let text = raw.trim();
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(TooVague::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(TooVague::TooLong);
        }
        let vin_prefix = (chars <= 17 && text.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| text.to_ascii_uppercase());
        let kbo_digits = text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
            .then(|| {
                text.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            })
            .filter(|d| (MIN_CHARS..=10).contains(&d.len()))
            .map(|d| if d.len() == 9 { format!("0{d}") } else { d });
        Ok(Needle {
            text: text.to_owned(),
            vin_prefix,
            kbo_digits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enterprise_number_is_found_with_or_without_its_dots_and_leading_zero() {
        for typed in [
            "0876.543.270",
            "0876 543 270",
            "0876543270",
            "876543270",
            " 0876543270 ",
        ] {
            assert_eq!(
                Needle::parse(typed).unwrap().kbo_digits.as_deref(),
                Some("0876543270"),
                "{typed:?}"
            );
        }
        assert_eq!(
            Needle::parse("0876").unwrap().kbo_digits.as_deref(),
            Some("0876")
        );
        assert_eq!(Needle::parse("Garage 12").unwrap().kbo_digits, None);
        assert_eq!(Needle::parse("08765432701").unwrap().kbo_digits, None);
    }

    #[test]
    fn a_vin_is_searched_by_its_start_in_capitals() {
        assert_eq!(
            Needle::parse("wdb2030461a").unwrap().vin_prefix.as_deref(),
            Some("WDB2030461A")
        );
        assert_eq!(Needle::parse("WDB 203").unwrap().vin_prefix, None);
        assert_eq!(
            Needle::parse("WDB2030461A0000011").unwrap().vin_prefix,
            None
        );
    }

    #[test]
    fn too_short_or_too_long_a_text_is_not_searched() {
        assert_eq!(Needle::parse(" ab "), Err(TooVague::TooShort));
        assert_eq!(Needle::parse(""), Err(TooVague::TooShort));
        assert_eq!(Needle::parse(&"x".repeat(101)), Err(TooVague::TooLong));
        assert_eq!(Needle::parse("abc").unwrap().text, "abc");
        assert_eq!(
            Needle::parse(&"é".repeat(100))
                .unwrap()
                .text
                .chars()
                .count(),
            100
        );
    }
}
