//! Numbers, dates and amounts in the reader's language: one way of writing them for issues, labels, pages, reports and documents.

use chrono::{DateTime, Datelike, NaiveDate, Offset, Timelike, Utc};

use super::calendar::BRUSSELS;

use super::language::Language;
use super::odometer::OdometerUnit;

pub fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Numbers, dates and amounts written the way a reader of that language expects them.
#[derive(Clone, Copy)]
pub struct Formatter(pub Language);

impl Formatter {
    /// Thousands grouped: nl/de "45.210", fr "45 210" (no-break space, so the number never
    /// wraps across lines; the plain one rather than the narrow one because older DMS fonts
    /// lack U+202F), en "45,210".
    pub fn num(self, n: u64) -> String {
        group_thousands(&n.to_string(), self.thousands_separator())
    }

    pub fn odo(self, value: u64, unit: OdometerUnit) -> String {
        format!("{} {}", self.num(value), unit.as_str())
    }

    /// nl/fr dd/mm/yyyy, de dd.mm.yyyy, en ISO yyyy-mm-dd (unambiguous for an international
    /// reader, where dd/mm and mm/dd would be confused).
    pub fn date(self, d: NaiveDate) -> String {
        let (y, m, day) = (d.year(), d.month(), d.day());
        match self.0 {
            Language::Nl | Language::Fr => format!("{day:02}/{m:02}/{y:04}"),
            Language::De => format!("{day:02}.{m:02}.{y:04}"),
            Language::En => format!("{y:04}-{m:02}-{day:02}"),
        }
    }

    /// Two decimals with the language's decimal separator: "1.250,00 EUR", "1,250.00 EUR".
    pub fn eur(self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        let decimal = match self.0 {
            Language::En => '.',
            Language::Nl | Language::Fr | Language::De => ',',
        };
        format!("{sign}{}{decimal}{:02} EUR", self.num(abs / 100), abs % 100)
    }

    /// `part` of `whole` as a percentage with two decimals: nl "0,49 %", en "0.49 %"; 0 of 0 is
    /// "0,00 %".
    pub fn share(self, part: u64, whole: u64) -> String {
        let hundredths = if whole == 0 {
            0
        } else {
            (u128::from(part) * 10_000 + u128::from(whole) / 2) / u128::from(whole)
        };
        let decimal = match self.0 {
            Language::En => '.',
            Language::Nl | Language::Fr | Language::De => ',',
        };
        format!(
            "{}{decimal}{:02}\u{a0}%",
            self.num((hundredths / 100) as u64),
            hundredths % 100
        )
    }

    /// An instant as a Belgian reader sees it: the date, the time in Brussels and the offset
    /// that time carries, so that no reader has to guess the zone: "03/06/2025 14:05 (UTC+2)".
    pub fn moment(self, at: DateTime<Utc>) -> String {
        self.in_brussels(at, false)
    }

    /// `moment` to the second, for evidence whose order within a minute matters (a
    /// certification report's exchanges): "03/06/2025 14:05:09 (UTC+2)".
    pub fn moment_exact(self, at: DateTime<Utc>) -> String {
        self.in_brussels(at, true)
    }

    fn in_brussels(self, at: DateTime<Utc>, seconds: bool) -> String {
        let local = at.with_timezone(&BRUSSELS);
        let hours = local.offset().fix().local_minus_utc() / 3600;
        let seconds = if seconds {
            format!(":{:02}", local.second())
        } else {
            String::new()
        };
        format!(
            "{} {:02}:{:02}{seconds} (UTC{hours:+})",
            self.date(local.date_naive()),
            local.hour(),
            local.minute()
        )
    }

    /// An enterprise number in its official notation `0876.543.270`, whatever the language;
    /// anything that is not ten digits is shown as it is.
    pub fn kbo(self, digits: &str) -> String {
        if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("{}.{}.{}", &digits[..4], &digits[4..7], &digits[7..])
        } else {
            digits.to_owned()
        }
    }

    fn thousands_separator(self) -> &'static str {
        match self.0 {
            Language::Nl | Language::De => ".",
            Language::Fr => "\u{a0}",
            Language::En => ",",
        }
    }
}

fn group_thousands(digits: &str, separator: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_moment_is_brussels_time_with_its_offset_in_winter_and_summer() {
        let summer = Utc.with_ymd_and_hms(2025, 6, 3, 12, 5, 0).unwrap();
        let winter = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(
            Formatter(Language::Nl).moment(summer),
            "03/06/2025 14:05 (UTC+2)"
        );
        assert_eq!(
            Formatter(Language::En).moment(winter),
            "2026-01-01 00:30 (UTC+1)"
        );
        assert_eq!(
            Formatter(Language::De).moment(winter),
            "01.01.2026 00:30 (UTC+1)"
        );
        assert_eq!(
            Formatter(Language::Fr).moment_exact(summer + chrono::Duration::seconds(9)),
            "03/06/2025 14:05:09 (UTC+2)"
        );
    }

    #[test]
    fn an_enterprise_number_is_dotted_in_every_language_and_anything_else_is_left_alone() {
        for lang in Language::ALL {
            assert_eq!(Formatter(lang).kbo("0876543270"), "0876.543.270");
        }
        assert_eq!(Formatter(Language::Nl).kbo("12345"), "12345");
        assert_eq!(Formatter(Language::Nl).kbo("08765432x0"), "08765432x0");
    }

    #[test]
    fn a_share_has_two_decimals_in_the_languages_way() {
        assert_eq!(Formatter(Language::Nl).share(1, 204), "0,49\u{a0}%");
        assert_eq!(Formatter(Language::En).share(1, 200), "0.50\u{a0}%");
        assert_eq!(Formatter(Language::Fr).share(0, 0), "0,00\u{a0}%");
        assert_eq!(Formatter(Language::De).share(3, 3), "100,00\u{a0}%");
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(Formatter(Language::Nl).num(1_000), "1.000");
        assert_eq!(Formatter(Language::Fr).num(45_210), "45\u{a0}210");
        assert_eq!(Formatter(Language::En).num(130_000), "130,000");
        assert_eq!(Formatter(Language::De).num(999), "999");
    }
}
