//! The review queue and the paper correction form (SPEC 2.7, 6): the readings held for staff,
//! each with what the garage sent, what it said and the VIN's history, to accept or reject with
//! a note; and the signed paper form, applied by hand.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::layout::{self, filled, page, Nav, Notice};
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::db::trusted_providers as companies;
use crate::domain::vin::Vin;
use crate::staff::review::{self, Decision, PaperForm};
use crate::staff::StaffError;
use crate::web::page::{e, respond, unavailable, Failure};

#[derive(Deserialize)]
pub struct Shown {
    done: Option<String>,
    subject: Option<String>,
    /// The paper form opened from a reading of the queue.
    reading: Option<String>,
}

pub async fn queue(
    me: Staff,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    queue_page(&me, &state, StatusCode::OK, notice.as_ref()).await
}

async fn queue_page(
    me: &Staff,
    state: &AppState,
    status: StatusCode,
    notice: Option<&Notice>,
) -> HttpResponse {
    let loaded = state
        .run(|conn| -> Result<_, StaffError> {
            let queue = review::queue(conn)?;
            let names: HashMap<i64, (String, String)> = companies::companies(conn)?
                .into_iter()
                .map(|(id, kbo, name)| (id, (kbo, name)))
                .collect();
            Ok((queue, names))
        })
        .await;
    let (queue, names) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::from(error).response(),
    };
    let mut body = String::new();
    if queue.is_empty() {
        body.push_str("<p class=\"card\">No reading is held for staff. Readings come here when a garage confirms a reading \
the registry flagged, or when its one electronic correction did not settle it.</p>");
    } else {
        body.push_str(&format!(
            "<p class=\"muted\">{} held for staff, oldest first. Accept puts the reading in the history with its anomaly marked \
(a drop accepted as genuine starts a new sequence, and the VIN's unanswered readings flagged only against the values before it are \
checked again); reject keeps it out. Both need a note saying why.</p>",
            match queue.len() {
                1 => "One reading".to_owned(),
                n => format!("{n} readings"),
            }
        ));
        for item in &queue {
            body.push_str(&reading_card(me, item, &names));
        }
    }
    respond(status, page(me, Nav::Review, "Review queue", notice, &body))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => e(s),
        Value::Null => String::new(),
        other => e(&other.to_string()),
    }
}

fn values(v: &Value) -> String {
    format!(
        "VIN <code>{}</code> · work date {} · odometer <strong>{} {}</strong>",
        text(&v["vin"]),
        text(&v["work_date"]),
        text(&v["odometer"]),
        text(&v["unit"])
    )
}

fn when(value: &Value) -> String {
    // RFC 3339 from the queue; shown to the minute, as staff read it.
    value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| text(value))
}

fn reading_card(me: &Staff, item: &Value, names: &HashMap<i64, (String, String)>) -> String {
    let id = item["reading_id"].as_str().unwrap_or("");
    let company = item["company_id"]
        .as_i64()
        .and_then(|c| names.get(&c))
        .map(|(kbo, name)| format!("{} ({})", e(name), e(kbo)))
        .unwrap_or_else(|| text(&item["company_id"]));
    let mut html = format!(
        "<section class=\"card\" id=\"reading-{anchor}\"><h3>Reading <code>{id}</code></h3><dl>\
<dt>Garage</dt><dd>{company}</dd><dt>Client reference</dt><dd><code>{reference}</code></dd>\
<dt>Received</dt><dd>{received}</dd><dt>Status</dt><dd>{status}</dd><dt>Now</dt><dd>{now}</dd>",
        anchor = e(id),
        id = e(id),
        reference = text(&item["client_reference"]),
        received = when(&item["received_at"]),
        status = text(&item["status"]),
        now = values(&item["current"]),
    );
    for version in item["versions"].as_array().into_iter().flatten() {
        html.push_str(&format!(
            "<dt>Was</dt><dd>{} <span class=\"muted small\">(changed {} by {} via {}{})</span></dd>",
            values(&version["previous"]),
            when(&version["changed_at"]),
            text(&version["changed_by"]),
            text(&version["channel"]),
            version["form_reference"]
                .as_str()
                .map(|f| format!(", form {}", e(f)))
                .unwrap_or_default(),
        ));
    }
    let history: Vec<String> = item["official_history_of_vin"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            format!(
                "{} <strong>{} {}</strong>",
                text(&h["work_date"]),
                text(&h["odometer"]),
                text(&h["unit"])
            )
        })
        .collect();
    html.push_str(&format!(
        "<dt>History of the VIN</dt><dd>{}</dd></dl>",
        if history.is_empty() {
            "none".to_owned()
        } else {
            history.join(" · ")
        }
    ));
    html.push_str("<table><tr><th>Issue</th><th>Code</th><th>State</th><th>What the registry found</th><th>What the garage said</th></tr>");
    for issue in item["issues"].as_array().into_iter().flatten() {
        html.push_str(&format!(
            "<tr><td class=\"nowrap\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&issue["number"]),
            text(&issue["code"]),
            text(&issue["state"]),
            text(&issue["message"]),
            text(&issue["answer"]["note"]),
        ));
    }
    html.push_str("</table>");
    html.push_str(&format!(
        "<form method=\"post\" action=\"/staff/readings/{id}/decision\">{csrf}\
<label for=\"note-{id}\">Note <span class=\"hint\">(required: why you decide so)</span></label>\
<textarea id=\"note-{id}\" name=\"note\" required></textarea>\
<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"accept\" class=\"pass\">Accept the reading</button>\
<button type=\"submit\" name=\"decision\" value=\"reject\" class=\"danger\">Reject the reading</button>\
<a href=\"/staff/paper-form?reading={id}\">Apply a paper form instead</a></div></form></section>",
        id = e(id),
        csrf = me.csrf_field(),
    ));
    html
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

impl Protected for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn decide(
    action: Action<DecisionForm>,
    reading: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form } = action;
    let reading = reading.into_inner();
    let decision = match form.decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => {
            let notice = Notice::Error("Choose accept or reject.".into());
            return queue_page(&me, &state, StatusCode::UNPROCESSABLE_ENTITY, Some(&notice)).await;
        }
    };
    if filled(&form.note).is_none() {
        let notice = Notice::Error(format!(
            "Reading {reading}: write a note saying why; nothing was decided."
        ));
        return queue_page(&me, &state, StatusCode::UNPROCESSABLE_ENTITY, Some(&notice)).await;
    }
    let now = state.clock.now();
    let by = me.username.clone();
    let id = reading.clone();
    let note = form.note.trim().to_owned();
    let outcome = state
        .run(move |conn| review::decide(conn, &by, &id, decision, &note, now))
        .await;
    match outcome {
        Ok(_) => layout::done(
            "/staff",
            if decision == Decision::Accept {
                "accepted"
            } else {
                "rejected"
            },
            &reading,
        ),
        Err(error) => match Failure::from(error) {
            Failure::Refused(status, message) => {
                queue_page(&me, &state, status, Some(&Notice::Error(message))).await
            }
            Failure::Ours => unavailable(),
        },
    }
}

/// What the paper form's fields held, to show them again when the form is refused.
#[derive(Deserialize, Default)]
pub struct PaperFormFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reading: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    odometer: String,
    #[serde(default)]
    work_date: String,
    #[serde(default)]
    vin: String,
    #[serde(default)]
    note: String,
}

impl Protected for PaperFormFields {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn paper_form(me: Staff, shown: web::Query<Shown>) -> HttpResponse {
    let shown = shown.into_inner();
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    let fields = PaperFormFields {
        reading: shown.reading.unwrap_or_default(),
        ..Default::default()
    };
    respond(
        StatusCode::OK,
        paper_form_html(&me, &fields, notice.as_ref()),
    )
}

fn paper_form_html(me: &Staff, fields: &PaperFormFields, notice: Option<&Notice>) -> String {
    let field = |name: &str, label: &str, hint: &str, kind: &str, value: &str, required: bool| {
        format!(
            "<label for=\"{name}\">{label} <span class=\"hint\">{hint}</span></label>\
<input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{}\"{}>",
            e(value),
            if required { " required" } else { "" }
        )
    };
    let body = format!(
        "<p class=\"muted\">A reading whose one electronic correction was used up is corrected with the signed paper form. \
Fill in what the form changes; leave the rest empty. The earlier values are kept, with your name and the form's reference, \
and the reading is checked again.</p><form class=\"card\" method=\"post\" action=\"/staff/paper-form\">{csrf}{reading}{reference}\
{odometer}{work_date}{vin}<label for=\"note\">Note <span class=\"hint\">(optional)</span></label>\
<textarea id=\"note\" name=\"note\">{note}</textarea><div class=\"actions\"><button type=\"submit\">Apply the paper form</button></div></form>",
        csrf = me.csrf_field(),
        reading = field("reading", "Reading id", "(from the review queue or the garage's receipt)", "text", &fields.reading, true),
        reference = field("reference", "Form reference", "(as printed on the signed form)", "text", &fields.reference, true),
        odometer = field("odometer", "Odometer", "(as displayed; optional)", "text", &fields.odometer, false),
        work_date = field("work_date", "Work date", "(optional)", "date", &fields.work_date, false),
        vin = field("vin", "VIN", "(optional)", "text", &fields.vin, false),
        note = e(&fields.note),
    );
    page(me, Nav::PaperForm, "Paper correction form", notice, &body)
}

fn read_paper_form(fields: &PaperFormFields) -> Result<(String, PaperForm), String> {
    let reading = filled(&fields.reading).ok_or("Give the reading id.")?;
    let reference =
        filled(&fields.reference).ok_or("Give the form reference printed on the signed form.")?;
    let odometer = filled(&fields.odometer)
        .map(|raw| {
            // As displayed, perhaps with thousands separators: "45 210", "45.210".
            let digits: String = raw
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | ',' | '\u{a0}'))
                .collect();
            digits
                .parse::<u64>()
                .map_err(|_| format!("Odometer: '{raw}' is not a whole number of km or miles."))
        })
        .transpose()?;
    let work_date = filled(&fields.work_date)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| format!("Work date: '{raw}' is not a date (YYYY-MM-DD)."))
        })
        .transpose()?;
    let vin = filled(&fields.vin)
        .map(|raw| {
            let vin = raw.to_ascii_uppercase();
            Vin::parse(&vin)
                .map(|_| vin)
                .map_err(|e| format!("VIN: {e}"))
        })
        .transpose()?;
    if odometer.is_none() && work_date.is_none() && vin.is_none() {
        return Err(
            "Give at least one of odometer, work date or VIN: what the form corrects.".into(),
        );
    }
    Ok((
        reading.to_owned(),
        PaperForm {
            reference: reference.to_owned(),
            odometer,
            work_date,
            vin,
            note: filled(&fields.note).map(str::to_owned),
        },
    ))
}

pub async fn apply_paper_form(
    action: Action<PaperFormFields>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form: fields } = action;
    let refused = |status, message: String| {
        respond(
            status,
            paper_form_html(
                &me,
                &fields,
                Some(&Notice::Error(format!("{message} Nothing was changed."))),
            ),
        )
    };
    let (reading, form) = match read_paper_form(&fields) {
        Ok(read) => read,
        Err(message) => return refused(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    let now = state.clock.now();
    let by = me.username.clone();
    let id = reading.clone();
    match state
        .run(move |conn| review::apply_paper_form(conn, &by, &id, &form, now))
        .await
    {
        Ok(status) => layout::done(
            "/staff/paper-form",
            "paper-form",
            &format!("{reading} is now {}", status.as_str()),
        ),
        Err(error) => match Failure::from(error) {
            Failure::Refused(status, message) => refused(status, message),
            Failure::Ours => unavailable(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(odometer: &str, work_date: &str, vin: &str) -> PaperFormFields {
        PaperFormFields {
            reading: "r1".into(),
            reference: "PF-1".into(),
            odometer: odometer.into(),
            work_date: work_date.into(),
            vin: vin.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_odometer_may_be_typed_with_thousands_separators() {
        let (_, form) = read_paper_form(&fields("45 210", "", "")).unwrap();
        assert_eq!(form.odometer, Some(45_210));
        let (_, form) = read_paper_form(&fields("45.210", "2025-06-02", "")).unwrap();
        assert_eq!(form.odometer, Some(45_210));
        assert_eq!(form.work_date, NaiveDate::from_ymd_opt(2025, 6, 2));
    }

    #[test]
    fn a_form_that_changes_nothing_or_holds_nonsense_is_refused() {
        assert!(read_paper_form(&fields("", "", ""))
            .unwrap_err()
            .contains("at least one"));
        assert!(read_paper_form(&fields("about 45000", "", ""))
            .unwrap_err()
            .starts_with("Odometer"));
        assert!(read_paper_form(&fields("", "3 June", ""))
            .unwrap_err()
            .starts_with("Work date"));
        assert!(read_paper_form(&fields("", "", "NOTAVIN"))
            .unwrap_err()
            .starts_with("VIN"));
    }
}
