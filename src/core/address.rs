//! Registry address → `auths` key normalization.
//!
//! Every tool that reads `config.json` looks credentials up by a *key*, and they disagree on which
//! spellings they find (see the README's key table). This module turns whatever a user typed into
//! the one spelling all of them find, or explains why it cannot:
//!
//! - Docker Hub in any of its aliases becomes `https://index.docker.io/v1/`, the only Hub key that
//!   docker, oras/Helm, go-containerregistry and containers/image all resolve;
//! - any other registry becomes a bare `host[:port]` with a lower-case host; IPv6 literals are
//!   written in their canonical form (`[0:0:0:0:0:0:0:1]` → `[::1]`);
//! - an address written as a URL (`http://` or `https://`) names a registry, as registries' own
//!   login URLs and docker's `ConvertToHostname` treat it: the API-version paths `/v1` and `/v2`
//!   and the scheme's default port (`:443` for https, `:80` for http) are dropped, so
//!   `https://registry.example.com:443/v2/` is `registry.example.com`;
//! - without a scheme, a path after the host is a namespace scope (`quay.io/org`), also when it
//!   is `v1` or `v2`: `registry.example.com/v2` is the namespace `v2`, which the distribution spec
//!   allows; this is how containers/image reads a scheme-less key, and docker reads it as the
//!   host either way (only `index.docker.io/v1`, docker's legacy Hub key, means Docker Hub);
//!   without a scheme a port is always kept (`host:443` and `host` are different keys to docker);
//! - credentials in the address (`user:password@host`) are refused, and every message shows such
//!   an address with the credentials replaced by `***` ([`redact_userinfo`]);
//! - image references with a tag or digest are rejected: they name an image, not a registry;
//! - ports have no leading zeros (`:080` is refused rather than guessed), and a host whose last
//!   label is a number must be a dotted-quad IPv4 address (`1.2.3`, `010.0.0.1` and
//!   `999.999.999.999` are refused: resolvers read such names as IPv4 in different ways).

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::visible::{check_visible, InvisibleError};

/// The single Docker Hub key every client resolves.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Host names that all mean Docker Hub.
const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// Paths of a registry URL that name the registry's API, not a namespace.
const API_VERSION_PATHS: [&str; 2] = ["v1", "v2"];

/// The longest address accepted, in bytes (the distribution spec caps a full image name at 255).
pub const MAX_ADDRESS_LEN: usize = 255;

/// What replaces the userinfo of an address that is shown in a message.
const REDACTED: &str = "***";

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
/// accepted instead; an address with credentials in it is only ever quoted redacted.
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
    /// A username or password before an `@` in the address (`https://user:pass@host`).
    #[error("{address:?} has credentials before '@' (shown as ***); an address must not carry a username or password: pass the registry alone, and the username and password as the username and secret arguments instead")]
    Userinfo {
        /// The trimmed address with its userinfo replaced by `***`.
        address: String,
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
    /// A character a person cannot see (zero-width, bidirectional control, format character).
    #[error("the address {0}; pass the registry host as it is spelled")]
    Invisible(InvisibleError),
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
    /// A host whose last label is a number but which is not a dotted-quad IPv4 address.
    #[error("{address:?} has a host that ends in a number but is not an IPv4 address; write IPv4 addresses as four decimal numbers from 0 to 255 without leading zeros, such as \"10.0.0.1\" (the last label of a host name must not be a number)")]
    InvalidIpv4 {
        /// The trimmed address.
        address: String,
    },
    /// An IPv6 address without brackets.
    #[error("{address:?} looks like an IPv6 address without brackets; write it as \"[::1]:5000\"")]
    UnbracketedIpv6 {
        /// The trimmed address.
        address: String,
    },
    /// A port that is not a number from 1 to 65535 written without leading zeros.
    #[error(
        "{address:?} has an invalid port; a port is a number from 1 to 65535 without leading zeros"
    )]
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

/// The address as it may be shown in a message: everything between the scheme (if any) and the
/// last `@` that does not introduce an image digest — the userinfo `user:password@` — is
/// replaced by `***` (`https://robot:pw@ghcr.io` → `https://***@ghcr.io`). Addresses without
/// userinfo come back unchanged. Used for every address and imported key that is displayed.
pub fn redact_userinfo(address: &str) -> Cow<'_, str> {
    let start = authority_start(address);
    let rest = &address[start..];
    let name = &rest[..digest_separator(rest).unwrap_or(rest.len())];
    match name.rfind('@') {
        Some(at) => Cow::Owned(format!("{}{REDACTED}{}", &address[..start], &rest[at..])),
        None => Cow::Borrowed(address),
    }
}

/// Where the part after a URI scheme starts: after `scheme://` when the address begins with a
/// scheme (RFC 3986 grammar, so never a `user:password`), else at 0.
fn authority_start(address: &str) -> usize {
    let is_scheme = |scheme: &str| {
        scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    };
    match address.find("://") {
        Some(end) if is_scheme(&address[..end]) => end + "://".len(),
        _ => 0,
    }
}

/// The digest algorithms registries implement (the OCI image spec's registered ones, and
/// sha384 which distribution also accepts), before any `+encoding`.
const DIGEST_ALGORITHMS: [&str; 4] = ["sha256", "sha384", "sha512", "blake3"];

/// The position of the `@` that introduces an image digest, if `rest` (an address after its
/// scheme) ends in one: the last `@`, after a valid `host[:port]/path[:tag]` image name (past
/// any userinfo of its own) and followed by `algorithm:encoded` in the OCI digest grammar with
/// a known algorithm. Any other `@` may separate userinfo: a `/` in a pasted password moves the
/// userinfo's `@` into the "path", and what follows it is then a registry
/// (`robot:pa/ss@ghcr.io:0`), not a digest.
fn digest_separator(rest: &str) -> Option<usize> {
    let at = rest.rfind('@')?;
    let name = &rest[..at];
    let name = name.rsplit_once('@').map_or(name, |(_, name)| name);
    let (authority, path) = name.split_once('/')?;
    let digest = rest[at + 1..].trim_end_matches(|c: char| c == '/' || c.is_whitespace());
    let (repository, tag) = match path.rsplit_once(':') {
        Some((repository, tag)) => (repository, Some(tag)),
        None => (path, None),
    };
    let name_ok = parse_authority(authority, "").is_ok()
        && repository.split('/').all(is_path_component)
        && tag.is_none_or(is_tag);
    (name_ok && is_digest(digest)).then_some(at)
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, the distribution spec's tag grammar.
fn is_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= 128
        && tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// `algorithm:encoded` with `algorithm` = `[a-z0-9]+([+._-][a-z0-9]+)*` starting with a known
/// digest algorithm and `encoded` = `[a-zA-Z0-9=_-]+` (the OCI image spec's digest grammar).
fn is_digest(text: &str) -> bool {
    let Some((algorithm, encoded)) = text.split_once(':') else {
        return false;
    };
    let known = algorithm
        .split('+')
        .next()
        .is_some_and(|base| DIGEST_ALGORITHMS.contains(&base));
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|component| {
        !component.is_empty()
            && component
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    known
        && algorithm_ok
        && !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
}

/// The scheme an address was written with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// `http://`.
    Http,
    /// `https://`.
    Https,
}

impl Scheme {
    /// The port a client uses when the URL names none.
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Normalizes one address into a [`RegistryKey`].
fn normalize(input: &str) -> Result<RegistryKey, AddressError> {
    let address = check_text(input)?;
    let owned = || address.to_owned();
    let (scheme, rest) = strip_scheme(address)
        .ok_or_else(|| AddressError::UnsupportedScheme { address: owned() })?;
    let rest = rest.trim_end_matches('/');
    if rest.contains('@') {
        return Err(AddressError::Digest { address: owned() });
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = parse_authority(authority, address)?;
    let port = port.filter(|&port| scheme.map(Scheme::default_port) != Some(port));
    let host = match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    if !path.is_empty() {
        check_namespace(path, address, &host)?;
    }
    let path = match scheme {
        Some(_) if API_VERSION_PATHS.contains(&path) => "",
        _ => path,
    };
    key_for(host, path, address)
}

/// The trimmed address, after the checks that come before any error may quote it: not empty,
/// not too long, no userinfo (refused redacted), no control characters, no characters a person
/// cannot see, no whitespace.
fn check_text(input: &str) -> Result<&str, AddressError> {
    let address = input.trim();
    if address.is_empty() {
        return Err(AddressError::Empty);
    }
    if address.len() > MAX_ADDRESS_LEN {
        return Err(AddressError::TooLong { len: address.len() });
    }
    // From here on the address holds no userinfo, so every other error may quote it whole.
    if let Cow::Owned(redacted) = redact_userinfo(address) {
        return Err(AddressError::Userinfo { address: redacted });
    }
    if address.chars().any(char::is_control) {
        return Err(AddressError::ControlCharacter {
            address: address.to_owned(),
        });
    }
    check_visible(address).map_err(AddressError::Invisible)?;
    if address.chars().any(char::is_whitespace) {
        return Err(AddressError::Whitespace {
            address: address.to_owned(),
        });
    }
    Ok(address)
}

/// The key for a normalized `host[:port]` and namespace `path` (Docker Hub's one key for the
/// Hub, which has no namespaces).
fn key_for(host: String, path: &str, address: &str) -> Result<RegistryKey, AddressError> {
    if DOCKER_HUB_HOSTS.contains(&host.as_str()) {
        return match path {
            "" | "v1" => Ok(RegistryKey {
                key: DOCKER_HUB_KEY.to_owned(),
                host_len: DOCKER_HUB_KEY.len(),
            }),
            _ => Err(AddressError::DockerHubNamespace {
                address: address.to_owned(),
            }),
        };
    }
    let host_len = host.len();
    let key = match path {
        "" => host,
        path => format!("{host}/{path}"),
    };
    Ok(RegistryKey { key, host_len })
}

/// Splits off an `http://` or `https://` prefix (any case). `None` for any other scheme.
fn strip_scheme(address: &str) -> Option<(Option<Scheme>, &str)> {
    for (prefix, scheme) in [("https://", Scheme::Https), ("http://", Scheme::Http)] {
        if let Some(written) = address.get(..prefix.len()) {
            if written.eq_ignore_ascii_case(prefix) {
                return Some((Some(scheme), &address[prefix.len()..]));
            }
        }
    }
    if address.contains("://") {
        None
    } else {
        Some((None, address))
    }
}

/// Validates `host[:port]` and returns the canonical host (lower case; IPv6 in brackets, in its
/// RFC 5952 form) and the port.
fn parse_authority(authority: &str, address: &str) -> Result<(String, Option<u16>), AddressError> {
    let invalid_host = || AddressError::InvalidHost {
        address: address.to_owned(),
    };
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or_else(invalid_host)?;
        let ip: Ipv6Addr = inside.parse().map_err(|_| invalid_host())?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(invalid_host)?),
        };
        (format!("[{ip}]"), port)
    } else {
        let (host, port) = match authority.matches(':').count() {
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
        };
        (check_host_name(host, address)?, port)
    };
    let port = port
        .map(|port| {
            parse_port(port).ok_or_else(|| AddressError::InvalidPort {
                address: address.to_owned(),
            })
        })
        .transpose()?;
    Ok((host, port))
}

/// A port is 1–65535 written with ASCII digits and no leading zero.
fn parse_port(port: &str) -> Option<u16> {
    let canonical = !port.starts_with('0')
        && port.len() <= 5
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit());
    port.parse().ok().filter(|_| canonical)
}

/// A DNS name (labels of letters, digits and inner hyphens, 1–63 bytes each) or a dotted-quad
/// IPv4 address, lower-cased. A name whose last label is a number (decimal, or `0x` hex) is
/// read as IPv4 by URL parsers (the WHATWG "ends in a number" rule) and by `inet_aton`, each in
/// its own way, so it must be a canonical IPv4 address. `address` is what errors quote.
fn check_host_name(host: &str, address: &str) -> Result<String, AddressError> {
    let labels_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !labels_ok {
        return Err(AddressError::InvalidHost {
            address: address.to_owned(),
        });
    }
    let last = host.rsplit('.').next().unwrap_or(host);
    let hex = last
        .strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    if !hex && !last.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(host.to_ascii_lowercase());
    }
    host.parse::<Ipv4Addr>()
        .map(|ip| ip.to_string())
        .map_err(|_| AddressError::InvalidIpv4 {
            address: address.to_owned(),
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
pub(crate) fn is_path_component(component: &str) -> bool {
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
