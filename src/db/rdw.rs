//! Queries on `rdw_verdicts` (the Dutch registry's judgment of a vehicle's readings, per line
//! of an imported file) and the registry's own account, under which its staff file the RDW's
//! readings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::dates::Day;
use super::schema::{accounts, companies, rdw_verdicts};
use super::{DbConnection, ROWS_PER_STATEMENT};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = rdw_verdicts)]
pub struct VerdictRow {
    pub company_id: i64,
    pub batch_id: String,
    pub line: i64,
    pub vin: String,
    pub verdict: String,
    pub judged_on: NaiveDate,
    pub imported_at: NaiveDateTime,
}

pub fn insert_verdicts(conn: &mut DbConnection, rows: &[VerdictRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_backend!(conn, |c| diesel::insert_into(rdw_verdicts::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// (verdict, judged on) given with the VIN's latest reading; the latest import on a tie.
pub fn latest_verdict(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Option<(String, NaiveDate)>> {
    let row: Option<(String, Day)> = super::unique(
        rdw_verdicts::table
            .filter(rdw_verdicts::vin.eq(vin))
            .order((
                rdw_verdicts::judged_on.desc(),
                rdw_verdicts::imported_at.desc(),
                rdw_verdicts::line.desc(),
            ))
            .limit(1)
            .select((rdw_verdicts::verdict, rdw_verdicts::judged_on)),
        conn,
    )?;
    Ok(row.map(|(verdict, day)| (verdict, day.0)))
}

/// (company id, account id, user name) of the registry's own first enabled staff account: an
/// RDW file is filed under it (the readings say they come from the RDW).
pub fn registry_account(conn: &mut DbConnection) -> QueryResult<Option<(i64, i64, String)>> {
    super::unique(
        accounts::table
            .inner_join(companies::table.on(companies::id.eq(accounts::company_id)))
            .filter(companies::kind.eq("registry"))
            .filter(accounts::role.eq("staff"))
            .filter(accounts::disabled_at.is_null())
            .order((companies::id, accounts::id))
            .limit(1)
            .select((companies::id, accounts::id, accounts::username)),
        conn,
    )
}

/// (verdict, vehicles) that one imported file gave.
pub fn verdicts_of_batch(
    conn: &mut DbConnection,
    company_id: i64,
    batch_id: &str,
) -> QueryResult<Vec<(String, i64)>> {
    let pairs: Vec<(String, String)> = rdw_verdicts::table
        .filter(rdw_verdicts::company_id.eq(company_id))
        .filter(rdw_verdicts::batch_id.eq(batch_id))
        .select((rdw_verdicts::verdict, rdw_verdicts::vin))
        .distinct()
        .order((rdw_verdicts::verdict, rdw_verdicts::vin))
        .load(conn)?;
    let mut counts: Vec<(String, i64)> = Vec::new();
    for (verdict, _) in pairs {
        match counts.last_mut() {
            Some((last, n)) if *last == verdict => *n += 1,
            _ => counts.push((verdict, 1)),
        }
    }
    Ok(counts)
}
