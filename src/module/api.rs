//! The module's API as data: every object, field, function and argument with its type,
//! optionality, default and description. Registration sends exactly this, and dispatch matches on
//! these names, so the two cannot drift apart. These descriptions are the API documentation that
//! Go, Python and TypeScript users see in their generated bindings.

/// The module's description.
pub const MODULE_DESCRIPTION: &str = "Builds Docker-style registry credential files (config.json) for tools that run inside containers (helm, oras, crane, skopeo, docker/buildx, kaniko, regctl) and hands them over as Secrets, so credentials never reach an image layer, the layer cache, a log or a trace.";

/// A type as the API uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Type {
    /// `String`.
    String,
    /// `Int`.
    Int,
    /// `Boolean`.
    Boolean,
    /// The core `Secret` object.
    Secret,
    /// The core `Container` object.
    Container,
    /// This module's main object.
    RegistryConfig,
    /// This module's mount helper object.
    SecretMount,
    /// `[String!]`.
    StringList,
}

/// Function result caching, as registered with `withCachePolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// The engine default (cached by arguments and parent state). Right for the state builders:
    /// they read no secret, so their result depends on nothing but the IDs they move.
    Default,
    /// Never cached. Used by everything that reads a plaintext or calls `setSecret`: a Secret's
    /// ID does not change with its content (`file:`/`env:` secrets are identified by their URI,
    /// `setSecret` ones by their name), so a cached result could be stale; rendering is cheap.
    Never,
}

/// One argument.
#[derive(Debug)]
pub struct Arg {
    /// GraphQL name (also what the engine sends back).
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Whether it may be omitted.
    pub optional: bool,
    /// The default as JSON text, injected by the engine when the argument is omitted.
    pub default: Option<&'static str>,
    /// What it is for.
    pub description: &'static str,
}

/// One function.
#[derive(Debug)]
pub struct Function {
    /// GraphQL name (also what the engine sends back).
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Return type (never optional).
    pub returns: Type,
    /// Arguments in declaration order.
    pub args: &'static [Arg],
    /// Cache policy.
    pub cache: CachePolicy,
}

/// One declared field of an object.
#[derive(Debug)]
pub struct Field {
    /// GraphQL name (also the key in the object's state).
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// What it holds.
    pub description: &'static str,
}

/// One object type.
#[derive(Debug)]
pub struct Object {
    /// The object's name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Declared (public) fields.
    pub fields: &'static [Field],
    /// Functions in declaration order.
    pub functions: &'static [Function],
}

/// Shorthand for a required argument.
const fn required(name: &'static str, ty: Type, description: &'static str) -> Arg {
    Arg {
        name,
        ty,
        optional: false,
        default: None,
        description,
    }
}

/// Shorthand for an optional argument with a default.
const fn defaulted(
    name: &'static str,
    ty: Type,
    default: &'static str,
    description: &'static str,
) -> Arg {
    Arg {
        name,
        ty,
        optional: true,
        default: Some(default),
        description,
    }
}

const ADDRESS: &str = "Registry address: a host such as \"ghcr.io\" or \"localhost:5000\", optionally with http:// or https://, or a namespace such as \"quay.io/org\" (honoured as a scope by skopeo/podman only). Docker Hub aliases (docker.io, index.docker.io, registry-1.docker.io) become \"https://index.docker.io/v1/\", the only key every tool finds. Addresses with credentials (user:pass@host) and image references with a tag or digest are rejected.";
const CONTAINER: &str = "The container to add the credentials to.";
const OWNER: &str = "Owner of the mounted file as user, uid, user:group or uid:gid; empty keeps root. Set it for images that run as a non-root user.";

/// `RegistryConfig`'s functions.
const REGISTRY_CONFIG_FUNCTIONS: &[Function] = &[
    Function {
        name: "withRegistryAuth",
        description: "Adds username/password credentials for a registry, rendered as an \"auth\" entry. Replaces any entry with the same normalized address. The secret is only read when the config is rendered.",
        returns: Type::RegistryConfig,
        args: &[
            required("address", Type::String, ADDRESS),
            required("username", Type::String, "Username. Must not be empty, contain ':' (docker splits the auth value at the first colon), control, invisible or bidirectional characters, or start or end with whitespace."),
            required("secret", Type::Secret, "Password or access token."),
        ],
        cache: CachePolicy::Default,
    },
    Function {
        name: "withoutRegistryAuth",
        description: "Removes the entry for a registry, matching by normalized address (so \"docker.io\" removes the Docker Hub entry however it was added, including one brought in by withDockerConfig). Does nothing if there is none.",
        returns: Type::RegistryConfig,
        args: &[required("address", Type::String, ADDRESS)],
        cache: CachePolicy::Default,
    },
    Function {
        name: "withIdentityToken",
        description: "Adds an OAuth2 refresh token for a registry, rendered as an \"identitytoken\" entry (e.g. Azure Container Registry). Replaces any entry with the same normalized address.",
        returns: Type::RegistryConfig,
        args: &[
            required("address", Type::String, ADDRESS),
            required("token", Type::Secret, "The refresh token."),
        ],
        cache: CachePolicy::Default,
    },
    Function {
        name: "withRegistryToken",
        description: "Adds a bearer token for a registry, rendered as a \"registrytoken\" entry that clients send as is. Replaces any entry with the same normalized address.",
        returns: Type::RegistryConfig,
        args: &[
            required("address", Type::String, ADDRESS),
            required("token", Type::Secret, "The bearer token."),
        ],
        cache: CachePolicy::Default,
    },
    Function {
        name: "withDockerConfig",
        description: "Merges the \"auths\" of an existing config.json (e.g. --config file:$HOME/.docker/config.json) at this point of the chain: later calls override its entries. credsStore and credHelpers are dropped, since no credential helper exists inside a container. The file is parsed when the config is rendered.",
        returns: Type::RegistryConfig,
        args: &[required("config", Type::Secret, "The config.json to import.")],
        cache: CachePolicy::Default,
    },
    Function {
        name: "registries",
        description: "Lists the normalized registry keys the config holds, sorted. Never returns a secret.",
        returns: Type::StringList,
        args: &[],
        // Reads imported configs, whose Secret IDs do not change with their content (a `file:`
        // or `env:` secret is identified by its URI, a setSecret one by its name), so a cached
        // list could be stale.
        cache: CachePolicy::Never,
    },
    Function {
        name: "secret",
        description: "Renders the config.json and returns it as a Secret named \"<name>-<digest>\"; the digest changes whenever the content does and is slow to brute-force (argon2id).",
        returns: Type::Secret,
        args: &[defaulted("name", Type::String, "\"\"", "Prefix of the secret's name; empty means \"registry-config\".")],
        cache: CachePolicy::Never,
    },
    Function {
        name: "mountSecret",
        description: "Mounts the rendered config.json read-only into a container as a secret file.",
        returns: Type::Container,
        args: &[
            required("container", Type::Container, CONTAINER),
            defaulted("path", Type::String, "\"/root/.docker/config.json\"", "Absolute path of the mounted file (no \".\" or \"..\" components)."),
            defaulted("owner", Type::String, "\"\"", OWNER),
            Arg {
                name: "mode",
                ty: Type::Int,
                optional: true,
                default: None,
                description: "File permission bits, 1 to 511 (0o777), in decimal (e.g. 288 for 0o440); applied with or without owner. Omit to keep the engine default 0o400.",
            },
        ],
        cache: CachePolicy::Never,
    },
    Function {
        name: "mountDockerConfig",
        description: "Mounts the rendered config at <dir>/config.json and sets DOCKER_CONFIG=<dir>: the one location docker, buildx, helm (fallback), oras, crane, skopeo (fallback), kaniko and regctl all read. Note that moving DOCKER_CONFIG also moves docker's cli-plugins directory.",
        returns: Type::Container,
        args: &[
            required("container", Type::Container, CONTAINER),
            defaulted("dir", Type::String, "\"/root/.docker\"", "Absolute directory for config.json; DOCKER_CONFIG is set to it."),
            defaulted("owner", Type::String, "\"\"", OWNER),
        ],
        cache: CachePolicy::Never,
    },
    Function {
        name: "secretVariable",
        description: "Sets the rendered config as a secret environment variable instead of a file; docker CLI 28.3 and later read DOCKER_AUTH_CONFIG. Fails if the config holds token entries, which that variable cannot carry.",
        returns: Type::Container,
        args: &[
            required("container", Type::Container, CONTAINER),
            defaulted("name", Type::String, "\"DOCKER_AUTH_CONFIG\"", "Name of the variable."),
        ],
        cache: CachePolicy::Never,
    },
    Function {
        name: "secretMount",
        description: "Prepares a secret mount to apply later with SecretMount.mount (e.g. with Container.with); compatible with the Go registry-config module.",
        returns: Type::SecretMount,
        args: &[
            required("path", Type::String, "Absolute path of the mounted file (no \".\" or \"..\" components)."),
            defaulted("secretName", Type::String, "\"\"", "Prefix of the secret's name; empty means \"registry-config\"."),
            defaulted("skipOnEmpty", Type::Boolean, "false", "Leave the container unchanged when the config has no entries."),
            defaulted("owner", Type::String, "\"\"", OWNER),
            defaulted("mode", Type::Int, "0", "File permission bits, 0 to 511 (0o777), in decimal (e.g. 288 for 0o440); applied with or without owner. 0 keeps the engine default 0o400."),
        ],
        cache: CachePolicy::Default,
    },
];

/// `SecretMount`'s declared fields (as in the Go module).
const SECRET_MOUNT_FIELDS: &[Field] = &[
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
        ty: Type::RegistryConfig,
        description: "The credentials to mount.",
    },
];

/// `SecretMount`'s functions.
const SECRET_MOUNT_FUNCTIONS: &[Function] = &[Function {
    name: "mount",
    description: "Mounts the rendered config.json into the container as a read-only secret file.",
    returns: Type::Container,
    args: &[required("container", Type::Container, CONTAINER)],
    cache: CachePolicy::Never,
}];

/// The main object's name (the camel-cased module name).
pub const REGISTRY_CONFIG: &str = "RegistryConfig";
/// The mount helper object's name.
pub const SECRET_MOUNT: &str = "SecretMount";

/// Every object, in registration order.
pub const OBJECTS: &[Object] = &[
    Object {
        name: REGISTRY_CONFIG,
        description: "A set of registry credentials, rendered on demand into a Docker-style config.json Secret. Immutable: every with* returns a new value and only records Secret handles; secrets are read when the config is rendered.",
        fields: &[],
        functions: REGISTRY_CONFIG_FUNCTIONS,
    },
    Object {
        name: SECRET_MOUNT,
        description: "A prepared secret mount of a registry config, applied to a container with mount.",
        fields: SECRET_MOUNT_FIELDS,
        functions: SECRET_MOUNT_FUNCTIONS,
    },
];
