//! The OK label for used-car adverts (SPEC 2.9, issue "The OK label").
//!
//! The age is the number of completed months from first registration to the request date
//! (`calendar::completed_months`). Gaps are measured along the sequence first registration,
//! readings by work date, request date (from the first reading when the first registration is
//! unknown); a gap is too long when its end is later than its start plus 24 months.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::completed_months;
use super::format::{plural, Formatter};
use super::issue::IssueCode;
use super::language::Language;
use super::odometer::OdometerUnit;

/// SPEC 2.9: longest period without a reading that still keeps the label (24 months: a gap of
/// exactly 24 months is fine, one of 24 months and one day is not).
pub const MAX_GAP_MONTHS: u32 = 24;

/// What the register knows of the vehicle, for the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelVehicle {
    pub first_registration: Option<NaiveDate>,
    pub five_digit_odometer: bool,
    pub imported_used: bool,
}

/// One reading the registry holds for the vehicle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelReading {
    pub work_date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
    /// In the official history, it breaks the history before it and stays there: an anomaly
    /// staff accepted as genuine (`rules::links`). A corrected value is not one.
    pub anomaly: bool,
    /// `None` for a reading of the official history; else what its open issues question.
    pub open: Option<OpenQuestion>,
}

/// What keeps a sent reading out of the official history for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenQuestion {
    /// Only its work description (WORK_MISSING, ACTIVITY_UNKNOWN): its odometer value is not in
    /// question, so it counts as the most recent value the registry holds (SPEC 2.9, seed 004).
    WorkDescription,
    /// Its odometer value itself (a rollback not yet answered, a VIN or date in doubt): it does
    /// not count until it is settled.
    Odometer,
}

impl OpenQuestion {
    /// From the codes of a sent reading's unsettled Error issues.
    pub fn of(unsettled: impl IntoIterator<Item = IssueCode>) -> OpenQuestion {
        let about_work = |code| {
            matches!(
                code,
                IssueCode::WorkMissing | IssueCode::ActivityUnknown | IssueCode::CorrectionLimit
            )
        };
        if unsettled.into_iter().all(about_work) {
            OpenQuestion::WorkDescription
        } else {
            OpenQuestion::Odometer
        }
    }
}

/// Why the label is refused; the JSON carries the code as `"code"` next to the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefusalReason {
    /// The VIN is not in the vehicle register; no other reason is evaluated.
    VinUnknown,
    /// `readings` readings carry an anomaly accepted as genuine, the latest on `latest`.
    HistoryAnomaly { readings: u32, latest: NaiveDate },
    /// The advertised mileage is lower (in km) than the most recent registered reading.
    /// `awaiting_work` when that reading waits only for its work description; `left_out` a
    /// more recent reading not counted because its odometer value is in question.
    AdvertisedBelowLastReading {
        advertised_km: u64,
        last_value: u64,
        last_unit: OdometerUnit,
        last_date: NaiveDate,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        awaiting_work: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        left_out: Option<LastReading>,
    },
    /// The vehicle has a 5-digit odometer.
    FiveDigitOdometer,
    /// The vehicle was imported into Belgium as a used vehicle.
    ImportedUsed,
    /// Fewer readings than the age requires; `age_months` is `None` when the first
    /// registration is unknown.
    TooFewReadings {
        readings: u32,
        required: u32,
        age_months: Option<u32>,
    },
    /// The first period of more than 24 months without a reading, and how many there are.
    ReadingGap {
        from: NaiveDate,
        to: NaiveDate,
        gaps: u32,
    },
}

impl RefusalReason {
    /// The stable code, as in the JSON `"code"` field.
    pub fn code(&self) -> &'static str {
        match self {
            RefusalReason::VinUnknown => "VIN_UNKNOWN",
            RefusalReason::HistoryAnomaly { .. } => "HISTORY_ANOMALY",
            RefusalReason::AdvertisedBelowLastReading { .. } => "ADVERTISED_BELOW_LAST_READING",
            RefusalReason::FiveDigitOdometer => "FIVE_DIGIT_ODOMETER",
            RefusalReason::ImportedUsed => "IMPORTED_USED",
            RefusalReason::TooFewReadings { .. } => "TOO_FEW_READINGS",
            RefusalReason::ReadingGap { .. } => "READING_GAP",
        }
    }

    /// What is wrong, with the numbers, in `lang`: a clause without capital or full stop
    /// (German nouns keep theirs), so that a caller can list several reasons.
    pub fn message(&self, lang: Language) -> String {
        let f = Formatter(lang);
        match self {
            RefusalReason::VinUnknown => match lang {
                Language::Nl => "het chassisnummer staat niet in het voertuigregister".into(),
                Language::Fr => {
                    "le numéro de châssis ne figure pas au registre des véhicules".into()
                }
                Language::De => "die Fahrgestellnummer steht nicht im Fahrzeugregister".into(),
                Language::En => "the VIN is not in the vehicle register".into(),
            },
            RefusalReason::HistoryAnomaly { readings, latest } => {
                let n = f.num(u64::from(*readings));
                let date = f.date(*latest);
                let one = *readings == 1;
                match lang {
                    Language::Nl if one => format!(
                        "de historiek bevat 1 kilometerstand met een afwijking van de \
                         kilometerteller die als echt werd aanvaard, op {date}"
                    ),
                    Language::Nl => format!(
                        "de historiek bevat {n} kilometerstanden met een afwijking van de \
                         kilometerteller die als echt werd aanvaard, de laatste op {date}"
                    ),
                    Language::Fr if one => format!(
                        "l'historique contient 1 relevé présentant une anomalie du compteur \
                         reconnue comme réelle, le {date}"
                    ),
                    Language::Fr => format!(
                        "l'historique contient {n} relevés présentant une anomalie du compteur \
                         reconnue comme réelle, le dernier le {date}"
                    ),
                    Language::De if one => format!(
                        "die Historie enthält 1 Kilometerstand mit einer als echt anerkannten \
                         Anomalie des Kilometerzählers, vom {date}"
                    ),
                    Language::De => format!(
                        "die Historie enthält {n} Kilometerstände mit einer als echt anerkannten \
                         Anomalie des Kilometerzählers, den letzten vom {date}"
                    ),
                    Language::En if one => format!(
                        "the history contains 1 reading with an odometer anomaly accepted as \
                         genuine, on {date}"
                    ),
                    Language::En => format!(
                        "the history contains {n} readings with an odometer anomaly accepted as \
                         genuine, the latest on {date}"
                    ),
                }
            }
            RefusalReason::AdvertisedBelowLastReading {
                advertised_km,
                last_value,
                last_unit,
                last_date,
                awaiting_work,
                left_out,
            } => {
                let advertised = f.odo(*advertised_km, OdometerUnit::Km);
                let last = shown_in_km(f, *last_value, *last_unit);
                let date = f.date(*last_date);
                let mut text = match lang {
                    Language::Nl => format!(
                        "de kilometerstand in de advertentie ({advertised}) is lager dan de \
                         laatst geregistreerde kilometerstand: {last} op {date}"
                    ),
                    Language::Fr => format!(
                        "le kilométrage de l'annonce ({advertised}) est inférieur au dernier \
                         relevé enregistré\u{a0}: {last} le {date}"
                    ),
                    Language::De => format!(
                        "der Kilometerstand in der Anzeige ({advertised}) ist niedriger als der \
                         zuletzt registrierte Kilometerstand: {last} am {date}"
                    ),
                    Language::En => format!(
                        "the advertised mileage ({advertised}) is lower than the last registered \
                         reading: {last} on {date}"
                    ),
                };
                if *awaiting_work {
                    text.push_str(match lang {
                        Language::Nl => {
                            " (de kilometerstand zelf staat vast; enkel de beschrijving van de \
                             werken wacht nog op een correctie)"
                        }
                        Language::Fr => {
                            " (le kilométrage lui-même est établi\u{a0}; seule la description \
                             des travaux attend encore une correction)"
                        }
                        Language::De => {
                            " (der Kilometerstand selbst steht fest; nur die \
                             Arbeitsbeschreibung wartet noch auf eine Korrektur)"
                        }
                        Language::En => {
                            " (the odometer value itself is not in question; only its work \
                             description still awaits a correction)"
                        }
                    });
                }
                if let Some(left) = left_out {
                    let value = shown_in_km(f, left.odometer, left.unit);
                    let on = f.date(left.date);
                    text.push_str(&match lang {
                        Language::Nl => format!(
                            "; een recentere kilometerstand van {value} op {on} telt niet mee: \
                             de tellerstand zelf wacht nog op een antwoord van de garage"
                        ),
                        Language::Fr => format!(
                            "\u{a0}; un relevé plus récent de {value} le {on} n'est pas pris en \
                             compte\u{a0}: sa valeur attend encore une réponse du garage"
                        ),
                        Language::De => format!(
                            "; ein neuerer Kilometerstand von {value} am {on} zählt nicht: sein \
                             Wert wartet noch auf eine Antwort der Werkstatt"
                        ),
                        Language::En => format!(
                            "; a more recent reading of {value} on {on} is not counted: its \
                             odometer value still awaits the garage's answer"
                        ),
                    });
                }
                text
            }
            RefusalReason::FiveDigitOdometer => {
                let max = f.num(99_999);
                match lang {
                    Language::Nl => format!(
                        "het voertuig heeft een kilometerteller met 5 cijfers, die na {max} \
                         opnieuw bij 0 begint"
                    ),
                    Language::Fr => format!(
                        "le véhicule a un compteur à 5 chiffres, qui repart de 0 après {max}"
                    ),
                    Language::De => format!(
                        "das Fahrzeug hat einen 5-stelligen Kilometerzähler, der nach {max} \
                         wieder bei 0 beginnt"
                    ),
                    Language::En => format!(
                        "the vehicle has a 5-digit odometer, which starts again from 0 after {max}"
                    ),
                }
            }
            RefusalReason::ImportedUsed => match lang {
                Language::Nl => "het voertuig werd als tweedehandsvoertuig in België ingevoerd: \
                                 de historiek van vóór de invoer is niet gekend"
                    .into(),
                Language::Fr => "le véhicule a été importé en Belgique comme véhicule \
                                 d'occasion\u{a0}: son historique avant l'importation n'est pas \
                                 connu"
                    .into(),
                Language::De => "das Fahrzeug wurde als Gebrauchtfahrzeug nach Belgien \
                                 eingeführt: seine Historie vor der Einfuhr ist nicht bekannt"
                    .into(),
                Language::En => "the vehicle was imported into Belgium as a used vehicle: its \
                                 history before the import is not known"
                    .into(),
            },
            RefusalReason::TooFewReadings {
                readings,
                required,
                age_months,
            } => {
                let n = u64::from(*readings);
                let readings = f.num(n);
                let required = f.num(u64::from(*required));
                let registered = match lang {
                    Language::Nl => {
                        let noun = plural(n, "kilometerstand", "kilometerstanden");
                        format!("{readings} {noun} geregistreerd, {required} vereist")
                    }
                    // French: 0 and 1 take the singular.
                    Language::Fr if n <= 1 => {
                        format!("{readings} relevé enregistré, {required} requis")
                    }
                    Language::Fr => format!("{readings} relevés enregistrés, {required} requis"),
                    Language::De => {
                        let noun = plural(n, "Kilometerstand", "Kilometerstände");
                        format!("{readings} {noun} registriert, {required} erforderlich")
                    }
                    Language::En => {
                        let noun = plural(n, "reading", "readings");
                        format!("{readings} {noun} registered, {required} required")
                    }
                };
                let age = match age_months {
                    Some(months) => {
                        let m = u64::from(*months);
                        let months = f.num(m);
                        match lang {
                            Language::Nl => format!(
                                "voor een voertuig van {months} {}",
                                plural(m, "maand", "maanden")
                            ),
                            Language::Fr => format!("pour un véhicule de {months} mois"),
                            Language::De => format!(
                                "für ein Fahrzeug von {months} {}",
                                plural(m, "Monat", "Monaten")
                            ),
                            Language::En => format!(
                                "for a vehicle of {months} {}",
                                plural(m, "month", "months")
                            ),
                        }
                    }
                    None => match lang {
                        Language::Nl => {
                            "omdat de datum van eerste inschrijving niet gekend is".into()
                        }
                        Language::Fr => {
                            "car la date de première immatriculation est inconnue".into()
                        }
                        Language::De => "da das Datum der Erstzulassung unbekannt ist".into(),
                        Language::En => "as the date of first registration is unknown".into(),
                    },
                };
                format!("{registered} {age}")
            }
            RefusalReason::ReadingGap { from, to, gaps } => {
                let (from, to) = (f.date(*from), f.date(*to));
                let max = f.num(u64::from(MAX_GAP_MONTHS));
                let g = u64::from(*gaps);
                let count = f.num(g);
                let mut text = match lang {
                    Language::Nl => format!(
                        "geen kilometerstand geregistreerd tussen {from} en {to} (meer dan {max} \
                         maanden)"
                    ),
                    Language::Fr => format!(
                        "aucun relevé enregistré entre le {from} et le {to} (plus de {max} mois)"
                    ),
                    Language::De => format!(
                        "kein Kilometerstand registriert zwischen dem {from} und dem {to} (mehr \
                         als {max} Monate)"
                    ),
                    Language::En => format!(
                        "no reading registered between {from} and {to} (more than {max} months)"
                    ),
                };
                if g > 1 {
                    text.push_str(&match lang {
                        Language::Nl => format!("; in totaal {count} zulke periodes"),
                        Language::Fr => format!("\u{a0}; {count} périodes de ce type au total"),
                        Language::De => format!("; insgesamt {count} solche Zeiträume"),
                        Language::En => format!("; {count} such periods in all"),
                    });
                }
                text
            }
        }
    }
}

/// A value as displayed, with its km equivalent when it is in miles.
fn shown_in_km(f: Formatter, value: u64, unit: OdometerUnit) -> String {
    let shown = f.odo(value, unit);
    if unit == OdometerUnit::Km {
        return shown;
    }
    format!("{shown} ({})", f.odo(unit.to_km(value), OdometerUnit::Km))
}

/// The last registered reading, shown with every answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastReading {
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
}

/// The answer: every reason that applies, in the order of SPEC 2.9, and the last reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelVerdict {
    pub reasons: Vec<RefusalReason>,
    pub last_reading: Option<LastReading>,
}

impl LastReading {
    fn of(reading: &LabelReading) -> LastReading {
        LastReading {
            date: reading.work_date,
            odometer: reading.odometer,
            unit: reading.unit,
        }
    }
}

impl LabelVerdict {
    /// The label is granted when no reason applies.
    pub fn granted(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// SPEC 2.9: readings required for a vehicle of `age_months` completed months: up to 12 one,
/// 13-24 two, 25-36 three, 37 and older (so always past 4 years) four; four when the age is
/// unknown.
pub fn required_readings(age_months: Option<u32>) -> u32 {
    match age_months {
        Some(0..=12) => 1,
        Some(13..=24) => 2,
        Some(25..=36) => 3,
        Some(_) | None => 4,
    }
}

/// `history` in any order: the official history and the sent readings still open;
/// `advertised_km` the mileage in the advert; `today` the request date (Brussels).
///
/// `vehicle` is `None` when the VIN is not in the vehicle register: the only reason is then
/// VIN_UNKNOWN. The last reading is the one with the latest work date (on a tie, the highest in
/// km) among the official ones and those whose odometer value is not in question; it is
/// returned whatever the verdict. Anomalies, the number of readings and the gaps are read from
/// the official history only.
pub fn evaluate(
    vehicle: Option<&LabelVehicle>,
    history: &[LabelReading],
    advertised_km: u64,
    today: NaiveDate,
) -> LabelVerdict {
    let latest = |readings: &mut dyn Iterator<Item = &LabelReading>| {
        readings
            .max_by_key(|r| {
                (
                    r.work_date,
                    r.unit.to_km(r.odometer),
                    r.unit == OdometerUnit::Km,
                    r.odometer,
                )
            })
            .cloned()
    };
    let counted = latest(
        &mut history
            .iter()
            .filter(|r| r.open != Some(OpenQuestion::Odometer)),
    );
    let last_reading = counted.as_ref().map(LastReading::of);
    let Some(vehicle) = vehicle else {
        return LabelVerdict {
            reasons: vec![RefusalReason::VinUnknown],
            last_reading,
        };
    };
    let official: Vec<LabelReading> = history
        .iter()
        .filter(|r| r.open.is_none())
        .cloned()
        .collect();

    let mut reasons = Vec::new();

    let anomalies = official.iter().filter(|r| r.anomaly);
    if let Some(latest) = anomalies.clone().map(|r| r.work_date).max() {
        reasons.push(RefusalReason::HistoryAnomaly {
            readings: count_u32(anomalies.count()),
            latest,
        });
    }

    if let Some(last) = &counted {
        if advertised_km < last.unit.to_km(last.odometer) {
            let left_out = latest(&mut history.iter().filter(|r| {
                r.open == Some(OpenQuestion::Odometer) && r.work_date >= last.work_date
            }));
            reasons.push(RefusalReason::AdvertisedBelowLastReading {
                advertised_km,
                last_value: last.odometer,
                last_unit: last.unit,
                last_date: last.work_date,
                awaiting_work: last.open == Some(OpenQuestion::WorkDescription),
                left_out: left_out.as_ref().map(LastReading::of),
            });
        }
    }

    if vehicle.five_digit_odometer {
        reasons.push(RefusalReason::FiveDigitOdometer);
    }
    if vehicle.imported_used {
        reasons.push(RefusalReason::ImportedUsed);
    }

    let age_months = vehicle
        .first_registration
        .map(|first| completed_months(first, today));
    let required = required_readings(age_months);
    let readings = count_u32(official.len());
    if readings < required {
        reasons.push(RefusalReason::TooFewReadings {
            readings,
            required,
            age_months,
        });
    }

    if let Some(gap) = reading_gap(vehicle.first_registration, &official, today) {
        reasons.push(gap);
    }

    LabelVerdict {
        reasons,
        last_reading,
    }
}

/// The first too-long gap of the sequence first registration, readings, `today`, with the
/// number of too-long gaps; `None` when there is none.
///
/// Only readings within first registration ..= `today` count: one dated before the first
/// registration cannot cover the period after it (and one after `today` cannot cover the time
/// up to the request). Without a first registration the sequence starts at the first reading;
/// without one either, nothing is evaluated.
fn reading_gap(
    first_registration: Option<NaiveDate>,
    history: &[LabelReading],
    today: NaiveDate,
) -> Option<RefusalReason> {
    let mut dates: Vec<NaiveDate> = history
        .iter()
        .map(|r| r.work_date)
        .filter(|&d| d <= today && first_registration.is_none_or(|first| d >= first))
        .collect();
    dates.sort_unstable();
    let start = first_registration.or_else(|| dates.first().copied())?;

    let points: Vec<NaiveDate> = std::iter::once(start)
        .chain(dates)
        .chain(std::iter::once(today))
        .collect();
    let mut too_long = points.windows(2).filter(|w| gap_too_long(w[0], w[1]));
    let first = too_long.next()?;
    Some(RefusalReason::ReadingGap {
        from: first[0],
        to: first[1],
        gaps: count_u32(1 + too_long.count()),
    })
}

/// `to > from + 24 months`, chrono's month arithmetic (31 Dec + 24 months = 31 Dec; 29 Feb +
/// 24 months = 28 Feb). Past chrono's last date nothing can be later.
fn gap_too_long(from: NaiveDate, to: NaiveDate) -> bool {
    from.checked_add_months(Months::new(MAX_GAP_MONTHS))
        .is_some_and(|limit| to > limit)
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Why a label granted earlier no longer holds: what its public page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lapse {
    /// A reading of this work date has an odometer anomaly accepted as genuine.
    Anomaly { on: NaiveDate },
    /// A reading registered after the grant is below the advertised mileage.
    Below {
        km: u64,
        on: NaiveDate,
        advertised_km: u64,
    },
    /// A reading from before the grant is above the advertised mileage.
    Above {
        km: u64,
        on: NaiveDate,
        advertised_km: u64,
    },
}

impl Lapse {
    /// In `lang`, a clause without capital or full stop, numbers and dates as `lang` writes
    /// them. The public JSON keeps `Lapse::message(Language::En)`.
    pub fn message(&self, lang: Language) -> String {
        let f = Formatter(lang);
        let km = |n: u64| f.odo(n, OdometerUnit::Km);
        match *self {
            Lapse::Anomaly { on } => {
                let on = f.date(on);
                match lang {
                    Language::Nl => {
                        format!("de historiek bevat een afwijking van de kilometerteller op {on}")
                    }
                    Language::Fr => {
                        format!("l'historique contient une anomalie du compteur le {on}")
                    }
                    Language::De => {
                        format!("die Historie enthält eine Anomalie des Kilometerzählers vom {on}")
                    }
                    Language::En => format!("an odometer anomaly of {on} is in the history"),
                }
            }
            Lapse::Below {
                km: read,
                on,
                advertised_km,
            } => {
                let (read, advertised, on) = (km(read), km(advertised_km), f.date(on));
                match lang {
                    Language::Nl => format!("een kilometerstand van {read} op {on} ligt lager dan de geadverteerde {advertised}"),
                    Language::Fr => format!("un relevé de {read} le {on} est inférieur aux {advertised} annoncés"),
                    Language::De => format!("ein Kilometerstand von {read} am {on} liegt unter den angezeigten {advertised}"),
                    Language::En => format!("a reading of {read} on {on} is below the advertised {advertised}"),
                }
            }
            Lapse::Above {
                km: read,
                on,
                advertised_km,
            } => {
                let (read, advertised, on) = (km(read), km(advertised_km), f.date(on));
                match lang {
                    Language::Nl => format!("een kilometerstand van {read} op {on} ligt hoger dan de geadverteerde {advertised}"),
                    Language::Fr => format!("un relevé de {read} le {on} est supérieur aux {advertised} annoncés"),
                    Language::De => format!("ein Kilometerstand von {read} am {on} liegt über den angezeigten {advertised}"),
                    Language::En => format!("a reading of {read} on {on} is above the advertised {advertised}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn plus_months(d: NaiveDate, months: u32) -> NaiveDate {
        d.checked_add_months(Months::new(months)).unwrap()
    }

    fn minus_months(d: NaiveDate, months: u32) -> NaiveDate {
        d.checked_sub_months(Months::new(months)).unwrap()
    }

    fn next_day(d: NaiveDate) -> NaiveDate {
        d.succ_opt().unwrap()
    }

    fn vehicle(first_registration: Option<NaiveDate>) -> LabelVehicle {
        LabelVehicle {
            first_registration,
            five_digit_odometer: false,
            imported_used: false,
        }
    }

    fn km(work_date: NaiveDate, odometer: u64) -> LabelReading {
        LabelReading {
            work_date,
            odometer,
            unit: OdometerUnit::Km,
            anomaly: false,
            open: None,
        }
    }

    /// Readings `1..=n` km apart by 10 000 km, spread evenly from `first` to `today`.
    fn evenly_spread(first: NaiveDate, age: u32, n: u32) -> Vec<LabelReading> {
        (1..=n)
            .map(|i| km(plus_months(first, i * age / (n + 1)), u64::from(i) * 10_000))
            .collect()
    }

    const TODAY: (i32, u32, u32) = (2024, 6, 15);

    fn today() -> NaiveDate {
        date(TODAY.0, TODAY.1, TODAY.2)
    }

    const HIGH_ADVERT: u64 = 900_000;

    fn gap_reasons(verdict: &LabelVerdict) -> Vec<&RefusalReason> {
        verdict
            .reasons
            .iter()
            .filter(|r| matches!(r, RefusalReason::ReadingGap { .. }))
            .collect()
    }

    // ---- Age and required readings ---------------------------------------

    #[test]
    fn required_readings_follow_the_age_table() {
        let table = [
            (Some(0), 1),
            (Some(1), 1),
            (Some(12), 1),
            (Some(13), 2),
            (Some(24), 2),
            (Some(25), 3),
            (Some(36), 3),
            (Some(37), 4),
            (Some(48), 4),
            (Some(49), 4),
            (Some(240), 4),
            (Some(u32::MAX), 4),
            (None, 4),
        ];
        for (age, required) in table {
            assert_eq!(required_readings(age), required, "{age:?}");
        }
    }

    #[test]
    fn at_every_age_edge_one_reading_too_few_is_refused_and_just_enough_is_granted() {
        for age in [12, 13, 24, 25, 36, 37, 48, 49] {
            let first = minus_months(today(), age);
            assert_eq!(completed_months(first, today()), age);
            let required = required_readings(Some(age));
            let v = vehicle(Some(first));

            let too_few = evenly_spread(first, age, required - 1);
            let verdict = evaluate(Some(&v), &too_few, HIGH_ADVERT, today());
            assert_eq!(
                verdict.reasons,
                [RefusalReason::TooFewReadings {
                    readings: required - 1,
                    required,
                    age_months: Some(age),
                }],
                "age {age}"
            );

            let enough = evenly_spread(first, age, required);
            let verdict = evaluate(Some(&v), &enough, HIGH_ADVERT, today());
            assert!(verdict.granted(), "age {age}: {:?}", verdict.reasons);
        }
    }

    #[test]
    fn the_age_counts_completed_months_only() {
        // One day short of 13 months: still 12, so one reading is enough.
        let first = next_day(minus_months(today(), 13));
        let v = vehicle(Some(first));
        let history = [km(plus_months(first, 6), 10_000)];
        assert!(evaluate(Some(&v), &history, HIGH_ADVERT, today()).granted());
        // On the 13-month anniversary two are needed.
        let first = minus_months(today(), 13);
        let v = vehicle(Some(first));
        let history = [km(plus_months(first, 6), 10_000)];
        assert_eq!(
            evaluate(Some(&v), &history, HIGH_ADVERT, today()).reasons,
            [RefusalReason::TooFewReadings {
                readings: 1,
                required: 2,
                age_months: Some(13),
            }]
        );
    }

    #[test]
    fn an_unknown_first_registration_requires_four_readings_and_reports_no_age() {
        let v = vehicle(None);
        let history = [
            km(date(2023, 1, 1), 10_000),
            km(date(2023, 6, 1), 20_000),
            km(date(2024, 1, 1), 30_000),
        ];
        assert_eq!(
            evaluate(Some(&v), &history, HIGH_ADVERT, today()).reasons,
            [RefusalReason::TooFewReadings {
                readings: 3,
                required: 4,
                age_months: None,
            }]
        );
        let mut four = history.to_vec();
        four.push(km(date(2024, 6, 1), 40_000));
        assert!(evaluate(Some(&v), &four, HIGH_ADVERT, today()).granted());
    }

    #[test]
    fn no_readings_and_an_unknown_first_registration_give_only_too_few_readings() {
        let v = vehicle(None);
        let verdict = evaluate(Some(&v), &[], 0, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::TooFewReadings {
                readings: 0,
                required: 4,
                age_months: None,
            }]
        );
        assert_eq!(verdict.last_reading, None);
    }

    // ---- Gaps --------------------------------------------------------------

    #[test]
    fn exactly_24_months_from_first_registration_to_first_reading_is_fine() {
        let first = date(2020, 3, 4);
        let r1 = plus_months(first, 24);
        let history = [km(r1, 10_000), km(next_day(r1), 10_100)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, next_day(r1));
        assert!(verdict.granted(), "{:?}", verdict.reasons);
    }

    #[test]
    fn twenty_four_months_and_a_day_from_first_registration_to_first_reading_is_a_gap() {
        let first = date(2020, 3, 4);
        let r1 = next_day(plus_months(first, 24));
        let history = [km(r1, 10_000), km(next_day(r1), 10_100)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, next_day(r1));
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: first,
                to: date(2022, 3, 5),
                gaps: 1,
            }]
        );
    }

    #[test]
    fn exactly_24_months_between_two_readings_is_fine() {
        let first = date(2020, 1, 10);
        let r2 = plus_months(first, 24);
        let history = [km(r2, 30_000), km(first, 10)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, r2);
        assert!(verdict.granted(), "{:?}", verdict.reasons);
    }

    #[test]
    fn twenty_four_months_and_a_day_between_two_readings_is_a_gap() {
        let first = date(2020, 1, 10);
        let r2 = next_day(plus_months(first, 24));
        let history = [km(r2, 30_000), km(first, 10)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, r2);
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: date(2020, 1, 10),
                to: date(2022, 1, 11),
                gaps: 1,
            }]
        );
    }

    #[test]
    fn exactly_24_months_from_the_last_reading_to_today_is_fine() {
        let first = date(2020, 1, 10);
        let last = date(2020, 2, 10);
        let history = [km(first, 10), km(date(2020, 1, 20), 500), km(last, 1_000)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, plus_months(last, 24));
        assert!(verdict.granted(), "{:?}", verdict.reasons);
    }

    #[test]
    fn twenty_four_months_and_a_day_from_the_last_reading_to_today_is_a_gap() {
        let first = date(2020, 1, 10);
        let last = date(2020, 2, 10);
        let history = [km(first, 10), km(date(2020, 1, 20), 500), km(last, 1_000)];
        let v = vehicle(Some(first));
        let today = next_day(plus_months(last, 24));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, today);
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: last,
                to: date(2022, 2, 11),
                gaps: 1,
            }]
        );
    }

    #[test]
    fn twenty_four_months_from_29_february_end_on_28_february() {
        let from = date(2020, 2, 29);
        assert!(!gap_too_long(from, date(2022, 2, 28)));
        assert!(gap_too_long(from, date(2022, 3, 1)));
        let from = date(2021, 12, 31);
        assert!(!gap_too_long(from, date(2023, 12, 31)));
        assert!(gap_too_long(from, date(2024, 1, 1)));
    }

    #[test]
    fn the_first_gap_is_reported_with_the_number_of_gaps() {
        let first = date(2015, 1, 1);
        let history = [
            km(date(2016, 1, 1), 10_000),
            km(date(2019, 1, 1), 40_000),
            km(date(2020, 1, 1), 50_000),
            km(date(2023, 1, 1), 80_000),
        ];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, date(2024, 1, 1));
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: date(2016, 1, 1),
                to: date(2019, 1, 1),
                gaps: 2,
            }]
        );
    }

    #[test]
    fn without_first_registration_the_gaps_start_at_the_first_reading() {
        let v = vehicle(None);
        let history = [
            km(date(2010, 1, 1), 10_000),
            km(date(2023, 1, 1), 20_000),
            km(date(2023, 6, 1), 30_000),
            km(date(2024, 1, 1), 40_000),
        ];
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: date(2010, 1, 1),
                to: date(2023, 1, 1),
                gaps: 1,
            }]
        );
        // A recent first reading: no gap, however old the vehicle may be.
        let recent = &history[1..];
        let verdict = evaluate(Some(&v), recent, HIGH_ADVERT, today());
        assert!(gap_reasons(&verdict).is_empty());
    }

    #[test]
    fn a_reading_before_first_registration_does_not_cover_the_time_after_it() {
        let first = date(2020, 1, 1);
        let history = [
            km(date(2019, 12, 20), 5),
            km(date(2022, 6, 1), 30_000),
            km(date(2023, 6, 1), 40_000),
            km(date(2024, 6, 1), 50_000),
        ];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, HIGH_ADVERT, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::ReadingGap {
                from: first,
                to: date(2022, 6, 1),
                gaps: 1,
            }]
        );
    }

    // ---- Advertised mileage ------------------------------------------------

    #[test]
    fn advertised_equal_to_the_last_reading_is_fine() {
        let first = date(2023, 7, 1);
        let history = [km(date(2024, 1, 1), 45_210)];
        let v = vehicle(Some(first));
        assert!(evaluate(Some(&v), &history, 45_210, today()).granted());
    }

    #[test]
    fn advertised_one_km_below_the_last_reading_is_refused() {
        let first = date(2023, 7, 1);
        let history = [km(date(2024, 1, 1), 45_210)];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, 45_209, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 45_209,
                last_value: 45_210,
                last_unit: OdometerUnit::Km,
                last_date: date(2024, 1, 1),
                awaiting_work: false,
                left_out: None,
            }]
        );
    }

    #[test]
    fn a_last_reading_in_miles_is_compared_in_km() {
        let first = date(2023, 7, 1);
        let reading = LabelReading {
            work_date: date(2024, 1, 1),
            odometer: 30_000,
            unit: OdometerUnit::Mi,
            anomaly: false,
            open: None,
        };
        assert_eq!(OdometerUnit::Mi.to_km(30_000), 48_280);
        let v = vehicle(Some(first));
        let history = [reading];
        assert!(evaluate(Some(&v), &history, 48_280, today()).granted());
        let verdict = evaluate(Some(&v), &history, 48_279, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 48_279,
                last_value: 30_000,
                last_unit: OdometerUnit::Mi,
                last_date: date(2024, 1, 1),
                awaiting_work: false,
                left_out: None,
            }]
        );
        assert_eq!(
            verdict.last_reading,
            Some(LastReading {
                date: date(2024, 1, 1),
                odometer: 30_000,
                unit: OdometerUnit::Mi,
            })
        );
    }

    #[test]
    fn the_last_reading_is_the_latest_by_date_not_the_highest() {
        let first = date(2022, 1, 1);
        let history = [
            km(date(2024, 1, 1), 50_000),
            LabelReading {
                anomaly: true,
                open: None,
                ..km(date(2023, 1, 1), 60_000)
            },
        ];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, 50_000, today());
        assert_eq!(
            verdict.last_reading,
            Some(LastReading {
                date: date(2024, 1, 1),
                odometer: 50_000,
                unit: OdometerUnit::Km,
            })
        );
        assert!(!verdict
            .reasons
            .iter()
            .any(|r| matches!(r, RefusalReason::AdvertisedBelowLastReading { .. })));
    }

    #[test]
    fn on_the_same_date_the_highest_reading_in_km_is_the_last() {
        let day = date(2024, 1, 1);
        let miles = LabelReading {
            work_date: day,
            odometer: 31_000, // 49 890 km
            unit: OdometerUnit::Mi,
            anomaly: false,
            open: None,
        };
        let history = [km(day, 49_900), miles, km(day, 49_000)];
        let v = vehicle(Some(date(2023, 1, 1)));
        let verdict = evaluate(Some(&v), &history, 49_899, today());
        assert_eq!(
            verdict.last_reading,
            Some(LastReading {
                date: day,
                odometer: 49_900,
                unit: OdometerUnit::Km,
            })
        );
        assert_eq!(
            verdict.reasons,
            [RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 49_899,
                last_value: 49_900,
                last_unit: OdometerUnit::Km,
                last_date: day,
                awaiting_work: false,
                left_out: None,
            }]
        );
    }

    // ---- Each other reason alone --------------------------------------------

    #[test]
    fn an_accepted_anomaly_alone_refuses_with_its_count_and_latest_date() {
        let first = date(2022, 1, 1);
        let history = [
            LabelReading {
                anomaly: true,
                open: None,
                ..km(date(2023, 8, 1), 30_000)
            },
            km(date(2022, 6, 1), 10_000),
            LabelReading {
                anomaly: true,
                open: None,
                ..km(date(2022, 12, 1), 20_000)
            },
        ];
        let v = vehicle(Some(first));
        let verdict = evaluate(Some(&v), &history, 30_000, today());
        assert_eq!(
            verdict.reasons,
            [RefusalReason::HistoryAnomaly {
                readings: 2,
                latest: date(2023, 8, 1),
            }]
        );
    }

    #[test]
    fn a_five_digit_odometer_alone_refuses() {
        let v = LabelVehicle {
            five_digit_odometer: true,
            ..vehicle(Some(date(2024, 1, 1)))
        };
        let history = [km(date(2024, 5, 1), 5_000)];
        assert_eq!(
            evaluate(Some(&v), &history, 5_000, today()).reasons,
            [RefusalReason::FiveDigitOdometer]
        );
    }

    #[test]
    fn an_imported_used_vehicle_alone_refuses() {
        let v = LabelVehicle {
            imported_used: true,
            ..vehicle(Some(date(2024, 1, 1)))
        };
        let history = [km(date(2024, 5, 1), 5_000)];
        assert_eq!(
            evaluate(Some(&v), &history, 5_000, today()).reasons,
            [RefusalReason::ImportedUsed]
        );
    }

    #[test]
    fn an_unknown_vin_gives_only_vin_unknown_whatever_the_history() {
        let history = [
            LabelReading {
                anomaly: true,
                open: None,
                ..km(date(2010, 1, 1), 90_000)
            },
            km(date(2011, 1, 1), 1_000),
        ];
        let verdict = evaluate(None, &history, 0, today());
        assert_eq!(verdict.reasons, [RefusalReason::VinUnknown]);
        assert!(!verdict.granted());
        assert_eq!(
            verdict.last_reading,
            Some(LastReading {
                date: date(2011, 1, 1),
                odometer: 1_000,
                unit: OdometerUnit::Km,
            })
        );
        assert_eq!(evaluate(None, &[], 0, today()).last_reading, None);
    }

    #[test]
    fn all_reasons_apply_at_once_in_the_spec_order() {
        let v = LabelVehicle {
            first_registration: Some(date(2015, 1, 1)),
            five_digit_odometer: true,
            imported_used: true,
        };
        let history = [
            km(date(2019, 1, 1), 40_000),
            LabelReading {
                anomaly: true,
                open: None,
                ..km(date(2016, 1, 1), 10_000)
            },
        ];
        let verdict = evaluate(Some(&v), &history, 39_999, date(2024, 1, 1));
        assert_eq!(
            verdict.reasons,
            [
                RefusalReason::HistoryAnomaly {
                    readings: 1,
                    latest: date(2016, 1, 1),
                },
                RefusalReason::AdvertisedBelowLastReading {
                    advertised_km: 39_999,
                    last_value: 40_000,
                    last_unit: OdometerUnit::Km,
                    last_date: date(2019, 1, 1),
                    awaiting_work: false,
                    left_out: None,
                },
                RefusalReason::FiveDigitOdometer,
                RefusalReason::ImportedUsed,
                RefusalReason::TooFewReadings {
                    readings: 2,
                    required: 4,
                    age_months: Some(108),
                },
                RefusalReason::ReadingGap {
                    from: date(2016, 1, 1),
                    to: date(2019, 1, 1),
                    gaps: 2,
                },
            ]
        );
        let codes: Vec<_> = verdict.reasons.iter().map(RefusalReason::code).collect();
        assert_eq!(
            codes,
            [
                "HISTORY_ANOMALY",
                "ADVERTISED_BELOW_LAST_READING",
                "FIVE_DIGIT_ODOMETER",
                "IMPORTED_USED",
                "TOO_FEW_READINGS",
                "READING_GAP",
            ]
        );
    }

    #[test]
    fn a_clean_history_is_granted_with_the_last_reading() {
        let v = vehicle(Some(date(2019, 3, 1)));
        let history = [
            km(date(2023, 3, 10), 61_000),
            km(date(2020, 3, 2), 15_000),
            km(date(2021, 3, 5), 32_000),
            km(date(2022, 3, 8), 47_500),
            km(date(2024, 3, 12), 75_400),
        ];
        let verdict = evaluate(Some(&v), &history, 78_000, today());
        assert!(verdict.granted(), "{:?}", verdict.reasons);
        assert_eq!(verdict.reasons, []);
        assert_eq!(
            verdict.last_reading,
            Some(LastReading {
                date: date(2024, 3, 12),
                odometer: 75_400,
                unit: OdometerUnit::Km,
            })
        );
    }

    // ---- Readings still open (issue 17, point 3) -----------------------------

    fn open(work_date: NaiveDate, odometer: u64, question: OpenQuestion) -> LabelReading {
        LabelReading {
            open: Some(question),
            ..km(work_date, odometer)
        }
    }

    #[test]
    fn only_the_work_description_leaves_the_odometer_value_unquestioned() {
        use IssueCode::*;
        assert_eq!(OpenQuestion::of([]), OpenQuestion::WorkDescription);
        assert_eq!(
            OpenQuestion::of([WorkMissing, ActivityUnknown, CorrectionLimit]),
            OpenQuestion::WorkDescription
        );
        for code in [
            VinInvalid,
            VinUnknown,
            WorkDateFuture,
            OdometerInvalid,
            OdometerRollback,
            OdometerAboveLater,
            OdometerImplausibleRate,
            FiveDigitOverflow,
        ] {
            assert_eq!(
                OpenQuestion::of([WorkMissing, code]),
                OpenQuestion::Odometer,
                "{code:?}"
            );
        }
    }

    #[test]
    fn a_reading_waiting_for_its_work_description_is_the_last_reading_the_advert_must_reach() {
        let v = vehicle(Some(date(2024, 1, 1)));
        let history = [
            km(date(2024, 1, 1), 40_000),
            open(today(), 45_210, OpenQuestion::WorkDescription),
        ];
        let equal = evaluate(Some(&v), &history, 45_210, today());
        assert!(equal.granted(), "{:?}", equal.reasons);
        assert_eq!(
            equal.last_reading,
            Some(LastReading {
                date: today(),
                odometer: 45_210,
                unit: OdometerUnit::Km,
            })
        );
        let below = evaluate(Some(&v), &history, 45_209, today());
        assert_eq!(
            below.reasons,
            [RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 45_209,
                last_value: 45_210,
                last_unit: OdometerUnit::Km,
                last_date: today(),
                awaiting_work: true,
                left_out: None,
            }]
        );
        assert!(below.reasons[0]
            .message(Language::En)
            .contains("only its work description still awaits a correction"));
    }

    #[test]
    fn a_reading_whose_odometer_is_in_question_is_left_out_and_the_refusal_says_so() {
        let v = vehicle(Some(date(2024, 1, 1)));
        let history = [
            km(date(2024, 1, 1), 40_000),
            open(today(), 30_000, OpenQuestion::Odometer),
        ];
        let granted = evaluate(Some(&v), &history, 40_000, today());
        assert!(granted.granted(), "{:?}", granted.reasons);
        assert_eq!(granted.last_reading.map(|l| l.odometer), Some(40_000));
        let below = evaluate(Some(&v), &history, 39_999, today());
        let left_out = Some(LastReading {
            date: today(),
            odometer: 30_000,
            unit: OdometerUnit::Km,
        });
        assert_eq!(
            below.reasons,
            [RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 39_999,
                last_value: 40_000,
                last_unit: OdometerUnit::Km,
                last_date: date(2024, 1, 1),
                awaiting_work: false,
                left_out,
            }]
        );
        assert!(below.reasons[0].message(Language::En).ends_with(
            "a more recent reading of 30,000 km on 2024-06-15 is not counted: its odometer \
             value still awaits the garage's answer"
        ));
    }

    #[test]
    fn open_readings_count_neither_as_readings_nor_against_gaps_nor_as_anomalies() {
        let v = vehicle(Some(date(2024, 1, 1)));
        let history = [
            open(date(2024, 6, 1), 10_000, OpenQuestion::WorkDescription),
            LabelReading {
                anomaly: true,
                ..open(date(2024, 7, 1), 12_000, OpenQuestion::Odometer)
            },
        ];
        let verdict = evaluate(Some(&v), &history, 12_000, today());
        let codes: Vec<&str> = verdict.reasons.iter().map(|r| r.code()).collect();
        assert_eq!(codes, ["TOO_FEW_READINGS"]);
    }

    // ---- Messages ------------------------------------------------------------

    fn every_reason() -> Vec<RefusalReason> {
        vec![
            RefusalReason::VinUnknown,
            RefusalReason::HistoryAnomaly {
                readings: 2,
                latest: date(2023, 5, 6),
            },
            RefusalReason::AdvertisedBelowLastReading {
                advertised_km: 45_210,
                last_value: 30_000,
                last_unit: OdometerUnit::Mi,
                last_date: date(2023, 5, 6),
                awaiting_work: false,
                left_out: None,
            },
            RefusalReason::FiveDigitOdometer,
            RefusalReason::ImportedUsed,
            RefusalReason::TooFewReadings {
                readings: 3,
                required: 4,
                age_months: Some(52),
            },
            RefusalReason::ReadingGap {
                from: date(2021, 3, 4),
                to: date(2023, 5, 6),
                gaps: 1,
            },
        ]
    }

    #[test]
    fn the_english_messages_read_as_in_the_spec() {
        assert_eq!(
            RefusalReason::TooFewReadings {
                readings: 3,
                required: 4,
                age_months: Some(52),
            }
            .message(Language::En),
            "3 readings registered, 4 required for a vehicle of 52 months"
        );
        assert_eq!(
            RefusalReason::ReadingGap {
                from: date(2021, 3, 4),
                to: date(2023, 5, 6),
                gaps: 1,
            }
            .message(Language::En),
            "no reading registered between 2021-03-04 and 2023-05-06 (more than 24 months)"
        );
        assert_eq!(
            RefusalReason::TooFewReadings {
                readings: 1,
                required: 2,
                age_months: Some(13),
            }
            .message(Language::En),
            "1 reading registered, 2 required for a vehicle of 13 months"
        );
        assert_eq!(
            RefusalReason::TooFewReadings {
                readings: 0,
                required: 4,
                age_months: None,
            }
            .message(Language::En),
            "0 readings registered, 4 required as the date of first registration is unknown"
        );
    }

    #[test]
    fn advertised_mileage_messages_format_numbers_and_dates_per_language() {
        let reason = RefusalReason::AdvertisedBelowLastReading {
            advertised_km: 45_210,
            last_value: 1_045_211,
            last_unit: OdometerUnit::Km,
            last_date: date(2023, 5, 6),
            awaiting_work: false,
            left_out: None,
        };
        let expected = [
            (Language::Nl, ["45.210 km", "1.045.211 km", "06/05/2023"]),
            (
                Language::Fr,
                ["45\u{a0}210 km", "1\u{a0}045\u{a0}211 km", "06/05/2023"],
            ),
            (Language::De, ["45.210 km", "1.045.211 km", "06.05.2023"]),
            (Language::En, ["45,210 km", "1,045,211 km", "2023-05-06"]),
        ];
        for (lang, parts) in expected {
            let message = reason.message(lang);
            for part in parts {
                assert!(
                    message.contains(part),
                    "{lang:?}: {message:?} lacks {part:?}"
                );
            }
        }
    }

    #[test]
    fn a_last_reading_in_miles_is_shown_in_miles_and_km() {
        let reason = &every_reason()[2];
        assert!(reason
            .message(Language::En)
            .contains("30,000 mi (48,280 km)"));
        assert!(reason
            .message(Language::Fr)
            .contains("30\u{a0}000 mi (48\u{a0}280 km)"));
    }

    #[test]
    fn every_message_carries_its_numbers_in_every_language() {
        let checks: [(Language, Vec<Vec<&str>>); 4] = [
            (
                Language::Nl,
                vec![
                    vec![],
                    vec!["2 kilometerstanden", "06/05/2023"],
                    vec!["45.210 km", "30.000 mi", "48.280 km", "06/05/2023"],
                    vec!["5 cijfers", "99.999"],
                    vec![],
                    vec!["3 kilometerstanden", "4 vereist", "52 maanden"],
                    vec!["04/03/2021", "06/05/2023", "24 maanden"],
                ],
            ),
            (
                Language::Fr,
                vec![
                    vec![],
                    vec!["2 relevés", "06/05/2023"],
                    vec![
                        "45\u{a0}210 km",
                        "30\u{a0}000 mi",
                        "48\u{a0}280 km",
                        "06/05/2023",
                    ],
                    vec!["5 chiffres", "99\u{a0}999"],
                    vec![],
                    vec!["3 relevés", "4 requis", "52 mois"],
                    vec!["04/03/2021", "06/05/2023", "24 mois"],
                ],
            ),
            (
                Language::De,
                vec![
                    vec![],
                    vec!["2 Kilometerstände", "06.05.2023"],
                    vec!["45.210 km", "30.000 mi", "48.280 km", "06.05.2023"],
                    vec!["5-stellig", "99.999"],
                    vec![],
                    vec!["3 Kilometerstände", "4 erforderlich", "52 Monaten"],
                    vec!["04.03.2021", "06.05.2023", "24 Monate"],
                ],
            ),
            (
                Language::En,
                vec![
                    vec![],
                    vec!["2 readings", "2023-05-06"],
                    vec!["45,210 km", "30,000 mi", "48,280 km", "2023-05-06"],
                    vec!["5-digit", "99,999"],
                    vec![],
                    vec!["3 readings", "4 required", "52 months"],
                    vec!["2021-03-04", "2023-05-06", "24 months"],
                ],
            ),
        ];
        let reasons = every_reason();
        for (lang, per_reason) in checks {
            for (reason, parts) in reasons.iter().zip(per_reason) {
                let message = reason.message(lang);
                assert!(!message.is_empty());
                assert!(!message.ends_with('.'), "{lang:?}: {message:?}");
                for part in parts {
                    assert!(
                        message.contains(part),
                        "{lang:?}: {message:?} lacks {part:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn messages_differ_between_languages() {
        for reason in every_reason() {
            let messages: Vec<_> = Language::ALL.iter().map(|&l| reason.message(l)).collect();
            for (i, a) in messages.iter().enumerate() {
                for b in &messages[i + 1..] {
                    assert_ne!(a, b, "{}", reason.code());
                }
            }
        }
    }

    #[test]
    fn singular_and_plural_forms_follow_the_count() {
        let one = RefusalReason::HistoryAnomaly {
            readings: 1,
            latest: date(2023, 5, 6),
        };
        assert!(one.message(Language::En).contains("1 reading with"));
        assert!(one.message(Language::Nl).contains("1 kilometerstand met"));
        let none = RefusalReason::TooFewReadings {
            readings: 0,
            required: 1,
            age_months: Some(1),
        };
        assert!(none
            .message(Language::Fr)
            .starts_with("0 relevé enregistré"));
        assert!(none.message(Language::Nl).ends_with("1 maand"));
        assert!(none.message(Language::De).ends_with("1 Monat"));
        assert!(none.message(Language::En).ends_with("1 month"));
    }

    #[test]
    fn several_gaps_are_counted_in_the_message() {
        let reason = RefusalReason::ReadingGap {
            from: date(2016, 1, 1),
            to: date(2019, 1, 1),
            gaps: 3,
        };
        assert_eq!(
            reason.message(Language::En),
            "no reading registered between 2016-01-01 and 2019-01-01 (more than 24 months); \
             3 such periods in all"
        );
        for lang in [Language::Nl, Language::Fr, Language::De] {
            assert!(reason.message(lang).contains('3'), "{lang:?}");
        }
    }

    // ---- JSON ------------------------------------------------------------------

    #[test]
    fn every_reason_round_trips_through_json_with_its_code() {
        for reason in every_reason() {
            let json = serde_json::to_value(&reason).unwrap();
            assert_eq!(json["code"], reason.code());
            let back: RefusalReason = serde_json::from_value(json).unwrap();
            assert_eq!(back, reason);
        }
    }

    #[test]
    fn json_uses_iso_dates_and_lowercase_units() {
        let reason = &every_reason()[2];
        assert_eq!(
            serde_json::to_string(reason).unwrap(),
            r#"{"code":"ADVERTISED_BELOW_LAST_READING","advertised_km":45210,"last_value":30000,"last_unit":"mi","last_date":"2023-05-06"}"#
        );
        assert_eq!(
            serde_json::to_string(&RefusalReason::VinUnknown).unwrap(),
            r#"{"code":"VIN_UNKNOWN"}"#
        );
        assert_eq!(
            serde_json::to_string(&RefusalReason::TooFewReadings {
                readings: 0,
                required: 4,
                age_months: None,
            })
            .unwrap(),
            r#"{"code":"TOO_FEW_READINGS","readings":0,"required":4,"age_months":null}"#
        );
    }

    #[test]
    fn a_lapse_names_the_reading_in_each_language_with_its_numbers() {
        let above = Lapse::Above {
            km: 82_000,
            on: date(2025, 6, 2),
            advertised_km: 81_000,
        };
        assert_eq!(
            above.message(Language::En),
            "a reading of 82,000 km on 2025-06-02 is above the advertised 81,000 km"
        );
        assert!(above
            .message(Language::Nl)
            .contains("82.000 km op 02/06/2025"));
        assert!(above
            .message(Language::Fr)
            .contains("82\u{a0}000 km le 02/06/2025"));
        assert!(above
            .message(Language::De)
            .contains("82.000 km am 02.06.2025"));
        let below = Lapse::Below {
            km: 80_000,
            on: date(2025, 7, 1),
            advertised_km: 81_000,
        };
        assert!(below
            .message(Language::En)
            .contains("below the advertised 81,000 km"));
        let anomaly = Lapse::Anomaly {
            on: date(2024, 1, 2),
        };
        assert!(anomaly.message(Language::Fr).contains("02/01/2024"));
    }
}
