//! Queries on `ok_labels`, and the history as the OK label reads it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{issues, ok_labels, readings};
use super::DbConnection;
use crate::domain::issue::IssueCode;
use crate::domain::odometer::OdometerUnit;
use crate::domain::ok_label::LabelReading;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ok_labels)]
pub struct LabelRow {
    pub id: String,
    pub vin: String,
    pub advertised_km: i64,
    pub advert_reference: Option<String>,
    pub account_id: i64,
    pub granted_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, label: &LabelRow) -> QueryResult<()> {
    diesel::insert_into(ok_labels::table)
        .values(label)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<LabelRow>> {
    super::unique(
        ok_labels::table.find(id).select(LabelRow::as_select()),
        conn,
    )
}

/// Odometer anomalies: on a reading in the history, only staff can have accepted them.
const ANOMALIES: [IssueCode; 3] = [
    IssueCode::OdometerRollback,
    IssueCode::OdometerAboveLater,
    IssueCode::OdometerImplausibleRate,
];

/// The official history of a VIN, each reading marked when it carries an accepted anomaly.
pub fn history(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<(LabelReading, NaiveDateTime)>> {
    // One statement with fixed comparisons, on the concrete connection, so that it is prepared
    // once per connection: SQLite never caches a statement with an `IN (...)` list.
    let [first, second, third] = ANOMALIES.map(IssueCode::as_str);
    let flagged = diesel::dsl::exists(
        issues::table
            .filter(issues::reading_id.eq(readings::id))
            .filter(
                issues::code
                    .eq(first)
                    .or(issues::code.eq(second))
                    .or(issues::code.eq(third)),
            ),
    );
    let rows: Vec<(NaiveDate, i64, String, NaiveDateTime, bool)> =
        on_backend!(conn, |c| readings::table
            .filter(readings::vin.eq(vin))
            .filter(super::readings::is_official())
            .order((readings::work_date, readings::received_at, readings::id))
            .select((
                readings::work_date,
                readings::odometer,
                readings::odometer_unit,
                readings::received_at,
                flagged,
            ))
            .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(work_date, odometer, unit, received_at, anomaly)| {
            let reading = LabelReading {
                work_date,
                odometer: odometer.max(0) as u64,
                unit: OdometerUnit::parse(&unit).unwrap_or_default(),
                anomaly,
            };
            (reading, received_at)
        })
        .collect())
}
