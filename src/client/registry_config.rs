//! [`RegistryConfig`]: the library API for Rust pipelines built on the `dagger-sdk` crate.

use std::fmt;

use dagger_sdk::{Container, ContainerWithMountedSecretOpts, Id, Query, Secret};

use super::engine::{self, ReadFailure};
use super::opts::{
    EcrAuthOpts, KubernetesSecretOpts, MountDockerConfigOpts, MountSecretOpts, SecretMountOpts,
    SecretOpts, SecretVariableOpts, VerifyOpts,
};
use super::secret_mount::SecretMount;
use super::validate::{
    self, VariableUse, DEFAULT_CONFIG_PATH, DEFAULT_DOCKER_CONFIG_DIR, DEFAULT_VARIABLE,
};
use super::verify::{self, VerifyFailure};
use crate::builders;
use crate::core::credential::Credential;
use crate::core::image::ImageRef;
use crate::core::kubernetes::{
    check_pull_secret_entries, render_pull_secret, MetaError, ObjectMeta,
};
use crate::core::naming::{secret_name, SecretPrefix};
use crate::core::plan::{Plan, Step};
use crate::core::render::{
    check_namespaces, check_secrets, render, RenderedConfig, ResolvedEntries,
};
use crate::error::{ArgumentProblem, ConfigProblem, EngineProblem, Error, Function, Result};
use crate::net::client::{ClientError, HttpClient};
use crate::net::ecr;

/// A registry credential set that renders to a Docker-style `config.json` Secret.
///
/// Immutable: every `with*` returns a new value. It only ever holds Secret *handles*; plaintexts
/// are read when the config is rendered (`secret`, `mount_*`, `secret_variable`), all in one
/// request, and wiped right after.
///
/// ```no_run
/// # async fn pipeline(dag: dagger_sdk::Query) -> registry_config::Result<()> {
/// use registry_config::RegistryConfig;
///
/// let token = dag.secret("env:GITHUB_TOKEN");
/// let helm = dag.container().from("alpine/helm:3.17.0");
/// let helm = RegistryConfig::new()
///     .with_registry_auth("ghcr.io", "me", token)?
///     .mount_docker_config(&dag, &helm)
///     .await?;
/// # let _ = helm;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct RegistryConfig {
    plan: Plan<Secret>,
}

impl RegistryConfig {
    /// An empty config (renders as `{"auths":{}}`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Wraps a plan (the module decodes its state into one).
    pub(crate) fn from_plan(plan: Plan<Secret>) -> Self {
        Self { plan }
    }

    /// Adds basic auth for `address` (replacing any entry with the same normalized key).
    /// Fails on an address or username that no tool would accept.
    pub fn with_registry_auth(
        &self,
        address: &str,
        username: &str,
        secret: Secret,
    ) -> Result<Self> {
        builders::with_registry_auth(&self.plan, address, username, secret).map(Self::from_plan)
    }

    /// Removes the entry whose normalized key matches `address` (also one an earlier
    /// `with_docker_config` brings in); a no-op when there is none.
    pub fn without_registry_auth(&self, address: &str) -> Result<Self> {
        builders::without_registry_auth(&self.plan, address).map(Self::from_plan)
    }

    /// Adds an OAuth2 refresh token for `address`, rendered as `identitytoken`.
    pub fn with_identity_token(&self, address: &str, token: Secret) -> Result<Self> {
        let token = Credential::IdentityToken(token);
        builders::with_token(&self.plan, Function::WithIdentityToken, address, token)
            .map(Self::from_plan)
    }

    /// Adds a bearer token for `address`, rendered as `registrytoken`.
    pub fn with_registry_token(&self, address: &str, token: Secret) -> Result<Self> {
        let token = Credential::RegistryToken(token);
        builders::with_token(&self.plan, Function::WithRegistryToken, address, token)
            .map(Self::from_plan)
    }

    /// Makes tools run `docker-credential-<helper>` for `address` (e.g. `ecr-login`, `gcloud`):
    /// the helper, which must exist in the container, fetches short-lived credentials itself, so
    /// no long-lived password is needed. Replaces any entry with the same normalized key.
    pub fn with_credential_helper(&self, address: &str, helper: &str) -> Result<Self> {
        builders::with_credential_helper(&self.plan, address, helper).map(Self::from_plan)
    }

    /// Logs in to the Amazon ECR private registry `address`
    /// (`<account>.dkr.ecr.<region>.amazonaws.com`) with a token minted when the config is
    /// rendered: ECR's `GetAuthorizationToken`, signed with the AWS keys, is called once per
    /// render, and the 12-hour token it returns is rendered as the registry's `auth`. Records the
    /// handles only; replaces any entry with the same normalized key.
    pub fn with_ecr_auth(
        &self,
        address: &str,
        access_key_id: Secret,
        secret_access_key: Secret,
    ) -> Result<Self> {
        self.with_ecr_auth_opts(
            address,
            access_key_id,
            secret_access_key,
            EcrAuthOpts::default(),
        )
    }

    /// Like [`RegistryConfig::with_ecr_auth`] with a session token (temporary credentials) or
    /// another endpoint.
    pub fn with_ecr_auth_opts(
        &self,
        address: &str,
        access_key_id: Secret,
        secret_access_key: Secret,
        opts: EcrAuthOpts<'_>,
    ) -> Result<Self> {
        let keys = builders::EcrKeys {
            access_key_id,
            secret_access_key,
            session_token: opts.session_token,
        };
        builders::with_ecr_auth(&self.plan, address, keys, opts.endpoint.unwrap_or_default())
            .map(Self::from_plan)
    }

    /// Merges the `auths` of an existing `config.json` (e.g. `dag.secret("file:…/config.json")`)
    /// at this point of the chain: later calls override its entries, earlier ones are overridden
    /// by it. Its `credHelpers` are kept; an empty entry of a file with a `credsStore` (a login
    /// kept in that machine's keychain) makes rendering fail, naming the registry, until a later
    /// call replaces or removes it. The file is parsed when the config is rendered.
    pub fn with_docker_config(&self, config: Secret) -> Self {
        Self::from_plan(builders::with_docker_config(&self.plan, config))
    }

    /// The normalized keys, sorted. Reads only imported configs (never a password), and makes no
    /// request at all when nothing is imported.
    pub async fn registries(&self, dag: &Query) -> Result<Vec<String>> {
        const F: Function = Function::Registries;
        let config_error = |problem| Error::config(F, problem);
        self.plan.check_bounds().map_err(config_error)?;
        let imports = self.plan.import_handles();
        let configs = engine::read_plaintexts(&dag.graphql_client, &imports, None)
            .await
            .map_err(|failure| read_error(F, failure))?;
        let keys = self.plan.keys(configs).map_err(config_error)?;
        check_namespaces(&keys).map_err(|problem| Error::config(F, problem))?;
        Ok(keys.iter().map(|key| key.as_str().to_owned()).collect())
    }

    /// Renders the config and returns it as a Secret named `registry-config-<digest>`.
    pub async fn secret(&self, dag: &Query) -> Result<Secret> {
        self.secret_opts(dag, SecretOpts::default()).await
    }

    /// Like [`RegistryConfig::secret`] with options: `name` is the name's prefix
    /// (`<name>-<digest>`; the digest keeps different contents from ever sharing a name).
    pub async fn secret_opts(&self, dag: &Query, opts: SecretOpts<'_>) -> Result<Secret> {
        let id = self.secret_id(dag, opts).await?;
        Ok(dag.r#ref(id))
    }

    /// [`RegistryConfig::secret_opts`] as the Secret's ID (the module returns IDs).
    pub(crate) async fn secret_id(&self, dag: &Query, opts: SecretOpts<'_>) -> Result<Id> {
        const F: Function = Function::Secret;
        let prefix = parse_prefix(F, "name", opts.name)?;
        let entries = self.resolve(dag, F, None).await?;
        store(dag, F, &prefix, entries).await
    }

    /// A Kubernetes image pull secret named `name` (`type: kubernetes.io/dockerconfigjson`,
    /// `.dockerconfigjson` = the rendered config), as a Secret for `kubectl apply -f` from a
    /// mounted secret. Refused when the config holds credential helpers or token entries, which
    /// the kubelet ignores (pods would pull anonymously).
    pub async fn kubernetes_secret(&self, dag: &Query, name: &str) -> Result<Secret> {
        self.kubernetes_secret_opts(dag, name, KubernetesSecretOpts::default())
            .await
    }

    /// Like [`RegistryConfig::kubernetes_secret`] in a namespace.
    pub async fn kubernetes_secret_opts(
        &self,
        dag: &Query,
        name: &str,
        opts: KubernetesSecretOpts<'_>,
    ) -> Result<Secret> {
        let id = self.kubernetes_secret_id(dag, name, opts).await?;
        Ok(dag.r#ref(id))
    }

    /// [`RegistryConfig::kubernetes_secret_opts`] as the Secret's ID (the module returns IDs).
    pub(crate) async fn kubernetes_secret_id(
        &self,
        dag: &Query,
        name: &str,
        opts: KubernetesSecretOpts<'_>,
    ) -> Result<Id> {
        const F: Function = Function::KubernetesSecret;
        let meta = ObjectMeta::parse(name, opts.namespace).map_err(|problem| {
            let argument = match problem {
                MetaError::Name { .. } => "name",
                MetaError::Namespace { .. } => "namespace",
            };
            Error::argument(F, argument, problem)
        })?;
        let entries = self.resolve(dag, F, None).await?;
        check_pull_secret_entries(&entries).map_err(|problem| Error::config(F, problem))?;
        let config_error = |problem| Error::config(F, problem);
        let config = render(&entries).map_err(config_error)?;
        drop(entries);
        let manifest = render_pull_secret(&config, &meta).map_err(config_error)?;
        store_rendered(dag, F, &SecretPrefix::kubernetes(), &manifest).await
    }

    /// Mounts the config read-only at [`DEFAULT_CONFIG_PATH`], owned by root, mode 0o400.
    pub async fn mount_secret(&self, dag: &Query, container: &Container) -> Result<Container> {
        self.mount_secret_opts(dag, container, MountSecretOpts::default())
            .await
    }

    /// Mounts the config read-only at `path`; `owner` makes it readable for non-root images,
    /// `mode` (1 to 0o777, with or without an owner) replaces the default 0o400, and `variable`
    /// is set to `path` for tools that find their auth file through one.
    pub async fn mount_secret_opts(
        &self,
        dag: &Query,
        container: &Container,
        opts: MountSecretOpts<'_>,
    ) -> Result<Container> {
        const F: Function = Function::MountSecret;
        let argument = |name| move |problem| Error::argument(F, name, problem);
        let path = validate::mount_path(opts.path.unwrap_or(DEFAULT_CONFIG_PATH))
            .map_err(argument("path"))?;
        let owner = validate::owner(opts.owner).map_err(argument("owner"))?;
        let mode = validate::mode(opts.mode).map_err(argument("mode"))?;
        let variable = opts
            .variable
            .map(|name| validate::env_name(name, VariableUse::FilePath))
            .transpose()
            .map_err(argument("variable"))?;
        let entries = self.resolve(dag, F, Some(container)).await?;
        let id = store(dag, F, &SecretPrefix::default(), entries).await?;
        let mounted = mount(container, path, id, owner, mode);
        Ok(match variable {
            Some(variable) => mounted.with_env_variable(variable, path),
            None => mounted,
        })
    }

    /// Mounts the config at `/root/.docker/config.json` and sets `DOCKER_CONFIG=/root/.docker`,
    /// the one place docker, buildx, helm (fallback), oras, crane, skopeo (fallback), kaniko and
    /// regctl all read.
    pub async fn mount_docker_config(
        &self,
        dag: &Query,
        container: &Container,
    ) -> Result<Container> {
        self.mount_docker_config_opts(dag, container, MountDockerConfigOpts::default())
            .await
    }

    /// Like [`RegistryConfig::mount_docker_config`] in another directory or for another owner.
    pub async fn mount_docker_config_opts(
        &self,
        dag: &Query,
        container: &Container,
        opts: MountDockerConfigOpts<'_>,
    ) -> Result<Container> {
        const F: Function = Function::MountDockerConfig;
        let dir = validate::config_dir(opts.dir.unwrap_or(DEFAULT_DOCKER_CONFIG_DIR))
            .map_err(|p| Error::argument(F, "dir", p))?;
        let owner = validate::owner(opts.owner).map_err(|p| Error::argument(F, "owner", p))?;
        let entries = self.resolve(dag, F, Some(container)).await?;
        let id = store(dag, F, &SecretPrefix::default(), entries).await?;
        let path = format!("{dir}/config.json");
        Ok(mount(container, &path, id, owner, None).with_env_variable("DOCKER_CONFIG", dir))
    }

    /// Sets the config as the secret variable `DOCKER_AUTH_CONFIG` (read by the docker CLI ≥ 28.3
    /// with no file at all). Fails if the config holds token entries, which that variable
    /// cannot carry.
    pub async fn secret_variable(&self, dag: &Query, container: &Container) -> Result<Container> {
        self.secret_variable_opts(dag, container, SecretVariableOpts::default())
            .await
    }

    /// Like [`RegistryConfig::secret_variable`] under another variable name.
    pub async fn secret_variable_opts(
        &self,
        dag: &Query,
        container: &Container,
        opts: SecretVariableOpts<'_>,
    ) -> Result<Container> {
        const F: Function = Function::SecretVariable;
        let name = validate::env_name(opts.name.unwrap_or(DEFAULT_VARIABLE), VariableUse::Content)
            .map_err(|p| Error::argument(F, "name", p))?;
        let entries = self.resolve(dag, F, Some(container)).await?;
        for (key, credential) in &entries {
            let key = key.as_str().to_owned();
            let problem = match credential {
                Credential::Basic { .. } => continue,
                Credential::Helper(_) => ConfigProblem::HelperInSecretVariable { key },
                _ => ConfigProblem::TokenInSecretVariable { key },
            };
            return Err(Error::config(F, problem));
        }
        let id = store(dag, F, &SecretPrefix::default(), entries).await?;
        Ok(container.with_secret_variable(name, id))
    }

    /// Prepares a mount at `path` to apply later with [`SecretMount::mount`] (the Go module's
    /// `secretMount`), with the defaults.
    pub fn secret_mount(&self, path: &str) -> Result<SecretMount> {
        self.secret_mount_opts(path, SecretMountOpts::default())
    }

    /// Like [`RegistryConfig::secret_mount`] with options. Everything is validated now, so
    /// applying the mount can only fail on what needs the secrets.
    pub fn secret_mount_opts(&self, path: &str, opts: SecretMountOpts<'_>) -> Result<SecretMount> {
        SecretMount::new(self.clone(), path, opts, Function::SecretMount)
    }

    /// [`RegistryConfig::secret_mount_opts`] with errors that name `function` (the module
    /// re-validates a stored mount in `SecretMount.mount`).
    pub(crate) fn prepared_mount(
        &self,
        path: &str,
        opts: SecretMountOpts<'_>,
        function: Function,
    ) -> Result<SecretMount> {
        SecretMount::new(self.clone(), path, opts, function)
    }

    /// Renders and stores the config for a prepared [`SecretMount`] and mounts it, or — with
    /// `skip_on_empty` and no entries — returns `None` without storing anything.
    pub(crate) async fn mount_prepared(
        &self,
        dag: &Query,
        container: &Container,
        prepared: &SecretMount,
    ) -> Result<Option<Container>> {
        const F: Function = Function::SecretMountMount;
        // "Empty" is about the rendered config, not the secrets: a helper entry holds no secret
        // but is an entry. A plan that can render no entry needs no read to be skipped.
        if prepared.skip_on_empty() && self.plan.is_empty() {
            return Ok(None);
        }
        let entries = self.resolve(dag, F, Some(container)).await?;
        if prepared.skip_on_empty() && entries.is_empty() {
            return Ok(None);
        }
        let id = store(dag, F, prepared.prefix(), entries).await?;
        Ok(Some(mount(
            container,
            prepared.path(),
            id,
            prepared.owner(),
            prepared.mode(),
        )))
    }

    /// Checks that every credential works, the way `docker login` does but without its false
    /// passes: `GET /v2/`, then the credentials on a `Basic` challenge, or a token from the
    /// `Bearer` challenge's realm; only a 200 passes. Returns one line per registry in key order
    /// (`"<key>: ok"`, `"<key>: skipped (credential helper <name> runs in the container)"`), and
    /// fails naming each registry that refused (HTTP status and registry error code), failed TLS
    /// or could not be reached. Never returns or reports a secret.
    pub async fn verify(&self, dag: &Query) -> Result<Vec<String>> {
        self.verify_opts(dag, VerifyOpts::default()).await
    }

    /// Like [`RegistryConfig::verify`] with options: `image` checks only the entry that covers
    /// it, with its repository's `pull` (and, with `push`, `push`) scope; `ca_certificates` adds
    /// a private CA; `plain_http` allows plain HTTP beyond loopback hosts.
    pub async fn verify_opts(&self, dag: &Query, opts: VerifyOpts<'_>) -> Result<Vec<String>> {
        const F: Function = Function::Verify;
        let image = opts
            .image
            .map(ImageRef::parse)
            .transpose()
            .map_err(|problem| Error::argument(F, "image", problem))?;
        if opts.push && image.is_none() {
            return Err(Error::argument(
                F,
                "push",
                ArgumentProblem::PushWithoutImage,
            ));
        }
        let roots = match opts.ca_certificates {
            Some(file) => Some(
                engine::read_file(&dag.graphql_client, file)
                    .await
                    .map_err(|problem| Error::engine(F, problem))?,
            ),
            None => None,
        };
        let client =
            HttpClient::new(roots.as_deref().map(str::as_bytes)).map_err(|error| match error {
                ClientError::Certificates(problem) => Error::argument(F, "caCertificates", problem),
                ClientError::Setup(cause) => {
                    Error::engine(F, EngineProblem::new("setting up the HTTPS client", cause))
                }
            })?;
        let entries = self.resolve(dag, F, None).await?;
        let config_error = |problem| Error::config(F, problem);
        check_namespaces(entries.keys()).map_err(config_error)?;
        check_secrets(&entries).map_err(config_error)?;
        let selection = verify::Selection {
            image: image.as_ref(),
            push: opts.push,
            plain_http: opts.plain_http,
        };
        verify::verify_entries(&client, &entries, selection)
            .await
            .map_err(|failure| match failure {
                VerifyFailure::NoEntry(problem) => Error::argument(F, "image", problem),
                VerifyFailure::Checks(problem) => Error::Verification {
                    function: F,
                    problem,
                },
            })
    }

    /// Checks the plan's bounds, reads every plaintext in one request (checking `container`
    /// along with it), applies the steps and mints the ECR entries' tokens (concurrently, one
    /// call per distinct set of keys, region and endpoint). The entries wipe their secrets when
    /// dropped.
    async fn resolve(
        &self,
        dag: &Query,
        function: Function,
        container: Option<&Container>,
    ) -> Result<ResolvedEntries> {
        let config_error = |problem| Error::config(function, problem);
        self.plan.check_bounds().map_err(config_error)?;
        let container = container.map(|container| &container.selection);
        let plaintexts =
            engine::read_plaintexts(&dag.graphql_client, &self.plan.handles(), container)
                .await
                .map_err(|failure| read_error(function, failure))?;
        let resolution = self.plan.resolve_logins(plaintexts).map_err(config_error)?;
        if resolution.logins.is_empty() {
            return Ok(resolution.entries);
        }
        let client = HttpClient::new(None).map_err(|error| {
            let cause = match error {
                ClientError::Setup(cause) => cause,
                ClientError::Certificates(problem) => problem.to_string(),
            };
            Error::engine(
                function,
                EngineProblem::new("setting up the HTTPS client", cause),
            )
        })?;
        let minted = ecr::mint_tokens(&client, &resolution.logins)
            .await
            .map_err(|problem| Error::TokenMinting { function, problem })?;
        resolution.complete(minted).map_err(config_error)
    }
}

/// The error of a failed plaintext read: an engine failure, or the `container` argument.
fn read_error(function: Function, failure: ReadFailure) -> Error {
    match failure {
        ReadFailure::Engine(problem) => Error::engine(function, problem),
        ReadFailure::Container(problem) => {
            Error::argument(function, "container", ArgumentProblem::Container(problem))
        }
    }
}

/// Validates a secret-name prefix given as `argument`; `None` is the default prefix.
pub(crate) fn parse_prefix(
    function: Function,
    argument: &'static str,
    name: Option<&str>,
) -> Result<SecretPrefix> {
    match name {
        None => Ok(SecretPrefix::default()),
        Some(name) => SecretPrefix::parse(name)
            .map_err(|problem| Error::argument(function, argument, problem)),
    }
}

/// Renders, names and stores the entries with one `setSecret` request. The entries are dropped
/// (wiped) as soon as they are rendered, the rendered bytes when this returns.
async fn store(
    dag: &Query,
    function: Function,
    prefix: &SecretPrefix,
    entries: ResolvedEntries,
) -> Result<Id> {
    let rendered = render(&entries).map_err(|problem| Error::config(function, problem))?;
    drop(entries);
    store_rendered(dag, function, prefix, &rendered).await
}

/// Names `rendered` (`<prefix>-<argon2id digest>`) and stores it with one `setSecret` request.
async fn store_rendered(
    dag: &Query,
    function: Function,
    prefix: &SecretPrefix,
    rendered: &RenderedConfig,
) -> Result<Id> {
    let secret_name =
        secret_name(prefix, rendered).map_err(|problem| Error::config(function, problem))?;
    engine::set_secret(&dag.graphql_client, &secret_name, rendered)
        .await
        .map_err(|problem| Error::engine(function, problem))
}

/// `withMountedSecret(path, source, owner?, mode?)`; unset options keep the engine defaults
/// (root, 0400).
fn mount(
    container: &Container,
    path: &str,
    secret: Id,
    owner: Option<&str>,
    mode: Option<u32>,
) -> Container {
    let opts = ContainerWithMountedSecretOpts {
        expand: None,
        inherit_owner: None,
        mode: mode.and_then(|m| isize::try_from(m).ok()),
        owner,
    };
    container.with_mounted_secret_opts(path, secret, opts)
}

impl fmt::Debug for RegistryConfig {
    /// Shows keys, kinds and usernames; never a secret (handles are shown as `<secret>`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self
            .plan
            .steps()
            .iter()
            .map(|step| match step {
                Step::Set { key, credential } => match credential {
                    Credential::Basic { username, .. } => {
                        format!("auth {key} as {username:?}")
                    }
                    Credential::IdentityToken(_) => format!("identitytoken {key}"),
                    Credential::RegistryToken(_) => format!("registrytoken {key}"),
                    Credential::Helper(helper) => format!("credHelper {key} {helper:?}"),
                },
                Step::Ecr { key, login } => match &login.endpoint {
                    Some(endpoint) => format!("ecr {key} via {endpoint}"),
                    None => format!("ecr {key}"),
                },
                Step::Remove { key } => format!("remove {key}"),
                Step::Import { .. } => "import <secret>".to_owned(),
            })
            .collect();
        f.debug_struct("RegistryConfig")
            .field("steps", &steps)
            .finish()
    }
}
