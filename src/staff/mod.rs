//! The registry's own tools: companies and accounts, the vehicle register import, the demo.

pub mod accounts;
pub mod approvals;
pub mod car_pass;
pub mod companies;
pub mod demo;
pub mod feeds;
pub mod import;
pub mod refusal;
pub mod review;
pub mod software;
pub mod trusted_providers;

use crate::db::{self, DbConnection};
use crate::domain::language::Language;
use crate::service::auth::Role;
use crate::service::ServiceError;

pub use refusal::{Refusal, Written};

/// A staff action that was not done. The caller's mistakes carry a `Refusal` (a kind and its
/// data, no words): `Display` is the command line's English, `message` a page's language.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{0}")]
    Invalid(Refusal),
    #[error("{0}")]
    Conflict(Refusal),
    #[error("{0}")]
    NotFound(Refusal),
    #[error("{file}, line {line}: {message}; nothing of this file was imported")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// Several bad rows: each on its own line, as `FILE, line N: ...`.
    #[error("{}{} bad rows; nothing of this file was imported", rows(file, errors), errors.len())]
    CsvRows {
        file: String,
        errors: Vec<(u64, String)>,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl StaffError {
    /// Why it was refused, in `lang`; a file's bad rows and our own failures in English (only
    /// the command line imports files, and our failures are logged, not shown).
    pub fn message(&self, lang: Language) -> String {
        match self {
            StaffError::Invalid(r) | StaffError::Conflict(r) | StaffError::NotFound(r) => {
                r.message(lang)
            }
            other => other.to_string(),
        }
    }

    /// A sentence only the command line can cause, in its own words.
    pub fn usage(text: impl Into<String>) -> StaffError {
        StaffError::Invalid(Refusal::Untranslated(text.into()))
    }
}

fn rows(file: &str, errors: &[(u64, String)]) -> String {
    errors
        .iter()
        .map(|(line, message)| format!("{file}, line {line}: {message}\n"))
        .collect()
}

impl From<diesel::result::Error> for StaffError {
    fn from(e: diesel::result::Error) -> Self {
        StaffError::Service(ServiceError::Database(e))
    }
}

/// The staff member acting: an existing, enabled account with the staff role.
pub fn staff_member(conn: &mut DbConnection, username: Option<&str>) -> Result<String, StaffError> {
    let username = username
        .filter(|u| !u.is_empty())
        .ok_or_else(|| StaffError::usage("say who you are: --staff USERNAME or CARPASS_STAFF"))?;
    match db::accounts::find_by_username(conn, username)? {
        Some(account) if account.role == Role::Staff.as_str() && account.disabled_at.is_none() => {
            Ok(account.username)
        }
        Some(account) if account.role == Role::Staff.as_str() => {
            Err(StaffError::Invalid(Refusal::StaffDisabled {
                username: username.to_owned(),
            }))
        }
        _ => Err(StaffError::Invalid(Refusal::NotStaff {
            username: username.to_owned(),
        })),
    }
}

/// Who changes a company or an account, as its audit records it. Only made by checking (a
/// staff account named with `--staff`, or nobody before the first staff account exists) or by
/// `serve --demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(Acting);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Acting {
    Staff(String),
    /// The registry's first company and staff account: no one can be named yet.
    Bootstrap,
    /// `serve --demo` seeding its garage and portal.
    Demo,
}

impl Actor {
    /// The staff member acting (see `staff_member`).
    pub fn staff(conn: &mut DbConnection, username: Option<&str>) -> Result<Actor, StaffError> {
        staff_member(conn, username).map(|username| Actor(Acting::Staff(username)))
    }

    /// Like `staff`, but while the database holds no staff account, no one: the first registry
    /// company and staff account are added without `--staff` (their audit says so).
    pub fn staff_or_bootstrap(
        conn: &mut DbConnection,
        username: Option<&str>,
    ) -> Result<Actor, StaffError> {
        if username.is_none_or(str::is_empty)
            && !db::accounts::any_with_role(conn, Role::Staff.as_str())?
        {
            return Ok(Actor(Acting::Bootstrap));
        }
        Actor::staff(conn, username)
    }

    pub fn demo() -> Actor {
        Actor(Acting::Demo)
    }

    /// The staff account's user name, when one acted.
    pub fn staff_username(&self) -> Option<&str> {
        match &self.0 {
            Acting::Staff(username) => Some(username),
            Acting::Bootstrap | Acting::Demo => None,
        }
    }

    /// What the audit says when no staff account acted.
    fn without_staff(&self) -> Option<&'static str> {
        match self.0 {
            Acting::Staff(_) => None,
            Acting::Bootstrap => Some("before the first staff account existed"),
            Acting::Demo => Some("serve --demo"),
        }
    }

    /// The note the audit keeps: the reason given, and how it was done when no staff acted.
    fn note(&self, given: Option<&str>) -> Option<String> {
        let given = given.map(str::trim).filter(|n| !n.is_empty());
        match (self.without_staff(), given) {
            (Some(how), Some(note)) => Some(format!("{how}: {note}")),
            (Some(how), None) => Some(how.to_owned()),
            (None, note) => note.map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_says_how_a_change_was_made_when_no_staff_account_made_it() {
        let clerk = Actor(Acting::Staff("clerk-one".into()));
        assert_eq!(clerk.staff_username(), Some("clerk-one"));
        assert_eq!(clerk.note(Some(" leaked ")).as_deref(), Some("leaked"));
        assert_eq!(clerk.note(Some("  ")), None);
        let first = Actor(Acting::Bootstrap);
        assert_eq!(first.staff_username(), None);
        assert_eq!(
            first.note(None).as_deref(),
            Some("before the first staff account existed")
        );
        assert_eq!(
            Actor::demo().note(Some("again")).as_deref(),
            Some("serve --demo: again")
        );
    }
}
