//! [`SecretMount`]: a mount prepared now and applied later, as the Go module's `secretMount`
//! does (`ctr.With(config.SecretMount(path).Mount)`).

use dagger_sdk::{Container, Query};

use super::opts::SecretMountOpts;
use super::registry_config::{parse_prefix, RegistryConfig};
use super::validate;
use crate::core::naming::SecretPrefix;
use crate::error::{Error, Function, Result};

/// A validated secret mount of a [`RegistryConfig`], applied to a container with
/// [`SecretMount::mount`].
#[derive(Clone, Debug)]
pub struct SecretMount {
    config: RegistryConfig,
    path: String,
    prefix: SecretPrefix,
    skip_on_empty: bool,
    owner: Option<String>,
    mode: Option<u32>,
}

impl SecretMount {
    /// Validates everything that does not need the secrets; errors name `function` (where the
    /// module re-validates a stored mount, that is `SecretMount.mount`).
    pub(crate) fn new(
        config: RegistryConfig,
        path: &str,
        opts: SecretMountOpts<'_>,
        function: Function,
    ) -> Result<Self> {
        let argument = |name| move |problem| Error::argument(function, name, problem);
        let path = validate::mount_path(path).map_err(argument("path"))?;
        let prefix = parse_prefix(function, "secretName", opts.secret_name)?;
        let owner = validate::owner(opts.owner).map_err(argument("owner"))?;
        let mode = validate::mode(opts.mode).map_err(argument("mode"))?;
        Ok(Self {
            config,
            path: path.to_owned(),
            prefix,
            skip_on_empty: opts.skip_on_empty,
            owner: owner.map(str::to_owned),
            mode,
        })
    }

    /// Mounts the rendered config read-only into `container`; with `skip_on_empty` and no
    /// entries, returns `container` unchanged (and stores nothing).
    pub async fn mount(&self, dag: &Query, container: &Container) -> Result<Container> {
        let mounted = self.config.mount_prepared(dag, container, self).await?;
        Ok(mounted.unwrap_or_else(|| container.clone()))
    }

    /// [`SecretMount::mount`], or `None` when `skip_on_empty` left the container unchanged (the
    /// module then returns the caller's own container ID).
    pub(crate) async fn mount_unless_skipped(
        &self,
        dag: &Query,
        container: &Container,
    ) -> Result<Option<Container>> {
        self.config.mount_prepared(dag, container, self).await
    }

    /// Where the file is mounted.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The secret name's prefix.
    pub(crate) fn prefix(&self) -> &SecretPrefix {
        &self.prefix
    }

    /// Whether an empty config leaves the container unchanged.
    pub(crate) fn skip_on_empty(&self) -> bool {
        self.skip_on_empty
    }

    /// The owner, if not root.
    pub(crate) fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// The mode, if not the default 0o400.
    pub(crate) fn mode(&self) -> Option<u32> {
        self.mode
    }
}
