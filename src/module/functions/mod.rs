//! The module's API, one declaration per function, grouped by family — each file reads as
//! declare → decode → apply (the library) → encode:
//!
//! - [`credentials`]: the state builders `with*`/`without*`, helpers included;
//! - [`rendering`]: `registries`, `secret` and `kubernetesSecret`;
//! - [`containers`]: `mountSecret`, `mountDockerConfig`, `secretVariable`;
//! - [`secret_mount`]: the Go module's `secretMount` and `SecretMount.mount`;
//! - [`verification`]: `verify`, the credential check against the registries.
//!
//! [`declaration`] maps every [`Function`] to its declaration with an exhaustive `match`, so a new
//! function does not compile until it is declared. These descriptions are the API documentation
//! Go, Python and TypeScript users see in their generated bindings.

mod containers;
mod credentials;
mod rendering;
mod secret_mount;
mod verification;

use super::declaration::{Declaration, Field, ObjectDeclaration};
use crate::names::{Function, Object};

/// The module's description.
pub(crate) const MODULE_DESCRIPTION: &str = "Builds Docker-style registry credential files (config.json) for tools that run inside containers (helm, oras, crane, skopeo, docker/buildx, kaniko, regctl) and hands them over as Secrets, so credentials never reach an image layer, the layer cache, a log or a trace.";

/// The `address` argument of the credential functions.
const ADDRESS: &str = "Registry address: a host such as \"ghcr.io\" or \"localhost:5000\", optionally with http:// or https://, or a namespace such as \"quay.io/org\" (honoured as a scope by skopeo/podman only). Docker Hub aliases (docker.io, index.docker.io, registry-1.docker.io) become \"https://index.docker.io/v1/\", the only key every tool finds. Addresses with credentials (user:pass@host) and image references with a tag or digest are rejected.";
/// The `container` argument of the container functions.
const CONTAINER: &str = "The container to add the credentials to.";
/// The `owner` argument of the mount functions.
const OWNER: &str = "Owner of the mounted file as user, uid, user:group or uid:gid; empty keeps root. Set it for images that run as a non-root user.";
/// The `name`/`secretName` argument of the functions that store a secret.
const SECRET_NAME: &str = "Prefix of the secret's name; empty means \"registry-config\".";

/// The declaration of `function`.
pub(crate) fn declaration(function: Function) -> &'static Declaration {
    match function {
        Function::WithRegistryAuth => &credentials::WITH_REGISTRY_AUTH,
        Function::WithoutRegistryAuth => &credentials::WITHOUT_REGISTRY_AUTH,
        Function::WithIdentityToken => &credentials::WITH_IDENTITY_TOKEN,
        Function::WithRegistryToken => &credentials::WITH_REGISTRY_TOKEN,
        Function::WithCredentialHelper => &credentials::WITH_CREDENTIAL_HELPER,
        Function::WithEcrAuth => &credentials::WITH_ECR_AUTH,
        Function::WithDockerConfig => &credentials::WITH_DOCKER_CONFIG,
        Function::Registries => &rendering::REGISTRIES,
        Function::Secret => &rendering::SECRET,
        Function::KubernetesSecret => &rendering::KUBERNETES_SECRET,
        Function::Verify => &verification::VERIFY,
        Function::MountSecret => &containers::MOUNT_SECRET,
        Function::MountDockerConfig => &containers::MOUNT_DOCKER_CONFIG,
        Function::SecretVariable => &containers::SECRET_VARIABLE,
        Function::SecretMount => &secret_mount::SECRET_MOUNT,
        Function::SecretMountMount => &secret_mount::MOUNT,
    }
}

/// The declaration of `object`.
pub(crate) fn object_declaration(object: Object) -> ObjectDeclaration {
    match object {
        Object::RegistryConfig => ObjectDeclaration {
            description: "A set of registry credentials, rendered on demand into a Docker-style config.json Secret. Immutable: every with* returns a new value and only records Secret handles; secrets are read when the config is rendered.",
            fields: &[],
        },
        Object::SecretMount => ObjectDeclaration {
            description: "A prepared secret mount of a registry config, applied to a container with mount.",
            fields: secret_mount::FIELDS,
        },
    }
}

/// The functions of `object`, in registration order.
pub(crate) fn functions_of(object: Object) -> impl Iterator<Item = &'static Declaration> {
    Function::ALL
        .into_iter()
        .filter(move |function| function.object() == object)
        .map(declaration)
}

/// Every declared field type and argument type, for registration.
pub(crate) fn fields_of(object: Object) -> &'static [Field] {
    object_declaration(object).fields
}
