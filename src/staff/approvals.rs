//! "Approved DMS" labels (SPEC 2.11, 5): staff verdicts on what only a DMS's screen shows,
//! approvals from a certifiable evaluation, revocations, and the public list. Every action
//! records who, when and why.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Refusal, StaffError};
use crate::certification::{evaluations, sessions, CertificationError};
use crate::db::approvals::{self, ApprovalRow};
use crate::db::certification::{self as store, NewVerdict, VerdictRow};
use crate::db::DbConnection;
use crate::domain::calendar::brussels_date;
use crate::domain::certification::approval;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::Verdict;

impl From<CertificationError> for StaffError {
    fn from(e: CertificationError) -> Self {
        match e {
            CertificationError::UnknownSession(id) => {
                StaffError::NotFound(Refusal::UnknownSession { id })
            }
            CertificationError::NoNextStep { session, steps } => {
                StaffError::Conflict(Refusal::NoNextStep { session, steps })
            }
            CertificationError::StepTaken(step) => {
                StaffError::Conflict(Refusal::StepTaken { step })
            }
            CertificationError::Invalid(message) => {
                StaffError::Invalid(Refusal::Untranslated(message))
            }
            CertificationError::AlreadySo { criterion, verdict } => {
                StaffError::Invalid(Refusal::AlreadySo {
                    criterion: criterion.id().to_owned(),
                    verdict,
                })
            }
            CertificationError::Service(e) => StaffError::Service(e),
        }
    }
}

fn require_note(note: &str) -> Result<&str, StaffError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StaffError::Invalid(Refusal::NoteMissing));
    }
    Ok(note)
}

/// The latest verdict per criterion.
pub fn verdicts(
    cert: &mut DbConnection,
    session_id: &str,
) -> Result<BTreeMap<Criterion, VerdictRow>, StaffError> {
    Ok(store::verdicts(cert, session_id)?
        .into_iter()
        .filter_map(|v| Criterion::parse(&v.criterion).map(|c| (c, v)))
        .collect())
}

/// Records a staff verdict on a criterion that awaits one in the session's latest evaluation.
pub fn verdict(
    cert: &mut DbConnection,
    session_id: &str,
    criterion: &str,
    passed: bool,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Criterion, StaffError> {
    let note = require_note(note)?;
    let criterion = Criterion::parse(criterion).ok_or_else(|| {
        StaffError::Invalid(Refusal::UnknownCriterion {
            given: criterion.to_owned(),
        })
    })?;
    let session = sessions::find(cert, session_id)?;
    let latest = evaluations::latest(cert, &session.id)?.ok_or_else(|| {
        StaffError::Invalid(Refusal::NotEvaluated {
            session: session.id.clone(),
        })
    })?;
    let result = latest
        .criteria
        .iter()
        .find(|r| r.criterion == criterion)
        .expect("every criterion is judged");
    if result.verdict != Verdict::AwaitingStaffReview
        && !verdicts(cert, &session.id)?.contains_key(&criterion)
    {
        return Err(StaffError::Invalid(Refusal::NotAwaitingReview {
            criterion: criterion.id().to_owned(),
            verdict: result.verdict,
        }));
    }
    store::insert_verdict(
        cert,
        &NewVerdict {
            session_id: session.id,
            criterion: criterion.id().to_owned(),
            passed,
            note: note.to_owned(),
            decided_at: now.naive_utc(),
            decided_by: by.to_owned(),
        },
    )?;
    Ok(criterion)
}

/// Approves the session's DMS name, version and builder until `valid_until`: only from a
/// certifiable latest evaluation whose every criterion awaiting staff review has a passing verdict.
pub fn approve(
    production: &mut DbConnection,
    cert: &mut DbConnection,
    session_id: &str,
    valid_until: NaiveDate,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<ApprovalRow, StaffError> {
    let session = sessions::find(cert, session_id)?;
    let today = brussels_date(now);
    if valid_until <= today {
        return Err(StaffError::Invalid(Refusal::ValidUntilNotAfterToday {
            valid_until,
            today,
        }));
    }
    let latest = evaluations::latest(cert, &session.id)?.ok_or_else(|| {
        StaffError::Invalid(Refusal::NotEvaluated {
            session: session.id.clone(),
        })
    })?;
    if !latest.certifiable {
        let failed: Vec<(String, Verdict)> = latest
            .criteria
            .iter()
            .filter(|c| {
                c.mandatory && !matches!(c.verdict, Verdict::Passed | Verdict::AwaitingStaffReview)
            })
            .map(|c| (c.criterion.id().to_owned(), c.verdict))
            .collect();
        return Err(StaffError::Invalid(Refusal::NotCertifiable {
            session: session.id.clone(),
            evaluation: latest.evaluation_id.clone(),
            failed,
        }));
    }
    let verdicts = verdicts(cert, &session.id)?;
    for awaiting in latest
        .criteria
        .iter()
        .filter(|c| c.verdict == Verdict::AwaitingStaffReview)
    {
        let criterion = awaiting.criterion;
        match verdicts.get(&criterion) {
            None => {
                return Err(StaffError::Invalid(Refusal::AwaitsVerdict {
                    criterion: criterion.id().to_owned(),
                    session: session.id.clone(),
                }))
            }
            Some(v) if !v.passed && awaiting.mandatory => {
                return Err(StaffError::Invalid(Refusal::FailedByVerdict {
                    criterion: criterion.id().to_owned(),
                    by: v.decided_by.clone(),
                    note: v.note.clone(),
                }))
            }
            Some(_) => {}
        }
    }
    let given = approvals::of_version(
        production,
        &session.software.builder,
        &session.software.name,
        &session.software.version,
    )?;
    let given: Vec<approval::Given<'_>> = given
        .iter()
        .map(|a| approval::Given {
            id: &a.id,
            session_id: &a.session_id,
            valid_until: a.valid_until,
            revoked: a.revoked_at.is_some(),
        })
        .collect();
    approval::may_approve(&session.id, &given, today)
        .map_err(|refusal| refused(&session, refusal))?;
    let row = ApprovalRow {
        id: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
        session_id: session.id.clone(),
        evaluation_id: latest.evaluation_id,
        dms_name: session.software.name.clone(),
        dms_version: session.software.version.clone(),
        dms_builder: session.software.builder.clone(),
        valid_until,
        approved_at: now.naive_utc(),
        approved_by: by.to_owned(),
        note: note.trim().to_owned(),
        revoked_at: None,
        revoked_by: None,
        revoke_note: None,
    };
    // The unique index refuses the second of two approvals of the session given at once.
    approvals::insert(production, &row).map_err(|e| {
        if crate::db::is_duplicate(&e) {
            refused(
                &session,
                approval::Refusal::SessionApproved {
                    id: "given a moment ago".into(),
                },
            )
        } else {
            e.into()
        }
    })?;
    Ok(row)
}

fn refused(session: &sessions::Session, refusal: approval::Refusal) -> StaffError {
    let dms = &session.software;
    match refusal {
        approval::Refusal::SessionApproved { id } => {
            StaffError::Conflict(Refusal::SessionApproved {
                session: session.id.clone(),
                approval: id,
            })
        }
        approval::Refusal::VersionHolds {
            id,
            valid_until,
            renewable_from,
        } => StaffError::Conflict(Refusal::VersionHolds {
            dms: format!("{} {} ({})", dms.name, dms.version, dms.builder),
            approval: id,
            valid_until,
            renewable_from,
        }),
    }
}

pub fn revoke(
    production: &mut DbConnection,
    id: &str,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<ApprovalRow, StaffError> {
    let note = require_note(note)?;
    let existing = approvals::find(production, id)?
        .ok_or_else(|| StaffError::NotFound(Refusal::NoApproval { id: id.to_owned() }))?;
    if let (Some(at), Some(who)) = (existing.revoked_at, &existing.revoked_by) {
        return Err(StaffError::Conflict(Refusal::AlreadyRevoked {
            id: id.to_owned(),
            on: at.date(),
            by: who.clone(),
        }));
    }
    approvals::revoke(production, id, by, note, now.naive_utc())?;
    Ok(approvals::find(production, id)?.expect("it was just revoked"))
}

/// An approval as the command line prints it: its times in UTC, written with their `Z`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApprovalView {
    pub id: String,
    pub session_id: String,
    pub evaluation_id: String,
    pub dms_name: String,
    pub dms_version: String,
    pub dms_builder: String,
    pub valid_until: NaiveDate,
    pub approved_at: DateTime<Utc>,
    pub approved_by: String,
    pub note: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_note: Option<String>,
}

impl ApprovalView {
    pub fn of(row: &ApprovalRow) -> ApprovalView {
        ApprovalView {
            id: row.id.clone(),
            session_id: row.session_id.clone(),
            evaluation_id: row.evaluation_id.clone(),
            dms_name: row.dms_name.clone(),
            dms_version: row.dms_version.clone(),
            dms_builder: row.dms_builder.clone(),
            valid_until: row.valid_until,
            approved_at: row.approved_at.and_utc(),
            approved_by: row.approved_by.clone(),
            note: row.note.clone(),
            revoked_at: row.revoked_at.map(|at| at.and_utc()),
            revoked_by: row.revoked_by.clone(),
            revoke_note: row.revoke_note.clone(),
        }
    }
}

/// What the public list shows of an approval.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicApproval {
    /// The approval that holds longest, whose page `/approved-dms/{id}` anyone can check.
    pub id: String,
    pub name: String,
    pub version: String,
    pub builder: String,
    pub valid_until: NaiveDate,
}

/// The approvals that hold today, as the registry lists them.
pub fn public_list(
    production: &mut DbConnection,
    today: NaiveDate,
) -> Result<Vec<PublicApproval>, StaffError> {
    // One line per DMS version: the approval that holds longest.
    let mut longest: BTreeMap<(String, String, String), (NaiveDate, String)> = BTreeMap::new();
    for a in approvals::all(production)? {
        if approval::holds(a.valid_until, a.revoked_at.is_some(), today) {
            let held = longest
                .entry((a.dms_builder, a.dms_name, a.dms_version))
                .or_insert((a.valid_until, a.id.clone()));
            if a.valid_until > held.0 {
                *held = (a.valid_until, a.id);
            }
        }
    }
    let mut list: Vec<PublicApproval> = longest
        .into_iter()
        .map(
            |((builder, name, version), (valid_until, id))| PublicApproval {
                id,
                name,
                version,
                builder,
                valid_until,
            },
        )
        .collect();
    list.sort_by(|a, b| {
        approval::public_order(
            (&a.valid_until, &a.name, &a.version),
            (&b.valid_until, &b.name, &b.version),
        )
    });
    Ok(list)
}
