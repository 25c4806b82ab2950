//! # registry-config
//!
//! Docker-style registry credential files (`config.json`) for the tools that run *inside* Dagger
//! containers — Helm, oras, crane, skopeo, docker/buildx, kaniko, regctl — delivered as Dagger
//! Secrets, so credentials never reach an image layer, the layer cache, a log or a trace.
//!
//! The library is [`RegistryConfig`] with its option structs ([`opts`]), its [`Error`] and the
//! default locations. Underneath, and public only for the module binary, the tests and the
//! benchmarks:
//! - `core`: pure and deterministic — registry key normalization, credentials, the ordered
//!   credential plan, rendering, imported configs and secret naming;
//! - `net`: the module's own network calls: one HTTP client, the registry handshake of
//!   `verify` and the ECR token call of `withEcrAuth` entries;
//! - `module`: the Dagger module protocol, a thin layer over the library that the
//!   `registry-config` binary runs.

#![warn(missing_docs)]

mod builders;
mod client;
#[doc(hidden)]
pub mod core;
pub mod error;
mod graphql;
pub mod limits;
#[doc(hidden)]
pub mod module;
mod names;
mod net;

pub use client::opts;
pub use client::validate::{DEFAULT_CONFIG_PATH, DEFAULT_DOCKER_CONFIG_DIR, DEFAULT_VARIABLE};
pub use client::{RegistryConfig, SecretMount};
pub use error::{Error, Result};
pub use names::Function;
