//! Vehicle identification number.
//!
//! SPEC 4 VIN_INVALID: a VIN is 17 characters of A-Z and 0-9 without I, O, Q.

use std::fmt;
use std::str::FromStr;

/// SPEC 4: a VIN has exactly this many characters.
pub const VIN_LENGTH: usize = 17;

/// A VIN that passed SPEC 4: exactly 17 characters, each a capital letter
/// A-Z other than I, O, Q, or a digit 0-9.
///
/// Parsing is strict on purpose: no trimming and no upper-casing, because the
/// DMS must send the VIN exactly as it is, and a silently "repaired" VIN would
/// file the reading under the wrong vehicle.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    /// Parses `raw` as a VIN, reporting the first problem found: the length
    /// first (so a short VIN is not reported as a bad character), then the
    /// characters from left to right.
    pub fn parse(raw: &str) -> Result<Vin, VinProblem> {
        // SPEC 4 counts characters, not bytes: "É" is one (invalid) character.
        let length = raw.chars().count();
        if length != VIN_LENGTH {
            return Err(VinProblem::WrongLength { length });
        }
        for (index, c) in raw.chars().enumerate() {
            let position = index + 1;
            match c {
                // ISO 3779 leaves these out because they look like 1 and 0.
                'I' | 'O' | 'Q' => {
                    return Err(VinProblem::ForbiddenLetter {
                        letter: c,
                        position,
                    })
                }
                'A'..='Z' | '0'..='9' => {}
                _ => {
                    return Err(VinProblem::InvalidCharacter {
                        character: c,
                        position,
                    })
                }
            }
        }
        Ok(Vin(raw.to_owned()))
    }

    /// The VIN's 17 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Vin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Vin {
    type Err = VinProblem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vin::parse(s)
    }
}

impl TryFrom<String> for Vin {
    type Error = VinProblem;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Vin::parse(&value)
    }
}

impl From<Vin> for String {
    fn from(vin: Vin) -> String {
        vin.0
    }
}

/// Why a string is not a VIN (SPEC 4 VIN_INVALID). Positions are 1-based
/// character positions, as a person counts them on the registration papers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum VinProblem {
    /// Not 17 characters (counted as characters, not bytes).
    #[error(
        "the VIN has {length} characters but must have exactly 17: \
         send the full VIN as printed on the registration certificate, without spaces"
    )]
    WrongLength { length: usize },

    /// A capital I, O or Q, which VINs never use.
    #[error(
        "the VIN has the letter {letter} at position {position}, but VINs never contain \
         I, O or Q: check whether it should be the digit 1 or 0"
    )]
    ForbiddenLetter { letter: char, position: usize },

    /// Anything else that is not a capital letter or a digit, including
    /// lower-case letters, spaces and non-ASCII characters.
    #[error(
        "the VIN has {character:?} at position {position}, but a VIN has only capital \
         letters A-Z (without I, O, Q) and digits 0-9: send the VIN exactly, in capitals"
    )]
    InvalidCharacter { character: char, position: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "WBA3A5C51CF256985";

    fn with_char_at(base: &str, position: usize, c: char) -> String {
        base.chars()
            .enumerate()
            .map(|(i, original)| if i + 1 == position { c } else { original })
            .collect()
    }

    #[test]
    fn a_well_formed_vin_is_accepted_unchanged() {
        let vin = Vin::parse(VALID).unwrap();
        assert_eq!(vin.as_str(), VALID);
        assert_eq!(vin.to_string(), VALID);
        assert_eq!(vin.as_ref(), VALID);
        assert_eq!(String::from(vin), VALID);
    }

    #[test]
    fn other_real_vins_are_accepted() {
        for raw in [
            "1HGCM82633A004352",
            "WVWZZZ1JZXW000001",
            "VF1RFB00X56789012",
        ] {
            assert!(Vin::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn all_digits_and_all_allowed_letters_make_a_vin() {
        assert!(Vin::parse("00000000000000000").is_ok());
        assert!(Vin::parse("ABCDEFGHJKLMNPRST").is_ok());
        assert!(Vin::parse("UVWXYZ12345678900").is_ok());
    }

    #[test]
    fn every_ascii_character_is_judged_at_the_first_and_last_positions() {
        for code in 0u8..=127 {
            let c = char::from(code);
            for position in [1, 9, 17] {
                let raw = with_char_at(VALID, position, c);
                let expected = if c.is_ascii_digit()
                    || (c.is_ascii_uppercase() && !matches!(c, 'I' | 'O' | 'Q'))
                {
                    Ok(Vin(raw.clone()))
                } else if matches!(c, 'I' | 'O' | 'Q') {
                    Err(VinProblem::ForbiddenLetter {
                        letter: c,
                        position,
                    })
                } else {
                    Err(VinProblem::InvalidCharacter {
                        character: c,
                        position,
                    })
                };
                assert_eq!(Vin::parse(&raw), expected, "{code} at {position}");
            }
        }
    }

    #[test]
    fn every_position_reports_its_own_1_based_number() {
        for position in 1..=VIN_LENGTH {
            let raw = with_char_at(VALID, position, 'O');
            assert_eq!(
                Vin::parse(&raw),
                Err(VinProblem::ForbiddenLetter {
                    letter: 'O',
                    position
                })
            );
        }
    }

    #[test]
    fn lower_case_i_o_q_are_invalid_characters_not_forbidden_letters() {
        for c in ['i', 'o', 'q'] {
            assert_eq!(
                Vin::parse(&with_char_at(VALID, 5, c)),
                Err(VinProblem::InvalidCharacter {
                    character: c,
                    position: 5
                })
            );
        }
    }

    #[test]
    fn a_lower_case_vin_is_not_upper_cased() {
        assert_eq!(
            Vin::parse(&VALID.to_lowercase()),
            Err(VinProblem::InvalidCharacter {
                character: 'w',
                position: 1
            })
        );
    }

    #[test]
    fn the_first_bad_character_is_reported() {
        assert_eq!(
            Vin::parse("WBA3A5C51CF2569Ia"),
            Err(VinProblem::ForbiddenLetter {
                letter: 'I',
                position: 16
            })
        );
        assert_eq!(
            Vin::parse("WBA3A5C51CF2569aI"),
            Err(VinProblem::InvalidCharacter {
                character: 'a',
                position: 16
            })
        );
    }

    #[test]
    fn sixteen_characters_are_too_few() {
        assert_eq!(
            Vin::parse(&VALID[..16]),
            Err(VinProblem::WrongLength { length: 16 })
        );
    }

    #[test]
    fn eighteen_characters_are_too_many() {
        assert_eq!(
            Vin::parse(&format!("{VALID}1")),
            Err(VinProblem::WrongLength { length: 18 })
        );
    }

    #[test]
    fn an_empty_string_has_length_zero() {
        assert_eq!(Vin::parse(""), Err(VinProblem::WrongLength { length: 0 }));
    }

    #[test]
    fn length_is_checked_before_the_characters() {
        assert_eq!(
            Vin::parse("iii"),
            Err(VinProblem::WrongLength { length: 3 })
        );
        assert_eq!(
            Vin::parse(&format!("{VALID}!")),
            Err(VinProblem::WrongLength { length: 18 })
        );
    }

    #[test]
    fn surrounding_spaces_are_not_trimmed() {
        assert_eq!(
            Vin::parse(&format!(" {VALID}")),
            Err(VinProblem::WrongLength { length: 18 })
        );
        assert_eq!(
            Vin::parse(&format!("{} ", &VALID[..16])),
            Err(VinProblem::InvalidCharacter {
                character: ' ',
                position: 17
            })
        );
        assert_eq!(
            Vin::parse(&format!("{}\n", &VALID[..16])),
            Err(VinProblem::InvalidCharacter {
                character: '\n',
                position: 17
            })
        );
    }

    #[test]
    fn multibyte_characters_count_as_one_character_each() {
        // 16 ASCII + "É" is 17 characters but 18 bytes.
        let raw = format!("{}É", &VALID[..16]);
        assert_eq!(raw.len(), 18);
        assert_eq!(
            Vin::parse(&raw),
            Err(VinProblem::InvalidCharacter {
                character: 'É',
                position: 17
            })
        );
        // 17 emoji: 68 bytes, 17 characters.
        assert_eq!(
            Vin::parse(&"🚗".repeat(17)),
            Err(VinProblem::InvalidCharacter {
                character: '🚗',
                position: 1
            })
        );
        // 16 two-byte characters are 32 bytes but only 16 characters.
        assert_eq!(
            Vin::parse(&"é".repeat(16)),
            Err(VinProblem::WrongLength { length: 16 })
        );
    }

    #[test]
    fn look_alike_non_ascii_letters_and_digits_are_invalid() {
        // Cyrillic А, full-width 1, Arabic-Indic digit one, Roman numeral one.
        for c in ['А', '１', '١', 'Ⅰ'] {
            assert_eq!(
                Vin::parse(&with_char_at(VALID, 3, c)),
                Err(VinProblem::InvalidCharacter {
                    character: c,
                    position: 3
                }),
                "{c}"
            );
        }
    }

    #[test]
    fn from_str_and_try_from_parse_like_parse() {
        assert_eq!(VALID.parse::<Vin>(), Vin::parse(VALID));
        assert_eq!(Vin::try_from(VALID.to_owned()), Vin::parse(VALID));
        assert_eq!(
            "x".parse::<Vin>(),
            Err(VinProblem::WrongLength { length: 1 })
        );
    }

    #[test]
    fn a_vin_serializes_as_its_string_and_deserializes_through_parse() {
        let vin = Vin::parse(VALID).unwrap();
        let json = serde_json::to_string(&vin).unwrap();
        assert_eq!(json, format!("\"{VALID}\""));
        assert_eq!(serde_json::from_str::<Vin>(&json).unwrap(), vin);
        assert!(serde_json::from_str::<Vin>("\"WBA3A5C51CF25698I\"").is_err());
        assert!(serde_json::from_str::<Vin>("\"short\"").is_err());
    }

    #[test]
    fn problems_serialize_with_a_snake_case_problem_tag() {
        let cases = [
            (
                VinProblem::WrongLength { length: 16 },
                r#"{"problem":"wrong_length","length":16}"#,
            ),
            (
                VinProblem::ForbiddenLetter {
                    letter: 'O',
                    position: 3,
                },
                r#"{"problem":"forbidden_letter","letter":"O","position":3}"#,
            ),
            (
                VinProblem::InvalidCharacter {
                    character: 'a',
                    position: 17,
                },
                r#"{"problem":"invalid_character","character":"a","position":17}"#,
            ),
        ];
        for (problem, json) in cases {
            assert_eq!(serde_json::to_string(&problem).unwrap(), json);
            assert_eq!(serde_json::from_str::<VinProblem>(json).unwrap(), problem);
        }
    }

    #[test]
    fn messages_say_what_is_wrong_and_how_to_fix_it() {
        assert_eq!(
            VinProblem::WrongLength { length: 16 }.to_string(),
            "the VIN has 16 characters but must have exactly 17: send the full VIN \
             as printed on the registration certificate, without spaces"
        );
        assert_eq!(
            VinProblem::ForbiddenLetter {
                letter: 'O',
                position: 3
            }
            .to_string(),
            "the VIN has the letter O at position 3, but VINs never contain I, O or Q: \
             check whether it should be the digit 1 or 0"
        );
        assert_eq!(
            VinProblem::InvalidCharacter {
                character: 'a',
                position: 17
            }
            .to_string(),
            "the VIN has 'a' at position 17, but a VIN has only capital letters A-Z \
             (without I, O, Q) and digits 0-9: send the VIN exactly, in capitals"
        );
    }

    #[test]
    fn an_invisible_character_is_shown_escaped_in_the_message() {
        let message = VinProblem::InvalidCharacter {
            character: '\t',
            position: 2,
        }
        .to_string();
        assert!(
            message.starts_with("the VIN has '\\t' at position 2"),
            "{message}"
        );
    }
}
