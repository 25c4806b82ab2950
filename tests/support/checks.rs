//! Checks shared by the real-client tests (`real_registry_harness.rs` with a hand-written
//! `config.json`, `real_clients.rs` with configs the module rendered): every client
//! authenticates with a good config, and every client sends a wrong password and is refused.

use std::path::Path;
use std::time::Duration;

use super::clients::{self, ClientResult};
use super::oci_layout::{self, OciLayout};
use super::registry::Registry;

/// The registry log line for a request that sent `user` with a password that did not match.
/// The user is part of it: skopeo without a matching key sends Basic auth with an empty user,
/// which the registry logs as `error authenticating user ""`.
pub fn wrong_password_log(user: &str) -> String {
    // The registry logs in logfmt, so the quotes around the user are escaped.
    format!(r#"error authenticating user \"{user}\""#)
}

/// How many wrong-password lines for the registry's user the registry has logged so far.
pub fn wrong_password_count(reg: &Registry) -> usize {
    reg.log().matches(&wrong_password_log(reg.user())).count()
}

/// Waits (up to 2 s: the registry may log just after it answered) until the registry has
/// logged more wrong-password lines for its user than `before`; returns the count then, which
/// is still `before` when no such line came.
pub fn wait_wrong_password_count(reg: &Registry, before: usize) -> usize {
    let mut count = before;
    for _ in 0..100 {
        count = wrong_password_count(reg);
        if count > before {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    count
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

/// Asserts the call failed (without hanging) and the registry logged one more wrong-password
/// 401 for its user than `before` (so the client read the file and sent the bad password).
/// Returns the new count.
pub fn assert_wrong_password_401(result: &ClientResult, reg: &Registry, before: usize) -> usize {
    assert!(
        !result.ok,
        "expected failure with a wrong password:\n{result}"
    );
    assert!(
        !result.timed_out,
        "client hung instead of failing:\n{result}"
    );
    let needle = wrong_password_log(reg.user());
    let count = wait_wrong_password_count(reg, before);
    assert!(
        count > before,
        "registry logged no `{needle}` for {}:\n{result}\nregistry log:\n{}",
        result.label,
        reg.log()
    );
    eprintln!(
        "401  {:>4} ms  {} (registry: {needle})",
        result.elapsed.as_millis(),
        result.label
    );
    count
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
        wrong_password_count(reg),
        0,
        "no client sent a wrong password; registry log:\n{}",
        reg.log()
    );
}

/// With the `good` config, skopeo pushes `layout` as `e2e/hello:v1` and oras-py pushes its
/// artifact; then every client operation (skopeo inspect, inspect via `DOCKER_CONFIG`, push
/// and pull; docker CLI inspect; oras-py push and pull; oci-probe push and pull) runs with
/// the `bad` config (same user, wrong password) and must fail with one more wrong-password
/// 401 in the registry log ([`assert_wrong_password_401`]).
pub fn assert_every_client_refuses_wrong_password(
    good: &Path,
    bad: &Path,
    reg: &Registry,
    layout: &OciLayout,
) {
    assert_ok(&clients::skopeo_push(good, reg, layout, "e2e/hello:v1"));
    assert_ok(&clients::oras_push(good, reg, "e2e/oras:v1"));

    let pulled = tempfile::tempdir().expect("pull dir");
    let operations: Vec<Box<dyn Fn() -> ClientResult + '_>> = vec![
        Box::new(|| clients::skopeo_inspect(bad, reg, "e2e/hello:v1")),
        Box::new(|| clients::skopeo_inspect_docker_config(bad, reg, "e2e/hello:v1")),
        Box::new(|| clients::skopeo_push(bad, reg, layout, "e2e/bad:v1")),
        Box::new(|| clients::skopeo_pull(bad, reg, "e2e/hello:v1", pulled.path())),
        Box::new(|| clients::docker_manifest_inspect(bad, reg, "e2e/hello:v1")),
        Box::new(|| clients::oras_push(bad, reg, "e2e/bad-oras:v1")),
        Box::new(|| clients::oras_pull(bad, reg, "e2e/oras:v1")),
        Box::new(|| clients::oci_probe_push(bad, reg, "e2e/bad-rust:v1")),
        Box::new(|| clients::oci_probe_pull(bad, reg, "e2e/hello:v1")),
    ];
    let mut count = wrong_password_count(reg);
    for operation in &operations {
        count = assert_wrong_password_401(&operation(), reg, count);
    }
}
