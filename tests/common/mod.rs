//! What the process-level tests (concurrency, crash) share: SOAP requests as raw HTTP bytes,
//! and reading a chunked body back.

pub const NS: &str = "urn:carpass:inflow:1";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const PASSWORD: &str = "correct horse battery staple";

pub fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// A SOAP 1.1 request of `user` with the given body element, as a complete HTTP request.
pub fn soap_request(user: &str, body: &str) -> Vec<u8> {
    let header = format!(
        r#"<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{PASSWORD}</wsse:Password></wsse:UsernameToken></wsse:Security><ci:ClientInfo xmlns:ci="{NS}"><ci:Language>en</ci:Language><ci:SoftwareBuilder>Garagesoft NV</ci:SoftwareBuilder><ci:SoftwareName>WerkplaatsPro</ci:SoftwareName><ci:SoftwareVersion>7.2.1</ci:SoftwareVersion></ci:ClientInfo>"#
    );
    let envelope = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP11}"><env:Header>{header}</env:Header><env:Body>{body}</env:Body></env:Envelope>"#
    );
    let mut request = format!(
        "POST /soap/inflow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        envelope.len()
    )
    .into_bytes();
    request.extend_from_slice(envelope.as_bytes());
    request
}
