//! The partners' batches as the registry's clerk reviews them (issue 22, point 7): per partner
//! what it sent and what was refused, why; every batch (a manufacturer's upload, an RDW file
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
use crate::domain::language::Language;
use crate::service::feeds::{self, FeedError};
use crate::service::ServiceError;
use crate::staff::feeds::{report, PartnerFeeds};
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

/// "refused: vin_invalid 3, columns 1" for one partner.
fn reasons(lang: Language, partner: &PartnerFeeds) -> Vec<String> {
    let mut lines = Vec::new();
    for (label, counts) in [
        (
            t(lang, "refused", "geweigerd", "refusées", "abgelehnt"),
            &partner.refused_by_reason,
        ),
        (
            t(
                lang,
                "held for review",
                "ter controle",
                "en contrôle",
                "zur Prüfung",
            ),
            &partner.conflicts_by_reason,
        ),
    ] {
        if !counts.is_empty() {
            let each: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
            lines.push(format!("{label}: {}", each.join(", ")));
        }
    }
    lines
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
            "Every file a manufacturer sent and every RDW file the registry imported, with what was stored, held for staff review (it contradicts the history) and refused (with why). The command line shows the same: carpass staff feeds.",
            "Elk bestand dat een constructeur stuurde en elk RDW-bestand dat het register inlas, met wat werd opgeslagen, ter controle gehouden (het spreekt de historiek tegen) en geweigerd (met de reden). De opdrachtregel toont hetzelfde: carpass staff feeds.",
            "Chaque fichier envoyé par un constructeur et chaque fichier du RDW importé par le registre, avec ce qui a été enregistré, retenu pour contrôle (il contredit l'historique) et refusé (avec la raison). La ligne de commande montre la même chose\u{a0}: carpass staff feeds.",
            "Jede Datei, die ein Hersteller sandte, und jede RDW-Datei, die das Register einlas, mit dem, was gespeichert, zur Prüfung zurückgehalten (es widerspricht der Historie) und abgelehnt wurde (mit Grund). Die Befehlszeile zeigt dasselbe: carpass staff feeds.",
        )) }
        h2 { (t(lang, "Per partner", "Per partner", "Par partenaire", "Pro Partner")) }
        @if partners.is_empty() {
            p.card { (t(lang, "No partner has sent a file yet.", "Nog geen enkele partner stuurde een bestand.", "Aucun partenaire n'a encore envoyé de fichier.", "Noch kein Partner hat eine Datei gesendet.")) }
        }
        @for p in &partners {
            div.card {
                h3 { (p.name) " " span.muted.nowrap { (f.kbo(&p.kbo)) } " · " (source_name(lang, &p.source)) }
                p {
                    (f.num(p.batches as u64)) " " (t(lang, "batches", "batches", "lots", "Lieferungen"))
                    " · " (f.num(p.lines.max(0) as u64)) " " (t(lang, "lines", "regels", "lignes", "Zeilen"))
                    " · " span.ok { (f.num(p.stored.max(0) as u64)) " " (t(lang, "stored", "opgeslagen", "enregistrées", "gespeichert")) }
                    " · " span.wait { (f.num(p.conflicts.max(0) as u64)) " " (t(lang, "held for review", "ter controle", "en contrôle", "zur Prüfung")) }
                    " · " span.bad { (f.num(p.refused.max(0) as u64)) " " (t(lang, "refused", "geweigerd", "refusées", "abgelehnt")) }
                }
                @for line in reasons(lang, p) { p.small { code { (line) } } }
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
