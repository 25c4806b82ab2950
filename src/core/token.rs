//! What a registry's token endpoint and error bodies say, read without a socket: the token in a
//! token response, the access a JWT token grants, and the registry error codes of an error body.
//! Nothing here copies a byte of a body into a message: tokens stay in wiped buffers, and error
//! codes are matched against the fixed vocabulary of the distribution specification.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde::Deserialize;

use super::plaintext::Plaintext;

/// What a check asks a repository for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The repository path (`team/app`, `library/alpine`).
    pub repository: String,
    /// Whether push is asked for as well as pull.
    pub push: bool,
}

impl Scope {
    /// The actions asked for, in the order the token specification writes them.
    pub fn actions(&self) -> &'static [&'static str] {
        if self.push {
            &["pull", "push"]
        } else {
            &["pull"]
        }
    }

    /// The `scope` parameter of a token request: `repository:<repo>:pull[,push]`.
    pub fn parameter(&self) -> String {
        format!(
            "repository:{}:{}",
            self.repository,
            self.actions().join(",")
        )
    }
}

/// Why a token response is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenResponseError {
    /// Not JSON, or neither `token` nor `access_token` is a non-empty string.
    #[error("the token endpoint's answer holds no token")]
    NoToken,
}

/// The body of a token response: `token`, or the OAuth2 `access_token` (docker takes `token`
/// first).
#[derive(Deserialize)]
struct TokenResponse {
    token: Option<Plaintext>,
    access_token: Option<Plaintext>,
}

/// The bearer token of a token endpoint's answer.
pub fn parse_token_response(body: &[u8]) -> Result<Plaintext, TokenResponseError> {
    let response: TokenResponse =
        serde_json::from_slice(body).map_err(|_| TokenResponseError::NoToken)?;
    [response.token, response.access_token]
        .into_iter()
        .flatten()
        .find(|token| !token.expose().trim().is_empty())
        .ok_or(TokenResponseError::NoToken)
}

/// One `access` entry of a distribution token's claims.
#[derive(Deserialize)]
struct ResourceActions {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default)]
    actions: Vec<String>,
}

/// The claims this check reads.
#[derive(Deserialize)]
struct Claims {
    access: Option<Vec<ResourceActions>>,
}

/// The actions a token grants on `repository`, when the token is a JWT with an `access` claim
/// (the distribution token specification); `None` for an opaque token. Only the payload is
/// decoded: this reads what the issuer granted, it does not authenticate the issuer (the
/// registry does that when the token is used).
pub fn granted_actions(token: &str, repository: &str) -> Option<BTreeSet<String>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decoded = zeroize::Zeroizing::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?,
    );
    let claims: Claims = serde_json::from_slice(&decoded).ok()?;
    let granted = claims
        .access?
        .into_iter()
        .filter(|entry| entry.kind == "repository" && entry.name == repository)
        .flat_map(|entry| entry.actions)
        .flat_map(|action| match action.as_str() {
            // `*` grants every action on the repository.
            "*" => vec!["pull".to_owned(), "push".to_owned()],
            _ => vec![action],
        })
        .collect();
    Some(granted)
}

/// The error codes of the OCI distribution specification and the registries that follow it,
/// the only codes ever shown.
const KNOWN_ERROR_CODES: [&str; 16] = [
    "BLOB_UNKNOWN",
    "BLOB_UPLOAD_INVALID",
    "BLOB_UPLOAD_UNKNOWN",
    "DIGEST_INVALID",
    "MANIFEST_BLOB_UNKNOWN",
    "MANIFEST_INVALID",
    "MANIFEST_UNKNOWN",
    "NAME_INVALID",
    "NAME_UNKNOWN",
    "SIZE_INVALID",
    "UNAUTHORIZED",
    "DENIED",
    "UNSUPPORTED",
    "TOOMANYREQUESTS",
    "UNAVAILABLE",
    "UNKNOWN",
];

/// The most codes read from one body.
const MAX_ERROR_CODES: usize = 4;

/// One error of an `{"errors":[{"code":…}]}` body.
#[derive(Deserialize)]
struct RegistryError {
    code: Option<String>,
}

/// The body shape.
#[derive(Deserialize)]
struct ErrorBody {
    errors: Option<Vec<RegistryError>>,
}

/// The known error codes of an error body (`{"errors":[{"code":"DENIED",…}]}`), deduplicated,
/// in body order, at most [`MAX_ERROR_CODES`]. Any other code, message or detail is dropped:
/// registries put request details (and sometimes what was sent) into messages.
pub fn error_codes(body: &[u8]) -> Vec<&'static str> {
    let Ok(ErrorBody {
        errors: Some(errors),
    }) = serde_json::from_slice(body)
    else {
        return Vec::new();
    };
    let mut codes = Vec::new();
    for code in errors.iter().filter_map(|error| error.code.as_deref()) {
        let Some(known) = KNOWN_ERROR_CODES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(code))
        else {
            continue;
        };
        if !codes.contains(known) {
            codes.push(*known);
        }
        if codes.len() == MAX_ERROR_CODES {
            break;
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let part = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!(
            "{}.{}.{}",
            part(r#"{"alg":"ES256"}"#),
            part(payload),
            part("sig")
        )
    }

    #[test]
    fn scope_parameter() {
        let pull = Scope {
            repository: "team/app".into(),
            push: false,
        };
        assert_eq!(pull.parameter(), "repository:team/app:pull");
        let push = Scope { push: true, ..pull };
        assert_eq!(push.parameter(), "repository:team/app:pull,push");
    }

    #[test]
    fn token_response_prefers_token_then_access_token() {
        let both = parse_token_response(br#"{"token":"a","access_token":"b"}"#);
        assert_eq!(both.map(|t| t.expose().to_owned()), Ok("a".into()));
        let oauth = parse_token_response(br#"{"access_token":"b","expires_in":60}"#);
        assert_eq!(oauth.map(|t| t.expose().to_owned()), Ok("b".into()));
        let blank_token = parse_token_response(br#"{"token":" ","access_token":"b"}"#);
        assert_eq!(blank_token.map(|t| t.expose().to_owned()), Ok("b".into()));
    }

    #[test]
    fn token_response_without_token() {
        for body in [
            &b"{}"[..],
            b"not json",
            br#"{"token":""}"#,
            br#"{"token":1}"#,
        ] {
            assert_eq!(
                parse_token_response(body).err(),
                Some(TokenResponseError::NoToken)
            );
        }
    }

    #[test]
    fn granted_actions_of_the_repository_only() {
        let token = jwt(
            r#"{"iss":"x","access":[{"type":"repository","name":"team/app","actions":["pull"]},{"type":"repository","name":"other","actions":["push"]}]}"#,
        );
        assert_eq!(
            granted_actions(&token, "team/app"),
            Some(BTreeSet::from(["pull".to_owned()]))
        );
        assert_eq!(
            granted_actions(&token, "team"),
            Some(BTreeSet::new()),
            "another repository's grant does not count"
        );
    }

    #[test]
    fn wildcard_grants_pull_and_push() {
        let token = jwt(r#"{"access":[{"type":"repository","name":"a","actions":["*"]}]}"#);
        assert_eq!(
            granted_actions(&token, "a"),
            Some(BTreeSet::from(["pull".to_owned(), "push".to_owned()]))
        );
    }

    #[test]
    fn an_empty_access_claim_grants_nothing() {
        let token = jwt(r#"{"access":[]}"#);
        assert_eq!(granted_actions(&token, "a"), Some(BTreeSet::new()));
    }

    #[test]
    fn opaque_tokens_say_nothing() {
        for token in [
            "ghp_opaque".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            jwt(r#"{"sub":"no access claim"}"#),
            "x.%%%.y".to_owned(),
        ] {
            assert_eq!(granted_actions(&token, "a"), None, "{token}");
        }
    }

    #[test]
    fn error_codes_keep_the_known_vocabulary_only() {
        let body = br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"},{"code":"SECRET_hunter2"},{"code":"denied"},{"code":"UNAUTHORIZED","detail":[{"Type":"repository"}]}]}"#;
        assert_eq!(error_codes(body), vec!["DENIED", "UNAUTHORIZED"]);
    }

    #[test]
    fn error_codes_of_other_bodies() {
        assert!(error_codes(b"<html>404</html>").is_empty());
        assert!(error_codes(br#"{"details":"incorrect username or password"}"#).is_empty());
        let many = br#"{"errors":[{"code":"DENIED"},{"code":"UNKNOWN"},{"code":"UNSUPPORTED"},{"code":"NAME_UNKNOWN"},{"code":"SIZE_INVALID"}]}"#;
        assert_eq!(error_codes(many).len(), MAX_ERROR_CODES);
    }
}
