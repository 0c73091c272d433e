//! What every staff page shares: the frame with the nav bar and the logout button, the
//! notices, and the headers that keep staff pages out of caches and out of other sites' frames.

use actix_web::http::header;
use actix_web::HttpResponse;

use super::session::Staff;
use crate::web::page::{self, e};

/// The staff pages, in the nav bar's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Review,
    PaperForm,
    Certification,
    Approvals,
    TrustedProviders,
}

impl Nav {
    const ALL: [Nav; 5] = [
        Nav::Review,
        Nav::PaperForm,
        Nav::Certification,
        Nav::Approvals,
        Nav::TrustedProviders,
    ];

    fn link(self) -> (&'static str, &'static str) {
        match self {
            Nav::Review => ("/staff", "Review queue"),
            Nav::PaperForm => ("/staff/paper-form", "Paper form"),
            Nav::Certification => ("/staff/certification", "Certification"),
            Nav::Approvals => ("/staff/approvals", "Approvals"),
            Nav::TrustedProviders => ("/staff/trusted-providers", "Trusted Providers"),
        }
    }
}

/// What an action did, or why it did nothing, shown at the top of the page.
pub enum Notice {
    Done(String),
    Error(String),
}

impl Notice {
    fn html(&self) -> String {
        let (class, role, text) = match self {
            Notice::Done(text) => ("done", "status", text),
            Notice::Error(text) => ("error", "alert", text),
        };
        format!(
            "<p class=\"notice {class}\" role=\"{role}\">{}</p>",
            e(text)
        )
    }
}

/// A whole staff page: `title` is text, `body` is HTML whose every text was escaped.
pub fn document(title: &str, body: &str) -> String {
    page::document("en", &format!("{title} · Registry staff"), body)
}

/// A staff page with the nav bar, who is logged in and the logout button.
pub fn page(me: &Staff, current: Nav, title: &str, notice: Option<&Notice>, body: &str) -> String {
    let links: String = Nav::ALL
        .iter()
        .map(|&nav| {
            let (href, label) = nav.link();
            if nav == current {
                format!("<a class=\"current\" href=\"{href}\" aria-current=\"page\">{label}</a>")
            } else {
                format!("<a href=\"{href}\">{label}</a>")
            }
        })
        .collect();
    document(
        title,
        &format!(
            "<header class=\"bar\"><nav><a class=\"brand\" href=\"/staff\">Odometer registry · staff</a>{links}</nav>\
<form class=\"who\" method=\"post\" action=\"/staff/logout\"><span>Logged in as <strong>{user}</strong></span>{csrf}\
<button type=\"submit\">Log out</button></form></header><main><h1>{title}</h1>{notice}{body}</main>",
            user = e(&me.username),
            csrf = me.csrf_field(),
            title = e(title),
            notice = notice.map(Notice::html).unwrap_or_default(),
        ),
    )
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// After a successful action: back to the page, which says what was done.
pub fn done(path: &str, what: &str, subject: &str) -> HttpResponse {
    let join = if path.contains('?') { '&' } else { '?' };
    see_other(&format!(
        "{path}{join}done={what}&subject={}",
        percent_encode(subject)
    ))
}

/// The confirmation for `?done=...&subject=...`; only known actions are confirmed.
pub fn confirmation(done: Option<&str>, subject: Option<&str>) -> Option<Notice> {
    let subject = subject.unwrap_or("");
    let text = match done? {
        "accepted" => format!("Reading {subject} accepted."),
        "rejected" => format!("Reading {subject} rejected."),
        "paper-form" => format!("Paper form applied: reading {subject}."),
        "verdict" => format!("Staff verdict recorded for {subject}."),
        "evaluated" => format!("Evaluated again: {subject}."),
        "approved" => format!("Approved: {subject}."),
        "revoked" => format!("Approval {subject} revoked."),
        "published" => format!("The Trusted Provider list {subject} is published."),
        _ => return None,
    };
    Some(Notice::Done(text))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form field, trimmed; `None` when left empty.
pub fn filled(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_survives_the_query_string() {
        assert_eq!(
            percent_encode("Acme DMS 4.2 & co"),
            "Acme%20DMS%204.2%20%26%20co"
        );
    }

    #[test]
    fn only_known_actions_are_confirmed() {
        assert!(confirmation(Some("anything"), Some("x")).is_none());
        assert!(
            matches!(confirmation(Some("revoked"), Some("ab12")), Some(Notice::Done(t)) if t == "Approval ab12 revoked.")
        );
    }
}
