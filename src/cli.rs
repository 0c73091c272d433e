//! The command line (SPEC 6; the command names are part of the contract).

use std::io::Read;
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::db::{self, DatabaseUrl};
use crate::service::auth::Role;
use crate::service::register;
use crate::settings::{Settings, TlsFiles, DEFAULT_BIND, DEFAULT_DATABASE_URL, DEFAULT_SHUTDOWN_TIMEOUT_SECS};
use crate::staff::review::{self, Decision, PaperForm};
use crate::staff::{self, companies::CompanyKind, StaffError};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(name = "carpass", version, about = "The odometer registry's inflow service")]
pub struct Cli {
    /// sqlite://PATH (or a plain file path) or postgres://USER:PASSWORD@HOST/DB
    #[arg(long, global = true, env = "CARPASS_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the SOAP endpoint (the WSDL is at /soap/inflow?wsdl).
    Serve {
        #[arg(long, env = "CARPASS_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Create a demo garage, its account and vehicles with histories; print the credentials.
        #[arg(long)]
        demo: bool,
        /// Serve HTTPS (TLS 1.2 and 1.3): the certificate chain, PEM, the server's certificate first.
        #[arg(long, env = "CARPASS_TLS_CERT", value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key, PEM (PKCS#8, RSA or EC).
        #[arg(long, env = "CARPASS_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// On SIGTERM or SIGINT, how long the requests in flight may take to finish.
        #[arg(long, env = "CARPASS_SHUTDOWN_TIMEOUT", value_name = "SECONDS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT_SECS)]
        shutdown_timeout: u64,
    },
    /// Registry staff tools.
    Staff {
        /// Who acts (a staff account); recorded with every decision.
        #[arg(long, global = true, env = "CARPASS_STAFF")]
        staff: Option<String>,
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Import data into the registry.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
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
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; prints a generated password unless --password-stdin is given.
    Add {
        #[arg(long)]
        kbo: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["submitter", "portal", "staff"])]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
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
    #[error("{0}")]
    Io(String),
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let url = DatabaseUrl::parse(&cli.database_url)?;
    match cli.command {
        Command::Serve {
            bind,
            demo,
            tls_cert,
            tls_key,
            shutdown_timeout,
        } => {
            let mut settings = Settings::new(&bind, url);
            settings.tls = tls_cert.zip(tls_key).map(|(cert, key)| TlsFiles { cert, key });
            settings.shutdown_timeout = std::time::Duration::from_secs(shutdown_timeout);
            serve(settings, demo)
        }
        Command::Staff { staff: who, command } => staff(url, who, command),
        Command::Import {
            command: ImportCommand::Vehicles { file },
        } => {
            let name = file.display().to_string();
            let input = std::fs::File::open(&file).map_err(|e| CliError::Io(format!("{name}: {e}")))?;
            let vehicles = staff::import::parse(&name, input)?;
            let pool = db::connect(&url, 1)?;
            let mut conn = pool.get().map_err(db::DbError::from)?;
            let summary = register::import(&mut conn, &vehicles, Utc::now()).map_err(StaffError::from)?;
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
        let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
        let base = format!("{}://{}:{}", app.scheme(), host.replace("0.0.0.0", "127.0.0.1"), app.port());
        if demo {
            let pool = db::connect(&settings.database_url, 1)?;
            let mut conn = pool.get().map_err(db::DbError::from)?;
            let demo = staff::demo::seed(&mut conn, Utc::now())?;
            println!("carpass demo on {}", settings.database_url);
            println!("  WSDL:      {base}/soap/inflow?wsdl");
            println!("  submitter: {} / {}", staff::demo::DEMO_USER, demo.garage_password);
            println!("  portal:    {} / {}", staff::demo::DEMO_PORTAL_USER, demo.portal_password);
            println!("  vehicles:  {}", demo.vins.join(", "));
        }
        log::info!("serving {base}/soap/inflow on {}", settings.database_url);
        app.run_until_signalled()
            .await
            .map_err(|e| CliError::Io(e.to_string()))
    })
}

fn staff(url: DatabaseUrl, who: Option<String>, command: StaffCommand) -> Result<(), CliError> {
    let pool = db::connect(&url, 1)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    match command {
        StaffCommand::Company {
            command: CompanyCommand::Add { kbo, name, nace, kind },
        } => {
            let kbo = staff::companies::add(&mut conn, &kbo, &name, &nace, kind, Utc::now())?;
            println!("company {kbo} added: {name}");
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
            let role = Role::parse(&role).expect("clap allows only the three roles");
            let password = if password_stdin {
                let mut input = String::new();
                std::io::stdin()
                    .read_to_string(&mut input)
                    .map_err(|e| CliError::Io(format!("reading the password: {e}")))?;
                Some(input.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let generated = staff::accounts::add(&mut conn, &kbo, &username, role, password, Utc::now())?;
            match generated {
                Some(password) => println!("user {username} added; password: {password}"),
                None => println!("user {username} added"),
            }
        }
        StaffCommand::Review {
            command: ReviewCommand::List { json },
        } => {
            let queue = review::queue(&mut conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&queue).map_err(|e| CliError::Io(e.to_string()))?);
            } else {
                print!("{}", review::render_text(&queue));
            }
        }
        StaffCommand::Review {
            command: ReviewCommand::Accept { reading_id, note },
        } => {
            let me = review::staff_member(&mut conn, who.as_deref())?;
            let status = review::decide(&mut conn, &me, &reading_id, Decision::Accept, &note, Utc::now())?;
            println!("reading {reading_id} is now {}", status.as_str());
        }
        StaffCommand::Review {
            command: ReviewCommand::Reject { reading_id, note },
        } => {
            let me = review::staff_member(&mut conn, who.as_deref())?;
            let status = review::decide(&mut conn, &me, &reading_id, Decision::Reject, &note, Utc::now())?;
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
            let me = review::staff_member(&mut conn, who.as_deref())?;
            let form = PaperForm {
                reference: form_ref,
                odometer,
                work_date,
                vin,
                note,
            };
            let status = review::apply_paper_form(&mut conn, &me, &reading_id, &form, Utc::now())?;
            println!("reading {reading_id} corrected from form {}; it is now {}", form.reference, status.as_str());
        }
        StaffCommand::Sweep => {
            let flagged = register::sweep_unregistered(&mut conn, Utc::now()).map_err(StaffError::from)?;
            println!("{flagged} readings waited {} days for their vehicle and got VIN_UNKNOWN", register::WAITING_DAYS);
        }
    }
    Ok(())
}
