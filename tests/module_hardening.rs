//! Trying to break the module: a catalogue of bad inputs, tampered state, wrong calls and a
//! misbehaving engine. Every case must end as a returned Dagger Error (exit 2) whose message
//! names the function, the argument and the non-secret value — never a panic, a hang or a leak.

mod support;

use base64::Engine as _;
use engine_double::{Call, Fault};
use serde_json::{json, Value};
use support::module::{assert_no_leak, assert_returned_error, binary, Module};

const SENTINEL: &str = "hardening-sentinel-pw";

/// A function, its arguments, and how its error message must start.
type Case<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str);

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

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
            vec!["\"a:b\"", "first colon"],
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
            "mountSecret: argument owner: \"bad owner\"",
        ),
        (
            "mountSecret",
            vec![("container", json!(container)), ("mode", json!(256))],
            "mountSecret: argument mode: 256 needs an owner",
        ),
        (
            "mountSecret",
            vec![
                ("container", json!(container)),
                ("owner", json!("1")),
                ("mode", json!(70000)),
            ],
            "mountSecret: argument mode: 70000 is not a file mode",
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
            vec![("path", json!("/x")), ("mode", json!(384))],
            "secretMount: argument mode: 384 needs an owner",
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
            message.contains("RegistryConfig state is malformed"),
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
        message.contains("SecretMount state is malformed"),
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
