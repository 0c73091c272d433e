//! Recalls (issue 22, point 5): a manufacturer or importer reports a recall for a list of
//! vehicles (all or nothing) and closes it per vehicle; a garage's reading that carries the
//! recall campaign's work closes the vehicle's open recalls in the reading's own transaction;
//! a Car-Pass prints the recalls still open.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::db::recalls::{self, CloseRow, RecallRow};
use crate::db::{vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::car_pass;
use crate::domain::language::Language;
use crate::domain::recall::{
    self, check_opening, parse_vins, ClosedHow, Closing, NotVins, Recall, RecallProblem,
    RecallReference, RecallTitles,
};
use crate::domain::vin::Vin;

use super::ServiceError;

/// A ReportRecall as sent: the manufacturer's list of VINs, the campaign and its titles.
#[derive(Debug, Clone)]
pub struct Report {
    pub vins: Vec<String>,
    pub reference: String,
    pub title_nl: Option<String>,
    pub title_fr: Option<String>,
    pub title_de: Option<String>,
    pub title_en: Option<String>,
    pub opened_on: NaiveDate,
}

/// What a report did: each VIN once, in the order sent, and whether it had the recall
/// already (a report sent again: left as it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub reference: RecallReference,
    pub vehicles: Vec<(Vin, bool)>,
}

impl Reported {
    /// The VINs that got the recall now.
    pub fn reported(&self) -> Vec<&Vin> {
        self.vehicles
            .iter()
            .filter(|(_, a)| !a)
            .map(|(v, _)| v)
            .collect()
    }

    /// The VINs that had it already.
    pub fn already(&self) -> Vec<&Vin> {
        self.vehicles
            .iter()
            .filter(|(_, a)| *a)
            .map(|(v, _)| v)
            .collect()
    }
}

/// A CloseRecall as sent.
#[derive(Debug, Clone)]
pub struct Close {
    pub vin: String,
    pub reference: String,
    pub closed_on: NaiveDate,
}

/// Why a report or a close changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RecallError {
    #[error("{0}; nothing was changed")]
    Invalid(RecallProblem),
    /// Every VIN that cannot have the recall: the manufacturer fixes its list at once.
    #[error("{}; nothing was changed", bad_vins(.invalid, .unknown))]
    BadVins {
        invalid: NotVins,
        /// Not in the Belgian vehicle register.
        unknown: Vec<Vin>,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<RecallProblem> for RecallError {
    fn from(problem: RecallProblem) -> Self {
        RecallError::Invalid(problem)
    }
}

impl From<diesel::result::Error> for RecallError {
    fn from(e: diesel::result::Error) -> Self {
        RecallError::Service(ServiceError::Database(e))
    }
}

fn bad_vins(invalid: &[(String, String)], unknown: &[Vin]) -> String {
    let listed: Vec<String> = invalid
        .iter()
        .map(|(vin, why)| format!("{vin:?}: {why}"))
        .chain(
            unknown
                .iter()
                .map(|vin| format!("{:?}: {NOT_REGISTERED}", vin.as_str())),
        )
        .collect();
    let noun = if listed.len() == 1 { "VIN" } else { "VINs" };
    format!(
        "{} {noun} cannot get the recall: {}",
        listed.len(),
        listed.join("; ")
    )
}

const NOT_REGISTERED: &str = "the vehicle is not in the Belgian vehicle register: recalls are \
     kept only for vehicles registered in Belgium";

/// Reports the recall for every VIN of the list, or for none: a VIN that is not a VIN or not
/// in the vehicle register refuses the whole report, naming each such VIN. A VIN that has the
/// recall already keeps it as it is, so a report sent again (after a timeout) does no harm.
pub fn report(
    conn: &mut DbConnection,
    company_id: i64,
    report: &Report,
    now: DateTime<Utc>,
) -> Result<Reported, RecallError> {
    let reference = RecallReference::parse(&report.reference)?;
    let titles = RecallTitles::parse(
        report.title_nl.as_deref(),
        report.title_fr.as_deref(),
        report.title_de.as_deref(),
        report.title_en.as_deref(),
    )?;
    check_opening(report.opened_on, brussels_date(now))?;
    let (vins, invalid) = parse_vins(&report.vins)?;
    crate::db::writing(conn, |conn| {
        let registered = vehicles::find_many(conn, &vins)?;
        let unknown: Vec<Vin> = vins
            .iter()
            .filter(|vin| !registered.iter().any(|v| &v.vin == *vin))
            .cloned()
            .collect();
        if !invalid.is_empty() || !unknown.is_empty() {
            return Err(RecallError::BadVins { invalid, unknown });
        }
        let names: Vec<&str> = vins.iter().map(Vin::as_str).collect();
        let having = recalls::having(conn, &names, reference.as_str())?;
        let vehicles: Vec<(Vin, bool)> = vins
            .into_iter()
            .map(|vin| {
                let already = having.iter().any(|h| h == vin.as_str());
                (vin, already)
            })
            .collect();
        let rows: Vec<RecallRow> = vehicles
            .iter()
            .filter(|(_, already)| !already)
            .map(|(vin, _)| RecallRow {
                vin: vin.as_str().to_owned(),
                reference: reference.as_str().to_owned(),
                title_nl: titles.get(Language::Nl).to_owned(),
                title_fr: titles.get(Language::Fr).to_owned(),
                title_de: titles.sent(Language::De).map(str::to_owned),
                title_en: titles.sent(Language::En).map(str::to_owned),
                opened_on: report.opened_on,
                reported_by: company_id,
                reported_at: now.naive_utc(),
                closed_on: None,
                closed_how: None,
                closed_by: None,
                closed_reading_id: None,
                closed_at: None,
            })
            .collect();
        recalls::insert(conn, &rows)?;
        Ok(Reported {
            reference,
            vehicles,
        })
    })
}

/// The manufacturer closes one recall of one vehicle (it was repaired, or withdrawn).
pub fn close(
    conn: &mut DbConnection,
    company_id: i64,
    close: &Close,
    now: DateTime<Utc>,
) -> Result<(Vin, RecallReference), RecallError> {
    let vin = Vin::parse(&close.vin).map_err(|e| RecallError::BadVins {
        invalid: vec![(close.vin.clone(), e.to_string())],
        unknown: Vec::new(),
    })?;
    let reference = RecallReference::parse(&close.reference)?;
    crate::db::writing(conn, |conn| {
        if vehicles::find(conn, &vin)?.is_none() {
            return Err(RecallError::BadVins {
                invalid: Vec::new(),
                unknown: vec![vin.clone()],
            });
        }
        let before = stored(conn, vin.as_str())?;
        let today = brussels_date(now);
        recall::close(
            &vin,
            &before,
            &reference,
            company_id,
            close.closed_on,
            today,
        )?;
        let closing = CloseRow {
            on: close.closed_on,
            how: ClosedHow::Manufacturer.as_str(),
            by: company_id,
            reading_id: None,
            at: now.naive_utc(),
        };
        if !recalls::close(conn, vin.as_str(), reference.as_str(), &closing)? {
            // A garage's repair closed it meanwhile (PostgreSQL lets the two transactions
            // overlap): read again, and the rules say so.
            let after = stored(conn, vin.as_str())?;
            recall::close(&vin, &after, &reference, company_id, close.closed_on, today)?;
            return Err(RecallError::Service(ServiceError::Corrupt(format!(
                "recall {reference} of {vin} is open but could not be closed"
            ))));
        }
        Ok((vin, reference))
    })
}

/// A garage's reading with the recall campaign's work, stored in the caller's transaction,
/// closes the vehicle's open recalls that had opened by its work date, dated that day.
pub struct Repair<'a> {
    pub vin: &'a str,
    pub work_date: NaiveDate,
    pub reading_id: &'a str,
    pub company_id: i64,
    pub at: NaiveDateTime,
}

/// Closes what `repair` closes (`recall::closed_by_repair`); answers how many.
pub fn close_by_repair(
    conn: &mut DbConnection,
    repair: &Repair<'_>,
    today: NaiveDate,
) -> Result<usize, ServiceError> {
    let stored = stored(conn, repair.vin)?;
    let closing = CloseRow {
        on: repair.work_date,
        how: ClosedHow::Repair.as_str(),
        by: repair.company_id,
        reading_id: Some(repair.reading_id),
        at: repair.at,
    };
    let mut closed = 0;
    for reference in recall::closed_by_repair(&stored, repair.work_date, today) {
        closed += usize::from(recalls::close(
            conn,
            repair.vin,
            reference.as_str(),
            &closing,
        )?);
    }
    Ok(closed)
}

/// The recalls still open, as a Car-Pass in `lang` prints them: oldest first.
pub fn open_for_car_pass(
    conn: &mut DbConnection,
    vin: &str,
    lang: Language,
) -> Result<Vec<car_pass::Recall>, ServiceError> {
    recalls::of_vin(conn, vin)?
        .into_iter()
        .filter(|row| row.closed_on.is_none())
        .map(|row| {
            let titles = titles_of(&row)?;
            Ok(car_pass::Recall {
                title: titles.get(lang).to_owned(),
                reference: row.reference,
                opened_on: row.opened_on,
            })
        })
        .collect()
}

/// One recall of a vehicle as staff see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryLine {
    pub reference: String,
    pub title: String,
    pub opened_on: NaiveDate,
    pub reported_by: String,
    pub closed_on: Option<NaiveDate>,
    /// "manufacturer" or "repair".
    pub closed_how: Option<String>,
    pub closed_by: Option<String>,
    pub closed_reading_id: Option<String>,
}

/// Every recall of the VIN, open and closed, with who reported and who closed it.
pub fn history(
    conn: &mut DbConnection,
    vin: &str,
    lang: Language,
) -> Result<Vec<HistoryLine>, ServiceError> {
    recalls::history_of_vin(conn, vin)?
        .into_iter()
        .map(|(row, reported_by, closed_by)| {
            Ok(HistoryLine {
                title: titles_of(&row)?.get(lang).to_owned(),
                reference: row.reference,
                opened_on: row.opened_on,
                reported_by,
                closed_on: row.closed_on,
                closed_how: row.closed_how,
                closed_by,
                closed_reading_id: row.closed_reading_id,
            })
        })
        .collect()
}

fn titles_of(row: &RecallRow) -> Result<RecallTitles, ServiceError> {
    RecallTitles::parse(
        Some(&row.title_nl),
        Some(&row.title_fr),
        row.title_de.as_deref(),
        row.title_en.as_deref(),
    )
    .map_err(|e| corrupt(row, &e.to_string()))
}

fn corrupt(row: &RecallRow, what: &str) -> ServiceError {
    ServiceError::Corrupt(format!("recall {} of {}: {what}", row.reference, row.vin))
}

/// The VIN's recalls as the rules read them.
fn stored(conn: &mut DbConnection, vin: &str) -> Result<Vec<Recall>, ServiceError> {
    recalls::of_vin(conn, vin)?
        .into_iter()
        .map(|row| {
            let reference = RecallReference::parse(&row.reference)
                .map_err(|e| corrupt(&row, &e.to_string()))?;
            let closed = match (row.closed_on, row.closed_how.as_deref()) {
                (None, _) => None,
                (Some(on), Some(how)) => Some(Closing {
                    on,
                    how: ClosedHow::parse(how).ok_or_else(|| corrupt(&row, "closed_how"))?,
                }),
                (Some(_), None) => return Err(corrupt(&row, "closed without how")),
            };
            Ok(Recall {
                reference,
                opened_on: row.opened_on,
                reported_by: row.reported_by,
                closed,
            })
        })
        .collect()
}
