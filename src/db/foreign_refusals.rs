//! Queries on `foreign_refusals`: the foreign readings `SubmitForeignHistory` refused, kept so
//! that staff see per importer what was refused and why.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::foreign_refusals as refusals;
use super::DbConnection;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = refusals)]
pub struct NewRefusal<'a> {
    pub company_id: i64,
    pub account_id: i64,
    pub vin: &'a str,
    pub reading_date: NaiveDate,
    pub odometer: i64,
    pub odometer_unit: &'a str,
    pub country: &'a str,
    pub reason: &'a str,
    pub detail: &'a str,
    pub refused_at: NaiveDateTime,
}

/// A refused reading as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct RefusalRow {
    pub vin: String,
    pub reading_date: NaiveDate,
    pub odometer: i64,
    pub odometer_unit: String,
    pub country: String,
    pub reason: String,
    pub detail: String,
    pub refused_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, refusal: &NewRefusal<'_>) -> QueryResult<()> {
    diesel::insert_into(refusals::table)
        .values(refusal)
        .execute(conn)
        .map(|_| ())
}

/// (company id, reason, readings) over all refusals.
pub fn reasons_per_company(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, i64)>> {
    refusals::table
        .group_by((refusals::company_id, refusals::reason))
        .select((refusals::company_id, refusals::reason, count_star()))
        .order((refusals::company_id, refusals::reason))
        .load(conn)
}

/// The company's `limit` latest refusals, newest first.
pub fn latest_of(
    conn: &mut DbConnection,
    company_id: i64,
    limit: i64,
) -> QueryResult<Vec<RefusalRow>> {
    refusals::table
        .filter(refusals::company_id.eq(company_id))
        .order(refusals::id.desc())
        .limit(limit)
        .select((
            refusals::vin,
            refusals::reading_date,
            refusals::odometer,
            refusals::odometer_unit,
            refusals::country,
            refusals::reason,
            refusals::detail,
            refusals::refused_at,
        ))
        .load(conn)
}
