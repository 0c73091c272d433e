//! Queries on `ok_labels`, and the open readings the OK label reads beside the history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{issues, ok_labels, readings};
use super::DbConnection;
use crate::domain::issue::Severity;
use crate::domain::issue_state::IssueState;
use crate::domain::status::ReadingStatus;

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

/// A sent reading of a VIN that is not in the official history yet: its work date, odometer
/// value and unit, when it was received, and the codes of its unsettled Error issues.
pub struct OpenReading {
    pub work_date: NaiveDate,
    pub odometer: i64,
    pub unit: String,
    pub received_at: NaiveDateTime,
    pub unsettled: Vec<String>,
}

/// The VIN's readings that wait for a correction or for staff, with what they wait for.
pub fn open_readings(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<OpenReading>> {
    let rows: Vec<(String, NaiveDate, i64, String, NaiveDateTime)> = readings::table
        .filter(readings::vin.eq(vin))
        .filter(
            readings::status
                .eq(ReadingStatus::PendingCorrection.as_str())
                .or(readings::status.eq(ReadingStatus::Reviewing.as_str())),
        )
        .order((readings::work_date, readings::received_at, readings::id))
        .select((
            readings::id,
            readings::work_date,
            readings::odometer,
            readings::odometer_unit,
            readings::received_at,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|(id, ..)| id.as_str()).collect();
    let unsettled = [
        IssueState::Open,
        IssueState::Confirmed,
        IssueState::Escalated,
    ]
    .map(IssueState::as_str);
    let issues: Vec<(String, String)> = issues::table
        .filter(issues::reading_id.eq_any(&ids))
        .filter(issues::severity.eq(Severity::Error.as_str()))
        .filter(issues::state.eq_any(unsettled))
        .select((issues::reading_id, issues::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, work_date, odometer, unit, received_at)| OpenReading {
            work_date,
            odometer,
            unit,
            received_at,
            unsettled: issues
                .iter()
                .filter(|(reading, _)| *reading == id)
                .map(|(_, code)| code.clone())
                .collect(),
        })
        .collect())
}
