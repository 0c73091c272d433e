//! Queries on `issue_answers`, `reading_versions` and `staff_actions`: what was answered,
//! changed and decided, by whom and when. Rows are only ever added.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{issue_answers, reading_versions, staff_actions};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = issue_answers)]
pub struct AnswerRow {
    pub issue_id: i64,
    pub kind: String,
    pub account_id: i64,
    pub note: Option<String>,
    pub answered_at: NaiveDateTime,
}

/// Records the one electronic answer to an issue; false when it already had one. ON CONFLICT
/// rather than catching the violation: on PostgreSQL a failed statement would abort the whole
/// transaction around it.
pub fn answer_once(
    conn: &mut DbConnection,
    issue_id: i64,
    kind: &str,
    account_id: i64,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let values = (
        issue_answers::issue_id.eq(issue_id),
        issue_answers::kind.eq(kind),
        issue_answers::account_id.eq(account_id),
        issue_answers::note.eq(note),
        issue_answers::answered_at.eq(at),
    );
    let inserted = on_backend!(conn, |c| diesel::insert_into(issue_answers::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

pub fn answers_for(conn: &mut DbConnection, issue_ids: &[i64]) -> QueryResult<Vec<AnswerRow>> {
    issue_answers::table
        .filter(issue_answers::issue_id.eq_any(issue_ids))
        .select(AnswerRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reading_versions)]
pub struct VersionRow {
    pub id: i64,
    pub reading_id: String,
    pub previous_values: String,
    pub changed_by: String,
    pub channel: String,
    pub issue_id: Option<i64>,
    pub form_reference: Option<String>,
    pub changed_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = reading_versions)]
pub struct NewVersion<'a> {
    pub reading_id: &'a str,
    pub previous_values: &'a str,
    pub changed_by: &'a str,
    pub channel: &'a str,
    pub issue_id: Option<i64>,
    pub form_reference: Option<&'a str>,
    pub changed_at: NaiveDateTime,
}

pub fn add_version(conn: &mut DbConnection, version: &NewVersion<'_>) -> QueryResult<()> {
    diesel::insert_into(reading_versions::table)
        .values(version)
        .execute(conn)
        .map(|_| ())
}

/// Oldest first: the first row holds the values as originally sent.
pub fn versions_of(conn: &mut DbConnection, reading_id: &str) -> QueryResult<Vec<VersionRow>> {
    reading_versions::table
        .filter(reading_versions::reading_id.eq(reading_id))
        .order(reading_versions::id)
        .select(VersionRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_actions)]
pub struct StaffActionRow {
    pub id: i64,
    pub reading_id: String,
    pub staff_username: String,
    pub action: String,
    pub note: String,
    pub form_reference: Option<String>,
    pub acted_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = staff_actions)]
pub struct NewStaffAction<'a> {
    pub reading_id: &'a str,
    pub staff_username: &'a str,
    pub action: &'a str,
    pub note: &'a str,
    pub form_reference: Option<&'a str>,
    pub acted_at: NaiveDateTime,
}

pub fn add_staff_action(conn: &mut DbConnection, action: &NewStaffAction<'_>) -> QueryResult<()> {
    diesel::insert_into(staff_actions::table)
        .values(action)
        .execute(conn)
        .map(|_| ())
}
