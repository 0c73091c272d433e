//! Queries on `staff_sessions`: the staff's browser sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::staff_sessions;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_sessions)]
pub struct StaffSessionRow {
    pub token_hash: String,
    pub username: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, session: &StaffSessionRow) -> QueryResult<()> {
    diesel::insert_into(staff_sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

/// The session, when it has not expired.
pub fn find_live(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<StaffSessionRow>> {
    staff_sessions::table
        .find(token_hash)
        .filter(staff_sessions::expires_at.gt(now))
        .select(StaffSessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(staff_sessions::table.find(token_hash)).execute(conn)
}

pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(staff_sessions::table.filter(staff_sessions::expires_at.le(now))).execute(conn)
}

/// Ends every session of a user (a password reset: whoever had the old one is logged out).
pub fn delete_of_user(conn: &mut DbConnection, username: &str) -> QueryResult<usize> {
    diesel::delete(staff_sessions::table.filter(staff_sessions::username.eq(username)))
        .execute(conn)
}
