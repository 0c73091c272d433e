//! `carpass import readings` and `carpass staff feeds`: the partners' feeds on the command line
//! (their work is in `staff::feeds`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{to_json, CliError, OutputFormat, TextOrJson};
use crate::db::{self, DatabaseUrl, DbConnection};
use crate::domain::feed::FeedFormat;
use crate::service::feeds::Summary;
use crate::staff::feeds::{self, ImportRequest, Progress};

#[derive(Debug, clap::Args)]
pub struct ImportReadings {
    /// The file: CSV with the header vin,date,odometer,unit, or NDJSON (one object a line).
    file: PathBuf,
    /// Where the readings come from; `connected` (a manufacturer's connected cars).
    #[arg(long)]
    source: String,
    /// The partner's enterprise number: its readings are filed under its manufacturer account.
    #[arg(long)]
    company: String,
    /// The batch id (default: the file's name); the same batch again stores nothing twice.
    #[arg(long)]
    batch: Option<String>,
    /// What the file holds: csv or ndjson (default: from its extension, .csv or .ndjson/.jsonl).
    #[arg(long)]
    file_format: Option<String>,
    #[command(flatten)]
    output: OutputFormat,
}

/// The progress line, at most once a second, and the last one.
struct Meter {
    total: Option<u64>,
    shown: Option<Instant>,
}

impl Meter {
    fn show(&mut self, p: &Progress, last: bool) {
        if !last
            && self
                .shown
                .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.shown = Some(Instant::now());
        let share = self
            .total
            .filter(|t| *t > 0)
            .map(|t| format!(" ({:.0} %)", p.bytes as f64 * 100.0 / t as f64))
            .unwrap_or_default();
        let line = format!("{} lines{share}, {} lines/s", p.lines, p.lines_per_second());
        let mut err = std::io::stderr();
        // On a terminal the line is rewritten in place; in a log, one line a second.
        if err.is_terminal() {
            let _ = write!(err, "\r{line}   ");
            if last {
                let _ = writeln!(err);
            }
        } else {
            let _ = writeln!(err, "{line}");
        }
    }
}

pub fn import_readings(url: DatabaseUrl, args: ImportReadings) -> Result<(), CliError> {
    let name = args.file.display().to_string();
    let format = match args.file_format.as_deref() {
        Some(raw) => FeedFormat::parse(raw)
            .ok_or_else(|| CliError::Io(format!("--file-format {raw}: csv or ndjson")))?,
        None => match args.file.extension().and_then(|e| e.to_str()) {
            Some("csv") => FeedFormat::Csv,
            Some("ndjson" | "jsonl") => FeedFormat::Ndjson,
            _ => {
                return Err(CliError::Io(format!(
                    "{name}: say --file-format csv or --file-format ndjson (the name ends neither in .csv \
                     nor in .ndjson)"
                )))
            }
        },
    };
    let batch = args.batch.unwrap_or_else(|| file_name(&args.file));
    let file = std::fs::File::open(&args.file).map_err(|e| CliError::Io(format!("{name}: {e}")))?;
    let total = file.metadata().ok().map(|m| m.len());
    let pool = db::connect_existing(&url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let upload = feeds::upload_for(
        &mut conn,
        &ImportRequest {
            kbo: &args.company,
            source: &args.source,
            batch: &batch,
            format,
        },
    )?;
    let summary = import_with_progress(&mut conn, &upload, file, total)?;
    if args.output.get() == TextOrJson::Json {
        println!("{}", to_json(&summary)?);
    } else {
        print_summary(&summary, &name);
        if let Some(after) = summary.more_after {
            println!(
                "  ... more after line {after}: GET /feeds/readings/{}?after={after}",
                summary.batch
            );
        }
    }
    Ok(())
}

/// Stores the file chunk by chunk, showing the progress line.
fn import_with_progress(
    conn: &mut DbConnection,
    upload: &crate::service::feeds::Upload,
    file: std::fs::File,
    total: Option<u64>,
) -> Result<Summary, CliError> {
    let mut meter = Meter { total, shown: None };
    let mut last_lines = None;
    Ok(feeds::import(
        conn,
        upload,
        std::io::BufReader::new(file),
        Utc::now,
        |p| {
            let last = last_lines == Some(p.lines);
            meter.show(p, last);
            last_lines = Some(p.lines);
        },
    )?)
}

fn print_summary(summary: &Summary, name: &str) {
    println!(
        "batch {} from {name}: {} lines, {} stored, {} held for staff review, {} refused",
        summary.batch, summary.lines, summary.stored, summary.conflicts, summary.refused
    );
    for problem in &summary.problems {
        println!(
            "  line {}: {} ({}): {}",
            problem.line, problem.outcome, problem.reason, problem.detail
        );
    }
}

#[derive(Debug, clap::Args)]
pub struct ImportRdw {
    /// The RDW's file: one reading a line under the header vin;date;odometer;unit;verdict
    /// (';' or ','), the date YYYY-MM-DD, the unit km or mi, the verdict logisch, onlogisch,
    /// geen oordeel or empty.
    file: PathBuf,
    /// The batch id (default: the file's name); importing the same file again stores nothing
    /// twice.
    #[arg(long)]
    batch: Option<String>,
    #[command(flatten)]
    output: OutputFormat,
}

/// `carpass import rdw-history`: the readings under the registry's own account, marked as the
/// RDW's, each line judged against the history like a partner's; the verdicts kept per vehicle.
pub fn import_rdw(url: DatabaseUrl, args: ImportRdw) -> Result<(), CliError> {
    let name = args.file.display().to_string();
    let batch = args.batch.unwrap_or_else(|| file_name(&args.file));
    let file = std::fs::File::open(&args.file).map_err(|e| CliError::Io(format!("{name}: {e}")))?;
    let total = file.metadata().ok().map(|m| m.len());
    let pool = db::connect_existing(&url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let upload = feeds::rdw_upload(&mut conn, &batch)?;
    let summary = import_with_progress(&mut conn, &upload, file, total)?;
    let imported = feeds::rdw_result(&mut conn, &upload, summary)?;
    if args.output.get() == TextOrJson::Json {
        println!("{}", to_json(&imported)?);
    } else {
        print_summary(&imported.summary, &name);
        let verdicts: Vec<String> = imported
            .verdicts
            .iter()
            .map(|(verdict, vehicles)| format!("{verdict} {vehicles}"))
            .collect();
        println!(
            "  RDW verdicts kept: {}",
            if verdicts.is_empty() {
                "none".to_owned()
            } else {
                verdicts.join(", ")
            }
        );
        if let Some(after) = imported.summary.more_after {
            println!("  ... more problems after line {after}: carpass staff feeds --json, or /staff/feeds");
        }
    }
    Ok(())
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

pub fn report(conn: &mut DbConnection, format: TextOrJson) -> Result<(), CliError> {
    let partners = feeds::report(conn)?;
    match format {
        TextOrJson::Json => println!("{}", to_json(&partners)?),
        TextOrJson::Text => print!("{}", feeds::render_text(&partners)),
    }
    Ok(())
}
