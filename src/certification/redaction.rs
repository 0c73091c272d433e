//! What the recording may keep of a request: never a password, in any form, whatever the
//! request looks like (issue 19). The Security header is cut out textually, so that a request
//! that does not parse, or spells its password with character references, entities or CDATA
//! sections, loses it as surely as a clean one; a body that cannot be made safe that way is not
//! kept at all.

use crate::domain::certification::facts::Authentication;
use crate::soap::inspect::PASSWORD_WORDS;
use crate::soap::security::{PASSWORD_DIGEST, PASSWORD_TEXT, WSSE};

/// What stands for a password that is not kept.
pub const MASK: &str = "********";

/// No account has a shorter password (`service::passwords::MIN_PASSWORD_CHARS`): a shorter
/// string sent as one is no account's secret, and replacing it everywhere would only corrupt
/// the recording (a wrong password `x` is in every `xmlns`).
const MIN_SECRET_CHARS: usize = crate::service::passwords::MIN_PASSWORD_CHARS;

#[derive(Debug, PartialEq, Eq)]
pub enum Redacted {
    Kept(Vec<u8>),
    /// Why nothing of the body is kept.
    Withheld(&'static str),
}

/// The body with every Security header block (from the first `<…Security` start tag to the
/// last end tag, whatever the prefix or case) replaced by one that names the user only, and
/// any long secret masked elsewhere. Withheld when a DOCTYPE could hide the password in an
/// entity, when a Security header has no end, or when a password element remains outside it.
pub fn body(body: &[u8], authentication: &Authentication, secrets: &[String]) -> Redacted {
    if find_ci(body, b"<!doctype", 0).is_some() || find_ci(body, b"<!entity", 0).is_some() {
        return Redacted::Withheld(
            "the request declares a DOCTYPE, which can carry its password in an entity: \
             only its size is kept",
        );
    }
    let (before, after, block) = match (first_start_tag(body), last_end_tag(body)) {
        (None, _) => (body, &body[body.len()..], Vec::new()),
        (Some((start, _)), Some(end)) if end > start => {
            (&body[..start], &body[end..], security_block(authentication))
        }
        (Some((start, Some(tag_end))), _) => (
            &body[..start],
            &body[tag_end..],
            security_block(authentication),
        ),
        (Some(_), _) => {
            return Redacted::Withheld(
                "the request's Security header has no end tag: only its size is kept",
            )
        }
    };
    let names_a_password = |part: &[u8]| {
        PASSWORD_WORDS
            .iter()
            .any(|word| find_ci(part, word.as_bytes(), 0).is_some())
    };
    if names_a_password(before) || names_a_password(after) {
        return Redacted::Withheld(
            "the request names a password outside a complete Security header: only its size is kept",
        );
    }
    let mut kept = mask(before, secrets);
    kept.extend_from_slice(&block);
    kept.extend_from_slice(&mask(after, secrets));
    Redacted::Kept(kept)
}

/// `text` with every long secret (raw or XML-escaped) replaced by the mask.
pub fn mask_text(text: &str, secrets: &[String]) -> String {
    String::from_utf8_lossy(&mask(text.as_bytes(), secrets)).into_owned()
}

pub fn mask(bytes: &[u8], secrets: &[String]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for secret in secrets
        .iter()
        .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
    {
        let escaped = quick_xml::escape::escape(secret.as_str());
        for needle in [secret.as_bytes(), escaped.as_bytes()] {
            bytes = replace_all(&bytes, needle, MASK.as_bytes());
        }
    }
    bytes
}

/// The Security header as the evaluation needs it: who authenticated and how, no password.
fn security_block(authentication: &Authentication) -> Vec<u8> {
    let (username, kind) = match authentication {
        Authentication::UsernameToken { username } => (username, PASSWORD_TEXT),
        Authentication::PasswordDigest { username } => (username, PASSWORD_DIGEST),
        Authentication::None | Authentication::Basic { .. } => {
            return b"<!-- carpass: the Security header is not kept -->".to_vec()
        }
    };
    format!(
        "<wsse:Security xmlns:wsse=\"{WSSE}\"><wsse:UsernameToken><wsse:Username>{}</wsse:Username>\
<wsse:Password Type=\"{kind}\">{MASK}</wsse:Password></wsse:UsernameToken></wsse:Security>",
        quick_xml::escape::escape(username.as_str())
    )
    .into_bytes()
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')
}

/// The tag name starting at `at`, if its local part (after any prefix) is `Security`.
fn names_security(bytes: &[u8], at: usize) -> Option<usize> {
    let len = bytes[at..].iter().take_while(|b| is_name_byte(**b)).count();
    let name = &bytes[at..at + len];
    let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
    local.eq_ignore_ascii_case(b"security").then_some(at + len)
}

/// Where the first Security start tag begins, and where it ends when it closes itself.
fn first_start_tag(bytes: &[u8]) -> Option<(usize, Option<usize>)> {
    let mut from = 0;
    while let Some(lt) = bytes[from..]
        .iter()
        .position(|b| *b == b'<')
        .map(|i| i + from)
    {
        if let Some(after) = names_security(bytes, lt + 1) {
            if matches!(bytes.get(after), Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            {
                let close = bytes[after..]
                    .iter()
                    .position(|b| *b == b'>')
                    .map(|i| after + i);
                let self_closing = close.filter(|c| bytes[c - 1] == b'/').map(|c| c + 1);
                return Some((lt, self_closing));
            }
        }
        from = lt + 1;
    }
    None
}

/// Just past the last Security end tag.
fn last_end_tag(bytes: &[u8]) -> Option<usize> {
    let mut found = None;
    let mut from = 0;
    while let Some(at) = find_ci(bytes, b"</", from) {
        if let Some(after) = names_security(bytes, at + 2) {
            let rest = &bytes[after..];
            let spaces = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if rest.get(spaces) == Some(&b'>') {
                found = Some(after + spaces + 1);
            }
        }
        from = at + 2;
    }
    found
}

fn find_ci(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| i + from)
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

    const SECRET: &str = "correct-horse-battery";

    fn user() -> Authentication {
        Authentication::UsernameToken {
            username: "cert-1".into(),
        }
    }

    fn kept(body: &str) -> String {
        match super::body(body.as_bytes(), &user(), &[SECRET.to_owned()]) {
            Redacted::Kept(kept) => String::from_utf8(kept).unwrap(),
            Redacted::Withheld(why) => panic!("withheld: {why}"),
        }
    }

    #[test]
    fn the_security_header_is_replaced_by_one_with_the_user_only_whatever_its_prefix_and_case() {
        let body = "<S:Envelope xmlns:S=\"s\"><S:Header><Sec:SECURITY xmlns:Sec=\"x\"><Sec:UsernameToken>\
<Sec:Username>cert-1</Sec:Username><Sec:Password>&#113;<![CDATA[zqk]]><![CDATA[vbn]]></Sec:Password>\
</Sec:UsernameToken></Sec:SECURITY></S:Header><S:Body><x/></S:Body></S:Envelope>";
        let kept = kept(body);
        assert!(
            !kept.contains("&#113;") && !kept.contains("zqk") && !kept.contains("vbn"),
            "{kept}"
        );
        assert!(kept.contains("<wsse:Username>cert-1</wsse:Username>"));
        assert!(kept.ends_with("</S:Header><S:Body><x/></S:Body></S:Envelope>"));
    }

    #[test]
    fn a_short_wrong_password_leaves_the_rest_of_the_xml_alone() {
        let body =
            "<e xmlns=\"x\"><s:Security><s:Password>x</s:Password></s:Security><b>xyz</b></e>";
        let kept = match super::body(body.as_bytes(), &user(), &["x".to_owned()]) {
            Redacted::Kept(kept) => String::from_utf8(kept).unwrap(),
            Redacted::Withheld(why) => panic!("{why}"),
        };
        assert!(kept.starts_with("<e xmlns=\"x\"><wsse:Security"));
        assert!(kept.ends_with("<b>xyz</b></e>"));
    }

    #[test]
    fn a_long_secret_is_masked_outside_the_header_raw_and_escaped() {
        let secret = "a&b-long-enough-secret";
        let body = format!("<e>{secret}<f>a&amp;b-long-enough-secret</f></e>");
        let kept = match super::body(body.as_bytes(), &user(), &[secret.to_owned()]) {
            Redacted::Kept(kept) => String::from_utf8(kept).unwrap(),
            Redacted::Withheld(why) => panic!("{why}"),
        };
        assert_eq!(kept, "<e>********<f>********</f></e>");
    }

    #[test]
    fn what_cannot_be_made_safe_is_withheld() {
        for body in [
            "<!DOCTYPE e [<!ENTITY p \"secret\">]><e><s:Security>&p;</s:Security></e>",
            "<e><wsse:Security><wsse:Password>secret",
            "<e><UsernameToken><Password>secret</Password></UsernameToken></e>",
            "<e><Security><Password>a</Password></Security><Password>b</Password></e>",
            "<e><Body><Wachtwoord>secret</Wachtwoord></Body></e>",
        ] {
            assert!(
                matches!(
                    super::body(body.as_bytes(), &user(), &[]),
                    Redacted::Withheld(_)
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn a_self_closing_security_header_is_replaced_too() {
        let kept = kept("<e><wsse:Security a=\"1\"/><b/></e>");
        assert!(kept.starts_with("<e><wsse:Security xmlns:wsse="));
        assert!(kept.ends_with("</wsse:Security><b/></e>"));
    }

    #[test]
    fn a_request_without_credentials_is_kept_as_it_is() {
        assert_eq!(kept("<e><b>1</b></e>"), "<e><b>1</b></e>");
    }
}
