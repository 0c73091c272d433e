//! The SOAP envelope: which version, the header blocks, and the one operation element in the Body.

use super::fault::{Fault, FaultCode};
use super::version::{SoapVersion, SOAP11_NS, SOAP12_NS};
use super::xml::{self, Element, XmlError};

const WSA_2005: &str = "http://www.w3.org/2005/08/addressing";
const WSA_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";

#[derive(Debug)]
pub struct Envelope {
    pub version: SoapVersion,
    pub headers: Vec<Element>,
    /// The operation element: document/literal wrapped puts exactly one in the Body.
    pub operation: Element,
}

/// Header blocks this server processes; any other one marked mustUnderstand is refused.
fn understood(block: &Element) -> bool {
    block.is(super::security::WSSE, "Security")
        || block.is(super::schema::NS, "ClientInfo")
        || block.is(super::feeds::NS, "ClientInfo")
        || matches!(block.namespace.as_deref(), Some(WSA_2005 | WSA_2004))
}

pub fn parse(bytes: &[u8], version: SoapVersion) -> Result<Envelope, Fault> {
    let root = xml::parse(bytes).map_err(|e| match e {
        XmlError::DoctypeForbidden => Fault::new(FaultCode::DtdForbidden, e.to_string()),
        other => Fault::new(FaultCode::MalformedXml, other.to_string()),
    })?;
    if &*root.name != "Envelope" {
        return Err(Fault::new(
            FaultCode::NotAnEnvelope,
            format!(
                "the root element is {}, not a {} Envelope in the namespace {}",
                root.qualified_name(),
                version.name(),
                version.namespace()
            ),
        ));
    }
    if root.namespace.as_deref() != Some(version.namespace()) {
        let sent = match root.namespace.as_deref() {
            Some(SOAP11_NS) => "a SOAP 1.1 envelope".to_owned(),
            Some(SOAP12_NS) => "a SOAP 1.2 envelope".to_owned(),
            _ => format!(
                "an Envelope in the namespace {:?}",
                root.namespace.as_deref().unwrap_or("")
            ),
        };
        return Err(Fault::new(
            FaultCode::VersionMismatch,
            format!(
                "the Content-Type announces {} but the body is {sent}; send SOAP 1.1 as text/xml \
                 and SOAP 1.2 as application/soap+xml",
                version.name()
            ),
        ));
    }
    let env_ns = version.namespace();
    let mut children = root.children.into_iter();
    let mut next = children.next();
    let mut headers = Vec::new();
    if let Some(header) = next.take_if(|e| e.is(env_ns, "Header")) {
        headers = header.children;
        next = children.next();
    }
    let body = match next {
        Some(body) if body.is(env_ns, "Body") => body,
        Some(other) => {
            return Err(Fault::new(
                FaultCode::NotAnEnvelope,
                format!("expected the soap:Body, found {}", other.qualified_name()),
            ))
        }
        None => {
            return Err(Fault::new(
                FaultCode::NotAnEnvelope,
                "the Envelope has no Body",
            ))
        }
    };
    if let Some(extra) = children.next() {
        return Err(Fault::new(
            FaultCode::NotAnEnvelope,
            format!(
                "nothing may follow the soap:Body, found {}",
                extra.qualified_name()
            ),
        ));
    }
    for block in &headers {
        let must = block
            .attribute(Some(env_ns), "mustUnderstand")
            .is_some_and(|v| matches!(v.trim(), "1" | "true"));
        if must && !understood(block) {
            return Err(Fault::new(
                FaultCode::MustUnderstand,
                format!(
                    "the header block {} is marked mustUnderstand but this service does not process it",
                    block.qualified_name()
                ),
            ));
        }
    }
    let mut operations = body.children.into_iter();
    let operation = operations.next().ok_or_else(|| {
        Fault::new(
            FaultCode::UnknownOperation,
            "the soap:Body is empty; it must hold one operation element",
        )
    })?;
    if let Some(extra) = operations.next() {
        return Err(Fault::new(
            FaultCode::SchemaViolation,
            format!(
                "the soap:Body holds more than one element ({} after {}); send one operation per request",
                extra.name, operation.name
            ),
        ));
    }
    Ok(Envelope {
        version,
        headers,
        operation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(ns: &str, header: &str, body: &str) -> String {
        format!(
            r#"<e:Envelope xmlns:e="{ns}"><e:Header>{header}</e:Header><e:Body>{body}</e:Body></e:Envelope>"#
        )
    }

    #[test]
    fn the_content_type_names_the_soap_version() {
        assert_eq!(
            SoapVersion::from_content_type("text/xml; charset=utf-8"),
            Some(SoapVersion::Soap11)
        );
        assert_eq!(
            SoapVersion::from_content_type("application/soap+xml;charset=UTF-8;action=\"urn:x\""),
            Some(SoapVersion::Soap12)
        );
        assert_eq!(SoapVersion::from_content_type("application/json"), None);
    }

    #[test]
    fn the_operation_element_is_found_in_either_version() {
        for version in [SoapVersion::Soap11, SoapVersion::Soap12] {
            let doc = envelope(
                version.namespace(),
                "",
                r#"<ListActivities xmlns="urn:carpass:inflow:1"/>"#,
            );
            let env = parse(doc.as_bytes(), version).unwrap();
            assert!(env.operation.is(super::super::schema::NS, "ListActivities"));
        }
    }

    #[test]
    fn a_soap12_envelope_under_a_soap11_content_type_is_a_version_mismatch() {
        let doc = envelope(SOAP12_NS, "", "<x/>");
        let fault = parse(doc.as_bytes(), SoapVersion::Soap11).unwrap_err();
        assert_eq!(fault.code, FaultCode::VersionMismatch);
        assert!(
            fault.message.contains("application/soap+xml"),
            "{}",
            fault.message
        );
    }

    #[test]
    fn an_unknown_must_understand_header_is_refused_and_addressing_is_understood() {
        let header = r#"<t:Tx xmlns:t="urn:tx" e:mustUnderstand="1"/>"#;
        let doc = envelope(SOAP11_NS, header, "<x/>");
        assert_eq!(
            parse(doc.as_bytes(), SoapVersion::Soap11).unwrap_err().code,
            FaultCode::MustUnderstand
        );
        let header = r#"<a:Action xmlns:a="http://www.w3.org/2005/08/addressing" e:mustUnderstand="1">x</a:Action>"#;
        let doc = envelope(SOAP11_NS, header, "<x/>");
        assert!(parse(doc.as_bytes(), SoapVersion::Soap11).is_ok());
        let optional = r#"<t:Tx xmlns:t="urn:tx"/>"#;
        assert!(parse(
            envelope(SOAP11_NS, optional, "<x/>").as_bytes(),
            SoapVersion::Soap11
        )
        .is_ok());
    }

    #[test]
    fn an_empty_body_or_two_operations_are_refused() {
        assert_eq!(
            parse(envelope(SOAP11_NS, "", "").as_bytes(), SoapVersion::Soap11)
                .unwrap_err()
                .code,
            FaultCode::UnknownOperation
        );
        assert_eq!(
            parse(
                envelope(SOAP11_NS, "", "<x/><y/>").as_bytes(),
                SoapVersion::Soap11
            )
            .unwrap_err()
            .code,
            FaultCode::SchemaViolation
        );
        assert_eq!(
            parse(b"<Envelope/>", SoapVersion::Soap11).unwrap_err().code,
            FaultCode::VersionMismatch
        );
        assert_eq!(
            parse(b"<html/>", SoapVersion::Soap11).unwrap_err().code,
            FaultCode::NotAnEnvelope
        );
    }
}
