//! The clerk's queries: the search box, the lists that page (review queue, approvals), the page
//! per garage and the page per vehicle. Every list is read a page at a time (`LIMIT`/`OFFSET`
//! with its total), so a queue of 2,000 costs what a queue of 20 does.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::approvals::ApprovalRow;
use super::audit::StaffActionRow;
use super::certification::SessionRow;
use super::companies::CompanyRow;
use super::dates::Day;
use super::issues::IssueRow;
use super::readings::ReadingRow;
use super::schema::{
    certification_sessions, companies, dms_approvals, issues, readings, staff_actions, vehicles,
};
use super::DbConnection;

diesel::define_sql_function!(fn lower(x: Text) -> Text);

/// `%text%` for LIKE, lowercased, with LIKE's own wildcards in `text` taken literally.
fn contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `text%` for LIKE, as typed (VINs and ids are stored as they are).
fn starts_with(text: &str) -> String {
    let mut pattern: String = text
        .chars()
        .flat_map(|c| {
            let escape = matches!(c, '%' | '_' | '\\').then_some('\\');
            escape.into_iter().chain(std::iter::once(c))
        })
        .collect();
    pattern.push('%');
    pattern
}

/// A page of a list: which rows, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
}

// ---- search ---------------------------------------------------------------------------------

/// Companies whose name contains `text` (any case), or whose enterprise number starts with
/// `digits` when the text was one.
pub fn companies_matching(
    conn: &mut DbConnection,
    text: &str,
    digits: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<CompanyRow>> {
    let by_name = contains(text);
    let by_number = digits.map(starts_with).unwrap_or_default();
    on_backend!(conn, |c| companies::table
        .filter(
            lower(companies::name)
                .like(&by_name)
                .escape('\\')
                .or(companies::kbo.like(&by_number).escape('\\')),
        )
        .order(companies::name)
        .limit(limit)
        .select(CompanyRow::as_select())
        .load(c))
}

/// VINs the registry knows (registered or read) that start with `prefix`.
pub fn vins_starting(
    conn: &mut DbConnection,
    prefix: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let pattern = starts_with(prefix);
    let mut vins: Vec<String> = on_backend!(conn, |c| vehicles::table
        .filter(vehicles::vin.like(&pattern).escape('\\'))
        .order(vehicles::vin)
        .limit(limit)
        .select(vehicles::vin)
        .load(c))?;
    let read: Vec<String> = on_backend!(conn, |c| readings::table
        .filter(readings::vin.like(&pattern).escape('\\'))
        .select(readings::vin)
        .distinct()
        .order(readings::vin)
        .limit(limit)
        .load(c))?;
    vins.extend(read);
    vins.sort();
    vins.dedup();
    vins.truncate(limit as usize);
    Ok(vins)
}

/// Readings whose id or ClientReference is `text` exactly.
pub fn readings_named(
    conn: &mut DbConnection,
    text: &str,
    limit: i64,
) -> QueryResult<Vec<ReadingRow>> {
    readings::table
        .filter(
            readings::id
                .eq(text)
                .or(readings::client_reference.eq(text)),
        )
        .order((readings::received_at.desc(), readings::id))
        .limit(limit)
        .select(ReadingRow::as_select())
        .load(conn)
}

/// Certification sessions (in the certification database) whose id starts with `text` or
/// whose DMS name contains it.
pub fn sessions_matching(
    conn: &mut DbConnection,
    text: &str,
    limit: i64,
) -> QueryResult<Vec<SessionRow>> {
    let by_id = starts_with(text);
    let by_name = contains(text);
    on_backend!(conn, |c| certification_sessions::table
        .filter(
            certification_sessions::id
                .like(&by_id)
                .escape('\\')
                .or(lower(certification_sessions::dms_name)
                    .like(&by_name)
                    .escape('\\')),
        )
        .order(certification_sessions::created_at.desc())
        .limit(limit)
        .select(SessionRow::as_select())
        .load(c))
}

// ---- the review queue, a page at a time -------------------------------------------------------

/// The readings in `status`, of one garage or all, oldest or newest first, a page of them
/// and how many there are in all.
pub fn in_status_page(
    conn: &mut DbConnection,
    status: &str,
    company: Option<i64>,
    newest_first: bool,
    window: Window,
) -> QueryResult<(i64, Vec<ReadingRow>)> {
    let filtered = || {
        let mut query = readings::table
            .filter(readings::status.eq(status.to_owned()))
            .into_boxed();
        if let Some(company) = company {
            query = query.filter(readings::company_id.eq(company));
        }
        query
    };
    let total = filtered().select(count_star()).first(conn)?;
    let ordered = if newest_first {
        filtered().order((readings::received_at.desc(), readings::id.desc()))
    } else {
        filtered().order((readings::received_at, readings::id))
    };
    let rows = ordered
        .offset(window.offset)
        .limit(window.limit)
        .select(ReadingRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// (company id, name) of the garages with a reading in `status`: the queue's filter.
pub fn companies_in_status(
    conn: &mut DbConnection,
    status: &str,
) -> QueryResult<Vec<(i64, String)>> {
    companies::table
        .filter(
            companies::id.eq_any(
                readings::table
                    .filter(readings::status.eq(status.to_owned()))
                    .select(readings::company_id),
            ),
        )
        .order(companies::name)
        .select((companies::id, companies::name))
        .load(conn)
}

// ---- approvals, a page at a time --------------------------------------------------------------

/// Which approvals a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalFilter {
    All,
    /// Not revoked and valid on the day given.
    Holding(NaiveDate),
    /// Not revoked, valid until before the day given.
    Expired(NaiveDate),
    Revoked,
}

/// Approvals, filtered, newest approval first or by DMS name, a page and the total.
pub fn approvals_page(
    conn: &mut DbConnection,
    filter: ApprovalFilter,
    by_name: bool,
    window: Window,
) -> QueryResult<(i64, Vec<ApprovalRow>)> {
    let filtered = || {
        let query = dms_approvals::table.into_boxed();
        match filter {
            ApprovalFilter::All => query,
            ApprovalFilter::Holding(today) => query
                .filter(dms_approvals::revoked_at.is_null())
                .filter(dms_approvals::valid_until.ge(today)),
            ApprovalFilter::Expired(today) => query
                .filter(dms_approvals::revoked_at.is_null())
                .filter(dms_approvals::valid_until.lt(today)),
            ApprovalFilter::Revoked => query.filter(dms_approvals::revoked_at.is_not_null()),
        }
    };
    let total = filtered().select(count_star()).first(conn)?;
    let ordered = if by_name {
        filtered().order((
            dms_approvals::dms_name,
            dms_approvals::dms_version,
            dms_approvals::approved_at.desc(),
        ))
    } else {
        filtered().order((dms_approvals::approved_at.desc(), dms_approvals::id))
    };
    let rows = ordered
        .offset(window.offset)
        .limit(window.limit)
        .select(ApprovalRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

// ---- a garage -------------------------------------------------------------------------------

pub fn company(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CompanyRow>> {
    super::unique(
        companies::table.find(id).select(CompanyRow::as_select()),
        conn,
    )
}

/// A garage's readings, latest received first, with each reading's source: a page and the total.
pub fn readings_of_company(
    conn: &mut DbConnection,
    company: i64,
    window: Window,
) -> QueryResult<(i64, Vec<(ReadingRow, String)>)> {
    let total = readings::table
        .filter(readings::company_id.eq(company))
        .select(count_star())
        .first(conn)?;
    let rows = readings::table
        .filter(readings::company_id.eq(company))
        .order((readings::received_at.desc(), readings::id.desc()))
        .offset(window.offset)
        .limit(window.limit)
        .select((ReadingRow::as_select(), readings::source))
        .load(conn)?;
    Ok((total, rows))
}

/// The issues in one of `states` on a garage's readings, oldest first, with the reading's VIN.
pub fn issues_of_company(
    conn: &mut DbConnection,
    company: i64,
    states: &[&str],
    limit: i64,
) -> QueryResult<Vec<(IssueRow, String)>> {
    issues::table
        .inner_join(readings::table.on(readings::id.eq(issues::reading_id)))
        .filter(readings::company_id.eq(company))
        .filter(issues::state.eq_any(states))
        .order(issues::id)
        .limit(limit)
        .select((IssueRow::as_select(), readings::vin))
        .load(conn)
}

/// The first and last work dates of a garage's readings.
pub fn work_dates_of_company(
    conn: &mut DbConnection,
    company: i64,
) -> QueryResult<Option<(NaiveDate, NaiveDate)>> {
    let first: Option<Day> = readings::table
        .filter(readings::company_id.eq(company))
        .order(readings::work_date)
        .select(readings::work_date)
        .first(conn)
        .optional()?;
    let last: Option<Day> = readings::table
        .filter(readings::company_id.eq(company))
        .order(readings::work_date.desc())
        .select(readings::work_date)
        .first(conn)
        .optional()?;
    Ok(first.zip(last).map(|(f, l)| (f.0, l.0)))
}

/// (builder, name, version) a garage's readings named, with how many readings each, most first.
pub fn software_of_company(
    conn: &mut DbConnection,
    company: i64,
) -> QueryResult<Vec<(super::readings::SoftwareKey, i64)>> {
    let software = (
        readings::software_builder,
        readings::software_name,
        readings::software_version,
    );
    let mut rows: Vec<(super::readings::SoftwareKey, i64)> = readings::table
        .filter(readings::company_id.eq(company))
        .group_by(software)
        .select((software, count_star()))
        .load(conn)?;
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    Ok(rows)
}

// ---- a vehicle ------------------------------------------------------------------------------

/// Every reading of a VIN whatever its status, by work date, with its source and its garage's
/// name.
pub fn readings_of_vin(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<(ReadingRow, String, String)>> {
    readings::table
        .inner_join(companies::table.on(companies::id.eq(readings::company_id)))
        .filter(readings::vin.eq(vin))
        .order((readings::work_date, readings::received_at, readings::id))
        .select((ReadingRow::as_select(), readings::source, companies::name))
        .load(conn)
}

/// Every issue on the readings of a VIN, by number.
pub fn issues_of_vin(conn: &mut DbConnection, vin: &str) -> QueryResult<Vec<IssueRow>> {
    issues::table
        .inner_join(readings::table.on(readings::id.eq(issues::reading_id)))
        .filter(readings::vin.eq(vin))
        .order(issues::id)
        .select(IssueRow::as_select())
        .load(conn)
}

/// What staff did to the readings of a VIN, in order.
pub fn staff_actions_on_vin(
    conn: &mut DbConnection,
    vin: &str,
) -> QueryResult<Vec<StaffActionRow>> {
    staff_actions::table
        .inner_join(readings::table.on(readings::id.eq(staff_actions::reading_id)))
        .filter(readings::vin.eq(vin))
        .order(staff_actions::id)
        .select(StaffActionRow::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likes_wildcards_typed_in_the_search_box_are_taken_literally() {
        assert_eq!(contains("Garage_50%"), "%garage\\_50\\%%");
        assert_eq!(starts_with("WVW\\"), "WVW\\\\%");
        assert_eq!(starts_with("0876"), "0876%");
    }
}
