//! The yearly Trusted Provider list (SPEC 2.10): each company's readings of the year before,
//! its discrepancies and standing, and publishing the list once, after a confirmation page
//! that shows exactly what will be published. An empty list is never published.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, frame, Nav, Notice};
use super::session::{Action, Protected, Staff};
use crate::app::AppState;
use crate::domain::language::{Language, Text};
use crate::domain::trusted_provider::{Standing, MIN_READINGS};
use crate::staff::trusted_providers::{self, Candidate, PublishedList};
use crate::staff::StaffError;
use crate::web::page::{respond, t, unavailable, Failure, Reader};

#[derive(Deserialize)]
pub struct Shown {
    year: Option<String>,
    done: Option<String>,
    subject: Option<String>,
}

const TITLE: Text = Text {
    nl: "Trusted Providers",
    fr: "Trusted Providers",
    de: "Trusted Providers",
    en: "Trusted Providers",
};

fn this_year(state: &AppState) -> i32 {
    crate::domain::calendar::brussels_date(state.clock.now()).year()
}

/// The year asked for, or this year with a notice when the field holds no year.
fn asked_year(state: &AppState, lang: Language, raw: Option<&str>) -> (i32, Option<Notice>) {
    let this_year = this_year(state);
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        None => (this_year, None),
        Some(raw) => match raw.parse::<i32>() {
            Ok(year) => (year, None),
            Err(_) => (
                this_year,
                Some(Notice::Error(match lang {
                    Language::Nl => format!("'{raw}' is geen jaartal: {this_year} wordt getoond."),
                    Language::Fr => {
                        format!("'{raw}' n'est pas une année\u{a0}: voici {this_year}.")
                    }
                    Language::De => format!("'{raw}' ist kein Jahr: {this_year} wird gezeigt."),
                    Language::En => format!("'{raw}' is not a year: showing {this_year}."),
                })),
            ),
        },
    }
}

pub async fn show(
    me: Staff,
    reader: Reader,
    shown: web::Query<Shown>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let shown = shown.into_inner();
    let (year, refused) = asked_year(&state, reader.lang, shown.year.as_deref());
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let notice = refused.or_else(|| {
        layout::confirmation(reader.lang, shown.done.as_deref(), shown.subject.as_deref())
    });
    year_page(&me, &reader, &state, year, status, notice).await
}

async fn load(
    state: &AppState,
    year: i32,
) -> Result<(Vec<Candidate>, Option<PublishedList>), StaffError> {
    state
        .run(move |conn| -> Result<_, StaffError> {
            let candidates = trusted_providers::compute(conn, year)?;
            let published = trusted_providers::published(conn, year)?;
            Ok((candidates, published))
        })
        .await
}

async fn year_page(
    me: &Staff,
    reader: &Reader,
    state: &AppState,
    year: i32,
    status: StatusCode,
    notice: Option<Notice>,
) -> HttpResponse {
    let (candidates, published, notice, status) = match load(state, year).await {
        Ok((candidates, published)) => (candidates, published, notice, status),
        Err(error) => match Failure::staff(error, reader.lang) {
            Failure::Refused(status, message) => {
                (Vec::new(), None, Some(Notice::Error(message)), status)
            }
            Failure::Ours => return unavailable(),
        },
    };
    let lang = reader.lang;
    let f = reader.fmt();
    let trusted = candidates
        .iter()
        .filter(|c| c.standing == Standing::Trusted)
        .count();
    let body = html! {
        form.inline.card method="get" action="/staff/trusted-providers" {
            div {
                label for="year" { (t(lang, "List of the year", "Lijst van het jaar", "Liste de l'année", "Liste des Jahres")) }
                input.year type="number" id="year" name="year" value=(year) min="2001" max="9999";
            }
            button type="submit" { (t(lang, "Show", "Tonen", "Afficher", "Anzeigen")) }
        }
        p.muted {
            @let min = f.num(MIN_READINGS);
            @let prev = year - 1;
            @match lang {
                Language::Nl => { "De lijst " (year) " beloont de kilometerstanden met werkdatum in " (prev) ": een bedrijf is betrouwbaar wanneer minder dan 0,5\u{a0}% van zijn kilometerstanden een breuk in de kilometerhistoriek van een voertuig veroorzaakte, met minstens " (min) " kilometerstanden dat jaar." }
                Language::Fr => { "La liste " (year) " récompense les relevés datés de " (prev) "\u{a0}: une entreprise est fiable lorsque moins de 0,5\u{a0}% de ses relevés ont rompu l'historique kilométrique d'un véhicule, avec au moins " (min) " relevés cette année-là." }
                Language::De => { "Die Liste " (year) " belohnt die Kilometerstände mit Arbeitsdatum " (prev) ": ein Unternehmen ist vertrauenswürdig, wenn weniger als 0,5\u{a0}% seiner Kilometerstände einen Bruch in der Kilometerhistorie eines Fahrzeugs verursachten, bei mindestens " (min) " Kilometerständen in dem Jahr." }
                Language::En => { "The list of " (year) " rewards the readings dated " (prev) ": a company is trusted when fewer than 0.5\u{a0}% of its readings broke a vehicle's odometer history, with at least " (min) " readings that year." }
            }
        }
        (candidates_table(reader, year, &candidates))
        @match &published {
            Some(list) => (published_html(reader, list)),
            None => {
                h2 { (t(lang, "Publish", "Publiceren", "Publier", "Veröffentlichen")) }
                @if trusted == 0 {
                    p.card { (nothing_to_publish(lang, year)) }
                } @else {
                    form.card method="get" action="/staff/trusted-providers/publish" {
                        input type="hidden" name="year" value=(year);
                        p { (will_list(lang, year, trusted)) }
                        button type="submit" { (t(lang, "Review the list before publishing", "De lijst nakijken vóór publicatie", "Vérifier la liste avant publication", "Liste vor dem Veröffentlichen prüfen")) }
                    }
                }
            }
        }
    };
    let title = format!("{} {year}", TITLE.get(lang));
    respond(
        status,
        frame(
            reader,
            me,
            Nav::TrustedProviders,
            &title,
            notice.as_ref(),
            body,
        )
        .into_string(),
    )
}

fn nothing_to_publish(lang: Language, year: i32) -> String {
    match lang {
        Language::Nl => format!("Geen enkel bedrijf is betrouwbaar voor {year}: er valt niets te publiceren. Een lege lijst wordt niet gepubliceerd."),
        Language::Fr => format!("Aucune entreprise n'est fiable pour {year}\u{a0}: il n'y a rien à publier. Une liste vide n'est pas publiée."),
        Language::De => format!("Kein Unternehmen ist für {year} vertrauenswürdig: es gibt nichts zu veröffentlichen. Eine leere Liste wird nicht veröffentlicht."),
        Language::En => format!("No company is trusted for {year}: there is nothing to publish. An empty list is not published."),
    }
}

fn will_list(lang: Language, year: i32, n: usize) -> String {
    match (lang, n) {
        (Language::Nl, 1) => format!("De lijst {year} zal het ene betrouwbare bedrijf hierboven vermelden. Een lijst wordt één keer gepubliceerd en blijft dan zoals ze is."),
        (Language::Nl, n) => format!("De lijst {year} zal de {n} betrouwbare bedrijven hierboven vermelden. Een lijst wordt één keer gepubliceerd en blijft dan zoals ze is."),
        (Language::Fr, 1) => format!("La liste {year} reprendra l'entreprise fiable ci-dessus. Une liste est publiée une fois et reste ensuite telle quelle."),
        (Language::Fr, n) => format!("La liste {year} reprendra les {n} entreprises fiables ci-dessus. Une liste est publiée une fois et reste ensuite telle quelle."),
        (Language::De, 1) => format!("Die Liste {year} wird das eine vertrauenswürdige Unternehmen oben nennen. Eine Liste wird einmal veröffentlicht und bleibt dann, wie sie ist."),
        (Language::De, n) => format!("Die Liste {year} wird die {n} vertrauenswürdigen Unternehmen oben nennen. Eine Liste wird einmal veröffentlicht und bleibt dann, wie sie ist."),
        (Language::En, 1) => format!("The list {year} will name the one trusted company above. A list is published once and then stays as it is."),
        (Language::En, n) => format!("The list {year} will name the {n} trusted companies above. A list is published once and then stays as it is."),
    }
}

fn standing(lang: Language, s: Standing) -> (&'static str, &'static str) {
    match s {
        Standing::Trusted => (
            "ok",
            t(lang, "trusted", "betrouwbaar", "fiable", "vertrauenswürdig"),
        ),
        Standing::NotTrusted => (
            "bad",
            t(
                lang,
                "not trusted",
                "niet betrouwbaar",
                "pas fiable",
                "nicht vertrauenswürdig",
            ),
        ),
        Standing::TooFewReadings => (
            "muted",
            t(
                lang,
                "too few readings",
                "te weinig kilometerstanden",
                "trop peu de relevés",
                "zu wenige Kilometerstände",
            ),
        ),
    }
}

fn candidates_table(reader: &Reader, year: i32, candidates: &[Candidate]) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    if candidates.is_empty() {
        let prev = year - 1;
        return html! { p.card { (match lang {
            Language::Nl => format!("Geen enkel bedrijf stuurde een kilometerstand met werkdatum in {prev}."),
            Language::Fr => format!("Aucune entreprise n'a envoyé de relevé daté de {prev}."),
            Language::De => format!("Kein Unternehmen hat einen Kilometerstand mit Arbeitsdatum {prev} gesendet."),
            Language::En => format!("No company sent a reading dated {prev}."),
        }) } };
    }
    html! {
        div.scroll {
            table {
                tr {
                    th { (t(lang, "Company", "Bedrijf", "Entreprise", "Unternehmen")) }
                    th { (t(lang, "Enterprise number", "Ondernemingsnummer", "Numéro d'entreprise", "Unternehmensnummer")) }
                    th.num { (t(lang, "Readings", "Kilometerstanden", "Relevés", "Kilometerstände")) }
                    th.num { (t(lang, "Discrepancies", "Afwijkingen", "Écarts", "Abweichungen")) }
                    th.num { (t(lang, "Share", "Aandeel", "Part", "Anteil")) }
                    th { (t(lang, "Standing", "Stand", "Statut", "Status")) }
                }
                @for c in candidates {
                    @let (class, text) = standing(lang, c.standing);
                    tr {
                        td { a href=(format!("/staff/garages/{}", c.company_id)) { (c.name) } }
                        td.nowrap { (f.kbo(&c.kbo)) }
                        td.num { (f.num(c.readings)) }
                        td.num { (f.num(c.discrepancies)) }
                        td.num.nowrap { (f.share(c.discrepancies, c.readings)) }
                        td class=(class) { (text) }
                    }
                }
            }
        }
    }
}

fn published_html(reader: &Reader, list: &PublishedList) -> Markup {
    let lang = reader.lang;
    let f = reader.fmt();
    let at = f.moment(list.published_at);
    let n = list.providers.len();
    let year = list.year;
    html! {
        h2 { (t(lang, "Published", "Gepubliceerd", "Publiée", "Veröffentlicht")) }
        div.card {
            p { (match lang {
                Language::Nl => format!("De lijst {year} werd gepubliceerd op {at} met {n} bedrijf/bedrijven:"),
                Language::Fr => format!("La liste {year} a été publiée le {at} avec {n} entreprise(s)\u{a0}:"),
                Language::De => format!("Die Liste {year} wurde am {at} mit {n} Unternehmen veröffentlicht:"),
                Language::En => format!("The list {year} was published on {at} with {n} {}:", if n == 1 { "company" } else { "companies" }),
            }) }
            ul {
                @for p in &list.providers {
                    li { (p.name) " (" (f.kbo(&p.kbo)) ")" }
                }
            }
            p { (t(lang, "Public page:", "Publieke pagina:", "Page publique\u{a0}:", "Öffentliche Seite:")) " "
                a href=(format!("/trusted-providers/{year}")) { "/trusted-providers/" (year) } }
        }
    }
}

#[derive(Deserialize)]
pub struct Asked {
    year: Option<String>,
}

/// `GET /staff/trusted-providers/publish?year=`: what publishing would publish, to confirm.
pub async fn confirm(
    me: Staff,
    reader: Reader,
    asked: web::Query<Asked>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (year, refused) = asked_year(&state, reader.lang, asked.year.as_deref());
    if refused.is_some() {
        return year_page(
            &me,
            &reader,
            &state,
            year,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused,
        )
        .await;
    }
    confirm_page(&me, &reader, &state, year, StatusCode::OK, None).await
}

/// The company ids a list names, in a form field: what the clerk saw is what is published.
fn names(candidates: &[Candidate]) -> String {
    let mut ids: Vec<i64> = candidates
        .iter()
        .filter(|c| c.standing == Standing::Trusted)
        .map(|c| c.company_id)
        .collect();
    ids.sort_unstable();
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn confirm_page(
    me: &Staff,
    reader: &Reader,
    state: &AppState,
    year: i32,
    status: StatusCode,
    notice: Option<Notice>,
) -> HttpResponse {
    let (candidates, published) = match load(state, year).await {
        Ok(loaded) => loaded,
        Err(error) => return Failure::staff(error, reader.lang).response(),
    };
    let trusted: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.standing == Standing::Trusted)
        .collect();
    if published.is_some() || trusted.is_empty() {
        // Nothing to confirm: the year's page says why (published already, or empty).
        return year_page(me, reader, state, year, status, notice).await;
    }
    let lang = reader.lang;
    let body = html! {
        p.notice.error role="note" { (match lang {
            Language::Nl => format!("U staat op het punt de Trusted Provider-lijst {year} te publiceren. Eens gepubliceerd blijft ze zoals ze is en staat ze op de publieke pagina."),
            Language::Fr => format!("Vous allez publier la liste Trusted Provider {year}. Une fois publiée, elle reste telle quelle et figure sur la page publique."),
            Language::De => format!("Sie sind dabei, die Trusted-Provider-Liste {year} zu veröffentlichen. Einmal veröffentlicht, bleibt sie, wie sie ist, und steht auf der öffentlichen Seite."),
            Language::En => format!("You are about to publish the Trusted Provider list {year}. Once published it stays as it is, on the public page."),
        }) }
        h2 { (t(lang, "What will be published", "Wat gepubliceerd wordt", "Ce qui sera publié", "Was veröffentlicht wird")) }
        (candidates_table(reader, year, &trusted))
        form.card method="post" action="/staff/trusted-providers/publish" {
            (me.csrf_input())
            input type="hidden" name="year" value=(year);
            input type="hidden" name="confirmed" value=(names(&trusted));
            div.actions {
                button type="submit" { (match lang {
                    Language::Nl => format!("Deze {} bedrijf/bedrijven publiceren", trusted.len()),
                    Language::Fr => format!("Publier ces {} entreprise(s)", trusted.len()),
                    Language::De => format!("Diese {} Unternehmen veröffentlichen", trusted.len()),
                    Language::En => format!("Publish {} {}", if trusted.len() == 1 { "this" } else { "these" }, if trusted.len() == 1 { "1 company".to_owned() } else { format!("{} companies", trusted.len()) }),
                }) }
                a href=(format!("/staff/trusted-providers?year={year}")) { (t(lang, "Cancel", "Annuleren", "Annuler", "Abbrechen")) }
            }
        }
    };
    let title = match lang {
        Language::Nl => format!("Lijst {year} publiceren?"),
        Language::Fr => format!("Publier la liste {year}\u{a0}?"),
        Language::De => format!("Liste {year} veröffentlichen?"),
        Language::En => format!("Publish the list {year}?"),
    };
    respond(
        status,
        frame(
            reader,
            me,
            Nav::TrustedProviders,
            &title,
            notice.as_ref(),
            body,
        )
        .into_string(),
    )
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
    /// The ids of the companies the confirmation page showed; absent, nothing is published.
    confirmed: Option<String>,
}

impl Protected for PublishForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn publish(
    action: Action<PublishForm>,
    reader: Reader,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Action { me, form } = action;
    let lang = reader.lang;
    let Ok(year) = form.year.trim().parse::<i32>() else {
        let raw = form.year.trim();
        let notice = Notice::Error(match lang {
            Language::Nl => format!("'{raw}' is geen jaartal; er werd niets gepubliceerd."),
            Language::Fr => format!("'{raw}' n'est pas une année\u{a0}; rien n'a été publié."),
            Language::De => format!("'{raw}' ist kein Jahr; es wurde nichts veröffentlicht."),
            Language::En => format!("'{raw}' is not a year; nothing was published."),
        });
        let this_year = this_year(&state);
        return year_page(
            &me,
            &reader,
            &state,
            this_year,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(notice),
        )
        .await;
    };
    // Published only as confirmed: a list that changed since the confirmation page (a new
    // reading moved a company) is shown again, to be confirmed as it now is.
    let seen = match load(&state, year).await {
        Ok((candidates, _)) => names(&candidates),
        Err(error) => return Failure::staff(error, lang).response(),
    };
    match form.confirmed.as_deref() {
        None => return confirm_page(&me, &reader, &state, year, StatusCode::OK, None).await,
        Some(confirmed) if confirmed != seen => {
            let notice = Notice::Error(t(lang,
                "The list changed since you looked at it; nothing was published. Check it again.",
                "De lijst is veranderd sinds u ze bekeek; er werd niets gepubliceerd. Kijk ze opnieuw na.",
                "La liste a changé depuis que vous l'avez consultée\u{a0}; rien n'a été publié. Vérifiez-la à nouveau.",
                "Die Liste hat sich geändert, seit Sie sie angesehen haben; es wurde nichts veröffentlicht. Prüfen Sie sie erneut.",
            ).to_owned());
            return confirm_page(
                &me,
                &reader,
                &state,
                year,
                StatusCode::CONFLICT,
                Some(notice),
            )
            .await;
        }
        Some(_) => {}
    }
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
        Err(error) => match Failure::staff(error, lang) {
            Failure::Refused(status, message) => {
                let notice = Notice::Error(format!("{message}. {}", layout::nothing_changed(lang)));
                year_page(&me, &reader, &state, year, status, Some(notice)).await
            }
            Failure::Ours => unavailable(),
        },
    }
}
