//! Queries on `companies`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::companies;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = companies)]
pub struct CompanyRow {
    pub id: i64,
    pub kbo: String,
    pub name: String,
    pub kind: String,
    pub nace_codes: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = companies)]
pub struct NewCompany<'a> {
    pub kbo: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub nace_codes: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, company: &NewCompany<'_>) -> QueryResult<i64> {
    diesel::insert_into(companies::table)
        .values(company)
        .execute(conn)?;
    let query = companies::table
        .filter(companies::kbo.eq(company.kbo))
        .select(companies::id);
    super::unique(query, conn)?.ok_or(diesel::NotFound)
}

pub fn find_by_kbo(conn: &mut DbConnection, kbo: &str) -> QueryResult<Option<CompanyRow>> {
    let query = companies::table
        .filter(companies::kbo.eq(kbo))
        .select(CompanyRow::as_select());
    super::unique(query, conn)
}

/// Every company, by enterprise number.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<CompanyRow>> {
    companies::table
        .order(companies::kbo)
        .select(CompanyRow::as_select())
        .load(conn)
}

/// A company's enterprise number (its ten digits) and name, by its id.
pub fn kbo_and_name(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(String, String)>> {
    companies::table
        .find(id)
        .select((companies::kbo, companies::name))
        .first(conn)
        .optional()
}
