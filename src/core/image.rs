//! An image reference (`host[:port]/repo[:tag|@digest]`) as `verify` reads it: which registry
//! entry a tool would use for it, and which repository a token must cover.

use std::borrow::Cow;

use super::address::{is_path_component, redact_userinfo, AddressError, RegistryKey};

/// The longest image reference accepted, in bytes (a 255-byte name plus a tag or digest).
pub const MAX_IMAGE_LEN: usize = 512;

/// A parsed image reference; its tag or digest is dropped (credentials do not depend on it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    registry: RegistryKey,
    repository: String,
}

/// Why an image reference was refused. Messages quote the reference only once it is known to
/// hold no credentials.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Longer than [`MAX_IMAGE_LEN`].
    #[error("the image reference is {len} bytes long; at most {MAX_IMAGE_LEN} are accepted")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Credentials before an `@`.
    #[error(
        "{image:?} holds credentials; pass them with withRegistryAuth, never in an image reference"
    )]
    Userinfo {
        /// The reference with its userinfo replaced by `***`.
        image: String,
    },
    /// Not `host[:port]/repository[:tag|@digest]`.
    #[error("{image:?} is not an image reference; expected host[:port]/repository with an optional :tag or @digest, e.g. \"ghcr.io/team/app:1.0\"")]
    Invalid {
        /// The trimmed reference.
        image: String,
    },
    /// The registry part is not a registry address.
    #[error("the registry of {image:?}: {problem}")]
    Registry {
        /// The trimmed reference.
        image: String,
        /// What is wrong with the registry part.
        problem: AddressError,
    },
}

impl ImageRef {
    /// Parses `host[:port]/repository[:tag|@digest]`. As docker reads references, a first
    /// component without `.` or `:` that is not `localhost` is a Docker Hub repository
    /// (`alpine` is `library/alpine` there).
    pub fn parse(image: &str) -> Result<Self, ImageError> {
        let image = image.trim();
        if image.len() > MAX_IMAGE_LEN {
            return Err(ImageError::TooLong { len: image.len() });
        }
        if let Cow::Owned(redacted) = redact_userinfo(image) {
            return Err(ImageError::Userinfo { image: redacted });
        }
        let invalid = || ImageError::Invalid {
            image: image.escape_debug().to_string(),
        };
        if image.is_empty() || image.contains("://") || image.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        // `redact_userinfo` left the reference as it is, so an `@` introduces a digest.
        let name = image.split_once('@').map_or(image, |(name, _)| name);
        let (first, rest) = name.split_once('/').unwrap_or(("", name));
        let (host, path) = if first.contains(['.', ':']) || first == "localhost" {
            (first, rest)
        } else {
            ("docker.io", name)
        };
        let path = match path.rsplit_once('/') {
            Some((dir, last)) => {
                let last = last.split_once(':').map_or(last, |(repo, _)| repo);
                format!("{dir}/{last}")
            }
            None => path
                .split_once(':')
                .map_or(path, |(repo, _)| repo)
                .to_owned(),
        };
        let registry = RegistryKey::parse(host).map_err(|problem| ImageError::Registry {
            image: image.to_owned(),
            problem,
        })?;
        if registry.namespace().is_some() || !path.split('/').all(is_path_component) {
            return Err(invalid());
        }
        let is_hub = registry.host() == super::address::DOCKER_HUB_KEY;
        let repository = if is_hub && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        Ok(Self {
            registry,
            repository,
        })
    }

    /// The registry's host-level key (`ghcr.io`, Docker Hub's key).
    pub fn registry(&self) -> &RegistryKey {
        &self.registry
    }

    /// The repository path (`team/app`, `library/alpine`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The entry that covers this image, as rendering keys them: the longest namespace key of
    /// the registry that is a path prefix of the repository, else the host key.
    pub fn entry_key<'a>(
        &self,
        keys: impl IntoIterator<Item = &'a RegistryKey>,
    ) -> Option<&'a RegistryKey> {
        keys.into_iter()
            .filter(|key| key.host() == self.registry.host())
            .filter_map(|key| match key.namespace() {
                None => Some((0, key)),
                Some(namespace) => {
                    let covered = self.repository == namespace
                        || self
                            .repository
                            .strip_prefix(namespace)
                            .is_some_and(|rest| rest.starts_with('/'));
                    covered.then_some((namespace.len(), key))
                }
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, key)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(image: &str) -> (String, String) {
        let image = ImageRef::parse(image).expect("valid reference");
        (image.registry().to_string(), image.repository().to_owned())
    }

    fn key(address: &str) -> RegistryKey {
        RegistryKey::parse(address).expect("valid key")
    }

    #[test]
    fn references_and_their_registry_and_repository() {
        let cases = [
            ("ghcr.io/team/app", "ghcr.io", "team/app"),
            ("ghcr.io/team/app:1.0", "ghcr.io", "team/app"),
            ("127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "127.0.0.1:5000", "app"),
            ("localhost/a/b:latest", "localhost", "a/b"),
            ("GHCR.io/team/app", "ghcr.io", "team/app"),
            ("alpine", "https://index.docker.io/v1/", "library/alpine"),
            ("alpine:3.20", "https://index.docker.io/v1/", "library/alpine"),
            ("docker.io/org/app", "https://index.docker.io/v1/", "org/app"),
            ("index.docker.io/alpine", "https://index.docker.io/v1/", "library/alpine"),
            ("org/app", "https://index.docker.io/v1/", "org/app"),
        ];
        for (image, registry, repository) in cases {
            assert_eq!(
                parsed(image),
                (registry.to_owned(), repository.to_owned()),
                "{image}"
            );
        }
    }

    #[test]
    fn invalid_references() {
        for image in [
            "",
            "ghcr.io/",
            "ghcr.io/Team/app",
            "https://ghcr.io/team/app",
            "ghcr.io/team app",
            "ghcr.io//app",
        ] {
            assert!(
                matches!(ImageRef::parse(image), Err(ImageError::Invalid { .. })),
                "{image:?}: {:?}",
                ImageRef::parse(image)
            );
        }
        assert!(matches!(
            ImageRef::parse("ghcr.io:0/app"),
            Err(ImageError::Registry { .. })
        ));
    }

    #[test]
    fn credentials_in_a_reference_are_never_quoted() {
        let error = ImageRef::parse("robot:hunter2@ghcr.io/team/app").unwrap_err();
        assert!(matches!(error, ImageError::Userinfo { .. }));
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn the_longest_covering_namespace_wins_then_the_host_key() {
        let keys = [
            key("quay.io"),
            key("quay.io/team"),
            key("quay.io/team/app"),
            key("ghcr.io"),
        ];
        let entry = |image: &str| {
            ImageRef::parse(image)
                .expect("valid")
                .entry_key(&keys)
                .map(ToString::to_string)
        };
        assert_eq!(entry("quay.io/team/app:1"), Some("quay.io/team/app".into()));
        assert_eq!(entry("quay.io/team/other"), Some("quay.io/team".into()));
        assert_eq!(entry("quay.io/teamx/app"), Some("quay.io".into()));
        assert_eq!(entry("ghcr.io/a/b"), Some("ghcr.io".into()));
        assert_eq!(entry("docker.io/a/b"), None);
    }

    #[test]
    fn a_namespace_key_alone_covers_only_its_repositories() {
        let keys = [key("quay.io/team")];
        let image = ImageRef::parse("quay.io/other/app").expect("valid");
        assert_eq!(image.entry_key(&keys), None);
    }
}
