//! The report for the DMS vendor's CI (SPEC 5.3): JUnit XML, one test case per criterion.
//! A failed criterion is a failure; one not exercised or awaiting staff review is skipped,
//! since neither says the DMS did wrong.

use std::borrow::Cow;
use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::certification::evaluations::Report;
use crate::domain::certification::evaluation::{CriterionResult, Verdict};

pub fn render(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut writer, report).expect("writing to memory cannot fail");
    String::from_utf8(writer.into_inner()).expect("the writer writes the UTF-8 it is given")
}

fn write(w: &mut Writer<Vec<u8>>, report: &Report) -> io::Result<()> {
    let count = |verdicts: &[Verdict]| {
        let n = report
            .criteria
            .iter()
            .filter(|r| verdicts.contains(&r.verdict))
            .count();
        n.to_string()
    };
    let tests = report.criteria.len().to_string();
    let failures = count(&[Verdict::Failed]);
    let skipped = count(&[Verdict::NotExercised, Verdict::AwaitingStaffReview]);
    let dms = &report.dms;
    let suite = xml_text(&format!("{} {} ({})", dms.name, dms.version, dms.builder)).into_owned();
    // The JUnit schema's timestamp has no zone; it is UTC.
    let timestamp = report.evaluated_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("skipped", skipped.as_str()),
    ];
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attribute(("name", "carpass certification"))
        .with_attributes(counts)
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attribute(("name", suite.as_str()))
                .with_attributes(counts)
                .with_attribute(("timestamp", timestamp.as_str()))
                .write_inner_content(|w| {
                    properties(w, report)?;
                    report.criteria.iter().try_for_each(|r| testcase(w, r))
                })?;
            Ok(())
        })?;
    Ok(())
}

/// Which evaluation this is, so that a CI run can be traced back to the session.
fn properties(w: &mut Writer<Vec<u8>>, report: &Report) -> io::Result<()> {
    let certifiable = report.certifiable.to_string();
    let evaluated_at = report.evaluated_at.to_rfc3339();
    let properties = [
        ("certifiable", certifiable.as_str()),
        ("session", &report.session_id),
        ("evaluation", &report.evaluation_id),
        ("evaluated_at", &evaluated_at),
        ("evaluated_by", &report.evaluated_by),
        ("harness_version", &report.harness_version),
        ("scenarios_sha256", &report.scenarios_sha256),
        ("dms.builder", &report.dms.builder),
        ("dms.name", &report.dms.name),
        ("dms.version", &report.dms.version),
    ];
    // A staff override reads in its test case's reason too; here it is found without parsing.
    let overrides: Vec<(String, String)> = report
        .overrides
        .iter()
        .map(|o| {
            (
                format!("override.{}", o.criterion),
                format!(
                    "{} by {} on {}: {} (the harness found it {})",
                    o.verdict.as_str(),
                    o.by,
                    o.at.format("%Y-%m-%d"),
                    o.reason,
                    o.harness_verdict.as_str()
                ),
            )
        })
        .collect();
    let properties = properties
        .into_iter()
        .chain(overrides.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    w.create_element("properties").write_inner_content(|w| {
        properties.clone().try_for_each(|(name, value)| {
            w.create_element("property")
                .with_attributes([("name", name), ("value", &xml_text(value))])
                .write_empty()
                .map(|_| ())
        })
    })?;
    Ok(())
}

fn testcase(w: &mut Writer<Vec<u8>>, r: &CriterionResult) -> io::Result<()> {
    let classname = if r.mandatory {
        "certification.mandatory"
    } else {
        "certification.recommended"
    };
    let name = xml_text(&format!("{} {}", r.criterion, r.title)).into_owned();
    let reason = xml_text(&r.reason).into_owned();
    let case = w
        .create_element("testcase")
        .with_attributes([("classname", classname), ("name", name.as_str())]);
    let skipped = |prefix: &str| format!("{prefix}: {reason}");
    match r.verdict {
        Verdict::Passed => case.write_inner_content(|w| {
            w.create_element("system-out")
                .write_text_content(BytesText::new(&reason))?;
            Ok(())
        })?,
        Verdict::Failed => case.write_inner_content(|w| {
            w.create_element("failure")
                .with_attributes([("message", reason.as_str()), ("type", "failed")])
                .write_text_content(BytesText::new(&detail(r, &reason)))?;
            Ok(())
        })?,
        Verdict::NotExercised => case.write_inner_content(|w| {
            let message = skipped("not exercised");
            w.create_element("skipped")
                .with_attribute(("message", message.as_str()))
                .write_empty()?;
            Ok(())
        })?,
        Verdict::AwaitingStaffReview => case.write_inner_content(|w| {
            let message = skipped("awaiting staff review");
            w.create_element("skipped")
                .with_attribute(("message", message.as_str()))
                .write_empty()?;
            Ok(())
        })?,
    };
    Ok(())
}

/// Where to look: the step and the exchanges the HTML report and the bundle number the same way.
fn detail(r: &CriterionResult, reason: &str) -> String {
    let mut lines = vec![format!(
        "{} ({}): the DMS {}",
        r.criterion,
        if r.mandatory {
            "mandatory"
        } else {
            "recommended"
        },
        r.title
    )];
    if !r.spec.is_empty() {
        lines.push(format!("where: {}", r.spec));
    }
    if let Some(step) = r.step {
        lines.push(format!("step: {step}"));
    }
    if !r.exchanges.is_empty() {
        let numbers: Vec<String> = r.exchanges.iter().map(u32::to_string).collect();
        lines.push(format!("exchanges: {}", numbers.join(", ")));
    }
    lines.push(format!("reason: {reason}"));
    xml_text(&lines.join("\n")).into_owned()
}

/// XML 1.0 forbids most control characters even when escaped, and a reason can quote what a
/// DMS sent: they become U+FFFD so that the file still parses.
fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::report::sample;
    use crate::domain::certification::criterion::Criterion;

    fn attribute<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
        node.attribute(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
    }

    #[test]
    fn a_staff_override_is_a_property_of_the_suite() {
        let xml = render(&sample::report());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let property = doc
            .descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("override.C11"))
            .expect("the override is a property");
        let value = attribute(property, "value");
        assert!(value.starts_with(
            "passed by staff.bert on 2025-03-14: the label is the garage's own wording <b>"
        ));
        assert!(value.ends_with("(the harness found it failed)"));
    }

    #[test]
    fn the_xml_parses_and_its_counts_match_the_verdicts() {
        let xml = render(&sample::report());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suites = doc.root_element();
        assert_eq!(suites.tag_name().name(), "testsuites");
        assert_eq!(attribute(suites, "name"), "carpass certification");
        let suite = suites
            .children()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        for node in [suites, suite] {
            assert_eq!(attribute(node, "tests"), "16");
            assert_eq!(attribute(node, "failures"), "1");
            assert_eq!(attribute(node, "skipped"), "2");
            assert_eq!(attribute(node, "errors"), "0");
        }
        assert_eq!(
            attribute(suite, "name"),
            "WorkshopPro 7.2 (Garage <Soft> & \"Sons\")"
        );
        assert_eq!(attribute(suite, "timestamp"), "2025-03-14T09:30:00");
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 16);
        let with = |child: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(child)))
                .count()
        };
        assert_eq!(with("failure"), 1);
        assert_eq!(with("skipped"), 2);
        assert_eq!(with("system-out"), 13);
    }

    #[test]
    fn each_criterion_is_a_test_case_named_by_its_id_and_title() {
        let xml = render(&sample::report());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        for (case, c) in cases.iter().zip(Criterion::ALL) {
            assert_eq!(attribute(*case, "name"), format!("{c} {}", c.title()));
            let class = if c.mandatory() {
                "certification.mandatory"
            } else {
                "certification.recommended"
            };
            assert_eq!(attribute(*case, "classname"), class);
        }
    }

    #[test]
    fn a_failure_says_why_and_where_and_a_skip_says_why() {
        let xml = render(&sample::report());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let case = |id: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("testcase") && attribute(*n, "name").starts_with(id))
                .unwrap()
        };
        let failure = case("C03").first_element_child().unwrap();
        assert_eq!(failure.tag_name().name(), "failure");
        assert_eq!(attribute(failure, "type"), "failed");
        assert_eq!(
            attribute(failure, "message"),
            "the reading R-2 has Odometer 45 201 instead of 45 210"
        );
        let detail = failure.text().unwrap();
        assert!(
            detail.contains("step: 2") && detail.contains("exchanges: 2"),
            "{detail}"
        );
        let skip = |id| attribute(case(id).first_element_child().unwrap(), "message").to_owned();
        assert_eq!(
            skip("C07"),
            "awaiting staff review: the screenshot awaits a staff verdict"
        );
        assert_eq!(
            skip("C14"),
            "not exercised: no step of the sheet exercises it"
        );
    }

    #[test]
    fn markup_and_control_characters_in_a_reason_survive_as_text() {
        let mut report = sample::report();
        report.criteria[2].reason = format!("{} \u{1}", sample::HOSTILE);
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            attribute(failure, "message"),
            format!("{} \u{FFFD}", sample::HOSTILE)
        );
        let passed = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out") && n.text() == Some(sample::HOSTILE));
        assert!(
            passed.is_some(),
            "C05's hostile reason is in its system-out"
        );
    }

    #[test]
    fn the_properties_trace_the_run_back_to_the_session() {
        let xml = render(&sample::report());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let property = |name: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
                .and_then(|n| n.attribute("value"))
        };
        assert_eq!(property("session"), Some("s-42"));
        assert_eq!(property("evaluation"), Some("e-1"));
        assert_eq!(property("certifiable"), Some("false"));
    }
}
