//! Issuing and verifying Car-Passes (issue 21, SPEC 2.12): a request registers its reading
//! like any other (source `car_pass`), then the document is made from the history as it stands
//! and recorded with what it printed, who asked and what it cost; anyone can check an ID.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::db::car_passes::{self, CarPassRow};
use crate::db::{readings, vehicles, DbConnection};
use crate::domain::calendar::brussels_date;
use crate::domain::car_pass::CarPass;
use crate::domain::car_pass_id::{CarPassId, CarPassIdError};
use crate::domain::country::Country;
use crate::domain::format::Formatter;
use crate::domain::issue::{IssueCode, IssueDetail};
use crate::domain::issuing::{self, StoredReading};
use crate::domain::language::{Language, Text};
use crate::domain::odometer::OdometerUnit;
use crate::domain::rdw::{RdwJudgment, RdwVerdict};
use crate::domain::reading::{ClientReference, CustomerType, ReadingInput, Submission};
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;
use crate::domain::vin::Vin;

use super::inflow;
use super::recalls;
use super::receipts::Receipt;
use super::{Caller, ServiceError};

/// What a Car-Pass request carries (the law: each Car-Pass is asked separately, with the VIN
/// and the odometer as read now).
#[derive(Debug, Clone)]
pub struct Request {
    pub client_reference: ClientReference,
    pub vin: String,
    pub date: NaiveDate,
    pub odometer: u64,
    pub unit: OdometerUnit,
}

/// Why no Car-Pass was issued; nothing was charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotIssued {
    /// Nothing stored: the clerk retypes the VIN.
    VinInvalid(String),
    /// Nothing stored: the reading is taken now, not later.
    DateFuture { date: NaiveDate, today: NaiveDate },
    /// Nothing stored: no odometer shows that much.
    OdometerInvalid { value: u64, unit: OdometerUnit },
    /// The reading is stored and waits for the vehicle to be registered.
    VehicleNotRegistered,
    /// The ClientReference names a reading that was not a Car-Pass request.
    ReferenceUsed,
}

impl NotIssued {
    pub const CODES: [&'static str; 5] = [
        "VIN_INVALID",
        "WORK_DATE_FUTURE",
        "ODOMETER_INVALID",
        "VEHICLE_NOT_REGISTERED",
        "REFERENCE_USED",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            NotIssued::VinInvalid(_) => "VIN_INVALID",
            NotIssued::DateFuture { .. } => "WORK_DATE_FUTURE",
            NotIssued::OdometerInvalid { .. } => "ODOMETER_INVALID",
            NotIssued::VehicleNotRegistered => "VEHICLE_NOT_REGISTERED",
            NotIssued::ReferenceUsed => "REFERENCE_USED",
        }
    }

    pub fn message(&self, lang: Language) -> String {
        let f = Formatter(lang);
        let nothing = Text {
            nl: "Er werd niets geregistreerd of aangerekend.",
            fr: "Rien n'a été enregistré ni facturé.",
            de: "Es wurde nichts registriert oder berechnet.",
            en: "Nothing was registered or charged.",
        }
        .get(lang);
        match self {
            NotIssued::VinInvalid(vin) => {
                let text = Text {
                    nl: "is geen geldig chassisnummer (17 tekens A-Z en 0-9, zonder I, O en Q); lees het opnieuw af van het voertuig.",
                    fr: "n'est pas un numéro de châssis valable (17 caractères A-Z et 0-9, sans I, O ni Q) ; relisez-le sur le véhicule.",
                    de: "ist keine gültige Fahrgestellnummer (17 Zeichen A-Z und 0-9, ohne I, O und Q); lesen Sie sie am Fahrzeug erneut ab.",
                    en: "is not a valid VIN (17 characters A-Z and 0-9, without I, O and Q); read it again from the vehicle.",
                };
                format!("'{vin}' {} {nothing}", text.get(lang))
            }
            NotIssued::DateFuture { date, today } => {
                let text = Text {
                    nl: "ligt na vandaag",
                    fr: "est postérieure à aujourd'hui",
                    de: "liegt nach heute",
                    en: "is after today",
                };
                format!(
                    "{} {} ({}): {}. {nothing}",
                    f.date(*date),
                    text.get(lang),
                    f.date(*today),
                    Text {
                        nl: "geef de datum waarop de teller werd afgelezen",
                        fr: "indiquez la date du relevé du compteur",
                        de: "geben Sie das Datum der Ablesung an",
                        en: "send the date the odometer was read",
                    }
                    .get(lang)
                )
            }
            NotIssued::OdometerInvalid { value, unit } => {
                let text = Text {
                    nl: "is geen mogelijke kilometerstand; lees de teller opnieuw af.",
                    fr: "n'est pas un relevé possible ; relisez le compteur.",
                    de: "ist kein möglicher Kilometerstand; lesen Sie den Zähler erneut ab.",
                    en: "is not a possible odometer value; read the odometer again.",
                };
                format!("{} {} {nothing}", f.odo(*value, *unit), text.get(lang))
            }
            NotIssued::VehicleNotRegistered => Text {
                nl: "Dit voertuig staat nog niet in het voertuigregister: er werd geen Car-Pass uitgereikt en niets aangerekend. De kilometerstand werd wel geregistreerd en wacht op de inschrijving; vraag de Car-Pass opnieuw aan (met een nieuwe ClientReference) zodra het voertuig ingeschreven is.",
                fr: "Ce véhicule n'est pas encore dans le registre des véhicules : aucun Car-Pass n'a été délivré ni facturé. Le relevé a bien été enregistré et attend l'immatriculation ; demandez à nouveau le Car-Pass (avec une nouvelle ClientReference) dès que le véhicule est immatriculé.",
                de: "Dieses Fahrzeug ist noch nicht im Fahrzeugregister: Es wurde kein Car-Pass ausgestellt und nichts berechnet. Der Kilometerstand wurde registriert und wartet auf die Zulassung; beantragen Sie den Car-Pass erneut (mit einer neuen ClientReference), sobald das Fahrzeug zugelassen ist.",
                en: "This vehicle is not in the vehicle register yet: no Car-Pass was issued and nothing was charged. The reading was registered and waits for the registration; ask for the Car-Pass again (with a new ClientReference) once the vehicle is registered.",
            }
            .get(lang)
            .to_owned(),
            NotIssued::ReferenceUsed => Text {
                nl: "Deze ClientReference werd al gebruikt voor een kilometerstand die geen Car-Pass-aanvraag was: er werd niets uitgereikt of aangerekend. Gebruik een nieuwe ClientReference.",
                fr: "Cette ClientReference a déjà servi pour un relevé qui n'était pas une demande de Car-Pass : rien n'a été délivré ni facturé. Utilisez une nouvelle ClientReference.",
                de: "Diese ClientReference wurde bereits für einen Kilometerstand verwendet, der kein Car-Pass-Antrag war: Es wurde nichts ausgestellt oder berechnet. Verwenden Sie eine neue ClientReference.",
                en: "This ClientReference was already used for a reading that was not a Car-Pass request: nothing was issued or charged. Use a new ClientReference.",
            }
            .get(lang)
            .to_owned(),
        }
    }
}

/// An earlier Car-Pass of the same vehicle that is still valid: the seller need not pay twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earlier {
    pub id: String,
    pub issued_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Issued {
        receipt: Receipt,
        pass: Box<CarPass>,
        earlier: Option<Earlier>,
    },
    NotIssued {
        /// The stored reading's receipt, when it was stored.
        receipt: Option<Receipt>,
        reason: NotIssued,
    },
}

/// Registers the request's reading and issues the Car-Pass, in one transaction: a Car-Pass is
/// never recorded without its reading, nor charged twice for one ClientReference.
pub fn request(
    conn: &mut DbConnection,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Outcome, ServiceError> {
    crate::db::writing(conn, |conn| {
        let language = caller.language;
        let reference = request.client_reference.as_str();
        if let Some(existing) =
            readings::find_by_client_reference(conn, caller.account.id, reference)?
        {
            let receipt = super::receipts::original(conn, &existing, language)?;
            return match car_passes::find_by_reading(conn, &existing.id)? {
                Some(row) => {
                    let before = row.issued_at;
                    let pass = document(&row)?;
                    let earlier = earlier(conn, &row.vin, before, &row.id)?;
                    Ok(Outcome::Issued {
                        receipt,
                        pass: Box::new(pass),
                        earlier,
                    })
                }
                None => Ok(Outcome::NotIssued {
                    reason: if existing.status == ReadingStatus::WaitingForRegistration.as_str()
                        && existing.source == ReadingSource::CarPass.as_str()
                    {
                        NotIssued::VehicleNotRegistered
                    } else {
                        NotIssued::ReferenceUsed
                    },
                    receipt: Some(receipt),
                }),
            };
        }
        let input = ReadingInput {
            vin: request.vin.clone(),
            work_date: request.date,
            odometer: request.odometer,
            unit: request.unit,
            odometer_replaced: None,
            subcontracted: false,
            customer_type: CustomerType::Business,
            invoice_total_cents: 0,
            works: Vec::new(),
            license_plate: None,
            source: ReadingSource::CarPass,
        };
        let today = brussels_date(now);
        // What makes the reading meaningless is refused before anything is stored.
        let predicted = inflow::evaluate(
            conn,
            &input,
            crate::domain::rules::Dates {
                today,
                received_on: today,
            },
        )?;
        for finding in &predicted.findings {
            let reason = match &finding.detail {
                IssueDetail::VinInvalid { .. } => NotIssued::VinInvalid(request.vin.clone()),
                IssueDetail::WorkDateFuture { .. } => NotIssued::DateFuture {
                    date: request.date,
                    today,
                },
                d if d.code() == IssueCode::OdometerInvalid => NotIssued::OdometerInvalid {
                    value: request.odometer,
                    unit: request.unit,
                },
                _ => continue,
            };
            return Ok(Outcome::NotIssued {
                receipt: None,
                reason,
            });
        }
        let submission = Submission {
            client_reference: request.client_reference.clone(),
            reading: input,
        };
        let receipt = inflow::submit(conn, caller, &[submission], now)?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::Corrupt("a submission without a receipt".into()))?;
        let vin = Vin::parse(&request.vin).map_err(|e| ServiceError::Corrupt(e.to_string()))?;
        let vehicle = match vehicles::find(conn, &vin)? {
            Some(vehicle) if receipt.status != ReadingStatus::WaitingForRegistration => vehicle,
            _ => {
                return Ok(Outcome::NotIssued {
                    receipt: Some(receipt),
                    reason: NotIssued::VehicleNotRegistered,
                })
            }
        };
        let history = stored_readings(conn, vin.as_str())?;
        let earlier = earlier(conn, vin.as_str(), now.naive_utc(), "")?;
        let id = new_id(conn)?;
        let mut pass = issuing::issue(&id, &vehicle, &history, &receipt.reading_id, now);
        pass.mentions.open_recalls = recalls::open_for_car_pass(conn, vin.as_str(), language)?;
        pass.mentions.post_accident_pending = super::post_accident::pending_of(conn, vin.as_str())?;
        pass.mentions.rdw_verdict = rdw_judgment(conn, vin.as_str())?;
        let document =
            serde_json::to_string(&pass).map_err(|e| ServiceError::Corrupt(e.to_string()))?;
        car_passes::insert(
            conn,
            &CarPassRow {
                id: id.compact().to_owned(),
                vin: vin.as_str().to_owned(),
                reading_id: receipt.reading_id.clone(),
                account_id: caller.account.id,
                company_id: caller.account.company_id,
                issued_at: now.naive_utc(),
                valid_until: pass.valid_until,
                price_cents: pass.price_cents,
                language: language.as_str().to_owned(),
                document,
            },
        )?;
        Ok(Outcome::Issued {
            receipt,
            pass: Box::new(pass),
            earlier,
        })
    })
}

/// A random ID never issued before (a clash among 10^12 is rare; the key would refuse one).
fn new_id(conn: &mut DbConnection) -> Result<CarPassId, ServiceError> {
    let mut rng = rand::thread_rng();
    loop {
        let id = CarPassId::random(&mut rng);
        if car_passes::find(conn, id.compact())?.is_none() {
            return Ok(id);
        }
    }
}

/// The latest other Car-Pass of the VIN that was still valid at `at` (issued up to then).
fn earlier(
    conn: &mut DbConnection,
    vin: &str,
    at: NaiveDateTime,
    except: &str,
) -> Result<Option<Earlier>, ServiceError> {
    let today = brussels_date(at.and_utc());
    Ok(
        car_passes::latest_valid(conn, vin, today, at, except)?.and_then(|row| {
            let id = CarPassId::parse(&row.id).ok()?;
            Some(Earlier {
                id: id.to_string(),
                issued_at: row.issued_at.and_utc(),
                valid_until: row.valid_until,
            })
        }),
    )
}

/// Every reading of the VIN with what a Car-Pass prints of it.
fn stored_readings(conn: &mut DbConnection, vin: &str) -> Result<Vec<StoredReading>, ServiceError> {
    let works = car_passes::works_of_vin(conn, vin)?;
    // A foreign reading is registered by the foreign registry or garage, in its country.
    let foreign = crate::db::foreign_readings::of_vin(conn, vin)?;
    car_passes::readings_of(conn, vin)?
        .into_iter()
        .map(
            |(id, date, odometer, unit, replaced, source, status, received_at, company)| {
                let corrupt = |what: &str| ServiceError::Corrupt(format!("reading {id}: {what}"));
                let abroad = foreign.iter().find(|(reading, _, _)| *reading == id);
                let country = abroad
                    .map(|(_, country, _)| Country::parse(country).map_err(|e| corrupt(&e)))
                    .transpose()?;
                Ok(StoredReading {
                    country,
                    works: works
                        .iter()
                        .filter(|(reading, _)| *reading == id)
                        .map(|(_, description)| description.clone())
                        .collect(),
                    date,
                    odometer: odometer.max(0) as u64,
                    unit: OdometerUnit::parse(&unit).ok_or_else(|| corrupt("unit"))?,
                    odometer_replaced: replaced.map(|r| r.max(0) as u64),
                    source: ReadingSource::parse(&source).ok_or_else(|| corrupt("source"))?,
                    status: ReadingStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
                    received_at,
                    // The RDW's file was brought in under the registry's account; the RDW
                    // registered the reading. A foreign reading names its registry or garage.
                    registered_by: if source == ReadingSource::Rdw.as_str() {
                        crate::document::words::RDW_NAME.to_owned()
                    } else {
                        abroad.map_or(company, |(_, _, by)| by.clone())
                    },
                    reading_id: id,
                })
            },
        )
        .collect()
}

/// The RDW's latest verdict on the VIN, if an imported file gave one.
fn rdw_judgment(conn: &mut DbConnection, vin: &str) -> Result<Option<RdwJudgment>, ServiceError> {
    crate::db::rdw::latest_verdict(conn, vin)?
        .map(|(stored, judged_on)| {
            let verdict = RdwVerdict::parse(&stored)
                .ok_or_else(|| ServiceError::Corrupt(format!("RDW verdict {stored:?} of {vin}")))?;
            Ok(RdwJudgment { verdict, judged_on })
        })
        .transpose()
}

fn document(row: &CarPassRow) -> Result<CarPass, ServiceError> {
    serde_json::from_str(&row.document)
        .map_err(|e| ServiceError::Corrupt(format!("Car-Pass {}: {e}", row.id)))
}

/// A Car-Pass as recorded: what it printed, and who asked for it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub pass: CarPass,
    pub account_id: i64,
    pub company_id: i64,
    pub language: Language,
}

/// The Car-Pass with this ID, for its PDF and for staff.
pub fn find(conn: &mut DbConnection, id: &CarPassId) -> Result<Option<Recorded>, ServiceError> {
    car_passes::find(conn, id.compact())?
        .map(|row| {
            Ok(Recorded {
                pass: document(&row)?,
                account_id: row.account_id,
                company_id: row.company_id,
                language: Language::parse(&row.language).unwrap_or_default(),
            })
        })
        .transpose()
}

/// Verification (issue 21, point 5): one client may look up this many IDs that were never
/// issued within `MISS_WINDOW`; after that it is answered "wait" until the oldest leaves the
/// window. A buyer mistypes now and then; a guesser needs millions of tries per hit.
pub const MISSES_ALLOWED: i64 = 20;
pub const MISS_WINDOW_MINUTES: i64 = 10;

/// What a verification finds.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Issued and still valid, or expired (the caller decides how much to show).
    Found { pass: Box<CarPass>, valid: bool },
    /// The check digit does not match: a typo, or not a Car-Pass ID at all.
    Mistyped(CarPassIdError),
    /// A well-formed ID that was never issued: probably a forgery.
    Unknown,
    /// Too many unknown IDs from this client: try again after this many seconds.
    HeldBack { retry_after_secs: u64 },
}

/// Looks an ID up for anyone (no login), holding back a client that asks for many unknown IDs
/// (`MISSES_ALLOWED`). A mistyped ID is told apart before anything is looked up.
pub fn verify(
    conn: &mut DbConnection,
    raw: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Verification, ServiceError> {
    let id = match CarPassId::parse(raw) {
        Ok(id) => id,
        Err(e) => return Ok(Verification::Mistyped(e)),
    };
    let at = now.naive_utc();
    let since = at - Duration::minutes(MISS_WINDOW_MINUTES);
    crate::db::writing(conn, |conn| {
        if let Some(wait) = held_back(conn, client, at, since)? {
            return Ok(Verification::HeldBack {
                retry_after_secs: wait,
            });
        }
        match car_passes::find(conn, id.compact())? {
            Some(row) => {
                let pass = document(&row)?;
                let valid = issuing::still_valid(row.valid_until, brussels_date(now));
                Ok(Verification::Found {
                    pass: Box::new(pass),
                    valid,
                })
            }
            None => {
                car_passes::forget_misses(conn, since)?;
                car_passes::record_miss(conn, client, at, since)?;
                Ok(Verification::Unknown)
            }
        }
    })
}

fn held_back(
    conn: &mut DbConnection,
    client: &str,
    at: NaiveDateTime,
    since: NaiveDateTime,
) -> Result<Option<u64>, ServiceError> {
    if car_passes::misses_since(conn, client, since)? < MISSES_ALLOWED {
        return Ok(None);
    }
    let oldest = car_passes::oldest_miss_since(conn, client, since)?.unwrap_or(at);
    let free_at = oldest + Duration::minutes(MISS_WINDOW_MINUTES);
    Ok(Some((free_at - at).num_seconds().max(1) as u64))
}

/// What one company is invoiced for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub kbo: String,
    pub company: String,
    pub car_passes: i64,
    pub free: i64,
    pub total_cents: i64,
}

/// The Car-Passes issued in the month that starts on `first_day` (Brussels time), per company.
pub fn invoices(
    conn: &mut DbConnection,
    first_day: NaiveDate,
) -> Result<Vec<InvoiceLine>, ServiceError> {
    let next = first_day
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    let (from, until) = (brussels_midnight(first_day), brussels_midnight(next));
    Ok(car_passes::invoices(conn, from, until)?
        .into_iter()
        .map(|(_, kbo, company, count, free, total)| InvoiceLine {
            kbo,
            company,
            car_passes: count,
            free,
            total_cents: total,
        })
        .collect())
}

/// The UTC moment a day starts in Brussels.
fn brussels_midnight(day: NaiveDate) -> NaiveDateTime {
    use chrono::TimeZone;
    chrono_tz::Europe::Brussels
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or_else(
            || day.and_hms_opt(0, 0, 0).unwrap_or_default(),
            |t| t.naive_utc(),
        )
}
