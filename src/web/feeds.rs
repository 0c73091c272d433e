//! A partner's bulk upload over HTTP (issue 22, point 2): `PUT /feeds/readings/{batch}` with
//! the account's HTTP Basic credentials streams a CSV or NDJSON file into the registry, chunk
//! by chunk; `GET /feeds/readings/{batch}` answers its result again. Answers are JSON, and so
//! are refusals (`{"error": ...}`), each saying what to do.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::app::AppState;
use crate::domain::calendar::brussels_date;
use crate::domain::feed::{BatchId, FeedFormat};
use crate::domain::source::ReadingSource;
use crate::metrics::Channel;
use crate::service::auth::{Account, AuthError, Role};
use crate::service::feeds::{self, Begin, FeedError, Intake, Upload, Writer, CHUNK_LINES};
use crate::soap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/feeds/readings/{batch}", web::put().to(upload))
        .route("/feeds/readings/{batch}", web::get().to(result));
}

fn answer(status: StatusCode, message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": message.to_string() }))
}

/// The one place a feed's errors become HTTP answers.
fn failure(error: FeedError) -> HttpResponse {
    let status = match &error {
        FeedError::Header(_) | FeedError::Empty => StatusCode::BAD_REQUEST,
        FeedError::DifferentFile { .. }
        | FeedError::FormatChanged { .. }
        | FeedError::Concurrent(_) => StatusCode::CONFLICT,
        FeedError::Service(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        FeedError::Service(e) => {
            log::error!("a feed upload failed: {e}");
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the registry could not store this chunk; what was answered before is kept: \
                 send the same file again to resume",
            );
        }
    };
    answer(status, error)
}

/// A manufacturer's (or importer's) account, by HTTP Basic; anyone else is refused.
async fn partner(req: &HttpRequest, state: &AppState) -> Result<Account, HttpResponse> {
    let challenge = |message: &str| {
        let mut response = answer(StatusCode::UNAUTHORIZED, message);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static(soap::fault::BASIC_CHALLENGE),
        );
        response
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(credentials) =
        authorization.and_then(|value| soap::security::credentials(&[], Some(value)).ok())
    else {
        return Err(challenge(
            "send the manufacturer account's user name and password with HTTP Basic",
        ));
    };
    let source = crate::app::client_address(req, &state.settings);
    match state
        .authenticate(Channel::Soap, source, &credentials)
        .await
    {
        Ok(account) if account.role == Role::Manufacturer => Ok(account),
        Ok(account) => Err(answer(
            StatusCode::FORBIDDEN,
            format!(
                "the account {} is a {} account: readings in bulk are sent by a manufacturer's \
                 or importer's account (role manufacturer); ask the registry for one",
                account.username,
                account.role.as_str()
            ),
        )),
        Err(e @ (AuthError::Failed | AuthError::Disabled(_))) => Err(challenge(&e.to_string())),
        Err(e @ (AuthError::Stale { .. } | AuthError::Replayed)) => Err(challenge(&e.to_string())),
        Err(e @ (AuthError::Throttled { .. } | AuthError::Busy)) => {
            Err(answer(StatusCode::TOO_MANY_REQUESTS, e))
        }
        Err(AuthError::Storage(e)) => Err(failure(FeedError::Service(e))),
    }
}

async fn upload(
    req: HttpRequest,
    batch: web::Path<String>,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let account = match partner(&req, &state).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let batch = match BatchId::parse(&batch) {
        Ok(batch) => batch,
        Err(e) => return answer(StatusCode::BAD_REQUEST, e),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(format) = FeedFormat::of_content_type(content_type) else {
        return answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {content_type:?} is not a feed's: send text/csv (first line {}) or \
                 application/x-ndjson (one JSON object per line)",
                crate::domain::feed::CSV_HEADER
            ),
        );
    };
    let upload = Upload {
        company_id: account.company_id,
        account_id: account.id,
        batch,
        format,
        source: ReadingSource::Connected,
        channel: "http",
    };
    let started = upload.clone();
    let begin: Begin = match state.run(move |conn| feeds::begin(conn, &started)).await {
        Ok(begin) => begin,
        Err(e) => return failure(e),
    };
    let mut intake = Intake::new(&upload, &begin, CHUNK_LINES);
    let mut writer = match Writer::start(state.pool.clone(), upload) {
        Ok(writer) => writer,
        Err(e) => return failure(e),
    };
    let moment = |state: &AppState| {
        let now = state.clock.now();
        (brussels_date(now), now.naive_utc())
    };
    while let Some(piece) = payload.next().await {
        let piece = match piece {
            Ok(piece) => piece,
            Err(e) => {
                return answer(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the upload broke off ({e}): the chunks committed before are kept; send \
                         the same file again to resume"
                    ),
                )
            }
        };
        let chunks = match intake.feed(&piece) {
            Ok(chunks) => chunks,
            Err(e) => return failure(e),
        };
        for chunk in chunks {
            let (today, now) = moment(&state);
            if let Err(e) = writer.store(chunk, today, now).await {
                return failure(e);
            }
        }
    }
    let ending = match intake.finish() {
        Ok(ending) => ending,
        Err(e) => return failure(e),
    };
    let (today, now) = moment(&state);
    match writer.finish(ending, now, today).await {
        Ok(summary) => HttpResponse::Ok().json(summary),
        Err(e) => failure(e),
    }
}

#[derive(serde::Deserialize)]
struct Page {
    after: Option<i64>,
}

async fn result(
    req: HttpRequest,
    batch: web::Path<String>,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let account = match partner(&req, &state).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let batch = match BatchId::parse(&batch) {
        Ok(batch) => batch,
        Err(e) => return answer(StatusCode::BAD_REQUEST, e),
    };
    let after = page.after.unwrap_or(0);
    let name = batch.as_str().to_owned();
    match state
        .read(move |conn| feeds::summary(conn, account.company_id, &name, after))
        .await
    {
        Ok(Some(summary)) => HttpResponse::Ok().json(summary),
        Ok(None) => answer(
            StatusCode::NOT_FOUND,
            format!(
                "your company sent no batch {}: PUT the file to this address first",
                batch.as_str()
            ),
        ),
        Err(e) => failure(e),
    }
}
