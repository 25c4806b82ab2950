//! The one error type of the library and the module.
//!
//! Every message names the function (by its Dagger API name, which the README maps to the Rust
//! name), the argument when there is one, and the offending non-secret value, and says what is
//! accepted. No variant can carry a password, token, `auth` value or rendered config: imported
//! configs are reported by entry key and field, and engine messages about requests that carry
//! plaintext are never passed on.

use std::fmt;

pub use crate::names::Function;

use crate::core::address::AddressError;
use crate::core::credential::UsernameError;
use crate::core::ecr::{EcrAddressError, EndpointError, MintProblem};
use crate::core::helper::{HelperError, HelperKeyError};
use crate::core::image::ImageError;
use crate::core::kubernetes::{MetaError, PullSecretError};
use crate::core::naming::{NamingError, PrefixError};
use crate::core::plan::ResolveError;
use crate::core::render::RenderError;
use crate::core::visible::InvisibleError;
use crate::limits::MAX_PATH_LEN;
pub use crate::net::client::CertificateError;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, with enough context to fix it and nothing secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent to the engine.
    #[error("{function}: argument {argument}: {problem}")]
    InvalidArgument {
        /// Where.
        function: Function,
        /// Which argument (its Dagger API name).
        argument: &'static str,
        /// What is wrong and what is accepted.
        problem: ArgumentProblem,
    },
    /// The credential set cannot be rendered as asked.
    #[error("{function}: {problem}")]
    InvalidConfig {
        /// Where.
        function: Function,
        /// What is wrong.
        problem: ConfigProblem,
    },
    /// `verify`: some registries refused the credentials or could not be reached.
    #[error("{function}: {problem}")]
    Verification {
        /// Where.
        function: Function,
        /// Which registries failed, and how.
        problem: VerificationProblem,
    },
    /// Amazon ECR did not mint the token of an ECR entry.
    #[error("{function}: {problem}")]
    TokenMinting {
        /// Where.
        function: Function,
        /// Which entries failed, and how.
        problem: MintProblem,
    },
    /// The engine refused or failed a request.
    #[error("{function}: {problem}")]
    Engine {
        /// Where.
        function: Function,
        /// What failed.
        problem: EngineProblem,
    },
}

/// Why an argument was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArgumentProblem {
    /// A registry address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A username.
    #[error(transparent)]
    Username(#[from] UsernameError),
    /// A secret-name prefix.
    #[error(transparent)]
    Name(#[from] PrefixError),
    /// A credential helper name.
    #[error(transparent)]
    Helper(#[from] HelperError),
    /// A Kubernetes object name or namespace.
    #[error(transparent)]
    Kubernetes(#[from] MetaError),
    /// A credential helper for a namespace, which no tool looks up.
    #[error(transparent)]
    HelperKey(#[from] HelperKeyError),
    /// A character a person cannot see, in a path, owner or variable name.
    #[error(transparent)]
    Invisible(#[from] InvisibleError),
    /// A path inside the container.
    #[error("{path:?} {reason}")]
    Path {
        /// The rejected path, cut to a short prefix.
        path: String,
        /// What is wrong and what is accepted.
        reason: &'static str,
    },
    /// A path inside the container longer than the kernel accepts.
    #[error("the path is {len} bytes long; at most {MAX_PATH_LEN} are accepted")]
    PathTooLong {
        /// Length in bytes.
        len: usize,
    },
    /// A string argument longer than its bound, reported by length only.
    #[error("the {what} is {len} bytes long; at most {max} are accepted")]
    TooLong {
        /// What the argument is (`owner`, `variable name`).
        what: &'static str,
        /// Length in bytes.
        len: usize,
        /// The bound in bytes.
        max: usize,
    },
    /// An owner (`user[:group]`).
    #[error("{owner:?} {reason}")]
    Owner {
        /// The rejected owner, cut to a short prefix.
        owner: String,
        /// What is wrong and what is accepted.
        reason: &'static str,
    },
    /// A file mode.
    #[error("{mode} ({}) {reason}", octal(*.mode))]
    Mode {
        /// The rejected mode (decimal, as the API takes it).
        mode: i64,
        /// What is wrong and what is accepted.
        reason: &'static str,
    },
    /// A Container the engine cannot load (an unknown or malformed ID).
    #[error("{0}")]
    Container(EngineProblem),
    /// An image reference.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// An image whose registry has no entry in the config.
    #[error("no entry of the config covers repository {repository:?} of registry {registry:?} (neither that key nor a namespace of it holding the repository); add one with withRegistryAuth, or check the image")]
    NoEntryForImage {
        /// The image's repository.
        repository: String,
        /// The registry's host-level key.
        registry: String,
    },
    /// `push` without an image.
    #[error("push needs an image: push is proven on one repository (pass image, e.g. \"ghcr.io/team/app\")")]
    PushWithoutImage,
    /// An address that is not an Amazon ECR private registry.
    #[error(transparent)]
    EcrAddress(#[from] EcrAddressError),
    /// An ECR endpoint that is not an https:// or loopback http:// origin.
    #[error(transparent)]
    EcrEndpoint(#[from] EndpointError),
    /// The caller's CA certificates.
    #[error("the file {0}")]
    Certificates(#[from] CertificateError),
    /// An environment variable name.
    #[error("{name:?} {reason}{hint}")]
    EnvName {
        /// The rejected name, cut to a short prefix.
        name: String,
        /// What is wrong and what is accepted.
        reason: &'static str,
        /// Which variables are meant for this function (`""` when the name itself is invalid).
        hint: &'static str,
    },
}

/// A mode in octal notation, `-0o1` for negative values.
fn octal(mode: i64) -> String {
    if mode < 0 {
        format!("-0o{:o}", mode.unsigned_abs())
    } else {
        format!("0o{mode:o}")
    }
}

/// Why a credential set cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// Rendering rules (size, namespaces).
    #[error(transparent)]
    Render(#[from] RenderError),
    /// An imported config or an engine answer that does not fit the plan.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The name digest failed.
    #[error(transparent)]
    Naming(#[from] NamingError),
    /// Entries the kubelet would ignore in an image pull secret.
    #[error(transparent)]
    PullSecret(#[from] PullSecretError),
    /// `DOCKER_AUTH_CONFIG` carries no credential helpers.
    #[error("the config names a credential helper for {key:?}, but DOCKER_AUTH_CONFIG carries only username/password (\"auth\") entries; use mountSecret or mountDockerConfig instead")]
    HelperInSecretVariable {
        /// The helper entry's key.
        key: String,
    },
    /// `DOCKER_AUTH_CONFIG` accepts `auth` entries only.
    #[error("the config holds a token entry for {key:?}, but DOCKER_AUTH_CONFIG accepts only username/password (\"auth\") entries; use mountSecret or mountDockerConfig instead")]
    TokenInSecretVariable {
        /// The token entry's key.
        key: String,
    },
}

/// The registries whose check failed, each as `<key>: <what happened>` (HTTP status and
/// registry error code, a TLS reason, or why it is unreachable; never a body or credential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationProblem {
    /// One line per failed registry, in key order.
    pub failures: Vec<String>,
    /// How many registries were checked.
    pub checked: usize,
}

impl fmt::Display for VerificationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} registries failed the credential check: {}",
            self.failures.len(),
            self.checked,
            self.failures.join("; ")
        )
    }
}

impl std::error::Error for VerificationProblem {}

/// A failed engine request: what we were doing, and the engine's message when it cannot carry a
/// secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineProblem {
    action: &'static str,
    detail: Option<String>,
}

/// Engine messages are cut to this many characters.
const MAX_ENGINE_DETAIL: usize = 400;

impl EngineProblem {
    /// A failure whose engine message may be shown (the request carried no plaintext).
    pub fn new(action: &'static str, detail: impl fmt::Display) -> Self {
        let detail: String = detail.to_string().chars().take(MAX_ENGINE_DETAIL).collect();
        Self {
            action,
            detail: Some(detail.escape_debug().to_string()),
        }
    }

    /// A failure of a request that carried plaintext: the engine's message is withheld because
    /// engines quote argument values in validation errors.
    pub fn withheld(action: &'static str) -> Self {
        Self {
            action,
            detail: None,
        }
    }
}

impl fmt::Display for EngineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "the Dagger engine failed while {}: {detail}", self.action),
            None => write!(
                f,
                "the Dagger engine failed while {} (its message is withheld because the request carried a secret)",
                self.action
            ),
        }
    }
}

impl std::error::Error for EngineProblem {}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub(crate) fn argument(
        function: Function,
        argument: &'static str,
        problem: impl Into<ArgumentProblem>,
    ) -> Self {
        Error::InvalidArgument {
            function,
            argument,
            problem: problem.into(),
        }
    }

    /// Shorthand for [`Error::InvalidConfig`].
    pub(crate) fn config(function: Function, problem: impl Into<ConfigProblem>) -> Self {
        Error::InvalidConfig {
            function,
            problem: problem.into(),
        }
    }

    /// Shorthand for [`Error::Engine`].
    pub(crate) fn engine(function: Function, problem: EngineProblem) -> Self {
        Error::Engine { function, problem }
    }
}
