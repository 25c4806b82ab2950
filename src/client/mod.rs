//! The Dagger-facing library: [`RegistryConfig`] over the `dagger-sdk` crate's client.

mod engine;
pub mod opts;
mod registry_config;
mod secret_mount;
pub mod validate;
mod verify;

pub(crate) use engine::resolve_id;
pub use registry_config::RegistryConfig;
pub use secret_mount::SecretMount;
