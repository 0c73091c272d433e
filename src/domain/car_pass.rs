//! The Car-Pass (seed 002): everything printed on the document, as data. Issuing fills it from
//! the history; the PDF, the verification page and the SOAP answer only show it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::country::Country;
use super::odometer::OdometerUnit;
use super::rdw::RdwJudgment;
use super::source::ReadingSource;
use super::vin::Vin;

/// A Car-Pass as issued: what the paper says, no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarPass {
    /// The printed ID number, check digit included (e.g. "4821-7730-1956-3").
    pub id: String,
    pub vin: Vin,
    pub make: Option<String>,
    pub model: Option<String>,
    /// The first registration anywhere (first use).
    pub first_registration: Option<NaiveDate>,
    /// The first registration in Belgium: empty, or later than first use, for an import.
    pub first_registration_be: Option<NaiveDate>,
    pub euro_norm: Option<String>,
    pub co2_g_km: Option<u32>,
    pub fuel: Option<String>,
    pub issued_at: DateTime<Utc>,
    /// The last day it is valid: two months after issuing (seed 002).
    pub valid_until: NaiveDate,
    /// What it cost, VAT included: 10.50 EUR, or nothing when it lists fewer than 4 readings.
    pub price_cents: i64,
    /// Every registered reading, oldest first.
    pub readings: Vec<HistoryEntry>,
    pub mentions: Mentions,
}

/// One line of the history table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
    pub source: ReadingSource,
    /// Where a foreign reading was taken (issue 22): printed beside its source.
    #[serde(default)]
    pub country: Option<Country>,
    /// Who registered it: the garage's or the centre's name, the manufacturer, the foreign
    /// registry or garage.
    pub registered_by: String,
    /// The Car-Pass request's own reading when it raised an Error: shown, marked disputed.
    pub disputed: bool,
    /// Staff accepted it as an anomaly after review.
    pub accepted_anomaly: bool,
    /// The works done at that job (from 2024 on), for the verification page's overview.
    pub works: Vec<String>,
}

/// The mentions printed only when true (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mentions {
    /// "This used vehicle was imported from abroad."
    pub imported_used: bool,
    pub five_digit_odometer: bool,
    /// The dates of the jobs that replaced the odometer.
    pub odometer_replaced: Vec<NaiveDate>,
    /// At least one reading on it was accepted by staff as an anomaly.
    pub accepted_anomalies: bool,
    /// Reported by an accident expert and not yet cleared by an inspection centre.
    pub post_accident_pending: Option<PostAccident>,
    pub open_recalls: Vec<Recall>,
    /// For a vehicle imported from the Netherlands: the RDW's latest judgment of its readings.
    /// Absent from Car-Passes issued before it was printed.
    #[serde(default)]
    pub rdw_verdict: Option<RdwJudgment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostAccident {
    pub reported_on: NaiveDate,
    pub informex_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recall {
    pub reference: String,
    /// The title in the document's language.
    pub title: String,
    pub opened_on: NaiveDate,
}
