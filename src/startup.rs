//! Building and running the server: `Application::build` binds the listener (port 0 works, the
//! real port is recorded) and opens the database, migrations first.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};

use crate::clock::Clock;
use crate::db::{self, DbConnection, DbError, Pool};
use crate::service::auth::Authenticator;
use crate::service::ServiceError;
use crate::settings::Settings;
use crate::soap::fault::Fault;

/// What every request handler shares.
pub struct AppState {
    pub pool: Pool,
    pub authenticator: Arc<Authenticator>,
    pub clock: Clock,
    pub settings: Settings,
}

impl AppState {
    /// Runs storage work on the blocking thread pool (diesel is blocking). A failure is ours,
    /// so the client gets a Server fault telling it to retry; the log keeps the cause.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Fault>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        match self.run_raw(work).await? {
            Ok(value) => Ok(value),
            Err(e) => {
                log::error!("request failed: {e}");
                Err(Fault::server())
            }
        }
    }

    /// Like `run`, but hands the work's own error back to the caller.
    pub async fn run_raw<T, E, F>(&self, work: F) -> Result<Result<T, E>, Fault>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        let outcome = web::block(move || pool.get().map(|mut conn| work(&mut conn))).await;
        match outcome {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(e)) => {
                log::error!("no database connection: {e}");
                Err(Fault::server())
            }
            Err(e) => {
                log::error!("blocking task failed: {e}");
                Err(Fault::server())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn build(settings: Settings) -> Result<Application, StartupError> {
        let pool = db::connect(&settings.database_url, settings.pool_size)?;
        let listener =
            TcpListener::bind(&settings.bind).map_err(|e| StartupError::Bind(settings.bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(settings.bind.clone(), e))?
            .port();
        let state = web::Data::new(AppState {
            pool,
            authenticator: Arc::new(Authenticator::new()),
            clock: settings.clock,
            settings: settings.clone(),
        });
        let sweeper = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::Logger::new("%a \"%r\" %s %b %Dms"))
                .app_data(state.clone())
                .configure(crate::soap::routes)
                .configure(crate::web::health::routes)
                .configure(crate::web::label::routes)
        });
        actix_web::rt::spawn(sweep_periodically(sweeper));
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let server = server
            .listen(listener)
            .map_err(|e| StartupError::Bind(settings.bind.clone(), e))?
            .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
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
            Err(_) => log::warn!("the VIN_UNKNOWN sweep failed; it runs again at the next interval"),
        }
    }
}
