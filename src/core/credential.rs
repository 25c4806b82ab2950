//! Credential entries: what a registry key maps to, before and after the secrets are read.

use std::fmt;

use super::helper::HelperName;
use super::plaintext::Plaintext;
use super::shown::quoted;
use super::visible::{find_invisible, CodePoint, Invisible};

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
    /// A credential helper the tool runs itself, rendered in `credHelpers`; holds no secret.
    Helper(HelperName),
}

impl<S> Credential<S> {
    /// The secret part of the credential; `None` for a helper.
    pub fn secret(&self) -> Option<&S> {
        match self {
            Credential::Basic { password, .. } => Some(password),
            Credential::IdentityToken(token) | Credential::RegistryToken(token) => Some(token),
            Credential::Helper(_) => None,
        }
    }

    /// The same credential with its secret converted (e.g. a handle into its plaintext); a
    /// helper has none, so `convert` is not called for it.
    pub fn map_secret<T>(&self, convert: impl FnOnce(&S) -> T) -> Credential<T> {
        match self {
            Credential::Basic { username, password } => Credential::Basic {
                username: username.clone(),
                password: convert(password),
            },
            Credential::IdentityToken(token) => Credential::IdentityToken(convert(token)),
            Credential::RegistryToken(token) => Credential::RegistryToken(convert(token)),
            Credential::Helper(name) => Credential::Helper(name.clone()),
        }
    }

    /// Whether this is a token entry (which `DOCKER_AUTH_CONFIG` cannot carry).
    pub fn is_token(&self) -> bool {
        matches!(
            self,
            Credential::IdentityToken(_) | Credential::RegistryToken(_)
        )
    }
}

impl<T> Credential<Option<T>> {
    /// The credential if its secret is there (a helper needs none), e.g. after
    /// `map_secret(|_| plaintexts.next())`.
    pub fn transpose(self) -> Option<Credential<T>> {
        Some(match self {
            Credential::Basic { username, password } => Credential::Basic {
                username,
                password: password?,
            },
            Credential::IdentityToken(token) => Credential::IdentityToken(token?),
            Credential::RegistryToken(token) => Credential::RegistryToken(token?),
            Credential::Helper(name) => Credential::Helper(name),
        })
    }
}

/// A username docker can split back out of an `auth` value and that reads as what it is: not
/// empty, no `:` (docker splits `auth` at the first colon and rejects the whole file when it
/// cannot), no control characters, no invisible or text-reordering characters, and no leading or
/// trailing whitespace.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    /// Validates a username. The errors never carry any part of a username with a `:` (a pasted
    /// `user:token`), and quote others only when they are short.
    pub fn parse(username: &str) -> Result<Self, UsernameError> {
        if username.is_empty() {
            return Err(UsernameError::Empty);
        }
        if username.len() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong {
                len: username.len(),
            });
        }
        // First: a username with a colon may be a pasted `user:token` or `token:x-oauth-basic`,
        // so no part of it is ever quoted, by this or any later check.
        if username.contains(':') {
            return Err(UsernameError::Colon {
                pasted: Pasted(Some(username.len())),
            });
        }
        if let Some(character) = username.chars().find(|c| c.is_control()) {
            return Err(UsernameError::ControlCharacter {
                username: ShownUsername::of(username),
                character: CodePoint(character),
            });
        }
        if let Some(character) = find_invisible(username) {
            return Err(UsernameError::Invisible {
                username: ShownUsername::of(username),
                character,
            });
        }
        if username.trim().is_empty() {
            return Err(UsernameError::OnlyWhitespace);
        }
        if username.trim() != username {
            return Err(UsernameError::SurroundingWhitespace {
                username: ShownUsername::of(username),
            });
        }
        Ok(Self(username.to_owned()))
    }

    /// `AWS`, the user every Amazon ECR token logs in as.
    pub fn aws() -> Self {
        Self(super::ecr::ECR_USERNAME.to_owned())
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

/// Rejected usernames without `:` are quoted in errors only up to this many characters: enough
/// for the user names registries hand out (`AWS`, `oauth2accesstoken`, `gitlab-ci-token`,
/// `org+robot`), too few for the tokens people paste by mistake (GitHub's are 40 characters and
/// longer).
pub const MAX_QUOTED_CHARS: usize = 32;

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
    /// Contains `:`. Carries the length only, never any part of the value.
    #[error("the username contains ':'{pasted}; docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret")]
    Colon {
        /// What may be shown of the rejected value.
        pasted: Pasted,
    },
    /// Contains a control character (only checked once there is no `:`).
    #[error("{username} contains the control character {character}; it is most likely a stray newline or tab from a file or a paste")]
    ControlCharacter {
        /// What may be shown of the rejected username.
        username: ShownUsername,
        /// The first control character.
        character: CodePoint,
    },
    /// Contains a character a person cannot see (see [`Invisible`]).
    #[error("{username} contains {character}")]
    Invisible {
        /// What may be shown of the rejected username.
        username: ShownUsername,
        /// The first such character.
        character: Invisible,
    },
    /// Only whitespace.
    #[error("the username is only whitespace")]
    OnlyWhitespace,
    /// Starts or ends with whitespace.
    #[error("{username} starts or ends with whitespace; registries compare usernames exactly, so remove it")]
    SurroundingWhitespace {
        /// What may be shown of the rejected username.
        username: ShownUsername,
    },
}

impl UsernameError {
    /// The same problem without any part or length of the username: for imported usernames,
    /// which may be a mangled secret (e.g. a password pasted into `auth`).
    pub fn redacted(self) -> Self {
        match self {
            UsernameError::Colon { .. } => UsernameError::Colon {
                pasted: Pasted(None),
            },
            UsernameError::ControlCharacter { character, .. } => UsernameError::ControlCharacter {
                username: ShownUsername(Shown::Withheld),
                character,
            },
            UsernameError::Invisible { character, .. } => UsernameError::Invisible {
                username: ShownUsername(Shown::Withheld),
                character,
            },
            UsernameError::SurroundingWhitespace { .. } => UsernameError::SurroundingWhitespace {
                username: ShownUsername(Shown::Withheld),
            },
            other => other,
        }
    }
}

/// What an error may show of a username that contains `:`: its length in bytes, never any part
/// of it (the part before the colon is a token as often as a user name: GitHub's
/// `<token>:x-oauth-basic`, GitLab's `glpat-…:x-oauth-basic`). Only this module builds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pasted(Option<usize>);

impl fmt::Display for Pasted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(len) => write!(
                f,
                " (it is {len} bytes long; no part of it is shown, since either side of the colon may be a token)"
            ),
            None => Ok(()),
        }
    }
}

/// What an error may show of a rejected username without `:`: the username escaped (so control,
/// invisible and bidi characters show as `\u{…}`) when it has at most [`MAX_QUOTED_CHARS`]
/// characters, otherwise its length. Only this module builds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownUsername(Shown);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Shown {
    Quoted(String),
    Length(usize),
    Withheld,
}

impl ShownUsername {
    fn of(username: &str) -> Self {
        Self(
            if username.contains(':') || username.chars().count() > MAX_QUOTED_CHARS {
                Shown::Length(username.len())
            } else {
                Shown::Quoted(username.to_owned())
            },
        )
    }
}

impl fmt::Display for ShownUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Shown::Quoted(username) => write!(f, "the username {}", quoted(username)),
            Shown::Length(len) => write!(f, "the username ({len} bytes, too long to show)"),
            Shown::Withheld => f.write_str("the username"),
        }
    }
}

/// A credential whose secret has been read, ready to render.
pub type ResolvedCredential = Credential<Plaintext>;
