//! Invocation: one function of the registered API, run against the state the engine passed in.
//! Each handler decodes its arguments, calls the library, and encodes the result the way the
//! engine expects it (objects as state JSON, core objects as ID strings).

use dagger_sdk::{Container, Id, Query, Secret};
use serde_json::{json, Value};

use super::api::{REGISTRY_CONFIG, SECRET_MOUNT};
use super::args::Args;
use super::call::FunctionCall;
use super::state::{self, SecretId, SecretMountState};
use crate::chain;
use crate::client::{self, options, RegistryConfig};
use crate::core::naming::SecretPrefix;
use crate::core::plan::Plan;
use crate::error::{Error, Function};

/// Runs the call and returns the JSON value for `returnValue`, or an error message.
pub async fn dispatch(dag: &Query, call: &FunctionCall) -> Result<Value, String> {
    match (call.parent_name.as_str(), call.name.as_str()) {
        (REGISTRY_CONFIG, _) => registry_config(dag, call).await,
        (SECRET_MOUNT, "mount") => secret_mount_mount(dag, call).await,
        (parent, name) => Err(format!(
            "unknown function {parent}.{name}: this module serves {REGISTRY_CONFIG} and {SECRET_MOUNT}.mount"
        )),
    }
}

/// `RegistryConfig.*`.
async fn registry_config(dag: &Query, call: &FunctionCall) -> Result<Value, String> {
    let plan = state::decode_config(&call.parent).map_err(|e| format!("{}: {e}", call.name))?;
    match call.name.as_str() {
        "withRegistryAuth" => {
            let args = Args::new("withRegistryAuth", &call.args);
            let (address, username) = (args.string("address")?, args.string("username")?);
            let secret = args.id("secret", "Secret")?;
            encode(chain::with_registry_auth(&plan, address, username, secret))
        }
        "withoutRegistryAuth" => {
            let args = Args::new("withoutRegistryAuth", &call.args);
            encode(chain::without_registry_auth(&plan, args.string("address")?))
        }
        "withIdentityToken" => {
            let args = Args::new("withIdentityToken", &call.args);
            let (address, token) = (args.string("address")?, args.id("token", "Secret")?);
            encode(chain::with_identity_token(&plan, address, token))
        }
        "withRegistryToken" => {
            let args = Args::new("withRegistryToken", &call.args);
            let (address, token) = (args.string("address")?, args.id("token", "Secret")?);
            encode(chain::with_registry_token(&plan, address, token))
        }
        "withDockerConfig" => {
            let args = Args::new("withDockerConfig", &call.args);
            let config = args.id("config", "Secret")?;
            encode(Ok(chain::with_docker_config(&plan, config)))
        }
        "registries" => {
            let keys = library(dag, &plan).registries(dag).await.map_err(message)?;
            Ok(json!(keys))
        }
        "secret" => {
            let args = Args::new("secret", &call.args);
            let name = args.string("name")?;
            let id = library(dag, &plan)
                .secret_id(dag, Function::Secret, name, None)
                .await
                .map_err(message)?;
            Ok(json!(id.0))
        }
        "mountSecret" => {
            let args = Args::new("mountSecret", &call.args);
            let container = container(dag, &args)?;
            let mounted = library(dag, &plan)
                .mount_secret(
                    dag,
                    &container,
                    args.string("path")?,
                    args.string("owner")?,
                    args.optional_int("mode")?,
                )
                .await
                .map_err(message)?;
            container_id(dag, &mounted).await
        }
        "mountDockerConfig" => {
            let args = Args::new("mountDockerConfig", &call.args);
            let container = container(dag, &args)?;
            let mounted = library(dag, &plan)
                .mount_docker_config(dag, &container, args.string("dir")?, args.string("owner")?)
                .await
                .map_err(message)?;
            container_id(dag, &mounted).await
        }
        "secretVariable" => {
            let args = Args::new("secretVariable", &call.args);
            let container = container(dag, &args)?;
            let with_variable = library(dag, &plan)
                .secret_variable(dag, &container, args.string("name")?)
                .await
                .map_err(message)?;
            container_id(dag, &with_variable).await
        }
        "secretMount" => {
            let args = Args::new("secretMount", &call.args);
            let mount = SecretMountState {
                path: args.string("path")?.to_owned(),
                secret_name: args.string("secretName")?.to_owned(),
                skip_on_empty: args.boolean("skipOnEmpty")?,
                owner: args.string("owner")?.to_owned(),
                mode: args.int("mode")?,
                registry_config: state::encode_config(&plan)?,
            };
            check_secret_mount(Function::SecretMount, &mount)?;
            serde_json::to_value(&mount).map_err(|_| {
                "internal error: the SecretMount state could not be encoded".to_owned()
            })
        }
        other => Err(format!(
            "unknown function {REGISTRY_CONFIG}.{other}: see the module's registered functions"
        )),
    }
}

/// `SecretMount.mount(container)`.
async fn secret_mount_mount(dag: &Query, call: &FunctionCall) -> Result<Value, String> {
    const F: Function = Function::SecretMountMount;
    let in_function = |problem: String| format!("{F}: {problem}");
    let mount = state::decode_secret_mount(&call.parent).map_err(in_function)?;
    let (owner, mode) = check_secret_mount(F, &mount)?;
    let plan = state::decode_config(&mount.registry_config).map_err(in_function)?;
    let args = Args::new("SecretMount.mount", &call.args);
    let container_arg = args.id("container", "Container")?;
    let container: Container = dag.r#ref(Id(container_arg.clone()));
    let config = library(dag, &plan);
    let secret = if mount.skip_on_empty {
        match config
            .secret_id_unless_empty(dag, F, &mount.secret_name, Some(&container))
            .await
            .map_err(message)?
        {
            Some(secret) => secret,
            None => return Ok(json!(container_arg)),
        }
    } else {
        config
            .secret_id(dag, F, &mount.secret_name, Some(&container))
            .await
            .map_err(message)?
    };
    let mounted = client::mount(&container, &mount.path, secret, owner, mode);
    container_id(dag, &mounted).await
}

/// Validates a `SecretMount` (when built, and again when applied: state can be tampered with)
/// and returns its owner and mode as the library takes them.
fn check_secret_mount(
    function: Function,
    mount: &SecretMountState,
) -> Result<(Option<&str>, Option<u32>), String> {
    let argument = |argument, problem| message(Error::argument(function, argument, problem));
    options::mount_path(&mount.path).map_err(|p| argument("path", p))?;
    SecretPrefix::parse(&mount.secret_name).map_err(|p| argument("secretName", p.into()))?;
    let owner = options::owner(&mount.owner).map_err(|p| argument("owner", p))?;
    let mode = options::compat_mode(mount.mode).map_err(|p| argument("mode", p))?;
    Ok((owner, mode))
}

/// The library's view of a decoded state: each Secret ID becomes a `Secret` reference.
fn library(dag: &Query, plan: &Plan<SecretId>) -> RegistryConfig {
    RegistryConfig::from_plan(plan.map_handles(|id| dag.r#ref::<Secret>(Id(id.clone()))))
}

/// The `container` argument as a reference.
fn container(dag: &Query, args: &Args<'_>) -> Result<Container, String> {
    Ok(dag.r#ref(Id(args.id("container", "Container")?)))
}

/// Materializes a changed container and returns its ID as the JSON string the engine expects.
async fn container_id(dag: &Query, container: &Container) -> Result<Value, String> {
    client::resolve_id(
        &dag.graphql_client,
        &container.selection,
        "updating the container",
    )
    .await
    .map(|id| json!(id.0))
    .map_err(|problem| problem.to_string())
}

/// A state builder's result as the new state.
fn encode(plan: crate::Result<Plan<SecretId>>) -> Result<Value, String> {
    state::encode_config(&plan.map_err(message)?)
}

/// The user-facing message of a library error.
fn message(error: Error) -> String {
    error.to_string()
}
