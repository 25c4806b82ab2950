//! The HTTP connection to the engine's session endpoint.
//!
//! A module function runs as a fresh process per call, so start-up and per-request cost matter.
//! This client reuses one HTTP connection for every request (the crate's default client builds a
//! new one per request), sends the session token as the engine expects, and turns every answer
//! into either data or an error message — it never panics on a malformed answer.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use dagger_sdk::core::gql_client::{GraphQLErrorMessage, GraphQLErrorPathParam};
use dagger_sdk::core::graphql_client::{GraphQLClient, GraphQLError};
use serde::Deserialize;
use serde_json::Value;

/// How long to wait for the engine to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take; the module's requests are all small and quick.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// The largest answer read from the engine. A config that fits the engine's 128,000-byte secret
/// limit needs far less (its secrets, plus at most 32 imported files); the bound keeps a tampered
/// state that points at many large secrets from making one call hold them all in memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Where and how to reach the engine, from `DAGGER_SESSION_PORT` / `DAGGER_SESSION_TOKEN`.
#[derive(Clone)]
pub struct Session {
    port: u16,
    token: String,
}

impl Session {
    /// A session on `127.0.0.1:port` (for tests and tools that start their own engine).
    pub fn new(port: u16, token: impl Into<String>) -> Self {
        Self {
            port,
            token: token.into(),
        }
    }

    /// Reads the session from the environment. The engine always sets both variables for a
    /// module process; without them the `dagger-sdk` crate would try to download a CLI instead,
    /// which is never what a module wants, so this fails with a clear message.
    pub fn from_env() -> Result<Self, String> {
        let port = std::env::var("DAGGER_SESSION_PORT").map_err(|_| {
            "DAGGER_SESSION_PORT is not set: registry-config is a Dagger module and must be run by the Dagger engine (e.g. `dagger call -m <this module> ...`)".to_owned()
        })?;
        let port = port
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| format!("DAGGER_SESSION_PORT is {port:?}, not a TCP port number"))?;
        let token = std::env::var("DAGGER_SESSION_TOKEN")
            .ok()
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                "DAGGER_SESSION_TOKEN is not set: registry-config is a Dagger module and must be run by the Dagger engine".to_owned()
            })?;
        Ok(Self { port, token })
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("port", &self.port)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A [`GraphQLClient`] over one reused HTTP connection.
pub struct EngineClient {
    http: reqwest::Client,
    url: String,
    authorization: String,
}

impl EngineClient {
    /// Connects lazily to the session endpoint on loopback.
    pub fn new(session: &Session) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
        let credentials =
            base64::engine::general_purpose::URL_SAFE.encode(format!("{}:", session.token));
        Ok(Self {
            http,
            url: format!("http://127.0.0.1:{}/query", session.port),
            authorization: format!("Basic {credentials}"),
        })
    }
}

/// The GraphQL response envelope.
#[derive(Deserialize)]
struct Response {
    data: Option<Value>,
    errors: Option<Vec<ResponseError>>,
}

/// One GraphQL error: its message, and the path of the field it is about.
#[derive(Deserialize)]
struct ResponseError {
    message: String,
    path: Option<Vec<GraphQLErrorPathParam>>,
}

#[async_trait]
impl GraphQLClient for EngineClient {
    async fn query(&self, query: &str) -> Result<Option<Value>, GraphQLError> {
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .json(&serde_json::json!({ "query": query }))
            .send()
            .await
            .map_err(|e| GraphQLError::HttpError(describe_http_error(&e)))?;
        let status = response.status();
        let body = read_body(response).await?;
        let parsed: Response = serde_json::from_slice(&body).map_err(|_| {
            GraphQLError::HttpError(format!(
                "the engine answered HTTP {status} with a body that is not a GraphQL response"
            ))
        })?;
        if let Some(errors) = parsed.errors.filter(|errors| !errors.is_empty()) {
            let message = errors
                .first()
                .map(|first| first.message.clone())
                .unwrap_or_default();
            let fields = errors
                .into_iter()
                .map(|error| GraphQLErrorMessage {
                    message: error.message,
                    locations: None,
                    extensions: None,
                    path: error.path,
                })
                .collect();
            return Err(GraphQLError::DomainError { message, fields });
        }
        if !status.is_success() {
            return Err(GraphQLError::HttpError(format!(
                "the engine answered HTTP {status}"
            )));
        }
        Ok(parsed.data)
    }
}

/// Reads a response body of at most [`MAX_RESPONSE_BYTES`] into a buffer that is wiped when
/// dropped (answers carry plaintexts), sized up front when the length is announced.
async fn read_body(
    mut response: reqwest::Response,
) -> Result<zeroize::Zeroizing<Vec<u8>>, GraphQLError> {
    let too_large = || {
        GraphQLError::HttpError(format!(
            "the answer from the engine is larger than {} MiB, more than any config within the secret size limit needs",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ))
    };
    let announced = response.content_length().unwrap_or(0);
    if announced > MAX_RESPONSE_BYTES as u64 {
        return Err(too_large());
    }
    let mut body = zeroize::Zeroizing::new(Vec::with_capacity(announced as usize));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| GraphQLError::HttpError(describe_http_error(&e)))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// reqwest's error text without the URL's query (there is none) but with the cause chain.
fn describe_http_error(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
