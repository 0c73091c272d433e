//! Recording a session's exchanges raw (SPEC 5.1: request and response bodies, headers, times
//! and the step that was open), without the passwords they carry; and deciding which request
//! gets an injected fault (C12).

use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::Connection;
use sha2::{Digest, Sha256};

use super::redaction::{self, Redacted, MASK};
use super::sessions::{self, Session};
use super::{evaluations, CertificationError};
use crate::db::certification::{self as store, NewExchange};
use crate::db::{accounts, DbConnection};
use crate::domain::certification::facts::{Exchange, RequestFacts, ResponseFacts};
use crate::domain::certification::scenario::{InjectedFault, Injection};
use crate::soap::inspect::{self, RawRequest};

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
    // Only the exchanges that got a fault are read: never the whole recording per request.
    let rows = store::injected_exchanges(conn, &session.id)?;
    let fired: Vec<Exchange> = evaluations::facts(&rows, &[]);
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

/// What is kept of a request that did not authenticate as one of the session's accounts:
/// enough to recognise it, not enough to fill the disk.
pub const UNAUTHENTICATED_PREFIX: usize = 256;

pub enum Recorded {
    Yes,
    /// The session's quota is reached: only counted.
    Full,
}

/// Records the exchange without any secret it carried (`redaction`), within the session's
/// quota. `user` is the account the request authenticated as, if any.
pub fn record(
    conn: &mut DbConnection,
    session: &Session,
    exchange: ExchangeRecord,
    user: Option<&str>,
    quota: store::Quota,
) -> Result<Recorded, CertificationError> {
    let usernames = usernames(conn, session)?;
    let authenticated = user.is_some_and(|u| usernames.iter().any(|n| n == u));
    let query = exchange.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let content_type = evaluations::header(&exchange.request_headers, "content-type");
    let raw = RawRequest {
        content_type: content_type.unwrap_or(""),
        authorization: evaluations::header(&exchange.request_headers, "authorization"),
        query,
        body: &exchange.request_body,
    };
    let secrets = inspect::secrets(&raw);
    let mut facts = inspect::request(&raw, &usernames);
    let operation = facts.operation.clone();
    // Status 0: nothing went back on the wire (the held request of C12).
    let outcome = evaluations::outcome(&if exchange.response_status == 0 {
        ResponseFacts::Unanswered
    } else {
        inspect::response(&exchange.response_body)
    });
    let (body, sha256, note) = match redaction::body(
        &exchange.request_body,
        &facts.authentication,
        &secrets,
    ) {
        Redacted::Kept(kept) => {
            let sha256 = sessions::hex(&Sha256::digest(&kept));
            if authenticated || kept.len() <= UNAUTHENTICATED_PREFIX {
                (kept, Some(sha256), None)
            } else {
                let prefix = kept[..UNAUTHENTICATED_PREFIX].to_vec();
                let note = format!(
                        "not authenticated as an account of the session: only its first {UNAUTHENTICATED_PREFIX} bytes are kept"
                    );
                (prefix, Some(sha256), Some(note))
            }
        }
        Redacted::Withheld(why) => (Vec::new(), None, Some(why.to_owned())),
    };
    // A body not kept whole cannot be read again: its facts are kept instead. Nothing of an
    // unauthenticated request was taken, so its readings need not be.
    let request_facts = note.as_ref().map(|_| {
        if !authenticated {
            facts.readings.clear();
            facts.answer = None;
            facts.label = None;
        }
        redaction::mask_text(
            &serde_json::to_string(&facts).expect("facts serialise"),
            &secrets,
        )
    });
    let headers = |headers: &[(String, String)]| {
        let masked: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| {
                let value = match name.to_ascii_lowercase().as_str() {
                    "authorization" => mask_authorization(value),
                    "proxy-authorization" | "cookie" => MASK.to_owned(),
                    _ if inspect::names_a_credential(name) => MASK.to_owned(),
                    _ => redaction::mask_text(value, &secrets),
                };
                (name.clone(), value)
            })
            .collect();
        serde_json::to_string(&masked).expect("strings serialise")
    };
    let new = NewExchange {
        session_id: session.id.clone(),
        step: exchange.step.map(|s| s as i32),
        attempt: exchange.attempt.map(|a| a as i32),
        received_at: exchange.received_at.naive_utc(),
        answered_at: exchange.answered_at.naive_utc(),
        method: exchange.method,
        path: redaction::mask_text(&mask_query(&exchange.path), &secrets),
        request_headers: headers(&exchange.request_headers),
        request_body: body,
        response_status: i32::from(exchange.response_status),
        response_headers: headers(&exchange.response_headers),
        response_body: redaction::mask(&exchange.response_body, &secrets),
        injected: exchange.injected.map(|f| f.as_str().to_owned()),
        request_size: exchange.request_body.len() as i64,
        request_sha256: sha256,
        request_note: note,
        request_facts,
        operation,
        outcome: Some(outcome),
    };
    let bytes = [
        new.path.len(),
        new.request_headers.len(),
        new.request_body.len(),
        new.response_headers.len(),
        new.response_body.len(),
        new.request_facts.as_ref().map_or(0, String::len),
        new.outcome.as_ref().map_or(0, String::len),
    ]
    .iter()
    .sum::<usize>() as i64;
    let recorded = conn.transaction(|conn| -> diesel::QueryResult<Recorded> {
        if store::reserve(conn, &session.id, bytes, quota)? {
            store::insert_exchange(conn, &new)?;
            Ok(Recorded::Yes)
        } else {
            store::count_refused(conn, &session.id)?;
            Ok(Recorded::Full)
        }
    })?;
    Ok(recorded)
}

/// A query parameter that names a credential keeps its name, not its value: C02 judges that it
/// was sent there, the recording needs no more.
fn mask_query(path: &str) -> String {
    let Some((path, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if inspect::names_a_credential(key) => format!("{key}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
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
    fn a_credential_in_the_query_keeps_its_name_not_its_value() {
        assert_eq!(
            mask_query("/certify/s/soap/inflow?wsdl&Password=x&lang=nl"),
            "/certify/s/soap/inflow?wsdl&Password=********&lang=nl"
        );
        assert_eq!(
            mask_query("/certify/s/soap/inflow"),
            "/certify/s/soap/inflow"
        );
    }
}
