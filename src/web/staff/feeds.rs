//! The partners' feeds as the registry's clerk reviews them (issue 22, point 7): per partner
//! what each feed sent and what was refused, why (batches, foreign histories, recalls,
//! post-accident reports and inspections); every batch (a manufacturer's upload, an RDW file
//! the registry imported), newest first, with what was stored, held for review and refused;
//! and per batch its refused and held lines, each with its number.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::clerk::source_name;
use super::layout::{frame, Nav};
use super::listing;
use super::session::Staff;
use crate::app::AppState;
use crate::db::{clerk as clerk_store, feeds as stored};
use crate::domain::format::Formatter;
use crate::domain::language::Language;
use crate::service::feeds::{self, FeedError};
use crate::service::ServiceError;
use crate::staff::feeds::{report, BatchFeeds};
use crate::staff::StaffError;
use crate::web::page::{respond, t, Failure, Reader};

fn outcome(lang: Language, outcome: &str) -> &'static str {
    if outcome == "conflict" {
        t(
            lang,
            "held for review",
            "ter controle",
            "en contrôle",
            "zur Prüfung",
        )
    } else {
        t(lang, "refused", "geweigerd", "refusée", "abgelehnt")
    }
}

fn moment(reader: &Reader, at: chrono::NaiveDateTime) -> String {
    reader.fmt().moment(at.and_utc())
}

/// The report's RFC 3339 moment in the reader's form.
fn refused_at(reader: &Reader, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map_or_else(|_| at.to_owned(), |at| reader.fmt().moment(at.to_utc()))
}

/// "refused: vin_invalid 3, columns 1".
fn reasons(lang: Language, feed: &BatchFeeds) -> Vec<String> {
    let mut lines = Vec::new();
    for (label, counts) in [
        (
            t(lang, "refused", "geweigerd", "refusées", "abgelehnt"),
            &feed.refused_by_reason,
        ),
        (
            t(
                lang,
                "held for review",
                "ter controle",
                "en contrôle",
                "zur Prüfung",
            ),
            &feed.conflicts_by_reason,
        ),
    ] {
        if !counts.is_empty() {
            lines.push(format!("{label}: {}", joined(counts)));
        }
    }
    lines
}

fn joined(counts: &std::collections::BTreeMap<String, i64>) -> String {
    let each: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    each.join(", ")
}

/// A word in the four languages: English, Dutch, French, German (as `t`).
type Word = [&'static str; 4];

/// "1 lot", "2 lots": a count and its word, the singular for one in every language (and for
/// zero in French: "0 lot").
fn counted(f: Formatter, lang: Language, n: i64, one: Word, many: Word) -> String {
    let singular = n == 1 || (n == 0 && lang == Language::Fr);
    let [en, nl, fr, de] = if singular { one } else { many };
    format!("{} {}", f.num(n.max(0) as u64), t(lang, en, nl, fr, de))
}

const BATCH: (Word, Word) = (
    ["batch", "batch", "lot", "Lieferung"],
    ["batches", "batches", "lots", "Lieferungen"],
);
/// Of batches (un lot).
const INCOMPLETE: (Word, Word) = (
    ["incomplete", "onvolledig", "incomplet", "unvollständig"],
    ["incomplete", "onvolledig", "incomplets", "unvollständig"],
);
const LINE: (Word, Word) = (
    ["line", "regel", "ligne", "Zeile"],
    ["lines", "regels", "lignes", "Zeilen"],
);
/// Of lines (une ligne).
const LINE_STORED: (Word, Word) = (
    ["stored", "opgeslagen", "enregistrée", "gespeichert"],
    ["stored", "opgeslagen", "enregistrées", "gespeichert"],
);
const LINE_REFUSED: (Word, Word) = (
    ["refused", "geweigerd", "refusée", "abgelehnt"],
    ["refused", "geweigerd", "refusées", "abgelehnt"],
);
const HELD: (Word, Word) = (
    [
        "held for review",
        "ter controle",
        "en contrôle",
        "zur Prüfung",
    ],
    [
        "held for review",
        "ter controle",
        "en contrôle",
        "zur Prüfung",
    ],
);
const READING_SENT: (Word, Word) = (
    [
        "reading sent",
        "kilometerstand gestuurd",
        "relevé envoyé",
        "Kilometerstand gesendet",
    ],
    [
        "readings sent",
        "kilometerstanden gestuurd",
        "relevés envoyés",
        "Kilometerstände gesendet",
    ],
);
/// Of readings (un relevé).
const READING_STORED: (Word, Word) = (
    ["stored", "opgeslagen", "enregistré", "gespeichert"],
    ["stored", "opgeslagen", "enregistrés", "gespeichert"],
);
const READING_REJECTED: (Word, Word) = (
    [
        "rejected by staff",
        "afgewezen door het personeel",
        "écarté par le personnel",
        "vom Personal verworfen",
    ],
    [
        "rejected by staff",
        "afgewezen door het personeel",
        "écartés par le personnel",
        "vom Personal verworfen",
    ],
);
const READING_REFUSED: (Word, Word) = (
    ["refused", "geweigerd", "refusé", "abgelehnt"],
    ["refused", "geweigerd", "refusés", "abgelehnt"],
);
const RECALL_REPORTED: (Word, Word) = (
    [
        "vehicle recall reported",
        "terugroepactie voor een voertuig gemeld",
        "rappel de véhicule signalé",
        "Fahrzeugrückruf gemeldet",
    ],
    [
        "vehicle recalls reported",
        "terugroepacties voor een voertuig gemeld",
        "rappels de véhicule signalés",
        "Fahrzeugrückrufe gemeldet",
    ],
);
const RECALL_OPEN: (Word, Word) = (
    ["open", "open", "ouvert", "offen"],
    ["open", "open", "ouverts", "offen"],
);
const RECALL_BY_MANUFACTURER: (Word, Word) = (
    [
        "closed by the manufacturer",
        "afgesloten door de constructeur",
        "clôturé par le constructeur",
        "vom Hersteller abgeschlossen",
    ],
    [
        "closed by the manufacturer",
        "afgesloten door de constructeur",
        "clôturés par le constructeur",
        "vom Hersteller abgeschlossen",
    ],
);
const RECALL_BY_REPAIR: (Word, Word) = (
    [
        "closed by a garage's repair",
        "afgesloten door een herstelling in een garage",
        "clôturé par une réparation au garage",
        "durch eine Reparatur in der Werkstatt abgeschlossen",
    ],
    [
        "closed by a garage's repair",
        "afgesloten door een herstelling in een garage",
        "clôturés par une réparation au garage",
        "durch eine Reparatur in der Werkstatt abgeschlossen",
    ],
);
const ACCIDENT_REPORTED: (Word, Word) = (
    [
        "accident reported",
        "ongeval gemeld",
        "accident signalé",
        "Unfall gemeldet",
    ],
    [
        "accidents reported",
        "ongevallen gemeld",
        "accidents signalés",
        "Unfälle gemeldet",
    ],
);
const INSPECTION_PASSED: (Word, Word) = (
    [
        "inspection passed",
        "keuring geslaagd",
        "contrôle réussi",
        "Prüfung bestanden",
    ],
    [
        "inspections passed",
        "keuringen geslaagd",
        "contrôles réussis",
        "Prüfungen bestanden",
    ],
);
const INSPECTION_FAILED: (Word, Word) = (
    [
        "inspection failed",
        "keuring niet geslaagd",
        "contrôle échoué",
        "Prüfung nicht bestanden",
    ],
    [
        "inspections failed",
        "keuringen niet geslaagd",
        "contrôles échoués",
        "Prüfungen nicht bestanden",
    ],
);

/// `counted` with a word pair.
fn n(f: Formatter, lang: Language, count: i64, word: (Word, Word)) -> String {
    counted(f, lang, count, word.0, word.1)
}

pub async fn list(me: Staff, reader: Reader, state: web::Data<AppState>) -> HttpResponse {
    let lang = reader.lang;
    let (number, window) = listing::window(&reader);
    let loaded = state
        .run(move |conn| -> Result<_, StaffError> {
            let partners = report(conn)?;
            let page = stored::batches_page(conn, window)?;
            Ok((partners, page))
        })
        .await;
    let (partners, (total, batches)) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::staff(error, lang).response(),
    };
    let f = reader.fmt();
    let title = t(
        lang,
        "Partners' feeds",
        "Feeds van partners",
        "Flux des partenaires",
        "Datenlieferungen der Partner",
    );
    let body = html! {
        p.muted { (t(lang,
            "Per partner, everything its feeds sent: each file a manufacturer uploaded and each RDW file the registry imported (stored, held for staff review because it contradicts the history, refused with why), an importer's foreign readings (the same, and each refused reading), the recalls a manufacturer reported and how they were closed, an expert's accident reports and an inspection centre's inspections. A request refused whole by a fault (a bad VIN, a wrong role) changed nothing and is only logged, so it is not counted here. The command line shows the same: carpass staff feeds.",
            "Per partner alles wat zijn feeds stuurden: elk bestand dat een constructeur stuurde en elk RDW-bestand dat het register inlas (opgeslagen, ter controle gehouden omdat het de historiek tegenspreekt, geweigerd met de reden), de buitenlandse kilometerstanden van een invoerder (idem, met elke geweigerde kilometerstand), de terugroepacties die een constructeur meldde en hoe ze werden afgesloten, de ongevallen die een expert meldde en de keuringen van een keuringscentrum. Een aanvraag die met een fout in haar geheel werd geweigerd (een slecht VIN, een verkeerde rol) veranderde niets en wordt enkel gelogd, dus hier niet geteld. De opdrachtregel toont hetzelfde: carpass staff feeds.",
            "Par partenaire, tout ce que ses flux ont envoyé\u{a0}: chaque fichier envoyé par un constructeur et chaque fichier du RDW importé par le registre (enregistré, retenu pour contrôle parce qu'il contredit l'historique, refusé avec la raison), les relevés étrangers d'un importateur (de même, avec chaque relevé refusé), les rappels signalés par un constructeur et leur clôture, les accidents signalés par un expert et les contrôles d'un centre de contrôle. Une demande refusée en bloc par une erreur (un VIN invalide, un rôle erroné) n'a rien changé et n'est que journalisée\u{a0}; elle n'est donc pas comptée ici. La ligne de commande montre la même chose\u{a0}: carpass staff feeds.",
            "Pro Partner alles, was seine Datenlieferungen sandten: jede Datei, die ein Hersteller sandte, und jede RDW-Datei, die das Register einlas (gespeichert, zur Prüfung zurückgehalten, weil es der Historie widerspricht, abgelehnt mit Grund), die ausländischen Kilometerstände eines Importeurs (ebenso, mit jedem abgelehnten Kilometerstand), die Rückrufe, die ein Hersteller meldete, und wie sie abgeschlossen wurden, die Unfälle, die ein Sachverständiger meldete, und die Prüfungen einer Prüfstelle. Eine Anfrage, die als Ganzes mit einem Fehler abgelehnt wurde (eine ungültige FIN, eine falsche Rolle), änderte nichts und wird nur protokolliert, also hier nicht gezählt. Die Befehlszeile zeigt dasselbe: carpass staff feeds.",
        )) }
        h2 { (t(lang, "Per partner", "Per partner", "Par partenaire", "Pro Partner")) }
        @if partners.is_empty() {
            p.card { (t(lang, "No partner has sent anything yet.", "Nog geen enkele partner stuurde iets.", "Aucun partenaire n'a encore rien envoyé.", "Noch kein Partner hat etwas gesendet.")) }
        }
        @for p in &partners {
            div.card {
                h3 { (p.name) " " span.muted.nowrap { (f.kbo(&p.kbo)) } }
                @for b in &p.batch_feeds {
                    p {
                        strong { (source_name(lang, &b.source)) } ": "
                        (n(f, lang, b.batches as i64, BATCH))
                        @if b.incomplete > 0 { " (" span.wait { (n(f, lang, b.incomplete as i64, INCOMPLETE)) } ")" }
                        " · " (n(f, lang, b.lines, LINE))
                        " · " span.ok { (n(f, lang, b.stored, LINE_STORED)) }
                        " · " span.wait { (n(f, lang, b.conflicts, HELD)) }
                        " · " span.bad { (n(f, lang, b.refused, LINE_REFUSED)) }
                    }
                    @for line in reasons(lang, b) { p.small { code { (line) } } }
                }
                @if let Some(h) = &p.foreign {
                    p {
                        strong { (t(lang, "Foreign history", "Buitenlandse historiek", "Historique étranger", "Ausländische Historie")) } ": "
                        (n(f, lang, h.sent, READING_SENT))
                        " · " span.ok { (n(f, lang, h.stored, READING_STORED)) }
                        " · " span.wait { (n(f, lang, h.held, HELD)) }
                        @if h.rejected_by_staff > 0 { " · " (n(f, lang, h.rejected_by_staff, READING_REJECTED)) }
                        " · " span.bad { (n(f, lang, h.refused, READING_REFUSED)) }
                    }
                    @if !h.refused_by_reason.is_empty() {
                        p.small { code { (t(lang, "refused", "geweigerd", "refusés", "abgelehnt")) ": " (joined(&h.refused_by_reason)) } }
                    }
                    @if !h.latest_refused.is_empty() {
                        p.small.muted { (t(lang, "Latest refused readings:", "Laatste geweigerde kilometerstanden:", "Derniers relevés refusés\u{a0}:", "Zuletzt abgelehnte Kilometerstände:")) }
                        ul.small {
                            @for r in &h.latest_refused {
                                li {
                                    code { (r.vin) } " · " (r.date) " · " span.nowrap { (f.num(r.odometer.max(0) as u64)) " " (r.unit) } " · " (r.country)
                                    " · " code { (r.reason) } ": " (r.detail)
                                    " " span.muted { "(" (refused_at(&reader, &r.refused_at)) ")" }
                                }
                            }
                        }
                    }
                }
                @if let Some(r) = &p.recalls {
                    p {
                        strong { (t(lang, "Recalls", "Terugroepacties", "Rappels", "Rückrufe")) } ": "
                        (n(f, lang, r.reported, RECALL_REPORTED))
                        " · " span.wait { (n(f, lang, r.open, RECALL_OPEN)) }
                        " · " span.ok { (n(f, lang, r.closed_by_manufacturer, RECALL_BY_MANUFACTURER)) }
                        " · " span.ok { (n(f, lang, r.closed_by_repair, RECALL_BY_REPAIR)) }
                    }
                }
                @if let Some(a) = &p.post_accident {
                    p {
                        strong { (t(lang, "Post-accident inspection", "Keuring na ongeval", "Contrôle après accident", "Prüfung nach Unfall")) } ": "
                        @if a.reported > 0 { (n(f, lang, a.reported, ACCIDENT_REPORTED)) }
                        @if a.reported > 0 && a.passed + a.failed > 0 { " · " }
                        @if a.passed + a.failed > 0 {
                            span.ok { (n(f, lang, a.passed, INSPECTION_PASSED)) }
                            " · " span.bad { (n(f, lang, a.failed, INSPECTION_FAILED)) }
                        }
                    }
                }
            }
        }
        h2 { (t(lang, "Batches", "Batches", "Lots", "Lieferungen")) }
        @if batches.is_empty() {
            p.muted { (t(lang, "None.", "Geen.", "Aucun.", "Keine.")) }
        } @else {
            table {
                tr {
                    th { (t(lang, "Batch", "Batch", "Lot", "Lieferung")) }
                    th.num { (t(lang, "Stored", "Opgeslagen", "Enregistrées", "Gespeichert")) }
                    th.num { (t(lang, "Held", "Ter controle", "En contrôle", "Zur Prüfung")) }
                    th.num { (t(lang, "Refused", "Geweigerd", "Refusées", "Abgelehnt")) }
                }
                @for (kbo, name, b) in &batches {
                    @let href = format!("/staff/feeds/{}/{}", b.company_id, b.batch_id);
                    tr {
                        td { a href=(href) { code { (b.batch_id) } }
                            @if b.completed_at.is_none() { " " span.wait.small { (t(lang, "incomplete", "onvolledig", "incomplet", "unvollständig")) } }
                            br; span.small { (name) " " span.muted.nowrap { (f.kbo(kbo)) } " · " (source_name(lang, &b.source)) }
                            br; span.muted.small { (moment(&reader, b.started_at)) } }
                        td.num { (f.num(b.stored.max(0) as u64)) }
                        td.num { @if b.conflicts > 0 { a href=(href) { (f.num(b.conflicts as u64)) } } @else { "0" } }
                        td.num { @if b.refused > 0 { a href=(href) { (f.num(b.refused as u64)) } } @else { "0" } }
                    }
                }
            }
            (listing::pager(&reader, number, total))
        }
    };
    respond(
        StatusCode::OK,
        frame(&reader, &me, Nav::Feeds, title, None, body).into_string(),
    )
}

pub async fn batch(
    me: Staff,
    reader: Reader,
    path: web::Path<(i64, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let lang = reader.lang;
    let (company_id, batch) = path.into_inner();
    let after = reader
        .param("after")
        .and_then(|a| a.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let lookup = batch.clone();
    let loaded = state
        .run(move |conn| -> Result<_, ServiceError> {
            let company = clerk_store::company(conn, company_id)?;
            let summary =
                feeds::summary(conn, company_id, &lookup, after).map_err(|e| match e {
                    FeedError::Service(e) => e,
                    other => ServiceError::Corrupt(other.to_string()),
                })?;
            let row = stored::find_batch(conn, company_id, &lookup)?;
            Ok((company, summary.zip(row)))
        })
        .await;
    let (company, summary) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::from(error).response(),
    };
    let title = format!("{} {batch}", t(lang, "Batch", "Batch", "Lot", "Lieferung"));
    let (Some(company), Some((s, row))) = (company, summary) else {
        let body = html! { p.card { (t(lang,
            "No such batch: it was never sent, or under another partner.",
            "Die batch bestaat niet: hij werd nooit gestuurd, of door een andere partner.",
            "Ce lot n'existe pas\u{a0}: il n'a jamais été envoyé, ou par un autre partenaire.",
            "Diese Lieferung gibt es nicht: Sie wurde nie gesendet, oder von einem anderen Partner.",
        )) } };
        return respond(
            StatusCode::NOT_FOUND,
            frame(&reader, &me, Nav::Feeds, &title, None, body).into_string(),
        );
    };
    let f = reader.fmt();
    let body = html! {
        p { a href="/staff/feeds" { "← " (t(lang, "Partners' feeds", "Feeds van partners", "Flux des partenaires", "Datenlieferungen der Partner")) } }
        dl.card {
            dt { (t(lang, "Partner", "Partner", "Partenaire", "Partner")) }
            dd { (company.name) " " span.muted.nowrap { (f.kbo(&company.kbo)) } }
            dt { (t(lang, "Source", "Bron", "Source", "Quelle")) } dd { (source_name(lang, &s.source)) " · " code { (s.format) } }
            dt { (t(lang, "State", "Toestand", "État", "Zustand")) }
            dd { @if row.completed_at.is_some() { (t(lang, "complete", "volledig", "complet", "vollständig")) } @else { span.wait { (t(lang, "incomplete: the upload was cut off", "onvolledig: het opladen werd onderbroken", "incomplet\u{a0}: l'envoi a été interrompu", "unvollständig: das Hochladen wurde abgebrochen")) } } }
            dt { (t(lang, "Started", "Begonnen", "Commencé", "Begonnen")) } dd { (moment(&reader, row.started_at)) }
            dt { (t(lang, "Lines", "Regels", "Lignes", "Zeilen")) } dd { (f.num(s.lines.max(0) as u64)) }
            dt { (t(lang, "Stored", "Opgeslagen", "Enregistrées", "Gespeichert")) } dd.ok { (f.num(s.stored.max(0) as u64)) }
            dt { (t(lang, "Held for review", "Ter controle", "En contrôle", "Zur Prüfung")) } dd.wait { (f.num(s.conflicts.max(0) as u64)) }
            dt { (t(lang, "Refused", "Geweigerd", "Refusées", "Abgelehnt")) } dd.bad { (f.num(s.refused.max(0) as u64)) }
            @if let Some(sha) = &s.file_sha256 { dt { "SHA-256" } dd { code.small { (sha) } } }
        }
        @if !s.reasons.is_empty() {
            h2 { (t(lang, "Why", "Waarom", "Pourquoi", "Warum")) }
            ul { @for r in &s.reasons { li { (outcome(lang, &r.outcome)) ": " code { (r.reason) } " " (f.num(r.lines.max(0) as u64)) } } }
        }
        h2 { (t(lang, "Refused and held lines", "Geweigerde en tegengehouden regels", "Lignes refusées et retenues", "Abgelehnte und zurückgehaltene Zeilen")) }
        @if s.problems.is_empty() {
            p.muted { (t(lang, "None.", "Geen.", "Aucune.", "Keine.")) }
        } @else {
            // One card a line: a line's reason is a sentence, too long for a table on a phone.
            @for p in &s.problems {
                div.card id=(format!("line-{}", p.line)) {
                    strong { (t(lang, "Line", "Regel", "Ligne", "Zeile")) " " (p.line) } " · "
                    @if p.outcome == "conflict" { span.wait { (outcome(lang, &p.outcome)) } } @else { span.bad { (outcome(lang, &p.outcome)) } }
                    " · " code.small { (p.reason) }
                    p { (p.detail) }
                    @if let Some(id) = &p.reading_id { p.small { a href=(format!("/staff/search?q={id}")) { (t(lang, "the reading held for review", "de tegengehouden kilometerstand", "le relevé retenu", "der zurückgehaltene Kilometerstand")) } } }
                }
            }
            @if let Some(next) = s.more_after {
                p { a href=(format!("/staff/feeds/{company_id}/{batch}?after={next}")) { (t(lang, "Next lines →", "Volgende regels →", "Lignes suivantes →", "Nächste Zeilen →")) } }
            }
        }
    };
    respond(
        StatusCode::OK,
        frame(&reader, &me, Nav::Feeds, &title, None, body).into_string(),
    )
}
