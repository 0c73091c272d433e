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
        out += &format!(
            "    {}  {:>12}  {:<9}  {}{}\n",
            f.date(r.date),
            f.odo(r.odometer, r.unit),
            r.source.as_str(),
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
