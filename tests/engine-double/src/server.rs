//! HTTP transport: a hyper HTTP/1.1 server on `127.0.0.1`, Basic-auth check, injected latency
//! and faults, and the exchange log.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::execution;
use crate::store::Store;
use crate::validation::EngineSchema;

/// A misbehaviour injected into requests whose query text contains a substring
/// (see `EngineDouble::set_fault`). Faulted requests are not executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer HTTP 200 with `{"data":null,"errors":[{"message": message}]}`.
    GraphqlError {
        /// Substring of the query text that triggers the fault.
        when_query_contains: String,
        /// The error message to answer with.
        message: String,
    },
    /// Answer HTTP 200 with a body that is not JSON.
    Garbage {
        /// Substring of the query text that triggers the fault.
        when_query_contains: String,
    },
    /// Close the TCP connection without any response.
    CloseConnection {
        /// Substring of the query text that triggers the fault.
        when_query_contains: String,
    },
    /// Answer with this HTTP status and a plain-text body.
    HttpStatus {
        /// Substring of the query text that triggers the fault.
        when_query_contains: String,
        /// The HTTP status code (e.g. 500, 502).
        status: u16,
    },
}

impl Fault {
    fn trigger(&self) -> &str {
        match self {
            Fault::GraphqlError {
                when_query_contains,
                ..
            }
            | Fault::Garbage {
                when_query_contains,
            }
            | Fault::CloseConnection {
                when_query_contains,
            }
            | Fault::HttpStatus {
                when_query_contains,
                ..
            } => when_query_contains,
        }
    }
}

/// The body the `Garbage` fault answers with.
pub const GARBAGE_BODY: &str = "\u{0}engine-double garbage <html>{\"data\":";

/// One HTTP request the double received and what it answered, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Request method and path, e.g. `POST /query`.
    pub target: String,
    /// Raw request body (lossy UTF-8).
    pub request: String,
    /// The `query` field of the request body, if it had one.
    pub query: Option<String>,
    /// HTTP status answered; `None` when the connection was closed without a response.
    pub status: Option<u16>,
    /// Response body.
    pub response: String,
    /// Refused because the client got something wrong: wrong path/method, bad or missing
    /// `Authorization`, a body that is not a GraphQL request, or a document that fails
    /// validation against the schema. Tests assert this never happens.
    pub rejected: bool,
    /// The engine versions (schema file names, e.g. `v0.21.1`) whose schema refused the
    /// document; empty when every version accepted it or it was refused for another reason.
    pub rejected_by: Vec<String>,
    /// Answered by an injected [`Fault`] instead of being executed.
    pub faulted: bool,
}

/// State shared between the server thread and the test-facing handle.
pub(crate) struct Shared {
    pub token: String,
    pub store: Mutex<Store>,
    pub log: Mutex<Vec<Exchange>>,
    pub latency: Mutex<Duration>,
    pub fault: Mutex<Option<Fault>>,
    /// Who sent the requests, as the validation log names them.
    pub report_label: Mutex<String>,
    /// The engine version whose schema answers introspection.
    pub introspected: Mutex<&'static EngineSchema>,
}

/// Locks a mutex, ignoring poisoning (a panicking test must not cascade into others).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Accepts connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener)
        .expect("engine double: cannot register the listener with tokio");
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    // Errors here are client disconnects or the CloseConnection fault.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// Returned by the service to make hyper drop the connection without answering.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("engine double: injected connection close")
    }
}

impl std::error::Error for CloseConnection {}

fn authorized(req: &Request<Incoming>, token: &str) -> bool {
    let Some(value) = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let expected = format!("{token}:");
    [
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::STANDARD,
    ]
    .iter()
    .any(|engine| engine.decode(encoded.trim()).ok().as_deref() == Some(expected.as_bytes()))
}

fn response(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

fn graphql_error(message: &str) -> String {
    serde_json::json!({ "data": null, "errors": [{ "message": message }] }).to_string()
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, CloseConnection> {
    let target = format!("{} {}", req.method(), req.uri().path());
    let routed = req.method() == Method::POST && req.uri().path() == "/query";
    let auth_ok = authorized(&req, &shared.token);
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(CloseConnection),
    };
    let latency = *lock(&shared.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let query = execution::query_text(&body);
    let mut exchange = Exchange {
        target,
        request: String::from_utf8_lossy(&body).into_owned(),
        query: query.clone(),
        status: Some(200),
        response: String::new(),
        rejected: false,
        rejected_by: Vec::new(),
        faulted: false,
    };
    let fault = lock(&shared.fault).clone().filter(|fault| {
        let text = query.as_deref().unwrap_or(&exchange.request);
        text.contains(fault.trigger())
    });
    let content_type = "application/json";
    let answer: Result<(u16, &str, String), CloseConnection> = if !routed {
        exchange.rejected = true;
        Ok((404, "text/plain", "engine double: only POST /query".into()))
    } else if !auth_ok {
        exchange.rejected = true;
        Ok((
            401,
            content_type,
            graphql_error("engine double: missing or wrong Basic authorization"),
        ))
    } else if let Some(fault) = fault {
        exchange.faulted = true;
        match fault {
            Fault::GraphqlError { message, .. } => Ok((200, content_type, graphql_error(&message))),
            Fault::Garbage { .. } => Ok((200, content_type, GARBAGE_BODY.to_owned())),
            Fault::CloseConnection { .. } => Err(CloseConnection),
            Fault::HttpStatus { status, .. } => Ok((
                status,
                "text/plain",
                format!("engine double: injected HTTP status {status}"),
            )),
        }
    } else {
        let introspected = *lock(&shared.introspected);
        let label = lock(&shared.report_label).clone();
        let executed =
            execution::execute_request(&mut lock(&shared.store), &body, introspected, &label);
        exchange.rejected = executed.rejected;
        exchange.rejected_by = executed.rejected_by;
        // Like the engine's gqlgen transport: 422 for documents it refuses to execute.
        let status = if executed.rejected { 422 } else { 200 };
        Ok((status, content_type, executed.body))
    };
    match answer {
        Ok((status, content_type, body)) => {
            exchange.status = Some(status);
            exchange.response = body.clone();
            lock(&shared.log).push(exchange);
            Ok(response(status, content_type, body))
        }
        Err(close) => {
            exchange.status = None;
            lock(&shared.log).push(exchange);
            Err(close)
        }
    }
}
