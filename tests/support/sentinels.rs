//! The passwords that tests send through rendering so that every form the leak scanner looks
//! for is exercised, not only searched for: escapes (`"` and `\`, which JSON, GraphQL and
//! `Debug` all escape, twice inside a request body), a control character, and a short password.
//! Each has at least [`crate::leak::MIN_SENTINEL_BYTES`] bytes, so none can occur by chance.

/// `"` and `\`: escaped in every JSON, GraphQL and `Debug` text, doubly in a request body.
pub const ESCAPES: &str = "sentinel\"quote\\backslash";

/// Four characters (eight bytes, as the multi-byte `€` count three): a password this short is
/// still a secret, and `"` and `\` make it escape too.
pub const SHORT: &str = "€\"€\\";

/// A control character (U+0001). Docker keeps such a password from a `config.json`, so tests
/// send it through an imported config, where JSON writes it as `\u0001`.
pub const CONTROL: &str = "sentinel\u{1}control";

/// Every sentinel password, for tests that send them all.
pub const ALL: [&str; 3] = [ESCAPES, SHORT, CONTROL];
