//! Certification scenarios (SPEC 5.1), as the files in `conformance-tests/scenarios/` hold
//! them, and the operator sheet a session gets from them: the same steps with the session's
//! own fixture VINs filled in, numbered across all scenarios.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::criterion::Criterion;
use crate::domain::activity::ActivityCode;
use crate::domain::format::Formatter;
use crate::domain::issue::{IssueCode, Severity};
use crate::domain::language::Language;
use crate::domain::odometer::{OdometerUnit, FIVE_DIGIT_MAX};
use crate::domain::reading::{CustomerType, Work};

/// The languages of the operator's instructions (the issue names nl, fr and en).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetLanguage {
    #[default]
    Nl,
    Fr,
    En,
}

impl SheetLanguage {
    pub const ALL: [SheetLanguage; 3] = [SheetLanguage::Nl, SheetLanguage::Fr, SheetLanguage::En];

    pub fn parse(code: &str) -> Option<SheetLanguage> {
        SheetLanguage::ALL.into_iter().find(|l| l.as_str() == code)
    }

    /// The reader's language, for the Formatter.
    pub fn language(self) -> Language {
        match self {
            SheetLanguage::Nl => Language::Nl,
            SheetLanguage::Fr => Language::Fr,
            SheetLanguage::En => Language::En,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SheetLanguage::Nl => "nl",
            SheetLanguage::Fr => "fr",
            SheetLanguage::En => "en",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub nl: String,
    pub fr: String,
    pub en: String,
}

impl Texts {
    pub fn get(&self, language: SheetLanguage) -> &str {
        match language {
            SheetLanguage::Nl => &self.nl,
            SheetLanguage::Fr => &self.fr,
            SheetLanguage::En => &self.en,
        }
    }

    fn map(&self, f: impl Fn(SheetLanguage, &str) -> String) -> Texts {
        Texts {
            nl: f(SheetLanguage::Nl, &self.nl),
            fr: f(SheetLanguage::Fr, &self.fr),
            en: f(SheetLanguage::En, &self.en),
        }
    }

    fn all(&self) -> [&str; 3] {
        [&self.nl, &self.fr, &self.en]
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: Texts,
    #[serde(default)]
    pub vehicles: Vec<FixtureVehicle>,
    pub steps: Vec<Step>,
}

/// A vehicle made for each session, with a VIN of its own and the history the steps need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureVehicle {
    pub key: String,
    pub make: String,
    pub model: String,
    #[serde(default = "passenger_car")]
    pub category: String,
    pub first_registration_months_ago: u32,
    /// Months since it entered Belgium, when it was imported as a used vehicle.
    #[serde(default)]
    pub imported_used_months_ago: Option<u32>,
    #[serde(default)]
    pub five_digit_odometer: bool,
    /// False: not yet in the vehicle register; a step's `register` puts it there.
    #[serde(default = "yes")]
    pub registered: bool,
    /// Readings registered before the session, oldest first.
    #[serde(default)]
    pub history: Vec<PastReading>,
}

fn passenger_car() -> String {
    "M1".into()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastReading {
    pub months_ago: u32,
    pub odometer: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub key: String,
    pub criteria: Vec<Criterion>,
    /// Placeholders: {vin} {make} {model} {odometer} {unit} {invoice} {replaced} {corrected}
    /// {plate} {advert_vin} {advert_odometer} {status_step} {hold}.
    pub instructions: Texts,
    /// What a screenshot of the DMS must show for this step (C07, C14); the step asks for one.
    #[serde(default)]
    pub screenshot: Option<Texts>,
    /// The DMS loads the standard work descriptions (ListActivities).
    #[serde(default)]
    pub list_activities: bool,
    #[serde(default)]
    pub job: Option<Job>,
    #[serde(default)]
    pub answer: Option<AnswerPlan>,
    #[serde(default)]
    pub inject: Option<Injection>,
    /// A fixture vehicle that enters the register when this step is opened.
    #[serde(default)]
    pub register: Option<String>,
    /// The step (its key) whose reading the DMS must ask GetReadingStatus about.
    #[serde(default)]
    pub status_of: Option<String>,
    #[serde(default)]
    pub advert: Option<Advert>,
}

/// The job the operator closes in the DMS: what the reading must carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub vehicle: String,
    /// As the operator types it: in an error step, the typo.
    pub odometer: u64,
    #[serde(default)]
    pub unit: OdometerUnit,
    /// The replaced odometer's final value.
    #[serde(default)]
    pub odometer_replaced: Option<u64>,
    #[serde(default)]
    pub subcontracted: bool,
    pub customer: CustomerType,
    /// EUR including VAT, as on the invoice: "412.35".
    pub invoice: String,
    pub works: Vec<JobWork>,
    #[serde(default)]
    pub license_plate: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobWork {
    pub code: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    /// CorrectIssue: the data sent was wrong.
    Correct,
    /// ConfirmReading: the data sent was right.
    Confirm,
}

impl AnswerKind {
    pub fn operation(self) -> &'static str {
        match self {
            AnswerKind::Correct => "CorrectIssue",
            AnswerKind::Confirm => "ConfirmReading",
        }
    }
}

/// How the operator answers the issue the step's reading gets (C06, C07).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerPlan {
    /// The issue code the receipt carries.
    pub issue: String,
    pub by: AnswerKind,
    /// The odometer the operator types in the correction.
    #[serde(default)]
    pub odometer: Option<u64>,
    /// The correction is wrong as well: the receipt then carries CORRECTION_LIMIT (C07).
    #[serde(default)]
    pub expect_limit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InjectedFault {
    /// The reading is stored, then a Server fault is answered instead of the receipt.
    Server,
    /// The reading is stored, the request held, and the connection closed without an answer.
    Timeout,
}

impl InjectedFault {
    pub fn as_str(self) -> &'static str {
        match self {
            InjectedFault::Server => "server",
            InjectedFault::Timeout => "timeout",
        }
    }

    pub fn parse(raw: &str) -> Option<InjectedFault> {
        match raw {
            "server" => Some(InjectedFault::Server),
            "timeout" => Some(InjectedFault::Timeout),
            _ => None,
        }
    }
}

/// A fault the harness injects on the first SubmitReadings that carries the step's vehicle (C12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injection {
    pub fault: InjectedFault,
    /// For a timeout: how long the request is held before the connection is closed unanswered.
    #[serde(default = "default_hold")]
    pub hold_seconds: u64,
}

fn default_hold() -> u64 {
    60
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advert {
    pub vehicle: String,
    pub odometer: u64,
    /// Whether the registry grants the label (a refusal's reasons must be shown: C14).
    pub granted: bool,
}

/// The operator sheet of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    /// The session's fixture vehicles, with the dates of their history as of the session's day.
    pub vehicles: Vec<SheetVehicle>,
    pub steps: Vec<SheetStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetVehicle {
    pub key: String,
    pub vin: String,
    pub make: String,
    pub model: String,
    pub category: String,
    pub first_registration: NaiveDate,
    /// When it entered Belgium, for a vehicle imported as used.
    pub imported_used_on: Option<NaiveDate>,
    pub five_digit_odometer: bool,
    /// False until a step registers it.
    pub registered: bool,
    /// (work date, odometer), oldest first.
    pub history: Vec<(NaiveDate, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetStep {
    /// 1, 2, ... across all scenarios.
    pub number: u32,
    pub scenario: String,
    pub scenario_title: Texts,
    pub key: String,
    pub criteria: Vec<Criterion>,
    pub instructions: Texts,
    pub screenshot: Option<Texts>,
    pub list_activities: bool,
    pub job: Option<SheetJob>,
    pub answer: Option<AnswerPlan>,
    pub inject: Option<Injection>,
    /// The VIN that enters the register when the step is opened.
    pub register: Option<String>,
    /// The step whose reading's status the DMS must ask.
    pub status_of: Option<u32>,
    pub advert: Option<SheetAdvert>,
}

/// The reading the step's job must produce; its work date is the day the step is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetJob {
    pub vin: String,
    pub odometer: u64,
    pub unit: OdometerUnit,
    pub odometer_replaced: Option<u64>,
    pub subcontracted: bool,
    pub customer: CustomerType,
    pub invoice_total_cents: i64,
    pub works: Vec<Work>,
    pub license_plate: Option<String>,
    pub five_digit_odometer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetAdvert {
    pub vin: String,
    pub odometer: u64,
    pub granted: bool,
}

impl Sheet {
    pub fn step(&self, number: u32) -> Option<&SheetStep> {
        self.steps.iter().find(|s| s.number == number)
    }

    /// The job step whose vehicle this is.
    pub fn step_of_vin(&self, vin: &str) -> Option<&SheetStep> {
        self.steps
            .iter()
            .find(|s| s.job.as_ref().is_some_and(|j| j.vin == vin))
    }
}

/// Checks the scenarios together: unique keys, references that resolve, values the registry
/// knows, and every criterion exercised by at least one step. Every problem is listed.
pub fn check(scenarios: &[Scenario]) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut vehicles: HashMap<&str, &FixtureVehicle> = HashMap::new();
    let mut steps = HashSet::new();
    let mut exercised = BTreeSet::new();
    for scenario in scenarios {
        for vehicle in &scenario.vehicles {
            if vehicles.insert(&vehicle.key, vehicle).is_some() {
                problems.push(format!("vehicle '{}' is defined twice", vehicle.key));
            }
        }
    }
    for scenario in scenarios {
        let at = |step: &Step| format!("{} / {}", scenario.id, step.key);
        for step in &scenario.steps {
            if !steps.insert(step.key.as_str()) {
                problems.push(format!("step '{}' is defined twice", step.key));
            }
            if step.criteria.is_empty() {
                problems.push(format!("{}: names no criterion", at(step)));
            }
            exercised.extend(step.criteria.iter().copied());
            for text in step.instructions.all() {
                if let Some(unknown) = unknown_placeholder(text) {
                    problems.push(format!("{}: unknown placeholder {{{unknown}}}", at(step)));
                }
                if text.trim().is_empty() {
                    problems.push(format!("{}: an instruction is empty", at(step)));
                }
            }
            let needs_screen = step.criteria.iter().any(|c| matches!(c, Criterion::C07));
            if needs_screen && step.screenshot.is_none() {
                problems.push(format!(
                    "{}: C07 is proven on screen; the step must ask for a screenshot",
                    at(step)
                ));
            }
            if let Some(job) = &step.job {
                match vehicles.get(job.vehicle.as_str()) {
                    None => {
                        problems.push(format!("{}: unknown vehicle '{}'", at(step), job.vehicle))
                    }
                    Some(v) if v.five_digit_odometer && job.odometer > FIVE_DIGIT_MAX => problems
                        .push(format!(
                            "{}: a 5-digit odometer cannot display {}",
                            at(step),
                            job.odometer
                        )),
                    Some(_) => {}
                }
                if job.works.is_empty() {
                    problems.push(format!("{}: the job has no work", at(step)));
                }
                for work in &job.works {
                    if ActivityCode::parse(&work.code).is_none() {
                        problems.push(format!("{}: unknown activity code {}", at(step), work.code));
                    }
                }
                if euro_cents(&job.invoice).is_none() {
                    problems.push(format!(
                        "{}: invoice '{}' is not an amount like 412.35",
                        at(step),
                        job.invoice
                    ));
                }
            }
            if let Some(plan) = &step.answer {
                match IssueCode::parse(&plan.issue) {
                    Some(code) if code.severity() == Severity::Error && code.correctable() => {}
                    _ => problems.push(format!(
                        "{}: '{}' is not an issue the DMS can answer",
                        at(step),
                        plan.issue
                    )),
                }
                if step.job.is_none() {
                    problems.push(format!("{}: an answer needs a job", at(step)));
                }
                if (plan.by == AnswerKind::Correct) != plan.odometer.is_some() {
                    problems.push(format!(
                        "{}: a correction names the odometer typed, a confirmation none",
                        at(step)
                    ));
                }
            }
            if step.inject.is_some() && step.job.is_none() {
                problems.push(format!(
                    "{}: a fault is injected on the step's reading; it needs a job",
                    at(step)
                ));
            }
            if let Some(key) = &step.register {
                if vehicles.get(key.as_str()).is_none_or(|v| v.registered) {
                    problems.push(format!(
                        "{}: '{key}' is not a vehicle waiting for registration",
                        at(step)
                    ));
                }
            }
            if let Some(advert) = &step.advert {
                if !vehicles.contains_key(advert.vehicle.as_str()) {
                    problems.push(format!(
                        "{}: unknown vehicle '{}'",
                        at(step),
                        advert.vehicle
                    ));
                }
            }
        }
    }
    let all_steps: Vec<&Step> = scenarios.iter().flat_map(|s| &s.steps).collect();
    for (i, step) in all_steps.iter().enumerate() {
        if let Some(of) = &step.status_of {
            if !all_steps[..i]
                .iter()
                .any(|s| &s.key == of && s.job.is_some())
            {
                problems.push(format!(
                    "{}: status_of '{of}' is not an earlier step with a job",
                    step.key
                ));
            }
        }
    }
    for criterion in Criterion::ALL {
        if !exercised.contains(&criterion) {
            problems.push(format!("no step exercises {criterion}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

const PLACEHOLDERS: [&str; 13] = [
    "vin",
    "make",
    "model",
    "odometer",
    "unit",
    "invoice",
    "replaced",
    "corrected",
    "plate",
    "advert_vin",
    "advert_odometer",
    "status_step",
    "hold",
];

fn unknown_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[end + 1..];
    }
    None
}

/// "412.35" in cents; at most two decimals.
pub fn euro_cents(amount: &str) -> Option<i64> {
    let (whole, fraction) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || (!fraction.is_empty() && !digits(fraction))
        || fraction.len() > 2
        || whole.len() > 9
    {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// The sheet for a session started on `today`, given the VIN each fixture vehicle got. The
/// scenarios must have passed `check`.
pub fn sheet(scenarios: &[Scenario], vins: &HashMap<String, String>, today: NaiveDate) -> Sheet {
    let months_ago = |months: u32| {
        today
            .checked_sub_months(Months::new(months))
            .unwrap_or(today)
    };
    let vehicles: HashMap<&str, &FixtureVehicle> = scenarios
        .iter()
        .flat_map(|s| &s.vehicles)
        .map(|v| (v.key.as_str(), v))
        .collect();
    let vin_of = |key: &str| vins.get(key).cloned().unwrap_or_default();
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut steps = Vec::new();
    for scenario in scenarios {
        for step in &scenario.steps {
            let number = steps.len() as u32 + 1;
            numbers.insert(&step.key, number);
            let job = step.job.as_ref().map(|job| SheetJob {
                vin: vin_of(&job.vehicle),
                odometer: job.odometer,
                unit: job.unit,
                odometer_replaced: job.odometer_replaced,
                subcontracted: job.subcontracted,
                customer: job.customer,
                invoice_total_cents: euro_cents(&job.invoice).unwrap_or_default(),
                works: job
                    .works
                    .iter()
                    .map(|w| Work {
                        activity_code: w.code.clone(),
                        description: w.description.clone(),
                    })
                    .collect(),
                license_plate: job.license_plate.clone(),
                five_digit_odometer: vehicles
                    .get(job.vehicle.as_str())
                    .is_some_and(|v| v.five_digit_odometer),
            });
            let advert = step.advert.as_ref().map(|a| SheetAdvert {
                vin: vin_of(&a.vehicle),
                odometer: a.odometer,
                granted: a.granted,
            });
            let status_of = step
                .status_of
                .as_deref()
                .and_then(|k| numbers.get(k).copied());
            let vehicle = step
                .job
                .as_ref()
                .and_then(|j| vehicles.get(j.vehicle.as_str()));
            // Numbers as the pages write them in the sheet's language: "45.210", "45 210".
            let fill = |language: SheetLanguage, text: &str| {
                let grouped = |n: u64| Formatter(language.language()).num(n);
                let mut out = text.to_owned();
                let mut put =
                    |name: &str, value: String| out = out.replace(&format!("{{{name}}}"), &value);
                if let (Some(job), Some(vehicle)) = (&step.job, vehicle) {
                    put("vin", vin_of(&job.vehicle));
                    put("make", vehicle.make.clone());
                    put("model", vehicle.model.clone());
                    let shown = if vehicle.five_digit_odometer {
                        format!("{:05}", job.odometer)
                    } else {
                        grouped(job.odometer)
                    };
                    put("odometer", shown);
                    put("unit", job.unit.as_str().to_owned());
                    put("invoice", job.invoice.clone());
                    put("plate", job.license_plate.clone().unwrap_or_default());
                    put(
                        "replaced",
                        job.odometer_replaced.map(&grouped).unwrap_or_default(),
                    );
                }
                if let Some(odometer) = step.answer.as_ref().and_then(|a| a.odometer) {
                    put("corrected", grouped(odometer));
                }
                if let Some(advert) = &step.advert {
                    put("advert_vin", vin_of(&advert.vehicle));
                    put("advert_odometer", grouped(advert.odometer));
                }
                if let Some(n) = status_of {
                    put("status_step", n.to_string());
                }
                if let Some(inject) = &step.inject {
                    put("hold", inject.hold_seconds.to_string());
                }
                out
            };
            steps.push(SheetStep {
                number,
                scenario: scenario.id.clone(),
                scenario_title: scenario.title.clone(),
                key: step.key.clone(),
                criteria: step.criteria.clone(),
                instructions: step.instructions.map(fill),
                screenshot: step.screenshot.clone(),
                list_activities: step.list_activities,
                job,
                answer: step.answer.clone(),
                inject: step.inject,
                register: step.register.as_deref().map(vin_of),
                status_of,
                advert,
            });
        }
    }
    let vehicles = scenarios
        .iter()
        .flat_map(|s| &s.vehicles)
        .map(|v| SheetVehicle {
            key: v.key.clone(),
            vin: vin_of(&v.key),
            make: v.make.clone(),
            model: v.model.clone(),
            category: v.category.clone(),
            first_registration: months_ago(v.first_registration_months_ago),
            imported_used_on: v.imported_used_months_ago.map(months_ago),
            five_digit_odometer: v.five_digit_odometer,
            registered: v.registered,
            history: v
                .history
                .iter()
                .map(|r| (months_ago(r.months_ago), r.odometer))
                .collect(),
        })
        .collect();
    Sheet { vehicles, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Texts {
        Texts {
            nl: s.into(),
            fr: s.into(),
            en: s.into(),
        }
    }

    fn step(key: &str, criteria: &[Criterion]) -> Step {
        Step {
            key: key.into(),
            criteria: criteria.to_vec(),
            instructions: texts("do it"),
            screenshot: None,
            list_activities: false,
            job: None,
            answer: None,
            inject: None,
            register: None,
            status_of: None,
            advert: None,
        }
    }

    fn scenario(steps: Vec<Step>) -> Scenario {
        Scenario {
            id: "s".into(),
            title: texts("t"),
            vehicles: vec![],
            steps,
        }
    }

    #[test]
    fn every_criterion_must_be_exercised() {
        let problems = check(&[scenario(vec![step("a", &[Criterion::C01])])]).unwrap_err();
        assert!(
            problems.contains(&"no step exercises C02".to_owned()),
            "{problems:?}"
        );
        assert!(!problems.iter().any(|p| p.contains("exercises C01")));
    }

    #[test]
    fn unknown_references_and_placeholders_are_named() {
        let mut s = step("a", &Criterion::ALL);
        s.instructions = texts("close the job of {vehicle}");
        s.status_of = Some("later".into());
        let problems = check(&[scenario(vec![s])]).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown placeholder {vehicle}")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("status_of 'later'")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("C07 is proven on screen")),
            "{problems:?}"
        );
    }

    #[test]
    fn amounts_are_read_in_cents() {
        assert_eq!(euro_cents("412.35"), Some(41_235));
        assert_eq!(euro_cents("125"), Some(12_500));
        assert_eq!(euro_cents("125.5"), Some(12_550));
        assert_eq!(euro_cents("1.234"), None);
        assert_eq!(euro_cents("12,50"), None);
        assert_eq!(euro_cents(""), None);
        assert_eq!(euro_cents(".5"), None);
    }
}
