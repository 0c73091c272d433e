//! Queries for the Trusted Provider lists: readings per company in a year, and the lists.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;

use super::dates::Day;
use super::schema::{companies, issues, readings, trusted_provider_lists, trusted_providers};
use super::DbConnection;
use crate::domain::odometer::OdometerUnit;
use crate::domain::rules::HistoryEntry;

/// Partners' readings (connected cars, importers' foreign histories, the Dutch RDW's) never
/// count for or against a garage's share (issue 22): they are neither counted nor part of the
/// history a garage's reading is judged against.
const PARTNERS: [&str; 3] = ["connected", "foreign", "rdw"];

/// (company id, readings) for readings whose work date is in [from, until).
pub fn readings_per_company(
    conn: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<(i64, i64)>> {
    readings::table
        .filter(readings::work_date.ge(from))
        .filter(readings::work_date.lt(until))
        .filter(readings::source.ne_all(PARTNERS))
        .group_by(readings::company_id)
        .select((readings::company_id, count_star()))
        .load(conn)
}

/// (reading id, company id) of the same readings that carry an issue with one of the codes.
pub fn readings_with_codes(
    conn: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
    codes: &[&str],
) -> QueryResult<Vec<(String, i64)>> {
    readings::table
        .filter(readings::work_date.ge(from))
        .filter(readings::work_date.lt(until))
        .filter(readings::source.ne_all(PARTNERS))
        .filter(exists(
            issues::table
                .filter(issues::reading_id.eq(readings::id))
                .filter(issues::code.eq_any(codes)),
        ))
        .select((readings::id, readings::company_id))
        .load(conn)
}

/// (id, kbo, name) of every company.
pub fn companies(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, String)>> {
    companies::table
        .order(companies::name)
        .select((companies::id, companies::kbo, companies::name))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = trusted_provider_lists)]
pub struct ListRow {
    pub year: i32,
    pub min_readings: i64,
    pub published_at: NaiveDateTime,
    pub published_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = trusted_providers)]
pub struct ProviderRow {
    pub year: i32,
    pub company_id: i64,
    pub kbo: String,
    pub name: String,
    pub readings: i64,
    pub discrepancies: i64,
}

pub fn publish(
    conn: &mut DbConnection,
    list: &ListRow,
    providers: &[ProviderRow],
) -> QueryResult<()> {
    diesel::insert_into(trusted_provider_lists::table)
        .values(list)
        .execute(conn)?;
    for provider in providers {
        diesel::insert_into(trusted_providers::table)
            .values(provider)
            .execute(conn)?;
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    year: i32,
) -> QueryResult<Option<(ListRow, Vec<ProviderRow>)>> {
    let Some(list) = trusted_provider_lists::table
        .find(year)
        .select(ListRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let providers = trusted_providers::table
        .filter(trusted_providers::year.eq(year))
        .order(trusted_providers::name)
        .select(ProviderRow::as_select())
        .load(conn)?;
    Ok(Some((list, providers)))
}

/// The years with a published list, latest first.
pub fn years(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    trusted_provider_lists::table
        .order(trusted_provider_lists::year.desc())
        .select(trusted_provider_lists::year)
        .load(conn)
}

/// `readings::official_history_without` without the partners' readings: the history a
/// garage's reading is judged against for its share.
pub fn history_without_connected(
    conn: &mut DbConnection,
    vin: &str,
    reading_id: &str,
) -> QueryResult<Vec<HistoryEntry>> {
    let rows: Vec<(Day, i64, String, Option<i64>)> = readings::table
        .filter(readings::vin.eq(vin))
        .filter(super::readings::is_official())
        .filter(readings::id.ne(reading_id))
        .filter(readings::source.ne_all(PARTNERS))
        .order((readings::work_date, readings::received_at, readings::id))
        .select((
            readings::work_date,
            readings::odometer,
            readings::odometer_unit,
            readings::odometer_replaced,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(work_date, odometer, unit, replaced)| HistoryEntry {
            work_date: work_date.0,
            odometer: odometer.max(0) as u64,
            unit: OdometerUnit::parse(&unit).unwrap_or_default(),
            odometer_replaced: replaced.map(|r| r.max(0) as u64),
        })
        .collect())
}
