//! Reading credentials from a request (SPEC 3.2): a WS-Security UsernameToken with
//! PasswordText, or HTTP Basic. PasswordDigest is refused: it would force the registry to keep
//! passwords in a recoverable form.

use base64::Engine;
use chrono::{DateTime, Utc};

use super::fault::{Fault, FaultCode};
use super::xml::Element;
use crate::service::auth::Credentials;

pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const PASSWORD_TEXT: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
pub const PASSWORD_DIGEST: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const PASSWORD_DIGEST_SUFFIX: &str = "#PasswordDigest";

pub fn credentials(headers: &[Element], authorization: Option<&str>) -> Result<Credentials, Fault> {
    if let Some(security) = headers.iter().find(|h| h.is(WSSE, "Security")) {
        let token = username_token(security)?;
        // Two credentials that name different accounts leave open whose request this is:
        // refused, rather than silently taking one of them (SPEC 5.6, C02).
        if let Some(other) = authorization.and_then(|value| basic(value).ok()) {
            if other.username != token.username {
                return Err(failed(&format!(
                    "the WS-Security UsernameToken names '{}' and HTTP Basic names '{}': send the credentials of one account only",
                    token.username, other.username
                )));
            }
        }
        return Ok(token);
    }
    if let Some(value) = authorization {
        return basic(value);
    }
    Err(Fault::new(
        FaultCode::AuthenticationRequired,
        "no credentials: send a WS-Security UsernameToken (PasswordText) in the SOAP header, \
         or HTTP Basic authentication",
    ))
}

fn failed(message: &str) -> Fault {
    Fault::new(FaultCode::AuthenticationFailed, message)
}

fn username_token(security: &Element) -> Result<Credentials, Fault> {
    let token = security.child(WSSE, "UsernameToken").ok_or_else(|| {
        failed("the wsse:Security header has no wsse:UsernameToken; send one with Username and Password")
    })?;
    let username = token
        .child(WSSE, "Username")
        .map(|u| u.text.trim().to_owned())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| failed("the UsernameToken has no wsse:Username"))?;
    let password = token
        .child(WSSE, "Password")
        .ok_or_else(|| failed("the UsernameToken has no wsse:Password"))?;
    let kind = password.attribute(None, "Type").unwrap_or(PASSWORD_TEXT);
    if kind.ends_with(PASSWORD_DIGEST_SUFFIX) {
        return Err(Fault::new(
            FaultCode::PasswordDigestNotSupported,
            "PasswordDigest is not accepted: send the password as PasswordText over TLS. The \
             registry keeps passwords only as slow salted hashes and cannot check a digest",
        ));
    }
    if kind != PASSWORD_TEXT {
        return Err(failed(
            "the wsse:Password Type is unknown; use the PasswordText type",
        ));
    }
    let nonce = token
        .child(WSSE, "Nonce")
        .map(|n| n.text.trim().to_owned())
        .filter(|n| !n.is_empty());
    let created = match token.child(WSU, "Created") {
        Some(created) => Some(
            DateTime::parse_from_rfc3339(created.text.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    Fault::new(
                        FaultCode::StaleTimestamp,
                        format!(
                            "wsu:Created '{}' is not a UTC timestamp like 2026-11-26T12:00:00Z",
                            created.text.trim()
                        ),
                    )
                })?,
        ),
        None => None,
    };
    Ok(Credentials {
        username,
        password: password.text.clone(),
        nonce,
        created,
    })
}

fn basic(header: &str) -> Result<Credentials, Fault> {
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))
        .ok_or_else(|| {
            failed("only HTTP Basic authentication is supported in the Authorization header")
        })?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            failed("the HTTP Basic credentials are not valid base64 of user:password")
        })?;
    let (username, password) = decoded
        .split_once(':')
        .ok_or_else(|| failed("the HTTP Basic credentials are not of the form user:password"))?;
    Ok(Credentials {
        username: username.to_owned(),
        password: password.to_owned(),
        nonce: None,
        created: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

    fn header(token: &str) -> Vec<Element> {
        let doc = format!(
            r#"<h><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>{token}</wsse:UsernameToken></wsse:Security></h>"#
        );
        xml::parse(doc.as_bytes()).unwrap().children
    }

    #[test]
    fn a_password_text_token_with_nonce_and_created_is_read() {
        let h = header(&format!(
            r#"<wsse:Username>garage</wsse:Username><wsse:Password Type="{PASSWORD_TEXT}">s3cret &amp; more</wsse:Password><wsse:Nonce>bm9uY2U=</wsse:Nonce><wsu:Created>2026-11-26T12:00:00Z</wsu:Created>"#
        ));
        let c = credentials(&h, None).unwrap();
        assert_eq!(c.username, "garage");
        assert_eq!(c.password, "s3cret & more");
        assert_eq!(c.nonce.as_deref(), Some("bm9uY2U="));
        assert_eq!(c.created.unwrap().to_rfc3339(), "2026-11-26T12:00:00+00:00");
    }

    #[test]
    fn a_password_without_type_is_password_text() {
        let h = header("<wsse:Username>g</wsse:Username><wsse:Password>p</wsse:Password>");
        assert_eq!(credentials(&h, None).unwrap().password, "p");
    }

    #[test]
    fn password_digest_is_refused_with_advice() {
        let h = header(
            r#"<wsse:Username>g</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">x</wsse:Password>"#,
        );
        let fault = credentials(&h, None).unwrap_err();
        assert_eq!(fault.code, FaultCode::PasswordDigestNotSupported);
        assert!(fault.message.contains("PasswordText"));
    }

    #[test]
    fn a_token_and_http_basic_for_another_account_are_refused_for_the_same_one_taken() {
        let h = header("<wsse:Username>garage</wsse:Username><wsse:Password>p</wsse:Password>");
        // "other:pw" and "garage:pw"
        let fault = credentials(&h, Some("Basic b3RoZXI6cHc=")).unwrap_err();
        assert_eq!(fault.code, FaultCode::AuthenticationFailed);
        assert!(fault.message.contains("'garage'") && fault.message.contains("'other'"));
        assert_eq!(
            credentials(&h, Some("Basic Z2FyYWdlOnB3"))
                .unwrap()
                .password,
            "p"
        );
    }

    #[test]
    fn http_basic_is_read_when_there_is_no_security_header() {
        let c = credentials(&[], Some("Basic Z2FyYWdlOnBhOnNz")).unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("garage", "pa:ss")
        );
        assert_eq!(
            credentials(&[], Some("Bearer x")).unwrap_err().code,
            FaultCode::AuthenticationFailed
        );
        assert_eq!(
            credentials(&[], None).unwrap_err().code,
            FaultCode::AuthenticationRequired
        );
    }
}
