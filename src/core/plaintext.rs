//! A secret value held in memory only as long as rendering needs it.

use std::fmt;

use zeroize::Zeroizing;

/// A password, token or imported config read from the engine. The buffer is wiped when the value
/// is dropped, and `Debug` never shows it.
pub struct Plaintext(Zeroizing<String>);

impl Plaintext {
    /// Takes ownership of `value` (no copy is made).
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret text, for rendering only.
    pub fn expose(&self) -> &str {
        &self.0
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
