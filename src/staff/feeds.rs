//! The partners' feeds from the registry's side: `carpass import readings` (a partner's file
//! brought in by staff, with the same rules and the same batch as an HTTP upload) and `carpass
//! staff feeds` (per partner, what it sent and what was refused).

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Refusal, StaffError};
use crate::db::{
    companies, feeds as stored, foreign_readings, foreign_refusals, post_accidents,
    rdw as rdw_store, recalls as recall_store, DbConnection,
};
use crate::domain::calendar::brussels_date;
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::domain::feed::{BatchId, FeedFormat};
use crate::domain::rdw::RdwVerdict;
use crate::domain::recall::ClosedHow;
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;
use crate::service::feeds::{self, FeedError, Intake, Summary, Upload, CHUNK_LINES};
use crate::service::ServiceError;

impl From<FeedError> for StaffError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::Service(e) => StaffError::Service(e),
            FeedError::Header(_) | FeedError::Empty => StaffError::usage(e.to_string()),
            other => StaffError::Conflict(Refusal::Untranslated(other.to_string())),
        }
    }
}

/// What `import readings` is asked to do.
pub struct ImportRequest<'a> {
    pub kbo: &'a str,
    pub source: &'a str,
    pub batch: &'a str,
    pub format: FeedFormat,
}

/// How far an import is, for its progress line.
pub struct Progress {
    pub lines: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl Progress {
    pub fn lines_per_second(&self) -> u64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            (self.lines as f64 / seconds) as u64
        } else {
            0
        }
    }
}

/// The upload a request names: the company's manufacturer account, which must exist.
pub fn upload_for(
    conn: &mut DbConnection,
    request: &ImportRequest<'_>,
) -> Result<Upload, StaffError> {
    if ReadingSource::parse(request.source) != Some(ReadingSource::Connected) {
        return Err(StaffError::usage(format!(
            "--source {}: only connected (a manufacturer's connected cars) is imported this way",
            request.source
        )));
    }
    let kbo = EnterpriseNumber::parse(request.kbo)
        .map_err(|e| StaffError::usage(format!("--company: {e}")))?;
    let company = companies::find_by_kbo(conn, kbo.digits())?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(format!(
            "no company {}: add it first (carpass staff company add --kind manufacturer)",
            request.kbo
        )))
    })?;
    let (account_id, _) = stored::feed_account(conn, company.id)?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(format!(
            "company {} ({}) has no enabled manufacturer account to file the readings under: \
             add one (carpass staff user add --kbo {} --role manufacturer)",
            request.kbo, company.name, request.kbo
        )))
    })?;
    let batch =
        BatchId::parse(request.batch).map_err(|e| StaffError::usage(format!("--batch: {e}")))?;
    Ok(Upload {
        company_id: company.id,
        account_id,
        batch,
        format: request.format,
        source: ReadingSource::Connected,
        channel: "cli",
    })
}

/// The upload of an RDW file: filed under the registry's own staff account (the RDW has no
/// account of its own: the registry's staff bring its files in), its readings marked as the
/// RDW's. The batch id is the file's name unless one is given.
pub fn rdw_upload(conn: &mut DbConnection, batch: &str) -> Result<Upload, StaffError> {
    let batch = BatchId::parse(batch).map_err(|e| {
        StaffError::usage(format!(
            "batch id {batch:?} (the file's name unless --batch gives one): {e}"
        ))
    })?;
    let (company_id, account_id, _) = rdw_store::registry_account(conn)?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(
            "the RDW's readings are filed under the registry's own staff account, and there is \
             none: add the registry's company (carpass staff company add --kind registry) and a \
             staff account for it (carpass staff user add --role staff) first"
                .to_owned(),
        ))
    })?;
    Ok(Upload {
        company_id,
        account_id,
        batch,
        format: FeedFormat::Rdw,
        source: ReadingSource::Rdw,
        channel: "cli",
    })
}

/// An RDW import's result: the batch's, and how many vehicles got each verdict from it.
#[derive(Debug, Clone, Serialize)]
pub struct RdwImport {
    #[serde(flatten)]
    pub summary: Summary,
    /// Vehicles per verdict (the RDW's word) this file gave.
    pub verdicts: BTreeMap<String, i64>,
}

pub fn rdw_result(
    conn: &mut DbConnection,
    upload: &Upload,
    summary: Summary,
) -> Result<RdwImport, StaffError> {
    let verdicts = rdw_store::verdicts_of_batch(conn, upload.company_id, upload.batch.as_str())?
        .into_iter()
        .map(|(verdict, vehicles)| {
            let word = RdwVerdict::parse(&verdict).map_or(verdict, |v| v.word().to_owned());
            (word, vehicles)
        })
        .collect();
    Ok(RdwImport { summary, verdicts })
}

/// Reads `input` to its end, storing it chunk by chunk as an HTTP upload would; `progress` is
/// called after every chunk and at the end.
pub fn import(
    conn: &mut DbConnection,
    upload: &Upload,
    mut input: impl Read,
    now: impl Fn() -> DateTime<Utc>,
    mut progress: impl FnMut(&Progress),
) -> Result<Summary, StaffError> {
    let begin = feeds::begin(conn, upload)?;
    let mut intake = Intake::new(upload, &begin, CHUNK_LINES);
    let started = Instant::now();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    let store = |conn: &mut DbConnection, chunk: &feeds::Chunk| {
        let at = now();
        feeds::store_chunk(conn, upload, chunk, brussels_date(at), at.naive_utc())
    };
    loop {
        let read = input
            .read(&mut buffer)
            .map_err(|e| StaffError::usage(format!("the file could not be read: {e}")))?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        for chunk in intake.feed(&buffer[..read])? {
            store(conn, &chunk)?;
            progress(&Progress {
                lines: chunk.to,
                bytes,
                elapsed: started.elapsed(),
            });
        }
    }
    let mut ending = intake.finish()?;
    if let Some(chunk) = ending.last.take() {
        store(conn, &chunk)?;
    }
    progress(&Progress {
        lines: ending.lines,
        bytes,
        elapsed: started.elapsed(),
    });
    Ok(feeds::finish(conn, upload, &ending, now().naive_utc())?)
}

/// What one partner company sent through each feed it used, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerFeeds {
    pub kbo: String,
    pub name: String,
    /// Its batches (a manufacturer's bulk uploads, the RDW's files), per source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub batch_feeds: Vec<BatchFeeds>,
    /// Its `SubmitForeignHistory` readings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign: Option<ForeignFeeds>,
    /// The recalls it reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recalls: Option<RecallFeeds>,
    /// Its post-accident reports (an expert) and inspections (an inspection centre).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_accident: Option<PostAccidentFeeds>,
}

/// A partner's batches of one source.
#[derive(Debug, Clone, Serialize)]
pub struct BatchFeeds {
    pub source: String,
    pub batches: usize,
    /// Batches whose upload was cut off and not sent again since.
    pub incomplete: usize,
    pub lines: i64,
    pub stored: i64,
    pub conflicts: i64,
    pub refused: i64,
    pub last_batch: String,
    pub last_batch_at: String,
    /// Refused lines per reason.
    pub refused_by_reason: BTreeMap<String, i64>,
    /// Lines held for staff per history rule they broke.
    pub conflicts_by_reason: BTreeMap<String, i64>,
}

/// An importer's foreign readings. A reading sent again after it was stored is not counted
/// again (it is not stored twice); one refused again is (it was refused again).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ForeignFeeds {
    /// Stored, held, rejected by staff and refused.
    pub sent: i64,
    /// In the vehicle's history.
    pub stored: i64,
    /// Contradicting the history: waiting for staff review.
    pub held: i64,
    /// Held, then kept out of the history by staff.
    pub rejected_by_staff: i64,
    pub refused: i64,
    pub refused_by_reason: BTreeMap<String, i64>,
    /// The latest refused readings, newest first (at most `LATEST_REFUSED`).
    pub latest_refused: Vec<RefusedReading>,
}

/// How many of an importer's latest refused readings the report lists.
pub const LATEST_REFUSED: i64 = 20;

/// A foreign reading refused, as the importer sent it.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedReading {
    pub vin: String,
    pub date: String,
    pub odometer: i64,
    pub unit: String,
    pub country: String,
    pub reason: String,
    pub detail: String,
    pub refused_at: String,
}

/// The vehicle recalls (one per vehicle and campaign) a manufacturer reported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecallFeeds {
    pub reported: i64,
    pub open: i64,
    pub closed_by_manufacturer: i64,
    /// Closed by a garage's reading that carried the recall's repair.
    pub closed_by_repair: i64,
}

/// Post-accident records a company sent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostAccidentFeeds {
    /// An expert's reports.
    pub reported: i64,
    /// An inspection centre's inspections.
    pub passed: i64,
    pub failed: i64,
}

fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn report(conn: &mut DbConnection) -> Result<Vec<PartnerFeeds>, StaffError> {
    let mut partners: BTreeMap<i64, PartnerFeeds> = companies::all(conn)?
        .into_iter()
        .map(|c| {
            let partner = PartnerFeeds {
                kbo: c.kbo,
                name: c.name,
                batch_feeds: Vec::new(),
                foreign: None,
                recalls: None,
                post_accident: None,
            };
            (c.id, partner)
        })
        .collect();
    fn corrupt(what: String) -> StaffError {
        StaffError::Service(ServiceError::Corrupt(what))
    }
    fn company(
        partners: &mut BTreeMap<i64, PartnerFeeds>,
        id: i64,
    ) -> Result<&mut PartnerFeeds, StaffError> {
        partners
            .get_mut(&id)
            .ok_or_else(|| corrupt(format!("feeds of company {id}, which does not exist")))
    }
    // Batches come oldest first.
    for (_, _, batch) in stored::all_batches(conn)? {
        let feeds = &mut company(&mut partners, batch.company_id)?.batch_feeds;
        let at = match feeds.iter().position(|f| f.source == batch.source) {
            Some(at) => at,
            None => {
                feeds.push(BatchFeeds {
                    source: batch.source.clone(),
                    batches: 0,
                    incomplete: 0,
                    lines: 0,
                    stored: 0,
                    conflicts: 0,
                    refused: 0,
                    last_batch: String::new(),
                    last_batch_at: String::new(),
                    refused_by_reason: BTreeMap::new(),
                    conflicts_by_reason: BTreeMap::new(),
                });
                feeds.len() - 1
            }
        };
        let feed = &mut feeds[at];
        feed.batches += 1;
        feed.incomplete += usize::from(batch.completed_at.is_none());
        feed.lines += batch.lines;
        feed.stored += batch.stored;
        feed.conflicts += batch.conflicts;
        feed.refused += batch.refused;
        feed.last_batch = batch.batch_id;
        feed.last_batch_at = rfc3339(batch.started_at);
    }
    for (company_id, outcome, reason, lines) in stored::reasons_per_company(conn)? {
        // A company sends one source's batches; the reasons are counted over all of them.
        for feed in &mut company(&mut partners, company_id)?.batch_feeds {
            let counts = if outcome == "conflict" {
                &mut feed.conflicts_by_reason
            } else {
                &mut feed.refused_by_reason
            };
            *counts.entry(reason.clone()).or_default() += lines;
        }
    }
    for (company_id, status, readings) in foreign_readings::statuses_per_company(conn)? {
        let foreign = company(&mut partners, company_id)?
            .foreign
            .get_or_insert_with(Default::default);
        let status = ReadingStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("a foreign reading's status {status}")))?;
        match status {
            s if s.in_official_history() => foreign.stored += readings,
            ReadingStatus::Reviewing => foreign.held += readings,
            _ => foreign.rejected_by_staff += readings,
        }
        foreign.sent += readings;
    }
    for (company_id, reason, readings) in foreign_refusals::reasons_per_company(conn)? {
        let foreign = company(&mut partners, company_id)?
            .foreign
            .get_or_insert_with(Default::default);
        foreign.refused += readings;
        foreign.sent += readings;
        foreign.refused_by_reason.insert(reason, readings);
    }
    for (company_id, how, recalls) in recall_store::outcomes_per_reporter(conn)? {
        let feed = company(&mut partners, company_id)?
            .recalls
            .get_or_insert_with(Default::default);
        feed.reported += recalls;
        match how.as_deref().map(ClosedHow::parse) {
            None => feed.open += recalls,
            Some(Some(ClosedHow::Manufacturer)) => feed.closed_by_manufacturer += recalls,
            Some(Some(ClosedHow::Repair)) => feed.closed_by_repair += recalls,
            Some(None) => return Err(corrupt(format!("a recall closed as {how:?}"))),
        }
    }
    for (company_id, kind, records) in post_accidents::kinds_per_company(conn)? {
        let feed = company(&mut partners, company_id)?
            .post_accident
            .get_or_insert_with(Default::default);
        match kind.as_str() {
            "reported" => feed.reported += records,
            "passed" => feed.passed += records,
            "failed" => feed.failed += records,
            other => return Err(corrupt(format!("a post-accident record of kind {other}"))),
        }
    }
    let mut partners: Vec<(i64, PartnerFeeds)> = partners
        .into_iter()
        .filter(|(_, p)| {
            !p.batch_feeds.is_empty()
                || p.foreign.is_some()
                || p.recalls.is_some()
                || p.post_accident.is_some()
        })
        .collect();
    for (company_id, p) in &mut partners {
        if let Some(foreign) = p.foreign.as_mut().filter(|f| f.refused > 0) {
            foreign.latest_refused =
                foreign_refusals::latest_of(conn, *company_id, LATEST_REFUSED)?
                    .into_iter()
                    .map(|r| RefusedReading {
                        vin: r.vin,
                        date: r.reading_date.to_string(),
                        odometer: r.odometer,
                        unit: r.odometer_unit,
                        country: r.country,
                        reason: r.reason,
                        detail: r.detail,
                        refused_at: rfc3339(r.refused_at),
                    })
                    .collect();
        }
    }
    partners.sort_by(|a, b| a.1.kbo.cmp(&b.1.kbo));
    Ok(partners.into_iter().map(|(_, p)| p).collect())
}

/// "1 batch", "2 batches": the English word for a count.
fn counted(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report as a clerk reads it.
pub fn render_text(partners: &[PartnerFeeds]) -> String {
    use std::fmt::Write;
    if partners.is_empty() {
        return "no partner has sent a feed yet\n".into();
    }
    let reasons = |out: &mut String, label: &str, counts: &BTreeMap<String, i64>| {
        for (reason, n) in counts {
            let _ = writeln!(out, "    {label}: {reason} {n}");
        }
    };
    let mut out = String::new();
    for p in partners {
        let _ = writeln!(out, "{} {}", p.kbo, p.name);
        for f in &p.batch_feeds {
            let _ = writeln!(
                out,
                "  {}: {}{}, last {} at {}",
                f.source,
                counted(f.batches as i64, "batch", "batches"),
                if f.incomplete > 0 {
                    format!(" ({} incomplete)", f.incomplete)
                } else {
                    String::new()
                },
                f.last_batch,
                f.last_batch_at
            );
            let _ = writeln!(
                out,
                "    {}  stored {}  held for review {}  refused {}",
                counted(f.lines, "line", "lines"),
                f.stored,
                f.conflicts,
                f.refused
            );
            reasons(&mut out, "refused", &f.refused_by_reason);
            reasons(&mut out, "held for review", &f.conflicts_by_reason);
        }
        if let Some(f) = &p.foreign {
            let _ = writeln!(
                out,
                "  foreign history: {} sent  stored {}  held for review {}  rejected by staff {}  refused {}",
                counted(f.sent, "reading", "readings"),
                f.stored,
                f.held,
                f.rejected_by_staff,
                f.refused
            );
            reasons(&mut out, "refused", &f.refused_by_reason);
            for r in &f.latest_refused {
                let _ = writeln!(
                    out,
                    "    refused at {}: {} {} {} {} {}: {} ({})",
                    r.refused_at, r.vin, r.date, r.odometer, r.unit, r.country, r.reason, r.detail
                );
            }
        }
        if let Some(r) = &p.recalls {
            let _ = writeln!(
                out,
                "  recalls: {} reported  open {}  closed by the manufacturer {}  closed by a garage's repair {}",
                counted(r.reported, "vehicle recall", "vehicle recalls"),
                r.open,
                r.closed_by_manufacturer,
                r.closed_by_repair
            );
        }
        if let Some(a) = &p.post_accident {
            if a.reported > 0 {
                let _ = writeln!(
                    out,
                    "  post-accident: {} reported",
                    counted(a.reported, "accident", "accidents")
                );
            }
            if a.passed + a.failed > 0 {
                let _ = writeln!(
                    out,
                    "  post-accident inspections: passed {}  failed {}",
                    a.passed, a.failed
                );
            }
        }
    }
    out
}
