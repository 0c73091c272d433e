//! Numbers, dates and amounts in the reader's language: one way of writing them for issues, labels, pages, reports and documents.

use chrono::{Datelike, NaiveDate};

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
