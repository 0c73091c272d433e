//! The reference DMS (SPEC 5.4): plays operator and DMS through every step of a session's
//! sheet over HTTP, the way a certified DMS would: it opens each step, sends the job's reading
//! at once after checking it, reads its receipt, answers an error by its number, retries with
//! the same ClientReference, asks for the status and the OK label, and attaches screenshots.
//! Given a defect, it makes one mistake, and the evaluation must catch exactly that one.

mod defect;
mod screen;

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use chrono::NaiveDate;
use quick_xml::escape::escape;

pub use defect::Defect;

use super::sessions::{self, SheetView};
use crate::domain::activity::ActivityCode;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::facts::{ReceiptFacts, ResponseFacts};
use crate::domain::certification::scenario::{
    AnswerKind, AnswerPlan, SheetAdvert, SheetJob, SheetStep,
};
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{CustomerType, Work};
// SPEC 2.4's limit: the skip-vat-job defect skips every job up to it, forgetting "private".
use crate::domain::rules::EXEMPTION_MAX_CENTS;
use crate::soap::inspect;
use crate::soap::schema::NS;
use crate::soap::security::WSSE;

const ATTEMPTS: u32 = 4;
const OPERATOR_PATIENCE: Duration = Duration::from_secs(30);

pub struct Options {
    /// The server's address, e.g. http://127.0.0.1:8080
    pub base_url: String,
    pub defect: Option<Defect>,
    /// How long the DMS waits for an answer before it retries.
    pub timeout: Duration,
    pub soap: Soap,
    /// Play only this step again, as a new attempt, instead of the whole sheet.
    pub rerun: Option<u32>,
}

/// The SOAP version the reference DMS speaks (SPEC 3.1: both are answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Soap {
    /// text/xml with a SOAPAction header.
    #[default]
    V11,
    /// application/soap+xml with the action in the content type.
    V12,
}

impl Soap {
    pub fn parse(version: &str) -> Option<Soap> {
        match version.trim() {
            "1.1" => Some(Soap::V11),
            "1.2" => Some(Soap::V12),
            _ => None,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Soap::V11 => "http://schemas.xmlsoap.org/soap/envelope/",
            Soap::V12 => "http://www.w3.org/2003/05/soap-envelope",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Unexpected(String),
}

/// What the run did, line by line, as an operator would note it.
pub struct Played {
    pub requests: u32,
    pub log: Vec<String>,
}

/// Plays the whole sheet. `attach` stores a screenshot for a step.
pub fn play(
    view: &SheetView,
    username: &str,
    password: &str,
    options: &Options,
    attach: &mut dyn FnMut(u32, Vec<u8>) -> Result<(), String>,
) -> Result<Played, SimulateError> {
    let agent = |timeout| -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into()
    };
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let mut dms = Dms {
        agent: agent(options.timeout),
        // The operator's clicks are not the DMS: they wait as long as a person would.
        operator: agent(options.timeout.max(OPERATOR_PATIENCE)),
        base: options.base_url.trim_end_matches('/').to_owned(),
        view,
        authorization: format!("Basic {basic}"),
        username: username.to_owned(),
        password: password.to_owned(),
        defect: options.defect,
        soap: options.soap,
        references: HashMap::new(),
        changed_vin: false,
        screen: Vec::new(),
        last_body: Vec::new(),
        attempt: String::new(),
        doubled: false,
        swapped: false,
        second_account: false,
        sent_odometers: HashMap::new(),
        requests: 0,
        log: Vec::new(),
    };
    if let Some(number) = options.rerun {
        let step = view
            .steps
            .iter()
            .find(|s| s.number == number)
            .ok_or_else(|| {
                SimulateError::Unexpected(format!(
                    "session {} has no step {number}",
                    view.session_id
                ))
            })?;
        let (work_date, attempt) = dms.open(&format!("/steps/{number}/rerun"))?;
        dms.attempt = format!("-a{attempt}");
        dms.play_step(step, work_date, attach)?;
        return Ok(Played {
            requests: dms.requests,
            log: dms.log,
        });
    }
    let mut held = Vec::new();
    for step in &view.steps {
        let (work_date, _) = dms.open("/next")?;
        if dms.has(Defect::BatchAtEnd) && !step.list_activities {
            held.push((step, work_date));
            continue;
        }
        if dms.has(Defect::OneJobBehind) {
            // The job before goes out now that this step is open; this one waits for the next.
            for (step, work_date) in held.drain(..) {
                dms.play_step(step, work_date, attach)?;
            }
            if step.job.is_some() {
                held.push((step, work_date));
                continue;
            }
        }
        dms.play_step(step, work_date, attach)?;
    }
    for (step, work_date) in held {
        dms.play_step(step, work_date, attach)?;
    }
    Ok(Played {
        requests: dms.requests,
        log: dms.log,
    })
}

fn limited(receipt: &ReceiptFacts) -> bool {
    receipt.issues.iter().any(|i| i.code == "CORRECTION_LIMIT")
}

/// A reading as the DMS's user typed it.
#[derive(Clone)]
struct Typed {
    reference: String,
    vin: String,
    work_date: NaiveDate,
    odometer: u64,
    unit: OdometerUnit,
    replaced: Option<u64>,
    subcontracted: bool,
    customer: &'static str,
    invoice_cents: i64,
    works: Vec<Work>,
    plate: Option<String>,
}

enum Sent {
    Answer(ResponseFacts),
    /// No answer came: the DMS's own timeout, or the connection closed under it.
    NoAnswer(String),
}

struct Dms<'a> {
    agent: ureq::Agent,
    operator: ureq::Agent,
    base: String,
    view: &'a SheetView,
    authorization: String,
    username: String,
    password: String,
    defect: Option<Defect>,
    soap: Soap,
    /// The ClientReference each step's reading was sent with.
    references: HashMap<u32, String>,
    changed_vin: bool,
    /// What the DMS shows its user at the step being played (drawn for its screenshot).
    screen: Vec<String>,
    /// The body of the last answer.
    last_body: Vec<u8>,
    /// Added to ClientReferences when a step is played again: a new job in the DMS.
    attempt: String,
    /// The double-reading defect doubles one job only.
    doubled: bool,
    /// The swapped-digits defect mistypes one job only.
    swapped: bool,
    /// The request being sent carries a token and HTTP Basic for another account.
    second_account: bool,
    /// The odometer last sent per VIN (the stale-advert-mileage defect advertises it).
    sent_odometers: HashMap<String, u64>,
    requests: u32,
    log: Vec<String>,
}

impl Dms<'_> {
    fn has(&self, defect: Defect) -> bool {
        self.defect == Some(defect)
    }

    fn note(&mut self, line: String) {
        self.log.push(line);
    }

    /// The operator opens the next step (`/next`) or plays one again; its work date is the
    /// day it opens.
    fn open(&mut self, action: &str) -> Result<(NaiveDate, u32), SimulateError> {
        let url = format!(
            "{}{}{action}",
            self.base,
            sessions::page_path(&self.view.session_id)
        );
        let mut response = self
            .operator
            .post(&url)
            .header("Authorization", &self.authorization)
            .header("Accept", "application/json")
            .send_empty()
            .map_err(|e| SimulateError::Http(format!("POST {url}: {e}")))?;
        let status = response.status();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| SimulateError::Http(format!("POST {url}: {e}")))?;
        if !status.is_success() {
            return Err(SimulateError::Unexpected(format!(
                "POST {url} answered {status}: {body}"
            )));
        }
        let opened: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| SimulateError::Unexpected(format!("POST {url}: {e}")))?;
        let date = opened["work_date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| {
                SimulateError::Unexpected(format!("POST {url}: no work_date in {body}"))
            })?;
        let attempt = opened["attempt"].as_u64().unwrap_or(1) as u32;
        self.note(format!(
            "step {} opened (attempt {attempt})",
            opened["number"]
        ));
        Ok((date, attempt))
    }

    fn play_step(
        &mut self,
        step: &SheetStep,
        work_date: NaiveDate,
        attach: &mut dyn FnMut(u32, Vec<u8>) -> Result<(), String>,
    ) -> Result<(), SimulateError> {
        self.screen.clear();
        if step.list_activities {
            let body = if self.has(Defect::InvalidXml) {
                "<c:ListActivities><c:Language>en</c:Language></c:ListActivities>"
            } else if self.has(Defect::UnqualifiedBody) {
                "<ListActivities/>"
            } else {
                "<c:ListActivities/>"
            };
            self.soap("ListActivities", body)?;
        }
        if let Some(job) = &step.job {
            self.job(step, job, work_date)?;
        }
        if let Some(of) = step.status_of {
            if !self.has(Defect::NoStatusQuery) {
                if let Some(reference) = self.references.get(&of).cloned() {
                    let body = format!(
                        "<c:GetReadingStatus><c:ClientReference>{}</c:ClientReference></c:GetReadingStatus>",
                        escape(reference.as_str())
                    );
                    if let Sent::Answer(ResponseFacts::Receipts(r)) =
                        self.soap("GetReadingStatus", &body)?
                    {
                        let status = r.first().map(|r| r.status.clone()).unwrap_or_default();
                        self.note(format!("step {of}'s reading is now {status}"));
                    }
                }
            }
        }
        if let Some(advert) = &step.advert {
            let no_job = !self
                .view
                .steps
                .iter()
                .any(|s| s.job.as_ref().is_some_and(|j| j.vin == advert.vin));
            if self.has(Defect::ReadingForAdvert) && no_job {
                self.advert_reading(step, advert, work_date)?;
            }
            if !self.has(Defect::NoOkLabel) {
                self.ok_label(advert)?;
            }
        }
        if step.screenshot.is_some() {
            let dms = &self.view.dms;
            let title = format!("{} {} - step {}", dms.name, dms.version, step.number);
            let mut shown = std::mem::take(&mut self.screen);
            if shown.is_empty() {
                shown.push("Nothing to report for this job.".into());
            }
            attach(step.number, screen::render(&title, &shown))
                .map_err(SimulateError::Unexpected)?;
        }
        Ok(())
    }

    fn job(
        &mut self,
        step: &SheetStep,
        job: &SheetJob,
        work_date: NaiveDate,
    ) -> Result<(), SimulateError> {
        if self.has(Defect::SkipVatJob) && job.invoice_total_cents <= EXEMPTION_MAX_CENTS {
            self.note(format!(
                "step {}: job of at most 125 EUR not reported",
                step.number
            ));
            return Ok(());
        }
        let mut typed = Typed {
            reference: format!(
                "{}-job{}{}",
                self.view.session_id, step.number, self.attempt
            ),
            vin: job.vin.clone(),
            work_date,
            odometer: job.odometer,
            unit: job.unit,
            replaced: job.odometer_replaced,
            subcontracted: job.subcontracted,
            customer: job.customer.as_str(),
            invoice_cents: job.invoice_total_cents,
            works: job.works.clone(),
            plate: job.license_plate.clone(),
        };
        if self.has(Defect::ChangedVin) && !self.changed_vin {
            self.changed_vin = true;
            let last = if typed.vin.ends_with('A') { 'B' } else { 'A' };
            typed.vin = format!("{}{last}", &typed.vin[..typed.vin.len() - 1]);
        }
        if self.has(Defect::AddedDigit) && job.five_digit_odometer {
            typed.odometer += 100_000;
        }
        let last_known = self
            .view
            .vehicles
            .iter()
            .find(|v| v.vin == job.vin)
            .and_then(|v| v.history.last())
            .map(|(_, odometer)| *odometer);
        if self.has(Defect::UnrolledOdometer) && last_known.is_some_and(|l| typed.odometer < l) {
            typed.odometer += 100_000;
        }
        if self.has(Defect::NoWorkDescription) {
            typed.works.clear();
        }
        if self.has(Defect::LabelAsDescription) {
            for work in &mut typed.works {
                if let Some(code) = ActivityCode::parse(&work.activity_code) {
                    work.description = code.label(Language::En).to_owned();
                }
            }
        }
        if self.has(Defect::NoReplacementFlag) {
            typed.replaced = None;
        }
        if self.has(Defect::ReplacementFlagEverywhere) {
            typed.replaced.get_or_insert(0);
        }
        if self.has(Defect::NoSubcontractFlag) {
            typed.subcontracted = false;
        }
        if self.has(Defect::SubcontractFlagEverywhere) {
            typed.subcontracted = true;
        }
        if self.has(Defect::PrivateAboveLimit) && job.invoice_total_cents > EXEMPTION_MAX_CENTS {
            typed.customer = CustomerType::Private.as_str();
        }
        let plain = step.answer.is_none() && step.inject.is_none();
        if self.has(Defect::SwappedDigits)
            && plain
            && !step.criteria.contains(&Criterion::C03)
            && !job.five_digit_odometer
            && !self.swapped
        {
            let (tens, units) = (typed.odometer / 10 % 10, typed.odometer % 10);
            if tens != units {
                self.swapped = true;
                typed.odometer = typed.odometer - tens * 10 - units + units * 10 + tens;
            }
        }
        if self.has(Defect::PrivateCustomerEverywhere) {
            typed.customer = CustomerType::Private.as_str();
        }
        let validate = |dms: &mut Self| -> Result<(), SimulateError> {
            let body = format!(
                "<c:ValidateReading>{}</c:ValidateReading>",
                reading_xml(&typed, "Reading", true)
            );
            dms.soap("ValidateReading", &body).map(|_| ())
        };
        if !self.has(Defect::NoValidate) && !self.has(Defect::ValidateAfterSubmit) {
            validate(self)?;
        }
        self.references.insert(step.number, typed.reference.clone());
        self.sent_odometers
            .insert(typed.vin.clone(), typed.odometer);
        let Some(mut receipt) = self.submit(&typed)? else {
            return Ok(());
        };
        if self.has(Defect::ValidateAfterSubmit) {
            validate(self)?;
        }
        self.note(format!(
            "step {}: {} {}",
            step.number, typed.reference, receipt.status
        ));
        if self.has(Defect::BlindResend) {
            self.submit(&typed)?;
        }
        if self.has(Defect::DoubleReading)
            && plain
            && !step.criteria.contains(&Criterion::C03)
            && !self.doubled
        {
            self.doubled = true;
            let mut copy = typed.clone();
            copy.reference = format!("{}-copy", typed.reference);
            if let Some(copy_receipt) = self.submit(&copy)? {
                self.settle(&copy_receipt, &copy)?;
            }
        }
        if self.has(Defect::NeverAnswers) {
            return Ok(());
        }
        if let Some(plan) = &step.answer {
            if let Some(issue) = receipt.issues.iter().find(|i| i.code == plan.issue) {
                let number = issue.number.clone();
                match self.answer(plan, &typed, &number)? {
                    Some(latest) => receipt = latest,
                    None => return Ok(()),
                }
            }
        }
        self.settle(&receipt, &typed)
    }

    /// An error the sheet does not announce (a defect's): the operator typed what the sheet
    /// says, so they confirm it. Every error gets its one answer (C06).
    fn settle(&mut self, receipt: &ReceiptFacts, typed: &Typed) -> Result<(), SimulateError> {
        let open: Vec<String> = receipt
            .issues
            .iter()
            .filter(|i| i.awaits_answer())
            .map(|i| i.number.clone())
            .collect();
        for number in open {
            self.note(format!("issue {number}: confirmed as typed"));
            self.answer_once(AnswerKind::Confirm, &number, typed)?;
        }
        Ok(())
    }

    /// SubmitReadings until a receipt comes back; after a Server fault or a timeout the same
    /// ClientReference is sent again.
    fn submit(&mut self, typed: &Typed) -> Result<Option<ReceiptFacts>, SimulateError> {
        let mut typed = typed.clone();
        for attempt in 1..=ATTEMPTS {
            let body = format!(
                "<c:SubmitReadings>{}</c:SubmitReadings>",
                reading_xml(&typed, "Reading", true)
            );
            match self.soap("SubmitReadings", &body)? {
                Sent::Answer(ResponseFacts::Receipts(receipts)) => {
                    return Ok(receipts.into_iter().next())
                }
                Sent::Answer(ResponseFacts::Fault { code, message }) if code == "SERVER_ERROR" => {
                    self.note(format!(
                        "{}: Server fault ({message}); retrying",
                        typed.reference
                    ));
                }
                Sent::NoAnswer(why) => {
                    self.note(format!("{}: no answer ({why}); retrying", typed.reference))
                }
                Sent::Answer(other) => {
                    self.note(format!("{}: refused: {other:?}", typed.reference));
                    return Ok(None);
                }
            }
            if self.has(Defect::NewClientReferenceOnRetry) {
                typed.reference = format!("{}-retry{attempt}", typed.reference);
            }
            if self.has(Defect::ChangedRetry) {
                typed.odometer += 1;
            }
        }
        Ok(None)
    }

    /// Answers the issue the sheet announced; the reading's receipt after it, when the DMS
    /// goes on with that reading.
    fn answer(
        &mut self,
        plan: &AnswerPlan,
        typed: &Typed,
        number: &str,
    ) -> Result<Option<ReceiptFacts>, SimulateError> {
        let mut corrected = typed.clone();
        if let Some(odometer) = plan.odometer {
            corrected.odometer = odometer;
        }
        if self.has(Defect::NewReadingInsteadOfCorrection) {
            corrected.reference = format!("{}-again", typed.reference);
            self.submit(&corrected)?;
            return Ok(None);
        }
        let receipt = self.answer_once(plan.by, number, &corrected)?;
        if receipt.as_ref().is_some_and(limited) {
            self.note(format!("issue {number}: CORRECTION_LIMIT; the user is told the paper correction form is needed"));
            self.screen.push(format!(
                "Issue {number}: CORRECTION_LIMIT. The reading of {} can no longer be corrected electronically.",
                typed.vin
            ));
            self.screen.push(format!(
                "The paper correction form is needed: print it, have it signed and send it to the registry, quoting issue {number}."
            ));
            if self.has(Defect::RetryAfterCorrectionLimit) {
                self.answer_once(plan.by, number, &corrected)?;
            }
            if self.has(Defect::NewReadingAfterCorrectionLimit) {
                corrected.reference = format!("{}-after-limit", typed.reference);
                if let Some(fresh) = self.submit(&corrected)? {
                    self.settle(&fresh, &corrected)?;
                }
            }
        } else if self.has(Defect::AnswerTwice) {
            self.answer_once(plan.by, number, &corrected)?;
        }
        Ok(receipt)
    }

    /// One CorrectIssue or ConfirmReading, and the receipt it brought back.
    fn answer_once(
        &mut self,
        by: AnswerKind,
        number: &str,
        corrected: &Typed,
    ) -> Result<Option<ReceiptFacts>, SimulateError> {
        let body = match by {
            AnswerKind::Correct => format!(
                "<c:CorrectIssue><c:IssueNumber>{}</c:IssueNumber>{}</c:CorrectIssue>",
                escape(number),
                reading_xml(corrected, "Correction", false)
            ),
            AnswerKind::Confirm => format!(
                "<c:ConfirmReading><c:IssueNumber>{}</c:IssueNumber><c:Note>The odometer shows this value.</c:Note></c:ConfirmReading>",
                escape(number)
            ),
        };
        Ok(match self.soap(by.operation(), &body)? {
            Sent::Answer(ResponseFacts::Receipts(receipts)) => receipts.into_iter().next(),
            _ => None,
        })
    }

    /// A car taken into stock for an advert, recorded as a reading (a defect's: no job of
    /// the sheet brought it to the workshop, so no reading belongs to it).
    fn advert_reading(
        &mut self,
        step: &SheetStep,
        advert: &SheetAdvert,
        work_date: NaiveDate,
    ) -> Result<(), SimulateError> {
        let typed = Typed {
            reference: format!(
                "{}-advert{}{}",
                self.view.session_id, step.number, self.attempt
            ),
            vin: advert.vin.clone(),
            work_date,
            odometer: advert.odometer,
            unit: OdometerUnit::Km,
            replaced: None,
            subcontracted: false,
            customer: CustomerType::Business.as_str(),
            invoice_cents: 0,
            works: vec![Work {
                activity_code: ActivityCode::Diagnosis.as_str().into(),
                description: "Intake inspection before sale".into(),
            }],
            plate: None,
        };
        let body = format!(
            "<c:ValidateReading>{}</c:ValidateReading>",
            reading_xml(&typed, "Reading", true)
        );
        self.soap("ValidateReading", &body)?;
        if let Some(receipt) = self.submit(&typed)? {
            self.settle(&receipt, &typed)?;
        }
        Ok(())
    }

    fn ok_label(&mut self, advert: &SheetAdvert) -> Result<(), SimulateError> {
        let mut odometer = advert.odometer;
        if self.has(Defect::StaleAdvertMileage) {
            let history = self
                .view
                .vehicles
                .iter()
                .find(|v| v.vin == advert.vin)
                .and_then(|v| v.history.last())
                .map(|(_, odometer)| *odometer);
            if let Some(last) = self.sent_odometers.get(&advert.vin).copied().or(history) {
                odometer = last;
            }
        }
        let body = format!(
            "<c:RequestOkLabel><c:Vin>{}</c:Vin><c:AdvertisedOdometer>{}</c:AdvertisedOdometer></c:RequestOkLabel>",
            escape(advert.vin.as_str()),
            odometer
        );
        self.soap("RequestOkLabel", &body)?;
        self.note(format!("OK label asked for {}", advert.vin));
        match inspect::label(&self.last_body) {
            Some((true, _)) => self.screen.push(format!(
                "OK label granted for {} at {odometer} km.",
                advert.vin
            )),
            Some((false, reasons)) => {
                self.screen.push(format!(
                    "OK label refused for {} at {odometer} km. Reasons:",
                    advert.vin
                ));
                for (code, message) in reasons {
                    self.screen.push(format!("{code}: {message}"));
                }
            }
            None => self.screen.push(format!(
                "The registry did not answer the OK label request for {}.",
                advert.vin
            )),
        }
        Ok(())
    }

    fn envelope(&self, body: &str) -> String {
        let mut header = String::new();
        if !self.has(Defect::MissingSoftwareHeader) {
            let dms = &self.view.dms;
            let version = if self.has(Defect::WrongSoftwareVersion) {
                format!("{}.0.1234", dms.version)
            } else {
                dms.version.clone()
            };
            header.push_str(&format!(
                "<c:ClientInfo><c:Language>en</c:Language><c:SoftwareBuilder>{}</c:SoftwareBuilder><c:SoftwareName>{}</c:SoftwareName><c:SoftwareVersion>{}</c:SoftwareVersion></c:ClientInfo>",
                escape(dms.builder.as_str()),
                escape(dms.name.as_str()),
                escape(version.as_str())
            ));
        }
        if let Some(token) = self.second_account.then(|| self.username_token()) {
            header.push_str(&token);
        }
        if self.has(Defect::CredentialsInBody) {
            header.push_str(&format!(
                "<dms:Login xmlns:dms=\"urn:reference-dms\"><dms:User>{}</dms:User><dms:Password>{}</dms:Password></dms:Login>",
                escape(self.username.as_str()),
                escape(self.password.as_str())
            ));
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{}\" xmlns:c=\"{NS}\"><soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>",
            self.soap.namespace()
        )
    }

    /// Its own credentials as a WS-Security UsernameToken.
    fn username_token(&self) -> String {
        format!(
            "<wsse:Security xmlns:wsse=\"{WSSE}\"><wsse:UsernameToken><wsse:Username>{}</wsse:Username><wsse:Password>{}</wsse:Password></wsse:UsernameToken></wsse:Security>",
            escape(self.username.as_str()),
            escape(self.password.as_str())
        )
    }

    fn soap(&mut self, operation: &str, body: &str) -> Result<Sent, SimulateError> {
        // The basic-for-another-account defect: on ListActivities, a token for its own account
        // and HTTP Basic for another.
        self.second_account =
            self.has(Defect::BasicForAnotherAccount) && operation == "ListActivities";
        let url = format!(
            "{}{}",
            self.base,
            sessions::endpoint_path(&self.view.session_id)
        );
        let envelope = self.envelope(body);
        self.requests += 1;
        let action = format!("{NS}/{operation}");
        let request = self.agent.post(&url);
        let request = match self.soap {
            Soap::V11 => request
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{action}\"")),
            Soap::V12 => request.header(
                "Content-Type",
                format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            ),
        };
        let authorization = if self.second_account {
            let other = if self.view.username == self.username {
                format!("{}-other", self.username)
            } else {
                self.view.username.clone()
            };
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{other}:the other account's password"));
            format!("Basic {basic}")
        } else {
            self.authorization.clone()
        };
        let sent = request
            .header("Authorization", &authorization)
            .send(envelope.as_str());
        match sent {
            Ok(mut response) => {
                let body = response
                    .body_mut()
                    .read_to_vec()
                    .map_err(|e| SimulateError::Http(format!("{operation}: {e}")))?;
                let facts = inspect::response(&body);
                self.last_body = body;
                Ok(Sent::Answer(facts))
            }
            // The connection closed without an answer, or the DMS gave up waiting.
            Err(e @ (ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::Protocol(_))) => {
                Ok(Sent::NoAnswer(e.to_string()))
            }
            Err(e) => Err(SimulateError::Http(format!("{operation} to {url}: {e}"))),
        }
    }
}

/// A Reading (with its ClientReference) or a Correction (without), in the XSD's order.
fn reading_xml(r: &Typed, element: &str, with_reference: bool) -> String {
    let mut xml = format!("<c:{element}>");
    if with_reference {
        xml.push_str(&format!(
            "<c:ClientReference>{}</c:ClientReference>",
            escape(r.reference.as_str())
        ));
    }
    xml.push_str(&format!(
        "<c:Vin>{}</c:Vin><c:WorkDate>{}</c:WorkDate><c:Odometer>{}</c:Odometer><c:OdometerUnit>{}</c:OdometerUnit>",
        escape(r.vin.as_str()),
        r.work_date,
        r.odometer,
        r.unit.as_str()
    ));
    if let Some(replaced) = r.replaced {
        xml.push_str(&format!(
            "<c:OdometerReplaced>{replaced}</c:OdometerReplaced>"
        ));
    }
    xml.push_str(&format!(
        "<c:Subcontracted>{}</c:Subcontracted><c:CustomerType>{}</c:CustomerType><c:InvoiceTotal>{}.{:02}</c:InvoiceTotal>",
        r.subcontracted,
        r.customer,
        r.invoice_cents / 100,
        r.invoice_cents % 100
    ));
    for work in &r.works {
        xml.push_str(&format!(
            "<c:Work><c:ActivityCode>{}</c:ActivityCode><c:Description>{}</c:Description></c:Work>",
            escape(work.activity_code.as_str()),
            escape(work.description.as_str())
        ));
    }
    if let Some(plate) = &r.plate {
        xml.push_str(&format!(
            "<c:LicensePlate>{}</c:LicensePlate>",
            escape(plate.as_str())
        ));
    }
    xml.push_str(&format!("</c:{element}>"));
    xml
}
