//! `secretMount` and `SecretMount.mount`, compatible with the Go module
//! (`ctr.With(dag.RegistryConfig()….SecretMount(path).Mount)`). The prepared mount is kept as
//! state with the Go module's public fields plus the config; both functions go through the
//! library's [`crate::client::SecretMount`], so the state is validated when it is built and
//! again when it is applied (state can be tampered with).

use serde_json::{json, Value};

use super::containers::{container, container_id};
use super::{CONTAINER, OWNER, SECRET_NAME};
use crate::client::opts::SecretMountOpts;
use crate::client::SecretMount;
use crate::module::declaration::{
    optional, required, ArgDefault, CachePolicy, Declaration, Field, Invocation, Type,
};
use crate::module::error::ModuleError;
use crate::module::state::{self, SecretMountState};
use crate::names::{Function, Object};

/// `secretMount(path, secretName, skipOnEmpty, owner, mode)`.
pub(super) const SECRET_MOUNT: Declaration = Declaration {
    function: Function::SecretMount,
    description: "Prepares a secret mount to apply later with SecretMount.mount (e.g. with Container.with); compatible with the Go registry-config module.",
    returns: Type::Module(Object::SecretMount),
    args: &[
        required("path", Type::String, "Absolute path of the mounted file (no \".\" or \"..\" components)."),
        optional("secretName", Type::String, ArgDefault::Str(""), SECRET_NAME),
        optional("skipOnEmpty", Type::Boolean, ArgDefault::Bool(false), "Leave the container unchanged when the rendered config has no entries (a credential helper is an entry)."),
        optional("owner", Type::String, ArgDefault::Str(""), OWNER),
        optional("mode", Type::Int, ArgDefault::Int(0), "File permission bits, 0 to 511 (0o777), in decimal (e.g. 288 for 0o440); applied with or without owner. 0 keeps the engine default 0o400."),
    ],
    cache: CachePolicy::Default,
    handler: |call| Box::pin(std::future::ready(secret_mount(&call))),
};

/// `SecretMount.mount(container)`.
pub(super) const MOUNT: Declaration = Declaration {
    function: Function::SecretMountMount,
    description: "Mounts the rendered config.json into the container as a read-only secret file.",
    returns: Type::Container,
    args: &[required("container", Type::Container, CONTAINER)],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(mount(call)),
};

/// `SecretMount`'s declared fields (as in the Go module).
pub(super) const FIELDS: &[Field] = &[
    Field {
        name: "path",
        ty: Type::String,
        description: "Where the file is mounted.",
    },
    Field {
        name: "secretName",
        ty: Type::String,
        description: "Prefix of the secret's name; empty means \"registry-config\".",
    },
    Field {
        name: "skipOnEmpty",
        ty: Type::Boolean,
        description: "Whether mount leaves the container unchanged when the config has no entries.",
    },
    Field {
        name: "owner",
        ty: Type::String,
        description: "Owner of the mounted file; empty keeps root.",
    },
    Field {
        name: "mode",
        ty: Type::Int,
        description: "File mode; 0 keeps the engine default 0o400.",
    },
    Field {
        name: "registryConfig",
        ty: Type::Module(Object::RegistryConfig),
        description: "The credentials to mount.",
    },
];

fn secret_mount(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    const F: Function = Function::SecretMount;
    let plan = state::decode_config(F, call.parent)?;
    let mount = SecretMountState {
        path: call.args.string("path")?.to_owned(),
        secret_name: call.args.string("secretName")?.to_owned(),
        skip_on_empty: call.args.boolean("skipOnEmpty")?,
        owner: call.args.string("owner")?.to_owned(),
        mode: call.args.int("mode")?,
        registry_config: state::encode_config(&plan)?,
    };
    prepare(call, &plan, &mount)?;
    serde_json::to_value(&mount).map_err(|_| ModuleError::Encoding("SecretMount"))
}

async fn mount(call: Invocation<'_>) -> Result<Value, ModuleError> {
    const F: Function = Function::SecretMountMount;
    let mount = state::decode_secret_mount(F, call.parent)?;
    let plan = state::decode_config(F, &mount.registry_config)?;
    let prepared = prepare(&call, &plan, &mount)?;
    let container = container(&call)?;
    match prepared.mount_unless_skipped(call.dag, &container).await? {
        Some(mounted) => container_id(&call, F, &mounted).await,
        None => Ok(json!(call.args.id("container")?)),
    }
}

/// `text`, unless it is the empty string that means "not set".
fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|text| !text.is_empty())
}

/// The library's prepared mount of `plan` for a `SecretMount` state, validated; the Go module's
/// empty strings and mode 0 mean "not set".
fn prepare(
    call: &Invocation<'_>,
    plan: &state::ConfigPlan,
    mount: &SecretMountState,
) -> Result<SecretMount, ModuleError> {
    let opts = SecretMountOpts {
        secret_name: non_empty(&mount.secret_name),
        skip_on_empty: mount.skip_on_empty,
        owner: non_empty(&mount.owner),
        mode: Some(mount.mode).filter(|mode| *mode != 0),
    };
    let library = state::library(call.dag, plan);
    Ok(library.prepared_mount(&mount.path, opts, call.args.function())?)
}
