//! Shared helpers for the integration tests, as a crate of their own so that each test uses
//! what it needs: the module run through the engine double with a leak scan ([`module`], which
//! searches every place with [`leak`], for the [`sentinels`] among others), and the
//! real-registry harness ([`registry`], [`clients`], [`checks`], [`oci_layout`], a token issuer
//! for the registry's token mode, [`token_issuer`], and a test credential helper program,
//! [`cred_helper`]).

use base64::Engine as _;

/// Standard base64 with padding, as `config.json` writes `auth` values.
pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub mod checks;
pub mod clients;
pub mod cred_helper;
pub mod leak;
pub mod module;
pub mod moto;
pub mod oci_layout;
pub mod registry;
pub mod sentinels;
pub mod token_issuer;
