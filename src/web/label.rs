//! `GET /label/{id}` (and `HEAD`): the public page an advert links to (HTML in the reader's
//! language, or JSON on `Accept: application/json`). It names the advert the label belongs to
//! (the VIN's last characters, the advertised mileage, the last registered reading's date) and
//! whether the label still holds, never the reading history (SPEC 2.8: the data serves the
//! certificate only).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use crate::app::AppState;
use crate::domain::language::Text;
use crate::domain::odometer::OdometerUnit;
use crate::service::labels::{self, PublicLabel};
use crate::web::page::{respond, shell, Failure, Reader};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // HEAD as GET: a portal checks that its link still resolves without loading the page.
    cfg.service(
        web::resource("/label/{id}")
            .route(web::get().to(show))
            .route(web::head().to(show)),
    );
}

async fn show(
    req: HttpRequest,
    reader: Reader,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let id = id.into_inner();
    let lookup = id.clone();
    let label = match state.run(move |conn| labels::public(conn, &lookup)).await {
        Ok(label) => label,
        Err(error) => return Failure::from(error).response(),
    };
    match (label, wants_json) {
        (Some(label), true) => HttpResponse::Ok().json(&label),
        (Some(label), false) => respond(StatusCode::OK, page(&reader, &label).into_string()),
        (None, true) => HttpResponse::NotFound().json(serde_json::json!({
            "error": "LABEL_NOT_FOUND",
            "message": format!("no OK label {id}: check the link in the advert"),
        })),
        (None, false) => respond(StatusCode::NOT_FOUND, not_found(&reader, &id).into_string()),
    }
}

const TITLE: Text = Text {
    nl: "Kilometer-OK-label",
    fr: "Label kilométrique OK",
    de: "Kilometer-OK-Label",
    en: "Odometer OK label",
};
const VALID: Text = Text {
    nl: "Dit OK-label is geldig: de geregistreerde kilometerhistoriek klopt met de advertentie.",
    fr: "Ce label OK est valable\u{a0}: l'historique kilométrique enregistré concorde avec l'annonce.",
    de: "Dieses OK-Label ist gültig: die registrierte Kilometerhistorie stimmt mit der Anzeige überein.",
    en: "This OK label is valid: the registered odometer history agrees with the advert.",
};
const NO_LONGER: Text = Text {
    nl: "Dit OK-label is niet langer geldig",
    fr: "Ce label OK n'est plus valable",
    de: "Dieses OK-Label ist nicht mehr gültig",
    en: "This OK label is no longer valid",
};
const CHECK: Text = Text {
    nl: "Vergelijk met de advertentie",
    fr: "À comparer avec l'annonce",
    de: "Mit der Anzeige vergleichen",
    en: "Compare with the advert",
};
const VIN_ENDS: Text = Text {
    nl: "Chassisnummer eindigt op",
    fr: "Le numéro de châssis se termine par",
    de: "Fahrgestellnummer endet auf",
    en: "VIN ends with",
};
const ADVERTISED: Text = Text {
    nl: "Kilometerstand in de advertentie",
    fr: "Kilométrage de l'annonce",
    de: "Kilometerstand in der Anzeige",
    en: "Advertised mileage",
};
const ADVERT: Text = Text {
    nl: "Advertentie",
    fr: "Annonce",
    de: "Anzeige",
    en: "Advert",
};
const VEHICLE: Text = Text {
    nl: "Voertuig",
    fr: "Véhicule",
    de: "Fahrzeug",
    en: "Vehicle",
};
const UNKNOWN: Text = Text {
    nl: "onbekend",
    fr: "inconnu",
    de: "unbekannt",
    en: "unknown",
};
const LAST_READING: Text = Text {
    nl: "Laatste geregistreerde kilometerstand",
    fr: "Dernier relevé enregistré",
    de: "Letzter registrierter Kilometerstand",
    en: "Last registered reading",
};
const NONE: Text = Text {
    nl: "geen",
    fr: "aucun",
    de: "keiner",
    en: "none",
};
const GRANTED: Text = Text {
    nl: "Toegekend op",
    fr: "Accordé le",
    de: "Erteilt am",
    en: "Granted on",
};
const LABEL: Text = Text {
    nl: "Label",
    fr: "Label",
    de: "Label",
    en: "Label",
};
const FOOTER: Text = Text {
    nl: "Toegekend toen de geregistreerde kilometerhistoriek van het voertuig geen afwijking toonde en de kilometerstand in de advertentie niet lager was dan de laatst geregistreerde. De historiek zelf wordt niet gepubliceerd.",
    fr: "Accordé lorsque l'historique kilométrique enregistré du véhicule ne présentait aucune anomalie et que le kilométrage de l'annonce n'était pas inférieur au dernier relevé enregistré. L'historique lui-même n'est pas publié.",
    de: "Erteilt, als die registrierte Kilometerhistorie des Fahrzeugs keine Anomalie zeigte und der Kilometerstand der Anzeige nicht unter dem zuletzt registrierten lag. Die Historie selbst wird nicht veröffentlicht.",
    en: "Granted when the vehicle's registered odometer history showed no anomaly and the advertised mileage was not below its last registered reading. The history itself is not published.",
};

fn page(reader: &Reader, label: &PublicLabel) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let vehicle = match (&label.make, &label.model) {
        (Some(make), Some(model)) => format!("{make} {model}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => UNKNOWN.get(lang).to_owned(),
    };
    let body = html! {
        main.narrow {
            h1 { (TITLE.get(lang)) }
            @if label.valid_now {
                p.verdict.valid { (VALID.get(lang)) }
            } @else {
                p.verdict.invalid {
                    (NO_LONGER.get(lang))
                    @if let Some(lapse) = &label.lapse { ": " (lapse.message(lang)) }
                    "."
                }
            }
            h2 { (CHECK.get(lang)) }
            dl {
                dt { (VIN_ENDS.get(lang)) }
                dd { code { "…" (label.vin_ends_with) } }
                dt { (ADVERTISED.get(lang)) }
                dd { strong { (f.odo(label.advertised_km, OdometerUnit::Km)) } }
                @if let Some(advert) = &label.advert_reference {
                    dt { (ADVERT.get(lang)) }
                    dd { code { (advert) } }
                }
                dt { (VEHICLE.get(lang)) }
                dd { (vehicle) }
                dt { (LAST_READING.get(lang)) }
                dd {
                    @match label.last_reading_on {
                        Some(on) => (f.date(on)),
                        None => (NONE.get(lang)),
                    }
                }
                dt { (GRANTED.get(lang)) }
                dd { (f.moment(label.granted_at)) }
                dt { (LABEL.get(lang)) }
                dd { code { (label.label_id) } }
            }
            footer { (FOOTER.get(lang)) }
        }
    };
    shell(
        reader,
        &format!("{} {}", TITLE.get(lang), label.label_id),
        body,
    )
}

fn not_found(reader: &Reader, id: &str) -> Markup {
    const NO_SUCH: Text = Text {
        nl: "Onbekend OK-label",
        fr: "Label OK inconnu",
        de: "Unbekanntes OK-Label",
        en: "No such OK label",
    };
    const THERE_IS_NONE: Text = Text {
        nl: "Er bestaat geen OK-label",
        fr: "Il n'existe pas de label OK",
        de: "Es gibt kein OK-Label",
        en: "There is no OK label",
    };
    const CHECK_LINK: Text = Text {
        nl: "Controleer de link in de advertentie.",
        fr: "Vérifiez le lien dans l'annonce.",
        de: "Prüfen Sie den Link in der Anzeige.",
        en: "Check the link in the advert.",
    };
    let lang = reader.lang;
    let body = html! {
        main.narrow {
            h1 { (NO_SUCH.get(lang)) }
            p { (THERE_IS_NONE.get(lang)) " " code { (id) } ". " (CHECK_LINK.get(lang)) }
        }
    };
    shell(reader, NO_SUCH.get(lang), body)
}
