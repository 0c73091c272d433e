//! `carpass staff user add|list|disable|enable|reset-password`: the accounts of companies,
//! their passwords stored only as a slow hash. A leaked password is revoked by disabling the
//! account or resetting its password; every change records who made it and when.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::companies::{display_kbo, unrecorded, Change};
use super::{Actor, Refusal, StaffError};
use crate::db::account_events::{self, AccountEventRow, NewAccountEvent};
use crate::db::accounts::{self, AccountRow, NewAccount};
use crate::db::{companies, staff_sessions, DbConnection};
use crate::domain::account_action::AccountAction;
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::service::auth::Role;
use crate::service::passwords;

pub use crate::service::passwords::MIN_PASSWORD_CHARS;

/// Adds the account; returns the generated password when none was given.
pub fn add(
    conn: &mut DbConnection,
    actor: &Actor,
    kbo: &str,
    username: &str,
    role: Role,
    password: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<String>, StaffError> {
    let kbo = EnterpriseNumber::parse(kbo).map_err(|e| StaffError::usage(format!("--kbo: {e}")))?;
    check_username(username)?;
    let company = companies::find_by_kbo(conn, kbo.digits())?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(format!(
            "no company {kbo}; add it first with `carpass staff company add`"
        )))
    })?;
    let allowed = match role {
        Role::Submitter => company.kind == "garage",
        Role::Portal => company.kind == "portal" || company.kind == "garage",
        Role::Staff => company.kind == "registry",
        Role::Inspector => company.kind == "inspection",
        Role::Manufacturer => company.kind == "manufacturer",
        Role::Expert => company.kind == "expert",
    };
    if !allowed {
        return Err(StaffError::usage(format!(
            "a {} account cannot belong to the {} company {kbo}",
            role.as_str(),
            company.kind
        )));
    }
    let (password, generated) = chosen_or_generated(password)?;
    let password_hash = passwords::hash(&password);
    crate::db::writing(conn, |conn| {
        if accounts::find_by_username(conn, username)?.is_some() {
            return Err(StaffError::Conflict(Refusal::Untranslated(format!(
                "the user name {username} is taken"
            ))));
        }
        let account_id = accounts::insert(
            conn,
            &NewAccount {
                company_id: company.id,
                username,
                role: role.as_str(),
                password_hash: &password_hash,
                created_at: now.naive_utc(),
            },
        )?;
        record(
            conn,
            actor,
            company.id,
            account_id,
            AccountAction::AccountAdded,
            None,
            now,
        )
    })?;
    Ok(generated)
}

/// The password given (long enough), or a generated one to print.
fn chosen_or_generated(password: Option<String>) -> Result<(String, Option<String>), StaffError> {
    match password {
        Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => Err(StaffError::usage(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ))),
        Some(p) => Ok((p, None)),
        None => {
            let p = passwords::generate();
            Ok((p.clone(), Some(p)))
        }
    }
}

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    company_id: i64,
    account_id: i64,
    action: AccountAction,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StaffError> {
    account_events::add(
        conn,
        &NewAccountEvent {
            company_id,
            account_id: Some(account_id),
            action: action.as_str(),
            staff_username: actor.staff_username(),
            note: actor.note(note).as_deref(),
            acted_at: now.naive_utc(),
        },
    )?;
    Ok(())
}

fn existing(conn: &mut DbConnection, username: &str) -> Result<AccountRow, StaffError> {
    accounts::find_by_username(conn, username)?.ok_or_else(|| {
        StaffError::NotFound(Refusal::Untranslated(format!(
            "no account {username}; `carpass staff user list` shows them"
        )))
    })
}

/// Refuses the account at once, on SOAP, the staff pages and the certification pages, until
/// it is enabled again. Its password is kept.
pub fn disable(
    conn: &mut DbConnection,
    actor: &Actor,
    username: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), StaffError> {
    let note = required_note(note)?;
    if actor.staff_username() == Some(username) {
        return Err(StaffError::usage(format!(
            "you cannot disable your own account {username}: ask another staff member"
        )));
    }
    crate::db::writing(conn, |conn| {
        let account = existing(conn, username)?;
        if let Some(since) = account.disabled_at {
            return Err(StaffError::Conflict(Refusal::Untranslated(format!(
                "the account {username} is disabled already (since {} UTC)",
                since.format("%Y-%m-%d %H:%M")
            ))));
        }
        accounts::set_disabled(conn, account.id, Some(now.naive_utc()))?;
        // A staff member's browser sessions end with it.
        staff_sessions::delete_of_user(conn, username)?;
        record(
            conn,
            actor,
            account.company_id,
            account.id,
            AccountAction::Disabled,
            Some(note),
            now,
        )
    })
}

pub fn enable(
    conn: &mut DbConnection,
    actor: &Actor,
    username: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StaffError> {
    crate::db::writing(conn, |conn| {
        let account = existing(conn, username)?;
        if account.disabled_at.is_none() {
            return Err(StaffError::Conflict(Refusal::Untranslated(format!(
                "the account {username} is not disabled"
            ))));
        }
        accounts::set_disabled(conn, account.id, None)?;
        record(
            conn,
            actor,
            account.company_id,
            account.id,
            AccountAction::Enabled,
            note,
            now,
        )
    })
}

/// What a password reset did: the generated password (none when one was given) and whether
/// the account is still disabled (a reset does not enable it).
#[derive(Debug)]
pub struct Reset {
    pub generated: Option<String>,
    pub still_disabled: bool,
}

/// Replaces the password: the old one fails on the next request, also where a server had
/// remembered it (its cache is keyed by the stored hash), and the account's staff sessions end.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    username: &str,
    password: Option<String>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reset, StaffError> {
    let (password, generated) = chosen_or_generated(password)?;
    let password_hash = passwords::hash(&password);
    let still_disabled = crate::db::writing(conn, |conn| {
        let account = existing(conn, username)?;
        accounts::set_password_hash(conn, username, &password_hash)?;
        staff_sessions::delete_of_user(conn, username)?;
        record(
            conn,
            actor,
            account.company_id,
            account.id,
            AccountAction::PasswordReset,
            note,
            now,
        )?;
        Ok::<_, StaffError>(account.disabled_at.is_some())
    })?;
    Ok(Reset {
        generated,
        still_disabled,
    })
}

fn required_note(note: &str) -> Result<&str, StaffError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StaffError::usage(
            "--note must say why (e.g. \"password leaked, ticket 4711\")",
        ));
    }
    Ok(note)
}

/// An account as `staff user list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub username: String,
    pub role: String,
    pub company_kbo: String,
    pub company_name: String,
    pub disabled: bool,
    pub created: Change,
    /// The disabling in force, when the account is disabled.
    pub disabled_since: Option<Change>,
    pub last_password_reset: Option<Change>,
}

/// Every account, or the accounts of one company, by user name.
pub fn list(conn: &mut DbConnection, kbo: Option<&str>) -> Result<Vec<AccountView>, StaffError> {
    let company_id = match kbo {
        None => None,
        Some(kbo) => {
            let kbo = EnterpriseNumber::parse(kbo)
                .map_err(|e| StaffError::usage(format!("--kbo: {e}")))?;
            let company = companies::find_by_kbo(conn, kbo.digits())?.ok_or_else(|| {
                StaffError::NotFound(Refusal::Untranslated(format!(
                    "no company {kbo}; `carpass staff company list` shows them"
                )))
            })?;
            Some(company.id)
        }
    };
    let mut events: HashMap<i64, Vec<AccountEventRow>> = HashMap::new();
    for event in account_events::all(conn)? {
        if let Some(account_id) = event.account_id {
            events.entry(account_id).or_default().push(event);
        }
    }
    let views = accounts::listing(conn, company_id)?
        .into_iter()
        .map(|a| {
            let own = events.remove(&a.id).unwrap_or_default();
            let last = |action: AccountAction| {
                own.iter()
                    .rev()
                    .find(|e| e.action == action.as_str())
                    .map(Change::of)
            };
            AccountView {
                created: last(AccountAction::AccountAdded)
                    .unwrap_or_else(|| unrecorded(a.created_at)),
                disabled_since: a.disabled_at.and_then(|_| last(AccountAction::Disabled)),
                last_password_reset: last(AccountAction::PasswordReset),
                disabled: a.disabled_at.is_some(),
                company_kbo: display_kbo(&a.kbo),
                company_name: a.company_name,
                role: a.role,
                username: a.username,
            }
        })
        .collect();
    Ok(views)
}

pub fn render_text(accounts: &[AccountView]) -> String {
    if accounts.is_empty() {
        return "no accounts; add one with `carpass staff user add`\n".into();
    }
    let mut out = String::new();
    for a in accounts {
        let state = match &a.disabled_since {
            Some(change) => format!("DISABLED {}", change.render()),
            None if a.disabled => "DISABLED".into(),
            None => "active".into(),
        };
        out.push_str(&format!(
            "{}  {}  {} {}  {state}\n  added {}\n",
            a.username,
            a.role,
            a.company_kbo,
            a.company_name,
            a.created.render()
        ));
        if let Some(reset) = &a.last_password_reset {
            out.push_str(&format!("  password reset {}\n", reset.render()));
        }
    }
    out
}

/// User names travel in SOAP headers and HTTP Basic: keep them plain.
fn check_username(username: &str) -> Result<(), StaffError> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(3..=64).contains(&username.len()) || !ok_chars {
        return Err(StaffError::usage(format!(
            "the user name '{username}' must have 3 to 64 characters: letters, digits, . _ - @"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_plain_and_of_reasonable_length() {
        assert!(check_username("garage-janssens.01").is_ok());
        assert!(check_username("ab").is_err());
        assert!(check_username("a b c").is_err());
        assert!(check_username("user:name").is_err());
        assert!(check_username(&"a".repeat(65)).is_err());
    }
}
