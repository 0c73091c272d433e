//! The clerk's tools: the search box's results (a vehicle by VIN, a garage by name or
//! enterprise number, a reading by id or ClientReference, a certification session), the page
//! per garage (its readings, its open issues, its Trusted Provider standing over the years, the
//! software it sends with) and the page per vehicle (its history with each reading's source,
//! its issues, its recalls and the audit trail). Staff only: the vehicle's history is never
//! public (SPEC 2.8).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDateTime};
use maud::html;

use super::layout::{frame, Nav};
use super::listing;
use super::session::Staff;
use crate::app::{AppState, Certification};
use crate::db::certification::SessionRow;
use crate::db::clerk::{self, Window};
use crate::db::companies::CompanyRow;
use crate::db::issues::IssueRow;
use crate::db::readings::{ReadingRow, SoftwareKey};
use crate::db::{audit, trusted_providers as lists, vehicles};
use crate::domain::feed::BatchId;
use crate::domain::issue::IssueDetail;
use crate::domain::issue_number::IssueNumber;
use crate::domain::issue_state::IssueState;
use crate::domain::language::{Language, Text};
use crate::domain::odometer::OdometerUnit;
use crate::domain::search::{Needle, TooVague, MAX_CHARS, MIN_CHARS};
use crate::domain::source::ReadingSource;
use crate::domain::status::ReadingStatus;
use crate::domain::trusted_provider::Standing;
use crate::domain::vehicle::Vehicle;
use crate::domain::vin::Vin;
use crate::service::recalls;
use crate::service::ServiceError;
use crate::staff::trusted_providers;
use crate::staff::StaffError;
use crate::web::page::{respond, t, Failure, Reader};

/// Hits shown per kind: a search names one thing; more hits ask for a longer text.
const HITS: i64 = 25;

/// The issue states that still wait for someone (as the review queue counts them).
const UNSETTLED: [&str; 3] = ["Open", "Confirmed", "Escalated"];

// ---- search ---------------------------------------------------------------------------------

struct Hits {
    vins: Vec<String>,
    garages: Vec<CompanyRow>,
    readings: Vec<ReadingRow>,
    sessions: Vec<SessionRow>,
}

impl Hits {
    fn count(&self) -> usize {
        self.vins.len() + self.garages.len() + self.readings.len() + self.sessions.len()
    }
}

pub async fn search(
    me: Staff,
    reader: Reader,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let lang = reader.lang;
    let typed = reader.param("q").unwrap_or("").to_owned();
    let title = t(lang, "Search", "Zoeken", "Recherche", "Suche");
    let needle = match Needle::parse(&typed) {
        Ok(needle) => needle,
        Err(vague) => {
            let text = match vague {
                TooVague::TooShort => match lang {
                    Language::Nl => format!("Typ minstens {MIN_CHARS} tekens: een chassisnummer (of het begin ervan), een garage of ondernemingsnummer, een id van een kilometerstand, een ClientReference of een certificatiesessie."),
                    Language::Fr => format!("Tapez au moins {MIN_CHARS} caractères\u{a0}: un VIN (ou son début), un garage ou un numéro d'entreprise, un identifiant de relevé, une ClientReference ou une session de certification."),
                    Language::De => format!("Geben Sie mindestens {MIN_CHARS} Zeichen ein: eine FIN (oder ihren Anfang), eine Werkstatt oder Unternehmensnummer, eine Kennung eines Kilometerstands, eine ClientReference oder eine Zertifizierungssitzung."),
                    Language::En => format!("Type at least {MIN_CHARS} characters: a VIN (or its start), a garage or enterprise number, a reading id, a ClientReference or a certification session."),
                },
                TooVague::TooLong => match lang {
                    Language::Nl => format!("Typ hoogstens {MAX_CHARS} tekens."),
                    Language::Fr => format!("Tapez au plus {MAX_CHARS} caractères."),
                    Language::De => format!("Geben Sie höchstens {MAX_CHARS} Zeichen ein."),
                    Language::En => format!("Type at most {MAX_CHARS} characters."),
                },
            };
            let status = if typed.trim().is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let body = html! { p.card { (text) } };
            return respond(
                status,
                frame(&reader, &me, Nav::Search, title, None, body).into_string(),
            );
        }
    };
    let production = needle.clone();
    let found = state
        .run(move |conn| -> Result<_, ServiceError> {
            let vins = match &production.vin_prefix {
                Some(prefix) => clerk::vins_starting(conn, prefix, HITS)?,
                None => Vec::new(),
            };
            let garages = clerk::companies_matching(
                conn,
                &production.text,
                production.kbo_digits.as_deref(),
                HITS,
            )?;
            let readings = clerk::readings_named(conn, &production.text, HITS)?;
            Ok((vins, garages, readings))
        })
        .await;
    let (vins, garages, readings) = match found {
        Ok(found) => found,
        Err(error) => return Failure::from(error).response(),
    };
    let text = needle.text.clone();
    let sessions = match cert
        .0
        .run(move |conn| -> Result<_, ServiceError> {
            Ok(clerk::sessions_matching(conn, &text, HITS)?)
        })
        .await
    {
        Ok(sessions) => sessions,
        Err(error) => return Failure::from(error).response(),
    };
    let hits = Hits {
        vins,
        garages,
        readings,
        sessions,
    };
    let f = reader.fmt();
    let body = html! {
        p.muted { (match (lang, hits.count()) {
            (Language::Nl, n) => format!("{n} resultaten voor «\u{a0}{}\u{a0}».", needle.text),
            (Language::Fr, n) => format!("{n} résultat(s) pour «\u{a0}{}\u{a0}».", needle.text),
            (Language::De, n) => format!("{n} Treffer für „{}“.", needle.text),
            (Language::En, 1) => format!("1 result for “{}”.", needle.text),
            (Language::En, n) => format!("{n} results for “{}”.", needle.text),
        }) }
        @if !hits.vins.is_empty() {
            h2 { (t(lang, "Vehicles", "Voertuigen", "Véhicules", "Fahrzeuge")) }
            ul { @for vin in &hits.vins { li { a href=(format!("/staff/vehicles/{vin}")) { code { (vin) } } } } }
        }
        @if !hits.garages.is_empty() {
            h2 { (t(lang, "Companies", "Bedrijven", "Entreprises", "Unternehmen")) }
            ul { @for g in &hits.garages {
                li { a href=(format!("/staff/garages/{}", g.id)) { (g.name) } " " span.muted.nowrap { (f.kbo(&g.kbo)) } }
            } }
        }
        @if !hits.readings.is_empty() {
            h2 { (t(lang, "Readings", "Kilometerstanden", "Relevés", "Kilometerstände")) }
            ul { @for r in &hits.readings {
                li {
                    a href=(format!("/staff/vehicles/{}#reading-{}", r.vin, r.id)) { code { (r.id) } }
                    " · ClientReference " code { (r.client_reference) }
                    " · " code { (r.vin) } " · " (f.date(r.work_date)) " · " span.nowrap { (odometer(&reader, r)) }
                    " · " (status_word(lang, &r.status))
                }
            } }
        }
        @if !hits.sessions.is_empty() {
            h2 { (t(lang, "Certification sessions", "Certificatiesessies", "Sessions de certification", "Zertifizierungssitzungen")) }
            ul { @for s in &hits.sessions {
                li { a href=(format!("/staff/certification/{}", s.id)) { code { (s.id) } } " · " (s.dms_name) " " (s.dms_version) " · " (s.dms_builder) }
            } }
        }
        @if hits.count() == 0 {
            p.card { (t(lang,
                "Nothing found. A VIN is found by its start, a company by part of its name or its enterprise number, a reading by its id or ClientReference, a session by its id or DMS name.",
                "Niets gevonden. Een chassisnummer vindt u met het begin ervan, een bedrijf met een deel van de naam of het ondernemingsnummer, een kilometerstand met de id of ClientReference, een sessie met de id of de naam van het DMS.",
                "Rien trouvé. Un VIN se trouve par son début, une entreprise par une partie de son nom ou son numéro d'entreprise, un relevé par son identifiant ou sa ClientReference, une session par son identifiant ou le nom du DMS.",
                "Nichts gefunden. Eine FIN findet man über ihren Anfang, ein Unternehmen über einen Teil des Namens oder die Unternehmensnummer, einen Kilometerstand über seine Kennung oder ClientReference, eine Sitzung über ihre Kennung oder den DMS-Namen.",
            )) }
        }
    };
    respond(
        StatusCode::OK,
        frame(&reader, &me, Nav::Search, title, None, body).into_string(),
    )
}

fn odometer(reader: &Reader, r: &ReadingRow) -> String {
    match OdometerUnit::parse(&r.odometer_unit) {
        Some(unit) => reader.fmt().odo(r.odometer.max(0) as u64, unit),
        None => format!("{} {}", r.odometer, r.odometer_unit),
    }
}

/// A reading's source in the reader's words (also the feeds' pages).
pub(super) fn source_name(lang: Language, stored: &str) -> String {
    let text = match ReadingSource::parse(stored) {
        Some(ReadingSource::Garage) => Text {
            nl: "garage",
            fr: "garage",
            de: "Werkstatt",
            en: "garage",
        },
        Some(ReadingSource::CarPass) => Text {
            nl: "Car-Pass-aanvraag",
            fr: "demande de Car-Pass",
            de: "Car-Pass-Antrag",
            en: "Car-Pass request",
        },
        Some(ReadingSource::Connected) => Text {
            nl: "geconnecteerde wagen",
            fr: "voiture connectée",
            de: "vernetztes Fahrzeug",
            en: "connected car",
        },
        Some(ReadingSource::Foreign) => Text {
            nl: "buitenland",
            fr: "étranger",
            de: "Ausland",
            en: "abroad",
        },
        Some(ReadingSource::Rdw) => Text {
            nl: "RDW",
            fr: "RDW",
            de: "RDW",
            en: "RDW",
        },
        None => return stored.to_owned(),
    };
    text.get(lang).to_owned()
}

fn issue_message(lang: Language, issue: &IssueRow) -> String {
    serde_json::from_str::<IssueDetail>(&issue.detail)
        .map(|d| d.message(lang))
        .unwrap_or_else(|_| issue.code.clone())
}

fn issue_number(issue: &IssueRow) -> String {
    IssueNumber::from_sequence(issue.id)
        .map(|n| n.to_string())
        .unwrap_or_else(|| issue.id.to_string())
}

fn not_found(me: &Staff, reader: &Reader, title: &str, text: String) -> HttpResponse {
    respond(
        StatusCode::NOT_FOUND,
        frame(
            reader,
            me,
            Nav::Search,
            title,
            None,
            html! { p.card { (text) } },
        )
        .into_string(),
    )
}

// ---- a garage -------------------------------------------------------------------------------

/// One year of a garage's Trusted Provider standing: computed, and whether the published
/// list of that year names it (`None` when that list is not published).
struct Year {
    year: i32,
    readings: u64,
    discrepancies: u64,
    standing: Option<Standing>,
    listed: Option<bool>,
}

struct Garage {
    company: CompanyRow,
    readings: (i64, Vec<(ReadingRow, String)>),
    issues: Vec<(IssueRow, String)>,
    years: Vec<Year>,
    software: Vec<(SoftwareKey, i64)>,
}

fn load_garage(
    conn: &mut crate::db::DbConnection,
    id: i64,
    window: Window,
    this_year: i32,
) -> Result<Option<Garage>, StaffError> {
    let Some(company) = clerk::company(conn, id)? else {
        return Ok(None);
    };
    let readings = clerk::readings_of_company(conn, id, window)?;
    let issues = clerk::issues_of_company(conn, id, &UNSETTLED, 100)?;
    let software = clerk::software_of_company(conn, id)?;
    let mut years = Vec::new();
    if let Some((first, last)) = clerk::work_dates_of_company(conn, id)? {
        // The list of year Y judges the readings of Y - 1: from the first year with readings
        // to the list that judges the latest, never a list of a year still to come.
        for year in (first.year() + 1..=(last.year() + 1).min(this_year + 1)).rev() {
            let candidate = trusted_providers::compute(conn, year)?
                .into_iter()
                .find(|c| c.company_id == id);
            let listed = lists::list(conn, year)?
                .map(|(_, providers)| providers.iter().any(|p| p.company_id == id));
            years.push(Year {
                year,
                readings: candidate.as_ref().map_or(0, |c| c.readings),
                discrepancies: candidate.as_ref().map_or(0, |c| c.discrepancies),
                standing: candidate.map(|c| c.standing),
                listed,
            });
        }
    }
    Ok(Some(Garage {
        company,
        readings,
        issues,
        years,
        software,
    }))
}

pub async fn garage(
    me: Staff,
    reader: Reader,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let lang = reader.lang;
    let raw = id.into_inner();
    let missing = || {
        match lang {
        Language::Nl => format!("Er is geen bedrijf {raw}. Zoek het met de naam of het ondernemingsnummer."),
        Language::Fr => format!("Il n'y a pas d'entreprise {raw}. Cherchez-la par son nom ou son numéro d'entreprise."),
        Language::De => format!("Es gibt kein Unternehmen {raw}. Suchen Sie es über den Namen oder die Unternehmensnummer."),
        Language::En => format!("There is no company {raw}. Search for it by name or enterprise number."),
    }
    };
    let title_missing = t(
        lang,
        "No such company",
        "Onbekend bedrijf",
        "Entreprise inconnue",
        "Unbekanntes Unternehmen",
    );
    let Ok(id) = raw.parse::<i64>() else {
        return not_found(&me, &reader, title_missing, missing());
    };
    let (number, window) = listing::window(&reader);
    let this_year = crate::domain::calendar::brussels_date(state.clock.now()).year();
    let garage = match state
        .run(move |conn| load_garage(conn, id, window, this_year))
        .await
    {
        Ok(Some(garage)) => garage,
        Ok(None) => return not_found(&me, &reader, title_missing, missing()),
        Err(error) => return Failure::staff(error, lang).response(),
    };
    let f = reader.fmt();
    let (total, readings) = &garage.readings;
    let body = html! {
        dl.card {
            dt { (t(lang, "Enterprise number", "Ondernemingsnummer", "Numéro d'entreprise", "Unternehmensnummer")) }
            dd { (f.kbo(&garage.company.kbo)) }
            dt { (t(lang, "Kind", "Soort", "Type", "Art")) }
            dd { code { (garage.company.kind) } }
            dt { (t(lang, "In the registry since", "In het register sinds", "Au registre depuis", "Im Register seit")) }
            dd { (f.date(garage.company.created_at.date())) }
        }
        h2 { (t(lang, "Open issues", "Openstaande meldingen", "Signalements ouverts", "Offene Meldungen")) " (" (f.num(garage.issues.len() as u64)) ")" }
        @if garage.issues.is_empty() {
            p.muted { (t(lang, "None.", "Geen.", "Aucun.", "Keine.")) }
        } @else {
            div.scroll { table {
                tr {
                    th { (t(lang, "Issue", "Melding", "Signalement", "Meldung")) }
                    th { "VIN" }
                    th { (t(lang, "State", "Toestand", "État", "Zustand")) }
                    th { (t(lang, "What the registry found", "Wat het register vond", "Ce que le registre a constaté", "Was das Register fand")) }
                }
                @for (issue, vin) in &garage.issues {
                    tr {
                        td.nowrap { (issue_number(issue)) br; code.small { (issue.code) } }
                        td { a href=(format!("/staff/vehicles/{vin}#reading-{}", issue.reading_id)) { code { (vin) } } }
                        td { (state_word(lang, &issue.state)) }
                        td { (issue_message(lang, issue)) }
                    }
                }
            } }
        }
        h2 { "Trusted Provider" }
        @if garage.years.is_empty() {
            p.muted { (t(lang, "No reading yet.", "Nog geen kilometerstand.", "Pas encore de relevé.", "Noch kein Kilometerstand.")) }
        } @else {
            // Four narrow columns and no minimum width: the years read without scrolling at 390 px.
            table.years {
                caption.muted.small { (t(lang,
                    "The list of a year judges the readings of the year before; the share is the part of them found discrepant (under 0.5 % is trusted).",
                    "De lijst van een jaar beoordeelt de kilometerstanden van het jaar ervoor; het aandeel is het deel ervan dat afwijkend bleek (onder 0,5 % is betrouwbaar).",
                    "La liste d'une année juge les relevés de l'année précédente\u{a0}; la part est la proportion de ceux-ci trouvés discordants (sous 0,5\u{a0}%\u{a0}: fiable).",
                    "Die Liste eines Jahres beurteilt die Kilometerstände des Vorjahres; der Anteil ist der Teil davon, der abweichend war (unter 0,5 % ist vertrauenswürdig).",
                )) }
                thead { tr {
                    th { (t(lang, "Year", "Jaar", "Année", "Jahr")) }
                    th.num { (t(lang, "Readings", "Km-standen", "Relevés", "Km-Stände")) }
                    th.num { (t(lang, "Share", "Aandeel", "Part", "Anteil")) }
                    th { (t(lang, "Status", "Status", "Statut", "Status")) }
                } }
                tbody { @for y in &garage.years {
                    tr {
                        td { a href=(format!("/staff/trusted-providers?year={}", y.year)) { (y.year) } }
                        td.num { (f.num(y.readings)) }
                        td.num.nowrap { (f.share(y.discrepancies, y.readings)) }
                        td {
                            (match y.standing {
                                Some(Standing::Trusted) => t(lang, "trusted", "betrouwbaar", "fiable", "vertrauenswürdig"),
                                Some(Standing::NotTrusted) => t(lang, "not trusted", "niet betrouwbaar", "pas fiable", "nicht vertrauenswürdig"),
                                Some(Standing::TooFewReadings) | None => t(lang, "too few readings", "te weinig kilometerstanden", "trop peu de relevés", "zu wenige Kilometerstände"),
                            })
                            br;
                            span.small.muted { (match y.listed {
                                Some(true) => t(lang, "on the published list", "op de gepubliceerde lijst", "sur la liste publiée", "auf der veröffentlichten Liste"),
                                Some(false) => t(lang, "not on the published list", "niet op de gepubliceerde lijst", "pas sur la liste publiée", "nicht auf der veröffentlichten Liste"),
                                None => t(lang, "list not published yet", "lijst nog niet gepubliceerd", "liste pas encore publiée", "Liste noch nicht veröffentlicht"),
                            }) }
                        }
                    }
                } }
            }
        }
        h2 { (t(lang, "Software it sends with", "Software waarmee de garage verstuurt", "Logiciels utilisés pour l'envoi", "Software, mit der gesendet wird")) }
        @if garage.software.is_empty() {
            p.muted { (t(lang, "None yet.", "Nog geen.", "Aucun pour l'instant.", "Noch keine.")) }
        } @else {
            div.scroll { table {
                tr {
                    th { (t(lang, "Builder", "Ontwikkelaar", "Développeur", "Hersteller")) }
                    th { "DMS" }
                    th { (t(lang, "Version", "Versie", "Version", "Version")) }
                    th.num { (t(lang, "Readings", "Kilometerstanden", "Relevés", "Kilometerstände")) }
                }
                @for ((builder, name, version), count) in &garage.software {
                    @let unknown = t(lang, "(not sent)", "(niet meegestuurd)", "(non envoyé)", "(nicht gesendet)");
                    tr {
                        td { (builder.as_deref().unwrap_or(unknown)) }
                        td { (name.as_deref().unwrap_or(unknown)) }
                        td { (version.as_deref().unwrap_or(unknown)) }
                        td.num { (f.num(*count as u64)) }
                    }
                }
            } }
        }
        h2 { (t(lang, "Readings", "Kilometerstanden", "Relevés", "Kilometerstände")) }
        @if *total == 0 {
            p.muted { (t(lang, "None yet.", "Nog geen.", "Aucun pour l'instant.", "Noch keine.")) }
        } @else {
            (listing::pager(&reader, number, *total))
            div.scroll { table {
                tr {
                    th { (t(lang, "Received", "Ontvangen", "Reçu", "Empfangen")) }
                    th { "VIN" }
                    th { (t(lang, "Work date", "Datum werk", "Date des travaux", "Arbeitsdatum")) }
                    th.num { (t(lang, "Odometer", "Kilometerstand", "Kilométrage", "Kilometerstand")) }
                    th { (t(lang, "Status", "Status", "Statut", "Status")) }
                    th { "ClientReference" }
                }
                @for (r, _) in readings {
                    tr {
                        td.nowrap { (f.moment(r.received_at.and_utc())) }
                        td { a href=(format!("/staff/vehicles/{}#reading-{}", r.vin, r.id)) { code { (r.vin) } } }
                        td.nowrap { (f.date(r.work_date)) }
                        td.num.nowrap { (odometer(&reader, r)) }
                        td { (status_word(lang, &r.status)) }
                        td { code { (r.client_reference) } }
                    }
                }
            } }
            @if *total > listing::PER_PAGE { (listing::pager(&reader, number, *total)) }
        }
    };
    respond(
        StatusCode::OK,
        frame(&reader, &me, Nav::Search, &garage.company.name, None, body).into_string(),
    )
}

// ---- a vehicle ------------------------------------------------------------------------------

/// One line of a vehicle's audit trail.
struct Event {
    at: NaiveDateTime,
    reading: String,
    who: String,
    what: String,
}

struct VehiclePage {
    vehicle: Option<Vehicle>,
    readings: Vec<(ReadingRow, String, String)>,
    issues: Vec<IssueRow>,
    trail: Vec<Event>,
    recalls: Vec<recalls::HistoryLine>,
    /// (reading id, country, foreign source) of the importers' readings.
    foreign: Vec<(String, String, String)>,
    /// Accident experts' reports and inspection centres' results, oldest first.
    post_accident: Vec<crate::db::post_accidents::EventRow>,
    post_accident_pending: Option<crate::domain::car_pass::PostAccident>,
}

fn load_vehicle(
    conn: &mut crate::db::DbConnection,
    vin: &str,
    lang: Language,
) -> Result<VehiclePage, ServiceError> {
    let vehicle = match Vin::parse(vin) {
        Ok(parsed) => vehicles::find(conn, &parsed)?,
        Err(_) => None,
    };
    let readings = clerk::readings_of_vin(conn, vin)?;
    let issues = clerk::issues_of_vin(conn, vin)?;
    let mut trail = Vec::new();
    for (reading, _, garage) in &readings {
        trail.push(Event {
            at: reading.received_at,
            reading: reading.id.clone(),
            who: garage.clone(),
            what: t(lang, "received", "ontvangen", "reçu", "empfangen").to_owned(),
        });
        for version in audit::versions_of(conn, &reading.id)? {
            let what = match (&version.form_reference, lang) {
                (Some(form), Language::Nl) => format!("verbeterd met papieren formulier {form}"),
                (Some(form), Language::Fr) => format!("corrigé par le formulaire papier {form}"),
                (Some(form), Language::De) => format!("mit Papierformular {form} korrigiert"),
                (Some(form), Language::En) => format!("corrected with paper form {form}"),
                (None, _) => format!(
                    "{} ({})",
                    t(lang, "corrected", "verbeterd", "corrigé", "korrigiert"),
                    version.channel
                ),
            };
            trail.push(Event {
                at: version.changed_at,
                reading: reading.id.clone(),
                who: version.changed_by,
                what,
            });
        }
    }
    let ids: Vec<i64> = issues.iter().map(|i| i.id).collect();
    for answer in audit::answers_for(conn, &ids)? {
        let Some(issue) = issues.iter().find(|i| i.id == answer.issue_id) else {
            continue;
        };
        let who = readings
            .iter()
            .find(|(r, _, _)| r.id == issue.reading_id)
            .map(|(_, _, garage)| garage.clone())
            .unwrap_or_default();
        let mut what = format!(
            "{} {}: {}",
            t(
                lang,
                "answered issue",
                "antwoord op melding",
                "réponse au signalement",
                "Antwort auf Meldung"
            ),
            issue_number(issue),
            answer_word(lang, &answer.kind)
        );
        if let Some(note) = answer.note {
            what.push_str(&format!(" «\u{a0}{note}\u{a0}»"));
        }
        trail.push(Event {
            at: answer.answered_at,
            reading: issue.reading_id.clone(),
            who,
            what,
        });
    }
    for action in clerk::staff_actions_on_vin(conn, vin)? {
        let mut what = action_word(lang, &action.action).to_owned();
        if let Some(form) = action.form_reference {
            what.push_str(&format!(" ({form})"));
        }
        what.push_str(&format!(": «\u{a0}{}\u{a0}»", action.note));
        trail.push(Event {
            at: action.acted_at,
            reading: action.reading_id,
            who: action.staff_username,
            what,
        });
    }
    trail.sort_by_key(|a| a.at);
    let recalls = recalls::history(conn, vin, lang)?;
    Ok(VehiclePage {
        vehicle,
        readings,
        issues,
        trail,
        recalls,
        foreign: crate::db::foreign_readings::of_vin(conn, vin)?,
        post_accident: crate::service::post_accident::history(conn, vin)?,
        post_accident_pending: crate::service::post_accident::pending_of(conn, vin)?,
    })
}

pub async fn vehicle(
    me: Staff,
    reader: Reader,
    vin: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let lang = reader.lang;
    let vin = vin.into_inner().trim().to_ascii_uppercase();
    let lookup = vin.clone();
    let page = match state
        .run(move |conn| load_vehicle(conn, &lookup, lang))
        .await
    {
        Ok(page) => page,
        Err(error) => return Failure::from(error).response(),
    };
    if page.vehicle.is_none() && page.readings.is_empty() {
        let text = match lang {
            Language::Nl => format!("Het register kent chassisnummer {vin} niet, en er werd geen kilometerstand voor verstuurd."),
            Language::Fr => format!("Le registre ne connaît pas le VIN {vin}, et aucun relevé n'a été envoyé pour lui."),
            Language::De => format!("Das Register kennt die FIN {vin} nicht, und es wurde kein Kilometerstand dafür gesendet."),
            Language::En => format!("The registry does not know VIN {vin}, and no reading was sent for it."),
        };
        return not_found(
            &me,
            &reader,
            t(
                lang,
                "Unknown vehicle",
                "Onbekend voertuig",
                "Véhicule inconnu",
                "Unbekanntes Fahrzeug",
            ),
            text,
        );
    }
    let f = reader.fmt();
    let yes_no = |b: Option<bool>| match b {
        Some(true) => t(lang, "yes", "ja", "oui", "ja"),
        Some(false) => t(lang, "no", "nee", "non", "nein"),
        None => t(lang, "unknown", "onbekend", "inconnu", "unbekannt"),
    };
    let body = html! {
        @match &page.vehicle {
            Some(v) => {
                dl.card {
                    dt { (t(lang, "Make and model", "Merk en model", "Marque et modèle", "Marke und Modell")) }
                    dd { (v.make.as_deref().unwrap_or("")) " " (v.model.as_deref().unwrap_or("")) }
                    dt { (t(lang, "Category", "Categorie", "Catégorie", "Klasse")) }
                    dd { (v.category.as_deref().unwrap_or("")) }
                    dt { (t(lang, "First registration", "Eerste inschrijving", "Première immatriculation", "Erstzulassung")) }
                    dd { (v.first_registration.map(|d| f.date(d)).unwrap_or_default()) }
                    dt { (t(lang, "Imported as used", "Ingevoerd als tweedehands", "Importé d'occasion", "Gebraucht eingeführt")) }
                    dd { (yes_no(v.imported_used)) }
                    dt { (t(lang, "5-digit odometer", "Kilometerteller met 5 cijfers", "Compteur à 5 chiffres", "5-stelliger Kilometerzähler")) }
                    dd { (yes_no(v.five_digit_odometer)) }
                }
            }
            None => {
                p.card { (t(lang, "Not in the vehicle register (yet): its readings wait for it.", "(Nog) niet in het voertuigregister: de kilometerstanden wachten erop.", "Pas (encore) au registre des véhicules\u{a0}: ses relevés l'attendent.", "(Noch) nicht im Fahrzeugregister: seine Kilometerstände warten darauf.")) }
            }
        }
        h2 { (t(lang, "History", "Historiek", "Historique", "Historie")) }
        div.scroll { table {
            tr {
                th { (t(lang, "Work date", "Datum werk", "Date des travaux", "Arbeitsdatum")) }
                th.num { (t(lang, "Odometer", "Kilometerstand", "Kilométrage", "Kilometerstand")) }
                th { (t(lang, "Source", "Bron", "Source", "Quelle")) }
                th { (t(lang, "Sent by", "Verstuurd door", "Envoyé par", "Gesendet von")) }
                th { (t(lang, "Status", "Status", "Statut", "Status")) }
                th { (t(lang, "Reading id", "Id van de stand", "Id du relevé", "Stand-ID")) }
            }
            @for (r, stored_source, garage) in &page.readings {
                tr id=(format!("reading-{}", r.id)) {
                    td.nowrap { (f.date(r.work_date)) }
                    td.num.nowrap { (odometer(&reader, r)) }
                    td { (source_name(lang, stored_source))
                        @if let Some((_, country, by)) = page.foreign.iter().find(|(id, _, _)| *id == r.id) {
                            " (" (country) ")" br; span.small { (by) }
                        }
                        // A partner's reading: the batch and line it came from.
                        @if let (true, Some((batch, line))) = (stored_source.as_str() != ReadingSource::Garage.as_str(), BatchId::of_client_reference(&r.client_reference)) {
                            br; a.small href=(format!("/staff/feeds/{}/{}#line-{line}", r.company_id, batch.as_str())) {
                                (t(lang, "batch", "batch", "lot", "Lieferung")) " " (batch.as_str()) ", " (t(lang, "line", "regel", "ligne", "Zeile")) " " (line)
                            }
                        } }
                    td {
                        @if stored_source.as_str() == ReadingSource::Rdw.as_str() {
                            (crate::document::words::RDW_NAME) br;
                            span.muted.small { (t(lang, "imported by", "ingelezen door", "importé par", "eingelesen von")) " " (garage) }
                        } @else {
                            a href=(format!("/staff/garages/{}", r.company_id)) { (garage) }
                        }
                    }
                    td { (status_word(lang, &r.status)) }
                    td.small { code { (r.id) } br; "ClientReference " code { (r.client_reference) } }
                }
            }
        } }
        h2 #post-accident { (t(lang, "Post-accident inspection", "Keuring na ongeval", "Contrôle après accident", "Prüfung nach Unfall")) }
        @match &page.post_accident_pending {
            Some(p) => {
                p.card { span.bad { (t(lang, "Pending", "In afwachting", "En attente", "Ausstehend")) } ": " (f.date(p.reported_on)) ", INFORMEX " code { (p.informex_reference) } }
            }
            None => {
                p.muted { (t(lang, "Nothing pending.", "Niets in afwachting.", "Rien en attente.", "Nichts ausstehend.")) }
            }
        }
        @if !page.post_accident.is_empty() {
            div.scroll { table {
                tr {
                    th { (t(lang, "Date", "Datum", "Date", "Datum")) }
                    th { (t(lang, "What", "Wat", "Quoi", "Was")) }
                    th { (t(lang, "Who", "Wie", "Qui", "Wer")) }
                    th { (t(lang, "Received", "Ontvangen", "Reçu", "Empfangen")) }
                }
                @for event in &page.post_accident {
                    tr {
                        td.nowrap { (f.date(event.event_date)) }
                        td {
                            @match event.kind.as_str() {
                                "reported" => { (t(lang, "accident reported", "ongeval gemeld", "accident signalé", "Unfall gemeldet")) " (INFORMEX " code { (event.informex_reference.as_deref().unwrap_or("")) } ")" }
                                "passed" => { (t(lang, "inspection passed", "keuring geslaagd", "contrôle réussi", "Prüfung bestanden")) }
                                "failed" => { (t(lang, "inspection failed", "keuring niet geslaagd", "contrôle échoué", "Prüfung nicht bestanden")) }
                                other => { (other) }
                            }
                        }
                        td { (event.company) }
                        td.nowrap { (f.moment(event.received_at.and_utc())) }
                    }
                }
            } }
        }
        h2 { (t(lang, "Issues", "Meldingen", "Signalements", "Meldungen")) }
        @if page.issues.is_empty() {
            p.muted { (t(lang, "None.", "Geen.", "Aucun.", "Keine.")) }
        } @else {
            div.scroll { table {
                tr {
                    th { (t(lang, "Issue", "Melding", "Signalement", "Meldung")) }
                    th { (t(lang, "State", "Toestand", "État", "Zustand")) }
                    th { (t(lang, "What the registry found", "Wat het register vond", "Ce que le registre a constaté", "Was das Register fand")) }
                }
                @for issue in &page.issues {
                    tr {
                        td.nowrap { (issue_number(issue)) br; code.small { (issue.code) } }
                        td { (state_word(lang, &issue.state)) }
                        td { (issue_message(lang, issue)) }
                    }
                }
            } }
        }
        h2 #recalls { (t(lang, "Recalls", "Terugroepacties", "Rappels", "Rückrufe")) }
        @if page.recalls.is_empty() {
            p.muted { (t(lang, "None reported.", "Geen gemeld.", "Aucun signalé.", "Keine gemeldet.")) }
        } @else {
            div.scroll { table {
                tr {
                    th { (t(lang, "Recall", "Terugroepactie", "Rappel", "Rückruf")) }
                    th { (t(lang, "Opened", "Geopend", "Ouvert", "Eröffnet")) }
                    th { (t(lang, "Reported by", "Gemeld door", "Signalé par", "Gemeldet von")) }
                    th { (t(lang, "Closed", "Afgesloten", "Clôturé", "Abgeschlossen")) }
                }
                @for recall in &page.recalls {
                    tr {
                        td { (recall.title) br; code.small { (recall.reference) } }
                        td.nowrap { (f.date(recall.opened_on)) }
                        td { (recall.reported_by) }
                        td {
                            @match recall.closed_on {
                                None => strong { (t(lang, "open", "open", "ouvert", "offen")) },
                                Some(on) => {
                                    (f.date(on)) " "
                                    @if recall.closed_how.as_deref() == Some("repair") {
                                        (t(lang, "repaired by", "hersteld door", "réparé par", "repariert von"))
                                    } @else {
                                        (t(lang, "closed by", "afgesloten door", "clôturé par", "abgeschlossen von"))
                                    }
                                    " " (recall.closed_by.as_deref().unwrap_or(""))
                                    @if let Some(reading) = &recall.closed_reading_id {
                                        br; a.small href=(format!("#reading-{reading}")) { code { (reading) } }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        h2 { (t(lang, "Audit trail", "Audittrail", "Piste d'audit", "Prüfpfad")) }
        div.scroll { table {
            tr {
                th { (t(lang, "When", "Wanneer", "Quand", "Wann")) }
                th { (t(lang, "Who", "Wie", "Qui", "Wer")) }
                th { (t(lang, "What", "Wat", "Quoi", "Was")) }
                th { (t(lang, "Reading id", "Id van de stand", "Id du relevé", "Stand-ID")) }
            }
            @for event in &page.trail {
                tr {
                    td.nowrap { (f.moment(event.at.and_utc())) }
                    td { (event.who) }
                    td { (event.what) }
                    td.small { code { (event.reading) } }
                }
            }
        } }
    };
    let title = format!(
        "{} {vin}",
        t(lang, "Vehicle", "Voertuig", "Véhicule", "Fahrzeug")
    );
    respond(
        StatusCode::OK,
        frame(&reader, &me, Nav::Search, &title, None, body).into_string(),
    )
}

/// A reading's status in the reader's language; the stored name when it is none we know, so
/// that nothing is hidden.
fn status_word(lang: Language, stored: &str) -> String {
    let Some(status) = ReadingStatus::parse(stored) else {
        return stored.to_owned();
    };
    match status {
        ReadingStatus::Accepted => t(lang, "accepted", "aanvaard", "accepté", "angenommen"),
        ReadingStatus::AcceptedWithWarnings => t(
            lang,
            "accepted with warnings",
            "aanvaard met waarschuwingen",
            "accepté avec avertissements",
            "angenommen mit Warnungen",
        ),
        ReadingStatus::PendingCorrection => t(
            lang,
            "awaiting correction",
            "wacht op correctie",
            "en attente de correction",
            "wartet auf Korrektur",
        ),
        ReadingStatus::Reviewing => t(
            lang,
            "under staff review",
            "in beoordeling",
            "en contrôle",
            "in Prüfung",
        ),
        ReadingStatus::WaitingForRegistration => t(
            lang,
            "waiting for registration",
            "wacht op inschrijving",
            "en attente d'immatriculation",
            "wartet auf Zulassung",
        ),
        ReadingStatus::Rejected => t(lang, "rejected", "geweigerd", "refusé", "abgelehnt"),
    }
    .to_owned()
}

/// An issue's state in the reader's language.
fn state_word(lang: Language, stored: &str) -> String {
    let Some(state) = IssueState::parse(stored) else {
        return stored.to_owned();
    };
    match state {
        IssueState::Open => t(lang, "open", "open", "ouvert", "offen"),
        IssueState::Corrected => t(lang, "corrected", "gecorrigeerd", "corrigé", "korrigiert"),
        IssueState::Confirmed => t(lang, "confirmed", "bevestigd", "confirmé", "bestätigt"),
        IssueState::Escalated => t(
            lang,
            "paper form needed",
            "papieren formulier nodig",
            "formulaire papier requis",
            "Papierformular nötig",
        ),
        IssueState::ResolvedByStaff => t(
            lang,
            "decided by staff",
            "beslist door het personeel",
            "décidé par le personnel",
            "vom Personal entschieden",
        ),
        IssueState::Noted => t(lang, "noted", "genoteerd", "noté", "vermerkt"),
    }
    .to_owned()
}

/// How a garage answered an issue (CorrectIssue or ConfirmReading).
fn answer_word(lang: Language, kind: &str) -> &str {
    match kind {
        "Correction" => t(lang, "correction", "correctie", "correction", "Korrektur"),
        "Confirmation" => t(
            lang,
            "confirmation",
            "bevestiging",
            "confirmation",
            "Bestätigung",
        ),
        other => other,
    }
}

/// What staff did to a reading, as the audit trail records it.
fn action_word(lang: Language, action: &str) -> &str {
    match action {
        "Accept" => t(
            lang,
            "accepted by staff",
            "aanvaard door het personeel",
            "accepté par le personnel",
            "vom Personal angenommen",
        ),
        "Reject" => t(
            lang,
            "rejected by staff",
            "geweigerd door het personeel",
            "refusé par le personnel",
            "vom Personal abgelehnt",
        ),
        "PaperCorrection" => t(
            lang,
            "corrected on the paper form",
            "gecorrigeerd met het papieren formulier",
            "corrigé par le formulaire papier",
            "mit dem Papierformular korrigiert",
        ),
        other => other,
    }
}
