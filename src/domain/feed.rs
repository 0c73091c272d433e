//! A partner's bulk file of readings (issue 22, point 2): its batch id, its two formats, one
//! line at a time, and the verdict on each line against the vehicle's history. A line is
//! refused (with its number and why), stored in the history, or stored and held for staff
//! because it contradicts the history: a partner cannot correct line by line, so nothing here
//! asks for an answer.

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::issue::NotSubjectReason;
use super::odometer::{OdometerUnit, FIVE_DIGIT_MAX};
use super::reading::{CustomerType, ReadingInput};
use super::rules::{history_findings, Finding, HistoryEntry};
use super::source::ReadingSource;
use super::vehicle::Vehicle;
use super::vin::{Vin, VinProblem};

/// The CSV's one header line, in this order.
pub const CSV_HEADER: &str = "vin,date,odometer,unit";
/// A line longer than this is refused without being held: a file without line breaks must not
/// fill the server's memory.
pub const MAX_LINE_BYTES: usize = 1_024;

/// The partner's name for one upload: 1 to 40 of A-Z a-z 0-9 . _ -, not starting with a dot.
/// It goes into URLs and into each reading's ClientReference ("batch ID line N").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchId(String);

impl BatchId {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<BatchId, String> {
        let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if raw.is_empty() || raw.len() > Self::MAX_CHARS {
            return Err(format!(
                "a batch id has 1 to {} characters; this one has {}",
                Self::MAX_CHARS,
                raw.chars().count()
            ));
        }
        if let Some(bad) = raw.chars().find(|c| !fine(*c)) {
            return Err(format!(
                "a batch id has only letters, digits, '.', '_' and '-'; this one has {bad:?}: \
                 choose one such as 2026-11-export-1"
            ));
        }
        if raw.starts_with('.') {
            return Err("a batch id does not start with a dot".into());
        }
        Ok(BatchId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ClientReference of the batch's reading on `line`: unique per account, so that a
    /// line is stored once however often its batch is sent.
    pub fn client_reference(&self, line: u64) -> String {
        format!("batch {} line {line}", self.0)
    }

    /// The batch and line a partner's reading's ClientReference names (`client_reference`'s
    /// inverse), for staff to find the line it came from.
    pub fn of_client_reference(reference: &str) -> Option<(BatchId, u64)> {
        let (batch, line) = reference.strip_prefix("batch ")?.rsplit_once(" line ")?;
        Some((BatchId::parse(batch).ok()?, line.parse().ok()?))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Csv,
    Ndjson,
    /// The Dutch registry's history, with its verdict per vehicle (`super::rdw`): imported by
    /// the registry's staff, never sent by a partner.
    Rdw,
}

impl FeedFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Csv => "csv",
            FeedFormat::Ndjson => "ndjson",
            FeedFormat::Rdw => "rdw",
        }
    }

    /// Whether the file's first line is a header.
    pub fn has_header(self) -> bool {
        self != FeedFormat::Ndjson
    }

    pub fn parse(raw: &str) -> Option<FeedFormat> {
        match raw {
            "csv" => Some(FeedFormat::Csv),
            "ndjson" => Some(FeedFormat::Ndjson),
            _ => None,
        }
    }

    /// From an HTTP Content-Type (its parameters ignored).
    pub fn of_content_type(content_type: &str) -> Option<FeedFormat> {
        let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" => Some(FeedFormat::Csv),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
                Some(FeedFormat::Ndjson)
            }
            _ => None,
        }
    }
}

/// One line of the file, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedReading {
    pub vin: Vin,
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
}

/// Why a line was refused. `code` is stable for scripts; the message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("the line is longer than {MAX_LINE_BYTES} bytes: one reading per line")]
    TooLong,
    #[error("the line is not UTF-8 text")]
    NotText,
    #[error("expected 4 comma-separated values ({CSV_HEADER}), found {found}")]
    Columns { found: usize },
    #[error("expected 5 values separated by ';' or ',' ({}), found {found}", super::rdw::HEADER.join(";"))]
    RdwColumns { found: usize },
    #[error("the verdict {value:?} is not one of the RDW's: logisch, onlogisch or geen oordeel (or empty)")]
    Verdict { value: String },
    #[error("not a JSON object with vin, date, odometer and unit: {reason}")]
    Json { reason: String },
    #[error("{0}")]
    Vin(VinProblem),
    #[error("the date {value:?} is not a date written YYYY-MM-DD")]
    Date { value: String },
    #[error("the date {date} is after today ({today})")]
    DateFuture { date: NaiveDate, today: NaiveDate },
    #[error("the odometer {value:?} is not a whole number")]
    Odometer { value: String },
    #[error("the odometer {value} {} is above the highest possible value ({max})", .unit.as_str())]
    OdometerTooHigh {
        value: u64,
        unit: OdometerUnit,
        max: u64,
    },
    #[error("the unit {value:?} is neither km nor mi")]
    Unit { value: String },
    #[error("the vehicle is not in the Belgian vehicle register: readings of vehicles never registered in Belgium are not kept")]
    VinUnknown,
    #[error("the vehicle is outside the reporting duty: {}", not_subject(.0))]
    NotSubject(NotSubjectReason),
    #[error("the date {date} is before the vehicle's first registration ({first_registration})")]
    BeforeFirstRegistration {
        date: NaiveDate,
        first_registration: NaiveDate,
    },
    #[error("the history already holds this reading (same date and value): nothing to add")]
    AlreadyInHistory,
}

fn not_subject(reason: &NotSubjectReason) -> String {
    match reason {
        NotSubjectReason::Category { category } => {
            format!("category {category}, not a passenger car (M1) or light van (N1)")
        }
        NotSubjectReason::MassAbove { mass_kg } => format!("{mass_kg} kg, above 3,500 kg"),
        NotSubjectReason::NeverRegisteredInBelgium => "never registered in Belgium".into(),
    }
}

impl LineProblem {
    pub fn code(&self) -> &'static str {
        match self {
            LineProblem::TooLong => "line_too_long",
            LineProblem::NotText => "not_text",
            LineProblem::Columns { .. } | LineProblem::RdwColumns { .. } => "columns",
            LineProblem::Verdict { .. } => "verdict_invalid",
            LineProblem::Json { .. } => "json",
            LineProblem::Vin(_) => "vin_invalid",
            LineProblem::Date { .. } => "date_invalid",
            LineProblem::DateFuture { .. } => "date_future",
            LineProblem::Odometer { .. } => "odometer_invalid",
            LineProblem::OdometerTooHigh { .. } => "odometer_too_high",
            LineProblem::Unit { .. } => "unit_invalid",
            LineProblem::VinUnknown => "vin_unknown",
            LineProblem::NotSubject(_) => "not_subject",
            LineProblem::BeforeFirstRegistration { .. } => "before_first_registration",
            LineProblem::AlreadyInHistory => "already_in_history",
        }
    }
}

/// The CSV's first line must be the header (a byte-order mark and spaces around names are
/// forgiven, and so are capitals).
pub fn check_header(line: &str) -> Result<(), String> {
    let line = line.trim_start_matches('\u{feff}');
    let names: Vec<String> = line
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    if names.join(",") == CSV_HEADER {
        Ok(())
    } else {
        Err(format!(
            "the first line of a CSV file must be the header {CSV_HEADER}; it is {:?}",
            line.chars().take(80).collect::<String>()
        ))
    }
}

#[derive(Deserialize)]
struct JsonLine {
    vin: String,
    date: String,
    odometer: serde_json::Value,
    unit: String,
}

/// A data line (not the CSV header) of either format.
pub fn parse_line(format: FeedFormat, line: &str) -> Result<FeedReading, LineProblem> {
    match format {
        FeedFormat::Csv => {
            let fields: Vec<&str> = line
                .split(',')
                .map(|f| f.trim().trim_matches('"'))
                .collect();
            let [vin, date, odometer, unit] = fields[..] else {
                return Err(LineProblem::Columns {
                    found: fields.len(),
                });
            };
            reading_of(vin, date, odometer, unit)
        }
        FeedFormat::Rdw => super::rdw::parse_line(line).map(|(reading, _)| reading),
        FeedFormat::Ndjson => {
            let json: JsonLine = serde_json::from_str(line).map_err(|e| LineProblem::Json {
                reason: e.to_string(),
            })?;
            let odometer = match &json.odometer {
                serde_json::Value::Number(n) => n.to_string(),
                other => other.to_string(),
            };
            reading_of(&json.vin, &json.date, &odometer, &json.unit)
        }
    }
}

/// One reading from its four fields as a file writes them.
pub(crate) fn reading_of(
    vin: &str,
    date: &str,
    odometer: &str,
    unit: &str,
) -> Result<FeedReading, LineProblem> {
    let vin = Vin::parse(vin).map_err(LineProblem::Vin)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|_| date.len() == 10)
        .ok_or_else(|| LineProblem::Date { value: date.into() })?;
    let odometer: u64 = odometer
        .parse()
        .ok()
        .filter(|_| odometer.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| LineProblem::Odometer {
            value: odometer.into(),
        })?;
    let unit = OdometerUnit::parse(unit).ok_or_else(|| LineProblem::Unit { value: unit.into() })?;
    if odometer > unit.max_value() {
        return Err(LineProblem::OdometerTooHigh {
            value: odometer,
            unit,
            max: unit.max_value(),
        });
    }
    Ok(FeedReading {
        vin,
        date,
        odometer,
        unit,
    })
}

/// What becomes of a parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Into the official history.
    Store,
    /// Stored, kept out of the history, and held for staff: the findings say what it breaks.
    Conflict(Vec<Finding>),
    Refuse(LineProblem),
}

/// A partner's reading against the register and the VIN's official history: the same history
/// rules as a garage's (SPEC 2.9), but no work description, no deadline and no exemption, which
/// are about a garage's job.
pub fn judge(
    reading: &FeedReading,
    vehicle: Option<&Vehicle>,
    history: &[HistoryEntry],
    today: NaiveDate,
) -> Verdict {
    if reading.date > today {
        return Verdict::Refuse(LineProblem::DateFuture {
            date: reading.date,
            today,
        });
    }
    let Some(vehicle) = vehicle else {
        return Verdict::Refuse(LineProblem::VinUnknown);
    };
    if let Some(reason) = vehicle.not_subject_reason() {
        return Verdict::Refuse(LineProblem::NotSubject(reason));
    }
    let five_digit = vehicle.has_five_digit_odometer();
    if five_digit && reading.odometer > FIVE_DIGIT_MAX {
        return Verdict::Refuse(LineProblem::OdometerTooHigh {
            value: reading.odometer,
            unit: reading.unit,
            max: FIVE_DIGIT_MAX,
        });
    }
    if let Some(first_registration) = vehicle.first_registration.filter(|f| reading.date < *f) {
        return Verdict::Refuse(LineProblem::BeforeFirstRegistration {
            date: reading.date,
            first_registration,
        });
    }
    let same = |e: &HistoryEntry| {
        e.work_date == reading.date && e.odometer == reading.odometer && e.unit == reading.unit
    };
    if history.iter().any(same) {
        return Verdict::Refuse(LineProblem::AlreadyInHistory);
    }
    let findings = history_findings(&reading.as_input(), five_digit, history);
    if findings.is_empty() {
        Verdict::Store
    } else {
        Verdict::Conflict(findings)
    }
}

impl FeedReading {
    /// The reading as the history rules read it: a partner's reading has no job behind it.
    pub fn as_input(&self) -> ReadingInput {
        ReadingInput {
            vin: self.vin.as_str().to_owned(),
            work_date: self.date,
            odometer: self.odometer,
            unit: self.unit,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 0,
            works: Vec::new(),
            license_plate: None,
            source: ReadingSource::Connected,
        }
    }

    pub fn history_entry(&self) -> HistoryEntry {
        HistoryEntry {
            work_date: self.date,
            odometer: self.odometer,
            unit: self.unit,
            odometer_replaced: None,
        }
    }
}

/// One line as the splitter found it, numbered from 1 (a CSV's header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    pub number: u64,
    pub text: Result<String, LineProblem>,
}

/// Cuts a byte stream into lines, whatever the pieces it arrives in, and keeps the SHA-256 of
/// every byte of the lines it gave so far: the digest after line N identifies the file's first
/// N lines, which is how a resumed upload is known to be the same file. A line is held only up
/// to `MAX_LINE_BYTES`; a final line without a line break still counts.
pub struct LineSplitter {
    current: Vec<u8>,
    too_long: bool,
    number: u64,
    hasher: Sha256,
}

impl Default for LineSplitter {
    fn default() -> Self {
        LineSplitter {
            current: Vec::with_capacity(128),
            too_long: false,
            number: 0,
            hasher: Sha256::new(),
        }
    }
}

impl LineSplitter {
    /// The next complete line in `input`, which is advanced past it; None when `input` ends
    /// inside a line (kept for the next piece).
    pub fn next_line(&mut self, input: &mut &[u8]) -> Option<RawLine> {
        let (piece, complete) = match input.iter().position(|b| *b == b'\n') {
            Some(at) => (&input[..=at], true),
            None => (*input, false),
        };
        self.hasher.update(piece);
        if !self.too_long {
            if self.current.len() + piece.len() > MAX_LINE_BYTES + 2 {
                self.too_long = true;
                self.current.clear();
            } else {
                self.current.extend_from_slice(piece);
            }
        }
        *input = &input[piece.len()..];
        complete.then(|| self.take())
    }

    /// The last line when the input did not end with a line break.
    pub fn finish(&mut self) -> Option<RawLine> {
        (self.too_long || !self.current.is_empty()).then(|| self.take())
    }

    fn take(&mut self) -> RawLine {
        self.number += 1;
        let text = if std::mem::take(&mut self.too_long) {
            Err(LineProblem::TooLong)
        } else {
            let mut bytes = std::mem::take(&mut self.current);
            while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                bytes.pop();
            }
            if bytes.len() > MAX_LINE_BYTES {
                Err(LineProblem::TooLong)
            } else {
                String::from_utf8(bytes).map_err(|_| LineProblem::NotText)
            }
        };
        RawLine {
            number: self.number,
            text,
        }
    }

    /// Lines given so far.
    pub fn lines(&self) -> u64 {
        self.number
    }

    /// The SHA-256 (hex) of every byte consumed so far.
    pub fn digest(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::issue::IssueCode;

    const VIN: &str = "WDB2030461A000001";

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn car() -> Vehicle {
        Vehicle {
            vin: Vin::parse(VIN).unwrap(),
            make: None,
            model: None,
            category: Some("M1".into()),
            mass_kg: Some(1_500),
            first_registration: Some(day(2019, 3, 1)),
            first_registration_be: Some(day(2019, 3, 1)),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: None,
            co2_g_km: None,
            fuel: None,
        }
    }

    fn entry(date: NaiveDate, odometer: u64) -> HistoryEntry {
        HistoryEntry {
            work_date: date,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
        }
    }

    fn line(date: NaiveDate, odometer: u64) -> FeedReading {
        FeedReading {
            vin: Vin::parse(VIN).unwrap(),
            date,
            odometer,
            unit: OdometerUnit::Km,
        }
    }

    #[test]
    fn batch_ids_are_short_plain_names() {
        assert!(BatchId::parse("2026-11_export.1").is_ok());
        assert!(BatchId::parse(&"a".repeat(40)).is_ok());
        assert!(BatchId::parse(&"a".repeat(41))
            .unwrap_err()
            .contains("1 to 40"));
        assert!(BatchId::parse("").is_err());
        assert!(BatchId::parse("a b").unwrap_err().contains("' '"));
        assert!(BatchId::parse("a/b").is_err());
        assert!(BatchId::parse(".hidden").is_err());
        let id = BatchId::parse("B1").unwrap();
        assert_eq!(id.client_reference(17), "batch B1 line 17");
        assert_eq!(
            BatchId::of_client_reference("batch B1 line 17"),
            Some((id.clone(), 17))
        );
        assert_eq!(BatchId::of_client_reference("JOB-2026-000123"), None);
        assert_eq!(BatchId::of_client_reference("batch a b line 2"), None);
        assert!(id.client_reference(u64::MAX).len() <= 64 + 20);
    }

    #[test]
    fn formats_come_from_the_content_type() {
        assert_eq!(
            FeedFormat::of_content_type("text/csv; charset=utf-8"),
            Some(FeedFormat::Csv)
        );
        assert_eq!(
            FeedFormat::of_content_type("application/x-ndjson"),
            Some(FeedFormat::Ndjson)
        );
        assert_eq!(
            FeedFormat::of_content_type("Application/NDJSON"),
            Some(FeedFormat::Ndjson)
        );
        assert_eq!(FeedFormat::of_content_type("application/json"), None);
        for f in [FeedFormat::Csv, FeedFormat::Ndjson] {
            assert_eq!(FeedFormat::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn the_csv_header_is_checked_forgivingly() {
        assert!(check_header("vin,date,odometer,unit").is_ok());
        assert!(check_header("\u{feff}VIN, Date ,odometer,\"unit\"").is_ok());
        assert!(check_header("vin,odometer,date,unit")
            .unwrap_err()
            .contains("must be the header vin,date,odometer,unit"));
        assert!(check_header("WDB2030461A000001,2025-01-01,1,km").is_err());
    }

    #[test]
    fn lines_of_both_formats_parse_to_the_same_reading() {
        let expected = FeedReading {
            vin: Vin::parse(VIN).unwrap(),
            date: day(2025, 5, 1),
            odometer: 42_000,
            unit: OdometerUnit::Mi,
        };
        assert_eq!(
            parse_line(FeedFormat::Csv, &format!("{VIN},2025-05-01,42000,mi")),
            Ok(expected.clone())
        );
        assert_eq!(
            parse_line(
                FeedFormat::Ndjson,
                &format!(
                    r#"{{"vin":"{VIN}","date":"2025-05-01","odometer":42000,"unit":"mi","extra":1}}"#
                )
            ),
            Ok(expected)
        );
    }

    #[test]
    fn every_bad_value_is_named() {
        let csv = |l: &str| parse_line(FeedFormat::Csv, l).unwrap_err().code();
        assert_eq!(csv(&format!("{VIN},2025-05-01,1")), "columns");
        assert_eq!(csv(&format!("{VIN},2025-05-01,1,km,x")), "columns");
        assert_eq!(csv("WDB2030461A00000,2025-05-01,1,km"), "vin_invalid");
        assert_eq!(csv(&format!("{VIN},2025-5-1,1,km")), "date_invalid");
        assert_eq!(csv(&format!("{VIN},2025-02-30,1,km")), "date_invalid");
        assert_eq!(csv(&format!("{VIN},2025-05-01,-1,km")), "odometer_invalid");
        assert_eq!(csv(&format!("{VIN},2025-05-01,+1,km")), "odometer_invalid");
        assert_eq!(csv(&format!("{VIN},2025-05-01,1.5,km")), "odometer_invalid");
        assert_eq!(csv(&format!("{VIN},2025-05-01,1,KM")), "unit_invalid");
        assert_eq!(
            csv(&format!("{VIN},2025-05-01,2000001,km")),
            "odometer_too_high"
        );
        assert!(parse_line(FeedFormat::Csv, &format!("{VIN},2025-05-01,2000000,km")).is_ok());
        let json = |l: &str| parse_line(FeedFormat::Ndjson, l).unwrap_err().code();
        assert_eq!(json("not json"), "json");
        assert_eq!(
            json(&format!(
                r#"{{"vin":"{VIN}","date":"2025-05-01","unit":"km"}}"#
            )),
            "json"
        );
        assert_eq!(
            json(&format!(
                r#"{{"vin":"{VIN}","date":"2025-05-01","odometer":1.5,"unit":"km"}}"#
            )),
            "odometer_invalid"
        );
        assert_eq!(
            json(&format!(
                r#"{{"vin":"{VIN}","date":"2025-05-01","odometer":"12","unit":"km"}}"#
            )),
            "odometer_invalid"
        );
        let message = parse_line(FeedFormat::Csv, &format!("{VIN},2025-05-01,1,miles"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("neither km nor mi"), "{message}");
    }

    #[test]
    fn a_reading_that_fits_the_history_is_stored() {
        let today = day(2025, 6, 3);
        let history = [
            entry(day(2024, 1, 1), 10_000),
            entry(day(2025, 1, 1), 20_000),
        ];
        assert_eq!(
            judge(
                &line(day(2025, 6, 1), 25_000),
                Some(&car()),
                &history,
                today
            ),
            Verdict::Store
        );
        // Between two readings, in order.
        assert_eq!(
            judge(
                &line(day(2024, 6, 1), 15_000),
                Some(&car()),
                &history,
                today
            ),
            Verdict::Store
        );
        // Today is allowed, tomorrow is not.
        assert_eq!(
            judge(&line(today, 25_000), Some(&car()), &history, today),
            Verdict::Store
        );
        assert_eq!(
            judge(
                &line(day(2025, 6, 4), 25_000),
                Some(&car()),
                &history,
                today
            ),
            Verdict::Refuse(LineProblem::DateFuture {
                date: day(2025, 6, 4),
                today
            })
        );
    }

    #[test]
    fn a_reading_that_contradicts_the_history_is_a_conflict_with_its_finding() {
        let today = day(2025, 6, 3);
        let history = [
            entry(day(2024, 1, 1), 10_000),
            entry(day(2025, 1, 1), 20_000),
        ];
        let codes = |v: Verdict| match v {
            Verdict::Conflict(f) => f.iter().map(Finding::code).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(judge(
                &line(day(2025, 6, 1), 19_999),
                Some(&car()),
                &history,
                today
            )),
            [IssueCode::OdometerRollback]
        );
        assert_eq!(
            codes(judge(
                &line(day(2024, 6, 1), 20_001),
                Some(&car()),
                &history,
                today
            )),
            [IssueCode::OdometerAboveLater]
        );
        // 2,000 km a day is the most: 151 days after 2025-01-01 allows 302,000 km.
        assert_eq!(
            judge(
                &line(day(2025, 6, 1), 322_000),
                Some(&car()),
                &history,
                today
            ),
            Verdict::Store
        );
        assert_eq!(
            codes(judge(
                &line(day(2025, 6, 1), 322_001),
                Some(&car()),
                &history,
                today
            )),
            [IssueCode::OdometerImplausibleRate]
        );
    }

    #[test]
    fn lines_the_register_cannot_take_are_refused() {
        let today = day(2025, 6, 3);
        let reading = line(day(2025, 6, 1), 25_000);
        assert_eq!(
            judge(&reading, None, &[], today),
            Verdict::Refuse(LineProblem::VinUnknown)
        );
        let mut truck = car();
        truck.category = Some("N3".into());
        let refused = judge(&reading, Some(&truck), &[], today);
        assert!(
            matches!(&refused, Verdict::Refuse(p @ LineProblem::NotSubject(_)) if p.to_string().contains("category N3")),
            "{refused:?}"
        );
        let mut five = car();
        five.five_digit_odometer = Some(true);
        assert_eq!(
            judge(&line(day(2025, 6, 1), 100_000), Some(&five), &[], today),
            Verdict::Refuse(LineProblem::OdometerTooHigh {
                value: 100_000,
                unit: OdometerUnit::Km,
                max: FIVE_DIGIT_MAX
            })
        );
        assert_eq!(
            judge(&line(day(2025, 6, 1), 99_999), Some(&five), &[], today),
            Verdict::Store
        );
        assert_eq!(
            judge(&line(day(2019, 2, 28), 10), Some(&car()), &[], today),
            Verdict::Refuse(LineProblem::BeforeFirstRegistration {
                date: day(2019, 2, 28),
                first_registration: day(2019, 3, 1)
            })
        );
        assert_eq!(
            judge(&line(day(2019, 3, 1), 10), Some(&car()), &[], today),
            Verdict::Store
        );
        // The same reading sent again (an overlapping export) adds nothing.
        let history = [entry(day(2025, 6, 1), 25_000)];
        assert_eq!(
            judge(&reading, Some(&car()), &history, today),
            Verdict::Refuse(LineProblem::AlreadyInHistory)
        );
    }

    fn split_all(pieces: &[&[u8]]) -> (Vec<RawLine>, LineSplitter) {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        for piece in pieces {
            let mut input = *piece;
            while !input.is_empty() {
                lines.extend(splitter.next_line(&mut input));
            }
        }
        lines.extend(splitter.finish());
        (lines, splitter)
    }

    #[test]
    fn the_splitter_finds_the_same_lines_and_digest_however_the_bytes_arrive() {
        let file = b"vin,date,odometer,unit\r\nA,b,c,d\n\nlast";
        let (whole, s1) = split_all(&[file]);
        let pieces: Vec<&[u8]> = file.chunks(3).collect();
        let (cut, s2) = split_all(&pieces);
        assert_eq!(whole, cut);
        assert_eq!(s1.digest(), s2.digest());
        let texts: Vec<_> = whole
            .iter()
            .map(|l| (l.number, l.text.clone().unwrap()))
            .collect();
        assert_eq!(
            texts,
            [
                (1, "vin,date,odometer,unit".to_owned()),
                (2, "A,b,c,d".to_owned()),
                (3, String::new()),
                (4, "last".to_owned())
            ]
        );
        assert_eq!(s1.lines(), 4);
        assert_eq!(s1.digest(), hex(&Sha256::digest(file)));
    }

    #[test]
    fn the_digest_after_a_line_covers_exactly_the_lines_so_far() {
        let mut splitter = LineSplitter::default();
        let mut input: &[u8] = b"one\ntwo\nthree";
        splitter.next_line(&mut input).unwrap();
        assert_eq!(splitter.digest(), hex(&Sha256::digest(b"one\n")));
        splitter.next_line(&mut input).unwrap();
        assert_eq!(splitter.digest(), hex(&Sha256::digest(b"one\ntwo\n")));
    }

    #[test]
    fn an_overlong_line_or_one_not_in_utf8_is_refused_alone() {
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        let mut file = Vec::new();
        file.extend_from_slice(&long);
        file.extend_from_slice(b"\nok\n\xff\xfe\n");
        let file_pieces: Vec<&[u8]> = file.chunks(100).collect();
        let (lines, _) = split_all(&file_pieces);
        assert_eq!(lines[0].text, Err(LineProblem::TooLong));
        assert_eq!(lines[1].text, Ok("ok".into()));
        assert_eq!(lines[2].text, Err(LineProblem::NotText));
        let exact = vec![b'y'; MAX_LINE_BYTES];
        let (lines, _) = split_all(&[&exact, b"\r\n"]);
        assert_eq!(lines[0].text.as_ref().map(String::len), Ok(MAX_LINE_BYTES));
        // A final overlong line without a break is still reported.
        let (lines, _) = split_all(&[&long]);
        assert_eq!(lines[0].text, Err(LineProblem::TooLong));
    }
}
