//! The API's names, in one place: every function as a typed value with its object and its
//! GraphQL name. The library's errors name their function with it, and the module declares,
//! registers and dispatches by it, so a name is written once and the compiler points to every
//! place a new function must be handled.

use std::fmt;

/// An object type of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Object {
    /// The main object, `RegistryConfig`.
    RegistryConfig,
    /// The prepared mount of the Go module's `secretMount`, `SecretMount`.
    SecretMount,
}

impl Object {
    /// Every object, in registration order.
    pub const ALL: [Object; 2] = [Object::RegistryConfig, Object::SecretMount];

    /// The GraphQL type name.
    pub fn api_name(self) -> &'static str {
        match self {
            Object::RegistryConfig => "RegistryConfig",
            Object::SecretMount => "SecretMount",
        }
    }
}

/// A function of the API. Displayed with its GraphQL name, `Object.name` for functions of
/// objects other than `RegistryConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Function {
    /// `withRegistryAuth` / `with_registry_auth`.
    WithRegistryAuth,
    /// `withoutRegistryAuth` / `without_registry_auth`.
    WithoutRegistryAuth,
    /// `withIdentityToken` / `with_identity_token`.
    WithIdentityToken,
    /// `withRegistryToken` / `with_registry_token`.
    WithRegistryToken,
    /// `withCredentialHelper` / `with_credential_helper`.
    WithCredentialHelper,
    /// `withEcrAuth` / `with_ecr_auth`.
    WithEcrAuth,
    /// `withDockerConfig` / `with_docker_config`.
    WithDockerConfig,
    /// `registries`.
    Registries,
    /// `secret` / `secret_opts`.
    Secret,
    /// `kubernetesSecret` / `kubernetes_secret_opts`.
    KubernetesSecret,
    /// `mountSecret` / `mount_secret_opts`.
    MountSecret,
    /// `mountDockerConfig` / `mount_docker_config_opts`.
    MountDockerConfig,
    /// `secretVariable` / `secret_variable_opts`.
    SecretVariable,
    /// `secretMount` / `secret_mount_opts` (the Go-module-compatible mount builder).
    SecretMount,
    /// `SecretMount.mount`.
    SecretMountMount,
    /// `verify` / `verify_opts`.
    Verify,
}

impl Function {
    /// Every function, in registration order (the order of the generated bindings).
    pub const ALL: [Function; 16] = [
        Function::WithRegistryAuth,
        Function::WithoutRegistryAuth,
        Function::WithIdentityToken,
        Function::WithRegistryToken,
        Function::WithCredentialHelper,
        Function::WithEcrAuth,
        Function::WithDockerConfig,
        Function::Registries,
        Function::Secret,
        Function::KubernetesSecret,
        Function::Verify,
        Function::MountSecret,
        Function::MountDockerConfig,
        Function::SecretVariable,
        Function::SecretMount,
        Function::SecretMountMount,
    ];

    /// The object the function belongs to.
    pub fn object(self) -> Object {
        match self {
            Function::SecretMountMount => Object::SecretMount,
            _ => Object::RegistryConfig,
        }
    }

    /// The GraphQL name on its object.
    pub fn api_name(self) -> &'static str {
        match self {
            Function::WithRegistryAuth => "withRegistryAuth",
            Function::WithoutRegistryAuth => "withoutRegistryAuth",
            Function::WithIdentityToken => "withIdentityToken",
            Function::WithRegistryToken => "withRegistryToken",
            Function::WithCredentialHelper => "withCredentialHelper",
            Function::WithEcrAuth => "withEcrAuth",
            Function::WithDockerConfig => "withDockerConfig",
            Function::Registries => "registries",
            Function::Secret => "secret",
            Function::KubernetesSecret => "kubernetesSecret",
            Function::MountSecret => "mountSecret",
            Function::MountDockerConfig => "mountDockerConfig",
            Function::SecretVariable => "secretVariable",
            Function::SecretMount => "secretMount",
            Function::SecretMountMount => "mount",
            Function::Verify => "verify",
        }
    }

    /// The function a call names, if the API has it.
    pub fn find(object: &str, name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.object().api_name() == object && f.api_name() == name)
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.object() {
            Object::RegistryConfig => f.write_str(self.api_name()),
            object => write!(f, "{}.{}", object.api_name(), self.api_name()),
        }
    }
}
