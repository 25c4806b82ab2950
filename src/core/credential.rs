//! Credential entries: what a registry key maps to, before and after the secrets are read.

use std::fmt;

use super::helper::HelperName;
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
    /// Validates a username. The errors never carry the part after a `:` (a pasted
    /// `user:token`), and quote the rest only when it is short.
    pub fn parse(username: &str) -> Result<Self, UsernameError> {
        if username.is_empty() {
            return Err(UsernameError::Empty);
        }
        if username.len() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong {
                len: username.len(),
            });
        }
        // First: everything after a colon may be a secret, so no later check may quote it.
        if let Some((before, _)) = username.split_once(':') {
            return Err(UsernameError::Colon {
                pasted: Pasted::of(before, username.len()),
            });
        }
        if let Some(character) = username.chars().find(|c| c.is_control()) {
            return Err(UsernameError::ControlCharacter {
                username: ShownUsername::of(username),
                character: CodePoint(character),
            });
        }
        if let Some(character) = username.chars().find_map(Invisible::of) {
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

/// Rejected usernames (and the part before a `:`) are quoted in errors only up to this many
/// characters: enough for the user names registries hand out (`AWS`, `oauth2accesstoken`,
/// `gitlab-ci-token`, `org+robot`), too few for the tokens people paste by mistake (GitHub's are
/// 40 characters and longer, and are used as the part *before* the colon with `x-oauth-basic`).
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
    /// Contains `:`. Carries at most the part before the first colon, never the value.
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
    /// Contains a zero-width, bidirectional-control or line/paragraph-separator character.
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
                pasted: Pasted(PastedForm::Withheld),
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

/// What an error may show of a username that contains `:`: the part before the colon when it
/// is itself a valid username of at most [`MAX_QUOTED_CHARS`] characters, and the length. Only
/// this module builds one, so no error can carry the part after the colon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pasted(PastedForm);

#[derive(Clone, Debug, PartialEq, Eq)]
enum PastedForm {
    /// The (safe) part before the first colon, and the whole length in bytes.
    Before { before: String, len: usize },
    /// Only the whole length in bytes.
    Length { len: usize },
    /// Nothing (imported usernames).
    Withheld,
}

impl Pasted {
    fn of(before: &str, len: usize) -> Self {
        let shown = before.is_empty()
            || (before.chars().count() <= MAX_QUOTED_CHARS && Username::parse(before).is_ok());
        Self(if shown {
            PastedForm::Before {
                before: before.to_owned(),
                len,
            }
        } else {
            PastedForm::Length { len }
        })
    }
}

impl fmt::Display for Pasted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            PastedForm::Before { before, len } => {
                write!(f, " (it is {len} bytes long and starts with {:?})", format!("{before}:"))
            }
            PastedForm::Length { len } => write!(
                f,
                " (it is {len} bytes long; the part before the colon is not shown because it is longer than {MAX_QUOTED_CHARS} characters or not a valid username)"
            ),
            PastedForm::Withheld => Ok(()),
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
            Shown::Quoted(username) => write!(f, "the username {username:?}"),
            Shown::Length(len) => write!(f, "the username ({len} bytes, too long to show)"),
            Shown::Withheld => f.write_str("the username"),
        }
    }
}

/// A character named by its code point (`U+000A`), never printed raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodePoint(pub char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))
    }
}

/// A character that displays as nothing, reorders the text around it or breaks it across lines,
/// so a username holding one reads differently from what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invisible {
    character: char,
    name: &'static str,
    effect: &'static str,
}

const ZERO_WIDTH: &str =
    "an invisible zero-width character, so two different usernames would look the same";
const BIDI: &str =
    "a bidirectional control character, which changes how the text around it is displayed";
const SEPARATOR: &str = "a line or paragraph separator, which breaks the text across lines";

/// The refused characters: zero-width, bidirectional controls, line/paragraph separators.
const INVISIBLE: &[(char, &str, &str)] = &[
    ('\u{200B}', "ZERO WIDTH SPACE", ZERO_WIDTH),
    ('\u{200C}', "ZERO WIDTH NON-JOINER", ZERO_WIDTH),
    ('\u{200D}', "ZERO WIDTH JOINER", ZERO_WIDTH),
    ('\u{2060}', "WORD JOINER", ZERO_WIDTH),
    ('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE", ZERO_WIDTH),
    ('\u{200E}', "LEFT-TO-RIGHT MARK", BIDI),
    ('\u{200F}', "RIGHT-TO-LEFT MARK", BIDI),
    ('\u{061C}', "ARABIC LETTER MARK", BIDI),
    ('\u{202A}', "LEFT-TO-RIGHT EMBEDDING", BIDI),
    ('\u{202B}', "RIGHT-TO-LEFT EMBEDDING", BIDI),
    ('\u{202C}', "POP DIRECTIONAL FORMATTING", BIDI),
    ('\u{202D}', "LEFT-TO-RIGHT OVERRIDE", BIDI),
    ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE", BIDI),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE", BIDI),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE", BIDI),
    ('\u{2068}', "FIRST STRONG ISOLATE", BIDI),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE", BIDI),
    ('\u{2028}', "LINE SEPARATOR", SEPARATOR),
    ('\u{2029}', "PARAGRAPH SEPARATOR", SEPARATOR),
];

impl Invisible {
    /// The description of `character` when it is one of the refused characters.
    fn of(character: char) -> Option<Self> {
        INVISIBLE
            .iter()
            .find(|(c, _, _)| *c == character)
            .map(|&(character, name, effect)| Self {
                character,
                name,
                effect,
            })
    }
}

impl fmt::Display for Invisible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, {}",
            CodePoint(self.character),
            self.name,
            self.effect
        )
    }
}

/// A credential whose secret has been read, ready to render.
pub type ResolvedCredential = Credential<Plaintext>;
