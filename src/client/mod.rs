//! The Dagger-facing library: [`RegistryConfig`] over the `dagger-sdk` crate's client.

mod graphql;
pub mod options;
mod registry_config;

pub(crate) use graphql::{resolve_id, string_literal, take_leaf_string};
pub(crate) use registry_config::mount;
pub use registry_config::RegistryConfig;
