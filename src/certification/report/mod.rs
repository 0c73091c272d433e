//! Reports of an evaluation: HTML for people, JSON for tools, JUnit XML for CI, and the evidence bundle.

pub mod bundle;
pub mod html;
pub mod junit;

use super::evaluations::{Evidence, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Junit,
    Bundle,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            "junit" => Some(Format::Junit),
            "bundle" => Some(Format::Bundle),
            _ => None,
        }
    }
}

/// The report in the given format; only the bundle carries the raw evidence.
pub fn render(format: Format, report: &Report, evidence: &Evidence) -> Vec<u8> {
    match format {
        Format::Html => html::render(report, &evidence.attachments).into_bytes(),
        Format::Json => json(report).into_bytes(),
        Format::Junit => junit::render(report).into_bytes(),
        Format::Bundle => bundle::render(report, evidence),
    }
}

/// The stored form of the report, indented for people who open it anyway.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report serialises")
}

/// One report with every kind of verdict and text that needs escaping, for the renderers' tests.
#[cfg(test)]
pub(crate) mod sample {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use crate::certification::evaluations::{
        Evidence, ExchangeInfo, Report, ScreenshotInfo, StepInfo,
    };
    use crate::db::certification::{AttachmentRow, ExchangeRow};
    use crate::domain::certification::criterion::Criterion;
    use crate::domain::certification::evaluation::{CriterionResult, Software, Verdict};
    use crate::domain::certification::review::Overridden;
    use crate::domain::certification::scenario::{InjectedFault, Texts};

    /// Text that breaks markup when it is not escaped.
    pub const HOSTILE: &str = "<b>bold</b> & \"quoted\" 'single'";

    pub fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).unwrap()
    }

    fn texts(en: &str) -> Texts {
        Texts {
            nl: format!("nl: {en}"),
            fr: format!("fr: {en}"),
            en: en.to_owned(),
        }
    }

    /// C03 failed, C05's reason is hostile, C07 awaits staff review, C14 was not exercised, the rest passed.
    pub fn report() -> Report {
        let criteria = Criterion::ALL
            .into_iter()
            .map(|c| {
                let (verdict, step, exchanges, reason) = match c {
                    Criterion::C03 => (
                        Verdict::Failed,
                        Some(2),
                        vec![2],
                        "the reading R-2 has Odometer 45 201 instead of 45 210".to_owned(),
                    ),
                    Criterion::C05 => (Verdict::Passed, Some(1), vec![1], HOSTILE.to_owned()),
                    Criterion::C07 => (
                        Verdict::AwaitingStaffReview,
                        Some(3),
                        vec![3],
                        "the screenshot awaits a staff verdict".to_owned(),
                    ),
                    Criterion::C14 => (
                        Verdict::NotExercised,
                        None,
                        vec![],
                        "no step of the sheet exercises it".to_owned(),
                    ),
                    _ => (Verdict::Passed, Some(1), vec![1, 2], format!("{c} held")),
                };
                CriterionResult {
                    criterion: c,
                    mandatory: c.mandatory(),
                    title: c.title().to_owned(),
                    spec: c.spec().to_owned(),
                    verdict,
                    step,
                    exchanges,
                    reason,
                }
            })
            .collect();
        let step = |number: u32, criteria: &[&str]| StepInfo {
            number,
            scenario: format!("S0{number}"),
            title: texts(&format!("Scenario {number}")),
            instructions: texts(&format!("Close the job of step {number} at 45 210 km.")),
            criteria: criteria.iter().map(|c| c.to_string()).collect(),
            opened_at: Some(at() - Duration::minutes(30 - i64::from(number))),
            attempts: vec![],
        };
        let exchange = |number: u32, operation: &str, http_status: u16, outcome: &str, injected| {
            ExchangeInfo {
                number,
                received_at: at() - Duration::minutes(20 - i64::from(number)),
                answered_at: at() - Duration::minutes(20 - i64::from(number)),
                step: Some(number),
                operation: operation.to_owned(),
                http_status,
                outcome: outcome.to_owned(),
                injected,
                attempt: Some(1),
                superseded: false,
            }
        };
        Report {
            evaluation_id: "e-1".into(),
            harness_version: "carpass 9.9.9".into(),
            scenarios_sha256: "cd".repeat(32),
            evaluated_at: at(),
            evaluated_by: "staff.anna".into(),
            session_id: "s-42".into(),
            dms: Software {
                builder: "Garage <Soft> & \"Sons\"".into(),
                name: "WorkshopPro".into(),
                version: "7.2".into(),
            },
            session_started_at: at() - Duration::hours(1),
            certifiable: false,
            criteria,
            checks: vec![],
            steps: vec![step(1, &["C05"]), step(2, &["C03"]), step(3, &["C07"])],
            exchanges: vec![
                exchange(1, "SubmitReadings", 200, "receipt: REGISTERED", None),
                exchange(
                    2,
                    "SubmitReadings",
                    500,
                    "fault SERVER",
                    Some(InjectedFault::Server),
                ),
                exchange(3, "CorrectIssue", 200, HOSTILE, None),
            ],
            screenshots: vec![ScreenshotInfo {
                step: 3,
                file_name: "paper form.png".into(),
                content_type: "image/png".into(),
                sha256: "ab".repeat(32),
                attached_at: at(),
                attached_by: "dev".into(),
                original_name: None,
            }],
            overrides: vec![Overridden {
                criterion: Criterion::C11,
                harness_verdict: Verdict::Failed,
                harness_reason: "the Description repeats the activity's label".into(),
                verdict: Verdict::Passed,
                reason: format!("the label is the garage's own wording {HOSTILE}"),
                by: "staff.bert".into(),
                at: at(),
            }],
        }
    }

    /// The raw rows behind `report()`'s three exchanges and its screenshot.
    pub fn evidence() -> Evidence {
        let exchange = |number: i64| ExchangeRow {
            id: number,
            session_id: "s-42".into(),
            step: Some(number as i32),
            received_at: at().naive_utc(),
            answered_at: at().naive_utc(),
            method: "POST".into(),
            path: "/soap".into(),
            request_headers:
                r#"[["Content-Type","text/xml"],["Authorization","Basic Zm9vOmJhcg=="]]"#.into(),
            request_body: format!("<Envelope n=\"{number}\"/>").into_bytes(),
            response_status: 200,
            response_headers: r#"[["Content-Type","text/xml; charset=utf-8"]]"#.into(),
            response_body: format!("<Receipt n=\"{number}\"/>").into_bytes(),
            injected: (number == 2).then(|| "server".to_owned()),
            attempt: Some(1),
            request_size: 20,
            request_sha256: None,
            request_note: None,
            request_facts: None,
            operation: None,
            outcome: None,
        };
        let screenshot = AttachmentRow {
            id: 1,
            session_id: "s-42".into(),
            step: 3,
            file_name: "paper form.png".into(),
            content_type: "image/png".into(),
            content: b"\x89PNG not really".to_vec(),
            sha256: "ab".repeat(32),
            attached_at: at().naive_utc(),
            attached_by: "dev".into(),
            original_name: None,
        };
        Evidence {
            exchanges: (1..=3).map(exchange).collect(),
            attachments: vec![screenshot],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_and_unknown_ones_do_not() {
        assert_eq!(Format::parse("html"), Some(Format::Html));
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("JUnit"), Some(Format::Junit));
        assert_eq!(Format::parse("bundle"), Some(Format::Bundle));
        assert_eq!(Format::parse("pdf"), None);
    }

    #[test]
    fn the_json_report_reads_back_as_the_same_report() {
        let report = sample::report();
        let back: Report = serde_json::from_str(&json(&report)).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn render_dispatches_on_the_format() {
        let (report, evidence) = (sample::report(), sample::evidence());
        assert!(render(Format::Html, &report, &evidence).starts_with(b"<!DOCTYPE html>"));
        assert!(render(Format::Json, &report, &evidence).starts_with(b"{"));
        assert!(render(Format::Junit, &report, &evidence).starts_with(b"<?xml"));
        let bundle = render(Format::Bundle, &report, &evidence);
        assert_eq!(
            bundle.len() % 512,
            0,
            "a tar archive is made of 512-byte blocks"
        );
    }
}
