//! Credential helper names: the `<name>` of a `docker-credential-<name>` program that a tool in
//! the container runs to fetch short-lived credentials itself (`ecr-login`, `gcloud`,
//! `acr-env`, …), written into `config.json` as `"credHelpers": {"<key>": "<name>"}`.

use std::fmt;

/// The longest helper name accepted, in bytes.
pub const MAX_HELPER_LEN: usize = 64;

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
        if name.contains(['/', '\\']) {
            return Err(invalid("contains a path separator; a helper is found as docker-credential-<name> on the PATH, so pass the name only"));
        }
        let mut bytes = name.bytes();
        let valid = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(invalid("is not a helper name; use letters, digits, '.', '_' and '-', starting with a letter or digit"));
        }
        Ok(Self(name.to_owned()))
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
#[error("{name:?} {reason}")]
pub struct HelperError {
    /// The rejected name (cut to 64 characters).
    name: String,
    /// What is wrong and what is accepted.
    reason: &'static str,
}

impl HelperError {
    /// What is wrong with the name and what is accepted, without the name.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}
