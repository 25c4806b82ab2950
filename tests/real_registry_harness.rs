//! Self-check of the real-registry harness (`tests/support/`): with a
//! HAND-WRITTEN `config.json`, every real client (skopeo, docker CLI, oras-py,
//! oci-probe) authenticates against a real registry on 127.0.0.1 over plain
//! HTTP and over TLS, and a wrong password is refused with a 401 that the
//! registry log attributes to a failed password check.
//!
//! Needs the tools from `scripts/install-test-deps.sh` (a missing tool panics
//! with that hint; nothing is skipped).

mod support;

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use support::clients::{self, ClientResult};
use support::oci_layout::{self, OciLayout};
use support::registry::Registry;

/// The registry log line for a request whose password did not match.
const WRONG_PASSWORD: &str = "error authenticating user";

/// `{"auths":{"HOST:PORT":{"auth":base64(user:password)}}}`, written by hand.
fn hand_written_config(host_port: &str, user: &str, password: &str) -> Vec<u8> {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!(r#"{{"auths":{{"{host_port}":{{"auth":"{auth}"}}}}}}"#).into_bytes()
}

/// Asserts the call succeeded and prints its timing.
fn assert_ok(result: &ClientResult) {
    assert!(result.ok, "expected success:\n{result}");
    eprintln!("ok   {} ms  {}", result.elapsed.as_millis(), result.label);
}

/// Asserts the call failed and the registry logged one more wrong-password
/// 401 than `before` (so the client read the file and sent the bad password).
fn assert_wrong_password_401(result: &ClientResult, reg: &Registry, before: usize) -> usize {
    assert!(
        !result.ok,
        "expected failure with a wrong password:\n{result}"
    );
    assert!(
        !result.timed_out,
        "client hung instead of failing:\n{result}"
    );
    let mut count = before;
    for _ in 0..100 {
        count = reg.log().matches(WRONG_PASSWORD).count();
        if count > before {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        count > before,
        "registry logged no `{WRONG_PASSWORD}` for {}:\n{result}\nregistry log:\n{}",
        result.label,
        reg.log()
    );
    eprintln!(
        "401  {} ms  {} (registry: {WRONG_PASSWORD})",
        result.elapsed.as_millis(),
        result.label
    );
    count
}

/// sha256 of the manifest skopeo wrote into a `dir:` copy.
fn pulled_manifest_digest(dir: &Path) -> String {
    oci_layout::sha256(&std::fs::read(dir.join("manifest.json")).expect("pulled manifest.json"))
}

/// Every client pushes and/or pulls with the hand-written config.
fn every_client_authenticates(tls: bool) {
    let reg = Registry::start(tls);
    let layout = OciLayout::build();
    let cfg_dir = tempfile::tempdir().expect("config dir");
    let config = clients::write_mounted_config(
        cfg_dir.path(),
        &hand_written_config(reg.host_port(), reg.user(), reg.password()),
    );

    // skopeo: push (--dest-authfile), inspect (--authfile and DOCKER_CONFIG), pull.
    assert_ok(&clients::skopeo_push(
        &config,
        &reg,
        &layout,
        "e2e/hello:v1",
    ));
    let inspect = clients::skopeo_inspect(&config, &reg, "e2e/hello:v1");
    assert_ok(&inspect);
    assert!(inspect.output.contains(&layout.layer_digest), "{inspect}");
    assert_ok(&clients::skopeo_inspect_docker_config(
        &config,
        &reg,
        "e2e/hello:v1",
    ));
    let pulled = tempfile::tempdir().expect("pull dir");
    assert_ok(&clients::skopeo_pull(
        &config,
        &reg,
        "e2e/hello:v1",
        pulled.path(),
    ));
    assert_eq!(
        pulled_manifest_digest(pulled.path()),
        layout.manifest_digest
    );

    // docker CLI (no daemon): manifest inspect with DOCKER_CONFIG.
    let docker = clients::docker_manifest_inspect(&config, &reg, "e2e/hello:v1");
    assert_ok(&docker);
    assert!(docker.output.contains(&layout.layer_digest), "{docker}");

    // oras-py: push then pull its own artifact, config passed as config_path.
    assert_ok(&clients::oras_push(&config, &reg, "e2e/oras:v1"));
    assert_ok(&clients::oras_pull(&config, &reg, "e2e/oras:v1"));

    // Rust: docker_credential finds the key, oci-client pushes and pulls.
    assert_ok(&clients::oci_probe_lookup(&config, &reg));
    assert_ok(&clients::oci_probe_push(&config, &reg, "e2e/rust:v1"));
    assert_ok(&clients::oci_probe_pull(&config, &reg, "e2e/rust:v1"));
    // ...and reads the image skopeo pushed.
    let pull = clients::oci_probe_pull(&config, &reg, "e2e/hello:v1");
    assert_ok(&pull);
    assert!(pull.output.contains(&layout.manifest_digest), "{pull}");
}

#[test]
fn every_client_authenticates_over_http() {
    every_client_authenticates(false);
}

#[test]
fn every_client_authenticates_over_tls() {
    every_client_authenticates(true);
}

/// Each client with a wrong password fails, and the registry log shows it
/// got (and refused) that password.
fn wrong_password_is_refused(tls: bool) {
    let reg = Registry::start(tls);
    let layout = OciLayout::build();
    let good_dir = tempfile::tempdir().expect("config dir");
    let good = clients::write_mounted_config(
        good_dir.path(),
        &hand_written_config(reg.host_port(), reg.user(), reg.password()),
    );
    assert_ok(&clients::skopeo_push(&good, &reg, &layout, "e2e/hello:v1"));

    let bad_dir = tempfile::tempdir().expect("config dir");
    let bad = clients::write_mounted_config(
        bad_dir.path(),
        &hand_written_config(reg.host_port(), reg.user(), "not-the-password"),
    );
    let n = reg.log().matches(WRONG_PASSWORD).count();
    let n = assert_wrong_password_401(
        &clients::skopeo_inspect(&bad, &reg, "e2e/hello:v1"),
        &reg,
        n,
    );
    let n = assert_wrong_password_401(
        &clients::skopeo_push(&bad, &reg, &layout, "e2e/bad:v1"),
        &reg,
        n,
    );
    let n = assert_wrong_password_401(
        &clients::docker_manifest_inspect(&bad, &reg, "e2e/hello:v1"),
        &reg,
        n,
    );
    let n = assert_wrong_password_401(&clients::oras_pull(&bad, &reg, "e2e/hello:v1"), &reg, n);
    let n = assert_wrong_password_401(
        &clients::oci_probe_pull(&bad, &reg, "e2e/hello:v1"),
        &reg,
        n,
    );
    assert_wrong_password_401(&clients::oci_probe_push(&bad, &reg, "e2e/bad:v1"), &reg, n);
}

#[test]
fn wrong_password_is_refused_over_http() {
    wrong_password_is_refused(false);
}

#[test]
fn wrong_password_is_refused_over_tls() {
    wrong_password_is_refused(true);
}

/// A config without a key for the registry: oras-py and oci-probe report
/// "no-match" (exit 3) at once instead of oras-py's ~130 s retry hang.
#[test]
fn no_matching_key_is_reported_without_a_request() {
    let reg = Registry::start(false);
    let dir = tempfile::tempdir().expect("config dir");
    let config = clients::write_mounted_config(
        dir.path(),
        &hand_written_config("127.0.0.1:1", reg.user(), reg.password()),
    );
    for result in [
        clients::oras_push(&config, &reg, "e2e/oras:v1"),
        clients::oci_probe_lookup(&config, &reg),
    ] {
        assert_eq!(result.code, Some(clients::EXIT_NO_MATCH), "{result}");
        assert!(result.output.contains("no-match"), "{result}");
        eprintln!(
            "no-match {} ms  {}",
            result.elapsed.as_millis(),
            result.label
        );
    }
}

#[test]
fn config_is_mounted_read_only_0400() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("config dir");
    let path = clients::write_mounted_config(dir.path(), b"{}");
    assert_eq!(path, dir.path().join("config.json"));
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o400);
    // Rewriting replaces the file and keeps 0400.
    clients::write_mounted_config(dir.path(), b"{\"auths\":{}}");
    assert_eq!(std::fs::read(&path).expect("read"), b"{\"auths\":{}}");
}

#[test]
fn oci_layout_is_deterministic() {
    let a = OciLayout::build();
    let b = OciLayout::build();
    assert_eq!(a.manifest_digest, b.manifest_digest);
    assert_eq!(a.layer_digest, b.layer_digest);
    for digest in [&a.manifest_digest, &a.layer_digest, &a.config_digest] {
        let blob = std::fs::read(a.blob_path(digest)).expect("blob");
        assert_eq!(&oci_layout::sha256(&blob), digest);
    }
}

#[test]
fn client_versions_are_reported() {
    let versions = clients::client_versions();
    for (name, version) in &versions {
        eprintln!("{name}: {version}");
        assert!(
            !version.is_empty() && version != "?",
            "{name} has no version"
        );
    }
    assert_eq!(versions.len(), 5);
}
