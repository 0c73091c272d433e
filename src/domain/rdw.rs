//! The Dutch registry's odometer history (issue 22, point 4; seed 002: "Dankzij de
//! samenwerking met de Nederlandse RDW"): the file the registry imports for vehicles brought in
//! from the Netherlands, one reading a line, with the RDW's judgment of the vehicle's series of
//! readings, its "tellerstandoordeel", in the RDW's own words.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::feed::{reading_of, FeedReading, LineProblem};

/// The file's header, separated by semicolons (as Excel saves CSV in Belgium and the
/// Netherlands) or by commas.
pub const HEADER: [&str; 5] = ["vin", "date", "odometer", "unit", "verdict"];

/// The RDW's judgment of a vehicle's series of readings (Regeling gebruik Tellerstandbeeldmerk
/// RDW, art. 1): "logisch" (rising in time), "onlogisch" (a reading lower than the one before
/// it), "geen oordeel" (too little known to judge: an import, a replaced odometer...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RdwVerdict {
    Logisch,
    Onlogisch,
    GeenOordeel,
}

impl RdwVerdict {
    pub const ALL: [RdwVerdict; 3] = [
        RdwVerdict::Logisch,
        RdwVerdict::Onlogisch,
        RdwVerdict::GeenOordeel,
    ];

    /// The name stored in `rdw_verdicts.verdict`.
    pub fn as_str(self) -> &'static str {
        match self {
            RdwVerdict::Logisch => "logisch",
            RdwVerdict::Onlogisch => "onlogisch",
            RdwVerdict::GeenOordeel => "geen_oordeel",
        }
    }

    /// The RDW's own word, as its "tellerrapport" prints it.
    pub fn word(self) -> &'static str {
        match self {
            RdwVerdict::Logisch => "logisch",
            RdwVerdict::Onlogisch => "onlogisch",
            RdwVerdict::GeenOordeel => "geen oordeel",
        }
    }

    pub fn parse(stored: &str) -> Option<RdwVerdict> {
        RdwVerdict::ALL.into_iter().find(|v| v.as_str() == stored)
    }

    /// A file's value: the RDW's word in any case, with a space or an underscore; empty when
    /// the line carries no verdict.
    pub fn of_file(raw: &str) -> Result<Option<RdwVerdict>, LineProblem> {
        let words: Vec<String> = raw
            .split([' ', '_'])
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Ok(None);
        }
        let joined = words.join(" ");
        RdwVerdict::ALL
            .into_iter()
            .find(|v| v.word() == joined)
            .map(Some)
            .ok_or_else(|| LineProblem::Verdict { value: raw.into() })
    }
}

/// A verdict as the Car-Pass mentions it: the RDW's word, and the date of the last reading of
/// the history it judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdwJudgment {
    pub verdict: RdwVerdict,
    pub judged_on: NaiveDate,
}

fn separator(line: &str) -> char {
    if line.contains(';') {
        ';'
    } else {
        ','
    }
}

fn fields(line: &str) -> Vec<&str> {
    line.split(separator(line))
        .map(|f| f.trim().trim_matches('"').trim())
        .collect()
}

/// The first line must be the header, in either separator (a byte-order mark, spaces and
/// capitals are forgiven).
pub fn check_header(line: &str) -> Result<(), String> {
    let line = line.trim_start_matches('\u{feff}');
    let names: Vec<String> = fields(line).iter().map(|n| n.to_lowercase()).collect();
    if names == HEADER {
        Ok(())
    } else {
        Err(format!(
            "the first line of an RDW file must be the header {} (or the same with commas); it is {:?}",
            HEADER.join(";"),
            line.chars().take(80).collect::<String>()
        ))
    }
}

/// A data line: the reading, and the verdict when the line gives one.
pub fn parse_line(line: &str) -> Result<(FeedReading, Option<RdwVerdict>), LineProblem> {
    let fields = fields(line);
    let [vin, date, odometer, unit, verdict] = fields[..] else {
        return Err(LineProblem::RdwColumns {
            found: fields.len(),
        });
    };
    let reading = reading_of(vin, date, odometer, unit)?;
    Ok((reading, RdwVerdict::of_file(verdict)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::odometer::OdometerUnit;

    const VIN: &str = "WDB2030461A000001";

    #[test]
    fn the_header_is_read_with_semicolons_or_commas() {
        assert!(check_header("vin;date;odometer;unit;verdict").is_ok());
        assert!(check_header("\u{feff}VIN, Date,odometer,\"unit\",Verdict").is_ok());
        let err = check_header("vin;date;odometer;unit").unwrap_err();
        assert!(
            err.contains("must be the header vin;date;odometer;unit;verdict"),
            "{err}"
        );
    }

    #[test]
    fn a_line_gives_its_reading_and_its_verdict_in_the_rdw_words() {
        let (reading, verdict) = parse_line(&format!("{VIN};2023-04-01;81200;km;logisch")).unwrap();
        assert_eq!(reading.odometer, 81_200);
        assert_eq!(reading.unit, OdometerUnit::Km);
        assert_eq!(verdict, Some(RdwVerdict::Logisch));
        for (raw, expected) in [
            ("onlogisch", Some(RdwVerdict::Onlogisch)),
            ("Onlogisch", Some(RdwVerdict::Onlogisch)),
            ("geen oordeel", Some(RdwVerdict::GeenOordeel)),
            ("Geen  Oordeel", Some(RdwVerdict::GeenOordeel)),
            ("geen_oordeel", Some(RdwVerdict::GeenOordeel)),
            ("", None),
            ("  ", None),
        ] {
            assert_eq!(RdwVerdict::of_file(raw), Ok(expected), "{raw:?}");
        }
        let (_, none) = parse_line(&format!("{VIN},2023-04-01,81200,km,")).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn a_bad_verdict_or_column_count_is_named() {
        let err = parse_line(&format!("{VIN};2023-04-01;81200;km;goed")).unwrap_err();
        assert_eq!(err.code(), "verdict_invalid");
        assert!(err
            .to_string()
            .contains("logisch, onlogisch or geen oordeel"));
        let err = parse_line(&format!("{VIN};2023-04-01;81200;km")).unwrap_err();
        assert_eq!(err.code(), "columns");
        assert!(err.to_string().contains("expected 5 values"), "{err}");
        let err = parse_line(&format!("{VIN};01-04-2023;81200;km;logisch")).unwrap_err();
        assert_eq!(err.code(), "date_invalid");
    }

    #[test]
    fn every_verdict_round_trips_through_its_stored_name() {
        for verdict in RdwVerdict::ALL {
            assert_eq!(RdwVerdict::parse(verdict.as_str()), Some(verdict));
            assert_eq!(RdwVerdict::of_file(verdict.word()), Ok(Some(verdict)));
        }
    }
}
