//! `carpass staff software`: which DMS builder, name and version sent how many production
//! readings with how many issues, from the ClientInfo header every request carries, and
//! whether that version holds a valid approval.

use chrono::NaiveDate;

use super::StaffError;
use crate::db::approvals;
use crate::db::readings;
use crate::db::DbConnection;
use crate::domain::certification::approval;
use crate::domain::format::{plural, Formatter};
use crate::domain::language::Language;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SoftwareUsage {
    pub builder: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub readings: i64,
    pub issues: i64,
    /// The last day of the longest approval that holds today.
    pub approved_until: Option<NaiveDate>,
}

pub fn usage(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<SoftwareUsage>, StaffError> {
    let approvals = approvals::all(conn)?;
    Ok(readings::per_software(conn)?
        .into_iter()
        .map(|((builder, name, version), readings, issues)| {
            let approved_until = approvals
                .iter()
                .filter(|a| {
                    Some(&a.dms_builder) == builder.as_ref()
                        && Some(&a.dms_name) == name.as_ref()
                        && Some(&a.dms_version) == version.as_ref()
                        && approval::holds(a.valid_until, a.revoked_at.is_some(), today)
                })
                .map(|a| a.valid_until)
                .max();
            SoftwareUsage {
                builder,
                name,
                version,
                readings,
                issues,
                approved_until,
            }
        })
        .collect())
}

pub fn render_text(usage: &[SoftwareUsage]) -> String {
    let unknown = |s: &Option<String>| s.clone().unwrap_or_else(|| "(not sent)".into());
    let mut out = String::from("builder / software / version: readings, issues, approval\n");
    for u in usage {
        let approval = match u.approved_until {
            Some(until) => format!("approved until {until}"),
            None => "NOT APPROVED".into(),
        };
        let count = |n: i64, one, many| {
            let n = n.max(0) as u64;
            format!(
                "{} {}",
                Formatter(Language::En).num(n),
                plural(n, one, many)
            )
        };
        out.push_str(&format!(
            "{} / {} / {}: {}, {}, {approval}\n",
            unknown(&u.builder),
            unknown(&u.name),
            unknown(&u.version),
            count(u.readings, "reading", "readings"),
            count(u.issues, "issue", "issues")
        ));
    }
    out
}
