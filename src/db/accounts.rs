//! Queries on `accounts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::accounts;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub company_id: i64,
    pub username: String,
    pub role: String,
    pub password_hash: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub company_id: i64,
    pub username: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, account: &NewAccount<'_>) -> QueryResult<()> {
    diesel::insert_into(accounts::table)
        .values(account)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> QueryResult<Option<AccountRow>> {
    // Every request's first query: on the concrete connection (`db::unique`).
    on_backend!(conn, |c| super::unique(
        accounts::table
            .filter(accounts::username.eq(username))
            .select(AccountRow::as_select()),
        c
    ))
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    username: &str,
    hash: &str,
) -> QueryResult<usize> {
    diesel::update(accounts::table.filter(accounts::username.eq(username)))
        .set(accounts::password_hash.eq(hash))
        .execute(conn)
}

/// The user names of a company's accounts.
pub fn usernames_of_company(conn: &mut DbConnection, company_id: i64) -> QueryResult<Vec<String>> {
    accounts::table
        .filter(accounts::company_id.eq(company_id))
        .order(accounts::id)
        .select(accounts::username)
        .load(conn)
}
