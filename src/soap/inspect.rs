//! Reading a recorded certification exchange back as facts (`domain::certification::facts`):
//! the same parser, schema and credential rules as the live endpoint, but lenient, because a
//! defective DMS's request must still be described, not just refused.

use base64::Engine;

use super::envelope;
use super::operations;
use super::schema::{self, NS};
use super::security::WSSE;
use super::version::SoapVersion;
use super::xml::{self, Element};
use crate::domain::certification::facts::{
    Authentication, ClientInfo, IssueFacts, LabelAsked, ReceiptFacts, RequestFacts, ResponseFacts,
    SentAnswer, SentReading,
};
use crate::service::operation::Operation;

/// A request as recorded: what the harness saw on the wire.
pub struct RawRequest<'a> {
    pub content_type: &'a str,
    pub authorization: Option<&'a str>,
    pub query: &'a str,
    pub body: &'a [u8],
}

/// The facts of a request; `usernames` are the session's accounts, whose appearance anywhere
/// but the authentication headers counts as leaked credentials (C02).
pub fn request(raw: &RawRequest<'_>, usernames: &[String]) -> RequestFacts {
    let mut facts = RequestFacts {
        authentication: basic_user(raw.authorization)
            .map(|username| Authentication::Basic { username })
            .unwrap_or_default(),
        leaks: query_leaks(raw.query, usernames),
        ..Default::default()
    };
    let Some(version) = SoapVersion::from_content_type(raw.content_type) else {
        facts.contract_violation = Some(format!(
            "Content-Type '{}' is not SOAP (text/xml or application/soap+xml)",
            raw.content_type
        ));
        return facts;
    };
    let envelope = match envelope::parse(raw.body, version) {
        Ok(envelope) => envelope,
        Err(fault) => {
            facts.contract_violation = Some(fault.message);
            return facts;
        }
    };
    for header in &envelope.headers {
        if header.is(WSSE, "Security") {
            if let Some(auth) = username_token(header) {
                if let (Authentication::Basic { username: basic }, Some(token)) =
                    (&facts.authentication, auth.username())
                {
                    if basic != token {
                        facts.conflicting_account = Some(basic.clone());
                    }
                }
                facts.authentication = auth;
            }
        } else if header.is(NS, "ClientInfo") {
            if let Err(e) = schema::validate(header, &schema::CLIENT_INFO, "ClientInfo") {
                facts.contract_violation = Some(format!("{}: {}", e.path, e.message));
            }
            facts.client_info = Some(ClientInfo {
                language: text(header, "Language"),
                builder: text(header, "SoftwareBuilder"),
                name: text(header, "SoftwareName"),
                version: text(header, "SoftwareVersion"),
            });
        } else {
            find_leaks(header, usernames, "the SOAP header", &mut facts.leaks);
        }
    }
    let element = &envelope.operation;
    find_leaks(element, usernames, "the SOAP body", &mut facts.leaks);
    facts.operation = Some(element.name.to_string());
    let operation = match super::INFLOW.identify(element) {
        Ok(operation) => operation,
        Err(fault) => {
            facts.contract_violation.get_or_insert(fault.message);
            return facts;
        }
    };
    if let Err(e) = schema::validate(element, operations::schema(operation), operation.name()) {
        facts
            .contract_violation
            .get_or_insert(format!("{}: {}", e.path, e.message));
    }
    match operation {
        Operation::SubmitReadings | Operation::ValidateReading => {
            facts.readings = element.children_named(NS, "Reading").map(reading).collect();
        }
        Operation::CorrectIssue | Operation::ConfirmReading => {
            facts.answer = Some(SentAnswer {
                operation: operation.name().to_owned(),
                issue_number: text(element, "IssueNumber").unwrap_or_default(),
                corrected: element.child(NS, "Correction").map(reading),
            });
        }
        Operation::GetReadingStatus => {
            facts.status_of =
                text(element, "ReadingId").or_else(|| text(element, "ClientReference"));
        }
        Operation::RequestOkLabel => {
            facts.label = Some(LabelAsked {
                vin: text(element, "Vin").unwrap_or_default(),
                advertised_odometer: number(element, "AdvertisedOdometer"),
            });
        }
        // Certification scenarios do not ask for Car-Passes (SPEC 5.2 has no criterion for it).
        Operation::RequestCarPass | Operation::ListActivities => {}
        // The certification endpoint serves the inflow's contract only: `identify` refused these.
        Operation::SubmitForeignHistory
        | Operation::ReportPostAccident
        | Operation::ClearPostAccident => {}
    }
    facts
}

/// The facts of a response: its receipts, or its fault.
pub fn response(body: &[u8]) -> ResponseFacts {
    let Ok(root) = xml::parse(body) else {
        return ResponseFacts::Other;
    };
    if let Some(fault) = find(&root, &|e| &*e.name == "Fault") {
        let code = find(fault, &|e| e.is(NS, "Code") && e.children.is_empty())
            .map(|c| c.text.trim().to_owned())
            .unwrap_or_default();
        let message = find(fault, &|e| e.is(NS, "Message"))
            .map(|m| m.text.trim().to_owned())
            .unwrap_or_default();
        return ResponseFacts::Fault { code, message };
    }
    let mut receipts = Vec::new();
    collect(&root, &|e| e.is(NS, "Receipt"), &mut receipts);
    if receipts.is_empty() {
        return ResponseFacts::Other;
    }
    ResponseFacts::Receipts(
        receipts
            .into_iter()
            .map(|r| ReceiptFacts {
                client_reference: text(r, "ClientReference").unwrap_or_default(),
                reading_id: text(r, "ReadingId").unwrap_or_default(),
                status: text(r, "Status").unwrap_or_default(),
                issues: r
                    .children_named(NS, "Issue")
                    .map(|i| IssueFacts {
                        number: text(i, "IssueNumber").unwrap_or_default(),
                        code: text(i, "Code").unwrap_or_default(),
                        severity: text(i, "Severity").unwrap_or_default(),
                        correctable: text(i, "Correctable")
                            .and_then(|b| schema::parse_boolean(&b))
                            .unwrap_or(false),
                        state: text(i, "State"),
                    })
                    .collect(),
            })
            .collect(),
    )
}

/// A RequestOkLabel answer as a DMS shows it: granted or not, and each reason's code and
/// message (the reference DMS draws them on its screen, C14).
pub fn label(body: &[u8]) -> Option<(bool, Vec<(String, String)>)> {
    let root = xml::parse(body).ok()?;
    let granted = find(&root, &|e| e.is(NS, "Granted"))?.text.trim() == "true";
    let mut reasons = Vec::new();
    collect(&root, &|e| e.is(NS, "Reason"), &mut reasons);
    let reasons = reasons
        .into_iter()
        .map(|r| {
            (
                text(r, "Code").unwrap_or_default(),
                text(r, "Message").unwrap_or_default(),
            )
        })
        .collect();
    Some((granted, reasons))
}

/// The secrets a request carries (the password of its UsernameToken or HTTP Basic header),
/// so that the recording can keep the request without them.
pub fn secrets(raw: &RawRequest<'_>) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some((_, password)) = basic(raw.authorization) {
        secrets.push(password);
    }
    if let Some(version) = SoapVersion::from_content_type(raw.content_type) {
        if let Ok(envelope) = envelope::parse(raw.body, version) {
            for header in envelope.headers.iter().filter(|h| h.is(WSSE, "Security")) {
                if let Some(password) = header
                    .child(WSSE, "UsernameToken")
                    .and_then(|t| t.child(WSSE, "Password"))
                {
                    secrets.push(password.text.clone());
                }
            }
        }
    }
    secrets.retain(|s| !s.is_empty());
    secrets
}

fn text(parent: &Element, name: &str) -> Option<String> {
    parent.child(NS, name).map(|e| e.text.trim().to_owned())
}

fn number(parent: &Element, name: &str) -> Option<u64> {
    text(parent, name).and_then(|t| t.parse().ok())
}

fn reading(element: &Element) -> SentReading {
    SentReading {
        client_reference: text(element, "ClientReference").unwrap_or_default(),
        vin: text(element, "Vin").unwrap_or_default(),
        work_date: text(element, "WorkDate").and_then(|d| schema::parse_date(&d)),
        odometer: number(element, "Odometer"),
        unit: text(element, "OdometerUnit"),
        odometer_replaced: number(element, "OdometerReplaced"),
        subcontracted: text(element, "Subcontracted").and_then(|b| schema::parse_boolean(&b)),
        customer_type: text(element, "CustomerType"),
        invoice_total_cents: text(element, "InvoiceTotal")
            .and_then(|a| schema::parse_amount_cents(&a)),
        works: element
            .children_named(NS, "Work")
            .map(|w| {
                (
                    text(w, "ActivityCode").unwrap_or_default(),
                    text(w, "Description").unwrap_or_default(),
                )
            })
            .collect(),
    }
}

fn username_token(security: &Element) -> Option<Authentication> {
    let token = security.child(WSSE, "UsernameToken")?;
    let username = token.child(WSSE, "Username")?.text.trim().to_owned();
    let digest = token
        .child(WSSE, "Password")
        .and_then(|p| p.attribute(None, "Type"))
        .is_some_and(|t| t.ends_with("#PasswordDigest"));
    Some(if digest {
        Authentication::PasswordDigest { username }
    } else {
        Authentication::UsernameToken { username }
    })
}

fn basic(authorization: Option<&str>) -> Option<(String, String)> {
    let encoded = authorization?
        .trim()
        .strip_prefix("Basic ")
        .or_else(|| authorization?.trim().strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn basic_user(authorization: Option<&str>) -> Option<String> {
    basic(authorization).map(|(user, _)| user)
}

/// What a password is called in the languages DMS developers write in.
pub const PASSWORD_WORDS: [&str; 6] = [
    "password",
    "passwd",
    "pwd",
    "wachtwoord",
    "motdepasse",
    "passwort",
];

/// Words that name a password or a login in the languages DMS developers write in.
pub fn names_a_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    PASSWORD_WORDS
        .iter()
        .chain(&["username", "login", "gebruikersnaam"])
        .any(|word| name.contains(word))
}

fn find_leaks(element: &Element, usernames: &[String], place: &str, leaks: &mut Vec<String>) {
    let names_user = usernames
        .iter()
        .any(|u| !u.is_empty() && element.text.trim() == u);
    if names_a_credential(&element.name) || names_user {
        leaks.push(format!("in {place}, element {}", element.qualified_name()));
        return;
    }
    for child in &element.children {
        find_leaks(child, usernames, place, leaks);
    }
}

fn query_leaks(query: &str, usernames: &[String]) -> Vec<String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            names_a_credential(key) || usernames.iter().any(|u| !u.is_empty() && value == u)
        })
        .map(|pair| {
            format!(
                "in the URL ({})",
                pair.split_once('=').map(|(k, _)| k).unwrap_or(pair)
            )
        })
        .collect()
}

fn find<'a>(element: &'a Element, matches: &dyn Fn(&Element) -> bool) -> Option<&'a Element> {
    if matches(element) {
        return Some(element);
    }
    element.children.iter().find_map(|c| find(c, matches))
}

fn collect<'a>(
    element: &'a Element,
    matches: &dyn Fn(&Element) -> bool,
    out: &mut Vec<&'a Element>,
) {
    if matches(element) {
        out.push(element);
        return;
    }
    for child in &element.children {
        collect(child, matches, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASIC: &str = "Basic Y2VydC0xOnNlY3JldA=="; // cert-1:secret

    fn envelope(header: &str, body: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="{NS}"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    fn inspect(body: &str, query: &str) -> RequestFacts {
        let raw = RawRequest {
            content_type: "text/xml; charset=utf-8",
            authorization: Some(BASIC),
            query,
            body: body.as_bytes(),
        };
        request(&raw, &["cert-1".to_owned()])
    }

    #[test]
    fn a_valid_request_has_no_violation_and_names_its_user() {
        let facts = inspect(&envelope("", "<c:ListActivities/>"), "");
        assert_eq!(facts.contract_violation, None);
        assert_eq!(facts.operation.as_deref(), Some("ListActivities"));
        assert_eq!(
            facts.authentication,
            Authentication::Basic {
                username: "cert-1".into()
            }
        );
        assert!(facts.leaks.is_empty());
    }

    #[test]
    fn credentials_outside_the_headers_are_leaks() {
        let body = envelope(
            "<x:Login xmlns:x=\"urn:dms\"><x:User>cert-1</x:User></x:Login>",
            "<c:ListActivities/>",
        );
        let facts = inspect(&body, "");
        assert_eq!(facts.leaks.len(), 1, "{:?}", facts.leaks);
        assert!(facts.leaks[0].contains("Login"), "{:?}", facts.leaks);
        let facts = inspect(
            &envelope("", "<c:ListActivities/>"),
            "user=cert-1&password=secret",
        );
        assert_eq!(facts.leaks.len(), 2, "{:?}", facts.leaks);
    }

    #[test]
    fn an_invalid_body_is_a_violation_with_the_element() {
        let facts = inspect(
            &envelope(
                "",
                "<c:ListActivities><c:Language>nl</c:Language></c:ListActivities>",
            ),
            "",
        );
        let violation = facts.contract_violation.expect("not valid");
        assert!(violation.contains("Language"), "{violation}");
    }

    #[test]
    fn the_password_is_found_to_be_kept_out_of_the_recording() {
        let raw = RawRequest {
            content_type: "text/xml",
            authorization: Some(BASIC),
            query: "",
            body: b"",
        };
        assert_eq!(secrets(&raw), ["secret"]);
    }
}
