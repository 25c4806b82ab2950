//! Validation of the container-side arguments: mount paths, owners, modes, variable names.
//!
//! Each of these reaches the engine as is, and the engine either fails late with a message that
//! does not name our function, or silently does something else (masks a mode, resolves a
//! relative path against the working directory, mounts over `/`). So each is checked here first,
//! with an error that names the value and says what is accepted.

use crate::core::shown::prefix;
use crate::core::visible::check_visible;
use crate::error::ArgumentProblem;
use crate::limits::{MAX_OWNER_LEN, MAX_PATH_LEN, MAX_VARIABLE_NAME_LEN};

/// Where `mountSecret` puts the config by default: docker's own location for root.
pub const DEFAULT_CONFIG_PATH: &str = "/root/.docker/config.json";
/// The directory `mountDockerConfig` uses by default (`DOCKER_CONFIG` points here).
pub const DEFAULT_DOCKER_CONFIG_DIR: &str = "/root/.docker";
/// The variable `secretVariable` sets by default (docker CLI ≥ 28.3 reads it).
pub const DEFAULT_VARIABLE: &str = "DOCKER_AUTH_CONFIG";
/// The largest file mode accepted (`0o777`): the engine keeps only the permission bits
/// (`mode & 0o777`), so anything larger would be changed silently.
pub const MAX_MODE: i64 = 0o777;
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
        path: prefix(path),
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
    if owner.len() > MAX_OWNER_LEN {
        return Err(ArgumentProblem::TooLong {
            what: "owner",
            len: owner.len(),
            max: MAX_OWNER_LEN,
        });
    }
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
            owner: prefix(owner),
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

/// What the container does with the variable's value: a path to the mounted file
/// (`mountSecret`), or the config itself (`secretVariable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VariableUse {
    /// The value is the path of the mounted config.
    FilePath,
    /// The value is the config's JSON.
    Content,
}

impl VariableUse {
    /// The variables meant for this use, named in every refusal.
    fn hint(self) -> &'static str {
        match self {
            VariableUse::FilePath => "; the variables meant for a config file's path are REGISTRY_AUTH_FILE (skopeo, podman, buildah) and HELM_REGISTRY_CONFIG (Helm)",
            VariableUse::Content => "; the variable meant for a config's content is DOCKER_AUTH_CONFIG (docker CLI 28.3 and later), the default",
        }
    }

    /// Variables with another meaning in the docker family, refused for this use with the reason.
    fn wrong_meaning(self) -> &'static [(&'static str, &'static str)] {
        match self {
            VariableUse::FilePath => &[
                ("DOCKER_CONFIG", "names a directory in which docker looks for config.json, not a file, so docker would find nothing; use mountDockerConfig, which mounts <dir>/config.json and sets DOCKER_CONFIG=<dir>"),
                ("DOCKER_AUTH_CONFIG", "holds a config's JSON content, not a path; use secretVariable, which sets it to the content"),
            ],
            VariableUse::Content => &[
                ("DOCKER_CONFIG", "names a directory, not a config's content; use mountDockerConfig"),
                ("REGISTRY_AUTH_FILE", "holds the path of a file, not its content; use mountSecret with variable REGISTRY_AUTH_FILE"),
                ("HELM_REGISTRY_CONFIG", "holds the path of a file, not its content; use mountSecret with variable HELM_REGISTRY_CONFIG"),
            ],
        }
    }
}

/// Variables whose value a process runs, sources, loads or trusts, by what it does with it:
/// pointing one of them at the credentials file (or setting it to the config) would run the
/// credentials as code, print them into the logs, or change how every process in the container
/// behaves. Matched exactly, as the programs that read them do.
const REFUSED_VARIABLES: [(&[&str], &str); 11] = [
    (
        &["PATH"],
        "cannot be used: it decides which program every command runs",
    ),
    (
        &["HOME"],
        "cannot be used: it moves every tool's configuration and cache directory",
    ),
    (
        &["SHELL"],
        "cannot be used: it decides which shell programs start",
    ),
    (
        &["IFS"],
        "cannot be used: it changes how every shell splits words",
    ),
    (
        &["BASH_ENV", "ENV", "ZDOTDIR"],
        "cannot be used: shells source the file it names when they start, so every script would run the credentials as shell code (and bash prints their lines into the logs)",
    ),
    (
        &["PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS4", "SHELLOPTS", "BASHOPTS"],
        "cannot be used: the shell runs, expands or obeys its value (prompts, traced commands, shell options)",
    ),
    (
        &[
            "NODE_OPTIONS", "NODE_PATH", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME",
            "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
        ],
        "cannot be used: an interpreter loads its value as code, modules or options",
    ),
    (
        &["GCONV_PATH", "LOCPATH", "MALLOC_CONF", "GLIBC_TUNABLES"],
        "cannot be used: the C library of every process loads or obeys what it names",
    ),
    (
        &[
            "EDITOR", "VISUAL", "PAGER", "GIT_PAGER", "GIT_EDITOR", "GIT_SSH", "GIT_SSH_COMMAND",
            "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS", "GIT_EXEC_PATH",
        ],
        "cannot be used: tools run the program it names",
    ),
    (
        &[
            "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
        ],
        "cannot be used: TLS clients trust the certificates it names, for every connection",
    ),
    (
        &["SSLKEYLOGFILE"],
        "cannot be used: TLS clients write the keys of every connection to the file it names",
    ),
];

/// Proxy variables: clients send their traffic through (or around) what they name. Read in
/// either case (`http_proxy` and `HTTP_PROXY`), so matched in any case.
const PROXY_VARIABLES: [&str; 5] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "FTP_PROXY",
];

/// Prefixes of variables read by the dynamic loader of every process.
const LOADER_PREFIXES: [&str; 2] = ["LD_", "DYLD_"];

/// An environment variable name for `usage`: at most [`MAX_VARIABLE_NAME_LEN`] bytes of
/// `[A-Za-z_][A-Za-z0-9_]*`; not a variable whose value a process runs, sources, loads or
/// trusts; and not one of the docker family's variables that means something else than `usage`.
pub(crate) fn env_name(name: &str, usage: VariableUse) -> Result<&str, ArgumentProblem> {
    if name.len() > MAX_VARIABLE_NAME_LEN {
        return Err(ArgumentProblem::TooLong {
            what: "variable name",
            len: name.len(),
            max: MAX_VARIABLE_NAME_LEN,
        });
    }
    check_visible(name)?;
    let mut bytes = name.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let refuse = |reason, hint| {
        Err(ArgumentProblem::EnvName {
            name: prefix(name),
            reason,
            hint,
        })
    };
    if !valid {
        return refuse(
            "is not an environment variable name; use letters, digits and '_', not starting with a digit",
            "",
        );
    }
    let refused = REFUSED_VARIABLES
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, why)| *why)
        .or_else(|| {
            PROXY_VARIABLES
                .iter()
                .any(|proxy| proxy.eq_ignore_ascii_case(name))
                .then_some("cannot be used: clients send their traffic through the proxy it names, or past it, and trust that proxy with the registry credentials")
        })
        .or_else(|| {
            LOADER_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix))
                .then_some("cannot be used: the dynamic loader reads it in every process")
        })
        .or_else(|| {
            usage
                .wrong_meaning()
                .iter()
                .find(|(other, _)| *other == name)
                .map(|(_, why)| *why)
        });
    match refused {
        Some(reason) => refuse(reason, usage.hint()),
        None => Ok(name),
    }
}
