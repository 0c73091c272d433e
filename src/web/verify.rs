//! `GET /verify` (a form: type the ID) and `GET /verify/{id}` (HTML, or JSON on
//! `Accept: application/json`): anyone holding a Car-Pass checks it is genuine (seeds 002, 004).
//! The page shows what the document printed and whether it is still valid, nothing more: the
//! registry's data serve only to inform buyers and sellers, so no history is shown otherwise.
//! An unknown, a mistyped and an expired ID each get their own message; a client that asks for
//! many unknown IDs is held back (`service::car_pass::MISSES_ALLOWED`).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::car_pass::CarPass;
use crate::domain::language::Text;
use crate::domain::source::ReadingSource;
use crate::service::car_pass::{self, Verification};
use crate::web::page::{respond, shell, Failure, Reader};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify", web::get().to(form))
        .route("/verify/{id}", web::get().to(show));
}

#[derive(serde::Deserialize)]
struct Asked {
    id: Option<String>,
}

const TITLE: Text = Text {
    nl: "Echtheid van een Car-Pass nagaan",
    fr: "Vérifier l'authenticité d'un Car-Pass",
    de: "Echtheit eines Car-Pass prüfen",
    en: "Check that a Car-Pass is genuine",
};

/// The form; `?id=` (what the form sends) leads to the ID's page.
async fn form(req: HttpRequest, asked: web::Query<Asked>) -> HttpResponse {
    if let Some(id) = asked
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        let target = format!("/verify/{}", urlencoding(id));
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish();
    }
    let reader = Reader::of(&req);
    let lang = reader.lang;
    let body = html! {
        main.narrow {
            h1 { (TITLE.get(lang)) }
            p { (Text {
                nl: "Scan de QR-code op de Car-Pass of typ het ID-nummer. Je ziet dan de gegevens die op de Car-Pass gedrukt staan. Komen ze niet overeen of krijg je een foutmelding, dan gaat het waarschijnlijk om een vervalsing of een Car-Pass die al lang vervallen is.",
                fr: "Scannez le code QR du Car-Pass ou tapez son numéro d'identification. Vous voyez alors les données imprimées sur le Car-Pass. Si elles ne correspondent pas ou si vous obtenez une erreur, il s'agit probablement d'un faux ou d'un Car-Pass expiré depuis longtemps.",
                de: "Scannen Sie den QR-Code auf dem Car-Pass oder geben Sie die ID-Nummer ein. Sie sehen dann die auf dem Car-Pass gedruckten Daten. Stimmen sie nicht überein oder erhalten Sie einen Fehler, handelt es sich wahrscheinlich um eine Fälschung oder einen längst abgelaufenen Car-Pass.",
                en: "Scan the QR code on the Car-Pass or type its ID number. You then see the data printed on the Car-Pass. If they do not match or you get an error, it is probably a forgery or a Car-Pass that expired long ago.",
            }.get(lang)) }
            form.card method="get" action="/verify" {
                label for="id" { (Text { nl: "ID-nummer", fr: "Numéro d'identification", de: "ID-Nummer", en: "ID number" }.get(lang)) }
                input #id type="text" name="id" inputmode="numeric" autocomplete="off" placeholder="1234-5678-9012-3" required;
                input type="hidden" name="lang" value=(lang.as_str());
                div.actions { button type="submit" { (Text { nl: "Nagaan", fr: "Vérifier", de: "Prüfen", en: "Check" }.get(lang)) } }
            }
        }
    };
    respond(
        StatusCode::OK,
        shell(&reader, TITLE.get(lang), body).into_string(),
    )
}

/// Enough of percent-encoding for an ID as typed (digits, spaces, hyphens, dots).
fn urlencoding(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the JSON answer says; `car_pass` only when it is found and valid.
#[derive(Serialize)]
struct Answer<'a> {
    status: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    car_pass: Option<&'a CarPass>,
}

async fn show(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let reader = Reader::of(&req);
    let lang = reader.lang;
    let client = crate::app::client_address(&req, &state.settings)
        .map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    let now = state.clock.now();
    let raw = id.into_inner();
    let typed = raw.clone();
    let found = match state
        .run(move |conn| car_pass::verify(conn, &typed, &client, now))
        .await
    {
        Ok(found) => found,
        Err(e) if wants_json => return Failure::from(e).json_response(),
        Err(e) => return Failure::from(e).response(),
    };
    let (status, code, message, pass, valid_until) = match &found {
        Verification::Found { pass, valid: true } => (
            StatusCode::OK,
            "valid",
            VALID.get(lang).to_owned(),
            Some(pass.as_ref()),
            Some(pass.valid_until),
        ),
        Verification::Found { pass, valid: false } => (
            StatusCode::GONE,
            "expired",
            format!(
                "{} {}. {}",
                EXPIRED.get(lang),
                reader.fmt().date(pass.valid_until),
                EXPIRED_HINT.get(lang)
            ),
            None,
            Some(pass.valid_until),
        ),
        Verification::Mistyped(e) => (
            StatusCode::BAD_REQUEST,
            match e {
                crate::domain::car_pass_id::CarPassIdError::Malformed => "malformed",
                crate::domain::car_pass_id::CarPassIdError::CheckDigit => "mistyped",
            },
            match e {
                crate::domain::car_pass_id::CarPassIdError::Malformed => MALFORMED,
                crate::domain::car_pass_id::CarPassIdError::CheckDigit => MISTYPED,
            }
            .get(lang)
            .to_owned(),
            None,
            None,
        ),
        Verification::Unknown => (
            StatusCode::NOT_FOUND,
            "unknown",
            UNKNOWN.get(lang).to_owned(),
            None,
            None,
        ),
        Verification::HeldBack { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "held_back",
            HELD_BACK.get(lang).to_owned(),
            None,
            None,
        ),
    };
    let mut response = if wants_json {
        HttpResponse::build(status)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(Answer {
                status: code,
                message,
                valid_until,
                car_pass: pass,
            })
    } else {
        let body = page(&reader, code, &message, pass);
        respond(status, shell(&reader, TITLE.get(lang), body).into_string())
    };
    if let Verification::HeldBack { retry_after_secs } = found {
        if let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

const VALID: Text = Text {
    nl: "Deze Car-Pass is echt en nog geldig. Vergelijk de gegevens hieronder met het papier: ze moeten volledig overeenkomen.",
    fr: "Ce Car-Pass est authentique et encore valable. Comparez les données ci-dessous avec le papier : elles doivent correspondre entièrement.",
    de: "Dieser Car-Pass ist echt und noch gültig. Vergleichen Sie die Daten unten mit dem Papier: Sie müssen vollständig übereinstimmen.",
    en: "This Car-Pass is genuine and still valid. Compare the data below with the paper: they must match entirely.",
};
const EXPIRED: Text = Text {
    nl: "Deze Car-Pass is vervallen sinds",
    fr: "Ce Car-Pass a expiré le",
    de: "Dieser Car-Pass ist abgelaufen seit",
    en: "This Car-Pass expired on",
};
const EXPIRED_HINT: Text = Text {
    nl: "Een Car-Pass is 2 maanden geldig: vraag de verkoper een nieuwe.",
    fr: "Un Car-Pass est valable 2 mois : demandez-en un nouveau au vendeur.",
    de: "Ein Car-Pass ist 2 Monate gültig: Verlangen Sie vom Verkäufer einen neuen.",
    en: "A Car-Pass is valid for 2 months: ask the seller for a new one.",
};
const MISTYPED: Text = Text {
    nl: "Dit ID-nummer klopt niet: het controlecijfer past niet bij de andere cijfers. Waarschijnlijk werd een cijfer verkeerd getypt of werden er twee omgewisseld; typ het opnieuw over van de Car-Pass.",
    fr: "Ce numéro d'identification est incorrect : le chiffre de contrôle ne correspond pas aux autres. Un chiffre a probablement été mal tapé ou deux ont été inversés ; recopiez-le depuis le Car-Pass.",
    de: "Diese ID-Nummer stimmt nicht: Die Prüfziffer passt nicht zu den anderen Ziffern. Wahrscheinlich wurde eine Ziffer falsch eingegeben oder zwei vertauscht; geben Sie sie erneut vom Car-Pass ein.",
    en: "This ID number is not right: its check digit does not match the other digits. A digit was probably mistyped or two were swapped; type it again from the Car-Pass.",
};
const MALFORMED: Text = Text {
    nl: "Een ID-nummer van een Car-Pass bestaat uit 13 cijfers, geschreven zoals 1234-5678-9012-3. Typ het over zoals het op de Car-Pass staat.",
    fr: "Le numéro d'identification d'un Car-Pass compte 13 chiffres, écrits comme 1234-5678-9012-3. Recopiez-le tel qu'il figure sur le Car-Pass.",
    de: "Die ID-Nummer eines Car-Pass hat 13 Ziffern, geschrieben wie 1234-5678-9012-3. Geben Sie sie so ein, wie sie auf dem Car-Pass steht.",
    en: "A Car-Pass ID number has 13 digits, written like 1234-5678-9012-3. Type it as it is printed on the Car-Pass.",
};
const UNKNOWN: Text = Text {
    nl: "Er werd nooit een Car-Pass met dit ID-nummer uitgereikt. Staat het zo op het document, dan is het waarschijnlijk vervalst: koop niet zonder een echte Car-Pass.",
    fr: "Aucun Car-Pass portant ce numéro n'a jamais été délivré. Si c'est bien le numéro imprimé, le document est probablement un faux : n'achetez pas sans un vrai Car-Pass.",
    de: "Ein Car-Pass mit dieser ID-Nummer wurde nie ausgestellt. Steht sie so auf dem Dokument, ist es wahrscheinlich gefälscht: Kaufen Sie nicht ohne echten Car-Pass.",
    en: "No Car-Pass with this ID number was ever issued. If that is the number printed on the document, it is probably a forgery: do not buy without a genuine Car-Pass.",
};
const HELD_BACK: Text = Text {
    nl: "Vanaf dit adres werden te veel onbekende ID-nummers opgevraagd. Probeer het over enkele minuten opnieuw.",
    fr: "Trop de numéros inconnus ont été demandés depuis cette adresse. Réessayez dans quelques minutes.",
    de: "Von dieser Adresse wurden zu viele unbekannte ID-Nummern abgefragt. Versuchen Sie es in einigen Minuten erneut.",
    en: "Too many unknown ID numbers were asked from this address. Try again in a few minutes.",
};

fn source_name(source: ReadingSource) -> Text {
    match source {
        ReadingSource::Garage => Text {
            nl: "garage",
            fr: "garage",
            de: "Werkstatt",
            en: "garage",
        },
        ReadingSource::CarPass => Text {
            nl: "Car-Pass-aanvraag",
            fr: "demande de Car-Pass",
            de: "Car-Pass-Antrag",
            en: "Car-Pass request",
        },
        ReadingSource::Connected => Text {
            nl: "verbonden wagen (constructeur)",
            fr: "voiture connectée (constructeur)",
            de: "vernetztes Fahrzeug (Hersteller)",
            en: "connected car (manufacturer)",
        },
        ReadingSource::Foreign => Text {
            nl: "buitenland (invoerder)",
            fr: "étranger (importateur)",
            de: "Ausland (Importeur)",
            en: "abroad (importer)",
        },
        ReadingSource::Rdw => Text {
            nl: "RDW (Nederland)",
            fr: "RDW (Pays-Bas)",
            de: "RDW (Niederlande)",
            en: "RDW (Netherlands)",
        },
    }
}

fn page(reader: &Reader, code: &str, message: &str, pass: Option<&CarPass>) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let t = |text: Text| text.get(lang);
    let none = t(Text {
        nl: "geen geregistreerd",
        fr: "aucun enregistré",
        de: "keine registriert",
        en: "none registered",
    });
    let optional = |value: Option<String>| value.unwrap_or_else(|| "–".to_owned());
    html! {
        main {
            h1 { (TITLE.get(lang)) }
            @if let Some(pass) = pass {
                p.verdict.valid data-status=(code) { (message) }
                div.card {
                    // Narrow screens: the labels' column may wrap, the values break anywhere.
                    dl style="grid-template-columns:minmax(0,2fr) minmax(0,3fr);overflow-wrap:anywhere" {
                        dt { (t(Text { nl: "ID-nummer", fr: "Numéro d'identification", de: "ID-Nummer", en: "ID number" })) }
                        dd { strong { (pass.id) } }
                        dt { "VIN" } dd { code { (pass.vin.as_str()) } }
                        dt { (t(Text { nl: "Merk en model", fr: "Marque et modèle", de: "Marke und Modell", en: "Make and model" })) }
                        dd { (optional(pass.make.clone())) " " (pass.model.clone().unwrap_or_default()) }
                        dt { (t(Text { nl: "Eerste inschrijving", fr: "Première immatriculation", de: "Erstzulassung", en: "First registration" })) }
                        dd { (optional(pass.first_registration.map(|d| f.date(d)))) }
                        dt { (t(Text { nl: "Eerste inschrijving in België", fr: "Première immatriculation en Belgique", de: "Erstzulassung in Belgien", en: "First registration in Belgium" })) }
                        dd { (optional(pass.first_registration_be.map(|d| f.date(d)))) }
                        dt { (t(Text { nl: "Euronorm", fr: "Norme Euro", de: "Euronorm", en: "Euro norm" })) }
                        dd { (optional(pass.euro_norm.clone())) }
                        dt { "CO2" } dd { (optional(pass.co2_g_km.map(|c| format!("{} g/km", f.num(c.into()))))) }
                        dt { (t(Text { nl: "Brandstof", fr: "Carburant", de: "Kraftstoff", en: "Fuel" })) }
                        // The registry's code in the reader's words, as the paper prints it.
                        dd { (optional(pass.fuel.as_deref().map(|code| {
                            crate::document::words::fuel(code)
                                .map_or_else(|| code.to_owned(), |words| words.get(lang).to_owned())
                        }))) }
                        dt { (t(Text { nl: "Uitgereikt op", fr: "Délivré le", de: "Ausgestellt am", en: "Issued on" })) }
                        dd { (f.date(crate::domain::calendar::brussels_date(pass.issued_at))) }
                        dt { (t(Text { nl: "Geldig tot en met", fr: "Valable jusqu'au", de: "Gültig bis einschließlich", en: "Valid until" })) }
                        dd { (f.date(pass.valid_until)) }
                    }
                }
                h2 { (t(Text { nl: "Geregistreerde kilometerstanden", fr: "Relevés kilométriques enregistrés", de: "Registrierte Kilometerstände", en: "Registered odometer readings" })) }
                div style="overflow-x:auto" {
                    table {
                        thead { tr {
                            th { (t(Text { nl: "Datum", fr: "Date", de: "Datum", en: "Date" })) }
                            th.num { (t(Text { nl: "Kilometerstand", fr: "Compteur", de: "Kilometerstand", en: "Odometer" })) }
                            th { (t(Text { nl: "Bron", fr: "Source", de: "Quelle", en: "Source" })) }
                            th { (t(Text { nl: "Opmerking", fr: "Remarque", de: "Bemerkung", en: "Remark" })) }
                        } }
                        tbody {
                            @for r in &pass.readings {
                                tr {
                                    td.nowrap { (f.date(r.date)) }
                                    td.num.nowrap { (f.odo(r.odometer, r.unit)) }
                                    // Where it came from and who registered it: the garage, the
                                    // centre, the manufacturer, the importer (and its country), the RDW.
                                    td { (source_name(r.source).get(lang)) @if let Some(country) = r.country { " (" (country) ")" }
                                        @if !r.registered_by.is_empty() { br; span.muted { (r.registered_by) } } }
                                    td {
                                        @if r.disputed { span.bad { (t(Text { nl: "betwist", fr: "contesté", de: "bestritten", en: "disputed" })) } }
                                        @if r.accepted_anomaly { span.wait { (t(Text { nl: "anomalie aanvaard na onderzoek", fr: "anomalie acceptée après examen", de: "Anomalie nach Prüfung akzeptiert", en: "anomaly accepted after review" })) } }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { (t(Text { nl: "Vermeldingen", fr: "Mentions", de: "Vermerke", en: "Mentions" })) }
                ul {
                    @if pass.mentions.imported_used { li { (t(Text { nl: "Dit tweedehandsvoertuig werd ingevoerd uit het buitenland.", fr: "Ce véhicule d'occasion a été importé de l'étranger.", de: "Dieses Gebrauchtfahrzeug wurde aus dem Ausland eingeführt.", en: "This used vehicle was imported from abroad." })) } }
                    @if pass.mentions.five_digit_odometer { li { (t(Text { nl: "Dit voertuig heeft een kilometerteller met 5 cijfers.", fr: "Ce véhicule a un compteur à 5 chiffres.", de: "Dieses Fahrzeug hat einen 5-stelligen Kilometerzähler.", en: "This vehicle has a 5-digit odometer." })) } }
                    @for d in &pass.mentions.odometer_replaced { li { (t(Text { nl: "Kilometerteller vervangen op", fr: "Compteur remplacé le", de: "Kilometerzähler ersetzt am", en: "Odometer replaced on" })) " " (f.date(*d)) } }
                    @if pass.mentions.accepted_anomalies { li { (t(Text { nl: "Een kilometerstand die de historiek breekt, werd na onderzoek aanvaard.", fr: "Un relevé qui rompt l'historique a été accepté après examen.", de: "Ein Kilometerstand, der die Historie bricht, wurde nach Prüfung akzeptiert.", en: "A reading that breaks the history was accepted after review." })) } }
                    @if let Some(judgment) = &pass.mentions.rdw_verdict { li { (crate::document::words::rdw_verdict(judgment, lang, &f.date(judgment.judged_on))) } }
                    li { (t(Text { nl: "Keuring na ongeval", fr: "Contrôle après accident", de: "Prüfung nach Unfall", en: "Post-accident inspection" })) ": "
                        @match &pass.mentions.post_accident_pending { Some(p) => { (f.date(p.reported_on)) " (" (p.informex_reference) ")" } None => { (none) } } }
                    li { (t(Text { nl: "Openstaande terugroepacties", fr: "Rappels en cours", de: "Offene Rückrufe", en: "Open recalls" })) ": "
                        @if pass.mentions.open_recalls.is_empty() { (none) } @else { @for r in &pass.mentions.open_recalls { (r.title) " (" (r.reference) ") " } } }
                }
                @if pass.readings.iter().any(|r| !r.works.is_empty()) {
                    h2 { (t(Text { nl: "Overzicht van de uitgevoerde werken", fr: "Aperçu des travaux effectués", de: "Übersicht der durchgeführten Arbeiten", en: "Overview of the works done" })) }
                    div style="overflow-x:auto" {
                        table {
                            @for r in pass.readings.iter().filter(|r| !r.works.is_empty()) {
                                tr { td.nowrap { (f.date(r.date)) } td { (r.works.join("; ")) } }
                            }
                        }
                    }
                }
            } @else {
                p.verdict.invalid data-status=(code) { (message) }
                p { a href={ "/verify?lang=" (lang.as_str()) } { (t(Text { nl: "Een ander ID-nummer nagaan", fr: "Vérifier un autre numéro", de: "Eine andere ID-Nummer prüfen", en: "Check another ID number" })) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::language::Language;

    #[test]
    fn every_source_has_a_name_in_every_language() {
        for source in ReadingSource::ALL {
            for lang in Language::ALL {
                assert!(!source_name(source).get(lang).is_empty());
            }
        }
    }

    #[test]
    fn an_id_as_typed_goes_into_the_address_safely() {
        assert_eq!(urlencoding("1234-5678 9012-3"), "1234-5678%209012-3");
        assert_eq!(urlencoding("<x>"), "%3Cx%3E");
    }
}
