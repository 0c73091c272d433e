//! The issue catalog (SPEC 4): what can be wrong with a reading, how serious it is, whether the
//! garage may correct it electronically, and the message its receipt shows (SPEC 2.7, 3.3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::format::{plural, Formatter};
use super::language::Language;
use super::odometer::OdometerUnit;
use super::rules::EXEMPTION_MAX_CENTS;
use super::vin::VinProblem;

/// SPEC 4 severity column; the strings are the receipt's `Severity` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    /// Exact match: these are contract values.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|sev| sev.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        }
    }
}

/// SPEC 4 issue codes. The strings are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueCode {
    VinInvalid,
    VinUnknown,
    WorkDateFuture,
    OdometerInvalid,
    OdometerRollback,
    OdometerAboveLater,
    OdometerImplausibleRate,
    WorkMissing,
    ActivityUnknown,
    FiveDigitOverflow,
    CorrectionLimit,
    LateSubmission,
    BeforeFirstRegistration,
    NotSubject,
    NotRequired,
}

impl IssueCode {
    /// In the order of the SPEC 4 table.
    pub const ALL: [IssueCode; 15] = [
        IssueCode::VinInvalid,
        IssueCode::VinUnknown,
        IssueCode::WorkDateFuture,
        IssueCode::OdometerInvalid,
        IssueCode::OdometerRollback,
        IssueCode::OdometerAboveLater,
        IssueCode::OdometerImplausibleRate,
        IssueCode::WorkMissing,
        IssueCode::ActivityUnknown,
        IssueCode::FiveDigitOverflow,
        IssueCode::CorrectionLimit,
        IssueCode::LateSubmission,
        IssueCode::BeforeFirstRegistration,
        IssueCode::NotSubject,
        IssueCode::NotRequired,
    ];

    /// Exact, case-sensitive: these are contract values.
    pub fn parse(s: &str) -> Option<IssueCode> {
        IssueCode::ALL.into_iter().find(|code| code.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::VinInvalid => "VIN_INVALID",
            IssueCode::VinUnknown => "VIN_UNKNOWN",
            IssueCode::WorkDateFuture => "WORK_DATE_FUTURE",
            IssueCode::OdometerInvalid => "ODOMETER_INVALID",
            IssueCode::OdometerRollback => "ODOMETER_ROLLBACK",
            IssueCode::OdometerAboveLater => "ODOMETER_ABOVE_LATER",
            IssueCode::OdometerImplausibleRate => "ODOMETER_IMPLAUSIBLE_RATE",
            IssueCode::WorkMissing => "WORK_MISSING",
            IssueCode::ActivityUnknown => "ACTIVITY_UNKNOWN",
            IssueCode::FiveDigitOverflow => "FIVE_DIGIT_OVERFLOW",
            IssueCode::CorrectionLimit => "CORRECTION_LIMIT",
            IssueCode::LateSubmission => "LATE_SUBMISSION",
            IssueCode::BeforeFirstRegistration => "BEFORE_FIRST_REGISTRATION",
            IssueCode::NotSubject => "NOT_SUBJECT",
            IssueCode::NotRequired => "NOT_REQUIRED",
        }
    }

    /// SPEC 4 severity column.
    pub fn severity(self) -> Severity {
        match self {
            IssueCode::VinInvalid
            | IssueCode::VinUnknown
            | IssueCode::WorkDateFuture
            | IssueCode::OdometerInvalid
            | IssueCode::OdometerRollback
            | IssueCode::OdometerAboveLater
            | IssueCode::OdometerImplausibleRate
            | IssueCode::WorkMissing
            | IssueCode::ActivityUnknown
            | IssueCode::FiveDigitOverflow
            | IssueCode::CorrectionLimit => Severity::Error,
            IssueCode::LateSubmission
            | IssueCode::BeforeFirstRegistration
            | IssueCode::NotSubject => Severity::Warning,
            IssueCode::NotRequired => Severity::Info,
        }
    }

    /// SPEC 4 correctable column: whether CorrectIssue / ConfirmReading may answer it.
    /// CORRECTION_LIMIT is the end of the electronic road (SPEC 2.7: the paper form is needed);
    /// warnings and info describe facts that a correction cannot change.
    pub fn correctable(self) -> bool {
        match self {
            IssueCode::VinInvalid
            | IssueCode::VinUnknown
            | IssueCode::WorkDateFuture
            | IssueCode::OdometerInvalid
            | IssueCode::OdometerRollback
            | IssueCode::OdometerAboveLater
            | IssueCode::OdometerImplausibleRate
            | IssueCode::WorkMissing
            | IssueCode::ActivityUnknown
            | IssueCode::FiveDigitOverflow => true,
            IssueCode::CorrectionLimit
            | IssueCode::LateSubmission
            | IssueCode::BeforeFirstRegistration
            | IssueCode::NotSubject
            | IssueCode::NotRequired => false,
        }
    }
}

/// Why a vehicle falls outside SPEC 2.5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotSubjectReason {
    /// A vehicle category other than passenger car or light commercial vehicle (e.g. "L3e").
    Category { category: String },
    /// Maximum authorised mass above 3,500 kg.
    MassAbove { mass_kg: u32 },
    /// Foreign plates, demo cars on trade plates.
    NeverRegisteredInBelgium,
}

/// One issue with the numbers its message needs. Stored as JSON, so that the message can be
/// rendered again later in whatever language the reader asks for.
///
/// Dates are written as ISO 8601 strings ("2024-03-02") by a local helper, so the format does
/// not depend on chrono's optional `serde` feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueDetail {
    VinInvalid {
        vin: String,
        problem: VinProblem,
    },
    VinUnknown {
        vin: String,
        days: u32,
    },
    WorkDateFuture {
        #[serde(with = "iso_date")]
        work_date: NaiveDate,
        #[serde(with = "iso_date")]
        today: NaiveDate,
    },
    OdometerInvalid {
        value: u64,
        unit: OdometerUnit,
        /// In the same unit as `value`.
        max: u64,
    },
    OdometerRollback {
        value: u64,
        unit: OdometerUnit,
        earlier_value: u64,
        earlier_unit: OdometerUnit,
        #[serde(with = "iso_date")]
        earlier_date: NaiveDate,
    },
    OdometerAboveLater {
        value: u64,
        unit: OdometerUnit,
        later_value: u64,
        later_unit: OdometerUnit,
        #[serde(with = "iso_date")]
        later_date: NaiveDate,
    },
    OdometerImplausibleRate {
        value: u64,
        unit: OdometerUnit,
        previous_value: u64,
        previous_unit: OdometerUnit,
        #[serde(with = "iso_date")]
        previous_date: NaiveDate,
        km_per_day: u64,
        max_km_per_day: u64,
    },
    WorkMissing {
        #[serde(with = "iso_date")]
        work_date: NaiveDate,
    },
    ActivityUnknown {
        /// "code" is taken by the tag, so the stored JSON calls it "activity_code".
        #[serde(rename = "activity_code")]
        code: String,
    },
    FiveDigitOverflow {
        value: u64,
    },
    CorrectionLimit {
        issue_number: String,
    },
    LateSubmission {
        #[serde(with = "iso_date")]
        work_date: NaiveDate,
        #[serde(with = "iso_date")]
        deadline: NaiveDate,
        #[serde(with = "iso_date")]
        received_on: NaiveDate,
    },
    BeforeFirstRegistration {
        #[serde(with = "iso_date")]
        work_date: NaiveDate,
        #[serde(with = "iso_date")]
        first_registration: NaiveDate,
    },
    NotSubject {
        reason: NotSubjectReason,
    },
    NotRequired {
        total_cents: i64,
    },
}

impl IssueDetail {
    pub fn code(&self) -> IssueCode {
        match self {
            IssueDetail::VinInvalid { .. } => IssueCode::VinInvalid,
            IssueDetail::VinUnknown { .. } => IssueCode::VinUnknown,
            IssueDetail::WorkDateFuture { .. } => IssueCode::WorkDateFuture,
            IssueDetail::OdometerInvalid { .. } => IssueCode::OdometerInvalid,
            IssueDetail::OdometerRollback { .. } => IssueCode::OdometerRollback,
            IssueDetail::OdometerAboveLater { .. } => IssueCode::OdometerAboveLater,
            IssueDetail::OdometerImplausibleRate { .. } => IssueCode::OdometerImplausibleRate,
            IssueDetail::WorkMissing { .. } => IssueCode::WorkMissing,
            IssueDetail::ActivityUnknown { .. } => IssueCode::ActivityUnknown,
            IssueDetail::FiveDigitOverflow { .. } => IssueCode::FiveDigitOverflow,
            IssueDetail::CorrectionLimit { .. } => IssueCode::CorrectionLimit,
            IssueDetail::LateSubmission { .. } => IssueCode::LateSubmission,
            IssueDetail::BeforeFirstRegistration { .. } => IssueCode::BeforeFirstRegistration,
            IssueDetail::NotSubject { .. } => IssueCode::NotSubject,
            IssueDetail::NotRequired { .. } => IssueCode::NotRequired,
        }
    }

    /// The receipt's message (SPEC 3.3): what is wrong, with the numbers, and what to do.
    /// Correctable issues end by telling the garage to correct the issue with its number
    /// (SPEC 2.7); the others never do, so nobody is sent down a road that is closed.
    pub fn message(&self, lang: Language) -> String {
        let f = Formatter(lang);
        let fix = fix_with_number(lang);
        match self {
            IssueDetail::VinInvalid { vin, problem } => {
                let problem = vin_problem(lang, problem);
                match lang {
                    Language::Nl => format!(
                        "Chassisnummer \"{vin}\" is ongeldig: {problem}. Een chassisnummer telt \
                         17 tekens: letters A-Z (zonder I, O en Q) en cijfers 0-9. Controleer het \
                         chassisnummer op het inschrijvingsbewijs en {fix}."
                    ),
                    Language::Fr => format!(
                        "Le numéro de châssis «\u{a0}{vin}\u{a0}» n'est pas valable\u{a0}: \
                         {problem}. Un numéro de châssis compte 17 caractères\u{a0}: des lettres \
                         A-Z (sans I, O ni Q) et des chiffres 0-9. Vérifiez le numéro de châssis \
                         sur le certificat d'immatriculation et {fix}."
                    ),
                    Language::De => format!(
                        "Die Fahrgestellnummer „{vin}“ ist ungültig: {problem}. Eine \
                         Fahrgestellnummer hat 17 Zeichen: Buchstaben A-Z (ohne I, O und Q) und \
                         Ziffern 0-9. Prüfen Sie die Fahrgestellnummer in der \
                         Zulassungsbescheinigung und {fix}."
                    ),
                    Language::En => format!(
                        "Chassis number (VIN) \"{vin}\" is not valid: {problem}. A VIN has 17 \
                         characters: letters A-Z (without I, O and Q) and digits 0-9. Check the \
                         VIN on the registration certificate and {fix}."
                    ),
                }
            }
            IssueDetail::VinUnknown { vin, days } => {
                let days = u64::from(*days);
                let n = f.num(days);
                match lang {
                    Language::Nl => format!(
                        "Chassisnummer {vin} staat {n} {} na het doorsturen van deze \
                         kilometerstand nog altijd niet in het voertuigregister. Controleer het \
                         chassisnummer op het inschrijvingsbewijs en {fix}; is het chassisnummer \
                         juist, dan is het voertuig mogelijk nog niet in België ingeschreven.",
                        plural(days, "dag", "dagen")
                    ),
                    Language::Fr => format!(
                        "Le numéro de châssis {vin} ne figure toujours pas au registre des \
                         véhicules {n} {} après l'envoi de ce kilométrage. Vérifiez le numéro de \
                         châssis sur le certificat d'immatriculation et {fix}\u{a0}; si le numéro \
                         de châssis est correct, le véhicule n'est peut-être pas encore \
                         immatriculé en Belgique.",
                        plural(days, "jour", "jours")
                    ),
                    Language::De => format!(
                        "Die Fahrgestellnummer {vin} steht {n} {} nach dem Senden dieses \
                         Kilometerstands noch immer nicht im Fahrzeugregister. Prüfen Sie die \
                         Fahrgestellnummer in der Zulassungsbescheinigung und {fix}; ist die \
                         Fahrgestellnummer richtig, ist das Fahrzeug möglicherweise noch nicht in \
                         Belgien zugelassen.",
                        plural(days, "Tag", "Tage")
                    ),
                    Language::En => format!(
                        "Chassis number (VIN) {vin} is still not in the vehicle register {n} {} \
                         after this reading was sent. Check the VIN on the registration \
                         certificate and {fix}; if the VIN is right, the vehicle may not be \
                         registered in Belgium yet.",
                        plural(days, "day", "days")
                    ),
                }
            }
            IssueDetail::WorkDateFuture { work_date, today } => {
                let (work_date, today) = (f.date(*work_date), f.date(*today));
                match lang {
                    Language::Nl => format!(
                        "De datum van de werken ({work_date}) ligt na vandaag ({today}). Vul de \
                         datum in waarop de werken uitgevoerd werden en {fix}."
                    ),
                    Language::Fr => format!(
                        "La date des travaux ({work_date}) est postérieure à aujourd'hui \
                         ({today}). Indiquez la date à laquelle les travaux ont été effectués et \
                         {fix}."
                    ),
                    Language::De => format!(
                        "Das Datum der Arbeiten ({work_date}) liegt nach dem heutigen Tag \
                         ({today}). Geben Sie das Datum an, an dem die Arbeiten ausgeführt \
                         wurden, und {fix}."
                    ),
                    Language::En => format!(
                        "Work date {work_date} is after today ({today}). Enter the date on which \
                         the works were done and {fix}."
                    ),
                }
            }
            IssueDetail::OdometerInvalid { value, unit, max } => {
                let (value, max) = (f.odo(*value, *unit), f.odo(*max, *unit));
                match lang {
                    Language::Nl => format!(
                        "Kilometerstand {value} is hoger dan het maximum van {max}. Controleer de \
                         waarde op het dashboard en de eenheid (km of mi) en {fix}."
                    ),
                    Language::Fr => format!(
                        "Le kilométrage {value} dépasse le maximum de {max}. Vérifiez la valeur \
                         au tableau de bord et l'unité (km ou mi) et {fix}."
                    ),
                    Language::De => format!(
                        "Der Kilometerstand {value} liegt über dem Höchstwert von {max}. Prüfen \
                         Sie den Wert am Armaturenbrett und die Einheit (km oder mi) und {fix}."
                    ),
                    Language::En => format!(
                        "Odometer {value} is above the maximum of {max}. Check the value on the \
                         dashboard and the unit (km or mi) and {fix}."
                    ),
                }
            }
            IssueDetail::OdometerRollback {
                value,
                unit,
                earlier_value,
                earlier_unit,
                earlier_date,
            } => {
                let value = f.odo(*value, *unit);
                let earlier = f.odo(*earlier_value, *earlier_unit);
                let date = f.date(*earlier_date);
                match lang {
                    Language::Nl => format!(
                        "Kilometerstand {value} is lager dan {earlier}, geregistreerd op {date} \
                         voor dezelfde kilometerteller. Controleer de waarde op het dashboard en \
                         {fix}; is de waarde juist, bevestig ze dan."
                    ),
                    Language::Fr => format!(
                        "Le kilométrage {value} est inférieur à {earlier}, enregistré le {date} \
                         pour le même compteur. Vérifiez la valeur au tableau de bord et \
                         {fix}\u{a0}; si la valeur est correcte, confirmez-la."
                    ),
                    Language::De => format!(
                        "Der Kilometerstand {value} ist niedriger als {earlier}, registriert am \
                         {date} für denselben Kilometerzähler. Prüfen Sie den Wert am \
                         Armaturenbrett und {fix}; ist der Wert richtig, bestätigen Sie ihn."
                    ),
                    Language::En => format!(
                        "Odometer {value} is lower than {earlier} registered on {date} for the \
                         same odometer. Check the value on the dashboard and {fix}; if the value \
                         is right, confirm it."
                    ),
                }
            }
            IssueDetail::OdometerAboveLater {
                value,
                unit,
                later_value,
                later_unit,
                later_date,
            } => {
                let value = f.odo(*value, *unit);
                let later = f.odo(*later_value, *later_unit);
                let date = f.date(*later_date);
                match lang {
                    Language::Nl => format!(
                        "Kilometerstand {value} is hoger dan {later}, later geregistreerd op \
                         {date} voor dezelfde kilometerteller. Controleer de waarde en de datum \
                         van de werken en {fix}; zijn ze juist, bevestig ze dan."
                    ),
                    Language::Fr => format!(
                        "Le kilométrage {value} est supérieur à {later}, enregistré plus tard, le \
                         {date}, pour le même compteur. Vérifiez la valeur et la date des travaux \
                         et {fix}\u{a0}; si elles sont correctes, confirmez le relevé."
                    ),
                    Language::De => format!(
                        "Der Kilometerstand {value} ist höher als {later}, später registriert am \
                         {date} für denselben Kilometerzähler. Prüfen Sie den Wert und das Datum \
                         der Arbeiten und {fix}; sind beide richtig, bestätigen Sie den \
                         Kilometerstand."
                    ),
                    Language::En => format!(
                        "Odometer {value} is higher than {later} registered later, on {date}, for \
                         the same odometer. Check the value and the work date and {fix}; if both \
                         are right, confirm the reading."
                    ),
                }
            }
            IssueDetail::OdometerImplausibleRate {
                value,
                unit,
                previous_value,
                previous_unit,
                previous_date,
                km_per_day,
                max_km_per_day,
            } => {
                let value = f.odo(*value, *unit);
                let previous = f.odo(*previous_value, *previous_unit);
                let date = f.date(*previous_date);
                let (rate, max) = (f.num(*km_per_day), f.num(*max_km_per_day));
                match lang {
                    Language::Nl => format!(
                        "Kilometerstand {value} betekent {rate} km per dag sinds {previous}, \
                         geregistreerd op {date}: meer dan het aannemelijke maximum van {max} km \
                         per dag. Controleer de waarde, de eenheid en de datum van de werken en \
                         {fix}; zijn ze juist, bevestig ze dan."
                    ),
                    Language::Fr => format!(
                        "Le kilométrage {value} représente {rate} km par jour depuis {previous}, \
                         enregistré le {date}, soit plus que le maximum plausible de {max} km par \
                         jour. Vérifiez la valeur, l'unité et la date des travaux et \
                         {fix}\u{a0}; si elles sont correctes, confirmez le relevé."
                    ),
                    Language::De => format!(
                        "Der Kilometerstand {value} bedeutet {rate} km pro Tag seit {previous}, \
                         registriert am {date}: mehr als der plausible Höchstwert von {max} km pro \
                         Tag. Prüfen Sie den Wert, die Einheit und das Datum der Arbeiten und \
                         {fix}; sind sie richtig, bestätigen Sie den Kilometerstand."
                    ),
                    Language::En => format!(
                        "Odometer {value} means {rate} km per day since {previous} registered on \
                         {date}, more than the plausible maximum of {max} km per day. Check the \
                         value, the unit and the work date and {fix}; if they are right, confirm \
                         the reading."
                    ),
                }
            }
            IssueDetail::WorkMissing { work_date } => {
                let work_date = f.date(*work_date);
                // SPEC 2.3: a description of the works is required since 1 January 2024.
                match lang {
                    Language::Nl => format!(
                        "Er zijn geen werken vermeld. Voor werken vanaf 1 januari 2024 (datum van \
                         de werken: {work_date}) geeft u de belangrijkste werken van de factuur \
                         door, elk met een standaardomschrijving en de omschrijving op de \
                         factuur. Vul de werken aan en {fix}."
                    ),
                    Language::Fr => format!(
                        "Aucun travail n'est indiqué. Pour les travaux effectués à partir du \
                         1er janvier 2024 (date des travaux\u{a0}: {work_date}), communiquez les \
                         principaux travaux de la facture, chacun avec une description standard \
                         et le libellé de la facture. Complétez les travaux et {fix}."
                    ),
                    Language::De => format!(
                        "Es sind keine Arbeiten angegeben. Für Arbeiten ab dem 1. Januar 2024 \
                         (Datum der Arbeiten: {work_date}) melden Sie die wichtigsten Arbeiten der \
                         Rechnung, jede mit einer Standardbeschreibung und dem Wortlaut der \
                         Rechnung. Ergänzen Sie die Arbeiten und {fix}."
                    ),
                    Language::En => format!(
                        "No work is described. For works done on or after 1 January 2024 (work \
                         date: {work_date}), report the main jobs on the invoice, each with a \
                         standard activity code and the invoice's wording. Add the work and \
                         {fix}."
                    ),
                }
            }
            IssueDetail::ActivityUnknown { code } => match lang {
                Language::Nl => format!(
                    "Activiteitscode \"{code}\" is geen standaardomschrijving van werken. Kies \
                     een code uit de lijst (ListActivities) en {fix}."
                ),
                Language::Fr => format!(
                    "Le code d'activité «\u{a0}{code}\u{a0}» ne fait pas partie des descriptions \
                     standard des travaux. Choisissez un code de la liste (ListActivities) et \
                     {fix}."
                ),
                Language::De => format!(
                    "Der Tätigkeitscode „{code}“ gehört nicht zu den Standardbeschreibungen der \
                     Arbeiten. Wählen Sie einen Code aus der Liste (ListActivities) und {fix}."
                ),
                Language::En => format!(
                    "Activity code \"{code}\" is not one of the standard work descriptions. \
                     Choose a code from the list (ListActivities) and {fix}."
                ),
            },
            IssueDetail::FiveDigitOverflow { value } => {
                // SPEC 2.3: a 5-digit odometer is reported as displayed, no digit added.
                let (value, limit) = (f.num(*value), f.num(99_999));
                match lang {
                    Language::Nl => format!(
                        "Kilometerstand {value} telt meer dan 5 cijfers, maar dit voertuig heeft \
                         een kilometerteller met 5 cijfers, die hoogstens {limit} toont. Geef de \
                         stand door zoals hij afgelezen wordt, zonder een cijfer toe te voegen, \
                         en {fix}."
                    ),
                    Language::Fr => format!(
                        "Le kilométrage {value} compte plus de 5 chiffres, mais ce véhicule a un \
                         compteur à 5 chiffres qui affiche au maximum {limit}. Communiquez la \
                         valeur telle qu'elle est affichée, sans ajouter de chiffre, et {fix}."
                    ),
                    Language::De => format!(
                        "Der Kilometerstand {value} hat mehr als 5 Ziffern, aber dieses Fahrzeug \
                         hat einen 5-stelligen Kilometerzähler, der höchstens {limit} anzeigt. \
                         Melden Sie den Wert so, wie er angezeigt wird, ohne eine Ziffer \
                         hinzuzufügen, und {fix}."
                    ),
                    Language::En => format!(
                        "Odometer {value} has more than 5 digits, but this vehicle has a 5-digit \
                         odometer that shows at most {limit}. Report the value exactly as \
                         displayed, without adding a digit, and {fix}."
                    ),
                }
            }
            // SPEC 2.7: an error can be corrected electronically only once; after that the
            // signed standard correction form is needed.
            IssueDetail::CorrectionLimit { issue_number } => match lang {
                Language::Nl => format!(
                    "Fout {issue_number} werd al eens elektronisch beantwoord (met een correctie \
                     of een bevestiging). Een fout kan maar één keer elektronisch verbeterd \
                     worden: vul het standaard correctieformulier in en stuur het ondertekend \
                     terug naar het register."
                ),
                Language::Fr => format!(
                    "L'erreur {issue_number} a déjà reçu une réponse électronique (une \
                     correction ou une confirmation). Une erreur ne peut être corrigée \
                     électroniquement qu'une seule fois\u{a0}: remplissez le formulaire de \
                     correction standard, signez-le et renvoyez-le au registre."
                ),
                Language::De => format!(
                    "Fehler {issue_number} wurde bereits einmal elektronisch beantwortet (mit \
                     einer Korrektur oder einer Bestätigung). Ein Fehler kann nur einmal \
                     elektronisch korrigiert werden: Füllen Sie das Standard-Korrekturformular \
                     aus und senden Sie es unterschrieben an das Register zurück."
                ),
                Language::En => format!(
                    "Issue {issue_number} was already answered electronically once (by a \
                     correction or a confirmation). An issue can be corrected electronically \
                     only once: fill in the standard correction form, sign it and send it to the \
                     registry."
                ),
            },
            // SPEC 2.2: within 5 working days, and since 1 March 2019 immediately.
            IssueDetail::LateSubmission {
                work_date,
                deadline,
                received_on,
            } => {
                let (work_date, deadline, received_on) =
                    (f.date(*work_date), f.date(*deadline), f.date(*received_on));
                match lang {
                    Language::Nl => format!(
                        "Deze kilometerstand voor werken op {work_date} werd ontvangen op \
                         {received_on}, na de uiterste datum van {deadline} (5 werkdagen na de \
                         werken). Geef kilometerstanden onmiddellijk door, terwijl het voertuig \
                         nog in de werkplaats staat."
                    ),
                    Language::Fr => format!(
                        "Ce kilométrage pour des travaux du {work_date} a été reçu le \
                         {received_on}, après la date limite du {deadline} (5 jours ouvrables \
                         après les travaux). Communiquez les kilométrages immédiatement, pendant \
                         que le véhicule est encore à l'atelier."
                    ),
                    Language::De => format!(
                        "Dieser Kilometerstand für Arbeiten am {work_date} ist am {received_on} \
                         eingegangen, nach der Frist vom {deadline} (5 Werktage nach den \
                         Arbeiten). Melden Sie Kilometerstände sofort, solange das Fahrzeug noch \
                         in der Werkstatt ist."
                    ),
                    Language::En => format!(
                        "This reading for works on {work_date} was received on {received_on}, \
                         after the deadline of {deadline} (5 working days after the works). \
                         Report readings immediately, while the vehicle is still in the \
                         workshop."
                    ),
                }
            }
            IssueDetail::BeforeFirstRegistration {
                work_date,
                first_registration,
            } => {
                let (work_date, first) = (f.date(*work_date), f.date(*first_registration));
                match lang {
                    Language::Nl => format!(
                        "De datum van de werken ({work_date}) ligt vóór de eerste inschrijving van \
                         het voertuig op {first}. De kilometerstand wordt bewaard; controleer de \
                         datum van de werken en het chassisnummer."
                    ),
                    Language::Fr => format!(
                        "La date des travaux ({work_date}) est antérieure à la première \
                         immatriculation du véhicule, le {first}. Le kilométrage est \
                         conservé\u{a0}; vérifiez la date des travaux et le numéro de châssis."
                    ),
                    Language::De => format!(
                        "Das Datum der Arbeiten ({work_date}) liegt vor der Erstzulassung des \
                         Fahrzeugs am {first}. Der Kilometerstand wird gespeichert; prüfen Sie \
                         das Datum der Arbeiten und die Fahrgestellnummer."
                    ),
                    Language::En => format!(
                        "Work date {work_date} is before the vehicle's first registration on \
                         {first}. The reading is kept; check the work date and the VIN."
                    ),
                }
            }
            IssueDetail::NotSubject { reason } => {
                let why = not_subject_reason(f, reason);
                let tail = match lang {
                    Language::Nl => "De kilometerstand wordt bewaard; u hoeft niets te doen.",
                    Language::Fr => "Le kilométrage est conservé\u{a0}; vous ne devez rien faire.",
                    Language::De => "Der Kilometerstand wird gespeichert; Sie müssen nichts tun.",
                    Language::En => "The reading is kept; nothing needs to be done.",
                };
                format!("{why} {tail}")
            }
            // SPEC 2.4: private customer and at most 125 EUR VAT included.
            IssueDetail::NotRequired { total_cents } => {
                let (total, limit) = (f.eur(*total_cents), f.eur(EXEMPTION_MAX_CENTS));
                match lang {
                    Language::Nl => format!(
                        "Het doorgeven van deze kilometerstand was niet verplicht: particuliere \
                         klant en totaalbedrag van {total} (hoogstens {limit} btw inbegrepen). De \
                         kilometerstand wordt toch bewaard."
                    ),
                    Language::Fr => format!(
                        "La communication n'était pas obligatoire\u{a0}: client particulier et \
                         montant total de {total} (au maximum {limit} TVA comprise). Le \
                         kilométrage est tout de même conservé."
                    ),
                    Language::De => format!(
                        "Die Meldung war nicht erforderlich: Privatkunde und Gesamtbetrag von \
                         {total} (höchstens {limit} inklusive MwSt.). Der Kilometerstand wird \
                         trotzdem gespeichert."
                    ),
                    Language::En => format!(
                        "Reporting was not required: private customer, total {total} (at most \
                         {limit} VAT included). The reading is kept all the same."
                    ),
                }
            }
        }
    }
}

/// The closing instruction of every correctable issue (SPEC 2.7: entering the issue number,
/// the garage corrects the data the same way it sent it).
fn fix_with_number(lang: Language) -> &'static str {
    match lang {
        Language::Nl => "zet deze fout recht met haar foutnummer",
        Language::Fr => "corrigez cette erreur avec son numéro",
        Language::De => "korrigieren Sie diesen Fehler mit seiner Nummer",
        Language::En => "correct this issue with its number",
    }
}

pub(crate) fn vin_problem(lang: Language, problem: &VinProblem) -> String {
    match problem {
        VinProblem::WrongLength { length } => {
            let n = *length as u64;
            match lang {
                Language::Nl => format!(
                    "het telt {n} {} in plaats van 17",
                    plural(n, "teken", "tekens")
                ),
                // French uses the singular for 0 and 1.
                Language::Fr => format!(
                    "il compte {n} {} au lieu de 17",
                    if n <= 1 { "caractère" } else { "caractères" }
                ),
                Language::De => format!("sie hat {n} Zeichen statt 17"),
                Language::En => format!(
                    "it has {n} {} instead of 17",
                    plural(n, "character", "characters")
                ),
            }
        }
        VinProblem::ForbiddenLetter { letter, position } => match lang {
            Language::Nl => format!(
                "de letter {letter} op positie {position} komt nooit voor in een chassisnummer \
                 (I, O en Q worden niet gebruikt, om verwarring met 1 en 0 te vermijden)"
            ),
            Language::Fr => format!(
                "la lettre {letter} en position {position} n'est jamais utilisée dans un numéro \
                 de châssis (I, O et Q sont exclus pour éviter la confusion avec 1 et 0)"
            ),
            Language::De => format!(
                "der Buchstabe {letter} an Position {position} kommt in einer Fahrgestellnummer \
                 nie vor (I, O und Q werden nicht verwendet, um Verwechslungen mit 1 und 0 zu \
                 vermeiden)"
            ),
            Language::En => format!(
                "the letter {letter} at position {position} is never used in a VIN (I, O and Q \
                 are left out to avoid confusion with 1 and 0)"
            ),
        },
        VinProblem::InvalidCharacter {
            character,
            position,
        } => {
            let c = visible_char(*character);
            match lang {
                Language::Nl => {
                    format!("het teken \"{c}\" op positie {position} is niet toegelaten")
                }
                Language::Fr => format!(
                    "le caractère «\u{a0}{c}\u{a0}» en position {position} n'est pas autorisé"
                ),
                Language::De => {
                    format!("das Zeichen „{c}“ an Position {position} ist nicht zulässig")
                }
                Language::En => {
                    format!("the character \"{c}\" at position {position} is not allowed")
                }
            }
        }
    }
}

/// A space or control character would be invisible in the message: name it by code point.
fn visible_char(c: char) -> String {
    if c.is_whitespace() || c.is_control() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

fn not_subject_reason(f: Formatter, reason: &NotSubjectReason) -> String {
    // SPEC 2.5: passenger cars and light commercial vehicles up to 3.5 t, registered in Belgium.
    match reason {
        NotSubjectReason::Category { category } => match f.0 {
            Language::Nl => format!(
                "Een voertuig van categorie {category} valt niet onder de registratieplicht: \
                 alleen personenwagens en lichte bedrijfsvoertuigen tot 3,5 ton."
            ),
            Language::Fr => format!(
                "Un véhicule de catégorie {category} n'est pas soumis à l'enregistrement du \
                 kilométrage\u{a0}: seuls les voitures et les utilitaires légers jusqu'à 3,5 \
                 tonnes le sont."
            ),
            Language::De => format!(
                "Ein Fahrzeug der Klasse {category} unterliegt nicht der \
                 Kilometerstandsregistrierung: nur Personenkraftwagen und leichte Nutzfahrzeuge \
                 bis 3,5 Tonnen."
            ),
            Language::En => format!(
                "A vehicle of category {category} is not subject to odometer registration: only \
                 passenger cars and light commercial vehicles up to 3.5 tonnes are."
            ),
        },
        NotSubjectReason::MassAbove { mass_kg } => {
            let (mass, limit) = (f.num(u64::from(*mass_kg)), f.num(3_500));
            match f.0 {
                Language::Nl => format!(
                    "De maximaal toegelaten massa van het voertuig ({mass} kg) is hoger dan \
                     {limit} kg: het valt niet onder de registratieplicht."
                ),
                Language::Fr => format!(
                    "La masse maximale autorisée du véhicule ({mass} kg) dépasse {limit} \
                     kg\u{a0}: il n'est pas soumis à l'enregistrement du kilométrage."
                ),
                Language::De => format!(
                    "Die zulässige Gesamtmasse des Fahrzeugs ({mass} kg) liegt über {limit} kg: \
                     es unterliegt nicht der Kilometerstandsregistrierung."
                ),
                Language::En => format!(
                    "The vehicle's maximum authorised mass ({mass} kg) is above {limit} kg: it \
                     is not subject to odometer registration."
                ),
            }
        }
        NotSubjectReason::NeverRegisteredInBelgium => match f.0 {
            Language::Nl => "Het voertuig werd nooit in België ingeschreven: het valt niet onder \
                             de registratieplicht."
                .to_owned(),
            Language::Fr => "Le véhicule n'a jamais été immatriculé en Belgique\u{a0}: il n'est \
                             pas soumis à l'enregistrement du kilométrage."
                .to_owned(),
            Language::De => "Das Fahrzeug war nie in Belgien zugelassen: es unterliegt nicht der \
                             Kilometerstandsregistrierung."
                .to_owned(),
            Language::En => "The vehicle was never registered in Belgium: it is not subject to \
                             odometer registration."
                .to_owned(),
        },
    }
}

/// ISO 8601 dates in the stored JSON, independent of chrono's optional `serde` feature.
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&date.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// One sample of every variant (and of every sub-case that changes the text), with the
    /// pieces its message must contain in nl, fr, de and en, written out by hand so that a
    /// formatting bug cannot hide behind the same formatter on both sides.
    fn cases() -> Vec<(IssueDetail, [Vec<&'static str>; 4])> {
        use OdometerUnit::{Km, Mi};
        vec![
            (
                IssueDetail::VinInvalid {
                    vin: "WVWZZZ1JZ3W38675".into(),
                    problem: VinProblem::WrongLength { length: 16 },
                },
                [
                    vec!["WVWZZZ1JZ3W38675", "16 tekens", "17"],
                    vec!["WVWZZZ1JZ3W38675", "16 caractères", "17"],
                    vec!["WVWZZZ1JZ3W38675", "16 Zeichen", "17"],
                    vec!["WVWZZZ1JZ3W38675", "16 characters", "17"],
                ],
            ),
            (
                IssueDetail::VinInvalid {
                    vin: "WVWZOZ1JZ3W386752".into(),
                    problem: VinProblem::ForbiddenLetter {
                        letter: 'O',
                        position: 5,
                    },
                },
                [
                    vec!["WVWZOZ1JZ3W386752", "letter O op positie 5"],
                    vec!["WVWZOZ1JZ3W386752", "lettre O en position 5"],
                    vec!["WVWZOZ1JZ3W386752", "Buchstabe O an Position 5"],
                    vec!["WVWZOZ1JZ3W386752", "letter O at position 5"],
                ],
            ),
            (
                IssueDetail::VinInvalid {
                    vin: "WVWZZZ1J-3W386752".into(),
                    problem: VinProblem::InvalidCharacter {
                        character: '-',
                        position: 9,
                    },
                },
                [
                    vec!["WVWZZZ1J-3W386752", "teken \"-\" op positie 9"],
                    vec![
                        "WVWZZZ1J-3W386752",
                        "caractère «\u{a0}-\u{a0}» en position 9",
                    ],
                    vec!["WVWZZZ1J-3W386752", "Zeichen „-“ an Position 9"],
                    vec!["WVWZZZ1J-3W386752", "character \"-\" at position 9"],
                ],
            ),
            (
                IssueDetail::VinInvalid {
                    vin: "WV ZZZ1JZ3W386752".into(),
                    problem: VinProblem::InvalidCharacter {
                        character: ' ',
                        position: 3,
                    },
                },
                [
                    vec!["U+0020", "positie 3"],
                    vec!["U+0020", "position 3"],
                    vec!["U+0020", "Position 3"],
                    vec!["U+0020", "position 3"],
                ],
            ),
            (
                IssueDetail::VinUnknown {
                    vin: "WVWZZZ1JZ3W386752".into(),
                    days: 30,
                },
                [
                    vec!["WVWZZZ1JZ3W386752", "30 dagen"],
                    vec!["WVWZZZ1JZ3W386752", "30 jours"],
                    vec!["WVWZZZ1JZ3W386752", "30 Tage"],
                    vec!["WVWZZZ1JZ3W386752", "30 days"],
                ],
            ),
            (
                IssueDetail::WorkDateFuture {
                    work_date: date(2024, 3, 12),
                    today: date(2024, 3, 2),
                },
                [
                    vec!["12/03/2024", "02/03/2024"],
                    vec!["12/03/2024", "02/03/2024"],
                    vec!["12.03.2024", "02.03.2024"],
                    vec!["2024-03-12", "2024-03-02"],
                ],
            ),
            (
                IssueDetail::OdometerInvalid {
                    value: 2_345_678,
                    unit: Km,
                    max: 2_000_000,
                },
                [
                    vec!["2.345.678 km", "2.000.000 km"],
                    vec!["2\u{a0}345\u{a0}678 km", "2\u{a0}000\u{a0}000 km"],
                    vec!["2.345.678 km", "2.000.000 km"],
                    vec!["2,345,678 km", "2,000,000 km"],
                ],
            ),
            (
                IssueDetail::OdometerInvalid {
                    value: 1_500_000,
                    unit: Mi,
                    max: 1_242_742,
                },
                [
                    vec!["1.500.000 mi", "1.242.742 mi"],
                    vec!["1\u{a0}500\u{a0}000 mi", "1\u{a0}242\u{a0}742 mi"],
                    vec!["1.500.000 mi", "1.242.742 mi"],
                    vec!["1,500,000 mi", "1,242,742 mi"],
                ],
            ),
            (
                IssueDetail::OdometerRollback {
                    value: 45_210,
                    unit: Km,
                    earlier_value: 47_500,
                    earlier_unit: Km,
                    earlier_date: date(2024, 3, 2),
                },
                [
                    vec!["45.210 km", "47.500 km", "02/03/2024"],
                    vec!["45\u{a0}210 km", "47\u{a0}500 km", "02/03/2024"],
                    vec!["45.210 km", "47.500 km", "02.03.2024"],
                    vec!["45,210 km", "47,500 km", "2024-03-02"],
                ],
            ),
            (
                IssueDetail::OdometerAboveLater {
                    value: 98_765,
                    unit: Mi,
                    later_value: 91_000,
                    later_unit: Mi,
                    later_date: date(2024, 11, 15),
                },
                [
                    vec!["98.765 mi", "91.000 mi", "15/11/2024"],
                    vec!["98\u{a0}765 mi", "91\u{a0}000 mi", "15/11/2024"],
                    vec!["98.765 mi", "91.000 mi", "15.11.2024"],
                    vec!["98,765 mi", "91,000 mi", "2024-11-15"],
                ],
            ),
            (
                IssueDetail::OdometerImplausibleRate {
                    value: 152_300,
                    unit: Km,
                    previous_value: 12_300,
                    previous_unit: Km,
                    previous_date: date(2024, 6, 1),
                    km_per_day: 4_667,
                    max_km_per_day: 2_000,
                },
                [
                    vec![
                        "152.300 km",
                        "12.300 km",
                        "01/06/2024",
                        "4.667 km",
                        "2.000 km",
                    ],
                    vec![
                        "152\u{a0}300 km",
                        "12\u{a0}300 km",
                        "01/06/2024",
                        "4\u{a0}667 km",
                        "2\u{a0}000 km",
                    ],
                    vec![
                        "152.300 km",
                        "12.300 km",
                        "01.06.2024",
                        "4.667 km",
                        "2.000 km",
                    ],
                    vec![
                        "152,300 km",
                        "12,300 km",
                        "2024-06-01",
                        "4,667 km",
                        "2,000 km",
                    ],
                ],
            ),
            (
                IssueDetail::WorkMissing {
                    work_date: date(2024, 2, 29),
                },
                [
                    vec!["29/02/2024", "2024"],
                    vec!["29/02/2024", "2024"],
                    vec!["29.02.2024", "2024"],
                    vec!["2024-02-29", "2024"],
                ],
            ),
            (
                IssueDetail::ActivityUnknown {
                    code: "CAR_WASH".into(),
                },
                [
                    vec!["CAR_WASH", "ListActivities"],
                    vec!["CAR_WASH", "ListActivities"],
                    vec!["CAR_WASH", "ListActivities"],
                    vec!["CAR_WASH", "ListActivities"],
                ],
            ),
            (
                IssueDetail::FiveDigitOverflow { value: 123_456 },
                [
                    vec!["123.456", "99.999", "5 cijfers"],
                    vec!["123\u{a0}456", "99\u{a0}999", "5 chiffres"],
                    vec!["123.456", "99.999", "5 Ziffern"],
                    vec!["123,456", "99,999", "5 digits"],
                ],
            ),
            (
                IssueDetail::CorrectionLimit {
                    issue_number: "4827193".into(),
                },
                [
                    vec!["4827193", "correctieformulier", "ondertekend"],
                    vec!["4827193", "formulaire de correction", "signez"],
                    vec!["4827193", "Korrekturformular", "unterschrieben"],
                    vec!["4827193", "correction form", "sign"],
                ],
            ),
            (
                IssueDetail::LateSubmission {
                    work_date: date(2024, 12, 20),
                    deadline: date(2024, 12, 30),
                    received_on: date(2025, 1, 6),
                },
                [
                    vec!["20/12/2024", "30/12/2024", "06/01/2025", "5 werkdagen"],
                    vec![
                        "20/12/2024",
                        "30/12/2024",
                        "06/01/2025",
                        "5 jours ouvrables",
                    ],
                    vec!["20.12.2024", "30.12.2024", "06.01.2025", "5 Werktage"],
                    vec!["2024-12-20", "2024-12-30", "2025-01-06", "5 working days"],
                ],
            ),
            (
                IssueDetail::BeforeFirstRegistration {
                    work_date: date(2019, 5, 1),
                    first_registration: date(2020, 2, 14),
                },
                [
                    vec!["01/05/2019", "14/02/2020"],
                    vec!["01/05/2019", "14/02/2020"],
                    vec!["01.05.2019", "14.02.2020"],
                    vec!["2019-05-01", "2020-02-14"],
                ],
            ),
            (
                IssueDetail::NotSubject {
                    reason: NotSubjectReason::Category {
                        category: "L3e".into(),
                    },
                },
                [
                    vec!["L3e", "3,5 ton"],
                    vec!["L3e", "3,5 tonnes"],
                    vec!["L3e", "3,5 Tonnen"],
                    vec!["L3e", "3.5 tonnes"],
                ],
            ),
            (
                IssueDetail::NotSubject {
                    reason: NotSubjectReason::MassAbove { mass_kg: 7_500 },
                },
                [
                    vec!["7.500 kg", "3.500 kg"],
                    vec!["7\u{a0}500 kg", "3\u{a0}500 kg"],
                    vec!["7.500 kg", "3.500 kg"],
                    vec!["7,500 kg", "3,500 kg"],
                ],
            ),
            (
                IssueDetail::NotSubject {
                    reason: NotSubjectReason::NeverRegisteredInBelgium,
                },
                [
                    vec!["nooit in België"],
                    vec!["jamais été immatriculé en Belgique"],
                    vec!["nie in Belgien"],
                    vec!["never registered in Belgium"],
                ],
            ),
            (
                IssueDetail::NotRequired { total_cents: 9_850 },
                [
                    vec!["98,50 EUR", "125,00 EUR", "particuliere klant"],
                    vec!["98,50 EUR", "125,00 EUR", "client particulier"],
                    vec!["98,50 EUR", "125,00 EUR", "Privatkunde"],
                    vec!["98.50 EUR", "125.00 EUR", "private customer"],
                ],
            ),
        ]
    }

    #[test]
    fn the_samples_cover_every_issue_code() {
        let covered: HashSet<_> = cases().iter().map(|(d, _)| d.code()).collect();
        assert_eq!(covered, IssueCode::ALL.into_iter().collect());
    }

    #[test]
    fn every_variant_renders_its_key_numbers_formatted_for_every_language() {
        for (detail, expected) in cases() {
            for (lang, pieces) in Language::ALL.into_iter().zip(expected) {
                let message = detail.message(lang);
                assert!(!message.trim().is_empty(), "{detail:?} {lang:?}");
                for piece in pieces {
                    assert!(
                        message.contains(piece),
                        "{lang:?} message for {detail:?} lacks {piece:?}:\n{message}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_message_is_a_finished_sentence_without_placeholders() {
        for (detail, _) in cases() {
            for lang in Language::ALL {
                let message = detail.message(lang);
                assert!(message.ends_with('.'), "{lang:?}: {message}");
                assert!(!message.contains(['{', '}']), "{lang:?}: {message}");
                assert!(!message.contains("  "), "{lang:?}: {message}");
            }
        }
    }

    #[test]
    fn the_four_languages_give_four_different_messages() {
        for (detail, _) in cases() {
            let messages: HashSet<_> = Language::ALL.map(|l| detail.message(l)).into();
            assert_eq!(messages.len(), 4, "{detail:?}");
        }
    }

    #[test]
    fn correctable_issues_and_only_those_ask_for_a_correction_with_the_issue_number() {
        for (detail, _) in cases() {
            for lang in Language::ALL {
                let asks = detail.message(lang).contains(fix_with_number(lang));
                assert_eq!(asks, detail.code().correctable(), "{detail:?} {lang:?}");
            }
        }
    }

    #[test]
    fn the_english_rollback_message_reads_as_the_catalog_example() {
        let detail = IssueDetail::OdometerRollback {
            value: 45_210,
            unit: OdometerUnit::Km,
            earlier_value: 47_500,
            earlier_unit: OdometerUnit::Km,
            earlier_date: date(2024, 3, 2),
        };
        assert_eq!(
            detail.message(Language::En),
            "Odometer 45,210 km is lower than 47,500 km registered on 2024-03-02 for the same \
             odometer. Check the value on the dashboard and correct this issue with its number; \
             if the value is right, confirm it."
        );
    }

    #[test]
    fn the_dutch_messages_use_the_car_pass_vocabulary() {
        let vin = IssueDetail::VinUnknown {
            vin: "WVWZZZ1JZ3W386752".into(),
            days: 30,
        };
        assert!(vin.message(Language::Nl).contains("chassisnummer"));
        let odo = IssueDetail::FiveDigitOverflow { value: 100_000 };
        assert!(odo
            .message(Language::Nl)
            .starts_with("Kilometerstand 100.000"));
        assert!(odo
            .message(Language::Fr)
            .starts_with("Le kilométrage 100\u{a0}000"));
    }

    #[test]
    fn every_variant_survives_a_json_round_trip() {
        for (detail, _) in cases() {
            let json = serde_json::to_string(&detail).unwrap();
            let back: IssueDetail = serde_json::from_str(&json).unwrap();
            assert_eq!(back, detail, "{json}");
        }
    }

    #[test]
    fn code_agrees_with_the_json_tag() {
        for (detail, _) in cases() {
            let json = serde_json::to_value(&detail).unwrap();
            assert_eq!(json["code"], detail.code().as_str(), "{json}");
        }
    }

    #[test]
    fn stored_json_has_the_code_tag_snake_case_fields_and_iso_dates() {
        let detail = IssueDetail::OdometerRollback {
            value: 45_210,
            unit: OdometerUnit::Km,
            earlier_value: 47_500,
            earlier_unit: OdometerUnit::Km,
            earlier_date: date(2024, 3, 2),
        };
        assert_eq!(
            serde_json::to_value(&detail).unwrap(),
            serde_json::json!({
                "code": "ODOMETER_ROLLBACK",
                "value": 45210,
                "unit": "km",
                "earlier_value": 47500,
                "earlier_unit": "km",
                "earlier_date": "2024-03-02",
            })
        );
    }

    #[test]
    fn nested_reasons_and_vin_problems_keep_their_own_tags_in_json() {
        let not_subject = IssueDetail::NotSubject {
            reason: NotSubjectReason::MassAbove { mass_kg: 7_500 },
        };
        assert_eq!(
            serde_json::to_value(&not_subject).unwrap(),
            serde_json::json!({
                "code": "NOT_SUBJECT",
                "reason": { "kind": "mass_above", "mass_kg": 7500 },
            })
        );
        let vin = IssueDetail::VinInvalid {
            vin: "ABC".into(),
            problem: VinProblem::WrongLength { length: 3 },
        };
        assert_eq!(
            serde_json::to_value(&vin).unwrap(),
            serde_json::json!({
                "code": "VIN_INVALID",
                "vin": "ABC",
                "problem": { "problem": "wrong_length", "length": 3 },
            })
        );
    }

    #[test]
    fn the_unknown_activity_code_is_stored_as_activity_code_beside_the_tag() {
        let detail = IssueDetail::ActivityUnknown {
            code: "CAR_WASH".into(),
        };
        assert_eq!(
            serde_json::to_value(&detail).unwrap(),
            serde_json::json!({ "code": "ACTIVITY_UNKNOWN", "activity_code": "CAR_WASH" })
        );
    }

    #[test]
    fn json_with_an_unknown_code_or_a_malformed_date_is_refused() {
        for json in [
            r#"{"code":"ODOMETER_SPIN","value":1}"#,
            r#"{"code":"WORK_MISSING","work_date":"02/03/2024"}"#,
            r#"{"code":"WORK_MISSING","work_date":"2024-02-30"}"#,
        ] {
            assert!(serde_json::from_str::<IssueDetail>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn severity_and_correctable_match_the_spec_4_catalog_exactly() {
        use Severity::{Error, Info, Warning};
        let catalog = [
            ("VIN_INVALID", Error, true),
            ("VIN_UNKNOWN", Error, true),
            ("WORK_DATE_FUTURE", Error, true),
            ("ODOMETER_INVALID", Error, true),
            ("ODOMETER_ROLLBACK", Error, true),
            ("ODOMETER_ABOVE_LATER", Error, true),
            ("ODOMETER_IMPLAUSIBLE_RATE", Error, true),
            ("WORK_MISSING", Error, true),
            ("ACTIVITY_UNKNOWN", Error, true),
            ("FIVE_DIGIT_OVERFLOW", Error, true),
            ("CORRECTION_LIMIT", Error, false),
            ("LATE_SUBMISSION", Warning, false),
            ("BEFORE_FIRST_REGISTRATION", Warning, false),
            ("NOT_SUBJECT", Warning, false),
            ("NOT_REQUIRED", Info, false),
        ];
        assert_eq!(IssueCode::ALL.len(), catalog.len());
        for (code, (text, severity, correctable)) in IssueCode::ALL.into_iter().zip(catalog) {
            assert_eq!(code.as_str(), text);
            assert_eq!(code.severity(), severity, "{text}");
            assert_eq!(code.correctable(), correctable, "{text}");
        }
    }

    #[test]
    fn every_issue_code_round_trips_through_its_string() {
        for code in IssueCode::ALL {
            assert_eq!(IssueCode::parse(code.as_str()), Some(code));
        }
        for text in ["vin_invalid", "VIN-INVALID", " VIN_INVALID", ""] {
            assert_eq!(IssueCode::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn every_severity_round_trips_through_its_string() {
        let texts: Vec<_> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts, ["Error", "Warning", "Info"]);
        for severity in Severity::ALL {
            assert_eq!(Severity::parse(severity.as_str()), Some(severity));
        }
        assert_eq!(Severity::parse("ERROR"), None);
    }

    #[test]
    fn thousands_are_grouped_in_threes_from_the_right() {
        let en = Formatter(Language::En);
        assert_eq!(en.num(0), "0");
        assert_eq!(en.num(999), "999");
        assert_eq!(en.num(1_000), "1,000");
        assert_eq!(en.num(99_999), "99,999");
        assert_eq!(en.num(1_234_567), "1,234,567");
        assert_eq!(en.num(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(Formatter(Language::Nl).num(45_210), "45.210");
        assert_eq!(Formatter(Language::De).num(45_210), "45.210");
        assert_eq!(Formatter(Language::Fr).num(45_210), "45\u{a0}210");
    }

    #[test]
    fn amounts_have_two_decimals_and_the_language_decimal_separator() {
        let nl = Formatter(Language::Nl);
        let en = Formatter(Language::En);
        assert_eq!(nl.eur(12_500), "125,00 EUR");
        assert_eq!(en.eur(12_500), "125.00 EUR");
        assert_eq!(nl.eur(0), "0,00 EUR");
        assert_eq!(nl.eur(5), "0,05 EUR");
        assert_eq!(nl.eur(125_000), "1.250,00 EUR");
        assert_eq!(en.eur(125_000), "1,250.00 EUR");
        assert_eq!(Formatter(Language::Fr).eur(125_099), "1\u{a0}250,99 EUR");
        assert_eq!(nl.eur(-9_850), "-98,50 EUR");
        assert_eq!(en.eur(i64::MIN), "-92,233,720,368,547,758.08 EUR");
    }

    #[test]
    fn dates_are_written_as_each_language_expects() {
        let d = date(2024, 3, 2);
        assert_eq!(Formatter(Language::Nl).date(d), "02/03/2024");
        assert_eq!(Formatter(Language::Fr).date(d), "02/03/2024");
        assert_eq!(Formatter(Language::De).date(d), "02.03.2024");
        assert_eq!(Formatter(Language::En).date(d), "2024-03-02");
    }

    #[test]
    fn a_one_character_vin_is_described_in_the_singular() {
        let detail = IssueDetail::VinInvalid {
            vin: "A".into(),
            problem: VinProblem::WrongLength { length: 1 },
        };
        assert!(detail.message(Language::Nl).contains("1 teken in plaats"));
        assert!(detail.message(Language::Fr).contains("1 caractère au lieu"));
        assert!(detail.message(Language::En).contains("1 character instead"));
    }
}
