//! Recalls (issue 22, point 5; SPEC 2.8, 2.12): a manufacturer or importer reports that a
//! vehicle has an open recall, and it stays open, printed on every Car-Pass, until the
//! manufacturer closes it or a garage reports a job that carried the recall campaign's work
//! (`ActivityCode::RecallCampaign`). The caller brings the VIN's recalls as stored and the
//! day; these rules say what may change.

use chrono::NaiveDate;

use super::language::Language;
use super::vin::Vin;

/// A manufacturer's reference for one recall campaign ("24V-117", "RC/2026/03"), exactly as
/// the manufacturer writes it: 1 to 40 letters, digits, '-', '_', '.' and '/'. Not folded to
/// capitals, like a VIN: the close must name the recall as its report did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecallReference(String);

impl RecallReference {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<RecallReference, RecallProblem> {
        let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
        let count = raw.chars().count();
        if count == 0 || count > Self::MAX_CHARS {
            return Err(RecallProblem::ReferenceLength { length: count });
        }
        if let Some(bad) = raw.chars().find(|c| !fine(*c)) {
            return Err(RecallProblem::ReferenceCharacter { character: bad });
        }
        Ok(RecallReference(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecallReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A recall's title, in the languages a Car-Pass is printed in. Dutch and French are required:
/// they are the languages of nearly every Car-Pass, and a recall a buyer cannot read is no
/// warning. German and English may be left out: a missing German title is shown in French
/// (the German-speaking community lies in Wallonia, where French is read), a missing English
/// one in Dutch (the first given). `de` and `en` keep what was sent, so staff see a fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallTitles {
    nl: String,
    fr: String,
    de: Option<String>,
    en: Option<String>,
}

impl RecallTitles {
    pub const MAX_CHARS: usize = 200;

    /// From the titles as sent, each trimmed; an empty one counts as not sent.
    pub fn parse(
        nl: Option<&str>,
        fr: Option<&str>,
        de: Option<&str>,
        en: Option<&str>,
    ) -> Result<RecallTitles, RecallProblem> {
        let one = |lang: Language, raw: Option<&str>| -> Result<Option<String>, RecallProblem> {
            let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            let length = text.chars().count();
            if length > Self::MAX_CHARS {
                return Err(RecallProblem::TitleTooLong { lang, length });
            }
            if text.chars().any(char::is_control) {
                return Err(RecallProblem::TitleControl { lang });
            }
            Ok(Some(text.to_owned()))
        };
        let required = |lang: Language, raw: Option<&str>| {
            one(lang, raw)?.ok_or(RecallProblem::TitleMissing { lang })
        };
        Ok(RecallTitles {
            nl: required(Language::Nl, nl)?,
            fr: required(Language::Fr, fr)?,
            de: one(Language::De, de)?,
            en: one(Language::En, en)?,
        })
    }

    /// The title a reader of `lang` sees, with the fallbacks above.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Nl => &self.nl,
            Language::Fr => &self.fr,
            Language::De => self.de.as_deref().unwrap_or(&self.fr),
            Language::En => self.en.as_deref().unwrap_or(&self.nl),
        }
    }

    /// The title in `lang` only if it was sent.
    pub fn sent(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::Nl => Some(&self.nl),
            Language::Fr => Some(&self.fr),
            Language::De => self.de.as_deref(),
            Language::En => self.en.as_deref(),
        }
    }
}

/// How a recall was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedHow {
    /// The manufacturer said so (CloseRecall).
    Manufacturer,
    /// A garage reported a job with the recall campaign's work.
    Repair,
}

impl ClosedHow {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedHow::Manufacturer => "manufacturer",
            ClosedHow::Repair => "repair",
        }
    }

    pub fn parse(raw: &str) -> Option<ClosedHow> {
        match raw {
            "manufacturer" => Some(ClosedHow::Manufacturer),
            "repair" => Some(ClosedHow::Repair),
            _ => None,
        }
    }
}

/// When and how a recall was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    pub on: NaiveDate,
    pub how: ClosedHow,
}

/// A recall of one vehicle as stored: what the rules need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recall {
    pub reference: RecallReference,
    pub opened_on: NaiveDate,
    /// The company that reported it: only it may close it by CloseRecall.
    pub reported_by: i64,
    pub closed: Option<Closing>,
}

/// Why a report or a close was refused. Nothing is changed by a refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecallProblem {
    #[error(
        "the recall reference has {length} characters; it has 1 to {}: the manufacturer's own \
         reference of the campaign",
        RecallReference::MAX_CHARS
    )]
    ReferenceLength { length: usize },
    #[error(
        "the recall reference has {character:?}; it has only letters, digits, '-', '_', '.' \
         and '/'"
    )]
    ReferenceCharacter { character: char },
    #[error(
        "the recall has no {} title: Dutch and French titles are required (German and \
         English may be left out)",
        lang_name(*.lang)
    )]
    TitleMissing { lang: Language },
    #[error(
        "the {} title has {length} characters; a title has at most {}",
        lang_name(*.lang),
        RecallTitles::MAX_CHARS
    )]
    TitleTooLong { lang: Language, length: usize },
    #[error("the {} title has a control character (a line break, a tab): send one line of text", lang_name(*.lang))]
    TitleControl { lang: Language },
    #[error(
        "a report names 1 to {MAX_VINS} VINs, this one {count}: send a larger campaign in \
         several reports"
    )]
    VinCount { count: usize },
    #[error("the opening date {date} is after today ({today}): report a recall once it is open")]
    OpenedInFuture { date: NaiveDate, today: NaiveDate },
    #[error("the closing date {date} is after today ({today}): close a recall once it is done")]
    ClosedInFuture { date: NaiveDate, today: NaiveDate },
    #[error(
        "the closing date {date} is before the recall was opened ({opened_on}): a recall is \
         closed on or after the day it opened"
    )]
    ClosedBeforeOpening {
        date: NaiveDate,
        opened_on: NaiveDate,
    },
    #[error(
        "vehicle {vin} has no recall {reference}: report it first with ReportRecall, or check \
         the reference (it is matched exactly, capitals included)"
    )]
    Unknown {
        vin: Vin,
        reference: RecallReference,
    },
    #[error(
        "recall {reference} of vehicle {vin} was already closed on {on} ({}): nothing to close",
        how_name(*.how)
    )]
    AlreadyClosed {
        vin: Vin,
        reference: RecallReference,
        on: NaiveDate,
        how: ClosedHow,
    },
    #[error(
        "recall {reference} of vehicle {vin} was reported by another company: only the company \
         that reported a recall closes it"
    )]
    ReportedByAnother {
        vin: Vin,
        reference: RecallReference,
    },
}

fn lang_name(lang: Language) -> &'static str {
    match lang {
        Language::Nl => "Dutch (nl)",
        Language::Fr => "French (fr)",
        Language::De => "German (de)",
        Language::En => "English (en)",
    }
}

fn how_name(how: ClosedHow) -> &'static str {
    match how {
        ClosedHow::Manufacturer => "by its manufacturer",
        ClosedHow::Repair => "by a garage's repair",
    }
}

/// The most VINs one report names: a larger campaign is sent in several reports (each may be
/// sent again safely: a VIN that has the recall already is left as it is).
pub const MAX_VINS: usize = 1_000;

/// Each text sent as a VIN that is not one, with why.
pub type NotVins = Vec<(String, String)>;

/// The VINs of one report, each once, in the order sent, and apart every one that is not a
/// VIN: the report is all or nothing, and the manufacturer fixes its list at once.
pub fn parse_vins(raw: &[String]) -> Result<(Vec<Vin>, NotVins), RecallProblem> {
    if raw.is_empty() || raw.len() > MAX_VINS {
        return Err(RecallProblem::VinCount { count: raw.len() });
    }
    let mut vins: Vec<Vin> = Vec::with_capacity(raw.len());
    let mut bad = Vec::new();
    for text in raw {
        match Vin::parse(text) {
            Ok(vin) if !vins.contains(&vin) => vins.push(vin),
            Ok(_) => {}
            Err(problem) => bad.push((text.clone(), problem.to_string())),
        }
    }
    Ok((vins, bad))
}

/// A recall may be reported once it has opened: not with a date after `today` (Brussels).
pub fn check_opening(opened_on: NaiveDate, today: NaiveDate) -> Result<(), RecallProblem> {
    if opened_on > today {
        return Err(RecallProblem::OpenedInFuture {
            date: opened_on,
            today,
        });
    }
    Ok(())
}

/// The manufacturer `company` closes `reference` of `vin` on `on`: the recall must be the
/// VIN's, reported by that company, still open, and `on` between its opening and `today`.
pub fn close<'a>(
    vin: &Vin,
    recalls: &'a [Recall],
    reference: &RecallReference,
    company: i64,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<&'a Recall, RecallProblem> {
    let recall = recalls
        .iter()
        .find(|r| &r.reference == reference)
        .ok_or_else(|| RecallProblem::Unknown {
            vin: vin.clone(),
            reference: reference.clone(),
        })?;
    if recall.reported_by != company {
        return Err(RecallProblem::ReportedByAnother {
            vin: vin.clone(),
            reference: reference.clone(),
        });
    }
    if let Some(closing) = recall.closed {
        return Err(RecallProblem::AlreadyClosed {
            vin: vin.clone(),
            reference: reference.clone(),
            on: closing.on,
            how: closing.how,
        });
    }
    if on > today {
        return Err(RecallProblem::ClosedInFuture { date: on, today });
    }
    if on < recall.opened_on {
        return Err(RecallProblem::ClosedBeforeOpening {
            date: on,
            opened_on: recall.opened_on,
        });
    }
    Ok(recall)
}

/// The recalls a garage's job on `work_date` closes: every one still open that had opened by
/// then. A job dated after `today` closes nothing (its WORK_DATE_FUTURE issue stands), and a
/// recall opened after the job was not repaired by it.
pub fn closed_by_repair(
    recalls: &[Recall],
    work_date: NaiveDate,
    today: NaiveDate,
) -> Vec<&RecallReference> {
    if work_date > today {
        return Vec::new();
    }
    recalls
        .iter()
        .filter(|r| r.closed.is_none() && r.opened_on <= work_date)
        .map(|r| &r.reference)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn vin() -> Vin {
        Vin::parse("WBA3A5C51CF256985").unwrap()
    }

    fn reference(s: &str) -> RecallReference {
        RecallReference::parse(s).unwrap()
    }

    fn recall(r: &str, opened: &str, closed: Option<(&str, ClosedHow)>) -> Recall {
        Recall {
            reference: reference(r),
            opened_on: day(opened),
            reported_by: 7,
            closed: closed.map(|(on, how)| Closing { on: day(on), how }),
        }
    }

    #[test]
    fn a_reference_has_one_to_forty_of_its_characters_kept_as_sent() {
        assert_eq!(reference("rc/2026/03-b_1.x").as_str(), "rc/2026/03-b_1.x");
        assert!(RecallReference::parse(&"A".repeat(40)).is_ok());
        assert_eq!(
            RecallReference::parse(&"A".repeat(41)),
            Err(RecallProblem::ReferenceLength { length: 41 })
        );
        assert_eq!(
            RecallReference::parse(""),
            Err(RecallProblem::ReferenceLength { length: 0 })
        );
        assert_eq!(
            RecallReference::parse("24V 117"),
            Err(RecallProblem::ReferenceCharacter { character: ' ' })
        );
        assert_eq!(
            RecallReference::parse("24V-117é"),
            Err(RecallProblem::ReferenceCharacter { character: 'é' })
        );
    }

    #[test]
    fn dutch_and_french_titles_are_required_and_the_others_fall_back() {
        let titles =
            RecallTitles::parse(Some(" Airbag "), Some("Coussin"), None, Some("")).unwrap();
        assert_eq!(titles.get(Language::Nl), "Airbag");
        assert_eq!(titles.get(Language::Fr), "Coussin");
        assert_eq!(titles.get(Language::De), "Coussin");
        assert_eq!(titles.get(Language::En), "Airbag");
        assert_eq!(titles.sent(Language::De), None);
        assert_eq!(titles.sent(Language::En), None);
        let all = RecallTitles::parse(Some("a"), Some("b"), Some("c"), Some("d")).unwrap();
        assert_eq!(all.get(Language::De), "c");
        assert_eq!(all.get(Language::En), "d");
        assert_eq!(
            RecallTitles::parse(None, Some("b"), Some("c"), Some("d")),
            Err(RecallProblem::TitleMissing { lang: Language::Nl })
        );
        assert_eq!(
            RecallTitles::parse(Some("a"), Some("  "), None, None),
            Err(RecallProblem::TitleMissing { lang: Language::Fr })
        );
    }

    #[test]
    fn a_title_is_one_line_of_at_most_two_hundred_characters() {
        let long = "x".repeat(200);
        assert!(RecallTitles::parse(Some(&long), Some("b"), None, None).is_ok());
        let longer = "x".repeat(201);
        assert_eq!(
            RecallTitles::parse(Some("a"), Some("b"), Some(&longer), None),
            Err(RecallProblem::TitleTooLong {
                lang: Language::De,
                length: 201
            })
        );
        assert_eq!(
            RecallTitles::parse(Some("a"), Some("b"), None, Some("one\ntwo")),
            Err(RecallProblem::TitleControl { lang: Language::En })
        );
    }

    #[test]
    fn a_report_names_one_to_a_thousand_vins_and_every_bad_one_is_named() {
        let good = "WBA3A5C51CF256985".to_owned();
        let (vins, bad) = parse_vins(&[good.clone(), good.clone()]).unwrap();
        assert_eq!((vins, bad), (vec![vin()], vec![]));
        assert_eq!(parse_vins(&[]), Err(RecallProblem::VinCount { count: 0 }));
        assert!(parse_vins(&vec![good.clone(); MAX_VINS]).is_ok());
        assert_eq!(
            parse_vins(&vec![good.clone(); MAX_VINS + 1]),
            Err(RecallProblem::VinCount {
                count: MAX_VINS + 1
            })
        );
        let (vins, bad) = parse_vins(&[
            "WBA3A5C51CF25698".to_owned(),
            good,
            "WBA3A5C51CF25698O".to_owned(),
        ])
        .unwrap();
        assert_eq!(vins, [vin()]);
        let named: Vec<&str> = bad.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(named, ["WBA3A5C51CF25698", "WBA3A5C51CF25698O"]);
    }

    #[test]
    fn a_recall_opens_today_at_the_latest() {
        assert!(check_opening(day("2026-12-06"), day("2026-12-06")).is_ok());
        assert_eq!(
            check_opening(day("2026-12-07"), day("2026-12-06")),
            Err(RecallProblem::OpenedInFuture {
                date: day("2026-12-07"),
                today: day("2026-12-06")
            })
        );
    }

    #[test]
    fn a_recall_closes_between_its_opening_and_today() {
        let recalls = [recall("R1", "2026-03-01", None)];
        let today = day("2026-12-06");
        let r1 = reference("R1");
        assert!(close(&vin(), &recalls, &r1, 7, day("2026-03-01"), today).is_ok());
        assert!(close(&vin(), &recalls, &r1, 7, today, today).is_ok());
        assert_eq!(
            close(&vin(), &recalls, &r1, 7, day("2026-02-28"), today),
            Err(RecallProblem::ClosedBeforeOpening {
                date: day("2026-02-28"),
                opened_on: day("2026-03-01")
            })
        );
        assert_eq!(
            close(&vin(), &recalls, &r1, 7, day("2026-12-07"), today),
            Err(RecallProblem::ClosedInFuture {
                date: day("2026-12-07"),
                today
            })
        );
    }

    #[test]
    fn a_recall_is_closed_once_by_the_company_that_reported_it() {
        let today = day("2026-12-06");
        let recalls = [
            recall("R1", "2026-03-01", Some(("2026-04-01", ClosedHow::Repair))),
            recall("R2", "2026-03-01", None),
        ];
        assert_eq!(
            close(&vin(), &recalls, &reference("R1"), 7, today, today),
            Err(RecallProblem::AlreadyClosed {
                vin: vin(),
                reference: reference("R1"),
                on: day("2026-04-01"),
                how: ClosedHow::Repair
            })
        );
        assert_eq!(
            close(&vin(), &recalls, &reference("R2"), 8, today, today),
            Err(RecallProblem::ReportedByAnother {
                vin: vin(),
                reference: reference("R2")
            })
        );
        // Matched exactly: "r2" is another reference.
        assert_eq!(
            close(&vin(), &recalls, &reference("r2"), 7, today, today),
            Err(RecallProblem::Unknown {
                vin: vin(),
                reference: reference("r2")
            })
        );
    }

    #[test]
    fn a_repair_closes_the_open_recalls_opened_by_its_work_date() {
        let today = day("2026-12-06");
        let recalls = [
            recall("OLD", "2026-01-10", None),
            recall("SAME-DAY", "2026-06-01", None),
            recall("LATER", "2026-06-02", None),
            recall(
                "DONE",
                "2026-01-01",
                Some(("2026-02-01", ClosedHow::Manufacturer)),
            ),
        ];
        let closed: Vec<&str> = closed_by_repair(&recalls, day("2026-06-01"), today)
            .into_iter()
            .map(RecallReference::as_str)
            .collect();
        assert_eq!(closed, ["OLD", "SAME-DAY"]);
        assert!(closed_by_repair(&recalls, day("2026-12-07"), today).is_empty());
        assert_eq!(closed_by_repair(&recalls, today, today).len(), 3);
    }
}
