//! Call chains through the real binary and the engine double: rendered bytes, replace/remove by
//! normalized key, tokens, imports, registries, every mount form, and round trips per call.

use serde_json::{json, Value};
use test_support::b64;
use test_support::module::{steps, Module};
use test_support::registry::Registry;

/// `withRegistryAuth` on `state` through the module (see `Module::with_auth`).
fn auth(module: &mut Module, state: &Value, address: &str, user: &str, password: &str) -> Value {
    module.with_auth(state, address, user, password)
}

#[test]
fn two_registries_then_secret_renders_the_expected_bytes() {
    let mut m = Module::register();
    let state = auth(
        &mut m,
        &json!({}),
        "ghcr.io",
        "sagikazarmark",
        "password-sentinel-1",
    );
    let state = auth(
        &mut m,
        &state,
        "docker.io",
        "sagikazarmark",
        "password-sentinel-2",
    );
    let secret = m.ok("secret", &state, vec![]);
    let (name, plaintext) = m.rendered(&secret);
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"https://index.docker.io/v1/":{{"auth":"{}"}}}}}}"#,
            b64("sagikazarmark:password-sentinel-1"),
            b64("sagikazarmark:password-sentinel-2")
        )
    );
    assert!(
        name.starts_with("registry-config-") && name.len() == "registry-config-".len() + 64,
        "{name}"
    );
}

#[test]
fn state_holds_only_kind_key_username_and_secret_ids() {
    let mut m = Module::register();
    let state = auth(
        &mut m,
        &json!({}),
        "HTTPS://GHCR.IO/",
        "me",
        "state-sentinel-pw",
    );
    let step = &steps(&state)[0];
    let mut fields: Vec<&str> = step
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(fields, ["key", "kind", "secret", "username"]);
    assert_eq!(step["kind"], "basic");
    assert_eq!(step["key"], "ghcr.io");
    assert_eq!(step["username"], "me");
    // The secret is an ID the engine knows, not the password.
    assert!(m.engine.secret(step["secret"].as_str().unwrap()).is_some());
}

#[test]
fn replace_and_remove_match_by_normalized_key() {
    let mut m = Module::register();
    let state = auth(
        &mut m,
        &json!({}),
        "index.docker.io",
        "old",
        "replaced-sentinel",
    );
    let state = auth(
        &mut m,
        &state,
        "https://registry-1.docker.io/",
        "new",
        "winner-sentinel",
    );
    let state = auth(&mut m, &state, "quay.io", "q", "removed-sentinel");
    assert_eq!(
        steps(&state).len(),
        2,
        "replaced entries leave no trace in state"
    );
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("https://QUAY.io/"))],
    );
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("never-added.example.com"))],
    );
    let keys = m.ok("registries", &state, vec![]);
    assert_eq!(keys, json!(["https://index.docker.io/v1/"]));
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}"}}}}}}"#,
            b64("new:winner-sentinel")
        )
    );
}

#[test]
fn tokens_render_identitytoken_and_registrytoken() {
    let mut m = Module::register();
    m.watch("x", "identity-sentinel");
    m.watch("x", "bearer-sentinel");
    let identity = m.engine.seed_secret("identity-sentinel");
    let bearer = m.engine.seed_secret("bearer-sentinel");
    let state = m.ok(
        "withIdentityToken",
        &json!({}),
        vec![
            ("address", json!("MyReg.azurecr.io")),
            ("token", json!(identity)),
        ],
    );
    let state = m.ok(
        "withRegistryToken",
        &state,
        vec![
            ("address", json!("registry.example.com:8443")),
            ("token", json!(bearer)),
        ],
    );
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(
        plaintext,
        r#"{"auths":{"myreg.azurecr.io":{"identitytoken":"identity-sentinel"},"registry.example.com:8443":{"registrytoken":"bearer-sentinel"}}}"#
    );
}

#[test]
fn docker_config_merges_at_its_place_in_the_chain() {
    let mut m = Module::register();
    let imported = format!(
        r#"{{"auths":{{"docker.io":{{"auth":"{}"}},"ghcr.io":{{"auth":"{}"}},"quay.io":{{"auth":"{}"}}}},"credsStore":"desktop","credHelpers":{{"gcr.io":"gcloud"}}}}"#,
        b64("hub:imported-hub-sentinel"),
        b64("gh:imported-gh-sentinel"),
        b64("q:imported-quay-sentinel")
    );
    let config = m.config_secret(
        &imported,
        &[
            ("hub", "imported-hub-sentinel"),
            ("gh", "imported-gh-sentinel"),
            ("q", "imported-quay-sentinel"),
        ],
    );
    let state = auth(
        &mut m,
        &json!({}),
        "ghcr.io",
        "gh",
        "before-import-sentinel",
    );
    let state = m.ok("withDockerConfig", &state, vec![("config", json!(config))]);
    let state = auth(&mut m, &state, "docker.io", "hub", "after-import-sentinel");
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("quay.io"))],
    );

    let keys = m.call("RegistryConfig", "registries", state.clone(), vec![]);
    // The imported credHelpers entry is kept (credsStore only matters for empty entries).
    assert_eq!(
        keys.return_value,
        Some(json!(["gcr.io", "ghcr.io", "https://index.docker.io/v1/"]))
    );
    assert_eq!(
        keys.round_trips, 3,
        "envelope, imported configs, returnValue"
    );

    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"https://index.docker.io/v1/":{{"auth":"{}"}}}},"credHelpers":{{"gcr.io":"gcloud"}}}}"#,
            b64("gh:imported-gh-sentinel"),
            b64("hub:after-import-sentinel")
        )
    );
}

#[test]
fn empty_config_renders_empty_auths_and_registries_is_empty() {
    let m = Module::register();
    assert_eq!(m.ok("registries", &json!({}), vec![]), json!([]));
    let (_, plaintext) = m.rendered(&m.ok("secret", &json!({}), vec![]));
    assert_eq!(plaintext, r#"{"auths":{}}"#);
}

#[test]
fn mount_secret_mounts_the_config_read_only_with_owner_and_mode() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "mount-sentinel-pw");
    let container = m.engine.new_container();

    let default = m.ok("mountSecret", &state, vec![("container", json!(container))]);
    let record = m.engine.container(default.as_str().unwrap()).unwrap();
    let mount = &record.mounts["/root/.docker/config.json"];
    assert_eq!(
        (mount.owner.as_str(), mount.mode),
        ("", 256),
        "engine defaults: root, 0400"
    );
    let plaintext = m.engine.secret(&mount.secret_id).unwrap().plaintext;
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
            b64("me:mount-sentinel-pw")
        )
    );
    assert!(
        record.files.is_empty() && record.env.is_empty(),
        "no withNewFile, no env"
    );

    let custom = m.ok(
        "mountSecret",
        &state,
        vec![
            ("container", json!(container)),
            ("path", json!("/home/app/.docker/config.json")),
            ("owner", json!("1000:1000")),
            ("mode", json!(0o440)),
        ],
    );
    let record = m.engine.container(custom.as_str().unwrap()).unwrap();
    let mount = &record.mounts["/home/app/.docker/config.json"];
    assert_eq!((mount.owner.as_str(), mount.mode), ("1000:1000", 0o440));
    // The original container is unchanged (immutability).
    assert!(m.engine.container(&container).unwrap().mounts.is_empty());
}

#[test]
fn mount_docker_config_sets_docker_config_next_to_the_file() {
    let mut m = Module::register();
    let state = auth(
        &mut m,
        &json!({}),
        "localhost:5000",
        "me",
        "docker-config-sentinel",
    );
    let container = m.engine.new_container();
    let out = m.ok(
        "mountDockerConfig",
        &state,
        vec![
            ("container", json!(container)),
            ("dir", json!("/kaniko/.docker/")),
            ("owner", json!("kaniko")),
        ],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    assert_eq!(
        record.env.get("DOCKER_CONFIG").map(String::as_str),
        Some("/kaniko/.docker")
    );
    let mount = &record.mounts["/kaniko/.docker/config.json"];
    assert_eq!(mount.owner, "kaniko");
    assert!(m
        .engine
        .secret(&mount.secret_id)
        .unwrap()
        .plaintext
        .contains("localhost:5000"));
}

#[test]
fn secret_variable_sets_docker_auth_config_and_refuses_tokens() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "variable-sentinel");
    let container = m.engine.new_container();
    let out = m.ok(
        "secretVariable",
        &state,
        vec![("container", json!(container))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    let secret_id = &record.secret_env["DOCKER_AUTH_CONFIG"];
    assert!(m
        .engine
        .secret(secret_id)
        .unwrap()
        .plaintext
        .starts_with(r#"{"auths":{"ghcr.io":{"auth":"#));
    assert!(record.mounts.is_empty() && record.env.is_empty());

    m.watch("x", "token-sentinel-xyz");
    let token = m.engine.seed_secret("token-sentinel-xyz");
    let with_token = m.ok(
        "withRegistryToken",
        &state,
        vec![("address", json!("quay.io")), ("token", json!(token))],
    );
    let message = m.err(
        "secretVariable",
        &with_token,
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with("secretVariable: ")
            && message.contains("\"quay.io\"")
            && message.contains("DOCKER_AUTH_CONFIG"),
        "{message}"
    );
}

#[test]
fn secret_mount_then_mount_is_go_module_compatible() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "secret-mount-sentinel");
    let mount = m.ok(
        "secretMount",
        &state,
        vec![
            ("path", json!("/root/.config/helm/registry/config.json")),
            ("secretName", json!("helm")),
            ("owner", json!("0")),
            ("mode", json!(0o400)),
        ],
    );
    assert_eq!(mount["path"], "/root/.config/helm/registry/config.json");
    assert_eq!(mount["secretName"], "helm");
    assert_eq!(mount["skipOnEmpty"], false);
    // The engine re-encodes IDs between calls, so compare everything but the secret ID.
    let carried = &steps(&mount["registryConfig"])[0];
    assert_eq!(
        (&carried["kind"], &carried["key"], &carried["username"]),
        (&json!("basic"), &json!("ghcr.io"), &json!("me"))
    );

    let container = m.engine.new_container();
    let out = m.ok_on(
        "SecretMount",
        "mount",
        &mount,
        vec![("container", json!(container))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    let mounted = &record.mounts["/root/.config/helm/registry/config.json"];
    assert_eq!((mounted.owner.as_str(), mounted.mode), ("0", 0o400));
    let secret = m.engine.secret(&mounted.secret_id).unwrap();
    assert!(secret.name.starts_with("helm-"), "{}", secret.name);
}

#[test]
fn a_mode_without_an_owner_reaches_the_container() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "mode-only-sentinel");
    let container = m.engine.new_container();

    let out = m.ok(
        "mountSecret",
        &state,
        vec![("container", json!(container)), ("mode", json!(0o444))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    let mount = &record.mounts["/root/.docker/config.json"];
    assert_eq!((mount.owner.as_str(), mount.mode), ("", 0o444));

    let prepared = m.ok(
        "secretMount",
        &state,
        vec![("path", json!("/cfg/config.json")), ("mode", json!(0o440))],
    );
    let out = m.ok_on(
        "SecretMount",
        "mount",
        &prepared,
        vec![("container", json!(container))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    let mount = &record.mounts["/cfg/config.json"];
    assert_eq!((mount.owner.as_str(), mount.mode), ("", 0o440));

    // secretMount keeps the Go module's meaning of 0: the engine default.
    let prepared = m.ok(
        "secretMount",
        &state,
        vec![("path", json!("/cfg/config.json")), ("mode", json!(0))],
    );
    let out = m.ok_on(
        "SecretMount",
        "mount",
        &prepared,
        vec![("container", json!(container))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    assert_eq!(record.mounts["/cfg/config.json"].mode, 0o400);
}

/// Applies a `SecretMount` to `container` and returns the resulting container's mount paths.
fn apply_mount(m: &Module, mount: &Value, container: &str) -> Vec<String> {
    let out = m.ok_on(
        "SecretMount",
        "mount",
        mount,
        vec![("container", json!(container))],
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    record.mounts.keys().cloned().collect()
}

#[test]
fn skip_on_empty_leaves_the_container_unchanged() {
    let mut m = Module::register();
    let container = m.engine.new_container();
    let skip = |m: &Module, state: &Value| {
        m.ok(
            "secretMount",
            state,
            vec![("path", json!("/cfg.json")), ("skipOnEmpty", json!(true))],
        )
    };
    let out = m.call(
        "SecretMount",
        "mount",
        skip(&m, &json!({})),
        vec![("container", json!(container))],
    );
    assert_eq!(
        out.return_value,
        Some(json!(container)),
        "the input container, unchanged"
    );
    assert_eq!(out.round_trips, 2, "envelope and returnValue only");

    // An imported config with no entries is empty too; one with entries is mounted.
    let empty_import = m
        .engine
        .seed_secret(r#"{"auths":{},"credsStore":"desktop"}"#);
    let state = m.ok(
        "withDockerConfig",
        &json!({}),
        vec![("config", json!(empty_import))],
    );
    let unchanged = m.ok_on(
        "SecretMount",
        "mount",
        &skip(&m, &state),
        vec![("container", json!(container))],
    );
    assert_eq!(unchanged, json!(container));

    let out = m.call(
        "SecretMount",
        "mount",
        skip(&m, &state),
        vec![("container", json!(container))],
    );
    assert_eq!(
        out.round_trips, 3,
        "envelope, one plaintext read, returnValue"
    );

    let state = auth(&mut m, &state, "ghcr.io", "me", "skip-sentinel-pw");
    assert_eq!(
        apply_mount(&m, &skip(&m, &state), &container),
        ["/cfg.json"]
    );
    let out = m.call(
        "SecretMount",
        "mount",
        skip(&m, &state),
        vec![("container", json!(container))],
    );
    assert_eq!(
        out.round_trips, 5,
        "the emptiness check reuses the one plaintext read"
    );

    // Without skipOnEmpty an empty config is still mounted (as the Go module does).
    let always = m.ok(
        "secretMount",
        &json!({}),
        vec![("path", json!("/cfg.json"))],
    );
    assert_eq!(apply_mount(&m, &always, &container), ["/cfg.json"]);
}

#[test]
fn same_content_gets_the_same_name_across_calls_and_never_swaps() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "stable-sentinel-1");
    let first = m.rendered(&m.ok("secret", &state, vec![])).0;
    let again = m.rendered(&m.ok("secret", &state, vec![])).0;
    assert_eq!(first, again);
    let other = auth(&mut m, &state, "ghcr.io", "me", "stable-sentinel-2");
    let changed = m.rendered(&m.ok("secret", &other, vec![])).0;
    assert_ne!(first, changed);
    let named = m
        .rendered(&m.ok("secret", &state, vec![("name", json!("ci"))]))
        .0;
    let digest = first
        .strip_prefix("registry-config-")
        .unwrap_or_else(|| panic!("{first:?} has the default prefix"));
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first:?} ends in a 32-byte hex digest"
    );
    assert_eq!(
        named,
        format!("ci-{digest}"),
        "the name sets only the prefix"
    );
    assert!(
        m.engine.secret_swaps().is_empty(),
        "two contents under one name"
    );
}

#[test]
fn round_trips_per_call_meet_the_budget_whatever_the_number_of_registries() {
    let mut m = Module::register();
    let container = m.engine.new_container();
    let secret = m.secret("user", "round-trip-sentinel");
    let mut state = json!({});
    let mut secret_trips = Vec::new();
    for n in 1..=100 {
        let out = m.call(
            "RegistryConfig",
            "withRegistryAuth",
            state.clone(),
            vec![
                ("address", json!(format!("registry-{n}.example.com"))),
                ("username", json!("user")),
                ("secret", json!(secret)),
            ],
        );
        assert_eq!(
            out.round_trips, 2,
            "withRegistryAuth: envelope + returnValue"
        );
        state = out.return_value.unwrap();
        if [1, 10, 100].contains(&n) {
            let out = m.call("RegistryConfig", "secret", state.clone(), vec![]);
            secret_trips.push(out.round_trips);
            let out = m.call(
                "RegistryConfig",
                "mountSecret",
                state.clone(),
                vec![("container", json!(container))],
            );
            assert_eq!(out.round_trips, 5, "mountSecret with {n} registries");
        }
    }
    assert_eq!(
        secret_trips,
        [4, 4, 4],
        "secret: envelope, plaintexts, setSecret, returnValue"
    );
    let out = m.call(
        "RegistryConfig",
        "withoutRegistryAuth",
        state,
        vec![("address", json!("registry-1.example.com"))],
    );
    assert_eq!(out.round_trips, 2);
}

/// A call on some object: object, function, parent state, arguments, and the HTTP round trips
/// it takes.
type ObjectCall<'a> = (&'a str, &'a str, Value, Vec<(&'a str, Value)>, usize);

/// One successful call of every registered function, on a config with a password entry and an
/// imported config (and a prepared `SecretMount`; `verify` on an entry for `registry`), with its round trips: the envelope and
/// `returnValue`; one plaintext read for whatever is rendered (and `registries`, which reads
/// the import); one `setSecret`; and the container step for functions that return one.
fn every_registered_call(m: &mut Module, registry: &Registry) -> Vec<ObjectCall<'static>> {
    let state = auth(m, &json!({}), "ghcr.io", "me", "cache-policy-sentinel");
    let imported = m.config_secret(
        &format!(
            r#"{{"auths":{{"quay.io":{{"auth":"{}"}}}}}}"#,
            b64("q:cache-import-pw")
        ),
        &[("q", "cache-import-pw")],
    );
    let state = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    let secret = m.secret("me", "cache-policy-second");
    let container = m.engine.new_container();
    // `verify` talks to `registry`, a real one on 127.0.0.1 (the only traffic tests may send).
    let verifiable = auth(
        m,
        &json!({}),
        registry.host_port(),
        registry.user(),
        registry.password(),
    );
    let prepared = m.ok("secretMount", &state, vec![("path", json!("/cfg.json"))]);
    let on_config = |function, args, round_trips| {
        ("RegistryConfig", function, state.clone(), args, round_trips)
    };
    vec![
        on_config(
            "withRegistryAuth",
            vec![
                ("address", json!("a.io")),
                ("username", json!("u")),
                ("secret", json!(secret)),
            ],
            2,
        ),
        on_config(
            "withoutRegistryAuth",
            vec![("address", json!("quay.io"))],
            2,
        ),
        on_config(
            "withIdentityToken",
            vec![("address", json!("a.io")), ("token", json!(secret))],
            2,
        ),
        on_config(
            "withRegistryToken",
            vec![("address", json!("a.io")), ("token", json!(secret))],
            2,
        ),
        on_config(
            "withCredentialHelper",
            vec![("address", json!("gcr.io")), ("helper", json!("gcloud"))],
            2,
        ),
        on_config(
            "withEcrAuth",
            vec![
                (
                    "address",
                    json!("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
                ),
                ("accessKeyId", json!(secret)),
                ("secretAccessKey", json!(secret)),
                ("endpoint", json!("")),
            ],
            2,
        ),
        on_config("withDockerConfig", vec![("config", json!(imported))], 2),
        on_config("registries", vec![], 3),
        on_config("secret", vec![], 4),
        on_config("kubernetesSecret", vec![("name", json!("regcred"))], 4),
        // One read of the plaintexts, no setSecret: secret()'s requests but one.
        ("RegistryConfig", "verify", verifiable, vec![], 3),
        on_config("mountSecret", vec![("container", json!(container))], 5),
        on_config(
            "mountDockerConfig",
            vec![("container", json!(container))],
            5,
        ),
        on_config("secretVariable", vec![("container", json!(container))], 5),
        on_config("secretMount", vec![("path", json!("/cfg.json"))], 2),
        (
            "SecretMount",
            "mount",
            prepared,
            vec![("container", json!(container))],
            5,
        ),
    ]
}

#[test]
fn every_registered_function_keeps_its_round_trips_and_cache_policy() {
    let mut m = Module::register();
    let registry = Registry::start(false);
    let calls = every_registered_call(&mut m, &registry);
    let mut called: Vec<(&str, &str)> = calls.iter().map(|(o, f, ..)| (*o, *f)).collect();
    let module = m.engine.module(&m.id).unwrap();
    let mut registered: Vec<(&str, &str)> = module
        .objects
        .iter()
        .flat_map(|o| {
            o.functions
                .iter()
                .map(|f| (o.name.as_str(), f.name.as_str()))
        })
        .collect();
    called.sort_unstable();
    registered.sort_unstable();
    assert_eq!(called, registered, "every registered function is called");
    for (object, function, parent, args, round_trips) in calls {
        let outcome = m.call(object, function, parent, args);
        assert_eq!(
            outcome.exit_code,
            Some(0),
            "{object}.{function}: {}",
            outcome.stderr
        );
        assert_eq!(
            outcome.round_trips,
            round_trips,
            "{object}.{function}: {:#?}",
            outcome.queries()
        );
        // Exactly the functions that read a secret (or store one) are never cached.
        let reads_secret = outcome
            .queries()
            .iter()
            .any(|q| q.contains("plaintext") || q.contains("setSecret"));
        let policy = m
            .engine
            .module_function(&m.id, object, function)
            .unwrap()
            .cache_policy;
        let expected = if reads_secret { "Never" } else { "Default" };
        assert_eq!(
            policy.as_deref(),
            Some(expected),
            "{object}.{function} reads a secret: {reads_secret}"
        );
    }
}

#[test]
fn registries_refuses_what_secret_refuses() {
    let mut m = Module::register();
    let state = auth(
        &mut m,
        &json!({}),
        "quay.io/a",
        "me",
        "namespace-sentinel-a",
    );
    let state = auth(&mut m, &state, "quay.io/b", "me", "namespace-sentinel-b");
    let secret = m.err("secret", &state, vec![]);
    let registries = m.err("registries", &state, vec![]);
    assert!(
        secret.starts_with("secret: the keys [\"quay.io/a\", \"quay.io/b\"] all scope host"),
        "{secret}"
    );
    let reason = secret.strip_prefix("secret: ").expect("named by secret");
    assert_eq!(registries, format!("registries: {reason}"));
    // With a host-level key both agree again.
    let state = auth(&mut m, &state, "quay.io", "me", "namespace-sentinel-host");
    assert_eq!(
        m.ok("registries", &state, vec![]),
        json!(["quay.io", "quay.io/a", "quay.io/b"])
    );
}

const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

#[test]
fn credential_helpers_render_in_cred_helpers_and_replace_by_key() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "ghcr.io", "me", "helper-sentinel-pw");
    let state = m.ok(
        "withCredentialHelper",
        &state,
        vec![
            ("address", json!(format!("https://{ECR}/"))),
            ("helper", json!("ecr-login")),
        ],
    );
    assert_eq!(
        steps(&state)[1],
        json!({"kind": "credentialHelper", "key": ECR, "helper": "ecr-login"}),
        "a helper step holds no secret at all"
    );
    let state = m.ok(
        "withCredentialHelper",
        &state,
        vec![("address", json!("gcr.io")), ("helper", json!("gcloud"))],
    );
    assert_eq!(
        m.ok("registries", &state, vec![]),
        json!([ECR, "gcr.io", "ghcr.io"])
    );
    m.engine.reset_log();
    let out = m.call("RegistryConfig", "secret", state.clone(), vec![]);
    assert_eq!(out.round_trips, 4, "helpers keep secret() at 4 round trips");
    let (_, plaintext) = m.rendered(out.return_value.as_ref().unwrap());
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credHelpers":{{"{ECR}":"ecr-login","gcr.io":"gcloud"}}}}"#,
            b64("me:helper-sentinel-pw")
        )
    );

    // A later withRegistryAuth for the key replaces the helper, and withoutRegistryAuth removes
    // either kind; with no helper left, credHelpers is omitted.
    let state = auth(&mut m, &state, "gcr.io", "_json_key", "gcr-sentinel-key");
    let state = m.ok("withoutRegistryAuth", &state, vec![("address", json!(ECR))]);
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert!(!plaintext.contains("credHelpers"), "{plaintext}");
    assert_eq!(
        m.ok("registries", &state, vec![]),
        json!(["gcr.io", "ghcr.io"])
    );
    // And a helper replaces basic auth.
    let state = m.ok(
        "withCredentialHelper",
        &state,
        vec![("address", json!("ghcr.io")), ("helper", json!("gh"))],
    );
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert!(
        plaintext.ends_with(r#""credHelpers":{"ghcr.io":"gh"}}"#),
        "{plaintext}"
    );
    assert!(!plaintext.contains(r#""ghcr.io":{"auth""#), "{plaintext}");
}

#[test]
fn credential_helper_names_and_addresses_are_checked() {
    let m = Module::register();
    let cases = [
        ("gcr.io", "", "argument helper: \"\" is empty"),
        (
            "gcr.io",
            "../../bin/sh",
            "argument helper: \"../../bin/sh\" contains a path separator",
        ),
        (
            "gcr.io",
            "ecr login",
            "argument helper: \"ecr login\" is not a helper name",
        ),
        (
            "gcr.io",
            "-rf",
            "argument helper: \"-rf\" is not a helper name",
        ),
        (
            "gcr.io",
            "gcloud\u{202e}",
            "argument helper: \"gcloud\\u{202e}\" contains a character a person cannot see (shown escaped)",
        ),
        (
            "quay.io/org",
            "quay",
            "argument address: \"quay.io/org\" is a namespace",
        ),
        (
            "https://robot:pw@gcr.io",
            "gcloud",
            "argument address: \"https://***@gcr.io\"",
        ),
    ];
    for (address, helper, expected) in cases {
        let message = m.err(
            "withCredentialHelper",
            &json!({}),
            vec![("address", json!(address)), ("helper", json!(helper))],
        );
        let expected = format!("withCredentialHelper: {expected}");
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
    }
    // DOCKER_AUTH_CONFIG cannot carry a helper.
    let state = m.ok(
        "withCredentialHelper",
        &json!({}),
        vec![("address", json!(ECR)), ("helper", json!("ecr-login"))],
    );
    let container = m.engine.new_container();
    let message = m.err(
        "secretVariable",
        &state,
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with(&format!(
            "secretVariable: the config names a credential helper for \"{ECR}\""
        )),
        "{message}"
    );
}

#[test]
fn mount_secret_can_point_a_variable_at_the_file() {
    let mut m = Module::register();
    let state = auth(&mut m, &json!({}), "quay.io", "me", "variable-sentinel-pw");
    let container = m.engine.new_container();
    for (variable, path) in [
        ("REGISTRY_AUTH_FILE", "/run/containers/auth.json"),
        (
            "HELM_REGISTRY_CONFIG",
            "/root/.config/helm/registry/config.json",
        ),
    ] {
        let out = m.ok(
            "mountSecret",
            &state,
            vec![
                ("container", json!(container)),
                ("path", json!(path)),
                ("variable", json!(variable)),
            ],
        );
        let record = m.engine.container(out.as_str().unwrap()).unwrap();
        assert_eq!(record.env.get(variable).map(String::as_str), Some(path));
        assert!(record.mounts.contains_key(path));
    }
    // The default sets no variable; a variable name is checked like secretVariable's.
    let out = m.ok("mountSecret", &state, vec![("container", json!(container))]);
    assert!(m
        .engine
        .container(out.as_str().unwrap())
        .unwrap()
        .env
        .is_empty());
    let message = m.err(
        "mountSecret",
        &state,
        vec![
            ("container", json!(container)),
            ("variable", json!("LD_PRELOAD")),
        ],
    );
    assert!(
        message.starts_with("mountSecret: argument variable: \"LD_PRELOAD\" cannot be used"),
        "{message}"
    );
}

#[test]
fn logins_kept_in_a_credential_store_fail_loudly_until_replaced_or_removed() {
    let mut m = Module::register();
    let imported = format!(
        r#"{{"auths":{{"ghcr.io":{{}},"https://index.docker.io/v1/":{{}},"quay.io":{{"auth":"{}"}}}},"credsStore":"desktop"}}"#,
        b64("q:store-file-sentinel")
    );
    let config = m.config_secret(&imported, &[("q", "store-file-sentinel")]);
    let state = m.ok(
        "withDockerConfig",
        &json!({}),
        vec![("config", json!(config))],
    );
    // registries lists the placeholders (it reads no store).
    assert_eq!(
        m.ok("registries", &state, vec![]),
        json!(["ghcr.io", "https://index.docker.io/v1/", "quay.io"])
    );
    let message = m.err("secret", &state, vec![]);
    assert_eq!(
        message,
        "secret: the imported config keeps the credentials for [\"ghcr.io\", \"https://index.docker.io/v1/\"] in the credential store or desktop-only helper [\"desktop\"] of the machine that wrote it, which no container can reach; pass each with withRegistryAuth or withCredentialHelper after withDockerConfig, or drop it with withoutRegistryAuth"
    );
    let container = m.engine.new_container();
    let message = m.err(
        "mountDockerConfig",
        &state,
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with("mountDockerConfig: the imported config keeps"),
        "{message}"
    );

    // Replacing one and removing the other makes it render.
    let state = auth(&mut m, &state, "ghcr.io", "me", "store-replacement-pw");
    let message = m.err("secret", &state, vec![]);
    assert!(
        message.contains("[\"https://index.docker.io/v1/\"]"),
        "{message}"
    );
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("docker.io"))],
    );
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"quay.io":{{"auth":"{}"}}}}}}"#,
            b64("me:store-replacement-pw"),
            b64("q:store-file-sentinel")
        )
    );
    // A replacement that comes before the import does not count: the import wins.
    let early = auth(&mut m, &json!({}), "ghcr.io", "me", "store-early-pw");
    let early = m.ok("withDockerConfig", &early, vec![("config", json!(config))]);
    assert!(m.err("secret", &early, vec![]).contains("\"ghcr.io\""));
}
