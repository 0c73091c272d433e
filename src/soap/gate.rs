//! Who is calling and may they (SPEC 3.2), checked in the same read as the operation's first
//! queries when the password is remembered: one read transaction on SQLite, one hop to the
//! blocking pool on PostgreSQL, where authentication and then the operation took two.
//!
//! The faults come in the same order as if each step ran alone: authentication, the
//! certification session's company, the role, the schema, then the operation's own.

use std::cell::OnceCell;
use std::net::IpAddr;

use crate::app::AppState;
use crate::db::DbConnection;
use crate::domain::language::Language;
use crate::metrics::Channel;
use crate::service::auth::{Account, AuthError, Credentials};
use crate::service::{Caller, Software};

use super::fault::{Fault, FaultCode};
use crate::service::operation::Operation;

pub struct Gate {
    credentials: Credentials,
    /// Where the request came from, for the throttle of failed logins.
    source: Option<IpAddr>,
    admission: Admission,
    /// The authenticated account's user name, for the access log and the metrics, also when a
    /// later check refused the request.
    user: OnceCell<String>,
}

/// What is checked once the account is known; sent along with the work to the thread that
/// runs it.
#[derive(Clone)]
struct Admission {
    operation: Operation,
    company: Option<i64>,
    schema: Result<(), Fault>,
    language: Language,
    software: Software,
}

/// What the remembered-password path found.
enum Quick<T, W> {
    /// The password is not remembered, or a nonce must be stored: the work comes back.
    Slow(W),
    Refused(AuthError),
    Admitted(String, Result<(Caller, T), Fault>),
}

impl Gate {
    /// `schema` is the operation element's check against the contract, made before
    /// authentication and answered after it.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        operation: Operation,
        source: Option<IpAddr>,
        credentials: Credentials,
        language: Language,
        software: Software,
        company: Option<i64>,
        schema: Result<(), Fault>,
    ) -> Gate {
        Gate {
            credentials,
            source,
            admission: Admission {
                operation,
                company,
                schema,
                language,
                software,
            },
            user: OnceCell::new(),
        }
    }

    pub fn user(&self) -> Option<&str> {
        self.user.get().map(String::as_str)
    }

    /// Whether the operation element met the contract: decode it only then.
    pub fn schema(&self) -> Result<(), Fault> {
        self.admission.schema.clone()
    }

    /// Authenticates and admits the caller, for operations whose first storage step writes.
    pub async fn open(&self, state: &AppState) -> Result<Caller, Fault> {
        let now = state.clock.now();
        let authenticator = state.authenticator.clone();
        let credentials = self.credentials.clone();
        let cached = state
            .read(move |conn| authenticator.authenticate_cached(conn, &credentials, now))
            .await?;
        let account = match cached {
            Some(account) => account,
            None => self.authenticate(state).await?,
        };
        self.admit(account)
    }

    /// Runs `work` for the admitted caller in the same read as the authentication when the
    /// password is remembered; otherwise authenticates on the blocking pool (the slow hash, a
    /// nonce to store) and then reads.
    pub async fn read<T, W>(&self, state: &AppState, work: W) -> Result<(Caller, T), Fault>
    where
        T: Send + 'static,
        W: FnOnce(&mut DbConnection, &Caller) -> Result<T, Fault> + Send + 'static,
    {
        let now = state.clock.now();
        let authenticator = state.authenticator.clone();
        let credentials = self.credentials.clone();
        let admission = self.admission.clone();
        let quick = state
            .read(move |conn| {
                Ok::<_, Fault>(
                    match authenticator.authenticate_cached(conn, &credentials, now) {
                        Ok(None) => Quick::Slow(work),
                        Err(e) => Quick::Refused(e),
                        Ok(Some(account)) => {
                            let user = account.username.clone();
                            let admitted = admission.admit(account).and_then(|caller| {
                                let done = work(conn, &caller)?;
                                Ok((caller, done))
                            });
                            Quick::Admitted(user, admitted)
                        }
                    },
                )
            })
            .await?;
        let work = match quick {
            Quick::Admitted(user, admitted) => {
                let _ = self.user.set(user);
                return admitted;
            }
            Quick::Refused(e) => return Err(e.into()),
            Quick::Slow(work) => work,
        };
        let account = self.authenticate(state).await?;
        let caller = self.admit(account)?;
        let reader = caller.clone();
        let done = state.read(move |conn| work(conn, &reader)).await?;
        Ok((caller, done))
    }

    /// The slow path: the password hash with no connection held, then the nonce's write.
    async fn authenticate(&self, state: &AppState) -> Result<Account, Fault> {
        let account = state
            .authenticate(Channel::Soap, self.source, &self.credentials)
            .await?;
        Ok(account)
    }

    fn admit(&self, account: Account) -> Result<Caller, Fault> {
        let _ = self.user.set(account.username.clone());
        self.admission.clone().admit(account)
    }
}

impl Admission {
    fn admit(self, account: Account) -> Result<Caller, Fault> {
        if self
            .company
            .is_some_and(|company| company != account.company_id)
        {
            return Err(Fault::new(
                FaultCode::AuthenticationFailed,
                "these credentials belong to another certification session: use the ones `carpass certify start` printed for this one",
            ));
        }
        if !self.operation.allows(account.role) {
            return Err(Fault::new(
                FaultCode::RoleNotAllowed,
                format!(
                    "the account {} has the role {} and may not call {}: it is open to accounts \
                     with the role {}",
                    account.username,
                    account.role.as_str(),
                    self.operation.name(),
                    self.operation
                        .roles()
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        }
        self.schema?;
        Ok(Caller {
            account,
            language: self.language,
            software: self.software,
        })
    }
}
