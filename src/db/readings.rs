//! Queries on `readings`, `reading_works` and `vin_locks`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::dates::{Day, Moment};
use super::schema::{issues, reading_works, readings, vin_locks};
use super::{DbConnection, ROWS_PER_STATEMENT};
use crate::domain::odometer::OdometerUnit;
use crate::domain::reading::{ReadingInput, Work};
use crate::domain::rules::HistoryEntry;
use crate::domain::status::ReadingStatus;

/// `None` is inserted as NULL, not left to the column's default (here and in `WorkRow`): the
/// INSERT is then the same SQL whichever fields are empty, and diesel's statement cache finds
/// it by type instead of rendering the SQL on every insert to look it up.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = readings, treat_none_as_default_value = false)]
pub struct ReadingRow {
    pub id: String,
    pub account_id: i64,
    pub company_id: i64,
    pub client_reference: String,
    pub vin: String,
    #[diesel(deserialize_as = Day)]
    pub work_date: NaiveDate,
    pub odometer: i64,
    pub odometer_unit: String,
    pub odometer_km: i64,
    pub odometer_replaced: Option<i64>,
    pub subcontracted: bool,
    pub customer_type: String,
    pub invoice_total_cents: i64,
    pub license_plate: Option<String>,
    pub language: String,
    pub software_builder: Option<String>,
    pub software_name: Option<String>,
    pub software_version: Option<String>,
    pub status: String,
    pub receipt_status: String,
    #[diesel(deserialize_as = Moment)]
    pub received_at: NaiveDateTime,
    #[diesel(deserialize_as = Moment)]
    pub updated_at: NaiveDateTime,
    /// `ReadingSource::as_str`: a garage's job, a Car-Pass request's reading, a feed's.
    pub source: String,
}

/// A new reading's id: a UUIDv7, ordered by time. Each id then lands at the end of the
/// readings' id index and of `reading_works`' key, where a random (v4) one lands on a page of
/// its own: a commit of a batch writes a few pages instead of two per reading. Its 74 random
/// bits keep it unguessable, and a company sees only its own readings whatever it guesses.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reading_works, treat_none_as_default_value = false)]
pub struct WorkRow {
    pub reading_id: String,
    pub position: i32,
    pub activity_code: String,
    pub description: String,
}

impl WorkRow {
    /// The rows of a reading's works, numbered from 1 in the order sent.
    pub fn all_of(reading_id: &str, works: &[Work]) -> Vec<WorkRow> {
        works
            .iter()
            .enumerate()
            .map(|(i, w)| WorkRow {
                reading_id: reading_id.to_owned(),
                position: i as i32 + 1,
                activity_code: w.activity_code.clone(),
                description: w.description.clone(),
            })
            .collect()
    }
}

/// Serialises the readings of one VIN until the transaction ends (SPEC 7.1), which must be a
/// `db::writing` one: on PostgreSQL the upsert holds the VIN's row lock; SQLite has nothing
/// to do, the transaction already holds the database's only write lock.
pub fn lock_vin(conn: &mut DbConnection, vin: &str, now: NaiveDateTime) -> QueryResult<()> {
    lock_vins(conn, &[vin], now)
}

/// `lock_vin` for several VINs in one statement per thousand. PostgreSQL takes the rows' locks
/// in the order given: callers pass them sorted, so that two transactions sharing VINs cannot
/// deadlock.
pub fn lock_vins(conn: &mut DbConnection, vins: &[&str], now: NaiveDateTime) -> QueryResult<()> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    for chunk in vins.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|vin| (vin_locks::vin.eq(*vin), vin_locks::locked_at.eq(now)))
            .collect();
        diesel::insert_into(vin_locks::table)
            .values(rows)
            .on_conflict(vin_locks::vin)
            .do_update()
            .set(vin_locks::locked_at.eq(diesel::upsert::excluded(vin_locks::locked_at)))
            .execute(pg)?;
    }
    Ok(())
}

pub fn find_by_client_reference(
    conn: &mut DbConnection,
    account_id: i64,
    client_reference: &str,
) -> QueryResult<Option<ReadingRow>> {
    // Looked up for every reading received: on the concrete connection (`db::unique`).
    on_backend!(conn, |c| super::unique(
        readings::table
            .filter(readings::account_id.eq(account_id))
            .filter(readings::client_reference.eq(client_reference))
            .select(ReadingRow::as_select()),
        c
    ))
}

/// The readings an account stored under any of `client_references` (a SubmitReadings
/// request's), in no particular order. PostgreSQL answers in one query per thousand (a round
/// trip each, where a 1000-reading request made a thousand); SQLite looks each one up with
/// `find_by_client_reference`'s cached query.
pub fn find_by_client_references(
    conn: &mut DbConnection,
    account_id: i64,
    client_references: &[&str],
) -> QueryResult<Vec<ReadingRow>> {
    let mut found = Vec::new();
    if let DbConnection::Postgres(c) = conn {
        for chunk in client_references.chunks(ROWS_PER_STATEMENT) {
            found.extend(
                readings::table
                    .filter(readings::account_id.eq(account_id))
                    .filter(readings::client_reference.eq_any(chunk))
                    .select(ReadingRow::as_select())
                    .load(c)?,
            );
        }
        return Ok(found);
    }
    for reference in client_references {
        found.extend(find_by_client_reference(conn, account_id, reference)?);
    }
    Ok(found)
}

/// Stores readings and their works. PostgreSQL gets a statement per thousand rows: a group
/// commit's readings cost one round trip instead of one per reading and work. SQLite gets one
/// per row, from its statement cache: a multi-row statement's SQL depends on its length and
/// would be prepared per batch, which cost the group-commit writer more than finding the
/// cached one for each row (bench/PROFILE.md).
pub fn insert(
    conn: &mut DbConnection,
    readings: &[ReadingRow],
    works: &[WorkRow],
) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            for reading in readings {
                diesel::insert_into(readings::table)
                    .values(reading)
                    .execute(c)?;
            }
            for work in works {
                diesel::insert_into(reading_works::table)
                    .values(work)
                    .execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in readings.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(readings::table)
                    .values(chunk)
                    .execute(c)?;
            }
            for chunk in works.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(reading_works::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// In the official history (SPEC 2.8). Two comparisons rather than `eq_any`: diesel never
/// caches a statement with an `IN (...)` list on SQLite, and this one runs on every reading.
pub fn is_official() -> diesel::dsl::Or<
    diesel::dsl::Eq<readings::status, &'static str>,
    diesel::dsl::Eq<readings::status, &'static str>,
> {
    readings::status
        .eq(ReadingStatus::Accepted.as_str())
        .or(readings::status.eq(ReadingStatus::AcceptedWithWarnings.as_str()))
}

/// The official history of a VIN (SPEC 2.8), oldest work date first, in order of receipt.
pub fn official_history(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<HistoryEntry>> {
    Ok(received_history(conn, vin)?
        .into_iter()
        .map(|(_, entry)| entry)
        .collect())
}

/// The official histories of several VINs (a group commit's): each entry with its VIN and when
/// it was received, in `official_history`'s order. PostgreSQL answers them in one query per
/// thousand VINs (a round trip each); SQLite in one cached query per VIN, which costs less
/// than preparing one with a list of VINs for every batch.
pub fn official_histories(
    conn: &mut DbConnection,
    vins: &[&str],
) -> QueryResult<Vec<(String, NaiveDateTime, HistoryEntry)>> {
    let mut entries = Vec::new();
    if let DbConnection::Postgres(c) = conn {
        for chunk in vins.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<(String, Day, Moment, i64, bool, Option<i64>)> = readings::table
                .filter(readings::vin.eq_any(chunk))
                .filter(is_official())
                .order((
                    readings::vin,
                    readings::work_date,
                    readings::received_at,
                    readings::id,
                ))
                .select((
                    readings::vin,
                    readings::work_date,
                    readings::received_at,
                    readings::odometer,
                    readings::odometer_unit.eq(OdometerUnit::Mi.as_str()),
                    readings::odometer_replaced,
                ))
                .load(c)?;
            entries.extend(rows.into_iter().map(
                |(vin, work_date, received, odometer, in_miles, replaced)| {
                    (
                        vin,
                        received.0,
                        history_entry(work_date, odometer, in_miles, replaced),
                    )
                },
            ));
        }
        return Ok(entries);
    }
    for vin in vins {
        let history = received_history(conn, vin)?;
        entries.extend(
            history
                .into_iter()
                .map(|(received, entry)| ((*vin).to_owned(), received, entry)),
        );
    }
    Ok(entries)
}

/// One VIN's official history with when each entry was received. On the concrete connection,
/// whose statement cache finds the query by type: it runs for every reading and every check.
/// The unit comes as a flag rather than a String, and the dates without chrono's format parser
/// (`dates`): a history row costs no allocation of its own.
pub fn received_history(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<(NaiveDateTime, HistoryEntry)>> {
    let rows: Vec<(Day, Moment, i64, bool, Option<i64>)> = on_backend!(conn, |c| readings::table
        .filter(readings::vin.eq(vin))
        .filter(is_official())
        .order((readings::work_date, readings::received_at, readings::id))
        .select((
            readings::work_date,
            readings::received_at,
            readings::odometer,
            readings::odometer_unit.eq(OdometerUnit::Mi.as_str()),
            readings::odometer_replaced,
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(work_date, received, odometer, in_miles, replaced)| {
            (
                received.0,
                history_entry(work_date, odometer, in_miles, replaced),
            )
        })
        .collect())
}

/// The official history of a VIN without one of its readings, in `official_history`'s order:
/// the history that reading is judged against when it is judged again.
pub fn official_history_without(
    conn: &mut DbConnection,
    vin: &str,
    reading_id: &str,
) -> QueryResult<Vec<HistoryEntry>> {
    let rows: Vec<(Day, i64, bool, Option<i64>)> = readings::table
        .filter(readings::vin.eq(vin))
        .filter(is_official())
        .filter(readings::id.ne(reading_id))
        .order((readings::work_date, readings::received_at, readings::id))
        .select((
            readings::work_date,
            readings::odometer,
            readings::odometer_unit.eq(OdometerUnit::Mi.as_str()),
            readings::odometer_replaced,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(work_date, odometer, in_miles, replaced)| {
            history_entry(work_date, odometer, in_miles, replaced)
        })
        .collect())
}

fn history_entry(
    work_date: Day,
    odometer: i64,
    in_miles: bool,
    replaced: Option<i64>,
) -> HistoryEntry {
    HistoryEntry {
        work_date: work_date.0,
        odometer: odometer.max(0) as u64,
        unit: if in_miles {
            OdometerUnit::Mi
        } else {
            OdometerUnit::Km
        },
        odometer_replaced: replaced.map(|r| r.max(0) as u64),
    }
}

/// Readings of a VIN with an open Error, in the order they happened.
pub fn pending_correction(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<ReadingRow>> {
    readings::table
        .filter(readings::vin.eq(vin))
        .filter(readings::status.eq(ReadingStatus::PendingCorrection.as_str()))
        .order((readings::work_date, readings::received_at, readings::id))
        .select(ReadingRow::as_select())
        .load(conn)
}

/// Readings of a VIN waiting for the vehicle to be registered, in the order they happened.
pub fn waiting_for_registration(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<ReadingRow>> {
    readings::table
        .filter(readings::vin.eq(vin))
        .filter(readings::status.eq(ReadingStatus::WaitingForRegistration.as_str()))
        .order((readings::work_date, readings::received_at, readings::id))
        .select(ReadingRow::as_select())
        .load(conn)
}

pub fn works_of(conn: &mut DbConnection, reading_id: &str) -> QueryResult<Vec<Work>> {
    let rows: Vec<(String, String)> = reading_works::table
        .filter(reading_works::reading_id.eq(reading_id))
        .order(reading_works::position)
        .select((reading_works::activity_code, reading_works::description))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(activity_code, description)| Work {
            activity_code,
            description,
        })
        .collect())
}

pub fn set_status(
    conn: &mut DbConnection,
    reading_id: &str,
    status: ReadingStatus,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(readings::table.find(reading_id))
        .set((
            readings::status.eq(status.as_str()),
            readings::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, reading_id: &str) -> QueryResult<Option<ReadingRow>> {
    super::unique(
        readings::table
            .find(reading_id)
            .select(ReadingRow::as_select()),
        conn,
    )
}

/// Replaces the reading's values (the previous ones go to `reading_versions` first).
pub fn update_values(
    conn: &mut DbConnection,
    reading_id: &str,
    reading: &ReadingInput,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(readings::table.find(reading_id))
        .set((
            readings::vin.eq(&reading.vin),
            readings::work_date.eq(reading.work_date),
            readings::odometer.eq(reading.odometer as i64),
            readings::odometer_unit.eq(reading.unit.as_str()),
            readings::odometer_km.eq(reading.unit.to_km(reading.odometer) as i64),
            readings::odometer_replaced.eq(reading.odometer_replaced.map(|v| v as i64)),
            readings::subcontracted.eq(reading.subcontracted),
            readings::customer_type.eq(reading.customer_type.as_str()),
            readings::invoice_total_cents.eq(reading.invoice_total_cents),
            readings::license_plate.eq(&reading.license_plate),
            readings::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(reading_works::table.filter(reading_works::reading_id.eq(reading_id)))
        .execute(conn)?;
    let works = WorkRow::all_of(reading_id, &reading.works);
    if !works.is_empty() {
        on_backend!(conn, |c| diesel::insert_into(reading_works::table)
            .values(&works)
            .execute(c))?;
    }
    Ok(())
}

/// Readings held for staff, oldest first.
pub fn in_status(conn: &mut DbConnection, status: ReadingStatus) -> QueryResult<Vec<ReadingRow>> {
    readings::table
        .filter(readings::status.eq(status.as_str()))
        .order((readings::received_at, readings::id))
        .select(ReadingRow::as_select())
        .load(conn)
}

/// Readings still waiting for their vehicle that were received before `cutoff`.
pub fn waiting_since_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
) -> QueryResult<Vec<ReadingRow>> {
    readings::table
        .filter(readings::status.eq(ReadingStatus::WaitingForRegistration.as_str()))
        .filter(readings::received_at.le(cutoff))
        .order((readings::received_at, readings::id))
        .select(ReadingRow::as_select())
        .load(conn)
}

/// The software a reading was sent with: (builder, name, version) from its ClientInfo header.
pub type SoftwareKey = (Option<String>, Option<String>, Option<String>);

/// (software, readings, issues) per software that sent readings, most readings first.
pub fn per_software(conn: &mut DbConnection) -> QueryResult<Vec<(SoftwareKey, i64, i64)>> {
    let software = (
        readings::software_builder,
        readings::software_name,
        readings::software_version,
    );
    let counts: Vec<(SoftwareKey, i64)> = readings::table
        .group_by(software)
        .select((software, diesel::dsl::count_star()))
        .load(conn)?;
    let issue_counts: Vec<(SoftwareKey, i64)> = readings::table
        .inner_join(issues::table.on(issues::reading_id.eq(readings::id)))
        .group_by(software)
        .select((software, diesel::dsl::count_star()))
        .load(conn)?;
    let mut rows: Vec<(SoftwareKey, i64, i64)> = counts
        .into_iter()
        .map(|(key, count)| {
            let issues = issue_counts
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0, |(_, c)| *c);
            (key, count, issues)
        })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    Ok(rows)
}
