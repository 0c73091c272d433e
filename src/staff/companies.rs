//! `carpass staff company add|list` (SPEC 2.6: enterprises with a reporting NACE code get
//! accounts). Who added a company, and when, is recorded with it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use super::{Actor, Refusal, StaffError};
use crate::db::account_events::{self, AccountEventRow, NewAccountEvent};
use crate::db::companies::{self, NewCompany};
use crate::db::{accounts, DbConnection};
use crate::domain::account_action::AccountAction;
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::domain::nace::{NaceCode, REPORTING_NACE_CODES};

/// Garages report readings; portals ask for labels; the registry's own staff run it; the
/// partners (inspection centres, manufacturers and importers, accident experts) feed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompanyKind {
    Garage,
    Portal,
    Registry,
    Inspection,
    Manufacturer,
    Expert,
}

impl CompanyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CompanyKind::Garage => "garage",
            CompanyKind::Portal => "portal",
            CompanyKind::Registry => "registry",
            CompanyKind::Inspection => "inspection",
            CompanyKind::Manufacturer => "manufacturer",
            CompanyKind::Expert => "expert",
        }
    }
}

/// `nace` is comma-separated and may be empty, except for a garage.
pub fn add(
    conn: &mut DbConnection,
    actor: &Actor,
    kbo: &str,
    name: &str,
    nace: &str,
    kind: CompanyKind,
    now: DateTime<Utc>,
) -> Result<EnterpriseNumber, StaffError> {
    let kbo = EnterpriseNumber::parse(kbo).map_err(|e| StaffError::usage(format!("--kbo: {e}")))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(StaffError::usage("--name must not be empty"));
    }
    let codes = nace
        .split(',')
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| NaceCode::parse(c).map_err(|e| StaffError::usage(format!("--nace '{c}': {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if kind == CompanyKind::Garage && !codes.iter().any(NaceCode::is_reporting_activity) {
        return Err(StaffError::usage(format!(
            "a garage needs one of the NACE codes {} (SPEC 2.6), given with --nace; an \
             advertising portal or the registry itself is added with --kind portal or --kind \
             registry, without --nace",
            REPORTING_NACE_CODES.join(", ")
        )));
    }
    let nace_codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    crate::db::writing(conn, |conn| {
        if companies::find_by_kbo(conn, kbo.digits())?.is_some() {
            return Err(StaffError::Conflict(Refusal::CompanyExists {
                kbo: kbo.digits().to_owned(),
            }));
        }
        let company_id = companies::insert(
            conn,
            &NewCompany {
                kbo: kbo.digits(),
                name,
                kind: kind.as_str(),
                nace_codes: &nace_codes.join(","),
                created_at: now.naive_utc(),
            },
        )?;
        account_events::add(
            conn,
            &NewAccountEvent {
                company_id,
                account_id: None,
                action: AccountAction::CompanyAdded.as_str(),
                staff_username: actor.staff_username(),
                note: actor.note(None).as_deref(),
                acted_at: now.naive_utc(),
            },
        )?;
        Ok(kbo)
    })
}

/// A change as the lists show it: when, which staff account (none for what was done before
/// the first one existed, or before changes were recorded) and the note kept with it.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub by: Option<String>,
    pub note: Option<String>,
}

impl Change {
    pub(super) fn of(event: &AccountEventRow) -> Change {
        Change {
            at: event.acted_at.and_utc(),
            by: event.staff_username.clone(),
            note: event.note.clone(),
        }
    }

    /// `2026-12-06 03:40 UTC by clerk-one (why)`.
    pub fn render(&self) -> String {
        let at = self.at.format("%Y-%m-%d %H:%M UTC");
        let by = self
            .by
            .as_ref()
            .map(|by| format!(" by {by}"))
            .unwrap_or_default();
        match &self.note {
            Some(note) => format!("{at}{by} ({note})"),
            None => format!("{at}{by}"),
        }
    }
}

/// A company as `staff company list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyView {
    pub kbo: String,
    pub name: String,
    pub kind: String,
    pub nace_codes: Vec<String>,
    pub accounts: usize,
    pub disabled_accounts: usize,
    pub created: Change,
}

/// Every company, by enterprise number, with who added it.
pub fn list(conn: &mut DbConnection) -> Result<Vec<CompanyView>, StaffError> {
    let mut added: HashMap<i64, Change> = HashMap::new();
    for event in account_events::all(conn)? {
        if event.action == AccountAction::CompanyAdded.as_str() {
            added
                .entry(event.company_id)
                .or_insert_with(|| Change::of(&event));
        }
    }
    // (accounts, disabled ones) per company
    let mut counts: HashMap<i64, (usize, usize)> = HashMap::new();
    for account in accounts::listing(conn, None)? {
        let count = counts.entry(account.company_id).or_default();
        count.0 += 1;
        count.1 += usize::from(account.disabled_at.is_some());
    }
    companies::all(conn)?
        .into_iter()
        .map(|c| {
            let (accounts, disabled_accounts) = counts.get(&c.id).copied().unwrap_or_default();
            Ok(CompanyView {
                kbo: display_kbo(&c.kbo),
                name: c.name,
                kind: c.kind,
                nace_codes: c
                    .nace_codes
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
                accounts,
                disabled_accounts,
                // Every company added by these commands has its event, and the migration
                // added those of the older ones.
                created: added
                    .remove(&c.id)
                    .unwrap_or_else(|| unrecorded(c.created_at)),
            })
        })
        .collect()
}

/// A creation without its event: made by something other than these commands (a
/// certification session's company, in the certification database).
pub(super) fn unrecorded(at: NaiveDateTime) -> Change {
    Change {
        at: at.and_utc(),
        by: None,
        note: Some("not recorded".into()),
    }
}

/// The stored ten digits as people write them (`0403.170.701`).
pub(super) fn display_kbo(digits: &str) -> String {
    EnterpriseNumber::parse(digits).map_or_else(|_| digits.to_owned(), |k| k.to_string())
}

pub fn render_text(companies: &[CompanyView]) -> String {
    if companies.is_empty() {
        return "no companies; add one with `carpass staff company add`\n".into();
    }
    let mut out = String::new();
    for c in companies {
        let accounts = match c.accounts {
            1 => "1 account".to_owned(),
            n => format!("{n} accounts"),
        };
        let disabled = match c.disabled_accounts {
            0 => String::new(),
            n => format!(", {n} disabled"),
        };
        // A registry or portal may have no NACE code at all.
        let nace = match c.nace_codes.as_slice() {
            [] => String::new(),
            codes => format!(", NACE {}", codes.join(",")),
        };
        out.push_str(&format!(
            "{}  {} ({}{nace})  {accounts}{disabled}\n  added {}\n",
            c.kbo,
            c.name,
            c.kind,
            c.created.render()
        ));
    }
    out
}
