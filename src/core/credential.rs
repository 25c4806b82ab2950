//! Credential entries: what a registry key maps to, before and after the secrets are read.

use std::fmt;

use super::plaintext::Plaintext;

/// The longest username accepted, in bytes.
pub const MAX_USERNAME_LEN: usize = 1024;

/// One credential for one registry key. `S` is where the secret lives: a Dagger handle while the
/// config is being built, a [`Plaintext`] once it is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential<S> {
    /// Basic auth, rendered as `{"auth": base64(username:password)}`.
    Basic {
        /// Who logs in (not secret; kept in state).
        username: Username,
        /// The password or access token.
        password: S,
    },
    /// An OAuth2 refresh token, rendered as `{"identitytoken": T}`.
    IdentityToken(S),
    /// A bearer token sent to the registry as is, rendered as `{"registrytoken": T}`.
    RegistryToken(S),
}

impl<S> Credential<S> {
    /// The secret part of the credential.
    pub fn secret(&self) -> &S {
        match self {
            Credential::Basic { password, .. } => password,
            Credential::IdentityToken(token) | Credential::RegistryToken(token) => token,
        }
    }

    /// The same credential with its secret replaced (e.g. a handle by its plaintext).
    pub fn with_secret<T>(&self, secret: T) -> Credential<T> {
        match self {
            Credential::Basic { username, .. } => Credential::Basic {
                username: username.clone(),
                password: secret,
            },
            Credential::IdentityToken(_) => Credential::IdentityToken(secret),
            Credential::RegistryToken(_) => Credential::RegistryToken(secret),
        }
    }

    /// Whether this is a token entry (which `DOCKER_AUTH_CONFIG` cannot carry).
    pub fn is_token(&self) -> bool {
        !matches!(self, Credential::Basic { .. })
    }
}

/// A username docker can split back out of an `auth` value: not empty, no `:` (docker splits
/// `auth` at the first colon and rejects the whole file when it cannot), no control characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    /// Validates a username.
    pub fn parse(username: &str) -> Result<Self, UsernameError> {
        if username.is_empty() {
            return Err(UsernameError::Empty);
        }
        if username.len() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong {
                len: username.len(),
            });
        }
        if username.contains(':') {
            return Err(UsernameError::Colon {
                username: username.to_owned(),
            });
        }
        if username.chars().any(char::is_control) {
            return Err(UsernameError::ControlCharacter {
                username: username.to_owned(),
            });
        }
        Ok(Self(username.to_owned()))
    }

    /// The username as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a username was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// The empty string.
    #[error(
        "the username is empty; docker rejects the whole config file when an entry has no username"
    )]
    Empty,
    /// Longer than [`MAX_USERNAME_LEN`].
    #[error("the username is {len} bytes long; at most {MAX_USERNAME_LEN} are accepted")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Contains `:`.
    #[error("{username:?} contains ':'; docker splits the auth value at the first colon, so usernames cannot contain one")]
    Colon {
        /// The rejected username.
        username: String,
    },
    /// Contains a control character.
    #[error("{username:?} contains a control character")]
    ControlCharacter {
        /// The rejected username.
        username: String,
    },
}

/// A credential whose secret has been read, ready to render.
pub type ResolvedCredential = Credential<Plaintext>;
