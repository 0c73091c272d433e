//! `carpass staff user add`: an account of a company, its password stored only as a slow hash.

use chrono::{DateTime, Utc};

use super::StaffError;
use crate::db::accounts::{self, NewAccount};
use crate::db::{companies, DbConnection};
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::service::auth::Role;
use crate::service::passwords;

/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Adds the account; returns the generated password when none was given.
pub fn add(
    conn: &mut DbConnection,
    kbo: &str,
    username: &str,
    role: Role,
    password: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<String>, StaffError> {
    let kbo =
        EnterpriseNumber::parse(kbo).map_err(|e| StaffError::Invalid(format!("--kbo: {e}")))?;
    check_username(username)?;
    let company = companies::find_by_kbo(conn, kbo.digits())?.ok_or_else(|| {
        StaffError::NotFound(format!(
            "no company {kbo}; add it first with `carpass staff company add`"
        ))
    })?;
    let allowed = match role {
        Role::Submitter => company.kind == "garage",
        Role::Portal => company.kind == "portal" || company.kind == "garage",
        Role::Staff => company.kind == "registry",
    };
    if !allowed {
        return Err(StaffError::Invalid(format!(
            "a {} account cannot belong to the {} company {kbo}",
            role.as_str(),
            company.kind
        )));
    }
    if accounts::find_by_username(conn, username)?.is_some() {
        return Err(StaffError::Conflict(format!(
            "the user name {username} is taken"
        )));
    }
    let (password, generated) = match password {
        Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => {
            return Err(StaffError::Invalid(format!(
                "the password must have at least {MIN_PASSWORD_CHARS} characters"
            )))
        }
        Some(p) => (p, None),
        None => {
            let p = passwords::generate();
            (p.clone(), Some(p))
        }
    };
    accounts::insert(
        conn,
        &NewAccount {
            company_id: company.id,
            username,
            role: role.as_str(),
            password_hash: &passwords::hash(&password),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(generated)
}

/// User names travel in SOAP headers and HTTP Basic: keep them plain.
fn check_username(username: &str) -> Result<(), StaffError> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(3..=64).contains(&username.len()) || !ok_chars {
        return Err(StaffError::Invalid(format!(
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
