//! Rendering resolved credentials into `config.json` bytes.
//!
//! The output is compact JSON, `{"auths":{KEY:{...}}}`, keys in byte order, one field per entry,
//! standard base64 with padding, then `"credHelpers"` when there are helpers (a Docker Hub helper
//! under both the Hub key and `docker.io`). The same entries always give the same bytes, which
//! is what lets the secret's name (and every downstream cache key) stay stable.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::Serialize;
use zeroize::Zeroizing;

use super::address::{RegistryKey, DOCKER_HUB_KEY};
use super::credential::{Credential, ResolvedCredential};
use super::shown::listed;
use super::visible::shows_nothing;

/// The engine's `setSecret` plaintext limit, in bytes.
pub const MAX_CONFIG_BYTES: usize = 128_000;

/// The final credential set: one resolved credential per normalized key, in key order.
pub type ResolvedEntries = BTreeMap<RegistryKey, ResolvedCredential>;

/// A rendered `config.json`. Wiped on drop; `Debug` shows nothing of it (not even its length,
/// which would tell the secrets' lengths).
pub struct RenderedConfig(Zeroizing<Vec<u8>>);

impl RenderedConfig {
    /// Wraps bytes another renderer wrote (the Kubernetes manifest).
    pub(crate) fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }

    /// The JSON bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The JSON text (rendering only ever produces UTF-8).
    pub fn as_str(&self) -> &str {
        // serde_json writes UTF-8 only; the fallback is unreachable but keeps this panic-free.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the buffer is empty (never true for a rendered config).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RenderedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RenderedConfig(<redacted>)")
    }
}

/// Why a credential set cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// Over the engine's secret size limit. The size is given in whole KiB, rounded up: the
    /// exact byte count would tell the length of the secrets in it.
    #[error("the rendered config is over the engine's {MAX_CONFIG_BYTES}-byte secret limit (it is at most {kib} KiB; sizes are rounded up to whole KiB so that they do not tell the secrets' lengths); split the registries across several configs")]
    TooLarge {
        /// Rendered size in KiB, rounded up.
        kib: usize,
    },
    /// A password or token that is empty, or only whitespace and invisible characters, which no
    /// registry accepts.
    #[error("the {secret} for {key:?} is empty or only whitespace or invisible characters; no registry accepts that, and clients would fail later or silently go anonymous; check where the secret comes from (an unset environment variable gives an empty secret)")]
    EmptySecret {
        /// The normalized registry key.
        key: String,
        /// `password`, `identity token` or `registry token`.
        secret: &'static str,
    },
    /// A password or token with a control character in it. Neither the character nor where it
    /// is are named: either would tell something about the secret.
    #[error("the {secret} for {key:?} contains a control character (a NUL, a tab, a line break or another non-printing character); clients would send it as is and the registry would refuse it, or refuse to send it at all; one trailing newline (\\n or \\r\\n) of a password or token passed to withRegistryAuth, withIdentityToken or withRegistryToken is removed, as docker login --password-stdin does, and nothing else; check where the secret comes from")]
    ControlInSecret {
        /// The normalized registry key.
        key: String,
        /// `password`, `identity token` or `registry token`.
        secret: &'static str,
    },
    /// Several namespace keys for one host and no host-level key.
    #[error("the keys {} all scope host {host:?} to a namespace and there is no {host:?} key; docker, oras and crane look credentials up by host and would pick one of them at random; add a host-level entry for {host:?} or keep one namespace", listed(.keys))]
    AmbiguousNamespaces {
        /// The shared host.
        host: String,
        /// The namespace keys for that host.
        keys: Vec<String>,
    },
    /// serde_json refused the entries (only strings are written, so this indicates a bug).
    #[error("internal error: the config could not be serialized")]
    Serialization,
}

/// Renders the entries into `config.json` bytes, after checking the namespace rule, that every
/// secret can work (not blank, no control character), and the size limit. Intermediate buffers
/// holding secrets are wiped.
pub fn render(entries: &ResolvedEntries) -> Result<RenderedConfig, RenderError> {
    check_namespaces(entries.keys())?;
    check_secrets(entries)?;

    // The exact size is known without building anything: refuse an oversized config before
    // any secret is copied, and size the output buffer exactly so that it never reallocates
    // (which would leave an unwiped copy of the secrets in freed memory).
    let size = rendered_len(entries);
    if size > MAX_CONFIG_BYTES {
        return Err(RenderError::TooLarge {
            kib: size.div_ceil(1024),
        });
    }
    let auths: Vec<Option<Zeroizing<String>>> = entries
        .values()
        .map(|credential| match credential {
            Credential::Basic { username, password } => {
                Some(basic_auth(username.as_str(), password.expose()))
            }
            _ => None,
        })
        .collect();
    let mut file = File::default();
    for ((key, credential), auth) in entries.iter().zip(&auths) {
        let entry = match credential {
            Credential::Basic { .. } => Entry {
                auth: auth.as_deref().map(String::as_str),
                ..Entry::default()
            },
            Credential::IdentityToken(token) => Entry {
                identitytoken: Some(token.expose()),
                ..Entry::default()
            },
            Credential::RegistryToken(token) => Entry {
                registrytoken: Some(token.expose()),
                ..Entry::default()
            },
            Credential::Helper(name) => {
                for helper_key in helper_keys(key) {
                    file.cred_helpers.insert(helper_key, name.as_str());
                }
                continue;
            }
        };
        file.auths.insert(key.as_str(), entry);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    serde_json::to_writer(&mut *out, &file).map_err(|_| RenderError::Serialization)?;
    if out.len() != size {
        return Err(RenderError::Serialization);
    }
    Ok(RenderedConfig(out))
}

/// `{"auths":{}}`, around the entries.
pub(crate) const ENVELOPE_LEN: usize = r#"{"auths":{}}"#.len();
/// `,"credHelpers":{}`, when there are helper entries.
const HELPERS_SECTION_LEN: usize = r#","credHelpers":{}"#.len();
/// The shortest body any entry renders to: a one-letter helper name, `"x"`.
pub(crate) const MIN_BODY_LEN: usize = r#""x""#.len();
/// The shortest JSON literal a token renders to (a blank token is refused): `"x"`.
pub(crate) const MIN_TOKEN_LITERAL_LEN: usize = r#""x""#.len();

/// The exact length in bytes of what [`render`] writes for `entries`, computed from the lengths
/// of the keys and secrets without copying any of them.
pub fn rendered_len(entries: &ResolvedEntries) -> usize {
    let helpers = entries
        .values()
        .filter(|credential| matches!(credential, Credential::Helper(_)))
        .count();
    let auths = entries.len() - helpers;
    let entries_len = entries.iter().fold(0usize, |total, (key, credential)| {
        let secret_len = match credential {
            Credential::Basic { password, .. } => password.expose().len(),
            Credential::IdentityToken(token) | Credential::RegistryToken(token) => {
                escaped_len(token.expose())
            }
            Credential::Helper(_) => 0,
        };
        total.saturating_add(entry_len(key, credential, secret_len))
    });
    let commas = auths.saturating_sub(1) + helpers.saturating_sub(1);
    let helpers_section = if helpers > 0 { HELPERS_SECTION_LEN } else { 0 };
    ENVELOPE_LEN
        .saturating_add(helpers_section)
        .saturating_add(entries_len)
        .saturating_add(commas)
}

/// `docker.io`, the key containers/image (skopeo, podman, buildah) looks Docker Hub's credential
/// helper up by: it matches `credHelpers` keys exactly (unlike `auths` keys, which it
/// normalizes), and docker, oras and crane look up [`DOCKER_HUB_KEY`] instead. A Hub helper is
/// written under both, so that every tool runs it.
const DOCKER_HUB_HELPER_ALIAS: &str = "docker.io";

/// The keys a helper entry for `key` is written under: its own, and for Docker Hub also
/// [`DOCKER_HUB_HELPER_ALIAS`].
fn helper_keys(key: &RegistryKey) -> impl Iterator<Item = &str> {
    let alias = (key.as_str() == DOCKER_HUB_KEY).then_some(DOCKER_HUB_HELPER_ALIAS);
    std::iter::once(key.as_str()).chain(alias)
}

/// The length of one entry as written, `"key":body`, given the length its secret takes (see
/// [`body_len`]); a helper for Docker Hub counts both of its keys and the comma between them.
pub(crate) fn entry_len<S>(
    key: &RegistryKey,
    credential: &Credential<S>,
    secret_len: usize,
) -> usize {
    let body = body_len(credential, secret_len);
    match credential {
        Credential::Helper(_) => helper_keys(key)
            .enumerate()
            .fold(0, |total, (i, helper_key)| {
                total
                    .saturating_add(escaped_len(helper_key) + 1)
                    .saturating_add(body)
                    .saturating_add(usize::from(i > 0))
            }),
        _ => key_prefix_len(key).saturating_add(body),
    }
}

/// `"key":`, the part of an entry before its body.
pub(crate) fn key_prefix_len(key: &RegistryKey) -> usize {
    escaped_len(key.as_str()) + 1
}

/// The length of one entry's body given the length its secret takes: the raw password for basic
/// auth (it is base64-encoded with the username), the JSON literal of a token, nothing for a
/// helper (its body is the name's literal).
fn body_len<S>(credential: &Credential<S>, secret_len: usize) -> usize {
    const BASIC: usize = r#"{"auth":""}"#.len();
    // Around the token's literal (`registrytoken` is as long as `identitytoken`).
    const TOKEN: usize = r#"{"identitytoken":}"#.len();
    match credential {
        Credential::Basic { username, .. } => BASIC.saturating_add(
            base64::encoded_len(username.as_str().len() + 1 + secret_len, true)
                .unwrap_or(usize::MAX / 4),
        ),
        Credential::IdentityToken(_) | Credential::RegistryToken(_) => TOKEN + secret_len,
        Credential::Helper(name) => escaped_len(name.as_str()),
    }
}

/// The length of `text` as a JSON string literal, quotes included, as serde_json escapes it:
/// `"` and `\` and the short control escapes take two bytes, other control characters six.
fn escaped_len(text: &str) -> usize {
    2 + text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\x08' | b'\x0c' | b'\n' | b'\r' | b'\t' => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// `base64(username ":" password)` in wiped buffers sized exactly.
fn basic_auth(username: &str, password: &str) -> Zeroizing<String> {
    let mut joined = Zeroizing::new(String::with_capacity(username.len() + 1 + password.len()));
    joined.push_str(username);
    joined.push(':');
    joined.push_str(password);
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut encoded = Zeroizing::new(String::with_capacity(
        base64::encoded_len(joined.len(), true).unwrap_or(0),
    ));
    engine.encode_string(joined.as_bytes(), &mut encoded);
    encoded
}

/// Rejects a password or token that cannot work (in key order): one that shows nothing (empty,
/// or only whitespace and invisible characters) — docker drops an empty token field and sends an
/// empty password as is, so either would only fail at the registry, or pull anonymously without
/// a word — and one with a control character (a NUL, a tab, a line break inside it), which
/// clients send as is (the registry answers 401) or refuse to put in a header at all. Imports
/// never get here with an empty field (they skip those, as docker's `omitempty` does), but an
/// imported `auth` of `user:` does. The errors name the key and the kind of secret, never any
/// part, length or position of it. `verify` applies it too, so it fails where rendering would.
pub fn check_secrets(entries: &ResolvedEntries) -> Result<(), RenderError> {
    for (key, credential) in entries {
        let Some(secret) = credential.secret() else {
            continue;
        };
        let key = || key.as_str().to_owned();
        let what = match credential {
            Credential::IdentityToken(_) => "identity token",
            Credential::RegistryToken(_) => "registry token",
            _ => "password",
        };
        if shows_nothing(secret.expose()) {
            return Err(RenderError::EmptySecret {
                key: key(),
                secret: what,
            });
        }
        if secret.expose().chars().any(char::is_control) {
            return Err(RenderError::ControlInSecret {
                key: key(),
                secret: what,
            });
        }
    }
    Ok(())
}

/// Rejects a host that has two or more namespace keys and no host-level key (docker, oras and
/// crane would pick one at random). `registries` applies it too, so it never lists a set of keys
/// that `secret` refuses.
pub fn check_namespaces<'a>(
    keys: impl IntoIterator<Item = &'a RegistryKey>,
) -> Result<(), RenderError> {
    let mut by_host: BTreeMap<&str, (bool, Vec<String>)> = BTreeMap::new();
    for key in keys {
        let (has_host_key, namespaced) = by_host.entry(key.host()).or_default();
        match key.namespace() {
            None => *has_host_key = true,
            Some(_) => namespaced.push(key.as_str().to_owned()),
        }
    }
    match by_host
        .into_iter()
        .find(|(_, (has_host_key, namespaced))| !has_host_key && namespaced.len() > 1)
    {
        Some((host, (_, keys))) => Err(RenderError::AmbiguousNamespaces {
            host: host.to_owned(),
            keys,
        }),
        None => Ok(()),
    }
}

/// The serialized shape of `config.json`; `credHelpers` only when there are helpers, so a config
/// without them renders exactly as before.
#[derive(Serialize, Default)]
struct File<'a> {
    auths: BTreeMap<&'a str, Entry<'a>>,
    #[serde(rename = "credHelpers", skip_serializing_if = "BTreeMap::is_empty")]
    cred_helpers: BTreeMap<&'a str, &'a str>,
}

/// One `auths` entry; exactly one field is set.
#[derive(Serialize, Default)]
struct Entry<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identitytoken: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registrytoken: Option<&'a str>,
}
