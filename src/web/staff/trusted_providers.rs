//! The yearly Trusted Provider list (SPEC 2.10): each company's readings of the year before,
//! its discrepancies and standing, and publishing the list once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;

use super::layout::{self, page, Nav, Notice};
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::domain::trusted_provider::{Standing, MIN_READINGS};
use crate::staff::trusted_providers::{self, Candidate, PublishedList};
use crate::staff::StaffError;
use crate::web::page::{e, respond, unavailable, Failure};

#[derive(Deserialize)]
pub struct Shown {
    year: Option<String>,
    done: Option<String>,
    subject: Option<String>,
}

pub async fn show(me: Staff, shown: web::Query<Shown>, state: web::Data<AppState>) -> HttpResponse {
    let shown = shown.into_inner();
    let notice = layout::confirmation(shown.done.as_deref(), shown.subject.as_deref());
    let this_year = crate::domain::calendar::brussels_date(state.clock.now()).year();
    match shown
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => year_page(&me, &state, this_year, StatusCode::OK, notice).await,
        Some(raw) => match raw.parse::<i32>() {
            Ok(year) => year_page(&me, &state, year, StatusCode::OK, notice).await,
            Err(_) => {
                let notice = Notice::Error(format!("'{raw}' is not a year: showing {this_year}."));
                year_page(
                    &me,
                    &state,
                    this_year,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(notice),
                )
                .await
            }
        },
    }
}

async fn year_page(
    me: &Staff,
    state: &AppState,
    year: i32,
    status: StatusCode,
    notice: Option<Notice>,
) -> HttpResponse {
    let loaded = state
        .run(move |conn| -> Result<_, StaffError> {
            let candidates = trusted_providers::compute(conn, year)?;
            let published = trusted_providers::published(conn, year)?;
            Ok((candidates, published))
        })
        .await;
    let (candidates, published, notice, status) = match loaded {
        Ok((candidates, published)) => (candidates, published, notice, status),
        Err(error) => match Failure::from(error) {
            Failure::Refused(status, message) => {
                (Vec::new(), None, Some(Notice::Error(message)), status)
            }
            Failure::Ours => return unavailable(),
        },
    };
    let mut body = format!(
        "<form method=\"get\" action=\"/staff/trusted-providers\" class=\"inline card\"><div><label for=\"year\">List of the year</label>\
<input type=\"number\" id=\"year\" name=\"year\" value=\"{year}\" min=\"2001\" max=\"9999\" class=\"year\"></div>\
<button type=\"submit\">Show</button></form>\
<p class=\"muted\">The list of {year} rewards the readings dated {prev}: a company is trusted when fewer than 0.5 % of its \
readings broke a vehicle's odometer history, with at least {MIN_READINGS} readings that year.</p>",
        prev = year - 1,
    );
    body.push_str(&candidates_table(year, &candidates));
    body.push_str(&match &published {
        Some(list) => published_html(list),
        None => format!(
            "<h2>Publish</h2><form method=\"post\" action=\"/staff/trusted-providers/publish\" class=\"card\">{csrf}\
<input type=\"hidden\" name=\"year\" value=\"{year}\"><p>Publishes the Trusted Provider list {year} on the public page \
<a href=\"/trusted-providers/{year}\">/trusted-providers/{year}</a>; it lists {n}. A list is published once and then stays as it is.</p>\
<button type=\"submit\">Publish the list {year}</button></form>",
            csrf = me.csrf_field(),
            n = match candidates.iter().filter(|c| c.standing == Standing::Trusted).count() {
                0 => "no company (none above is trusted)".to_owned(),
                1 => "the one trusted company above".to_owned(),
                n => format!("the {n} trusted companies above"),
            },
        ),
    });
    respond(
        status,
        page(
            me,
            Nav::TrustedProviders,
            &format!("Trusted Providers {year}"),
            notice.as_ref(),
            &body,
        ),
    )
}

fn candidates_table(year: i32, candidates: &[Candidate]) -> String {
    if candidates.is_empty() {
        return format!(
            "<p class=\"card\">No company sent a reading dated {}.</p>",
            year - 1
        );
    }
    let rows: String = candidates
        .iter()
        .map(|c| {
            let class = match c.standing {
                Standing::Trusted => "ok",
                Standing::NotTrusted => "bad",
                Standing::TooFewReadings => "muted",
            };
            format!(
                "<tr><td>{}</td><td class=\"nowrap\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2} %</td><td class=\"{class}\">{}</td></tr>",
                e(&c.name),
                e(&c.kbo),
                c.readings,
                c.discrepancies,
                if c.readings == 0 { 0.0 } else { c.discrepancies as f64 * 100.0 / c.readings as f64 },
                c.standing.as_str()
            )
        })
        .collect();
    format!(
        "<table><tr><th>Company</th><th>Enterprise number</th><th class=\"num\">Readings</th><th class=\"num\">Discrepancies</th>\
<th class=\"num\">Share</th><th>Standing</th></tr>{rows}</table>"
    )
}

fn published_html(list: &PublishedList) -> String {
    let names: Vec<String> = list
        .providers
        .iter()
        .map(|p| format!("{} ({})", e(&p.name), e(&p.kbo)))
        .collect();
    format!(
        "<h2>Published</h2><p class=\"card\">The list {year} was published on {at} with {n} companies: {names}. \
Public page: <a href=\"/trusted-providers/{year}\">/trusted-providers/{year}</a></p>",
        year = list.year,
        at = list.published_at.format("%Y-%m-%d %H:%M UTC"),
        n = list.providers.len(),
        names = if names.is_empty() { "none".to_owned() } else { names.join(", ") },
    )
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
}

impl Protected for PublishForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn publish(action: Action<PublishForm>, state: web::Data<AppState>) -> HttpResponse {
    let Action { me, form } = action;
    let this_year = crate::domain::calendar::brussels_date(state.clock.now()).year();
    let Ok(year) = form.year.trim().parse::<i32>() else {
        let notice = Notice::Error(format!(
            "'{}' is not a year; nothing was published.",
            form.year.trim()
        ));
        return year_page(
            &me,
            &state,
            this_year,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(notice),
        )
        .await;
    };
    let now = state.clock.now();
    let by = me.username.clone();
    match state
        .run(move |conn| trusted_providers::publish(conn, year, &by, now))
        .await
    {
        Ok(_) => layout::done(
            &format!("/staff/trusted-providers?year={year}"),
            "published",
            &year.to_string(),
        ),
        Err(error) => match Failure::from(error) {
            Failure::Refused(status, message) => {
                let notice = Notice::Error(format!("{message}. Nothing was changed."));
                year_page(&me, &state, year, status, Some(notice)).await
            }
            Failure::Ours => unavailable(),
        },
    }
}
