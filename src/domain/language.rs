//! The caller's language (SPEC 3.2: a request header carries nl, fr, de or en; default nl).

use serde::{Deserialize, Serialize};

/// A language the registry answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
// Lowercase so that stored JSON uses the same codes as the wire and `as_str`.
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// SPEC 3.2: Dutch is the default when the header names no language.
    #[default]
    Nl,
    Fr,
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Nl, Language::Fr, Language::De, Language::En];

    /// Reads the header's code. Exact match only: the contract names four lowercase codes,
    /// and the caller decides whether an unknown one falls back to the default or is refused.
    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|lang| lang.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::De => "de",
            Language::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_round_trips_through_its_code() {
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.as_str()), Some(lang));
        }
    }

    #[test]
    fn the_four_codes_are_nl_fr_de_en() {
        let codes: Vec<_> = Language::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(codes, ["nl", "fr", "de", "en"]);
    }

    #[test]
    fn dutch_is_the_default() {
        assert_eq!(Language::default(), Language::Nl);
    }

    #[test]
    fn parse_refuses_other_case_padding_and_unknown_codes() {
        for code in ["NL", "Fr", " de", "en ", "", "es", "nl-BE"] {
            assert_eq!(Language::parse(code), None, "{code:?}");
        }
    }

    #[test]
    fn json_uses_the_same_codes_as_as_str() {
        for lang in Language::ALL {
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.as_str()));
            assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), lang);
        }
    }
}
