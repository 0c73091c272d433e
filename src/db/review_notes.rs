//! Queries on `certification_review_notes`: a session's review, as records that never change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::certification_review_notes as notes;
use super::DbConnection;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notes)]
pub struct NewNote {
    pub session_id: String,
    pub kind: String,
    pub criterion: Option<String>,
    pub passed: Option<bool>,
    pub body: String,
    pub written_at: NaiveDateTime,
    pub written_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notes)]
pub struct NoteRow {
    pub id: i64,
    pub session_id: String,
    pub kind: String,
    pub criterion: Option<String>,
    pub passed: Option<bool>,
    pub body: String,
    pub written_at: NaiveDateTime,
    pub written_by: String,
}

pub fn insert(conn: &mut DbConnection, note: &NewNote) -> QueryResult<()> {
    diesel::insert_into(notes::table)
        .values(note)
        .execute(conn)
        .map(|_| ())
}

/// Oldest first.
pub fn of_session(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<NoteRow>> {
    notes::table
        .filter(notes::session_id.eq(session_id))
        .order(notes::id)
        .select(NoteRow::as_select())
        .load(conn)
}

/// The sessions marked ready for review, with when they were last marked.
pub fn ready(conn: &mut DbConnection) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    use diesel::dsl::max;
    notes::table
        .filter(notes::kind.eq("ready"))
        .group_by(notes::session_id)
        .select((notes::session_id, max(notes::written_at).assume_not_null()))
        .load(conn)
}
