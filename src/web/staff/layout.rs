//! What every staff page shares: the frame with the nav bar and the logout button, the
//! notices, and the headers that keep staff pages out of caches and out of other sites' frames.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use quick_xml::escape::escape;

use super::session::Staff;
use crate::staff::StaffError;

pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f8fa;line-height:1.4}\
.bar{background:#1d2733;color:#fff;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1.5rem;padding:.55rem 1.5rem}\
.bar nav{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem 1.2rem}.bar a{color:#c9d8ea;text-decoration:none;padding:.2rem 0}\
.bar a:hover{color:#fff}.bar a.current{color:#fff;border-bottom:2px solid #7fb2ec}.bar .brand{color:#fff;font-weight:700;margin-right:.6rem}\
.who{display:flex;align-items:center;gap:.7rem;margin:0;font-size:.9rem;color:#c9d8ea}.who strong{color:#fff}\
.bar button{background:transparent;border:1px solid #7d8fa3;padding:.25rem .8rem;font-size:.85rem}\
main{max-width:68rem;margin:1.5rem auto 3rem;padding:0 1.5rem}h1{font-size:1.45rem;margin:.5rem 0 1rem}h2{font-size:1.12rem;margin:2rem 0 .6rem}\
h3{font-size:1rem;margin:0 0 .5rem}.card{background:#fff;border:1px solid #dde3ea;border-radius:.5rem;padding:1rem 1.2rem;margin:1rem 0}\
table{border-collapse:collapse;width:100%;font-size:.9rem;background:#fff}th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid #dde3ea;vertical-align:top}\
th{color:#5a6b7d;font-weight:600}td.num,th.num{text-align:right}.nowrap{white-space:nowrap}\
button{font:inherit;font-size:.95rem;padding:.45rem 1.1rem;border-radius:.4rem;border:0;background:#2f6db5;color:#fff;cursor:pointer}\
button.danger{background:#b03a2e}button.pass{background:#2e7d4f}\
label{display:block;font-weight:600;margin:.7rem 0 .25rem}label .hint{font-weight:400}\
input[type=text],input[type=password],input[type=date],input[type=number],textarea{font:inherit;padding:.4rem .55rem;border:1px solid #b7c2cf;border-radius:.3rem;width:100%;max-width:30rem;box-sizing:border-box;background:#fff}\
textarea{min-height:3.2rem;resize:vertical}.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:.8rem}\
.inline{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.6rem}.inline label{margin:0 0 .25rem}.inline input{width:auto}td .inline input{width:11rem}.card p{margin:.4rem 0}\
.notice{padding:.75rem 1rem;border-radius:.4rem;margin:1rem 0;font-weight:600}\
.notice.done{background:#e5f5ea;border:2px solid #2e8b57;color:#1e6b3f}.notice.error{background:#fdecea;border:2px solid #c0392b;color:#a93226}\
.muted,.hint{color:#5a6b7d}.small{font-size:.85rem}.ok{color:#1e7b45;font-weight:600}.bad{color:#b03a2e;font-weight:600}.wait{color:#8a5a00;font-weight:600}\
code{background:#eef1f5;padding:.1rem .3rem;border-radius:.2rem;font-size:.9em}a{color:#1f5f9e}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:.5rem 0}dt{color:#5a6b7d}dd{margin:0}\
.shots{display:flex;flex-wrap:wrap;gap:.8rem}.shots figure{margin:0}.shots img{max-width:14rem;max-height:10rem;min-width:6rem;min-height:4rem;object-fit:contain;background:#eef1f5;border:1px solid #c9d3dd;border-radius:.3rem;display:block}\
.shots figcaption{font-size:.8rem;color:#5a6b7d;margin-top:.2rem}.actions a{align-self:center}\
main.login{max-width:26rem;margin-top:4rem}.login .card{padding:1.5rem 1.8rem}input.year{width:7rem}";

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

pub fn e(text: &str) -> String {
    escape(text).into_owned()
}

/// A whole page: `title` is text, `body` is HTML whose every text was escaped.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · Registry staff</title><style>{STYLE}</style></head><body>{body}</body></html>",
        e(title)
    )
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

/// Staff pages are private and change with every action: no cache keeps them, no other site
/// frames them, and nothing but their own inline style and images is loaded.
pub fn respond(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(html)
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

pub fn unavailable() -> HttpResponse {
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        document(
            "Unavailable",
            "<main><h1>The registry cannot answer right now</h1><p>Nothing was changed. Try again in a moment.</p></main>",
        ),
    )
}

/// Why a staff action was refused, to show on the page (it changed nothing); `None` for our
/// own failure, which is logged here and answered with `unavailable()`.
pub fn refusal(error: StaffError) -> Option<(StatusCode, String)> {
    match error {
        StaffError::Service(e) => {
            log::error!("staff page: {e}");
            None
        }
        StaffError::NotFound(message) => Some((StatusCode::NOT_FOUND, message)),
        other => Some((StatusCode::UNPROCESSABLE_ENTITY, other.to_string())),
    }
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
