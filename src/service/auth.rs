//! Who is calling, and may they (SPEC 3.2).
//!
//! The slow password hash runs once per credential: a verified (user, password, stored hash)
//! is remembered for a few minutes under a keyed digest, so a changed password (new stored
//! hash) or a wrong one never matches the cache.

use std::collections::HashMap;
use std::sync::{Condvar, LazyLock, Mutex};
use std::time::{Duration, Instant};

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
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::Portal => "portal",
            Role::Staff => "staff",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "submitter" => Some(Role::Submitter),
            "portal" => Some(Role::Portal),
            "staff" => Some(Role::Staff),
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
    #[error(transparent)]
    Storage(#[from] ServiceError),
}

impl From<diesel::result::Error> for AuthError {
    fn from(e: diesel::result::Error) -> Self {
        AuthError::Storage(ServiceError::Database(e))
    }
}

pub struct Authenticator {
    secret: [u8; 32],
    verified: Mutex<HashMap<[u8; 32], Instant>>,
    /// Verified against for unknown users, so that they cost as much as a wrong password.
    decoy_hash: String,
}

/// Argon2 takes 19 MiB per hash: at most one hash on half of the cores at a time, so that a
/// burst of logins (or a flood of wrong passwords) takes neither the memory nor the CPU that
/// the authenticated traffic needs, and a burst of one credential hashes it once while the
/// rest wait for the cache. One for the process, whose cores and memory they are:
/// production's and certification's authenticators share it.
static HASHING: LazyLock<Hashing> = LazyLock::new(Hashing::new);

struct Hashing {
    slots: Mutex<Slots>,
    done: Condvar,
    limit: usize,
}

struct Slots {
    running: usize,
    /// The memory of finished hashes, for the next ones: never more than `limit`.
    idle: Vec<passwords::Memory>,
}

impl Hashing {
    fn new() -> Hashing {
        Hashing {
            slots: Mutex::new(Slots {
                running: 0,
                idle: Vec::new(),
            }),
            done: Condvar::new(),
            limit: std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        }
    }

    fn run<T>(&self, work: impl FnOnce(&mut passwords::Memory) -> T) -> T {
        let mut memory = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            while slots.running >= self.limit {
                slots = self.done.wait(slots).unwrap_or_else(|e| e.into_inner());
            }
            slots.running += 1;
            slots.idle.pop().unwrap_or_default()
        };
        let result = work(&mut memory);
        {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.running -= 1;
            slots.idle.push(memory);
        }
        self.done.notify_one();
        result
    }
}

impl Default for Authenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl Authenticator {
    pub fn new() -> Authenticator {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Authenticator {
            secret,
            verified: Mutex::new(HashMap::new()),
            decoy_hash: passwords::decoy(),
        }
    }

    pub fn authenticate(
        &self,
        conn: &mut DbConnection,
        credentials: &Credentials,
        now: DateTime<Utc>,
    ) -> Result<Account, AuthError> {
        let row = accounts::find_by_username(conn, &credentials.username)?;
        let Some(row) = row else {
            HASHING.run(|memory| {
                passwords::verify_in(memory, &credentials.password, &self.decoy_hash)
            });
            return Err(AuthError::Failed);
        };
        let role = Role::parse(&row.role).ok_or(AuthError::Failed)?;
        if !self.check_password(
            &credentials.username,
            &credentials.password,
            &row.password_hash,
        ) {
            return Err(AuthError::Failed);
        }
        enabled(&row)?;
        fresh(credentials, now)?;
        if let Some(nonce) = &credentials.nonce {
            // Kept a little longer than the window on either side of Created.
            nonces::forget_before(conn, (now - FRESHNESS * 3).naive_utc())?;
            if !nonces::remember(conn, &row.username, nonce, now.naive_utc())? {
                return Err(AuthError::Replayed);
            }
        }
        Ok(account(row, role))
    }

    /// `authenticate` when it needs neither the slow hash nor a write, so that it can run on a
    /// read-only connection: a known account, a password in the cache, no nonce to remember.
    /// `Ok(None)` when it needs them: call `authenticate`.
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
        let cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(key).is_some_and(|until| *until > Instant::now())
    }

    fn check_password(&self, username: &str, password: &str, stored: &str) -> bool {
        let key = self.key(username, password, stored);
        if self.cached(&key) {
            return true;
        }
        // Checked again once our turn to hash comes: another request may have verified it.
        let verified = HASHING
            .run(|memory| self.cached(&key) || passwords::verify_in(memory, password, stored));
        if !verified {
            return false;
        }
        let now = Instant::now();
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, until| *until > now);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, now + CACHE_TTL);
        true
    }
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
    fn a_verified_password_is_remembered_but_a_wrong_or_changed_one_is_not() {
        let auth = Authenticator::new();
        let stored = passwords::hash("right");
        assert!(auth.check_password("g", "right", &stored));
        // Served from the cache now: even a decoy "stored" of the same text would not match.
        assert!(auth.check_password("g", "right", &stored));
        assert!(!auth.check_password("g", "wrong", &stored));
        let changed = passwords::hash("new");
        assert!(!auth.check_password("g", "right", &changed));
        assert!(auth.check_password("g", "new", &changed));
        assert_eq!(auth.verified.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_burst_of_one_credential_hashes_it_once_at_a_time_per_core() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hashing = Hashing::new();
        let (running, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    hashing.run(|_| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= hashing.limit);
        assert!(peak.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn hashes_reuse_the_memory_of_earlier_ones() {
        let hashing = Hashing::new();
        let stored = passwords::hash("right");
        std::thread::scope(|s| {
            for _ in 0..hashing.limit * 2 {
                s.spawn(|| {
                    assert!(hashing.run(|memory| passwords::verify_in(memory, "right", &stored)))
                });
            }
        });
        let slots = hashing.slots.lock().unwrap();
        assert_eq!(slots.running, 0);
        assert!(
            (1..=hashing.limit).contains(&slots.idle.len()),
            "{}",
            slots.idle.len()
        );
    }

    #[test]
    fn roles_are_written_as_on_the_command_line() {
        for role in [Role::Submitter, Role::Portal, Role::Staff] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
