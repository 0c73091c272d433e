//! Who is calling, and may they (SPEC 3.2).
//!
//! The slow password hash runs once per credential: a verified (user, password, stored hash)
//! is remembered for a few minutes under a keyed digest, so a changed password (new stored
//! hash) or a wrong one never matches the cache.
//!
//! A hash is never waited for on a blocking thread or with a database connection: the account
//! is read, the connection given back, and the hash runs on a few hashing threads behind a
//! bounded queue (a full queue refuses at once). Before a hash, the throttle asks whether the
//! source address or the account name failed too often lately: a flood of wrong passwords
//! meets a growing wait without costing a hash, while a garage that mistyped a few times, or
//! whose password is remembered, never notices it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{accounts, nonces, DbConnection};
use crate::service::passwords;
use crate::service::ServiceError;

/// SPEC 3.2: wsu:Created must be within 5 minutes.
pub const FRESHNESS: chrono::Duration = chrono::Duration::minutes(5);
const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub nonce: Option<String>,
    pub created: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Submitter,
    Portal,
    Staff,
    /// A technical inspection centre's clerk.
    Inspector,
    /// A manufacturer's or an importer's feed.
    Manufacturer,
    /// An accident expert.
    Expert,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Submitter,
        Role::Portal,
        Role::Staff,
        Role::Inspector,
        Role::Manufacturer,
        Role::Expert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::Portal => "portal",
            Role::Staff => "staff",
            Role::Inspector => "inspector",
            Role::Manufacturer => "manufacturer",
            Role::Expert => "expert",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "submitter" => Some(Role::Submitter),
            "portal" => Some(Role::Portal),
            "staff" => Some(Role::Staff),
            "inspector" => Some(Role::Inspector),
            "manufacturer" => Some(Role::Manufacturer),
            "expert" => Some(Role::Expert),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub company_id: i64,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The same answer for an unknown user and a wrong password (SPEC 7.3).
    #[error("authentication failed: the user name or the password is wrong")]
    Failed,
    /// Only after the right password: it tells the garage to call the registry instead of
    /// retyping, and tells nothing to whoever does not know the password.
    #[error(
        "the account {0} is disabled by the registry: contact the registry to have it enabled"
    )]
    Disabled(String),
    #[error("wsu:Created {created} is more than 5 minutes away from the registry's clock ({now}); check the DMS clock and send a fresh token")]
    Stale {
        created: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("this nonce was already used within the last 5 minutes (a replay); send a fresh Nonce with every request")]
    Replayed,
    /// Too many failed logins lately from this address or for this account name.
    #[error("too many failed logins from this address or for this user name; try again in {} s", .retry_after.as_secs().max(1))]
    Throttled { retry_after: Duration },
    /// The hashing queue is full: refused for load, not for the credentials.
    #[error("too many logins are being checked at once")]
    Busy,
    #[error(transparent)]
    Storage(#[from] ServiceError),
}

impl From<diesel::result::Error> for AuthError {
    fn from(e: diesel::result::Error) -> Self {
        AuthError::Storage(ServiceError::Database(e))
    }
}

/// An account as stored, read before its password is checked.
pub type Stored = accounts::AccountRow;

pub struct Authenticator {
    secret: [u8; 32],
    verified: Arc<Mutex<HashMap<[u8; 32], Instant>>>,
    /// Verified against for unknown users, so that they cost as much as a wrong password.
    decoy_hash: Arc<str>,
    hasher: Arc<Hasher>,
    throttle: Throttle,
}

/// Argon2 takes 7 MiB per hash (`passwords::params`): at most one hash on half of the cores at a time, so that a
/// burst of logins (or a flood of wrong passwords) takes neither the memory nor the CPU that
/// the authenticated traffic needs. One for the process, whose cores and memory they are:
/// production's and certification's authenticators share it.
pub struct Hasher {
    jobs: mpsc::SyncSender<HashJob>,
    queued: Arc<AtomicUsize>,
}

type HashJob = Box<dyn FnOnce(&mut passwords::Memory) + Send>;

impl Hasher {
    /// `threads` hashing threads, each with its own Argon2 memory, and at most `queue`
    /// hashes waiting for them.
    pub fn new(threads: usize, queue: usize) -> Arc<Hasher> {
        let (jobs, receiver) = mpsc::sync_channel::<HashJob>(queue.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        let queued = Arc::new(AtomicUsize::new(0));
        for n in 0..threads.max(1) {
            let receiver = receiver.clone();
            let queued = queued.clone();
            std::thread::Builder::new()
                .name(format!("carpass-hash-{n}"))
                .spawn(move || {
                    let mut memory = passwords::Memory::default();
                    loop {
                        let job = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(job) = job else { return };
                        queued.fetch_sub(1, Ordering::SeqCst);
                        // A panic costs its one request (its reply is dropped), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&mut memory)
                        }));
                    }
                })
                .expect("a thread for password hashes");
        }
        Arc::new(Hasher { jobs, queued })
    }

    /// Half the cores, as many hashes waiting as can be answered within a few seconds.
    pub fn for_this_machine(queue: usize) -> Arc<Hasher> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Hasher::new((cores / 2).max(1), queue)
    }

    /// Runs `work` on a hashing thread; `Busy` at once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut passwords::Memory) -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let (reply, answer) = oneshot::channel();
        let job: HashJob = Box::new(move |memory| {
            let _ = reply.send(work(memory));
        });
        self.queued.fetch_add(1, Ordering::SeqCst);
        if self.jobs.try_send(job).is_err() {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(AuthError::Busy);
        }
        answer.await.map_err(|_| {
            AuthError::Storage(ServiceError::Unavailable("a password hash failed".into()))
        })
    }

    /// Hashes waiting for a hashing thread now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }
}

impl Authenticator {
    pub fn new(hasher: Arc<Hasher>) -> Authenticator {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Authenticator {
            secret,
            verified: Arc::new(Mutex::new(HashMap::new())),
            decoy_hash: passwords::decoy().into(),
            hasher,
            throttle: Throttle::default(),
        }
    }

    /// The account a credential names, read before its password is checked.
    pub fn find(
        &self,
        conn: &mut DbConnection,
        username: &str,
    ) -> Result<Option<Stored>, AuthError> {
        Ok(accounts::find_by_username(conn, username)?)
    }

    /// Checks the password of `stored` (the account `find` read, if any) without holding a
    /// connection: from the cache when it was verified lately, else on a hashing thread once
    /// the throttle lets `source` and the account name try. The nonce, if any, is for
    /// `remember_nonce`.
    pub async fn verify(
        &self,
        source: Option<IpAddr>,
        credentials: &Credentials,
        stored: Option<Stored>,
        now: DateTime<Utc>,
    ) -> Result<Account, AuthError> {
        let username = credentials.username.as_str();
        let known = stored.and_then(|row| Role::parse(&row.role).map(|role| (row, role)));
        let key = known
            .as_ref()
            .map(|(row, _)| self.key(username, &credentials.password, &row.password_hash));
        let remembered = key.as_ref().is_some_and(|key| self.cached(key));
        if !remembered {
            let attempt = self.throttle.admit(source, username)?;
            let password = credentials.password.clone();
            let verified = match &known {
                Some((row, _)) => {
                    let stored = row.password_hash.clone();
                    let (cache, key) = (self.verified.clone(), key.expect("a known account"));
                    // Checked again once our turn to hash comes: another request may have
                    // verified the same credential meanwhile.
                    self.hasher
                        .run(move |memory| {
                            is_cached(&cache, &key)
                                || passwords::verify_in(memory, &password, &stored)
                        })
                        .await?
                }
                None => {
                    let decoy = self.decoy_hash.clone();
                    self.hasher
                        .run(move |memory| passwords::verify_in(memory, &password, &decoy))
                        .await?;
                    false
                }
            };
            if !verified {
                attempt.failed();
                return Err(AuthError::Failed);
            }
            attempt.succeeded();
            self.remember(key.expect("a known account"));
        }
        let (row, role) = known.expect("verified");
        // Only once the password is right: a guesser learns nothing of the account's state.
        enabled(&row)?;
        fresh(credentials, now)?;
        Ok(account(row, role))
    }

    /// A nonce is accepted once (SPEC 3.2), across all instances: it is stored.
    pub fn remember_nonce(
        &self,
        conn: &mut DbConnection,
        credentials: &Credentials,
        now: DateTime<Utc>,
    ) -> Result<(), AuthError> {
        let Some(nonce) = &credentials.nonce else {
            return Ok(());
        };
        // Kept a little longer than the window on either side of Created.
        nonces::forget_before(conn, (now - FRESHNESS * 3).naive_utc())?;
        if !nonces::remember(conn, &credentials.username, nonce, now.naive_utc())? {
            return Err(AuthError::Replayed);
        }
        Ok(())
    }

    /// Authentication when it needs neither the slow hash nor a write, so that it can run on
    /// a read-only connection: a known account, a password in the cache, no nonce to
    /// remember. `Ok(None)` when it needs them: `find`, `verify`, `remember_nonce`.
    pub fn authenticate_cached(
        &self,
        conn: &mut DbConnection,
        credentials: &Credentials,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, AuthError> {
        if credentials.nonce.is_some() {
            return Ok(None);
        }
        let Some(row) = accounts::find_by_username(conn, &credentials.username)? else {
            return Ok(None);
        };
        let key = self.key(
            &credentials.username,
            &credentials.password,
            &row.password_hash,
        );
        let Some(role) = Role::parse(&row.role).filter(|_| self.cached(&key)) else {
            return Ok(None);
        };
        // The row is read on every request: a remembered password does not outlive a disabling.
        enabled(&row)?;
        fresh(credentials, now)?;
        Ok(Some(account(row, role)))
    }

    /// What the cache knows a verified credential by: the stored hash is part of it, so a
    /// changed password no longer matches.
    fn key(&self, username: &str, password: &str, stored: &str) -> [u8; 32] {
        Sha256::new()
            .chain_update(self.secret)
            .chain_update(username.as_bytes())
            .chain_update([0])
            .chain_update(stored.as_bytes())
            .chain_update([0])
            .chain_update(password.as_bytes())
            .finalize()
            .into()
    }

    fn cached(&self, key: &[u8; 32]) -> bool {
        is_cached(&self.verified, key)
    }

    fn remember(&self, key: [u8; 32]) {
        let now = Instant::now();
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, until| *until > now);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, now + CACHE_TTL);
    }
}

fn is_cached(cache: &Mutex<HashMap<[u8; 32], Instant>>, key: &[u8; 32]) -> bool {
    let cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.get(key).is_some_and(|until| *until > Instant::now())
}

/// Failed logins per source address and per account name. `FREE_FAILURES` within a quiet
/// `WINDOW` cost nothing; each further one doubles the wait before the next try is even
/// hashed, from 1 s up to `MOST_WAIT`, and past the free ones a key has one try checked at a
/// time. Tries being checked count ahead as failures, so that a burst of guesses cannot
/// slip past the count before their failures are known. A success clears the account
/// name's count (not the address's: one valid account must not reset a guessing address).
/// The account's wait is what a guesser spread over many addresses meets; it delays a garage
/// only when its password is not remembered, and for at most `MOST_WAIT`.
#[derive(Default)]
struct Throttle {
    failures: Arc<Mutex<HashMap<ThrottleKey, Failures>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ThrottleKey {
    /// An IPv4 address, or an IPv6 /64: one subscriber's whole prefix.
    Source(IpAddr),
    Account(String),
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// Tries admitted and not yet known to have failed or succeeded.
    checking: u32,
    last: Instant,
    until: Option<Instant>,
}

const FREE_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);
const MOST_WAIT: Duration = Duration::from_secs(5 * 60);
const THROTTLE_MAX: usize = 100_000;
/// What a try refused because others of its key are being checked is told to wait.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// A try the throttle let through; it counts as a failure until it is known to be none.
#[must_use]
struct Attempt {
    failures: Arc<Mutex<HashMap<ThrottleKey, Failures>>>,
    keys: Vec<ThrottleKey>,
    settled: bool,
}

impl Throttle {
    fn keys(source: Option<IpAddr>, username: &str) -> Vec<ThrottleKey> {
        let source = source.map(|ip| match ip {
            IpAddr::V6(v6) => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                ThrottleKey::Source(IpAddr::from(segments))
            }
            v4 => ThrottleKey::Source(v4),
        });
        source
            .into_iter()
            .chain([ThrottleKey::Account(username.to_owned())])
            .collect()
    }

    /// Lets a try be hashed now, or says how long to wait.
    fn admit(&self, source: Option<IpAddr>, username: &str) -> Result<Attempt, AuthError> {
        let now = Instant::now();
        let keys = Throttle::keys(source, username);
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= THROTTLE_MAX {
            failures.retain(|_, f| f.checking > 0 || now - f.last < WINDOW);
        }
        let mut wait = None::<Duration>;
        for key in &keys {
            let Some(f) = failures.get(key) else { continue };
            let count = if now - f.last >= WINDOW { 0 } else { f.count };
            let held = match f.until {
                Some(until) if until > now => Some(until - now),
                _ if f.checking > 0 && count + f.checking >= FREE_FAILURES => Some(BUSY_WAIT),
                _ => None,
            };
            wait = wait.max(held);
        }
        if let Some(retry_after) = wait {
            return Err(AuthError::Throttled { retry_after });
        }
        for key in &keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                checking: 0,
                last: now,
                until: None,
            });
            entry.checking += 1;
        }
        Ok(Attempt {
            failures: self.failures.clone(),
            keys,
            settled: false,
        })
    }
}

impl Attempt {
    fn failed(mut self) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            if let Some(entry) = failures.get_mut(key) {
                if now - entry.last >= WINDOW {
                    entry.count = 0;
                }
                entry.count += 1;
                entry.checking = entry.checking.saturating_sub(1);
                entry.last = now;
                entry.until = wait_after(entry.count).map(|wait| now + wait);
            }
        }
        self.settled = true;
    }

    fn succeeded(mut self) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            match key {
                ThrottleKey::Account(_) => {
                    failures.remove(key);
                }
                ThrottleKey::Source(_) => {
                    if let Some(entry) = failures.get_mut(key) {
                        entry.checking = entry.checking.saturating_sub(1);
                    }
                }
            }
        }
        self.settled = true;
    }
}

/// A try that ended without a verdict (the hashing queue was full, the hash failed) is no
/// failure: it only stops counting ahead.
impl Drop for Attempt {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            if let Some(entry) = failures.get_mut(key) {
                entry.checking = entry.checking.saturating_sub(1);
            }
        }
    }
}

/// The wait after `count` failures: none for the free ones, then 1 s, 2 s, 4 s... up to
/// `MOST_WAIT`.
fn wait_after(count: u32) -> Option<Duration> {
    let over = count.checked_sub(FREE_FAILURES)?.checked_sub(1)?;
    let wait = Duration::from_secs(1u64.checked_shl(over.min(16)).unwrap_or(u64::MAX));
    Some(wait.min(MOST_WAIT))
}

fn enabled(row: &accounts::AccountRow) -> Result<(), AuthError> {
    match row.disabled_at {
        Some(_) => Err(AuthError::Disabled(row.username.clone())),
        None => Ok(()),
    }
}

/// A token without wsu:Created is accepted; one with it must be within `FRESHNESS` of now.
fn fresh(credentials: &Credentials, now: DateTime<Utc>) -> Result<(), AuthError> {
    match credentials.created {
        Some(created) if (now - created).abs() > FRESHNESS => {
            Err(AuthError::Stale { created, now })
        }
        _ => Ok(()),
    }
}

fn account(row: accounts::AccountRow, role: Role) -> Account {
    Account {
        id: row.id,
        company_id: row.company_id,
        username: row.username,
        role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Inspector"), None);
    }

    fn credentials(username: &str, password: &str) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
            nonce: None,
            created: None,
        }
    }

    fn stored(username: &str, password: &str) -> Stored {
        Stored {
            id: 1,
            company_id: 1,
            username: username.into(),
            role: "submitter".into(),
            password_hash: passwords::hash(password),
            disabled_at: None,
        }
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        actix_web::rt::System::new().block_on(future)
    }

    #[test]
    fn a_verified_password_is_remembered_but_a_wrong_or_changed_one_is_not() {
        let auth = Authenticator::new(Hasher::new(1, 4));
        let now = Utc::now();
        let right = stored("g", "right");
        let verify = |password: &str, row: &Stored| {
            run(auth.verify(None, &credentials("g", password), Some(row.clone()), now))
        };
        assert!(verify("right", &right).is_ok());
        assert!(verify("right", &right).is_ok());
        assert!(matches!(verify("wrong", &right), Err(AuthError::Failed)));
        let changed = stored("g", "new");
        assert!(matches!(verify("right", &changed), Err(AuthError::Failed)));
        assert!(verify("new", &changed).is_ok());
        assert_eq!(auth.verified.lock().unwrap().len(), 2);
    }

    #[test]
    fn an_unknown_user_is_refused_like_a_wrong_password() {
        let auth = Authenticator::new(Hasher::new(1, 4));
        let refused = run(auth.verify(None, &credentials("nobody", "x"), None, Utc::now()));
        assert!(matches!(refused, Err(AuthError::Failed)));
    }

    #[test]
    fn a_full_hashing_queue_refuses_at_once() {
        let hasher = Hasher::new(1, 1);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let blocker = {
            let (hasher, wait) = (hasher.clone(), wait.clone());
            std::thread::spawn(move || {
                run(hasher.run(move |_| {
                    started.send(()).unwrap();
                    let _ = wait.lock().unwrap().recv_timeout(Duration::from_secs(10));
                }))
            })
        };
        running.recv_timeout(Duration::from_secs(5)).unwrap();
        let queued = {
            let hasher = hasher.clone();
            std::thread::spawn(move || run(hasher.run(|_| 1)))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while hasher.queued() < 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(matches!(run(hasher.run(|_| 2)), Err(AuthError::Busy)));
        release.send(()).unwrap();
        assert!(blocker.join().unwrap().is_ok());
        assert_eq!(queued.join().unwrap().unwrap(), 1);
    }

    #[test]
    fn the_wait_doubles_after_the_free_failures_up_to_the_most() {
        for count in 0..=FREE_FAILURES {
            assert_eq!(wait_after(count), None, "{count}");
        }
        assert_eq!(wait_after(FREE_FAILURES + 1), Some(Duration::from_secs(1)));
        assert_eq!(wait_after(FREE_FAILURES + 2), Some(Duration::from_secs(2)));
        assert_eq!(wait_after(FREE_FAILURES + 4), Some(Duration::from_secs(8)));
        assert_eq!(
            wait_after(FREE_FAILURES + 9),
            Some(Duration::from_secs(256))
        );
        assert_eq!(wait_after(FREE_FAILURES + 10), Some(MOST_WAIT));
        assert_eq!(wait_after(u32::MAX), Some(MOST_WAIT));
    }

    fn fail(throttle: &Throttle, source: Option<IpAddr>, username: &str) {
        throttle.admit(source, username).unwrap().failed();
    }

    #[test]
    fn a_guessing_address_is_held_back_and_a_success_clears_only_the_account() {
        let throttle = Throttle::default();
        let attacker: Option<IpAddr> = Some("192.0.2.7".parse().unwrap());
        let garage: Option<IpAddr> = Some("198.51.100.1".parse().unwrap());
        for n in 0..=FREE_FAILURES {
            fail(&throttle, attacker, &format!("user{n}"));
        }
        assert!(matches!(
            throttle.admit(attacker, "another"),
            Err(AuthError::Throttled { .. })
        ));
        // The address is held back, not the accounts it guessed at, nor other addresses.
        throttle.admit(garage, "user0").unwrap().succeeded();
        // An account guessed at from many addresses is held back for every address...
        for n in 0..=FREE_FAILURES {
            fail(
                &throttle,
                Some(IpAddr::from([203, 0, 113, n as u8])),
                "garage-one",
            );
        }
        assert!(matches!(
            throttle.admit(garage, "garage-one"),
            Err(AuthError::Throttled { .. })
        ));
        // ...until it logs in (its wait over, from an address of its own).
        throttle
            .failures
            .lock()
            .unwrap()
            .values_mut()
            .for_each(|f| f.until = None);
        throttle.admit(garage, "garage-one").unwrap().succeeded();
        assert!(throttle.admit(garage, "garage-one").is_ok());
    }

    #[test]
    fn tries_being_checked_count_ahead_so_a_burst_gets_only_the_free_ones() {
        let throttle = Throttle::default();
        let source: Option<IpAddr> = Some("192.0.2.9".parse().unwrap());
        let admitted: Vec<Attempt> = (0..50)
            .filter_map(|n| throttle.admit(source, &format!("u{n}")).ok())
            .collect();
        assert_eq!(admitted.len() as u32, FREE_FAILURES);
        admitted.into_iter().for_each(Attempt::failed);
        // The free ones spent, the next failure starts the wait.
        throttle.admit(source, "eleventh").unwrap().failed();
        assert!(throttle.admit(source, "next").is_err());
        throttle
            .failures
            .lock()
            .unwrap()
            .values_mut()
            .for_each(|f| f.until = None);
        let one = throttle.admit(source, "next").unwrap();
        assert!(throttle.admit(source, "other").is_err());
        drop(one);
        assert!(
            throttle.admit(source, "other").is_ok(),
            "a try with no verdict is no failure"
        );
    }

    #[test]
    fn an_ipv6_prefix_counts_as_one_source() {
        let throttle = Throttle::default();
        for n in 0..=FREE_FAILURES {
            let source = format!("2001:db8:1:2::{n:x}").parse().ok();
            fail(&throttle, source, &format!("u{n}"));
        }
        let same_prefix = "2001:db8:1:2:ffff::1".parse().ok();
        let other_prefix = "2001:db8:1:3::1".parse().ok();
        assert!(throttle.admit(same_prefix, "fresh").is_err());
        assert!(throttle.admit(other_prefix, "fresh").is_ok());
    }
}
