//! WS-Security nonces seen within the freshness window, shared by every server instance.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::schema::ws_nonces;
use super::DbConnection;

/// Records a nonce; false when it was already seen (a replay).
pub fn remember(
    conn: &mut DbConnection,
    username: &str,
    nonce: &str,
    seen_at: NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(ws_nonces::table)
        .values((
            ws_nonces::username.eq(username),
            ws_nonces::nonce.eq(nonce),
            ws_nonces::seen_at.eq(seen_at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Forgets nonces older than the window: a replay of those fails on its Created instead.
pub fn forget_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(ws_nonces::table.filter(ws_nonces::seen_at.lt(before))).execute(conn)
}
