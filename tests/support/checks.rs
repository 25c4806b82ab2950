//! Checks shared by the real-client tests (`real_registry_harness.rs` with a hand-written
//! `config.json`, `real_clients.rs` with configs the module rendered): every client
//! authenticates with a good config, and every client sends a wrong password and is refused.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::clients::{self, ClientResult};
use super::oci_layout::{self, OciLayout};
use super::registry::Registry;

/// The registry log line for a request that sent `user` with a password that did not match
/// (the registry logs a user it does not know alike). The user is part of it: skopeo without a
/// matching key sends Basic auth with an empty user, which the registry logs as
/// `error authenticating user ""`.
pub fn wrong_password_log(user: &str) -> String {
    // The registry logs in logfmt, so the quotes around the user are escaped.
    format!(r#"error authenticating user \"{user}\""#)
}

/// How many wrong-password lines for `user` the registry has logged so far.
pub fn wrong_password_count(reg: &Registry, user: &str) -> usize {
    reg.log().matches(&wrong_password_log(user)).count()
}

/// How many wrong-password lines the registry has logged so far, for any user but the empty
/// one (a client that found no key may send an empty user, which is no password sent).
pub fn refused_login_count(reg: &Registry) -> usize {
    let log = reg.log();
    log.matches("error authenticating user").count() - log.matches(&wrong_password_log("")).count()
}

/// Waits (up to 2 s: the registry may log just after it answered) until the registry has
/// logged a wrong-password line for `user`; returns whether it did.
pub fn wait_wrong_password(reg: &Registry, user: &str) -> bool {
    for _ in 0..100 {
        if wrong_password_count(reg, user) > 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Waits (up to 2 s) until the registry has logged more wrong-password lines, for any user,
/// than `before`; returns the count then, which is still `before` when no such line came.
pub fn wait_refused_logins_beyond(reg: &Registry, before: usize) -> usize {
    let mut count = before;
    for _ in 0..100 {
        count = refused_login_count(reg);
        if count > before {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    count
}

/// A user of its own for the `index`th wrong-password operation of a test, so that a line in
/// the registry log names the operation that caused it (a late line from one operation can
/// never count for the next).
pub fn wrong_password_user(index: usize) -> String {
    format!("wrong-password-user-{index}")
}

/// Asserts the call succeeded and prints its timing.
pub fn assert_ok(result: &ClientResult) {
    assert!(result.ok, "expected success:\n{result}");
    eprintln!(
        "ok   {:>4} ms  {}",
        result.elapsed.as_millis(),
        result.label
    );
}

/// Asserts the call failed (without hanging) and the registry logged a wrong-password 401 for
/// `user` (so the client read the file and sent its credentials). `user` must be new to the
/// registry log before the call ([`wrong_password_user`]).
pub fn assert_wrong_password_401(result: &ClientResult, reg: &Registry, user: &str) {
    assert!(
        !result.ok,
        "expected failure with a wrong password:\n{result}"
    );
    assert!(
        !result.timed_out,
        "client hung instead of failing:\n{result}"
    );
    let needle = wrong_password_log(user);
    assert!(
        wait_wrong_password(reg, user),
        "registry logged no `{needle}` for {}:\n{result}\nregistry log:\n{}",
        result.label,
        reg.log()
    );
    eprintln!(
        "401  {:>4} ms  {} (registry: {needle})",
        result.elapsed.as_millis(),
        result.label
    );
}

/// sha256 of the manifest skopeo wrote into a `dir:` copy.
fn pulled_manifest_digest(dir: &Path) -> String {
    oci_layout::sha256(&std::fs::read(dir.join("manifest.json")).expect("pulled manifest.json"))
}

/// Every client pushes and/or pulls with the good `config` (a `config.json` for `reg`):
/// skopeo pushes `layout` as `e2e/hello:v1`, inspects it (`--authfile` and `DOCKER_CONFIG`)
/// and pulls it; the docker CLI inspects it; oras-py pushes and pulls its own artifact;
/// oci-probe looks the key up, pushes and pulls its own image, and reads skopeo's. Asserts
/// each call succeeds, the digests match `layout`, and no client sent a wrong password.
pub fn assert_every_client_authenticates(config: &Path, reg: &Registry, layout: &OciLayout) {
    // skopeo: push (--dest-authfile), inspect (--authfile and DOCKER_CONFIG), pull.
    assert_ok(&clients::skopeo_push(config, reg, layout, "e2e/hello:v1"));
    let inspect = clients::skopeo_inspect(config, reg, "e2e/hello:v1");
    assert_ok(&inspect);
    assert!(inspect.output.contains(&layout.layer_digest), "{inspect}");
    let fallback = clients::skopeo_inspect_docker_config(config, reg, "e2e/hello:v1");
    assert_ok(&fallback);
    assert!(fallback.output.contains(&layout.layer_digest), "{fallback}");
    let pulled = tempfile::tempdir().expect("pull dir");
    assert_ok(&clients::skopeo_pull(
        config,
        reg,
        "e2e/hello:v1",
        pulled.path(),
    ));
    assert_eq!(
        pulled_manifest_digest(pulled.path()),
        layout.manifest_digest
    );

    // docker CLI (no daemon): manifest inspect with DOCKER_CONFIG.
    let docker = clients::docker_manifest_inspect(config, reg, "e2e/hello:v1");
    assert_ok(&docker);
    assert!(docker.output.contains(&layout.layer_digest), "{docker}");

    // oras-py: push then pull its own artifact (the pull checks the content), config passed
    // as config_path.
    assert_ok(&clients::oras_push(config, reg, "e2e/oras:v1"));
    assert_ok(&clients::oras_pull(config, reg, "e2e/oras:v1"));

    // Rust: docker_credential finds the key, oci-client pushes and pulls, and reads skopeo's image.
    assert_ok(&clients::oci_probe_lookup(config, reg));
    assert_ok(&clients::oci_probe_push(config, reg, "e2e/rust:v1"));
    assert_ok(&clients::oci_probe_pull(config, reg, "e2e/rust:v1"));
    let pull = clients::oci_probe_pull(config, reg, "e2e/hello:v1");
    assert_ok(&pull);
    assert!(pull.output.contains(&layout.manifest_digest), "{pull}");

    assert_eq!(
        refused_login_count(reg),
        0,
        "no client sent a wrong password; registry log:\n{}",
        reg.log()
    );
}

/// With the `good` config, skopeo pushes `layout` as `e2e/hello:v1` and oras-py pushes its
/// artifact; then every client operation (skopeo inspect, inspect via `DOCKER_CONFIG`, push
/// and pull; docker CLI inspect; oras-py push and pull; oci-probe push and pull) runs with a
/// config from `bad(user)` (a wrong password for `user`), each operation with a user of its
/// own ([`wrong_password_user`]), and must fail with a wrong-password 401 for that user in the
/// registry log ([`assert_wrong_password_401`]).
pub fn assert_every_client_refuses_wrong_password(
    good: &Path,
    bad: &mut dyn FnMut(&str) -> PathBuf,
    reg: &Registry,
    layout: &OciLayout,
) {
    assert_ok(&clients::skopeo_push(good, reg, layout, "e2e/hello:v1"));
    assert_ok(&clients::oras_push(good, reg, "e2e/oras:v1"));

    let pulled = tempfile::tempdir().expect("pull dir");
    type Operation<'a> = Box<dyn Fn(&Path) -> ClientResult + 'a>;
    let operations: Vec<Operation> = vec![
        Box::new(|bad| clients::skopeo_inspect(bad, reg, "e2e/hello:v1")),
        Box::new(|bad| clients::skopeo_inspect_docker_config(bad, reg, "e2e/hello:v1")),
        Box::new(|bad| clients::skopeo_push(bad, reg, layout, "e2e/bad:v1")),
        Box::new(|bad| clients::skopeo_pull(bad, reg, "e2e/hello:v1", pulled.path())),
        Box::new(|bad| clients::docker_manifest_inspect(bad, reg, "e2e/hello:v1")),
        Box::new(|bad| clients::oras_push(bad, reg, "e2e/bad-oras:v1")),
        Box::new(|bad| clients::oras_pull(bad, reg, "e2e/oras:v1")),
        Box::new(|bad| clients::oci_probe_push(bad, reg, "e2e/bad-rust:v1")),
        Box::new(|bad| clients::oci_probe_pull(bad, reg, "e2e/hello:v1")),
    ];
    for (index, operation) in operations.iter().enumerate() {
        let user = wrong_password_user(index);
        let config = bad(&user);
        assert_eq!(wrong_password_count(reg, &user), 0, "{user} is new");
        assert_wrong_password_401(&operation(&config), reg, &user);
    }
}
