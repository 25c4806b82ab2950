//! `registries`, `secret` and `kubernetesSecret`: the functions that read the secrets and answer with plain data or
//! a new Secret. Both are never cached (see [`CachePolicy::Never`]).

use serde_json::{json, Value};

use super::SECRET_NAME;
use crate::client::opts::{KubernetesSecretOpts, SecretOpts};
use crate::module::declaration::{
    optional, required, ArgDefault, CachePolicy, Declaration, Invocation, Type,
};
use crate::module::error::ModuleError;
use crate::module::state;
use crate::names::Function;

/// `registries`.
pub(super) const REGISTRIES: Declaration = Declaration {
    function: Function::Registries,
    description:
        "Lists the normalized registry keys the config holds, sorted. Never returns a secret.",
    returns: Type::StringList,
    args: &[],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(registries(call)),
};

/// `secret(name)`.
pub(super) const SECRET: Declaration = Declaration {
    function: Function::Secret,
    description: "Renders the config.json and returns it as a Secret named \"<name>-<digest>\"; the digest changes whenever the content does and is slow to brute-force (argon2id).",
    returns: Type::Secret,
    args: &[optional("name", Type::String, ArgDefault::Str(""), SECRET_NAME)],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(secret(call)),
};

/// `kubernetesSecret(name, namespace)`.
pub(super) const KUBERNETES_SECRET: Declaration = Declaration {
    function: Function::KubernetesSecret,
    description: "Renders a Kubernetes image pull secret (type kubernetes.io/dockerconfigjson) whose .dockerconfigjson is the rendered config.json, as a Secret to mount and apply with kubectl apply -f. Fails if the config holds credential helpers, which the kubelet does not run, or identitytoken/registrytoken entries, which it ignores (pods would pull anonymously).",
    returns: Type::Secret,
    args: &[
        required("name", Type::String, "metadata.name of the Kubernetes Secret (a DNS-1123 subdomain)."),
        optional("namespace", Type::String, ArgDefault::Str(""), "metadata.namespace (a DNS-1123 label); empty leaves it out, so kubectl uses its current namespace."),
    ],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(kubernetes_secret(call)),
};

async fn kubernetes_secret(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::KubernetesSecret, call.parent)?;
    let name = call.args.string("name")?;
    let opts = KubernetesSecretOpts {
        namespace: call.args.non_empty("namespace")?,
    };
    let library = state::library(call.dag, &plan);
    let id = library.kubernetes_secret_id(call.dag, name, opts).await?;
    Ok(json!(id.0))
}

async fn registries(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::Registries, call.parent)?;
    let keys = state::library(call.dag, &plan).registries(call.dag).await?;
    Ok(json!(keys))
}

async fn secret(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::Secret, call.parent)?;
    let opts = SecretOpts {
        name: call.args.non_empty("name")?,
    };
    let id = state::library(call.dag, &plan)
        .secret_id(call.dag, opts)
        .await?;
    Ok(json!(id.0))
}
