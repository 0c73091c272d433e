//! The SOAP endpoint (SPEC 3): decode the envelope, authenticate, run the operation, encode.

pub mod decode;
pub mod encode;
pub mod envelope;
pub mod fault;
pub mod operations;
pub mod schema;
pub mod security;
pub mod xml;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::service::auth::AuthError;
use crate::service::Caller;
use crate::startup::AppState;
use envelope::SoapVersion;
use fault::{Fault, FaultCode};
use operations::Operation;

pub const WSDL: &str = include_str!("../../wsdl/carpass-inflow.wsdl");
pub const XSD: &str = include_str!("../../wsdl/carpass-inflow.xsd");
/// The address in the checked-in WSDL, replaced by the host that asked.
const WSDL_ADDRESS: &str = "http://localhost:8080/soap/inflow";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/soap/inflow")
            .route(web::post().to(inflow))
            .route(web::get().to(describe)),
    );
}

/// `?wsdl` serves the contract with the caller's host as the service address; `?xsd` the schema.
async fn describe(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    if query.eq_ignore_ascii_case("wsdl") {
        let info = req.connection_info();
        let address = format!("{}://{}/soap/inflow", info.scheme(), info.host());
        HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .body(WSDL.replace(WSDL_ADDRESS, &address))
    } else if query.eq_ignore_ascii_case("xsd") {
        HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .body(XSD)
    } else {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("carpass inflow: POST SOAP 1.1 (text/xml) or SOAP 1.2 (application/soap+xml) here.\nThe contract: GET /soap/inflow?wsdl (schema alone: ?xsd).\n")
    }
}

async fn inflow(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(version) = SoapVersion::from_content_type(content_type) else {
        return Fault::new(
            FaultCode::UnsupportedMediaType,
            format!(
                "Content-Type '{content_type}' is not SOAP: send SOAP 1.1 as text/xml or SOAP 1.2 as application/soap+xml"
            ),
        )
        .into_response(SoapVersion::Soap11);
    };
    let body = match read_body(payload, state.settings.max_body_bytes).await {
        Ok(body) => body,
        Err(fault) => return fault.into_response(version),
    };
    match process(&req, &body, version, &state).await {
        Ok(xml) => HttpResponse::Ok().content_type(version.content_type()).body(xml),
        Err(fault) => fault.into_response(version),
    }
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, Fault> {
    let too_large = || {
        Fault::new(
            FaultCode::BodyTooLarge,
            format!("the request body is larger than {limit} bytes; send fewer readings per request"),
        )
    };
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => too_large(),
            other => Fault::new(FaultCode::MalformedXml, format!("the request body could not be read: {other}")),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn process(
    req: &HttpRequest,
    body: &[u8],
    version: SoapVersion,
    state: &AppState,
) -> Result<Vec<u8>, Fault> {
    let envelope = envelope::parse(body, version)?;
    let operation = Operation::of(&envelope.operation)?;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let credentials = security::credentials(&envelope.headers, authorization)?;
    let (language, software) = decode::client_info(&envelope.headers)?;
    let authenticator = state.authenticator.clone();
    let now = state.clock.now();
    let account = state
        .run_raw(move |conn| authenticator.authenticate(conn, &credentials, now))
        .await?
        .map_err(|e| match e {
            AuthError::Failed => Fault::new(FaultCode::AuthenticationFailed, e.to_string()),
            AuthError::Stale { .. } => Fault::new(FaultCode::StaleTimestamp, e.to_string()),
            AuthError::Replayed => Fault::new(FaultCode::NonceReplayed, e.to_string()),
            AuthError::Database(cause) => {
                log::error!("authentication failed on the database: {cause}");
                Fault::server()
            }
        })?;
    if !operation.allows(account.role) {
        return Err(Fault::new(
            FaultCode::RoleNotAllowed,
            format!(
                "the account {} has the role {} and may not call {}",
                account.username,
                account.role.as_str(),
                operation.name()
            ),
        ));
    }
    schema::validate(&envelope.operation, operation.schema(), operation.name())
        .map_err(|e| Fault::new(FaultCode::SchemaViolation, e.message).at(e.path))?;
    let caller = Caller {
        account,
        language,
        software,
    };
    operation
        .run(state, caller, &envelope.operation, version)
        .await
}
