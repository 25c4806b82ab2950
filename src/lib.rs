//! # registry-config
//!
//! Docker-style registry credential files (`config.json`) for the tools that run *inside* Dagger
//! containers — Helm, oras, crane, skopeo, docker/buildx, kaniko, regctl — delivered as Dagger
//! Secrets, so credentials never reach an image layer, the layer cache, a log or a trace.
//!
//! The crate has three layers:
//! - [`core`]: pure and deterministic — registry key normalization, credentials, the ordered
//!   credential plan, rendering, imported configs and secret naming;
//! - [`RegistryConfig`] (in `client`): the library for Rust pipelines on the `dagger-sdk` crate;
//! - [`module`]: the Dagger module protocol, a thin layer that the `registry-config` binary runs.

mod chain;
pub mod client;
pub mod core;
pub mod error;
pub mod module;

pub use client::options::{DEFAULT_CONFIG_PATH, DEFAULT_DOCKER_CONFIG_DIR, DEFAULT_VARIABLE};
pub use client::RegistryConfig;
pub use error::{Error, Result};
