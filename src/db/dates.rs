//! Dates and timestamps read from SQLite without chrono's format parser. SQLite keeps them as
//! ISO text, and diesel parses every value with `parse_from_str`, which reads its format string
//! again each time: a tenth of the group-commit writer's time went there when it read the
//! VINs' histories. These read the text diesel writes (`%F`, `%F %T%.f`) directly and leave
//! anything else to diesel. On PostgreSQL (binary values) they are diesel's own.
//!
//! Used through `#[diesel(deserialize_as = ...)]` on row fields, or as the loaded type.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{Date, Nullable, Timestamp};
use diesel::sqlite::{Sqlite, SqliteValue};

use super::{MultiBackend, MultiRawValue};

/// A `Date` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Day(pub NaiveDate);

/// A `Nullable<Date>` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct MaybeDay(pub Option<NaiveDate>);

/// A `Timestamp` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Moment(pub NaiveDateTime);

impl From<Day> for NaiveDate {
    fn from(day: Day) -> NaiveDate {
        day.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(day: MaybeDay) -> Option<NaiveDate> {
        day.0
    }
}

impl From<Moment> for NaiveDateTime {
    fn from(moment: Moment) -> NaiveDateTime {
        moment.0
    }
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        match iso_date(value.read_text().as_bytes()) {
            Some(date) => Ok(Day(date)),
            None => <NaiveDate as FromSql<Date, Sqlite>>::from_sql(value).map(Day),
        }
    }
}

impl FromSql<Date, Pg> for Day {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(Day)
    }
}

impl FromSql<Nullable<Date>, Sqlite> for MaybeDay {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        <Day as FromSql<Date, Sqlite>>::from_sql(value).map(|day| MaybeDay(Some(day.0)))
    }

    fn from_nullable_sql(value: Option<SqliteValue<'_, '_, '_>>) -> deserialize::Result<Self> {
        value.map_or(
            Ok(MaybeDay(None)),
            <Self as FromSql<Nullable<Date>, Sqlite>>::from_sql,
        )
    }
}

impl FromSql<Nullable<Date>, Pg> for MaybeDay {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(|date| MaybeDay(Some(date)))
    }

    fn from_nullable_sql(value: Option<PgValue<'_>>) -> deserialize::Result<Self> {
        value.map_or(
            Ok(MaybeDay(None)),
            <Self as FromSql<Nullable<Date>, Pg>>::from_sql,
        )
    }
}

impl FromSql<Timestamp, Sqlite> for Moment {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        match iso_timestamp(value.read_text().as_bytes()) {
            Some(at) => Ok(Moment(at)),
            None => <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Moment),
        }
    }
}

impl FromSql<Timestamp, Pg> for Moment {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Moment)
    }
}

// `DbConnection`'s backend hands each value to the impl of the connection it came from.
impl FromSql<Date, MultiBackend> for Day {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Date>()
    }
}

impl FromSql<Nullable<Date>, MultiBackend> for MaybeDay {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Nullable<Date>>()
    }

    fn from_nullable_sql(value: Option<MultiRawValue<'_>>) -> deserialize::Result<Self> {
        value.map_or(
            Ok(MaybeDay(None)),
            <Self as FromSql<Nullable<Date>, MultiBackend>>::from_sql,
        )
    }
}

impl FromSql<Timestamp, MultiBackend> for Moment {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

/// `YYYY-MM-DD`.
fn iso_date(text: &[u8]) -> Option<NaiveDate> {
    match text {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => NaiveDate::from_ymd_opt(
            digits(y)? as i32,
            digits(&[*m1, *m2])?,
            digits(&[*d1, *d2])?,
        ),
        _ => None,
    }
}

/// `YYYY-MM-DD HH:MM:SS`, then `.` and 1 to 9 digits of the second when it has a fraction.
fn iso_timestamp(text: &[u8]) -> Option<NaiveDateTime> {
    let (date, time) = (text.get(..10)?, text.get(10..)?);
    let (clock, fraction) = time.split_at_checked(9)?;
    let [b' ', h1, h2, b':', m1, m2, b':', s1, s2] = clock else {
        return None;
    };
    let nanos = match fraction {
        [] => 0,
        [b'.', digits_of @ ..] if (1..=9).contains(&digits_of.len()) => {
            digits(digits_of)? * 10u32.pow(9 - digits_of.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&[*h1, *h2])?,
        digits(&[*m1, *m2])?,
        digits(&[*s1, *s2])?,
        nanos,
    )?;
    Some(iso_date(date)?.and_time(time))
}

fn digits(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
        for date in [
            d(1, 1, 1),
            d(1970, 1, 1),
            d(2024, 2, 29),
            d(2026, 12, 31),
            d(9999, 12, 31),
        ] {
            let text = date.format("%F").to_string();
            assert_eq!(iso_date(text.as_bytes()), Some(date), "{text}");
        }
    }

    #[test]
    fn anything_but_a_plain_iso_date_is_left_to_diesel() {
        for text in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-01 ",
            "+2025-01-01",
            "2025-0a-01",
            "",
        ] {
            assert_eq!(iso_date(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn timestamps_read_as_diesel_writes_them_at_every_precision() {
        let date = d(2026, 11, 27);
        for time in [
            NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(23, 59, 59).unwrap(),
            NaiveTime::from_hms_milli_opt(7, 1, 16, 5).unwrap(),
            NaiveTime::from_hms_micro_opt(7, 1, 16, 123_456).unwrap(),
            NaiveTime::from_hms_nano_opt(7, 1, 16, 987_654_321).unwrap(),
        ] {
            let at = date.and_time(time);
            // diesel's SQLite encoding of a Timestamp
            let text = at.format("%F %T%.f").to_string();
            assert_eq!(iso_timestamp(text.as_bytes()), Some(at), "{text}");
        }
        assert_eq!(
            iso_timestamp(b"2026-11-27 07:01:16.5"),
            Some(date.and_hms_milli_opt(7, 1, 16, 500).unwrap())
        );
    }

    #[test]
    fn anything_but_a_plain_iso_timestamp_is_left_to_diesel() {
        for text in [
            "2026-11-27T07:01:16",
            "2026-11-27 07:01",
            "2026-11-27 24:00:00",
            "2026-11-27 07:01:16.",
            "2026-11-27 07:01:16.1234567890",
            "2026-11-27 07:01:16Z",
            "2026-11-27",
            "2459000.5",
            "",
        ] {
            assert_eq!(iso_timestamp(text.as_bytes()), None, "{text}");
        }
    }
}
