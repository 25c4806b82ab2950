//! A minimal raw HTTP/1.1 client for talking to the double from tests (no client library,
//! so tests see exactly what is on the wire, including closed connections).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use engine_double::EngineDouble;
use serde_json::Value;

/// Status (None if the connection closed without a response) and body.
pub struct Reply {
    pub status: Option<u16>,
    pub body: String,
}

impl Reply {
    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {:?}", self.body))
    }
}

/// `Authorization` header value the double accepts.
pub fn auth_header(engine: &EngineDouble) -> String {
    let encoded = base64::engine::general_purpose::URL_SAFE.encode(format!("{}:", engine.token()));
    format!("Basic {encoded}")
}

/// Sends one request with `Connection: close`.
pub fn send(
    engine: &EngineDouble,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", engine.port())).expect("connect to double");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(auth) = auth {
        head.push_str(&format!("Authorization: {auth}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    if raw.is_empty() {
        return Reply {
            status: None,
            body: String::new(),
        };
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    Reply {
        status: Some(status),
        body: body.to_owned(),
    }
}

/// POSTs `{"query": doc, "variables": null}` with valid auth.
pub fn post(engine: &EngineDouble, doc: &str) -> Reply {
    let body = serde_json::json!({ "query": doc, "variables": null }).to_string();
    send(engine, "POST", "/query", Some(&auth_header(engine)), &body)
}

/// POSTs a query and returns the whole JSON response.
pub fn query(engine: &EngineDouble, doc: &str) -> Value {
    post(engine, doc).json()
}

/// POSTs a query that must succeed and returns its `data`.
pub fn data(engine: &EngineDouble, doc: &str) -> Value {
    let response = query(engine, doc);
    assert!(
        response.get("errors").is_none(),
        "query {doc} failed: {response}"
    );
    response["data"].clone()
}

/// POSTs a query that must fail and returns its first error message.
pub fn error(engine: &EngineDouble, doc: &str) -> String {
    let response = query(engine, doc);
    response["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("query {doc} should fail: {response}"))
        .to_owned()
}

/// A GraphQL string literal (JSON string escapes are valid GraphQL escapes).
pub fn lit(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}
