//! Queries on the certification harness's tables (in the certification database only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    certification_attachments, certification_evaluations, certification_exchanges,
    certification_sessions, certification_steps, certification_verdicts,
};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_sessions)]
pub struct SessionRow {
    pub id: String,
    pub dms_name: String,
    pub dms_version: String,
    pub dms_builder: String,
    pub company_id: i64,
    pub username: String,
    pub sheet: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_steps)]
pub struct StepRow {
    pub session_id: String,
    pub number: i32,
    /// 1, then 2, ... each time the step is played again.
    pub attempt: i32,
    pub opened_at: NaiveDateTime,
    pub opened_by: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certification_exchanges)]
pub struct NewExchange {
    pub session_id: String,
    pub step: Option<i32>,
    pub received_at: NaiveDateTime,
    pub answered_at: NaiveDateTime,
    pub method: String,
    pub path: String,
    pub request_headers: String,
    pub request_body: Vec<u8>,
    pub response_status: i32,
    pub response_headers: String,
    pub response_body: Vec<u8>,
    pub injected: Option<String>,
    pub attempt: Option<i32>,
    pub request_size: i64,
    pub request_sha256: Option<String>,
    pub request_note: Option<String>,
    pub request_facts: Option<String>,
    pub operation: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certification_exchanges)]
pub struct ExchangeRow {
    pub id: i64,
    pub session_id: String,
    pub step: Option<i32>,
    pub received_at: NaiveDateTime,
    pub answered_at: NaiveDateTime,
    pub method: String,
    pub path: String,
    pub request_headers: String,
    pub request_body: Vec<u8>,
    pub response_status: i32,
    pub response_headers: String,
    pub response_body: Vec<u8>,
    pub injected: Option<String>,
    pub attempt: Option<i32>,
    pub request_size: i64,
    pub request_sha256: Option<String>,
    pub request_note: Option<String>,
    pub request_facts: Option<String>,
    pub operation: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certification_attachments)]
pub struct NewAttachment {
    pub session_id: String,
    pub step: i32,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
    pub sha256: String,
    pub attached_at: NaiveDateTime,
    pub attached_by: String,
    pub original_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certification_attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub session_id: String,
    pub step: i32,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
    pub sha256: String,
    pub attached_at: NaiveDateTime,
    pub attached_by: String,
    pub original_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_evaluations)]
pub struct EvaluationRow {
    pub id: String,
    pub session_id: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub certifiable: bool,
    pub report: String,
}

pub fn insert_session(conn: &mut DbConnection, session: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(certification_sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

pub fn find_session(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SessionRow>> {
    super::unique(
        certification_sessions::table
            .find(id)
            .select(SessionRow::as_select()),
        conn,
    )
}

pub fn sessions(conn: &mut DbConnection) -> QueryResult<Vec<SessionRow>> {
    certification_sessions::table
        .order(certification_sessions::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

pub fn open_step(conn: &mut DbConnection, step: &StepRow) -> QueryResult<()> {
    diesel::insert_into(certification_steps::table)
        .values(step)
        .execute(conn)
        .map(|_| ())
}

pub fn steps(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<StepRow>> {
    certification_steps::table
        .filter(certification_steps::session_id.eq(session_id))
        .order(certification_steps::id)
        .select(StepRow::as_select())
        .load(conn)
}

pub fn insert_exchange(conn: &mut DbConnection, exchange: &NewExchange) -> QueryResult<()> {
    diesel::insert_into(certification_exchanges::table)
        .values(exchange)
        .execute(conn)
        .map(|_| ())
}

/// What a session may record at most (issue 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub exchanges: i64,
    pub bytes: i64,
}

/// Whether the session's recording has reached its quota.
pub fn recording_full(
    conn: &mut DbConnection,
    session_id: &str,
    quota: Quota,
) -> QueryResult<bool> {
    use certification_sessions::dsl as s;
    let (exchanges, bytes): (i64, i64) = s::certification_sessions
        .find(session_id)
        .select((s::recorded_exchanges, s::recorded_bytes))
        .first(conn)?;
    Ok(exchanges >= quota.exchanges || bytes >= quota.bytes)
}

/// Counts an exchange of `bytes` against the quota, if it is not reached yet: past it by one
/// exchange at most, whatever runs at the same time.
pub fn reserve(
    conn: &mut DbConnection,
    session_id: &str,
    bytes: i64,
    quota: Quota,
) -> QueryResult<bool> {
    use certification_sessions::dsl as s;
    diesel::update(
        s::certification_sessions
            .find(session_id)
            .filter(s::recorded_exchanges.lt(quota.exchanges))
            .filter(s::recorded_bytes.lt(quota.bytes)),
    )
    .set((
        s::recorded_exchanges.eq(s::recorded_exchanges + 1),
        s::recorded_bytes.eq(s::recorded_bytes + bytes),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// An exchange answered "recording full" and not recorded: only counted.
pub fn count_refused(conn: &mut DbConnection, session_id: &str) -> QueryResult<()> {
    use certification_sessions::dsl as s;
    diesel::update(s::certification_sessions.find(session_id))
        .set(s::refused_exchanges.eq(s::refused_exchanges + 1))
        .execute(conn)
        .map(|_| ())
}

/// (recorded exchanges, recorded bytes, refused exchanges).
pub fn recording_totals(conn: &mut DbConnection, session_id: &str) -> QueryResult<(i64, i64, i64)> {
    use certification_sessions::dsl as s;
    s::certification_sessions
        .find(session_id)
        .select((
            s::recorded_exchanges,
            s::recorded_bytes,
            s::refused_exchanges,
        ))
        .first(conn)
}

/// What the operator page lists of an exchange: no body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certification_exchanges)]
pub struct ExchangeSummary {
    pub id: i64,
    pub step: Option<i32>,
    pub received_at: NaiveDateTime,
    pub operation: Option<String>,
    pub outcome: Option<String>,
    pub injected: Option<String>,
}

pub fn exchange_count(conn: &mut DbConnection, session_id: &str) -> QueryResult<i64> {
    certification_exchanges::table
        .filter(certification_exchanges::session_id.eq(session_id))
        .count()
        .get_result(conn)
}

/// Newest first, `limit` of them after skipping `offset`.
pub fn latest_exchanges(
    conn: &mut DbConnection,
    session_id: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ExchangeSummary>> {
    certification_exchanges::table
        .filter(certification_exchanges::session_id.eq(session_id))
        .order(certification_exchanges::id.desc())
        .limit(limit)
        .offset(offset)
        .select(ExchangeSummary::as_select())
        .load(conn)
}

/// At most `limit` exchanges recorded after the one with id `after`, in the order recorded.
pub fn exchanges_after(
    conn: &mut DbConnection,
    session_id: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ExchangeRow>> {
    certification_exchanges::table
        .filter(certification_exchanges::session_id.eq(session_id))
        .filter(certification_exchanges::id.gt(after))
        .order(certification_exchanges::id)
        .limit(limit)
        .select(ExchangeRow::as_select())
        .load(conn)
}

/// The exchanges the harness injected a fault into, in the order recorded.
pub fn injected_exchanges(
    conn: &mut DbConnection,
    session_id: &str,
) -> QueryResult<Vec<ExchangeRow>> {
    certification_exchanges::table
        .filter(certification_exchanges::session_id.eq(session_id))
        .filter(certification_exchanges::injected.is_not_null())
        .order(certification_exchanges::id)
        .select(ExchangeRow::as_select())
        .load(conn)
}

/// In the order they were recorded.
pub fn exchanges(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<ExchangeRow>> {
    certification_exchanges::table
        .filter(certification_exchanges::session_id.eq(session_id))
        .order(certification_exchanges::id)
        .select(ExchangeRow::as_select())
        .load(conn)
}

pub fn insert_attachment(conn: &mut DbConnection, attachment: &NewAttachment) -> QueryResult<()> {
    diesel::insert_into(certification_attachments::table)
        .values(attachment)
        .execute(conn)
        .map(|_| ())
}

pub fn attachments(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<AttachmentRow>> {
    certification_attachments::table
        .filter(certification_attachments::session_id.eq(session_id))
        .order(certification_attachments::id)
        .select(AttachmentRow::as_select())
        .load(conn)
}

pub fn insert_evaluation(conn: &mut DbConnection, evaluation: &EvaluationRow) -> QueryResult<()> {
    diesel::insert_into(certification_evaluations::table)
        .values(evaluation)
        .execute(conn)
        .map(|_| ())
}

/// Oldest first.
pub fn evaluations(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<EvaluationRow>> {
    certification_evaluations::table
        .filter(certification_evaluations::session_id.eq(session_id))
        .order((
            certification_evaluations::created_at,
            certification_evaluations::id,
        ))
        .select(EvaluationRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certification_verdicts)]
pub struct NewVerdict {
    pub session_id: String,
    pub criterion: String,
    pub passed: bool,
    pub note: String,
    pub decided_at: NaiveDateTime,
    pub decided_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = certification_verdicts)]
pub struct VerdictRow {
    pub id: i64,
    pub session_id: String,
    pub criterion: String,
    pub passed: bool,
    pub note: String,
    pub decided_at: NaiveDateTime,
    pub decided_by: String,
}

pub fn insert_verdict(conn: &mut DbConnection, verdict: &NewVerdict) -> QueryResult<()> {
    diesel::insert_into(certification_verdicts::table)
        .values(verdict)
        .execute(conn)
        .map(|_| ())
}

/// Oldest first: the last one per criterion counts.
pub fn verdicts(conn: &mut DbConnection, session_id: &str) -> QueryResult<Vec<VerdictRow>> {
    certification_verdicts::table
        .filter(certification_verdicts::session_id.eq(session_id))
        .order(certification_verdicts::id)
        .select(VerdictRow::as_select())
        .load(conn)
}
