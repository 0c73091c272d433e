//! WS-Security nonces seen within the freshness window, shared by every server instance.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::ws_nonces;
use super::DbConnection;

/// Records a nonce; false when it was already seen (a replay). ON CONFLICT, so that it could
/// run inside a transaction on PostgreSQL too.
pub fn remember(
    conn: &mut DbConnection,
    username: &str,
    nonce: &str,
    seen_at: NaiveDateTime,
) -> QueryResult<bool> {
    let values = (
        ws_nonces::username.eq(username),
        ws_nonces::nonce.eq(nonce),
        ws_nonces::seen_at.eq(seen_at),
    );
    let inserted = on_backend!(conn, |c| diesel::insert_into(ws_nonces::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Forgets nonces older than the window: a replay of those fails on its Created instead.
pub fn forget_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(ws_nonces::table.filter(ws_nonces::seen_at.lt(before))).execute(conn)
}
