//! Self-check of the real-registry harness (`tests/support/`): with a
//! HAND-WRITTEN `config.json`, every real client (skopeo, docker CLI, oras-py,
//! oci-probe) authenticates against a real registry on 127.0.0.1 over plain
//! HTTP and over TLS, and a wrong password is refused with a 401 that the
//! registry log attributes to a failed password check.
//!
//! Needs the tools from `scripts/install-test-deps.sh` (a missing tool panics
//! with that hint; nothing is skipped).

use base64::Engine as _;
use test_support::checks;
use test_support::clients;
use test_support::oci_layout::{self, OciLayout};
use test_support::registry::Registry;

/// `{"auths":{"HOST:PORT":{"auth":base64(user:password)}}}`, written by hand.
fn hand_written_config(host_port: &str, user: &str, password: &str) -> Vec<u8> {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!(r#"{{"auths":{{"{host_port}":{{"auth":"{auth}"}}}}}}"#).into_bytes()
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

    checks::assert_every_client_authenticates(&config, &reg, &layout);
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
    let bad_dir = tempfile::tempdir().expect("config dir");
    let mut bad = |user: &str| {
        clients::write_mounted_config(
            &bad_dir.path().join(user),
            &hand_written_config(reg.host_port(), user, "not-the-password"),
        )
    };
    checks::assert_every_client_refuses_wrong_password(&good, &mut bad, &reg, &layout);
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
