//! A test credential helper: a real `docker-credential-<name>` program, written into a temp
//! dir that a client gets in front of its `PATH` ([`crate::clients::with_path_prefix`]),
//! answering the docker-credential-helpers protocol from a file the test writes.
//!
//! The program (Python, stdlib only, run isolated with `-I`) handles `get`: it reads the
//! server URL from stdin and prints `{"ServerURL":…,"Username":…,"Secret":…}` when that URL is
//! the one [`CredentialHelper::answer`] wrote, else exits 1 printing the protocol's not-found
//! message `credentials not found in native keychain` (clients treat it as "no credentials").
//! `store`, `erase` and `list` exit 1. Every call appends `OP SERVER` to a request log, so a
//! test can tell which client asked for which server (the log never holds the secret).

use std::fs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use serde_json::json;

use super::registry::tool;

/// The protocol's message for "no credentials for this server" (docker-credential-helpers'
/// `ErrCredentialsNotFound`); clients match it exactly.
const NOT_FOUND: &str = "credentials not found in native keychain";

/// The helper program; [`CredentialHelper::install`] fills in `{python}`, `{answer}`, `{log}`
/// and `{not_found}`.
const PROGRAM: &str = r#"#!{python} -I
"""Test credential helper for registry-config (docker-credential-helpers protocol)."""
import json
import sys

ANSWER = {answer}
LOG = {log}


def main():
    op = sys.argv[1] if len(sys.argv) > 1 else ""
    server = sys.stdin.read().strip() if op == "get" else ""
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{op} {server}\n")
    if op != "get":
        print(f"{op!r} is not supported by this test helper")
        return 1
    try:
        with open(ANSWER, encoding="utf-8") as f:
            answer = json.load(f)
    except FileNotFoundError:
        answer = {}
    if answer.get("ServerURL") != server:
        print("{not_found}")
        return 1
    json.dump(answer, sys.stdout)
    return 0


sys.exit(main())
"#;

/// An installed `docker-credential-<name>` with its answer file and request log; everything is
/// removed on drop.
pub struct CredentialHelper {
    /// Holds `bin/`, the answer file and the request log.
    dir: tempfile::TempDir,
}

impl CredentialHelper {
    /// Writes `bin/docker-credential-<name>` (0755) into a fresh temp dir; it answers nothing
    /// until [`answer`](Self::answer) is called.
    pub fn install(name: &str) -> CredentialHelper {
        let dir = tempfile::Builder::new()
            .prefix("registry-config-helper-")
            .tempdir()
            .expect("helper temp dir");
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).expect("mkdir helper bin");
        // JSON string literals are valid Python string literals.
        let literal = |path: PathBuf| json!(path.to_str().expect("a UTF-8 temp path")).to_string();
        let program = PROGRAM
            .replace(
                "{python}",
                tool("python3").to_str().expect("a UTF-8 python path"),
            )
            .replace("{answer}", &literal(dir.path().join("answer.json")))
            .replace("{log}", &literal(dir.path().join("requests.log")))
            .replace("{not_found}", NOT_FOUND);
        let path = bin.join(format!("docker-credential-{name}"));
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o755)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, program.as_bytes()))
            .expect("write the helper program");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod 0755");
        CredentialHelper { dir }
    }

    /// From now on, `get` for exactly `server` answers `username`/`secret` (the file is
    /// replaced, mode 0600); any other server gets [`NOT_FOUND`].
    pub fn answer(&self, server: &str, username: &str, secret: &str) {
        let path = self.dir.path().join("answer.json");
        if path.exists() {
            fs::remove_file(&path).expect("remove the old answer");
        }
        let body = json!({"ServerURL": server, "Username": username, "Secret": secret});
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, body.to_string().as_bytes()))
            .expect("write the helper's answer");
    }

    /// The directory holding the program, to put in front of a client's `PATH`.
    pub fn bin_dir(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Every call so far, in order, as `OP SERVER` (e.g. `get 127.0.0.1:5000`).
    pub fn requests(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("requests.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}
