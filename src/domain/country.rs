//! A country as ISO 3166-1 alpha-2 names it: where an imported vehicle's foreign readings were
//! taken (issue 22, point 3).

use serde::{Deserialize, Serialize};

/// The officially assigned ISO 3166-1 alpha-2 codes.
const ASSIGNED: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT \
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM \
ZW";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

impl Country {
    pub fn parse(raw: &str) -> Result<Country, String> {
        let bytes = raw.as_bytes();
        let assigned = bytes.len() == 2
            && bytes.iter().all(u8::is_ascii_uppercase)
            && ASSIGNED.split(' ').any(|code| code == raw);
        if !assigned {
            return Err(format!(
                "'{raw}' is not an ISO 3166-1 alpha-2 country code: give two capital letters \
                 such as DE, FR, NL or LU"
            ));
        }
        Ok(Country([bytes[0], bytes[1]]))
    }

    pub fn as_str(&self) -> &str {
        // Two ASCII capitals, checked by `parse`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn is_belgium(&self) -> bool {
        &self.0 == b"BE"
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Country {
    type Error = String;

    fn try_from(raw: String) -> Result<Country, String> {
        Country::parse(&raw)
    }
}

impl From<Country> for String {
    fn from(country: Country) -> String {
        country.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assigned_codes_parse_and_nothing_else() {
        assert_eq!(ASSIGNED.split(' ').count(), 249);
        assert_eq!(Country::parse("DE").unwrap().as_str(), "DE");
        assert!(Country::parse("BE").unwrap().is_belgium());
        for bad in ["de", "XX", "D", "DEU", "", "ÄÖ", "UK"] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
    }
}
