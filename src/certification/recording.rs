//! Recording a session's exchanges raw (SPEC 5.1: request and response bodies, headers, times
//! and the step that was open), without the passwords they carry; and deciding which request
//! gets an injected fault (C12).

use base64::Engine;
use chrono::{DateTime, Utc};

use super::sessions::{self, Session};
use super::{evaluations, CertificationError};
use crate::db::certification::{self as store, NewExchange};
use crate::db::{accounts, DbConnection};
use crate::domain::certification::facts::{Exchange, RequestFacts};
use crate::domain::certification::scenario::{InjectedFault, Injection};

pub const MASK: &str = "********";

pub struct ExchangeRecord {
    pub step: Option<u32>,
    /// The attempt of that step.
    pub attempt: Option<u32>,
    pub received_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
    pub method: String,
    /// With the query string.
    pub path: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    pub response_status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
    pub injected: Option<InjectedFault>,
}

/// The user names of the session's accounts: seen anywhere but the credential headers, they
/// are leaked credentials (C02).
pub fn usernames(
    conn: &mut DbConnection,
    session: &Session,
) -> Result<Vec<String>, CertificationError> {
    Ok(accounts::usernames_of_company(conn, session.company_id)?)
}

/// The fault to inject on this request, if it is the first SubmitReadings carrying the
/// vehicle of a step that asks for one since that step was (last) opened: a step played again
/// gets its fault again.
pub fn injection_for(
    conn: &mut DbConnection,
    session: &Session,
    facts: &RequestFacts,
) -> Result<Option<Injection>, CertificationError> {
    if facts.operation.as_deref() != Some("SubmitReadings") || facts.contract_violation.is_some() {
        return Ok(None);
    }
    // Each stored request is read with its own Content-Type: a SOAP 1.2 request read as
    // SOAP 1.1 has no readings, and its fault would be injected again on every retry.
    let rows = store::exchanges(conn, &session.id)?;
    let fired: Vec<Exchange> = evaluations::facts(&rows, &[])
        .into_iter()
        .filter(|e| e.injected.is_some())
        .collect();
    let opened = sessions::opened(conn, &session.id)?;
    let carries = |facts: &RequestFacts, vin: &str| facts.readings.iter().any(|r| r.vin == vin);
    Ok(session.sheet.steps.iter().find_map(|step| {
        let (job, injection) = (step.job.as_ref()?, step.inject?);
        let since = opened.get(&step.number).copied();
        let due = carries(facts, &job.vin)
            && !fired.iter().any(|f| {
                carries(&f.request, &job.vin) && since.is_none_or(|at| f.received_at >= at)
            });
        due.then_some(injection)
    }))
}

pub fn record(
    conn: &mut DbConnection,
    session: &Session,
    exchange: ExchangeRecord,
    secrets: &[String],
) -> Result<(), CertificationError> {
    let headers = |headers: &[(String, String)]| {
        let masked: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| {
                let value = if name.eq_ignore_ascii_case("authorization") {
                    mask_authorization(value)
                } else {
                    value.clone()
                };
                (name.clone(), value)
            })
            .collect();
        serde_json::to_string(&masked).expect("strings serialise")
    };
    store::insert_exchange(
        conn,
        &NewExchange {
            session_id: session.id.clone(),
            step: exchange.step.map(|s| s as i32),
            attempt: exchange.attempt.map(|a| a as i32),
            received_at: exchange.received_at.naive_utc(),
            answered_at: exchange.answered_at.naive_utc(),
            method: exchange.method,
            path: mask_text(&exchange.path, secrets),
            request_headers: headers(&exchange.request_headers),
            request_body: mask_bytes(&exchange.request_body, secrets),
            response_status: i32::from(exchange.response_status),
            response_headers: headers(&exchange.response_headers),
            response_body: exchange.response_body,
            injected: exchange.injected.map(|f| f.as_str().to_owned()),
        },
    )?;
    Ok(())
}

/// HTTP Basic keeps its user name, so that the recording still shows who authenticated how.
fn mask_authorization(value: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let user = value
        .trim()
        .strip_prefix("Basic ")
        .and_then(|encoded| engine.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|decoded| decoded.split_once(':').map(|(user, _)| user.to_owned()));
    match user {
        Some(user) => format!("Basic {}", engine.encode(format!("{user}:{MASK}"))),
        None => MASK.to_owned(),
    }
}

fn mask_text(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |text, secret| {
        text.replace(secret.as_str(), MASK)
    })
}

fn mask_bytes(body: &[u8], secrets: &[String]) -> Vec<u8> {
    let mut body = body.to_vec();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let escaped = secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        for needle in [secret.as_bytes(), escaped.as_bytes()] {
            body = replace_all(&body, needle, MASK.as_bytes());
        }
    }
    body
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basic_header_keeps_its_user_and_loses_its_password() {
        let masked = mask_authorization("Basic Y2VydC0xOnNlY3JldA==");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(masked.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "cert-1:********");
        assert_eq!(mask_authorization("Bearer abc"), MASK);
    }

    #[test]
    fn a_password_in_the_body_is_masked_raw_and_escaped() {
        let body = b"<Password>a&amp;b</Password><Password>a&b</Password>";
        let masked = mask_bytes(body, &["a&b".to_owned()]);
        assert_eq!(
            masked,
            b"<Password>********</Password><Password>********</Password>"
        );
        assert_eq!(mask_bytes(b"abc", &[]), b"abc");
    }
}
