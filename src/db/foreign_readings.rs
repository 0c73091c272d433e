//! Queries on `foreign_readings`: where an importer's reading was taken (its country and the
//! foreign registry's or garage's name), beside the reading in `readings`.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{foreign_readings as foreign, readings};
use super::DbConnection;

#[derive(Debug, Clone, Insertable, Queryable)]
#[diesel(table_name = foreign)]
pub struct ForeignRow {
    pub reading_id: String,
    pub vin: String,
    pub work_date: NaiveDate,
    pub odometer: i64,
    pub odometer_unit: String,
    pub country: String,
    pub source_text: String,
}

pub fn insert(conn: &mut DbConnection, row: &ForeignRow) -> QueryResult<()> {
    diesel::insert_into(foreign::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The reading (id and status) already stored for this VIN, date, value and country.
pub fn find_same(
    conn: &mut DbConnection,
    vin: &str,
    work_date: NaiveDate,
    odometer: i64,
    unit: &str,
    country: &str,
) -> QueryResult<Option<(String, String)>> {
    foreign::table
        .inner_join(readings::table)
        .filter(foreign::vin.eq(vin))
        .filter(foreign::work_date.eq(work_date))
        .filter(foreign::odometer.eq(odometer))
        .filter(foreign::odometer_unit.eq(unit))
        .filter(foreign::country.eq(country))
        .select((readings::id, readings::status))
        .first(conn)
        .optional()
}

/// (reading id, country, source text) of the VIN's foreign readings.
pub fn of_vin(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<(String, String, String)>> {
    foreign::table
        .filter(foreign::vin.eq(vin))
        .select((foreign::reading_id, foreign::country, foreign::source_text))
        .load(conn)
}

/// (company id, reading status, readings) over all foreign readings stored.
pub fn statuses_per_company(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, i64)>> {
    foreign::table
        .inner_join(readings::table)
        .group_by((readings::company_id, readings::status))
        .select((readings::company_id, readings::status, count_star()))
        .order((readings::company_id, readings::status))
        .load(conn)
}
