//! The "approved DMS" label (SPEC 2.11): valid through its valid-until date unless revoked,
//! and listed publicly as the registry's own table is, soonest expiry first.

use chrono::NaiveDate;

/// Whether an approval holds on `today`: not revoked, and `today` not after its last valid day.
pub fn holds(valid_until: NaiveDate, revoked: bool, today: NaiveDate) -> bool {
    !revoked && today <= valid_until
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
