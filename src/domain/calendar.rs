//! Belgian working-day calendar and the reporting deadline.
//!
//! SPEC 2.2: a garage reports an odometer reading within 5 working days after
//! the day of the works. Working days are Monday to Friday except Belgium's ten
//! legal holidays.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};

/// Belgian civil time: SPEC 2.2 counts days as they are in Belgium, not in UTC.
pub const BRUSSELS: chrono_tz::Tz = chrono_tz::Europe::Brussels;

/// SPEC 2.2: number of working days a garage has after the day of the works.
pub const REPORTING_WORKING_DAYS: u32 = 5;

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm,
/// also known as Meeus/Jones/Butcher).
///
/// Three of the ten legal holidays hang on it (SPEC 2.2). Only meaningful for
/// Gregorian years (1583 onwards).
///
/// # Panics
/// When the resulting date is outside chrono's range (|year| > 262 000).
pub fn easter_sunday(year: i32) -> NaiveDate {
    // Euclidean division keeps every intermediate non-negative, so the
    // algorithm stays well defined (if historically meaningless) for any year.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the algorithm.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .expect("Easter Sunday is a valid date within chrono's range")
}

/// Belgium's ten legal holidays of `year`, sorted ascending.
///
/// SPEC 2.2: 1 Jan, Easter Monday, 1 May, Ascension Day (Easter + 39 days),
/// Whit Monday (Easter + 50 days), 21 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec.
///
/// Two entries can be the same date: Ascension Day falls on 1 May when Easter
/// is on 23 March (as in 2008); the array then holds that date twice, which is
/// harmless for lookups.
///
/// # Panics
/// When a date of `year` is outside chrono's range.
pub fn belgian_legal_holidays(year: i32) -> [NaiveDate; 10] {
    let fixed = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).expect("fixed holiday is a valid date")
    };
    let easter = easter_sunday(year);
    let after_easter = |days: u64| {
        easter
            .checked_add_days(Days::new(days))
            .expect("Easter-based holiday is within chrono's range")
    };
    let mut holidays = [
        fixed(1, 1),
        after_easter(1),
        fixed(5, 1),
        after_easter(39),
        after_easter(50),
        fixed(7, 21),
        fixed(8, 15),
        fixed(11, 1),
        fixed(11, 11),
        fixed(12, 25),
    ];
    // Ascension moves between 30 April and 3 June, so it may precede 1 May.
    holidays.sort_unstable();
    holidays
}

/// Whether `d` is one of Belgium's ten legal holidays (SPEC 2.2), whatever
/// day of the week it falls on.
pub fn is_legal_holiday(d: NaiveDate) -> bool {
    belgian_legal_holidays(d.year()).contains(&d)
}

/// SPEC 2.2: a working day is Monday to Friday and not a legal holiday.
/// (A holiday on a weekend is not replaced by another day off for this count.)
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_legal_holiday(d)
}

/// The `n`-th working day strictly after `from`; `n = 0` returns `from`
/// itself, whether or not it is a working day.
///
/// # Panics
/// When the result would be past chrono's last date.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut remaining = n;
    while remaining > 0 {
        day = day.succ_opt().expect("date within chrono's range");
        if is_working_day(day) {
            remaining -= 1;
        }
    }
    day
}

/// The last day on which a report for works done on `work_date` is on time.
///
/// SPEC 2.2: "within 5 working days after the day of the works": the day of
/// the works itself never counts, even when it is a working day.
pub fn reporting_deadline(work_date: NaiveDate) -> NaiveDate {
    add_working_days(work_date, REPORTING_WORKING_DAYS)
}

/// SPEC 2.2: a report received after the deadline day is late; one received
/// on the deadline day itself (or earlier) is on time.
pub fn is_late(work_date: NaiveDate, received_on: NaiveDate) -> bool {
    received_on > reporting_deadline(work_date)
}

/// The calendar date in Brussels at instant `at` (UTC+1 in winter, UTC+2 in
/// summer): a report sent at 23:30 UTC on 31 May arrives on 1 June in Belgium.
pub fn brussels_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&BRUSSELS).date_naive()
}

/// Number of whole months completed from `from` to `to`; 0 when `to` is
/// before `from`.
///
/// A month is completed on the same day-of-month in the next month, or, when
/// that month has no such day, on its last day. So from 2020-01-31 one month
/// is completed on 2020-02-29 (leap year) and two on 2020-03-31; from
/// 2020-02-29 twelve months are completed on 2021-02-28. Each anniversary is
/// counted from `from` itself (not from the previous anniversary), so clamping
/// in a short month never shifts the later ones.
pub fn completed_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let month_index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let mut months = month_index(to) - month_index(from);
    let anniversary_day = from.day().min(days_in_month(to.year(), to.month()));
    if to.day() < anniversary_day {
        months -= 1;
    }
    // to >= from, so at least 0 months; a chrono date range spans far fewer
    // than u32::MAX months.
    u32::try_from(months.max(0)).expect("month count fits in u32")
}

/// Number of days in `month` (1..=12) of `year`, Gregorian rules.
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    // ---- Easter ----------------------------------------------------------

    #[test]
    fn easter_sunday_matches_the_published_dates_from_2019_to_2030() {
        let known = [
            date(2019, 4, 21),
            date(2020, 4, 12),
            date(2021, 4, 4),
            date(2022, 4, 17),
            date(2023, 4, 9),
            date(2024, 3, 31),
            date(2025, 4, 20),
            date(2026, 4, 5),
            date(2027, 3, 28),
            date(2028, 4, 16),
            date(2029, 4, 1),
            date(2030, 4, 21),
        ];
        for expected in known {
            assert_eq!(easter_sunday(expected.year()), expected);
        }
    }

    #[test]
    fn easter_sunday_reaches_the_earliest_and_latest_possible_dates() {
        assert_eq!(easter_sunday(1818), date(1818, 3, 22));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
        assert_eq!(easter_sunday(1943), date(1943, 4, 25));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn easter_sunday_handles_century_years() {
        assert_eq!(easter_sunday(1900), date(1900, 4, 15));
        assert_eq!(easter_sunday(2000), date(2000, 4, 23));
        assert_eq!(easter_sunday(2100), date(2100, 3, 28));
    }

    #[test]
    fn easter_sunday_is_always_a_sunday_between_22_march_and_25_april() {
        for year in 1583..=4099 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(easter >= date(year, 3, 22), "{year}");
            assert!(easter <= date(year, 4, 25), "{year}");
        }
    }

    // ---- Holidays --------------------------------------------------------

    #[test]
    fn the_ten_holidays_of_2024_are_listed_in_order() {
        assert_eq!(
            belgian_legal_holidays(2024),
            [
                date(2024, 1, 1),
                date(2024, 4, 1),
                date(2024, 5, 1),
                date(2024, 5, 9),
                date(2024, 5, 20),
                date(2024, 7, 21),
                date(2024, 8, 15),
                date(2024, 11, 1),
                date(2024, 11, 11),
                date(2024, 12, 25),
            ]
        );
    }

    #[test]
    fn the_ten_holidays_of_2025_and_2026_follow_easter() {
        let h2025 = belgian_legal_holidays(2025);
        assert_eq!(h2025[1], date(2025, 4, 21));
        assert_eq!(h2025[3], date(2025, 5, 29));
        assert_eq!(h2025[4], date(2025, 6, 9));
        let h2026 = belgian_legal_holidays(2026);
        assert_eq!(h2026[1], date(2026, 4, 6));
        assert_eq!(h2026[3], date(2026, 5, 14));
        assert_eq!(h2026[4], date(2026, 5, 25));
    }

    #[test]
    fn ascension_before_1_may_is_sorted_first() {
        // Easter 2285-03-22: Ascension falls on 30 April.
        let h = belgian_legal_holidays(2285);
        assert_eq!(h[2], date(2285, 4, 30));
        assert_eq!(h[3], date(2285, 5, 1));
    }

    #[test]
    fn ascension_on_1_may_appears_twice_and_is_still_a_holiday() {
        // Easter 2008-03-23: Ascension Day was Thursday 1 May.
        let h = belgian_legal_holidays(2008);
        assert_eq!(h[2], date(2008, 5, 1));
        assert_eq!(h[3], date(2008, 5, 1));
        assert!(is_legal_holiday(date(2008, 5, 1)));
        assert!(!is_working_day(date(2008, 5, 1)));
    }

    #[test]
    fn holidays_are_sorted_and_holidays_every_year() {
        for year in 1583..=4099 {
            let h = belgian_legal_holidays(year);
            assert!(h.windows(2).all(|w| w[0] <= w[1]), "{year}");
            assert!(h.iter().all(|d| d.year() == year), "{year}");
            assert!(h.iter().all(|&d| is_legal_holiday(d)), "{year}");
        }
    }

    #[test]
    fn a_year_has_exactly_ten_holiday_dates_unless_ascension_is_on_1_may() {
        for year in 1900..=2200 {
            let count = (1..=366)
                .filter_map(|ordinal| NaiveDate::from_yo_opt(year, ordinal))
                .filter(|&d| is_legal_holiday(d))
                .count();
            let ascension_on_may_day = easter_sunday(year) == date(year, 3, 23);
            assert_eq!(count, if ascension_on_may_day { 9 } else { 10 }, "{year}");
        }
    }

    #[test]
    fn good_friday_and_easter_sunday_are_not_legal_holidays() {
        assert!(!is_legal_holiday(date(2024, 3, 29)));
        assert!(is_working_day(date(2024, 3, 29)));
        assert!(!is_legal_holiday(date(2024, 3, 31)));
        assert!(!is_working_day(date(2024, 3, 31)));
    }

    #[test]
    fn christmas_eve_boxing_day_and_new_years_eve_are_working_days() {
        assert!(is_working_day(date(2024, 12, 24)));
        assert!(is_working_day(date(2024, 12, 26)));
        assert!(is_working_day(date(2024, 12, 31)));
    }

    #[test]
    fn weekends_are_not_working_days() {
        assert!(!is_working_day(date(2024, 3, 9)));
        assert!(!is_working_day(date(2024, 3, 10)));
        for d in 4..=8 {
            assert!(is_working_day(date(2024, 3, d)), "{d}");
        }
    }

    #[test]
    fn a_holiday_on_a_weekend_is_a_holiday_but_gives_no_extra_day_off() {
        // 2027: 1 May is a Saturday and 15 Aug a Sunday.
        assert!(is_legal_holiday(date(2027, 5, 1)));
        assert_eq!(date(2027, 5, 1).weekday(), Weekday::Sat);
        assert!(is_working_day(date(2027, 5, 3)));
        assert!(is_legal_holiday(date(2027, 8, 15)));
        assert_eq!(date(2027, 8, 15).weekday(), Weekday::Sun);
        assert!(is_working_day(date(2027, 8, 16)));
    }

    // ---- add_working_days ------------------------------------------------

    #[test]
    fn adding_zero_working_days_returns_the_same_day_even_on_a_weekend() {
        assert_eq!(add_working_days(date(2024, 3, 9), 0), date(2024, 3, 9));
        assert_eq!(add_working_days(date(2024, 12, 25), 0), date(2024, 12, 25));
    }

    #[test]
    fn adding_one_working_day_skips_weekend_and_holiday() {
        assert_eq!(add_working_days(date(2024, 3, 8), 1), date(2024, 3, 11));
        assert_eq!(add_working_days(date(2024, 12, 24), 1), date(2024, 12, 26));
        // Friday 29 March 2024 -> Easter Monday 1 April is skipped.
        assert_eq!(add_working_days(date(2024, 3, 29), 1), date(2024, 4, 2));
    }

    #[test]
    fn adding_working_days_crosses_the_new_year() {
        // 2024-12-30 Mon: 31 Dec (1), 1 Jan holiday, 2 (2), 3 (3), 6 (4), 7 (5).
        assert_eq!(add_working_days(date(2024, 12, 30), 5), date(2025, 1, 7));
    }

    #[test]
    fn adding_working_days_agrees_with_counting_day_by_day() {
        let mut from = date(2023, 12, 1);
        while from < date(2027, 2, 1) {
            for n in 0..=12 {
                let result = add_working_days(from, n);
                let counted = from
                    .iter_days()
                    .skip(1)
                    .take_while(|&d| d <= result)
                    .filter(|&d| is_working_day(d))
                    .count();
                assert_eq!(counted as u32, n, "{from} + {n}");
                assert!(n == 0 || is_working_day(result), "{from} + {n}");
            }
            from = from.succ_opt().unwrap();
        }
    }

    // ---- Deadline around weekends ---------------------------------------

    #[test]
    fn works_on_a_monday_are_due_the_next_monday() {
        assert_eq!(reporting_deadline(date(2024, 3, 4)), date(2024, 3, 11));
    }

    #[test]
    fn works_on_a_friday_are_due_the_next_friday() {
        assert_eq!(reporting_deadline(date(2024, 3, 8)), date(2024, 3, 15));
    }

    #[test]
    fn works_on_a_saturday_are_due_the_next_friday() {
        assert_eq!(reporting_deadline(date(2024, 3, 9)), date(2024, 3, 15));
    }

    #[test]
    fn works_on_a_sunday_are_due_the_next_friday() {
        assert_eq!(reporting_deadline(date(2024, 3, 10)), date(2024, 3, 15));
    }

    #[test]
    fn works_on_a_holiday_are_due_five_working_days_later() {
        // Christmas 2024 (Wed): 26, 27, 30, 31 Dec, (1 Jan), 2 Jan.
        assert_eq!(reporting_deadline(date(2024, 12, 25)), date(2025, 1, 2));
    }

    // ---- Deadline around each of the ten holidays -----------------------

    type Ymd = (i32, u32, u32);

    /// (work date, deadline) pairs spanning each holiday, checked by hand.
    fn assert_deadlines(cases: &[(Ymd, Ymd)]) {
        for &((wy, wm, wd), (dy, dm, dd)) in cases {
            assert_eq!(
                reporting_deadline(date(wy, wm, wd)),
                date(dy, dm, dd),
                "work on {wy}-{wm}-{wd}"
            );
        }
    }

    #[test]
    fn deadline_skips_new_years_day() {
        assert_deadlines(&[
            // 2024-01-01 Mon: from Fri 29 Dec: 2, 3, 4, 5, 8 Jan.
            ((2023, 12, 29), (2024, 1, 8)),
            // 2025-01-01 Wed: from Tue 31 Dec: 2, 3, 6, 7, 8 Jan.
            ((2024, 12, 31), (2025, 1, 8)),
        ]);
    }

    #[test]
    fn deadline_skips_easter_monday_in_2024_2025_and_2026() {
        assert_deadlines(&[
            // Easter Monday 2024-04-01: from Thu 28 Mar: 29, 2, 3, 4, 5.
            ((2024, 3, 28), (2024, 4, 5)),
            // Easter Monday 2025-04-21: from Thu 17 Apr: 18, 22, 23, 24, 25.
            ((2025, 4, 17), (2025, 4, 25)),
            // Easter Monday 2026-04-06: from Fri 3 Apr: 7, 8, 9, 10, 13.
            ((2026, 4, 3), (2026, 4, 13)),
        ]);
    }

    #[test]
    fn deadline_skips_labour_day() {
        assert_deadlines(&[
            // 2025-05-01 Thu: from Tue 29 Apr: 30, 2, 5, 6, 7.
            ((2025, 4, 29), (2025, 5, 7)),
            // 2026-05-01 Fri: from Thu 30 Apr: 4, 5, 6, 7, 8.
            ((2026, 4, 30), (2026, 5, 8)),
        ]);
    }

    #[test]
    fn deadline_skips_ascension_day_in_2024_2025_and_2026() {
        assert_deadlines(&[
            // Ascension 2024-05-09 Thu: from Mon 6 May: 7, 8, 10, 13, 14.
            ((2024, 5, 6), (2024, 5, 14)),
            // Ascension 2025-05-29 Thu: from Wed 28 May: 30, 2, 3, 4, 5 Jun.
            ((2025, 5, 28), (2025, 6, 5)),
            // Ascension 2026-05-14 Thu: from Tue 12 May: 13, 15, 18, 19, 20.
            ((2026, 5, 12), (2026, 5, 20)),
        ]);
    }

    #[test]
    fn deadline_skips_whit_monday_in_2024_2025_and_2026() {
        assert_deadlines(&[
            // Whit Monday 2024-05-20: from Wed 15 May: 16, 17, 21, 22, 23.
            ((2024, 5, 15), (2024, 5, 23)),
            // Whit Monday 2025-06-09: from Fri 6 Jun: 10, 11, 12, 13, 16.
            ((2025, 6, 6), (2025, 6, 16)),
            // Whit Monday 2026-05-25: from Fri 22 May: 26, 27, 28, 29, 1 Jun.
            ((2026, 5, 22), (2026, 6, 1)),
        ]);
    }

    #[test]
    fn two_holidays_in_one_window_are_both_skipped() {
        // 2024: 1 May (Wed) and Ascension 9 May (Thu).
        // From Tue 30 Apr: 2, 3, 6, 7, 8 May (1 May skipped).
        assert_deadlines(&[((2024, 4, 30), (2024, 5, 8))]);
        // From Tue 30 Apr to the 8th working day would cross Ascension too.
        assert_eq!(add_working_days(date(2024, 4, 30), 6), date(2024, 5, 10));
    }

    #[test]
    fn deadline_skips_national_day() {
        assert_deadlines(&[
            // 2025-07-21 Mon: from Thu 17 Jul: 18, 22, 23, 24, 25.
            ((2025, 7, 17), (2025, 7, 25)),
            // 2026-07-21 Tue: from Mon 20 Jul: 22, 23, 24, 27, 28.
            ((2026, 7, 20), (2026, 7, 28)),
        ]);
    }

    #[test]
    fn deadline_skips_assumption_day() {
        assert_deadlines(&[
            // 2024-08-15 Thu: from Tue 13 Aug: 14, 16, 19, 20, 21.
            ((2024, 8, 13), (2024, 8, 21)),
            // 2025-08-15 Fri: from Thu 14 Aug: 18, 19, 20, 21, 22.
            ((2025, 8, 14), (2025, 8, 22)),
        ]);
    }

    #[test]
    fn deadline_skips_all_saints_day() {
        assert_deadlines(&[
            // 2024-11-01 Fri: from Wed 30 Oct: 31, 4, 5, 6, 7 Nov.
            ((2024, 10, 30), (2024, 11, 7)),
            // 2027-11-01 Mon: from Fri 29 Oct: 2, 3, 4, 5, 8 Nov.
            ((2027, 10, 29), (2027, 11, 8)),
        ]);
    }

    #[test]
    fn deadline_skips_armistice_day() {
        assert_deadlines(&[
            // 2024-11-11 Mon: from Fri 8 Nov: 12, 13, 14, 15, 18.
            ((2024, 11, 8), (2024, 11, 18)),
            // 2025-11-11 Tue: from Mon 10 Nov: 12, 13, 14, 17, 18.
            ((2025, 11, 10), (2025, 11, 18)),
        ]);
    }

    #[test]
    fn deadline_skips_christmas_day() {
        assert_deadlines(&[
            // 2025-12-25 Thu: from Wed 24 Dec: 26, 29, 30, 31, 2 Jan (1 Jan too).
            ((2025, 12, 24), (2026, 1, 2)),
            // 2026-12-25 Fri: from Thu 24 Dec: 28, 29, 30, 31, 4 Jan 2027.
            ((2026, 12, 24), (2027, 1, 4)),
        ]);
    }

    #[test]
    fn a_holiday_on_a_weekend_does_not_move_the_deadline() {
        assert_deadlines(&[
            // 2027-05-01 Sat: from Thu 29 Apr: 30, 3, 4, 5, (Ascension 6), 7.
            ((2027, 4, 29), (2027, 5, 7)),
            // 2027-08-15 Sun: from Fri 13 Aug: 16, 17, 18, 19, 20.
            ((2027, 8, 13), (2027, 8, 20)),
            // 2027-12-25 Sat: from Fri 24 Dec: 27, 28, 29, 30, 31.
            ((2027, 12, 24), (2027, 12, 31)),
            // 2021-08-15 Sun: from Fri 13 Aug: 16, 17, 18, 19, 20.
            ((2021, 8, 13), (2021, 8, 20)),
            // 2021-05-01 Sat: from Fri 30 Apr: 3, 4, 5, 6, 7 May.
            ((2021, 4, 30), (2021, 5, 7)),
        ]);
    }

    #[test]
    fn deadline_in_2027_and_2021_skips_the_easter_based_holidays() {
        assert_deadlines(&[
            // Easter Monday 2027-03-29: from Fri 26 Mar: 30, 31, 1, 2, 5 Apr.
            ((2027, 3, 26), (2027, 4, 5)),
            // Whit Monday 2027-05-17: from Fri 14 May: 18, 19, 20, 21, 24.
            ((2027, 5, 14), (2027, 5, 24)),
            // Easter Monday 2021-04-05: from Fri 2 Apr: 6, 7, 8, 9, 12.
            ((2021, 4, 2), (2021, 4, 12)),
            // Ascension 2021-05-13 Thu: from Tue 11 May: 12, 14, 17, 18, 19.
            ((2021, 5, 11), (2021, 5, 19)),
        ]);
    }

    // ---- is_late boundary ------------------------------------------------

    #[test]
    fn a_report_received_on_the_deadline_is_not_late() {
        let work = date(2024, 3, 8);
        assert!(!is_late(work, date(2024, 3, 15)));
    }

    #[test]
    fn a_report_received_the_day_after_the_deadline_is_late() {
        let work = date(2024, 3, 8);
        assert!(is_late(work, date(2024, 3, 16)));
    }

    #[test]
    fn a_report_received_on_the_weekend_after_the_deadline_is_late() {
        let work = date(2024, 3, 8);
        assert!(is_late(work, date(2024, 3, 16)));
        assert!(is_late(work, date(2024, 3, 17)));
        assert!(is_late(work, date(2024, 3, 18)));
    }

    #[test]
    fn a_report_received_on_the_day_of_the_works_or_before_is_not_late() {
        let work = date(2024, 3, 8);
        assert!(!is_late(work, work));
        assert!(!is_late(work, date(2024, 3, 1)));
    }

    #[test]
    fn a_report_received_on_a_holiday_before_the_deadline_is_not_late() {
        // Work Thu 28 Mar 2024, deadline Fri 5 Apr; Easter Monday in between.
        assert!(!is_late(date(2024, 3, 28), date(2024, 4, 1)));
        assert!(!is_late(date(2024, 3, 28), date(2024, 4, 5)));
        assert!(is_late(date(2024, 3, 28), date(2024, 4, 6)));
    }

    #[test]
    fn is_late_flips_exactly_after_the_deadline_for_every_day_of_a_year() {
        for work in date(2024, 1, 1).iter_days().take(366) {
            let deadline = reporting_deadline(work);
            assert!(!is_late(work, deadline), "{work}");
            assert!(is_late(work, deadline.succ_opt().unwrap()), "{work}");
            assert!(is_working_day(deadline), "{work}");
        }
    }

    // ---- Brussels date --------------------------------------------------

    #[test]
    fn brussels_is_the_europe_brussels_zone() {
        assert_eq!(BRUSSELS.name(), "Europe/Brussels");
    }

    #[test]
    fn in_winter_brussels_is_one_hour_ahead_of_utc() {
        assert_eq!(brussels_date(utc(2024, 1, 15, 22, 59)), date(2024, 1, 15));
        assert_eq!(brussels_date(utc(2024, 1, 15, 23, 0)), date(2024, 1, 16));
        assert_eq!(brussels_date(utc(2024, 1, 15, 23, 59)), date(2024, 1, 16));
        assert_eq!(brussels_date(utc(2024, 1, 16, 0, 0)), date(2024, 1, 16));
    }

    #[test]
    fn in_summer_brussels_is_two_hours_ahead_of_utc() {
        assert_eq!(brussels_date(utc(2024, 7, 15, 21, 59)), date(2024, 7, 15));
        assert_eq!(brussels_date(utc(2024, 7, 15, 22, 0)), date(2024, 7, 16));
        assert_eq!(brussels_date(utc(2024, 7, 15, 23, 30)), date(2024, 7, 16));
        assert_eq!(brussels_date(utc(2024, 7, 16, 0, 0)), date(2024, 7, 16));
    }

    #[test]
    fn new_years_eve_late_in_utc_is_already_new_year_in_brussels() {
        assert_eq!(brussels_date(utc(2024, 12, 31, 23, 0)), date(2025, 1, 1));
    }

    #[test]
    fn spring_forward_day_uses_winter_offset_until_01_00_utc() {
        // 2024-03-31: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
        assert_eq!(brussels_date(utc(2024, 3, 30, 22, 59)), date(2024, 3, 30));
        assert_eq!(brussels_date(utc(2024, 3, 30, 23, 0)), date(2024, 3, 31));
        assert_eq!(brussels_date(utc(2024, 3, 31, 21, 59)), date(2024, 3, 31));
        // After the switch midnight is at 22:00 UTC.
        assert_eq!(brussels_date(utc(2024, 3, 31, 22, 0)), date(2024, 4, 1));
    }

    #[test]
    fn fall_back_day_uses_summer_offset_until_01_00_utc() {
        // 2024-10-27: clocks go from 03:00 CEST back to 02:00 CET at 01:00 UTC.
        assert_eq!(brussels_date(utc(2024, 10, 26, 21, 59)), date(2024, 10, 26));
        assert_eq!(brussels_date(utc(2024, 10, 26, 22, 0)), date(2024, 10, 27));
        assert_eq!(brussels_date(utc(2024, 10, 27, 22, 59)), date(2024, 10, 27));
        // After the switch midnight is at 23:00 UTC.
        assert_eq!(brussels_date(utc(2024, 10, 27, 23, 0)), date(2024, 10, 28));
    }

    #[test]
    fn the_dst_switch_hour_itself_stays_on_the_switch_day() {
        assert_eq!(brussels_date(utc(2024, 3, 31, 0, 59)), date(2024, 3, 31));
        assert_eq!(brussels_date(utc(2024, 3, 31, 1, 0)), date(2024, 3, 31));
        assert_eq!(brussels_date(utc(2024, 10, 27, 0, 59)), date(2024, 10, 27));
        assert_eq!(brussels_date(utc(2024, 10, 27, 1, 0)), date(2024, 10, 27));
    }

    // ---- completed_months -----------------------------------------------

    #[test]
    fn no_months_are_completed_when_to_is_before_from() {
        assert_eq!(completed_months(date(2024, 3, 1), date(2024, 2, 1)), 0);
        assert_eq!(completed_months(date(2024, 3, 1), date(2020, 2, 1)), 0);
    }

    #[test]
    fn no_months_are_completed_on_the_same_day() {
        assert_eq!(completed_months(date(2024, 3, 15), date(2024, 3, 15)), 0);
    }

    #[test]
    fn a_month_is_completed_on_the_same_day_of_the_next_month() {
        assert_eq!(completed_months(date(2024, 3, 15), date(2024, 4, 14)), 0);
        assert_eq!(completed_months(date(2024, 3, 15), date(2024, 4, 15)), 1);
        assert_eq!(completed_months(date(2024, 3, 15), date(2024, 4, 16)), 1);
    }

    #[test]
    fn a_month_from_the_31st_ends_on_the_last_day_of_a_short_month() {
        assert_eq!(completed_months(date(2024, 1, 31), date(2024, 2, 28)), 0);
        assert_eq!(completed_months(date(2024, 3, 31), date(2024, 4, 29)), 0);
        assert_eq!(completed_months(date(2024, 3, 31), date(2024, 4, 30)), 1);
        assert_eq!(completed_months(date(2024, 3, 31), date(2024, 5, 30)), 1);
        assert_eq!(completed_months(date(2024, 3, 31), date(2024, 5, 31)), 2);
    }

    #[test]
    fn a_month_from_31_january_ends_on_29_february_in_a_leap_year() {
        assert_eq!(completed_months(date(2020, 1, 31), date(2020, 2, 28)), 0);
        assert_eq!(completed_months(date(2020, 1, 31), date(2020, 2, 29)), 1);
        assert_eq!(completed_months(date(2020, 1, 31), date(2020, 3, 1)), 1);
        assert_eq!(completed_months(date(2020, 1, 31), date(2020, 3, 30)), 1);
        assert_eq!(completed_months(date(2020, 1, 31), date(2020, 3, 31)), 2);
    }

    #[test]
    fn a_month_from_31_january_ends_on_28_february_in_a_common_year() {
        assert_eq!(completed_months(date(2021, 1, 31), date(2021, 2, 27)), 0);
        assert_eq!(completed_months(date(2021, 1, 31), date(2021, 2, 28)), 1);
        assert_eq!(completed_months(date(2021, 1, 29), date(2021, 2, 28)), 1);
        assert_eq!(completed_months(date(2021, 1, 28), date(2021, 2, 27)), 0);
    }

    #[test]
    fn a_year_from_29_february_ends_on_28_february_of_a_common_year() {
        assert_eq!(completed_months(date(2020, 2, 29), date(2021, 2, 27)), 11);
        assert_eq!(completed_months(date(2020, 2, 29), date(2021, 2, 28)), 12);
        assert_eq!(completed_months(date(2020, 2, 29), date(2024, 2, 28)), 47);
        assert_eq!(completed_months(date(2020, 2, 29), date(2024, 2, 29)), 48);
    }

    #[test]
    fn years_and_months_add_up_across_year_ends() {
        assert_eq!(completed_months(date(2023, 11, 30), date(2024, 1, 29)), 1);
        assert_eq!(completed_months(date(2023, 11, 30), date(2024, 1, 30)), 2);
        assert_eq!(completed_months(date(2019, 6, 1), date(2024, 6, 1)), 60);
        assert_eq!(completed_months(date(2019, 6, 1), date(2024, 5, 31)), 59);
    }

    #[test]
    fn completed_months_never_decrease_as_to_advances() {
        for from in date(2019, 12, 1).iter_days().take(800).step_by(3) {
            let mut previous = 0;
            for to in from.iter_days().take(800) {
                let months = completed_months(from, to);
                assert!(months >= previous, "{from} -> {to}");
                assert!(months <= previous + 1, "{from} -> {to}");
                previous = months;
            }
        }
    }

    #[test]
    fn days_in_month_follows_gregorian_leap_rules() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        for year in [1900, 2000, 2023, 2024] {
            for month in 1..=12 {
                let first = date(year, month, 1);
                let next = if month == 12 {
                    date(year + 1, 1, 1)
                } else {
                    date(year, month + 1, 1)
                };
                assert_eq!(
                    days_in_month(year, month) as i64,
                    (next - first).num_days(),
                    "{year}-{month}"
                );
            }
        }
    }
}
