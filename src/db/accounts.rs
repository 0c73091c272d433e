//! Queries on `accounts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, companies};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub company_id: i64,
    pub username: String,
    pub role: String,
    pub password_hash: String,
    /// Since when the account is refused; `None` while it may log in.
    pub disabled_at: Option<NaiveDateTime>,
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

/// Adds the account; returns its id.
pub fn insert(conn: &mut DbConnection, account: &NewAccount<'_>) -> QueryResult<i64> {
    diesel::insert_into(accounts::table)
        .values(account)
        .execute(conn)?;
    let query = accounts::table
        .filter(accounts::username.eq(account.username))
        .select(accounts::id);
    super::unique(query, conn)?.ok_or(diesel::NotFound)
}

/// Whether any account has the role: until a staff account exists, nobody can say who acts.
pub fn any_with_role(conn: &mut DbConnection, role: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        accounts::table.filter(accounts::role.eq(role)),
    ))
    .get_result(conn)
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

/// Disables the account (`Some`: since when) or enables it again (`None`).
pub fn set_disabled(
    conn: &mut DbConnection,
    id: i64,
    since: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set(accounts::disabled_at.eq(since))
        .execute(conn)
}

/// An account as `staff user list` shows it, with its company.
#[derive(Debug, Clone, Queryable)]
pub struct AccountListing {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
    pub company_id: i64,
    pub kbo: String,
    pub company_name: String,
}

/// Every account, or a company's, by user name.
pub fn listing(
    conn: &mut DbConnection,
    company_id: Option<i64>,
) -> QueryResult<Vec<AccountListing>> {
    let mut query = accounts::table
        .inner_join(companies::table)
        .select((
            accounts::id,
            accounts::username,
            accounts::role,
            accounts::created_at,
            accounts::disabled_at,
            companies::id,
            companies::kbo,
            companies::name,
        ))
        .order(accounts::username)
        .into_boxed();
    if let Some(company_id) = company_id {
        query = query.filter(accounts::company_id.eq(company_id));
    }
    query.load(conn)
}
