//! The document's words in its four languages (the compiler refuses a `Text` missing one).

use crate::domain::language::{Language, Text};
use crate::domain::rdw::{RdwJudgment, RdwVerdict};
use crate::domain::source::ReadingSource;

pub const TITLE: Text = Text {
    nl: "Kilometerattest en voertuighistoriek",
    fr: "Certificat kilométrique et historique du véhicule",
    de: "Kilometerbescheinigung und Fahrzeughistorie",
    en: "Odometer certificate and vehicle history",
};
pub const LAW: Text = Text {
    nl: "Wet van 11 juni 2004 betreffende de informatieverstrekking bij de verkoop van tweedehandsvoertuigen",
    fr: "Loi du 11 juin 2004 relative à l'information à fournir lors de la vente de véhicules d'occasion",
    de: "Gesetz vom 11. Juni 2004 über die Informationserteilung beim Verkauf von Gebrauchtfahrzeugen",
    en: "Law of 11 June 2004 on the information to be given when a used vehicle is sold",
};
pub const NUMBER: Text = Text {
    nl: "Identificatienummer",
    fr: "Numéro d'identification",
    de: "Identifikationsnummer",
    en: "Identification number",
};
pub const SCAN: Text = Text {
    nl: "Scan om de echtheid na te gaan",
    fr: "Scannez pour vérifier l'authenticité",
    de: "Scannen, um die Echtheit zu prüfen",
    en: "Scan to check that it is genuine",
};
pub const VEHICLE: Text = Text {
    nl: "Voertuig",
    fr: "Véhicule",
    de: "Fahrzeug",
    en: "Vehicle",
};
pub const VIN: Text = Text {
    nl: "Chassisnummer (VIN)",
    fr: "Numéro de châssis (VIN)",
    de: "Fahrgestellnummer (VIN)",
    en: "Chassis number (VIN)",
};
pub const MAKE: Text = Text {
    nl: "Merk",
    fr: "Marque",
    de: "Marke",
    en: "Make",
};
pub const MODEL: Text = Text {
    nl: "Model",
    fr: "Modèle",
    de: "Modell",
    en: "Model",
};
pub const FIRST_USE: Text = Text {
    nl: "Eerste ingebruikname",
    fr: "Première mise en circulation",
    de: "Erstzulassung",
    en: "First registration",
};
pub const FIRST_BE: Text = Text {
    nl: "Eerste inschrijving in België",
    fr: "Première immatriculation en Belgique",
    de: "Erstzulassung in Belgien",
    en: "First registration in Belgium",
};
pub const EURO_NORM: Text = Text {
    nl: "Euronorm",
    fr: "Norme Euro",
    de: "Euronorm",
    en: "Euro norm",
};
pub const CO2: Text = Text {
    nl: "CO₂-uitstoot",
    fr: "Émissions de CO₂",
    de: "CO₂-Emissionen",
    en: "CO₂ emissions",
};
pub const FUEL: Text = Text {
    nl: "Brandstof",
    fr: "Carburant",
    de: "Kraftstoff",
    en: "Fuel",
};
pub const UNKNOWN: Text = Text {
    nl: "niet gekend",
    fr: "inconnu",
    de: "unbekannt",
    en: "not known",
};
pub const DOCUMENT: Text = Text {
    nl: "Document",
    fr: "Document",
    de: "Dokument",
    en: "Document",
};
pub const ISSUED: Text = Text {
    nl: "Uitgereikt op",
    fr: "Délivré le",
    de: "Ausgestellt am",
    en: "Issued on",
};
pub const VALID_UNTIL: Text = Text {
    nl: "Geldig tot en met",
    fr: "Valable jusqu'au",
    de: "Gültig bis einschließlich",
    en: "Valid until",
};
pub const PRICE: Text = Text {
    nl: "Prijs (btw inbegrepen)",
    fr: "Prix (TVA comprise)",
    de: "Preis (inkl. MwSt.)",
    en: "Price (VAT included)",
};
pub const FREE: Text = Text {
    nl: "gratis",
    fr: "gratuit",
    de: "kostenlos",
    en: "free",
};
/// Under FREE: why (seed 002).
pub const FREE_WHY: Text = Text {
    nl: "minder dan 4 kilometerstanden",
    fr: "moins de 4 relevés",
    de: "weniger als 4 Kilometerstände",
    en: "fewer than 4 readings",
};
pub const READINGS_COUNT: Text = Text {
    nl: "Geregistreerde kilometerstanden",
    fr: "Relevés kilométriques enregistrés",
    de: "Registrierte Kilometerstände",
    en: "Registered odometer readings",
};
pub const MENTIONS: Text = Text {
    nl: "Vermeldingen",
    fr: "Mentions",
    de: "Vermerke",
    en: "Notes",
};
pub const NO_MENTIONS: Text = Text {
    nl: "Geen bijzondere vermeldingen.",
    fr: "Aucune mention particulière.",
    de: "Keine besonderen Vermerke.",
    en: "No particular notes.",
};
pub const IMPORTED_USED: Text = Text {
    nl: "Dit tweedehandsvoertuig werd ingevoerd uit het buitenland.",
    fr: "Ce véhicule d'occasion a été importé de l'étranger.",
    de: "Dieses Gebrauchtfahrzeug wurde aus dem Ausland eingeführt.",
    en: "This used vehicle was imported from abroad.",
};
pub const FIVE_DIGIT: Text = Text {
    nl: "Dit voertuig heeft een kilometerteller met 5 cijfers: na 99.999 begint hij opnieuw bij 0.",
    fr: "Ce véhicule a un compteur à 5 chiffres\u{a0}: après 99 999, il recommence à 0.",
    de: "Dieses Fahrzeug hat einen 5-stelligen Kilometerzähler: nach 99.999 beginnt er wieder bei 0.",
    en: "This vehicle has a 5-digit odometer: after 99,999 it starts again at 0.",
};
/// `{dates}`: the dates of the replacements.
pub const REPLACED: Text = Text {
    nl: "De kilometerteller werd vervangen op {dates}.",
    fr: "Le compteur kilométrique a été remplacé le {dates}.",
    de: "Der Kilometerzähler wurde am {dates} ersetzt.",
    en: "The odometer was replaced on {dates}.",
};
/// Over the chart's line at the day the odometer was replaced.
pub const REPLACED_MARK: Text = Text {
    nl: "teller vervangen",
    fr: "compteur remplacé",
    de: "Zähler ersetzt",
    en: "odometer replaced",
};
pub const ACCEPTED: Text = Text {
    nl: "Kilometerstanden gemarkeerd als \"aanvaarde afwijking\" werden door Car-Pass onderzocht en als correct aanvaard.",
    fr: "Les relevés marqués «\u{a0}anomalie acceptée\u{a0}» ont été examinés par Car-Pass et acceptés comme corrects.",
    de: "Als „akzeptierte Abweichung“ markierte Kilometerstände wurden von Car-Pass geprüft und als korrekt akzeptiert.",
    en: "Readings marked \"accepted anomaly\" were examined by Car-Pass and accepted as correct.",
};
pub const DISPUTED_NOTE: Text = Text {
    nl: "De kilometerstand gemarkeerd als \"betwist\" werd bij de aanvraag van deze Car-Pass opgegeven en strookt niet met de historiek; hij wordt onderzocht.",
    fr: "Le relevé marqué «\u{a0}contesté\u{a0}» a été donné lors de la demande de ce Car-Pass et ne concorde pas avec l'historique\u{a0}; il est en cours d'examen.",
    de: "Der als „bestritten“ markierte Kilometerstand wurde bei der Beantragung dieses Car-Pass angegeben und passt nicht zur Historie; er wird geprüft.",
    en: "The reading marked \"disputed\" was given with the request for this Car-Pass and does not agree with the history; it is being examined.",
};
pub const POST_ACCIDENT: Text = Text {
    nl: "Keuring na ongeval",
    fr: "Contrôle après accident",
    de: "Prüfung nach Unfall",
    en: "Post-accident inspection",
};
/// `{date}`, `{reference}`.
pub const POST_ACCIDENT_PENDING: Text = Text {
    nl: "VEREIST: gemeld op {date} (Informex {reference}); het voertuig mag niet op de weg vóór deze keuring.",
    fr: "REQUIS\u{a0}: signalé le {date} (Informex {reference})\u{a0}; le véhicule ne peut circuler avant ce contrôle.",
    de: "ERFORDERLICH: gemeldet am {date} (Informex {reference}); das Fahrzeug darf vor dieser Prüfung nicht am Verkehr teilnehmen.",
    en: "REQUIRED: reported on {date} (Informex {reference}); the vehicle may not be driven before this inspection.",
};
pub const RECALLS: Text = Text {
    nl: "Openstaande terugroepacties",
    fr: "Rappels en cours",
    de: "Offene Rückrufaktionen",
    en: "Open recalls",
};
pub const NONE_REGISTERED: Text = Text {
    nl: "geen geregistreerd",
    fr: "aucun enregistré",
    de: "keine registriert",
    en: "none registered",
};
pub const SINCE: Text = Text {
    nl: "sinds",
    fr: "depuis le",
    de: "seit",
    en: "since",
};
pub const CHART: Text = Text {
    nl: "Kilometerstand in de tijd",
    fr: "Kilométrage au fil du temps",
    de: "Kilometerstand im Zeitverlauf",
    en: "Odometer over time",
};
pub const CHART_DROP: Text = Text {
    nl: "Rood: de kilometerstand is gedaald. Vraag de verkoper om uitleg.",
    fr: "En rouge\u{a0}: le kilométrage a baissé. Demandez des explications au vendeur.",
    de: "Rot: der Kilometerstand ist gesunken. Fragen Sie den Verkäufer nach dem Grund.",
    en: "Red: the odometer went down. Ask the seller why.",
};
pub const CHART_STEADY: Text = Text {
    nl: "De kilometerstand hoort gestaag op te lopen met de tijd.",
    fr: "Le kilométrage doit augmenter régulièrement avec le temps.",
    de: "Der Kilometerstand sollte mit der Zeit stetig steigen.",
    en: "The odometer should rise steadily with time.",
};
pub const HISTORY: Text = Text {
    nl: "Historiek van de kilometerstanden",
    fr: "Historique des relevés kilométriques",
    de: "Historie der Kilometerstände",
    en: "Odometer history",
};
pub const CONTINUED: Text = Text {
    nl: "vervolg",
    fr: "suite",
    de: "Fortsetzung",
    en: "continued",
};
pub const DATE: Text = Text {
    nl: "Datum",
    fr: "Date",
    de: "Datum",
    en: "Date",
};
pub const ODOMETER: Text = Text {
    nl: "Kilometerstand",
    fr: "Kilométrage",
    de: "Kilometerstand",
    en: "Odometer",
};
pub const SOURCE: Text = Text {
    nl: "Bron",
    fr: "Source",
    de: "Quelle",
    en: "Source",
};
pub const REGISTERED_BY: Text = Text {
    nl: "Geregistreerd door",
    fr: "Enregistré par",
    de: "Registriert von",
    en: "Registered by",
};
pub const REMARK: Text = Text {
    nl: "Opmerking",
    fr: "Remarque",
    de: "Bemerkung",
    en: "Remark",
};
pub const DISPUTED: Text = Text {
    nl: "betwist",
    fr: "contesté",
    de: "bestritten",
    en: "disputed",
};
pub const ACCEPTED_ANOMALY: Text = Text {
    nl: "aanvaarde afwijking",
    fr: "anomalie acceptée",
    de: "akzeptierte Abweichung",
    en: "accepted anomaly",
};
pub const NO_READINGS: Text = Text {
    nl: "Er is geen kilometerstand geregistreerd voor dit voertuig.",
    fr: "Aucun relevé kilométrique n'est enregistré pour ce véhicule.",
    de: "Für dieses Fahrzeug ist kein Kilometerstand registriert.",
    en: "No odometer reading is registered for this vehicle.",
};
/// `{page}`, `{pages}`.
pub const PAGE: Text = Text {
    nl: "pagina {page}/{pages}",
    fr: "page {page}/{pages}",
    de: "Seite {page}/{pages}",
    en: "page {page}/{pages}",
};
pub const FOOTER: Text = Text {
    nl: "Car-Pass vzw. Controleer dit document: scan de QR-code of geef het identificatienummer in op",
    fr: "Car-Pass asbl. Vérifiez ce document\u{a0}: scannez le code QR ou saisissez le numéro d'identification sur",
    de: "Car-Pass VoG. Prüfen Sie dieses Dokument: QR-Code scannen oder Identifikationsnummer eingeben auf",
    en: "Car-Pass non-profit. Check this document: scan the QR code or enter the identification number at",
};

/// A reading's source as printed: a foreign reading with its country of origin ("Buitenland
/// (DE)").
pub fn source_of(
    source: ReadingSource,
    country: Option<crate::domain::country::Country>,
    lang: crate::domain::language::Language,
) -> String {
    let name = self::source(source).get(lang);
    match country {
        Some(country) => format!("{name} ({country})"),
        None => name.to_owned(),
    }
}

/// `{date}`: the date of the last reading judged; `{word}`: the RDW's own word (kept in Dutch
/// in every language: it is the RDW's verdict); `{meaning}`: `rdw_meaning`.
pub const RDW_VERDICT: Text = Text {
    nl: "Oordeel van de RDW (Nederland) over de tellerstanden tot {date}: {word} ({meaning}).",
    fr: "Jugement du RDW (Pays-Bas) sur les relevés kilométriques jusqu'au {date}\u{a0}: «\u{a0}{word}\u{a0}» ({meaning}).",
    de: "Urteil der RDW (Niederlande) über die Kilometerstände bis {date}: „{word}“ ({meaning}).",
    en: "RDW (Netherlands) odometer judgment of the readings up to {date}: “{word}” ({meaning}).",
};

/// What the RDW's verdict means (in Dutch, the RDW's own explanation).
pub fn rdw_meaning(verdict: RdwVerdict) -> Text {
    match verdict {
        RdwVerdict::Logisch => Text {
            nl: "de reeks tellerstanden is oplopend",
            fr: "cohérent\u{a0}: les relevés augmentent avec le temps",
            de: "logisch: die Stände steigen mit der Zeit",
            en: "logical: the readings rise with time",
        },
        RdwVerdict::Onlogisch => Text {
            nl: "de reeks tellerstanden is niet oplopend",
            fr: "incohérent\u{a0}: un relevé est inférieur au précédent",
            de: "unlogisch: ein Stand ist niedriger als der vorherige",
            en: "illogical: a reading is lower than the one before it",
        },
        RdwVerdict::GeenOordeel => Text {
            nl: "er is te weinig informatie bekend voor een betrouwbaar oordeel",
            fr: "pas de jugement\u{a0}: trop peu d'informations pour juger",
            de: "kein Urteil: zu wenig bekannt für ein verlässliches Urteil",
            en: "no judgment: too little is known to judge",
        },
    }
}

/// The RDW's mention in `lang`, with the date as the document writes it.
pub fn rdw_verdict(judgment: &RdwJudgment, lang: Language, date: &str) -> String {
    RDW_VERDICT
        .get(lang)
        .replace("{date}", date)
        .replace("{word}", judgment.verdict.word())
        .replace("{meaning}", rdw_meaning(judgment.verdict).get(lang))
}

/// Who registered an RDW reading: the Dutch registry itself.
pub const RDW_NAME: &str = "Rijksdienst voor het Wegverkeer";

pub fn source(source: ReadingSource) -> Text {
    match source {
        ReadingSource::Garage => Text {
            nl: "Garage",
            fr: "Garage",
            de: "Werkstatt",
            en: "Garage",
        },
        ReadingSource::CarPass => Text {
            nl: "Car-Pass-aanvraag",
            fr: "Demande de Car-Pass",
            de: "Car-Pass-Antrag",
            en: "Car-Pass request",
        },
        ReadingSource::Connected => Text {
            nl: "Geconnecteerde wagen",
            fr: "Véhicule connecté",
            de: "Vernetztes Fahrzeug",
            en: "Connected car",
        },
        ReadingSource::Foreign => Text {
            nl: "Buitenland",
            fr: "Étranger",
            de: "Ausland",
            en: "Abroad",
        },
        ReadingSource::Rdw => Text {
            nl: "RDW (Nederland)",
            fr: "RDW (Pays-Bas)",
            de: "RDW (Niederlande)",
            en: "RDW (Netherlands)",
        },
    }
}

/// The registry's fuel codes in words; another value is printed as registered.
pub fn fuel(code: &str) -> Option<Text> {
    let text = match code.to_ascii_lowercase().as_str() {
        "petrol" | "gasoline" => Text {
            nl: "benzine",
            fr: "essence",
            de: "Benzin",
            en: "petrol",
        },
        "diesel" => Text {
            nl: "diesel",
            fr: "diesel",
            de: "Diesel",
            en: "diesel",
        },
        "electric" => Text {
            nl: "elektrisch",
            fr: "électrique",
            de: "elektrisch",
            en: "electric",
        },
        "hybrid" => Text {
            nl: "hybride",
            fr: "hybride",
            de: "Hybrid",
            en: "hybrid",
        },
        "lpg" => Text {
            nl: "lpg",
            fr: "GPL",
            de: "Autogas (LPG)",
            en: "LPG",
        },
        "cng" => Text {
            nl: "aardgas (CNG)",
            fr: "gaz naturel (GNC)",
            de: "Erdgas (CNG)",
            en: "natural gas (CNG)",
        },
        "hydrogen" => Text {
            nl: "waterstof",
            fr: "hydrogène",
            de: "Wasserstoff",
            en: "hydrogen",
        },
        _ => return None,
    };
    Some(text)
}
