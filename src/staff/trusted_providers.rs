//! `carpass staff trusted-providers`: the yearly Trusted Provider list (SPEC 2.10), computed
//! from production readings only (certification runs in its own database) and published once.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Refusal, StaffError};
use crate::db::trusted_providers::{self as store, ListRow, ProviderRow};
use crate::db::{audit, readings, vehicles, DbConnection};
use crate::domain::format::{plural, Formatter};
use crate::domain::language::Language;
use crate::domain::reading::ReadingInput;
use crate::domain::trusted_provider::{self, Standing, DISCREPANCIES, MIN_READINGS};
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;
use crate::service::inflow::input_of;
use crate::service::ServiceError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub company_id: i64,
    pub kbo: String,
    pub name: String,
    pub readings: u64,
    pub discrepancies: u64,
    pub standing: Standing,
}

/// Every company that reported in year - 1, with its standing for the list of `year`.
pub fn compute(conn: &mut DbConnection, year: i32) -> Result<Vec<Candidate>, StaffError> {
    let (from, until) = match (
        NaiveDate::from_ymd_opt(year - 1, 1, 1),
        NaiveDate::from_ymd_opt(year, 1, 1),
    ) {
        (Some(from), Some(until)) if year > 2000 => (from, until),
        _ => return Err(StaffError::Invalid(Refusal::NotARegistryYear { year })),
    };
    let codes: Vec<&str> = DISCREPANCIES.iter().map(|c| c.as_str()).collect();
    let readings = store::readings_per_company(conn, from, until)?;
    let mut broken: HashMap<i64, u64> = HashMap::new();
    for (reading_id, company_id) in store::readings_with_codes(conn, from, until, &codes)? {
        if caused_break(conn, &reading_id)? {
            *broken.entry(company_id).or_default() += 1;
        }
    }
    let mut candidates = Vec::new();
    for (id, kbo, name) in store::companies(conn)? {
        let Some((_, count)) = readings.iter().find(|(c, _)| *c == id) else {
            continue;
        };
        let discrepancies = broken.get(&id).copied().unwrap_or(0);
        let count = *count as u64;
        candidates.push(Candidate {
            company_id: id,
            kbo,
            name,
            readings: count,
            discrepancies,
            standing: trusted_provider::standing(count, discrepancies),
        });
    }
    Ok(candidates)
}

/// Whether a reading that raised an odometer anomaly caused a break in its vehicle's history
/// (SPEC 2.10): whether any values it was sent or corrected with contradict that history as it
/// now stands without it. A typo corrected later still broke the history when it was sent. A
/// reading flagged only against values from before a drop that staff accepted as genuine
/// broke nothing: the history now reads that drop as a new sequence (issue 17), so only the
/// reading that made the drop counts.
fn caused_break(conn: &mut DbConnection, reading_id: &str) -> Result<bool, StaffError> {
    let Some(reading) = readings::find(conn, reading_id)? else {
        return Ok(false);
    };
    let mut sent = Vec::new();
    for version in audit::versions_of(conn, reading_id)? {
        let values: ReadingInput = serde_json::from_str(&version.previous_values)
            .map_err(|e| ServiceError::Corrupt(format!("version {}: {e}", version.id)))?;
        sent.push(values);
    }
    sent.push(input_of(conn, &reading)?);
    for values in sent {
        let Ok(vin) = Vin::parse(&values.vin) else {
            continue;
        };
        let five_digit = vehicles::find(conn, &vin)?
            .as_ref()
            .is_some_and(Vehicle::has_five_digit_odometer);
        let history = store::history_without_connected(conn, &values.vin, reading_id)?;
        if trusted_provider::breaks_history(&values, five_digit, &history) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Publishes the list of `year`: once; a published list is what the public page shows.
pub fn publish(
    conn: &mut DbConnection,
    year: i32,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, StaffError> {
    let trusted: Vec<Candidate> = compute(conn, year)?
        .into_iter()
        .filter(|c| c.standing == Standing::Trusted)
        .collect();
    crate::db::writing(conn, |conn| {
        if let Some((list, _)) = store::list(conn, year)? {
            return Err(StaffError::Conflict(Refusal::ListPublished {
                year,
                on: list.published_at.date(),
                by: list.published_by,
            }));
        }
        // A published list stays as it is: an empty one would say "nobody" for a whole year.
        if trusted.is_empty() {
            return Err(StaffError::Invalid(Refusal::EmptyList { year }));
        }
        let providers: Vec<ProviderRow> = trusted
            .iter()
            .map(|c| ProviderRow {
                year,
                company_id: c.company_id,
                kbo: c.kbo.clone(),
                name: c.name.clone(),
                readings: c.readings as i64,
                discrepancies: c.discrepancies as i64,
            })
            .collect();
        let list = ListRow {
            year,
            min_readings: MIN_READINGS as i64,
            published_at: now.naive_utc(),
            published_by: by.to_owned(),
        };
        store::publish(conn, &list, &providers)?;
        Ok(())
    })?;
    Ok(trusted)
}

/// The published list of a year, as the public sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedList {
    pub year: i32,
    pub published_at: DateTime<Utc>,
    pub min_readings: i64,
    pub providers: Vec<PublishedProvider>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedProvider {
    pub kbo: String,
    pub name: String,
}

pub fn published(conn: &mut DbConnection, year: i32) -> Result<Option<PublishedList>, StaffError> {
    Ok(
        store::list(conn, year)?.map(|(list, providers)| PublishedList {
            year,
            published_at: list.published_at.and_utc(),
            min_readings: list.min_readings,
            providers: providers
                .into_iter()
                .map(|p| PublishedProvider {
                    kbo: p.kbo,
                    name: p.name,
                })
                .collect(),
        }),
    )
}

pub fn render_text(year: i32, candidates: &[Candidate]) -> String {
    let mut out = format!(
        "Trusted Provider {year}: readings dated {}, discrepancies under 0.5 %, at least {MIN_READINGS} readings\n",
        year - 1
    );
    let fmt = Formatter(Language::En);
    for c in candidates {
        out.push_str(&format!(
            "{:<12} {:<40} {:>7} {:<8} {:>5} {:<13}  {}\n",
            fmt.kbo(&c.kbo),
            c.name,
            fmt.num(c.readings),
            plural(c.readings, "reading", "readings"),
            fmt.num(c.discrepancies),
            plural(c.discrepancies, "discrepancy", "discrepancies"),
            c.standing.as_str()
        ));
    }
    out
}
