//! The two SOAP versions (SPEC 3.1): a leaf that the parser, the encoder, the faults and the
//! security header all name, so that none of them needs another to know which version it is.

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    Soap11,
    Soap12,
}

impl SoapVersion {
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NS,
            SoapVersion::Soap12 => SOAP12_NS,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml; charset=utf-8",
            SoapVersion::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// SOAP 1.1 travels as text/xml, SOAP 1.2 as application/soap+xml (SPEC 3.1).
    pub fn from_content_type(content_type: &str) -> Option<SoapVersion> {
        let media_type = content_type.split(';').next()?.trim();
        if media_type.eq_ignore_ascii_case("text/xml") {
            Some(SoapVersion::Soap11)
        } else if media_type.eq_ignore_ascii_case("application/soap+xml") {
            Some(SoapVersion::Soap12)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "SOAP 1.1",
            SoapVersion::Soap12 => "SOAP 1.2",
        }
    }
}
