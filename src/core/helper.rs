//! Credential helper names: the `<name>` of a `docker-credential-<name>` program that a tool in
//! the container runs to fetch short-lived credentials itself (`ecr-login`, `gcloud`,
//! `acr-env`, …), written into `config.json` as `"credHelpers": {"<key>": "<name>"}`.

use std::fmt;

use super::address::RegistryKey;
use super::shown::quoted;
use super::visible::find_invisible;

/// The longest helper name accepted, in bytes.
pub const MAX_HELPER_LEN: usize = 64;

/// The prefix tools put before a helper's name to find its program.
const PROGRAM_PREFIX: &str = "docker-credential-";

/// Helpers that exist only on a desktop, never in a container: the macOS keychain, Docker
/// Desktop, the Windows Credential Manager and the freedesktop Secret Service (which needs a
/// desktop session's D-Bus). A config naming one makes every tool in a container go without
/// credentials.
pub const DESKTOP_ONLY_HELPERS: [&str; 4] = ["osxkeychain", "desktop", "wincred", "secretservice"];

/// A helper name a tool can turn into a program name: a letter or digit first, then letters,
/// digits, `.`, `_` or `-`; no path separator, so it can only name `docker-credential-<name>`
/// on the tool's `PATH`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HelperName(String);

impl HelperName {
    /// Validates a helper name.
    pub fn parse(name: &str) -> Result<Self, HelperError> {
        let invalid = |reason| HelperError {
            name: name.chars().take(MAX_HELPER_LEN).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid(
                "is empty; pass the part after docker-credential-, such as \"ecr-login\"",
            ));
        }
        if name.len() > MAX_HELPER_LEN {
            return Err(invalid("is longer than 64 bytes"));
        }
        if find_invisible(name).is_some() {
            return Err(invalid("contains a character a person cannot see (shown escaped); pass the name as it is spelled, such as \"ecr-login\""));
        }
        if name.contains(['/', '\\']) {
            return Err(invalid("contains a path separator; a helper is found as docker-credential-<name> on the PATH, so pass the name only"));
        }
        let mut bytes = name.bytes();
        let valid = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(invalid("is not a helper name; use letters, digits, '.', '_' and '-', starting with a letter or digit"));
        }
        if name.starts_with(PROGRAM_PREFIX) {
            return Err(invalid("starts with \"docker-credential-\", which tools add themselves (they would run docker-credential-docker-credential-…); drop the prefix and pass the rest, such as \"ecr-login\" for docker-credential-ecr-login"));
        }
        Ok(Self(name.to_owned()))
    }

    /// Validates a helper name that a tool in a container is to run: [`HelperName::parse`],
    /// and not one of the [`DESKTOP_ONLY_HELPERS`], which no container has. (An imported
    /// config may name one; it becomes a placeholder that must be replaced.)
    pub fn parse_for_container(name: &str) -> Result<Self, HelperError> {
        let helper = Self::parse(name)?;
        if helper.is_desktop_only() {
            return Err(HelperError {
                name: helper.0,
                reason: "exists only on a desktop (the macOS keychain, Docker Desktop, the Windows Credential Manager or the Secret Service of a desktop session), never in a container, so tools there would silently go without credentials; use a helper installed in the image, such as \"ecr-login\" or \"gcloud\", or withRegistryAuth",
            });
        }
        Ok(helper)
    }

    /// Whether this is one of the [`DESKTOP_ONLY_HELPERS`].
    pub fn is_desktop_only(&self) -> bool {
        DESKTOP_ONLY_HELPERS.contains(&self.0.as_str())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for HelperName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Why a helper name was rejected; quotes the name with escapes (an argument's, which is not a
/// secret; errors about imported names use [`HelperError::reason`] alone).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {reason}", quoted(.name))]
pub struct HelperError {
    /// The rejected name (cut to 64 characters).
    name: String,
    /// What is wrong and what is accepted.
    reason: &'static str,
}

/// Refuses a helper for a namespace key (`quay.io/org`): docker, oras, crane and skopeo look
/// helpers up by registry host only, so such an entry is never used. Every path that sets a
/// helper (the builder, an imported `credHelpers`, a decoded state) goes through this.
pub fn check_helper_key(key: &RegistryKey) -> Result<(), HelperKeyError> {
    match key.namespace() {
        None => Ok(()),
        Some(_) => Err(HelperKeyError {
            key: key.as_str().to_owned(),
        }),
    }
}

/// A credential helper for a namespace key, which no tool looks up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key:?} is a namespace; docker, oras, crane and skopeo look credential helpers up by registry host only, so a helper there is never run; use the host")]
pub struct HelperKeyError {
    /// The normalized key.
    key: String,
}
impl HelperError {
    /// What is wrong with the name and what is accepted, without the name.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}
