//! `mountSecret`, `mountDockerConfig`, `secretVariable`: the config into a container, as a
//! read-only secret file or a secret variable. Each decodes its arguments into the library's
//! options (an empty string meaning "not set"), applies the library, and returns the new
//! container's ID.

use std::future::Future;

use dagger_sdk::{Container, Id};
use serde_json::{json, Value};

use super::{CONTAINER, OWNER};
use crate::client::opts::{MountDockerConfigOpts, MountSecretOpts, SecretVariableOpts};
use crate::client::validate::{DEFAULT_CONFIG_PATH, DEFAULT_DOCKER_CONFIG_DIR, DEFAULT_VARIABLE};
use crate::client::RegistryConfig;
use crate::module::declaration::{
    optional, required, ArgDefault, CachePolicy, Declaration, Invocation, Type,
};
use crate::module::error::ModuleError;
use crate::module::state;
use crate::names::Function;

/// `mountSecret(container, path, owner, mode, variable)`.
pub(super) const MOUNT_SECRET: Declaration = Declaration {
    function: Function::MountSecret,
    description: "Mounts the rendered config.json read-only into a container as a secret file.",
    returns: Type::Container,
    args: &[
        required("container", Type::Container, CONTAINER),
        optional("path", Type::String, ArgDefault::Str(DEFAULT_CONFIG_PATH), "Absolute path of the mounted file (no \".\" or \"..\" components)."),
        optional("owner", Type::String, ArgDefault::Str(""), OWNER),
        optional("mode", Type::Int, ArgDefault::Absent, "File permission bits, 1 to 511 (0o777), in decimal (e.g. 288 for 0o440); applied with or without owner. Omit to keep the engine default 0o400."),
        optional("variable", Type::String, ArgDefault::Str(""), "An environment variable to set to path, for tools that find their auth file through one: REGISTRY_AUTH_FILE (skopeo, podman, buildah), HELM_REGISTRY_CONFIG (Helm). Empty sets none."),
    ],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(mount_secret(call)),
};

/// `mountDockerConfig(container, dir, owner)`.
pub(super) const MOUNT_DOCKER_CONFIG: Declaration = Declaration {
    function: Function::MountDockerConfig,
    description: "Mounts the rendered config at <dir>/config.json and sets DOCKER_CONFIG=<dir>: the one location docker, buildx, helm (fallback), oras, crane, skopeo (fallback), kaniko and regctl all read. Note that moving DOCKER_CONFIG also moves docker's cli-plugins directory.",
    returns: Type::Container,
    args: &[
        required("container", Type::Container, CONTAINER),
        optional("dir", Type::String, ArgDefault::Str(DEFAULT_DOCKER_CONFIG_DIR), "Absolute directory for config.json; DOCKER_CONFIG is set to it."),
        optional("owner", Type::String, ArgDefault::Str(""), OWNER),
    ],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(mount_docker_config(call)),
};

/// `secretVariable(container, name)`.
pub(super) const SECRET_VARIABLE: Declaration = Declaration {
    function: Function::SecretVariable,
    description: "Sets the rendered config as a secret environment variable instead of a file; docker CLI 28.3 and later read DOCKER_AUTH_CONFIG. Fails if the config holds token entries, which that variable cannot carry.",
    returns: Type::Container,
    args: &[
        required("container", Type::Container, CONTAINER),
        optional("name", Type::String, ArgDefault::Str(DEFAULT_VARIABLE), "Name of the variable."),
    ],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(secret_variable(call)),
};

async fn mount_secret(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let opts = MountSecretOpts {
        path: Some(call.args.string("path")?),
        owner: call.args.non_empty("owner")?,
        mode: call.args.optional_int("mode")?,
        variable: call.args.non_empty("variable")?,
    };
    apply(&call, |library, container| async move {
        library.mount_secret_opts(call.dag, &container, opts).await
    })
    .await
}

async fn mount_docker_config(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let opts = MountDockerConfigOpts {
        dir: Some(call.args.string("dir")?),
        owner: call.args.non_empty("owner")?,
    };
    apply(&call, |library, container| async move {
        library
            .mount_docker_config_opts(call.dag, &container, opts)
            .await
    })
    .await
}

async fn secret_variable(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let opts = SecretVariableOpts {
        name: Some(call.args.string("name")?),
    };
    apply(&call, |library, container| async move {
        library
            .secret_variable_opts(call.dag, &container, opts)
            .await
    })
    .await
}

/// Decodes the state and the `container` argument, applies `change` (a library call) and
/// returns the changed container's ID.
async fn apply<F, Fut>(call: &Invocation<'_>, change: F) -> Result<Value, ModuleError>
where
    F: FnOnce(RegistryConfig, Container) -> Fut,
    Fut: Future<Output = crate::Result<Container>>,
{
    let function = call.args.function();
    let plan = state::decode_config(function, call.parent)?;
    let changed = change(state::library(call.dag, &plan), container(call)?).await?;
    container_id(call, function, &changed).await
}

/// The `container` argument as a reference.
pub(super) fn container(call: &Invocation<'_>) -> Result<Container, ModuleError> {
    Ok(call.dag.r#ref(Id(call.args.id("container")?)))
}

/// Materializes a changed container and returns its ID as the JSON string the engine expects.
pub(super) async fn container_id(
    call: &Invocation<'_>,
    function: Function,
    container: &Container,
) -> Result<Value, ModuleError> {
    crate::client::resolve_id(
        &call.dag.graphql_client,
        &container.selection,
        "updating the container",
    )
    .await
    .map(|id| json!(id.0))
    .map_err(|problem| ModuleError::Engine { function, problem })
}
