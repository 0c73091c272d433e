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
    super::unique(ok_labels::table.find(id).select(LabelRow::as_select()), conn)
}

/// Odometer anomalies: on a reading in the history, only staff can have accepted them.
const ANOMALIES: [IssueCode; 3] = [
    IssueCode::OdometerRollback,
    IssueCode::OdometerAboveLater,
    IssueCode::OdometerImplausibleRate,
];

/// The official history of a VIN, each reading marked when it carries an accepted anomaly.
pub fn history(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<(LabelReading, NaiveDateTime)>> {
    let rows: Vec<(String, NaiveDate, i64, String, NaiveDateTime)> = readings::table
        .filter(readings::vin.eq(vin))
        .filter(super::readings::is_official())
        .order((readings::work_date, readings::received_at))
        .select((
            readings::id,
            readings::work_date,
            readings::odometer,
            readings::odometer_unit,
            readings::received_at,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let codes: Vec<&str> = ANOMALIES.iter().map(|c| c.as_str()).collect();
    let flagged: Vec<String> = issues::table
        .filter(issues::reading_id.eq_any(&ids))
        .filter(issues::code.eq_any(codes))
        .select(issues::reading_id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, work_date, odometer, unit, received_at)| {
            let reading = LabelReading {
                work_date,
                odometer: odometer.max(0) as u64,
                unit: OdometerUnit::parse(&unit).unwrap_or_default(),
                anomaly: flagged.contains(&id),
            };
            (reading, received_at)
        })
        .collect())
}
