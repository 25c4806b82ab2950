//! The module's own network calls, below the library and the module and above nothing but the
//! core: [`client`], the one HTTP client with the TLS roots, proxy, redirect and time-out policy,
//! [`registry`], the registry handshake `verify` runs, and [`ecr`], the signed ECR token call
//! that rendering makes for `withEcrAuth` entries. What can be pure (challenges, tokens, error
//! bodies, result lines, ECR addresses and AWS errors) lives in the core.

pub(crate) mod client;
pub(crate) mod ecr;
pub(crate) mod registry;
