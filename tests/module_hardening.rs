//! Trying to break the module: a catalogue of bad inputs, tampered state, wrong calls and a
//! misbehaving engine. Every case must end as a returned Dagger Error (exit 2) whose message
//! names the function, the argument and the non-secret value — never a panic, a hang or a leak.

use engine_double::{Call, Fault};
use serde_json::{json, Value};
use test_support::b64;
use test_support::module::{assert_no_leak, assert_returned_error, binary, Module};

const SENTINEL: &str = "hardening-sentinel-pw";

/// A function, its arguments, and how its error message must start.
type Case<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str);

/// Like [`Case`], with the expected message (after `"<function>: "`) built at run time.
type OwnedCase<'a> = (&'a str, Vec<(&'a str, Value)>, String);

/// A module with one valid entry in `state`.
fn with_entry() -> (Module, Value, String) {
    let mut m = Module::register();
    let secret = m.secret("me", SENTINEL);
    let state = m.ok(
        "withRegistryAuth",
        &json!({}),
        vec![
            ("address", json!("ghcr.io")),
            ("username", json!("me")),
            ("secret", json!(secret)),
        ],
    );
    (m, state, secret)
}

#[test]
fn bad_addresses_and_usernames_name_function_argument_and_value() {
    let (m, state, secret) = with_entry();
    let long = format!("{}.example.com", "a".repeat(300));
    let cases: Vec<(&str, &str, &str, Vec<&str>)> = vec![
        ("", "me", "argument address", vec!["empty"]),
        ("   ", "me", "argument address", vec!["empty"]),
        (
            "ghcr .io",
            "me",
            "argument address",
            vec!["\"ghcr .io\"", "whitespace"],
        ),
        (
            "ghcr.io\u{7}",
            "me",
            "argument address",
            vec!["\\u{7}", "control character"],
        ),
        (&long, "me", "argument address", vec!["312 bytes", "255"]),
        (
            "ghcr.io/org/app:1.0",
            "me",
            "argument address",
            vec!["\"ghcr.io/org/app:1.0\"", "tag", "\"ghcr.io/org/app\""],
        ),
        (
            "ghcr.io/org/app@sha256:abc",
            "me",
            "argument address",
            vec!["digest"],
        ),
        (
            "ghcr.io:99999",
            "me",
            "argument address",
            vec!["\"ghcr.io:99999\"", "1 to 65535"],
        ),
        (
            "fe80::1:5000",
            "me",
            "argument address",
            vec!["brackets", "[::1]:5000"],
        ),
        (
            "r\u{e9}gistry.example",
            "me",
            "argument address",
            vec!["invalid host"],
        ),
        ("quay.io/\\xff", "me", "argument address", vec!["namespace"]),
        (
            "docker.io/myorg",
            "me",
            "argument address",
            vec!["https://index.docker.io/v1/"],
        ),
        ("ghcr.io", "", "argument username", vec!["empty"]),
        (
            "ghcr.io",
            "a:b",
            "argument username",
            vec![
                "contains ':'",
                "3 bytes long; no part of it is shown",
                "first colon",
            ],
        ),
        (
            "ghcr.io",
            "me\n",
            "argument username",
            vec!["control character"],
        ),
    ];
    for (address, username, argument, fragments) in cases {
        let message = m.err(
            "withRegistryAuth",
            &state,
            vec![
                ("address", json!(address)),
                ("username", json!(username)),
                ("secret", json!(secret)),
            ],
        );
        assert!(
            message.starts_with(&format!("withRegistryAuth: {argument}: ")),
            "{message}"
        );
        for fragment in fragments {
            assert!(
                message.contains(fragment),
                "{address:?}/{username:?}: {message:?} lacks {fragment:?}"
            );
        }
    }
    for function in [
        "withoutRegistryAuth",
        "withIdentityToken",
        "withRegistryToken",
    ] {
        let mut args = vec![("address", json!("ghcr.io/x:1"))];
        if function != "withoutRegistryAuth" {
            args.push(("token", json!(secret)));
        }
        let message = m.err(function, &state, args);
        assert!(
            message.starts_with(&format!("{function}: argument address: \"ghcr.io/x:1\"")),
            "{message}"
        );
    }
}

#[test]
fn render_time_rules_fail_secret_with_a_clear_error() {
    let (mut m, state, _) = with_entry();
    // Oversized: reported before the engine sees it, without content.
    let big = m.secret("me", &"x".repeat(130_000));
    let big_state = m.ok(
        "withRegistryAuth",
        &state,
        vec![
            ("address", json!("quay.io")),
            ("username", json!("me")),
            ("secret", json!(big)),
        ],
    );
    let message = m.err("secret", &big_state, vec![]);
    assert!(
        message.starts_with("secret: the rendered config is ") && message.contains("128000-byte"),
        "{message}"
    );

    // Two namespaces of one host without a host key.
    let mut ns = state.clone();
    for namespace in ["quay.io/a", "quay.io/b"] {
        let secret = m.secret("me", "namespace-sentinel");
        ns = m.ok(
            "withRegistryAuth",
            &ns,
            vec![
                ("address", json!(namespace)),
                ("username", json!("me")),
                ("secret", json!(secret)),
            ],
        );
    }
    let message = m.err("secret", &ns, vec![]);
    assert!(
        message.contains("\"quay.io/a\"") && message.contains("at random"),
        "{message}"
    );
    let container = m.engine.new_container();
    let message = m.err("mountSecret", &ns, vec![("container", json!(container))]);
    assert!(message.starts_with("mountSecret: "), "{message}");

    // Bad secret names, paths, owners, modes and variable names.
    let cases: Vec<Case> = vec![
        (
            "secret",
            vec![("name", json!("has space"))],
            "secret: argument name: \"has space\"",
        ),
        (
            "mountSecret",
            vec![("container", json!(container)), ("path", json!(""))],
            "mountSecret: argument path: \"\" is empty",
        ),
        (
            "mountSecret",
            vec![
                ("container", json!(container)),
                ("owner", json!("bad owner")),
            ],
            "mountSecret: argument owner: \"bad owner\" has an invalid user",
        ),
        (
            "mountSecret",
            vec![("container", json!(container)), ("mode", json!(0))],
            "mountSecret: argument mode: 0 (0o0) would mount a file nobody can read; omit mode for the default 0o400",
        ),
        (
            "mountSecret",
            vec![("container", json!(container)), ("mode", json!(0o1000))],
            "mountSecret: argument mode: 512 (0o1000) is not a file mode",
        ),
        (
            "mountSecret",
            vec![("container", json!(container)), ("mode", json!(-1))],
            "mountSecret: argument mode: -1 (-0o1) is not a file mode",
        ),
        (
            "mountSecret",
            vec![
                ("container", json!(container)),
                ("owner", json!("1")),
                ("mode", json!(70000)),
            ],
            "mountSecret: argument mode: 70000 (0o210560) is not a file mode",
        ),
        (
            "mountDockerConfig",
            vec![
                ("container", json!(container)),
                ("dir", json!("relative/dir")),
            ],
            "mountDockerConfig: argument dir: \"relative/dir\" is not absolute",
        ),
        (
            "secretVariable",
            vec![("container", json!(container)), ("name", json!("1BAD"))],
            "secretVariable: argument name: \"1BAD\"",
        ),
        (
            "secretMount",
            vec![("path", json!("/x")), ("mode", json!(0o1000))],
            "secretMount: argument mode: 512 (0o1000) is not a file mode",
        ),
        (
            "secretMount",
            vec![("path", json!("/x")), ("mode", json!(-256))],
            "secretMount: argument mode: -256 (-0o400) is not a file mode",
        ),
        (
            "secretMount",
            vec![("path", json!("/x")), ("secretName", json!("a\tb"))],
            "secretMount: argument secretName:",
        ),
    ];
    for (function, args, expected) in cases {
        let message = m.err(function, &state, args);
        assert!(message.starts_with(expected), "{function}: {message}");
    }
}

#[test]
fn container_paths_owners_and_variable_names_are_checked_before_anything_is_read() {
    let (m, state, _) = with_entry();
    let container = m.engine.new_container();
    let long_path = format!("/{}", "a".repeat(4100));
    let mount_secret = |path: &str| vec![("container", json!(container)), ("path", json!(path))];
    let docker_config = |dir: &str| vec![("container", json!(container)), ("dir", json!(dir))];
    let owner = |owner: &str| vec![("container", json!(container)), ("owner", json!(owner))];
    let variable = |name: &str| vec![("container", json!(container)), ("name", json!(name))];
    let secret_mount = |path: &str| vec![("path", json!(path))];
    let cases: Vec<OwnedCase> = vec![
        // Paths: absolute, normalised, not "/", a file path without a trailing "/", bounded.
        ("mountSecret", mount_secret("relative"), "argument path: \"relative\" is not absolute".into()),
        ("mountSecret", mount_secret("../../etc/passwd"), "argument path: \"../../etc/passwd\" is not absolute".into()),
        ("mountSecret", mount_secret("/"), "argument path: \"/\" is the root directory".into()),
        ("mountSecret", mount_secret("/root/.docker/"), "argument path: \"/root/.docker/\" ends with '/'".into()),
        ("mountSecret", mount_secret("/root/../etc/passwd"), "argument path: \"/root/../etc/passwd\" has a '.' or '..' component".into()),
        ("mountSecret", mount_secret("/root/./config.json"), "argument path: \"/root/./config.json\" has a '.' or '..' component".into()),
        ("mountSecret", mount_secret("/root//config.json"), "argument path: \"/root//config.json\" has an empty component".into()),
        ("mountSecret", mount_secret("/cfg\u{7}.json"), "argument path: \"/cfg\\u{7}.json\" contains a control character".into()),
        ("mountSecret", mount_secret(&long_path), "argument path is 4101 bytes long; at most 4096 are accepted".into()),
        ("mountDockerConfig", docker_config("/a/../.."), "argument dir: \"/a/../..\" has a '.' or '..' component".into()),
        ("mountDockerConfig", docker_config("/"), "argument dir: \"/\" is the root directory".into()),
        ("mountDockerConfig", docker_config("//"), "argument dir: \"//\" is the root directory".into()),
        ("mountDockerConfig", docker_config("/kaniko//.docker"), "argument dir: \"/kaniko//.docker\" has an empty component".into()),
        ("mountDockerConfig", docker_config(""), "argument dir: \"\" is empty".into()),
        ("secretMount", secret_mount("relative/config.json"), "argument path: \"relative/config.json\" is not absolute".into()),
        ("secretMount", secret_mount("/x/../config.json"), "argument path: \"/x/../config.json\" has a '.' or '..' component".into()),
        ("secretMount", secret_mount("/root/.docker/"), "argument path: \"/root/.docker/\" ends with '/'".into()),
        // Owners: user, uid, user:group, uid:gid.
        ("mountSecret", owner("1000:1000:1"), "argument owner: \"1000:1000:1\" has more than one ':'".into()),
        ("mountSecret", owner(":"), "argument owner: \":\" has an invalid user".into()),
        ("mountSecret", owner(":1000"), "argument owner: \":1000\" has an invalid user".into()),
        ("mountSecret", owner("a:"), "argument owner: \"a:\" has an invalid group".into()),
        ("mountSecret", owner("../"), "argument owner: \"../\" has an invalid user".into()),
        ("mountSecret", owner("-1"), "argument owner: \"-1\" has an invalid user".into()),
        ("mountSecret", owner("12345678901234567890"), "argument owner: \"12345678901234567890\" has a user ID that does not fit in 32 bits".into()),
        ("mountSecret", owner("1000:99999999999"), "argument owner: \"1000:99999999999\" has a group ID that does not fit in 32 bits".into()),
        ("mountSecret", owner("app\u{200b}"), "argument owner: \"app\\u{200b}\" contains U+200B, an invisible character".into()),
        ("mountDockerConfig", owner("root:wheel:x"), "argument owner: \"root:wheel:x\" has more than one ':'".into()),
        // Variables that change how every process in the container runs.
        ("secretVariable", variable("PATH"), "argument name: \"PATH\" cannot be used: it decides which program every command runs".into()),
        ("secretVariable", variable("HOME"), "argument name: \"HOME\" cannot be used".into()),
        ("secretVariable", variable("SHELL"), "argument name: \"SHELL\" cannot be used".into()),
        ("secretVariable", variable("IFS"), "argument name: \"IFS\" cannot be used".into()),
        ("secretVariable", variable("LD_PRELOAD"), "argument name: \"LD_PRELOAD\" cannot be used: the dynamic loader reads it in every process".into()),
        ("secretVariable", variable("DYLD_INSERT_LIBRARIES"), "argument name: \"DYLD_INSERT_LIBRARIES\" cannot be used".into()),
    ];
    for (function, args, expected) in cases {
        m.engine.reset_log();
        let message = m.err(function, &state, args);
        let expected = format!("{function}: {expected}");
        assert!(
            message.starts_with(&expected),
            "{function}: {message}\nexpected: {expected}"
        );
        assert!(
            m.plaintext_reads().is_empty(),
            "{function}: a plaintext was read before the argument was checked"
        );
    }

    // What stays accepted: names and IDs, one trailing '/' on a directory, a mode-less owner.
    for owner_value in [
        "1000",
        "1000:1000",
        "app",
        "app:staff",
        "_svc$",
        "build.bot:ci-runners",
        "4294967295",
    ] {
        m.ok("mountSecret", &state, owner(owner_value));
    }
    m.ok(
        "mountDockerConfig",
        &state,
        docker_config("/kaniko/.docker/"),
    );
    m.ok("secretVariable", &state, variable("REGISTRY_AUTH"));
}

#[test]
fn malformed_or_hostile_imported_configs_are_reported_by_entry_not_content() {
    let m_and_state = with_entry();
    let (mut m, state, _) = m_and_state;
    let secret_b64 = b64(&format!("user:{SENTINEL}"));
    let configs: Vec<(String, &str)> = vec![
        (format!("not json {SENTINEL}"), "not valid JSON"),
        (
            format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
            "not a JSON object",
        ),
        (
            format!(
                "{{\"auths\":{{\"ghcr.io\":{{\"auth\":1{}}}}}}}",
                "0".repeat(5_000)
            ),
            "field \"auth\" is not a string",
        ),
        (
            format!("{{\"auths\":[\"{SENTINEL}\"]}}"),
            "\"auths\" is not a JSON object",
        ),
        (
            format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{SENTINEL}!\"}}}}}}"),
            "entry \"ghcr.io\": \"auth\" is not base64",
        ),
        (
            format!(
                "{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}",
                b64(SENTINEL)
            ),
            "entry \"ghcr.io\": \"auth\" does not decode to username:password",
        ),
        (
            format!("{{\"auths\":{{\"ghcr.io\":{{\"username\":7,\"password\":\"{SENTINEL}\"}}}}}}"),
            "field \"username\" is not a string",
        ),
        (
            format!("{{\"auths\":{{\"ghcr.io/app:1\":{{\"auth\":\"{secret_b64}\"}}}}}}"),
            "entry \"ghcr.io/app:1\"",
        ),
    ];
    for (config, expected) in configs {
        let imported = m.config_secret(&config, &[("user", SENTINEL)]);
        let with_import = m.ok(
            "withDockerConfig",
            &state,
            vec![("config", json!(imported))],
        );
        let message = m.err("secret", &with_import, vec![]);
        assert!(
            message.starts_with("secret: the config given to withDockerConfig call #1 is invalid"),
            "{message}"
        );
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        let message = m.err("registries", &with_import, vec![]);
        assert!(message.contains(expected), "registries: {message}");
    }
    // Deep nesting inside an entry: unknown fields are ignored, as docker does, so the entry
    // holds no credential and is dropped — without recursion trouble.
    let deep = format!(
        "{{\"auths\":{{\"deep.io\":{}1{}}}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    let imported = m.config_secret(&deep, &[]);
    let with_import = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    assert_eq!(m.ok("registries", &with_import, vec![]), json!(["ghcr.io"]));
}

/// Runs a raw call (bypassing the double's argument checks) and returns the error message.
fn raw_error(
    m: &Module,
    parent_name: &str,
    name: &str,
    parent: Value,
    args: Vec<(&str, Value)>,
) -> String {
    let outcome = m.engine.run(
        binary(),
        &Call {
            parent_name: parent_name.to_owned(),
            name: name.to_owned(),
            parent,
            input_args: args.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        },
    );
    assert_eq!(outcome.rejected_requests, 0);
    m.assert_no_leak(&outcome);
    assert_returned_error(&outcome)
}

#[test]
fn tampered_state_is_rejected_not_trusted() {
    let (m, state, secret) = with_entry();
    let step = state["steps"][0].clone();
    let mut tampered = Vec::new();
    let mut with = |f: &dyn Fn(&mut Value)| {
        let mut s = json!({"steps": [step.clone()]});
        f(&mut s["steps"][0]);
        tampered.push(s);
    };
    with(&|s| s["kind"] = json!("plaintext"));
    with(&|s| s["key"] = json!("DOCKER.IO"));
    with(&|s| s["key"] = json!("ghcr.io/app:1.0"));
    with(&|s| s["username"] = json!("a:b"));
    with(&|s| s["secret"] = json!(""));
    with(&|s| s["secret"] = json!(12));
    with(&|s| s["password"] = json!("smuggled-field"));
    tampered.push(json!({"steps": "nope"}));
    tampered.push(json!({"auths": []}));
    tampered.push(json!([1, 2]));
    tampered.push(json!("string state"));
    for parent in tampered {
        let message = raw_error(
            &m,
            "RegistryConfig",
            "secret",
            parent.clone(),
            vec![("name", json!(""))],
        );
        assert!(
            message.starts_with("secret: the RegistryConfig state is malformed"),
            "{parent}: {message}"
        );
        assert!(!message.contains(SENTINEL));
    }
    // A state pointing at something that is not a Secret.
    let container = m.engine.new_container();
    let mut wrong = state.clone();
    wrong["steps"][0]["secret"] = json!(container);
    let message = raw_error(
        &m,
        "RegistryConfig",
        "secret",
        wrong,
        vec![("name", json!(""))],
    );
    assert!(
        message.starts_with("secret: the Dagger engine failed while reading the secrets"),
        "{message}"
    );
    // A tampered SecretMount.
    let message = raw_error(
        &m,
        "SecretMount",
        "mount",
        json!({"path": 5}),
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with(
            "SecretMount.mount: the SecretMount state is malformed: field \"path\" is not a string"
        ),
        "{message}"
    );
    let mount = json!({"path": "", "secretName": "", "skipOnEmpty": false, "owner": "", "mode": 0, "registryConfig": state});
    let message = raw_error(
        &m,
        "SecretMount",
        "mount",
        mount,
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with("SecretMount.mount: argument path: \"\" is empty"),
        "{message}"
    );
    let _ = secret;
}

#[test]
fn tampered_state_errors_name_the_step_and_the_field() {
    let (m, state, secret) = with_entry();
    let step = state["steps"][0].clone();
    let changed = |f: &dyn Fn(&mut Value)| {
        let mut changed = step.clone();
        f(&mut changed);
        json!({"steps": [step.clone(), changed]})
    };
    let too_many: Vec<Value> = (0..10_001).map(|_| step.clone()).collect();
    let cases: Vec<(Value, &str)> = vec![
        (changed(&|s| s["kind"] = json!("plaintext")), "step 2: field \"kind\" is not one of basic, identityToken, registryToken, credentialHelper, ecr, remove, dockerConfig"),
        (changed(&|s| { s.as_object_mut().unwrap().remove("kind"); }), "step 2: field \"kind\" is missing"),
        (changed(&|s| s["key"] = json!("DOCKER.IO")), "step 2: field \"key\" is not a normalized registry key"),
        (changed(&|s| { s.as_object_mut().unwrap().remove("key"); }), "step 2: field \"key\" is missing"),
        (changed(&|s| s["username"] = json!("a:smuggled-in-state")), "step 2: field \"username\" is not a valid username"),
        (changed(&|s| s["secret"] = json!("")), "step 2: field \"secret\" is an empty Secret ID"),
        (changed(&|s| s["secret"] = json!(12)), "step 2: field \"secret\" is not a string"),
        (changed(&|s| s["password"] = json!("smuggled-in-state")), "step 2: unknown field \"password\" for kind \"basic\""),
        (changed(&|s| *s = json!("smuggled-in-state")), "step 2: it is not a JSON object"),
        (json!({"steps": "nope"}), "field \"steps\" is not a list"),
        (json!({"auths": []}), "unknown field \"auths\""),
        (json!({"steps": too_many}), "it has 10001 steps; at most 10000 are accepted"),
    ];
    for (parent, expected) in cases {
        m.engine.reset_log();
        let message = raw_error(
            &m,
            "RegistryConfig",
            "secret",
            parent,
            vec![("name", json!(""))],
        );
        let expected = format!("secret: the RegistryConfig state is malformed: {expected}");
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
        assert!(!message.contains("smuggled"), "{message}");
        assert!(
            m.plaintext_reads().is_empty() && !m.stored_a_secret(),
            "a malformed state reads nothing"
        );
    }
    let _ = secret;
}

#[test]
fn hostile_states_cost_no_work_their_result_cannot_use() {
    let mut m = Module::register();
    let big = m.secret("u", &"p".repeat(100_000));
    let basic = |key: String, secret: &str| json!({"kind": "basic", "key": key, "username": "u", "secret": secret});

    let secret_error = |m: &Module, steps: Vec<Value>| {
        m.engine.reset_log();
        raw_error(
            m,
            "RegistryConfig",
            "secret",
            json!({ "steps": steps }),
            vec![("name", json!(""))],
        )
    };
    // 1,000 distinct keys all pointing at one 100 kB secret (the engine hands each occurrence
    // over as its own ID): the answer is refused once it passes 16 MiB, and nothing is stored.
    let steps: Vec<Value> = (0..1_000)
        .map(|i| basic(format!("r{i}.example.com"), &big))
        .collect();
    let message = secret_error(&m, steps);
    assert!(
        message.starts_with("secret: the Dagger engine failed while reading the secrets: ")
            && message.contains("the answer from the engine is larger than 16 MiB"),
        "{message}"
    );
    assert!(!m.stored_a_secret());

    // 100 keys at that secret: read, then refused as too large before it is stored.
    let steps: Vec<Value> = (0..100)
        .map(|i| basic(format!("r{i}.example.com"), &big))
        .collect();
    let message = secret_error(&m, steps);
    assert!(
        message.starts_with("secret: the rendered config is"),
        "{message}"
    );
    assert!(!m.stored_a_secret());

    // 3,000 steps for one key: only the last one's secret is read.
    let secrets: Vec<String> = (0..3_000)
        .map(|i| m.engine.seed_secret(&format!("pw-{i}")))
        .collect();
    let steps: Vec<Value> = secrets
        .iter()
        .map(|s| basic("ghcr.io".to_owned(), s))
        .collect();
    m.engine.reset_log();
    let out = m.ok("secret", &json!({"steps": steps}), vec![]);
    let (_, plaintext) = m.rendered(&out);
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
            b64("u:pw-2999")
        )
    );
    let read = m.plaintext_reads();
    assert!(read.len() == 1 && !read[0].contains("s1:"), "{read:?}");

    // Keys and usernames that alone exceed the engine's limit: refused before any read.
    let long_user = "u".repeat(1_000);
    let steps: Vec<Value> = (0..200)
        .map(|i| json!({"kind": "basic", "key": format!("r{i}.example.com"), "username": long_user, "secret": big}))
        .collect();
    m.engine.reset_log();
    let state = json!({"steps": steps});
    for function in ["secret", "registries"] {
        let message = raw_error(
            &m,
            "RegistryConfig",
            function,
            state.clone(),
            vec![("name", json!(""))],
        );
        assert!(
            message.starts_with(&format!(
                "{function}: the registry keys and usernames alone take at least 2"
            )),
            "{message}"
        );
    }
    assert!(m.plaintext_reads().is_empty(), "nothing read");

    // More imports than are ever needed: refused before any read.
    let imports: Vec<Value> = (0..33)
        .map(|_| json!({"kind": "dockerConfig", "secret": big}))
        .collect();
    let message = secret_error(&m, imports);
    assert_eq!(
        message,
        "secret: the config imports 33 files with withDockerConfig; at most 32 are accepted"
    );
    assert!(m.plaintext_reads().is_empty(), "nothing read");
}

#[test]
fn a_bad_container_fails_before_anything_is_stored() {
    let (mut m, state, _) = with_entry();
    let not_a_container = m.secret("other", "container-check-sentinel");
    let prepared = m.ok("secretMount", &state, vec![("path", json!("/cfg.json"))]);
    let cases: Vec<(&str, &str, &Value, Value)> = vec![
        (
            "RegistryConfig",
            "mountSecret",
            &state,
            json!("no-such-container-id"),
        ),
        (
            "RegistryConfig",
            "mountDockerConfig",
            &state,
            json!(not_a_container),
        ),
        (
            "RegistryConfig",
            "secretVariable",
            &state,
            json!("no-such-container-id"),
        ),
        ("SecretMount", "mount", &prepared, json!(not_a_container)),
    ];
    for (object, function, parent, container) in cases {
        m.engine.reset_log();
        let outcome = m.call(
            object,
            function,
            parent.clone(),
            vec![("container", container)],
        );
        let message = assert_returned_error(&outcome);
        let function = if object == "SecretMount" {
            "SecretMount.mount"
        } else {
            function
        };
        assert!(
            message.starts_with(&format!(
                "{function}: argument container: the Dagger engine failed while loading the container"
            )),
            "{message}"
        );
        assert!(
            !m.stored_a_secret(),
            "{function}: nothing is stored for a container that does not exist"
        );
    }
}

#[test]
fn unknown_functions_wrong_types_and_missing_arguments() {
    let (m, state, secret) = with_entry();
    let message = raw_error(&m, "RegistryConfig", "withPassword", state.clone(), vec![]);
    assert!(
        message.contains("unknown function RegistryConfig.withPassword"),
        "{message}"
    );
    let message = raw_error(&m, "Other", "secret", state.clone(), vec![]);
    assert!(
        message.contains("unknown function Other.secret"),
        "{message}"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "withRegistryAuth",
        state.clone(),
        vec![
            ("address", json!(42)),
            ("username", json!("me")),
            ("secret", json!(secret)),
        ],
    );
    assert_eq!(
        message,
        "withRegistryAuth: argument address must be a String"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "withRegistryAuth",
        state.clone(),
        vec![("address", json!("ghcr.io")), ("secret", json!(secret))],
    );
    assert!(
        message.starts_with("withRegistryAuth: argument username is missing"),
        "{message}"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "withRegistryAuth",
        state.clone(),
        vec![
            ("address", json!("ghcr.io")),
            ("username", json!("me")),
            ("secret", json!({"id": secret})),
        ],
    );
    assert_eq!(
        message,
        "withRegistryAuth: argument secret must be an object ID"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "mountSecret",
        state.clone(),
        vec![
            ("container", json!("")),
            ("path", json!("/p")),
            ("owner", json!("")),
            ("variable", json!("")),
        ],
    );
    assert!(
        message.contains("argument container: expected a Container ID"),
        "{message}"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "mountSecret",
        state,
        vec![
            ("container", json!(true)),
            ("path", json!("/p")),
            ("owner", json!("")),
            ("variable", json!("")),
        ],
    );
    assert!(
        message.starts_with("mountSecret: argument container must be"),
        "{message}"
    );
}

#[test]
fn a_misbehaving_engine_gives_a_clean_failure() {
    let (m, state, _) = with_entry();
    let call = |m: &Module| m.call("RegistryConfig", "secret", state.clone(), vec![]);

    // An error on setSecret: reported, with the engine's text withheld (it could quote the
    // plaintext), exit 2.
    m.engine.set_fault(Some(Fault::GraphqlError {
        when_query_contains: "setSecret(name".into(),
        message: "invalid value \"ENGINE-QUOTED-PLAINTEXT\"".into(),
    }));
    let outcome = call(&m);
    let message = assert_returned_error(&outcome);
    assert!(
        message.contains("setSecret") && message.contains("withheld"),
        "{message}"
    );
    assert!(
        !message.contains("ENGINE-QUOTED-PLAINTEXT") && !outcome.stderr.contains("ENGINE-QUOTED")
    );

    // An error reading plaintexts: the engine's message is passed on.
    m.engine.set_fault(Some(Fault::GraphqlError {
        when_query_contains: "plaintext}".into(),
        message: "secret not found".into(),
    }));
    let message = assert_returned_error(&call(&m));
    assert!(
        message.contains("reading the secrets") && message.contains("secret not found"),
        "{message}"
    );

    // Garbage, HTTP errors and a closed connection mid-call.
    for fault in [
        Fault::Garbage {
            when_query_contains: "setSecret(name".into(),
        },
        Fault::HttpStatus {
            when_query_contains: "plaintext}".into(),
            status: 502,
        },
        Fault::CloseConnection {
            when_query_contains: "setSecret(name".into(),
        },
    ] {
        m.engine.set_fault(Some(fault.clone()));
        let outcome = call(&m);
        assert!(!outcome.timed_out, "{fault:?} made the module hang");
        let message = assert_returned_error(&outcome);
        assert!(
            message.starts_with("secret: the Dagger engine failed"),
            "{fault:?}: {message}"
        );
    }

    // When even the envelope fails, the module cannot report through the engine: exit 1 with a
    // clear message on stderr, no panic.
    m.engine.set_fault(Some(Fault::CloseConnection {
        when_query_contains: "currentFunctionCall".into(),
    }));
    let outcome = call(&m);
    assert_eq!(outcome.exit_code, Some(1), "{outcome:#?}");
    assert!(
        outcome
            .stderr
            .contains("registry-config: cannot read the function call"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("panicked"));
    m.engine.set_fault(None);
}

#[test]
fn without_a_session_the_binary_explains_and_never_downloads() {
    for env in [
        vec![],
        vec![
            ("DAGGER_SESSION_PORT", "abc"),
            ("DAGGER_SESSION_TOKEN", "t"),
        ],
        vec![("DAGGER_SESSION_PORT", "5000")],
    ] {
        let output = std::process::Command::new(binary())
            .env_clear()
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("registry-config: DAGGER_SESSION_"),
            "{stderr}"
        );
        assert!(
            stderr.contains("Dagger") || stderr.contains("port"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn leak_scan_covers_every_output_of_a_full_session() {
    // A complete session with every function; sentinels everywhere they could escape.
    let (mut m, state, _) = with_entry();
    let token = m.secret("x", "token-sentinel-full");
    let imported = m.config_secret(
        &format!(
            "{{\"auths\":{{\"quay.io\":{{\"auth\":\"{}\"}}}}}}",
            b64("q:import-sentinel-full")
        ),
        &[("q", "import-sentinel-full")],
    );
    let state = m.ok(
        "withIdentityToken",
        &state,
        vec![
            ("address", json!("acr.example.com")),
            ("token", json!(token)),
        ],
    );
    let state = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    let container = m.engine.new_container();
    for (function, args) in [
        ("registries", vec![]),
        ("secret", vec![]),
        ("mountSecret", vec![("container", json!(container))]),
        ("mountDockerConfig", vec![("container", json!(container))]),
        ("secretMount", vec![("path", json!("/cfg"))]),
    ] {
        let outcome = m.call("RegistryConfig", function, state.clone(), args);
        assert_eq!(outcome.exit_code, Some(0), "{function}: {}", outcome.stderr);
    }
    // And the error path with a token config in a variable.
    let outcome = m.call(
        "RegistryConfig",
        "secretVariable",
        state,
        vec![("container", json!(container))],
    );
    assert_returned_error(&outcome);
    m.assert_session_clean();
    // No container ever got a withNewFile, and no name was used for two contents.
    assert!(m.engine.secret_swaps().is_empty());
}

// --- Inputs (hardening round two) ---

use engine_double::Outcome;

/// A long token-shaped sentinel (the scanner ignores sentinels under 6 characters).
const PASTED_TOKEN: &str = "ghp_InputsRoundTwoSentinel0123456789abcd";

/// Leak scan for a secret passed in a *plain* argument (a `user:token` pasted into `username`):
/// the engine's answer to `currentFunctionCall` carries the argument as given, so that one
/// response is left out; everything the module wrote — its requests, stdout, stderr, the
/// returned error — is scanned for the secret and its derived forms.
fn assert_argument_not_echoed(m: &Module, outcome: &Outcome, username: &str, secret: &str) {
    let mut scanned = outcome.clone();
    for exchange in &mut scanned.exchanges {
        if exchange
            .query
            .as_deref()
            .is_some_and(|q| q.contains("currentFunctionCall"))
        {
            exchange.response.clear();
        }
    }
    let joined = format!("{username}:{secret}");
    let sentinels = [secret.to_owned(), b64(secret), b64(&joined), joined];
    assert_no_leak(&m.engine, &scanned, &sentinels);
}

#[test]
fn a_token_pasted_into_username_never_leaves_the_module() {
    let (m, state, secret) = with_entry();
    let cases: Vec<(String, &str, String)> = vec![
        (
            format!("robot:{PASTED_TOKEN}"),
            "robot",
            "withRegistryAuth: argument username: the username contains ':' (it is 46 bytes long; no part of it is shown, since either side of the colon may be a token); docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret".to_owned(),
        ),
        // A control character before the colon: the colon wins, nothing is quoted.
        (
            format!("me\n:{PASTED_TOKEN}"),
            "me\n",
            "withRegistryAuth: argument username: the username contains ':' (it is 44 bytes long; no part of it is shown, since either side of the colon may be a token);".to_owned(),
        ),
        // The token first (GitHub's x-oauth-basic form): too long to quote.
        (
            format!("{PASTED_TOKEN}:x-oauth-basic"),
            "",
            "withRegistryAuth: argument username: the username contains ':' (it is 54 bytes long; no part of it is shown".to_owned(),
        ),
    ];
    for (username, before, expected) in cases {
        let outcome = m.call(
            "RegistryConfig",
            "withRegistryAuth",
            state.clone(),
            vec![
                ("address", json!("ghcr.io")),
                ("username", json!(username)),
                ("secret", json!(secret)),
            ],
        );
        assert_argument_not_echoed(&m, &outcome, before, PASTED_TOKEN);
        let message = assert_returned_error(&outcome);
        assert!(message.starts_with(&expected), "{message}");
    }
}

#[test]
fn usernames_that_would_read_differently_are_refused_and_shown_escaped() {
    let (m, state, secret) = with_entry();
    let cases = [
        (
            "admin\u{202e}",
            "the username \"admin\\u{202e}\" contains U+202E, a bidirectional control character",
        ),
        (
            "ad\u{200d}min",
            "the username \"ad\\u{200d}min\" contains U+200D, an invisible character",
        ),
        (
            "me\u{2029}",
            "the username \"me\\u{2029}\" contains U+2029, a line or paragraph separator",
        ),
        (" me", "the username \" me\" starts or ends with whitespace"),
        ("   ", "the username is only whitespace"),
        (
            "me\t",
            "the username \"me\\t\" contains the control character U+0009",
        ),
    ];
    for (username, expected) in cases {
        let message = m.err(
            "withRegistryAuth",
            &state,
            vec![
                ("address", json!("ghcr.io")),
                ("username", json!(username)),
                ("secret", json!(secret)),
            ],
        );
        assert!(
            message.starts_with(&format!("withRegistryAuth: argument username: {expected}")),
            "{username:?}: {message}"
        );
        assert!(message.is_ascii(), "{message}");
    }
}

#[test]
fn a_bare_password_given_as_a_docker_config_reveals_neither_length_nor_position() {
    let (mut m, state, _) = with_entry();
    let not_json = "secret: the config given to withDockerConfig call #1 is invalid: the config is not valid JSON; withDockerConfig takes the content of a config.json file";
    let cases: Vec<(String, &str, String)> = vec![
        // serde would say "expected value at line 1 column 1" / "trailing characters at line 1
        // column 7" (the length of the numeric prefix) / "... column 27" (where the string ends).
        ("inputs-bare-password-sentinel".into(), "inputs-bare-password-sentinel", not_json.into()),
        ("123456inputs-numeric-sentinel".into(), "123456inputs-numeric-sentinel", not_json.into()),
        ("\"inputs-quoted-sentinel\" x".into(), "inputs-quoted-sentinel", not_json.into()),
        (
            "{\"auths\":{\"ghcr.io\":{\"username\":\"u\",\"password\":\"inputs\u{1}control-sentinel\"}}}".into(),
            "inputs\u{1}control-sentinel",
            "secret: the config given to withDockerConfig call #1 is invalid: the config is not valid JSON inside entry \"ghcr.io\"".into(),
        ),
    ];
    for (config, password, expected) in cases {
        let imported = m.config_secret(&config, &[("u", password)]);
        let with_import = m.ok(
            "withDockerConfig",
            &state,
            vec![("config", json!(imported))],
        );
        for function in ["secret", "registries"] {
            let message = m.err(function, &with_import, vec![]);
            let expected = expected.replacen("secret:", &format!("{function}:"), 1);
            assert_eq!(message, expected, "{config:?}");
            // No position or length: the only digit is the call number.
            assert_eq!(
                message.chars().filter(char::is_ascii_digit).count(),
                1,
                "{message}"
            );
        }
    }
}

#[test]
fn duplicate_keys_in_an_imported_config_are_reported() {
    let (mut m, state, _) = with_entry();
    let a = b64("u:inputs-dup-sentinel-a");
    let b = b64("u:inputs-dup-sentinel-b");
    let cases = [
        (
            format!("{{\"auths\":{{\"quay.io\":{{\"auth\":\"{a}\"}}}},\"auths\":{{\"quay.io\":{{\"auth\":\"{b}\"}}}}}}"),
            "the config has more than one \"auths\" key",
        ),
        (
            format!("{{\"auths\":{{\"quay.io\":{{\"auth\":\"{a}\"}},\"quay.io\":{{\"auth\":\"{b}\"}}}}}}"),
            "entry \"quay.io\" appears twice in \"auths\"",
        ),
        (
            format!("{{\"auths\":{{\"quay.io\":{{\"auth\":\"{a}\",\"auth\":\"{b}\"}}}}}}"),
            "entry \"quay.io\": field \"auth\" appears twice",
        ),
    ];
    for (config, expected) in cases {
        let imported = m.config_secret(
            &config,
            &[
                ("u", "inputs-dup-sentinel-a"),
                ("u", "inputs-dup-sentinel-b"),
            ],
        );
        let with_import = m.ok(
            "withDockerConfig",
            &state,
            vec![("config", json!(imported))],
        );
        let message = m.err("secret", &with_import, vec![]);
        assert!(
            message.starts_with(&format!(
                "secret: the config given to withDockerConfig call #1 is invalid: {expected}"
            )),
            "{message}"
        );
    }
}

#[test]
fn blank_tokens_and_passwords_fail_rendering_naming_the_key() {
    let (mut m, state, _) = with_entry();
    let cases = [
        ("withIdentityToken", "token", "", "identity token"),
        ("withRegistryToken", "token", " \n", "registry token"),
        ("withRegistryAuth", "secret", "", "password"),
    ];
    for (function, argument, blank, what) in cases {
        let blank_secret = m.secret("me", blank);
        let mut args = vec![
            ("address", json!("blank.example.com")),
            (argument, json!(blank_secret)),
        ];
        if function == "withRegistryAuth" {
            args.push(("username", json!("me")));
        }
        let with_blank = m.ok(function, &state, args);
        let container = m.engine.new_container();
        for (caller, args) in [
            ("secret", vec![]),
            ("mountSecret", vec![("container", json!(container))]),
        ] {
            let message = m.err(caller, &with_blank, args);
            assert_eq!(
                message,
                format!("{caller}: the {what} for \"blank.example.com\" is empty or only whitespace or invisible characters; no registry accepts that, and clients would fail later or silently go anonymous; check where the secret comes from (an unset environment variable gives an empty secret)")
            );
        }
    }
}

#[test]
fn the_size_error_gives_whole_kib_not_the_secrets_length() {
    let (mut m, state, _) = with_entry();
    let big_password = "y".repeat(130_001);
    let big = m.secret("me", &big_password);
    let big_state = m.ok(
        "withRegistryAuth",
        &state,
        vec![
            ("address", json!("quay.io")),
            ("username", json!("me")),
            ("secret", json!(big)),
        ],
    );
    let exact = format!(
        "{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}},\"quay.io\":{{\"auth\":\"{}\"}}}}}}",
        b64(&format!("me:{SENTINEL}")),
        b64(&format!("me:{big_password}"))
    )
    .len();
    let message = m.err("secret", &big_state, vec![]);
    assert!(!message.contains(&exact.to_string()), "{message}");
    assert_eq!(
        message,
        format!("secret: the rendered config is over the engine's 128000-byte secret limit (it is at most {} KiB; sizes are rounded up to whole KiB so that they do not tell the secrets' lengths); split the registries across several configs", exact.div_ceil(1024))
    );
}

#[test]
fn secret_name_prefixes_are_ascii_and_shown_escaped() {
    let (m, state, _) = with_entry();
    let message = m.err("secret", &state, vec![("name", json!("ci\u{202e}exe.sh"))]);
    assert_eq!(
        message,
        "secret: argument name: \"ci\\u{202e}exe.sh\" contains U+202E; a secret name may use only ASCII letters, digits, '-', '_' and '.'"
    );
    let message = m.err(
        "secretMount",
        &state,
        vec![
            ("path", json!("/cfg")),
            ("secretName", json!("zero\u{200b}width")),
        ],
    );
    assert_eq!(
        message,
        "secretMount: argument secretName: \"zero\\u{200b}width\" contains U+200B; a secret name may use only ASCII letters, digits, '-', '_' and '.'"
    );
}

// --- Addresses with credentials (hardening round two) ---

/// Runs a call whose `address` argument carries a watched password. The engine hands the
/// arguments to the module in its `currentFunctionCall` answer, the one place the user's own
/// input must travel: the scanner is shown to catch the password there (so the sentinel is
/// live), and everything else the call exchanged — the module's requests, the other answers,
/// stdout, stderr, the returned error — must be free of it. Returns the error message.
fn err_with_password_in_address(
    m: &Module,
    function: &str,
    parent: &Value,
    args: Vec<(&str, Value)>,
) -> String {
    let mut outcome = m.engine.invoke(
        binary(),
        &m.id,
        "RegistryConfig",
        function,
        parent.clone(),
        args,
    );
    assert_eq!(outcome.rejected_requests, 0, "{:#?}", outcome.exchanges);
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.assert_no_leak(&outcome)));
    assert!(
        caught.is_err(),
        "{function}: the leak scanner must see the password in the delivered arguments"
    );
    let mut delivered = 0;
    for exchange in &mut outcome.exchanges {
        if exchange
            .query
            .as_deref()
            .is_some_and(|q| q.contains("currentFunctionCall") && q.contains("inputArgs"))
        {
            exchange.response.clear();
            delivered += 1;
        }
    }
    assert_eq!(
        delivered, 1,
        "{function}: one answer delivers the arguments"
    );
    m.assert_no_leak(&outcome);
    assert_returned_error(&outcome)
}

#[test]
fn builders_refuse_addresses_with_credentials_and_quote_them_redacted() {
    let (mut m, state, secret) = with_entry();
    // The password inside each address, and the address as every message must show it.
    let cases = [
        (
            "https://robot:url-sentinel-alpha@ghcr.io",
            "url-sentinel-alpha",
            "https://***@ghcr.io",
        ),
        (
            "robot:url-sentinel-bravo@ghcr.io/org",
            "url-sentinel-bravo",
            "***@ghcr.io/org",
        ),
        (
            "robot@url-sentinel-charlie.example",
            "robot@url-sentinel-charlie",
            "***@url-sentinel-charlie.example",
        ),
        (
            "https://robot:p@ss/url-sentinel-delta@ghcr.io:443",
            "p@ss/url-sentinel-delta",
            "https://***@ghcr.io:443",
        ),
        (
            "https://robot:url-sentinel-echo@ghcr .io",
            "url-sentinel-echo",
            "https://***@ghcr .io",
        ),
        (
            "oci://robot:url-sentinel-foxtrot@ghcr.io:99999",
            "url-sentinel-foxtrot",
            "oci://***@ghcr.io:99999",
        ),
        (
            "robot:url-sentinel-golf@ghcr.io/app@sha256:abc",
            "url-sentinel-golf",
            "***@ghcr.io/app@sha256:abc",
        ),
    ];
    for (_, password, _) in &cases {
        m.watch("robot", password);
    }
    for (address, password, redacted) in cases {
        for function in [
            "withRegistryAuth",
            "withoutRegistryAuth",
            "withIdentityToken",
            "withRegistryToken",
        ] {
            let mut args = vec![("address", json!(address))];
            match function {
                "withRegistryAuth" => {
                    args.extend([("username", json!("robot")), ("secret", json!(secret))])
                }
                "withoutRegistryAuth" => {}
                _ => args.push(("token", json!(secret))),
            }
            let message = err_with_password_in_address(&m, function, &state, args);
            assert_eq!(
                message,
                format!(
                    "{function}: argument address: {redacted:?} has credentials before '@' \
                     (shown as ***); an address must not carry a username or password: pass \
                     the registry alone, and the username and password as the username and \
                     secret arguments instead"
                ),
                "{address:?}"
            );
            assert!(!message.contains(password), "{message}");
        }
    }
}

#[test]
fn imported_keys_with_credentials_are_reported_redacted_by_secret_and_registries() {
    let (mut m, state, _) = with_entry();
    let auth = b64("user:import-auth-sentinel");
    let configs = [
        (
            format!(
                r#"{{"auths":{{"https://robot:import-url-sentinel-one@ghcr.io":{{"auth":"{auth}"}}}}}}"#
            ),
            "import-url-sentinel-one",
            "entry \"https://***@ghcr.io\": \"https://***@ghcr.io\" has credentials before '@'",
        ),
        // Rejected for its content before its key is looked at: still named redacted.
        (
            r#"{"auths":{"robot:import-url-sentinel-two@quay.io":{"auth":"!!"}}}"#.to_owned(),
            "import-url-sentinel-two",
            "entry \"***@quay.io\": \"auth\" is not base64",
        ),
        (
            r#"{"auths":{"https://robot:import/url-sentinel-three@ghcr.io:443/v2/":{"username":"robot"}}}"#
                .to_owned(),
            "import/url-sentinel-three",
            "entry \"https://***@ghcr.io:443/v2/\": has a username or a password but not both",
        ),
    ];
    for (config, password, expected) in configs {
        m.watch("robot", password);
        let imported = m.config_secret(&config, &[("user", "import-auth-sentinel")]);
        let with_import = m.ok(
            "withDockerConfig",
            &state,
            vec![("config", json!(imported))],
        );
        for function in ["secret", "registries"] {
            let message = m.err(function, &with_import, vec![]);
            assert!(
                message.starts_with(&format!(
                    "{function}: the config given to withDockerConfig call #1 is invalid"
                )),
                "{message}"
            );
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
            assert!(!message.contains(password), "{message}");
        }
    }
}

// --- Configs a tool would ignore (hardening round three) ---
//
// Each of these rendered fine before, and the tool in the container then silently went without
// credentials: every one must now either render so that every tool finds it, or fail at the call
// naming the function, the argument or key, and why.

/// `withCredentialHelper(address, helper)` on `state`, which must succeed.
fn with_helper(m: &Module, state: &Value, address: &str, helper: &str) -> Value {
    m.ok(
        "withCredentialHelper",
        state,
        vec![("address", json!(address)), ("helper", json!(helper))],
    )
}

/// `withDockerConfig` of `content` on `state`.
fn with_import(m: &mut Module, state: &Value, content: &str) -> Value {
    let imported = m.config_secret(content, &[]);
    m.ok("withDockerConfig", state, vec![("config", json!(imported))])
}

#[test]
fn skip_on_empty_mounts_a_config_that_holds_only_a_helper() {
    let m = Module::register();
    let container = m.engine.new_container();
    let state = with_helper(
        &m,
        &json!({}),
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        "ecr-login",
    );
    let prepared = m.ok(
        "secretMount",
        &state,
        vec![("path", json!("/cfg.json")), ("skipOnEmpty", json!(true))],
    );
    let out = m.ok_on(
        "SecretMount",
        "mount",
        &prepared,
        vec![("container", json!(container))],
    );
    assert_ne!(
        out,
        json!(container),
        "a helper is an entry: the container gets the file"
    );
    let record = m.engine.container(out.as_str().unwrap()).unwrap();
    let plaintext = m
        .engine
        .secret(&record.mounts["/cfg.json"].secret_id)
        .unwrap()
        .plaintext;
    assert_eq!(
        plaintext,
        r#"{"auths":{},"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}"#
    );
}

#[test]
fn a_docker_hub_helper_is_written_where_every_tool_looks() {
    let mut m = Module::register();
    let hub = r#"{"auths":{},"credHelpers":{"docker.io":"ecr-login","https://index.docker.io/v1/":"ecr-login"}}"#;
    for address in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
        let state = with_helper(&m, &json!({}), address, "ecr-login");
        let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
        assert_eq!(plaintext, hub, "{address}");
        assert_eq!(
            m.ok("registries", &state, vec![]),
            json!(["https://index.docker.io/v1/"])
        );
    }
    let state = with_import(
        &mut m,
        &json!({}),
        r#"{"credHelpers":{"docker.io":"ecr-login"}}"#,
    );
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(plaintext, hub);
}

#[test]
fn kubernetes_secret_refuses_token_entries_the_kubelet_ignores() {
    let mut m = Module::register();
    for (function, field) in [
        ("withIdentityToken", "identitytoken"),
        ("withRegistryToken", "registrytoken"),
    ] {
        let token = m.secret("x", "kubelet-token-sentinel");
        let state = m.with_auth(&json!({}), "ghcr.io", "me", "kubelet-pw-sentinel");
        let state = m.ok(
            function,
            &state,
            vec![
                ("address", json!("myreg.azurecr.io")),
                ("token", json!(token)),
            ],
        );
        m.engine.reset_log();
        let message = m.err("kubernetesSecret", &state, vec![("name", json!("regcred"))]);
        assert_eq!(
            message,
            format!("kubernetesSecret: the config holds an \"{field}\" entry for \"myreg.azurecr.io\", but the kubelet reads only \"auth\", \"username\" and \"password\" from an image pull secret, so pods would pull from that registry anonymously; use withRegistryAuth for that registry (with the username the registry expects for a token), or withoutRegistryAuth to leave it out")
        );
        assert!(!m.stored_a_secret(), "nothing is stored");
    }
}

#[test]
fn helpers_no_container_can_run_are_refused_or_held_as_placeholders() {
    let mut m = Module::register();
    // Asked for explicitly: refused at the call.
    for (helper, expected) in [
        ("osxkeychain", "\"osxkeychain\" exists only on a desktop (the macOS keychain, Docker Desktop, the Windows Credential Manager or the Secret Service of a desktop session), never in a container, so tools there would silently go without credentials;"),
        ("desktop", "\"desktop\" exists only on a desktop"),
        ("wincred", "\"wincred\" exists only on a desktop"),
        ("secretservice", "\"secretservice\" exists only on a desktop"),
        ("docker-credential-ecr-login", "\"docker-credential-ecr-login\" starts with \"docker-credential-\", which tools add themselves (they would run docker-credential-docker-credential-…); drop the prefix and pass the rest, such as \"ecr-login\" for docker-credential-ecr-login"),
    ] {
        let message = m.err(
            "withCredentialHelper",
            &json!({}),
            vec![("address", json!("ghcr.io")), ("helper", json!(helper))],
        );
        assert!(
            message.starts_with(&format!("withCredentialHelper: argument helper: {expected}")),
            "{message}"
        );
    }
    // Imported: a placeholder, like a login kept in a credsStore, until replaced or removed.
    let state = with_import(
        &mut m,
        &json!({}),
        r#"{"credHelpers":{"ghcr.io":"osxkeychain","gcr.io":"gcloud","quay.io":"desktop"}}"#,
    );
    for function in ["secret", "mountDockerConfig"] {
        let container = m.engine.new_container();
        let args = match function {
            "secret" => vec![],
            _ => vec![("container", json!(container))],
        };
        m.engine.reset_log();
        let message = m.err(function, &state, args);
        assert_eq!(
            message,
            format!("{function}: the imported config keeps the credentials for [\"ghcr.io\", \"quay.io\"] in the credential store or desktop-only helper [\"desktop\", \"osxkeychain\"] of the machine that wrote it, which no container can reach; pass each with withRegistryAuth or withCredentialHelper after withDockerConfig, or drop it with withoutRegistryAuth")
        );
        assert!(!m.stored_a_secret());
    }
    assert_eq!(
        m.ok("registries", &state, vec![]),
        json!(["gcr.io", "ghcr.io", "quay.io"])
    );
    let state = m.with_auth(&state, "ghcr.io", "me", "placeholder-pw-sentinel");
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("quay.io"))],
    );
    let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credHelpers":{{"gcr.io":"gcloud"}}}}"#,
            b64("me:placeholder-pw-sentinel")
        )
    );
}

#[test]
fn helpers_for_a_namespace_are_refused_on_every_path() {
    let mut m = Module::register();
    // The builder.
    let message = m.err(
        "withCredentialHelper",
        &json!({}),
        vec![("address", json!("quay.io/org")), ("helper", json!("quay"))],
    );
    assert!(
        message.starts_with("withCredentialHelper: argument address: \"quay.io/org\" is a namespace; docker, oras, crane and skopeo look credential helpers up by registry host only"),
        "{message}"
    );
    // An import.
    let state = with_import(
        &mut m,
        &json!({}),
        r#"{"credHelpers":{"quay.io/org":"quay"}}"#,
    );
    for function in ["secret", "registries"] {
        let message = m.err(function, &state, vec![]);
        assert_eq!(
            message,
            format!("{function}: the config given to withDockerConfig call #1 is invalid: the credential helper for \"quay.io/org\": \"quay.io/org\" is a namespace; docker, oras, crane and skopeo look credential helpers up by registry host only, so a helper there is never run; use the host")
        );
    }
    // A tampered state: a namespace key, or a helper no container has.
    for (step, expected) in [
        (
            json!({"kind": "credentialHelper", "key": "quay.io/org", "helper": "quay"}),
            "step 1: field \"key\": \"quay.io/org\" is a namespace;",
        ),
        (
            json!({"kind": "credentialHelper", "key": "ghcr.io", "helper": "osxkeychain"}),
            "step 1: field \"helper\" is not a valid helper name",
        ),
        (
            json!({"kind": "credentialHelper", "key": "ghcr.io", "helper": "docker-credential-gcloud"}),
            "step 1: field \"helper\" is not a valid helper name",
        ),
    ] {
        let message = raw_error(
            &m,
            "RegistryConfig",
            "secret",
            json!({"steps": [step]}),
            vec![("name", json!(""))],
        );
        let expected = format!("secret: the RegistryConfig state is malformed: {expected}");
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
    }
}

#[test]
fn passwords_lose_one_trailing_newline_and_are_refused_with_control_characters() {
    let mut m = Module::register();
    // From a file, with its newline: sent without it.
    for (secret, argument) in [
        ("withRegistryAuth", "secret"),
        ("withIdentityToken", "token"),
        ("withRegistryToken", "token"),
    ] {
        let password = m.secret("me", "newline-sentinel-pw\r\n");
        m.watch("me", "newline-sentinel-pw");
        let mut args = vec![("address", json!("ghcr.io")), (argument, json!(password))];
        if secret == "withRegistryAuth" {
            args.push(("username", json!("me")));
        }
        let state = m.ok(secret, &json!({}), args);
        let (_, plaintext) = m.rendered(&m.ok("secret", &state, vec![]));
        let expected = match secret {
            "withRegistryAuth" => format!(
                r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
                b64("me:newline-sentinel-pw")
            ),
            "withIdentityToken" => {
                r#"{"auths":{"ghcr.io":{"identitytoken":"newline-sentinel-pw"}}}"#.to_owned()
            }
            _ => r#"{"auths":{"ghcr.io":{"registrytoken":"newline-sentinel-pw"}}}"#.to_owned(),
        };
        assert_eq!(plaintext, expected);
    }
    // What is left after one newline, a NUL, a tab, an escape: refused naming the key only.
    let control = "secret: the password for \"ghcr.io\" contains a control character (a NUL, a tab, a line break or another non-printing character);";
    let blank =
        "secret: the password for \"ghcr.io\" is empty or only whitespace or invisible characters;";
    for (password, expected) in [
        ("ctl-sentinel-pw\n\n", control),
        ("ctl-sentinel-pw\r", control),
        ("ctl\0sentinel-pw", control),
        ("ctl\tsentinel-pw", control),
        ("ctl-sentinel-pw\u{1b}[0m", control),
        ("\u{200b}\u{feff}", blank),
        ("\u{3164}\n", blank),
    ] {
        let state = m.with_auth(&json!({}), "ghcr.io", "me", password);
        m.engine.reset_log();
        let message = m.err("secret", &state, vec![]);
        assert!(message.starts_with(expected), "{password:?}: {message}");
        assert!(!message.contains("sentinel"), "{message}");
        assert!(!m.stored_a_secret());
    }
    // An imported config is read as docker reads it: nothing removed, a newline refused.
    let state = with_import(
        &mut m,
        &json!({}),
        r#"{"auths":{"ghcr.io":{"username":"me","password":"import-sentinel-pw\n"}}}"#,
    );
    m.watch("me", "import-sentinel-pw\n");
    let message = m.err("secret", &state, vec![]);
    assert!(message.starts_with(control), "{message}");
}

#[test]
fn a_username_with_a_colon_is_never_quoted_in_any_part() {
    let (m, state, secret) = with_entry();
    // A GitLab token pasted with GitHub's x-oauth-basic form: the part before the colon is a
    // short, valid-looking username, and it is the secret.
    for username in [
        "glpat-RoundThree0123456:x-oauth-basic".to_owned(),
        "robot:glpat-RoundThree0123456".to_owned(),
    ] {
        let outcome = m.call(
            "RegistryConfig",
            "withRegistryAuth",
            state.clone(),
            vec![
                ("address", json!("gitlab.com")),
                ("username", json!(username)),
                ("secret", json!(secret)),
            ],
        );
        assert_argument_not_echoed(&m, &outcome, "x", "glpat-RoundThree0123456");
        let message = assert_returned_error(&outcome);
        assert_eq!(
            message,
            format!("withRegistryAuth: argument username: the username contains ':' (it is {} bytes long; no part of it is shown, since either side of the colon may be a token); docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret", username.len())
        );
        for part in username.split(':') {
            assert!(!message.contains(part), "{message}");
        }
    }
}

/// Characters a person cannot see, by their Unicode properties (a soft hyphen, a Hangul filler,
/// the Mongolian vowel separator, an invisible function application, a combining grapheme
/// joiner, a right-to-left override, a zero-width space, a byte-order mark).
const INVISIBLE: [char; 8] = [
    '\u{00AD}', '\u{3164}', '\u{180E}', '\u{2061}', '\u{034F}', '\u{202E}', '\u{200B}', '\u{FEFF}',
];

#[test]
fn invisible_characters_are_refused_in_every_argument_a_person_reads() {
    let (m, state, secret) = with_entry();
    let container = m.engine.new_container();
    for c in INVISIBLE {
        let escaped = format!("\\u{{{:x}}}", u32::from(c));
        let code = format!("U+{:04X}", u32::from(c));
        let cases: Vec<OwnedCase> = vec![
            (
                "withRegistryAuth",
                vec![
                    ("address", json!("ghcr.io")),
                    ("username", json!(format!("ad{c}min"))),
                    ("secret", json!(secret)),
                ],
                format!("argument username: the username \"ad{escaped}min\" contains {code}, "),
            ),
            (
                "withRegistryAuth",
                vec![
                    ("address", json!(format!("gh{c}cr.io"))),
                    ("username", json!("me")),
                    ("secret", json!(secret)),
                ],
                format!("argument address: the address \"gh{escaped}cr.io\" contains {code}, "),
            ),
            (
                "mountSecret",
                vec![
                    ("container", json!(container)),
                    ("path", json!(format!("/run/{c}auth.json"))),
                ],
                format!("argument path: \"/run/{escaped}auth.json\" contains {code}, "),
            ),
            (
                "mountDockerConfig",
                vec![
                    ("container", json!(container)),
                    ("dir", json!(format!("/root/.do{c}cker"))),
                ],
                format!("argument dir: \"/root/.do{escaped}cker\" contains {code}, "),
            ),
            (
                "secretMount",
                vec![("path", json!(format!("/cfg{c}.json")))],
                format!("argument path: \"/cfg{escaped}.json\" contains {code}, "),
            ),
            (
                "mountSecret",
                vec![
                    ("container", json!(container)),
                    ("owner", json!(format!("app{c}"))),
                ],
                format!("argument owner: \"app{escaped}\" contains {code}, "),
            ),
            (
                "mountSecret",
                vec![
                    ("container", json!(container)),
                    ("variable", json!(format!("REGISTRY_AUTH{c}_FILE"))),
                ],
                format!("argument variable: \"REGISTRY_AUTH{escaped}_FILE\" contains {code}, "),
            ),
            (
                "withCredentialHelper",
                vec![
                    ("address", json!("gcr.io")),
                    ("helper", json!(format!("gcl{c}oud"))),
                ],
                format!(
                    "argument helper: \"gcl{escaped}oud\" contains a character a person cannot see"
                ),
            ),
            (
                "kubernetesSecret",
                vec![("name", json!(format!("reg{c}cred")))],
                format!("argument name: \"reg{escaped}cred\" is not a Kubernetes object name"),
            ),
            (
                "secret",
                vec![("name", json!(format!("ci{c}exe.sh")))],
                format!(
                    "argument name: \"ci{}exe.sh\" contains {code};",
                    c.escape_default()
                ),
            ),
        ];
        for (function, args, expected) in cases {
            m.engine.reset_log();
            let message = m.err(function, &state, args);
            let expected = format!("{function}: {expected}");
            assert!(
                message.starts_with(&expected),
                "{c:?}: {message}\nexpected: {expected}"
            );
            assert!(!message.contains(c), "raw {c:?} in {message}");
            assert!(
                m.plaintext_reads().is_empty(),
                "{function}: read before the check"
            );
        }
    }
}

// --- Bounds before parsing (hardening round three) ---

/// Like [`Case`], plus text the message must also contain (the variables meant for the use).
type HintedCase<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str, &'a str);

/// A message must stay small whatever the input: the target for every bounded case.
const MAX_ERROR_BYTES: usize = 4096;

#[test]
fn variables_whose_value_is_run_sourced_or_trusted_are_refused() {
    let (m, state, _) = with_entry();
    let container = m.engine.new_container();
    let mount = |variable: &str| {
        vec![
            ("container", json!(container)),
            ("path", json!("/run/auth.json")),
            ("variable", json!(variable)),
        ]
    };
    let secret_variable = |name: &str| vec![("container", json!(container)), ("name", json!(name))];
    let file_hint = "the variables meant for a config file's path are REGISTRY_AUTH_FILE (skopeo, podman, buildah) and HELM_REGISTRY_CONFIG (Helm)";
    let content_hint = "the variable meant for a config's content is DOCKER_AUTH_CONFIG";
    let cases: Vec<HintedCase> = vec![
        ("mountSecret", mount("BASH_ENV"), "argument variable: \"BASH_ENV\" cannot be used: shells source the file it names", file_hint),
        ("mountSecret", mount("ENV"), "argument variable: \"ENV\" cannot be used: shells source the file it names", file_hint),
        ("mountSecret", mount("PROMPT_COMMAND"), "argument variable: \"PROMPT_COMMAND\" cannot be used: the shell runs", file_hint),
        ("mountSecret", mount("HTTP_PROXY"), "argument variable: \"HTTP_PROXY\" cannot be used: clients send their traffic through the proxy", file_hint),
        ("mountSecret", mount("https_proxy"), "argument variable: \"https_proxy\" cannot be used: clients send their traffic through the proxy", file_hint),
        ("mountSecret", mount("All_Proxy"), "argument variable: \"All_Proxy\" cannot be used: clients send", file_hint),
        ("mountSecret", mount("no_proxy"), "argument variable: \"no_proxy\" cannot be used: clients send", file_hint),
        ("mountSecret", mount("SSL_CERT_FILE"), "argument variable: \"SSL_CERT_FILE\" cannot be used: TLS clients trust the certificates it names", file_hint),
        ("mountSecret", mount("SSL_CERT_DIR"), "argument variable: \"SSL_CERT_DIR\" cannot be used: TLS clients trust", file_hint),
        ("mountSecret", mount("NODE_OPTIONS"), "argument variable: \"NODE_OPTIONS\" cannot be used: an interpreter loads its value as code", file_hint),
        ("mountSecret", mount("PYTHONSTARTUP"), "argument variable: \"PYTHONSTARTUP\" cannot be used: an interpreter loads", file_hint),
        ("mountSecret", mount("PYTHONPATH"), "argument variable: \"PYTHONPATH\" cannot be used: an interpreter loads", file_hint),
        ("mountSecret", mount("PERL5OPT"), "argument variable: \"PERL5OPT\" cannot be used: an interpreter loads", file_hint),
        ("mountSecret", mount("GCONV_PATH"), "argument variable: \"GCONV_PATH\" cannot be used: the C library of every process loads", file_hint),
        ("mountSecret", mount("GIT_SSH_COMMAND"), "argument variable: \"GIT_SSH_COMMAND\" cannot be used: tools run the program it names", file_hint),
        ("mountSecret", mount("DOCKER_CONFIG"), "argument variable: \"DOCKER_CONFIG\" names a directory in which docker looks for config.json, not a file, so docker would find nothing; use mountDockerConfig", file_hint),
        ("mountSecret", mount("DOCKER_AUTH_CONFIG"), "argument variable: \"DOCKER_AUTH_CONFIG\" holds a config's JSON content, not a path; use secretVariable", file_hint),
        ("secretVariable", secret_variable("BASH_ENV"), "argument name: \"BASH_ENV\" cannot be used: shells source", content_hint),
        ("secretVariable", secret_variable("HTTPS_PROXY"), "argument name: \"HTTPS_PROXY\" cannot be used: clients send", content_hint),
        ("secretVariable", secret_variable("NODE_OPTIONS"), "argument name: \"NODE_OPTIONS\" cannot be used: an interpreter", content_hint),
        ("secretVariable", secret_variable("REGISTRY_AUTH_FILE"), "argument name: \"REGISTRY_AUTH_FILE\" holds the path of a file, not its content; use mountSecret", content_hint),
        ("secretVariable", secret_variable("HELM_REGISTRY_CONFIG"), "argument name: \"HELM_REGISTRY_CONFIG\" holds the path of a file", content_hint),
        ("secretVariable", secret_variable("DOCKER_CONFIG"), "argument name: \"DOCKER_CONFIG\" names a directory, not a config's content; use mountDockerConfig", content_hint),
    ];
    for (function, args, expected, hint) in cases {
        m.engine.reset_log();
        let message = m.err(function, &state, args);
        let expected = format!("{function}: {expected}");
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
        assert!(message.contains(hint), "{message}\nhint: {hint}");
        assert!(
            m.plaintext_reads().is_empty() && !m.stored_a_secret(),
            "{function}: a variable was refused only after reading"
        );
    }

    // The variables meant for each use stay accepted.
    for variable in ["REGISTRY_AUTH_FILE", "HELM_REGISTRY_CONFIG", "MY_AUTH_FILE"] {
        m.ok("mountSecret", &state, mount(variable));
    }
    for name in ["DOCKER_AUTH_CONFIG", "MY_DOCKER_AUTH"] {
        m.ok("secretVariable", &state, secret_variable(name));
    }
    // Variable names are case-sensitive: only proxies are read in either case.
    m.ok("mountSecret", &state, mount("bash_env"));
}

/// A `config.json` of `entries` empty `auths` entries (`"rN.example.com":{}`) in a file with a
/// `credsStore`: each is a login kept in that store.
fn empty_entries_config(entries: usize) -> String {
    let body: Vec<String> = (0..entries)
        .map(|i| format!(r#""r{i}.example.com":{{}}"#))
        .collect();
    format!(
        r#"{{"credsStore":"desktop","auths":{{{}}}}}"#,
        body.join(",")
    )
}

#[test]
fn an_imported_config_over_the_size_limit_is_refused_from_its_length() {
    let (mut m, state, _) = with_entry();
    // ~600 KiB: more than the 512 KiB accepted, less than the 16 MiB the module reads.
    let config = empty_entries_config(30_000);
    assert!(config.len() > 512 * 1024 && config.len() < 1024 * 1024);
    let imported = m.config_secret(&config, &[]);
    let with_import = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    let kib = config.len().div_ceil(1024);
    for function in ["secret", "registries"] {
        m.engine.reset_log();
        let message = m.err(function, &with_import, vec![]);
        assert_eq!(
            message,
            format!("{function}: the config given to withDockerConfig call #1 is invalid: the config is {kib} KiB (rounded up); at most 512 KiB are accepted, while a config.json is a few KiB: pass the file that holds the registry logins")
        );
        assert!(!m.stored_a_secret());
    }
}

#[test]
fn errors_that_list_keys_list_a_few_hundred_bytes_of_them() {
    let (mut m, state, _) = with_entry();
    // 20,000 logins kept in a store (~460 KiB, within the size limit): the error names a few.
    let imported = m.config_secret(&empty_entries_config(20_000), &[]);
    let with_import = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    let message = m.err("secret", &with_import, vec![]);
    assert!(
        message.starts_with("secret: the imported config keeps the credentials for [\"r0.example.com\", \"r1.example.com\", \"r10.example.com\""),
        "{message}"
    );
    assert!(
        message.contains(" more in the credential store or desktop-only helper [\"desktop\"]"),
        "{message}"
    );
    assert!(message.len() < 1024, "{} bytes: {message}", message.len());
    let listed = message.matches(".example.com\"").count();
    assert!(
        message.contains(&format!("and {} more", 20_000 - listed)),
        "{message}"
    );
}

#[test]
fn a_state_over_the_size_limit_is_refused_before_it_is_parsed() {
    let (m, _, _) = with_entry();
    // Just over 2 MiB of `{"steps":[0,0,…]}`: parsed, this would take tens of MiB.
    let zeros = vec![json!(0); 1_100_000];
    let state = json!({ "steps": zeros });
    let size = state.to_string().len();
    assert!(size > 2 * 1024 * 1024);
    let message = raw_error(
        &m,
        "RegistryConfig",
        "secret",
        state,
        vec![("name", json!(""))],
    );
    assert_eq!(
        message,
        format!(
            "secret: the RegistryConfig state is malformed: it takes {} KiB, more than the 2048 KiB a state written by this module can take",
            size.div_ceil(1024)
        )
    );
    let mount_state = json!({
        "path": "/cfg.json", "secretName": "", "skipOnEmpty": false, "owner": "", "mode": 0,
        "registryConfig": {"steps": vec![json!(0); 1_100_000]},
    });
    let container = m.engine.new_container();
    let message = raw_error(
        &m,
        "SecretMount",
        "mount",
        mount_state,
        vec![("container", json!(container))],
    );
    assert!(
        message.starts_with("SecretMount.mount: the SecretMount state is malformed: it takes "),
        "{message}"
    );
}

#[test]
fn ids_longer_than_any_engine_id_are_refused_in_state_and_arguments() {
    let (m, state, secret) = with_entry();
    let long_id = "x".repeat(1024 * 1024 + 1);
    let steps = json!({"steps": [{"kind": "dockerConfig", "secret": long_id}]});
    m.engine.reset_log();
    let message = raw_error(
        &m,
        "RegistryConfig",
        "secret",
        steps,
        vec![("name", json!(""))],
    );
    assert_eq!(
        message,
        "secret: the RegistryConfig state is malformed: step 1: field \"secret\" is 1048577 bytes long, longer than any Secret ID (at most 1048576 bytes are accepted)"
    );
    assert!(
        m.plaintext_reads().is_empty(),
        "nothing was sent to the engine"
    );

    let auth = |id: &str| {
        vec![
            ("address", json!("ghcr.io")),
            ("username", json!("me")),
            ("secret", json!(id)),
        ]
    };
    let message = raw_error(
        &m,
        "RegistryConfig",
        "withRegistryAuth",
        state.clone(),
        auth(&long_id),
    );
    assert_eq!(
        message,
        "withRegistryAuth: argument secret takes 1048579 bytes as the engine encoded it; no accepted value takes more than 1048576 bytes"
    );
    let message = raw_error(
        &m,
        "RegistryConfig",
        "mountSecret",
        state.clone(),
        vec![("container", json!(long_id)), ("path", json!("/cfg.json"))],
    );
    assert!(
        message.starts_with("mountSecret: argument container takes 1048579 bytes"),
        "{message}"
    );
    // An ID within the bound still works.
    m.ok("withRegistryAuth", &state, auth(&secret));
}

#[test]
fn every_string_argument_is_bounded_and_never_echoed_whole() {
    let (m, state, _) = with_entry();
    let container = m.engine.new_container();
    let mount = |name: &'static str, value: String| {
        vec![("container", json!(container)), (name, json!(value))]
    };
    let marked = |len: usize| format!("bounded-value-marker{}", "a".repeat(len - 20));
    let auth = |address: String, username: String| {
        vec![
            ("address", json!(address)),
            ("username", json!(username)),
            ("secret", json!(m.engine.seed_secret("pw"))),
        ]
    };
    let cases: Vec<OwnedCase> = vec![
        // The module's own bound, before any other check: 4096 bytes for every string.
        ("mountSecret", mount("owner", marked(5_000)), "mountSecret: argument owner is 5000 bytes long; at most 4096 are accepted".into()),
        ("mountSecret", mount("variable", "A".repeat(5_000)), "mountSecret: argument variable is 5000 bytes long; at most 4096 are accepted".into()),
        ("secretVariable", mount("name", "A".repeat(5_000)), "secretVariable: argument name is 5000 bytes long; at most 4096 are accepted".into()),
        ("withRegistryAuth", auth(marked(5_000), "me".into()), "withRegistryAuth: argument address is 5000 bytes long; at most 4096 are accepted".into()),
        ("withRegistryAuth", auth("ghcr.io".into(), marked(5_000)), "withRegistryAuth: argument username is 5000 bytes long; at most 4096 are accepted".into()),
        ("withCredentialHelper", vec![("address", json!("ghcr.io")), ("helper", json!(marked(5_000)))], "withCredentialHelper: argument helper is 5000 bytes long; at most 4096 are accepted".into()),
        ("kubernetesSecret", vec![("name", json!("regcred")), ("namespace", json!(marked(5_000)))], "kubernetesSecret: argument namespace is 5000 bytes long; at most 4096 are accepted".into()),
        ("secretMount", vec![("path", json!("/cfg.json")), ("secretName", json!(marked(5_000)))], "secretMount: argument secretName is 5000 bytes long; at most 4096 are accepted".into()),
        // Longer than any string's JSON: refused before it is parsed.
        ("mountSecret", mount("owner", marked(30_000)), "mountSecret: argument owner takes 30002 bytes as the engine encoded it; no accepted value takes more than 4096 bytes".into()),
        // Each argument's own bound, checked first and reported by length.
        ("mountSecret", mount("owner", marked(100)), "mountSecret: argument owner: the owner is 100 bytes long; at most 65 are accepted".into()),
        ("mountSecret", mount("variable", "A".repeat(300)), "mountSecret: argument variable: the variable name is 300 bytes long; at most 255 are accepted".into()),
        ("secretVariable", mount("name", "A".repeat(300)), "secretVariable: argument name: the variable name is 300 bytes long; at most 255 are accepted".into()),
    ];
    for (function, args, expected) in cases {
        m.engine.reset_log();
        let message = m.err(function, &state, args);
        assert_eq!(message, expected);
        assert!(
            m.plaintext_reads().is_empty(),
            "{function}: read before refusing"
        );
    }

    // Values within the bounds are quoted only as a short, escaped prefix.
    let long_path = format!("relative/{}", marked(4_000));
    let control_path = format!("/{}", "\u{1}".repeat(4_000));
    let invalid_variable = format!("1{}", "A".repeat(250));
    let cases: Vec<OwnedCase> = vec![
        (
            "mountSecret",
            mount("path", long_path),
            format!(
                "mountSecret: argument path: \"relative/bounded-value-marker{}…\" is not absolute",
                "a".repeat(71)
            ),
        ),
        (
            "mountSecret",
            mount("path", control_path),
            format!(
                "mountSecret: argument path: \"/{}…\" contains a control character",
                "\\u{1}".repeat(99)
            ),
        ),
        (
            "secretVariable",
            mount("name", invalid_variable),
            format!(
                "secretVariable: argument name: \"1{}…\" is not an environment variable name",
                "A".repeat(99)
            ),
        ),
    ];
    for (function, args, expected) in cases {
        let message = m.err(function, &state, args);
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
        assert!(message.len() < MAX_ERROR_BYTES);
    }
}

#[test]
fn imported_helper_values_are_never_quoted() {
    let (mut m, state, _) = with_entry();
    let cases = [
        (
            r#"{"credHelpers":{"gcr.io":"helper/sentinel-value"}}"#,
            "the credential helper for \"gcr.io\" contains a path separator",
        ),
        (
            r#"{"credHelpers":{"gcr.io":"helper sentinel-value"}}"#,
            "the credential helper for \"gcr.io\" is not a helper name",
        ),
        (
            r#"{"credsStore":"store/sentinel-value","auths":{}}"#,
            "\"credsStore\" contains a path separator",
        ),
        (
            r#"{"credsStore":"store sentinel-value","auths":{}}"#,
            "\"credsStore\" is not a helper name",
        ),
    ];
    for (config, expected) in cases {
        let imported = m.config_secret(config, &[]);
        let with_import = m.ok(
            "withDockerConfig",
            &state,
            vec![("config", json!(imported))],
        );
        let message = m.err("secret", &with_import, vec![]);
        assert!(
            message.starts_with(&format!(
                "secret: the config given to withDockerConfig call #1 is invalid: {expected}"
            )),
            "{message}"
        );
        assert!(!message.contains("sentinel"), "{message}");
    }
}
