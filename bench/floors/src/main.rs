//! The benchmark's helpers (bench/run calls each of them):
//!
//! - `echo`: a bare actix-web server that answers every POST with its body: the HTTP floor.
//! - `storage`: raw inserts of reading rows with carpass's own durability: the storage floor.
//! - `seed`: a fresh carpass database with an account, vehicles and their histories.
//! - `argon2`: the time of one password verification, the cost the credential cache avoids.
//! - `car-pass-pdf`: Car-Pass PDFs of a 20-reading history rendered per second, the issuing floor.
//! - `car-pass`: inspection centres issuing Car-Passes (RequestCarPass, then the PDF), closed loop.
//! - `paced`: a load at a fixed request rate (wrk can only saturate), for p99 below saturation.
//! - `createdb` / `dropdb`: a throw-away PostgreSQL database per run.

mod car_pass;
mod car_pass_pdf;
mod echo;
mod paced;
mod seed;
mod storage;

use std::time::Instant;

use clap::{Parser, Subcommand};
use diesel::{Connection, RunQueryDsl};

type Error = Box<dyn std::error::Error>;

#[derive(Parser)]
#[command(name = "floors")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the echo floor until killed.
    Echo {
        #[arg(long)]
        bind: String,
    },
    /// Insert reading rows for a while per batch size and print rows/s.
    Storage {
        /// sqlite://PATH of a new file, or postgres://... of an empty database.
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// The rows' VINs cycle over this many, as the service's load does over the seed's.
        #[arg(long, default_value_t = 16384)]
        vehicles: u64,
    },
    /// Create the benchmark's account, vehicles and histories in a fresh database.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value_t = 16384)]
        vehicles: usize,
        /// Vehicles with a 19-reading history, for the Car-Pass scenario (WDB2030461B100000 on).
        #[arg(long, default_value_t = 0)]
        history_vehicles: usize,
    },
    /// Time Argon2id password verifications as carpass does them.
    Argon2 {
        #[arg(long, default_value_t = 9)]
        rounds: usize,
    },
    /// Render the PDF of a 20-reading Car-Pass for a while and print the rate.
    CarPassPdf {
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Default: one per core.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Issue Car-Passes on keep-alive connections for a while; print the rate and latencies.
    CarPass {
        /// HOST:PORT of carpass serve.
        #[arg(long)]
        address: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// The seed's history vehicles to cycle over.
        #[arg(long)]
        vehicles: u64,
        /// The request number to start at (a previous run's `next`).
        #[arg(long, default_value_t = 0)]
        first: u64,
        /// Prefix of the ClientReferences.
        #[arg(long)]
        tag: String,
        #[arg(long)]
        seconds: f64,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Write the first answer of each kind to this path with its kind as extension.
        #[arg(long)]
        sample: Option<std::path::PathBuf>,
    },
    /// Send one request body at a fixed rate over keep-alive connections; print latencies.
    Paced {
        /// http://HOST:PORT/PATH
        #[arg(long)]
        url: String,
        #[arg(long)]
        body_file: std::path::PathBuf,
        #[arg(long)]
        rate: f64,
        #[arg(long)]
        seconds: f64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Create a database named NAME next to the admin URL's; print its URL.
    Createdb { admin_url: String, name: String },
    /// Drop the database NAME (connections are closed by force).
    Dropdb { admin_url: String, name: String },
}

fn main() -> Result<(), Error> {
    match Cli::parse().command {
        Command::Echo { bind } => echo::serve(&bind)?,
        Command::Storage {
            database_url,
            seconds,
            vehicles,
        } => storage::run(&database_url, seconds, vehicles)?,
        Command::Seed {
            database_url,
            username,
            password,
            vehicles,
            history_vehicles,
        } => seed::run(
            &database_url,
            &username,
            &password,
            vehicles,
            history_vehicles,
        )?,
        Command::Argon2 { rounds } => argon2(rounds),
        Command::CarPassPdf { seconds, threads } => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            car_pass_pdf::run(seconds, threads.unwrap_or(cores))
        }
        Command::CarPass {
            address,
            username,
            password,
            vehicles,
            first,
            tag,
            seconds,
            connections,
            sample,
        } => car_pass::run(car_pass::Load {
            address,
            username,
            password,
            vehicles,
            first,
            tag,
            seconds,
            connections,
            sample,
        })?,
        Command::Paced {
            url,
            body_file,
            rate,
            seconds,
            connections,
        } => {
            let body = std::fs::read(&body_file)?;
            paced::run(&url, body, rate, seconds, connections)?
        }
        Command::Createdb { admin_url, name } => {
            admin(&admin_url, &format!("CREATE DATABASE {name}"))?;
            let (base, _) = admin_url
                .rsplit_once('/')
                .ok_or("the admin URL names no database")?;
            println!("{base}/{name}");
        }
        Command::Dropdb { admin_url, name } => admin(
            &admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?,
    }
    Ok(())
}

/// What one verification costs: carpass runs it once per credential, then for five minutes
/// remembers the result; without the cache every request would pay this.
fn argon2(rounds: usize) {
    use carpass::service::passwords;
    let stored = passwords::hash("correct horse battery staple");
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            assert!(passwords::verify("correct horse battery staple", &stored));
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!("ARGON2 verify_ms={:.2}", times[times.len() / 2]);
}

fn admin(admin_url: &str, sql: &str) -> Result<(), Error> {
    let mut conn = diesel::pg::PgConnection::establish(admin_url)?;
    diesel::sql_query(sql).execute(&mut conn)?;
    Ok(())
}
