//! A partner's bulk upload of readings (issue 22, point 2), whichever way it comes (streamed
//! HTTP or the command line): the file is read line by line and committed in chunks, each in
//! a transaction of its own with the batch's progress, so that memory does not grow with the
//! file and an upload cut off midway resumes where its last chunk ended. The batch id makes
//! the upload idempotent: the file's SHA-256 tells a resend (answered with the first result)
//! from a different file under the same id (refused, nothing changed).

use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use tokio::sync::{mpsc, oneshot};

use crate::db::feeds::{self, BatchRow, Counts, LineRow};
use crate::db::issues::NewIssue;
use crate::db::rdw::{self as rdw_store, VerdictRow};
use crate::db::readings::ReadingRow;
use crate::db::{self as storage, issues, readings, DbConnection, Pool};
use crate::domain::feed::{
    check_header, judge, parse_line, BatchId, FeedFormat, LineSplitter, RawLine, Verdict,
};
use crate::domain::issue_state::IssueState;
use crate::domain::language::Language;
use crate::domain::rdw;
use crate::domain::rules::Finding;
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;

use super::known_vins::KnownVins;
use super::ServiceError;

/// Lines per transaction: enough that a commit's cost is shared by many readings (the storage
/// floor's 1000-row transactions), few enough that a chunk's lines, readings and VIN histories
/// stay about a megabyte.
pub const CHUNK_LINES: usize = 1_000;
/// The most refused and conflicting lines one answer lists; `after` pages through the rest.
pub const LINES_PER_ANSWER: i64 = 1_000;

/// One upload: whose, which batch, in which format, through which door.
#[derive(Debug, Clone)]
pub struct Upload {
    pub company_id: i64,
    pub account_id: i64,
    pub batch: BatchId,
    pub format: FeedFormat,
    pub source: ReadingSource,
    /// "http" or "cli", recorded with the batch.
    pub channel: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{0}; nothing of this file was stored")]
    Header(String),
    #[error("the file is empty: send the CSV header {} and one reading per line, or NDJSON with one reading per line", crate::domain::feed::CSV_HEADER)]
    Empty,
    #[error(
        "batch {batch} was already sent with a different file ({detail}): nothing was changed. \
         Send the same file again to get its result, or choose a new batch id for a new file"
    )]
    DifferentFile { batch: String, detail: String },
    #[error(
        "batch {batch} was sent as {was}, this file is {now}: nothing was changed. Send it in \
         the batch's format, or choose a new batch id"
    )]
    FormatChanged {
        batch: String,
        was: String,
        now: &'static str,
    },
    #[error(
        "batch {0} is being sent by another upload at this moment: nothing of this one was \
         stored twice. Send it again once the other has ended: it resumes where that one stopped"
    )]
    Concurrent(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<diesel::result::Error> for FeedError {
    fn from(e: diesel::result::Error) -> Self {
        FeedError::Service(ServiceError::Database(e))
    }
}

/// Where a batch stands when an upload of it starts.
#[derive(Debug, Clone)]
pub enum Begin {
    /// Never seen: its first chunk creates it.
    Fresh,
    /// Cut off after `lines` lines whose bytes hash to `prefix_sha256`.
    Resume { lines: u64, prefix_sha256: String },
    /// Complete: the file is only hashed, to tell a resend from a different file.
    Done(Box<BatchRow>),
}

pub fn begin(conn: &mut DbConnection, upload: &Upload) -> Result<Begin, FeedError> {
    let Some(row) = feeds::find_batch(conn, upload.company_id, upload.batch.as_str())? else {
        return Ok(Begin::Fresh);
    };
    if row.format != upload.format.as_str() {
        return Err(FeedError::FormatChanged {
            batch: row.batch_id,
            was: row.format,
            now: upload.format.as_str(),
        });
    }
    if row.completed_at.is_some() {
        return Ok(Begin::Done(Box::new(row)));
    }
    Ok(Begin::Resume {
        lines: row.lines.max(0) as u64,
        prefix_sha256: row.prefix_sha256,
    })
}

/// Lines ready to be committed together: the file's lines `from + 1 ..= to` (a CSV's header
/// among them, but not in `lines`), and the digest of the file through line `to`.
#[derive(Debug)]
pub struct Chunk {
    pub from: u64,
    pub to: u64,
    pub prefix_sha256: String,
    pub lines: Vec<RawLine>,
}

/// The file as it arrives, cut into chunks. Lines already committed (a resumed upload) are
/// only hashed, and the digest at their end must be the one recorded.
pub struct Intake {
    batch: String,
    format: FeedFormat,
    fresh: bool,
    done: bool,
    skip: u64,
    expected_prefix: Option<String>,
    splitter: LineSplitter,
    pending: Vec<RawLine>,
    committed: u64,
    chunk_lines: usize,
}

/// The end of the file: its last chunk, its digest and its number of lines.
pub struct Ending {
    pub last: Option<Chunk>,
    pub file_sha256: String,
    pub lines: u64,
}

impl Intake {
    pub fn new(upload: &Upload, begin: &Begin, chunk_lines: usize) -> Intake {
        let (skip, expected_prefix) = match begin {
            Begin::Resume {
                lines,
                prefix_sha256,
            } => (*lines, Some(prefix_sha256.clone())),
            Begin::Fresh | Begin::Done(_) => (0, None),
        };
        Intake {
            batch: upload.batch.as_str().to_owned(),
            format: upload.format,
            fresh: matches!(begin, Begin::Fresh),
            done: matches!(begin, Begin::Done(_)),
            skip,
            expected_prefix,
            splitter: LineSplitter::default(),
            pending: Vec::with_capacity(chunk_lines),
            committed: skip,
            chunk_lines: chunk_lines.max(1),
        }
    }

    /// Takes the next piece of the file; answers the chunks it completed (none, mostly).
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<Vec<Chunk>, FeedError> {
        let mut chunks = Vec::new();
        while !bytes.is_empty() {
            if let Some(line) = self.splitter.next_line(&mut bytes) {
                if let Some(chunk) = self.take(line)? {
                    chunks.push(chunk);
                }
            }
        }
        Ok(chunks)
    }

    fn take(&mut self, line: RawLine) -> Result<Option<Chunk>, FeedError> {
        if self.done {
            return Ok(None);
        }
        if line.number <= self.skip {
            if line.number == self.skip {
                self.check_prefix()?;
            }
            return Ok(None);
        }
        if self.format.has_header() && line.number == 1 {
            let text = line.text.map_err(|e| FeedError::Header(e.to_string()))?;
            match self.format {
                FeedFormat::Rdw => rdw::check_header(&text),
                _ => check_header(&text),
            }
            .map_err(FeedError::Header)?;
            return Ok(None);
        }
        // A blank line (a file's last line break doubled, say) is no reading and no mistake.
        if line.text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
            return Ok(None);
        }
        self.pending.push(line);
        if self.pending.len() >= self.chunk_lines {
            return Ok(Some(self.cut()));
        }
        Ok(None)
    }

    fn check_prefix(&self) -> Result<(), FeedError> {
        if self.expected_prefix.as_deref() == Some(self.splitter.digest().as_str()) {
            return Ok(());
        }
        Err(FeedError::DifferentFile {
            batch: self.batch.clone(),
            detail: format!(
                "its first {} lines, already stored, differ from this file's",
                self.skip
            ),
        })
    }

    fn cut(&mut self) -> Chunk {
        let to = self.splitter.lines();
        let chunk = Chunk {
            from: self.committed,
            to,
            prefix_sha256: self.splitter.digest(),
            lines: std::mem::replace(&mut self.pending, Vec::with_capacity(self.chunk_lines)),
        };
        self.committed = to;
        chunk
    }

    pub fn finish(mut self) -> Result<Ending, FeedError> {
        let mut last = None;
        if let Some(line) = self.splitter.finish() {
            last = self.take(line)?;
        }
        let lines = self.splitter.lines();
        if lines == 0 && !self.done {
            return Err(FeedError::Empty);
        }
        if lines < self.skip {
            return Err(FeedError::DifferentFile {
                batch: self.batch.clone(),
                detail: format!(
                    "this file has {lines} lines, fewer than the {} already stored",
                    self.skip
                ),
            });
        }
        // The batch's row is made by its first chunk: even a file of only a header has one.
        if !self.done && (lines > self.committed || (self.fresh && self.committed == 0)) {
            last = Some(self.cut());
        }
        Ok(Ending {
            last,
            file_sha256: self.splitter.digest(),
            lines,
        })
    }
}

/// Checks and stores one chunk in a transaction of its own, with the batch's progress.
pub fn store_chunk(
    conn: &mut DbConnection,
    upload: &Upload,
    chunk: &Chunk,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Counts, FeedError> {
    storage::writing(conn, |conn| {
        let batch = upload.batch.as_str();
        if chunk.from == 0 {
            let created = feeds::create_batch(
                conn,
                &BatchRow {
                    company_id: upload.company_id,
                    batch_id: batch.to_owned(),
                    account_id: upload.account_id,
                    source: upload.source.as_str().to_owned(),
                    format: upload.format.as_str().to_owned(),
                    channel: upload.channel.to_owned(),
                    lines: 0,
                    prefix_sha256: String::new(),
                    stored: 0,
                    conflicts: 0,
                    refused: 0,
                    file_sha256: None,
                    started_at: now,
                    updated_at: now,
                    completed_at: None,
                },
            );
            match created {
                Err(e) if storage::is_duplicate(&e) => {
                    return Err(FeedError::Concurrent(batch.to_owned()))
                }
                other => other?,
            }
        }
        // The batch's readings are its first account's, whoever of the partner sends it again.
        let account_id = feeds::find_batch(conn, upload.company_id, batch)?
            .map_or(upload.account_id, |row| row.account_id);
        let parsed: Vec<_> = chunk
            .lines
            .iter()
            .map(|line| {
                let reading = match (&line.text, upload.format) {
                    (Ok(text), FeedFormat::Rdw) => rdw::parse_line(text),
                    (Ok(text), format) => parse_line(format, text).map(|r| (r, None)),
                    (Err(problem), _) => Err(problem.clone()),
                };
                (line.number, reading)
            })
            .collect();
        let mut vins: Vec<&str> = parsed
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().map(|(r, _)| r.vin.as_str()))
            .collect();
        vins.sort_unstable();
        vins.dedup();
        readings::lock_vins(conn, &vins, now)?;
        let mut known = KnownVins::load(conn, &vins)?;

        let mut rows = Vec::with_capacity(parsed.len());
        let mut lines = Vec::new();
        let mut conflicts = Vec::new();
        let mut verdicts = Vec::new();
        for (number, reading) in &parsed {
            let refuse = |problem: &crate::domain::feed::LineProblem| {
                line_row(
                    upload,
                    *number,
                    "refused",
                    problem.code(),
                    problem.to_string(),
                    None,
                )
            };
            let (reading, rdw_verdict) = match reading {
                Ok(parsed) => parsed,
                Err(problem) => {
                    lines.push(refuse(problem));
                    continue;
                }
            };
            let vin = reading.vin.as_str();
            let id = readings::new_id();
            let verdict = judge(reading, known.vehicle(vin), known.history(vin), today);
            // The RDW's verdict judges the vehicle's series, whatever becomes of this reading,
            // unless the line gives nothing (a vehicle the register does not know, a bad date).
            let keeps_verdict = !matches!(
                &verdict,
                Verdict::Refuse(p) if *p != crate::domain::feed::LineProblem::AlreadyInHistory
            );
            if let (Some(rdw_verdict), true) = (rdw_verdict, keeps_verdict) {
                verdicts.push(VerdictRow {
                    company_id: upload.company_id,
                    batch_id: batch.to_owned(),
                    line: *number as i64,
                    vin: vin.to_owned(),
                    verdict: rdw_verdict.as_str().to_owned(),
                    judged_on: reading.date,
                    imported_at: now,
                });
            }
            let status = match verdict {
                Verdict::Refuse(problem) => {
                    lines.push(refuse(&problem));
                    continue;
                }
                Verdict::Store => {
                    known.add(vin, reading.history_entry(), now);
                    ReadingStatus::Accepted
                }
                Verdict::Conflict(findings) => {
                    let first = &findings[0];
                    lines.push(line_row(
                        upload,
                        *number,
                        "conflict",
                        first.code().as_str(),
                        conflict_detail(&first.detail.message(Language::En)),
                        Some(id.clone()),
                    ));
                    conflicts.push((id.clone(), findings));
                    ReadingStatus::Reviewing
                }
            };
            rows.push(ReadingRow {
                id,
                account_id,
                company_id: upload.company_id,
                client_reference: upload.batch.client_reference(*number),
                vin: reading.vin.as_str().to_owned(),
                work_date: reading.date,
                odometer: reading.odometer as i64,
                odometer_unit: reading.unit.as_str().to_owned(),
                odometer_km: reading.unit.to_km(reading.odometer) as i64,
                odometer_replaced: None,
                subcontracted: false,
                customer_type: "Business".to_owned(),
                invoice_total_cents: 0,
                license_plate: None,
                language: Language::En.as_str().to_owned(),
                software_builder: None,
                software_name: None,
                software_version: None,
                status: status.as_str().to_owned(),
                receipt_status: status.as_str().to_owned(),
                received_at: now,
                updated_at: now,
                source: upload.source.as_str().to_owned(),
            });
        }
        // A partner's reading has no works.
        crate::db::readings::insert(conn, &rows, &[])?;
        for (reading_id, findings) in &conflicts {
            hold_for_staff(conn, reading_id, findings, now)?;
        }
        feeds::insert_lines(conn, &lines)?;
        rdw_store::insert_verdicts(conn, &verdicts)?;
        let counts = Counts {
            stored: (rows.len() - conflicts.len()) as i64,
            conflicts: conflicts.len() as i64,
            refused: (lines.len() - conflicts.len()) as i64,
        };
        let moved = feeds::advance(
            conn,
            upload.company_id,
            batch,
            chunk.from as i64,
            chunk.to as i64,
            &chunk.prefix_sha256,
            counts,
            now,
        )?;
        if moved != 1 {
            return Err(FeedError::Concurrent(batch.to_owned()));
        }
        Ok(counts)
    })
}

/// A partner's conflicting reading's findings, as issues held for staff, never for the partner
/// to correct: no garage sent it (the bulk feed's and the importers' foreign histories').
pub(super) fn hold_for_staff(
    conn: &mut DbConnection,
    reading_id: &str,
    findings: &[Finding],
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    for finding in findings {
        let detail = serde_json::to_string(&finding.detail)
            .map_err(|e| ServiceError::Corrupt(e.to_string()))?;
        let code = finding.code();
        issues::insert(
            conn,
            &NewIssue {
                reading_id,
                code: code.as_str(),
                severity: code.severity().as_str(),
                correctable: false,
                field: finding.field.as_deref(),
                detail: &detail,
                state: IssueState::Escalated.as_str(),
                on_receipt: true,
                created_at: now,
            },
        )?;
    }
    Ok(())
}

/// What the rule found, without the garage's instructions that follow it (correct or confirm):
/// a partner has no such answer, staff decide.
pub(super) fn conflict_detail(message: &str) -> String {
    let finding = message.split_once(". ").map_or(message, |(first, _)| first);
    format!(
        "{}. Held for staff review: the reading stays out of the history until staff decide",
        finding.trim_end_matches('.')
    )
}

fn line_row(
    upload: &Upload,
    line: u64,
    outcome: &str,
    reason: &str,
    detail: String,
    reading_id: Option<String>,
) -> LineRow {
    LineRow {
        company_id: upload.company_id,
        batch_id: upload.batch.as_str().to_owned(),
        line: line as i64,
        outcome: outcome.to_owned(),
        reason: reason.to_owned(),
        detail,
        reading_id,
    }
}

/// Ends the upload: a new or resumed batch is marked complete with its file's digest; a
/// complete one is compared with it. Answers the batch's result.
pub fn finish(
    conn: &mut DbConnection,
    upload: &Upload,
    ending: &Ending,
    now: NaiveDateTime,
) -> Result<Summary, FeedError> {
    let batch = upload.batch.as_str();
    let row = feeds::find_batch(conn, upload.company_id, batch)?
        .ok_or_else(|| FeedError::Concurrent(batch.to_owned()))?;
    match &row.file_sha256 {
        Some(sha) if *sha == ending.file_sha256 => {}
        Some(_) => {
            return Err(FeedError::DifferentFile {
                batch: batch.to_owned(),
                detail: "the files' SHA-256 differ".into(),
            })
        }
        None => {
            let marked = feeds::complete(
                conn,
                upload.company_id,
                batch,
                ending.lines as i64,
                &ending.file_sha256,
                now,
            )?;
            if marked != 1 {
                return Err(FeedError::Concurrent(batch.to_owned()));
            }
        }
    }
    summary(conn, upload.company_id, batch, 0)?.ok_or_else(|| FeedError::Concurrent(batch.into()))
}

/// A batch's result, as the upload's answer and `GET /feeds/readings/{batch}` give it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub batch: String,
    pub source: String,
    pub format: String,
    /// "complete", or "incomplete" while (or after) an upload was cut off.
    pub state: &'static str,
    /// Lines of the file read and committed (a CSV's header included).
    pub lines: i64,
    pub stored: i64,
    pub conflicts: i64,
    pub refused: i64,
    pub file_sha256: Option<String>,
    pub started_at: String,
    pub completed_at: Option<String>,
    /// Lines per outcome and reason.
    pub reasons: Vec<ReasonCount>,
    /// The refused and conflicting lines, in order, after `after` (at most 1,000).
    pub problems: Vec<Problem>,
    /// When more problems follow: ask again with `?after=` this line.
    pub more_after: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReasonCount {
    pub outcome: String,
    pub reason: String,
    pub lines: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub line: i64,
    pub outcome: String,
    pub reason: String,
    pub detail: String,
    /// A conflicting reading, stored and held for staff review.
    pub reading_id: Option<String>,
}

pub fn summary(
    conn: &mut DbConnection,
    company_id: i64,
    batch: &str,
    after: i64,
) -> Result<Option<Summary>, FeedError> {
    let Some(row) = feeds::find_batch(conn, company_id, batch)? else {
        return Ok(None);
    };
    let reasons = feeds::reasons_of(conn, company_id, batch)?
        .into_iter()
        .map(|(outcome, reason, lines)| ReasonCount {
            outcome,
            reason,
            lines,
        })
        .collect();
    let mut page = feeds::lines_after(conn, company_id, batch, after, LINES_PER_ANSWER + 1)?;
    let more_after = (page.len() as i64 > LINES_PER_ANSWER).then(|| {
        page.truncate(LINES_PER_ANSWER as usize);
        page.last().map_or(after, |l| l.line)
    });
    Ok(Some(Summary {
        batch: row.batch_id,
        source: row.source,
        format: row.format,
        state: if row.completed_at.is_some() {
            "complete"
        } else {
            "incomplete"
        },
        lines: row.lines,
        stored: row.stored,
        conflicts: row.conflicts,
        refused: row.refused,
        file_sha256: row.file_sha256,
        started_at: row
            .started_at
            .and_utc()
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        completed_at: row
            .completed_at
            .map(|t| t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)),
        reasons,
        problems: page
            .into_iter()
            .map(|l| Problem {
                line: l.line,
                outcome: l.outcome,
                reason: l.reason,
                detail: l.detail,
                reading_id: l.reading_id,
            })
            .collect(),
        more_after,
    }))
}

enum Step {
    Chunk {
        chunk: Chunk,
        today: NaiveDate,
        now: NaiveDateTime,
    },
    Finish {
        ending: Ending,
        now: NaiveDateTime,
    },
}

type Outcome = Result<Option<Summary>, FeedError>;

/// An upload's storage work, on a thread and a connection of its own for the whole file: its
/// chunks are allocated and freed in the same two places whatever their number, and one
/// connection's page cache serves them, so the server's memory does not grow with the file
/// (on the shared blocking pool, each thread and each pooled connection a chunk happened to
/// land on kept some). The next chunk is read while one is stored; no more wait.
pub struct Writer {
    steps: mpsc::Sender<Step>,
    outcome: oneshot::Receiver<Outcome>,
}

impl Writer {
    pub fn start(pool: Pool, upload: Upload) -> Result<Writer, FeedError> {
        let (steps, mut inbox) = mpsc::channel::<Step>(1);
        let (reply, outcome) = oneshot::channel();
        std::thread::Builder::new()
            .name("carpass-feed".into())
            .spawn(move || {
                let mut work = || -> Outcome {
                    let mut conn = pool.get().map_err(ServiceError::Pool)?;
                    while let Some(step) = inbox.blocking_recv() {
                        match step {
                            Step::Chunk { chunk, today, now } => {
                                store_chunk(&mut conn, &upload, &chunk, today, now)?;
                            }
                            Step::Finish { ending, now } => {
                                return finish(&mut conn, &upload, &ending, now).map(Some)
                            }
                        }
                    }
                    Ok(None)
                };
                let _ = reply.send(work());
            })
            .map_err(|e| ServiceError::Unavailable(format!("no thread for the upload: {e}")))?;
        Ok(Writer { steps, outcome })
    }

    /// Hands a chunk over; an error is the one that stopped the writer at an earlier chunk.
    pub async fn store(
        &mut self,
        chunk: Chunk,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<(), FeedError> {
        if self
            .steps
            .send(Step::Chunk { chunk, today, now })
            .await
            .is_ok()
        {
            return Ok(());
        }
        Err(self.failure().await)
    }

    async fn failure(&mut self) -> FeedError {
        match (&mut self.outcome).await {
            Ok(Err(e)) => e,
            _ => FeedError::Service(ServiceError::Unavailable(
                "the upload's writer stopped".into(),
            )),
        }
    }

    /// Stores the last chunk (if any) and ends the batch; answers its result.
    pub async fn finish(
        mut self,
        mut ending: Ending,
        now: NaiveDateTime,
        today: NaiveDate,
    ) -> Result<Summary, FeedError> {
        if let Some(chunk) = ending.last.take() {
            self.store(chunk, today, now).await?;
        }
        if self.steps.send(Step::Finish { ending, now }).await.is_err() {
            return Err(self.failure().await);
        }
        match self.outcome.await {
            Ok(Ok(Some(summary))) => Ok(summary),
            Ok(Err(e)) => Err(e),
            _ => Err(FeedError::Service(ServiceError::Unavailable(
                "the upload's writer stopped".into(),
            ))),
        }
    }
}
