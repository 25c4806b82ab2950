//! The passwords that tests send through rendering so that every form the leak scanner looks
//! for is exercised, not only searched for: escapes (`"` and `\`, which JSON, GraphQL and
//! `Debug` all escape, twice inside a request body), a character only `Debug` escapes, and a
//! short password.
//! Each has at least [`crate::leak::SHORT_SENTINEL_BYTES`] bytes, so the scan looks for it even in
//! decoded bytes that are not text.

/// `"` and `\`: escaped in every JSON, GraphQL and `Debug` text, doubly in a request body.
pub const ESCAPES: &str = "sentinel\"quote\\backslash";

/// Four characters (eight bytes, as the multi-byte `€` count three): a password this short is
/// still a secret, and `"` and `\` make it escape too.
pub const SHORT: &str = "€\"€\\";

/// A zero-width space (U+200B), which `Debug` writes as `\u{200b}` and JSON keeps. (Rendering
/// refuses control characters, which clients would send as they are.)
pub const INVISIBLE: &str = "sentinel\u{200b}invisible";

/// Every sentinel password, for tests that send them all.
pub const ALL: [&str; 3] = [ESCAPES, SHORT, INVISIBLE];
