//! Every "approved DMS" label ever given (SPEC 2.11), with its state, and revocation with a note.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::layout::{self, filled, page, Nav, Notice};
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::db::approvals::{self as rows, ApprovalRow};
use crate::domain::calendar::brussels_date;
use crate::service::ServiceError;
use crate::staff::{approvals, StaffError};
use crate::web::page::{e, respond, unavailable, Failure};

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
}

pub async fn list(me: Staff, shown: web::Query<Shown>, state: web::Data<AppState>) -> HttpResponse {
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    list_page(&me, &state, StatusCode::OK, notice.as_ref()).await
}

async fn list_page(
    me: &Staff,
    state: &AppState,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let all = match state
        .run(|conn| Ok::<_, ServiceError>(rows::all(conn)?))
        .await
    {
        Ok(all) => all,
        Err(error) => return Failure::from(error).response(),
    };
    let today = brussels_date(state.clock.now());
    let mut body = String::from(
        "<p class=\"muted\">Every approval, newest first. The public list, <a href=\"/approved-dms\">/approved-dms</a>, \
shows those that hold today. Approvals are given from a certification session's page.</p>",
    );
    if all.is_empty() {
        body.push_str("<p class=\"card\">No approval yet. <a href=\"/staff/certification\">Certification sessions</a></p>");
    } else {
        body.push_str(
            "<table><tr><th>DMS</th><th>Builder</th><th>Valid until</th><th>Approved</th><th>State</th><th>Revoke</th></tr>",
        );
        for approval in &all {
            body.push_str(&row(me, approval, today));
        }
        body.push_str("</table>");
    }
    respond(status, page(me, Nav::Approvals, "Approvals", notice, &body))
}

fn row(me: &Staff, a: &ApprovalRow, today: chrono::NaiveDate) -> String {
    let (state, revoke) = match (&a.revoked_at, &a.revoked_by) {
        (Some(at), Some(by)) => (
            format!(
                "<span class=\"bad\">revoked</span> {} by {}<br><span class=\"muted small\">{}</span>",
                at.format("%Y-%m-%d"),
                e(by),
                e(a.revoke_note.as_deref().unwrap_or(""))
            ),
            String::new(),
        ),
        _ => (
            if a.valid_until < today {
                "<span class=\"muted\">expired</span>".to_owned()
            } else {
                "<span class=\"ok\">holds</span>".to_owned()
            },
            format!(
                "<form method=\"post\" action=\"/staff/approvals/{id}/revoke\" class=\"inline\">{csrf}\
<input type=\"text\" name=\"note\" required placeholder=\"why (required)\" aria-label=\"why it is revoked\">\
<button type=\"submit\" class=\"danger\">Revoke</button></form>",
                id = e(&a.id),
                csrf = me.csrf_field()
            ),
        ),
    };
    format!(
        "<tr><td><strong>{name} {version}</strong><br><span class=\"muted small\">approval <code>{id}</code><br>\
<a href=\"/staff/certification/{session}\">session {session}</a></span></td><td>{builder}</td><td class=\"nowrap\">{until}</td>\
<td class=\"nowrap\">{at} by {by}<br><span class=\"muted small\">{note}</span></td><td>{state}</td><td>{revoke}</td></tr>",
        name = e(&a.dms_name),
        version = e(&a.dms_version),
        id = e(&a.id),
        session = e(&a.session_id),
        builder = e(&a.dms_builder),
        until = a.valid_until,
        at = a.approved_at.format("%Y-%m-%d"),
        by = e(&a.approved_by),
        note = e(&a.note),
    )
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
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form } = action;
    let id = id.into_inner();
    if filled(&form.note).is_none() {
        let notice = Notice::Error(format!(
            "Approval {id}: write a note saying why it is revoked. Nothing was changed."
        ));
        return list_page(&me, &state, StatusCode::UNPROCESSABLE_ENTITY, Some(&notice)).await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let approval = id.clone();
    match state
        .run(move |conn| approvals::revoke(conn, &approval, &form.note, &by, now))
        .await
    {
        Ok(_) => layout::done("/staff/approvals", "revoked", &id),
        Err(error) => refused(&me, &state, error).await,
    }
}

async fn refused(me: &Staff, state: &AppState, error: StaffError) -> HttpResponse {
    match Failure::from(error) {
        Failure::Refused(status, message) => {
            let notice = Notice::Error(format!("{message} Nothing was changed."));
            list_page(me, state, status, Some(&notice)).await
        }
        Failure::Ours => unavailable(),
    }
}
