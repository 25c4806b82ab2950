//! Kubernetes image pull secrets: a `Secret` manifest of type `kubernetes.io/dockerconfigjson`
//! whose `.dockerconfigjson` is the rendered `config.json`, for `kubectl apply -f` from a mounted
//! secret. The kubelet reads only `auth`, `username` and `password` of each `auths` entry (it
//! runs no credential helper and ignores `identitytoken` and `registrytoken`), so a config with
//! a helper or a token entry is refused rather than applied without it: pods would pull from
//! that registry anonymously and fail far from the cause.

use base64::Engine as _;
use serde::Serialize;
use zeroize::Zeroizing;

use super::credential::Credential;
use super::render::{RenderError, RenderedConfig, ResolvedEntries, MAX_CONFIG_BYTES};
use super::shown::quoted;

/// The longest object name Kubernetes accepts (a DNS-1123 subdomain).
const MAX_NAME_LEN: usize = 253;
/// The longest namespace Kubernetes accepts (a DNS-1123 label).
const MAX_NAMESPACE_LEN: usize = 63;

/// A validated `metadata.name` and optional `metadata.namespace`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    name: String,
    namespace: Option<String>,
}

impl ObjectMeta {
    /// Validates `name` as a DNS-1123 subdomain and `namespace` (if any) as a DNS-1123 label.
    pub fn parse(name: &str, namespace: Option<&str>) -> Result<Self, MetaError> {
        if !is_subdomain(name) {
            return Err(MetaError::Name { name: quoted(name) });
        }
        if let Some(namespace) =
            namespace.filter(|namespace| !is_label(namespace, MAX_NAMESPACE_LEN))
        {
            return Err(MetaError::Namespace {
                namespace: quoted(namespace),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
        })
    }
}

/// Why a name or namespace was rejected; quotes the value cut to 253 characters, with every
/// invisible character escaped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    /// Not a DNS-1123 subdomain.
    #[error("{name} is not a Kubernetes object name: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit")]
    Name {
        /// The rejected name.
        name: String,
    },
    /// Not a DNS-1123 label.
    #[error("{namespace} is not a Kubernetes namespace: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit")]
    Namespace {
        /// The rejected namespace.
        namespace: String,
    },
}

/// Why an entry cannot go into an image pull secret: the kubelet would ignore it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PullSecretError {
    /// A credential helper, which the kubelet does not run.
    #[error("the config names a credential helper for {key:?}, but the kubelet reads only \"auths\" from an image pull secret and runs no helper; use withRegistryAuth for that registry, or withoutRegistryAuth to leave it out")]
    Helper {
        /// The entry's key.
        key: String,
    },
    /// An `identitytoken` or `registrytoken` entry, which the kubelet ignores.
    #[error("the config holds an {field:?} entry for {key:?}, but the kubelet reads only \"auth\", \"username\" and \"password\" from an image pull secret, so pods would pull from that registry anonymously; use withRegistryAuth for that registry (with the username the registry expects for a token), or withoutRegistryAuth to leave it out")]
    Token {
        /// The entry's key.
        key: String,
        /// `identitytoken` or `registrytoken`.
        field: &'static str,
    },
}

/// Refuses entries the kubelet would ignore (in key order): helpers and token entries.
pub fn check_pull_secret_entries(entries: &ResolvedEntries) -> Result<(), PullSecretError> {
    for (key, credential) in entries {
        let key = key.as_str().to_owned();
        return Err(match credential {
            Credential::Basic { .. } => continue,
            Credential::Helper(_) => PullSecretError::Helper { key },
            Credential::IdentityToken(_) => PullSecretError::Token {
                key,
                field: "identitytoken",
            },
            Credential::RegistryToken(_) => PullSecretError::Token {
                key,
                field: "registrytoken",
            },
        });
    }
    Ok(())
}

/// The manifest for `config`: compact JSON, fields in a fixed order, so the same config and
/// names always give the same bytes (and the same secret name). Wiped on drop like the config.
pub fn render_pull_secret(
    config: &RenderedConfig,
    meta: &ObjectMeta,
) -> Result<RenderedConfig, RenderError> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let mut encoded = Zeroizing::new(String::with_capacity(
        base64::encoded_len(config.len(), true).unwrap_or(0),
    ));
    engine.encode_string(config.as_bytes(), &mut encoded);
    let manifest = Manifest {
        api_version: "v1",
        kind: "Secret",
        metadata: Metadata {
            name: &meta.name,
            namespace: meta.namespace.as_deref(),
        },
        kind_of_secret: "kubernetes.io/dockerconfigjson",
        data: Data {
            docker_config_json: &encoded,
        },
    };
    // Names, namespaces and base64 need no JSON escaping, so the size is known exactly.
    const FIXED: usize = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":""},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":""}}"#.len();
    const NAMESPACE: usize = r#","namespace":"""#.len();
    let namespace = meta.namespace.as_ref().map_or(0, |ns| NAMESPACE + ns.len());
    let size = FIXED + meta.name.len() + namespace + encoded.len();
    if size > MAX_CONFIG_BYTES {
        return Err(RenderError::TooLarge {
            kib: size.div_ceil(1024),
        });
    }
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    serde_json::to_writer(&mut *out, &manifest).map_err(|_| RenderError::Serialization)?;
    if out.len() != size {
        return Err(RenderError::Serialization);
    }
    Ok(RenderedConfig::from_bytes(out))
}

/// The serialized manifest.
#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    metadata: Metadata<'a>,
    #[serde(rename = "type")]
    kind_of_secret: &'a str,
    data: Data<'a>,
}

/// `metadata`.
#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

/// `data`.
#[derive(Serialize)]
struct Data<'a> {
    #[serde(rename = ".dockerconfigjson")]
    docker_config_json: &'a str,
}

/// A DNS-1123 subdomain: dot-separated labels, at most 253 bytes.
fn is_subdomain(name: &str) -> bool {
    name.len() <= MAX_NAME_LEN && name.split('.').all(|label| is_label(label, MAX_NAME_LEN))
}

/// A DNS-1123 label: lower-case letters, digits and inner '-', 1 to `max` bytes.
fn is_label(label: &str, max: usize) -> bool {
    let bytes = label.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.len() <= max
        && bytes.first().is_some_and(alnum)
        && bytes.last().is_some_and(alnum)
        && bytes.iter().all(|b| alnum(b) || *b == b'-')
}
