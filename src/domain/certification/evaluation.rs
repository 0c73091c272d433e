//! Judging a session's recording against the criteria (SPEC 5.3): each check is passed,
//! failed, not exercised or awaiting staff review, with the step, the exchanges that decided
//! it and a one-line reason. A plain function of the recording: no clock, no storage.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::criterion::Criterion;
use super::facts::{
    same_issue_number, Authentication, Exchange, IssueFacts, ResponseFacts, SentReading,
};
use super::scenario::{grouped, AnswerKind, InjectedFault, Sheet, SheetStep};
use crate::domain::calendar::brussels_date;
use crate::domain::reading::CustomerType;
use crate::domain::rules::{self, EXEMPTION_MAX_CENTS};

/// C05: a reading is sent while the vehicle is in the workshop.
pub const SEND_WITHIN: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    Failed,
    NotExercised,
    /// Proven on the DMS's screen: a screenshot waits for a staff verdict.
    AwaitingStaffReview,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotExercised => "not exercised",
            Verdict::AwaitingStaffReview => "awaiting staff review",
        }
    }
}

/// The certified identity the ClientInfo header must carry (C15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Software {
    pub builder: String,
    pub name: String,
    pub version: String,
}

pub struct Recording<'a> {
    pub sheet: &'a Sheet,
    pub software: &'a Software,
    /// When each step was opened.
    pub opened: &'a BTreeMap<u32, DateTime<Utc>>,
    pub exchanges: &'a [Exchange],
    /// Steps with at least one screenshot attached.
    pub screenshots: &'a BTreeSet<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub criterion: Criterion,
    pub step: Option<u32>,
    pub verdict: Verdict,
    pub exchanges: Vec<u32>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub criterion: Criterion,
    pub mandatory: bool,
    pub title: String,
    pub verdict: Verdict,
    pub step: Option<u32>,
    pub exchanges: Vec<u32>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Every mandatory criterion passed (or passed electronically and awaits a staff verdict
    /// on its screenshot: approval needs those verdicts).
    pub certifiable: bool,
    pub criteria: Vec<CriterionResult>,
    pub checks: Vec<Check>,
}

impl Evaluation {
    pub fn result(&self, criterion: Criterion) -> &CriterionResult {
        self.criteria
            .iter()
            .find(|r| r.criterion == criterion)
            .expect("every criterion has a result")
    }
}

/// A staff verdict on a criterion proven on the DMS's screen (SPEC 5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffVerdict {
    pub criterion: Criterion,
    pub passed: bool,
    /// Who, when and why, as the report shows it.
    pub reason: String,
}

impl Evaluation {
    /// Settles the criteria awaiting staff review with the staff's verdicts on them, given
    /// oldest first: the latest verdict on a criterion counts.
    pub fn with_verdicts(mut self, verdicts: &[StaffVerdict]) -> Evaluation {
        for verdict in verdicts.iter().rev() {
            if let Some(result) = self.criteria.iter_mut().find(|r| {
                r.criterion == verdict.criterion && r.verdict == Verdict::AwaitingStaffReview
            }) {
                result.verdict = if verdict.passed {
                    Verdict::Passed
                } else {
                    Verdict::Failed
                };
                result.reason = format!("{}; {}", result.reason, verdict.reason);
            }
        }
        self.certifiable = certifiable(&self.criteria);
        self
    }
}

fn certifiable(criteria: &[CriterionResult]) -> bool {
    criteria
        .iter()
        .filter(|r| r.mandatory)
        .all(|r| matches!(r.verdict, Verdict::Passed | Verdict::AwaitingStaffReview))
}

pub fn evaluate(recording: &Recording<'_>) -> Evaluation {
    let judge = Judge::new(recording);
    let mut checks = vec![judge.c01(), judge.c02(), judge.c15()];
    for step in &recording.sheet.steps {
        for &criterion in &step.criteria {
            if !criterion.on_every_exchange() {
                checks.push(judge.at_step(criterion, step));
            }
        }
    }
    let criteria: Vec<CriterionResult> = Criterion::ALL
        .into_iter()
        .map(|c| summarise(c, checks.iter().filter(|k| k.criterion == c).collect()))
        .collect();
    Evaluation {
        certifiable: certifiable(&criteria),
        criteria,
        checks,
    }
}

fn summarise(criterion: Criterion, checks: Vec<&Check>) -> CriterionResult {
    let result = |verdict, step, exchanges, reason| CriterionResult {
        criterion,
        mandatory: criterion.mandatory(),
        title: criterion.title().to_owned(),
        verdict,
        step,
        exchanges,
        reason,
    };
    for verdict in [Verdict::Failed, Verdict::AwaitingStaffReview] {
        if let Some(first) = checks.iter().find(|c| c.verdict == verdict) {
            return result(
                verdict,
                first.step,
                first.exchanges.clone(),
                first.reason.clone(),
            );
        }
    }
    let passed: Vec<&&Check> = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Passed)
        .collect();
    match passed.as_slice() {
        [] => match checks.first() {
            Some(first) => result(
                Verdict::NotExercised,
                first.step,
                first.exchanges.clone(),
                first.reason.clone(),
            ),
            None => result(
                Verdict::NotExercised,
                None,
                vec![],
                "no step of the sheet exercises it".into(),
            ),
        },
        [only] => result(
            Verdict::Passed,
            only.step,
            only.exchanges.clone(),
            only.reason.clone(),
        ),
        [first, ..] => {
            let steps: BTreeSet<u32> = passed.iter().filter_map(|c| c.step).collect();
            let steps: Vec<String> = steps.iter().map(u32::to_string).collect();
            result(
                Verdict::Passed,
                first.step,
                first.exchanges.clone(),
                format!(
                    "passed at steps {}; step {}: {}",
                    steps.join(", "),
                    first.step.unwrap_or(0),
                    first.reason
                ),
            )
        }
    }
}

/// One reading, however often it was sent: its ClientReference is the identity.
struct Distinct<'a> {
    reference: &'a str,
    reading: &'a SentReading,
    /// The exchanges that carried it, first one first.
    sends: Vec<&'a Exchange>,
    step: Option<u32>,
}

impl Distinct<'_> {
    fn first(&self) -> &Exchange {
        self.sends[0]
    }

    /// Its receipt, from the first response that had one.
    fn receipt(&self) -> Option<(&Exchange, &super::facts::ReceiptFacts)> {
        self.sends
            .iter()
            .find_map(|e| e.receipt_for(self.reference).map(|r| (*e, r)))
    }
}

/// A check's verdict, the exchanges that decided it and why.
type Judged = (Verdict, Vec<u32>, String);
/// The step's reading, the exchange whose receipt carried the planned issue, and the issue.
type Planned<'j, 'a> = (&'j Distinct<'a>, &'a Exchange, &'a IssueFacts);

struct Judge<'a> {
    rec: &'a Recording<'a>,
    readings: Vec<Distinct<'a>>,
}

fn check(
    criterion: Criterion,
    step: Option<u32>,
    verdict: Verdict,
    exchanges: Vec<u32>,
    reason: String,
) -> Check {
    Check {
        criterion,
        step,
        verdict,
        exchanges,
        reason,
    }
}

fn euros(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl<'a> Judge<'a> {
    fn new(rec: &'a Recording<'a>) -> Judge<'a> {
        let mut readings: Vec<Distinct<'a>> = Vec::new();
        for exchange in rec
            .exchanges
            .iter()
            .filter(|e| e.is("SubmitReadings") && e.taken())
        {
            for reading in &exchange.request.readings {
                match readings
                    .iter_mut()
                    .find(|d| d.reference == reading.client_reference)
                {
                    Some(known) => known.sends.push(exchange),
                    None => {
                        let step = rec
                            .sheet
                            .step_of_vin(&reading.vin)
                            .map(|s| s.number)
                            .or_else(|| {
                                exchange
                                    .step
                                    .filter(|n| rec.sheet.step(*n).is_some_and(|s| s.job.is_some()))
                            });
                        readings.push(Distinct {
                            reference: &reading.client_reference,
                            reading,
                            sends: vec![exchange],
                            step,
                        });
                    }
                }
            }
        }
        Judge { rec, readings }
    }

    fn of_step(&self, step: u32) -> Vec<&Distinct<'a>> {
        self.readings
            .iter()
            .filter(|d| d.step == Some(step))
            .collect()
    }

    fn at_step(&self, criterion: Criterion, step: &SheetStep) -> Check {
        let n = Some(step.number);
        let result = match criterion {
            Criterion::C03 => self.c03(step),
            Criterion::C04 => self.c04(step),
            Criterion::C05 => self.c05(step),
            Criterion::C06 => self.c06(step),
            Criterion::C07 => self.c07(step),
            Criterion::C08 => self.c08(step),
            Criterion::C09 => self.c09(step),
            Criterion::C10 => self.c10(step),
            Criterion::C11 => self.c11(step),
            Criterion::C12 => self.c12(step),
            Criterion::C13 => self.c13(step),
            Criterion::C14 => self.c14(step),
            Criterion::C16 => self.c16(step),
            Criterion::C01 | Criterion::C02 | Criterion::C15 => {
                unreachable!("judged on every exchange")
            }
        };
        let (verdict, exchanges, reason) = result;
        check(criterion, n, verdict, exchanges, reason)
    }

    /// Checks on every request; the first offender decides, all are listed.
    fn on_every_exchange(
        &self,
        criterion: Criterion,
        passed: String,
        problem: impl Fn(&Exchange) -> Option<String>,
    ) -> Check {
        if self.rec.exchanges.is_empty() {
            return check(
                criterion,
                None,
                Verdict::NotExercised,
                vec![],
                "the DMS sent no request".into(),
            );
        }
        let offenders: Vec<(&Exchange, String)> = self
            .rec
            .exchanges
            .iter()
            .filter_map(|e| problem(e).map(|p| (e, p)))
            .collect();
        match offenders.first() {
            None => check(criterion, None, Verdict::Passed, vec![], passed),
            Some((first, reason)) => check(
                criterion,
                first.step,
                Verdict::Failed,
                offenders.iter().map(|(e, _)| e.number).collect(),
                format!("request {} ({}): {reason}", first.number, first.operation()),
            ),
        }
    }

    fn c01(&self) -> Check {
        let n = self.rec.exchanges.len();
        self.on_every_exchange(
            Criterion::C01,
            format!("all {n} requests are well-formed SOAP, valid against the XSD"),
            |e| e.request.contract_violation.clone(),
        )
    }

    fn c02(&self) -> Check {
        let n = self.rec.exchanges.len();
        self.on_every_exchange(
            Criterion::C02,
            format!("all {n} requests authenticated by UsernameToken (PasswordText) or HTTP Basic, with no credentials elsewhere"),
            |e| {
                if let Some(leak) = e.request.leaks.first() {
                    return Some(format!("credentials {leak}: send them only in the WS-Security or HTTP Authorization header"));
                }
                match &e.request.authentication {
                    Authentication::None => Some("no credentials: send a WS-Security UsernameToken (PasswordText) or HTTP Basic".into()),
                    Authentication::PasswordDigest { .. } => Some("PasswordDigest: use PasswordText over TLS".into()),
                    Authentication::UsernameToken { .. } | Authentication::Basic { .. } => None,
                }
            },
        )
    }

    fn c15(&self) -> Check {
        let s = self.rec.software;
        let n = self.rec.exchanges.len();
        self.on_every_exchange(
            Criterion::C15,
            format!("all {n} requests carried ClientInfo with a language and {} {} by {}", s.name, s.version, s.builder),
            |e| {
                let Some(info) = &e.request.client_info else {
                    return Some("no ClientInfo header: send Language, SoftwareBuilder, SoftwareName and SoftwareVersion in every request".into());
                };
                if !info.language.as_deref().is_some_and(|l| ["nl", "fr", "de", "en"].contains(&l)) {
                    return Some("ClientInfo has no Language (nl, fr, de or en): send the user's language".into());
                }
                for (field, sent, certified) in [
                    ("SoftwareBuilder", &info.builder, &s.builder),
                    ("SoftwareName", &info.name, &s.name),
                    ("SoftwareVersion", &info.version, &s.version),
                ] {
                    match sent.as_deref().map(str::trim) {
                        None => return Some(format!("ClientInfo has no {field}")),
                        Some(sent) if sent != certified.trim() => {
                            return Some(format!("{field} '{sent}' differs from the certified '{certified}'"))
                        }
                        Some(_) => {}
                    }
                }
                None
            },
        )
    }

    fn c03(&self, step: &SheetStep) -> Judged {
        let Some(job) = &step.job else {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        };
        let readings = self.of_step(step.number);
        let exchanges: Vec<u32> = readings.iter().map(|d| d.first().number).collect();
        match readings.as_slice() {
            [] => (
                Verdict::Failed,
                vec![],
                format!(
                    "no reading was sent for the job of step {} (VIN {})",
                    step.number, job.vin
                ),
            ),
            [one] => {
                let mut wrong = Vec::new();
                if one.reading.vin != job.vin {
                    wrong.push(format!("VIN {} instead of {}", one.reading.vin, job.vin));
                }
                match (self.work_date(step.number), one.reading.work_date) {
                    (Some(expected), Some(sent)) if expected != sent => {
                        wrong.push(format!("WorkDate {sent} instead of {expected}"))
                    }
                    (None, _) => wrong.push(format!(
                        "it was sent before step {} was opened",
                        step.number
                    )),
                    _ => {}
                }
                if one.reading.odometer != Some(job.odometer) {
                    let sent = one
                        .reading
                        .odometer
                        .map(grouped)
                        .unwrap_or_else(|| "none".into());
                    wrong.push(format!(
                        "Odometer {sent} instead of {}",
                        grouped(job.odometer)
                    ));
                }
                if wrong.is_empty() {
                    (
                        Verdict::Passed,
                        exchanges,
                        format!(
                            "one reading with the step's VIN, date and odometer {}",
                            grouped(job.odometer)
                        ),
                    )
                } else {
                    (
                        Verdict::Failed,
                        exchanges,
                        format!("the reading {} has {}", one.reference, wrong.join(", ")),
                    )
                }
            }
            many => {
                let refs: Vec<&str> = many.iter().map(|d| d.reference).collect();
                (
                    Verdict::Failed,
                    exchanges,
                    format!("{} readings for one job ({}): send one reading per job, and resend with the same ClientReference", many.len(), refs.join(", ")),
                )
            }
        }
    }

    fn c04(&self, step: &SheetStep) -> Judged {
        let Some(job) = &step.job else {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        };
        let readings = self.of_step(step.number);
        if readings.is_empty() {
            return (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            );
        }
        let expected: Vec<&str> = job.works.iter().map(|w| w.activity_code.as_str()).collect();
        for d in &readings {
            let works = &d.reading.works;
            let at = vec![d.first().number];
            if works.is_empty() {
                return (
                    Verdict::Failed,
                    at,
                    format!(
                        "the reading {} has no Work: send the jobs done ({})",
                        d.reference,
                        expected.join(", ")
                    ),
                );
            }
            if let Some((code, _)) = works
                .iter()
                .find(|(code, _)| crate::domain::activity::ActivityCode::parse(code).is_none())
            {
                return (Verdict::Failed, at, format!("the reading {} has ActivityCode '{code}', which is not a standard description (ListActivities)", d.reference));
            }
            if let Some((code, _)) = works
                .iter()
                .find(|(_, description)| description.trim().is_empty())
            {
                return (
                    Verdict::Failed,
                    at,
                    format!(
                        "the reading {} has {code} without the invoice's wording",
                        d.reference
                    ),
                );
            }
            if !works
                .iter()
                .any(|(code, _)| expected.contains(&code.as_str()))
            {
                let sent: Vec<&str> = works.iter().map(|(c, _)| c.as_str()).collect();
                return (
                    Verdict::Failed,
                    at,
                    format!(
                        "the reading {} has {} where the job is {}",
                        d.reference,
                        sent.join(", "),
                        expected.join(", ")
                    ),
                );
            }
        }
        let codes: Vec<&str> = readings[0]
            .reading
            .works
            .iter()
            .map(|(c, _)| c.as_str())
            .collect();
        (
            Verdict::Passed,
            vec![readings[0].first().number],
            format!("{} with the invoice's wording", codes.join(", ")),
        )
    }

    fn c05(&self, step: &SheetStep) -> Judged {
        let readings = self.of_step(step.number);
        if readings.is_empty() {
            return (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            );
        }
        let opened = self.rec.opened.get(&step.number);
        let mut slowest = Duration::zero();
        for d in &readings {
            let sent = d.first().received_at;
            let at = vec![d.first().number];
            let Some(opened) = opened.filter(|o| **o <= sent) else {
                return (
                    Verdict::Failed,
                    at,
                    format!(
                        "the reading {} was sent before step {} was opened",
                        d.reference, step.number
                    ),
                );
            };
            // The step open when the request arrived, as recorded: later than the reading's
            // own step means the operator had moved on to the next job.
            if let Some(n) = d.first().step.filter(|n| *n > step.number) {
                return (
                    Verdict::Failed,
                    at,
                    format!("the reading {} was sent while step {n} was open: send each reading when its job is closed, not in a batch later", d.reference),
                );
            }
            let took = sent - *opened;
            if took > SEND_WITHIN {
                return (
                    Verdict::Failed,
                    at,
                    format!("the reading {} was sent {} min after the step was opened; the limit is 10 min, while the vehicle is in the workshop", d.reference, took.num_minutes()),
                );
            }
            slowest = slowest.max(took);
        }
        let at = readings.iter().map(|d| d.first().number).collect();
        (
            Verdict::Passed,
            at,
            format!("sent {} s after the step was opened", slowest.num_seconds()),
        )
    }

    /// The issue the step's plan expects on its reading's receipt, and the exchange that returned it.
    fn planned_issue(&self, step: &SheetStep) -> Result<Planned<'_, 'a>, Judged> {
        let plan = step
            .answer
            .as_ref()
            .expect("called for steps with an answer plan");
        let readings = self.of_step(step.number);
        let Some(d) = readings.first() else {
            return Err((
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            ));
        };
        let found = d.sends.iter().find_map(|e| {
            e.receipt_for(d.reference)
                .and_then(|r| r.issues.iter().find(|i| i.code == plan.issue))
                .map(|i| (*e, i))
        });
        match found {
            Some((exchange, issue)) => Ok((d, exchange, issue)),
            None => Err((
                Verdict::NotExercised,
                vec![d.first().number],
                format!(
                    "the reading {} got no {}, so there was nothing to answer",
                    d.reference, plan.issue
                ),
            )),
        }
    }

    fn answers_to(&self, number: &str, after: u32) -> Vec<&'a Exchange> {
        self.rec
            .exchanges
            .iter()
            .filter(|e| e.number > after)
            .filter(|e| {
                e.request
                    .answer
                    .as_ref()
                    .is_some_and(|a| same_issue_number(&a.issue_number, number))
            })
            .collect()
    }

    fn c06(&self, step: &SheetStep) -> Judged {
        let Some(plan) = &step.answer else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step expects no issue".into(),
            );
        };
        let (d, receipt, issue) = match self.planned_issue(step) {
            Ok(found) => found,
            Err(verdict) => return verdict,
        };
        let readings = self.of_step(step.number);
        let fresh = readings
            .iter()
            .find(|other| other.reference != d.reference && other.first().number > receipt.number);
        if let Some(other) = fresh {
            return (
                Verdict::Failed,
                vec![receipt.number, other.first().number],
                format!(
                    "issue {} ({}) was answered by a new reading ({}) instead of {} with the issue number",
                    issue.number, issue.code, other.reference, plan.by.operation()
                ),
            );
        }
        let answers = self.answers_to(&issue.number, receipt.number);
        let Some(first) = answers.first() else {
            return (
                Verdict::Failed,
                vec![receipt.number],
                format!(
                    "issue {} ({}) was never answered: answer it with {} and its number",
                    issue.number,
                    issue.code,
                    plan.by.operation()
                ),
            );
        };
        let answer = first.request.answer.as_ref().expect("filtered on answers");
        if answer.operation != plan.by.operation() {
            return (
                Verdict::Failed,
                vec![receipt.number, first.number],
                format!(
                    "issue {} was answered with {} where the step called for {}",
                    issue.number,
                    answer.operation,
                    plan.by.operation()
                ),
            );
        }
        if plan.by == AnswerKind::Correct {
            let sent = answer.corrected.as_ref().and_then(|c| c.odometer);
            if sent != plan.odometer {
                let sent = sent.map(grouped).unwrap_or_else(|| "none".into());
                let typed = plan.odometer.map(grouped).unwrap_or_default();
                return (
                    Verdict::Failed,
                    vec![receipt.number, first.number],
                    format!("the correction of issue {} carried odometer {sent}; the operator typed {typed}", issue.number),
                );
            }
        }
        (
            Verdict::Passed,
            vec![receipt.number, first.number],
            format!(
                "issue {} ({}) answered by {} with its number",
                issue.number,
                issue.code,
                plan.by.operation()
            ),
        )
    }

    fn c07(&self, step: &SheetStep) -> Judged {
        let (d, receipt, issue) = match self.planned_issue(step) {
            Ok(found) => found,
            Err(verdict) => return verdict,
        };
        let answers = self.answers_to(&issue.number, receipt.number);
        let limited = answers.iter().find(|e| match &e.response {
            ResponseFacts::Receipts(receipts) => receipts
                .iter()
                .any(|r| r.issues.iter().any(|i| i.code == "CORRECTION_LIMIT")),
            _ => false,
        });
        let Some(limit) = limited else {
            return (
                Verdict::NotExercised,
                answers.iter().map(|e| e.number).collect(),
                format!(
                    "no CORRECTION_LIMIT came back for issue {} at step {}",
                    issue.number, step.number
                ),
            );
        };
        let again = answers
            .iter()
            .find(|e| e.number > limit.number)
            .copied()
            .or_else(|| {
                self.rec.exchanges.iter().find(|e| {
                    e.number > limit.number
                        && e.is("SubmitReadings")
                        && e.request.readings.iter().any(|r| r.vin == d.reading.vin)
                })
            });
        if let Some(again) = again {
            return (
                Verdict::Failed,
                vec![limit.number, again.number],
                format!(
                    "after CORRECTION_LIMIT (request {}) the DMS tried again electronically ({}, request {}): the paper form is needed",
                    limit.number,
                    again.operation(),
                    again.number
                ),
            );
        }
        if !self.rec.screenshots.contains(&step.number) {
            return (
                Verdict::Failed,
                vec![limit.number],
                format!("no screenshot of the paper-form message for step {0}: attach one with `carpass certify attach SESSION --step {0} FILE`", step.number),
            );
        }
        (
            Verdict::AwaitingStaffReview,
            vec![limit.number],
            format!("no electronic attempt after CORRECTION_LIMIT; the screenshot of step {} awaits a staff verdict", step.number),
        )
    }

    /// The step's reading (its first), or why the criterion could not be judged.
    fn the_reading(&self, step: &SheetStep) -> Result<&Distinct<'a>, Judged> {
        self.of_step(step.number).into_iter().next().ok_or_else(|| {
            (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            )
        })
    }

    fn c08(&self, step: &SheetStep) -> Judged {
        let Some(expected) = step.job.as_ref().and_then(|j| j.odometer_replaced) else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step replaces no odometer".into(),
            );
        };
        let d = match self.the_reading(step) {
            Ok(d) => d,
            Err(verdict) => return verdict,
        };
        let at = vec![d.first().number];
        match d.reading.odometer_replaced {
            Some(sent) if sent == expected => (Verdict::Passed, at, format!("OdometerReplaced {} sent", grouped(sent))),
            Some(sent) => (
                Verdict::Failed,
                at,
                format!("OdometerReplaced {}; the old odometer's final value was {}", grouped(sent), grouped(expected)),
            ),
            None => (
                Verdict::Failed,
                at,
                format!("the reading {} has no OdometerReplaced: the odometer was replaced (the old one's final value was {})", d.reference, grouped(expected)),
            ),
        }
    }

    fn c09(&self, step: &SheetStep) -> Judged {
        let Some(job) = step.job.as_ref().filter(|j| j.five_digit_odometer) else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step's vehicle has no 5-digit odometer".into(),
            );
        };
        let d = match self.the_reading(step) {
            Ok(d) => d,
            Err(verdict) => return verdict,
        };
        let at = vec![d.first().number];
        match d.reading.odometer {
            Some(sent) if sent == job.odometer => (Verdict::Passed, at, format!("sent {sent} as the display shows it ({:05})", job.odometer)),
            sent => (
                Verdict::Failed,
                at,
                format!(
                    "sent {} where the 5-digit display shows {:05}: send the value as displayed, with no digit added",
                    sent.map(|s| s.to_string()).unwrap_or_else(|| "no odometer".into()),
                    job.odometer
                ),
            ),
        }
    }

    fn c10(&self, step: &SheetStep) -> Judged {
        if !step.job.as_ref().is_some_and(|j| j.subcontracted) {
            return (
                Verdict::NotExercised,
                vec![],
                "the step's work is not subcontracted".into(),
            );
        }
        let d = match self.the_reading(step) {
            Ok(d) => d,
            Err(verdict) => return verdict,
        };
        let at = vec![d.first().number];
        if d.reading.subcontracted == Some(true) {
            (Verdict::Passed, at, "Subcontracted=true sent".into())
        } else {
            (Verdict::Failed, at, format!("the reading {} is not flagged Subcontracted: the work was done as a subcontractor", d.reference))
        }
    }

    fn c11(&self, step: &SheetStep) -> Judged {
        let Some(job) = &step.job else {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        };
        let limit = euros(EXEMPTION_MAX_CENTS);
        let why = if job.subcontracted {
            "subcontracted work is always reported, whatever the customer and the amount: the \
             subcontractor's customer is the main contractor"
                .to_owned()
        } else {
            match job.customer {
                CustomerType::Business => {
                    "a VAT-liable customer's job is reported whatever the amount".to_owned()
                }
                CustomerType::Private
                    if !rules::is_exempt(false, job.customer, job.invoice_total_cents) =>
                {
                    format!("a private job above {limit} EUR is reported")
                }
                CustomerType::Private => {
                    format!("reporting is optional for this job (private, at most {limit} EUR)")
                }
            }
        };
        let job_said = format!(
            "{}, {} EUR",
            job.customer.as_str(),
            euros(job.invoice_total_cents)
        );
        let Some(d) = self.of_step(step.number).into_iter().next() else {
            return (
                Verdict::Failed,
                vec![],
                format!(
                    "the job of step {} ({job_said}) was not reported: {why}",
                    step.number
                ),
            );
        };
        let at = vec![d.first().number];
        if d.reading.customer_type.as_deref() != Some(job.customer.as_str()) {
            return (
                Verdict::Failed,
                at,
                format!(
                    "the reading {} has CustomerType {} for a {} customer",
                    d.reference,
                    d.reading.customer_type.as_deref().unwrap_or("none"),
                    job.customer.as_str()
                ),
            );
        }
        if d.reading.invoice_total_cents != Some(job.invoice_total_cents) {
            let sent = d
                .reading
                .invoice_total_cents
                .map(euros)
                .unwrap_or_else(|| "none".into());
            return (
                Verdict::Failed,
                at,
                format!(
                    "the reading {} has InvoiceTotal {sent}; the invoice says {}",
                    d.reference,
                    euros(job.invoice_total_cents)
                ),
            );
        }
        (Verdict::Passed, at, format!("reported ({job_said})"))
    }

    fn c12(&self, step: &SheetStep) -> Judged {
        let (Some(job), Some(injection)) = (&step.job, &step.inject) else {
            return (
                Verdict::NotExercised,
                vec![],
                "no fault is injected at this step".into(),
            );
        };
        let fault = match injection.fault {
            InjectedFault::Server => "Server fault",
            InjectedFault::Timeout => "timeout",
        };
        let injected = self.rec.exchanges.iter().find(|e| {
            e.injected == Some(injection.fault)
                && e.request.readings.iter().any(|r| r.vin == job.vin)
        });
        let Some(injected) = injected else {
            return (
                Verdict::NotExercised,
                vec![],
                format!(
                    "no SubmitReadings carried the vehicle of step {}, so no {fault} was injected",
                    step.number
                ),
            );
        };
        let lost: Vec<&str> = injected
            .request
            .readings
            .iter()
            .filter(|r| r.vin == job.vin)
            .map(|r| r.client_reference.as_str())
            .collect();
        let later: Vec<&Exchange> = self
            .rec
            .exchanges
            .iter()
            .filter(|e| e.number > injected.number && e.is("SubmitReadings"))
            .collect();
        let duplicate = later.iter().find_map(|e| {
            e.request
                .readings
                .iter()
                .find(|r| r.vin == job.vin && !lost.contains(&r.client_reference.as_str()))
                .map(|r| (*e, r))
        });
        if let Some((e, r)) = duplicate {
            return (
                Verdict::Failed,
                vec![injected.number, e.number],
                format!(
                    "after the injected {fault} the reading was sent again with a new ClientReference ({} instead of {}): a duplicate reading resulted",
                    r.client_reference,
                    lost.join(", ")
                ),
            );
        }
        let retry = later.iter().find(|e| {
            e.request
                .readings
                .iter()
                .any(|r| lost.contains(&r.client_reference.as_str()))
        });
        match retry {
            Some(retry) => (
                Verdict::Passed,
                vec![injected.number, retry.number],
                format!("after the injected {fault} the DMS retried with the same ClientReference {}", lost.join(", ")),
            ),
            None => (
                Verdict::Failed,
                vec![injected.number],
                format!("the DMS did not retry after the injected {fault}: it cannot know whether {} was stored", lost.join(", ")),
            ),
        }
    }

    fn c13(&self, step: &SheetStep) -> Judged {
        if let Some(of) = step.status_of {
            let Some(d) = self.of_step(of).into_iter().next() else {
                return (
                    Verdict::NotExercised,
                    vec![],
                    format!("no reading was sent for step {of}"),
                );
            };
            let mut keys = vec![d.reference.to_owned()];
            if let Some((_, receipt)) = d.receipt() {
                keys.push(receipt.reading_id.clone());
            }
            let asked = self.rec.exchanges.iter().find(|e| {
                e.number > d.first().number
                    && e.is("GetReadingStatus")
                    && e.request
                        .status_of
                        .as_ref()
                        .is_some_and(|k| keys.iter().any(|key| key.eq_ignore_ascii_case(k)))
            });
            return match asked {
                Some(e) => (Verdict::Passed, vec![e.number], format!("GetReadingStatus asked for the reading of step {of}")),
                None => (
                    Verdict::Failed,
                    vec![d.first().number],
                    format!("no GetReadingStatus for the reading of step {of} ({}) while it waited for registration", d.reference),
                ),
            };
        }
        let readings = self.of_step(step.number);
        if readings.is_empty() {
            return (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            );
        }
        for d in &readings {
            for pair in d.sends.windows(2) {
                let (before, again) = (pair[0], pair[1]);
                let answered =
                    before.injected.is_none() && before.receipt_for(d.reference).is_some();
                if answered {
                    return (
                        Verdict::Failed,
                        vec![before.number, again.number],
                        format!(
                            "the reading {} was sent again (request {}) although its receipt had come back (request {}): read the receipt instead of resending",
                            d.reference, again.number, before.number
                        ),
                    );
                }
            }
        }
        let status = readings[0]
            .receipt()
            .map(|(_, r)| r.status.clone())
            .unwrap_or_default();
        (
            Verdict::Passed,
            vec![readings[0].first().number],
            format!("the receipt ({status}) was read; no blind resend"),
        )
    }

    fn c14(&self, step: &SheetStep) -> Judged {
        let Some(advert) = &step.advert else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step publishes no advert".into(),
            );
        };
        let asked: Vec<&Exchange> = self
            .rec
            .exchanges
            .iter()
            .filter(|e| {
                e.is("RequestOkLabel")
                    && e.request
                        .label
                        .as_ref()
                        .is_some_and(|l| l.vin == advert.vin)
            })
            .collect();
        let right = asked.iter().find(|e| {
            e.request.label.as_ref().and_then(|l| l.advertised_odometer) == Some(advert.odometer)
        });
        let Some(right) = right else {
            return match asked.first() {
                Some(e) => (
                    Verdict::Failed,
                    vec![e.number],
                    format!(
                        "RequestOkLabel for {} asked with {} km; the advert shows {}",
                        advert.vin,
                        e.request
                            .label
                            .as_ref()
                            .and_then(|l| l.advertised_odometer)
                            .map(grouped)
                            .unwrap_or_else(|| "no mileage".into()),
                        grouped(advert.odometer)
                    ),
                ),
                None => (
                    Verdict::Failed,
                    vec![],
                    format!(
                        "no RequestOkLabel for the advert of step {} ({})",
                        step.number, advert.vin
                    ),
                ),
            };
        };
        if step.screenshot.is_none() {
            return (
                Verdict::Passed,
                vec![right.number],
                format!(
                    "RequestOkLabel asked with the advertised {}",
                    grouped(advert.odometer)
                ),
            );
        }
        if self.rec.screenshots.contains(&step.number) {
            (
                Verdict::AwaitingStaffReview,
                vec![right.number],
                format!("RequestOkLabel asked; the screenshot of the refusal's reasons (step {}) awaits a staff verdict", step.number),
            )
        } else {
            (
                Verdict::Failed,
                vec![right.number],
                format!("no screenshot of the refusal's reasons for step {0}: attach one with `carpass certify attach SESSION --step {0} FILE`", step.number),
            )
        }
    }

    fn c16(&self, step: &SheetStep) -> Judged {
        let d = match self.the_reading(step) {
            Ok(d) => d,
            Err(verdict) => return verdict,
        };
        let validated = self.rec.exchanges.iter().find(|e| {
            e.number < d.first().number
                && e.is("ValidateReading")
                && e.request.readings.iter().any(|r| r.vin == d.reading.vin)
        });
        match validated {
            Some(e) => (
                Verdict::Passed,
                vec![e.number, d.first().number],
                "ValidateReading before SubmitReadings".into(),
            ),
            None => (
                Verdict::Failed,
                vec![d.first().number],
                format!(
                    "the reading {} was sent without a ValidateReading first",
                    d.reference
                ),
            ),
        }
    }

    fn work_date(&self, step: u32) -> Option<chrono::NaiveDate> {
        self.rec.opened.get(&step).map(|at| brussels_date(*at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certification::facts::{ReceiptFacts, RequestFacts};
    use crate::domain::certification::scenario::{SheetJob, Texts};
    use crate::domain::odometer::OdometerUnit;
    use crate::domain::reading::Work;
    use chrono::TimeZone;

    const VIN: &str = "CPTAAAAAAAAAAAAAA";

    fn texts() -> Texts {
        Texts {
            nl: "x".into(),
            fr: "x".into(),
            en: "x".into(),
        }
    }

    fn sheet(criteria: Vec<Criterion>, customer: CustomerType, invoice_total_cents: i64) -> Sheet {
        let step = |number: u32, job: Option<SheetJob>| SheetStep {
            number,
            scenario: "s".into(),
            scenario_title: texts(),
            key: format!("k{number}"),
            criteria: if job.is_some() {
                criteria.clone()
            } else {
                vec![Criterion::C01]
            },
            instructions: texts(),
            screenshot: None,
            list_activities: false,
            job,
            answer: None,
            inject: None,
            register: None,
            status_of: None,
            advert: None,
        };
        let job = SheetJob {
            vin: VIN.into(),
            odometer: 45_210,
            unit: OdometerUnit::Km,
            odometer_replaced: None,
            subcontracted: false,
            customer,
            invoice_total_cents,
            works: vec![Work {
                activity_code: "MAINTENANCE".into(),
                description: "Onderhoud".into(),
            }],
            license_plate: None,
            five_digit_odometer: false,
        };
        Sheet {
            vehicles: vec![],
            steps: vec![step(1, Some(job)), step(2, None)],
        }
    }

    fn opened_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn submission(sent: DateTime<Utc>) -> Exchange {
        Exchange {
            number: 1,
            received_at: sent,
            step: Some(1),
            request: RequestFacts {
                operation: Some("SubmitReadings".into()),
                authentication: Authentication::Basic {
                    username: "cert".into(),
                },
                readings: vec![SentReading {
                    client_reference: "r1".into(),
                    vin: VIN.into(),
                    work_date: Some(brussels_date(opened_at())),
                    odometer: Some(45_210),
                    customer_type: Some("Business".into()),
                    invoice_total_cents: Some(4_560),
                    works: vec![("MAINTENANCE".into(), "Onderhoud".into())],
                    ..Default::default()
                }],
                ..Default::default()
            },
            response: ResponseFacts::Receipts(vec![ReceiptFacts {
                client_reference: "r1".into(),
                reading_id: "id".into(),
                status: "Accepted".into(),
                issues: vec![],
            }]),
            injected: None,
        }
    }

    fn judge(
        sheet: &Sheet,
        exchanges: &[Exchange],
        next_opened: Option<DateTime<Utc>>,
    ) -> Evaluation {
        let mut opened = BTreeMap::from([(1, opened_at())]);
        if let Some(at) = next_opened {
            opened.insert(2, at);
        }
        evaluate(&Recording {
            sheet,
            software: &Software {
                builder: "b".into(),
                name: "n".into(),
                version: "v".into(),
            },
            opened: &opened,
            exchanges,
            screenshots: &BTreeSet::new(),
        })
    }

    #[test]
    fn a_reading_sent_ten_minutes_after_the_step_opened_is_in_time_a_second_later_it_is_not() {
        let sheet = sheet(vec![Criterion::C05], CustomerType::Business, 4_560);
        let at_limit = judge(&sheet, &[submission(opened_at() + SEND_WITHIN)], None);
        assert_eq!(at_limit.result(Criterion::C05).verdict, Verdict::Passed);
        let late = judge(
            &sheet,
            &[submission(opened_at() + SEND_WITHIN + Duration::seconds(1))],
            None,
        );
        let result = late.result(Criterion::C05);
        assert_eq!(result.verdict, Verdict::Failed);
        assert!(result.reason.contains("10 min"), "{}", result.reason);
        assert!(!late.certifiable);
    }

    #[test]
    fn a_reading_sent_while_the_next_step_was_open_was_batched() {
        let sheet = sheet(vec![Criterion::C05], CustomerType::Business, 4_560);
        let sent = opened_at() + Duration::minutes(2);
        let mut late = submission(sent);
        late.step = Some(2);
        let batched = judge(&sheet, &[late], Some(sent - Duration::seconds(1)));
        let result = batched.result(Criterion::C05);
        assert_eq!(result.verdict, Verdict::Failed);
        assert!(
            result.reason.contains("while step 2 was open"),
            "{}",
            result.reason
        );
    }

    #[test]
    fn a_missing_vat_job_fails_c11_and_a_missing_criterion_is_not_exercised() {
        let sheet = sheet(vec![Criterion::C11], CustomerType::Business, 4_560);
        let evaluation = judge(&sheet, &[], None);
        let c11 = evaluation.result(Criterion::C11);
        assert_eq!(c11.verdict, Verdict::Failed);
        assert!(c11.reason.contains("VAT-liable"), "{}", c11.reason);
        assert_eq!(
            evaluation.result(Criterion::C08).verdict,
            Verdict::NotExercised
        );
        assert_eq!(
            evaluation.result(Criterion::C01).verdict,
            Verdict::NotExercised
        );
    }

    #[test]
    fn a_missing_small_subcontracted_job_fails_c11_whatever_the_customer() {
        for customer in [CustomerType::Private, CustomerType::Business] {
            let mut sheet = sheet(vec![Criterion::C11], customer, 7_800);
            sheet.steps[0].job.as_mut().unwrap().subcontracted = true;
            let c11 = judge(&sheet, &[], None).result(Criterion::C11).clone();
            assert_eq!(c11.verdict, Verdict::Failed);
            assert!(
                c11.reason.contains("subcontracted work is always reported"),
                "{}",
                c11.reason
            );
        }
    }

    #[test]
    fn the_latest_staff_verdict_settles_a_criterion_awaiting_review() {
        let sheet = sheet(vec![Criterion::C05], CustomerType::Business, 4_560);
        let mut evaluation = judge(&sheet, &[submission(opened_at())], None);
        let c07 = evaluation
            .criteria
            .iter_mut()
            .find(|r| r.criterion == Criterion::C07)
            .unwrap();
        c07.verdict = Verdict::AwaitingStaffReview;
        let verdict = |passed, reason: &str| StaffVerdict {
            criterion: Criterion::C07,
            passed,
            reason: reason.into(),
        };
        let settled = evaluation
            .clone()
            .with_verdicts(&[verdict(true, "first"), verdict(false, "second")]);
        assert_eq!(settled.result(Criterion::C07).verdict, Verdict::Failed);
        assert!(settled.result(Criterion::C07).reason.ends_with("second"));
        let passed = evaluation.with_verdicts(&[verdict(true, "looks right")]);
        assert_eq!(passed.result(Criterion::C07).verdict, Verdict::Passed);
    }

    #[test]
    fn a_resend_after_a_receipt_is_blind_but_not_after_an_injected_fault() {
        let sheet = sheet(vec![Criterion::C13], CustomerType::Business, 4_560);
        let first = submission(opened_at());
        let mut again = submission(opened_at() + Duration::seconds(5));
        again.number = 2;
        let blind = judge(&sheet, &[first.clone(), again.clone()], None);
        assert_eq!(blind.result(Criterion::C13).verdict, Verdict::Failed);
        let mut faulted = first;
        faulted.injected = Some(InjectedFault::Server);
        let retried = judge(&sheet, &[faulted, again], None);
        assert_eq!(retried.result(Criterion::C13).verdict, Verdict::Passed);
    }
}
