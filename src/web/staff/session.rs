//! Logging in and out, the session cookie and the CSRF token. A session is a random token in
//! an HttpOnly, SameSite=Strict cookie; the database keeps only its SHA-256, so a copy of the
//! database lets no one in. Every form carries the session's CSRF token as well.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use maud::html;

use super::layout::{see_other, Notice};
use crate::app::AppState;
use crate::db::accounts;
use crate::db::staff_sessions::{self, StaffSessionRow};
use crate::metrics::Channel;
use crate::service::auth::{AuthError, Credentials, Role};
use crate::service::ServiceError;
use crate::settings::Settings;
use crate::web::page::{self, respond, shell, t, Failure, Reader};

const COOKIE: &str = "carpass_staff";
const LIFETIME: Duration = Duration::hours(8);
const LOGIN_PATH: &str = "/staff/login";

/// The staff member of a live session. Taking it as an argument is what makes a handler
/// reachable only with one: without it, a page redirects to the login page and an action is
/// refused.
pub struct Staff {
    pub username: String,
    csrf: String,
    token_hash: String,
}

impl Staff {
    /// The hidden field every form of a staff page carries.
    pub fn csrf_input(&self) -> maud::Markup {
        maud::html! { input type="hidden" name="csrf" value=(self.csrf); }
    }

    fn csrf_matches(&self, sent: &str) -> bool {
        // Constant time: how much of a guess matched must not show in the answer's timing.
        self.csrf.len() == sent.len()
            && self
                .csrf
                .bytes()
                .zip(sent.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl FromRequest for Staff {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            current(&req).await.map_err(|response| {
                InternalError::from_response("no staff session", response).into()
            })
        })
    }
}

/// A form of a staff page: it says which CSRF token it carries.
pub trait Protected {
    fn csrf(&self) -> &str;
}

/// A staff action: a live session, and a form that carries that session's CSRF token.
pub struct Action<T> {
    pub me: Staff,
    pub form: T,
}

impl<T: DeserializeOwned + Protected + 'static> FromRequest for Action<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Action<T>, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let me = Staff::from_request(&req, &mut Payload::None).await?;
            let form = web::Form::<T>::from_request(&req, &mut payload)
                .await?
                .into_inner();
            if !me.csrf_matches(form.csrf()) {
                return Err(
                    InternalError::from_response("wrong CSRF token", csrf_refused(&req)).into(),
                );
            }
            Ok(Action { me, form })
        })
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn token_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Secure when the client reached us over TLS (ours, or a configured proxy's).
fn cookie(req: &HttpRequest, settings: &Settings, value: &str, max_age: i64) -> String {
    cookie_value(value, max_age, crate::app::is_secure(req, settings))
}

fn cookie_value(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/staff; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

async fn current(req: &HttpRequest) -> Result<Staff, HttpResponse> {
    let Some(token) = token_of(req) else {
        return Err(refuse(req, false));
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        log::error!("staff pages: the application state is not registered");
        return Err(page::unavailable());
    };
    let token_hash = digest(&token);
    let now = state.clock.now().naive_utc();
    let lookup = token_hash.clone();
    let found = state
        .run(move |conn| -> Result<_, ServiceError> {
            let Some(session) = staff_sessions::find_live(conn, &lookup, now)? else {
                return Ok(None);
            };
            // An account that lost the staff role, was disabled or is gone, loses its sessions
            // with it, on their next request.
            let still_staff =
                accounts::find_by_username(conn, &session.username)?.is_some_and(|account| {
                    account.role == Role::Staff.as_str() && account.disabled_at.is_none()
                });
            Ok(still_staff.then_some(session))
        })
        .await;
    match found {
        Ok(Some(session)) => Ok(Staff {
            username: session.username,
            csrf: session.csrf_token,
            token_hash,
        }),
        Ok(None) => Err(refuse(req, true)),
        Err(error) => Err(Failure::from(error).response()),
    }
}

/// No live session: a page sends the browser to the login page (and drops a dead cookie); an
/// action is refused and changes nothing.
fn refuse(req: &HttpRequest, dead_cookie: bool) -> HttpResponse {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        let mut response = see_other(LOGIN_PATH);
        if dead_cookie {
            let secure = req
                .app_data::<web::Data<AppState>>()
                .is_some_and(|state| crate::app::is_secure(req, &state.settings));
            let expired = cookie_value("", 0, secure);
            if let Ok(value) = header::HeaderValue::from_str(&expired) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
        }
        return response;
    }
    let reader = Reader::of(req);
    let lang = reader.lang;
    let title = t(
        lang,
        "Not logged in",
        "Niet aangemeld",
        "Non connecté",
        "Nicht angemeldet",
    );
    let body = html! {
        main {
            h1 { (title) }
            p.notice.error role="alert" { (t(lang,
                "You are not logged in as registry staff, or your session has ended (a session lasts 8 hours). Nothing was changed.",
                "U bent niet aangemeld als personeel van het register, of uw sessie is afgelopen (een sessie duurt 8 uur). Er werd niets gewijzigd.",
                "Vous n'êtes pas connecté comme membre du personnel du registre, ou votre session a pris fin (une session dure 8 heures). Rien n'a été modifié.",
                "Sie sind nicht als Personal des Registers angemeldet, oder Ihre Sitzung ist abgelaufen (eine Sitzung dauert 8 Stunden). Es wurde nichts geändert.",
            )) }
            p { a href="/staff/login" { (t(lang, "Log in", "Aanmelden", "Se connecter", "Anmelden")) } " " (t(lang, "and try again.", "en probeer opnieuw.", "et réessayez.", "und versuchen Sie es erneut.")) }
        }
    };
    respond(
        StatusCode::FORBIDDEN,
        shell(&reader, title, body).into_string(),
    )
}

fn csrf_refused(req: &HttpRequest) -> HttpResponse {
    let reader = Reader::of(req);
    let lang = reader.lang;
    let title = t(
        lang,
        "Form refused",
        "Formulier geweigerd",
        "Formulaire refusé",
        "Formular abgelehnt",
    );
    let body = html! {
        main {
            h1 { (title) }
            p.notice.error role="alert" { (t(lang,
                "This form does not carry the security token of your current session (it was sent from another site, or from a page older than your login). Nothing was changed.",
                "Dit formulier draagt niet het veiligheidstoken van uw huidige sessie (het werd verstuurd vanaf een andere site, of vanaf een pagina van vóór uw aanmelding). Er werd niets gewijzigd.",
                "Ce formulaire ne porte pas le jeton de sécurité de votre session actuelle (il a été envoyé depuis un autre site, ou depuis une page antérieure à votre connexion). Rien n'a été modifié.",
                "Dieses Formular trägt nicht das Sicherheitstoken Ihrer aktuellen Sitzung (es wurde von einer anderen Website oder von einer Seite vor Ihrer Anmeldung gesendet). Es wurde nichts geändert.",
            )) }
            p {
                (t(lang, "Go back, reload the page and send the form again.", "Ga terug, laad de pagina opnieuw en verstuur het formulier nog eens.", "Revenez en arrière, rechargez la page et renvoyez le formulaire.", "Gehen Sie zurück, laden Sie die Seite neu und senden Sie das Formular erneut."))
                " " a href="/staff" { (t(lang, "Review queue", "Controlelijst", "File de contrôle", "Prüfliste")) }
            }
        }
    };
    respond(
        StatusCode::FORBIDDEN,
        shell(&reader, title, body).into_string(),
    )
}

#[derive(Deserialize)]
pub struct LoginShown {
    done: Option<String>,
}

pub async fn login_page(req: HttpRequest, shown: web::Query<LoginShown>) -> HttpResponse {
    if token_of(&req).is_some() && current(&req).await.is_ok() {
        return see_other("/staff");
    }
    let reader = Reader::of(&req);
    let notice = (shown.done.as_deref() == Some("logged-out")).then(|| {
        Notice::Done(
            t(
                reader.lang,
                "You are logged out.",
                "U bent afgemeld.",
                "Vous êtes déconnecté.",
                "Sie sind abgemeldet.",
            )
            .into(),
        )
    });
    respond(StatusCode::OK, login_html(&reader, "", notice.as_ref()))
}

fn login_html(reader: &Reader, username: &str, notice: Option<&Notice>) -> String {
    let lang = reader.lang;
    let title = t(
        lang,
        "Registry staff: log in",
        "Personeel van het register: aanmelden",
        "Personnel du registre\u{a0}: connexion",
        "Personal des Registers: Anmeldung",
    );
    let body = html! {
        main.login {
            div.card {
                h1 { (title) }
                @match notice {
                    Some(Notice::Done(text)) => p.notice.done role="status" { (text) },
                    Some(Notice::Error(text)) => p.notice.error role="alert" { (text) },
                    None => {},
                }
                form method="post" action=(LOGIN_PATH) {
                    label for="username" { (t(lang, "User name", "Gebruikersnaam", "Nom d'utilisateur", "Benutzername")) }
                    input type="text" id="username" name="username" value=(username) autocomplete="username" required autofocus;
                    label for="password" { (t(lang, "Password", "Wachtwoord", "Mot de passe", "Passwort")) }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                    div.actions { button type="submit" { (t(lang, "Log in", "Aanmelden", "Se connecter", "Anmelden")) } }
                }
            }
            p.muted.small { (t(lang,
                "For accounts with the staff role. A session lasts 8 hours.",
                "Voor accounts met de rol personeel. Een sessie duurt 8 uur.",
                "Pour les comptes ayant le rôle personnel. Une session dure 8 heures.",
                "Für Konten mit der Rolle Personal. Eine Sitzung dauert 8 Stunden.",
            )) }
        }
    };
    shell(reader, title, body).into_string()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    req: HttpRequest,
    form: web::Form<LoginForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let LoginForm { username, password } = form.into_inner();
    let reader = Reader::of(&req);
    let lang = reader.lang;
    let typed = username.clone();
    let now = state.clock.now();
    let token = random_token();
    let session = StaffSessionRow {
        token_hash: digest(&token),
        username: String::new(),
        csrf_token: random_token(),
        created_at: now.naive_utc(),
        expires_at: (now + LIFETIME).naive_utc(),
    };
    let credentials = Credentials {
        username: username.trim().to_owned(),
        password,
        nonce: None,
        created: None,
    };
    let source = crate::app::client_address(&req, &state.settings);
    let account = match state
        .authenticate(Channel::Staff, source, &credentials)
        .await
    {
        Ok(account) if account.role == Role::Staff => Ok(account),
        Err(AuthError::Disabled(_)) => Err(Login::Disabled),
        Ok(_) | Err(AuthError::Failed | AuthError::Stale { .. } | AuthError::Replayed) => {
            Err(Login::Refused)
        }
        Err(e @ (AuthError::Throttled { .. } | AuthError::Busy)) => {
            let status = match e {
                AuthError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::TOO_MANY_REQUESTS,
            };
            return respond(
                status,
                login_html(&reader, &typed, Some(&Notice::Error(format!("{e}.")))),
            );
        }
        Err(AuthError::Storage(e)) => return Failure::from(e).response(),
    };
    let outcome = match account {
        Err(refused) => Ok(refused),
        Ok(account) => {
            state
                .run(move |conn| -> Result<Login, ServiceError> {
                    staff_sessions::delete_expired(conn, now.naive_utc())?;
                    staff_sessions::insert(
                        conn,
                        &StaffSessionRow {
                            username: account.username,
                            ..session
                        },
                    )?;
                    Ok(Login::In)
                })
                .await
        }
    };
    match outcome {
        Ok(Login::In) => {
            let mut response = see_other("/staff");
            match header::HeaderValue::from_str(&cookie(
                &req,
                &state.settings,
                &token,
                LIFETIME.num_seconds(),
            )) {
                Ok(value) => {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                    response
                }
                Err(_) => page::unavailable(),
            }
        }
        // Said only to whoever knew the password (see AuthError::Disabled).
        Ok(Login::Disabled) => respond(
            StatusCode::FORBIDDEN,
            login_html(
                &reader,
                &typed,
                Some(&Notice::Error(
                    t(lang, "This account is disabled. Another staff member can enable it again.", "Dit account is uitgeschakeld. Een ander personeelslid kan het opnieuw inschakelen.", "Ce compte est désactivé. Un autre membre du personnel peut le réactiver.", "Dieses Konto ist deaktiviert. Ein anderes Mitglied des Personals kann es wieder aktivieren.").into(),
                )),
            ),
        ),
        // The same answer for a wrong password, an unknown user and a non-staff account.
        Ok(Login::Refused) => respond(
            StatusCode::FORBIDDEN,
            login_html(
                &reader,
                &typed,
                Some(&Notice::Error(
                    t(lang, "Wrong user name or password, or not a staff account.", "Verkeerde gebruikersnaam of wachtwoord, of geen personeelsaccount.", "Nom d'utilisateur ou mot de passe erroné, ou compte qui n'est pas du personnel.", "Falscher Benutzername oder falsches Passwort, oder kein Personalkonto.").into(),
                )),
            ),
        ),
        Err(error) => Failure::from(error).response(),
    }
}

enum Login {
    In,
    Refused,
    Disabled,
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

impl Protected for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn logout(
    req: HttpRequest,
    action: Action<LogoutForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let token_hash = action.me.token_hash;
    match state
        .run(move |conn| Ok::<_, ServiceError>(staff_sessions::delete(conn, &token_hash)?))
        .await
    {
        Ok(_) => {
            let mut response = see_other("/staff/login?done=logged-out");
            if let Ok(value) = header::HeaderValue::from_str(&cookie(&req, &state.settings, "", 0))
            {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => Failure::from(error).response(),
    }
}
