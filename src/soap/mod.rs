//! The SOAP endpoint (SPEC 3): decode the envelope, authenticate, run the operation, encode.

pub mod decode;
pub mod encode;
pub mod envelope;
pub mod fault;
pub mod feeds;
pub mod gate;
pub mod inspect;
pub mod operations;
pub mod schema;
pub mod security;
pub mod version;
pub mod xml;

use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::app::{AppState, Held};
use crate::metrics::{Outcome, SoapCall};
use crate::settings::Settings;
use fault::{Fault, FaultCode};
use gate::Gate;
use version::SoapVersion;

/// One published contract: its operations, namespace, WSDL and XSD, and where it is served.
/// The garages' inflow and the partners' feeds share everything else: the envelope, the
/// authentication, the faults, the body budget and the gate.
pub struct Contract {
    pub path: &'static str,
    pub namespace: &'static str,
    pub wsdl: &'static str,
    pub xsd: &'static str,
    /// The address written in the checked-in WSDL, replaced by the host that asked.
    wsdl_address: &'static str,
    pub operations: &'static [crate::service::operation::Operation],
    /// What a GET without `?wsdl` answers.
    about: &'static str,
}

pub static INFLOW: Contract = Contract {
    path: "/soap/inflow",
    namespace: schema::NS,
    wsdl: include_str!("../../wsdl/carpass-inflow.wsdl"),
    xsd: include_str!("../../wsdl/carpass-inflow.xsd"),
    wsdl_address: "http://localhost:8080/soap/inflow",
    operations: &crate::service::operation::Operation::INFLOW,
    about: "carpass inflow: POST SOAP 1.1 (text/xml) or SOAP 1.2 (application/soap+xml) here.\nThe contract: GET /soap/inflow?wsdl (schema alone: ?xsd).\n",
};

pub static FEEDS: Contract = Contract {
    path: "/soap/feeds",
    namespace: feeds::NS,
    wsdl: include_str!("../../wsdl/carpass-feeds.wsdl"),
    xsd: include_str!("../../wsdl/carpass-feeds.xsd"),
    wsdl_address: "http://localhost:8080/soap/feeds",
    operations: &crate::service::operation::Operation::FEEDS,
    about: "carpass feeds (importers, accident experts, inspection centres): POST SOAP 1.1 (text/xml) or SOAP 1.2 (application/soap+xml) here.\nThe contract: GET /soap/feeds?wsdl (schema alone: ?xsd).\n",
};

pub const WSDL: &str = INFLOW.wsdl;
pub const XSD: &str = INFLOW.xsd;

/// The inflow's WSDL with `path` as the service address, on the public URL (or the host that
/// asked): production's endpoint or a certification session's.
pub fn wsdl(req: &HttpRequest, settings: &Settings, path: &str) -> HttpResponse {
    INFLOW.wsdl_at(req, settings, path)
}

impl Contract {
    fn wsdl_at(&self, req: &HttpRequest, settings: &Settings, path: &str) -> HttpResponse {
        let address = format!("{}{path}", crate::app::public_base(req, settings));
        HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .body(self.wsdl.replace(self.wsdl_address, &address))
    }

    /// `?wsdl` serves the contract with the caller's host as the service address; `?xsd` the
    /// schema.
    fn describe(&self, req: &HttpRequest, settings: &Settings) -> HttpResponse {
        let query = req.query_string();
        if query.eq_ignore_ascii_case("wsdl") {
            self.wsdl_at(req, settings, self.path)
        } else if query.eq_ignore_ascii_case("xsd") {
            HttpResponse::Ok()
                .content_type("text/xml; charset=utf-8")
                .body(self.xsd)
        } else {
            HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .body(self.about)
        }
    }

    /// The operation the Body's element names, by namespace URI and local name; SOAPAction
    /// is only a hint.
    pub fn identify(
        &self,
        element: &xml::Element,
    ) -> Result<crate::service::operation::Operation, Fault> {
        if element.namespace.as_deref() == Some(self.namespace) {
            if let Some(op) = self
                .operations
                .iter()
                .find(|op| op.name() == &*element.name)
            {
                return Ok(*op);
            }
        }
        let names: Vec<&str> = self.operations.iter().map(|op| op.name()).collect();
        Err(Fault::new(
            FaultCode::UnknownOperation,
            format!(
                "unknown operation {}; the operations are {} in the namespace {} (at {})",
                element.qualified_name(),
                names.join(", "),
                self.namespace,
                self.path
            ),
        ))
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(INFLOW.path)
            .route(web::post().to(inflow))
            .route(web::get().to(describe_inflow)),
    );
    cfg.service(
        web::resource(FEEDS.path)
            .route(web::post().to(feeds))
            .route(web::get().to(describe_feeds)),
    );
}

async fn describe_inflow(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    INFLOW.describe(&req, &state.settings)
}

async fn describe_feeds(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    FEEDS.describe(&req, &state.settings)
}

async fn inflow(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve(&INFLOW, req, payload, state).await
}

async fn feeds(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve(&FEEDS, req, payload, state).await
}

async fn serve(
    contract: &'static Contract,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    req.extensions_mut().insert(SoapCall::default());
    let (version, answer) = match read_request(&req, payload, &state).await {
        Ok((version, body)) => (
            version,
            process(contract, &req, &body, version, &state, None).await,
        ),
        Err((version, fault)) => (version, Err(fault)),
    };
    let outcome = match &answer {
        Ok(_) => Outcome::Ok,
        Err(fault) if fault.code == FaultCode::ServerError => Outcome::ServerFault,
        Err(_) => Outcome::ClientFault,
    };
    note(&req, |call| call.outcome = Some(outcome));
    Reply::in_contract(contract, version, answer).into_response()
}

/// A response as it goes on the wire; the certification endpoint records it before sending.
pub struct Reply {
    pub status: actix_web::http::StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The inflow's answer (its faults' detail in the inflow's namespace).
    pub fn of(version: SoapVersion, answer: Result<Vec<u8>, Fault>) -> Reply {
        Reply::in_contract(&INFLOW, version, answer)
    }

    pub fn in_contract(
        contract: &Contract,
        version: SoapVersion,
        answer: Result<Vec<u8>, Fault>,
    ) -> Reply {
        let mut headers = vec![("content-type".to_owned(), version.content_type().to_owned())];
        match answer {
            Ok(body) => Reply {
                status: actix_web::http::StatusCode::OK,
                headers,
                body,
            },
            Err(fault) => {
                if fault.code == FaultCode::AuthenticationRequired {
                    // Many SOAP stacks send HTTP Basic credentials only after this challenge.
                    headers.push((
                        "www-authenticate".to_owned(),
                        fault::BASIC_CHALLENGE.to_owned(),
                    ));
                }
                if let Some(wait) = fault.retry_after {
                    headers.push(("retry-after".to_owned(), wait.as_secs().max(1).to_string()));
                }
                Reply {
                    status: fault.http_status(version),
                    headers,
                    body: fault.to_xml_in(version, contract.namespace),
                }
            }
        }
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in self.headers {
            response.insert_header((name, value));
        }
        response.body(self.body)
    }
}

/// A request body, held against the process's body budget until it is dropped.
pub struct Body {
    bytes: web::BytesMut,
    _held: Held,
}

impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// The SOAP version and body of a request, or the fault to answer in that version.
pub async fn read_request(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<(SoapVersion, Body), (SoapVersion, Fault)> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(version) = SoapVersion::from_content_type(content_type) else {
        let fault = Fault::new(
            FaultCode::UnsupportedMediaType,
            format!(
                "Content-Type '{content_type}' is not SOAP: send SOAP 1.1 as text/xml or SOAP 1.2 as application/soap+xml"
            ),
        );
        return Err((SoapVersion::Soap11, fault));
    };
    let settings = &state.settings;
    let limit = settings.max_body_bytes;
    let mut held = state.bodies.hold();
    // A declared length is held at once: a body that stalls before its end holds it all.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(length) = declared {
        if length > limit {
            return Err((version, too_large(limit)));
        }
        if !held.grow(length) {
            return Err((version, busy()));
        }
    }
    let read = read_body(payload, limit, &mut held);
    match actix_web::rt::time::timeout(settings.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok((version, Body { bytes, _held: held })),
        Ok(Err(fault)) => Err((version, fault)),
        Err(_) => Err((
            version,
            Fault::new(
                FaultCode::RequestTimeout,
                format!(
                    "the request body did not arrive within {} s; nothing was stored. Send it \
                     again, with the same ClientReference values",
                    settings.body_timeout.as_secs()
                ),
            ),
        )),
    }
}

fn too_large(limit: usize) -> Fault {
    Fault::new(
        FaultCode::BodyTooLarge,
        format!("the request body is larger than {limit} bytes; send fewer readings per request"),
    )
}

fn busy() -> Fault {
    Fault::busy(
        "the memory for request bodies is taken by other requests",
        BODY_RETRY,
    )
}

/// How long a client refused for want of body memory is asked to wait.
const BODY_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// Notes what is learnt of the request for the metrics and the access log (`web::metrics`).
fn note(req: &HttpRequest, update: impl FnOnce(&mut SoapCall)) {
    if let Some(call) = req.extensions_mut().get_mut::<SoapCall>() {
        update(call);
    }
}

/// Reads the body, holding each chunk against the budget before it is kept.
async fn read_body(
    mut payload: web::Payload,
    limit: usize,
    held: &mut Held,
) -> Result<web::BytesMut, Fault> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => too_large(limit),
            other => Fault::new(
                FaultCode::MalformedXml,
                format!("the request body could not be read: {other}"),
            ),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        if body.len() + chunk.len() > held.bytes()
            && !held.grow(body.len() + chunk.len() - held.bytes())
        {
            return Err(busy());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Runs one request. `company`, when given, is the only company whose accounts are accepted:
/// a certification session's endpoint takes its own credentials and no others.
pub async fn process(
    contract: &Contract,
    req: &HttpRequest,
    body: &[u8],
    version: SoapVersion,
    state: &AppState,
    company: Option<i64>,
) -> Result<Vec<u8>, Fault> {
    let envelope = envelope::parse(body, version)?;
    let operation = contract.identify(&envelope.operation)?;
    note(req, |call| call.operation = Some(operation));
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let credentials = security::credentials(&envelope.headers, authorization)?;
    let (language, software) = decode::client_info_in(contract.namespace, &envelope.headers)?;
    let schema = schema::validate_in(
        contract.namespace,
        &envelope.operation,
        operations::schema(operation),
        operation.name(),
    )
    .map_err(|e| Fault::new(FaultCode::SchemaViolation, e.message).at(e.path));
    let source = crate::app::client_address(req, &state.settings);
    let gate = Gate::new(
        operation,
        source,
        credentials,
        language,
        software,
        company,
        schema,
    );
    // The addresses an answer hands out (a Car-Pass's PDF and verification page).
    let base = crate::app::public_base(req, &state.settings);
    let answer =
        operations::dispatch(operation, state, &gate, envelope.operation, version, &base).await;
    if let Some(user) = gate.user() {
        note(req, |call| call.user = Some(user.to_owned()));
    }
    answer
}
