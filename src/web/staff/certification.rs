//! Certification for staff (SPEC 5): the sessions with their latest evaluation and whether the
//! vendor marked them ready for review; per session the report, the screenshots, a verdict on
//! each criterion that only the DMS's screen can prove, comments, overrides with a reason,
//! evaluating again, and the approval. A refused action is shown on the page and changes nothing.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, filled, frame, Nav, Notice};
use super::listing;
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::app::Certification;
use crate::certification::evaluations::{self, Report};
use crate::certification::review::{self as cert_review, Note, NoteKind};
use crate::certification::sessions::{self, Session};
use crate::certification::{report, CertificationError};
use crate::db::approvals::{self as approval_rows, ApprovalRow};
use crate::db::certification::{self as store, AttachmentRow, VerdictRow};
use crate::domain::calendar::brussels_date;
use crate::domain::certification::approval::Standing;
use crate::domain::certification::criterion::Criterion;
use crate::domain::certification::evaluation::Verdict;
use crate::domain::language::{Language, Text};
use crate::service::ServiceError;
use crate::staff::{approvals, Refusal, StaffError, Written};
use crate::web::certify::reasons_in_english;
use crate::web::page::{respond, unavailable, Failure, Reader};

/// As every page writes a moment: Brussels time with its offset.
fn time(reader: &Reader, at: DateTime<Utc>) -> String {
    reader.fmt().moment(at)
}

fn session_path(id: &str) -> String {
    format!("/staff/certification/{id}")
}

/// A Text with `{}` filled in, for the few sentences that carry a value.
fn say(text: Text, lang: Language, value: &str) -> String {
    text.get(lang).replace("{}", value)
}

const SESSIONS: Text = Text {
    nl: "Certificatiesessies",
    fr: "Sessions de certification",
    de: "Zertifizierungssitzungen",
    en: "Certification sessions",
};
const SESSIONS_INTRO: Text = Text {
    nl: "Certificatiesessies, nieuwste eerst. Een sessie wordt geopend met carpass certify start; open er een om het verslag en de schermafdrukken te zien, oordelen te geven en goed te keuren.",
    fr: "Sessions de certification, les plus récentes d'abord. Une session s'ouvre avec carpass certify start ; ouvrez-en une pour voir le rapport et les captures d'écran, rendre des verdicts et agréer.",
    de: "Zertifizierungssitzungen, neueste zuerst. Eine Sitzung wird mit carpass certify start eröffnet; öffnen Sie eine, um Bericht und Bildschirmfotos zu sehen, Urteile abzugeben und zuzulassen.",
    en: "Certification sessions, newest first. A session is opened with carpass certify start; open one to see its report and screenshots, record verdicts and approve.",
};
const NO_SESSION: Text = Text {
    nl: "Nog geen certificatiesessie.",
    fr: "Aucune session de certification pour l'instant.",
    de: "Noch keine Zertifizierungssitzung.",
    en: "No certification session yet.",
};
const SESSION: Text = Text {
    nl: "Sessie",
    fr: "Session",
    de: "Sitzung",
    en: "Session",
};
const BUILDER: Text = Text {
    nl: "Ontwikkelaar",
    fr: "Développeur",
    de: "Entwickler",
    en: "Builder",
};
const STARTED: Text = Text {
    nl: "Gestart",
    fr: "Démarrée",
    de: "Begonnen",
    en: "Started",
};
const LATEST: Text = Text {
    nl: "Laatste evaluatie",
    fr: "Dernière évaluation",
    de: "Letzte Bewertung",
    en: "Latest evaluation",
};
const FAILED: Text = Text {
    nl: "Niet voldaan",
    fr: "Échoués",
    de: "Nicht erfüllt",
    en: "Failed",
};
const AWAITING: Text = Text {
    nl: "Wacht op personeel",
    fr: "En attente du personnel",
    de: "Wartet auf Personal",
    en: "Awaiting staff review",
};
const REVIEW: Text = Text {
    nl: "Nazicht",
    fr: "Revue",
    de: "Prüfung",
    en: "Review",
};
const READY_SINCE: Text = Text {
    nl: "klaar voor nazicht sinds {}",
    fr: "prête pour la revue depuis le {}",
    de: "bereit zur Prüfung seit {}",
    en: "ready for review since {}",
};
const READY_FOR_REVIEW: Text = Text {
    nl: "klaar voor nazicht",
    fr: "prêtes pour la revue",
    de: "bereit zur Prüfung",
    en: "ready for review",
};
const ORDER: Text = Text {
    nl: "Volgorde",
    fr: "Ordre",
    de: "Reihenfolge",
    en: "Order",
};

/// Which sessions the list shows (`?state=`).
#[derive(Clone, Copy)]
enum SessionState {
    All,
    Ready,
    NotReady,
}

const NOT_READY: Text = Text {
    nl: "nog niet klaar gemeld",
    fr: "pas encore déclarée prête",
    de: "noch nicht bereit gemeldet",
    en: "not marked ready yet",
};
const NOT_EVALUATED: Text = Text {
    nl: "niet geëvalueerd",
    fr: "non évaluée",
    de: "nicht bewertet",
    en: "not evaluated",
};
const CERTIFIABLE: Text = Text {
    nl: "certificeerbaar",
    fr: "certifiable",
    de: "zertifizierbar",
    en: "certifiable",
};
const NOT_CERTIFIABLE: Text = Text {
    nl: "niet certificeerbaar",
    fr: "non certifiable",
    de: "nicht zertifizierbar",
    en: "not certifiable",
};
const NONE: Text = Text {
    nl: "geen",
    fr: "aucun",
    de: "keine",
    en: "none",
};

/// A verdict in the reader's language (the reports keep the harness's English words).
pub(crate) fn verdict_label(verdict: Verdict, lang: Language) -> &'static str {
    match verdict {
        Verdict::Passed => PASSED.get(lang),
        Verdict::Failed => FAILED_ONE.get(lang),
        Verdict::NotExercised => Text {
            nl: "niet getest",
            fr: "non exercé",
            de: "nicht geprüft",
            en: "not exercised",
        }
        .get(lang),
        Verdict::AwaitingStaffReview => AWAITING.get(lang),
    }
}

fn criteria_list(report: &Report, verdict: Verdict, lang: Language) -> String {
    let ids: Vec<&str> = report
        .criteria
        .iter()
        .filter(|c| c.verdict == verdict)
        .map(|c| c.criterion.id())
        .collect();
    if ids.is_empty() {
        NONE.get(lang).into()
    } else {
        ids.join(", ")
    }
}

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    me: Staff,
    shown: web::Query<Shown>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let reader = Reader::of(&req);
    let lang = reader.lang;
    let (number, window) = listing::window(&reader);
    let shown_state = match reader.param("state") {
        Some("ready") => SessionState::Ready,
        Some("not-ready") => SessionState::NotReady,
        _ => SessionState::All,
    };
    let oldest_first = reader.param("order") == Some("oldest");
    // Sessions are few (one per DMS version tried) and their rows small: they are filtered and
    // ordered here; only the page's own evaluations, the heavy part, are read.
    let loaded = cert
        .0
        .run(move |conn| -> Result<_, CertificationError> {
            let ready = cert_review::ready_sessions(conn)?;
            let mut all: Vec<Session> = sessions::all(conn)?
                .into_iter()
                .filter(|session| match shown_state {
                    SessionState::All => true,
                    SessionState::Ready => ready.contains_key(&session.id),
                    SessionState::NotReady => !ready.contains_key(&session.id),
                })
                .collect();
            all.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then_with(|| b.id.cmp(&a.id))
            });
            if oldest_first {
                all.reverse();
            }
            let total = all.len() as i64;
            let rows = all
                .into_iter()
                .skip(window.offset as usize)
                .take(window.limit as usize)
                .map(|session| {
                    let latest = evaluations::latest(conn, &session.id)?;
                    Ok((session, latest))
                })
                .collect::<Result<Vec<_>, CertificationError>>()?;
            Ok((total, rows, ready))
        })
        .await;
    let (total, rows, ready): (i64, _, HashMap<String, DateTime<Utc>>) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::from(error).response(),
    };
    let notice = layout::confirmation(lang, shown.done.as_deref(), shown.subject.as_deref());
    let states = vec![
        ("".to_owned(), ALL_SESSIONS.get(lang).to_owned()),
        ("ready".to_owned(), READY_FOR_REVIEW.get(lang).to_owned()),
        ("not-ready".to_owned(), NOT_READY.get(lang).to_owned()),
    ];
    let state_chosen = reader.param("state").unwrap_or("").to_owned();
    let order_chosen = if oldest_first { "oldest" } else { "newest" };
    let body = html! {
        p.muted { (SESSIONS_INTRO.get(lang)) }
        (listing::choices(&reader, "/staff/certification", &[
            listing::Choice { key: "state", label: REVIEW, options: states, chosen: &state_chosen },
            listing::Choice { key: "order", label: ORDER, options: listing::order_options(lang, false), chosen: order_chosen },
        ]))
        @if rows.is_empty() {
            p.card { (NO_SESSION.get(lang)) }
        } @else {
            (listing::pager(&reader, number, total))
            div.scroll { table {
                tr {
                    th { (SESSION.get(lang)) } th { "DMS" } th { (BUILDER.get(lang)) } th { (STARTED.get(lang)) }
                    th { (REVIEW.get(lang)) } th { (LATEST.get(lang)) } th { (FAILED.get(lang)) } th { (AWAITING.get(lang)) }
                }
                @for (session, latest) in &rows {
                    @let href = session_path(&session.id);
                    tr {
                        td { a href=(href) { code { (session.id) } } }
                        td { a href=(href) { (session.software.name) " " (session.software.version) } }
                        td { (session.software.builder) }
                        td.nowrap { (time(&reader, session.created_at)) }
                        td {
                            @match ready.get(&session.id) {
                                Some(at) => span.wait { (say(READY_SINCE, lang, &time(&reader, *at))) },
                                None => span.muted { (NOT_READY.get(lang)) },
                            }
                        }
                        @match latest {
                            None => { td { span.muted { (NOT_EVALUATED.get(lang)) } } td {} td {} }
                            Some(report) => {
                                td {
                                    @if report.certifiable { span.ok { (CERTIFIABLE.get(lang)) } }
                                    @else { span.bad { (NOT_CERTIFIABLE.get(lang)) } }
                                    " " span.muted.small { (time(&reader, report.evaluated_at)) }
                                }
                                td { (criteria_list(report, Verdict::Failed, lang)) }
                                td { (criteria_list(report, Verdict::AwaitingStaffReview, lang)) }
                            }
                        }
                    }
                }
            } }
            @if total > listing::PER_PAGE { (listing::pager(&reader, number, total)) }
        }
    };
    respond(
        StatusCode::OK,
        frame(
            &reader,
            &me,
            Nav::Certification,
            SESSIONS.get(lang),
            notice.as_ref(),
            body,
        )
        .into_string(),
    )
}

/// Everything the session page shows.
struct Loaded {
    session: Session,
    latest: Option<Report>,
    verdicts: BTreeMap<Criterion, VerdictRow>,
    screenshots: Vec<AttachmentRow>,
    notes: Vec<Note>,
    approvals: Vec<ApprovalRow>,
}

const NO_SUCH_SESSION: Text = Text {
    nl: "Geen certificatiesessie met dit nummer",
    fr: "Aucune session de certification sous ce numéro",
    de: "Keine Zertifizierungssitzung unter dieser Nummer",
    en: "No such certification session",
};
const ALL_SESSIONS: Text = Text {
    nl: "Alle sessies",
    fr: "Toutes les sessions",
    de: "Alle Sitzungen",
    en: "All sessions",
};

fn no_such_session(reader: &Reader, me: &Staff, message: &str) -> HttpResponse {
    let lang = reader.lang;
    let body = html! {
        p { (message) }
        p { a href="/staff/certification" { (ALL_SESSIONS.get(lang)) } }
    };
    respond(
        StatusCode::NOT_FOUND,
        frame(
            reader,
            me,
            Nav::Certification,
            NO_SUCH_SESSION.get(lang),
            None,
            body,
        )
        .into_string(),
    )
}

async fn load(
    reader: &Reader,
    me: &Staff,
    state: &AppState,
    cert: &Certification,
    id: String,
) -> Result<Loaded, HttpResponse> {
    let loaded = cert
        .0
        .run(move |conn| -> Result<_, StaffError> {
            let session = sessions::find(conn, &id)?;
            let latest = evaluations::latest(conn, &session.id)?;
            let verdicts = approvals::verdicts(conn, &session.id)?;
            let screenshots = store::attachments(conn, &session.id)?;
            let notes = cert_review::notes(conn, &session.id)?;
            Ok((session, latest, verdicts, screenshots, notes))
        })
        .await;
    let (session, latest, verdicts, screenshots, notes) = match loaded {
        Ok(found) => found,
        Err(StaffError::NotFound(refusal)) => {
            return Err(no_such_session(reader, me, &refusal.message(reader.lang)))
        }
        Err(error) => return Err(Failure::staff(error, reader.lang).response()),
    };
    let session_id = session.id.clone();
    let approvals = match state
        .run(move |conn| -> Result<_, ServiceError> {
            let all = approval_rows::all(conn)?;
            Ok(all
                .into_iter()
                .filter(|a| a.session_id == session_id)
                .collect())
        })
        .await
    {
        Ok(rows) => rows,
        Err(error) => return Err(Failure::from(error).response()),
    };
    Ok(Loaded {
        session,
        latest,
        verdicts,
        screenshots,
        notes,
        approvals,
    })
}

pub async fn session(
    req: HttpRequest,
    me: Staff,
    id: web::Path<String>,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let reader = Reader::of(&req);
    let notice = layout::confirmation(reader.lang, shown.done.as_deref(), shown.subject.as_deref());
    session_page(
        &reader,
        &me,
        &state,
        &cert,
        id.into_inner(),
        StatusCode::OK,
        notice.as_ref(),
    )
    .await
}

const CERTIFICATION_OF: Text = Text {
    nl: "Certificatie van {}",
    fr: "Certification de {}",
    de: "Zertifizierung von {}",
    en: "Certification of {}",
};

async fn session_page(
    reader: &Reader,
    me: &Staff,
    state: &AppState,
    cert: &Certification,
    id: String,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let loaded = match load(reader, me, state, cert, id).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let today = brussels_date(state.clock.now());
    let dms = &loaded.session.software;
    let title = say(
        CERTIFICATION_OF,
        reader.lang,
        &format!("{} {}", dms.name, dms.version),
    );
    respond(
        status,
        frame(
            reader,
            me,
            Nav::Certification,
            &title,
            notice,
            session_body(reader, me, &loaded, today),
        )
        .into_string(),
    )
}

const APPROVAL_LINE: Text = Text {
    nl: "Goedkeuring {}",
    fr: "Agrément {}",
    de: "Zulassung {}",
    en: "Approval {}",
};
const UNTIL: Text = Text {
    nl: "geldig tot en met",
    fr: "valable jusqu'au",
    de: "gültig bis",
    en: "valid until",
};
const HOLDS: Text = Text {
    nl: "geldt",
    fr: "valable",
    de: "gilt",
    en: "holds",
};
const EXPIRED: Text = Text {
    nl: "verlopen",
    fr: "expiré",
    de: "abgelaufen",
    en: "expired",
};
const REVOKED: Text = Text {
    nl: "ingetrokken",
    fr: "révoqué",
    de: "widerrufen",
    en: "revoked",
};
const APPROVALS: Text = Text {
    nl: "Goedkeuringen",
    fr: "Agréments",
    de: "Zulassungen",
    en: "Approvals",
};
const PUBLIC_PAGE: Text = Text {
    nl: "publieke pagina",
    fr: "page publique",
    de: "öffentliche Seite",
    en: "public page",
};
const NOT_EVALUATED_YET: Text = Text {
    nl: "Nog niet geëvalueerd. Evalueer zodra de DMS elke stap gespeeld heeft.",
    fr: "Pas encore évaluée. Évaluez quand le DMS a joué chaque étape.",
    de: "Noch nicht bewertet. Bewerten Sie, sobald das DMS jeden Schritt gespielt hat.",
    en: "Not evaluated yet. Evaluate once the DMS has played every step.",
};
const EVALUATED_BY: Text = Text {
    nl: "geëvalueerd op {}",
    fr: "évaluée le {}",
    de: "bewertet am {}",
    en: "evaluated {}",
};
const FULL_REPORT: Text = Text {
    nl: "Volledig verslag openen",
    fr: "Ouvrir le rapport complet",
    de: "Vollständigen Bericht öffnen",
    en: "Open the full report",
};
const CRITERION: Text = Text {
    nl: "Criterium",
    fr: "Critère",
    de: "Kriterium",
    en: "Criterion",
};
const THE_DMS: Text = Text {
    nl: "De DMS...",
    fr: "Le DMS...",
    de: "Das DMS...",
    en: "The DMS...",
};
const VERDICT: Text = Text {
    nl: "Oordeel",
    fr: "Verdict",
    de: "Urteil",
    en: "Verdict",
};
const STEP: Text = Text {
    nl: "Stap",
    fr: "Étape",
    de: "Schritt",
    en: "Step",
};
const REASON: Text = Text {
    nl: "Reden",
    fr: "Raison",
    de: "Grund",
    en: "Reason",
};
const SCREENSHOTS: Text = Text {
    nl: "Schermafdrukken",
    fr: "Captures d'écran",
    de: "Bildschirmfotos",
    en: "Screenshots",
};
const NO_SCREENSHOTS: Text = Text {
    nl: "Geen bijgevoegd (carpass certify attach SESSIE --step N BESTAND).",
    fr: "Aucune jointe (carpass certify attach SESSION --step N FICHIER).",
    de: "Keine angehängt (carpass certify attach SITZUNG --step N DATEI).",
    en: "None attached (carpass certify attach SESSION --step N FILE).",
};
const REVIEW_NOTES: Text = Text {
    nl: "Nazicht: klaarmelding, opmerkingen en overrulingen",
    fr: "Revue : déclaration prête, commentaires et dérogations",
    de: "Prüfung: Bereitmeldung, Kommentare und Übersteuerungen",
    en: "Review: ready mark, comments and overrides",
};
const NO_NOTES: Text = Text {
    nl: "Nog niets: de leverancier meldt de sessie klaar met carpass certify ready.",
    fr: "Rien encore : le fournisseur déclare la session prête avec carpass certify ready.",
    de: "Noch nichts: Der Anbieter meldet die Sitzung mit carpass certify ready bereit.",
    en: "Nothing yet: the vendor marks the session ready with carpass certify ready.",
};
const KIND_READY: Text = Text {
    nl: "klaar voor nazicht",
    fr: "prête pour la revue",
    de: "bereit zur Prüfung",
    en: "ready for review",
};
const KIND_COMMENT: Text = Text {
    nl: "opmerking",
    fr: "commentaire",
    de: "Kommentar",
    en: "comment",
};
const KIND_OVERRIDE: Text = Text {
    nl: "overruling",
    fr: "dérogation",
    de: "Übersteuerung",
    en: "override",
};
const COMMENT: Text = Text {
    nl: "Opmerking voor de leverancier",
    fr: "Commentaire pour le fournisseur",
    de: "Kommentar für den Anbieter",
    en: "Comment for the vendor",
};
const SEND_COMMENT: Text = Text {
    nl: "Opmerking bewaren",
    fr: "Enregistrer le commentaire",
    de: "Kommentar speichern",
    en: "Record the comment",
};
const OVERRIDE: Text = Text {
    nl: "Een criterium overrulen",
    fr: "Déroger à un critère",
    de: "Ein Kriterium übersteuern",
    en: "Override a criterion",
};
const OVERRIDE_HINT: Text = Text {
    nl: "Beslist een criterium anders dan de harness, met een reden die elk verslag toont (ook wat de harness vond). De sessie wordt meteen opnieuw geëvalueerd.",
    fr: "Décide un critère autrement que le harnais, avec une raison que chaque rapport affiche (avec ce que le harnais a trouvé). La session est réévaluée aussitôt.",
    de: "Entscheidet ein Kriterium anders als der Prüfstand, mit einem Grund, den jeder Bericht zeigt (samt dem Befund des Prüfstands). Die Sitzung wird sofort neu bewertet.",
    en: "Settles a criterion otherwise than the harness did, with a reason every report shows (beside what the harness found). The session is evaluated again at once.",
};
const REASON_REQUIRED: Text = Text {
    nl: "Reden (verplicht)",
    fr: "Raison (obligatoire)",
    de: "Grund (Pflicht)",
    en: "Reason (required)",
};
const PASSED: Text = Text {
    nl: "voldaan",
    fr: "réussi",
    de: "erfüllt",
    en: "passed",
};
const FAILED_ONE: Text = Text {
    nl: "niet voldaan",
    fr: "échoué",
    de: "nicht erfüllt",
    en: "failed",
};
const OVERRIDE_BUTTON: Text = Text {
    nl: "Overrulen",
    fr: "Déroger",
    de: "Übersteuern",
    en: "Override",
};
const EVALUATE_AGAIN: Text = Text {
    nl: "Opnieuw evalueren",
    fr: "Réévaluer",
    de: "Neu bewerten",
    en: "Evaluate again",
};
const EVALUATE_HINT: Text = Text {
    nl: "Beoordeelt de opname zoals ze nu is, met de oordelen en overrulingen van het personeel, en bewaart het resultaat als nieuwe evaluatie; eerdere evaluaties blijven zoals ze waren.",
    fr: "Juge l'enregistrement tel qu'il est, avec les verdicts et dérogations du personnel, et garde le résultat comme nouvelle évaluation ; les évaluations antérieures restent telles quelles.",
    de: "Beurteilt die Aufzeichnung, wie sie jetzt ist, mit den Urteilen und Übersteuerungen des Personals, und speichert das Ergebnis als neue Bewertung; frühere Bewertungen bleiben unverändert.",
    en: "Judges the recording as it is now, with the staff verdicts and overrides, and keeps the result as a new evaluation; earlier evaluations stay as they were.",
};
const APPROVE: Text = Text {
    nl: "Goedkeuren",
    fr: "Agréer",
    de: "Zulassen",
    en: "Approve",
};
const APPROVE_HINT: Text = Text {
    nl: "Zet deze DMS-versie op de lijst van goedgekeurde DMS tot de datum hieronder. Vereist een certificeerbare laatste evaluatie en een gunstig oordeel op elk criterium dat erop wacht. Eén goedkeuring per sessie en per DMS-versie; een nieuwe sessie vernieuwt ze in de laatste 90 dagen.",
    fr: "Inscrit cette version du DMS sur la liste des DMS agréés jusqu'à la date ci-dessous. Exige une dernière évaluation certifiable et un verdict favorable sur chaque critère qui l'attend. Un agrément par session et par version ; une nouvelle session le renouvelle dans ses 90 derniers jours.",
    de: "Setzt diese DMS-Version bis zum unten genannten Datum auf die Liste der zugelassenen DMS. Erfordert eine zertifizierbare letzte Bewertung und ein positives Urteil zu jedem Kriterium, das darauf wartet. Eine Zulassung pro Sitzung und DMS-Version; eine neue Sitzung erneuert sie in ihren letzten 90 Tagen.",
    en: "Lists this DMS version as approved until the date below. Needs a certifiable latest evaluation and a passing staff verdict on every criterion that awaits one. One approval per session and DMS version; a new session renews it in its last 90 days.",
};
const VALID_UNTIL: Text = Text {
    nl: "Geldig tot en met",
    fr: "Valable jusqu'au",
    de: "Gültig bis",
    en: "Valid until",
};
const NOTE_OPTIONAL: Text = Text {
    nl: "Notitie (optioneel)",
    fr: "Note (facultative)",
    de: "Notiz (optional)",
    en: "Note (optional)",
};
const APPROVE_BUTTON: Text = Text {
    nl: "Deze DMS goedkeuren",
    fr: "Agréer ce DMS",
    de: "Dieses DMS zulassen",
    en: "Approve this DMS",
};

fn session_body(reader: &Reader, me: &Staff, loaded: &Loaded, today: NaiveDate) -> Markup {
    let lang = reader.lang;
    let session = &loaded.session;
    let path = session_path(&session.id);
    let csrf = me.csrf_input();
    let suggested = today
        .with_year(today.year() + 1)
        .or_else(|| today.checked_add_days(chrono::Days::new(365)))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let overridable: Vec<Criterion> = loaded
        .latest
        .iter()
        .flat_map(|r| &r.criteria)
        .filter(|c| c.verdict != Verdict::AwaitingStaffReview)
        .map(|c| c.criterion)
        .collect();
    html! {
        dl {
            dt { (SESSION.get(lang)) } dd { code { (session.id) } ", " (time(reader, session.created_at)) }
            dt { "DMS" } dd { (session.software.name) " " (session.software.version) }
            dt { (BUILDER.get(lang)) } dd { (session.software.builder) }
            dt { (REVIEW.get(lang)) }
            dd {
                @match cert_review::ready_since(&loaded.notes) {
                    Some(note) => span.wait { (say(READY_SINCE, lang, &time(reader, note.at))) },
                    None => span.muted { (NOT_READY.get(lang)) },
                }
            }
        }
        @for approval in &loaded.approvals {
            p.card {
                (say(APPROVAL_LINE, lang, &approval.id)) ", " (UNTIL.get(lang)) " " (reader.fmt().date(approval.valid_until)) ": "
                @match Standing::on(approval.valid_until, approval.revoked_at.is_some(), today) {
                    Standing::Holds => span.ok { (HOLDS.get(lang)) },
                    Standing::Expired => span.muted { (EXPIRED.get(lang)) },
                    Standing::Revoked => span.bad { (REVOKED.get(lang)) },
                }
                " · " a href=(format!("/approved-dms/{}", approval.id)) { (PUBLIC_PAGE.get(lang)) }
                " · " a href="/staff/approvals" { (APPROVALS.get(lang)) }
            }
        }

        h2 { (LATEST.get(lang)) }
        @match &loaded.latest {
            None => p.card { (NOT_EVALUATED_YET.get(lang)) },
            Some(report) => {
                p {
                    @if report.certifiable { strong.ok { (CERTIFIABLE.get(lang)) } }
                    @else { strong.bad { (NOT_CERTIFIABLE.get(lang)) } }
                    " " span.muted { "· " (say(EVALUATED_BY, lang, &time(reader, report.evaluated_at))) " · " (report.evaluated_by) }
                    " · " a href=(format!("{path}/report")) { (FULL_REPORT.get(lang)) }
                }
                // Narrow screens scroll the table, not the page.
                div style="overflow-x:auto" { table {
                    tr {
                        th { (CRITERION.get(lang)) } th { (THE_DMS.get(lang)) } th title="M: mandatory, R: recommended" { "M/R" }
                        th { (VERDICT.get(lang)) } th { (STEP.get(lang)) } th { (REASON.get(lang)) }
                    }
                    @for c in &report.criteria {
                        tr {
                            td { strong { (c.criterion.id()) } }
                            td { (c.criterion.text().get(lang)) }
                            td { @if c.mandatory { "M" } @else { "R" } }
                            td class=(format!("{} nowrap", c.verdict.slug())) { (verdict_label(c.verdict, lang)) }
                            td { @if let Some(step) = c.step { (step) } }
                            td.small { (c.reason) }
                        }
                    }
                } }
                (reasons_in_english(lang))
            }
        }

        h2 { (SCREENSHOTS.get(lang)) }
        @if loaded.screenshots.is_empty() {
            p.muted { (NO_SCREENSHOTS.get(lang)) }
        } @else {
            div.shots { @for shot in &loaded.screenshots { (shot_figure(reader, &path, shot)) } }
        }

        (verdict_forms(reader, me, loaded, &path))

        h2 { (REVIEW_NOTES.get(lang)) }
        @if loaded.notes.is_empty() {
            p.muted { (NO_NOTES.get(lang)) }
        } @else {
            @for note in &loaded.notes {
                div.card {
                    p {
                        strong {
                            @match &note.kind {
                                NoteKind::Ready => span.wait { (KIND_READY.get(lang)) },
                                NoteKind::Comment => (KIND_COMMENT.get(lang)),
                                NoteKind::Override { criterion, passed } => {
                                    (KIND_OVERRIDE.get(lang)) " " (criterion.id()) ": "
                                    @if *passed { span.ok { (PASSED.get(lang)) } } @else { span.bad { (FAILED_ONE.get(lang)) } }
                                }
                            }
                        }
                        " " span.muted.small { (time(reader, note.at)) " · " (note.by) }
                    }
                    p { (note.text) }
                }
            }
        }
        form.card method="post" action=(format!("{path}/comment")) {
            (csrf)
            label for="comment" { (COMMENT.get(lang)) }
            textarea #comment name="text" required {}
            div.actions { button type="submit" { (SEND_COMMENT.get(lang)) } }
        }
        @if !overridable.is_empty() {
            form.card method="post" action=(format!("{path}/override")) {
                (csrf)
                h3 { (OVERRIDE.get(lang)) }
                p.muted.small { (OVERRIDE_HINT.get(lang)) }
                label for="override-criterion" { (CRITERION.get(lang)) }
                select #override-criterion name="criterion" {
                    @for c in &overridable { option value=(c.id()) { (c.id()) " " (c.text().get(lang)) } }
                }
                label for="override-reason" { (REASON_REQUIRED.get(lang)) }
                textarea #override-reason name="reason" required {}
                div.actions {
                    button.pass type="submit" name="passed" value="true" { (OVERRIDE_BUTTON.get(lang)) ": " (PASSED.get(lang)) }
                    button.danger type="submit" name="passed" value="false" { (OVERRIDE_BUTTON.get(lang)) ": " (FAILED_ONE.get(lang)) }
                }
            }
        }

        h2 { (EVALUATE_AGAIN.get(lang)) }
        form method="post" action=(format!("{path}/evaluate")) {
            (csrf)
            p.muted { (EVALUATE_HINT.get(lang)) }
            button type="submit" { (EVALUATE_AGAIN.get(lang)) }
        }

        h2 { (APPROVE.get(lang)) }
        form.card method="post" action=(format!("{path}/approve")) {
            (csrf)
            p.muted { (APPROVE_HINT.get(lang)) }
            label for="valid_until" { (VALID_UNTIL.get(lang)) }
            input #valid_until type="date" name="valid_until" value=(suggested) required;
            label for="approve-note" { (NOTE_OPTIONAL.get(lang)) }
            textarea #approve-note name="note" {}
            div.actions { button.pass type="submit" { (APPROVE_BUTTON.get(lang)) } }
        }
    }
}

const SCREENSHOT_OF: Text = Text {
    nl: "schermafdruk van stap {}",
    fr: "capture d'écran de l'étape {}",
    de: "Bildschirmfoto von Schritt {}",
    en: "screenshot of step {}",
};

fn shot_figure(reader: &Reader, path: &str, shot: &AttachmentRow) -> Markup {
    let href = format!("{path}/screenshots/{}", shot.id);
    html! {
        figure {
            a href=(href) { img src=(href) alt=(say(SCREENSHOT_OF, reader.lang, &shot.step.to_string())); }
            figcaption {
                (STEP.get(reader.lang)) " " (shot.step) ": " (shot.file_name) br;
                (time(reader, shot.attached_at.and_utc())) " · " (shot.attached_by) br;
                code title="SHA-256" { (shot.sha256.get(..16).unwrap_or(&shot.sha256)) "…" }
            }
        }
    }
}

const STAFF_VERDICTS: Text = Text {
    nl: "Oordelen van het personeel",
    fr: "Verdicts du personnel",
    de: "Urteile des Personals",
    en: "Staff verdicts",
};
const VERDICTS_HINT: Text = Text {
    nl: "Wat enkel het scherm van de DMS kan tonen, wordt beoordeeld op de schermafdrukken van die stap. Een oordeel telt meteen voor de goedkeuring; evalueer opnieuw om het in het verslag te zien.",
    fr: "Ce que seul l'écran du DMS peut montrer se juge sur les captures de son étape. Un verdict compte aussitôt pour l'agrément ; réévaluez pour le voir dans le rapport.",
    de: "Was nur der Bildschirm des DMS zeigen kann, wird anhand der Bildschirmfotos seines Schritts beurteilt. Ein Urteil zählt sofort für die Zulassung; bewerten Sie neu, um es im Bericht zu sehen.",
    en: "What only the DMS's screen can show is judged from the screenshots of its step. A verdict counts for the approval at once; evaluate again to see it in the report.",
};
const RECORDED: Text = Text {
    nl: "Vastgelegd",
    fr: "Enregistré",
    de: "Festgehalten",
    en: "Recorded",
};
const AWAITING_YOURS: Text = Text {
    nl: "Wacht op uw oordeel.",
    fr: "Attend votre verdict.",
    de: "Wartet auf Ihr Urteil.",
    en: "Awaiting your verdict.",
};
const NOTE_REQUIRED: Text = Text {
    nl: "Notitie (verplicht: wat de schermafdruk toont)",
    fr: "Note (obligatoire : ce que montre la capture)",
    de: "Notiz (Pflicht: was das Bildschirmfoto zeigt)",
    en: "Note (required: what the screenshot shows)",
};

/// A form per criterion that awaits staff review (or has a verdict that may be changed).
fn verdict_forms(reader: &Reader, me: &Staff, loaded: &Loaded, path: &str) -> Markup {
    let lang = reader.lang;
    let Some(report) = &loaded.latest else {
        return html! {};
    };
    let open: Vec<_> = report
        .criteria
        .iter()
        .filter(|c| {
            c.verdict == Verdict::AwaitingStaffReview || loaded.verdicts.contains_key(&c.criterion)
        })
        .collect();
    if open.is_empty() {
        return html! {};
    }
    html! {
        h2 { (STAFF_VERDICTS.get(lang)) }
        p.muted { (VERDICTS_HINT.get(lang)) }
        @for c in open {
            @let criterion = c.criterion.id();
            form.card method="post" action=(format!("{path}/verdict")) id=(format!("verdict-{criterion}")) {
                (me.csrf_input())
                input type="hidden" name="criterion" value=(criterion);
                h3 { (criterion) " " (c.criterion.text().get(lang)) }
                p.muted.small { @if let Some(step) = c.step { (STEP.get(lang)) " " (step) ". " } (c.reason) }
                @let shots: Vec<&AttachmentRow> = loaded.screenshots.iter().filter(|s| c.step.is_some_and(|step| s.step as u32 == step)).collect();
                @if !shots.is_empty() {
                    div.shots { @for s in shots { (shot_figure(reader, path, s)) } }
                }
                @match loaded.verdicts.get(&c.criterion) {
                    Some(v) => p {
                        (RECORDED.get(lang)) ": "
                        @if v.passed { span.ok { (PASSED.get(lang)) } } @else { span.bad { (FAILED_ONE.get(lang)) } }
                        " · " (v.decided_by) " · " (time(reader, v.decided_at.and_utc())) ": " (v.note)
                    },
                    None => p.wait { (AWAITING_YOURS.get(lang)) },
                }
                label for=(format!("note-{criterion}")) { (NOTE_REQUIRED.get(lang)) }
                textarea id=(format!("note-{criterion}")) name="note" required {}
                div.actions {
                    button.pass type="submit" name="passed" value="true" { (criterion) " " (PASSED.get(lang)) }
                    button.danger type="submit" name="passed" value="false" { (criterion) " " (FAILED_ONE.get(lang)) }
                }
            }
        }
    }
}

const NO_REPORT: Text = Text {
    nl: "Nog geen verslag: sessie {} is nog niet geëvalueerd.",
    fr: "Pas encore de rapport : la session {} n'a pas encore été évaluée.",
    de: "Noch kein Bericht: Sitzung {} wurde noch nicht bewertet.",
    en: "No report yet: session {} has not been evaluated yet.",
};
const BACK: Text = Text {
    nl: "Terug naar de sessie",
    fr: "Retour à la session",
    de: "Zurück zur Sitzung",
    en: "Back to the session",
};

pub async fn report(
    req: HttpRequest,
    me: Staff,
    id: web::Path<String>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let id = id.into_inner();
    let lookup = id.clone();
    let loaded = cert
        .0
        .run(move |conn| -> Result<_, CertificationError> {
            let session = sessions::find(conn, &lookup)?;
            let screenshots = evaluations::attachments(conn, &session.id)?;
            Ok(evaluations::latest(conn, &session.id)?.map(|r| (r, screenshots)))
        })
        .await;
    let reader = Reader::of(&req);
    let lang = reader.lang;
    match loaded {
        Ok(Some((report, screenshots))) => {
            respond(StatusCode::OK, report::html::render(&report, &screenshots))
        }
        Ok(None) => {
            let body = html! {
                p { (say(NO_REPORT, lang, &id)) " " a href=(session_path(&id)) { (BACK.get(lang)) } }
            };
            respond(
                StatusCode::NOT_FOUND,
                frame(
                    &reader,
                    &me,
                    Nav::Certification,
                    &say(NO_REPORT, lang, &id),
                    None,
                    body,
                )
                .into_string(),
            )
        }
        Err(CertificationError::UnknownSession(id)) => {
            no_such_session(&reader, &me, &Refusal::UnknownSession { id }.message(lang))
        }
        Err(error) => Failure::from(error).response(),
    }
}

pub async fn screenshot(
    _me: Staff,
    path: web::Path<(String, i64)>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let (id, attachment) = path.into_inner();
    let found = cert
        .0
        .run(move |conn| -> Result<_, ServiceError> {
            let all = store::attachments(conn, &id)?;
            Ok(all.into_iter().find(|a| a.id == attachment))
        })
        .await;
    match found {
        // Only PNG and JPEG are ever attached (`sessions::attach` checks the bytes).
        Ok(Some(shot)) => HttpResponse::Ok()
            .content_type(shot.content_type)
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(shot.content),
        Ok(None) => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such screenshot in this session\n"),
        Err(error) => Failure::from(error).response(),
    }
}

#[derive(Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
}

impl Protected for VerdictForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Shows the session page again with why the action was refused; our own failure is a 503.
async fn refused(
    reader: &Reader,
    me: &Staff,
    state: &AppState,
    cert: &Certification,
    id: String,
    error: StaffError,
) -> HttpResponse {
    match Failure::staff(error, reader.lang) {
        Failure::Refused(status, message) => {
            let notice = Notice::Error(format!(
                "{message} {}",
                layout::nothing_changed(reader.lang)
            ));
            session_page(reader, me, state, cert, id, status, Some(&notice)).await
        }
        Failure::Ours => unavailable(),
    }
}

pub async fn verdict(
    req: HttpRequest,
    action: Action<VerdictForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let reader = Reader::of(&req);
    let id = id.into_inner();
    let passed = match form.passed.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return refused(
                &reader,
                &me,
                &state,
                &cert,
                id,
                StaffError::Invalid(Refusal::ChooseVerdict),
            )
            .await
        }
    };
    if filled(&form.note).is_none() {
        let message = Refusal::ScreenshotNoteMissing {
            criterion: form.criterion.trim().to_owned(),
        };
        return refused(
            &reader,
            &me,
            &state,
            &cert,
            id,
            StaffError::Invalid(message),
        )
        .await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| {
            approvals::verdict(
                conn,
                &session,
                form.criterion.trim(),
                passed,
                &form.note,
                &by,
                now,
            )
        })
        .await;
    match outcome {
        Ok(criterion) => layout::done(
            &session_path(&id),
            "verdict",
            &format!("{criterion} ({})", if passed { "passed" } else { "failed" }),
        ),
        Err(error) => refused(&reader, &me, &state, &cert, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct EvaluateForm {
    #[serde(default)]
    csrf: String,
}

impl Protected for EvaluateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn evaluate(
    req: HttpRequest,
    action: Action<EvaluateForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let me = action.me;
    let reader = Reader::of(&req);
    let id = id.into_inner();
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| evaluations::evaluate(conn, &session, &by, now).map_err(StaffError::from))
        .await;
    match outcome {
        Ok(report) => layout::done(
            &session_path(&id),
            "evaluated",
            if report.certifiable {
                "certifiable"
            } else {
                "not certifiable"
            },
        ),
        Err(error) => refused(&reader, &me, &state, &cert, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    note: String,
}

impl Protected for ApproveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn approve(
    req: HttpRequest,
    action: Action<ApproveForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let reader = Reader::of(&req);
    let id = id.into_inner();
    let raw = form.valid_until.trim();
    let Ok(valid_until) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") else {
        let message = Refusal::ValidUntilNotADate {
            raw: raw.to_owned(),
        };
        return refused(
            &reader,
            &me,
            &state,
            &cert,
            id,
            StaffError::Invalid(message),
        )
        .await;
    };
    let now = state.clock.now();
    let today = brussels_date(now);
    if valid_until <= today {
        let message = Refusal::ValidUntilNotAfterToday { valid_until, today };
        return refused(
            &reader,
            &me,
            &state,
            &cert,
            id,
            StaffError::Invalid(message),
        )
        .await;
    }
    let by = me.username.clone();
    let session = id.clone();
    let production = state.pool.clone();
    let certification = cert.0.pool.clone();
    // Reads the certification database and writes production: a connection to each at once.
    let outcome = web::block(move || -> Result<_, StaffError> {
        let mut production = production.get().map_err(ServiceError::Pool)?;
        let mut certification = certification.get().map_err(ServiceError::Pool)?;
        approvals::approve(
            &mut production,
            &mut certification,
            &session,
            valid_until,
            &form.note,
            &by,
            now,
        )
    })
    .await
    .unwrap_or_else(|e| {
        Err(ServiceError::Unavailable(format!("blocking task failed: {e}")).into())
    });
    match outcome {
        Ok(row) => layout::done(
            &session_path(&id),
            "approved",
            &format!(
                "{} {} until {} (approval {})",
                row.dms_name, row.dms_version, row.valid_until, row.id
            ),
        ),
        Err(error) => refused(&reader, &me, &state, &cert, id, error).await,
    }
}

/// The certification layer's own check of what staff wrote, made first here so that the page
/// can say it in its reader's language (the layer below says it in English).
fn written(text: &str, what: Written) -> Result<(), StaffError> {
    let length = text.trim().chars().count();
    if length == 0 {
        return Err(StaffError::Invalid(Refusal::TextMissing { what }));
    }
    let max = cert_review::NOTE_MAX_CHARS;
    if length > max {
        return Err(StaffError::Invalid(Refusal::TextTooLong {
            what,
            length,
            max,
        }));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

impl Protected for CommentForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A staff comment on the session (`carpass staff comment`), which the vendor reads.
pub async fn comment(
    req: HttpRequest,
    action: Action<CommentForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let reader = Reader::of(&req);
    let id = id.into_inner();
    if let Err(error) = written(&form.text, Written::Comment) {
        return refused(&reader, &me, &state, &cert, id, error).await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| {
            cert_review::comment(conn, &session, &form.text, &by, now).map_err(StaffError::from)
        })
        .await;
    match outcome {
        Ok(()) => layout::done(&session_path(&id), "commented", &id),
        Err(error) => refused(&reader, &me, &state, &cert, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    reason: String,
}

impl Protected for OverrideForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Settles a criterion otherwise than the harness did (`carpass staff override`); the session
/// is evaluated again at once.
pub async fn override_criterion(
    req: HttpRequest,
    action: Action<OverrideForm>,
    id: web::Path<String>,
    state: web::Data<AppState>,
    cert: web::Data<Certification>,
) -> HttpResponse {
    let Action { me, form } = action;
    let reader = Reader::of(&req);
    let id = id.into_inner();
    let passed = match form.passed.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            let error = StaffError::Invalid(Refusal::ChooseVerdict);
            return refused(&reader, &me, &state, &cert, id, error).await;
        }
    };
    if let Err(error) = written(&form.reason, Written::Reason) {
        return refused(&reader, &me, &state, &cert, id, error).await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let session = id.clone();
    let outcome = cert
        .0
        .run(move |conn| {
            cert_review::override_criterion(
                conn,
                &session,
                &form.criterion,
                passed,
                &form.reason,
                &by,
                now,
            )
            .map_err(StaffError::from)
        })
        .await;
    match outcome {
        Ok(report) => layout::done(
            &session_path(&id),
            "overridden",
            if report.certifiable {
                "certifiable"
            } else {
                "not certifiable"
            },
        ),
        Err(error) => refused(&reader, &me, &state, &cert, id, error).await,
    }
}
