//! Validation of the container-side arguments: mount paths, owners, modes, variable names.

use crate::error::ArgumentProblem;

/// Where `mountSecret` puts the config by default: docker's own location for root.
pub const DEFAULT_CONFIG_PATH: &str = "/root/.docker/config.json";
/// The directory `mountDockerConfig` uses by default (`DOCKER_CONFIG` points here).
pub const DEFAULT_DOCKER_CONFIG_DIR: &str = "/root/.docker";
/// The variable `secretVariable` sets by default (docker CLI ≥ 28.3 reads it).
pub const DEFAULT_VARIABLE: &str = "DOCKER_AUTH_CONFIG";
/// The largest file mode accepted (`0o7777`).
pub const MAX_MODE: i64 = 0o7777;

/// A mount path: not empty, no control characters.
pub(crate) fn mount_path(path: &str) -> Result<&str, ArgumentProblem> {
    let reason = if path.is_empty() {
        "is empty; pass a file path such as \"/root/.docker/config.json\""
    } else if path.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(path);
    };
    Err(ArgumentProblem::Path {
        path: path.to_owned(),
        reason,
    })
}

/// The `DOCKER_CONFIG` directory: absolute (the variable is read relative to whatever directory a
/// tool runs in), no control characters, trailing slashes removed.
pub(crate) fn config_dir(dir: &str) -> Result<&str, ArgumentProblem> {
    let trimmed = dir.trim_end_matches('/');
    let reason = if dir.is_empty() {
        "is empty; pass a directory such as \"/root/.docker\""
    } else if !dir.starts_with('/') {
        "is not absolute; DOCKER_CONFIG is resolved against each tool's working directory, so pass an absolute directory such as \"/root/.docker\""
    } else if trimmed.is_empty() {
        "is the root directory; pass a directory such as \"/root/.docker\""
    } else if dir.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(trimmed);
    };
    Err(ArgumentProblem::Path {
        path: dir.to_owned(),
        reason,
    })
}

/// An owner (`user`, `uid`, `user:group`); the empty string means the engine default (root).
pub(crate) fn owner(owner: &str) -> Result<Option<&str>, ArgumentProblem> {
    if owner.is_empty() {
        return Ok(None);
    }
    if owner.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ArgumentProblem::Owner {
            owner: owner.to_owned(),
        });
    }
    Ok(Some(owner))
}

/// A file mode for a secret mount. The engine applies a mode only together with an owner, so a
/// mode without one is an error rather than silently ignored.
pub(crate) fn mode(mode: Option<i64>, owner: Option<&str>) -> Result<Option<i64>, ArgumentProblem> {
    let Some(mode) = mode else {
        return Ok(None);
    };
    let reason = if !(0..=MAX_MODE).contains(&mode) {
        "is not a file mode; pass a value from 0 to 4095 (0o7777), e.g. 256 for 0o400"
    } else if owner.is_none() {
        "needs an owner: the engine applies a secret mount's mode only when an owner is set"
    } else {
        return Ok(Some(mode));
    };
    Err(ArgumentProblem::Mode { mode, reason })
}

/// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn env_name(name: &str) -> Result<&str, ArgumentProblem> {
    let mut bytes = name.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(name)
    } else {
        Err(ArgumentProblem::EnvName {
            name: name.to_owned(),
        })
    }
}
