//! Queries on `car_passes` (every Car-Pass issued, with what it printed) and `verify_misses`
//! (lookups of IDs never issued, to hold back a client that guesses), and the readings a
//! Car-Pass is made from.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{car_passes, companies, reading_works, readings, verify_misses};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = car_passes)]
pub struct CarPassRow {
    /// The 13 digits, check digit included, without separators.
    pub id: String,
    pub vin: String,
    pub reading_id: String,
    pub account_id: i64,
    pub company_id: i64,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDate,
    pub price_cents: i64,
    pub language: String,
    /// The printed `CarPass` as JSON.
    pub document: String,
}

pub fn insert(conn: &mut DbConnection, row: &CarPassRow) -> QueryResult<()> {
    diesel::insert_into(car_passes::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CarPassRow>> {
    super::unique(
        car_passes::table.find(id).select(CarPassRow::as_select()),
        conn,
    )
}

pub fn find_by_reading(
    conn: &mut DbConnection,
    reading_id: &str,
) -> QueryResult<Option<CarPassRow>> {
    super::unique(
        car_passes::table
            .filter(car_passes::reading_id.eq(reading_id))
            .select(CarPassRow::as_select()),
        conn,
    )
}

/// The latest Car-Pass of the VIN still valid on `today`, issued up to `until`, other than
/// `except`.
pub fn latest_valid(
    conn: &mut DbConnection,
    vin: &str,
    today: NaiveDate,
    until: NaiveDateTime,
    except: &str,
) -> QueryResult<Option<CarPassRow>> {
    car_passes::table
        .filter(car_passes::vin.eq(vin))
        .filter(car_passes::valid_until.ge(today))
        .filter(car_passes::issued_at.le(until))
        .filter(car_passes::id.ne(except))
        .order((car_passes::issued_at.desc(), car_passes::id.desc()))
        .select(CarPassRow::as_select())
        .first(conn)
        .optional()
}

/// What one company is invoiced for a period: (company id, enterprise number, name, Car-Passes
/// issued, of which free, total in cents), by enterprise number.
pub type InvoiceLine = (i64, String, String, i64, i64, i64);

pub fn invoices(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<InvoiceLine>> {
    let rows: Vec<(i64, String, String, i64)> = car_passes::table
        .inner_join(companies::table.on(companies::id.eq(car_passes::company_id)))
        .filter(car_passes::issued_at.ge(from))
        .filter(car_passes::issued_at.lt(until))
        .order((companies::kbo, car_passes::issued_at))
        .select((
            companies::id,
            companies::kbo,
            companies::name,
            car_passes::price_cents,
        ))
        .load(conn)?;
    let mut lines: Vec<InvoiceLine> = Vec::new();
    for (id, kbo, name, price) in rows {
        match lines.last_mut() {
            Some(line) if line.0 == id => {
                line.3 += 1;
                line.4 += i64::from(price == 0);
                line.5 += price;
            }
            _ => lines.push((id, kbo, name, 1, i64::from(price == 0), price)),
        }
    }
    Ok(lines)
}

/// A reading of a VIN as a Car-Pass reads it: (id, work date, odometer, unit, replaced,
/// source, status, received at, the registering company's name).
pub type ReadingLine = (
    String,
    NaiveDate,
    i64,
    String,
    Option<i64>,
    String,
    String,
    NaiveDateTime,
    String,
);

/// Every reading of the VIN, whatever its status, oldest work date first, in order of receipt.
pub fn readings_of(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<ReadingLine>> {
    readings::table
        .inner_join(companies::table.on(companies::id.eq(readings::company_id)))
        .filter(readings::vin.eq(vin))
        .order((readings::work_date, readings::received_at, readings::id))
        .select((
            readings::id,
            readings::work_date,
            readings::odometer,
            readings::odometer_unit,
            readings::odometer_replaced,
            readings::source,
            readings::status,
            readings::received_at,
            companies::name,
        ))
        .load(conn)
}

/// The invoice wording of the works of a VIN's readings: (reading id, description), in order.
pub fn works_of_vin(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<(String, String)>> {
    reading_works::table
        .inner_join(readings::table.on(readings::id.eq(reading_works::reading_id)))
        .filter(readings::vin.eq(vin))
        .order((reading_works::reading_id, reading_works::position))
        .select((reading_works::reading_id, reading_works::description))
        .load(conn)
}

/// Records a lookup of an ID never issued, and answers how many the client made since `since`
/// (this one included).
pub fn record_miss(
    conn: &mut DbConnection,
    client: &str,
    at: NaiveDateTime,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(verify_misses::table)
        .values((
            verify_misses::client.eq(client),
            verify_misses::missed_at.eq(at),
        ))
        .execute(conn)?;
    misses_since(conn, client, since)
}

pub fn misses_since(
    conn: &mut DbConnection,
    client: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    verify_misses::table
        .filter(verify_misses::client.eq(client))
        .filter(verify_misses::missed_at.gt(since))
        .count()
        .get_result(conn)
}

/// The oldest miss of the client since `since`: the window frees up when it leaves.
pub fn oldest_miss_since(
    conn: &mut DbConnection,
    client: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    verify_misses::table
        .filter(verify_misses::client.eq(client))
        .filter(verify_misses::missed_at.gt(since))
        .select(diesel::dsl::min(verify_misses::missed_at))
        .first(conn)
}

/// Forgets misses older than `before`: they no longer count.
pub fn forget_misses(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(verify_misses::table.filter(verify_misses::missed_at.le(before))).execute(conn)
}
