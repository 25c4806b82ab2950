//! Minting Amazon ECR tokens: `GetAuthorizationToken` (AWS JSON 1.1), SigV4-signed with the
//! caller's keys, sent through the shared [`HttpClient`] (its roots, proxies and time-out). What
//! goes to AWS: the `X-Amz-Target` and `Content-Type` headers, the body `{}`, the signature
//! headers (`Authorization` names the access key ID; `X-Amz-Security-Token` carries a session
//! token); the secret key itself never leaves the process. Logins with the same keys, region
//! and endpoint share one call, and the calls run concurrently.

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use serde::Deserialize;

use super::client::HttpClient;
use crate::core::address::RegistryKey;
use crate::core::aws_error::parse_aws_error;
use crate::core::credential::ResolvedCredential;
use crate::core::ecr::{token_login, EcrLogin, MintFailure, MintProblem};
use crate::core::plaintext::Plaintext;

/// The operation, as the JSON 1.1 protocol names it.
const TARGET: &str = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
/// The JSON 1.1 protocol's content type.
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The request body: no `registryIds`, so the token is the caller's own account's.
const BODY: &[u8] = b"{}";
/// The signing name of the ECR API.
const SIGNING_NAME: &str = "ecr";

/// The tokens of every login, in key order, as the `AWS` logins they stand for; fails naming
/// every login whose token could not be minted.
pub(crate) async fn mint_tokens(
    client: &HttpClient,
    logins: &BTreeMap<RegistryKey, EcrLogin<Plaintext>>,
) -> Result<Vec<ResolvedCredential>, MintProblem> {
    let mut distinct: Vec<&EcrLogin<Plaintext>> = Vec::new();
    let call_of: Vec<usize> = logins
        .values()
        .map(|login| {
            let identity = login.call_identity();
            distinct
                .iter()
                .position(|other| other.call_identity() == identity)
                .unwrap_or_else(|| {
                    distinct.push(login);
                    distinct.len() - 1
                })
        })
        .collect();
    let results = futures::future::join_all(distinct.iter().map(|login| mint(client, login))).await;
    let mut minted = Vec::with_capacity(logins.len());
    let mut failures = Vec::new();
    for ((key, login), call) in logins.iter().zip(call_of) {
        match results.get(call) {
            Some(Ok(credential)) => minted.push(credential.clone()),
            Some(Err(failure)) => {
                failures.push((key.as_str().to_owned(), login.url(), failure.clone()))
            }
            None => failures.push((
                key.as_str().to_owned(),
                login.url(),
                MintFailure::BadAnswer("internal error: the call was not made"),
            )),
        }
    }
    if failures.is_empty() {
        Ok(minted)
    } else {
        Err(MintProblem { failures })
    }
}

/// One `GetAuthorizationToken` call.
async fn mint(
    client: &HttpClient,
    login: &EcrLogin<Plaintext>,
) -> Result<ResolvedCredential, MintFailure> {
    let url = login.url();
    let parsed =
        Url::parse(&url).map_err(|_| MintFailure::BadAnswer("the endpoint is not a URL"))?;
    let mut request = client
        .request(Method::POST, parsed)
        .header("content-type", CONTENT_TYPE)
        .header("x-amz-target", TARGET);
    for (name, value) in signature_headers(login, &url)? {
        // Marked sensitive, so no `Debug` of the request shows the signature or session token.
        let mut value = HeaderValue::from_str(&value).map_err(|_| MintFailure::Signing)?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    let answer = client
        .send(request.body(BODY))
        .await
        .map_err(MintFailure::Transport)?;
    if answer.status != 200 {
        return Err(MintFailure::Refused {
            status: answer.status,
            error: parse_aws_error(&answer.body),
        });
    }
    let parsed: TokenAnswer = serde_json::from_slice(&answer.body)
        .map_err(|_| MintFailure::BadAnswer("the answer is not a GetAuthorizationToken result"))?;
    let token = parsed
        .authorization_data
        .into_iter()
        .next()
        .and_then(|data| data.authorization_token)
        .ok_or(MintFailure::BadAnswer(
            "the answer has no authorizationData[0].authorizationToken",
        ))?;
    token_login(&token).map_err(MintFailure::Token)
}

/// The SigV4 headers (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`) of the call to
/// `url`, signed now for the login's region.
fn signature_headers(
    login: &EcrLogin<Plaintext>,
    url: &str,
) -> Result<Vec<(String, String)>, MintFailure> {
    let identity = Credentials::new(
        login.access_key_id.expose().trim(),
        login.secret_access_key.expose().trim(),
        login
            .session_token
            .as_ref()
            .map(|token| token.expose().trim().to_owned()),
        None,
        "registry-config",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(login.registry.region())
        .name(SIGNING_NAME)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| MintFailure::Signing)?
        .into();
    let headers = [("content-type", CONTENT_TYPE), ("x-amz-target", TARGET)];
    let signable =
        SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(BODY))
            .map_err(|_| MintFailure::Signing)?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|_| MintFailure::Signing)?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect())
}

/// The part of a `GetAuthorizationToken` result that is read; `expiresAt` is not judged.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(rename = "authorizationData", default)]
    authorization_data: Vec<AuthorizationData>,
}

/// One `authorizationData` element.
#[derive(Deserialize)]
struct AuthorizationData {
    #[serde(rename = "authorizationToken")]
    authorization_token: Option<Plaintext>,
}
