//! The application state every adapter shares (the SOAP endpoint, the web pages, the
//! certification endpoints): the database with its executor, the authenticator, the clock,
//! the settings, the group-commit writer and the counters. It sits below the adapters and
//! answers in the storage's and the services' own errors; each adapter turns those into its
//! own world in one place (SOAP faults in `soap::fault`, HTML in `web::page`, the CLI in
//! `cli`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use std::net::IpAddr;

use actix_web::{web, HttpRequest};

use crate::clock::Clock;
use crate::db::{self, DbConnection, Pool};
use crate::metrics::{Channel, Metrics};
use crate::service::auth::{Account, AuthError, Authenticator, Credentials};
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
    /// The request bodies held in memory; one for the process, production's and
    /// certification's requests alike.
    pub bodies: Arc<BodyBudget>,
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

/// The longest a throttled login's answer is held back.
const TARPIT_MOST: std::time::Duration = std::time::Duration::from_secs(5);

impl AppState {
    /// Authenticates a credential: the account is read once, a password remembered from a
    /// recent login is answered from the cache, any other is hashed with no connection held,
    /// and the nonce (if any) is written. A refused login is logged, with its source, and
    /// counted.
    pub async fn authenticate(
        &self,
        channel: Channel,
        source: Option<IpAddr>,
        credentials: &Credentials,
    ) -> Result<Account, AuthError> {
        let now = self.clock.now();
        // One read: `verify` answers a remembered password from the cache without a hash.
        let (authenticator, username) = (self.authenticator.clone(), credentials.username.clone());
        let stored = self
            .read(move |conn| authenticator.find(conn, &username))
            .await?;
        let verified = self
            .authenticator
            .verify(source, credentials, stored, now)
            .await;
        if let Err(e) = &verified {
            self.metrics.login_refused(channel, e);
            if matches!(e, AuthError::Failed | AuthError::Throttled { .. }) {
                let source = source.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
                let user = &credentials.username;
                log::warn!("login refused: channel={channel:?} user={user:?} remote={source}: {e}");
            }
        }
        if let Err(AuthError::Throttled { retry_after }) = verified {
            // A held-back guesser's answer is held back too: its connection sends nothing more
            // meanwhile, so that a flood answered at once cannot crowd out everyone else's
            // requests. Only the connection waits: no thread, no database connection.
            // Spread over the last half of the wait, so that a flood's connections, held back
            // together, do not all come back at the same moment.
            let spread = rand::Rng::gen_range(&mut rand::thread_rng(), 0.5..=1.0);
            let held = retry_after.min(TARPIT_MOST).mul_f64(spread);
            actix_web::rt::time::sleep(held).await;
            let retry_after = (retry_after - held).max(std::time::Duration::from_secs(1));
            return Err(AuthError::Throttled { retry_after });
        }
        let account = verified?;
        if credentials.nonce.is_some() {
            let (authenticator, credentials) = (self.authenticator.clone(), credentials.clone());
            self.run(move |conn| authenticator.remember_nonce(conn, &credentials, now))
                .await?;
        }
        Ok(account)
    }
}

/// The address a request came from: the TCP peer, or, when that peer is one of the configured
/// proxies, the client its `Forwarded` or `X-Forwarded-For` header names. Nobody else's
/// header is believed.
pub fn client_address(req: &HttpRequest, settings: &Settings) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !settings.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    req.connection_info()
        .realip_remote_addr()
        .and_then(parse_address)
        .or(Some(peer))
}

/// `192.0.2.1`, `192.0.2.1:5000`, `[2001:db8::1]:5000` or `2001:db8::1`.
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

/// The scheme and host the service is reached at, for the addresses it hands out (the WSDL's
/// service address, links): the configured public URL when there is one; else what the
/// request says, where the `Forwarded` headers count only from a configured proxy.
pub fn public_base(req: &HttpRequest, settings: &Settings) -> String {
    if let Some(url) = &settings.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let trusted = req
        .peer_addr()
        .is_some_and(|peer| settings.trusted_proxies.contains(&peer.ip()));
    if trusted {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| req.app_config().host().to_owned());
    format!("{scheme}://{host}")
}

/// Whether the client reached us over TLS: ours, or a configured proxy's that says so.
pub fn is_secure(req: &HttpRequest, settings: &Settings) -> bool {
    public_base(req, settings).starts_with("https://")
}

/// Bytes of request bodies held in memory at once, across every connection: a body is
/// counted from its first byte (or its Content-Length) until its request is answered, so that
/// many slow or large uploads cannot together take more than the budget.
#[derive(Debug)]
pub struct BodyBudget {
    limit: usize,
    used: AtomicUsize,
}

/// A share of the budget, given back when it is dropped.
#[derive(Debug)]
pub struct Held {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl BodyBudget {
    pub fn new(limit: usize) -> Arc<BodyBudget> {
        Arc::new(BodyBudget {
            limit,
            used: AtomicUsize::new(0),
        })
    }

    /// An empty share, to grow as the body arrives.
    pub fn hold(self: &Arc<Self>) -> Held {
        Held {
            budget: self.clone(),
            bytes: 0,
        }
    }

    /// Bytes held now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::SeqCst)
    }
}

impl Held {
    /// Holds `bytes` more, or nothing and `false` when the budget has no room for them.
    pub fn grow(&mut self, bytes: usize) -> bool {
        let budget = &self.budget;
        let taken = budget
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(bytes)
                    .filter(|total| *total <= budget.limit)
            })
            .is_ok();
        if taken {
            self.bytes += bytes;
        }
        taken
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_shared_until_it_is_spent_and_given_back_when_dropped() {
        let budget = BodyBudget::new(100);
        let mut a = budget.hold();
        let mut b = budget.hold();
        assert!(a.grow(60));
        assert!(!b.grow(41), "past the limit");
        assert!(b.grow(40), "exactly up to it");
        assert_eq!(budget.used(), 100);
        drop(a);
        assert_eq!(budget.used(), 40);
        assert!(b.grow(60));
        assert_eq!(b.bytes(), 100);
        drop(b);
        assert_eq!(budget.used(), 0);
    }
}
