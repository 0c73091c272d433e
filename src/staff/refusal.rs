//! Why a staff action was refused, without words: the kind and its data. `message(lang)`
//! says it; the command line says it in English, a page in its reader's language.

use chrono::NaiveDate;

use crate::domain::certification::evaluation::Verdict;
use crate::domain::format::Formatter;
use crate::domain::language::Language;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// What only the command line can get wrong (an option, a command's argument), or a lower
    /// layer's own English sentence: said as it is, in every language.
    Untranslated(String),
    /// The staff account named is disabled.
    StaffDisabled {
        username: String,
    },
    /// The account named is not a staff account.
    NotStaff {
        username: String,
    },
    CompanyExists {
        kbo: String,
    },
    NoCarPass {
        id: String,
    },
    /// A reason to act on something is required and was not given.
    NoteMissing,
    UnknownCriterion {
        given: String,
    },
    NotEvaluated {
        session: String,
    },
    /// Staff verdicts are only for the criteria that wait for one.
    NotAwaitingReview {
        criterion: String,
        verdict: Verdict,
    },
    ValidUntilNotAfterToday {
        valid_until: NaiveDate,
        today: NaiveDate,
    },
    NotCertifiable {
        session: String,
        evaluation: String,
        /// Each mandatory criterion that did not pass, with its verdict.
        failed: Vec<(String, Verdict)>,
    },
    AwaitsVerdict {
        criterion: String,
        session: String,
    },
    FailedByVerdict {
        criterion: String,
        by: String,
        note: String,
    },
    SessionApproved {
        session: String,
        approval: String,
    },
    VersionHolds {
        dms: String,
        approval: String,
        valid_until: NaiveDate,
        renewable_from: NaiveDate,
    },
    NoApproval {
        id: String,
    },
    AlreadyRevoked {
        id: String,
        on: NaiveDate,
        by: String,
    },
    NoReading {
        id: String,
    },
    /// Only readings in review or pending correction are decided.
    NotDecidable {
        reading: String,
        status: String,
    },
    NotARegistryYear {
        year: i32,
    },
    ListPublished {
        year: i32,
        on: NaiveDate,
        by: String,
    },
    EmptyList {
        year: i32,
    },
    /// A staff verdict's form named neither passed nor failed.
    ChooseVerdict,
    /// A staff verdict without a note on what the screenshot shows.
    ScreenshotNoteMissing {
        criterion: String,
    },
    ValidUntilNotADate {
        raw: String,
    },
    UnknownSession {
        id: String,
    },
    /// Every step of the session is open already.
    NoNextStep {
        session: String,
        steps: usize,
    },
    /// Someone else opened the step a moment ago.
    StepTaken {
        step: u32,
    },
    /// An override asked for the verdict the criterion has already.
    AlreadySo {
        criterion: String,
        verdict: Verdict,
    },
    /// A staff comment or an override's reason left empty.
    TextMissing {
        what: Written,
    },
    TextTooLong {
        what: Written,
        length: usize,
        max: usize,
    },
}

/// What staff write on a certification session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Comment,
    Reason,
}

impl Written {
    fn word(self, lang: Language) -> &'static str {
        use crate::domain::language::Text;
        match self {
            Written::Comment => Text {
                en: "comment",
                nl: "De opmerking",
                fr: "Le commentaire",
                de: "Der Kommentar",
            },
            Written::Reason => Text {
                en: "reason",
                nl: "De reden",
                fr: "La raison",
                de: "Der Grund",
            },
        }
        .get(lang)
    }
}

impl Refusal {
    /// The refusal in `lang`. English is the command line's text, word for word.
    pub fn message(&self, lang: Language) -> String {
        use Language::{De, En, Fr, Nl};
        let f = Formatter(lang);
        match self {
            Refusal::Untranslated(text) => text.clone(),
            Refusal::StaffDisabled { username: u } => match lang {
                En => format!("the staff account {u} is disabled; another staff member can enable it with `carpass staff user enable {u}`"),
                Nl => format!("het personeelsaccount {u} is uitgeschakeld; een ander personeelslid kan het weer inschakelen met `carpass staff user enable {u}`"),
                Fr => format!("le compte du personnel {u} est désactivé\u{a0}; un autre membre du personnel peut le réactiver avec `carpass staff user enable {u}`"),
                De => format!("das Mitarbeiterkonto {u} ist deaktiviert; ein anderes Teammitglied kann es mit `carpass staff user enable {u}` wieder aktivieren"),
            },
            Refusal::NotStaff { username: u } => match lang {
                En => format!("{u} is not a staff account"),
                Nl => format!("{u} is geen personeelsaccount"),
                Fr => format!("{u} n'est pas un compte du personnel"),
                De => format!("{u} ist kein Mitarbeiterkonto"),
            },
            Refusal::CompanyExists { kbo } => {
                let kbo = f.kbo(kbo);
                match lang {
                    En => format!("the company {kbo} exists already"),
                    Nl => format!("het bedrijf {kbo} bestaat al"),
                    Fr => format!("l'entreprise {kbo} existe déjà"),
                    De => format!("das Unternehmen {kbo} gibt es bereits"),
                }
            }
            Refusal::NoCarPass { id } => match lang {
                En => format!("no Car-Pass {id} was ever issued"),
                Nl => format!("er werd nooit een Car-Pass {id} uitgereikt"),
                Fr => format!("aucun Car-Pass {id} n'a jamais été délivré"),
                De => format!("ein Car-Pass {id} wurde nie ausgestellt"),
            },
            Refusal::NoteMissing => match lang {
                En => "--note must say why".into(),
                Nl => "Schrijf in een notitie waarom.".into(),
                Fr => "Écrivez dans une note pourquoi.".into(),
                De => "Schreiben Sie in einer Notiz, warum.".into(),
            },
            Refusal::UnknownCriterion { given } => match lang {
                En => format!("--criterion '{given}' is not one of C01 to C16"),
                Nl => format!("Criterium «{given}» is niet een van C01 tot C16."),
                Fr => format!("Le critère «\u{a0}{given}\u{a0}» n'est pas l'un de C01 à C16."),
                De => format!("Kriterium „{given}“ ist keines von C01 bis C16."),
            },
            Refusal::NotEvaluated { session: s } => match lang {
                En => format!("session {s} has no evaluation yet: `carpass certify evaluate {s}` first"),
                Nl => format!("Sessie {s} is nog niet geëvalueerd: evalueer ze eerst."),
                Fr => format!("La session {s} n'a pas encore d'évaluation\u{a0}: évaluez-la d'abord."),
                De => format!("Sitzung {s} hat noch keine Auswertung: werten Sie sie zuerst aus."),
            },
            Refusal::NotAwaitingReview { criterion: c, verdict } => {
                let v = verdict_word(*verdict, lang);
                match lang {
                    En => format!("{c} is {v} in the latest evaluation: staff verdicts are for the criteria awaiting staff review"),
                    Nl => format!("{c} is {v} in de laatste evaluatie: een oordeel van het personeel is er voor de criteria die op nazicht wachten."),
                    Fr => format!("{c} est {v} dans la dernière évaluation\u{a0}: un verdict du personnel est réservé aux critères qui attendent un examen."),
                    De => format!("{c} ist in der letzten Auswertung {v}: ein Urteil des Teams gibt es nur für Kriterien, die auf Prüfung warten."),
                }
            }
            Refusal::ValidUntilNotAfterToday { valid_until, today } => {
                let (until, today) = (f.date(*valid_until), f.date(*today));
                match lang {
                    En => format!("--valid-until {until} is not after today ({today})"),
                    Nl => format!("Geldig tot {until} ligt niet na vandaag ({today})."),
                    Fr => format!("Valable jusqu'au {until}\u{a0}: cette date n'est pas après aujourd'hui ({today})."),
                    De => format!("Gültig bis {until} liegt nicht nach heute ({today})."),
                }
            }
            Refusal::NotCertifiable {
                session: s,
                evaluation: e,
                failed,
            } => {
                let failed: Vec<String> = failed
                    .iter()
                    .map(|(c, v)| format!("{c} {}", verdict_word(*v, lang)))
                    .collect();
                let failed = failed.join(", ");
                match lang {
                    En => format!("the latest evaluation of session {s} ({e}) is not certifiable: {failed}"),
                    Nl => format!("De laatste evaluatie van sessie {s} ({e}) is niet certificeerbaar: {failed}."),
                    Fr => format!("La dernière évaluation de la session {s} ({e}) n'est pas certifiable\u{a0}: {failed}."),
                    De => format!("Die letzte Auswertung der Sitzung {s} ({e}) ist nicht zertifizierbar: {failed}."),
                }
            }
            Refusal::AwaitsVerdict { criterion: c, session: s } => match lang {
                En => format!("{c} awaits a staff verdict on its screenshot: `carpass staff verdict {s} --criterion {c} --pass|--fail --note TEXT`"),
                Nl => format!("{c} wacht op een oordeel van het personeel over de schermafbeelding: geef dat eerst."),
                Fr => format!("{c} attend un verdict du personnel sur sa capture d'écran\u{a0}: donnez-le d'abord."),
                De => format!("{c} wartet auf ein Urteil des Teams zum Bildschirmfoto: geben Sie es zuerst ab."),
            },
            Refusal::FailedByVerdict { criterion: c, by, note } => match lang {
                En => format!("{c} failed by staff verdict of {by} ({note}): not certifiable"),
                Nl => format!("{c} is afgekeurd door het oordeel van {by} ({note}): niet certificeerbaar."),
                Fr => format!("{c} a échoué selon le verdict de {by} ({note})\u{a0}: non certifiable."),
                De => format!("{c} ist nach dem Urteil von {by} ({note}) nicht bestanden: nicht zertifizierbar."),
            },
            Refusal::SessionApproved { session: s, approval: a } => match lang {
                En => format!("session {s} was approved already (approval {a}): one approval per session; renew it from a new certification session"),
                Nl => format!("Sessie {s} werd al erkend (erkenning {a}): één erkenning per sessie; hernieuw ze vanuit een nieuwe certificeringssessie."),
                Fr => format!("La session {s} a déjà été agréée (agrément {a})\u{a0}: un agrément par session\u{a0}; renouvelez-le depuis une nouvelle session de certification."),
                De => format!("Sitzung {s} wurde bereits zugelassen (Zulassung {a}): eine Zulassung pro Sitzung; erneuern Sie sie aus einer neuen Zertifizierungssitzung."),
            },
            Refusal::VersionHolds {
                dms,
                approval: a,
                valid_until,
                renewable_from,
            } => {
                let (until, from) = (f.date(*valid_until), f.date(*renewable_from));
                match lang {
                    En => format!("{dms} is approved already until {until} (approval {a}): one approval per DMS version; a new session's approval renews it from {from}"),
                    Nl => format!("{dms} is al erkend tot {until} (erkenning {a}): één erkenning per DMS-versie; een nieuwe sessie hernieuwt ze vanaf {from}."),
                    Fr => format!("{dms} est déjà agréé jusqu'au {until} (agrément {a})\u{a0}: un agrément par version de DMS\u{a0}; une nouvelle session le renouvelle à partir du {from}."),
                    De => format!("{dms} ist bereits bis {until} zugelassen (Zulassung {a}): eine Zulassung pro DMS-Version; eine neue Sitzung erneuert sie ab {from}."),
                }
            }
            Refusal::NoApproval { id } => match lang {
                En => format!("no approval {id}: `carpass staff approvals` lists them"),
                Nl => format!("Er is geen erkenning {id}; de lijst van erkenningen toont ze."),
                Fr => format!("Il n'y a pas d'agrément {id}\u{a0}; la liste des agréments les montre."),
                De => format!("Es gibt keine Zulassung {id}; die Liste der Zulassungen zeigt sie."),
            },
            Refusal::AlreadyRevoked { id, on, by } => {
                let on = f.date(*on);
                match lang {
                    En => format!("approval {id} was revoked already, on {on} by {by}"),
                    Nl => format!("Erkenning {id} werd al ingetrokken, op {on} door {by}."),
                    Fr => format!("L'agrément {id} a déjà été retiré, le {on} par {by}."),
                    De => format!("Zulassung {id} wurde bereits widerrufen, am {on} von {by}."),
                }
            }
            Refusal::NoReading { id } => match lang {
                En => format!("no reading {id}"),
                Nl => format!("Er is geen kilometerstand {id}."),
                Fr => format!("Il n'y a pas de relevé {id}."),
                De => format!("Es gibt keinen Kilometerstand {id}."),
            },
            Refusal::NotDecidable { reading: r, status: s } => match lang {
                En => format!("reading {r} is {s}; only readings in review or pending correction are decided"),
                Nl => format!("Kilometerstand {r} heeft de status {s}; er wordt enkel beslist over kilometerstanden die nagekeken worden of op correctie wachten."),
                Fr => format!("Le relevé {r} a le statut {s}\u{a0}; seuls les relevés en examen ou en attente de correction sont tranchés."),
                De => format!("Kilometerstand {r} hat den Status {s}; entschieden wird nur über Kilometerstände in Prüfung oder mit ausstehender Korrektur."),
            },
            Refusal::NotARegistryYear { year } => match lang {
                En => format!("--year {year} is not a year of the registry"),
                Nl => format!("{year} is geen jaar van het register."),
                Fr => format!("{year} n'est pas une année du registre."),
                De => format!("{year} ist kein Jahr des Registers."),
            },
            Refusal::ListPublished { year, on, by } => {
                let on = f.date(*on);
                match lang {
                    En => format!("the Trusted Provider list {year} was published on {on} by {by}"),
                    Nl => format!("De Trusted Provider-lijst {year} werd op {on} gepubliceerd door {by}."),
                    Fr => format!("La liste Trusted Provider {year} a été publiée le {on} par {by}."),
                    De => format!("Die Trusted-Provider-Liste {year} wurde am {on} von {by} veröffentlicht."),
                }
            }
            Refusal::EmptyList { year } => match lang {
                En => format!("no company is trusted for {year}, and an empty Trusted Provider list is not published"),
                Nl => format!("Geen enkel bedrijf is betrouwbaar voor {year}, en een lege Trusted Provider-lijst wordt niet gepubliceerd."),
                Fr => format!("Aucune entreprise n'est fiable pour {year}, et une liste Trusted Provider vide n'est pas publiée."),
                De => format!("Kein Unternehmen ist für {year} vertrauenswürdig, und eine leere Trusted-Provider-Liste wird nicht veröffentlicht."),
            },
            Refusal::ChooseVerdict => match lang {
                En => "Choose passed or failed.".into(),
                Nl => "Kies geslaagd of niet geslaagd.".into(),
                Fr => "Choisissez réussi ou échoué.".into(),
                De => "Wählen Sie bestanden oder nicht bestanden.".into(),
            },
            Refusal::ScreenshotNoteMissing { criterion: c } => match lang {
                En => format!("{c}: write a note saying what the screenshot shows."),
                Nl => format!("{c}: schrijf in een notitie wat de schermafbeelding toont."),
                Fr => format!("{c}\u{a0}: écrivez dans une note ce que montre la capture d'écran."),
                De => format!("{c}: schreiben Sie in einer Notiz, was das Bildschirmfoto zeigt."),
            },
            Refusal::ValidUntilNotADate { raw } => match lang {
                En => format!("Valid until: '{raw}' is not a date (YYYY-MM-DD)."),
                Nl => format!("Geldig tot: «{raw}» is geen datum (JJJJ-MM-DD)."),
                Fr => format!("Valable jusqu'au\u{a0}: «\u{a0}{raw}\u{a0}» n'est pas une date (AAAA-MM-JJ)."),
                De => format!("Gültig bis: „{raw}“ ist kein Datum (JJJJ-MM-TT)."),
            },
            Refusal::UnknownSession { id } => match lang {
                En => format!("no certification session '{id}': `carpass certify start` prints the session id"),
                Nl => format!("Er is geen certificeringssessie «{id}»; de lijst van sessies toont ze."),
                Fr => format!("Il n'y a pas de session de certification «\u{a0}{id}\u{a0}»\u{a0}; la liste des sessions les montre."),
                De => format!("Es gibt keine Zertifizierungssitzung „{id}“; die Liste der Sitzungen zeigt sie."),
            },
            Refusal::NoNextStep { session: s, steps } => {
                let n = f.num(*steps as u64);
                match lang {
                    En => format!("all {steps} steps of session {s} are open; evaluate it with `carpass certify evaluate {s}`"),
                    Nl => format!("Alle {n} stappen van sessie {s} zijn geopend; evalueer de sessie."),
                    Fr => format!("Les {n} étapes de la session {s} sont toutes ouvertes\u{a0}; évaluez la session."),
                    De => format!("Alle {n} Schritte der Sitzung {s} sind geöffnet; werten Sie die Sitzung aus."),
                }
            }
            Refusal::StepTaken { step } => match lang {
                En => format!("step {step} was opened by someone else just now; look at the sheet"),
                Nl => format!("Stap {step} werd zonet door iemand anders geopend; kijk op het blad."),
                Fr => format!("L'étape {step} vient d'être ouverte par quelqu'un d'autre\u{a0}; consultez la feuille."),
                De => format!("Schritt {step} wurde soeben von jemand anderem geöffnet; sehen Sie auf dem Blatt nach."),
            },
            Refusal::AlreadySo { criterion: c, verdict } => {
                let v = verdict_word(*verdict, lang);
                match lang {
                    En => format!("{c} is {v} in the latest evaluation already"),
                    Nl => format!("{c} is al {v} in de laatste evaluatie."),
                    Fr => format!("{c} est déjà {v} dans la dernière évaluation."),
                    De => format!("{c} ist in der letzten Auswertung bereits {v}."),
                }
            }
            Refusal::TextMissing { what } => {
                let w = what.word(lang);
                match lang {
                    En => format!("the {w} is empty: write what staff should read"),
                    Nl => format!("{w} is leeg: schrijf wat het personeel moet lezen."),
                    Fr => format!("{w} est vide\u{a0}: écrivez ce que le personnel doit lire."),
                    De => format!("{w} ist leer: schreiben Sie, was das Team lesen soll."),
                }
            }
            Refusal::TextTooLong { what, length, max } => {
                let w = what.word(lang);
                let (n, m) = (f.num(*length as u64), f.num(*max as u64));
                match lang {
                    En => format!("the {w} has {length} characters; at most {max}"),
                    Nl => format!("{w} telt {n} tekens; hoogstens {m}."),
                    Fr => format!("{w} compte {n} caractères\u{a0}; au plus {m}."),
                    De => format!("{w} hat {n} Zeichen; höchstens {m}."),
                }
            }
        }
    }
}

/// A verdict as the refusal's sentence names it; English keeps the command line's word.
fn verdict_word(verdict: Verdict, lang: Language) -> &'static str {
    use crate::domain::language::Text;
    let text = match verdict {
        Verdict::Passed => Text {
            en: verdict.as_str(),
            nl: "geslaagd",
            fr: "réussi",
            de: "bestanden",
        },
        Verdict::Failed => Text {
            en: verdict.as_str(),
            nl: "niet geslaagd",
            fr: "échoué",
            de: "nicht bestanden",
        },
        Verdict::NotExercised => Text {
            en: verdict.as_str(),
            nl: "niet uitgevoerd",
            fr: "non exercé",
            de: "nicht geprüft",
        },
        Verdict::AwaitingStaffReview => Text {
            en: verdict.as_str(),
            nl: "wacht op nazicht",
            fr: "en attente d'examen",
            de: "wartet auf Prüfung",
        },
    };
    text.get(lang)
}

impl std::fmt::Display for Refusal {
    /// The command line's words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(refusal: &Refusal) -> [String; 4] {
        Language::ALL.map(|lang| refusal.message(lang))
    }

    #[test]
    fn the_command_line_keeps_its_english_words() {
        assert_eq!(
            Refusal::NoReading { id: "r-1".into() }.to_string(),
            "no reading r-1"
        );
        assert_eq!(Refusal::NoteMissing.to_string(), "--note must say why");
        assert_eq!(
            Refusal::NotEvaluated {
                session: "S1".into()
            }
            .to_string(),
            "session S1 has no evaluation yet: `carpass certify evaluate S1` first"
        );
    }

    #[test]
    fn a_refusal_speaks_each_language_with_its_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let refusal = Refusal::ValidUntilNotAfterToday {
            valid_until: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            today,
        };
        let [nl, fr, de, en] = all(&refusal);
        assert_eq!(
            nl,
            "Geldig tot 01/03/2026 ligt niet na vandaag (06/12/2026)."
        );
        assert_eq!(
            fr,
            "Valable jusqu'au 01/03/2026\u{a0}: cette date n'est pas après aujourd'hui (06/12/2026)."
        );
        assert_eq!(
            de,
            "Gültig bis 01.03.2026 liegt nicht nach heute (06.12.2026)."
        );
        assert_eq!(
            en,
            "--valid-until 2026-03-01 is not after today (2026-12-06)"
        );
    }

    #[test]
    fn a_verdict_and_an_enterprise_number_are_written_the_readers_way() {
        let [nl, fr, de, en] = all(&Refusal::NotAwaitingReview {
            criterion: "C07".into(),
            verdict: Verdict::Passed,
        });
        assert!(nl.starts_with("C07 is geslaagd in de laatste evaluatie"));
        assert!(fr.starts_with("C07 est réussi dans la dernière évaluation"));
        assert!(de.starts_with("C07 ist in der letzten Auswertung bestanden"));
        assert!(en.starts_with("C07 is passed in the latest evaluation"));
        let en = Refusal::NotCertifiable {
            session: "S1".into(),
            evaluation: "E1".into(),
            failed: vec![
                ("C03".into(), Verdict::Failed),
                ("C05".into(), Verdict::NotExercised),
            ],
        }
        .to_string();
        assert_eq!(
            en,
            "the latest evaluation of session S1 (E1) is not certifiable: C03 failed, C05 not exercised"
        );
        let [nl, fr, de, en] = all(&Refusal::CompanyExists {
            kbo: "0876543270".into(),
        });
        assert_eq!(nl, "het bedrijf 0876.543.270 bestaat al");
        assert_eq!(fr, "l'entreprise 0876.543.270 existe déjà");
        assert_eq!(de, "das Unternehmen 0876.543.270 gibt es bereits");
        assert_eq!(en, "the company 0876.543.270 exists already");
    }

    #[test]
    fn every_language_says_something_of_its_own_for_a_page_refusal() {
        let refusals = [
            Refusal::NoReading { id: "r".into() },
            Refusal::NotDecidable {
                reading: "r".into(),
                status: "Accepted".into(),
            },
            Refusal::EmptyList { year: 2026 },
            Refusal::ChooseVerdict,
            Refusal::NoteMissing,
        ];
        for refusal in &refusals {
            let [nl, fr, de, en] = all(refusal);
            for other in [&fr, &de, &en] {
                assert_ne!(&nl, other, "{refusal:?}");
            }
            assert_ne!(fr, de);
            assert_ne!(fr, en);
            assert_ne!(de, en);
        }
    }

    #[test]
    fn a_too_long_comment_counts_its_characters_the_readers_way() {
        let refusal = Refusal::TextTooLong {
            what: Written::Comment,
            length: 4_213,
            max: 4_000,
        };
        let [nl, fr, de, en] = all(&refusal);
        assert_eq!(nl, "De opmerking telt 4.213 tekens; hoogstens 4.000.");
        assert_eq!(
            fr,
            "Le commentaire compte 4\u{a0}213 caractères\u{a0}; au plus 4\u{a0}000."
        );
        assert_eq!(de, "Der Kommentar hat 4.213 Zeichen; höchstens 4.000.");
        assert_eq!(en, "the comment has 4213 characters; at most 4000");
    }

    #[test]
    fn an_untranslated_refusal_reads_the_same_in_every_language() {
        let [nl, fr, de, en] = all(&Refusal::Untranslated("--kbo: too short".into()));
        assert!([nl, fr, de].iter().all(|m| *m == en));
    }
}
