//! The Rust library path end to end: `RegistryConfig` driven with `dagger-sdk` handles against the
//! engine double, with the request budget SPEC §8 sets (one plaintext query for any number of
//! registries) and nothing secret in `Debug` output or errors. Each test ends with the leak scan
//! of every request, answer, container and secret name of its session.

use std::sync::Arc;
use test_support::b64;
use test_support::leak::Scanner;
use test_support::module::assert_session_clean;
use test_support::sentinels;

use dagger_sdk::{Container, Id, Query, Secret, Selection};
use engine_double::EngineDouble;
use registry_config::module::{EngineClient, Session};
use registry_config::opts::MountSecretOpts;
use registry_config::RegistryConfig;

fn connect(engine: &EngineDouble) -> Query {
    let client = EngineClient::new(&Session::new(engine.port(), engine.token())).unwrap();
    Query {
        proc: None,
        selection: Selection::default(),
        graphql_client: Arc::new(client),
    }
}

/// Every request the library sent is valid against every supported engine's schema.
fn assert_schema_valid(engine: &EngineDouble) {
    let log = engine.log();
    let rejected: Vec<_> = log.iter().filter(|e| e.rejected).collect();
    assert!(
        rejected.is_empty(),
        "schema-invalid requests: {rejected:#?}"
    );
}

async fn render(engine: &EngineDouble, dag: &Query, config: &RegistryConfig) -> String {
    let secret = config.secret(dag).await.unwrap();
    let id = secret.id().await.unwrap();
    engine.secret(&id.0).unwrap().plaintext
}

#[tokio::test]
async fn secret_reads_all_plaintexts_in_one_query_for_any_number_of_registries() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let passwords: Vec<String> = (0..100).map(|i| format!("library-pw-{i}")).collect();
    for n in [1usize, 10, 100] {
        let mut config = RegistryConfig::new();
        for (i, password) in passwords.iter().enumerate().take(n) {
            // Mix the ways a pipeline gets secrets: by ID and from a secret provider URI.
            let secret: Secret = if i % 2 == 0 {
                dag.r#ref(Id(engine.seed_secret(password)))
            } else {
                engine.seed_env_secret(&format!("TOKEN_{i}"), password);
                dag.secret(format!("env:TOKEN_{i}"))
            };
            config = config
                .with_registry_auth(&format!("reg{i}.example.com"), "user", secret)
                .unwrap();
        }
        engine.reset_log();
        let secret = config.secret(&dag).await.unwrap();
        let log = engine.log();
        assert_schema_valid(&engine);
        assert_eq!(
            log.len(),
            2,
            "n={n}: one plaintext query and one setSecret: {log:#?}"
        );
        assert!(log.iter().all(|e| !e.rejected));
        assert!(log[0].query.as_deref().unwrap().contains("s0:"));
        assert!(log[1]
            .query
            .as_deref()
            .unwrap()
            .starts_with("query{setSecret("));

        let plaintext = engine
            .secret(&secret.id().await.unwrap().0)
            .unwrap()
            .plaintext;
        let json: serde_json::Value = serde_json::from_str(&plaintext).unwrap();
        assert_eq!(json["auths"].as_object().unwrap().len(), n);
        assert_eq!(
            json["auths"]["reg0.example.com"]["auth"],
            b64("user:library-pw-0")
        );
    }
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &passwords);
}

#[tokio::test]
async fn the_library_renders_what_the_module_renders() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let hub = dag.r#ref(Id(engine.seed_secret(sentinels::SHORT)));
    let gh = dag.r#ref(Id(engine.seed_secret(sentinels::ESCAPES)));
    let imported = dag.r#ref(Id(engine.seed_secret(&format!(
        r#"{{"auths":{{"quay.io":{{"username":"q","password":{}}}}}}}"#,
        serde_json::to_string(sentinels::INVISIBLE).unwrap()
    ))));
    let config = RegistryConfig::new()
        .with_registry_auth("docker.io", "me", hub)
        .unwrap()
        .with_docker_config(imported)
        .with_registry_auth("https://GHCR.io/", "me", gh)
        .unwrap();
    assert_eq!(
        config.registries(&dag).await.unwrap(),
        ["ghcr.io", "https://index.docker.io/v1/", "quay.io"]
    );
    assert_eq!(
        render(&engine, &dag, &config).await,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"https://index.docker.io/v1/":{{"auth":"{}"}},"quay.io":{{"auth":"{}"}}}}}}"#,
            b64(&format!("me:{}", sentinels::ESCAPES)),
            b64(&format!("me:{}", sentinels::SHORT)),
            b64(&format!("q:{}", sentinels::INVISIBLE))
        )
    );
    let without = config.without_registry_auth("quay.io").unwrap();
    assert_eq!(
        without.registries(&dag).await.unwrap(),
        ["ghcr.io", "https://index.docker.io/v1/"]
    );
    // Immutable: the original still has quay.io.
    assert_eq!(config.registries(&dag).await.unwrap().len(), 3);
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &sentinels::ALL);
}

#[tokio::test]
async fn mounts_are_lazy_containers_with_the_secret_mounted() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let token = dag.r#ref(Id(engine.seed_secret("mount-pw")));
    let config = RegistryConfig::new()
        .with_registry_auth("localhost:5000", "me", token)
        .unwrap();
    let container: Container = dag.r#ref(Id(engine.new_container()));

    let mounted = config.mount_docker_config(&dag, &container).await.unwrap();
    let record = engine.container(&mounted.id().await.unwrap().0).unwrap();
    assert_eq!(record.env["DOCKER_CONFIG"], "/root/.docker");
    let plaintext = engine
        .secret(&record.mounts["/root/.docker/config.json"].secret_id)
        .unwrap()
        .plaintext;
    assert_eq!(
        plaintext,
        format!(
            r#"{{"auths":{{"localhost:5000":{{"auth":"{}"}}}}}}"#,
            b64("me:mount-pw")
        )
    );

    let variable = config.secret_variable(&dag, &container).await.unwrap();
    let record = engine.container(&variable.id().await.unwrap().0).unwrap();
    assert!(record.secret_env.contains_key("DOCKER_AUTH_CONFIG"));
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &["mount-pw"]);
}

#[tokio::test]
async fn errors_and_debug_output_carry_no_secret() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let token: Secret = dag.r#ref(Id(engine.seed_secret("debug-sentinel-pw")));
    let config = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", token.clone())
        .unwrap();
    let scanner = Scanner::new(["debug-sentinel-pw", "debug-sentinel-b64!"]);
    let shown = format!("{config:?}");
    assert!(shown.contains("auth ghcr.io as"), "{shown}");
    assert_eq!(scanner.find(shown.as_bytes()), None, "{shown}");

    let error = config
        .with_registry_auth("ghcr.io/app:1.0", "me", token.clone())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "withRegistryAuth: argument address: \"ghcr.io/app:1.0\" is an image reference with a tag; pass the registry (\"ghcr.io/app\") or a namespace without the tag"
    );
    let error = config
        .with_registry_auth("ghcr.io", "a:b", token)
        .unwrap_err();
    assert!(error
        .to_string()
        .starts_with("withRegistryAuth: argument username: the username contains ':' (it is 3 bytes long; no part of it is shown, since either side of the colon may be a token)"));

    let bad_import = dag.r#ref(Id(
        engine.seed_secret("{\"auths\":{\"x.io\":{\"auth\":\"debug-sentinel-b64!\"}}}")
    ));
    let Err(error) = config.with_docker_config(bad_import).secret(&dag).await else {
        panic!("a malformed import must fail");
    };
    let text = format!("{error} {error:?}");
    assert!(text.contains("\"x.io\""), "{text}");
    assert_eq!(scanner.find(text.as_bytes()), None, "{text}");
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &["debug-sentinel-pw", "debug-sentinel-b64!"]);
}

#[tokio::test]
async fn mount_secret_applies_a_mode_without_an_owner_and_refuses_what_the_engine_would_mask() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let token = dag.r#ref(Id(engine.seed_secret("mode-password")));
    let config = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", token)
        .unwrap();
    let container: Container = dag.r#ref(Id(engine.new_container()));
    let opts = |mode| MountSecretOpts {
        path: Some("/cfg/config.json"),
        mode,
        ..Default::default()
    };

    let mounted = config
        .mount_secret_opts(&dag, &container, opts(Some(0o444)))
        .await
        .unwrap();
    let record = engine.container(&mounted.id().await.unwrap().0).unwrap();
    let mount = &record.mounts["/cfg/config.json"];
    assert_eq!((mount.owner.as_str(), mount.mode), ("", 0o444));

    for (mode, expected) in [
        (
            0,
            "mountSecret: argument mode: 0 (0o0) would mount a file nobody can read; omit mode for the default 0o400",
        ),
        (
            0o1000,
            "mountSecret: argument mode: 512 (0o1000) is not a file mode",
        ),
        (-1, "mountSecret: argument mode: -1 (-0o1) is not a file mode"),
    ] {
        engine.reset_log();
        let Err(error) = config
            .mount_secret_opts(&dag, &container, opts(Some(mode)))
            .await
        else {
            panic!("mode {mode} must be refused");
        };
        assert!(error.to_string().starts_with(expected), "{error}");
        assert!(engine.log().is_empty(), "refused before any request");
    }
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &["mode-password"]);
}

#[tokio::test]
async fn a_secret_used_for_several_registries_is_read_once() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let shared: Secret = dag.r#ref(Id(engine.seed_secret("shared-pw")));
    let mut config = RegistryConfig::new();
    for registry in ["a.example.com", "b.example.com", "c.example.com"] {
        config = config
            .with_registry_auth(registry, "robot", shared.clone())
            .unwrap();
    }
    engine.reset_log();
    let json: serde_json::Value =
        serde_json::from_str(&render(&engine, &dag, &config).await).unwrap();
    assert_eq!(json["auths"].as_object().unwrap().len(), 3);
    assert_eq!(
        json["auths"]["c.example.com"]["auth"],
        b64("robot:shared-pw")
    );
    let read = engine.log()[0].query.clone().unwrap();
    assert!(read.contains("s0:") && !read.contains("s1:"), "{read}");
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &["shared-pw"]);
}

#[tokio::test]
async fn a_credential_helper_renders_next_to_auths() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let token: Secret = dag.r#ref(Id(engine.seed_secret("lib-helper-pw")));
    let config = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", token)
        .unwrap()
        .with_credential_helper("public.ecr.aws", "ecr-login")
        .unwrap();
    assert_eq!(
        render(&engine, &dag, &config).await,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credHelpers":{{"public.ecr.aws":"ecr-login"}}}}"#,
            b64("me:lib-helper-pw")
        )
    );
    let error = config
        .with_credential_helper("public.ecr.aws", "/usr/bin/evil")
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "withCredentialHelper: argument helper: \"/usr/bin/evil\" contains a path separator"
        ),
        "{error}"
    );
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &["lib-helper-pw"]);
}

#[tokio::test]
async fn more_secrets_than_one_read_takes_are_read_in_a_few_requests() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let mut config = RegistryConfig::new();
    let passwords: Vec<String> = (0..1_100).map(|i| format!("library-pw-{i}")).collect();
    for (i, password) in passwords.iter().enumerate() {
        let secret: Secret = dag.r#ref(Id(engine.seed_secret(password)));
        config = config
            .with_registry_auth(&format!("r{i}.example.com"), "u", secret)
            .unwrap();
    }
    engine.reset_log();
    let json: serde_json::Value =
        serde_json::from_str(&render(&engine, &dag, &config).await).unwrap();
    assert_eq!(json["auths"].as_object().unwrap().len(), 1_100);
    assert_eq!(
        json["auths"]["r1099.example.com"]["auth"],
        b64("u:library-pw-1099")
    );
    let reads: Vec<String> = engine
        .log()
        .iter()
        .filter_map(|e| e.query.clone())
        .filter(|q| q.contains("plaintext") && !q.contains("setSecret"))
        .collect();
    assert_eq!(reads.len(), 2, "1,024 secrets, then the other 76");
    assert!(reads[0].contains("s1023:") && !reads[0].contains("s1024:"));
    assert!(reads[1].contains("s75:") && !reads[1].contains("s76:"));
    assert_schema_valid(&engine);
    assert_session_clean(&engine, &passwords);
}

// --- Configs a tool would ignore (hardening round three) ---

#[tokio::test]
async fn skip_on_empty_mounts_a_config_that_holds_only_a_helper() {
    use registry_config::opts::SecretMountOpts;
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let container: Container = dag.r#ref(Id(engine.new_container()));
    let opts = SecretMountOpts {
        skip_on_empty: true,
        ..Default::default()
    };
    // No secret handle, but an entry: it is mounted.
    let config = RegistryConfig::new()
        .with_credential_helper("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "ecr-login")
        .unwrap();
    let mounted = config
        .secret_mount_opts("/cfg.json", opts)
        .unwrap()
        .mount(&dag, &container)
        .await
        .unwrap();
    let record = engine.container(&mounted.id().await.unwrap().0).unwrap();
    assert_eq!(
        engine
            .secret(&record.mounts["/cfg.json"].secret_id)
            .unwrap()
            .plaintext,
        r#"{"auths":{},"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}"#
    );
    // Without any entry the container is left as it is.
    let unchanged = RegistryConfig::new()
        .secret_mount_opts("/cfg.json", opts)
        .unwrap()
        .mount(&dag, &container)
        .await
        .unwrap();
    let record = engine.container(&unchanged.id().await.unwrap().0).unwrap();
    assert!(record.mounts.is_empty());
    assert_schema_valid(&engine);
}

#[tokio::test]
async fn what_tools_would_ignore_is_refused_or_rendered_so_that_they_find_it() {
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    // A Docker Hub helper under both keys (docker/oras/crane and containers/image).
    let hub = RegistryConfig::new()
        .with_credential_helper("docker.io", "ecr-login")
        .unwrap();
    assert_eq!(
        render(&engine, &dag, &hub).await,
        r#"{"auths":{},"credHelpers":{"docker.io":"ecr-login","https://index.docker.io/v1/":"ecr-login"}}"#
    );
    // Helpers no container runs, for a namespace, or with the program prefix.
    for (address, helper, expected) in [
        (
            "ghcr.io",
            "osxkeychain",
            "argument helper: \"osxkeychain\" exists only on a desktop",
        ),
        (
            "ghcr.io",
            "docker-credential-ecr-login",
            "argument helper: \"docker-credential-ecr-login\" starts with \"docker-credential-\"",
        ),
        (
            "quay.io/org",
            "quay",
            "argument address: \"quay.io/org\" is a namespace",
        ),
    ] {
        let error = hub.with_credential_helper(address, helper).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("withCredentialHelper: {expected}")),
            "{error}"
        );
    }
    // A token read from a file ends in a newline: one is dropped, as docker login does.
    engine.seed_env_secret("TOKEN_FILE", "lib-newline-pw\n");
    let config = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", dag.secret("env:TOKEN_FILE"))
        .unwrap();
    assert_eq!(
        render(&engine, &dag, &config).await,
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
            b64("me:lib-newline-pw")
        )
    );
    // Two of them are not: the rest would be sent.
    engine.seed_env_secret("TWO_LINES", "lib-newline-pw\n\n");
    let error = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", dag.secret("env:TWO_LINES"))
        .unwrap()
        .secret(&dag)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.starts_with("secret: the password for \"ghcr.io\" contains a control character"),
        "{error}"
    );
    assert!(!error.contains("lib-newline-pw"), "{error}");
    // A token entry in a pull secret: the kubelet ignores it.
    let token: Secret = dag.r#ref(Id(engine.seed_secret("lib-acr-token")));
    let error = RegistryConfig::new()
        .with_identity_token("myreg.azurecr.io", token)
        .unwrap()
        .kubernetes_secret(&dag, "regcred")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.starts_with("kubernetesSecret: the config holds an \"identitytoken\" entry for \"myreg.azurecr.io\", but the kubelet reads only"),
        "{error}"
    );
    // A username with a colon shows no part of itself.
    let password: Secret = dag.r#ref(Id(engine.seed_secret("lib-colon-pw")));
    let error = RegistryConfig::new()
        .with_registry_auth("gitlab.com", "glpat-lib0123456789:x-oauth-basic", password)
        .unwrap_err()
        .to_string();
    assert!(
        !error.contains("glpat") && error.contains("33 bytes"),
        "{error}"
    );
    assert_schema_valid(&engine);
}

#[tokio::test]
async fn variables_and_owners_are_refused_by_the_library_before_any_request() {
    use registry_config::opts::SecretVariableOpts;
    let engine = EngineDouble::start();
    let dag = connect(&engine);
    let token = dag.r#ref(Id(engine.seed_secret("variable-pw")));
    let config = RegistryConfig::new()
        .with_registry_auth("ghcr.io", "me", token)
        .unwrap();
    let container: Container = dag.r#ref(Id(engine.new_container()));
    let long_owner = "o".repeat(12 * 1024 * 1024);
    let long_variable = "V".repeat(12 * 1024 * 1024);
    let mounts = [
        (None, Some("BASH_ENV"), "mountSecret: argument variable: \"BASH_ENV\" cannot be used: shells source the file it names"),
        (None, Some("http_proxy"), "mountSecret: argument variable: \"http_proxy\" cannot be used: clients send their traffic through the proxy"),
        (None, Some("DOCKER_CONFIG"), "mountSecret: argument variable: \"DOCKER_CONFIG\" names a directory"),
        (None, Some(long_variable.as_str()), "mountSecret: argument variable: the variable name is 12582912 bytes long; at most 255 are accepted"),
        (Some(long_owner.as_str()), None, "mountSecret: argument owner: the owner is 12582912 bytes long; at most 65 are accepted"),
    ];
    for (owner, variable, expected) in mounts {
        let opts = MountSecretOpts {
            owner,
            variable,
            ..Default::default()
        };
        let Err(error) = config.mount_secret_opts(&dag, &container, opts).await else {
            panic!("{expected}: must be refused");
        };
        let message = error.to_string();
        assert!(message.starts_with(expected), "{message}");
        assert!(message.len() < 1024, "{} bytes", message.len());
    }
    for (name, expected) in [
        ("SSL_CERT_FILE", "secretVariable: argument name: \"SSL_CERT_FILE\" cannot be used: TLS clients trust"),
        ("REGISTRY_AUTH_FILE", "secretVariable: argument name: \"REGISTRY_AUTH_FILE\" holds the path of a file, not its content"),
    ] {
        let opts = SecretVariableOpts { name: Some(name) };
        let Err(error) = config.secret_variable_opts(&dag, &container, opts).await else {
            panic!("{name} must be refused");
        };
        assert!(error.to_string().starts_with(expected), "{error}");
    }
    assert!(engine.log().is_empty(), "refused before any request");
}
