//! The `docker login` handshake with one registry, done so that a pass means the credentials
//! work: `GET /v2/` without credentials; on a `Basic` challenge the credentials go with the
//! retry; on `Bearer realm=…,service=…` a token is fetched from the realm (Basic credentials by
//! `GET`, an identity token by the OAuth2 `refresh_token` grant, a registry token is itself the
//! bearer) and `/v2/` is retried with it. Only 200 passes. With a repository, the token is asked
//! for its `pull` (and `push`) scope and what it grants is checked: from a JWT's `access` claim,
//! else by listing the repository's tags (pull) and by opening a blob upload and cancelling it
//! (push).
//!
//! Plain HTTP is tried only for loopback hosts or when the caller allows it, and only after
//! HTTPS failed; a TLS reason of that HTTPS attempt stays in the failure. Credentials go to the
//! realm only over HTTPS, unless the registry itself is a loopback host reached over HTTP.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Url};

use super::client::{Answer, HttpClient};
use crate::core::address::RegistryKey;
use crate::core::challenge::{parse_challenge, Challenge};
use crate::core::credential::{Credential, ResolvedCredential};
use crate::core::helper::HelperName;
use crate::core::plaintext::Plaintext;
use crate::core::token::{error_codes, granted_actions, parse_token_response, Scope};
use crate::core::verify::{
    api_host, is_loopback, Failure, Outcome, Proven, Step, UPLOAD_NOT_CANCELLED,
};

/// How long the whole check of one registry may take.
pub const REGISTRY_TIMEOUT: Duration = Duration::from_secs(15);

/// The OAuth2 `client_id` sent with an identity token.
const CLIENT_ID: &str = "registry-config";

/// The credential of an entry that holds one (a helper entry has none to check).
pub(crate) enum Login<'a> {
    /// Username and password.
    Basic {
        /// Who logs in.
        username: &'a str,
        /// The password or access token.
        password: &'a Plaintext,
    },
    /// An OAuth2 refresh token, exchanged at the realm.
    IdentityToken(&'a Plaintext),
    /// A bearer token, sent as it is.
    RegistryToken(&'a Plaintext),
}

impl<'a> Login<'a> {
    /// The login of `credential`, or the helper that stands in for one.
    pub(crate) fn of(credential: &'a ResolvedCredential) -> Result<Self, &'a HelperName> {
        match credential {
            Credential::Basic { username, password } => Ok(Login::Basic {
                username: username.as_str(),
                password,
            }),
            Credential::IdentityToken(token) => Ok(Login::IdentityToken(token)),
            Credential::RegistryToken(token) => Ok(Login::RegistryToken(token)),
            Credential::Helper(helper) => Err(helper),
        }
    }
}

/// What to check for one registry entry.
pub(crate) struct Check<'a> {
    /// The entry's key.
    pub key: &'a RegistryKey,
    /// Its credential.
    pub login: Login<'a>,
    /// The repository and actions to prove, if an image was given.
    pub scope: Option<&'a Scope>,
    /// Whether plain HTTP may be tried for a host that is not loopback.
    pub plain_http: bool,
}

/// Runs the check within [`REGISTRY_TIMEOUT`].
pub(crate) async fn check(client: &HttpClient, check: &Check<'_>) -> Outcome {
    match tokio::time::timeout(REGISTRY_TIMEOUT, handshake(client, check)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(failure)) => Outcome::Failed(failure),
        Err(_) => Outcome::Failed(Failure::TimedOut {
            seconds: REGISTRY_TIMEOUT.as_secs(),
        }),
    }
}

/// How a request is authenticated.
enum Auth<'a> {
    /// Username and password.
    Basic {
        username: &'a str,
        password: &'a Plaintext,
    },
    /// A bearer token.
    Bearer(Plaintext),
}

impl Auth<'_> {
    fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Auth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
        }
    }
}

/// The handshake; `Ok` with what was proven for the repository, if one was asked for, or
/// [`Outcome::NotAsked`] when the registry wants no credentials and no repository was given.
async fn handshake(client: &HttpClient, check: &Check<'_>) -> Result<Outcome, Failure> {
    let host = api_host(check.key);
    let loopback = is_loopback(host);
    let (base, ping) = ping(client, host, loopback || check.plain_http).await?;
    let challenge = match ping.status {
        200 if check.scope.is_none() => return Ok(Outcome::NotAsked),
        200 => None,
        401 => {
            let header = ping.challenge.as_deref().ok_or(Failure::Protocol {
                reason: "GET /v2/ answered 401 without a WWW-Authenticate challenge",
            })?;
            Some(parse_challenge(header).map_err(Failure::Challenge)?)
        }
        status => {
            return Err(Failure::Status {
                step: Step::Ping,
                status,
                codes: error_codes(&ping.body),
            })
        }
    };
    let auth = match (challenge, &check.login) {
        (_, Login::RegistryToken(token)) => Auth::Bearer((*token).clone()),
        (None | Some(Challenge::Basic), Login::Basic { username, password }) => {
            Auth::Basic { username, password }
        }
        (None | Some(Challenge::Basic), Login::IdentityToken(_)) => {
            return Err(Failure::CredentialKind {
                kind: "an identity token",
            })
        }
        (Some(Challenge::Bearer { realm, service }), login) => {
            let realm = realm_url(&realm, &base, loopback)?;
            let token = fetch_token(client, realm, service.as_deref(), check.scope, login).await?;
            Auth::Bearer(token)
        }
    };
    // A bearer token that states its grant (a JWT) is checked against the scope before use.
    let granted_by_claim = match (&auth, check.scope) {
        (Auth::Bearer(token), Some(scope)) => check_claim(token, scope)?,
        _ => false,
    };
    let login = send(client, Method::GET, url(&base, "/v2/")?, &auth).await?;
    if login.status != 200 {
        return Err(status_failure(Step::Login, &login));
    }
    let Some(scope) = check.scope else {
        return Ok(Outcome::Ok(None));
    };
    let mut note = None;
    if !granted_by_claim {
        prove_pull(client, &base, scope, &auth).await?;
        if scope.push {
            note = prove_push(client, &base, scope, &auth).await?;
        }
    }
    Ok(Outcome::Ok(Some(Proven {
        actions: scope.actions(),
        repository: scope.repository.clone(),
        note,
    })))
}

/// The anonymous `GET /v2/` over HTTPS, then — when `may_fall_back` and HTTPS failed at the
/// transport — over plain HTTP. Returns the base URL that answered and its answer.
async fn ping(
    client: &HttpClient,
    host: &str,
    may_fall_back: bool,
) -> Result<(Url, Answer), Failure> {
    let https = base_url("https", host)?;
    let first = match client
        .send(client.request(Method::GET, url(&https, "/v2/")?))
        .await
    {
        Ok(answer) => return Ok((https, answer)),
        Err(failure) => failure,
    };
    if !may_fall_back || matches!(first, Failure::TimedOut { .. }) {
        return Err(first);
    }
    let http = base_url("http", host)?;
    let second = match client
        .send(client.request(Method::GET, url(&http, "/v2/")?))
        .await
    {
        Ok(answer) if matches!(answer.status, 200 | 401) => return Ok((http, answer)),
        Ok(answer) => status_failure(Step::Ping, &answer),
        Err(failure) => failure,
    };
    Err(match first {
        Failure::Tls { reason, .. } => Failure::Tls {
            reason,
            fallback: Some(Box::new(second)),
        },
        _ => second,
    })
}

/// The realm as a URL credentials may be sent to.
fn realm_url(realm: &str, base: &Url, loopback: bool) -> Result<Url, Failure> {
    let url = Url::parse(realm).map_err(|_| Failure::Realm {
        reason: "is not an absolute URL",
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::Realm {
            reason: "holds credentials",
        });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if base.scheme() == "http" && loopback => Ok(url),
        "http" => Err(Failure::Realm {
            reason: "is plain HTTP; credentials are sent to an HTTP realm only when the registry itself is a loopback host reached over HTTP",
        }),
        _ => Err(Failure::Realm {
            reason: "is not an http(s) URL",
        }),
    }
}

/// Fetches a token from the realm for `scope` (none: the `docker login` token).
async fn fetch_token(
    client: &HttpClient,
    realm: Url,
    service: Option<&str>,
    scope: Option<&Scope>,
    login: &Login<'_>,
) -> Result<Plaintext, Failure> {
    let scope = scope.map(Scope::parameter);
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(service) = service {
        params.push(("service", service));
    }
    if let Some(scope) = &scope {
        params.push(("scope", scope));
    }
    let request = match login {
        Login::Basic { username, password } => client
            .request(Method::GET, realm)
            .query(&params)
            .basic_auth(username, Some(password.expose())),
        Login::IdentityToken(token) => {
            params.extend([
                ("grant_type", "refresh_token"),
                ("refresh_token", token.expose()),
                ("client_id", CLIENT_ID),
            ]);
            client.request(Method::POST, realm).form(&params)
        }
        Login::RegistryToken(token) => return Ok((*token).clone()),
    };
    let answer = client.send(request).await?;
    if answer.status != 200 {
        return Err(status_failure(Step::Token, &answer));
    }
    parse_token_response(&answer.body).map_err(Failure::Token)
}

/// Checks a JWT's `access` claim against `scope`: `Ok(true)` when it grants every action,
/// `Ok(false)` for an opaque token (proven by requests instead), a failure naming what is missing.
fn check_claim(token: &Plaintext, scope: &Scope) -> Result<bool, Failure> {
    let Some(granted) = granted_actions(token.expose(), &scope.repository) else {
        return Ok(false);
    };
    let missing: Vec<&'static str> = scope
        .actions()
        .iter()
        .copied()
        .filter(|action| !granted.contains(*action))
        .collect();
    if missing.is_empty() {
        Ok(true)
    } else {
        Err(Failure::NotGranted {
            repository: scope.repository.clone(),
            missing,
        })
    }
}

/// Pull: listing the repository's tags is allowed (200, or 404 for a repository that does not
/// exist yet).
async fn prove_pull(
    client: &HttpClient,
    base: &Url,
    scope: &Scope,
    auth: &Auth<'_>,
) -> Result<(), Failure> {
    let path = format!("/v2/{}/tags/list", scope.repository);
    let answer = send(client, Method::GET, url(base, &path)?, auth).await?;
    match answer.status {
        200 | 404 => Ok(()),
        _ => Err(status_failure(Step::ListTags, &answer)),
    }
}

/// Push: a blob upload opens (202) and is cancelled right away, leaving nothing behind. A
/// registry that refuses the cancel (401/403: it asks for the `delete` action) has still proven
/// push; the result then carries [`UPLOAD_NOT_CANCELLED`].
async fn prove_push(
    client: &HttpClient,
    base: &Url,
    scope: &Scope,
    auth: &Auth<'_>,
) -> Result<Option<&'static str>, Failure> {
    let path = format!("/v2/{}/blobs/uploads/", scope.repository);
    let opened = send(client, Method::POST, url(base, &path)?, auth).await?;
    if opened.status != 202 {
        return Err(status_failure(Step::OpenUpload, &opened));
    }
    let location = opened
        .location
        .as_deref()
        .and_then(|location| base.join(location).ok())
        .filter(|location| location.origin() == base.origin())
        .ok_or(Failure::Protocol {
            reason: "the registry opened the test blob upload but gave no upload location on its own host, so it could not be cancelled",
        })?;
    let cancelled = send(client, Method::DELETE, location, auth).await?;
    match cancelled.status {
        200..=299 => Ok(None),
        401 | 403 => Ok(Some(UPLOAD_NOT_CANCELLED)),
        _ => Err(status_failure(Step::CancelUpload, &cancelled)),
    }
}

/// Sends an authenticated request.
async fn send(
    client: &HttpClient,
    method: Method,
    url: Url,
    auth: &Auth<'_>,
) -> Result<Answer, Failure> {
    client.send(auth.apply(client.request(method, url))).await
}

/// The failure for an unexpected status at `step`.
fn status_failure(step: Step, answer: &Answer) -> Failure {
    Failure::Status {
        step,
        status: answer.status,
        codes: error_codes(&answer.body),
    }
}

/// `scheme://host/`.
fn base_url(scheme: &str, host: &str) -> Result<Url, Failure> {
    Url::parse(&format!("{scheme}://{host}/")).map_err(|_| Failure::Protocol {
        reason: "the registry host is not a valid URL host",
    })
}

/// `path` on `base`.
fn url(base: &Url, path: &str) -> Result<Url, Failure> {
    base.join(path).map_err(|_| Failure::Protocol {
        reason: "the repository does not form a valid URL path",
    })
}
