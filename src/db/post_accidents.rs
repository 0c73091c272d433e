//! Queries on `post_accident_events`: a vehicle's post-accident history, as records that never
//! change.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{companies, post_accident_events as events};
use super::DbConnection;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub vin: &'a str,
    pub kind: &'a str,
    pub event_date: NaiveDate,
    pub informex_reference: Option<&'a str>,
    pub company_id: i64,
    pub account_id: i64,
    pub received_at: NaiveDateTime,
}

/// A record with the name of the company that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub kind: String,
    pub event_date: NaiveDate,
    pub informex_reference: Option<String>,
    pub company: String,
    pub received_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, event: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)
        .map(|_| ())
}

/// The VIN's records in the order they were received.
pub fn of_vin(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<EventRow>> {
    events::table
        .inner_join(companies::table.on(companies::id.eq(events::company_id)))
        .filter(events::vin.eq(vin))
        .order(events::id.asc())
        .select((
            events::kind,
            events::event_date,
            events::informex_reference,
            companies::name,
            events::received_at,
        ))
        .load::<(String, NaiveDate, Option<String>, String, NaiveDateTime)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(
                    |(kind, event_date, informex_reference, company, received_at)| EventRow {
                        kind,
                        event_date,
                        informex_reference,
                        company,
                        received_at,
                    },
                )
                .collect()
        })
}

/// The VIN a report with this INFORMEX reference was made for, if any.
pub fn vin_of_reference(conn: &mut DbConnection, reference: &str) -> QueryResult<Option<String>> {
    events::table
        .filter(events::informex_reference.eq(reference))
        .select(events::vin)
        .first(conn)
        .optional()
}

/// (company id, kind, records) over all records: an expert's reports, an inspection centre's
/// passed and failed inspections.
pub fn kinds_per_company(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, i64)>> {
    events::table
        .group_by((events::company_id, events::kind))
        .select((events::company_id, events::kind, count_star()))
        .order((events::company_id, events::kind))
        .load(conn)
}
