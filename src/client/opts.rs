//! Optional arguments of the library's functions, in the `dagger-sdk` style: `fn x(required…)`
//! uses the defaults, `fn x_opts(required…, XOpts { … })` sets some of them; `None` (or
//! `..Default::default()`) keeps a default.

/// Options of [`crate::RegistryConfig::secret_opts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecretOpts<'a> {
    /// Prefix of the secret's name (`<name>-<digest>`); default `registry-config`.
    pub name: Option<&'a str>,
}

/// Options of [`crate::RegistryConfig::mount_secret_opts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountSecretOpts<'a> {
    /// Absolute path of the mounted file; default [`crate::DEFAULT_CONFIG_PATH`].
    pub path: Option<&'a str>,
    /// Owner as `user`, `uid`, `user:group` or `uid:gid`; default root.
    pub owner: Option<&'a str>,
    /// Permission bits, 1 to 0o777; default 0o400. Applied with or without `owner`.
    pub mode: Option<i64>,
    /// An environment variable to point at the mounted file, for tools that read one:
    /// `REGISTRY_AUTH_FILE` (skopeo, podman, buildah), `HELM_REGISTRY_CONFIG` (Helm).
    pub variable: Option<&'a str>,
}

/// Options of [`crate::RegistryConfig::mount_docker_config_opts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountDockerConfigOpts<'a> {
    /// Absolute directory for `config.json`, also set as `DOCKER_CONFIG`; default
    /// [`crate::DEFAULT_DOCKER_CONFIG_DIR`].
    pub dir: Option<&'a str>,
    /// Owner as `user`, `uid`, `user:group` or `uid:gid`; default root.
    pub owner: Option<&'a str>,
}

/// Options of [`crate::RegistryConfig::secret_variable_opts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecretVariableOpts<'a> {
    /// Name of the variable; default [`crate::DEFAULT_VARIABLE`].
    pub name: Option<&'a str>,
}

/// Options of [`crate::RegistryConfig::secret_mount_opts`] (the Go module's `secretMount`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecretMountOpts<'a> {
    /// Prefix of the secret's name; default `registry-config`.
    pub secret_name: Option<&'a str>,
    /// Leave the container unchanged when the config has no entries; default `false`.
    pub skip_on_empty: bool,
    /// Owner as `user`, `uid`, `user:group` or `uid:gid`; default root.
    pub owner: Option<&'a str>,
    /// Permission bits, 1 to 0o777; default 0o400.
    pub mode: Option<i64>,
}

/// Options of [`crate::RegistryConfig::kubernetes_secret_opts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KubernetesSecretOpts<'a> {
    /// `metadata.namespace`; default none (`kubectl apply` then uses its current namespace).
    pub namespace: Option<&'a str>,
}

/// Options of [`crate::RegistryConfig::verify_opts`].
#[derive(Clone, Copy, Default)]
pub struct VerifyOpts<'a> {
    /// An image (`host[:port]/repository[:tag|@digest]`): check only the entry that covers it,
    /// with the repository's `pull` scope (and `push`). Default: every entry, as `docker login`.
    pub image: Option<&'a str>,
    /// With `image`: also prove `push` on the repository.
    pub push: bool,
    /// Allow plain HTTP (after HTTPS failed) for registries that are not loopback hosts.
    pub plain_http: bool,
    /// A PEM bundle of CA certificates to trust besides the public roots, for registries with a
    /// private CA.
    pub ca_certificates: Option<&'a dagger_sdk::File>,
}

/// Options of [`crate::RegistryConfig::with_ecr_auth_opts`].
#[derive(Clone, Default)]
pub struct EcrAuthOpts<'a> {
    /// The session token of temporary credentials (STS, an assumed role, SSO).
    pub session_token: Option<dagger_sdk::Secret>,
    /// Where `GetAuthorizationToken` is called instead of the region's API endpoint (a VPC
    /// endpoint, LocalStack): `https://host[:port]`, or `http://` to a loopback host.
    pub endpoint: Option<&'a str>,
}
