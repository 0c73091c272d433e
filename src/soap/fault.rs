//! SOAP faults: the caller's mistakes (Client / Sender) and ours (Server / Receiver), written in
//! the SOAP version of the request, with a `cp:FaultDetail` that names the code and the element.

use actix_web::http::StatusCode;
use quick_xml::events::BytesText;

use super::encode::{soap_envelope, XmlWriter};
use super::schema::NS;
use super::version::SoapVersion;
use crate::service::auth::AuthError;
use crate::service::ServiceError;

/// Stable fault codes, published in the README (a contract like the issue codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    MalformedXml,
    DtdForbidden,
    BodyTooLarge,
    UnsupportedMediaType,
    VersionMismatch,
    NotAnEnvelope,
    MustUnderstand,
    UnknownOperation,
    SchemaViolation,
    AuthenticationRequired,
    AuthenticationFailed,
    AccountDisabled,
    PasswordDigestNotSupported,
    StaleTimestamp,
    NonceReplayed,
    RoleNotAllowed,
    IssueNumberInvalid,
    IssueNotFound,
    IssueNotAnswerable,
    ReadingNotFound,
    VinInvalid,
    VinUnknown,
    CountryInvalid,
    DateInvalid,
    NothingPending,
    InformexDuplicate,
    RequestTimeout,
    TooManyFailedLogins,
    ServerError,
    ServerBusy,
}

impl FaultCode {
    pub const ALL: [FaultCode; 30] = [
        FaultCode::MalformedXml,
        FaultCode::DtdForbidden,
        FaultCode::BodyTooLarge,
        FaultCode::UnsupportedMediaType,
        FaultCode::VersionMismatch,
        FaultCode::NotAnEnvelope,
        FaultCode::MustUnderstand,
        FaultCode::UnknownOperation,
        FaultCode::SchemaViolation,
        FaultCode::AuthenticationRequired,
        FaultCode::AuthenticationFailed,
        FaultCode::AccountDisabled,
        FaultCode::PasswordDigestNotSupported,
        FaultCode::StaleTimestamp,
        FaultCode::NonceReplayed,
        FaultCode::RoleNotAllowed,
        FaultCode::IssueNumberInvalid,
        FaultCode::IssueNotFound,
        FaultCode::IssueNotAnswerable,
        FaultCode::ReadingNotFound,
        FaultCode::VinInvalid,
        FaultCode::VinUnknown,
        FaultCode::CountryInvalid,
        FaultCode::DateInvalid,
        FaultCode::NothingPending,
        FaultCode::InformexDuplicate,
        FaultCode::RequestTimeout,
        FaultCode::TooManyFailedLogins,
        FaultCode::ServerError,
        FaultCode::ServerBusy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultCode::MalformedXml => "MALFORMED_XML",
            FaultCode::DtdForbidden => "DTD_FORBIDDEN",
            FaultCode::BodyTooLarge => "BODY_TOO_LARGE",
            FaultCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            FaultCode::VersionMismatch => "VERSION_MISMATCH",
            FaultCode::NotAnEnvelope => "NOT_AN_ENVELOPE",
            FaultCode::MustUnderstand => "MUST_UNDERSTAND",
            FaultCode::UnknownOperation => "UNKNOWN_OPERATION",
            FaultCode::SchemaViolation => "SCHEMA_VIOLATION",
            FaultCode::AuthenticationRequired => "AUTHENTICATION_REQUIRED",
            FaultCode::AuthenticationFailed => "AUTHENTICATION_FAILED",
            FaultCode::AccountDisabled => "ACCOUNT_DISABLED",
            FaultCode::PasswordDigestNotSupported => "PASSWORD_DIGEST_NOT_SUPPORTED",
            FaultCode::StaleTimestamp => "STALE_TIMESTAMP",
            FaultCode::NonceReplayed => "NONCE_REPLAYED",
            FaultCode::RoleNotAllowed => "ROLE_NOT_ALLOWED",
            FaultCode::IssueNumberInvalid => "ISSUE_NUMBER_INVALID",
            FaultCode::IssueNotFound => "ISSUE_NOT_FOUND",
            FaultCode::IssueNotAnswerable => "ISSUE_NOT_ANSWERABLE",
            FaultCode::ReadingNotFound => "READING_NOT_FOUND",
            FaultCode::VinInvalid => "VIN_INVALID",
            FaultCode::VinUnknown => "VIN_UNKNOWN",
            FaultCode::CountryInvalid => "COUNTRY_INVALID",
            FaultCode::DateInvalid => "DATE_INVALID",
            FaultCode::NothingPending => "NOTHING_PENDING",
            FaultCode::InformexDuplicate => "INFORMEX_DUPLICATE",
            FaultCode::RequestTimeout => "REQUEST_TIMEOUT",
            FaultCode::TooManyFailedLogins => "TOO_MANY_FAILED_LOGINS",
            FaultCode::ServerError => "SERVER_ERROR",
            FaultCode::ServerBusy => "SERVER_BUSY",
        }
    }

    /// Whose fault: the server's own failures are Server / Receiver faults, worth a retry.
    fn kind(self) -> FaultKind {
        match self {
            FaultCode::VersionMismatch => FaultKind::VersionMismatch,
            FaultCode::MustUnderstand => FaultKind::MustUnderstand,
            FaultCode::ServerError | FaultCode::ServerBusy => FaultKind::Server,
            _ => FaultKind::Client,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    Client,
    Server,
    VersionMismatch,
    MustUnderstand,
}

/// The HTTP Basic challenge that goes with an AuthenticationRequired fault.
pub const BASIC_CHALLENGE: &str = "Basic realm=\"carpass\", charset=\"UTF-8\"";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: FaultCode,
    pub message: String,
    /// The element the fault is about, as a path from the operation element.
    pub element: Option<String>,
    /// When to try again, sent as Retry-After: refusals for load, not for the request.
    pub retry_after: Option<std::time::Duration>,
}

impl Fault {
    pub fn new(code: FaultCode, message: impl Into<String>) -> Fault {
        Fault {
            code,
            message: message.into(),
            element: None,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, wait: std::time::Duration) -> Fault {
        self.retry_after = Some(wait);
        self
    }

    /// Refused for load, not for anything in the request: nothing was stored, send it again
    /// after `wait`.
    pub fn busy(what: &str, wait: std::time::Duration) -> Fault {
        Fault::new(
            FaultCode::ServerBusy,
            format!(
                "the registry is too busy to take this request now ({what}); nothing was stored. \
                 Send it again in {} s with the same ClientReference values",
                wait.as_secs().max(1)
            ),
        )
        .retry_after(wait)
    }

    pub fn at(mut self, element: impl Into<String>) -> Fault {
        self.element = Some(element.into());
        self
    }

    /// A transient failure on our side: the client retries with the same ClientReference.
    pub fn server() -> Fault {
        Fault::new(
            FaultCode::ServerError,
            "the registry could not process the request right now; nothing was stored. \
             Retry later with the same ClientReference values",
        )
    }

    /// WS-I BP 1.1: SOAP 1.1 faults are HTTP 500. SOAP 1.2 puts Sender faults at 400.
    pub fn http_status(&self, version: SoapVersion) -> StatusCode {
        match self.code {
            FaultCode::BodyTooLarge => return StatusCode::PAYLOAD_TOO_LARGE,
            FaultCode::UnsupportedMediaType => return StatusCode::UNSUPPORTED_MEDIA_TYPE,
            FaultCode::AuthenticationRequired => return StatusCode::UNAUTHORIZED,
            FaultCode::RequestTimeout => return StatusCode::REQUEST_TIMEOUT,
            FaultCode::TooManyFailedLogins => return StatusCode::TOO_MANY_REQUESTS,
            FaultCode::ServerBusy => return StatusCode::SERVICE_UNAVAILABLE,
            _ => {}
        }
        match (version, self.code.kind()) {
            (SoapVersion::Soap12, FaultKind::Client) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The fault with its detail in the inflow's namespace.
    pub fn to_xml(&self, version: SoapVersion) -> Vec<u8> {
        self.to_xml_in(version, NS)
    }

    /// The fault with its detail in the namespace of the contract that was called.
    pub fn to_xml_in(&self, version: SoapVersion, ns: &str) -> Vec<u8> {
        soap_envelope(version, |w| {
            w.create_element("soap:Fault").write_inner_content(|w| {
                match version {
                    SoapVersion::Soap11 => {
                        w.create_element("faultcode")
                            .write_text_content(BytesText::new(self.soap11_code()))?;
                        w.create_element("faultstring")
                            .with_attribute(("xml:lang", "en"))
                            .write_text_content(BytesText::new(&self.message))?;
                        w.create_element("detail")
                            .write_inner_content(|w| self.write_detail(w, ns))?;
                    }
                    SoapVersion::Soap12 => {
                        w.create_element("soap:Code").write_inner_content(|w| {
                            w.create_element("soap:Value")
                                .write_text_content(BytesText::new(self.soap12_code()))?;
                            Ok(())
                        })?;
                        w.create_element("soap:Reason").write_inner_content(|w| {
                            w.create_element("soap:Text")
                                .with_attribute(("xml:lang", "en"))
                                .write_text_content(BytesText::new(&self.message))?;
                            Ok(())
                        })?;
                        w.create_element("soap:Detail")
                            .write_inner_content(|w| self.write_detail(w, ns))?;
                    }
                }
                Ok(())
            })?;
            Ok(())
        })
    }

    fn write_detail(&self, w: &mut XmlWriter, ns: &str) -> std::io::Result<()> {
        w.create_element("FaultDetail")
            .with_attribute(("xmlns", ns))
            .write_inner_content(|w| {
                w.create_element("Code")
                    .write_text_content(BytesText::new(self.code.as_str()))?;
                w.create_element("Message")
                    .write_text_content(BytesText::new(&self.message))?;
                if let Some(element) = &self.element {
                    w.create_element("Element")
                        .write_text_content(BytesText::new(element))?;
                }
                Ok(())
            })?;
        Ok(())
    }

    fn soap11_code(&self) -> &'static str {
        match self.code.kind() {
            FaultKind::Client => "soap:Client",
            FaultKind::Server => "soap:Server",
            FaultKind::VersionMismatch => "soap:VersionMismatch",
            FaultKind::MustUnderstand => "soap:MustUnderstand",
        }
    }

    fn soap12_code(&self) -> &'static str {
        match self.code.kind() {
            FaultKind::Client => "soap:Sender",
            FaultKind::Server => "soap:Receiver",
            FaultKind::VersionMismatch => "soap:VersionMismatch",
            FaultKind::MustUnderstand => "soap:MustUnderstand",
        }
    }
}

/// How long a client refused for load is asked to wait.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Every failure of ours becomes a fault here and nowhere else: the client gets a Server fault
/// telling it to retry, the log keeps the cause.
impl From<ServiceError> for Fault {
    fn from(e: ServiceError) -> Fault {
        match e {
            ServiceError::Busy(what) => {
                log::warn!("request refused for load: {what}");
                Fault::busy(&what, BUSY_RETRY)
            }
            e => {
                log::error!("request failed: {e}");
                Fault::server()
            }
        }
    }
}

/// Refused credentials are the caller's; a database that failed during the check is ours.
impl From<AuthError> for Fault {
    fn from(e: AuthError) -> Fault {
        match e {
            AuthError::Failed => Fault::new(FaultCode::AuthenticationFailed, e.to_string()),
            AuthError::Disabled(_) => Fault::new(FaultCode::AccountDisabled, e.to_string()),
            AuthError::Stale { .. } => Fault::new(FaultCode::StaleTimestamp, e.to_string()),
            AuthError::Replayed => Fault::new(FaultCode::NonceReplayed, e.to_string()),
            AuthError::Throttled { retry_after } => {
                Fault::new(FaultCode::TooManyFailedLogins, e.to_string()).retry_after(retry_after)
            }
            AuthError::Busy => Fault::busy(&e.to_string(), BUSY_RETRY),
            AuthError::Storage(cause) => cause.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

    #[test]
    fn every_fault_code_is_distinct() {
        let mut codes: Vec<_> = FaultCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), FaultCode::ALL.len());
    }

    #[test]
    fn a_client_fault_is_written_in_each_soap_version() {
        let fault = Fault::new(FaultCode::SchemaViolation, "'x' is not a date <sic>")
            .at("SubmitReadings/Reading[1]/WorkDate");
        let doc11 = xml::parse(&fault.to_xml(SoapVersion::Soap11)).unwrap();
        let f11 = &doc11.children[0].children[0];
        assert_eq!(f11.children[0].text, "soap:Client");
        assert_eq!(f11.children[1].text, "'x' is not a date <sic>");
        let detail = f11.children[2].child(NS, "FaultDetail").unwrap();
        assert_eq!(detail.child(NS, "Code").unwrap().text, "SCHEMA_VIOLATION");
        assert_eq!(
            detail.child(NS, "Element").unwrap().text,
            "SubmitReadings/Reading[1]/WorkDate"
        );
        assert_eq!(
            fault.http_status(SoapVersion::Soap11),
            StatusCode::INTERNAL_SERVER_ERROR
        );

        let doc12 = xml::parse(&fault.to_xml(SoapVersion::Soap12)).unwrap();
        assert!(doc12.is(SoapVersion::Soap12.namespace(), "Envelope"));
        assert_eq!(
            fault.http_status(SoapVersion::Soap12),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Fault::server().http_status(SoapVersion::Soap12),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
