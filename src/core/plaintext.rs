//! A secret value held in memory only as long as rendering needs it.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

/// A password, token or imported config read from the engine. The buffer is wiped when the last
/// copy of the value is dropped, and `Debug` never shows it. Copies share one buffer, so a secret
/// that several entries use is held (and read from the engine) once.
#[derive(Clone)]
pub struct Plaintext(Arc<Zeroizing<String>>);

impl Plaintext {
    /// Takes ownership of `value` (no copy is made).
    pub fn new(value: String) -> Self {
        Self(Arc::new(Zeroizing::new(value)))
    }

    /// The secret text, for rendering only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value without one trailing `\n` or `\r\n`, as `docker login --password-stdin`
    /// reads a password: a secret read from a file (`file:token.txt`) or a command's output
    /// usually ends in one, and it would otherwise be sent as part of the password. Only one is
    /// removed; the copy is wiped like the original.
    pub fn without_line_ending(self) -> Self {
        let value = self.expose();
        match value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
        {
            Some(stripped) => Self::new(stripped.to_owned()),
            None => self,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Plaintext {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Plaintext(<redacted>)")
    }
}
