//! Queries on `feed_batches` and `feed_lines` (a partner's bulk uploads), and the insert of
//! their readings, which carry their source.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::dates::Moment;
use super::schema::{companies, feed_batches, feed_lines};
use super::{DbConnection, ROWS_PER_STATEMENT};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = feed_batches, treat_none_as_default_value = false)]
pub struct BatchRow {
    pub company_id: i64,
    pub batch_id: String,
    pub account_id: i64,
    pub source: String,
    pub format: String,
    pub channel: String,
    pub lines: i64,
    pub prefix_sha256: String,
    pub stored: i64,
    pub conflicts: i64,
    pub refused: i64,
    pub file_sha256: Option<String>,
    #[diesel(deserialize_as = Moment)]
    pub started_at: NaiveDateTime,
    #[diesel(deserialize_as = Moment)]
    pub updated_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = feed_lines, treat_none_as_default_value = false)]
pub struct LineRow {
    pub company_id: i64,
    pub batch_id: String,
    pub line: i64,
    pub outcome: String,
    pub reason: String,
    pub detail: String,
    pub reading_id: Option<String>,
}

pub fn find_batch(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
) -> QueryResult<Option<BatchRow>> {
    super::unique(
        feed_batches::table
            .find((company_id, batch_id))
            .select(BatchRow::as_select()),
        conn,
    )
}

pub fn create_batch(conn: &mut DbConnection, row: &BatchRow) -> QueryResult<()> {
    diesel::insert_into(feed_batches::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// What one committed chunk adds to its batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub stored: i64,
    pub conflicts: i64,
    pub refused: i64,
}

/// Moves the batch from `from_lines` committed lines to `to_lines`; 0 rows when another upload
/// of the batch moved it first (the caller's transaction must then not commit).
#[allow(clippy::too_many_arguments)]
pub fn advance(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
    from_lines: i64,
    to_lines: i64,
    prefix_sha256: &str,
    counts: Counts,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        feed_batches::table
            .find((company_id, batch_id))
            .filter(feed_batches::lines.eq(from_lines))
            .filter(feed_batches::completed_at.is_null()),
    )
    .set((
        feed_batches::lines.eq(to_lines),
        feed_batches::prefix_sha256.eq(prefix_sha256),
        feed_batches::stored.eq(feed_batches::stored + counts.stored),
        feed_batches::conflicts.eq(feed_batches::conflicts + counts.conflicts),
        feed_batches::refused.eq(feed_batches::refused + counts.refused),
        feed_batches::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Marks the batch complete with its file's digest; 0 rows when it was not at `lines`.
pub fn complete(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
    lines: i64,
    file_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        feed_batches::table
            .find((company_id, batch_id))
            .filter(feed_batches::lines.eq(lines))
            .filter(feed_batches::completed_at.is_null()),
    )
    .set((
        feed_batches::file_sha256.eq(file_sha256),
        feed_batches::completed_at.eq(now),
        feed_batches::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn insert_lines(conn: &mut DbConnection, rows: &[LineRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(feed_lines::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The batch's refused and conflicting lines after `after_line`, in line order, at most `limit`.
pub fn lines_after(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
    after_line: i64,
    limit: i64,
) -> QueryResult<Vec<LineRow>> {
    feed_lines::table
        .filter(feed_lines::company_id.eq(company_id))
        .filter(feed_lines::batch_id.eq(batch_id))
        .filter(feed_lines::line.gt(after_line))
        .order(feed_lines::line)
        .limit(limit)
        .select(LineRow::as_select())
        .load(conn)
}

/// (outcome, reason, lines) of one batch.
pub fn reasons_of(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
) -> QueryResult<Vec<(String, String, i64)>> {
    feed_lines::table
        .filter(feed_lines::company_id.eq(company_id))
        .filter(feed_lines::batch_id.eq(batch_id))
        .group_by((feed_lines::outcome, feed_lines::reason))
        .select((feed_lines::outcome, feed_lines::reason, count_star()))
        .order((feed_lines::outcome, feed_lines::reason))
        .load(conn)
}

/// Every batch with its company's KBO number and name, by company, oldest first.
pub fn all_batches(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, BatchRow)>> {
    feed_batches::table
        .inner_join(companies::table.on(companies::id.eq(feed_batches::company_id)))
        .order((companies::kbo, feed_batches::started_at))
        .select((companies::kbo, companies::name, BatchRow::as_select()))
        .load(conn)
}

/// (company id, outcome, reason, lines) over all batches.
pub fn reasons_per_company(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(i64, String, String, i64)>> {
    feed_lines::table
        .group_by((
            feed_lines::company_id,
            feed_lines::outcome,
            feed_lines::reason,
        ))
        .select((
            feed_lines::company_id,
            feed_lines::outcome,
            feed_lines::reason,
            count_star(),
        ))
        .order((
            feed_lines::company_id,
            feed_lines::outcome,
            feed_lines::reason,
        ))
        .load(conn)
}

/// (id, user name) of the company's first enabled manufacturer account: the one whose readings
/// a batch imported from the command line are.
pub fn feed_account(
    conn: &mut DbConnection,
    company_id: i64,
) -> QueryResult<Option<(i64, String)>> {
    use super::schema::accounts;
    super::unique(
        accounts::table
            .filter(accounts::company_id.eq(company_id))
            .filter(accounts::role.eq("manufacturer"))
            .filter(accounts::disabled_at.is_null())
            .order(accounts::id)
            .limit(1)
            .select((accounts::id, accounts::username)),
        conn,
    )
}

/// A batch with its company's KBO number and name.
pub type NamedBatch = (String, String, BatchRow);

/// A page of every batch, newest first, and how many there are.
pub fn batches_page(
    conn: &mut DbConnection,
    window: super::clerk::Window,
) -> QueryResult<(i64, Vec<NamedBatch>)> {
    let total = feed_batches::table.count().get_result(conn)?;
    let rows = feed_batches::table
        .inner_join(companies::table.on(companies::id.eq(feed_batches::company_id)))
        .order((
            feed_batches::started_at.desc(),
            feed_batches::company_id,
            feed_batches::batch_id,
        ))
        .offset(window.offset)
        .limit(window.limit)
        .select((companies::kbo, companies::name, BatchRow::as_select()))
        .load(conn)?;
    Ok((total, rows))
}
