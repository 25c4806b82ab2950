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
            vec!["contains ':'", "starts with \"a:\"", "first colon"],
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
        ("mountSecret", mount_secret(&long_path), "argument path: the path is 4101 bytes long; at most 4096 are accepted".into()),
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
        ("mountSecret", owner("app\u{200b}"), "argument owner: \"app\\u{200b}\" has an invalid user".into()),
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
    assert_no_leak(&m.engine, &outcome, &[]);
    assert_returned_error(&outcome);
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
            "withRegistryAuth: argument username: the username contains ':' (it is 46 bytes long and starts with \"robot:\"); docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret".to_owned(),
        ),
        // A control character before the colon: the colon wins, nothing is quoted.
        (
            format!("me\n:{PASTED_TOKEN}"),
            "me\n",
            "withRegistryAuth: argument username: the username contains ':' (it is 44 bytes long; the part before the colon is not shown because it is longer than 32 characters or not a valid username);".to_owned(),
        ),
        // The token first (GitHub's x-oauth-basic form): too long to quote.
        (
            format!("{PASTED_TOKEN}:x-oauth-basic"),
            "",
            "withRegistryAuth: argument username: the username contains ':' (it is 54 bytes long; the part before the colon is not shown".to_owned(),
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
        ("admin\u{202e}", "the username \"admin\\u{202e}\" contains U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control character"),
        ("ad\u{200d}min", "the username \"ad\\u{200d}min\" contains U+200D ZERO WIDTH JOINER"),
        ("me\u{2029}", "the username \"me\\u{2029}\" contains U+2029 PARAGRAPH SEPARATOR"),
        (" me", "the username \" me\" starts or ends with whitespace"),
        ("   ", "the username is only whitespace"),
        ("me\t", "the username \"me\\t\" contains the control character U+0009"),
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
                format!("{caller}: the {what} for \"blank.example.com\" is empty or only whitespace; no registry accepts that, and clients would fail later or silently go anonymous; check where the secret comes from (an unset environment variable gives an empty secret)")
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
