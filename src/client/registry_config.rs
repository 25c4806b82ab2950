//! [`RegistryConfig`]: the library API for Rust pipelines built on the `dagger-sdk` crate.

use std::fmt;

use dagger_sdk::{Container, ContainerWithMountedSecretOpts, Id, Query, Secret};

use super::graphql;
use super::options;
use crate::chain;
use crate::core::credential::Credential;
use crate::core::naming::{secret_name, SecretPrefix};
use crate::core::plan::{Plan, Step};
use crate::core::render::{check_namespaces, render, ResolvedEntries};
use crate::error::{ArgumentProblem, ConfigProblem, EngineProblem, Error, Function, Result};

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
///     .mount_docker_config(&dag, &helm, "/root/.docker", "")
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
        chain::with_registry_auth(&self.plan, address, username, secret).map(Self::from_plan)
    }

    /// Removes the entry whose normalized key matches `address` (also one an earlier
    /// `with_docker_config` brings in); a no-op when there is none.
    pub fn without_registry_auth(&self, address: &str) -> Result<Self> {
        chain::without_registry_auth(&self.plan, address).map(Self::from_plan)
    }

    /// Adds an OAuth2 refresh token for `address`, rendered as `identitytoken`.
    pub fn with_identity_token(&self, address: &str, token: Secret) -> Result<Self> {
        chain::with_identity_token(&self.plan, address, token).map(Self::from_plan)
    }

    /// Adds a bearer token for `address`, rendered as `registrytoken`.
    pub fn with_registry_token(&self, address: &str, token: Secret) -> Result<Self> {
        chain::with_registry_token(&self.plan, address, token).map(Self::from_plan)
    }

    /// Merges the `auths` of an existing `config.json` (e.g. `dag.secret("file:…/config.json")`)
    /// at this point of the chain: later calls override its entries, earlier ones are overridden
    /// by it. `credsStore`/`credHelpers` are dropped (no helper exists inside a container). The
    /// file is parsed when the config is rendered.
    pub fn with_docker_config(&self, config: Secret) -> Self {
        Self::from_plan(chain::with_docker_config(&self.plan, config))
    }

    /// The normalized keys, sorted. Reads only imported configs (never a password), and makes no
    /// request at all when nothing is imported.
    pub async fn registries(&self, dag: &Query) -> Result<Vec<String>> {
        const F: Function = Function::Registries;
        self.plan
            .check_bounds()
            .map_err(|problem| Error::config(F, problem))?;
        let configs =
            graphql::read_plaintexts(&dag.graphql_client, &self.plan.import_handles(), None)
                .await
                .map_err(|failure| read_error(F, failure))?;
        let keys = self
            .plan
            .keys(configs)
            .map_err(|problem| Error::config(F, problem))?;
        check_namespaces(&keys).map_err(|problem| Error::config(F, problem))?;
        Ok(keys.iter().map(|key| key.as_str().to_owned()).collect())
    }

    /// Renders the config and returns it as a Secret named `registry-config-<digest>`.
    pub async fn secret(&self, dag: &Query) -> Result<Secret> {
        self.secret_named(dag, "").await
    }

    /// Like [`RegistryConfig::secret`] with `name` as the name's prefix (`<name>-<digest>`; the
    /// digest keeps different contents from ever sharing a name). `""` means the default prefix.
    pub async fn secret_named(&self, dag: &Query, name: &str) -> Result<Secret> {
        let id = self.secret_id(dag, Function::Secret, name, None).await?;
        Ok(dag.r#ref(id))
    }

    /// Mounts the config read-only at `path` (e.g. [`options::DEFAULT_CONFIG_PATH`]). `owner`
    /// (`""` = root) makes it readable for non-root images; `mode` (1 to 0o777, with or without
    /// an owner) replaces the default 0o400.
    pub async fn mount_secret(
        &self,
        dag: &Query,
        container: &Container,
        path: &str,
        owner: &str,
        mode: Option<i64>,
    ) -> Result<Container> {
        const F: Function = Function::MountSecret;
        let path = options::mount_path(path).map_err(|p| Error::argument(F, "path", p))?;
        let owner = options::owner(owner).map_err(|p| Error::argument(F, "owner", p))?;
        let mode = options::mode(mode).map_err(|p| Error::argument(F, "mode", p))?;
        let id = self.secret_id(dag, F, "", Some(container)).await?;
        Ok(mount(container, path, id, owner, mode))
    }

    /// Mounts the config at `<dir>/config.json` and sets `DOCKER_CONFIG=<dir>`, the one place
    /// docker, buildx, helm (fallback), oras, crane, skopeo (fallback), kaniko and regctl all read.
    pub async fn mount_docker_config(
        &self,
        dag: &Query,
        container: &Container,
        dir: &str,
        owner: &str,
    ) -> Result<Container> {
        const F: Function = Function::MountDockerConfig;
        let dir = options::config_dir(dir).map_err(|p| Error::argument(F, "dir", p))?;
        let owner = options::owner(owner).map_err(|p| Error::argument(F, "owner", p))?;
        let id = self.secret_id(dag, F, "", Some(container)).await?;
        Ok(
            mount(container, &format!("{dir}/config.json"), id, owner, None)
                .with_env_variable("DOCKER_CONFIG", dir),
        )
    }

    /// Sets the config as the secret variable `name` (default `DOCKER_AUTH_CONFIG`, read by the
    /// docker CLI ≥ 28.3 with no file at all). Fails if the config holds token entries, which
    /// that variable cannot carry.
    pub async fn secret_variable(
        &self,
        dag: &Query,
        container: &Container,
        name: &str,
    ) -> Result<Container> {
        const F: Function = Function::SecretVariable;
        let name = options::env_name(name).map_err(|p| Error::argument(F, "name", p))?;
        let prefix = parse_prefix(F, "")?;
        let entries = self.resolve(dag, F, Some(container)).await?;
        if let Some((key, _)) = entries.iter().find(|(_, credential)| credential.is_token()) {
            return Err(Error::config(
                F,
                ConfigProblem::TokenInSecretVariable {
                    key: key.as_str().to_owned(),
                },
            ));
        }
        let id = store(dag, F, &prefix, entries).await?;
        Ok(container.with_secret_variable(name, id))
    }

    /// Renders and stores the config with `setSecret`, returning the Secret's ID. Used by the
    /// module, which returns IDs rather than lazy objects. A `container` the secret is for is
    /// checked in the same request that reads the plaintexts.
    pub(crate) async fn secret_id(
        &self,
        dag: &Query,
        function: Function,
        name: &str,
        container: Option<&Container>,
    ) -> Result<Id> {
        let prefix = parse_prefix(function, name)?;
        let entries = self.resolve(dag, function, container).await?;
        store(dag, function, &prefix, entries).await
    }

    /// Like [`RegistryConfig::secret_id`], but `None` (and no `setSecret`) when the config has no
    /// entries — `skipOnEmpty` — deciding that from the same single plaintext read.
    pub(crate) async fn secret_id_unless_empty(
        &self,
        dag: &Query,
        function: Function,
        name: &str,
        container: Option<&Container>,
    ) -> Result<Option<Id>> {
        let prefix = parse_prefix(function, name)?;
        // With nothing to read the container is returned unchanged, so it needs no check here.
        let container = container.filter(|_| !self.plan.handles().is_empty());
        let entries = self.resolve(dag, function, container).await?;
        if entries.is_empty() {
            return Ok(None);
        }
        store(dag, function, &prefix, entries).await.map(Some)
    }

    /// Checks the plan's bounds, reads every plaintext in one request (none when there are no
    /// handles) and applies the steps. The entries wipe their secrets when dropped.
    async fn resolve(
        &self,
        dag: &Query,
        function: Function,
        container: Option<&Container>,
    ) -> Result<ResolvedEntries> {
        self.plan
            .check_bounds()
            .map_err(|problem| Error::config(function, problem))?;
        let container = container.map(|container| &container.selection);
        let plaintexts =
            graphql::read_plaintexts(&dag.graphql_client, &self.plan.handles(), container)
                .await
                .map_err(|failure| read_error(function, failure))?;
        self.plan
            .resolve(plaintexts)
            .map_err(|problem| Error::config(function, problem))
    }
}

/// The error of a failed plaintext read: an engine failure, or the `container` argument.
fn read_error(function: Function, failure: graphql::ReadFailure) -> Error {
    match failure {
        graphql::ReadFailure::Engine(problem) => Error::engine(function, problem),
        graphql::ReadFailure::Container(problem) => {
            Error::argument(function, "container", ArgumentProblem::Container(problem))
        }
    }
}

/// Validates a secret-name prefix; `SecretMount.mount` calls its argument `secretName`.
fn parse_prefix(function: Function, name: &str) -> Result<SecretPrefix> {
    let argument = if function == Function::SecretMountMount {
        "secretName"
    } else {
        "name"
    };
    SecretPrefix::parse(name).map_err(|problem| Error::argument(function, argument, problem))
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
    let secret_name =
        secret_name(prefix, &rendered).map_err(|problem| Error::config(function, problem))?;
    graphql::set_secret(&dag.graphql_client, &secret_name, &rendered)
        .await
        .map_err(|problem: EngineProblem| Error::engine(function, problem))
}

/// `withMountedSecret(path, source, owner?, mode?)`; unset options keep the engine defaults
/// (root, 0400).
pub(crate) fn mount(
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
