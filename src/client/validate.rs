//! Validation of the container-side arguments: mount paths, owners, modes, variable names.
//!
//! Each of these reaches the engine as is, and the engine either fails late with a message that
//! does not name our function, or silently does something else (masks a mode, resolves a
//! relative path against the working directory, mounts over `/`). So each is checked here first,
//! with an error that names the value and says what is accepted.

use crate::core::visible::check_visible;
use crate::error::ArgumentProblem;

/// Where `mountSecret` puts the config by default: docker's own location for root.
pub const DEFAULT_CONFIG_PATH: &str = "/root/.docker/config.json";
/// The directory `mountDockerConfig` uses by default (`DOCKER_CONFIG` points here).
pub const DEFAULT_DOCKER_CONFIG_DIR: &str = "/root/.docker";
/// The variable `secretVariable` sets by default (docker CLI ≥ 28.3 reads it).
pub const DEFAULT_VARIABLE: &str = "DOCKER_AUTH_CONFIG";
/// The largest file mode accepted (`0o777`): the engine keeps only the permission bits
/// (`mode & 0o777`), so anything larger would be changed silently.
pub const MAX_MODE: i64 = 0o777;
/// The longest container path accepted, in bytes (Linux `PATH_MAX`).
pub const MAX_PATH_LEN: usize = 4096;
/// The longest user or group name accepted, in bytes (`useradd`'s limit).
const MAX_OWNER_NAME_LEN: usize = 32;

/// A file path for a secret mount: absolute and normalised, not a directory.
pub(crate) fn mount_path(path: &str) -> Result<&str, ArgumentProblem> {
    if path.ends_with('/') && path != "/" {
        return Err(path_problem(
            path,
            "ends with '/'; pass the path of the file itself, such as \"/root/.docker/config.json\"",
        ));
    }
    absolute_path(
        path,
        "is empty; pass a file path such as \"/root/.docker/config.json\"",
    )
}

/// The `DOCKER_CONFIG` directory: absolute (the variable is read relative to whatever directory a
/// tool runs in) and normalised; one trailing `/` is removed.
pub(crate) fn config_dir(dir: &str) -> Result<&str, ArgumentProblem> {
    let trimmed = match dir.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed,
        _ => dir,
    };
    absolute_path(
        trimmed,
        "is empty; pass a directory such as \"/root/.docker\"",
    )
    .map_err(|problem| match problem {
        ArgumentProblem::Path { reason, .. } => path_problem(dir, reason),
        other => other,
    })
}

/// The checks every container path shares; `when_empty` says what to pass instead of nothing.
fn absolute_path<'a>(path: &'a str, when_empty: &'static str) -> Result<&'a str, ArgumentProblem> {
    let reason: &'static str = if path.is_empty() {
        when_empty
    } else if path.len() > MAX_PATH_LEN {
        return Err(ArgumentProblem::PathTooLong { len: path.len() });
    } else if path.chars().any(char::is_control) {
        "contains a control character"
    } else if let Err(invisible) = check_visible(path) {
        return Err(invisible.into());
    } else if !path.starts_with('/') {
        "is not absolute; the engine would resolve it against the container's working directory, so pass an absolute path"
    } else if path == "/" {
        "is the root directory; nothing can be mounted there"
    } else if path[1..].split('/').any(str::is_empty) {
        "has an empty component ('//' or a trailing '/'); pass a normalised path"
    } else if path[1..].split('/').any(|c| c == "." || c == "..") {
        "has a '.' or '..' component; pass a normalised absolute path"
    } else {
        return Ok(path);
    };
    Err(path_problem(path, reason))
}

/// A [`ArgumentProblem::Path`] for `path`.
fn path_problem(path: &str, reason: &'static str) -> ArgumentProblem {
    ArgumentProblem::Path {
        path: path.to_owned(),
        reason,
    }
}

/// An owner: `user`, `uid`, `user:group` or `uid:gid`, where a name is what `useradd` accepts
/// (a letter or `_` first, then letters, digits, `.`, `_`, `-`, optionally ending in `$`; at most
/// 32 bytes) and an ID fits in 32 bits. `None` keeps the engine default (root).
pub(crate) fn owner(owner: Option<&str>) -> Result<Option<&str>, ArgumentProblem> {
    let Some(owner) = owner else {
        return Ok(None);
    };
    check_visible(owner)?;
    let mut parts = owner.split(':');
    let user = parts.next().unwrap_or_default();
    let group = parts.next();
    let reason = if owner.is_empty() {
        Some("is empty; pass user, uid, user:group or uid:gid, or leave the owner out for root")
    } else if parts.next().is_some() {
        Some("has more than one ':'; pass user or user:group")
    } else {
        owner_part_problem(user, "user")
            .or_else(|| group.and_then(|g| owner_part_problem(g, "group")))
    };
    match reason {
        None => Ok(Some(owner)),
        Some(reason) => Err(ArgumentProblem::Owner {
            owner: owner.to_owned(),
            reason,
        }),
    }
}

/// What is wrong with one side of an owner (`which` is "user" or "group"), if anything.
fn owner_part_problem(part: &str, which: &'static str) -> Option<&'static str> {
    let numeric = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if numeric {
        return match part.parse::<u32>() {
            Ok(_) => None,
            Err(_) => Some(match which {
                "user" => "has a user ID that does not fit in 32 bits (0 to 4294967295)",
                _ => "has a group ID that does not fit in 32 bits (0 to 4294967295)",
            }),
        };
    }
    let name = part.strip_suffix('$').unwrap_or(part);
    let valid_name = part.len() <= MAX_OWNER_NAME_LEN
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid_name {
        return None;
    }
    Some(match which {
        "user" => "has an invalid user: pass a numeric ID or a name as useradd accepts it (a letter or '_' first, then letters, digits, '.', '_' or '-'; at most 32 bytes)",
        _ => "has an invalid group: pass a numeric ID or a name as groupadd accepts it (a letter or '_' first, then letters, digits, '.', '_' or '-'; at most 32 bytes)",
    })
}

/// A secret mount's mode: `None` keeps the engine default 0o400; otherwise 1 to 0o777, with or
/// without an owner (the engine applies it either way). 0 would mount a file nobody can read,
/// which is never what a caller means.
pub(crate) fn mode(mode: Option<i64>) -> Result<Option<u32>, ArgumentProblem> {
    match mode {
        None => Ok(None),
        Some(0) => Err(ArgumentProblem::Mode {
            mode: 0,
            reason: "would mount a file nobody can read; omit mode for the default 0o400",
        }),
        Some(mode) => permission_bits(mode).map(Some),
    }
}

/// A mode within 0..=0o777 (the bits the engine keeps).
fn permission_bits(mode: i64) -> Result<u32, ArgumentProblem> {
    u32::try_from(mode)
        .ok()
        .filter(|mode| i64::from(*mode) <= MAX_MODE)
        .ok_or(ArgumentProblem::Mode {
            mode,
            reason: "is not a file mode: pass permission bits from 1 to 511 (0o777), e.g. 256 for 0o400; the engine drops any higher bit silently",
        })
}

/// Variables that change how every process in the container runs, with the reason.
const PROCESS_VARIABLES: [(&str, &str); 4] = [
    (
        "PATH",
        "cannot be used: it decides which program every command runs",
    ),
    (
        "HOME",
        "cannot be used: it moves every tool's configuration and cache directory",
    ),
    (
        "SHELL",
        "cannot be used: it decides which shell programs start",
    ),
    (
        "IFS",
        "cannot be used: it changes how every shell splits words",
    ),
];

/// Prefixes of variables read by the dynamic loader of every process.
const LOADER_PREFIXES: [&str; 2] = ["LD_", "DYLD_"];

/// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`, and not one of the variables that
/// change how every process in the container runs.
pub(crate) fn env_name(name: &str) -> Result<&str, ArgumentProblem> {
    check_visible(name)?;
    let mut bytes = name.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let problem = |reason| {
        Err(ArgumentProblem::EnvName {
            name: name.to_owned(),
            reason,
        })
    };
    if !valid {
        return problem(
            "is not an environment variable name; use letters, digits and '_', not starting with a digit",
        );
    }
    if let Some((_, why)) = PROCESS_VARIABLES
        .iter()
        .find(|(reserved, _)| *reserved == name)
    {
        return problem(why);
    }
    if LOADER_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix))
    {
        return problem("cannot be used: the dynamic loader reads it in every process");
    }
    Ok(name)
}
