//! Post-accident inspection (seed 002, issue 22 point 6): an accident expert reports, through
//! INFORMEX, a vehicle that must pass an inspection before it may drive again; an inspection
//! centre clears it when the inspection is passed. A failed inspection leaves it pending.

use chrono::NaiveDate;

use super::car_pass::PostAccident;

/// The INFORMEX file's reference, as the expert gives it (trimmed; 1 to 40 characters, no
/// control characters). Each is reported once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InformexReference(String);

impl InformexReference {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<InformexReference, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(
                "the INFORMEX reference is empty: give the reference of the expert's INFORMEX file"
                    .into(),
            );
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "the INFORMEX reference has {} characters; at most {} are allowed",
                trimmed.chars().count(),
                Self::MAX_CHARS
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("the INFORMEX reference holds a control character".into());
        }
        Ok(InformexReference(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionResult {
    Passed,
    Failed,
}

impl InspectionResult {
    pub fn parse(raw: &str) -> Option<InspectionResult> {
        match raw {
            "passed" => Some(InspectionResult::Passed),
            "failed" => Some(InspectionResult::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionResult::Passed => "passed",
            InspectionResult::Failed => "failed",
        }
    }
}

/// One record of a vehicle's post-accident history, as stored (`kind` in `as_str`'s words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Reported {
        date: NaiveDate,
        informex_reference: String,
    },
    Inspected {
        date: NaiveDate,
        result: InspectionResult,
    },
}

impl Event {
    /// The name stored in `post_accident_events.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Reported { .. } => "reported",
            Event::Inspected { result, .. } => result.as_str(),
        }
    }

    pub fn date(&self) -> NaiveDate {
        match self {
            Event::Reported { date, .. } | Event::Inspected { date, .. } => *date,
        }
    }
}

/// The inspection still pending after `events` (in the order they were received): the latest
/// report with no passed inspection after it. A passed inspection clears every report before it.
pub fn pending(events: &[Event]) -> Option<PostAccident> {
    let mut pending = None;
    for event in events {
        match event {
            Event::Reported {
                date,
                informex_reference,
            } => {
                pending = Some(PostAccident {
                    reported_on: *date,
                    informex_reference: informex_reference.clone(),
                })
            }
            Event::Inspected {
                result: InspectionResult::Passed,
                ..
            } => pending = None,
            Event::Inspected { .. } => {}
        }
    }
    pending
}

/// Why a report or an inspection is refused; nothing is recorded then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the date {date} is after today ({today}): report what has happened")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error(
        "no post-accident inspection was reported for VIN {vin}: there is nothing to clear. \
         Check the VIN; an inspection is recorded only after an accident expert's report"
    )]
    NothingPending { vin: String },
    #[error(
        "the inspection date {date} is before the accident report of {reported_on} \
         (INFORMEX {informex_reference}): give the date the vehicle was inspected"
    )]
    BeforeReport {
        date: NaiveDate,
        reported_on: NaiveDate,
        informex_reference: String,
    },
}

/// An expert's report: on a day that has come.
pub fn check_report(date: NaiveDate, today: NaiveDate) -> Result<(), Refused> {
    if date > today {
        return Err(Refused::DateInFuture { date, today });
    }
    Ok(())
}

/// An inspection centre's result: on a day that has come, for a pending inspection, not before
/// its report.
pub fn check_inspection(
    vin: &str,
    date: NaiveDate,
    today: NaiveDate,
    events: &[Event],
) -> Result<PostAccident, Refused> {
    if date > today {
        return Err(Refused::DateInFuture { date, today });
    }
    let Some(pending) = pending(events) else {
        return Err(Refused::NothingPending {
            vin: vin.to_owned(),
        });
    };
    if date < pending.reported_on {
        return Err(Refused::BeforeReport {
            date,
            reported_on: pending.reported_on,
            informex_reference: pending.informex_reference,
        });
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn report(d: NaiveDate, reference: &str) -> Event {
        Event::Reported {
            date: d,
            informex_reference: reference.into(),
        }
    }

    fn inspected(d: NaiveDate, result: InspectionResult) -> Event {
        Event::Inspected { date: d, result }
    }

    #[test]
    fn a_report_is_pending_until_an_inspection_is_passed() {
        let mut events = vec![report(date(2026, 3, 1), "IX-1")];
        assert_eq!(
            pending(&events).map(|p| p.informex_reference),
            Some("IX-1".into())
        );
        events.push(inspected(date(2026, 3, 5), InspectionResult::Failed));
        assert!(pending(&events).is_some(), "a failed inspection keeps it");
        events.push(inspected(date(2026, 3, 9), InspectionResult::Passed));
        assert_eq!(pending(&events), None);
        events.push(report(date(2026, 6, 1), "IX-2"));
        assert_eq!(
            pending(&events).map(|p| p.reported_on),
            Some(date(2026, 6, 1))
        );
    }

    #[test]
    fn nothing_is_cleared_that_was_never_reported() {
        assert_eq!(
            check_inspection("V", date(2026, 3, 1), date(2026, 3, 1), &[]),
            Err(Refused::NothingPending { vin: "V".into() })
        );
    }

    #[test]
    fn dates_are_today_at_the_latest_and_an_inspection_follows_its_report() {
        let today = date(2026, 3, 10);
        assert!(check_report(today, today).is_ok());
        assert!(matches!(
            check_report(date(2026, 3, 11), today),
            Err(Refused::DateInFuture { .. })
        ));
        let events = [report(date(2026, 3, 5), "IX-1")];
        assert!(check_inspection("V", date(2026, 3, 5), today, &events).is_ok());
        assert!(matches!(
            check_inspection("V", date(2026, 3, 4), today, &events),
            Err(Refused::BeforeReport { .. })
        ));
        assert!(matches!(
            check_inspection("V", date(2026, 3, 11), today, &events),
            Err(Refused::DateInFuture { .. })
        ));
    }

    #[test]
    fn an_informex_reference_is_trimmed_and_never_empty() {
        assert_eq!(InformexReference::parse(" IX-1 ").unwrap().as_str(), "IX-1");
        assert!(InformexReference::parse("  ").is_err());
        assert!(InformexReference::parse(&"x".repeat(41)).is_err());
    }
}
