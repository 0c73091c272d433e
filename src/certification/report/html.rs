//! The report for people (SPEC 5.3): one self-contained HTML page, no external resource and no
//! script, so that it can be mailed or archived and still opens as it was.

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::certification::evaluations::{ExchangeInfo, Report, ScreenshotInfo, StepInfo};
use crate::certification::sessions::hex;
use crate::db::certification::AttachmentRow;
use crate::domain::certification::evaluation::{CriterionResult, Verdict};
use crate::domain::certification::review::Overridden;
use crate::domain::format::Formatter;
use crate::domain::language::Language;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:80rem;margin:2rem auto;padding:0 1.5rem;color:#1d2733;line-height:1.4}\
h1{font-size:1.8rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2.2rem 0 .6rem}\
.banner{padding:1.1rem 1.4rem;border-radius:.5rem;margin-bottom:1.2rem}.banner p{margin:.2rem 0}\
.banner .dms{font-size:1.15rem;font-weight:600}\
.yes{background:#e5f5ea;border:2px solid #2e8b57}.yes h1{color:#1e6b3f}\
.no{background:#fdecea;border:2px solid #c0392b}.no h1{color:#a93226}\
.note{background:#fff4d6;border-left:4px solid #d4a017;padding:.7rem 1rem;border-radius:.3rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem}dt{color:#5a6b7d}dd{margin:0}\
table{border-collapse:collapse;width:100%;font-size:.92rem}\
th{text-align:left;color:#5a6b7d;font-weight:600;border-bottom:2px solid #c9d3dd;padding:.4rem .5rem}\
td{border-bottom:1px solid #e3e8ee;padding:.45rem .5rem;vertical-align:top}tbody tr:nth-child(even){background:#f6f8fa}tbody tr.attention{background:#fdf1ef}\
td.num,th.num{text-align:right;white-space:nowrap}.nowrap{white-space:nowrap}th.third{width:33%}\
code{font-family:ui-monospace,monospace;font-size:.88em}.hash{word-break:break-all}\
.badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-size:.8rem;font-weight:600;white-space:nowrap;margin:0 .2rem .2rem 0}\
.passed{background:#d7f0df;color:#1e6b3f}.failed{background:#f9d6d2;color:#a93226}\
.not-exercised{background:#e6eaef;color:#4a5a6b}.awaiting{background:#fde9b0;color:#7a5000}.plain{background:#e6eaef;color:#1d2733}\
a{color:#1f5f9e}.muted{color:#5a6b7d}footer{margin-top:2.5rem;font-size:.85rem;color:#5a6b7d}";

/// The report, with the screenshots it was judged on shown in the page itself.
pub fn render(report: &Report, attachments: &[AttachmentRow]) -> String {
    let dms = &report.dms;
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>Certification of {name} {version}: {verdict}</title><style>{STYLE}</style></head><body>\n\
{banner}{review}<dl>\
<dt>Session</dt><dd><code>{session}</code>, started {started}</dd>\
<dt>Evaluation</dt><dd><code>{evaluation}</code></dd>\
<dt>Evaluated at</dt><dd>{at}</dd><dt>Evaluated by</dt><dd>{by}</dd>\
<dt>Harness</dt><dd>{harness}</dd><dt>Scenarios</dt><dd>SHA-256 <code class=\"hash\">{scenarios}</code></dd></dl>\n\
<h2>Criteria</h2><p class=\"muted\">{counts}. M: mandatory, decides certifiability; R: recommended.</p>{criteria}\n{overrides}\
<h2>Steps</h2>{steps}\n<h2>Exchanges</h2>{exchanges}\n<h2>Screenshots</h2>{screenshots}\n\
<footer>SPEC 5.3: a criterion is passed, failed or not exercised; what only the DMS's screen shows stays \
awaiting staff review until staff record a verdict. This evaluation is a record that does not change; \
a new evaluation or a staff verdict is a new record.</footer></body></html>\n",
        name = escape(&dms.name),
        version = escape(&dms.version),
        verdict = if report.certifiable { "certifiable" } else { "not certifiable" },
        banner = banner(report),
        review = review_note(&report.criteria),
        session = escape(&report.session_id),
        started = time(report.session_started_at),
        evaluation = escape(&report.evaluation_id),
        at = time(report.evaluated_at),
        by = escape(&report.evaluated_by),
        harness = escape(or_unknown(&report.harness_version)),
        scenarios = escape(or_unknown(&report.scenarios_sha256)),
        counts = counts(&report.criteria),
        criteria = criteria(&report.criteria),
        overrides = overrides(&report.overrides),
        steps = steps(report),
        exchanges = exchanges(&report.exchanges),
        screenshots = screenshots(&report.screenshots, attachments),
    )
}

/// Reports made before a field was kept show that it is not known.
fn or_unknown(value: &str) -> &str {
    if value.is_empty() {
        "not recorded"
    } else {
        value
    }
}

fn banner(report: &Report) -> String {
    let (class, title, summary) = if report.certifiable {
        (
            "yes",
            "Certifiable",
            "Every mandatory criterion passed.".to_owned(),
        )
    } else {
        let missing: Vec<String> = report
            .criteria
            .iter()
            .filter(|r| r.blocks_certification())
            .map(|r| format!("{} {}", r.criterion, r.verdict.as_str()))
            .collect();
        (
            "no",
            "Not certifiable",
            format!("Mandatory criteria not met: {}.", missing.join(", ")),
        )
    };
    format!(
        "<header class=\"banner {class}\"><h1>{title}</h1><p class=\"dms\">{name} {version}, by {builder}</p><p>{summary}</p></header>\n",
        name = escape(&report.dms.name),
        version = escape(&report.dms.version),
        builder = escape(&report.dms.builder),
        summary = escape(&summary),
    )
}

fn review_note(criteria: &[CriterionResult]) -> String {
    let waiting: Vec<&str> = criteria
        .iter()
        .filter(|r| r.verdict == Verdict::AwaitingStaffReview)
        .map(|r| r.criterion.id())
        .collect();
    match waiting.as_slice() {
        [] => String::new(),
        [one] => format!("<p class=\"note\">{one} awaits staff review of its screenshot: approval needs a staff verdict on it.</p>\n"),
        many => format!(
            "<p class=\"note\">{} await staff review of their screenshots: approval needs a staff verdict on each.</p>\n",
            many.join(", ")
        ),
    }
}

/// Each criterion staff settled otherwise than the harness, with their reason and the harness's.
fn overrides(overrides: &[Overridden]) -> String {
    if overrides.is_empty() {
        return String::new();
    }
    let rows: String = overrides
        .iter()
        .map(|o| {
            format!(
                "<tr><td class=\"nowrap\"><strong>{id}</strong></td><td>{verdict} {reason}<br><span class=\"muted\">by {by}, {at}</span></td>\
<td>{harness} {harness_reason}</td></tr>\n",
                id = o.criterion.id(),
                verdict = badge(o.verdict, None),
                reason = escape(&o.reason),
                by = escape(&o.by),
                at = time(o.at),
                harness = badge(o.harness_verdict, None),
                harness_reason = escape(&o.harness_reason),
            )
        })
        .collect();
    format!(
        "<h2>Staff overrides</h2><p class=\"note\">Staff settled these criteria otherwise than the harness; the verdicts above include them.</p>\
<table><thead><tr><th>Id</th><th class=\"third\">Staff verdict and reason</th><th>What the harness found</th></tr></thead><tbody>\n{rows}</tbody></table>\n"
    )
}

fn counts(criteria: &[CriterionResult]) -> String {
    let counted: Vec<String> = [
        Verdict::Passed,
        Verdict::Failed,
        Verdict::NotExercised,
        Verdict::AwaitingStaffReview,
    ]
    .into_iter()
    .map(|v| (v, criteria.iter().filter(|r| r.verdict == v).count()))
    .filter(|(_, n)| *n > 0)
    .map(|(v, n)| format!("{n} {}", v.as_str()))
    .collect();
    counted.join(", ")
}

fn criteria(criteria: &[CriterionResult]) -> String {
    let rows: String = criteria
        .iter()
        .map(|r| {
            let exchanges: Vec<String> = r.exchanges.iter().map(|&n| exchange_link(n)).collect();
            format!(
                "<tr{attention}><td class=\"nowrap\"><strong>{id}</strong></td><td>{kind}</td><td>{title}<br><span class=\"muted\">{spec}</span></td><td>{verdict}</td>\
<td class=\"num\">{step}</td><td>{exchanges}</td><td>{reason}</td></tr>\n",
                title = escape(&r.title),
                spec = escape(&r.spec),
                attention = if r.verdict == Verdict::Failed { " class=\"attention\"" } else { "" },
                id = r.criterion.id(),
                kind = if r.mandatory { "<abbr title=\"mandatory\">M</abbr>" } else { "<abbr title=\"recommended\">R</abbr>" },
                verdict = badge(r.verdict, None),
                step = r.step.map(step_link).unwrap_or_default(),
                exchanges = exchanges.join(", "),
                reason = escape(&r.reason),
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th>Id</th><th>M/R</th><th class=\"third\">The DMS...</th><th>Verdict</th><th class=\"num\">Step</th>\
<th>Exchanges</th><th class=\"third\">Reason</th></tr></thead><tbody>\n{rows}</tbody></table>"
    )
}

fn steps(report: &Report) -> String {
    if report.steps.is_empty() {
        return "<p class=\"muted\">The session has no steps.</p>".into();
    }
    let rows: String = report
        .steps
        .iter()
        .map(|s| {
            format!(
                "<tr id=\"step-{n}\"><td class=\"num\"><strong>{n}</strong></td><td><code>{scenario}</code><br>{title}</td>\
<td>{instructions}</td><td>{criteria}</td><td class=\"nowrap\">{opened}</td></tr>\n",
                n = s.number,
                scenario = escape(&s.scenario),
                title = escape(&s.title.en),
                instructions = escape(&s.instructions.en),
                criteria = step_criteria(report, s),
                opened = opened(s),
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th class=\"num\">Step</th><th>Scenario</th><th>Instructions</th><th>Criteria</th>\
<th>Opened at</th></tr></thead><tbody>\n{rows}</tbody></table>"
    )
}

/// The step's criteria, coloured by what was judged at this step, with the reason on hover:
/// the criteria table shows only the deciding step of each.
fn step_criteria(report: &Report, step: &StepInfo) -> String {
    step.criteria
        .iter()
        .map(|id| {
            let check = report
                .checks
                .iter()
                .find(|k| k.criterion.id() == id && k.step == Some(step.number));
            match check {
                Some(k) => badge(k.verdict, Some((id, &k.reason))),
                None => format!("<span class=\"badge plain\">{}</span>", escape(id)),
            }
        })
        .collect()
}

/// When the step was opened; a step played again lists every attempt, the judged one last.
fn opened(step: &StepInfo) -> String {
    match step.attempts.as_slice() {
        [_, _, ..] => {
            step.attempts
                .iter()
                .map(|a| format!("attempt {}: {}", a.attempt, time(a.opened_at)))
                .collect::<Vec<_>>()
                .join("<br>")
                + " <span class=\"muted\">(the last is judged)</span>"
        }
        _ => step
            .opened_at
            .map(time)
            .unwrap_or_else(|| "<span class=\"muted\">never opened</span>".into()),
    }
}

fn exchanges(exchanges: &[ExchangeInfo]) -> String {
    if exchanges.is_empty() {
        return "<p class=\"muted\">The DMS sent no request in this session.</p>".into();
    }
    let rows: String = exchanges
        .iter()
        .map(|e| {
            format!(
                "<tr id=\"exchange-{n}\"><td class=\"num\">{n}</td><td class=\"nowrap\">{at}</td><td class=\"num\">{step}</td>\
<td>{operation}</td><td class=\"num\">{status}</td><td>{outcome}</td><td>{injected}</td></tr>\n",
                n = e.number,
                at = time(e.received_at),
                step = e.step.map(step_link).unwrap_or_default(),
                operation = escape(&e.operation),
                status = e.http_status,
                outcome = if e.superseded {
                    format!(
                        "{} <span class=\"muted\">(attempt {} of its step, played again: not judged)</span>",
                        escape(&e.outcome),
                        e.attempt.unwrap_or(1)
                    )
                } else {
                    escape(&e.outcome).into_owned()
                },
                injected = e.injected.map(|f| f.as_str()).unwrap_or(""),
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th class=\"num\">#</th><th>Received at</th><th class=\"num\">Step</th><th>Operation</th>\
<th class=\"num\">HTTP</th><th>Outcome</th><th>Injected fault</th></tr></thead><tbody>\n{rows}</tbody></table>"
    )
}

/// Each screenshot the evaluation was judged on, shown inline (a data: URI keeps the page
/// self-contained) when its bytes still match the SHA-256 the report names.
fn screenshots(screenshots: &[ScreenshotInfo], attachments: &[AttachmentRow]) -> String {
    if screenshots.is_empty() {
        return "<p class=\"muted\">No screenshot was attached.</p>".into();
    }
    let rows: String = screenshots
        .iter()
        .map(|s| {
            let image = attachments
                .iter()
                .find(|a| a.sha256 == s.sha256 && a.step as u32 == s.step)
                .filter(|a| hex(&Sha256::digest(&a.content)) == s.sha256)
                .map(|a| {
                    format!(
                        "<img src=\"data:{};base64,{}\" alt=\"{}\" style=\"max-width:100%;border:1px solid #c9d3dd\">",
                        escape(&a.content_type),
                        base64::engine::general_purpose::STANDARD.encode(&a.content),
                        escape(&s.file_name)
                    )
                })
                .unwrap_or_else(|| "<span class=\"muted\">not in this copy: see the evidence bundle</span>".into());
            format!(
                "<tr><td class=\"num\">{step}</td><td>{file}<br><code class=\"hash\">{sha}</code><br>{at}, by {by}</td>\
<td>{image}</td></tr>\n",
                step = step_link(s.step),
                file = escape(&s.file_name),
                sha = escape(&s.sha256),
                at = time(s.attached_at),
                by = escape(&s.attached_by),
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th class=\"num\">Step</th><th>File, SHA-256, attached</th><th>Screenshot</th></tr></thead>\
<tbody>\n{rows}</tbody></table>"
    )
}

/// A verdict badge; with a criterion id and a reason, the id is the label and the reason its tooltip.
fn badge(verdict: Verdict, labelled: Option<(&str, &str)>) -> String {
    let class = verdict.slug();
    match labelled {
        None => format!("<span class=\"badge {class}\">{}</span>", verdict.as_str()),
        Some((id, reason)) => format!(
            "<span class=\"badge {class}\" title=\"{}: {}\">{}</span>",
            verdict.as_str(),
            escape(reason),
            escape(id)
        ),
    }
}

fn step_link(n: u32) -> String {
    format!("<a href=\"#step-{n}\">{n}</a>")
}

fn exchange_link(n: u32) -> String {
    format!("<a href=\"#exchange-{n}\">{n}</a>")
}

/// The report is English: its times are written as an English page writes them (Brussels
/// time with its offset), to the second because the exchanges' order within a minute counts.
fn time(at: DateTime<Utc>) -> String {
    Formatter(Language::En).moment_exact(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::report::sample;
    use crate::domain::certification::criterion::Criterion;
    use crate::domain::certification::evaluation::Check;

    #[test]
    fn a_staff_override_is_shown_with_its_reason_and_what_the_harness_found() {
        let html = render(&sample::report(), &[]);
        assert!(html.contains("<h2>Staff overrides</h2>"));
        assert!(html.contains("the label is the garage&apos;s own wording &lt;b&gt;bold&lt;/b&gt;"));
        assert!(html.contains("the Description repeats the activity&apos;s label"));
        assert!(html.contains("by staff.bert"));
        let mut report = sample::report();
        report.overrides.clear();
        assert!(!render(&report, &[]).contains("Staff overrides"));
    }

    #[test]
    fn a_failed_mandatory_criterion_shows_a_red_not_certifiable_banner_naming_it() {
        let html = render(&sample::report(), &[]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<header class=\"banner no\"><h1>Not certifiable</h1>"));
        assert!(html.contains("Mandatory criteria not met: C03 failed."));
        assert!(html.contains("WorkshopPro 7.2, by Garage &lt;Soft&gt; &amp; &quot;Sons&quot;"));
        assert!(html.contains("s-42") && html.contains("e-1") && html.contains("staff.anna"));
        assert!(
            html.contains("2025-03-14 10:30:00 (UTC+1)"),
            "Brussels time"
        );
    }

    #[test]
    fn a_certifiable_report_shows_a_green_banner() {
        let mut report = sample::report();
        report.certifiable = true;
        let html = render(&report, &[]);
        assert!(html.contains("<header class=\"banner yes\"><h1>Certifiable</h1>"));
        assert!(html.contains("Every mandatory criterion passed."));
        assert!(!html.contains("Not certifiable"));
    }

    #[test]
    fn criteria_awaiting_staff_review_are_called_out_at_the_top() {
        let mut report = sample::report();
        let html = render(&report, &[]);
        assert!(html.contains(
            "C07 awaits staff review of its screenshot: approval needs a staff verdict on it."
        ));
        report.criteria[13].verdict = Verdict::AwaitingStaffReview;
        assert!(render(&report, &[]).contains("C07, C14 await staff review of their screenshots: approval needs a staff verdict on each."));
        report
            .criteria
            .iter_mut()
            .for_each(|r| r.verdict = Verdict::Passed);
        report.overrides.clear();
        assert!(!render(&report, &[]).contains("class=\"note\""));
    }

    #[test]
    fn every_criterion_appears_with_its_verdict() {
        let html = render(&sample::report(), &[]);
        for c in Criterion::ALL {
            assert!(
                html.contains(&format!("<strong>{c}</strong>")),
                "{c} is missing"
            );
        }
        for class in ["passed", "failed", "not-exercised", "awaiting"] {
            assert!(
                html.contains(&format!("class=\"badge {class}\"")),
                "no {class} badge"
            );
        }
        assert!(html.contains("13 passed, 1 failed, 1 not exercised, 1 awaiting staff review"));
    }

    #[test]
    fn steps_exchanges_and_screenshots_are_listed() {
        let html = render(&sample::report(), &[]);
        assert!(html.contains("<tr id=\"step-2\">"));
        assert!(html.contains("Close the job of step 2 at 45 210 km."));
        assert!(!html.contains("nl: Close"), "only the English instructions");
        assert!(html.contains("<tr id=\"exchange-2\">") && html.contains("<td>server</td>"));
        assert!(html.contains("<a href=\"#exchange-2\">2</a>"));
        assert!(html.contains("paper form.png") && html.contains(&"ab".repeat(32)));
    }

    #[test]
    fn the_report_names_its_harness_scenarios_and_each_criterion_s_spec_section() {
        let html = render(&sample::report(), &[]);
        assert!(
            html.contains("<dt>Harness</dt><dd>carpass 9.9.9</dd>"),
            "{html}"
        );
        assert!(html.contains(&"cd".repeat(32)));
        assert!(html.contains("SPEC 5.2; 2.7"), "C06's sections");
        assert!(html.contains(&escape(Criterion::C12.title()).into_owned()));
    }

    #[test]
    fn a_screenshot_is_shown_inline_when_its_bytes_match_the_report() {
        let mut report = sample::report();
        let mut evidence = sample::evidence();
        let png = b"\x89PNG\r\n\x1a\n a screen".to_vec();
        report.screenshots[0].sha256 = hex(&Sha256::digest(&png));
        evidence.attachments[0].sha256 = report.screenshots[0].sha256.clone();
        evidence.attachments[0].content = png.clone();
        let html = render(&report, &evidence.attachments);
        let inline = format!(
            "src=\"data:image/png;base64,{}\"",
            base64::engine::general_purpose::STANDARD.encode(&png)
        );
        assert!(html.contains(&inline), "{html}");
        evidence.attachments[0].content = b"\x89PNG\r\n\x1a\n another".to_vec();
        let html = render(&report, &evidence.attachments);
        assert!(!html.contains("data:image/png") && html.contains("not in this copy"));
    }

    #[test]
    fn a_step_colours_the_criteria_judged_there() {
        let mut report = sample::report();
        report.checks = vec![Check {
            criterion: Criterion::C03,
            step: Some(2),
            verdict: Verdict::Failed,
            exchanges: vec![2],
            reason: "odometer <wrong>".into(),
        }];
        let html = render(&report, &[]);
        assert!(html.contains(
            "<span class=\"badge failed\" title=\"failed: odometer &lt;wrong&gt;\">C03</span>"
        ));
        assert!(html.contains("<span class=\"badge plain\">C05</span>"));
    }

    #[test]
    fn text_from_the_session_is_escaped() {
        let html = render(&sample::report(), &[]);
        assert!(!html.contains(sample::HOSTILE));
        assert!(!html.contains("<b>"));
        assert!(
            html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &apos;single&apos;")
        );
    }

    #[test]
    fn an_empty_session_says_so_instead_of_showing_empty_tables() {
        let mut report = sample::report();
        report.steps.clear();
        report.exchanges.clear();
        report.screenshots.clear();
        let html = render(&report, &[]);
        assert!(html.contains("The session has no steps."));
        assert!(html.contains("The DMS sent no request in this session."));
        assert!(html.contains("No screenshot was attached."));
    }
}
