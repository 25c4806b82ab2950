//! The one HTTP client of the module's own network calls, with their policy in one place: HTTPS
//! verified against the public roots compiled into the binary (the runtime image has no CA
//! bundle) plus the caller's PEM bundle, the proxy variables of the environment (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), no redirects (a call goes only where it was sent),
//! a time-out per request, and response bodies read up to a size cap into wiped buffers.
//! Transport failures become [`Failure`]s that name a TLS reason or the cause of an unreachable
//! host, never a URL's query or a body.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, RequestBuilder, Url};
use zeroize::Zeroizing;

use crate::core::verify::Failure;

/// How long one request may take, connection and body included.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting (TCP and the TLS handshake) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most body bytes read from one response; registry answers (errors, tokens) are far
/// smaller, and the rest is never read.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("registry-config/", env!("CARGO_PKG_VERSION"));

/// Why the caller's CA certificates cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Not a PEM bundle of X.509 certificates.
    #[error("is not a PEM bundle of X.509 certificates (-----BEGIN CERTIFICATE----- blocks)")]
    NotPem,
    /// A PEM file without a certificate.
    #[error("holds no certificate (no -----BEGIN CERTIFICATE----- block)")]
    Empty,
}

/// A response: the status, the headers the handshake reads, and the body up to
/// [`MAX_BODY_BYTES`] in a buffer that is wiped when dropped (it may hold a token).
pub(crate) struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// Every `WWW-Authenticate` value, joined with `, ` (one challenge list).
    pub challenge: Option<String>,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body, cut at [`MAX_BODY_BYTES`].
    pub body: Zeroizing<Vec<u8>>,
}

/// The HTTP client.
pub(crate) struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    /// A client that trusts the compiled-in public roots and every certificate of `extra_roots`
    /// (a PEM bundle).
    pub(crate) fn new(extra_roots: Option<&[u8]>) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(USER_AGENT);
        if let Some(pem) = extra_roots {
            if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(ClientError::Certificates(CertificateError::Empty));
            }
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|_| ClientError::Certificates(CertificateError::NotPem))?;
            if certificates.is_empty() {
                return Err(ClientError::Certificates(CertificateError::Empty));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        // The certificates are parsed when the client is built; the rest is fixed.
        let client = builder.build().map_err(|error| match extra_roots {
            Some(_) => ClientError::Certificates(CertificateError::NotPem),
            None => ClientError::Setup(Failure::cause(error)),
        })?;
        Ok(Self { client })
    }

    /// A request to `url`, to be completed (headers, body) and passed to [`HttpClient::send`].
    pub(crate) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` and reads the answer.
    pub(crate) async fn send(&self, request: RequestBuilder) -> Result<Answer, Failure> {
        let mut response = request
            .send()
            .await
            .map_err(|error| transport_failure(&error))?;
        let status = response.status().as_u16();
        let challenge = joined_values(response.headers());
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        // Sized once, so the buffer never reallocates and leaves an unwiped copy behind.
        let mut body = Zeroizing::new(Vec::with_capacity(MAX_BODY_BYTES));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport_failure(&error))?
        {
            let room = MAX_BODY_BYTES - body.len();
            body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            if body.len() == MAX_BODY_BYTES {
                break;
            }
        }
        Ok(Answer {
            status,
            challenge,
            location,
            body,
        })
    }
}

/// Why the client could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClientError {
    /// The caller's CA certificates.
    Certificates(CertificateError),
    /// The TLS stack refused its configuration (with the cause).
    Setup(String),
}

/// Every `WWW-Authenticate` value of `headers`, joined as one challenge list.
fn joined_values(headers: &HeaderMap) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// The failure a transport error stands for: a time-out, a TLS reason (found anywhere in the
/// error's causes), or an unreachable host with the innermost cause (an OS error, a DNS
/// failure). reqwest's own message is not used: it quotes the URL.
fn transport_failure(error: &reqwest::Error) -> Failure {
    if error.is_timeout() {
        let limit = if error.is_connect() {
            CONNECT_TIMEOUT
        } else {
            REQUEST_TIMEOUT
        };
        return Failure::TimedOut {
            seconds: limit.as_secs(),
        };
    }
    let mut innermost: Option<&(dyn std::error::Error + 'static)> = None;
    let mut cause = error.source();
    while let Some(current) = cause {
        let current = unwrap_io(current);
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            if matches!(tls, rustls::Error::InvalidMessage(_)) {
                // The server answered, but not in TLS: a plain-HTTP server, not a TLS problem.
                return Failure::Unreachable {
                    cause: "the server does not speak TLS (a plain-HTTP registry needs plainHttp unless it is a loopback host)".to_owned(),
                };
            }
            return Failure::Tls {
                reason: tls_reason(tls),
                fallback: None,
            };
        }
        innermost = Some(current);
        cause = current.source();
    }
    Failure::Unreachable {
        cause: innermost.map_or_else(|| "the connection failed".to_owned(), Failure::cause),
    }
}

/// The error an `io::Error` carries, through any number of wrappings (the connector and the
/// TLS stream each wrap the rustls error in one, and `io::Error::source` skips what it wraps).
fn unwrap_io<'a>(
    mut error: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    while let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        error = inner;
    }
    error
}

/// A TLS failure in words, with what to do for the common certificate problems.
fn tls_reason(error: &rustls::Error) -> String {
    use rustls::CertificateError as Cert;
    match error {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => {
            "the registry's certificate is signed by an unknown authority; pass its CA certificate (PEM) in caCertificates".to_owned()
        }
        rustls::Error::InvalidCertificate(Cert::NotValidForName | Cert::NotValidForNameContext { .. }) => {
            "the registry's certificate is not valid for this host name".to_owned()
        }
        rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => {
            "the registry's certificate has expired".to_owned()
        }
        other => Failure::cause(other),
    }
}
