//! `withRegistryAuth`, `withoutRegistryAuth`, `withIdentityToken`, `withRegistryToken`,
//! `withCredentialHelper`, `withEcrAuth`, `withDockerConfig`: the state builders. They read no secret: each decodes the state and its
//! arguments, applies the shared builder and returns the new state.

use serde_json::Value;

use super::ADDRESS;
use crate::builders;
use crate::core::credential::Credential;
use crate::module::declaration::{
    optional, ready, required, ArgDefault, CachePolicy, Declaration, Invocation, Type,
};
use crate::module::error::ModuleError;
use crate::module::state;
use crate::names::{Function, Object};

/// `withRegistryAuth(address, username, secret)`.
pub(super) const WITH_REGISTRY_AUTH: Declaration = Declaration {
    function: Function::WithRegistryAuth,
    description: "Adds username/password credentials for a registry, rendered as an \"auth\" entry. Replaces any entry with the same normalized address. The secret is only read when the config is rendered; one trailing newline is removed from it, as docker login --password-stdin does.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[
        required("address", Type::String, ADDRESS),
        required("username", Type::String, "Username. Must not be empty, contain ':' (docker splits the auth value at the first colon), control, invisible or bidirectional characters, or start or end with whitespace."),
        required("secret", Type::Secret, "Password or access token."),
    ],
    cache: CachePolicy::Default,
    handler: |call| ready(with_registry_auth(&call)),
};

/// `withoutRegistryAuth(address)`.
pub(super) const WITHOUT_REGISTRY_AUTH: Declaration = Declaration {
    function: Function::WithoutRegistryAuth,
    description: "Removes the entry for a registry, matching by normalized address (so \"docker.io\" removes the Docker Hub entry however it was added, including one brought in by withDockerConfig). Does nothing if there is none.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[required("address", Type::String, ADDRESS)],
    cache: CachePolicy::Default,
    handler: |call| ready(without_registry_auth(&call)),
};

/// `withIdentityToken(address, token)`.
pub(super) const WITH_IDENTITY_TOKEN: Declaration = Declaration {
    function: Function::WithIdentityToken,
    description: "Adds an OAuth2 refresh token for a registry, rendered as an \"identitytoken\" entry (e.g. Azure Container Registry). Replaces any entry with the same normalized address. One trailing newline is removed from the token.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[
        required("address", Type::String, ADDRESS),
        required("token", Type::Secret, "The refresh token."),
    ],
    cache: CachePolicy::Default,
    handler: |call| ready(with_token(&call, Credential::IdentityToken)),
};

/// `withRegistryToken(address, token)`.
pub(super) const WITH_REGISTRY_TOKEN: Declaration = Declaration {
    function: Function::WithRegistryToken,
    description: "Adds a bearer token for a registry, rendered as a \"registrytoken\" entry that clients send as is. Replaces any entry with the same normalized address. One trailing newline is removed from the token.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[
        required("address", Type::String, ADDRESS),
        required("token", Type::Secret, "The bearer token."),
    ],
    cache: CachePolicy::Default,
    handler: |call| ready(with_token(&call, Credential::RegistryToken)),
};

/// `withCredentialHelper(address, helper)`.
pub(super) const WITH_CREDENTIAL_HELPER: Declaration = Declaration {
    function: Function::WithCredentialHelper,
    description: "Makes tools in the container run docker-credential-<helper> for a registry (e.g. \"ecr-login\", \"gcloud\", \"acr-env\"), rendered in \"credHelpers\": the helper fetches short-lived credentials itself, so no long-lived password is needed. The helper must be installed in the container; desktop-only helpers (osxkeychain, desktop, wincred, secretservice) are refused. A Docker Hub helper is also written under \"docker.io\", where skopeo, podman and buildah look. Replaces any entry with the same normalized address.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[
        required("address", Type::String, "Registry host, normalized like withRegistryAuth's address; a namespace is refused, since tools look helpers up by host only."),
        required("helper", Type::String, "The helper's name, the part after docker-credential- (letters, digits, '.', '_', '-')."),
    ],
    cache: CachePolicy::Default,
    handler: |call| ready(with_credential_helper(&call)),
};

/// `withEcrAuth(address, accessKeyId, secretAccessKey, sessionToken, endpoint)`.
pub(super) const WITH_ECR_AUTH: Declaration = Declaration {
    function: Function::WithEcrAuth,
    description: "Logs in to an Amazon ECR private registry without an AWS CLI image: when the config is rendered, ECR's GetAuthorizationToken is called with the AWS keys (SigV4-signed, HTTPS, within 10 seconds) and the 12-hour token it returns is rendered as the registry's \"auth\" (user AWS). The token is minted on every render and never stored; only the Secret handles are recorded here. Replaces any entry with the same normalized address.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[
        required("address", Type::String, "The ECR private registry, <12-digit account>.dkr.ecr.<region>.amazonaws.com (dkr.ecr-fips for FIPS, .amazonaws.com.cn for the China regions); the region comes from it."),
        required("accessKeyId", Type::Secret, "The AWS access key ID (e.g. env:AWS_ACCESS_KEY_ID)."),
        required("secretAccessKey", Type::Secret, "The AWS secret access key (e.g. env:AWS_SECRET_ACCESS_KEY)."),
        optional("sessionToken", Type::Secret, ArgDefault::Absent, "The session token of temporary credentials (e.g. env:AWS_SESSION_TOKEN)."),
        optional("endpoint", Type::String, ArgDefault::Str(""), "Where to call GetAuthorizationToken instead of the region's API endpoint (https://api.ecr.<region>.amazonaws.com, or ecr-fips.<region> for FIPS registries): a VPC endpoint or a test server, https://host[:port], or http:// to a loopback host. Empty uses the region's endpoint."),
    ],
    cache: CachePolicy::Default,
    handler: |call| ready(with_ecr_auth(&call)),
};

/// `withDockerConfig(config)`.
pub(super) const WITH_DOCKER_CONFIG: Declaration = Declaration {
    function: Function::WithDockerConfig,
    description: "Merges an existing config.json (e.g. --config file:$HOME/.docker/config.json) at this point of the chain: its \"auths\" and its \"credHelpers\"; later calls override its entries. An empty entry of a file with a \"credsStore\" (a login kept in the machine's keychain), or a \"credHelpers\" entry naming a desktop-only helper, makes rendering fail, naming the registry, until a later call replaces it or withoutRegistryAuth removes it. The file is parsed when the config is rendered.",
    returns: Type::Module(Object::RegistryConfig),
    args: &[required("config", Type::Secret, "The config.json to import.")],
    cache: CachePolicy::Default,
    handler: |call| ready(with_docker_config(&call)),
};

fn with_registry_auth(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    const F: Function = Function::WithRegistryAuth;
    let plan = state::decode_config(F, call.parent)?;
    let (address, username) = (call.args.string("address")?, call.args.string("username")?);
    let secret = call.args.id("secret")?;
    state::encode_config(&builders::with_registry_auth(
        &plan, address, username, secret,
    )?)
}

fn without_registry_auth(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::WithoutRegistryAuth, call.parent)?;
    let address = call.args.string("address")?;
    state::encode_config(&builders::without_registry_auth(&plan, address)?)
}

/// `withIdentityToken` and `withRegistryToken`: `(address, token)`, the kind given by `kind`.
fn with_token(
    call: &Invocation<'_>,
    kind: fn(state::SecretId) -> Credential<state::SecretId>,
) -> Result<Value, ModuleError> {
    let function = call.args.function();
    let plan = state::decode_config(function, call.parent)?;
    let (address, token) = (call.args.string("address")?, call.args.id("token")?);
    state::encode_config(&builders::with_token(
        &plan,
        function,
        address,
        kind(token),
    )?)
}

fn with_credential_helper(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::WithCredentialHelper, call.parent)?;
    let (address, helper) = (call.args.string("address")?, call.args.string("helper")?);
    state::encode_config(&builders::with_credential_helper(&plan, address, helper)?)
}

fn with_ecr_auth(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::WithEcrAuth, call.parent)?;
    let address = call.args.string("address")?;
    let keys = builders::EcrKeys {
        access_key_id: call.args.id("accessKeyId")?,
        secret_access_key: call.args.id("secretAccessKey")?,
        session_token: call.args.optional_id("sessionToken")?,
    };
    let endpoint = call.args.string("endpoint")?;
    state::encode_config(&builders::with_ecr_auth(&plan, address, keys, endpoint)?)
}

fn with_docker_config(call: &Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::WithDockerConfig, call.parent)?;
    let config = call.args.id("config")?;
    state::encode_config(&builders::with_docker_config(&plan, config))
}
