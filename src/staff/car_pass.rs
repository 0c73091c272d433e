//! The registry's own counter for Car-Passes (issue 21): issue one for a vehicle on the spot,
//! show one by its ID, and list per company what to invoice for a month.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{self, DbConnection};
use crate::domain::car_pass::CarPass;
use crate::domain::car_pass_id::CarPassId;
use crate::domain::format::Formatter;
use crate::domain::language::Language;
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::ClientReference;
use crate::service::auth::{Account, Role};
use crate::service::car_pass::{self, InvoiceLine, Outcome, Request};
use crate::service::{Caller, Software};

use super::{Refusal, StaffError};

/// What `issue` did, for the text and JSON outputs.
#[derive(Debug, Serialize)]
pub struct Issued {
    pub reading_id: Option<String>,
    pub reading_status: Option<String>,
    pub issues: Vec<String>,
    pub car_pass: Option<CarPass>,
    pub not_issued: Option<String>,
    pub earlier: Option<car_pass::Earlier>,
}

/// What the counter's clerk types.
#[derive(Debug, Clone)]
pub struct Asked {
    pub vin: String,
    pub odometer: u64,
    pub unit: OdometerUnit,
    /// The day the odometer was read.
    pub date: NaiveDate,
    /// The document's language.
    pub language: Language,
}

/// Issues a Car-Pass at the registry's counter, as the staff member `staff` (who must be one).
pub fn issue(
    conn: &mut DbConnection,
    staff: &str,
    asked: &Asked,
    now: DateTime<Utc>,
) -> Result<Issued, StaffError> {
    let language = asked.language;
    let username = super::staff_member(conn, Some(staff))?;
    let row = db::accounts::find_by_username(conn, &username)?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(format!("no account {username}")))
    })?;
    let caller = Caller {
        account: Account {
            id: row.id,
            company_id: row.company_id,
            username: row.username,
            role: Role::Staff,
        },
        language,
        software: Software {
            builder: Some("Car-Pass".into()),
            name: Some("carpass staff car-pass issue".into()),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    };
    // The counter has no DMS job id: each request is its own, named after its moment.
    let reference = ClientReference::parse(&format!("counter-{}", uuid::Uuid::now_v7()))
        .map_err(|e| StaffError::usage(e.to_string()))?;
    let request = Request {
        client_reference: reference,
        vin: asked.vin.trim().to_owned(),
        date: asked.date,
        odometer: asked.odometer,
        unit: asked.unit,
    };
    Ok(match car_pass::request(conn, &caller, &request, now)? {
        Outcome::Issued {
            receipt,
            pass,
            earlier,
        } => Issued {
            reading_id: Some(receipt.reading_id.clone()),
            reading_status: Some(receipt.status.as_str().to_owned()),
            issues: receipt.issues.iter().map(|i| i.message.clone()).collect(),
            car_pass: Some(*pass),
            not_issued: None,
            earlier,
        },
        Outcome::NotIssued { receipt, reason } => Issued {
            reading_id: receipt.as_ref().map(|r| r.reading_id.clone()),
            reading_status: receipt.as_ref().map(|r| r.status.as_str().to_owned()),
            issues: receipt
                .iter()
                .flat_map(|r| r.issues.iter().map(|i| i.message.clone()))
                .collect(),
            car_pass: None,
            not_issued: Some(reason.message(language)),
            earlier: None,
        },
    })
}

/// The Car-Pass with this ID as it was printed.
pub fn show(conn: &mut DbConnection, id: &str) -> Result<CarPass, StaffError> {
    let parsed = CarPassId::parse(id).map_err(|e| StaffError::usage(format!("'{id}': {e}")))?;
    car_pass::find(conn, &parsed)?
        .map(|recorded| recorded.pass)
        .ok_or_else(|| {
            StaffError::NotFound(Refusal::NoCarPass {
                id: parsed.to_string(),
            })
        })
}

/// `2026-11` to the month's first day.
pub fn parse_month(raw: &str) -> Result<NaiveDate, StaffError> {
    NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d").map_err(|_| {
        StaffError::usage(format!(
            "'{raw}' is not a month: write it as YEAR-MONTH, e.g. 2026-11"
        ))
    })
}

pub fn invoices(conn: &mut DbConnection, month: NaiveDate) -> Result<Vec<InvoiceLine>, StaffError> {
    Ok(car_pass::invoices(conn, month)?)
}

pub fn render_pass(pass: &CarPass) -> String {
    let f = Formatter(Language::En);
    let mut out = format!(
        "Car-Pass {}\n  VIN:         {}\n  vehicle:     {} {}\n  issued:      {}\n  valid until: {}\n  price:       {}\n  readings:\n",
        pass.id,
        pass.vin.as_str(),
        pass.make.as_deref().unwrap_or("-"),
        pass.model.as_deref().unwrap_or(""),
        pass.issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        f.date(pass.valid_until),
        f.eur(pass.price_cents),
    );
    for r in &pass.readings {
        let mut marks = Vec::new();
        if r.disputed {
            marks.push("disputed");
        }
        if r.accepted_anomaly {
            marks.push("accepted anomaly");
        }
        let source = match &r.country {
            Some(country) => format!("{} ({country})", r.source.as_str()),
            None => r.source.as_str().to_owned(),
        };
        out += &format!(
            "    {}  {:>12}  {:<12}  {}{}\n",
            f.date(r.date),
            f.odo(r.odometer, r.unit),
            source,
            r.registered_by,
            if marks.is_empty() {
                String::new()
            } else {
                format!("  ({})", marks.join(", "))
            }
        );
    }
    let m = &pass.mentions;
    if m.imported_used {
        out += "  This used vehicle was imported from abroad.\n";
    }
    if m.five_digit_odometer {
        out += "  5-digit odometer.\n";
    }
    for d in &m.odometer_replaced {
        out += &format!("  Odometer replaced on {}.\n", f.date(*d));
    }
    if m.accepted_anomalies {
        out += "  A reading that breaks the history was accepted after review.\n";
    }
    if let Some(judgment) = &m.rdw_verdict {
        out += &format!(
            "  The RDW (Netherlands) judged its readings up to {}: {}.\n",
            f.date(judgment.judged_on),
            judgment.verdict.word()
        );
    }
    // Printed on the document whether or not there is one, as here.
    out += &match &m.post_accident_pending {
        Some(pending) => format!(
            "  Post-accident inspection: pending since {} (INFORMEX {}).\n",
            f.date(pending.reported_on),
            pending.informex_reference
        ),
        None => "  Post-accident inspection: none registered.\n".to_owned(),
    };
    if m.open_recalls.is_empty() {
        out += "  Open recalls: none registered.\n";
    }
    for recall in &m.open_recalls {
        out += &format!(
            "  Open recall {}: {} (since {}).\n",
            recall.reference,
            recall.title,
            f.date(recall.opened_on)
        );
    }
    out
}

pub fn render_issued(issued: &Issued) -> String {
    let mut out = String::new();
    if let (Some(id), Some(status)) = (&issued.reading_id, &issued.reading_status) {
        out += &format!("reading {id}: {status}\n");
    }
    for issue in &issued.issues {
        out += &format!("  issue: {issue}\n");
    }
    if let Some(reason) = &issued.not_issued {
        out += &format!("no Car-Pass issued: {reason}\n");
    }
    if let Some(pass) = &issued.car_pass {
        out += &render_pass(pass);
    }
    if let Some(earlier) = &issued.earlier {
        out += &format!(
            "note: Car-Pass {} of this vehicle is still valid until {}\n",
            earlier.id, earlier.valid_until
        );
    }
    out
}

pub fn render_invoices(month: NaiveDate, lines: &[InvoiceLine]) -> String {
    let f = Formatter(Language::En);
    let mut out = format!("Car-Passes issued in {}\n", month.format("%Y-%m"));
    if lines.is_empty() {
        out += "  none\n";
    }
    for line in lines {
        out += &format!(
            "  {}  {:<40} {:>5} issued ({} free)  {:>14}\n",
            line.kbo,
            line.company,
            line.car_passes,
            line.free,
            f.eur(line.total_cents)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::car_pass::{HistoryEntry, Mentions, PostAccident, Recall};
    use crate::domain::country::Country;
    use crate::domain::odometer::OdometerUnit;
    use crate::domain::rdw::{RdwJudgment, RdwVerdict};
    use crate::domain::source::ReadingSource;
    use crate::domain::vin::Vin;
    use chrono::TimeZone;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pass(mentions: Mentions) -> CarPass {
        CarPass {
            id: "4821-7730-1956-3".into(),
            vin: Vin::parse("WDB2030461A000001").unwrap(),
            make: Some("Volkswagen".into()),
            model: Some("Golf".into()),
            first_registration: None,
            first_registration_be: None,
            euro_norm: None,
            co2_g_km: None,
            fuel: None,
            issued_at: chrono::Utc
                .with_ymd_and_hms(2026, 6, 30, 22, 30, 0)
                .unwrap(),
            valid_until: date("2026-08-31"),
            price_cents: 0,
            readings: vec![HistoryEntry {
                date: date("2024-03-01"),
                odometer: 41_000,
                unit: OdometerUnit::Km,
                source: ReadingSource::Foreign,
                country: Some(Country::parse("DE").unwrap()),
                registered_by: "Kraftfahrt-Bundesamt".into(),
                disputed: false,
                accepted_anomaly: false,
                works: Vec::new(),
            }],
            mentions,
        }
    }

    #[test]
    fn the_text_says_what_the_document_prints_even_when_there_is_nothing() {
        let text = render_pass(&pass(Mentions::default()));
        assert!(text.contains("foreign (DE)"), "{text}");
        assert!(
            text.contains("Post-accident inspection: none registered."),
            "{text}"
        );
        assert!(text.contains("Open recalls: none registered."), "{text}");
        assert!(!text.contains("RDW"), "{text}");
    }

    #[test]
    fn the_text_names_a_pending_inspection_each_open_recall_and_the_rdws_verdict() {
        let text = render_pass(&pass(Mentions {
            post_accident_pending: Some(PostAccident {
                reported_on: date("2026-05-02"),
                informex_reference: "IFX-2026-0042177".into(),
            }),
            open_recalls: vec![Recall {
                reference: "RC-1".into(),
                title: "Airbag".into(),
                opened_on: date("2025-01-01"),
            }],
            rdw_verdict: Some(RdwJudgment {
                verdict: RdwVerdict::GeenOordeel,
                judged_on: date("2020-01-06"),
            }),
            ..Mentions::default()
        }));
        assert!(
            text.contains("pending since 2026-05-02 (INFORMEX IFX-2026-0042177)"),
            "{text}"
        );
        assert!(
            text.contains("Open recall RC-1: Airbag (since 2025-01-01)."),
            "{text}"
        );
        assert!(text.contains("up to 2020-01-06: geen oordeel."), "{text}");
        assert!(!text.contains("none registered"), "{text}");
    }
}
