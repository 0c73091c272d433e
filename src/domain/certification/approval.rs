//! The "approved DMS" label (SPEC 2.11): valid through its valid-until date unless revoked,
//! and listed publicly as the registry's own table is, soonest expiry first; one approval per
//! DMS version, renewed by a new session's approval near its end.

use chrono::NaiveDate;

/// How long before an approval expires a new session's approval of the same DMS version may
/// renew it: long enough for a vendor to certify again without a gap on the public list.
pub const RENEWAL_DAYS: u64 = 90;

/// Whether an approval holds on `today`: not revoked, and `today` not after its last valid day.
pub fn holds(valid_until: NaiveDate, revoked: bool, today: NaiveDate) -> bool {
    !revoked && today <= valid_until
}

/// What an approval is on a day, as its public page and badge say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Holds,
    Expired,
    Revoked,
}

impl Standing {
    /// Revoked wins over expired: it says more about the DMS.
    pub fn on(valid_until: NaiveDate, revoked: bool, today: NaiveDate) -> Standing {
        if revoked {
            Standing::Revoked
        } else if holds(valid_until, revoked, today) {
            Standing::Holds
        } else {
            Standing::Expired
        }
    }
}

/// An approval already given for the DMS version about to be approved.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    pub id: &'a str,
    pub session_id: &'a str,
    pub valid_until: NaiveDate,
    pub revoked: bool,
}

/// Why a DMS version cannot be approved (again) now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The session was approved already: its approval stands as it was given (or revoked).
    SessionApproved { id: String },
    /// Another approval of the version holds and is not near its end.
    VersionHolds {
        id: String,
        valid_until: NaiveDate,
        renewable_from: NaiveDate,
    },
}

/// One approval per DMS version: a session is approved once, whatever became of its
/// approval; a version whose approval holds is approved again only to renew it, from another
/// session, in the last `RENEWAL_DAYS` before it expires.
pub fn may_approve(session_id: &str, given: &[Given<'_>], today: NaiveDate) -> Result<(), Refusal> {
    if let Some(g) = given.iter().find(|g| g.session_id == session_id) {
        return Err(Refusal::SessionApproved {
            id: g.id.to_owned(),
        });
    }
    let renewal = chrono::Days::new(RENEWAL_DAYS);
    for g in given
        .iter()
        .filter(|g| holds(g.valid_until, g.revoked, today))
    {
        let renewable_from = g
            .valid_until
            .checked_sub_days(renewal)
            .unwrap_or(g.valid_until);
        if today < renewable_from {
            return Err(Refusal::VersionHolds {
                id: g.id.to_owned(),
                valid_until: g.valid_until,
                renewable_from,
            });
        }
    }
    Ok(())
}

/// The public list's order (seeds/004: by valid-until date), then by name and version.
pub fn public_order(
    a: (&NaiveDate, &str, &str),
    b: (&NaiveDate, &str, &str),
) -> std::cmp::Ordering {
    a.0.cmp(b.0)
        .then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase()))
        .then_with(|| a.2.cmp(b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn an_approval_holds_through_its_last_day_and_not_after_or_once_revoked() {
        assert!(holds(d(7), false, d(7)));
        assert!(holds(d(7), false, d(1)));
        assert!(!holds(d(7), false, d(8)));
        assert!(!holds(d(7), true, d(1)));
    }

    #[test]
    fn the_standing_is_revoked_before_expired_and_holds_through_the_last_day() {
        assert_eq!(Standing::on(d(7), false, d(7)), Standing::Holds);
        assert_eq!(Standing::on(d(7), false, d(8)), Standing::Expired);
        assert_eq!(Standing::on(d(7), true, d(1)), Standing::Revoked);
        assert_eq!(Standing::on(d(7), true, d(9)), Standing::Revoked);
    }

    fn given<'a>(
        id: &'a str,
        session_id: &'a str,
        valid_until: NaiveDate,
        revoked: bool,
    ) -> Given<'a> {
        Given {
            id,
            session_id,
            valid_until,
            revoked,
        }
    }

    #[test]
    fn a_session_is_approved_once_whatever_became_of_its_approval() {
        let today = d(1);
        assert_eq!(may_approve("s1", &[], today), Ok(()));
        for revoked in [false, true] {
            assert_eq!(
                may_approve("s1", &[given("a1", "s1", d(2), revoked)], d(20)),
                Err(Refusal::SessionApproved { id: "a1".into() })
            );
        }
    }

    #[test]
    fn a_version_that_holds_is_renewed_only_in_its_last_days() {
        let until = NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
        let from = until - chrono::Days::new(RENEWAL_DAYS);
        let holding = [given("a1", "s1", until, false)];
        assert_eq!(
            may_approve("s2", &holding, from - chrono::Days::new(1)),
            Err(Refusal::VersionHolds {
                id: "a1".into(),
                valid_until: until,
                renewable_from: from
            })
        );
        assert_eq!(may_approve("s2", &holding, from), Ok(()));
        assert_eq!(may_approve("s2", &holding, until), Ok(()));
        // Revoked or expired, it no longer stands in the way.
        assert_eq!(
            may_approve("s2", &[given("a1", "s1", until, true)], d(1)),
            Ok(())
        );
        assert_eq!(
            may_approve("s2", &[given("a1", "s1", d(1), false)], d(2)),
            Ok(())
        );
    }

    #[test]
    fn the_soonest_expiry_comes_first_then_the_name() {
        let mut list = [
            (d(20), "flexiGar", "7.4.0"),
            (d(7), "XDMS", "7.3"),
            (d(20), "Autosoft", "1"),
        ];
        list.sort_by(|a, b| public_order((&a.0, a.1, a.2), (&b.0, b.1, b.2)));
        assert_eq!(
            list.iter().map(|e| e.1).collect::<Vec<_>>(),
            ["XDMS", "Autosoft", "flexiGar"]
        );
    }
}
