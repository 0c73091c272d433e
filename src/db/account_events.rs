//! Queries on `account_events`: who added, disabled, enabled a company's accounts or reset
//! their passwords, and when. Rows are only ever added.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::account_events;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_events)]
pub struct AccountEventRow {
    pub id: i64,
    pub company_id: i64,
    pub account_id: Option<i64>,
    pub action: String,
    pub staff_username: Option<String>,
    pub note: Option<String>,
    pub acted_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = account_events)]
pub struct NewAccountEvent<'a> {
    pub company_id: i64,
    pub account_id: Option<i64>,
    pub action: &'a str,
    pub staff_username: Option<&'a str>,
    pub note: Option<&'a str>,
    pub acted_at: NaiveDateTime,
}

pub fn add(conn: &mut DbConnection, event: &NewAccountEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(account_events::table)
        .values(event)
        .execute(conn)
        .map(|_| ())
}

/// Every event, oldest first: the lists of companies and accounts fold them per row.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<AccountEventRow>> {
    account_events::table
        .order(account_events::id)
        .select(AccountEventRow::as_select())
        .load(conn)
}
