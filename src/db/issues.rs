//! Queries on `issues`. The row id is the issue number's sequence (SPEC 3.5).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::issues;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = issues)]
pub struct IssueRow {
    pub id: i64,
    pub reading_id: String,
    pub code: String,
    pub severity: String,
    pub correctable: bool,
    pub field: Option<String>,
    pub detail: String,
    pub state: String,
    pub on_receipt: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = issues)]
pub struct NewIssue<'a> {
    pub reading_id: &'a str,
    pub code: &'a str,
    pub severity: &'a str,
    pub correctable: bool,
    pub field: Option<&'a str>,
    pub detail: &'a str,
    pub state: &'a str,
    pub on_receipt: bool,
    pub created_at: NaiveDateTime,
}

/// Inserts an issue and returns the sequence the database gave it.
pub fn insert(conn: &mut DbConnection, issue: &NewIssue<'_>) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(issues::table)
        .values(issue)
        .returning(issues::id)
        .get_result(c))
}

pub fn for_reading(conn: &mut DbConnection, reading_id: &str) -> QueryResult<Vec<IssueRow>> {
    issues::table
        .filter(issues::reading_id.eq(reading_id))
        .order(issues::id)
        .select(IssueRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<IssueRow>> {
    super::unique(issues::table.find(id).select(IssueRow::as_select()), conn)
}

/// Moves the reading's issues in one of `from` states to `to`.
pub fn move_states(
    conn: &mut DbConnection,
    reading_id: &str,
    from: &[&str],
    to: &str,
) -> QueryResult<usize> {
    diesel::update(
        issues::table
            .filter(issues::reading_id.eq(reading_id))
            .filter(issues::state.eq_any(from)),
    )
    .set(issues::state.eq(to))
    .execute(conn)
}

pub fn set_state(conn: &mut DbConnection, id: i64, state: &str) -> QueryResult<()> {
    diesel::update(issues::table.find(id))
        .set(issues::state.eq(state))
        .execute(conn)
        .map(|_| ())
}
