//! `carpass certify` against a server's address instead of its database: the session's HTTP
//! API with the session's credentials, for a DMS vendor who has no shell on the registry.

use base64::Engine;

use super::evaluations::Report;
use super::report::Format;
use super::sessions::{self, SheetView};

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server refused what was asked, with its reason.
    #[error("{0}")]
    Refused(String),
    /// The server could not be reached, or answered what this version cannot read.
    #[error("{0}")]
    Failed(String),
}

pub struct Remote {
    agent: ureq::Agent,
    server: String,
    session: String,
    authorization: String,
}

/// A step as the server opened it.
#[derive(Debug, serde::Deserialize)]
pub struct OpenedRemotely {
    pub number: u32,
    pub attempt: u32,
    pub work_date: chrono::NaiveDate,
    pub step: crate::domain::certification::scenario::SheetStep,
}

impl Remote {
    pub fn new(server: &str, session: &str, username: &str, password: &str) -> Remote {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        Remote {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            server: server.trim_end_matches('/').to_owned(),
            session: session.trim().to_owned(),
            authorization: format!("Basic {basic}"),
        }
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}{path}",
            self.server,
            sessions::page_path(&self.session)
        )
    }

    /// One call; a refusal becomes the server's message, a transport failure says where.
    fn call(
        &self,
        post: bool,
        path: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<Vec<u8>, RemoteError> {
        let url = self.url(path);
        let unreachable =
            |e: ureq::Error| RemoteError::Failed(format!("{url} cannot be reached: {e}"));
        let sent = if post {
            let request = self
                .agent
                .post(&url)
                .header("Authorization", &self.authorization)
                .header("Accept", "application/json");
            match body {
                Some((content_type, bytes)) => {
                    request.header("Content-Type", content_type).send(bytes)
                }
                None => request.send_empty(),
            }
        } else {
            self.agent
                .get(&url)
                .header("Authorization", &self.authorization)
                .call()
        };
        let mut response = sent.map_err(unreachable)?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_vec()
            .map_err(unreachable)?;
        if (200..300).contains(&status) {
            return Ok(bytes);
        }
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_owned());
        Err(match status {
            401 => RemoteError::Failed(format!(
                "{url}: the user name or password is wrong: use the session's credentials (CARPASS_CERTIFY_USER, CARPASS_CERTIFY_PASSWORD)"
            )),
            404 if message.starts_with("no certification session") => {
                RemoteError::Refused(format!("no certification session '{}' on {}", self.session, self.server))
            }
            400 | 404 | 409 | 422 => RemoteError::Refused(message),
            _ => RemoteError::Failed(format!("{url} answered {status}: {message}")),
        })
    }

    fn json<T: serde::de::DeserializeOwned>(&self, bytes: Vec<u8>) -> Result<T, RemoteError> {
        serde_json::from_slice(&bytes).map_err(|e| {
            RemoteError::Failed(format!(
                "{} answered what this version cannot read: {e}",
                self.server
            ))
        })
    }

    pub fn sheet(&self) -> Result<SheetView, RemoteError> {
        let bytes = self.call(false, "/sheet", None)?;
        self.json(bytes)
    }

    /// The sheet as the server gives it, with what `SheetView` does not hold (each step's
    /// state, attempts and work date, the absolute endpoint).
    pub fn sheet_as_served(&self) -> Result<serde_json::Value, RemoteError> {
        let bytes = self.call(false, "/sheet", None)?;
        self.json(bytes)
    }

    pub fn next(&self) -> Result<OpenedRemotely, RemoteError> {
        let bytes = self.call(true, "/next", None)?;
        self.json(bytes)
    }

    pub fn rerun(&self, step: u32) -> Result<OpenedRemotely, RemoteError> {
        let bytes = self.call(true, &format!("/steps/{step}/rerun"), None)?;
        self.json(bytes)
    }

    /// Attaches a screenshot; its SHA-256 as the server stored it.
    pub fn attach(
        &self,
        step: u32,
        file_name: &str,
        content: &[u8],
    ) -> Result<String, RemoteError> {
        let name: String = url_escape(file_name);
        let bytes = self.call(
            true,
            &format!("/steps/{step}/screenshots?name={name}"),
            Some(("application/octet-stream", content)),
        )?;
        let answer: serde_json::Value = self.json(bytes)?;
        Ok(answer["sha256"].as_str().unwrap_or_default().to_owned())
    }

    pub fn evaluate(&self) -> Result<Report, RemoteError> {
        let bytes = self.call(true, "/evaluations", None)?;
        self.json(bytes)
    }

    /// Marks the session ready for staff review; the note as the server stored it.
    pub fn ready(&self, note: &str) -> Result<serde_json::Value, RemoteError> {
        let body = serde_json::json!({ "note": note }).to_string();
        let bytes = self.call(
            true,
            "/review/ready",
            Some(("application/json", body.as_bytes())),
        )?;
        self.json(bytes)
    }

    /// The session's review: ready or not, the staff's comments and overrides.
    pub fn review(&self) -> Result<serde_json::Value, RemoteError> {
        let bytes = self.call(false, "/review", None)?;
        self.json(bytes)
    }

    pub fn report(&self, evaluation: &str, format: Format) -> Result<Vec<u8>, RemoteError> {
        let name = match format {
            Format::Html => "html",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Bundle => "bundle",
        };
        self.call(
            false,
            &format!("/evaluations/{evaluation}?format={name}"),
            None,
        )
    }
}

/// A file name as a query value: letters, digits and `-._` as they are, the rest %-encoded.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
