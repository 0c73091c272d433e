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

/// One text in the four languages. A literal must name all four, so the compiler refuses a
/// page, a report or a document that forgot one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub nl: &'static str,
    pub fr: &'static str,
    pub de: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn get(&self, lang: Language) -> &'static str {
        match lang {
            Language::Nl => self.nl,
            Language::Fr => self.fr,
            Language::De => self.de,
            Language::En => self.en,
        }
    }
}

/// The reader's choice from an HTTP `Accept-Language` value: the first of our four languages
/// in the order of the reader's preference (q-values, then position); `fr-BE` counts as `fr`.
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut ranked: Vec<(f32, usize, Language)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            let lang = Language::parse(&primary)?;
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, position, lang))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map(|&(_, _, lang)| lang)
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

    #[test]
    fn accept_language_picks_the_preferred_of_our_four() {
        assert_eq!(
            from_accept_language("fr-BE,fr;q=0.9,en;q=0.8"),
            Some(Language::Fr)
        );
        assert_eq!(
            from_accept_language("es, de;q=0.5, en;q=0.7"),
            Some(Language::En)
        );
        assert_eq!(from_accept_language("en;q=0.5, NL-be"), Some(Language::Nl));
        assert_eq!(from_accept_language("de;q=0, fr;q=0.1"), Some(Language::Fr));
        assert_eq!(from_accept_language("es, it"), None);
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn a_text_answers_in_each_language() {
        const T: Text = Text {
            nl: "Ja",
            fr: "Oui",
            de: "Ja",
            en: "Yes",
        };
        let got: Vec<_> = Language::ALL.iter().map(|&l| T.get(l)).collect();
        assert_eq!(got, ["Ja", "Oui", "Ja", "Yes"]);
    }
}
