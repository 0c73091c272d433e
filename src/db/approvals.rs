//! Queries on `dms_approvals`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::dms_approvals;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = dms_approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub session_id: String,
    pub evaluation_id: String,
    pub dms_name: String,
    pub dms_version: String,
    pub dms_builder: String,
    pub valid_until: NaiveDate,
    pub approved_at: NaiveDateTime,
    pub approved_by: String,
    pub note: String,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
    pub revoke_note: Option<String>,
}

pub fn insert(conn: &mut DbConnection, approval: &ApprovalRow) -> QueryResult<()> {
    diesel::insert_into(dms_approvals::table)
        .values(approval)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ApprovalRow>> {
    dms_approvals::table
        .find(id)
        .select(ApprovalRow::as_select())
        .first(conn)
        .optional()
}

/// Every approval given for one DMS version.
pub fn of_version(
    conn: &mut DbConnection,
    builder: &str,
    name: &str,
    version: &str,
) -> QueryResult<Vec<ApprovalRow>> {
    dms_approvals::table
        .filter(dms_approvals::dms_builder.eq(builder))
        .filter(dms_approvals::dms_name.eq(name))
        .filter(dms_approvals::dms_version.eq(version))
        .select(ApprovalRow::as_select())
        .load(conn)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<ApprovalRow>> {
    dms_approvals::table
        .order(dms_approvals::approved_at.desc())
        .select(ApprovalRow::as_select())
        .load(conn)
}

/// Marks it revoked, once: a revoked approval stays as it was revoked.
pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    note: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        dms_approvals::table
            .filter(dms_approvals::id.eq(id))
            .filter(dms_approvals::revoked_at.is_null()),
    )
    .set((
        dms_approvals::revoked_at.eq(at),
        dms_approvals::revoked_by.eq(by),
        dms_approvals::revoke_note.eq(note),
    ))
    .execute(conn)
}
