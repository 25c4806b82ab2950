//! Registry address → `auths` key normalization.
//!
//! Every tool that reads `config.json` looks credentials up by a *key*, and they disagree on which
//! spellings they find (see the README's key table). This module turns whatever a user typed into
//! the one spelling all of them find, or explains why it cannot:
//!
//! - Docker Hub in any of its aliases becomes `https://index.docker.io/v1/`, the only Hub key that
//!   docker, oras/Helm, go-containerregistry and containers/image all resolve;
//! - any other registry becomes a bare `host[:port]` with a lower-case host;
//! - a path after the host is kept as a namespace scope (`quay.io/org`);
//! - image references with a tag or digest are rejected: they name an image, not a registry.

use std::fmt;

/// The single Docker Hub key every client resolves.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Host names that all mean Docker Hub.
const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// The longest address accepted, in bytes (the distribution spec caps a full image name at 255).
pub const MAX_ADDRESS_LEN: usize = 255;

/// A normalized `auths` key: the registry host (with port) and an optional namespace path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistryKey {
    key: String,
    host_len: usize,
}

impl RegistryKey {
    /// Normalizes a user-supplied registry address (see the module docs for the rules).
    pub fn parse(address: &str) -> Result<Self, AddressError> {
        normalize(address)
    }

    /// The key exactly as it is written into `config.json`.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The registry host with its port (for Docker Hub, the whole Hub key).
    pub fn host(&self) -> &str {
        &self.key[..self.host_len]
    }

    /// The namespace path after the host (`org` in `quay.io/org`), if the key is scoped.
    pub fn namespace(&self) -> Option<&str> {
        self.key
            .get(self.host_len + 1..)
            .filter(|path| !path.is_empty())
    }
}

impl fmt::Display for RegistryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// Why an address was rejected. The message quotes the (non-secret) address and says what is
/// accepted instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Nothing but whitespace.
    #[error(
        "the address is empty; pass a registry host such as \"ghcr.io\" or \"localhost:5000\""
    )]
    Empty,
    /// Longer than [`MAX_ADDRESS_LEN`].
    #[error("the address is {len} bytes long; at most {MAX_ADDRESS_LEN} are accepted")]
    TooLong {
        /// Length of the trimmed address in bytes.
        len: usize,
    },
    /// Whitespace inside the address.
    #[error("{address:?} contains whitespace; pass a single registry host such as \"ghcr.io\"")]
    Whitespace {
        /// The trimmed address.
        address: String,
    },
    /// A control character anywhere in the address.
    #[error("{address:?} contains a control character")]
    ControlCharacter {
        /// The trimmed address.
        address: String,
    },
    /// A scheme other than `http://` or `https://`.
    #[error("{address:?} has an unsupported scheme; use a bare host, or http:// or https://")]
    UnsupportedScheme {
        /// The trimmed address.
        address: String,
    },
    /// The host part is missing or malformed.
    #[error("{address:?} has an invalid host; hosts are DNS names or IP addresses such as \"ghcr.io\", \"10.0.0.1\" or \"[::1]\"")]
    InvalidHost {
        /// The trimmed address.
        address: String,
    },
    /// An IPv6 address without brackets.
    #[error("{address:?} looks like an IPv6 address without brackets; write it as \"[::1]:5000\"")]
    UnbracketedIpv6 {
        /// The trimmed address.
        address: String,
    },
    /// A port that is not a number from 1 to 65535.
    #[error("{address:?} has an invalid port; a port is a number from 1 to 65535")]
    InvalidPort {
        /// The trimmed address.
        address: String,
    },
    /// An image reference with a `:tag`.
    #[error("{address:?} is an image reference with a tag; pass the registry (\"{registry}\") or a namespace without the tag")]
    Tag {
        /// The trimmed address.
        address: String,
        /// The same address without the tag.
        registry: String,
    },
    /// An image reference with an `@digest`.
    #[error("{address:?} is an image reference with a digest; pass the registry or a namespace without the digest")]
    Digest {
        /// The trimmed address.
        address: String,
    },
    /// A namespace path that no image reference can match.
    #[error("{address:?} has an invalid namespace path; path components are lower-case letters, digits and single separators (. _ __ -)")]
    InvalidNamespace {
        /// The trimmed address.
        address: String,
    },
    /// A namespace on Docker Hub, which docker, oras and crane never look up.
    #[error("{address:?} scopes Docker Hub to a namespace, but docker, oras and crane only look up the whole-Hub key {DOCKER_HUB_KEY:?}; pass \"docker.io\"")]
    DockerHubNamespace {
        /// The trimmed address.
        address: String,
    },
}

/// Normalizes one address into a [`RegistryKey`].
fn normalize(input: &str) -> Result<RegistryKey, AddressError> {
    let address = input.trim();
    if address.is_empty() {
        return Err(AddressError::Empty);
    }
    if address.len() > MAX_ADDRESS_LEN {
        return Err(AddressError::TooLong { len: address.len() });
    }
    let owned = || address.to_owned();
    if address.chars().any(char::is_control) {
        return Err(AddressError::ControlCharacter { address: owned() });
    }
    if address.chars().any(char::is_whitespace) {
        return Err(AddressError::Whitespace { address: owned() });
    }

    let rest = strip_scheme(address)
        .ok_or_else(|| AddressError::UnsupportedScheme { address: owned() })?;
    let rest = rest.trim_end_matches('/');
    if rest.contains('@') {
        return Err(AddressError::Digest { address: owned() });
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = parse_authority(authority, address)?;
    if !path.is_empty() {
        check_namespace(path, address, &host)?;
    }

    if DOCKER_HUB_HOSTS.contains(&host.as_str()) {
        return match path {
            "" | "v1" => Ok(RegistryKey {
                key: DOCKER_HUB_KEY.to_owned(),
                host_len: DOCKER_HUB_KEY.len(),
            }),
            _ => Err(AddressError::DockerHubNamespace { address: owned() }),
        };
    }
    if path.is_empty() {
        let host_len = host.len();
        return Ok(RegistryKey {
            key: host,
            host_len,
        });
    }
    let host_len = host.len();
    Ok(RegistryKey {
        key: format!("{host}/{path}"),
        host_len,
    })
}

/// Removes an `http://` or `https://` prefix (any case). `None` for any other scheme.
fn strip_scheme(address: &str) -> Option<&str> {
    for scheme in ["https://", "http://"] {
        if let Some(prefix) = address.get(..scheme.len()) {
            if prefix.eq_ignore_ascii_case(scheme) {
                return Some(&address[scheme.len()..]);
            }
        }
    }
    if address.contains("://") {
        None
    } else {
        Some(address)
    }
}

/// Validates `host[:port]` and returns it with a lower-case host.
fn parse_authority(authority: &str, address: &str) -> Result<String, AddressError> {
    let invalid_host = || AddressError::InvalidHost {
        address: address.to_owned(),
    };
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or_else(invalid_host)?;
        if inside.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid_host());
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(invalid_host)?),
        };
        (&authority[..inside.len() + 2], port)
    } else {
        match authority.matches(':').count() {
            0 => (authority, None),
            1 => {
                let (host, port) = authority.split_once(':').ok_or_else(invalid_host)?;
                (host, Some(port))
            }
            _ => {
                return Err(AddressError::UnbracketedIpv6 {
                    address: address.to_owned(),
                })
            }
        }
    };
    if let Some(port) = port {
        check_port(port, address)?;
    }
    if !host.starts_with('[') && !is_dns_name_or_ipv4(host) {
        return Err(invalid_host());
    }
    let host = host.to_ascii_lowercase();
    Ok(match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// A port is 1–65535 written with ASCII digits only.
fn check_port(port: &str, address: &str) -> Result<(), AddressError> {
    let valid = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && matches!(port.parse::<u32>(), Ok(1..=65535));
    if valid {
        Ok(())
    } else {
        Err(AddressError::InvalidPort {
            address: address.to_owned(),
        })
    }
}

/// DNS labels (letters, digits, inner hyphens; 1–63 bytes each) or a dotted IPv4 address.
fn is_dns_name_or_ipv4(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Checks a namespace path against the distribution spec's repository-name grammar, and rejects
/// a trailing `:tag`.
fn check_namespace(path: &str, address: &str, host: &str) -> Result<(), AddressError> {
    let components: Vec<&str> = path.split('/').collect();
    if let Some((last, _)) = components.last().and_then(|last| last.split_once(':')) {
        let mut registry = String::from(host);
        for component in &components[..components.len() - 1] {
            registry.push('/');
            registry.push_str(component);
        }
        registry.push('/');
        registry.push_str(last);
        return Err(AddressError::Tag {
            address: address.to_owned(),
            registry,
        });
    }
    if components.iter().all(|c| is_path_component(c)) {
        Ok(())
    } else {
        Err(AddressError::InvalidNamespace {
            address: address.to_owned(),
        })
    }
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, the distribution spec's path component.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(&bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(&bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid {
            return false;
        }
    }
    true
}
