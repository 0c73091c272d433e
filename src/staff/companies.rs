//! `carpass staff company add` (SPEC 2.6: enterprises with a reporting NACE code get accounts).

use chrono::{DateTime, Utc};

use super::StaffError;
use crate::db::companies::{self, NewCompany};
use crate::db::DbConnection;
use crate::domain::enterprise_number::EnterpriseNumber;
use crate::domain::nace::{NaceCode, REPORTING_NACE_CODES};

/// Garages report readings; portals ask for labels; the registry's own staff run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompanyKind {
    Garage,
    Portal,
    Registry,
}

impl CompanyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CompanyKind::Garage => "garage",
            CompanyKind::Portal => "portal",
            CompanyKind::Registry => "registry",
        }
    }
}

pub fn add(
    conn: &mut DbConnection,
    kbo: &str,
    name: &str,
    nace: &str,
    kind: CompanyKind,
    now: DateTime<Utc>,
) -> Result<EnterpriseNumber, StaffError> {
    let kbo =
        EnterpriseNumber::parse(kbo).map_err(|e| StaffError::Invalid(format!("--kbo: {e}")))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(StaffError::Invalid("--name must not be empty".into()));
    }
    let codes = nace
        .split(',')
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| NaceCode::parse(c).map_err(|e| StaffError::Invalid(format!("--nace '{c}': {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if kind == CompanyKind::Garage && !codes.iter().any(NaceCode::is_reporting_activity) {
        return Err(StaffError::Invalid(format!(
            "a garage needs one of the NACE codes {} (SPEC 2.6); for an advertising portal or \
             the registry itself use --kind portal or --kind registry",
            REPORTING_NACE_CODES.join(", ")
        )));
    }
    if companies::find_by_kbo(conn, kbo.digits())?.is_some() {
        return Err(StaffError::Conflict(format!(
            "the company {kbo} exists already"
        )));
    }
    let nace_codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    companies::insert(
        conn,
        &NewCompany {
            kbo: kbo.digits(),
            name,
            kind: kind.as_str(),
            nace_codes: &nace_codes.join(","),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(kbo)
}
