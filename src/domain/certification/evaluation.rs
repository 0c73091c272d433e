//! Judging a session's recording against the criteria (SPEC 5.3): each check is passed,
//! failed, not exercised or awaiting staff review, with the step, the exchanges that decided
//! it and a one-line reason. A plain function of the recording: no clock, no storage.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::criterion::Criterion;
use super::facts::{
    same_issue_number, Authentication, Exchange, IssueFacts, ReceiptFacts, ResponseFacts,
    SentReading,
};
use super::scenario::{AnswerKind, InjectedFault, Sheet, SheetJob, SheetStep};
use crate::domain::activity::ActivityCode;
use crate::domain::calendar::brussels_date;
use crate::domain::format::Formatter;
use crate::domain::language::Language;
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

    /// A stable one-word name, for machines and stylesheets: every page and report marks a
    /// verdict with it, so none of them keeps a mapping of its own.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotExercised => "not-exercised",
            Verdict::AwaitingStaffReview => "awaiting",
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
    /// The criterion's full text (SPEC 5.2).
    pub title: String,
    /// Where the SPEC states it; empty in reports made before it was kept.
    #[serde(default)]
    pub spec: String,
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
    /// oldest first: the latest verdict on a criterion counts. The criterion and its checks
    /// then read as what they are now: the electronic part, and the verdict.
    pub fn with_verdicts(mut self, verdicts: &[StaffVerdict]) -> Evaluation {
        for criterion in Criterion::ALL {
            let Some(verdict) = verdicts.iter().rev().find(|v| v.criterion == criterion) else {
                continue;
            };
            let settled = if verdict.passed {
                Verdict::Passed
            } else {
                Verdict::Failed
            };
            let results = self
                .criteria
                .iter_mut()
                .map(|r| (r.criterion, &mut r.verdict, &mut r.reason));
            let checks = self
                .checks
                .iter_mut()
                .map(|k| (k.criterion, &mut k.verdict, &mut k.reason));
            for (_, held, reason) in results
                .chain(checks)
                .filter(|(c, held, _)| *c == criterion && **held == Verdict::AwaitingStaffReview)
            {
                *held = settled;
                *reason = format!("{reason}; {}", verdict.reason);
            }
        }
        self.certifiable = certifiable(&self.criteria);
        self
    }
}

/// "Certifiable" (SPEC 5.6): no criterion stands in the way.
pub fn certifiable(criteria: &[CriterionResult]) -> bool {
    !criteria.iter().any(CriterionResult::blocks_certification)
}

impl CriterionResult {
    /// A mandatory criterion neither passed nor awaiting a staff verdict: the one definition of
    /// what keeps a DMS from being certifiable, for the evaluation and every report.
    pub fn blocks_certification(&self) -> bool {
        self.mandatory && !matches!(self.verdict, Verdict::Passed | Verdict::AwaitingStaffReview)
    }
}

pub fn evaluate(recording: &Recording<'_>) -> Evaluation {
    let judge = Judge::new(recording);
    let checks: Vec<Check> = Criterion::ALL
        .into_iter()
        .flat_map(|c| judge.judge(c))
        .collect();
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
        spec: criterion.spec().to_owned(),
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
    /// As it was first sent: what the service stored.
    reading: &'a SentReading,
    /// Every exchange that carried it, first one first, with what each carried.
    sends: Vec<(&'a Exchange, &'a SentReading)>,
    /// The job step it is for: by its VIN, else the step open when it was first sent.
    step: Option<u32>,
}

impl Distinct<'_> {
    fn first(&self) -> &Exchange {
        self.sends[0].0
    }

    /// Its receipt, from the first response that brought one back.
    fn receipt(&self) -> Option<(&Exchange, &ReceiptFacts)> {
        self.sends
            .iter()
            .find_map(|(e, _)| e.receipt_for(self.reference).map(|r| (*e, r)))
    }
}

/// A check's verdict, the exchanges that decided it and why.
type Judged = (Verdict, Vec<u32>, String);
/// The step's reading, the exchange whose receipt carried the planned issue, and the issue.
type Planned<'j, 'a> = (&'j Distinct<'a>, &'a Exchange, &'a IssueFacts);

/// Where the DMS broke a criterion, found anywhere in the recording (SPEC 5.6).
struct Breach {
    step: Option<u32>,
    exchanges: Vec<u32>,
    reason: String,
}

fn breach(step: Option<u32>, exchanges: Vec<u32>, reason: String) -> Breach {
    Breach {
        step,
        exchanges,
        reason,
    }
}

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

/// A leading digit put in front of the value displayed (SPEC 2.3: no digit is added): the
/// difference is a whole number of hundred thousands.
fn digit_added(sent: u64, shown: u64) -> bool {
    sent > shown && (sent - shown).is_multiple_of(100_000)
}

/// Whether a CorrectIssue or ConfirmReading was answered with CORRECTION_LIMIT.
fn limited(exchange: &Exchange) -> bool {
    match &exchange.response {
        ResponseFacts::Receipts(receipts) => receipts
            .iter()
            .any(|r| r.issues.iter().any(|i| i.code == "CORRECTION_LIMIT")),
        _ => false,
    }
}

fn lost_as(exchange: &Exchange) -> &'static str {
    match exchange.response {
        ResponseFacts::Unanswered => "timeout (the connection was closed unanswered)",
        _ => "Server fault",
    }
}

/// Why a job is reported, or that it need not be (SPEC 2.4; C11).
fn reporting_rule(job: &SheetJob) -> String {
    let limit = euros(EXEMPTION_MAX_CENTS);
    if job.subcontracted {
        return "subcontracted work is always reported, whatever the customer and the amount: the \
                subcontractor's customer is the main contractor"
            .to_owned();
    }
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
}

/// What a work list gets wrong against the job's activity codes, if anything (C04).
fn works_problem(works: &[(String, String)], expected: &[&str]) -> Option<String> {
    if works.is_empty() {
        return Some(format!(
            "has no Work: send the jobs done ({})",
            expected.join(", ")
        ));
    }
    for (code, description) in works {
        let Some(activity) = ActivityCode::parse(code) else {
            return Some(format!(
                "has ActivityCode '{code}', which is not a standard description (ListActivities)"
            ));
        };
        let description = description.trim();
        if description.is_empty() {
            return Some(format!("has {code} without the invoice's wording"));
        }
        if Language::ALL
            .into_iter()
            .any(|l| activity.label(l).eq_ignore_ascii_case(description))
        {
            return Some(format!(
                "has {code} with the Description '{description}', which only repeats the standard label: send the invoice's own wording"
            ));
        }
    }
    if !works
        .iter()
        .any(|(code, _)| expected.contains(&code.as_str()))
    {
        let sent: Vec<&str> = works.iter().map(|(c, _)| c.as_str()).collect();
        return Some(format!(
            "has {} where the job is {}",
            sent.join(", "),
            expected.join(", ")
        ));
    }
    None
}

/// The fields in which two sends of one ClientReference differ (C12).
fn differences(a: &SentReading, b: &SentReading) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut differ = |same: bool, name| {
        if !same {
            out.push(name)
        }
    };
    differ(a.vin == b.vin, "Vin");
    differ(a.work_date == b.work_date, "WorkDate");
    differ(a.odometer == b.odometer, "Odometer");
    differ(a.unit == b.unit, "OdometerUnit");
    differ(
        a.odometer_replaced == b.odometer_replaced,
        "OdometerReplaced",
    );
    differ(a.subcontracted == b.subcontracted, "Subcontracted");
    differ(a.customer_type == b.customer_type, "CustomerType");
    differ(
        a.invoice_total_cents == b.invoice_total_cents,
        "InvoiceTotal",
    );
    differ(a.works == b.works, "Work");
    out
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
                    Some(known) => known.sends.push((exchange, reading)),
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
                            sends: vec![(exchange, reading)],
                            step,
                        });
                    }
                }
            }
        }
        Judge { rec, readings }
    }

    /// Every check of one criterion: a failure wherever the recording breaks it, and at each
    /// step that lists it, how it was exercised there.
    fn judge(&self, criterion: Criterion) -> Vec<Check> {
        if criterion.on_every_exchange() {
            return vec![match criterion {
                Criterion::C01 => self.c01(),
                Criterion::C02 => self.c02(),
                _ => self.c15(),
            }];
        }
        let breaches = self.breaches(criterion);
        let mut checks: Vec<Check> = self
            .rec
            .sheet
            .steps
            .iter()
            .filter(|s| s.criteria.contains(&criterion))
            .filter(|s| !breaches.iter().any(|b| b.step == Some(s.number)))
            .map(|s| {
                let (verdict, exchanges, reason) = self.exercise(criterion, s);
                check(criterion, Some(s.number), verdict, exchanges, reason)
            })
            .collect();
        checks.extend(
            breaches
                .into_iter()
                .map(|b| check(criterion, b.step, Verdict::Failed, b.exchanges, b.reason)),
        );
        checks.sort_by_key(|c| (c.step, c.exchanges.first().copied()));
        checks
    }

    fn breaches(&self, criterion: Criterion) -> Vec<Breach> {
        match criterion {
            Criterion::C03 => self.c03_breaches(),
            Criterion::C04 => self.c04_breaches(),
            Criterion::C05 => self.c05_breaches(),
            Criterion::C06 => self.c06_breaches(),
            Criterion::C07 => self.c07_breaches(),
            Criterion::C08 => self.c08_breaches(),
            Criterion::C09 => self.c09_breaches(),
            Criterion::C10 => self.c10_breaches(),
            Criterion::C11 => self.c11_breaches(),
            Criterion::C12 => self.c12_breaches(),
            Criterion::C13 => self.c13_breaches(),
            Criterion::C14 => self.c14_breaches(),
            Criterion::C16 => self.c16_breaches(),
            Criterion::C01 | Criterion::C02 | Criterion::C15 => {
                unreachable!("judged on every exchange")
            }
        }
    }

    fn exercise(&self, criterion: Criterion, step: &SheetStep) -> Judged {
        match criterion {
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
        }
    }

    fn of_step(&self, step: u32) -> Vec<&Distinct<'a>> {
        self.readings
            .iter()
            .filter(|d| d.step == Some(step))
            .collect()
    }

    fn by_reference(&self, reference: &str) -> Option<&Distinct<'a>> {
        self.readings.iter().find(|d| d.reference == reference)
    }

    /// The job step a reading is for.
    fn job_of(&self, d: &Distinct<'_>) -> Option<(&'a SheetStep, &'a SheetJob)> {
        let step = self.rec.sheet.step(d.step?)?;
        Some((step, step.job.as_ref()?))
    }

    /// Two readings for the same job: the same step, or the same VIN when one has no step.
    fn same_job(&self, a: &Distinct<'_>, b: &Distinct<'_>) -> bool {
        match (a.step, b.step) {
            (Some(x), Some(y)) => x == y,
            _ => a.reading.vin == b.reading.vin,
        }
    }

    /// The reading an issue number was given on.
    fn owner_of_issue(&self, number: &str) -> Option<&Distinct<'a>> {
        self.rec.exchanges.iter().find_map(|e| match &e.response {
            ResponseFacts::Receipts(receipts) => receipts
                .iter()
                .find(|r| {
                    r.issues
                        .iter()
                        .any(|i| same_issue_number(&i.number, number))
                })
                .and_then(|r| self.by_reference(&r.client_reference)),
            _ => None,
        })
    }

    /// The issue numbers the DMS was given on a reading.
    fn issue_numbers(&self, d: &Distinct<'_>) -> Vec<&'a str> {
        let mut numbers = Vec::new();
        for e in self.rec.exchanges {
            if let ResponseFacts::Receipts(receipts) = &e.response {
                for r in receipts
                    .iter()
                    .filter(|r| r.client_reference == d.reference)
                {
                    numbers.extend(r.issues.iter().map(|i| i.number.as_str()));
                }
            }
        }
        numbers
    }

    /// Every issue the DMS received waiting for its answer, once, with the exchange that
    /// brought it first and the reading it is on.
    fn to_answer(&self) -> Vec<(&'a Exchange, &'a IssueFacts, &Distinct<'a>)> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for e in self.rec.exchanges {
            let ResponseFacts::Receipts(receipts) = &e.response else {
                continue;
            };
            for r in receipts {
                for issue in r.issues.iter().filter(|i| i.awaits_answer()) {
                    if seen.iter().any(|n| same_issue_number(n, &issue.number)) {
                        continue;
                    }
                    seen.push(&issue.number);
                    if let Some(owner) = self.by_reference(&r.client_reference) {
                        out.push((e, issue, owner));
                    }
                }
            }
        }
        out
    }

    /// The issue as the last receipt the DMS got showed it.
    fn last_seen(&self, number: &str) -> Option<&'a IssueFacts> {
        self.rec
            .exchanges
            .iter()
            .rev()
            .find_map(|e| match &e.response {
                ResponseFacts::Receipts(receipts) => receipts
                    .iter()
                    .flat_map(|r| &r.issues)
                    .rfind(|i| same_issue_number(&i.number, number)),
                _ => None,
            })
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

    /// Every correction sent (CorrectIssue), with the reading whose issue it answers.
    fn corrections(&self) -> Vec<(&'a Exchange, &'a SentReading, &Distinct<'a>)> {
        self.rec
            .exchanges
            .iter()
            .filter_map(|e| {
                let answer = e.request.answer.as_ref()?;
                let corrected = answer.corrected.as_ref()?;
                Some((e, corrected, self.owner_of_issue(&answer.issue_number)?))
            })
            .collect()
    }

    /// Which criterion judges a further reading for a job that already had one: one sent
    /// after CORRECTION_LIMIT is C07's, after a lost answer C12's, after an error C06's.
    /// None leaves it to C03: a second reading for one job.
    fn explains_extra(&self, job: &[&Distinct<'a>], extra: &Distinct<'a>) -> Option<Criterion> {
        let at = extra.first().number;
        let earlier: Vec<&&Distinct<'a>> = job
            .iter()
            .filter(|d| d.reference != extra.reference && d.first().number < at)
            .collect();
        let limit_before = earlier.iter().any(|d| {
            self.issue_numbers(d).iter().any(|n| {
                self.answers_to(n, 0)
                    .iter()
                    .any(|e| e.number < at && limited(e))
            })
        });
        if limit_before {
            return Some(Criterion::C07);
        }
        if earlier
            .iter()
            .any(|d| d.sends.iter().any(|(e, _)| e.number < at && e.lost()))
        {
            return Some(Criterion::C12);
        }
        let errored = earlier.iter().any(|d| {
            d.sends.iter().any(|(e, _)| {
                e.number < at
                    && e.receipt_for(d.reference)
                        .is_some_and(|r| r.issues.iter().any(IssueFacts::awaits_answer))
            })
        });
        errored.then_some(Criterion::C06)
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
                if let Some(other) = &e.request.conflicting_account {
                    return Some(format!(
                        "HTTP Basic names the account '{other}' and the UsernameToken '{}': send the credentials of one account only",
                        e.request.authentication.username().unwrap_or_default()
                    ));
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

    /// C03 on every job: one reading, with the step's VIN, date and odometer; and no reading
    /// for a vehicle no job has.
    fn c03_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for step in &self.rec.sheet.steps {
            let Some(job) = &step.job else { continue };
            let readings = self.of_step(step.number);
            let Some(first) = readings.first() else {
                if let Some(reason) = self.unreported(step, job, false) {
                    out.push(breach(Some(step.number), vec![], reason));
                }
                continue;
            };
            for extra in &readings[1..] {
                if self.explains_extra(&readings, extra).is_none() {
                    out.push(breach(
                        Some(step.number),
                        vec![first.first().number, extra.first().number],
                        format!(
                            "a second reading ({}) for the job of step {} after {}: send one reading per job, and resend it only with the same ClientReference",
                            extra.reference, step.number, first.reference
                        ),
                    ));
                }
            }
            let mut wrong = self.not_the_jobs(step, job, first.reading);
            // A 5-digit odometer's value, or a digit added in front, is C09's to judge.
            let c09s = |sent: u64| job.five_digit_odometer || digit_added(sent, job.odometer);
            match first.reading.odometer {
                Some(sent) if sent == job.odometer || c09s(sent) => {}
                sent => wrong.push(format!(
                    "Odometer {} instead of {}",
                    sent.map(grouped).unwrap_or_else(|| "none".into()),
                    grouped(job.odometer)
                )),
            }
            if !wrong.is_empty() {
                out.push(breach(
                    Some(step.number),
                    vec![first.first().number],
                    format!("the reading {} has {}", first.reference, wrong.join(", ")),
                ));
            }
        }
        // A correction replaces the stored reading: it keeps the job's vehicle, date and unit.
        for (e, corrected, owner) in self.corrections() {
            let Some((step, job)) = self.job_of(owner) else {
                continue;
            };
            let wrong = self.not_the_jobs(step, job, corrected);
            if !wrong.is_empty() {
                let number = &e
                    .request
                    .answer
                    .as_ref()
                    .expect("a correction")
                    .issue_number;
                out.push(breach(
                    Some(step.number),
                    vec![e.number],
                    format!("the correction of issue {number} has {}", wrong.join(", ")),
                ));
            }
        }
        for d in self.readings.iter().filter(|d| d.step.is_none()) {
            out.push(breach(
                d.first().step,
                vec![d.first().number],
                format!(
                    "the reading {} is for VIN {}, which no job of the sheet has: send a reading for each job the operator closes, and no other",
                    d.reference, d.reading.vin
                ),
            ));
        }
        out
    }

    /// Where a reading or correction differs from its job's VIN, work date and unit (C03).
    fn not_the_jobs(&self, step: &SheetStep, job: &SheetJob, sent: &SentReading) -> Vec<String> {
        let mut wrong = Vec::new();
        if sent.vin != job.vin {
            wrong.push(format!("VIN {} instead of {}", sent.vin, job.vin));
        }
        if let (Some(expected), Some(sent)) = (self.work_date(step.number), sent.work_date) {
            if expected != sent {
                wrong.push(format!("WorkDate {sent} instead of {expected}"));
            }
        }
        // Absent, the unit is km (the XSD).
        let unit = sent.unit.as_deref().unwrap_or("km");
        if unit != job.unit.as_str() {
            wrong.push(format!(
                "OdometerUnit {unit} for an odometer in {}",
                job.unit.as_str()
            ));
        }
        wrong
    }

    fn c03(&self, step: &SheetStep) -> Judged {
        let Some(job) = &step.job else {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        };
        match self.of_step(step.number).first() {
            None => (
                Verdict::Failed,
                vec![],
                format!(
                    "no reading was sent for the job of step {} (VIN {})",
                    step.number, job.vin
                ),
            ),
            Some(d) => (
                Verdict::Passed,
                vec![d.first().number],
                format!(
                    "one reading with the step's VIN, date and odometer {}",
                    grouped(job.odometer)
                ),
            ),
        }
    }

    fn c04_breaches(&self) -> Vec<Breach> {
        fn expected(job: &SheetJob) -> Vec<&str> {
            job.works.iter().map(|w| w.activity_code.as_str()).collect()
        }
        let mut out = Vec::new();
        for d in &self.readings {
            let Some((step, job)) = self.job_of(d) else {
                continue;
            };
            if let Some(problem) = works_problem(&d.reading.works, &expected(job)) {
                out.push(breach(
                    Some(step.number),
                    vec![d.first().number],
                    format!("the reading {} {problem}", d.reference),
                ));
            }
        }
        for (e, corrected, owner) in self.corrections() {
            let Some((step, job)) = self.job_of(owner) else {
                continue;
            };
            if let Some(problem) = works_problem(&corrected.works, &expected(job)) {
                let number = &e
                    .request
                    .answer
                    .as_ref()
                    .expect("a correction")
                    .issue_number;
                out.push(breach(
                    Some(step.number),
                    vec![e.number],
                    format!("the correction of issue {number} {problem}"),
                ));
            }
        }
        out
    }

    fn c04(&self, step: &SheetStep) -> Judged {
        if step.job.is_none() {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        }
        let Some(d) = self.of_step(step.number).into_iter().next() else {
            return (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            );
        };
        let codes: Vec<&str> = d.reading.works.iter().map(|(c, _)| c.as_str()).collect();
        (
            Verdict::Passed,
            vec![d.first().number],
            format!("{} with the invoice's wording", codes.join(", ")),
        )
    }

    fn c05_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for d in &self.readings {
            let Some(step) = d.step else { continue };
            let sent = d.first().received_at;
            let at = vec![d.first().number];
            let Some(opened) = self.rec.opened.get(&step).filter(|o| **o <= sent) else {
                out.push(breach(
                    Some(step),
                    at,
                    format!(
                        "the reading {} was sent before step {step} was opened",
                        d.reference
                    ),
                ));
                continue;
            };
            // The step open when the request arrived, as recorded: later than the reading's
            // own step means the operator had moved on to the next job.
            if let Some(n) = d.first().step.filter(|n| *n > step) {
                out.push(breach(Some(step), at, format!("the reading {} was sent while step {n} was open: send each reading when its job is closed, not in a batch later", d.reference)));
                continue;
            }
            let took = sent - *opened;
            if took > SEND_WITHIN {
                out.push(breach(Some(step), at, format!("the reading {} was sent {} min after the step was opened; the limit is 10 min, while the vehicle is in the workshop", d.reference, took.num_minutes())));
            }
        }
        out
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
        let opened = self.rec.opened.get(&step.number).copied();
        let slowest = readings
            .iter()
            .filter_map(|d| opened.map(|o| d.first().received_at - o))
            .max()
            .unwrap_or_else(Duration::zero);
        (
            Verdict::Passed,
            readings.iter().map(|d| d.first().number).collect(),
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
        let found = d.sends.iter().find_map(|(e, _)| {
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

    /// C06 on every error the DMS received: one electronic answer by its number, never a new
    /// reading; where the step planned the answer, the operation and the value it planned.
    fn c06_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for (received, issue, owner) in self.to_answer() {
            let step = owner.step;
            let answers = self.answers_to(&issue.number, received.number);
            let until = answers.first().map_or(u32::MAX, |a| a.number);
            let fresh = self.readings.iter().find(|other| {
                other.reference != owner.reference
                    && self.same_job(other, owner)
                    && other.first().number > received.number
                    && other.first().number < until
            });
            if let Some(other) = fresh {
                out.push(breach(
                    step,
                    vec![received.number, other.first().number],
                    format!(
                        "issue {} ({}) was answered by a new reading ({}) instead of CorrectIssue or ConfirmReading with its number",
                        issue.number, issue.code, other.reference
                    ),
                ));
                continue;
            }
            let Some(first) = answers.first() else {
                if self
                    .last_seen(&issue.number)
                    .is_some_and(IssueFacts::awaits_answer)
                {
                    out.push(breach(
                        step,
                        vec![received.number],
                        format!(
                            "issue {} ({}) on the reading {} was never answered: answer it with CorrectIssue, or ConfirmReading when the data sent was right, and its number",
                            issue.number, issue.code, owner.reference
                        ),
                    ));
                }
                continue;
            };
            let answer = first.request.answer.as_ref().expect("filtered on answers");
            // The plan is for the issue on the step's reading, not on a further one.
            let plan = self
                .job_of(owner)
                .filter(|(s, _)| {
                    self.of_step(s.number)
                        .first()
                        .is_some_and(|d| d.reference == owner.reference)
                })
                .and_then(|(s, _)| s.answer.as_ref())
                .filter(|p| p.issue == issue.code);
            if let Some(plan) = plan {
                if answer.operation != plan.by.operation() {
                    out.push(breach(
                        step,
                        vec![received.number, first.number],
                        format!(
                            "issue {} was answered with {} where the step called for {}",
                            issue.number,
                            answer.operation,
                            plan.by.operation()
                        ),
                    ));
                    continue;
                }
                let sent = answer.corrected.as_ref().and_then(|c| c.odometer);
                let typed = plan.odometer;
                let c09s = matches!((sent, typed), (Some(s), Some(t)) if digit_added(s, t));
                if plan.by == AnswerKind::Correct && sent != typed && !c09s {
                    out.push(breach(
                        step,
                        vec![received.number, first.number],
                        format!(
                            "the correction of issue {} carried odometer {}; the operator typed {}",
                            issue.number,
                            sent.map(grouped).unwrap_or_else(|| "none".into()),
                            typed.map(grouped).unwrap_or_default()
                        ),
                    ));
                    continue;
                }
            }
            if let Some(second) = answers.get(1).filter(|_| !limited(first)) {
                out.push(breach(
                    step,
                    vec![first.number, second.number],
                    format!(
                        "issue {} was answered twice (requests {} and {}): an error gets one electronic answer; a further mistake needs the paper form",
                        issue.number, first.number, second.number
                    ),
                ));
            }
        }
        out
    }

    fn c06(&self, step: &SheetStep) -> Judged {
        let Some(plan) = &step.answer else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step expects no issue".into(),
            );
        };
        let (_, receipt, issue) = match self.planned_issue(step) {
            Ok(found) => found,
            Err(verdict) => return verdict,
        };
        match self.answers_to(&issue.number, receipt.number).first() {
            Some(first) => (
                Verdict::Passed,
                vec![receipt.number, first.number],
                format!(
                    "issue {} ({}) answered by {} with its number",
                    issue.number,
                    issue.code,
                    plan.by.operation()
                ),
            ),
            None => (
                Verdict::NotExercised,
                vec![receipt.number],
                format!(
                    "issue {} ({}) was settled before the DMS answered it",
                    issue.number, issue.code
                ),
            ),
        }
    }

    /// C07 after every CORRECTION_LIMIT: no further answer to that issue, no new reading for its job.
    fn c07_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        let mut done: Vec<&str> = Vec::new();
        for limit in self.rec.exchanges.iter().filter(|e| limited(e)) {
            let Some(answer) = &limit.request.answer else {
                continue;
            };
            let number = answer.issue_number.as_str();
            if done.iter().any(|n| same_issue_number(n, number)) {
                continue;
            }
            done.push(number);
            let owner = self.owner_of_issue(number);
            let again = self
                .answers_to(number, limit.number)
                .first()
                .copied()
                .or_else(|| {
                    let owner = owner?;
                    self.readings
                        .iter()
                        .filter(|d| d.reference != owner.reference && self.same_job(d, owner))
                        .map(|d| d.first())
                        .find(|e| e.number > limit.number)
                });
            if let Some(again) = again {
                out.push(breach(
                    owner.and_then(|o| o.step),
                    vec![limit.number, again.number],
                    format!(
                        "after CORRECTION_LIMIT on issue {number} (request {}) the DMS tried again electronically ({}, request {}): the paper form is needed",
                        limit.number,
                        again.operation(),
                        again.number
                    ),
                ));
            }
        }
        out
    }

    fn c07(&self, step: &SheetStep) -> Judged {
        if step.answer.is_none() {
            return (
                Verdict::NotExercised,
                vec![],
                "the step expects no issue".into(),
            );
        }
        let (_, receipt, issue) = match self.planned_issue(step) {
            Ok(found) => found,
            Err(verdict) => return verdict,
        };
        let answers = self.answers_to(&issue.number, receipt.number);
        let Some(limit) = answers.iter().find(|e| limited(e)) else {
            return (
                Verdict::NotExercised,
                answers.iter().map(|e| e.number).collect(),
                format!(
                    "no CORRECTION_LIMIT came back for issue {} at step {}",
                    issue.number, step.number
                ),
            );
        };
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
            format!("no electronic attempt after CORRECTION_LIMIT; the paper-form message is on the screenshot of step {}", step.number),
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

    /// Every reading and every correction, with the job it is for: what flags and values
    /// are judged on, wherever they were sent.
    fn sent_for_jobs(&self) -> Vec<(String, u32, &'a SentReading, &'a SheetJob, u32)> {
        let mut out = Vec::new();
        for d in &self.readings {
            if let Some((step, job)) = self.job_of(d) {
                out.push((
                    format!("the reading {}", d.reference),
                    d.first().number,
                    d.reading,
                    job,
                    step.number,
                ));
            }
        }
        for (e, corrected, owner) in self.corrections() {
            if let Some((step, job)) = self.job_of(owner) {
                let number = &e
                    .request
                    .answer
                    .as_ref()
                    .expect("a correction")
                    .issue_number;
                out.push((
                    format!("the correction of issue {number}"),
                    e.number,
                    corrected,
                    job,
                    step.number,
                ));
            }
        }
        out
    }

    /// C08: OdometerReplaced where the odometer was replaced, with its final value, and nowhere else.
    fn c08_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for (what, at, sent, job, step) in self.sent_for_jobs() {
            let reason = match (job.odometer_replaced, sent.odometer_replaced) {
                (None, Some(value)) => format!("{what} has OdometerReplaced {}, but the odometer of step {step}'s job was not replaced: send OdometerReplaced only with a replacement", grouped(value)),
                (Some(expected), None) => format!("{what} has no OdometerReplaced: the odometer was replaced (the old one's final value was {})", grouped(expected)),
                (Some(expected), Some(value)) if expected != value => format!("{what} has OdometerReplaced {}; the old odometer's final value was {}", grouped(value), grouped(expected)),
                _ => continue,
            };
            out.push(breach(Some(step), vec![at], reason));
        }
        out
    }

    fn c08(&self, step: &SheetStep) -> Judged {
        let Some(expected) = step.job.as_ref().and_then(|j| j.odometer_replaced) else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step replaces no odometer".into(),
            );
        };
        match self.the_reading(step) {
            Ok(d) => (
                Verdict::Passed,
                vec![d.first().number],
                format!("OdometerReplaced {} sent", grouped(expected)),
            ),
            Err(verdict) => verdict,
        }
    }

    /// C09: every odometer as displayed: no digit added in front, a 5-digit odometer's value as it shows.
    fn c09_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for d in &self.readings {
            let Some((step, job)) = self.job_of(d) else {
                continue;
            };
            let Some(sent) = d.reading.odometer else {
                continue;
            };
            let shown = if job.five_digit_odometer {
                format!("{:05}", job.odometer)
            } else {
                grouped(job.odometer)
            };
            if digit_added(sent, job.odometer) || (job.five_digit_odometer && sent != job.odometer)
            {
                out.push(breach(
                    Some(step.number),
                    vec![d.first().number],
                    format!(
                        "the reading {} has Odometer {sent} where the display shows {shown}: send the value as displayed, with no digit added",
                        d.reference
                    ),
                ));
            }
        }
        for (e, corrected, owner) in self.corrections() {
            let typed = self
                .job_of(owner)
                .and_then(|(s, _)| s.answer.as_ref())
                .and_then(|p| p.odometer);
            if let (Some(sent), Some(typed)) = (corrected.odometer, typed) {
                if digit_added(sent, typed) {
                    out.push(breach(
                        owner.step,
                        vec![e.number],
                        format!("a correction has Odometer {sent} where the operator typed {}: send the value as typed, with no digit added", grouped(typed)),
                    ));
                }
            }
        }
        out
    }

    fn c09(&self, step: &SheetStep) -> Judged {
        let Some(job) = step.job.as_ref().filter(|j| j.five_digit_odometer) else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step's vehicle has no 5-digit odometer".into(),
            );
        };
        match self.the_reading(step) {
            Ok(d) => (
                Verdict::Passed,
                vec![d.first().number],
                format!(
                    "sent {} as the display shows it ({:05})",
                    job.odometer, job.odometer
                ),
            ),
            Err(verdict) => verdict,
        }
    }

    /// C10: Subcontracted=true for subcontracted work, and for no other.
    fn c10_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for (what, at, sent, job, step) in self.sent_for_jobs() {
            let flagged = sent.subcontracted == Some(true);
            if flagged == job.subcontracted {
                continue;
            }
            let reason = if flagged {
                format!("{what} is flagged Subcontracted, but step {step}'s work was done for the garage's own customer: flag only subcontracted work")
            } else {
                format!("{what} is not flagged Subcontracted: the work was done as a subcontractor")
            };
            out.push(breach(Some(step), vec![at], reason));
        }
        out
    }

    fn c10(&self, step: &SheetStep) -> Judged {
        if !step.job.as_ref().is_some_and(|j| j.subcontracted) {
            return (
                Verdict::NotExercised,
                vec![],
                "the step's work is not subcontracted".into(),
            );
        }
        match self.the_reading(step) {
            Ok(d) => (
                Verdict::Passed,
                vec![d.first().number],
                "Subcontracted=true sent".into(),
            ),
            Err(verdict) => verdict,
        }
    }

    /// Why a job of an opened step should have been reported and was not, when that is the
    /// criterion's to say: C11's for a job of at most 125 EUR, where the exemption is the
    /// question (SPEC 2.4), C03's for a larger one. A step not opened yet is not judged.
    fn unreported(&self, step: &SheetStep, job: &SheetJob, small: bool) -> Option<String> {
        let required = !rules::is_exempt(job.subcontracted, job.customer, job.invoice_total_cents);
        let is_small = job.invoice_total_cents <= EXEMPTION_MAX_CENTS;
        (required
            && is_small == small
            && self.rec.opened.contains_key(&step.number)
            && self.of_step(step.number).is_empty())
        .then(|| {
            format!(
                "the job of step {} ({}, {}, {} EUR) was not reported: {}",
                step.number,
                job.vin,
                job.customer.as_str(),
                euros(job.invoice_total_cents),
                reporting_rule(job)
            )
        })
    }

    /// C11 on every job: each reading and correction carries the job's CustomerType and
    /// InvoiceTotal, whichever step it is on, and a small job that must be reported is.
    fn c11_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for (what, at, sent, job, step) in self.sent_for_jobs() {
            let mut wrong = Vec::new();
            let customer = sent.customer_type.as_deref();
            if customer != Some(job.customer.as_str()) {
                wrong.push(format!(
                    "CustomerType {} for a {} customer",
                    customer.unwrap_or("none"),
                    job.customer.as_str()
                ));
            }
            if sent.invoice_total_cents != Some(job.invoice_total_cents) {
                wrong.push(format!(
                    "InvoiceTotal {} where the invoice says {}",
                    sent.invoice_total_cents
                        .map(euros)
                        .unwrap_or_else(|| "none".into()),
                    euros(job.invoice_total_cents)
                ));
            }
            if !wrong.is_empty() {
                out.push(breach(
                    Some(step),
                    vec![at],
                    format!(
                        "{what} has {}: the registry decides from these whether the job had to be reported",
                        wrong.join(" and ")
                    ),
                ));
            }
        }
        for step in &self.rec.sheet.steps {
            let Some(job) = &step.job else { continue };
            if let Some(reason) = self.unreported(step, job, true) {
                out.push(breach(Some(step.number), vec![], reason));
            }
        }
        out
    }

    fn c11(&self, step: &SheetStep) -> Judged {
        let Some(job) = &step.job else {
            return (Verdict::NotExercised, vec![], "the step has no job".into());
        };
        let job_said = format!(
            "{}, {} EUR",
            job.customer.as_str(),
            euros(job.invoice_total_cents)
        );
        // What the reading carries is judged on every reading (c11_breaches); here, whether
        // the job was reported at all.
        match self.of_step(step.number).into_iter().next() {
            None if rules::is_exempt(job.subcontracted, job.customer, job.invoice_total_cents) => (
                Verdict::Passed,
                vec![],
                format!("not reported ({job_said}): {}", reporting_rule(job)),
            ),
            None => (
                Verdict::Failed,
                vec![],
                format!(
                    "the job of step {} ({job_said}) was not reported: {}",
                    step.number,
                    reporting_rule(job)
                ),
            ),
            Some(d) => (
                Verdict::Passed,
                vec![d.first().number],
                format!("reported ({job_said})"),
            ),
        }
    }

    /// How the DMS recovered a reading whose answer was lost: a resend of the same
    /// ClientReference, or GetReadingStatus for it (the receipt read back), that brought the
    /// receipt.
    fn recovery(&self, reference: &str, after: u32) -> Option<&'a Exchange> {
        self.rec.exchanges.iter().find(|e| {
            e.number > after
                && ((e.is("SubmitReadings") && e.receipt_for(reference).is_some())
                    || (e.is("GetReadingStatus")
                        && e.request
                            .status_of
                            .as_deref()
                            .is_some_and(|k| k.eq_ignore_ascii_case(reference))
                        && matches!(e.response, ResponseFacts::Receipts(_))))
        })
    }

    /// C12: a lost answer is recovered with the same ClientReference, and a resend carries
    /// the same reading.
    fn c12_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for d in &self.readings {
            for (e, sent) in &d.sends[1..] {
                let changed = differences(d.reading, sent);
                if !changed.is_empty() {
                    out.push(breach(
                        d.step,
                        vec![d.first().number, e.number],
                        format!(
                            "the reading {} was sent again (request {}) with another {}: a retry resends the reading unchanged; a changed reading is answered by CorrectIssue",
                            d.reference,
                            e.number,
                            changed.join(", ")
                        ),
                    ));
                    break;
                }
            }
        }
        let mut handled: Vec<&str> = Vec::new();
        for lost in self
            .rec
            .exchanges
            .iter()
            .filter(|e| e.is("SubmitReadings") && e.lost())
        {
            for r in &lost.request.readings {
                if handled.contains(&r.client_reference.as_str()) {
                    continue;
                }
                handled.push(&r.client_reference);
                let this = self.by_reference(&r.client_reference);
                let step = this.and_then(|d| d.step);
                let duplicate = self.readings.iter().find(|o| {
                    o.reference != r.client_reference
                        && o.first().number > lost.number
                        && match this {
                            Some(this) => self.same_job(o, this),
                            None => o.reading.vin == r.vin,
                        }
                });
                if let Some(o) = duplicate {
                    out.push(breach(
                        step,
                        vec![lost.number, o.first().number],
                        format!(
                            "after the {} on request {} the reading was sent again with a new ClientReference ({} instead of {}): a duplicate reading resulted",
                            lost_as(lost), lost.number, o.reference, r.client_reference
                        ),
                    ));
                } else if self.recovery(&r.client_reference, lost.number).is_none() {
                    out.push(breach(
                        step,
                        vec![lost.number],
                        format!(
                            "the DMS did not retry after the {} on request {}: it cannot know whether {} was stored; resend it with the same ClientReference (or read its receipt with GetReadingStatus)",
                            lost_as(lost), lost.number, r.client_reference
                        ),
                    ));
                }
            }
        }
        out
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
        let reference = injected
            .request
            .readings
            .iter()
            .find(|r| r.vin == job.vin)
            .map(|r| r.client_reference.as_str())
            .unwrap_or_default();
        match self.recovery(reference, injected.number) {
            Some(e) => (
                Verdict::Passed,
                vec![injected.number, e.number],
                format!(
                    "after the injected {fault} the DMS {} with the same ClientReference {reference}",
                    if e.is("SubmitReadings") { "retried" } else { "read the receipt (GetReadingStatus)" }
                ),
            ),
            None => (
                Verdict::NotExercised,
                vec![injected.number],
                format!("after the injected {fault} no receipt for {reference} came back"),
            ),
        }
    }

    /// C13: no reading sent again after its receipt came back.
    fn c13_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for d in &self.readings {
            let blind = d
                .sends
                .windows(2)
                .find(|pair| pair[0].0.receipt_for(d.reference).is_some());
            if let Some(pair) = blind {
                let (before, again) = (pair[0].0, pair[1].0);
                out.push(breach(
                    d.step,
                    vec![before.number, again.number],
                    format!(
                        "the reading {} was sent again (request {}) although its receipt had come back (request {}): read the receipt instead of resending",
                        d.reference, again.number, before.number
                    ),
                ));
            }
        }
        out
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
        let Some(d) = self.of_step(step.number).into_iter().next() else {
            return (
                Verdict::NotExercised,
                vec![],
                format!("no reading was sent for step {}", step.number),
            );
        };
        let status = d
            .receipt()
            .map(|(_, r)| r.status.clone())
            .unwrap_or_default();
        (
            Verdict::Passed,
            vec![d.first().number],
            format!("the receipt ({status}) was read; no blind resend"),
        )
    }

    /// C14: every OK label asked for an advertised vehicle carries the advertised mileage.
    fn c14_breaches(&self) -> Vec<Breach> {
        let mut out = Vec::new();
        for step in &self.rec.sheet.steps {
            let Some(advert) = &step.advert else { continue };
            for e in self.rec.exchanges.iter().filter(|e| e.is("RequestOkLabel")) {
                let Some(label) = e.request.label.as_ref().filter(|l| l.vin == advert.vin) else {
                    continue;
                };
                if label.advertised_odometer != Some(advert.odometer) {
                    out.push(breach(
                        Some(step.number),
                        vec![e.number],
                        format!(
                            "RequestOkLabel for {} asked with {}; the advert shows {}",
                            advert.vin,
                            label
                                .advertised_odometer
                                .map(grouped)
                                .unwrap_or_else(|| "no mileage".into()),
                            grouped(advert.odometer)
                        ),
                    ));
                }
            }
        }
        out
    }

    fn c14(&self, step: &SheetStep) -> Judged {
        let Some(advert) = &step.advert else {
            return (
                Verdict::NotExercised,
                vec![],
                "the step publishes no advert".into(),
            );
        };
        let right = self.rec.exchanges.iter().find(|e| {
            e.is("RequestOkLabel")
                && e.request.label.as_ref().is_some_and(|l| {
                    l.vin == advert.vin && l.advertised_odometer == Some(advert.odometer)
                })
        });
        let Some(right) = right else {
            return (
                Verdict::Failed,
                vec![],
                format!(
                    "no RequestOkLabel for the advert of step {} ({})",
                    step.number, advert.vin
                ),
            );
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
                format!("RequestOkLabel asked with the advertised {}; the refusal's reasons are on the screenshot of step {}", grouped(advert.odometer), step.number),
            )
        } else {
            (
                Verdict::Failed,
                vec![right.number],
                format!("no screenshot of the refusal's reasons for step {0}: attach one with `carpass certify attach SESSION --step {0} FILE`", step.number),
            )
        }
    }

    fn validated_before(&self, d: &Distinct<'_>) -> Option<&'a Exchange> {
        self.rec.exchanges.iter().find(|e| {
            e.number < d.first().number
                && e.is("ValidateReading")
                && e.request.readings.iter().any(|r| r.vin == d.reading.vin)
        })
    }

    /// C16: every reading checked with ValidateReading before it is sent.
    fn c16_breaches(&self) -> Vec<Breach> {
        self.readings
            .iter()
            .filter(|d| self.validated_before(d).is_none())
            .map(|d| {
                breach(
                    d.step,
                    vec![d.first().number],
                    format!(
                        "the reading {} was sent without a ValidateReading first",
                        d.reference
                    ),
                )
            })
            .collect()
    }

    fn c16(&self, step: &SheetStep) -> Judged {
        let d = match self.the_reading(step) {
            Ok(d) => d,
            Err(verdict) => return verdict,
        };
        match self.validated_before(d) {
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

/// A number in a reason: the reasons are English, written as an English page writes numbers.
fn grouped(value: u64) -> String {
    Formatter(Language::En).num(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certification::facts::RequestFacts;
    use crate::domain::certification::scenario::Texts;
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
                description: "Grote onderhoudsbeurt".into(),
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
                client_info: Some(crate::domain::certification::facts::ClientInfo {
                    language: Some("en".into()),
                    builder: Some("b".into()),
                    name: Some("n".into()),
                    version: Some("v".into()),
                }),
                readings: vec![SentReading {
                    client_reference: "r1".into(),
                    vin: VIN.into(),
                    work_date: Some(brussels_date(opened_at())),
                    odometer: Some(45_210),
                    customer_type: Some("Business".into()),
                    invoice_total_cents: Some(4_560),
                    works: vec![("MAINTENANCE".into(), "Grote onderhoudsbeurt".into())],
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
        evaluation.checks.push(check(
            Criterion::C07,
            Some(1),
            Verdict::AwaitingStaffReview,
            vec![],
            "the paper-form message is on the screenshot of step 1".into(),
        ));
        let passed = evaluation.with_verdicts(&[verdict(true, "looks right")]);
        assert_eq!(passed.result(Criterion::C07).verdict, Verdict::Passed);
        // It reads as what it is now, in the summary and in the check alike.
        let check = passed
            .checks
            .iter()
            .find(|k| k.criterion == Criterion::C07)
            .unwrap();
        assert_eq!(check.verdict, Verdict::Passed);
        assert_eq!(
            check.reason,
            "the paper-form message is on the screenshot of step 1; looks right"
        );
        assert!(!passed.result(Criterion::C07).reason.contains("await"));
    }

    #[test]
    fn a_resend_after_a_receipt_is_blind_but_not_after_an_injected_fault() {
        let sheet = sheet(vec![Criterion::C13], CustomerType::Business, 4_560);
        let first = submission(opened_at());
        let mut again = submission(opened_at() + Duration::seconds(5));
        again.number = 2;
        let blind = judge(&sheet, &[first.clone(), again.clone()], None);
        assert_eq!(blind.result(Criterion::C13).verdict, Verdict::Failed);
        let retried = judge(&sheet, &[server_fault(first), again], None);
        assert_eq!(retried.result(Criterion::C13).verdict, Verdict::Passed);
    }

    fn server_fault(mut exchange: Exchange) -> Exchange {
        exchange.injected = Some(InjectedFault::Server);
        exchange.response = ResponseFacts::Fault {
            code: "SERVER_ERROR".into(),
            message: "retry".into(),
        };
        exchange
    }

    /// The next exchange after `before`, a few seconds later.
    fn then(before: &Exchange, mut next: Exchange) -> Exchange {
        next.number = before.number + 1;
        next.received_at = before.received_at + Duration::seconds(3);
        next
    }

    /// The failed criteria, but C16: these recordings send no ValidateReading.
    fn failed_only(evaluation: &Evaluation) -> Vec<Criterion> {
        evaluation
            .criteria
            .iter()
            .filter(|c| c.verdict == Verdict::Failed && c.criterion != Criterion::C16)
            .map(|c| c.criterion)
            .collect()
    }

    fn issue(number: &str, code: &str, state: &str) -> IssueFacts {
        IssueFacts {
            number: number.into(),
            code: code.into(),
            severity: "Error".into(),
            correctable: state == "Open",
            state: Some(state.into()),
        }
    }

    fn with_issue(mut exchange: Exchange, issue: IssueFacts) -> Exchange {
        if let ResponseFacts::Receipts(receipts) = &mut exchange.response {
            receipts[0].status = "PendingCorrection".into();
            receipts[0].issues = vec![issue];
        }
        exchange
    }

    fn answer(operation: &str, number: &str, response_issue: IssueFacts) -> Exchange {
        let mut e = submission(opened_at());
        e.request.operation = Some(operation.into());
        e.request.readings = vec![];
        e.request.answer = Some(crate::domain::certification::facts::SentAnswer {
            operation: operation.into(),
            issue_number: number.into(),
            corrected: None,
        });
        with_issue(e, response_issue)
    }

    // The step lists only C05: everything else below is judged where it happened (SPEC 5.6).
    fn unlisted() -> Sheet {
        sheet(vec![Criterion::C05], CustomerType::Business, 4_560)
    }

    #[test]
    fn a_flag_sent_where_it_does_not_belong_fails_its_criterion_on_a_step_that_does_not_list_it() {
        let mut sent = submission(opened_at());
        sent.request.readings[0].odometer_replaced = Some(0);
        sent.request.readings[0].subcontracted = Some(true);
        let evaluation = judge(&unlisted(), &[sent], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C08, Criterion::C10]);
        assert!(evaluation
            .result(Criterion::C08)
            .reason
            .contains("OdometerReplaced 0"));
    }

    #[test]
    fn a_wrong_odometer_or_a_second_reading_fails_c03_where_the_step_does_not_list_it() {
        let mut wrong = submission(opened_at());
        wrong.request.readings[0].odometer = Some(45_201);
        assert_eq!(
            failed_only(&judge(&unlisted(), &[wrong], None)),
            [Criterion::C03]
        );
        let first = submission(opened_at());
        let mut second = then(&first, submission(opened_at()));
        second.request.readings[0].client_reference = "r2".into();
        if let ResponseFacts::Receipts(r) = &mut second.response {
            r[0].client_reference = "r2".into();
        }
        let double = judge(&unlisted(), &[first, second], None);
        assert_eq!(failed_only(&double), [Criterion::C03]);
        assert!(double
            .result(Criterion::C03)
            .reason
            .contains("a second reading (r2)"));
    }

    #[test]
    fn an_error_left_unanswered_anywhere_fails_c06_and_an_answer_settles_it() {
        let sent = with_issue(
            submission(opened_at()),
            issue("000042-7", "ODOMETER_ROLLBACK", "Open"),
        );
        let unanswered = judge(&unlisted(), std::slice::from_ref(&sent), None);
        assert_eq!(failed_only(&unanswered), [Criterion::C06]);
        assert!(unanswered
            .result(Criterion::C06)
            .reason
            .contains("never answered"));
        let confirmed = then(
            &sent,
            answer(
                "ConfirmReading",
                "42-7",
                issue("000042-7", "ODOMETER_ROLLBACK", "Confirmed"),
            ),
        );
        assert!(failed_only(&judge(
            &unlisted(),
            &[sent.clone(), confirmed.clone()],
            None
        ))
        .is_empty());
        // A second electronic answer to an issue whose first answer was taken is C06's.
        let again = then(
            &confirmed,
            answer(
                "ConfirmReading",
                "000042-7",
                issue("000042-7", "ODOMETER_ROLLBACK", "Confirmed"),
            ),
        );
        let twice = judge(&unlisted(), &[sent, confirmed, again], None);
        assert_eq!(failed_only(&twice), [Criterion::C06]);
        assert!(twice
            .result(Criterion::C06)
            .reason
            .contains("answered twice"));
    }

    #[test]
    fn a_retry_that_changes_the_reading_fails_c12_and_reading_the_receipt_back_recovers() {
        let lost = server_fault(submission(opened_at()));
        let mut changed = then(&lost, submission(opened_at()));
        changed.request.readings[0].odometer = Some(45_211);
        let evaluation = judge(&unlisted(), &[lost.clone(), changed], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C12]);
        assert!(evaluation
            .result(Criterion::C12)
            .reason
            .contains("another Odometer"));
        // SPEC 3.3 and C13: GetReadingStatus by the ClientReference brings back the receipt a
        // resend would have brought, and creates no duplicate: the DMS knows what was stored.
        let mut status = then(&lost, submission(opened_at()));
        status.request.operation = Some("GetReadingStatus".into());
        status.request.readings = vec![];
        status.request.status_of = Some("r1".into());
        let recovered = judge(&unlisted(), &[lost.clone(), status], None);
        assert!(
            failed_only(&recovered).is_empty(),
            "{:?}",
            recovered.result(Criterion::C12)
        );
        let gave_up = judge(&unlisted(), &[lost], None);
        assert!(gave_up
            .result(Criterion::C12)
            .reason
            .contains("did not retry"));
    }

    #[test]
    fn a_wrong_customer_type_or_invoice_total_fails_c11_where_the_step_does_not_list_it() {
        let mut private = submission(opened_at());
        private.request.readings[0].customer_type = Some("Private".into());
        let evaluation = judge(&unlisted(), &[private], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C11]);
        assert!(evaluation
            .result(Criterion::C11)
            .reason
            .contains("CustomerType Private for a Business customer"));
        let mut net = submission(opened_at());
        net.request.readings[0].invoice_total_cents = Some(3_769);
        let evaluation = judge(&unlisted(), &[net], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C11]);
        assert!(evaluation
            .result(Criterion::C11)
            .reason
            .contains("InvoiceTotal 37.69 where the invoice says 45.60"));
    }

    #[test]
    fn an_opened_job_never_reported_fails_c11_when_small_c03_when_larger_and_nothing_when_exempt() {
        let failed = |customer, cents| {
            let sheet = sheet(vec![Criterion::C05], customer, cents);
            let evaluation = judge(&sheet, &[], None);
            let failed: Vec<Criterion> = evaluation
                .criteria
                .iter()
                .filter(|c| c.verdict == Verdict::Failed)
                .map(|c| c.criterion)
                .collect();
            (failed, evaluation)
        };
        let (small, evaluation) = failed(CustomerType::Business, 4_560);
        assert_eq!(small, [Criterion::C11]);
        assert!(evaluation
            .result(Criterion::C11)
            .reason
            .contains("VAT-liable"));
        assert_eq!(failed(CustomerType::Business, 12_501).0, [Criterion::C03]);
        assert_eq!(failed(CustomerType::Private, 12_501).0, [Criterion::C03]);
        assert!(failed(CustomerType::Private, 12_500).0.is_empty());
        // A step not opened yet is not judged: the session may not have come to it.
        let sheet = sheet(vec![Criterion::C05], CustomerType::Business, 4_560);
        let none = evaluate(&Recording {
            sheet: &sheet,
            software: &Software {
                builder: "b".into(),
                name: "n".into(),
                version: "v".into(),
            },
            opened: &BTreeMap::new(),
            exchanges: &[],
            screenshots: &BTreeSet::new(),
        });
        assert!(!none.criteria.iter().any(|c| c.verdict == Verdict::Failed));
    }

    #[test]
    fn an_exempt_job_left_unreported_passes_c11_where_it_is_listed() {
        let sheet = sheet(vec![Criterion::C11], CustomerType::Private, 12_500);
        let c11 = judge(&sheet, &[], None).result(Criterion::C11).clone();
        assert_eq!(c11.verdict, Verdict::Passed);
        assert!(c11.reason.contains("optional"), "{}", c11.reason);
    }

    #[test]
    fn a_reading_in_the_wrong_unit_or_a_correction_that_moves_the_job_fails_c03() {
        let mut miles = submission(opened_at());
        miles.request.readings[0].unit = Some("mi".into());
        let evaluation = judge(&unlisted(), &[miles], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C03]);
        assert!(evaluation
            .result(Criterion::C03)
            .reason
            .contains("OdometerUnit mi for an odometer in km"));
        let mut km = submission(opened_at());
        km.request.readings[0].unit = Some("km".into());
        assert!(failed_only(&judge(&unlisted(), &[km], None)).is_empty());

        let sent = with_issue(
            submission(opened_at()),
            issue("000042-7", "ODOMETER_ROLLBACK", "Open"),
        );
        let mut correction = then(
            &sent,
            answer(
                "CorrectIssue",
                "000042-7",
                issue("000042-7", "ODOMETER_ROLLBACK", "Corrected"),
            ),
        );
        let mut corrected = submission(opened_at()).request.readings[0].clone();
        corrected.work_date = corrected.work_date.map(|d| d - Duration::days(1));
        correction.request.answer.as_mut().unwrap().corrected = Some(corrected);
        let evaluation = judge(&unlisted(), &[sent, correction], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C03]);
        assert!(evaluation
            .result(Criterion::C03)
            .reason
            .starts_with("the correction of issue 000042-7 has WorkDate"));
    }

    #[test]
    fn a_description_that_repeats_the_standard_label_fails_c04() {
        let mut sent = submission(opened_at());
        sent.request.readings[0].works = vec![("MAINTENANCE".into(), "maintenance".into())];
        let evaluation = judge(&unlisted(), &[sent], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C04]);
        assert!(evaluation
            .result(Criterion::C04)
            .reason
            .contains("only repeats the standard label"));
    }

    #[test]
    fn http_basic_for_another_account_next_to_a_token_fails_c02() {
        let mut sent = submission(opened_at());
        sent.request.authentication = Authentication::UsernameToken {
            username: "cert".into(),
        };
        sent.request.conflicting_account = Some("garage-one".into());
        let evaluation = judge(&unlisted(), &[sent], None);
        assert_eq!(failed_only(&evaluation), [Criterion::C02]);
        assert!(evaluation
            .result(Criterion::C02)
            .reason
            .contains("'garage-one'"));
    }
}
