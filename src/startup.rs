//! Building and running the server: `Application::build` reads the TLS files, opens the
//! database (migrations first) and binds the listener (port 0 works, the real port is
//! recorded). `run_until_signalled` is what `carpass serve` runs: SIGTERM or SIGINT stops it
//! gracefully.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{middleware, web, App, HttpServer};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::app::{AppState, BodyBudget, Certification};
use crate::db::{self, DbError};
use crate::metrics::Metrics;
use crate::service::auth::{Authenticator, Hasher};
use crate::service::group_commit::Committer;
use crate::settings::{Settings, TlsFiles};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("{0}")]
    Tls(String),
}

pub struct Application {
    port: u16,
    https: bool,
    shutdown_timeout: Duration,
    server: Server,
}

impl Application {
    pub fn build(settings: Settings) -> Result<Application, StartupError> {
        // The TLS files first: a typo in a path must not leave a new empty database behind.
        let tls = settings.tls.as_ref().map(tls_config).transpose()?;
        let pool = db::connect(&settings.database_url, settings.pool_size)?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| StartupError::Bind(settings.bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(settings.bind.clone(), e))?
            .port();
        let metrics = Arc::new(Metrics::new());
        let bodies = BodyBudget::new(settings.body_budget_bytes);
        let hasher = Hasher::for_this_machine(settings.hash_queue);
        let observer = metrics.clone();
        let committer = Committer::start(
            pool.clone(),
            settings.writer_queue,
            Box::new(move |n| observer.observe_batch_size(n)),
        );
        let certification_pool = db::open(db::Database::Certification, &settings.database_url, 4)?;
        let certification = web::Data::new(Certification(AppState {
            committer: Committer::start(
                certification_pool.clone(),
                settings.writer_queue,
                Box::new(|_| {}),
            ),
            pool: certification_pool,
            readers: db::Readers::of(db::Database::Certification, &settings.database_url),
            authenticator: Arc::new(Authenticator::new(hasher.clone())),
            clock: settings.clock,
            settings: settings.clone(),
            metrics: Arc::new(Metrics::new()),
            bodies: bodies.clone(),
        }));
        let state = web::Data::new(AppState {
            pool,
            readers: db::Readers::of(db::Database::Production, &settings.database_url),
            authenticator: Arc::new(Authenticator::new(hasher)),
            clock: settings.clock,
            settings: settings.clone(),
            committer,
            metrics,
            bodies,
        });
        let sweeper = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(crate::web::page::security_headers())
                .wrap(middleware::from_fn(crate::web::page::remember_language))
                .wrap(middleware::from_fn(crate::web::metrics::observe))
                .app_data(state.clone())
                .app_data(certification.clone())
                .configure(crate::soap::routes)
                .configure(crate::web::certify::routes)
                .configure(crate::web::certify_api::routes)
                .configure(crate::web::public::routes)
                .configure(crate::web::approved_dms::routes)
                .configure(crate::web::health::routes)
                .configure(crate::web::label::routes)
                .configure(crate::web::verify::routes)
                .configure(crate::web::car_pass_pdf::routes)
                .configure(crate::web::metrics::routes)
                .configure(crate::web::staff::routes)
                .configure(crate::web::feeds::routes)
        })
        // Signals are `run_until_signalled`'s business: a server inside a test process must
        // not take SIGINT away from the test runner.
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        actix_web::rt::spawn(sweep_periodically(sweeper));
        let workers = settings
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        // Storage work on the blocking pool waits for a pooled connection: threads beyond the
        // pool's size would only wait too, each with its stack and its allocator arena (the
        // default is 512 per process).
        let server = server
            .workers(workers)
            .worker_max_blocking_threads((settings.pool_size as usize / workers).max(1));
        let https = tls.is_some();
        let server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config),
            None => server.listen(listener),
        }
        .map_err(|e| StartupError::Bind(settings.bind.clone(), e))?
        .run();
        Ok(Application {
            port,
            https,
            shutdown_timeout: settings.shutdown_timeout,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https` with `--tls-cert`, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }

    /// Stops the server: `handle().stop(true)` is the graceful stop a SIGTERM starts.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Runs until stopped through `handle()`; signals are not watched.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully: no new connection is accepted, the
    /// requests in flight finish (their transactions commit and their responses are sent)
    /// within the shutdown timeout, and then this returns. A second signal exits the process
    /// at once, with status 1.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let mut signals = Signals::new()?;
        let handle = self.server.handle();
        let timeout = self.shutdown_timeout.as_secs();
        actix_web::rt::spawn(async move {
            let name = signals.next().await;
            log::info!(
                "{name} received: no new connections; finishing the requests in flight (at most {timeout} s)"
            );
            actix_web::rt::spawn(async move { handle.stop(true).await });
            // The server takes no other command while it waits for its workers: leave at once,
            // as a kill would. Whatever was not answered was stored whole or not at all.
            let name = signals.next().await;
            log::warn!(
                "{name} received again: exiting now, without waiting for the requests in flight"
            );
            std::process::exit(1);
        });
        self.server.await?;
        log::info!("stopped");
        Ok(())
    }
}

/// SIGTERM (what an orchestrator sends) and SIGINT (Ctrl-C).
struct Signals {
    #[cfg(unix)]
    term: actix_web::rt::signal::unix::Signal,
    #[cfg(unix)]
    int: actix_web::rt::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> std::io::Result<Signals> {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// The next signal's name.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        use futures_util::future::{select, Either};
        let term = std::pin::pin!(self.term.recv());
        let int = std::pin::pin!(self.int.recv());
        match select(term, int).await {
            Either::Left(_) => "SIGTERM",
            Either::Right(_) => "SIGINT",
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = actix_web::rt::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// rustls with the ring provider (no system library, no cmake), TLS 1.3 and 1.2 only.
fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, StartupError> {
    let tls = |message: String| StartupError::Tls(message);
    let read = |path: &Path, what: &str| {
        std::fs::read(path).map_err(|e| {
            tls(format!(
                "cannot read the TLS {what} {}: {e}",
                path.display()
            ))
        })
    };
    let not_pem = |path: &Path, what: &str, e: pem::Error| match e {
        pem::Error::NoItemsFound => tls(format!("{} holds no PEM {what}", path.display())),
        e => tls(format!("{} is not a valid PEM {what}: {e}", path.display())),
    };
    let what = "certificate (-----BEGIN CERTIFICATE-----)";
    let chain = CertificateDer::pem_slice_iter(&read(&files.cert, "certificate")?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| not_pem(&files.cert, what, e))?;
    if chain.is_empty() {
        return Err(not_pem(&files.cert, what, pem::Error::NoItemsFound));
    }
    let key = PrivateKeyDer::from_pem_slice(&read(&files.key, "private key")?).map_err(|e| {
        not_pem(
            &files.key,
            "private key (-----BEGIN PRIVATE KEY-----, RSA or EC PRIVATE KEY)",
            e,
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| tls(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            tls(format!(
                "the TLS certificate {} and key {} cannot be used together: {e}",
                files.cert.display(),
                files.key.display()
            ))
        })
}

/// Issue 3: readings waiting 30 days for their vehicle get VIN_UNKNOWN, checked every hour
/// (and at start). Several instances may sweep at once: the sweep is idempotent.
async fn sweep_periodically(state: web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(state.settings.sweep_interval);
    loop {
        interval.tick().await;
        let now = state.clock.now();
        match state
            .run(move |conn| crate::service::register::sweep_unregistered(conn, now))
            .await
        {
            Ok(0) => {}
            Ok(n) => log::info!("{n} readings waited too long for their vehicle: VIN_UNKNOWN"),
            Err(_) => {
                log::warn!("the VIN_UNKNOWN sweep failed; it runs again at the next interval")
            }
        }
    }
}
