//! What every staff page shares: the frame with the nav bar and the logout button, the
//! notices, and the headers that keep staff pages out of caches and out of other sites' frames.

use actix_web::http::header;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::session::Staff;
use crate::domain::language::Text;
use crate::web::page::{self, e, Reader};

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

    fn label(self) -> Text {
        match self {
            Nav::Review => Text {
                nl: "Controlelijst",
                fr: "File de contrôle",
                de: "Prüfliste",
                en: "Review queue",
            },
            Nav::PaperForm => Text {
                nl: "Papieren formulier",
                fr: "Formulaire papier",
                de: "Papierformular",
                en: "Paper form",
            },
            Nav::Certification => Text {
                nl: "Certificatie",
                fr: "Certification",
                de: "Zertifizierung",
                en: "Certification",
            },
            Nav::Approvals => Text {
                nl: "Erkenningen",
                fr: "Agréments",
                de: "Zulassungen",
                en: "Approvals",
            },
            Nav::TrustedProviders => Text {
                nl: "Trusted Providers",
                fr: "Trusted Providers",
                de: "Trusted Providers",
                en: "Trusted Providers",
            },
        }
    }

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

/// A staff page not yet written with maud: English, in the same frame.
pub fn page(me: &Staff, current: Nav, title: &str, notice: Option<&Notice>, body: &str) -> String {
    let reader = Reader::fixed(crate::domain::language::Language::En, current.link().0);
    frame(
        &reader,
        me,
        current,
        title,
        notice,
        PreEscaped(body.to_owned()),
    )
    .into_string()
}

/// A staff page with the nav bar, who is logged in and the logout button, in the reader's
/// language.
pub fn frame(
    reader: &Reader,
    me: &Staff,
    current: Nav,
    title: &str,
    notice: Option<&Notice>,
    body: Markup,
) -> Markup {
    const BRAND: Text = Text {
        nl: "Kilometerregister · personeel",
        fr: "Registre kilométrique · personnel",
        de: "Kilometerregister · Personal",
        en: "Odometer registry · staff",
    };
    const LOGGED_IN_AS: Text = Text {
        nl: "Aangemeld als",
        fr: "Connecté en tant que",
        de: "Angemeldet als",
        en: "Logged in as",
    };
    const LOG_OUT: Text = Text {
        nl: "Afmelden",
        fr: "Se déconnecter",
        de: "Abmelden",
        en: "Log out",
    };
    let lang = reader.lang;
    let body = html! {
        header.bar {
            nav {
                a.brand href="/staff" { (BRAND.get(lang)) }
                @for nav in Nav::ALL {
                    @let (href, _) = nav.link();
                    @if nav == current {
                        a.current href=(href) aria-current="page" { (nav.label().get(lang)) }
                    } @else {
                        a href=(href) { (nav.label().get(lang)) }
                    }
                }
            }
            form.who method="post" action="/staff/logout" {
                span { (LOGGED_IN_AS.get(lang)) " " strong { (me.username) } }
                (PreEscaped(me.csrf_field()))
                button type="submit" { (LOG_OUT.get(lang)) }
            }
        }
        main {
            h1 { (title) }
            @if let Some(notice) = notice { (PreEscaped(notice.html())) }
            (body)
        }
    };
    page::shell(reader, &format!("{title} · {}", BRAND.get(lang)), body)
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
        "commented" => format!("Comment on session {subject} recorded."),
        "overridden" => format!("Override recorded and evaluated again: {subject}."),
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
