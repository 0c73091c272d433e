//! The review queue and the paper correction form (SPEC 2.7, 6): the readings held for staff,
//! each with what the garage sent, what it said and the VIN's history, to accept or reject with
//! a note; and the signed paper form, applied by hand.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use maud::{html, Markup};

use super::layout::{self, filled, frame, Nav, Notice};
use super::listing;
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::db::clerk;
use crate::db::trusted_providers as companies;
use crate::domain::format::Formatter;
use crate::domain::issue::vin_problem;
use crate::domain::language::{Language, Text};
use crate::domain::odometer::OdometerUnit;
use crate::domain::status::ReadingStatus;
use crate::domain::vin::{Vin, VinProblem};
use crate::staff::review::{self, Decision, PaperForm};
use crate::staff::StaffError;
use crate::web::page::{respond, t, unavailable, Failure, Reader};

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
    /// The paper form opened from a reading of the queue.
    reading: Option<String>,
}

pub async fn queue(
    me: Staff,
    reader: Reader,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let notice = layout::confirmation(reader.lang, shown.done.as_deref(), shown.subject.as_deref());
    queue_page(&me, &reader, &state, StatusCode::OK, notice.as_ref()).await
}

const QUEUE: Text = Text {
    nl: "Controlelijst",
    fr: "File de contrôle",
    de: "Prüfliste",
    en: "Review queue",
};

async fn queue_page(
    me: &Staff,
    reader: &Reader,
    state: &AppState,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let lang = reader.lang;
    let (number, window) = listing::window(reader);
    let garage = reader.param("garage").and_then(|g| g.parse::<i64>().ok());
    let newest_first = reader.param("order") == Some("newest");
    let loaded = state
        .run(move |conn| -> Result<_, StaffError> {
            let (total, queue) = review::queue_page(conn, lang, garage, newest_first, window)?;
            let names: HashMap<i64, (String, String)> = companies::companies(conn)?
                .into_iter()
                .map(|(id, kbo, name)| (id, (kbo, name)))
                .collect();
            let garages = clerk::companies_in_status(conn, ReadingStatus::Reviewing.as_str())?;
            Ok((total, queue, names, garages))
        })
        .await;
    let (total, queue, names, garages) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::staff(error, lang).response(),
    };
    let mut garage_options = vec![(
        String::new(),
        t(
            lang,
            "All garages",
            "Alle garages",
            "Tous les garages",
            "Alle Werkstätten",
        )
        .to_owned(),
    )];
    garage_options.extend(garages.into_iter().map(|(id, name)| (id.to_string(), name)));
    let garage_chosen = garage.map(|g| g.to_string()).unwrap_or_default();
    let order_chosen = if newest_first { "newest" } else { "oldest" };
    let body = html! {
        @if total == 0 && garage.is_none() {
            p.card { (t(lang,
                "No reading is held for staff. Readings come here when a garage confirms a reading the registry flagged, or when its one electronic correction did not settle it.",
                "Er wacht geen enkele kilometerstand op het personeel. Kilometerstanden komen hier wanneer een garage een gemarkeerde kilometerstand bevestigt, of wanneer de ene elektronische correctie het niet oploste.",
                "Aucun relevé n'attend le personnel. Un relevé arrive ici quand un garage confirme un relevé signalé par le registre, ou quand son unique correction électronique ne l'a pas réglé.",
                "Kein Kilometerstand wartet auf das Personal. Kilometerstände kommen hierher, wenn eine Werkstatt einen markierten Kilometerstand bestätigt oder ihre eine elektronische Korrektur ihn nicht erledigt hat.",
            )) }
        } @else {
            p.muted { (t(lang,
                "Accept puts the reading in the history with its anomaly marked (a drop accepted as genuine starts a new sequence, and the VIN's unanswered readings flagged only against the values before it are checked again); reject keeps it out. Both need a note saying why.",
                "Aanvaarden zet de kilometerstand in de historiek met de afwijking gemarkeerd (een daling die als echt wordt aanvaard begint een nieuwe reeks, en de onbeantwoorde kilometerstanden van het chassisnummer die alleen tegen de eerdere waarden gemarkeerd waren, worden opnieuw gecontroleerd); weigeren houdt hem erbuiten. Beide vragen een notitie waarom.",
                "Accepter place le relevé dans l'historique avec son anomalie marquée (une baisse acceptée comme réelle commence une nouvelle séquence, et les relevés sans réponse du VIN signalés seulement par rapport aux valeurs d'avant sont vérifiés à nouveau)\u{a0}; refuser le tient à l'écart. Les deux demandent une note qui dit pourquoi.",
                "Annehmen nimmt den Kilometerstand mit markierter Anomalie in die Historie auf (ein als echt angenommener Rückgang beginnt eine neue Folge, und die unbeantworteten Kilometerstände der FIN, die nur gegen die früheren Werte markiert waren, werden erneut geprüft); Ablehnen hält ihn heraus. Beides braucht eine Notiz mit dem Grund.",
            )) }
            (listing::choices(reader, "/staff", &[
                listing::Choice { key: "garage", label: Text { nl: "Garage", fr: "Garage", de: "Werkstatt", en: "Garage" }, options: garage_options, chosen: &garage_chosen },
                listing::Choice { key: "order", label: Text { nl: "Volgorde", fr: "Ordre", de: "Reihenfolge", en: "Order" }, options: listing::order_options(lang, true), chosen: order_chosen },
            ]))
            (listing::pager(reader, number, total))
            @for item in &queue {
                (reading_card(me, reader, item, &names))
            }
            @if total > listing::PER_PAGE { (listing::pager(reader, number, total)) }
        }
    };
    respond(
        status,
        frame(reader, me, Nav::Review, QUEUE.get(lang), notice, body).into_string(),
    )
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A date from the queue's JSON in the reader's way, or as it came.
fn day(f: Formatter, value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(|d| f.date(d))
        .unwrap_or_else(|| text(value))
}

fn odo(f: Formatter, value: &Value, unit: &Value) -> String {
    match (value.as_u64(), unit.as_str().and_then(OdometerUnit::parse)) {
        (Some(n), Some(unit)) => f.odo(n, unit),
        _ => format!("{} {}", text(value), text(unit)),
    }
}

fn values(reader: &Reader, v: &Value) -> Markup {
    let f = reader.fmt();
    let vin = text(&v["vin"]);
    html! {
        (t(reader.lang, "VIN", "Chassisnr.", "VIN", "FIN")) " " a href=(format!("/staff/vehicles/{vin}")) { code { (vin) } }
        " · " (day(f, &v["work_date"]))
        " · " strong.nowrap { (odo(f, &v["odometer"], &v["unit"])) }
    }
}

fn when(f: Formatter, value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| f.moment(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|| text(value))
}

fn reading_card(
    me: &Staff,
    reader: &Reader,
    item: &Value,
    names: &HashMap<i64, (String, String)>,
) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let id = item["reading_id"].as_str().unwrap_or("");
    let company_id = item["company_id"].as_i64();
    let company = company_id.and_then(|c| names.get(&c));
    let history: Vec<&Value> = item["official_history_of_vin"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    html! {
        section.card id=(format!("reading-{id}")) {
            h3 { (t(lang, "Reading", "Kilometerstand", "Relevé", "Kilometerstand")) " " code { (id) } }
            dl {
                dt { (t(lang, "Garage", "Garage", "Garage", "Werkstatt")) }
                dd {
                    @match (company_id, company) {
                        (Some(cid), Some((kbo, name))) => { a href=(format!("/staff/garages/{cid}")) { (name) } " (" (f.kbo(kbo)) ")" }
                        _ => { (text(&item["company_id"])) }
                    }
                }
                // A partner's or the RDW's reading: where it came from, and its batch's line.
                @if let Some(source) = item["current"]["source"].as_str().filter(|s| *s != "garage") {
                    dt { (t(lang, "Source", "Bron", "Source", "Quelle")) }
                    dd { (super::clerk::source_name(lang, source))
                        @if let (Some(cid), Some((batch, line))) = (company_id, item["client_reference"].as_str().and_then(crate::domain::feed::BatchId::of_client_reference)) {
                            " · " a href=(format!("/staff/feeds/{cid}/{}#line-{line}", batch.as_str())) { (t(lang, "batch", "batch", "lot", "Lieferung")) " " (batch.as_str()) ", " (t(lang, "line", "regel", "ligne", "Zeile")) " " (line) }
                        } }
                }
                dt { "ClientReference" }
                dd { code { (text(&item["client_reference"])) } }
                dt { (t(lang, "Received", "Ontvangen", "Reçu", "Empfangen")) }
                dd { (when(f, &item["received_at"])) }
                dt { (t(lang, "Status", "Status", "Statut", "Status")) }
                dd { code { (text(&item["status"])) } }
                dt { (t(lang, "Now", "Nu", "Maintenant", "Jetzt")) }
                dd { (values(reader, &item["current"])) }
                @for version in item["versions"].as_array().into_iter().flatten() {
                    dt { (t(lang, "Was", "Was", "Était", "War")) }
                    dd {
                        (values(reader, &version["previous"]))
                        " " span.muted.small {
                            "(" (when(f, &version["changed_at"])) ", " (text(&version["changed_by"])) ", " (text(&version["channel"]))
                            @if let Some(form) = version["form_reference"].as_str() { ", " (form) }
                            ")"
                        }
                    }
                }
                dt { (t(lang, "History of the VIN", "Historiek van het chassisnummer", "Historique du VIN", "Historie der FIN")) }
                dd {
                    @if history.is_empty() {
                        (t(lang, "none", "geen", "aucun", "keine"))
                    }
                    @for (i, h) in history.iter().enumerate() {
                        @if i > 0 { " · " }
                        span.nowrap { (day(f, &h["work_date"])) " " strong { (odo(f, &h["odometer"], &h["unit"])) } }
                    }
                }
            }
            div.scroll {
                table {
                    tr {
                        th { (t(lang, "Issue", "Melding", "Signalement", "Meldung")) }
                        th { (t(lang, "Code", "Code", "Code", "Code")) }
                        th { (t(lang, "State", "Toestand", "État", "Zustand")) }
                        th { (t(lang, "What the registry found", "Wat het register vond", "Ce que le registre a constaté", "Was das Register fand")) }
                        th { (t(lang, "What the garage said", "Wat de garage zei", "Ce que le garage a dit", "Was die Werkstatt sagte")) }
                    }
                    @for issue in item["issues"].as_array().into_iter().flatten() {
                        tr {
                            td.nowrap { (text(&issue["number"])) }
                            td { code { (text(&issue["code"])) } }
                            td { (text(&issue["state"])) }
                            td { (text(&issue["message"])) }
                            td { (text(&issue["answer"]["note"])) }
                        }
                    }
                }
            }
            form method="post" action=(format!("/staff/readings/{id}/decision")) {
                (me.csrf_input())
                label for=(format!("note-{id}")) {
                    (t(lang, "Note", "Notitie", "Note", "Notiz")) " "
                    span.hint { (t(lang, "(required: why you decide so)", "(verplicht: waarom u zo beslist)", "(obligatoire\u{a0}: pourquoi vous décidez ainsi)", "(Pflicht: warum Sie so entscheiden)")) }
                }
                textarea id=(format!("note-{id}")) name="note" required {}
                div.actions {
                    button.pass type="submit" name="decision" value="accept" { (t(lang, "Accept the reading", "De kilometerstand aanvaarden", "Accepter le relevé", "Kilometerstand annehmen")) }
                    button.danger type="submit" name="decision" value="reject" { (t(lang, "Reject the reading", "De kilometerstand weigeren", "Refuser le relevé", "Kilometerstand ablehnen")) }
                    a href=(format!("/staff/paper-form?reading={id}")) { (t(lang, "Apply a paper form instead", "Liever een papieren formulier toepassen", "Appliquer plutôt un formulaire papier", "Stattdessen ein Papierformular anwenden")) }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

impl Protected for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn decide(
    action: Action<DecisionForm>,
    reader: Reader,
    reading: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form } = action;
    let lang = reader.lang;
    let reading = reading.into_inner();
    let decision = match form.decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => {
            let notice = Notice::Error(
                t(
                    lang,
                    "Choose accept or reject.",
                    "Kies aanvaarden of weigeren.",
                    "Choisissez accepter ou refuser.",
                    "Wählen Sie Annehmen oder Ablehnen.",
                )
                .into(),
            );
            return queue_page(
                &me,
                &reader,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&notice),
            )
            .await;
        }
    };
    if filled(&form.note).is_none() {
        let notice = Notice::Error(match lang {
            Language::Nl => format!("Kilometerstand {reading}: schrijf in een notitie waarom; er werd niets beslist."),
            Language::Fr => format!("Relevé {reading}\u{a0}: écrivez dans une note pourquoi\u{a0}; rien n'a été décidé."),
            Language::De => format!("Kilometerstand {reading}: schreiben Sie in einer Notiz, warum; es wurde nichts entschieden."),
            Language::En => format!("Reading {reading}: write a note saying why; nothing was decided."),
        });
        return queue_page(
            &me,
            &reader,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&notice),
        )
        .await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let id = reading.clone();
    let note = form.note.trim().to_owned();
    let outcome = state
        .run(move |conn| review::decide(conn, &by, &id, decision, &note, now))
        .await;
    match outcome {
        Ok(_) => layout::done(
            "/staff",
            if decision == Decision::Accept {
                "accepted"
            } else {
                "rejected"
            },
            &reading,
        ),
        Err(error) => match Failure::staff(error, lang) {
            Failure::Refused(status, message) => {
                queue_page(&me, &reader, &state, status, Some(&Notice::Error(message))).await
            }
            Failure::Ours => unavailable(),
        },
    }
}

/// What the paper form's fields held, to show them again when the form is refused.
#[derive(Deserialize, Default)]
pub struct PaperFormFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    odometer: String,
    #[serde(default)]
    work_date: String,
    #[serde(default)]
    vin: String,
    #[serde(default)]
    note: String,
}

impl Protected for PaperFormFields {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn paper_form(me: Staff, reader: Reader, shown: web::Query<Shown>) -> HttpResponse {
    let shown = shown.into_inner();
    let notice = layout::confirmation(reader.lang, shown.done.as_deref(), shown.subject.as_deref());
    let fields = PaperFormFields {
        reading: shown.reading.unwrap_or_default(),
        ..Default::default()
    };
    respond(
        StatusCode::OK,
        paper_form_html(&me, &reader, &fields, notice.as_ref()),
    )
}

fn paper_form_html(
    me: &Staff,
    reader: &Reader,
    fields: &PaperFormFields,
    notice: Option<&Notice>,
) -> String {
    let lang = reader.lang;
    let optional = t(
        lang,
        "(optional)",
        "(optioneel)",
        "(facultatif)",
        "(optional)",
    );
    let field = |name: &'static str,
                 label: &str,
                 hint: &str,
                 kind: &'static str,
                 value: &str,
                 required: bool| {
        html! {
            label for=(name) { (label) " " span.hint { (hint) } }
            input type=(kind) id=(name) name=(name) value=(value) required[required];
        }
    };
    let body = html! {
        p.muted { (t(lang,
            "A reading whose one electronic correction was used up is corrected with the signed paper form. Fill in what the form changes; leave the rest empty. The earlier values are kept, with your name and the form's reference, and the reading is checked again.",
            "Een kilometerstand waarvan de ene elektronische correctie opgebruikt is, wordt verbeterd met het ondertekende papieren formulier. Vul in wat het formulier wijzigt; laat de rest leeg. De vroegere waarden blijven bewaard, met uw naam en de referentie van het formulier, en de kilometerstand wordt opnieuw gecontroleerd.",
            "Un relevé dont l'unique correction électronique a été utilisée se corrige avec le formulaire papier signé. Remplissez ce que le formulaire modifie\u{a0}; laissez le reste vide. Les valeurs antérieures sont conservées, avec votre nom et la référence du formulaire, et le relevé est vérifié à nouveau.",
            "Ein Kilometerstand, dessen eine elektronische Korrektur verbraucht ist, wird mit dem unterschriebenen Papierformular korrigiert. Füllen Sie aus, was das Formular ändert; lassen Sie den Rest leer. Die früheren Werte bleiben erhalten, mit Ihrem Namen und der Referenz des Formulars, und der Kilometerstand wird erneut geprüft.",
        )) }
        form.card method="post" action="/staff/paper-form" {
            (me.csrf_input())
            (field("reading", t(lang, "Reading id", "Id van de kilometerstand", "Identifiant du relevé", "Kennung des Kilometerstands"), t(lang, "(from the review queue or the garage's receipt)", "(uit de controlelijst of het ontvangstbewijs van de garage)", "(de la file de contrôle ou de l'accusé de réception du garage)", "(aus der Prüfliste oder der Empfangsbestätigung der Werkstatt)"), "text", &fields.reading, true))
            (field("reference", t(lang, "Form reference", "Referentie van het formulier", "Référence du formulaire", "Referenz des Formulars"), t(lang, "(as printed on the signed form)", "(zoals gedrukt op het ondertekende formulier)", "(telle qu'imprimée sur le formulaire signé)", "(wie auf dem unterschriebenen Formular gedruckt)"), "text", &fields.reference, true))
            (field("odometer", t(lang, "Odometer", "Kilometerstand", "Kilométrage", "Kilometerstand"), optional, "text", &fields.odometer, false))
            (field("work_date", t(lang, "Work date", "Datum van het werk", "Date des travaux", "Arbeitsdatum"), optional, "date", &fields.work_date, false))
            (field("vin", t(lang, "VIN", "Chassisnummer", "VIN", "FIN"), optional, "text", &fields.vin, false))
            label for="note" { (t(lang, "Note", "Notitie", "Note", "Notiz")) " " span.hint { (optional) } }
            textarea id="note" name="note" { (fields.note) }
            div.actions { button type="submit" { (t(lang, "Apply the paper form", "Het papieren formulier toepassen", "Appliquer le formulaire papier", "Papierformular anwenden")) } }
        }
    };
    let title = t(
        lang,
        "Paper correction form",
        "Papieren correctieformulier",
        "Formulaire de correction papier",
        "Papier-Korrekturformular",
    );
    frame(reader, me, Nav::PaperForm, title, notice, body).into_string()
}

/// What is wrong with a paper form's fields: the kind and what was typed, said in the
/// reader's language by `message`.
#[derive(Debug, PartialEq)]
enum FieldError {
    NoReading,
    NoReference,
    Odometer(String),
    WorkDate(String),
    Vin(VinProblem),
    NothingToCorrect,
}

impl FieldError {
    fn message(&self, lang: Language) -> String {
        use Language::{De, En, Fr, Nl};
        match self {
            FieldError::NoReading => t(lang, "Give the reading id.", "Geef de id van de kilometerstand.", "Donnez l'identifiant du relevé.", "Geben Sie die Kennung des Kilometerstands an.").into(),
            FieldError::NoReference => t(lang, "Give the form reference printed on the signed form.", "Geef de referentie die op het ondertekende formulier gedrukt staat.", "Donnez la référence imprimée sur le formulaire signé.", "Geben Sie die auf dem unterschriebenen Formular gedruckte Referenz an.").into(),
            FieldError::Odometer(raw) => match lang {
                En => format!("Odometer: '{raw}' is not a whole number of km or miles."),
                Nl => format!("Kilometerstand: «{raw}» is geen geheel aantal km of mijl."),
                Fr => format!("Kilométrage\u{a0}: «\u{a0}{raw}\u{a0}» n'est pas un nombre entier de km ou de miles."),
                De => format!("Kilometerstand: „{raw}“ ist keine ganze Zahl von km oder Meilen."),
            },
            FieldError::WorkDate(raw) => match lang {
                En => format!("Work date: '{raw}' is not a date (YYYY-MM-DD)."),
                Nl => format!("Datum van het werk: «{raw}» is geen datum (JJJJ-MM-DD)."),
                Fr => format!("Date des travaux\u{a0}: «\u{a0}{raw}\u{a0}» n'est pas une date (AAAA-MM-JJ)."),
                De => format!("Arbeitsdatum: „{raw}“ ist kein Datum (JJJJ-MM-TT)."),
            },
            FieldError::Vin(problem) => match lang {
                En => format!("VIN: {problem}"),
                Nl => format!("Chassisnummer: {}.", vin_problem(lang, problem)),
                Fr => format!("VIN\u{a0}: {}.", vin_problem(lang, problem)),
                De => format!("FIN: {}.", vin_problem(lang, problem)),
            },
            FieldError::NothingToCorrect => t(lang,
                "Give at least one of odometer, work date or VIN: what the form corrects.",
                "Geef minstens de kilometerstand, de datum van het werk of het chassisnummer: wat het formulier verbetert.",
                "Donnez au moins le kilométrage, la date des travaux ou le VIN\u{a0}: ce que le formulaire corrige.",
                "Geben Sie mindestens Kilometerstand, Arbeitsdatum oder FIN an: was das Formular korrigiert.",
            ).into(),
        }
    }
}

fn read_paper_form(fields: &PaperFormFields) -> Result<(String, PaperForm), FieldError> {
    let reading = filled(&fields.reading).ok_or(FieldError::NoReading)?;
    let reference = filled(&fields.reference).ok_or(FieldError::NoReference)?;
    let odometer = filled(&fields.odometer)
        .map(|raw| {
            // As displayed, perhaps with thousands separators: "45 210", "45.210".
            let digits: String = raw
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | ',' | '\u{a0}'))
                .collect();
            digits
                .parse::<u64>()
                .map_err(|_| FieldError::Odometer(raw.to_owned()))
        })
        .transpose()?;
    let work_date = filled(&fields.work_date)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| FieldError::WorkDate(raw.to_owned()))
        })
        .transpose()?;
    let vin = filled(&fields.vin)
        .map(|raw| {
            let vin = raw.to_ascii_uppercase();
            Vin::parse(&vin).map(|_| vin).map_err(FieldError::Vin)
        })
        .transpose()?;
    if odometer.is_none() && work_date.is_none() && vin.is_none() {
        return Err(FieldError::NothingToCorrect);
    }
    Ok((
        reading.to_owned(),
        PaperForm {
            reference: reference.to_owned(),
            odometer,
            work_date,
            vin,
            note: filled(&fields.note).map(str::to_owned),
        },
    ))
}

pub async fn apply_paper_form(
    action: Action<PaperFormFields>,
    reader: Reader,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form: fields } = action;
    let lang = reader.lang;
    let refused = |status, message: String| {
        respond(
            status,
            paper_form_html(
                &me,
                &reader,
                &fields,
                Some(&Notice::Error(format!(
                    "{message} {}",
                    layout::nothing_changed(lang)
                ))),
            ),
        )
    };
    let (reading, form) = match read_paper_form(&fields) {
        Ok(read) => read,
        Err(error) => return refused(StatusCode::UNPROCESSABLE_ENTITY, error.message(lang)),
    };
    let now = state.clock.now();
    let by = me.username.clone();
    let id = reading.clone();
    match state
        .run(move |conn| review::apply_paper_form(conn, &by, &id, &form, now))
        .await
    {
        Ok(status) => layout::done(
            "/staff/paper-form",
            "paper-form",
            &format!("{reading} → {}", status.as_str()),
        ),
        Err(error) => match Failure::staff(error, lang) {
            Failure::Refused(status, message) => refused(status, message),
            Failure::Ours => unavailable(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(odometer: &str, work_date: &str, vin: &str) -> PaperFormFields {
        PaperFormFields {
            reading: "r1".into(),
            reference: "PF-1".into(),
            odometer: odometer.into(),
            work_date: work_date.into(),
            vin: vin.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_odometer_may_be_typed_with_thousands_separators() {
        let (_, form) = read_paper_form(&fields("45 210", "", "")).unwrap();
        assert_eq!(form.odometer, Some(45_210));
        let (_, form) = read_paper_form(&fields("45.210", "2025-06-02", "")).unwrap();
        assert_eq!(form.odometer, Some(45_210));
        assert_eq!(form.work_date, NaiveDate::from_ymd_opt(2025, 6, 2));
    }

    #[test]
    fn a_form_that_changes_nothing_or_holds_nonsense_is_refused() {
        let refused = |o: &str, d: &str, v: &str| read_paper_form(&fields(o, d, v)).unwrap_err();
        assert_eq!(refused("", "", ""), FieldError::NothingToCorrect);
        assert_eq!(
            refused("about 45000", "", ""),
            FieldError::Odometer("about 45000".into())
        );
        assert_eq!(
            refused("", "3 June", ""),
            FieldError::WorkDate("3 June".into())
        );
        assert!(matches!(refused("", "", "NOTAVIN"), FieldError::Vin(_)));
    }

    #[test]
    fn a_field_error_speaks_the_readers_language() {
        let odometer = FieldError::Odometer("veel".into());
        assert_eq!(
            odometer.message(Language::Nl),
            "Kilometerstand: «veel» is geen geheel aantal km of mijl."
        );
        assert_eq!(
            odometer.message(Language::Fr),
            "Kilométrage\u{a0}: «\u{a0}veel\u{a0}» n'est pas un nombre entier de km ou de miles."
        );
        assert_eq!(
            odometer.message(Language::De),
            "Kilometerstand: „veel“ ist keine ganze Zahl von km oder Meilen."
        );
        assert_eq!(
            odometer.message(Language::En),
            "Odometer: 'veel' is not a whole number of km or miles."
        );
        let vin = read_paper_form(&fields("", "", "WVWZZZ1KZ6W0000")).unwrap_err();
        assert!(vin
            .message(Language::Fr)
            .starts_with("VIN\u{a0}: il compte 15 caractères"));
        assert!(vin
            .message(Language::Nl)
            .starts_with("Chassisnummer: het telt 15 tekens"));
        for lang in Language::ALL {
            assert!(!FieldError::NothingToCorrect.message(lang).is_empty());
        }
    }
}
