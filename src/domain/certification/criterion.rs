//! The certification criteria of SPEC 5.2. Their ids are part of the contract: reports, the
//! scenario files and staff verdicts name them.

use serde::{Deserialize, Serialize};

use crate::domain::language::Text;

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

    /// What the DMS must do, in the reader's language; English is `title`, word for word.
    pub fn text(self) -> Text {
        let en = self.title();
        let (nl, fr, de) = match self {
            Criterion::C01 => (
                "verstuurt correcte SOAP die voldoet aan het gepubliceerde XSD",
                "envoie du SOAP bien formé, conforme au XSD publié",
                "sendet wohlgeformtes SOAP, das dem veröffentlichten XSD entspricht",
            ),
            Criterion::C02 => (
                "meldt zich aan met een WS-Security UsernameToken (PasswordText) of HTTP Basic, nooit met gegevens in de body of de URL, en nooit met PasswordDigest",
                "s'authentifie par un UsernameToken WS-Security (PasswordText) ou HTTP Basic, jamais avec des identifiants dans le corps ou l'URL, et jamais par PasswordDigest",
                "meldet sich mit einem WS-Security-UsernameToken (PasswordText) oder HTTP Basic an, nie mit Zugangsdaten im Body oder in der URL und nie mit PasswordDigest",
            ),
            Criterion::C03 => (
                "verstuurt precies één kilometerstand per opdracht die het scenario vraagt, met het juiste chassisnummer, de juiste datum en kilometerstand van de stap",
                "envoie exactement un relevé par travail demandé par le scénario, avec le VIN, la date et le kilométrage exacts de l'étape",
                "sendet genau einen Kilometerstand pro Auftrag, den das Szenario verlangt, mit genau der FIN, dem Datum und dem Kilometerstand des Schritts",
            ),
            Criterion::C04 => (
                "verstuurt het uitgevoerde werk: minstens één standaard ActivityCode die bij de opdrachten van de stap past, plus de omschrijving van de factuur",
                "envoie les travaux effectués\u{a0}: au moins un ActivityCode standard correspondant aux travaux de l'étape, plus le libellé de la facture",
                "sendet die ausgeführten Arbeiten: mindestens einen Standard-ActivityCode passend zu den Aufträgen des Schritts, dazu den Rechnungstext",
            ),
            Criterion::C05 => (
                "verstuurt elke kilometerstand terwijl het voertuig in de werkplaats staat: binnen 10 minuten na het openen van de stap, niet gebundeld op het einde van de dag",
                "envoie chaque relevé pendant que le véhicule est à l'atelier\u{a0}: dans les 10 minutes après l'ouverture de l'étape, pas groupé en fin de journée",
                "sendet jeden Kilometerstand, solange das Fahrzeug in der Werkstatt ist: binnen 10 Minuten nach Öffnen des Schritts, nicht gesammelt am Tagesende",
            ),
            Criterion::C06 => (
                "beantwoordt een teruggemelde fout met het nummer van die melding, via CorrectIssue (of ConfirmReading als de verstuurde gegevens juist waren), nooit met een nieuwe kilometerstand",
                "répond à une erreur signalée avec le numéro de ce signalement, par CorrectIssue (ou ConfirmReading si les données envoyées étaient justes), jamais par un nouveau relevé",
                "beantwortet einen gemeldeten Fehler mit der Nummer dieser Meldung, per CorrectIssue (oder ConfirmReading, wenn die gesendeten Daten stimmten), nie mit einem neuen Kilometerstand",
            ),
            Criterion::C07 => (
                "doet na CORRECTION_LIMIT geen elektronische poging meer voor die melding en zegt de gebruiker dat het papieren formulier nodig is",
                "après CORRECTION_LIMIT, ne fait plus de tentative électronique pour ce signalement et indique à l'utilisateur que le formulaire papier est nécessaire",
                "unternimmt nach CORRECTION_LIMIT keinen elektronischen Versuch mehr für diese Meldung und sagt dem Benutzer, dass das Papierformular nötig ist",
            ),
            Criterion::C08 => (
                "meldt een vervangen kilometerteller",
                "signale un remplacement du compteur kilométrique",
                "meldet einen Austausch des Kilometerzählers",
            ),
            Criterion::C09 => (
                "verstuurt de waarde van een vijfcijferige kilometerteller zoals die getoond wordt",
                "envoie la valeur d'un compteur à 5 chiffres telle qu'affichée",
                "sendet den Wert eines fünfstelligen Kilometerzählers wie angezeigt",
            ),
            Criterion::C10 => (
                "meldt uitbesteed werk",
                "signale les travaux sous-traités",
                "meldet an Unterauftragnehmer vergebene Arbeiten",
            ),
            Criterion::C11 => (
                "meldt een kleine opdracht voor een btw-plichtige klant, een particuliere opdracht boven 125 EUR en uitbesteed werk van elk bedrag",
                "déclare un petit travail pour un client assujetti à la TVA, un travail privé de plus de 125 EUR et les travaux sous-traités quel que soit leur montant",
                "meldet einen kleinen Auftrag eines mehrwertsteuerpflichtigen Kunden, einen Privatauftrag über 125 EUR und vergebene Arbeiten jeden Betrags",
            ),
            Criterion::C12 => (
                "probeert na een Server-fout of een time-out opnieuw met dezelfde ClientReference; er ontstaat geen dubbele kilometerstand",
                "après une erreur Server ou un délai dépassé, réessaie avec la même ClientReference\u{a0}; aucun relevé en double n'en résulte",
                "versucht es nach einem Server-Fehler oder einer Zeitüberschreitung mit derselben ClientReference erneut; es entsteht kein doppelter Kilometerstand",
            ),
            Criterion::C13 => (
                "leest zijn ontvangstbewijs: niet blind opnieuw versturen; vraagt GetReadingStatus voor een kilometerstand die op inschrijving wacht",
                "lit son accusé de réception\u{a0}: pas de renvoi à l'aveugle\u{a0}; interroge GetReadingStatus pour un relevé en attente d'immatriculation",
                "liest seine Empfangsbestätigung: kein blindes Neusenden; fragt GetReadingStatus für einen Kilometerstand, der auf die Zulassung wartet",
            ),
            Criterion::C14 => (
                "vraagt RequestOkLabel met de geadverteerde kilometerstand wanneer het een advertentie publiceert, en toont de redenen van een weigering",
                "demande RequestOkLabel avec le kilométrage annoncé lorsqu'il publie une annonce, et affiche les raisons d'un refus",
                "fragt RequestOkLabel mit dem inserierten Kilometerstand, wenn es eine Anzeige veröffentlicht, und zeigt die Gründe einer Ablehnung",
            ),
            Criterion::C15 => (
                "verstuurt in de header van elk verzoek de taal van de gebruiker en zijn eigen ontwikkelaar, naam en versie, gelijk aan de gecertificeerde",
                "envoie dans l'en-tête de chaque requête la langue de l'utilisateur ainsi que son propre développeur, nom et version, identiques à ceux certifiés",
                "sendet im Header jeder Anfrage die Sprache des Benutzers sowie den eigenen Hersteller, Namen und Version, wie zertifiziert",
            ),
            Criterion::C16 => (
                "controleert een getypte kilometerstand met ValidateReading voor het versturen, zodat de gebruiker een tikfout kan verbeteren voor ze een melding wordt",
                "vérifie un relevé saisi avec ValidateReading avant de l'envoyer, pour que l'utilisateur corrige une faute de frappe avant qu'elle ne devienne un signalement",
                "prüft einen eingetippten Kilometerstand mit ValidateReading vor dem Senden, damit der Benutzer einen Tippfehler korrigieren kann, bevor er zur Meldung wird",
            ),
        };
        Text { nl, fr, de, en }
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
    fn every_title_is_said_in_four_languages_and_english_is_the_spec_s() {
        use crate::domain::language::Language;
        for c in Criterion::ALL {
            let text = c.text();
            assert_eq!(text.get(Language::En), c.title());
            for lang in [Language::Nl, Language::Fr, Language::De] {
                assert_ne!(text.get(lang), c.title(), "{c} in {lang:?}");
            }
        }
        assert_eq!(
            Criterion::C08.text().get(Language::Fr),
            "signale un remplacement du compteur kilométrique"
        );
    }

    #[test]
    fn serialises_as_its_id() {
        assert_eq!(serde_json::to_string(&Criterion::C05).unwrap(), "\"C05\"");
    }
}
