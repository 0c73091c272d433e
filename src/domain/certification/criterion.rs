//! The certification criteria of SPEC 5.2. Their ids are part of the contract: reports, the
//! scenario files and staff verdicts name them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Criterion {
    C01,
    C02,
    C03,
    C04,
    C05,
    C06,
    C07,
    C08,
    C09,
    C10,
    C11,
    C12,
    C13,
    C14,
    C15,
    C16,
}

impl Criterion {
    pub const ALL: [Criterion; 16] = [
        Criterion::C01,
        Criterion::C02,
        Criterion::C03,
        Criterion::C04,
        Criterion::C05,
        Criterion::C06,
        Criterion::C07,
        Criterion::C08,
        Criterion::C09,
        Criterion::C10,
        Criterion::C11,
        Criterion::C12,
        Criterion::C13,
        Criterion::C14,
        Criterion::C15,
        Criterion::C16,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Criterion::C01 => "C01",
            Criterion::C02 => "C02",
            Criterion::C03 => "C03",
            Criterion::C04 => "C04",
            Criterion::C05 => "C05",
            Criterion::C06 => "C06",
            Criterion::C07 => "C07",
            Criterion::C08 => "C08",
            Criterion::C09 => "C09",
            Criterion::C10 => "C10",
            Criterion::C11 => "C11",
            Criterion::C12 => "C12",
            Criterion::C13 => "C13",
            Criterion::C14 => "C14",
            Criterion::C15 => "C15",
            Criterion::C16 => "C16",
        }
    }

    pub fn parse(id: &str) -> Option<Criterion> {
        Criterion::ALL
            .into_iter()
            .find(|c| c.id().eq_ignore_ascii_case(id.trim()))
    }

    /// M in SPEC 5.2; the others are recommended (R) and do not decide certifiability.
    pub fn mandatory(self) -> bool {
        !matches!(self, Criterion::C13 | Criterion::C14 | Criterion::C16)
    }

    /// What the DMS must do, as SPEC 5.2 words it.
    pub fn title(self) -> &'static str {
        match self {
            Criterion::C01 => "sends well-formed SOAP that validates against the published XSD",
            Criterion::C02 => "authenticates with a WS-Security UsernameToken (PasswordText) or HTTP Basic, never with credentials in the body or URL, and never PasswordDigest",
            Criterion::C03 => "sends exactly one reading per job the scenario requires, with the exact VIN, date and odometer value of the step",
            Criterion::C04 => "sends the work done: at least one standard ActivityCode matching the step's jobs, plus the invoice wording",
            Criterion::C05 => "sends each reading while the vehicle is in the workshop: within 10 minutes of the step being opened, not batched at the end of the day",
            Criterion::C06 => "on a returned error, answers it with that issue's number, by CorrectIssue (or ConfirmReading when the data sent was right), never by sending a new reading",
            Criterion::C07 => "after CORRECTION_LIMIT, makes no further electronic attempt on that issue and tells its user the paper form is needed",
            Criterion::C08 => "flags an odometer replacement",
            Criterion::C09 => "sends a 5-digit odometer's value as displayed",
            Criterion::C10 => "flags subcontracted work",
            Criterion::C11 => "reports a VAT-liable customer's small job, a private job above 125 EUR, and subcontracted work whatever its amount",
            Criterion::C12 => "after a Server fault or a timeout, retries with the same ClientReference; no duplicate reading results",
            Criterion::C13 => "reads its receipt: no blind resend; asks GetReadingStatus for a reading that waits for registration",
            Criterion::C14 => "asks RequestOkLabel with the advertised mileage when it publishes an advert, and shows a refusal's reasons",
            Criterion::C15 => "sends in every request's header the user's language and its own builder, name and version, matching the certified ones",
            Criterion::C16 => "checks a typed reading with ValidateReading before sending it, so that its user can fix a typo before it becomes an issue",
        }
    }

    /// The SPEC sections a criterion comes from: 5.2 lists it, the others hold the rule.
    pub fn spec(self) -> &'static str {
        match self {
            Criterion::C01 => "SPEC 5.2; 3.1",
            Criterion::C02 => "SPEC 5.2; 3.2",
            Criterion::C03 => "SPEC 5.2; 2.3",
            Criterion::C04 => "SPEC 5.2; 2.3",
            Criterion::C05 => "SPEC 5.2; 2.2",
            Criterion::C06 => "SPEC 5.2; 2.7",
            Criterion::C07 => "SPEC 5.2; 2.7, 5.3",
            Criterion::C08 => "SPEC 5.2; 2.3",
            Criterion::C09 => "SPEC 5.2; 2.3",
            Criterion::C10 => "SPEC 5.2; 2.1, 2.4",
            Criterion::C11 => "SPEC 5.2; 2.4",
            Criterion::C12 => "SPEC 5.2; 3.3",
            Criterion::C13 => "SPEC 5.2; 3.3, 3.4",
            Criterion::C14 => "SPEC 5.2; 2.9, 5.3",
            Criterion::C15 => "SPEC 5.2; 3.2",
            Criterion::C16 => "SPEC 5.2; 3.3",
        }
    }

    /// Judged on every request as one property of the session: no step's job is needed to judge it.
    pub fn on_every_exchange(self) -> bool {
        matches!(self, Criterion::C01 | Criterion::C02 | Criterion::C15)
    }
}

impl std::fmt::Display for Criterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_follow_the_spec_order() {
        for (i, c) in Criterion::ALL.into_iter().enumerate() {
            assert_eq!(c.id(), format!("C{:02}", i + 1));
            assert_eq!(Criterion::parse(c.id()), Some(c));
        }
        assert_eq!(Criterion::parse("c07"), Some(Criterion::C07));
        assert_eq!(Criterion::parse("C17"), None);
        assert_eq!(Criterion::parse("C7"), None);
    }

    #[test]
    fn thirteen_fourteen_and_sixteen_are_the_recommended_ones() {
        let recommended: Vec<_> = Criterion::ALL
            .into_iter()
            .filter(|c| !c.mandatory())
            .collect();
        assert_eq!(
            recommended,
            [Criterion::C13, Criterion::C14, Criterion::C16]
        );
    }

    #[test]
    fn serialises_as_its_id() {
        assert_eq!(serde_json::to_string(&Criterion::C05).unwrap(), "\"C05\"");
    }
}
