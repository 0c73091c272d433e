//! `GET /metrics` (Prometheus text format), and the middleware that watches every request:
//! it counts SOAP requests with their latency and writes one access-log line per request on
//! the `carpass::access` target.

use std::fmt::Write as _;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};

use crate::app::AppState;
use crate::metrics::{self, Gauges, PoolUse, SoapCall};

/// The log target of the access log: `RUST_LOG=carpass::access=off` silences it.
pub const ACCESS_LOG: &str = "carpass::access";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(show));
}

async fn show(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.state();
    let gauges = Gauges {
        pool: PoolUse {
            idle: pool.idle_connections,
            in_use: pool.connections.saturating_sub(pool.idle_connections),
        },
        writer_queue: state.committer.queued(),
    };
    HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .body(state.metrics.render(gauges))
}

/// Wraps the whole app (`middleware::from_fn(observe)`). The SOAP handler notes the operation,
/// the user and the outcome in a `SoapCall` in the request's extensions; this reads it when
/// the response is ready.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.to_string());
    let remote = req.peer_addr();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let result = next.call(req).await;
    let elapsed = started.elapsed();
    let (status, call) = match &result {
        Ok(res) => (
            res.status(),
            res.request().extensions().get::<SoapCall>().cloned(),
        ),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    let call = call.unwrap_or_default();
    if let (Some(outcome), Some(state)) = (call.outcome, &state) {
        state.metrics.soap_request(call.operation, outcome, elapsed);
    }
    if log::log_enabled!(target: ACCESS_LOG, log::Level::Info) {
        let mut line = String::with_capacity(160);
        let mut field = |key: &str, value: &str| {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(key);
            line.push('=');
            push_value(&mut line, value);
        };
        field("method", method.as_str());
        field("path", &path);
        field(
            "operation",
            call.outcome
                .map_or("-", |_| metrics::operation_label(call.operation)),
        );
        field("status", status.as_str());
        field("outcome", call.outcome.map_or("-", |o| o.as_str()));
        field(
            "duration_ms",
            &format!("{:.3}", elapsed.as_secs_f64() * 1000.0),
        );
        field(
            "remote",
            &remote.map_or_else(|| "-".to_owned(), |a| a.to_string()),
        );
        field("user", call.user.as_deref().unwrap_or("-"));
        log::info!(target: ACCESS_LOG, "{line}");
    }
    result
}

/// logfmt: a value with a space, a quote, `=` or a control character is quoted and escaped.
fn push_value(line: &mut String, value: &str) {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && c != '"' && c != '=' && c != '\\');
    if plain {
        line.push_str(value);
        return;
    }
    line.push('"');
    for c in value.chars() {
        match c {
            '"' => line.push_str("\\\""),
            '\\' => line.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(line, "\\u{{{:x}}}", c as u32);
            }
            c => line.push(c),
        }
    }
    line.push('"');
}

#[cfg(test)]
mod tests {
    use super::push_value;

    fn quoted(value: &str) -> String {
        let mut line = String::new();
        push_value(&mut line, value);
        line
    }

    #[test]
    fn values_are_quoted_only_when_they_must_be() {
        assert_eq!(quoted("garage-one"), "garage-one");
        assert_eq!(quoted("/soap/inflow?wsdl"), "/soap/inflow?wsdl");
        assert_eq!(quoted(""), "\"\"");
        assert_eq!(quoted("/a b"), "\"/a b\"");
        assert_eq!(quoted("/x?a=\"1\""), "\"/x?a=\\\"1\\\"\"");
        assert_eq!(quoted("a\nb"), "\"a\\u{a}b\"");
    }
}
