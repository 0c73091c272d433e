//! The partners' feeds from the registry's side: `carpass import readings` (a partner's file
//! brought in by staff, with the same rules and the same batch as an HTTP upload) and `carpass
//! staff feeds` (per partner, what it sent and what was refused).

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Refusal, StaffError};
use crate::db::{companies, feeds as stored, rdw as rdw_store, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::domain::feed::{BatchId, FeedFormat};
use crate::domain::rdw::RdwVerdict;
use crate::domain::source::ReadingSource;
use crate::service::feeds::{self, FeedError, Intake, Summary, Upload, CHUNK_LINES};

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

/// What one partner sent through its feeds.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerFeeds {
    pub kbo: String,
    pub name: String,
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

pub fn report(conn: &mut DbConnection) -> Result<Vec<PartnerFeeds>, StaffError> {
    let reasons = stored::reasons_per_company(conn)?;
    let mut partners: Vec<(i64, PartnerFeeds)> = Vec::new();
    for (kbo, name, batch) in stored::all_batches(conn)? {
        let key = (batch.company_id, batch.source.clone());
        let at = partners
            .iter()
            .position(|(id, p)| (*id, p.source.clone()) == key);
        let partner = match at {
            Some(at) => &mut partners[at].1,
            None => {
                partners.push((
                    batch.company_id,
                    PartnerFeeds {
                        kbo,
                        name,
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
                    },
                ));
                &mut partners.last_mut().expect("just pushed").1
            }
        };
        partner.batches += 1;
        partner.incomplete += usize::from(batch.completed_at.is_none());
        partner.lines += batch.lines;
        partner.stored += batch.stored;
        partner.conflicts += batch.conflicts;
        partner.refused += batch.refused;
        // Batches come oldest first.
        partner.last_batch = batch.batch_id;
        partner.last_batch_at = batch
            .started_at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    for (company_id, outcome, reason, lines) in reasons {
        for (_, partner) in partners.iter_mut().filter(|(id, _)| *id == company_id) {
            let counts = if outcome == "conflict" {
                &mut partner.conflicts_by_reason
            } else {
                &mut partner.refused_by_reason
            };
            *counts.entry(reason.clone()).or_default() += lines;
        }
    }
    Ok(partners.into_iter().map(|(_, p)| p).collect())
}

/// The report as a clerk reads it.
pub fn render_text(partners: &[PartnerFeeds]) -> String {
    use std::fmt::Write;
    if partners.is_empty() {
        return "no partner has sent a feed yet\n".into();
    }
    let mut out = String::new();
    for p in partners {
        let _ = writeln!(
            out,
            "{} {} ({}): {} batches{}, last {} at {}",
            p.kbo,
            p.name,
            p.source,
            p.batches,
            if p.incomplete > 0 {
                format!(" ({} incomplete)", p.incomplete)
            } else {
                String::new()
            },
            p.last_batch,
            p.last_batch_at
        );
        let _ = writeln!(
            out,
            "  lines {}  stored {}  held for review {}  refused {}",
            p.lines, p.stored, p.conflicts, p.refused
        );
        for (label, counts) in [
            ("refused", &p.refused_by_reason),
            ("held for review", &p.conflicts_by_reason),
        ] {
            for (reason, lines) in counts {
                let _ = writeln!(out, "    {label}: {reason} {lines}");
            }
        }
    }
    out
}
