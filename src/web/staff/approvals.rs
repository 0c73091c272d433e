//! Every "approved DMS" label ever given (SPEC 2.11), with its state, a page at a time,
//! filtered by state and ordered by date or name; and revocation with a note.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use maud::{html, Markup};

use super::layout::{self, filled, frame, Nav, Notice};
use super::listing;
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::db::approvals::ApprovalRow;
use crate::db::clerk::{self, ApprovalFilter};
use crate::domain::calendar::brussels_date;
use crate::domain::language::{Language, Text};
use crate::service::ServiceError;
use crate::staff::{approvals, StaffError};
use crate::web::page::{respond, t, unavailable, Failure, Reader};

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
}

pub async fn list(
    me: Staff,
    reader: Reader,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let notice = layout::confirmation(reader.lang, shown.done.as_deref(), shown.subject.as_deref());
    list_page(&me, &reader, &state, StatusCode::OK, notice.as_ref()).await
}

async fn list_page(
    me: &Staff,
    reader: &Reader,
    state: &AppState,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let lang = reader.lang;
    let today = brussels_date(state.clock.now());
    let (number, window) = listing::window(reader);
    let state_chosen = reader.param("state").unwrap_or("").to_owned();
    let filter = match state_chosen.as_str() {
        "holding" => ApprovalFilter::Holding(today),
        "expired" => ApprovalFilter::Expired(today),
        "revoked" => ApprovalFilter::Revoked,
        _ => ApprovalFilter::All,
    };
    let by_name = reader.param("order") == Some("name");
    let (total, all) = match state
        .run(move |conn| {
            Ok::<_, ServiceError>(clerk::approvals_page(conn, filter, by_name, window)?)
        })
        .await
    {
        Ok(page) => page,
        Err(error) => return Failure::from(error).response(),
    };
    let states = vec![
        (
            String::new(),
            t(lang, "All", "Alle", "Tous", "Alle").to_owned(),
        ),
        (
            "holding".to_owned(),
            t(
                lang,
                "Holding today",
                "Vandaag geldig",
                "Valables aujourd'hui",
                "Heute gültig",
            )
            .to_owned(),
        ),
        (
            "expired".to_owned(),
            t(lang, "Expired", "Verlopen", "Expirés", "Abgelaufen").to_owned(),
        ),
        (
            "revoked".to_owned(),
            t(lang, "Revoked", "Ingetrokken", "Retirés", "Widerrufen").to_owned(),
        ),
    ];
    let orders = vec![
        (
            String::new(),
            t(
                lang,
                "Newest first",
                "Nieuwste eerst",
                "Les plus récents d'abord",
                "Neueste zuerst",
            )
            .to_owned(),
        ),
        (
            "name".to_owned(),
            t(
                lang,
                "By DMS name",
                "Op naam van het DMS",
                "Par nom du DMS",
                "Nach DMS-Name",
            )
            .to_owned(),
        ),
    ];
    let order_chosen = if by_name { "name" } else { "" };
    let body = html! {
        p.muted {
            (t(lang, "Every approval. The public list,", "Elke erkenning. De publieke lijst,", "Tous les agréments. La liste publique,", "Alle Zulassungen. Die öffentliche Liste,"))
            " " a href="/approved-dms" { "/approved-dms" } ", "
            (t(lang, "shows those that hold today. Approvals are given from a certification session's page.",
                "toont wie vandaag geldig is. Erkenningen worden gegeven vanaf de pagina van een certificatiesessie.",
                "montre ceux qui sont valables aujourd'hui. Les agréments se donnent depuis la page d'une session de certification.",
                "zeigt die heute gültigen. Zulassungen werden auf der Seite einer Zertifizierungssitzung erteilt."))
        }
        (listing::choices(reader, "/staff/approvals", &[
            listing::Choice { key: "state", label: Text { nl: "Toestand", fr: "État", de: "Zustand", en: "State" }, options: states, chosen: &state_chosen },
            listing::Choice { key: "order", label: Text { nl: "Volgorde", fr: "Ordre", de: "Reihenfolge", en: "Order" }, options: orders, chosen: order_chosen },
        ]))
        @if total == 0 {
            p.card {
                (t(lang, "No approval here.", "Hier is geen erkenning.", "Aucun agrément ici.", "Keine Zulassung hier."))
                " " a href="/staff/certification" { (t(lang, "Certification sessions", "Certificatiesessies", "Sessions de certification", "Zertifizierungssitzungen")) }
            }
        } @else {
            (listing::pager(reader, number, total))
            div.scroll {
                table {
                    tr {
                        th { "DMS" }
                        th { (t(lang, "Builder", "Ontwikkelaar", "Développeur", "Hersteller")) }
                        th { (t(lang, "Valid until", "Geldig tot", "Valable jusqu'au", "Gültig bis")) }
                        th { (t(lang, "Approved", "Erkend", "Agréé", "Zugelassen")) }
                        th { (t(lang, "State", "Toestand", "État", "Zustand")) }
                        th { (t(lang, "Revoke", "Intrekken", "Retirer", "Widerrufen")) }
                    }
                    @for approval in &all { (row(me, reader, approval, today)) }
                }
            }
            @if total > listing::PER_PAGE { (listing::pager(reader, number, total)) }
        }
    };
    let title = t(lang, "Approvals", "Erkenningen", "Agréments", "Zulassungen");
    respond(
        status,
        frame(reader, me, Nav::Approvals, title, notice, body).into_string(),
    )
}

fn row(me: &Staff, reader: &Reader, a: &ApprovalRow, today: chrono::NaiveDate) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let by = t(lang, "by", "door", "par", "von");
    html! {
        tr {
            td {
                strong { (a.dms_name) " " (a.dms_version) } br;
                span.muted.small {
                    (t(lang, "approval", "erkenning", "agrément", "Zulassung")) " " code { (a.id) } br;
                    a href=(format!("/staff/certification/{}", a.session_id)) { (t(lang, "session", "sessie", "session", "Sitzung")) " " (a.session_id) }
                }
            }
            td { (a.dms_builder) }
            td.nowrap { (f.date(a.valid_until)) }
            td {
                span.nowrap { (f.date(a.approved_at.date())) } " " (by) " " (a.approved_by) br;
                span.muted.small { (a.note) }
            }
            @match (&a.revoked_at, &a.revoked_by) {
                (Some(at), Some(revoker)) => {
                    td {
                        span.bad { (t(lang, "revoked", "ingetrokken", "retiré", "widerrufen")) } " "
                        (f.date(at.date())) " " (by) " " (revoker) br;
                        span.muted.small { (a.revoke_note.as_deref().unwrap_or("")) }
                    }
                    td {}
                }
                _ => {
                    td {
                        @if a.valid_until < today {
                            span.muted { (t(lang, "expired", "verlopen", "expiré", "abgelaufen")) }
                        } @else {
                            span.ok { (t(lang, "holds", "geldig", "valable", "gültig")) }
                        }
                    }
                    td {
                        form.inline method="post" action=(format!("/staff/approvals/{}/revoke", a.id)) {
                            (me.csrf_input())
                            input type="text" name="note" required
                                placeholder=(t(lang, "why (required)", "waarom (verplicht)", "pourquoi (obligatoire)", "warum (Pflicht)"))
                                aria-label=(t(lang, "why it is revoked", "waarom ze ingetrokken wordt", "pourquoi il est retiré", "warum sie widerrufen wird"));
                            button.danger type="submit" { (t(lang, "Revoke", "Intrekken", "Retirer", "Widerrufen")) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

impl Protected for RevokeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn revoke(
    action: Action<RevokeForm>,
    reader: Reader,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form } = action;
    let lang = reader.lang;
    let id = id.into_inner();
    if filled(&form.note).is_none() {
        let notice = Notice::Error(match lang {
            Language::Nl => format!("Erkenning {id}: schrijf in een notitie waarom ze ingetrokken wordt. Er werd niets gewijzigd."),
            Language::Fr => format!("Agrément {id}\u{a0}: écrivez dans une note pourquoi il est retiré. Rien n'a été modifié."),
            Language::De => format!("Zulassung {id}: schreiben Sie in einer Notiz, warum sie widerrufen wird. Es wurde nichts geändert."),
            Language::En => format!("Approval {id}: write a note saying why it is revoked. Nothing was changed."),
        });
        return list_page(
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
    let approval = id.clone();
    match state
        .run(move |conn| approvals::revoke(conn, &approval, &form.note, &by, now))
        .await
    {
        Ok(_) => layout::done("/staff/approvals", "revoked", &id),
        Err(error) => refused(&me, &reader, &state, error).await,
    }
}

async fn refused(me: &Staff, reader: &Reader, state: &AppState, error: StaffError) -> HttpResponse {
    match Failure::staff(error, reader.lang) {
        Failure::Refused(status, message) => {
            let notice = Notice::Error(format!(
                "{message} {}",
                layout::nothing_changed(reader.lang)
            ));
            list_page(me, reader, state, status, Some(&notice)).await
        }
        Failure::Ours => unavailable(),
    }
}
