//! Queries on `recalls`: a vehicle's recalls, reported by a manufacturer or importer, and how
//! each was closed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{companies, recalls};
use super::{DbConnection, ROWS_PER_STATEMENT};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = recalls, treat_none_as_default_value = false)]
pub struct RecallRow {
    pub vin: String,
    pub reference: String,
    pub title_nl: String,
    pub title_fr: String,
    pub title_de: Option<String>,
    pub title_en: Option<String>,
    pub opened_on: NaiveDate,
    pub reported_by: i64,
    pub reported_at: NaiveDateTime,
    pub closed_on: Option<NaiveDate>,
    pub closed_how: Option<String>,
    pub closed_by: Option<i64>,
    pub closed_reading_id: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
}

/// How a recall is closed, as stored.
#[derive(Debug, Clone)]
pub struct CloseRow<'a> {
    pub on: NaiveDate,
    pub how: &'a str,
    pub by: i64,
    pub reading_id: Option<&'a str>,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, rows: &[RecallRow]) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(recalls::table).values(row).execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(recalls::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// The VIN's recalls, open and closed, oldest first.
pub fn of_vin(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<RecallRow>> {
    recalls::table
        .filter(recalls::vin.eq(vin))
        .order((recalls::opened_on, recalls::reference))
        .select(RecallRow::as_select())
        .load(conn)
}

/// The VIN's recalls with the names of the companies that reported and closed them, for staff.
pub fn history_of_vin(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<(RecallRow, String, Option<String>)>> {
    let rows = of_vin(conn, vin)?;
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.reported_by).chain(r.closed_by))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: Vec<(i64, String)> = companies::table
        .filter(companies::id.eq_any(&ids))
        .select((companies::id, companies::name))
        .load(conn)?;
    let name = |id: i64| {
        names
            .iter()
            .find(|(n, _)| *n == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let reported = name(r.reported_by);
            let closed = r.closed_by.map(name);
            (r, reported, closed)
        })
        .collect())
}

/// The VINs among `vins` that already have the recall `reference`.
pub fn having(conn: &mut DbConnection, vins: &[&str], reference: &str) -> QueryResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in vins.chunks(ROWS_PER_STATEMENT) {
        found.extend(
            recalls::table
                .filter(recalls::reference.eq(reference))
                .filter(recalls::vin.eq_any(chunk))
                .select(recalls::vin)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// Closes the recall if it is still open; answers whether it was.
pub fn close(
    conn: &mut DbConnection,
    vin: &str,
    reference: &str,
    closing: &CloseRow<'_>,
) -> QueryResult<bool> {
    diesel::update(
        recalls::table
            .filter(recalls::vin.eq(vin))
            .filter(recalls::reference.eq(reference))
            .filter(recalls::closed_on.is_null()),
    )
    .set((
        recalls::closed_on.eq(closing.on),
        recalls::closed_how.eq(closing.how),
        recalls::closed_by.eq(closing.by),
        recalls::closed_reading_id.eq(closing.reading_id),
        recalls::closed_at.eq(closing.at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// (reporting company id, how closed or None while open, vehicle recalls) over all recalls: a
/// garage's repair is counted under the manufacturer that reported the recall.
pub fn outcomes_per_reporter(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(i64, Option<String>, i64)>> {
    recalls::table
        .group_by((recalls::reported_by, recalls::closed_how))
        .select((recalls::reported_by, recalls::closed_how, count_star()))
        .order((recalls::reported_by, recalls::closed_how))
        .load(conn)
}
