//! Secret names derived from the rendered content.
//!
//! The engine identifies a `setSecret` secret by its *name*: two different contents under one name
//! silently swap plaintexts and poison downstream cache keys. So the name must change whenever the
//! content changes and stay the same for the same content (so downstream `withExec` caching keeps
//! working across sessions). Names are visible in traces, so the digest must not let an observer
//! test password guesses cheaply: it is argon2id over the rendered bytes, not a plain hash.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::render::RenderedConfig;

/// The prefix used when the caller gives no name.
pub const DEFAULT_PREFIX: &str = "registry-config";

/// The prefix of Kubernetes pull secrets, so they never share a name with a config rendered from
/// the same entries.
pub const KUBERNETES_PREFIX: &str = "registry-config-kubernetes";

/// The longest caller-chosen prefix, in bytes.
pub const MAX_PREFIX_LEN: usize = 128;

/// argon2id memory cost in KiB: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes (OWASP minimum at 19 MiB).
pub const ARGON2_PASSES: u32 = 2;
/// argon2id lanes.
pub const ARGON2_LANES: u32 = 1;
/// Digest length in bytes (hex-encoded in the name).
pub const DIGEST_LEN: usize = 32;

/// Fixed domain-separation salt: names must be reproducible across sessions and machines, so the
/// salt cannot be random; it only keeps these digests distinct from any other argon2 use.
const SALT: &[u8] = b"registry-config/secret-name/v1";

/// A validated caller-chosen prefix for secret names: ASCII letters, digits, `-`, `_` and `.`
/// only, so that no invisible or right-to-left character can make a name in a trace read as
/// another one.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretPrefix(String);

impl SecretPrefix {
    /// Validates a prefix; the empty string means [`DEFAULT_PREFIX`].
    pub fn parse(name: &str) -> Result<Self, PrefixError> {
        if name.is_empty() {
            return Ok(Self(DEFAULT_PREFIX.to_owned()));
        }
        if name.len() > MAX_PREFIX_LEN {
            return Err(PrefixError::TooLong { len: name.len() });
        }
        if let Some(character) = name.chars().find(|&c| !is_prefix_char(c)) {
            return Err(PrefixError::Invalid {
                name: name.to_owned(),
                character,
            });
        }
        Ok(Self(name.to_owned()))
    }

    /// The prefix as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The characters a prefix may use.
fn is_prefix_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

impl SecretPrefix {
    /// The prefix of Kubernetes pull secrets ([`KUBERNETES_PREFIX`]).
    pub fn kubernetes() -> Self {
        Self(KUBERNETES_PREFIX.to_owned())
    }
}

impl Default for SecretPrefix {
    fn default() -> Self {
        Self(DEFAULT_PREFIX.to_owned())
    }
}

impl fmt::Debug for SecretPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Why a secret-name prefix was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    /// Longer than [`MAX_PREFIX_LEN`].
    #[error("the name is {len} bytes long; at most {MAX_PREFIX_LEN} are accepted")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Contains a character other than ASCII letters, digits, `-`, `_` and `.`. The name is
    /// shown with every other character escaped, so a right-to-left override reads `\u{202e}`.
    #[error("\"{}\" contains U+{:04X}; a secret name may use only ASCII letters, digits, '-', '_' and '.'", .name.escape_default(), u32::from(*.character))]
    Invalid {
        /// The rejected name.
        name: String,
        /// The first character that is not allowed.
        character: char,
    },
}

/// Why a name could not be derived (argon2 refused its parameters; indicates a bug).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("internal error: the secret name digest could not be computed")]
pub struct NamingError;

/// `<prefix>-<hex argon2id(rendered)>`.
pub fn secret_name(prefix: &SecretPrefix, config: &RenderedConfig) -> Result<String, NamingError> {
    let digest = content_digest(config.as_bytes())?;
    Ok(format!(
        "{}-{}",
        prefix.as_str(),
        hex::encode(digest.as_slice())
    ))
}

/// argon2id over `content` with the fixed parameters above.
pub fn content_digest(content: &[u8]) -> Result<Zeroizing<[u8; DIGEST_LEN]>, NamingError> {
    let params = Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_PASSES,
        ARGON2_LANES,
        Some(DIGEST_LEN),
    )
    .map_err(|_| NamingError)?;
    let mut digest = Zeroizing::new([0u8; DIGEST_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(content, SALT, &mut *digest)
        .map_err(|_| NamingError)?;
    Ok(digest)
}
