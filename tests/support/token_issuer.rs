//! A small token issuer on 127.0.0.1 following the distribution token specification, for the
//! registry in `auth: token` mode: `GET /token?service=…&scope=…` with Basic credentials, and
//! `POST /token` with the OAuth2 `refresh_token` grant. It answers JWTs signed (ES256) with a
//! throwaway key whose self-signed certificate is sent in the `x5c` header and given to the
//! registry as its `rootcertbundle`, with `iss` = [`ISSUER`], `aud` = [`SERVICE`] and the granted
//! `access`. Users: [`READER`] may pull, [`WRITER`] may pull and push, on every repository.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::registry::{run_setup, tool};

/// The registry's `service` name (the tokens' audience).
pub const SERVICE: &str = "registry-config-e2e";
/// The tokens' issuer.
pub const ISSUER: &str = "registry-config-e2e-issuer";
/// A user that may pull only.
pub const READER: (&str, &str) = ("reader", "reader-S3cret!");
/// A user that may pull and push.
pub const WRITER: (&str, &str) = ("writer", "writer-S3cret!");
/// A refresh token (an identity token) of [`WRITER`].
pub const WRITER_REFRESH_TOKEN: &str = "writer-refresh-S3cret-token";

/// What a token request asked for, as the issuer saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// `GET` (Basic credentials) or `POST` (refresh token grant).
    pub method: String,
    /// The account the request authenticated as, if it did.
    pub account: Option<String>,
    /// The `scope` parameters.
    pub scopes: Vec<String>,
    /// The token issued, if any (for leak scans).
    pub issued: Option<String>,
}

/// A running issuer; stops with its thread when dropped.
pub struct TokenIssuer {
    port: u16,
    certificate: PathBuf,
    /// Holds the key and certificate; removed on drop.
    _dir: tempfile::TempDir,
    requests: Arc<Mutex<Vec<TokenRequest>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The signing key and what every token carries.
struct Signer {
    key: EncodingKey,
    x5c: String,
    requests: Arc<Mutex<Vec<TokenRequest>>>,
}

impl TokenIssuer {
    /// Makes a key and certificate with openssl in a temp dir of its own and starts serving on
    /// 127.0.0.1.
    pub fn start() -> TokenIssuer {
        let dir = tempfile::Builder::new()
            .prefix("registry-config-issuer-")
            .tempdir()
            .expect("create the issuer's temp dir");
        let key_path = dir.path().join("token-signing.key");
        let certificate = dir.path().join("token-signing.crt");
        run_setup(
            Command::new(tool("openssl"))
                .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
                .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
                .args(["-subj", "/CN=registry-config e2e token issuer"])
                .arg("-keyout")
                .arg(&key_path)
                .arg("-out")
                .arg(&certificate),
            None,
        );
        let key_pem = fs::read(&key_path).expect("read the signing key");
        let cert_pem = fs::read_to_string(&certificate).expect("read the certificate");
        let x5c: String = cert_pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let signer = Arc::new(Signer {
            key: EncodingKey::from_ec_pem(&key_pem).expect("a PKCS#8 EC key"),
            x5c,
            requests: requests.clone(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(serve(listener, signer, shutdown_rx));
        });
        TokenIssuer {
            port,
            certificate,
            _dir: dir,
            requests,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/token`, the registry's realm.
    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The signing certificate (PEM), the registry's `rootcertbundle`.
    pub fn certificate(&self) -> &Path {
        &self.certificate
    }

    /// The token requests so far.
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.requests.lock().expect("requests lock").clone()
    }
}

impl Drop for TokenIssuer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: TcpListener,
    signer: Arc<Signer>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut shutdown => return,
        };
        let signer = signer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let signer = signer.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(&signer, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The actions `account` may take on any repository.
fn rights(account: &str) -> &'static [&'static str] {
    if account == WRITER.0 {
        &["pull", "push"]
    } else if account == READER.0 {
        &["pull"]
    } else {
        &[]
    }
}

/// Answers one request to the issuer.
async fn answer(signer: &Signer, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.uri().path() != "/token" {
        return respond(
            StatusCode::NOT_FOUND,
            json!({"errors":[{"code":"NAME_UNKNOWN"}]}),
        );
    }
    let method = request.method().clone();
    let basic = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok());
    let query = request.uri().query().unwrap_or_default().to_owned();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if method == Method::POST {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let scopes: Vec<String> = params
        .iter()
        .filter(|(key, _)| key == "scope")
        .flat_map(|(_, value)| value.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let account = match method {
        Method::GET => basic.and_then(|pair| {
            let (user, password) = pair.split_once(':')?;
            [READER, WRITER]
                .iter()
                .any(|(u, p)| *u == user && *p == password)
                .then(|| user.to_owned())
        }),
        Method::POST if param("grant_type").as_deref() == Some("refresh_token") => {
            (param("refresh_token").as_deref() == Some(WRITER_REFRESH_TOKEN))
                .then(|| WRITER.0.to_owned())
        }
        _ => None,
    };
    let mut record = TokenRequest {
        method: method.to_string(),
        account: account.clone(),
        scopes: scopes.clone(),
        issued: None,
    };
    let Some(account) = account else {
        signer.requests.lock().expect("requests lock").push(record);
        return respond(
            StatusCode::UNAUTHORIZED,
            json!({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}),
        );
    };
    if param("service").as_deref() != Some(SERVICE) {
        signer.requests.lock().expect("requests lock").push(record);
        return respond(
            StatusCode::BAD_REQUEST,
            json!({"errors":[{"code":"UNSUPPORTED"}]}),
        );
    }
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            let granted: BTreeSet<&str> = actions
                .split(',')
                .filter(|action| rights(&account).contains(action))
                .collect();
            Some(json!({"type": kind, "name": name, "actions": granted}))
        })
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time after 1970")
        .as_secs();
    let claims = json!({
        "iss": ISSUER,
        "sub": account,
        "aud": SERVICE,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("{account}-{now}-{}", scopes.len()),
        "access": access,
    });
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("JWT".to_owned());
    header.x5c = Some(vec![signer.x5c.clone()]);
    let token = jsonwebtoken::encode(&header, &claims, &signer.key).expect("sign the token");
    record.issued = Some(token.clone());
    signer.requests.lock().expect("requests lock").push(record);
    respond(
        StatusCode::OK,
        json!({"token": token, "access_token": token, "expires_in": 300}),
    )
}

fn respond(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        "application/json".parse().expect("header value"),
    );
    response
}
