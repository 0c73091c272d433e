//! The command line (SPEC 6; the command names are part of the contract).

use std::io::Read;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::certification::reference_dms::{self, Defect};
use crate::certification::remote::{OpenedRemotely, Remote, RemoteError};
use crate::certification::{
    evaluations, report, review as cert_review, sessions, CertificationError,
};
use crate::db::{self, DatabaseUrl};
use crate::domain::certification::evaluation::Software;
use crate::domain::certification::scenario::SheetLanguage;
use crate::service::auth::Role;
use crate::service::register;
use crate::settings::{
    self, Settings, TlsFiles, DEFAULT_BIND, DEFAULT_DATABASE_URL, DEFAULT_SHUTDOWN_TIMEOUT_SECS,
};
use crate::staff::review::{self, Decision, PaperForm};
use crate::staff::{self, companies::CompanyKind, StaffError};
use crate::staff::{approvals, software, trusted_providers};
use crate::startup::Application;

mod feeds;

#[derive(Debug, Parser)]
#[command(
    name = "carpass",
    version,
    about = "The odometer registry's inflow service"
)]
pub struct Cli {
    /// sqlite://PATH (or a plain file path) or postgres://USER:PASSWORD@HOST/DB
    #[arg(long, global = true, env = "CARPASS_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (and the certification database beside it), or bring an existing
    /// one up to date; the staff, import and certify commands only open what exists.
    Init,
    /// Serve the SOAP endpoint (the WSDL is at /soap/inflow?wsdl).
    Serve {
        /// The address and port to listen on.
        #[arg(long, env = "CARPASS_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Show every part at once: demo garage, portal and staff accounts, vehicles with
        /// histories, readings in review and a certification session ready to play; prints
        /// the addresses and credentials.
        #[arg(long)]
        demo: bool,
        /// Serve HTTPS (TLS 1.2 and 1.3): the certificate chain, PEM, the server's certificate first.
        #[arg(
            long,
            env = "CARPASS_TLS_CERT",
            value_name = "FILE",
            requires = "tls_key"
        )]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key, PEM (PKCS#8, RSA or EC).
        #[arg(
            long,
            env = "CARPASS_TLS_KEY",
            value_name = "FILE",
            requires = "tls_cert"
        )]
        tls_key: Option<PathBuf>,
        /// On SIGTERM or SIGINT, how long the requests in flight may take to finish.
        #[arg(long, env = "CARPASS_SHUTDOWN_TIMEOUT", value_name = "SECONDS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT_SECS)]
        shutdown_timeout: u64,
        #[command(flatten)]
        limits: Limits,
    },
    /// Registry staff tools.
    Staff {
        /// Who acts (a staff account); recorded with every decision.
        #[arg(long, global = true, env = "CARPASS_STAFF")]
        staff: Option<String>,
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Certification of DMS software (SPEC 5): sessions in the certification environment.
    Certify {
        /// Who acts, recorded with steps, screenshots and evaluations (default: $USER).
        #[arg(long, global = true, env = "CARPASS_CERTIFY_BY")]
        by: Option<String>,
        /// The server's address as DMS developers reach it, for the endpoint printed [default:
        /// the address `carpass serve` listens on, from CARPASS_BIND and CARPASS_TLS_CERT].
        #[arg(long, global = true, env = "CARPASS_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
        /// Work through this server's HTTP API instead of the database (a DMS vendor with no
        /// shell on the registry), as the session's user: CARPASS_CERTIFY_USER and
        /// CARPASS_CERTIFY_PASSWORD.
        #[arg(
            long,
            global = true,
            env = "CARPASS_CERTIFY_SERVER",
            value_name = "URL"
        )]
        server: Option<String>,
        #[command(subcommand)]
        command: CertifyCommand,
    },
    /// Import data into the registry.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Car-Passes: issue one at the registry's counter, show one, list what to invoice.
    CarPass {
        #[command(subcommand)]
        command: CarPassCommand,
    },
    /// Companies (SPEC 2.6).
    Company {
        #[command(subcommand)]
        command: CompanyCommand,
    },
    /// Accounts of companies.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Readings held for staff: list them, accept or reject them.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Apply a signed paper correction form to a reading.
    Correct {
        /// The reading's id, as `staff review list` and the garage's receipt give it.
        reading_id: String,
        /// The odometer reading the form gives, in the reading's unit.
        #[arg(long)]
        odometer: Option<u64>,
        /// The work date the form gives, YYYY-MM-DD.
        #[arg(long)]
        work_date: Option<NaiveDate>,
        /// The VIN the form gives.
        #[arg(long)]
        vin: Option<String>,
        /// The reference of the signed form.
        #[arg(long)]
        form_ref: String,
        /// Anything worth keeping with the correction; recorded with who and when.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Give VIN_UNKNOWN to readings waiting 30 days for their vehicle (serve does it hourly).
    Sweep {
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Record a verdict on a criterion proven on the DMS's screen (C07, C14).
    Verdict {
        /// The certification session's id.
        session: String,
        /// The criterion judged on the screenshot, e.g. C07.
        #[arg(long)]
        criterion: String,
        /// The screenshot proves the criterion.
        #[arg(
            long = "pass",
            conflicts_with = "fail",
            required_unless_present = "fail"
        )]
        pass: bool,
        /// The screenshot does not prove it.
        #[arg(long = "fail")]
        fail: bool,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Approve a certification session's DMS version, from its certifiable latest evaluation.
    Approve {
        /// The certification session's id.
        session: String,
        /// The last day the label holds, YYYY-MM-DD.
        #[arg(long)]
        valid_until: NaiveDate,
        /// Why (default: the evaluation it is based on).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Comment on a certification session; the vendor reads it with the review.
    Comment {
        /// The certification session's id.
        session: String,
        /// What the vendor should read.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Settle a criterion otherwise than the harness did, with a reason shown in every report;
    /// the session is evaluated again at once.
    Override {
        /// The certification session's id.
        session: String,
        /// The criterion, e.g. C07.
        #[arg(long)]
        criterion: String,
        /// The criterion passes, whatever the harness judged.
        #[arg(
            long = "pass",
            conflicts_with = "fail",
            required_unless_present = "fail"
        )]
        pass: bool,
        /// The criterion fails, whatever the harness judged.
        #[arg(long = "fail")]
        fail: bool,
        /// Why, shown in every report format.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Revoke an approval.
    Revoke {
        /// The approval's id, as `staff approvals` lists it.
        approval_id: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Every approval, revoked and expired ones too.
    Approvals {
        #[command(flatten)]
        format: OutputFormat,
    },
    /// The Trusted Provider list of a year, from the readings of the year before.
    TrustedProviders {
        /// The year the list is for; it judges the readings dated in the year before.
        #[arg(long)]
        year: i32,
        /// Publish the list (once per year): /trusted-providers/YEAR shows it.
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Production readings by the software that sent them, and whether it is approved.
    Software {
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Per partner: the batches its feeds sent, what was stored, held for review and refused.
    Feeds {
        #[command(flatten)]
        format: OutputFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// `--format text|json`, with `--json` for `--format json`, as the older commands spell it.
#[derive(Debug, clap::Args)]
pub struct OutputFormat {
    /// text for people, json for scripts (what was changed, or what was asked for).
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

impl OutputFormat {
    fn get(&self) -> TextOrJson {
        if self.json {
            TextOrJson::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CertifyCommand {
    /// Open a session for a DMS: prints its id, endpoint, credentials and where the sheet is.
    Start {
        /// The DMS's name, as its ClientInfo header will send it.
        #[arg(long)]
        dms: String,
        /// The version certified, as ClientInfo will send it.
        #[arg(long)]
        dms_version: String,
        /// The company that builds the DMS.
        #[arg(long)]
        builder: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// The operator sheet: every step with its instructions (JSON for a vendor's automation).
    Sheet {
        /// The certification session's id.
        session: String,
        #[command(flatten)]
        format: OutputFormat,
        /// nl, fr or en
        #[arg(long, default_value = "en", value_parser = ["nl", "fr", "en"])]
        lang: String,
    },
    /// Open the next step (the moment C05 measures from).
    Next {
        /// The certification session's id.
        session: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Play a step again as a new attempt: the evaluation judges the latest attempt of each
    /// step, and `next` then resumes with the step after it.
    Rerun {
        /// The certification session's id.
        session: String,
        /// The step's number on the sheet.
        #[arg(long)]
        step: u32,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Attach a screenshot (PNG or JPEG) as evidence for a step (C07, C14).
    Attach {
        /// The certification session's id.
        session: String,
        /// The step the screenshot proves, by its number on the sheet.
        #[arg(long)]
        step: u32,
        /// The screenshot, PNG or JPEG.
        file: PathBuf,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Judge the recording against every criterion; each evaluation is kept.
    Evaluate {
        /// The certification session's id.
        session: String,
        /// The report: html for people, json, junit for a CI, bundle (a tar) for the archive.
        #[arg(long, value_parser = ["html", "json", "junit", "bundle"], default_value = "html")]
        format: String,
        /// A file, or - for standard output [default: report-SESSION.html, .json, .xml or .tar].
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Tell the registry's staff the session is ready for review (after evaluating it).
    Ready {
        /// The certification session's id.
        session: String,
        /// What staff should know (default: which evaluation to look at).
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// The session's review: ready or not, the staff's comments and overrides.
    Review {
        /// The certification session's id.
        session: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// The built-in reference DMS: plays operator and DMS through every step of the sheet.
    Simulate {
        /// The certification session's id.
        session: String,
        /// The server's address, e.g. http://127.0.0.1:8080
        #[arg(long)]
        endpoint: String,
        /// Make one mistake on purpose (the harness must catch it).
        #[arg(long, value_parser = defect_names())]
        defect: Option<String>,
        /// How long the DMS waits for an answer before it retries.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        timeout: u64,
        /// The SOAP version the DMS speaks.
        #[arg(long, value_parser = ["1.1", "1.2"], default_value = "1.1")]
        soap: String,
        /// Play only this step again, as a new attempt.
        #[arg(long, value_name = "STEP")]
        rerun: Option<u32>,
    },
}

/// The session's credentials for `--server`, from the environment: a password on the command
/// line would stay in the shell's history.
fn remote_credentials() -> Result<(String, String), CliError> {
    let read = |name: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
            CliError::Io(format!(
                "--server needs the session's user name and password in CARPASS_CERTIFY_USER and CARPASS_CERTIFY_PASSWORD ({name} is not set)"
            ))
        })
    };
    Ok((
        read("CARPASS_CERTIFY_USER")?,
        read("CARPASS_CERTIFY_PASSWORD")?,
    ))
}

/// `carpass certify --server URL ...`: the same commands over the session's HTTP API.
fn certify_remote(server: &str, command: CertifyCommand) -> Result<(), CliError> {
    let (user, password) = remote_credentials()?;
    let remote = |session: &str| Remote::new(server, session, &user, &password);
    let print = |session: &str, opened: OpenedRemotely, format: &OutputFormat| {
        print_step(
            session,
            &opened.step,
            opened.attempt,
            opened.work_date,
            format,
        )
    };
    match command {
        CertifyCommand::Start { .. } => {
            return Err(CliError::Io(
                "a session is started by the registry's staff (`carpass certify start` on the registry): ask them for its id, user name and password".into(),
            ))
        }
        CertifyCommand::Sheet {
            session,
            format,
            lang,
        } => {
            match format.get() {
                TextOrJson::Json => println!("{}", to_json(&remote(&session).sheet_as_served()?)?),
                TextOrJson::Text => {
                    let view = remote(&session).sheet()?;
                    let language = SheetLanguage::parse(&lang).unwrap_or_default();
                    print!("{}", sessions::render_text(&view, language, server.trim_end_matches('/')));
                }
            }
        }
        CertifyCommand::Next { session, format } => {
            print(&session, remote(&session).next()?, &format)?
        }
        CertifyCommand::Ready {
            session,
            note,
            format,
        } => {
            let note = remote(&session).ready(&note)?;
            report_change(&format, &note, || {
                format!(
                    "session {session} is marked ready for review: {}",
                    note["text"].as_str().unwrap_or_default()
                )
            })?;
        }
        CertifyCommand::Review { session, format } => {
            let review = remote(&session).review()?;
            report_change(&format, &review, || review_text(&review))?;
        }
        CertifyCommand::Rerun {
            session,
            step,
            format,
        } => print(&session, remote(&session).rerun(step)?, &format)?,
        CertifyCommand::Attach {
            session,
            step,
            file,
            format,
        } => {
            let (name, content) = read_screenshot(&file)?;
            let sha256 = remote(&session).attach(step, &name, &content)?;
            print_attached(&session, step, &name, &sha256, &format)?;
        }
        CertifyCommand::Evaluate {
            session,
            format,
            output,
        } => {
            let format = report::Format::parse(&format).expect("clap allows only the four formats");
            let remote = remote(&session);
            let evaluated = remote.evaluate()?;
            let bytes = remote.report(&evaluated.evaluation_id, format)?;
            let output = report_output(output, &evaluated.session_id, format);
            write_output(&output, &bytes)?;
            print_verdict(&evaluated);
        }
        CertifyCommand::Simulate {
            session,
            endpoint,
            defect,
            timeout,
            soap,
            rerun,
        } => {
            let remote = remote(&session);
            let view = remote.sheet()?;
            let options = reference_dms::Options {
                base_url: endpoint,
                defect: defect.as_deref().and_then(Defect::parse),
                timeout: std::time::Duration::from_secs(timeout),
                soap: reference_dms::Soap::parse(&soap).unwrap_or_default(),
                rerun,
            };
            let mut attach = |step: u32, png: Vec<u8>| {
                remote
                    .attach(step, "reference-dms.png", &png)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            };
            let played = reference_dms::play(&view, &user, &password, &options, &mut attach)
                .map_err(|e| CliError::Io(e.to_string()))?;
            for line in &played.log {
                println!("{line}");
            }
            println!(
                "the reference DMS played in {} requests; evaluate with `carpass certify --server {} evaluate {} --format html --output report.html`",
                played.requests,
                remote.server(),
                view.session_id
            );
        }
    }
    Ok(())
}

/// Where the report goes: the file asked for, or `report-SESSION.EXT` in the current directory
/// (said on standard error, since standard output may be the report itself).
fn report_output(output: Option<PathBuf>, session: &str, format: report::Format) -> PathBuf {
    output.unwrap_or_else(|| {
        let extension = match format {
            report::Format::Html => "html",
            report::Format::Json => "json",
            report::Format::Junit => "xml",
            report::Format::Bundle => "tar",
        };
        let path = PathBuf::from(format!("report-{}.{extension}", session.trim()));
        eprintln!("the report goes to {}", path.display());
        path
    })
}

fn write_output(output: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    if output.as_os_str() == "-" {
        use std::io::Write;
        std::io::stdout()
            .write_all(bytes)
            .map_err(|e| CliError::Io(format!("standard output: {e}")))
    } else {
        std::fs::write(output, bytes)
            .map_err(|e| CliError::Io(format!("{}: {e}", output.display())))
    }
}

/// The bundle written as its exchanges are read, a page at a time: memory does not grow with
/// the recording.
fn write_bundle(
    conn: &mut db::DbConnection,
    output: &std::path::Path,
    evaluated: &evaluations::Report,
) -> Result<(), CliError> {
    use std::io::Write;
    let shown = if output.as_os_str() == "-" {
        "standard output".to_owned()
    } else {
        output.display().to_string()
    };
    let out: Box<dyn Write> = if output.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        let file =
            std::fs::File::create(output).map_err(|e| CliError::Io(format!("{shown}: {e}")))?;
        Box::new(file)
    };
    let attachments = evaluations::attachments(conn, &evaluated.session_id)?;
    let rows = evaluations::exchanges_paged(conn, &evaluated.session_id);
    let written =
        report::bundle::write(evaluated, &attachments, rows, std::io::BufWriter::new(out));
    match written {
        Ok(mut out) => out
            .flush()
            .map_err(|e| CliError::Io(format!("{shown}: {e}"))),
        Err(report::bundle::BundleError::Read(e)) => Err(e.into()),
        Err(report::bundle::BundleError::Write(e)) => Err(CliError::Io(format!("{shown}: {e}"))),
    }
}

fn print_verdict(evaluated: &evaluations::Report) {
    let failed: Vec<String> = evaluated
        .failed_criteria()
        .iter()
        .map(|c| c.to_string())
        .collect();
    eprintln!(
        "evaluation {}: {}{}",
        evaluated.evaluation_id,
        if evaluated.certifiable {
            "certifiable"
        } else {
            "not certifiable"
        },
        if failed.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", failed.join(", "))
        }
    );
}

fn print_opened(
    session: &str,
    opened: &sessions::Opened,
    format: &OutputFormat,
) -> Result<(), CliError> {
    let work_date = crate::domain::calendar::brussels_date(opened.opened_at);
    print_step(session, &opened.step, opened.attempt, work_date, format)
}

/// The step just opened: its instructions for the operator, or all of it for a script.
fn print_step(
    session: &str,
    step: &crate::domain::certification::scenario::SheetStep,
    attempt: u32,
    work_date: NaiveDate,
    format: &OutputFormat,
) -> Result<(), CliError> {
    let opened = serde_json::json!({
        "session_id": session,
        "number": step.number,
        "attempt": attempt,
        "work_date": work_date,
        "step": step,
    });
    report_change(format, &opened, || {
        format!(
            "step {} of session {session} is open, attempt {attempt} (work date {work_date}):\n  {}",
            step.number, step.instructions.en
        )
    })
}

fn print_attached(
    session: &str,
    step: u32,
    name: &str,
    sha256: &str,
    format: &OutputFormat,
) -> Result<(), CliError> {
    let attached = serde_json::json!({
        "session_id": session,
        "step": step,
        "name": name,
        "sha256": sha256,
    });
    report_change(format, &attached, || {
        format!("{name} attached to step {step} of session {session} (SHA-256 {sha256})")
    })
}

fn defect_names() -> Vec<&'static str> {
    Defect::ALL.iter().map(|d| d.name()).collect()
}

#[derive(Debug, Subcommand)]
pub enum CarPassCommand {
    /// Register the odometer as read now and issue the vehicle's Car-Pass (as --staff).
    Issue {
        /// The vehicle's VIN.
        #[arg(long)]
        vin: String,
        /// The odometer as displayed.
        #[arg(long)]
        odometer: u64,
        /// km or mi.
        #[arg(long, default_value = "km", value_parser = ["km", "mi"])]
        unit: String,
        /// The day it was read (default: today in Brussels).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// The document's language: nl, fr, de or en.
        #[arg(long, default_value = "nl", value_parser = ["nl", "fr", "de", "en"])]
        lang: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// A Car-Pass as it was printed, by its ID.
    Show {
        /// The Car-Pass's ID number, as printed (check digit included).
        id: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Per company, the Car-Passes issued in a month and what to invoice.
    Invoices {
        /// The month, e.g. 2026-11.
        #[arg(long)]
        month: String,
        #[command(flatten)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Readings in review, oldest first, with their issues, versions and the VIN's history.
    List {
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Accept the reading into the history; its anomalies stay marked.
    Accept {
        /// The reading's id, as `staff review list` gives it.
        reading_id: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Reject the reading: it stays out of the history.
    Reject {
        /// The reading's id, as `staff review list` gives it.
        reading_id: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Add a company by its enterprise number (KBO/BCE).
    Add {
        /// The enterprise number, e.g. 0403.170.701 (BE0403170701 and 0403170701 too).
        #[arg(long)]
        kbo: String,
        /// The company's name as staff and pages show it.
        #[arg(long)]
        name: String,
        /// NACE codes, comma-separated; a garage needs one of 45113, 45201, 45203, 45204, 45205,
        /// 45209, 45320; the other kinds need none.
        #[arg(long, value_name = "CODE[,CODE...]")]
        nace: Option<String>,
        /// What the company does: garages send readings, portals ask for labels, the registry
        /// runs the service, the partners feed it.
        #[arg(long, value_enum, default_value = "garage")]
        kind: CompanyKind,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Every company, with who added it and when, and how many accounts it has.
    List {
        #[command(flatten)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; prints a generated password unless --password-stdin is given.
    Add {
        /// The enterprise number of the account's company (added first with `staff company add`).
        #[arg(long)]
        kbo: String,
        /// The user name the account logs in with.
        #[arg(long)]
        username: String,
        /// What the account may do: submitter (a garage's DMS), portal, staff, inspector,
        /// manufacturer or expert.
        #[arg(long, value_parser = ["submitter", "portal", "staff", "inspector", "manufacturer", "expert"])]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Every account (or a company's), whether it is disabled, and who changed it when.
    List {
        /// Only this company's accounts.
        #[arg(long)]
        kbo: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Refuse the account on its next request (a leaked password, a garage that closed).
    Disable {
        /// The account's user name.
        username: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Let a disabled account log in again.
    Enable {
        /// The account's user name.
        username: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Replace the password (prints a generated one unless --password-stdin is given); the old
    /// one is refused from the next request on.
    ResetPassword {
        /// The account's user name.
        username: String,
        /// Read the new password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Why; kept with who and when.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import or update vehicles from a CSV file with the header
    /// vin,make,model,category,mass_kg,first_registration,first_registration_be,imported_used,five_digit_odometer,euro_norm,co2_g_km,fuel
    Vehicles {
        /// The CSV file, comma-separated, UTF-8.
        file: PathBuf,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Import a partner's file of readings (CSV with the header vin,date,odometer,unit, or
    /// NDJSON), as `PUT /feeds/readings/BATCH` would: the same checks, the same batch.
    Readings(feeds::ImportReadings),
    /// Import the Dutch registry's (RDW) odometer history of vehicles imported from the
    /// Netherlands: CSV with the header vin;date;odometer;unit;verdict (or commas), the verdict
    /// being the RDW's logisch, onlogisch, geen oordeel or empty.
    RdwHistory(feeds::ImportRdw),
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Staff(#[from] StaffError),
    #[error(transparent)]
    Startup(#[from] crate::startup::StartupError),
    #[error(transparent)]
    Certification(#[from] CertificationError),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// What the server holds for its clients at most (README: Operations, "Limits").
#[derive(Debug, clap::Args)]
pub struct Limits {
    /// Request bodies held in memory at once, across all connections; past it a request gets
    /// 503 with Retry-After.
    #[arg(long, env = "CARPASS_BODY_BUDGET_MIB", value_name = "MIB", default_value_t = settings::DEFAULT_BODY_BUDGET_MIB)]
    body_budget_mib: usize,
    /// How long a request body may take to arrive; a slower one gets 408.
    #[arg(long, env = "CARPASS_BODY_TIMEOUT", value_name = "SECONDS", default_value_t = settings::DEFAULT_BODY_TIMEOUT_SECS)]
    body_timeout: u64,
    /// SubmitReadings requests that may wait for the writer; more get 503 with Retry-After.
    #[arg(long, env = "CARPASS_WRITER_QUEUE", value_name = "REQUESTS", default_value_t = settings::DEFAULT_WRITER_QUEUE)]
    writer_queue: usize,
    /// Password hashes that may wait for a hashing thread; more logins get 503 with Retry-After.
    #[arg(long, env = "CARPASS_HASH_QUEUE", value_name = "HASHES", default_value_t = settings::DEFAULT_HASH_QUEUE)]
    hash_queue: usize,
    /// A reverse proxy whose Forwarded / X-Forwarded-* headers are believed (repeat, or
    /// comma-separated); nobody else's are.
    #[arg(
        long = "trusted-proxy",
        env = "CARPASS_TRUSTED_PROXIES",
        value_name = "IP",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// How clients reach the service, e.g. https://registry.example: the address the WSDL
    /// and links give, whatever the request's headers say.
    #[arg(long, env = "CARPASS_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Exchanges one certification session may record; more are answered with a fault.
    #[arg(long, env = "CARPASS_RECORDING_EXCHANGES", value_name = "EXCHANGES", default_value_t = settings::DEFAULT_RECORDING_EXCHANGES)]
    recording_exchanges: u64,
    /// What one certification session may record, in MiB; more is answered with a fault.
    #[arg(long, env = "CARPASS_RECORDING_MIB", value_name = "MIB", default_value_t = settings::DEFAULT_RECORDING_MIB)]
    recording_mib: u64,
}

impl Limits {
    fn apply(&self, settings: &mut Settings) {
        settings.body_budget_bytes = self.body_budget_mib.saturating_mul(1024 * 1024);
        settings.body_timeout = std::time::Duration::from_secs(self.body_timeout);
        settings.writer_queue = self.writer_queue;
        settings.hash_queue = self.hash_queue;
        settings.recording_quota = settings::RecordingQuota {
            exchanges: self.recording_exchanges,
            bytes: self.recording_mib.saturating_mul(1024 * 1024),
        };
        settings.trusted_proxies = self.trusted_proxies.clone();
        settings.public_url = self.public_url.clone();
    }
}

/// A screenshot's file name and content. Only a regular file: a FIFO would hang the command
/// and a device such as /dev/zero never ends. Its size is checked before it is read, and no
/// more than one byte past the limit is read, should it grow meanwhile.
fn read_screenshot(path: &std::path::Path) -> Result<(String, Vec<u8>), CliError> {
    use std::io::Read;
    let shown = path.display();
    let io = |e: std::io::Error| CliError::Io(format!("{shown}: {e}"));
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(CliError::Io(format!(
            "{shown} is not a regular file (a directory, a FIFO or a device): attach the screenshot's PNG or JPEG file"
        )));
    }
    let limit = sessions::ATTACHMENT_MAX_BYTES;
    if metadata.len() > limit as u64 {
        return Err(CliError::Io(format!(
            "{shown} has {} bytes; a screenshot may have at most {limit}",
            metadata.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut content = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut content)
        .map_err(io)?;
    if content.len() > limit {
        return Err(CliError::Io(format!(
            "{shown} grew past {limit} bytes while it was read; a screenshot may have at most {limit}"
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "screenshot".into());
    Ok((name, content))
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let url = DatabaseUrl::parse(&cli.database_url)?;
    match cli.command {
        Command::Init => {
            db::open(db::Database::Production, &url, 1)?;
            let certification = db::Database::Certification;
            db::open(certification, &url, 1)?;
            println!("the carpass database {url} is ready");
            if !url.is_postgres() {
                println!(
                    "  certification database beside it: {}",
                    certification.url(&url)
                );
            }
            Ok(())
        }
        Command::Serve {
            bind,
            demo,
            tls_cert,
            tls_key,
            shutdown_timeout,
            limits,
        } => {
            let mut settings = Settings::new(&bind, url);
            settings.tls = tls_cert
                .zip(tls_key)
                .map(|(cert, key)| TlsFiles { cert, key });
            settings.shutdown_timeout = std::time::Duration::from_secs(shutdown_timeout);
            limits.apply(&mut settings);
            serve(settings, demo)
        }
        Command::Staff {
            staff: who,
            command,
        } => staff(url, who, command),
        Command::Certify {
            server: Some(server),
            command,
            ..
        } => certify_remote(&server, command),
        Command::Certify {
            by,
            public_url,
            command,
            server: None,
        } => {
            let by = by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "command line".into());
            let public_url = public_url.unwrap_or_else(server_address);
            certify(url, &by, public_url.trim_end_matches('/'), command)
        }
        Command::Import {
            command: ImportCommand::Readings(args),
        } => feeds::import_readings(url, args),
        Command::Import {
            command: ImportCommand::RdwHistory(args),
        } => feeds::import_rdw(url, args),
        Command::Import {
            command: ImportCommand::Vehicles { file, format },
        } => {
            let name = file.display().to_string();
            let input =
                std::fs::File::open(&file).map_err(|e| CliError::Io(format!("{name}: {e}")))?;
            let vehicles = staff::import::parse(&name, input)?;
            let pool = db::connect_existing(&url, 1)?;
            let mut conn = pool.get().map_err(db::DbError::from)?;
            let summary =
                register::import(&mut conn, &vehicles, Utc::now()).map_err(StaffError::from)?;
            let imported = serde_json::json!({
                "file": name,
                "vehicles": summary.vehicles,
                "readings_reevaluated": summary.readings_reevaluated,
            });
            report_change(&format, &imported, || {
                format!(
                    "imported {} from {name}; {} re-evaluated",
                    count(summary.vehicles, "vehicle", "vehicles"),
                    count(
                        summary.readings_reevaluated,
                        "waiting reading",
                        "waiting readings"
                    )
                )
            })
        }
    }
}

/// Where `carpass serve` listens when started with this environment (CARPASS_BIND,
/// CARPASS_TLS_CERT): the public URL when none is given. A wildcard address is reached on
/// 127.0.0.1, as `serve --demo` prints it.
fn server_address() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let bind = var("CARPASS_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
    let scheme = if var("CARPASS_TLS_CERT").is_some() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}", reachable(bind.trim()))
}

/// The bind address as a client on this machine reaches it.
fn reachable(bind: &str) -> String {
    bind.replace("0.0.0.0", "127.0.0.1")
        .replace("[::]", "[::1]")
}

fn serve(settings: Settings, demo: bool) -> Result<(), CliError> {
    actix_web::rt::System::new().block_on(async move {
        // Bind first: a busy port must not cost the demo accounts their printed passwords.
        let app = Application::build(settings.clone())?;
        let host = settings
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        let base = format!(
            "{}://{}:{}",
            app.scheme(),
            host.replace("0.0.0.0", "127.0.0.1"),
            app.port()
        );
        if demo {
            print_demo(&settings.database_url, &base)?;
        }
        log::info!("serving {base}/soap/inflow on {}", settings.database_url);
        app.run_until_signalled()
            .await
            .map_err(|e| CliError::Io(e.to_string()))
    })
}

/// `serve --demo`: seeds every part and prints where each is, with its credentials.
fn print_demo(url: &DatabaseUrl, base: &str) -> Result<(), CliError> {
    let now = Utc::now();
    let pool = db::connect(url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let demo = staff::demo::seed(&mut conn, now)?;
    let cert_pool = db::open_existing(db::Database::Certification, url, 1)?;
    let mut cert = cert_pool.get().map_err(db::DbError::from)?;
    let software = Software {
        builder: "Demo Software NV".into(),
        name: "Demo DMS".into(),
        version: "1.0".into(),
    };
    let started = sessions::start(&mut cert, &software, now)?;
    let session = &started.session.id;
    let year = crate::domain::calendar::brussels_date(now).year();
    println!("carpass demo on {url}");
    println!("  WSDL:      {base}/soap/inflow?wsdl");
    println!("  feeds:     {base}/soap/feeds?wsdl (importers, experts, inspection centres)");
    println!("  vehicles:  {}", demo.vins.join(", "));
    println!(
        "  staff pages:     {base}/staff (review queue: {} readings)",
        demo.in_review.len()
    );
    println!(
        "  operator page:   {base}{} (as the certification session below)",
        sessions::page_path(session)
    );
    println!(
        "  public pages:    {base}/approved-dms, {base}/trusted-providers/{year}, {base}/verify"
    );
    if let Some(label) = &demo.label {
        println!("  OK label:        {base}/label/{label}");
    }
    println!(
        "  certification:   session {session}, endpoint {base}{}, as {} / {}",
        sessions::endpoint_path(session),
        started.session.username,
        started.password
    );
    println!("                   play it: carpass certify simulate {session} --endpoint {base}");
    // The submitter line last: scripts and tests wait for it to know the server is up.
    let mut accounts: Vec<_> = demo.accounts.iter().collect();
    accounts.sort_by_key(|(account, _)| account.role == Role::Submitter);
    for (account, password) in accounts {
        let label = format!("{}:", account.label);
        println!(
            "  {label:<10} {} / {password}   on {base}{} ({})",
            account.username, account.path, account.company
        );
    }
    Ok(())
}

fn staff(url: DatabaseUrl, who: Option<String>, command: StaffCommand) -> Result<(), CliError> {
    let pool = db::connect_existing(&url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    match command {
        StaffCommand::CarPass { command } => car_pass_command(&mut conn, who, command)?,
        StaffCommand::Company {
            command:
                CompanyCommand::Add {
                    kbo,
                    name,
                    nace,
                    kind,
                    format,
                },
        } => {
            let actor = staff::Actor::staff_or_bootstrap(&mut conn, who.as_deref())?;
            let nace = nace.unwrap_or_default();
            let at = Utc::now();
            let kbo = staff::companies::add(&mut conn, &actor, &kbo, &name, &nace, kind, at)?;
            let name = name.trim();
            let nace_codes: Vec<&str> = nace
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            let added = serde_json::json!({
                "kbo": kbo.to_string(),
                "name": name,
                "kind": kind.as_str(),
                "nace_codes": nace_codes,
                "by": actor.staff_username(),
                "at": at,
            });
            report_change(&format, &added, || {
                format!("company {kbo} added: {name}{}", by(&actor))
            })?;
        }
        StaffCommand::Company {
            command: CompanyCommand::List { format },
        } => {
            let companies = staff::companies::list(&mut conn)?;
            match format.get() {
                TextOrJson::Json => println!("{}", to_json(&companies)?),
                TextOrJson::Text => print!("{}", staff::companies::render_text(&companies)),
            }
        }
        StaffCommand::User {
            command:
                UserCommand::Add {
                    kbo,
                    username,
                    role,
                    password_stdin,
                    format,
                },
        } => {
            let role = Role::parse(&role).expect("clap allows only the roles Role::parse reads");
            let actor = staff::Actor::staff_or_bootstrap(&mut conn, who.as_deref())?;
            let password = password_from_stdin(password_stdin)?;
            let at = Utc::now();
            let generated =
                staff::accounts::add(&mut conn, &actor, &kbo, &username, role, password, at)?;
            if format.get() == TextOrJson::Json {
                // The generated password, once: a provisioning script hands it to the company.
                let kbo = written_kbo(kbo);
                let added = serde_json::json!({
                    "username": username,
                    "kbo": kbo,
                    "role": role.as_str(),
                    "password": generated,
                    "by": actor.staff_username(),
                    "at": at,
                });
                println!("{}", to_json(&added)?);
                return Ok(());
            }
            match generated {
                Some(password) => {
                    println!("user {username} added{}; password: {password}", by(&actor))
                }
                None => println!("user {username} added{}", by(&actor)),
            }
        }
        StaffCommand::User {
            command: UserCommand::List { kbo, format },
        } => {
            let accounts = staff::accounts::list(&mut conn, kbo.as_deref())?;
            match format.get() {
                TextOrJson::Json => println!("{}", to_json(&accounts)?),
                TextOrJson::Text => print!("{}", staff::accounts::render_text(&accounts)),
            }
        }
        StaffCommand::User {
            command:
                UserCommand::Disable {
                    username,
                    note,
                    format,
                },
        } => {
            let actor = staff::Actor::staff(&mut conn, who.as_deref())?;
            let at = Utc::now();
            staff::accounts::disable(&mut conn, &actor, &username, &note, at)?;
            match format.get() {
                TextOrJson::Json => println!(
                    "{}",
                    to_json(&serde_json::json!({
                        "username": username,
                        "disabled": true,
                        "by": actor.staff_username(),
                        "at": at,
                    }))?
                ),
                TextOrJson::Text => println!(
                    "user {username} disabled{}: it is refused from its next request on",
                    by(&actor)
                ),
            }
        }
        StaffCommand::User {
            command:
                UserCommand::Enable {
                    username,
                    note,
                    format,
                },
        } => {
            let actor = staff::Actor::staff(&mut conn, who.as_deref())?;
            let at = Utc::now();
            staff::accounts::enable(&mut conn, &actor, &username, note.as_deref(), at)?;
            match format.get() {
                TextOrJson::Json => println!(
                    "{}",
                    to_json(&serde_json::json!({
                        "username": username,
                        "disabled": false,
                        "by": actor.staff_username(),
                        "at": at,
                    }))?
                ),
                TextOrJson::Text => println!("user {username} enabled again{}", by(&actor)),
            }
        }
        StaffCommand::User {
            command:
                UserCommand::ResetPassword {
                    username,
                    password_stdin,
                    note,
                    format,
                },
        } => {
            let actor = staff::Actor::staff(&mut conn, who.as_deref())?;
            let password = password_from_stdin(password_stdin)?;
            let at = Utc::now();
            let reset = staff::accounts::reset_password(
                &mut conn,
                &actor,
                &username,
                password,
                note.as_deref(),
                at,
            )?;
            if format.get() == TextOrJson::Json {
                // The generated password, once: a provisioning script hands it to the garage.
                println!(
                    "{}",
                    to_json(&serde_json::json!({
                        "username": username,
                        "password": reset.generated,
                        "disabled": reset.still_disabled,
                        "by": actor.staff_username(),
                        "at": at,
                    }))?
                );
                return Ok(());
            }
            match reset.generated {
                Some(password) => {
                    println!(
                        "password of {username} reset{}; new password: {password}",
                        by(&actor)
                    )
                }
                None => println!("password of {username} reset{}", by(&actor)),
            }
            if reset.still_disabled {
                eprintln!("note: {username} is still disabled; `carpass staff user enable {username}` lets it in again");
            }
        }
        StaffCommand::Review {
            command: ReviewCommand::List { format },
        } => {
            let queue = review::queue(&mut conn)?;
            match format.get() {
                TextOrJson::Json => println!("{}", to_json(&queue)?),
                TextOrJson::Text => print!("{}", review::render_text(&queue)),
            }
        }
        StaffCommand::Review {
            command:
                ReviewCommand::Accept {
                    reading_id,
                    note,
                    format,
                },
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let at = Utc::now();
            let status = review::decide(&mut conn, &me, &reading_id, Decision::Accept, &note, at)?;
            let decided = serde_json::json!({
                "reading_id": reading_id,
                "decision": "accept",
                "status": status.as_str(),
                "note": note.trim(),
                "by": me,
                "at": at,
            });
            report_change(&format, &decided, || {
                format!("reading {reading_id} is now {}", status.as_str())
            })?;
        }
        StaffCommand::Review {
            command:
                ReviewCommand::Reject {
                    reading_id,
                    note,
                    format,
                },
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let at = Utc::now();
            let status = review::decide(&mut conn, &me, &reading_id, Decision::Reject, &note, at)?;
            let decided = serde_json::json!({
                "reading_id": reading_id,
                "decision": "reject",
                "status": status.as_str(),
                "note": note.trim(),
                "by": me,
                "at": at,
            });
            report_change(&format, &decided, || {
                format!("reading {reading_id} is now {}", status.as_str())
            })?;
        }
        StaffCommand::Correct {
            reading_id,
            odometer,
            work_date,
            vin,
            form_ref,
            note,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let form = PaperForm {
                reference: form_ref,
                odometer,
                work_date,
                vin,
                note,
            };
            let at = Utc::now();
            let status = review::apply_paper_form(&mut conn, &me, &reading_id, &form, at)?;
            let corrected = serde_json::json!({
                "reading_id": reading_id,
                "form_reference": form.reference,
                "odometer": form.odometer,
                "work_date": form.work_date,
                "vin": form.vin,
                "status": status.as_str(),
                "by": me,
                "at": at,
            });
            report_change(&format, &corrected, || {
                format!(
                    "reading {reading_id} corrected from form {}; it is now {}",
                    form.reference,
                    status.as_str()
                )
            })?;
        }
        StaffCommand::Verdict {
            session,
            criterion,
            pass,
            fail: _,
            note,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let cert_pool = db::open_existing(db::Database::Certification, &url, 1)?;
            let mut cert = cert_pool.get().map_err(db::DbError::from)?;
            let at = Utc::now();
            let criterion =
                approvals::verdict(&mut cert, &session, &criterion, pass, &note, &me, at)?;
            let recorded = serde_json::json!({
                "session_id": session.trim(),
                "criterion": criterion.to_string(),
                "passed": pass,
                "note": note.trim(),
                "by": me,
                "at": at,
            });
            report_change(&format, &recorded, || {
                format!(
                    "{criterion} of session {session}: {} by {me}; evaluate again to see it in the report",
                    if pass { "passed" } else { "failed" }
                )
            })?;
        }
        StaffCommand::Approve {
            session,
            valid_until,
            note,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let cert_pool = db::open_existing(db::Database::Certification, &url, 1)?;
            let mut cert = cert_pool.get().map_err(db::DbError::from)?;
            let note =
                note.unwrap_or_else(|| format!("certifiable evaluation of session {session}"));
            let approval = approvals::approve(
                &mut conn,
                &mut cert,
                &session,
                valid_until,
                &note,
                &me,
                Utc::now(),
            )?;
            report_change(&format, &approvals::ApprovalView::of(&approval), || {
                format!(
                    "approval {}: {} {} ({}) is an approved DMS until {}",
                    approval.id,
                    approval.dms_name,
                    approval.dms_version,
                    approval.dms_builder,
                    approval.valid_until
                )
            })?;
        }
        StaffCommand::Comment {
            session,
            text,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let cert_pool = db::open_existing(db::Database::Certification, &url, 1)?;
            let mut cert = cert_pool.get().map_err(db::DbError::from)?;
            cert_review::comment(&mut cert, &session, &text, &me, Utc::now())
                .map_err(StaffError::from)?;
            let changed = serde_json::json!({ "session": session, "comment": text, "by": me });
            report_change(&format, &changed, || {
                format!("comment on session {session} recorded by {me}")
            })?;
        }
        StaffCommand::Override {
            session,
            criterion,
            pass,
            fail: _,
            reason,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let cert_pool = db::open_existing(db::Database::Certification, &url, 1)?;
            let mut cert = cert_pool.get().map_err(db::DbError::from)?;
            let report = cert_review::override_criterion(
                &mut cert,
                &session,
                &criterion,
                pass,
                &reason,
                &me,
                Utc::now(),
            )
            .map_err(StaffError::from)?;
            let changed = serde_json::json!({
                "session": session,
                "criterion": criterion.trim().to_uppercase(),
                "passed": pass,
                "reason": reason,
                "by": me,
                "evaluation_id": report.evaluation_id,
                "certifiable": report.certifiable,
            });
            report_change(&format, &changed, || {
                format!(
                    "{} of session {session} overridden to {} by {me}; evaluation {} is {}",
                    criterion.trim().to_uppercase(),
                    if pass { "passed" } else { "failed" },
                    report.evaluation_id,
                    if report.certifiable {
                        "certifiable"
                    } else {
                        "not certifiable"
                    }
                )
            })?;
        }
        StaffCommand::Revoke {
            approval_id,
            note,
            format,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let revoked = approvals::revoke(&mut conn, &approval_id, &note, &me, Utc::now())?;
            report_change(&format, &approvals::ApprovalView::of(&revoked), || {
                format!(
                    "approval {} of {} {} revoked",
                    revoked.id, revoked.dms_name, revoked.dms_version
                )
            })?;
        }
        StaffCommand::Approvals { format } => {
            let all = db::approvals::all(&mut conn).map_err(StaffError::from)?;
            if format.get() == TextOrJson::Json {
                let all: Vec<_> = all.iter().map(approvals::ApprovalView::of).collect();
                println!("{}", to_json(&all)?);
            } else {
                for a in &all {
                    let state = match (&a.revoked_at, &a.revoked_by) {
                        (Some(at), Some(by)) => {
                            format!("revoked {} by {by}", at.format("%Y-%m-%d"))
                        }
                        _ => format!("valid until {}", a.valid_until),
                    };
                    println!(
                        "{}  {} {} ({})  {state}  approved by {}",
                        a.id, a.dms_name, a.dms_version, a.dms_builder, a.approved_by
                    );
                }
            }
        }
        StaffCommand::TrustedProviders {
            year,
            publish,
            format,
        } => {
            let candidates = if publish {
                let me = staff::staff_member(&mut conn, who.as_deref())?;
                let trusted = trusted_providers::publish(&mut conn, year, &me, Utc::now())?;
                eprintln!(
                    "the Trusted Provider list {year} is published: {}",
                    count(trusted.len(), "company", "companies")
                );
                trusted
            } else {
                trusted_providers::compute(&mut conn, year)?
            };
            if format.get() == TextOrJson::Json {
                let shown: Vec<_> = candidates
                    .iter()
                    .cloned()
                    .map(|c| trusted_providers::Candidate {
                        kbo: written_kbo(c.kbo.clone()),
                        ..c
                    })
                    .collect();
                println!("{}", to_json(&shown)?);
            } else {
                print!("{}", trusted_providers::render_text(year, &candidates));
            }
        }
        StaffCommand::Feeds { format } => feeds::report(&mut conn, format.get())?,
        StaffCommand::Software { format } => {
            let usage = software::usage(
                &mut conn,
                crate::domain::calendar::brussels_date(Utc::now()),
            )?;
            if format.get() == TextOrJson::Json {
                println!("{}", to_json(&usage)?);
            } else {
                print!("{}", software::render_text(&usage));
            }
        }
        StaffCommand::Sweep { format } => {
            let flagged =
                register::sweep_unregistered(&mut conn, Utc::now()).map_err(StaffError::from)?;
            let swept = serde_json::json!({
                "readings_flagged": flagged,
                "code": "VIN_UNKNOWN",
                "waiting_days": register::WAITING_DAYS,
            });
            report_change(&format, &swept, || {
                let their = if flagged == 1 { "its" } else { "their" };
                format!(
                    "{} waited {} days for {their} vehicle and got VIN_UNKNOWN",
                    count(flagged, "reading", "readings"),
                    register::WAITING_DAYS
                )
            })?;
        }
    }
    Ok(())
}

fn car_pass_command(
    conn: &mut db::DbConnection,
    who: Option<String>,
    command: CarPassCommand,
) -> Result<(), CliError> {
    use crate::staff::car_pass;
    let json = |format: &OutputFormat| format.get() == TextOrJson::Json;
    match command {
        CarPassCommand::Issue {
            vin,
            odometer,
            unit,
            date,
            lang,
            format,
        } => {
            let now = Utc::now();
            let who = who.unwrap_or_default();
            let asked = car_pass::Asked {
                vin,
                odometer,
                unit: crate::domain::odometer::OdometerUnit::parse(&unit).unwrap_or_default(),
                date: date.unwrap_or_else(|| crate::domain::calendar::brussels_date(now)),
                language: crate::domain::language::Language::parse(&lang).unwrap_or_default(),
            };
            let issued = car_pass::issue(conn, &who, &asked, now)?;
            if json(&format) {
                println!("{}", to_json(&issued)?);
            } else {
                print!("{}", car_pass::render_issued(&issued));
            }
            if issued.car_pass.is_none() {
                return Err(CliError::Io("no Car-Pass was issued".into()));
            }
        }
        CarPassCommand::Show { id, format } => {
            let pass = car_pass::show(conn, &id)?;
            if json(&format) {
                println!("{}", to_json(&pass)?);
            } else {
                print!("{}", car_pass::render_pass(&pass));
            }
        }
        CarPassCommand::Invoices { month, format } => {
            let first = car_pass::parse_month(&month)?;
            let lines = car_pass::invoices(conn, first)?;
            if json(&format) {
                println!("{}", to_json(&lines)?);
            } else {
                print!("{}", car_pass::render_invoices(first, &lines));
            }
        }
    }
    Ok(())
}

fn certify(
    url: DatabaseUrl,
    by: &str,
    public_url: &str,
    command: CertifyCommand,
) -> Result<(), CliError> {
    let pool = db::open_existing(db::Database::Certification, &url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    match command {
        CertifyCommand::Start {
            dms,
            dms_version,
            builder,
            format,
        } => {
            let software = Software {
                builder,
                name: dms,
                version: dms_version,
            };
            let started = sessions::start(&mut conn, &software, Utc::now())?;
            let s = &started.session;
            let endpoint = format!("{public_url}{}", sessions::endpoint_path(&s.id));
            let page = format!("{public_url}{}", sessions::page_path(&s.id));
            match format.get() {
                TextOrJson::Json => println!(
                    "{}",
                    to_json(&serde_json::json!({
                        "session_id": s.id,
                        "dms": s.software,
                        "endpoint": endpoint,
                        "wsdl": format!("{endpoint}?wsdl"),
                        "username": s.username,
                        "password": started.password,
                        "operator_page": page,
                        "sheet_command": format!("carpass certify sheet {} --format json", s.id),
                        "sheet_url": format!("{page}/sheet"),
                        "steps": s.sheet.steps.len(),
                    }))?
                ),
                TextOrJson::Text => {
                    println!(
                        "certification session {} started for {} {} ({})",
                        s.id, s.software.name, s.software.version, s.software.builder
                    );
                    println!("  endpoint:       {endpoint}   (WSDL: {endpoint}?wsdl)");
                    println!("  user name:      {}", s.username);
                    println!(
                        "  password:       {}   (shown once: stored only as a hash)",
                        started.password
                    );
                    println!("  operator page:  {page}");
                    println!("  operator sheet: carpass certify sheet {} [--lang nl|fr|en] [--format json]", s.id);
                    println!("  over HTTP:      {page}/sheet with the user name and password (conformance-tests/README.md)");
                    println!(
                        "  {} steps; open the first with `carpass certify next {}` or the page's button",
                        s.sheet.steps.len(),
                        s.id
                    );
                }
            }
        }
        CertifyCommand::Sheet {
            session,
            format,
            lang,
        } => {
            let view = sessions::sheet_view(&mut conn, &session)?;
            match format.get() {
                TextOrJson::Json => println!("{}", to_json(&view)?),
                TextOrJson::Text => {
                    let language =
                        SheetLanguage::parse(&lang).expect("clap allows only nl, fr and en");
                    print!("{}", sessions::render_text(&view, language, public_url));
                }
            }
        }
        CertifyCommand::Ready {
            session,
            note,
            format,
        } => {
            let note = cert_review::mark_ready(&mut conn, &session, &note, by, Utc::now())?;
            report_change(&format, &note, || {
                format!(
                    "session {session} is marked ready for review: {}",
                    note.text
                )
            })?;
        }
        CertifyCommand::Review { session, format } => {
            let notes = cert_review::notes(&mut conn, &session)?;
            let review = serde_json::json!({
                "ready_for_review": cert_review::ready_since(&notes).map(|n| n.at),
                "notes": notes,
            });
            report_change(&format, &review, || review_text(&review))?;
        }
        CertifyCommand::Next { session, format } => {
            let opened = sessions::next(&mut conn, &session, by, Utc::now())?;
            print_opened(&session, &opened, &format)?;
        }
        CertifyCommand::Rerun {
            session,
            step,
            format,
        } => {
            let opened = sessions::rerun(&mut conn, &session, step, by, Utc::now())?;
            print_opened(&session, &opened, &format)?;
        }
        CertifyCommand::Attach {
            session,
            step,
            file,
            format,
        } => {
            let (name, content) = read_screenshot(&file)?;
            let sha256 =
                sessions::attach(&mut conn, &session, step, &name, content, by, Utc::now())?;
            print_attached(&session, step, &name, &sha256, &format)?;
        }
        CertifyCommand::Evaluate {
            session,
            format,
            output,
        } => {
            let format = report::Format::parse(&format).expect("clap allows only the four formats");
            let evaluated = evaluations::evaluate(&mut conn, &session, by, Utc::now())?;
            let output = report_output(output, &evaluated.session_id, format);
            if format == report::Format::Bundle {
                write_bundle(&mut conn, &output, &evaluated)?;
            } else {
                // The other reports need the screenshots at most, never the exchanges' bodies.
                let evidence = evaluations::Evidence {
                    exchanges: Vec::new(),
                    attachments: evaluations::attachments(&mut conn, &evaluated.session_id)?,
                };
                write_output(&output, &report::render(format, &evaluated, &evidence))?;
            }
            print_verdict(&evaluated);
        }
        CertifyCommand::Simulate {
            session,
            endpoint,
            defect,
            timeout,
            soap,
            rerun,
        } => {
            let found = sessions::find(&mut conn, &session)?;
            let (username, password) =
                sessions::add_operator(&mut conn, &found, "reference-dms", Utc::now())?;
            let view = sessions::sheet_view(&mut conn, &found.id)?;
            let options = reference_dms::Options {
                base_url: endpoint,
                defect: defect.as_deref().and_then(Defect::parse),
                timeout: std::time::Duration::from_secs(timeout),
                soap: reference_dms::Soap::parse(&soap).unwrap_or_default(),
                rerun,
            };
            let mut attach = |step: u32, png: Vec<u8>| {
                sessions::attach(
                    &mut conn,
                    &found.id,
                    step,
                    "reference-dms.png",
                    png,
                    &username,
                    Utc::now(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string())
            };
            let played = reference_dms::play(&view, &username, &password, &options, &mut attach)
                .map_err(|e| CliError::Io(e.to_string()))?;
            for line in &played.log {
                println!("{line}");
            }
            println!(
                "the reference DMS{} played {} steps in {} requests; evaluate with `carpass certify evaluate {} --format html --output report.html`",
                options.defect.map(|d| format!(" (defect: {})", d.name())).unwrap_or_default(),
                view.steps.len(),
                played.requests,
                found.id
            );
        }
    }
    Ok(())
}

/// Who the audit records, as the confirmation says it; before the first staff account exists,
/// a note on standard error says that no one was recorded.
fn by(actor: &staff::Actor) -> String {
    match actor.staff_username() {
        Some(username) => format!(" by {username}"),
        None => {
            eprintln!(
                "note: no staff account exists yet, so no one is recorded as acting; once one \
                 exists, these commands need --staff USERNAME (or CARPASS_STAFF)"
            );
            String::new()
        }
    }
}

/// The password piped on standard input (one line), when asked for.
fn password_from_stdin(asked: bool) -> Result<Option<String>, CliError> {
    if !asked {
        return Ok(None);
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CliError::Io(format!("reading the password: {e}")))?;
    Ok(Some(input.trim_end_matches(['\r', '\n']).to_owned()))
}

/// What a command changed: JSON for scripts, or a sentence for people.
/// The review of a session as the vendor reads it: the ready mark, then each note.
fn review_text(review: &serde_json::Value) -> String {
    let mut text = match review["ready_for_review"].as_str() {
        Some(at) => format!("ready for review since {at}"),
        None => "not marked ready for review".to_owned(),
    };
    for note in review["notes"].as_array().into_iter().flatten() {
        let kind = note["kind"].as_str().unwrap_or_default();
        let criterion = note["criterion"]
            .as_str()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n  {} {kind}{criterion} by {}: {}",
            note["at"].as_str().unwrap_or_default(),
            note["by"].as_str().unwrap_or_default(),
            note["text"].as_str().unwrap_or_default()
        ));
    }
    text
}

fn report_change(
    format: &OutputFormat,
    json: &impl serde::Serialize,
    text: impl FnOnce() -> String,
) -> Result<(), CliError> {
    match format.get() {
        TextOrJson::Json => println!("{}", to_json(json)?),
        TextOrJson::Text => println!("{}", text()),
    }
    Ok(())
}

/// An enterprise number as people write it (`0403.170.701`), whichever way it was given.
fn written_kbo(kbo: String) -> String {
    crate::domain::enterprise_number::EnterpriseNumber::parse(&kbo).map_or(kbo, |k| k.to_string())
}

/// "1 vehicle", "1,250 vehicles": the number as the Formatter writes it, with its plural.
fn count(n: usize, one: &'static str, many: &'static str) -> String {
    let n = n as u64;
    format!(
        "{} {}",
        crate::domain::format::Formatter(crate::domain::language::Language::En).num(n),
        crate::domain::format::plural(n, one, many)
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(|e| CliError::Io(e.to_string()))
}
