//! What every HTML page shares, and the one place where a page's failure becomes a response:
//! the shell, the stylesheet (a verdict is marked with its `Verdict::slug`), escaping, the
//! security headers, and the mapping of the layers' errors (the caller's reasons are shown,
//! ours are logged).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use maud::{html, Markup, DOCTYPE};

use crate::domain::format::Formatter;
use crate::domain::language::{from_accept_language, Language, Text};

use crate::certification::CertificationError;
use crate::service::ServiceError;
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
textarea{min-height:3.2rem;resize:vertical}select{max-width:100%}.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:.8rem}\
.inline{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.6rem}.inline label{margin:0 0 .25rem}.inline input{width:auto}td .inline input{width:11rem}.card p{margin:.4rem 0}\
.notice{padding:.75rem 1rem;border-radius:.4rem;margin:1rem 0;font-weight:600}\
.notice.done{background:#e5f5ea;border:2px solid #2e8b57;color:#1e6b3f}.notice.error{background:#fdecea;border:2px solid #c0392b;color:#a93226}\
.muted,.hint{color:#5a6b7d}.small{font-size:.85rem}.ok{color:#1e7b45;font-weight:600}.bad{color:#b03a2e;font-weight:600}.wait{color:#8a5a00;font-weight:600}\
code{background:#eef1f5;padding:.1rem .3rem;border-radius:.2rem;font-size:.9em}a{color:#1f5f9e}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:.5rem 0}dt{color:#5a6b7d}dd{margin:0}\
.shots{display:flex;flex-wrap:wrap;gap:.8rem}.shots figure{margin:0}.shots img{max-width:14rem;max-height:10rem;min-width:6rem;min-height:4rem;object-fit:contain;background:#eef1f5;border:1px solid #c9d3dd;border-radius:.3rem;display:block}\
.shots figcaption{font-size:.8rem;color:#5a6b7d;margin-top:.2rem}.actions a{align-self:center}\
main.login{max-width:26rem;margin-top:4rem}.login .card{padding:1.5rem 1.8rem}input.year{width:7rem}\
main.narrow{max-width:44rem;margin-top:2.5rem}footer{margin-top:2rem;font-size:.85rem;color:#5a6b7d}\
.verdict{padding:1rem 1.2rem;border-radius:.5rem;margin:1.5rem 0;font-weight:600}\
.valid{background:#e5f5ea;border:2px solid #2e8b57}.invalid{background:#fdecea;border:2px solid #c0392b}\
.step{padding:1rem 1.2rem;border:2px solid #2f6db5;border-radius:.5rem;background:#eef4fb}.step p{font-size:1.05rem;line-height:1.5}.step h2{margin-top:0}\
code{overflow-wrap:anywhere}\
nav.langs{padding:.3rem 1.5rem}nav.langs a,nav.langs strong{margin-right:.8rem}\
.passed{color:#1e7b45;font-weight:600}.failed{color:#b03a2e;font-weight:600}.awaiting{color:#8a5a00;font-weight:600}.not-exercised{color:#5a6b7d}\
.scroll{overflow-x:auto;max-width:100%}.scroll table{min-width:32rem}dd{overflow-wrap:anywhere;min-width:0}\
form.search{display:flex;gap:.4rem;flex:1 1 14rem;max-width:24rem}form.search input{flex:1;min-width:0;padding:.25rem .5rem;border-radius:.3rem;border:1px solid #7d8fa3}\
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.6rem 1rem;margin:.5rem 0}.filters label{margin:0 0 .2rem}.filters select{font:inherit;padding:.3rem}\
.pager{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin:.8rem 0}\
table.years{max-width:40rem}table.years caption{caption-side:bottom;text-align:left;padding:.4rem .55rem}\
@media (max-width:40rem){table{display:block;overflow-x:auto}.scroll table{display:table}table.years{display:table;font-size:.85rem}table.years th,table.years td{padding:.4rem .3rem}main{padding:0 .75rem;margin-top:1rem}.bar{padding:.5rem .75rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}.card{padding:.8rem}}";

/// A page's short text in four languages, English first as a page is read where it is
/// written; a literal names all four, so no language can be forgotten.
pub fn t(
    lang: Language,
    en: &'static str,
    nl: &'static str,
    fr: &'static str,
    de: &'static str,
) -> &'static str {
    crate::domain::language::Text { nl, fr, de, en }.get(lang)
}

/// The cookie that remembers the language a reader chose with the switch.
const LANGUAGE_COOKIE: &str = "lang";

/// Who reads a page, as far as the page's words go: the language and where the switch's links
/// lead (this page, with its query, in another language).
pub struct Reader {
    pub lang: Language,
    path: String,
    query: Vec<(String, String)>,
}

impl Reader {
    /// `?lang=` (the switch's links) first, then the language the switch remembered, then the
    /// browser's `Accept-Language`, then Dutch (SPEC 3.2's default).
    pub fn of(req: &HttpRequest) -> Reader {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        let asked = query
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Language::parse(v));
        let remembered = || {
            req.cookie(LANGUAGE_COOKIE)
                .and_then(|c| Language::parse(c.value()))
        };
        let browser = || {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        };
        Reader {
            lang: asked
                .or_else(remembered)
                .or_else(browser)
                .unwrap_or_default(),
            path: req.path().to_owned(),
            query: query.into_iter().filter(|(k, _)| k != "lang").collect(),
        }
    }

    /// A reader of `lang` on `path`, for a page that does not follow the reader's choice yet.
    pub fn fixed(lang: Language, path: &str) -> Reader {
        Reader {
            lang,
            path: path.to_owned(),
            query: Vec::new(),
        }
    }

    pub fn fmt(&self) -> Formatter {
        Formatter(self.lang)
    }

    /// This page with `key` set to `value` and the rest of its query kept, but for a one-off
    /// notice (`done`, `subject`) and, when a filter or the order changes, the page number.
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut query: Vec<(String, String)> = self
            .query
            .iter()
            .filter(|(k, _)| k != key && k != "done" && k != "subject")
            .filter(|(k, _)| key == "page" || k != "page")
            .cloned()
            .collect();
        query.push((key.into(), value.into()));
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        format!("{}?{encoded}", self.path)
    }

    /// The query's value of `key`, if any.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This page in `lang`, keeping the rest of its query (a search, a page number).
    pub fn switch_to(&self, lang: Language) -> String {
        let mut query = self.query.clone();
        query.push(("lang".into(), lang.as_str().into()));
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        format!("{}?{encoded}", self.path)
    }
}

/// A handler that takes a `Reader` gets the reader's language as it takes a path or a query.
impl actix_web::FromRequest for Reader {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Reader, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Reader::of(req)))
    }
}

/// A whole page in the reader's language, with the language switch. Every value in `body`
/// was escaped by maud.
pub fn shell(reader: &Reader, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(reader.lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                nav.langs aria-label="Language / Taal / Langue / Sprache" {
                    @for lang in Language::ALL {
                        @if lang == reader.lang {
                            strong lang=(lang.as_str()) { (lang.as_str().to_uppercase()) }
                        } @else {
                            a href=(reader.switch_to(lang)) hreflang=(lang.as_str()) lang=(lang.as_str()) { (lang.as_str().to_uppercase()) }
                        }
                    }
                }
                (body)
            }
        }
    }
}

/// Remembers the language a reader picked with the switch (`?lang=`) for the next pages.
pub async fn remember_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Language::parse(&v));
    let mut response = next.call(req).await?;
    if let Some(lang) = chosen {
        let cookie = actix_web::cookie::Cookie::build(LANGUAGE_COOKIE, lang.as_str())
            .path("/")
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        response.response_mut().add_cookie(&cookie)?;
    }
    Ok(response)
}

/// What every response carries unless it says otherwise: no other site frames a page (the
/// operator page's next-step button cannot be clickjacked), nothing but a page's own inline
/// style and images is loaded, and no browser guesses a type.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
}

/// Pages change with every action and may show what only their reader may see: no cache
/// keeps them (the other security headers come from `security_headers`).
pub fn respond(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// A page for a failure that reaches no page of its own and no reader: its words in the four
/// languages, Dutch first.
fn in_every_language(title: Text, text: Markup) -> String {
    let reader = Reader::fixed(Language::Nl, "/");
    let body = html! {
        main.narrow {
            @for lang in Language::ALL {
                h1 lang=(lang.as_str()) { (title.get(lang)) }
            }
            (text)
        }
    };
    let title = Language::ALL.map(|l| title.get(l)).join(" · ");
    shell(&reader, &title, body).into_string()
}

/// Our own failure, whatever the page: nothing was changed, try again.
pub fn unavailable() -> HttpResponse {
    const TITLE: Text = Text {
        nl: "Het register kan nu niet antwoorden",
        fr: "Le registre ne peut pas répondre pour l'instant",
        de: "Das Register kann gerade nicht antworten",
        en: "The registry cannot answer right now",
    };
    const TEXT: Text = Text {
        nl: "Er werd niets gewijzigd. Probeer het zo meteen opnieuw.",
        fr: "Rien n'a été modifié. Réessayez dans un instant.",
        de: "Es wurde nichts geändert. Versuchen Sie es gleich noch einmal.",
        en: "Nothing was changed. Try again in a moment.",
    };
    let text = html! { @for lang in Language::ALL { p lang=(lang.as_str()) { (TEXT.get(lang)) } } };
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        in_every_language(TITLE, text),
    )
}

/// Why a page could not do what was asked.
#[derive(Debug)]
pub enum Failure {
    /// The caller's reason, shown on the page with this status; nothing was changed.
    Refused(StatusCode, String),
    /// Ours: logged where it was mapped, answered with `unavailable()`.
    Ours,
}

impl Failure {
    /// The answer for a page that has no better place to show a refusal than a page of its own.
    pub fn response(self) -> HttpResponse {
        const REFUSED: Text = Text {
            nl: "Geweigerd",
            fr: "Refusé",
            de: "Abgelehnt",
            en: "Refused",
        };
        match self {
            Failure::Refused(status, message) => respond(
                status,
                in_every_language(REFUSED, html! { p { (message) } }),
            ),
            Failure::Ours => unavailable(),
        }
    }
}

impl Failure {
    /// The same for a client that asked for JSON: `{"error": CODE, "message": ...}`.
    pub fn json_response(self) -> HttpResponse {
        match self {
            Failure::Refused(status, message) => HttpResponse::build(status)
                .json(serde_json::json!({ "error": "REFUSED", "message": message })),
            Failure::Ours => HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "error": "UNAVAILABLE",
                "message": "the registry cannot answer right now; nothing was changed, try again in a moment",
            })),
        }
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Failure {
        log::error!("page: {e}");
        Failure::Ours
    }
}

impl Failure {
    /// A staff action's failure; a refusal is said in the reader's language.
    pub fn staff(error: StaffError, lang: Language) -> Failure {
        let status = match &error {
            StaffError::Service(_) => return Failure::Ours.logged(error),
            StaffError::NotFound(_) => StatusCode::NOT_FOUND,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Failure::Refused(status, error.message(lang))
    }

    fn logged(self, error: impl std::fmt::Display) -> Failure {
        log::error!("page: {error}");
        self
    }
}

impl From<CertificationError> for Failure {
    fn from(error: CertificationError) -> Failure {
        match error {
            CertificationError::Service(e) => e.into(),
            CertificationError::UnknownSession(_) => {
                Failure::Refused(StatusCode::NOT_FOUND, error.to_string())
            }
            CertificationError::NoNextStep { .. } | CertificationError::StepTaken(_) => {
                Failure::Refused(StatusCode::CONFLICT, error.to_string())
            }
            CertificationError::Invalid(message) => {
                Failure::Refused(StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            CertificationError::AlreadySo { .. } => {
                Failure::Refused(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn reader(req: TestRequest) -> Reader {
        Reader::of(&req.to_http_request())
    }

    #[test]
    fn the_switch_wins_over_the_remembered_choice_which_wins_over_the_browser() {
        let browser = || (header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9");
        let remembered = actix_web::cookie::Cookie::new(LANGUAGE_COOKIE, "en");
        let switched = TestRequest::with_uri("/x?lang=fr")
            .insert_header(browser())
            .cookie(remembered.clone());
        assert_eq!(reader(switched).lang, Language::Fr);
        let with_cookie = TestRequest::with_uri("/x")
            .insert_header(browser())
            .cookie(remembered);
        assert_eq!(reader(with_cookie).lang, Language::En);
        let browser_only = TestRequest::with_uri("/x").insert_header(browser());
        assert_eq!(reader(browser_only).lang, Language::De);
        assert_eq!(
            reader(TestRequest::with_uri("/x?lang=xx")).lang,
            Language::Nl
        );
    }

    #[test]
    fn the_switch_keeps_the_pages_query_and_replaces_its_language() {
        let r = reader(TestRequest::with_uri(
            "/staff/search?q=WVW%20ZZZ&lang=nl&page=2",
        ));
        assert_eq!(
            r.switch_to(Language::Fr),
            "/staff/search?q=WVW+ZZZ&page=2&lang=fr"
        );
    }

    #[test]
    fn a_link_with_another_filter_starts_again_at_page_one_and_drops_the_notice() {
        let r = reader(TestRequest::with_uri(
            "/staff?garage=3&page=4&done=accepted&subject=x",
        ));
        assert_eq!(r.with("page", "5"), "/staff?garage=3&page=5");
        assert_eq!(r.with("order", "newest"), "/staff?garage=3&order=newest");
        assert_eq!(r.param("garage"), Some("3"));
    }

    #[test]
    fn the_shell_escapes_the_title_and_names_the_language() {
        let r = reader(TestRequest::with_uri("/verify?lang=de"));
        let page = shell(&r, "<b>x</b>", html! { p { "body" } }).into_string();
        assert!(
            page.starts_with("<!DOCTYPE html><html lang=\"de\">"),
            "{page}"
        );
        assert!(
            page.contains("<title>&lt;b&gt;x&lt;/b&gt;</title>"),
            "{page}"
        );
        assert!(page.contains("href=\"/verify?lang=fr\""), "{page}");
    }
}
