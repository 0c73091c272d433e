//! The command line (SPEC 6; the command names are part of the contract).

use std::io::Read;
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::certification::reference_dms::{self, Defect};
use crate::certification::remote::{OpenedRemotely, Remote, RemoteError};
use crate::certification::{evaluations, report, sessions, CertificationError};
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
        #[arg(long, env = "CARPASS_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Create a demo garage, its account and vehicles with histories; print the credentials.
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
        /// The server's address as DMS developers reach it, for the endpoint printed.
        #[arg(
            long,
            global = true,
            env = "CARPASS_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
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
        reading_id: String,
        #[arg(long)]
        odometer: Option<u64>,
        /// YYYY-MM-DD
        #[arg(long)]
        work_date: Option<NaiveDate>,
        #[arg(long)]
        vin: Option<String>,
        /// The reference of the signed form.
        #[arg(long)]
        form_ref: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Give VIN_UNKNOWN to readings waiting 30 days for their vehicle (serve does it hourly).
    Sweep,
    /// Record a verdict on a criterion proven on the DMS's screen (C07, C14).
    Verdict {
        session: String,
        #[arg(long)]
        criterion: String,
        #[arg(
            long = "pass",
            conflicts_with = "fail",
            required_unless_present = "fail"
        )]
        pass: bool,
        #[arg(long = "fail")]
        fail: bool,
        #[arg(long)]
        note: String,
    },
    /// Approve a certification session's DMS version, from its certifiable latest evaluation.
    Approve {
        session: String,
        /// The last day the label holds, YYYY-MM-DD.
        #[arg(long)]
        valid_until: NaiveDate,
        /// Why (default: the evaluation it is based on).
        #[arg(long)]
        note: Option<String>,
    },
    /// Revoke an approval.
    Revoke {
        approval_id: String,
        #[arg(long)]
        note: String,
    },
    /// Every approval, revoked and expired ones too.
    Approvals {
        #[arg(long)]
        json: bool,
    },
    /// The Trusted Provider list of a year, from the readings of the year before.
    TrustedProviders {
        #[arg(long)]
        year: i32,
        /// Publish the list (once per year): /trusted-providers/YEAR shows it.
        #[arg(long)]
        publish: bool,
        #[arg(long)]
        json: bool,
    },
    /// Production readings by the software that sent them, and whether it is approved.
    Software {
        #[arg(long)]
        json: bool,
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
        #[arg(long)]
        dms: String,
        #[arg(long)]
        dms_version: String,
        #[arg(long)]
        builder: String,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// The operator sheet: every step with its instructions (JSON for a vendor's automation).
    Sheet {
        session: String,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
        /// nl, fr or en
        #[arg(long, default_value = "en", value_parser = ["nl", "fr", "en"])]
        lang: String,
    },
    /// Open the next step (the moment C05 measures from).
    Next { session: String },
    /// Play a step again as a new attempt: the evaluation judges the latest attempt of each
    /// step, and `next` then resumes with the step after it.
    Rerun {
        session: String,
        #[arg(long)]
        step: u32,
    },
    /// Attach a screenshot (PNG or JPEG) as evidence for a step (C07, C14).
    Attach {
        session: String,
        #[arg(long)]
        step: u32,
        file: PathBuf,
    },
    /// Judge the recording against every criterion; each evaluation is kept.
    Evaluate {
        session: String,
        #[arg(long, value_parser = ["html", "json", "junit", "bundle"])]
        format: String,
        /// A file, or - for standard output.
        #[arg(long)]
        output: PathBuf,
    },
    /// The built-in reference DMS: plays operator and DMS through every step of the sheet.
    Simulate {
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
    let print = |session: &str, opened: OpenedRemotely| {
        println!(
            "step {} of session {session} is open, attempt {} (work date {}):",
            opened.number, opened.attempt, opened.work_date
        );
        println!("  {}", opened.step.instructions.en);
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
            let view = remote(&session).sheet()?;
            match format {
                TextOrJson::Json => println!("{}", to_json(&view)?),
                TextOrJson::Text => {
                    let language = SheetLanguage::parse(&lang).unwrap_or_default();
                    print!("{}", sessions::render_text(&view, language, server.trim_end_matches('/')));
                }
            }
        }
        CertifyCommand::Next { session } => print(&session, remote(&session).next()?),
        CertifyCommand::Rerun { session, step } => print(&session, remote(&session).rerun(step)?),
        CertifyCommand::Attach {
            session,
            step,
            file,
        } => {
            let (name, content) = read_screenshot(&file)?;
            let sha256 = remote(&session).attach(step, &name, &content)?;
            println!("{name} attached to step {step} of session {session} (SHA-256 {sha256})");
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

fn print_opened(session: &str, opened: &sessions::Opened) {
    println!(
        "step {} of session {session} is open, attempt {} (work date {}):",
        opened.step.number,
        opened.attempt,
        crate::domain::calendar::brussels_date(opened.opened_at)
    );
    println!("  {}", opened.step.instructions.en);
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
        /// Print JSON instead of text.
        #[arg(long = "format", value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
    /// A Car-Pass as it was printed, by its ID.
    Show {
        id: String,
        /// Print JSON instead of text.
        #[arg(long = "format", value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
    /// Per company, the Car-Passes issued in a month and what to invoice.
    Invoices {
        /// The month, e.g. 2026-11.
        #[arg(long)]
        month: String,
        /// Print JSON instead of text.
        #[arg(long = "format", value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Readings in review, oldest first, with their issues, versions and the VIN's history.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Accept the reading into the history; its anomalies stay marked.
    Accept {
        reading_id: String,
        #[arg(long)]
        note: String,
    },
    /// Reject the reading: it stays out of the history.
    Reject {
        reading_id: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Add a company by its enterprise number (KBO/BCE).
    Add {
        #[arg(long)]
        kbo: String,
        #[arg(long)]
        name: String,
        /// NACE codes, comma-separated; a garage needs one of 45113, 45201, 45203, 45204, 45205, 45209, 45320.
        #[arg(long)]
        nace: String,
        #[arg(long, value_enum, default_value = "garage")]
        kind: CompanyKind,
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
        #[arg(long)]
        kbo: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["submitter", "portal", "staff", "inspector", "manufacturer", "expert"])]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
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
        username: String,
        /// Why; kept with who and when.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Let a disabled account log in again.
    Enable {
        username: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        format: OutputFormat,
    },
    /// Replace the password (prints a generated one unless --password-stdin is given); the old
    /// one is refused from the next request on.
    ResetPassword {
        username: String,
        /// Read the new password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
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
    Vehicles { file: PathBuf },
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
            certify(url, &by, public_url.trim_end_matches('/'), command)
        }
        Command::Import {
            command: ImportCommand::Vehicles { file },
        } => {
            let name = file.display().to_string();
            let input =
                std::fs::File::open(&file).map_err(|e| CliError::Io(format!("{name}: {e}")))?;
            let vehicles = staff::import::parse(&name, input)?;
            let pool = db::connect_existing(&url, 1)?;
            let mut conn = pool.get().map_err(db::DbError::from)?;
            let summary =
                register::import(&mut conn, &vehicles, Utc::now()).map_err(StaffError::from)?;
            println!(
                "imported {} vehicles from {name}; {} waiting readings re-evaluated",
                summary.vehicles, summary.readings_reevaluated
            );
            Ok(())
        }
    }
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
            let pool = db::connect(&settings.database_url, 1)?;
            let mut conn = pool.get().map_err(db::DbError::from)?;
            let demo = staff::demo::seed(&mut conn, Utc::now())?;
            println!("carpass demo on {}", settings.database_url);
            println!("  WSDL:      {base}/soap/inflow?wsdl");
            println!(
                "  submitter: {} / {}",
                staff::demo::DEMO_USER,
                demo.garage_password
            );
            println!(
                "  portal:    {} / {}",
                staff::demo::DEMO_PORTAL_USER,
                demo.portal_password
            );
            println!(
                "  inspector: {} / {}",
                staff::demo::DEMO_INSPECTOR_USER,
                demo.inspector_password
            );
            println!("  verify:    {base}/verify");
            println!("  vehicles:  {}", demo.vins.join(", "));
        }
        log::info!("serving {base}/soap/inflow on {}", settings.database_url);
        app.run_until_signalled()
            .await
            .map_err(|e| CliError::Io(e.to_string()))
    })
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
                },
        } => {
            let actor = staff::Actor::staff_or_bootstrap(&mut conn, who.as_deref())?;
            let kbo =
                staff::companies::add(&mut conn, &actor, &kbo, &name, &nace, kind, Utc::now())?;
            println!("company {kbo} added: {name}{}", by(&actor));
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
                },
        } => {
            let role = Role::parse(&role).expect("clap allows only the roles Role::parse reads");
            let actor = staff::Actor::staff_or_bootstrap(&mut conn, who.as_deref())?;
            let password = password_from_stdin(password_stdin)?;
            let generated = staff::accounts::add(
                &mut conn,
                &actor,
                &kbo,
                &username,
                role,
                password,
                Utc::now(),
            )?;
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
            command: ReviewCommand::List { json },
        } => {
            let queue = review::queue(&mut conn)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&queue)
                        .map_err(|e| CliError::Io(e.to_string()))?
                );
            } else {
                print!("{}", review::render_text(&queue));
            }
        }
        StaffCommand::Review {
            command: ReviewCommand::Accept { reading_id, note },
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let status = review::decide(
                &mut conn,
                &me,
                &reading_id,
                Decision::Accept,
                &note,
                Utc::now(),
            )?;
            println!("reading {reading_id} is now {}", status.as_str());
        }
        StaffCommand::Review {
            command: ReviewCommand::Reject { reading_id, note },
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let status = review::decide(
                &mut conn,
                &me,
                &reading_id,
                Decision::Reject,
                &note,
                Utc::now(),
            )?;
            println!("reading {reading_id} is now {}", status.as_str());
        }
        StaffCommand::Correct {
            reading_id,
            odometer,
            work_date,
            vin,
            form_ref,
            note,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let form = PaperForm {
                reference: form_ref,
                odometer,
                work_date,
                vin,
                note,
            };
            let status = review::apply_paper_form(&mut conn, &me, &reading_id, &form, Utc::now())?;
            println!(
                "reading {reading_id} corrected from form {}; it is now {}",
                form.reference,
                status.as_str()
            );
        }
        StaffCommand::Verdict {
            session,
            criterion,
            pass,
            fail: _,
            note,
        } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let cert_pool = db::open_existing(db::Database::Certification, &url, 1)?;
            let mut cert = cert_pool.get().map_err(db::DbError::from)?;
            let criterion = approvals::verdict(
                &mut cert,
                &session,
                &criterion,
                pass,
                &note,
                &me,
                Utc::now(),
            )?;
            println!(
                "{criterion} of session {session}: {} by {me}; evaluate again to see it in the report",
                if pass { "passed" } else { "failed" }
            );
        }
        StaffCommand::Approve {
            session,
            valid_until,
            note,
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
            println!(
                "approval {}: {} {} ({}) is an approved DMS until {}",
                approval.id,
                approval.dms_name,
                approval.dms_version,
                approval.dms_builder,
                approval.valid_until
            );
        }
        StaffCommand::Revoke { approval_id, note } => {
            let me = staff::staff_member(&mut conn, who.as_deref())?;
            let revoked = approvals::revoke(&mut conn, &approval_id, &note, &me, Utc::now())?;
            println!(
                "approval {} of {} {} revoked",
                revoked.id, revoked.dms_name, revoked.dms_version
            );
        }
        StaffCommand::Approvals { json } => {
            let all = db::approvals::all(&mut conn).map_err(StaffError::from)?;
            if json {
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
            json,
        } => {
            let candidates = if publish {
                let me = staff::staff_member(&mut conn, who.as_deref())?;
                let trusted = trusted_providers::publish(&mut conn, year, &me, Utc::now())?;
                eprintln!(
                    "the Trusted Provider list {year} is published: {} companies",
                    trusted.len()
                );
                trusted
            } else {
                trusted_providers::compute(&mut conn, year)?
            };
            if json {
                println!("{}", to_json(&candidates)?);
            } else {
                print!("{}", trusted_providers::render_text(year, &candidates));
            }
        }
        StaffCommand::Software { json } => {
            let usage = software::usage(
                &mut conn,
                crate::domain::calendar::brussels_date(Utc::now()),
            )?;
            if json {
                println!("{}", to_json(&usage)?);
            } else {
                print!("{}", software::render_text(&usage));
            }
        }
        StaffCommand::Sweep => {
            let flagged =
                register::sweep_unregistered(&mut conn, Utc::now()).map_err(StaffError::from)?;
            println!(
                "{flagged} readings waited {} days for their vehicle and got VIN_UNKNOWN",
                register::WAITING_DAYS
            );
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
    let json = |format: &str| format == "json";
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
            match format {
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
            match format {
                TextOrJson::Json => println!("{}", to_json(&view)?),
                TextOrJson::Text => {
                    let language =
                        SheetLanguage::parse(&lang).expect("clap allows only nl, fr and en");
                    print!("{}", sessions::render_text(&view, language, public_url));
                }
            }
        }
        CertifyCommand::Next { session } => {
            let opened = sessions::next(&mut conn, &session, by, Utc::now())?;
            print_opened(&session, &opened);
        }
        CertifyCommand::Rerun { session, step } => {
            let opened = sessions::rerun(&mut conn, &session, step, by, Utc::now())?;
            print_opened(&session, &opened);
        }
        CertifyCommand::Attach {
            session,
            step,
            file,
        } => {
            let (name, content) = read_screenshot(&file)?;
            let sha256 =
                sessions::attach(&mut conn, &session, step, &name, content, by, Utc::now())?;
            println!("{name} attached to step {step} of session {session} (SHA-256 {sha256})");
        }
        CertifyCommand::Evaluate {
            session,
            format,
            output,
        } => {
            let format = report::Format::parse(&format).expect("clap allows only the four formats");
            let evaluated = evaluations::evaluate(&mut conn, &session, by, Utc::now())?;
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

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(|e| CliError::Io(e.to_string()))
}
