//! The application state every adapter shares (the SOAP endpoint, the web pages, the
//! certification endpoints): the database with its executor, the authenticator, the clock,
//! the settings, the group-commit writer and the counters. It sits below the adapters and
//! answers in the storage's and the services' own errors; each adapter turns those into its
//! own world in one place (SOAP faults in `soap::fault`, HTML in `web::page`, the CLI in
//! `cli`).

use std::sync::Arc;

use actix_web::web;

use crate::clock::Clock;
use crate::db::{self, DbConnection, Pool};
use crate::metrics::Metrics;
use crate::service::auth::Authenticator;
use crate::service::group_commit::Committer;
use crate::service::ServiceError;
use crate::settings::Settings;

/// What every request handler shares.
pub struct AppState {
    pub pool: Pool,
    /// Read-only work runs on these, on the request's thread, when the database has them.
    pub readers: Option<db::Readers>,
    pub authenticator: Arc<Authenticator>,
    pub clock: Clock,
    pub settings: Settings,
    /// SubmitReadings goes through here: concurrent requests share durable commits.
    pub committer: Committer,
    /// What GET /metrics shows; one per application, so tests never share counts.
    pub metrics: Arc<Metrics>,
}

/// The certification environment (SPEC 5.5): the same service on a database of its own, with
/// its own counters, so that certification traffic never shows in production's.
pub struct Certification(pub AppState);

impl AppState {
    /// Runs storage work on the blocking thread pool (diesel is blocking). When no connection
    /// can be had, the work's own error type says so (`ServiceError::Pool` or `Unavailable`).
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<ServiceError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        match web::block(move || pool.get().map(|mut conn| work(&mut conn))).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => Err(ServiceError::Pool(e).into()),
            Err(e) => Err(ServiceError::Unavailable(format!("blocking task failed: {e}")).into()),
        }
    }

    /// Like `run`, for work that only reads: on SQLite it runs right here (see `db::Readers`).
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<ServiceError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let Some(readers) = &self.readers else {
            return self.run(work).await;
        };
        match readers.run(work) {
            Ok(result) => result,
            Err(e) => Err(ServiceError::Unavailable(format!("no connection to read: {e}")).into()),
        }
    }
}
