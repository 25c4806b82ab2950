//! The module's own network calls, below the library and the module and above nothing but the
//! core: [`client`], the one HTTP client with the TLS roots, proxy, redirect and time-out policy,
//! and [`registry`], the registry handshake `verify` runs. What can be pure (challenges, tokens,
//! error bodies, result lines) lives in the core.

pub(crate) mod client;
pub(crate) mod ecr;
pub(crate) mod registry;
