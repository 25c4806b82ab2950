//! The PRODUCT's output against real clients: every `config.json` here is rendered by the real
//! module binary through the engine double (`withRegistryAuth` or `withCredentialHelper` →
//! `secret` or `mountSecret`, with the leak scan of `Module::call` on every call), written the
//! way the engine mounts a secret (mode 0400), and read by skopeo, the docker CLI, oras-py and
//! oci-probe against a real registry on 127.0.0.1 over plain HTTP and TLS.
//!
//! - every client authenticates with the module's config (both delivery paths, both registries);
//! - a wrong password is sent by every client and refused (the registry logs a failed password);
//! - the key-form matrix: which address spellings the module accepts are found by which client;
//! - credential helpers: the module's `withCredentialHelper` config with a real
//!   `docker-credential-e2e` on the client's `PATH` (right password, wrong password, "not
//!   found", not installed), per client, as a measured table;
//! - Docker Hub, offline: `docker_credential` (a second, independent parser) finds the module's
//!   Hub key under every server string, unlike the Go module's `docker.io` key; and skopeo and
//!   the docker CLI each run the module's Docker Hub credential helper (every request goes to a
//!   closed loopback proxy, so nothing leaves 127.0.0.1).
//!
//! Needs the tools from `scripts/install-test-deps.sh` (a missing tool panics with that hint).

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine as _;
use serde_json::{json, Value};
use test_support::checks;
use test_support::clients::{self, ClientResult};
use test_support::cred_helper::CredentialHelper;
use test_support::module::Module;
use test_support::oci_layout::OciLayout;
use test_support::registry::{Registry, TEST_USER};

/// A password the registry does not accept (a leak-scan sentinel like the real one).
const WRONG_PASSWORD: &str = "not-the-e2e-password";
/// Where `mountSecret` mounts the config by default.
const DEFAULT_MOUNT: &str = "/root/.docker/config.json";
/// The one Docker Hub key every client resolves (what the module writes for the Hub).
const HUB_KEY: &str = "https://index.docker.io/v1/";

/// How the module hands the rendered config over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// `secret`: the returned Secret's plaintext.
    Secret,
    /// `mountSecret`: the plaintext of the secret mounted into the container.
    MountSecret,
}

/// `withRegistryAuth(address, user, secret)` on an empty config; returns the new state.
fn with_auth(m: &mut Module, address: &str, user: &str, password: &str) -> Value {
    let secret = m.secret(user, password);
    m.ok(
        "withRegistryAuth",
        &json!({}),
        vec![
            ("address", json!(address)),
            ("username", json!(user)),
            ("secret", json!(secret)),
        ],
    )
}

/// The rendered config of `state` as a container would read it.
fn deliver(m: &Module, state: &Value, delivery: Delivery) -> String {
    match delivery {
        Delivery::Secret => {
            let (name, plaintext) = m.rendered(&m.ok("secret", state, vec![]));
            assert!(name.starts_with("registry-config-"), "{name}");
            plaintext
        }
        Delivery::MountSecret => {
            let container = m.engine.new_container();
            let out = m.ok("mountSecret", state, vec![("container", json!(container))]);
            let record = m
                .engine
                .container(out.as_str().expect("a Container ID"))
                .expect("a known container");
            let mount = &record.mounts[DEFAULT_MOUNT];
            assert_eq!(
                (mount.owner.as_str(), mount.mode),
                ("", 0o400),
                "mounted read-only 0400 for root"
            );
            assert!(record.files.is_empty() && record.env.is_empty());
            m.engine
                .secret(&mount.secret_id)
                .expect("the mounted secret")
                .plaintext
        }
    }
}

/// Renders one `address` entry through the module, asserts the single key it wrote, and writes
/// the bytes to `dir/config.json` (0400); returns that path.
fn render_to(
    m: &mut Module,
    dir: &Path,
    address: &str,
    password: &str,
    delivery: Delivery,
    expected_key: &str,
) -> PathBuf {
    render_user_to(m, dir, address, TEST_USER, password, delivery, expected_key)
}

/// [`render_to`] for `user` instead of [`TEST_USER`].
fn render_user_to(
    m: &mut Module,
    dir: &Path,
    address: &str,
    user: &str,
    password: &str,
    delivery: Delivery,
    expected_key: &str,
) -> PathBuf {
    let state = with_auth(m, address, user, password);
    let plaintext = deliver(m, &state, delivery);
    assert_eq!(auth_keys(&plaintext), [expected_key], "{address}");
    clients::write_mounted_config(dir, plaintext.as_bytes())
}

/// The `auths` keys of a rendered config.
fn auth_keys(config: &str) -> Vec<String> {
    let parsed: Value = serde_json::from_str(config).expect("rendered config is JSON");
    parsed["auths"]
        .as_object()
        .expect("an auths object")
        .keys()
        .cloned()
        .collect()
}

/// Every client pushes and/or pulls with the config the module rendered for the registry.
fn every_client_authenticates(tls: bool, delivery: Delivery) {
    let start = Instant::now();
    let reg = Registry::start(tls);
    let mut m = Module::register();
    let layout = OciLayout::build();
    let cfg_dir = tempfile::tempdir().expect("config dir");
    let config = render_to(
        &mut m,
        cfg_dir.path(),
        reg.host_port(),
        reg.password(),
        delivery,
        reg.host_port(),
    );

    checks::assert_every_client_authenticates(&config, &reg, &layout);
    eprintln!(
        "every client ({}, {delivery:?}): {} ms",
        if tls { "TLS" } else { "HTTP" },
        start.elapsed().as_millis()
    );
}

#[test]
fn every_client_authenticates_over_http_with_the_secret() {
    every_client_authenticates(false, Delivery::Secret);
}

#[test]
fn every_client_authenticates_over_http_with_the_mounted_secret() {
    every_client_authenticates(false, Delivery::MountSecret);
}

#[test]
fn every_client_authenticates_over_tls_with_the_secret() {
    every_client_authenticates(true, Delivery::Secret);
}

#[test]
fn every_client_authenticates_over_tls_with_the_mounted_secret() {
    every_client_authenticates(true, Delivery::MountSecret);
}

/// The module's config with a wrong password: every client operation fails, and the registry
/// log shows each one sent (and had refused) that password.
fn wrong_password_is_refused(tls: bool, delivery: Delivery) {
    let reg = Registry::start(tls);
    let mut m = Module::register();
    let layout = OciLayout::build();
    let good_dir = tempfile::tempdir().expect("config dir");
    let good = render_to(
        &mut m,
        good_dir.path(),
        reg.host_port(),
        reg.password(),
        delivery,
        reg.host_port(),
    );
    let bad_dir = tempfile::tempdir().expect("config dir");
    let mut bad = |user: &str| {
        render_user_to(
            &mut m,
            &bad_dir.path().join(user),
            reg.host_port(),
            user,
            WRONG_PASSWORD,
            delivery,
            reg.host_port(),
        )
    };
    checks::assert_every_client_refuses_wrong_password(&good, &mut bad, &reg, &layout);
}

#[test]
fn wrong_password_is_refused_over_http() {
    wrong_password_is_refused(false, Delivery::Secret);
}

#[test]
fn wrong_password_is_refused_over_tls() {
    wrong_password_is_refused(true, Delivery::MountSecret);
}

/// The four clients of the key-form matrix, in column order.
const MATRIX_CLIENTS: [&str; 4] = ["skopeo", "docker CLI", "oras-py", "oci-probe"];

/// Whether one client authenticated (`true`) or found no key for the registry (`false`);
/// panics on any other failure (a wrong password, a timeout, a transport error).
fn matched(client: &str, result: &ClientResult) -> bool {
    if result.ok {
        return true;
    }
    assert!(!result.timed_out, "{client} hung:\n{result}");
    let no_key = match client {
        // Anonymous request, 401 from the registry.
        "skopeo" => result.output.contains("authentication required"),
        "docker CLI" => result.output.contains("no basic auth credentials"),
        // oras-py's own lookup found no key; no request was sent.
        "oras-py" => result.code == Some(clients::EXIT_NO_MATCH),
        // docker_credential found no key; oci-client went on anonymously and got a 401.
        "oci-probe" => result.output.contains("no credential for"),
        other => panic!("unknown client {other}"),
    };
    assert!(no_key, "{client} failed for another reason:\n{result}");
    false
}

/// Each address form the module accepts for the HTTP registry, rendered through the module, read
/// by each client with read-only operations; the observed matrix must equal the expected one
/// (real-clients.md §5, with the scheme forms normalized by the module to the bare key).
#[test]
fn key_forms_matrix() {
    let start = Instant::now();
    let reg = Registry::start(false);
    let mut m = Module::register();
    let host_port = reg.host_port().to_string();
    let port = host_port
        .rsplit_once(':')
        .map(|(_, port)| port.to_string())
        .expect("HOST:PORT");

    // Setup with a good config the module rendered: skopeo's image and oras-py's artifact.
    let layout = OciLayout::build();
    let setup_dir = tempfile::tempdir().expect("config dir");
    let setup = render_to(
        &mut m,
        setup_dir.path(),
        &host_port,
        reg.password(),
        Delivery::Secret,
        &host_port,
    );
    checks::assert_ok(&clients::skopeo_push(&setup, &reg, &layout, "e2e/hello:v1"));
    checks::assert_ok(&clients::oras_push(&setup, &reg, "e2e/oras:v1"));

    const Y: bool = true;
    const N: bool = false;
    // (address passed to withRegistryAuth, key the module writes, expected per client)
    let rows: Vec<(String, String, [bool; 4])> = vec![
        (host_port.clone(), host_port.clone(), [Y, Y, Y, Y]),
        (
            format!("http://{host_port}"),
            host_port.clone(),
            [Y, Y, Y, Y],
        ),
        (
            format!("HTTPS://{host_port}/"),
            host_port.clone(),
            [Y, Y, Y, Y],
        ),
        (
            format!("localhost:{port}"),
            format!("localhost:{port}"),
            [N, N, Y, N],
        ),
        (
            format!("{host_port}/e2e"),
            format!("{host_port}/e2e"),
            [Y, Y, N, N],
        ),
    ];

    let mut observed_rows = Vec::new();
    for (address, key, _) in &rows {
        let dir = tempfile::tempdir().expect("config dir");
        let config = render_to(
            &mut m,
            dir.path(),
            address,
            reg.password(),
            Delivery::Secret,
            key,
        );
        let results = [
            clients::skopeo_inspect(&config, &reg, "e2e/hello:v1"),
            clients::docker_manifest_inspect(&config, &reg, "e2e/hello:v1"),
            // oras_pull looks the key up first: no key means exit 3 at once, not a 130 s hang.
            clients::oras_pull(&config, &reg, "e2e/oras:v1"),
            clients::oci_probe_pull(&config, &reg, "e2e/hello:v1"),
        ];
        let mut observed = [false; 4];
        for (i, result) in results.iter().enumerate() {
            observed[i] = matched(MATRIX_CLIENTS[i], result);
            eprintln!(
                "{}  {:>4} ms  {} [key {key}]",
                if observed[i] { "Y" } else { "N" },
                result.elapsed.as_millis(),
                result.label
            );
        }
        observed_rows.push(observed);
    }
    assert_eq!(
        checks::refused_login_count(&reg),
        0,
        "every N is a missing key, never a wrong password; registry log:\n{}",
        reg.log()
    );

    let cell = |v: bool| if v { "Y" } else { "N" };
    let mut table = format!(
        "| address passed (image ref host 127.0.0.1) | key written | {} |\n| --- | --- | --- | --- | --- | --- |\n",
        MATRIX_CLIENTS.join(" | ")
    );
    for ((address, key, _), observed) in rows.iter().zip(&observed_rows) {
        let address = address.replace(&port, "PORT");
        let key = key.replace(&port, "PORT");
        table.push_str(&format!(
            "| `{address}` | `{key}` | {} |\n",
            observed.map(cell).join(" | ")
        ));
    }
    eprintln!(
        "\nkey forms through the module (HTTP registry, {} ms):\n{table}",
        start.elapsed().as_millis()
    );
    let expected: Vec<[bool; 4]> = rows.iter().map(|(_, _, e)| *e).collect();
    assert_eq!(observed_rows, expected, "observed matrix:\n{table}");
}

/// Docker Hub, offline: the module writes [`HUB_KEY`] for each Hub spelling, and
/// `docker_credential` finds it under every server string. The Go module's `docker.io` key is
/// found by oci-client's own lookup (`index.docker.io`) but not under the crate's documented
/// server string `https://index.docker.io/v1/`.
#[test]
fn docker_hub_key_is_found_by_docker_credential() {
    let mut m = Module::register();
    const HUB_PASSWORD: &str = "hub-password-sentinel";
    // What docker_credential::get_credential is asked: oci-client passes
    // Reference::resolve_registry(), which is `index.docker.io` for every Hub reference
    // (oci-spec maps `index.docker.io/...` and bare names to `docker.io`, then resolves it).
    // The others are the crate's documented example and the Hub's other names.
    let servers = [
        "index.docker.io",
        "docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
    ];

    let mut table = format!("| config | {} |\n| --- |", servers.join(" | "));
    table.push_str(&" --- |".repeat(servers.len()));
    table.push('\n');
    let mut lookup_row = |label: &str, config: &Path| -> Vec<bool> {
        let found: Vec<bool> = servers
            .iter()
            .map(|server| {
                let result = clients::oci_probe_lookup_server(config, server);
                assert!(
                    result.ok || result.code == Some(clients::EXIT_NO_MATCH),
                    "{result}"
                );
                eprintln!(
                    "{}  {:>4} ms  {} [{label}]",
                    if result.ok { "found" } else { "no-match" },
                    result.elapsed.as_millis(),
                    result.label
                );
                result.ok
            })
            .collect();
        let cells: Vec<&str> = found.iter().map(|f| if *f { "Y" } else { "N" }).collect();
        table.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
        found
    };

    for address in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
        let dir = tempfile::tempdir().expect("config dir");
        let config = render_to(
            &mut m,
            dir.path(),
            address,
            HUB_PASSWORD,
            Delivery::Secret,
            HUB_KEY,
        );
        let found = lookup_row(&format!("module, `--address {address}`"), &config);
        assert_eq!(found, [true; 4], "module's Hub key for {address}");
    }

    // The Go module writes the address as given: `{"auths":{"docker.io":{"auth":…}}}`.
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("hub-user:{HUB_PASSWORD}"));
    let dir = tempfile::tempdir().expect("config dir");
    let go_config = clients::write_mounted_config(
        dir.path(),
        format!(r#"{{"auths":{{"docker.io":{{"auth":"{auth}"}}}}}}"#).as_bytes(),
    );
    let found = lookup_row("Go module, hand-written `docker.io` key", &go_config);
    assert_eq!(
        found,
        [true, true, true, false],
        "docker_credential maps a bare `docker.io` key to index.docker.io, but not to the \
         https://index.docker.io/v1/ server string"
    );
    eprintln!("\ndocker_credential lookups (oci-probe lookup SERVER):\n{table}");
}

/// The helper name passed to `withCredentialHelper` (the program is `docker-credential-e2e`).
const HELPER: &str = "e2e";

/// The clients of the credential-helper table, in row order.
const HELPER_CLIENTS: [&str; 4] = ["docker CLI", "skopeo", "oci-probe", "oras-py"];

/// How a client's read ends when the helper gives it no credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoCredential {
    /// It goes on without credentials; the registry answers 401 to the anonymous request.
    Anonymous,
    /// It stops with a credential-helper error before sending a request.
    HelperError,
    /// oras-py's own lookup finds no credential (our driver's exit 3, nothing sent).
    NoMatch,
    /// Anything else, or the helper was not asked when it should have been (output printed).
    Other,
}

/// One client's row of the credential-helper table, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HelperRow {
    /// It authenticated with the helper's answer (the config has no `auths` entry at all).
    honours: bool,
    /// With a wrong password from the helper it failed, and the registry logged the password.
    wrong_password_401: bool,
    /// What it did when the helper answered "credentials not found in native keychain".
    not_found: NoCredential,
    /// What it did when no `docker-credential-e2e` was on its `PATH`.
    not_installed: NoCredential,
}

/// What each client of [`HELPER_CLIENTS`] was measured to do (docker CLI 28.2.2, skopeo 1.9.3,
/// oci-probe = docker_credential 1.4.0 + oci-client 0.18.0, oras-py 0.2.43).
const HELPER_EXPECTED: [HelperRow; 4] = [
    // A missing helper is silently "no credentials".
    HelperRow {
        honours: true,
        wrong_password_401: true,
        not_found: NoCredential::Anonymous,
        not_installed: NoCredential::Anonymous,
    },
    // A missing helper fails the read (with a misleading "resolves to executable in current
    // directory (./docker-credential-e2e)").
    HelperRow {
        honours: true,
        wrong_password_401: true,
        not_found: NoCredential::Anonymous,
        not_installed: NoCredential::HelperError,
    },
    // docker_credential reports every helper exit but 0 as HelperFailure (it does not know the
    // not-found message), which oci-probe reports as an error.
    HelperRow {
        honours: true,
        wrong_password_401: true,
        not_found: NoCredential::HelperError,
        not_installed: NoCredential::HelperError,
    },
    // oras-py is not a client the module promises helpers for: this row is what oras-py 0.2.43
    // does (its `_load_auth` runs `docker-credential-<credHelpers[host]> get` and only warns
    // when that fails), asserted so that a change shows, not as a requirement.
    HelperRow {
        honours: true,
        wrong_password_401: true,
        not_found: NoCredential::NoMatch,
        not_installed: NoCredential::NoMatch,
    },
];

/// How a read the helper gave no credential ended; [`NoCredential::Other`] when it succeeded,
/// when the helper was asked although `expect_calls` was false (or not asked although it was
/// true), or for any other failure.
fn classify_no_credential(
    result: &ClientResult,
    helper_calls: usize,
    expect_calls: bool,
) -> NoCredential {
    let output = &result.output;
    let class = if result.ok || (helper_calls > 0) != expect_calls {
        NoCredential::Other
    } else if output.contains("no basic auth credentials")
        || output.contains("authentication required")
    {
        NoCredential::Anonymous
    } else if [
        // oci-probe, helper failed (e.g. not found)
        "credential helper `docker-credential-e2e` failed",
        // oci-probe, helper not spawned
        "Unable to communicate with credential helper",
        // skopeo, helper not spawned
        "error getting credentials",
    ]
    .iter()
    .any(|marker| output.contains(marker))
    {
        NoCredential::HelperError
    } else if result.code == Some(clients::EXIT_NO_MATCH) {
        NoCredential::NoMatch
    } else {
        NoCredential::Other
    };
    if class == NoCredential::Other {
        eprintln!("{result}");
    }
    class
}

/// One read by client `i` of [`HELPER_CLIENTS`] with `config`, with the helper on its `PATH`
/// when `on_path` (docker CLI, skopeo and oci-probe read skopeo's `e2e/hello:v1`, oras-py its
/// own `e2e/oras:v1`); returns the result and how many times the helper was called, asserting
/// each call was a `get` for the registry's `HOST:PORT`.
fn read_via_helper(
    i: usize,
    config: &Path,
    reg: &Registry,
    helper: &CredentialHelper,
    on_path: bool,
) -> (ClientResult, usize) {
    let before = helper.requests().len();
    let read = || match HELPER_CLIENTS[i] {
        "docker CLI" => clients::docker_manifest_inspect(config, reg, "e2e/hello:v1"),
        "skopeo" => clients::skopeo_inspect(config, reg, "e2e/hello:v1"),
        "oci-probe" => clients::oci_probe_pull(config, reg, "e2e/hello:v1"),
        "oras-py" => clients::oras_pull(config, reg, "e2e/oras:v1"),
        other => panic!("unknown client {other}"),
    };
    let result = if on_path {
        clients::with_path_prefix(&helper.bin_dir(), read)
    } else {
        read()
    };
    assert!(!result.timed_out, "{result}");
    let calls = helper.requests().split_off(before);
    let expected_call = format!("get {}", reg.host_port());
    assert!(
        calls.iter().all(|call| *call == expected_call),
        "{}: helper calls {calls:?}",
        result.label
    );
    eprintln!(
        "{}  {:>4} ms  {} [{} helper call(s)]",
        if result.ok { "ok  " } else { "fail" },
        result.elapsed.as_millis(),
        result.label,
        calls.len()
    );
    (result, calls.len())
}

/// `withCredentialHelper(address: HOST:PORT, helper: "e2e")` rendered through the module and
/// written as a mounted `config.json`: the config names the helper and holds no credential.
fn render_helper_config(m: &mut Module, dir: &Path, reg: &Registry, delivery: Delivery) -> PathBuf {
    // The helper's passwords join the leak scan: the module never sees them, so no module
    // output may hold them (or their `auth` forms).
    m.watch(TEST_USER, reg.password());
    m.watch(TEST_USER, WRONG_PASSWORD);
    let state = m.ok(
        "withCredentialHelper",
        &json!({}),
        vec![
            ("address", json!(reg.host_port())),
            ("helper", json!(HELPER)),
        ],
    );
    let plaintext = deliver(m, &state, delivery);
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{}},"credHelpers":{{"{}":"{HELPER}"}}}}"#,
            reg.host_port()
        )
    );
    for password in [reg.password(), WRONG_PASSWORD] {
        assert!(!plaintext.contains(password), "{plaintext}");
    }
    clients::write_mounted_config(dir, plaintext.as_bytes())
}

/// The module's `credHelpers` config read by real clients with a real `docker-credential-e2e`
/// on their `PATH`: with the right password every client authenticates through the helper;
/// with a wrong one every client sends it and is refused (a wrong-password line in the
/// registry log); with "not found", or no helper installed, no client sends a password.
/// Prints the table and asserts it equals [`HELPER_EXPECTED`].
fn credential_helper_serves_every_client(tls: bool, delivery: Delivery) {
    let start = Instant::now();
    let reg = Registry::start(tls);
    let mut m = Module::register();
    let layout = OciLayout::build();
    // Setup with an `auths` config the module rendered: skopeo's image and oras-py's artifact.
    let setup_dir = tempfile::tempdir().expect("config dir");
    let setup = render_to(
        &mut m,
        setup_dir.path(),
        reg.host_port(),
        reg.password(),
        delivery,
        reg.host_port(),
    );
    checks::assert_ok(&clients::skopeo_push(&setup, &reg, &layout, "e2e/hello:v1"));
    checks::assert_ok(&clients::oras_push(&setup, &reg, "e2e/oras:v1"));

    let config_dir = tempfile::tempdir().expect("config dir");
    let config = render_helper_config(&mut m, config_dir.path(), &reg, delivery);
    let helper = CredentialHelper::install(HELPER);
    let each_client = 0..HELPER_CLIENTS.len();

    // The right password: each read succeeds (and returns the pushed content) after asking
    // the helper, as the config has no other credential.
    helper.answer(reg.host_port(), TEST_USER, reg.password());
    let honours: Vec<bool> = each_client
        .clone()
        .map(|i| {
            let (result, calls) = read_via_helper(i, &config, &reg, &helper, true);
            if result.ok {
                let content = match HELPER_CLIENTS[i] {
                    "oci-probe" => "layers=1 bytes=",
                    "oras-py" => "files=['hello.txt']",
                    _ => layout.layer_digest.as_str(),
                };
                assert!(result.output.contains(content), "{result}");
            }
            result.ok && calls > 0
        })
        .collect();
    assert_eq!(
        checks::refused_login_count(&reg),
        0,
        "registry log:\n{}",
        reg.log()
    );

    // A wrong password from the helper: each read fails, and the registry logged that the
    // client sent the user with a password that did not match; each client gets a user of
    // its own, so a line names the client that caused it.
    let refused: Vec<bool> = each_client
        .clone()
        .map(|i| {
            let user = checks::wrong_password_user(i);
            helper.answer(reg.host_port(), &user, WRONG_PASSWORD);
            let (result, calls) = read_via_helper(i, &config, &reg, &helper, true);
            !result.ok && calls > 0 && checks::wait_wrong_password(&reg, &user)
        })
        .collect();
    let count = checks::refused_login_count(&reg);

    // The helper knows no credential for the registry (it answers another server), then the
    // helper is not on the PATH at all.
    helper.answer("localhost:1", TEST_USER, reg.password());
    let not_found: Vec<NoCredential> = each_client
        .clone()
        .map(|i| {
            let (result, calls) = read_via_helper(i, &config, &reg, &helper, true);
            classify_no_credential(&result, calls, true)
        })
        .collect();
    let not_installed: Vec<NoCredential> = each_client
        .clone()
        .map(|i| {
            let (result, calls) = read_via_helper(i, &config, &reg, &helper, false);
            classify_no_credential(&result, calls, false)
        })
        .collect();
    assert_eq!(
        checks::wait_refused_logins_beyond(&reg, count),
        count,
        "no client sent a password it did not get; registry log:\n{}",
        reg.log()
    );

    let versions = clients::client_versions();
    let observed: Vec<HelperRow> = each_client
        .map(|i| HelperRow {
            honours: honours[i],
            wrong_password_401: refused[i],
            not_found: not_found[i],
            not_installed: not_installed[i],
        })
        .collect();
    let cell = |v: bool| if v { "Y" } else { "N" };
    let mut table = String::from(concat!(
        "| client | version | honours credHelpers | wrong password -> 401 ",
        "| helper: not found -> | helper not on PATH -> |\n",
        "| --- | --- | --- | --- | --- | --- |\n",
    ));
    for (client, row) in HELPER_CLIENTS.iter().zip(&observed) {
        let version = versions
            .iter()
            .find(|(name, _)| name == client)
            .map_or("?", |(_, version)| version.as_str());
        table.push_str(&format!(
            "| {client} | {version} | {} | {} | {:?} | {:?} |\n",
            cell(row.honours),
            cell(row.wrong_password_401),
            row.not_found,
            row.not_installed
        ));
    }
    eprintln!(
        "\ncredential helper ({}, {delivery:?}, {} ms):\n{table}",
        if tls { "TLS" } else { "HTTP" },
        start.elapsed().as_millis()
    );
    assert_eq!(observed, HELPER_EXPECTED, "observed:\n{table}");
}

#[test]
fn credential_helper_serves_every_client_over_http() {
    credential_helper_serves_every_client(false, Delivery::Secret);
}

#[test]
fn credential_helper_serves_every_client_over_tls() {
    credential_helper_serves_every_client(true, Delivery::MountSecret);
}

/// `mountSecret(path, variable: "REGISTRY_AUTH_FILE")`: the module points the variable at the
/// mounted file, and skopeo finds its credentials through that variable alone (no `--authfile`,
/// no docker config); without it the same read gets no credential.
#[test]
fn skopeo_finds_the_mounted_file_through_registry_auth_file_alone() {
    const MOUNT: &str = "/run/containers/auth.json";
    let reg = Registry::start(false);
    let mut m = Module::register();
    let layout = OciLayout::build();
    let state = with_auth(&mut m, reg.host_port(), TEST_USER, reg.password());
    let container = m.engine.new_container();
    let out = m.ok(
        "mountSecret",
        &state,
        vec![
            ("container", json!(container)),
            ("path", json!(MOUNT)),
            ("variable", json!("REGISTRY_AUTH_FILE")),
        ],
    );
    let record = m
        .engine
        .container(out.as_str().expect("a Container ID"))
        .expect("a container");
    assert_eq!(
        record.env.get("REGISTRY_AUTH_FILE").map(String::as_str),
        Some(MOUNT)
    );
    let plaintext = m
        .engine
        .secret(&record.mounts[MOUNT].secret_id)
        .expect("the mounted secret")
        .plaintext;
    // The container's file, on the host: written 0400 as the engine mounts it.
    let root = tempfile::tempdir().expect("container root");
    let file = clients::write_mounted_config(root.path(), plaintext.as_bytes());
    checks::assert_ok(&clients::skopeo_push(
        &file,
        &reg,
        &layout,
        "e2e/authfile:1",
    ));

    let inspect = clients::skopeo_inspect_registry_auth_file(&file, &reg, "e2e/authfile:1");
    checks::assert_ok(&inspect);
    assert!(
        inspect.output.contains(&layout.layer_digest),
        "the manifest of the pushed image: {inspect}"
    );
    let elsewhere = tempfile::tempdir().expect("empty dir");
    let missing = elsewhere.path().join("no-auth.json");
    let without = clients::skopeo_inspect_registry_auth_file(&missing, &reg, "e2e/authfile:1");
    assert!(
        !without.ok && !without.timed_out && without.output.contains("authentication required"),
        "no credential: the registry refuses the anonymous read: {without}"
    );
}

/// Docker Hub credential helpers, offline: `withCredentialHelper(docker.io, e2e)` rendered through
/// the module, read by skopeo and the docker CLI for a `docker.io/...` image with the test helper
/// on their `PATH`. Each client runs the helper (docker asks for the Hub key, skopeo for
/// `docker.io`, the exact key containers/image looks helpers up by): that is the proof, as the
/// pull itself then fails at the closed loopback proxy every request is sent to. A config with
/// the Hub key alone, as the module wrote before, is never consulted by skopeo.
#[test]
fn a_docker_hub_helper_is_run_by_skopeo_and_the_docker_cli() {
    const IMAGE: &str = "library/alpine:3";
    let m = Module::register();
    let state = m.ok(
        "withCredentialHelper",
        &json!({}),
        vec![("address", json!("docker.io")), ("helper", json!(HELPER))],
    );
    let plaintext = deliver(&m, &state, Delivery::Secret);
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{}},"credHelpers":{{"docker.io":"{HELPER}","{HUB_KEY}":"{HELPER}"}}}}"#
        )
    );
    let dir = tempfile::tempdir().expect("config dir");
    let config = clients::write_mounted_config(dir.path(), plaintext.as_bytes());
    let hub_key_only_dir = tempfile::tempdir().expect("config dir");
    let hub_key_only = clients::write_mounted_config(
        hub_key_only_dir.path(),
        format!(r#"{{"auths":{{}},"credHelpers":{{"{HUB_KEY}":"{HELPER}"}}}}"#).as_bytes(),
    );
    let helper = CredentialHelper::install(HELPER);
    helper.answer("docker.io", TEST_USER, "hub-helper-sentinel");

    // Runs one read with the helper on the PATH; returns the helper's calls during it.
    let calls_of = |read: &dyn Fn() -> ClientResult| {
        let before = helper.requests().len();
        let result = clients::with_path_prefix(&helper.bin_dir(), read);
        assert!(!result.timed_out, "{result}");
        assert!(!result.ok, "offline, the read cannot succeed: {result}");
        // Every request went to the closed loopback proxy: nothing left the machine.
        assert!(
            result
                .output
                .contains("proxyconnect tcp: dial tcp 127.0.0.1:"),
            "{result}"
        );
        let calls = helper.requests().split_off(before);
        eprintln!(
            "{} ms  {}  helper calls {calls:?}",
            result.elapsed.as_millis(),
            result.label
        );
        calls
    };
    let skopeo = calls_of(&|| clients::skopeo_inspect_hub_offline(&config, IMAGE));
    assert!(!skopeo.is_empty(), "skopeo ran the helper");
    assert!(
        skopeo.iter().all(|call| call == "get docker.io"),
        "{skopeo:?}"
    );
    let docker = calls_of(&|| clients::docker_manifest_inspect_hub_offline(&config, IMAGE));
    assert!(!docker.is_empty(), "the docker CLI ran the helper");
    assert!(
        docker.iter().all(|call| *call == format!("get {HUB_KEY}")),
        "{docker:?}"
    );
    // The Hub key alone: docker runs the helper, skopeo never looks.
    let skopeo = calls_of(&|| clients::skopeo_inspect_hub_offline(&hub_key_only, IMAGE));
    assert!(skopeo.is_empty(), "{skopeo:?}");
    let docker = calls_of(&|| clients::docker_manifest_inspect_hub_offline(&hub_key_only, IMAGE));
    assert!(!docker.is_empty(), "{docker:?}");
}
