//! The rules a reading is checked against (SPEC 2.2-2.5 and the issue catalog of SPEC 4).
//! Pure: the caller brings the vehicle, the official history of the VIN and the dates.

use chrono::NaiveDate;

use super::activity::ActivityCode;
use super::calendar;
use super::issue::{IssueCode, IssueDetail, Severity};
use super::odometer::{OdometerUnit, FIVE_DIGIT_MAX, FIVE_DIGIT_MODULUS};
use super::reading::{CustomerType, ReadingInput};
use super::status::ReadingStatus;
use super::vehicle::Vehicle;
use super::vin::Vin;

/// SPEC 2.4: a private customer's job of at most 125 EUR incl. VAT need not be reported. The
/// one definition of the limit: the issue message, the certification criterion C11 and the
/// reference DMS read it from here.
pub const EXEMPTION_MAX_CENTS: i64 = 12_500;
/// SPEC 4 ODOMETER_IMPLAUSIBLE_RATE: more than 2,000 km per day.
pub const MAX_KM_PER_DAY: u64 = 2_000;

/// SPEC 2.3: since 1 January 2024 a reading describes the work done.
pub fn work_required_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date")
}

/// A reading of the official history of the VIN, oldest work date first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub work_date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
    /// Set when this job replaced the odometer: it starts a new sequence of values.
    pub odometer_replaced: Option<u64>,
}

/// The dates the rules depend on, both in Europe/Brussels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    pub today: NaiveDate,
    pub received_on: NaiveDate,
}

/// One broken rule, and the request element it is about (a path such as `Work[2]/ActivityCode`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub detail: IssueDetail,
    pub field: Option<String>,
}

impl Finding {
    fn new(detail: IssueDetail, field: &str) -> Finding {
        Finding {
            detail,
            field: Some(field.to_owned()),
        }
    }

    pub fn code(&self) -> IssueCode {
        self.detail.code()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub status: ReadingStatus,
}

/// Checks one reading. `vehicle` is None when the VIN is not in the register (yet).
pub fn evaluate(
    reading: &ReadingInput,
    vehicle: Option<&Vehicle>,
    history: &[HistoryEntry],
    dates: Dates,
) -> Evaluation {
    let mut findings = Vec::new();

    let vin = match Vin::parse(&reading.vin) {
        Ok(vin) => Some(vin),
        Err(problem) => {
            findings.push(Finding::new(
                IssueDetail::VinInvalid {
                    vin: reading.vin.clone(),
                    problem,
                },
                "Vin",
            ));
            None
        }
    };

    let future = reading.work_date > dates.today;
    if future {
        findings.push(Finding::new(
            IssueDetail::WorkDateFuture {
                work_date: reading.work_date,
                today: dates.today,
            },
            "WorkDate",
        ));
    }

    let mut odometer_ok = true;
    let max = reading.unit.max_value();
    for (value, field) in [
        (Some(reading.odometer), "Odometer"),
        (reading.odometer_replaced, "OdometerReplaced"),
    ] {
        if let Some(value) = value.filter(|v| *v > max) {
            odometer_ok = false;
            findings.push(Finding::new(
                IssueDetail::OdometerInvalid {
                    value,
                    unit: reading.unit,
                    max,
                },
                field,
            ));
        }
    }

    let five_digit = vehicle.is_some_and(Vehicle::has_five_digit_odometer);
    if five_digit && odometer_ok {
        for (value, field) in [
            (Some(reading.odometer), "Odometer"),
            (reading.odometer_replaced, "OdometerReplaced"),
        ] {
            if let Some(value) = value.filter(|v| *v > FIVE_DIGIT_MAX) {
                odometer_ok = false;
                findings.push(Finding::new(
                    IssueDetail::FiveDigitOverflow { value },
                    field,
                ));
            }
        }
    }

    if vin.is_some() && odometer_ok && !future {
        findings.extend(history_findings(reading, five_digit, history));
    }

    if reading.source.describes_work()
        && reading.works.is_empty()
        && reading.work_date >= work_required_from()
    {
        findings.push(Finding::new(
            IssueDetail::WorkMissing {
                work_date: reading.work_date,
            },
            "Work",
        ));
    }
    for (index, work) in reading.works.iter().enumerate() {
        if ActivityCode::parse(&work.activity_code).is_none() {
            findings.push(Finding::new(
                IssueDetail::ActivityUnknown {
                    code: work.activity_code.clone(),
                },
                &format!("Work[{}]/ActivityCode", index + 1),
            ));
        }
    }

    if !future && calendar::is_late(reading.work_date, dates.received_on) {
        findings.push(Finding::new(
            IssueDetail::LateSubmission {
                work_date: reading.work_date,
                deadline: calendar::reporting_deadline(reading.work_date),
                received_on: dates.received_on,
            },
            "WorkDate",
        ));
    }
    if let Some(vehicle) = vehicle {
        if let Some(first_registration) = vehicle
            .first_registration
            .filter(|first| reading.work_date < *first)
        {
            findings.push(Finding::new(
                IssueDetail::BeforeFirstRegistration {
                    work_date: reading.work_date,
                    first_registration,
                },
                "WorkDate",
            ));
        }
        if let Some(reason) = vehicle.not_subject_reason() {
            findings.push(Finding::new(IssueDetail::NotSubject { reason }, "Vin"));
        }
    }
    if is_exempt(
        reading.subcontracted,
        reading.customer_type,
        reading.invoice_total_cents,
    ) {
        findings.push(Finding::new(
            IssueDetail::NotRequired {
                total_cents: reading.invoice_total_cents,
            },
            "InvoiceTotal",
        ));
    }

    let status = status_for(&findings, vin.is_some() && vehicle.is_none());
    Evaluation { findings, status }
}

/// SPEC 2.4: whether a job need not be reported. Subcontracted work never is exempt: a
/// subcontractor "is always obliged" to report (seed 004), and its customer is the main
/// contractor, who is liable for VAT.
pub fn is_exempt(subcontracted: bool, customer: CustomerType, total_cents: i64) -> bool {
    !subcontracted && customer == CustomerType::Private && total_cents <= EXEMPTION_MAX_CENTS
}

/// SPEC 3.4: an open Error comes first; then a VIN the register does not know yet.
pub fn status_for(findings: &[Finding], waiting_for_registration: bool) -> ReadingStatus {
    let has = |severity| findings.iter().any(|f| f.code().severity() == severity);
    if has(Severity::Error) {
        ReadingStatus::PendingCorrection
    } else if waiting_for_registration {
        ReadingStatus::WaitingForRegistration
    } else if has(Severity::Warning) {
        ReadingStatus::AcceptedWithWarnings
    } else {
        ReadingStatus::Accepted
    }
}

/// How one reading of an official history stands against the readings before it (SPEC 2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Link {
    /// An odometer replacement, or a drop below the values before it that staff accepted as
    /// genuine: later readings are compared from here on, not with the values before it.
    pub starts_sequence: bool,
    /// The reading breaks the history before it (a drop, or more than 2,000 km a day): an
    /// anomaly that stays in the history. Only staff can have let such a value in.
    pub anomaly: bool,
}

/// Reads an official history (oldest work date first, as stored): for each reading, whether it
/// starts a new sequence and whether it is an anomaly. Derived from the values themselves, so
/// a value corrected by CorrectIssue or a paper form is judged as it now is, and a break
/// staff accepted stays one whichever reading's issue made them accept it.
pub fn links(history: &[HistoryEntry], five_digit: bool) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::with_capacity(history.len());
    let mut start = 0;
    // The highest value in km of the sequence's readings dated before the current date, and of
    // those up to it: a reading not below the first cannot be a drop, so the full comparison
    // (with units as displayed) runs only for the few that might be.
    let (mut max_before, mut max_through, mut through_date) = (None::<u64>, None::<u64>, None);
    for (i, entry) in history.iter().enumerate() {
        if through_date != Some(entry.work_date) {
            max_before = max_through;
            through_date = Some(entry.work_date);
        }
        let earlier = &history[start..i];
        let link = if let Some(old_final) = entry.odometer_replaced {
            let old = Value {
                value: old_final,
                unit: entry.unit,
                date: entry.work_date,
            };
            Link {
                starts_sequence: true,
                anomaly: check_earlier(old, earlier, five_digit).is_some(),
            }
        } else {
            let this = Value::of(entry);
            let km = entry.unit.to_km(entry.odometer);
            let maybe_drop = five_digit || max_before.is_some_and(|max| km <= max);
            let drop = maybe_drop && check_rollback(this, earlier, five_digit).is_some();
            Link {
                starts_sequence: drop,
                anomaly: drop || check_rate(this, earlier, five_digit).is_some(),
            }
        };
        if link.starts_sequence {
            start = i;
            max_before = None;
            max_through = None;
        }
        let km = entry.unit.to_km(entry.odometer);
        max_through = Some(max_through.map_or(km, |max: u64| max.max(km)));
        links.push(link);
    }
    links
}

/// ODOMETER_ROLLBACK, ODOMETER_ABOVE_LATER and ODOMETER_IMPLAUSIBLE_RATE against the readings
/// of the same sequence: a replacement, or a drop staff accepted, ends one sequence and starts
/// the next (`links`).
pub fn history_findings(
    reading: &ReadingInput,
    five_digit: bool,
    history: &[HistoryEntry],
) -> Vec<Finding> {
    let date = reading.work_date;
    let this = Value {
        value: reading.odometer,
        unit: reading.unit,
        date,
    };
    let links = links(history, five_digit);
    let starts = |i: usize| links[i].starts_sequence;
    let start = (0..history.len())
        .rev()
        .find(|&i| starts(i) && history[i].work_date <= date)
        .unwrap_or(0);
    let end = (0..history.len())
        .find(|&i| starts(i) && history[i].work_date > date)
        .unwrap_or(history.len());
    let segment = &history[start..end.max(start)];
    let split = segment.partition_point(|e| e.work_date <= date);
    let (up_to_today, later) = segment.split_at(split);

    let mut findings = Vec::new();
    if let Some(old_final) = reading.odometer_replaced {
        // The old odometer's last value must not be lower than what it showed before.
        let old = Value {
            value: old_final,
            unit: reading.unit,
            date,
        };
        if let Some(detail) = check_earlier(old, up_to_today, five_digit) {
            findings.push(Finding::new(detail, "OdometerReplaced"));
        }
        // The new odometer has no earlier values; later readings (if any) are its own.
    } else if let Some(detail) = check_earlier(this, up_to_today, five_digit) {
        findings.push(Finding::new(detail, "Odometer"));
    }
    if let Some(detail) = check_later(this, later, five_digit) {
        findings.push(Finding::new(detail, "Odometer"));
    }
    findings
}

#[derive(Debug, Clone, Copy)]
struct Value {
    value: u64,
    unit: OdometerUnit,
    date: NaiveDate,
}

impl Value {
    fn of(entry: &HistoryEntry) -> Value {
        Value {
            value: entry.odometer,
            unit: entry.unit,
            date: entry.work_date,
        }
    }

    /// Two values compared as displayed when the units agree, else in kilometres.
    fn comparable(self, other: Value) -> (u64, u64) {
        if self.unit == other.unit {
            (self.value, other.value)
        } else {
            (self.unit.to_km(self.value), other.unit.to_km(other.value))
        }
    }
}

fn days_between(earlier: NaiveDate, later: NaiveDate) -> u64 {
    // Two jobs on one day still count as one day of driving at most.
    (later - earlier).num_days().max(1) as u64
}

/// The distance from `from` to `to` in km, taking a 5-digit odometer's rollover into account.
fn driven_km(from: Value, to: Value, five_digit: bool) -> Option<u64> {
    let (a, b) = from.comparable(to);
    if b >= a {
        Some(to.unit.to_km(b - a))
    } else if five_digit && from.unit == to.unit {
        Some(to.unit.to_km(b + FIVE_DIGIT_MODULUS - a))
    } else {
        None
    }
}

fn plausible(km: u64, from: NaiveDate, to: NaiveDate) -> bool {
    km <= MAX_KM_PER_DAY * days_between(from, to)
}

/// The new value against the readings dated on or before its work date: a rollback first,
/// else an implausible rate.
fn check_earlier(this: Value, earlier: &[HistoryEntry], five_digit: bool) -> Option<IssueDetail> {
    check_rollback(this, earlier, five_digit).or_else(|| check_rate(this, earlier, five_digit))
}

/// ODOMETER_ROLLBACK: below a reading dated strictly earlier (on a 5-digit odometer, below its
/// neighbour by more than a plausible rollover).
fn check_rollback(this: Value, earlier: &[HistoryEntry], five_digit: bool) -> Option<IssueDetail> {
    let mut strictly_earlier = earlier.iter().filter(|e| e.work_date < this.date);
    let rollback = |e: &HistoryEntry| IssueDetail::OdometerRollback {
        value: this.value,
        unit: this.unit,
        earlier_value: e.odometer,
        earlier_unit: e.unit,
        earlier_date: e.work_date,
    };
    if five_digit {
        // Values wrap: only the neighbour tells whether a lower value is a rollover.
        let previous = strictly_earlier.next_back()?;
        let prev = Value::of(previous);
        let (a, b) = prev.comparable(this);
        if b < a {
            let wrapped = driven_km(prev, this, true);
            if !wrapped.is_some_and(|km| plausible(km, prev.date, this.date)) {
                return Some(rollback(previous));
            }
        }
        return None;
    }
    let highest = strictly_earlier.max_by_key(|e| Value::of(e).comparable(this).0)?;
    let (a, b) = Value::of(highest).comparable(this);
    (b < a).then(|| rollback(highest))
}

/// ODOMETER_IMPLAUSIBLE_RATE: more than 2,000 km a day since the reading just before.
fn check_rate(this: Value, earlier: &[HistoryEntry], five_digit: bool) -> Option<IssueDetail> {
    let previous = earlier.last()?;
    let prev = Value::of(previous);
    let km = driven_km(prev, this, five_digit)?;
    if plausible(km, prev.date, this.date) {
        return None;
    }
    let days = days_between(prev.date, this.date);
    Some(IssueDetail::OdometerImplausibleRate {
        value: this.value,
        unit: this.unit,
        previous_value: previous.odometer,
        previous_unit: previous.unit,
        previous_date: previous.work_date,
        km_per_day: km.div_ceil(days),
        max_km_per_day: MAX_KM_PER_DAY,
    })
}

/// The new value against the readings dated after its work date.
fn check_later(this: Value, later: &[HistoryEntry], five_digit: bool) -> Option<IssueDetail> {
    let above = |e: &HistoryEntry| IssueDetail::OdometerAboveLater {
        value: this.value,
        unit: this.unit,
        later_value: e.odometer,
        later_unit: e.unit,
        later_date: e.work_date,
    };
    if five_digit {
        let next = later.first()?;
        let next_value = Value::of(next);
        let (a, b) = this.comparable(next_value);
        if b < a {
            let wrapped = driven_km(this, next_value, true);
            if !wrapped.is_some_and(|km| plausible(km, this.date, next_value.date)) {
                return Some(above(next));
            }
        }
        return None;
    }
    let lowest = later
        .iter()
        .min_by_key(|e| this.comparable(Value::of(e)).1)?;
    let (a, b) = this.comparable(Value::of(lowest));
    (a > b).then(|| above(lowest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reading::Work;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const VIN: &str = "WDB2030461A000001";

    fn reading(date: NaiveDate, odometer: u64) -> ReadingInput {
        ReadingInput {
            vin: VIN.into(),
            work_date: date,
            odometer,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 24_050,
            works: vec![Work {
                activity_code: "MAINTENANCE".into(),
                description: "Grote onderhoudsbeurt".into(),
            }],
            license_plate: None,
            source: crate::domain::source::ReadingSource::Garage,
        }
    }

    fn vehicle() -> Vehicle {
        Vehicle {
            vin: Vin::parse(VIN).unwrap(),
            make: Some("Mercedes-Benz".into()),
            model: Some("C 200".into()),
            category: Some("M1".into()),
            mass_kg: Some(1_500),
            first_registration: Some(d(2019, 3, 1)),
            first_registration_be: Some(d(2019, 3, 1)),
            imported_used: Some(false),
            five_digit_odometer: Some(false),
            euro_norm: None,
            co2_g_km: None,
            fuel: None,
        }
    }

    fn five_digit() -> Vehicle {
        Vehicle {
            five_digit_odometer: Some(true),
            ..vehicle()
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

    /// Received on the work date, a Tuesday, so no lateness interferes.
    fn on_time(date: NaiveDate) -> Dates {
        Dates {
            today: date,
            received_on: date,
        }
    }

    fn codes(e: &Evaluation) -> Vec<&'static str> {
        e.findings.iter().map(|f| f.code().as_str()).collect()
    }

    fn check(r: &ReadingInput, v: Option<&Vehicle>, h: &[HistoryEntry]) -> Evaluation {
        evaluate(r, v, h, on_time(d(2025, 6, 3)))
    }

    #[test]
    fn a_clean_reading_is_accepted_without_issues() {
        let e = check(&reading(d(2025, 6, 3), 45_210), Some(&vehicle()), &[]);
        assert_eq!(e.findings, []);
        assert_eq!(e.status, ReadingStatus::Accepted);
    }

    #[test]
    fn an_invalid_vin_is_an_error_on_the_vin_field_and_skips_the_history() {
        let mut r = reading(d(2025, 6, 3), 10);
        r.vin = "WDB2030461A00000I".into();
        let e = check(&r, None, &[entry(d(2025, 1, 1), 50_000)]);
        assert_eq!(codes(&e), ["VIN_INVALID"]);
        assert_eq!(e.findings[0].field.as_deref(), Some("Vin"));
        assert_eq!(e.status, ReadingStatus::PendingCorrection);
    }

    #[test]
    fn a_valid_vin_unknown_to_the_register_waits_for_registration() {
        let e = check(&reading(d(2025, 6, 3), 45_210), None, &[]);
        assert_eq!(e.status, ReadingStatus::WaitingForRegistration);
        let mut r = reading(d(2025, 6, 3), 45_210);
        r.works.clear();
        assert_eq!(
            check(&r, None, &[]).status,
            ReadingStatus::PendingCorrection
        );
    }

    #[test]
    fn a_work_date_after_today_is_an_error_and_today_is_fine() {
        let today = d(2025, 6, 3);
        let e = evaluate(
            &reading(d(2025, 6, 4), 1),
            Some(&vehicle()),
            &[],
            on_time(today),
        );
        assert_eq!(codes(&e), ["WORK_DATE_FUTURE"]);
        let e = evaluate(&reading(today, 1), Some(&vehicle()), &[], on_time(today));
        assert_eq!(codes(&e), Vec::<&str>::new());
    }

    #[test]
    fn two_million_km_is_the_highest_valid_odometer() {
        let ok = check(&reading(d(2025, 6, 3), 2_000_000), Some(&vehicle()), &[]);
        assert_eq!(codes(&ok), Vec::<&str>::new());
        let bad = check(&reading(d(2025, 6, 3), 2_000_001), Some(&vehicle()), &[]);
        assert_eq!(codes(&bad), ["ODOMETER_INVALID"]);
        let mut miles = reading(d(2025, 6, 3), 1_242_742);
        miles.unit = OdometerUnit::Mi;
        assert_eq!(
            codes(&check(&miles, Some(&vehicle()), &[])),
            Vec::<&str>::new()
        );
        miles.odometer = 1_242_743;
        assert_eq!(
            codes(&check(&miles, Some(&vehicle()), &[])),
            ["ODOMETER_INVALID"]
        );
    }

    #[test]
    fn a_five_digit_odometer_shows_at_most_99999() {
        let ok = check(&reading(d(2025, 6, 3), 99_999), Some(&five_digit()), &[]);
        assert_eq!(codes(&ok), Vec::<&str>::new());
        let bad = check(&reading(d(2025, 6, 3), 100_000), Some(&five_digit()), &[]);
        assert_eq!(codes(&bad), ["FIVE_DIGIT_OVERFLOW"]);
        assert_eq!(bad.findings[0].field.as_deref(), Some("Odometer"));
        let six_digit = check(&reading(d(2025, 6, 3), 100_000), Some(&vehicle()), &[]);
        assert_eq!(codes(&six_digit), Vec::<&str>::new());
    }

    #[test]
    fn a_value_below_an_earlier_dated_reading_is_a_rollback() {
        let history = [entry(d(2025, 1, 10), 40_000), entry(d(2025, 3, 1), 47_500)];
        let e = check(&reading(d(2025, 6, 3), 47_499), Some(&vehicle()), &history);
        assert_eq!(codes(&e), ["ODOMETER_ROLLBACK"]);
        assert_eq!(
            e.findings[0].detail,
            IssueDetail::OdometerRollback {
                value: 47_499,
                unit: OdometerUnit::Km,
                earlier_value: 47_500,
                earlier_unit: OdometerUnit::Km,
                earlier_date: d(2025, 3, 1),
            }
        );
        let equal = check(&reading(d(2025, 6, 3), 47_500), Some(&vehicle()), &history);
        assert_eq!(codes(&equal), Vec::<&str>::new());
    }

    #[test]
    fn a_lower_value_on_the_same_day_is_not_a_rollback() {
        let history = [entry(d(2025, 6, 3), 47_510)];
        let e = check(&reading(d(2025, 6, 3), 47_500), Some(&vehicle()), &history);
        assert_eq!(codes(&e), Vec::<&str>::new());
    }

    #[test]
    fn a_value_above_a_later_dated_reading_is_flagged() {
        let history = [entry(d(2025, 1, 10), 40_000), entry(d(2025, 3, 4), 47_500)];
        let at = on_time(d(2025, 2, 4));
        let e = evaluate(
            &reading(d(2025, 2, 4), 47_501),
            Some(&vehicle()),
            &history,
            at,
        );
        assert_eq!(codes(&e), ["ODOMETER_ABOVE_LATER"]);
        let between = evaluate(
            &reading(d(2025, 2, 4), 47_500),
            Some(&vehicle()),
            &history,
            at,
        );
        assert_eq!(codes(&between), Vec::<&str>::new());
    }

    #[test]
    fn more_than_two_thousand_km_a_day_is_implausible() {
        let history = [entry(d(2025, 6, 1), 40_000)];
        // Two days: 4,000 km is the most.
        let ok = check(&reading(d(2025, 6, 3), 44_000), Some(&vehicle()), &history);
        assert_eq!(codes(&ok), Vec::<&str>::new());
        let bad = check(&reading(d(2025, 6, 3), 44_001), Some(&vehicle()), &history);
        assert_eq!(codes(&bad), ["ODOMETER_IMPLAUSIBLE_RATE"]);
        match &bad.findings[0].detail {
            IssueDetail::OdometerImplausibleRate { km_per_day, .. } => {
                assert_eq!(*km_per_day, 2_001)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn on_the_same_day_two_thousand_km_is_the_most() {
        let history = [entry(d(2025, 6, 3), 40_000)];
        let ok = check(&reading(d(2025, 6, 3), 42_000), Some(&vehicle()), &history);
        assert_eq!(codes(&ok), Vec::<&str>::new());
        let bad = check(&reading(d(2025, 6, 3), 42_001), Some(&vehicle()), &history);
        assert_eq!(codes(&bad), ["ODOMETER_IMPLAUSIBLE_RATE"]);
    }

    #[test]
    fn a_five_digit_odometer_rolling_over_is_not_a_rollback() {
        let history = [entry(d(2025, 5, 30), 99_500)];
        let e = check(&reading(d(2025, 6, 3), 300), Some(&five_digit()), &history);
        assert_eq!(codes(&e), Vec::<&str>::new());
        // 4 days allow 8,000 km: 99,500 -> 7,500 is 8,000 km driven.
        let edge = check(
            &reading(d(2025, 6, 3), 7_500),
            Some(&five_digit()),
            &history,
        );
        assert_eq!(codes(&edge), Vec::<&str>::new());
        let too_far = check(
            &reading(d(2025, 6, 3), 7_501),
            Some(&five_digit()),
            &history,
        );
        assert_eq!(codes(&too_far), ["ODOMETER_ROLLBACK"]);
    }

    #[test]
    fn the_same_drop_on_a_six_digit_odometer_is_a_rollback() {
        let history = [entry(d(2025, 5, 30), 99_500)];
        let e = check(&reading(d(2025, 6, 3), 300), Some(&vehicle()), &history);
        assert_eq!(codes(&e), ["ODOMETER_ROLLBACK"]);
    }

    #[test]
    fn a_five_digit_reading_before_a_later_rollover_is_not_above_it() {
        let history = [entry(d(2025, 6, 3), 200)];
        let e = check(
            &reading(d(2025, 6, 1), 99_000),
            Some(&five_digit()),
            &history,
        );
        assert_eq!(codes(&e), Vec::<&str>::new());
        let far = check(
            &reading(d(2025, 6, 1), 50_000),
            Some(&five_digit()),
            &history,
        );
        assert_eq!(codes(&far), ["ODOMETER_ABOVE_LATER"]);
    }

    #[test]
    fn an_odometer_replacement_starts_a_new_sequence() {
        let mut replaced = entry(d(2025, 3, 1), 10);
        replaced.odometer_replaced = Some(120_000);
        let history = [entry(d(2025, 1, 10), 119_000), replaced];
        // After the replacement, values continue from the new odometer.
        let e = check(&reading(d(2025, 6, 3), 5_000), Some(&vehicle()), &history);
        assert_eq!(codes(&e), Vec::<&str>::new());
        let e = check(&reading(d(2025, 6, 3), 5), Some(&vehicle()), &history);
        assert_eq!(codes(&e), ["ODOMETER_ROLLBACK"]);
    }

    fn link(starts_sequence: bool, anomaly: bool) -> Link {
        Link {
            starts_sequence,
            anomaly,
        }
    }

    const CONTINUES: Link = Link {
        starts_sequence: false,
        anomaly: false,
    };

    #[test]
    fn a_history_that_only_rises_has_no_anomaly_and_one_sequence() {
        let history = [
            entry(d(2025, 1, 10), 40_000),
            entry(d(2025, 3, 1), 40_000),
            entry(d(2025, 3, 1), 41_000),
            entry(d(2025, 3, 1), 40_500),
            entry(d(2025, 6, 1), 47_500),
        ];
        // Equal values, and a lower one on the same day, break nothing.
        assert_eq!(links(&history, false), [CONTINUES; 5]);
        assert_eq!(links(&[], false), []);
    }

    #[test]
    fn a_value_one_km_below_the_sequence_is_an_accepted_drop_that_starts_a_new_one() {
        let history = [
            entry(d(2025, 1, 10), 50_000),
            entry(d(2025, 3, 1), 49_999),
            entry(d(2025, 4, 1), 49_000),
        ];
        assert_eq!(
            links(&history, false),
            [CONTINUES, link(true, true), link(true, true)]
        );
    }

    #[test]
    fn more_than_two_thousand_km_a_day_accepted_is_an_anomaly_but_no_new_sequence() {
        let at_most = [entry(d(2025, 6, 1), 40_000), entry(d(2025, 6, 3), 44_000)];
        assert_eq!(links(&at_most, false), [CONTINUES; 2]);
        let above = [entry(d(2025, 6, 1), 40_000), entry(d(2025, 6, 3), 44_001)];
        assert_eq!(links(&above, false), [CONTINUES, link(false, true)]);
    }

    #[test]
    fn a_replacement_starts_a_sequence_and_is_an_anomaly_only_when_its_final_value_drops() {
        let mut replaced = entry(d(2025, 3, 1), 10);
        replaced.odometer_replaced = Some(119_000);
        let history = [entry(d(2025, 1, 10), 119_000), replaced.clone()];
        assert_eq!(links(&history, false), [CONTINUES, link(true, false)]);
        replaced.odometer_replaced = Some(118_999);
        let history = [entry(d(2025, 1, 10), 119_000), replaced];
        assert_eq!(links(&history, false), [CONTINUES, link(true, true)]);
    }

    #[test]
    fn a_five_digit_rollover_is_no_drop_and_an_implausible_wrap_is_one() {
        let rollover = [entry(d(2025, 5, 30), 99_500), entry(d(2025, 6, 3), 7_500)];
        assert_eq!(links(&rollover, true), [CONTINUES; 2]);
        let too_far = [entry(d(2025, 5, 30), 99_500), entry(d(2025, 6, 3), 7_501)];
        assert_eq!(links(&too_far, true), [CONTINUES, link(true, true)]);
    }

    #[test]
    fn a_drop_in_miles_is_found_in_km() {
        let mut miles = entry(d(2025, 6, 3), 62_137);
        miles.unit = OdometerUnit::Mi;
        let history = [entry(d(2025, 1, 10), 100_000), miles.clone()];
        assert_eq!(links(&history, false), [CONTINUES; 2]);
        miles.odometer = 62_136;
        let history = [entry(d(2025, 1, 10), 100_000), miles];
        assert_eq!(links(&history, false), [CONTINUES, link(true, true)]);
    }

    #[test]
    fn after_an_accepted_drop_later_readings_are_compared_with_it_only() {
        // Staff accepted 40,000 on 1 March below 50,000 on 10 January: the counter shows it.
        let history = [entry(d(2025, 1, 10), 50_000), entry(d(2025, 3, 1), 40_000)];
        let honest = check(&reading(d(2025, 6, 3), 40_000), Some(&vehicle()), &history);
        assert_eq!(codes(&honest), Vec::<&str>::new());
        let below = check(&reading(d(2025, 6, 3), 39_999), Some(&vehicle()), &history);
        assert_eq!(codes(&below), ["ODOMETER_ROLLBACK"]);
        match &below.findings[0].detail {
            IssueDetail::OdometerRollback { earlier_date, .. } => {
                assert_eq!(*earlier_date, d(2025, 3, 1))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn before_an_accepted_drop_readings_are_compared_with_the_values_before_it() {
        let history = [entry(d(2025, 1, 10), 50_000), entry(d(2025, 3, 1), 40_000)];
        let at = on_time(d(2025, 2, 4));
        let between = evaluate(
            &reading(d(2025, 2, 4), 52_000),
            Some(&vehicle()),
            &history,
            at,
        );
        assert_eq!(codes(&between), Vec::<&str>::new());
        let below = evaluate(
            &reading(d(2025, 2, 4), 49_999),
            Some(&vehicle()),
            &history,
            at,
        );
        assert_eq!(codes(&below), ["ODOMETER_ROLLBACK"]);
    }

    #[test]
    fn a_reading_accepted_above_a_later_one_makes_the_later_one_the_drop() {
        // 50,000 on 1 February was accepted although 40,000 on 1 March was already there.
        let history = [
            entry(d(2025, 1, 10), 10_000),
            entry(d(2025, 2, 1), 50_000),
            entry(d(2025, 3, 1), 40_000),
        ];
        assert_eq!(
            links(&history, false),
            [CONTINUES, CONTINUES, link(true, true)]
        );
        let after = check(&reading(d(2025, 6, 3), 45_000), Some(&vehicle()), &history);
        assert_eq!(codes(&after), Vec::<&str>::new());
    }

    #[test]
    fn a_replacement_reading_checks_the_old_odometer_final_value() {
        let history = [entry(d(2025, 1, 10), 119_000)];
        let mut r = reading(d(2025, 6, 3), 0);
        r.odometer_replaced = Some(121_000);
        assert_eq!(
            codes(&check(&r, Some(&vehicle()), &history)),
            Vec::<&str>::new()
        );
        r.odometer_replaced = Some(118_000);
        let e = check(&r, Some(&vehicle()), &history);
        assert_eq!(codes(&e), ["ODOMETER_ROLLBACK"]);
        assert_eq!(e.findings[0].field.as_deref(), Some("OdometerReplaced"));
    }

    #[test]
    fn readings_in_miles_are_compared_in_km_with_readings_in_km() {
        let history = [entry(d(2025, 1, 10), 100_000)];
        let mut r = reading(d(2025, 6, 3), 62_137);
        r.unit = OdometerUnit::Mi;
        assert_eq!(
            codes(&check(&r, Some(&vehicle()), &history)),
            Vec::<&str>::new()
        );
        r.odometer = 62_136;
        assert_eq!(
            codes(&check(&r, Some(&vehicle()), &history)),
            ["ODOMETER_ROLLBACK"]
        );
    }

    #[test]
    fn work_is_required_from_the_first_of_january_2024() {
        let mut before = reading(d(2023, 12, 31), 10);
        before.works.clear();
        let dates = Dates {
            today: d(2023, 12, 31),
            received_on: d(2023, 12, 31),
        };
        assert_eq!(
            codes(&evaluate(&before, Some(&vehicle()), &[], dates)),
            Vec::<&str>::new()
        );
        let mut from = reading(d(2024, 1, 1), 10);
        from.works.clear();
        let dates = Dates {
            today: d(2024, 1, 1),
            received_on: d(2024, 1, 1),
        };
        let e = evaluate(&from, Some(&vehicle()), &[], dates);
        assert_eq!(codes(&e), ["WORK_MISSING"]);
        assert_eq!(e.findings[0].field.as_deref(), Some("Work"));
    }

    #[test]
    fn every_unknown_activity_code_is_named_with_its_position() {
        let mut r = reading(d(2025, 6, 3), 10);
        r.works = ["TYRES", "tyres", "WASH"]
            .into_iter()
            .map(|c| Work {
                activity_code: c.into(),
                description: "x".into(),
            })
            .collect();
        let e = check(&r, Some(&vehicle()), &[]);
        assert_eq!(codes(&e), ["ACTIVITY_UNKNOWN", "ACTIVITY_UNKNOWN"]);
        let fields: Vec<_> = e
            .findings
            .iter()
            .map(|f| f.field.clone().unwrap())
            .collect();
        assert_eq!(fields, ["Work[2]/ActivityCode", "Work[3]/ActivityCode"]);
    }

    #[test]
    fn a_report_after_five_working_days_is_late_but_accepted() {
        // Work on Monday 16 June 2025: the deadline is Monday 23 June.
        let r = reading(d(2025, 6, 16), 10);
        let on_deadline = Dates {
            today: d(2025, 6, 23),
            received_on: d(2025, 6, 23),
        };
        assert_eq!(
            codes(&evaluate(&r, Some(&vehicle()), &[], on_deadline)),
            Vec::<&str>::new()
        );
        let late = Dates {
            today: d(2025, 6, 24),
            received_on: d(2025, 6, 24),
        };
        let e = evaluate(&r, Some(&vehicle()), &[], late);
        assert_eq!(codes(&e), ["LATE_SUBMISSION"]);
        assert_eq!(e.status, ReadingStatus::AcceptedWithWarnings);
    }

    #[test]
    fn work_before_the_first_registration_is_a_warning() {
        let r = reading(d(2019, 2, 28), 10);
        let dates = on_time(d(2019, 2, 28));
        let e = evaluate(&r, Some(&vehicle()), &[], dates);
        assert_eq!(codes(&e), ["BEFORE_FIRST_REGISTRATION"]);
        let on_the_day = evaluate(
            &reading(d(2019, 3, 1), 10),
            Some(&vehicle()),
            &[],
            on_time(d(2019, 3, 1)),
        );
        assert_eq!(codes(&on_the_day), Vec::<&str>::new());
    }

    #[test]
    fn a_truck_reading_is_kept_with_a_not_subject_warning() {
        let truck = Vehicle {
            category: Some("N3".into()),
            ..vehicle()
        };
        let e = check(&reading(d(2025, 6, 3), 10), Some(&truck), &[]);
        assert_eq!(codes(&e), ["NOT_SUBJECT"]);
        assert_eq!(e.status, ReadingStatus::AcceptedWithWarnings);
    }

    #[test]
    fn a_private_job_of_at_most_125_eur_is_not_required_but_accepted() {
        let mut r = reading(d(2025, 6, 3), 10);
        r.customer_type = CustomerType::Private;
        r.invoice_total_cents = 12_500;
        let e = check(&r, Some(&vehicle()), &[]);
        assert_eq!(codes(&e), ["NOT_REQUIRED"]);
        assert_eq!(e.status, ReadingStatus::Accepted);
        r.invoice_total_cents = 12_501;
        assert_eq!(codes(&check(&r, Some(&vehicle()), &[])), Vec::<&str>::new());
        r.customer_type = CustomerType::Business;
        r.invoice_total_cents = 1;
        assert_eq!(codes(&check(&r, Some(&vehicle()), &[])), Vec::<&str>::new());
    }

    #[test]
    fn subcontracted_work_is_never_exempt_whatever_the_customer_and_total() {
        let mut r = reading(d(2025, 6, 3), 10);
        r.subcontracted = true;
        r.customer_type = CustomerType::Private;
        for total in [0, 1, EXEMPTION_MAX_CENTS, EXEMPTION_MAX_CENTS + 1] {
            r.invoice_total_cents = total;
            let e = check(&r, Some(&vehicle()), &[]);
            assert_eq!(codes(&e), Vec::<&str>::new(), "{total} cents");
            assert_eq!(e.status, ReadingStatus::Accepted);
        }
        assert!(is_exempt(false, CustomerType::Private, EXEMPTION_MAX_CENTS));
        assert!(!is_exempt(true, CustomerType::Private, EXEMPTION_MAX_CENTS));
        assert!(!is_exempt(
            false,
            CustomerType::Private,
            EXEMPTION_MAX_CENTS + 1
        ));
        assert!(!is_exempt(false, CustomerType::Business, 0));
    }
}
