//! `withEcrAuth`: the builder (records handles only, validated, listed, replaced and removed by
//! key), and the token minted at render time against moto's ECR, IAM and STS on 127.0.0.1 with
//! moto's signature and IAM checks on, then used by a real client against a real registry.

use serde_json::{json, Value};
use test_support::b64;
use test_support::checks::{assert_ok, assert_wrong_password_401};
use test_support::clients::{
    docker_manifest_inspect, skopeo_inspect, skopeo_push, write_mounted_config,
};
use test_support::module::{steps, Module};
use test_support::moto::{AwsKeys, Moto};
use test_support::oci_layout::OciLayout;
use test_support::registry::Registry;

const REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const OTHER_REGISTRY: &str = "210987654321.dkr.ecr.us-east-1.amazonaws.com";

/// The secrets of `keys`, seeded and watched by the leak scan, as `withEcrAuth` arguments.
fn key_args(m: &mut Module, keys: &AwsKeys) -> Vec<(&'static str, Value)> {
    let mut args = vec![
        ("accessKeyId", json!(m.secret("AWS", &keys.access_key_id))),
        (
            "secretAccessKey",
            json!(m.secret("AWS", &keys.secret_access_key)),
        ),
    ];
    if let Some(token) = &keys.session_token {
        args.push(("sessionToken", json!(m.secret("AWS", token))));
    }
    args
}

/// `withEcrAuth(address, keys…, endpoint)` on `state`, which must succeed.
fn with_ecr(m: &mut Module, state: &Value, address: &str, keys: &AwsKeys, endpoint: &str) -> Value {
    let mut args = vec![("address", json!(address)), ("endpoint", json!(endpoint))];
    args.extend(key_args(m, keys));
    m.ok("withEcrAuth", state, args)
}

/// Keys for the builder tests, which never reach AWS.
fn unused_keys() -> AwsKeys {
    AwsKeys {
        access_key_id: "AKIAUNUSEDUNUSED0001".to_owned(),
        secret_access_key: "unused/secret/key/for/builder/tests0001".to_owned(),
        session_token: None,
        boto3_token: String::new(),
    }
}

/// Watches the token boto3 got (and the password in it) in the leak scan.
fn watch_token(m: &mut Module, keys: &AwsKeys) -> String {
    let decoded = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        &keys.boto3_token,
    )
    .expect("boto3's token is base64");
    let decoded = String::from_utf8(decoded).expect("UTF-8");
    let password = decoded
        .strip_prefix("AWS:")
        .expect("AWS:<password>")
        .to_owned();
    m.watch("AWS", &password);
    password
}

#[test]
fn with_ecr_auth_records_handles_only_and_is_listed_replaced_and_removed_by_key() {
    let mut m = Module::register();
    m.engine.reset_log();
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &unused_keys(), "");
    assert!(
        m.plaintext_reads().is_empty(),
        "the builder reads no secret"
    );
    let step = &steps(&state)[0];
    assert_eq!(step["kind"], "ecr");
    assert_eq!(step["key"], REGISTRY);
    assert!(step.get("sessionToken").is_none() && step.get("endpoint").is_none());

    let state = with_ecr(
        &mut m,
        &state,
        &format!("https://{OTHER_REGISTRY}/"),
        &AwsKeys {
            session_token: Some("unused-session-token-0001".to_owned()),
            ..unused_keys()
        },
        "http://127.0.0.1:4566",
    );
    let other = &steps(&state)[1];
    assert_eq!(other["endpoint"], "http://127.0.0.1:4566/");
    assert!(other["sessionToken"].is_string());
    let listed = m.ok("registries", &state, vec![]);
    assert_eq!(listed, json!([REGISTRY, OTHER_REGISTRY]));

    let replaced = m.with_auth(&state, REGISTRY, "AWS", "a-password-from-elsewhere");
    assert_eq!(steps(&replaced).len(), 2);
    assert_eq!(steps(&replaced)[1]["kind"], "basic");
    let removed = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!(OTHER_REGISTRY))],
    );
    assert_eq!(m.ok("registries", &removed, vec![]), json!([REGISTRY]));
}

#[test]
fn with_ecr_auth_refuses_other_addresses_and_plain_http_to_other_hosts() {
    let mut m = Module::register();
    for (address, endpoint, expected) in [
        (
            "ghcr.io",
            "",
            "withEcrAuth: argument address: \"ghcr.io\" is not an Amazon ECR private registry",
        ),
        (
            "public.ecr.aws",
            "",
            "withEcrAuth: argument address: \"public.ecr.aws\" is not an Amazon ECR private registry",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team",
            "",
            "withEcrAuth: argument address: \"123456789012.dkr.ecr.us-east-1.amazonaws.com/team\" names a repository",
        ),
        (
            REGISTRY,
            "http://ecr.example.com",
            "withEcrAuth: argument endpoint: \"http://ecr.example.com\" is plain HTTP to a host that is not a loopback host",
        ),
        (
            REGISTRY,
            "https://user:pw@ecr.example.com",
            "withEcrAuth: argument endpoint: \"https://user:pw@ecr.example.com\" is not a plain origin",
        ),
    ] {
        let mut args = vec![("address", json!(address)), ("endpoint", json!(endpoint))];
        args.extend(key_args(&mut m, &unused_keys()));
        let error = m.err("withEcrAuth", &json!({}), args);
        assert!(error.starts_with(expected), "{error}");
    }
}

#[test]
fn a_tampered_ecr_step_is_refused() {
    let m = Module::register();
    for (step, expected) in [
        (
            json!({"kind": "ecr", "key": "ghcr.io", "accessKeyId": "a", "secretAccessKey": "b"}),
            "step 1: field \"key\" is not an Amazon ECR registry",
        ),
        (
            json!({"kind": "ecr", "key": REGISTRY, "accessKeyId": "a", "secretAccessKey": "b", "endpoint": "http://10.0.0.1/"}),
            "step 1: field \"endpoint\" is not a normalized ECR endpoint",
        ),
        (
            json!({"kind": "ecr", "key": REGISTRY, "accessKeyId": "a"}),
            "step 1: field \"secretAccessKey\" is missing",
        ),
    ] {
        let error = m.err("secret", &json!({ "steps": [step] }), vec![]);
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn right_keys_render_the_token_moto_issues_in_one_call_for_two_registries() {
    let moto = Moto::start();
    let (user, _) = moto.prepare();
    let mut m = Module::register();
    watch_token(&mut m, &user);
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &user, moto.endpoint());
    let state = m.with_auth(&state, "ghcr.io", "me", "ghcr-password-0001");
    let state = with_ecr(&mut m, &state, OTHER_REGISTRY, &user, moto.endpoint());

    let posts = moto.posts();
    let outcome = m.call("RegistryConfig", "secret", state, vec![]);
    assert_eq!(outcome.exit_code, Some(0), "{}", outcome.stderr);
    assert_eq!(
        outcome.round_trips, 4,
        "envelope, plaintexts, setSecret, returnValue"
    );
    assert_eq!(
        moto.posts() - posts,
        1,
        "one GetAuthorizationToken call for the same keys and region"
    );
    let (_, rendered) = m.rendered(outcome.return_value.as_ref().unwrap());
    let expected = json!({"auths": {
        OTHER_REGISTRY: {"auth": user.boto3_token},
        REGISTRY: {"auth": user.boto3_token},
        "ghcr.io": {"auth": b64("me:ghcr-password-0001")},
    }});
    assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), expected);
}

#[test]
fn a_wrong_secret_key_or_an_unknown_key_fails_naming_the_aws_error() {
    let moto = Moto::start();
    let (user, _) = moto.prepare();
    let mut m = Module::register();
    let wrong_secret = AwsKeys {
        secret_access_key: "wrong/secret/access/key/0000000000000001".to_owned(),
        ..user.clone()
    };
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &wrong_secret, moto.endpoint());
    let error = m.err("secret", &state, vec![]);
    assert!(
        error.starts_with(&format!(
            "secret: GetAuthorizationToken failed for \"{REGISTRY}\" (at {}/): HTTP 403, SignatureDoesNotMatch: ",
            moto.endpoint()
        )),
        "{error}"
    );
    assert!(!m.stored_a_secret());

    let unknown = AwsKeys {
        access_key_id: "AKIAUNKNOWNUNKNOWN01".to_owned(),
        ..user
    };
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &unknown, moto.endpoint());
    let error = m.err(
        "mountSecret",
        &state,
        vec![("container", json!(m.engine.new_container()))],
    );
    assert!(
        error.contains(
            "HTTP 403, InvalidClientTokenId: The security token included in the request is invalid"
        ),
        "{error}"
    );
    assert!(!error.contains("AKIAUNKNOWN"), "{error}");
}

#[test]
fn temporary_credentials_with_a_session_token_work() {
    let moto = Moto::start();
    let (_, temporary) = moto.prepare();
    let mut m = Module::register();
    watch_token(&mut m, &temporary);
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &temporary, moto.endpoint());
    let secret = m.ok("secret", &state, vec![]);
    let (_, rendered) = m.rendered(&secret);
    let expected = json!({"auths": {REGISTRY: {"auth": temporary.boto3_token}}});
    assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), expected);

    // Without its session token, moto does not know the temporary key.
    let without = AwsKeys {
        session_token: None,
        ..temporary
    };
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &without, moto.endpoint());
    let error = m.err("secret", &state, vec![]);
    assert!(error.contains("HTTP 403"), "{error}");
}

#[test]
fn the_minted_token_logs_a_real_client_in() {
    let moto = Moto::start();
    let (user, _) = moto.prepare();
    let mut m = Module::register();
    let password = watch_token(&mut m, &user);
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &user, moto.endpoint());
    let secret = m.ok("secret", &state, vec![]);
    let (_, rendered) = m.rendered(&secret);

    // The registry expects what a real ECR expects: user AWS with the token's password. The
    // rendered entry is used as it is, under the local registry's address.
    let registry = Registry::start_login("AWS", &password);
    let rendered: Value = serde_json::from_str(&rendered).unwrap();
    let entry = rendered["auths"][REGISTRY].clone();
    let config = json!({"auths": {registry.host_port(): entry}}).to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = write_mounted_config(dir.path(), config.as_bytes());
    let layout = OciLayout::build();
    assert_ok(&skopeo_push(&path, &registry, &layout, "ecr/app:1"));
    assert_ok(&skopeo_inspect(&path, &registry, "ecr/app:1"));
    assert_ok(&docker_manifest_inspect(&path, &registry, "ecr/app:1"));

    // The same client with another password for AWS is refused: the token's password is what
    // logged it in.
    let wrong =
        json!({"auths": {registry.host_port(): {"auth": b64("AWS:not-the-token-password")}}});
    let wrong_dir = tempfile::tempdir().unwrap();
    let wrong_path = write_mounted_config(wrong_dir.path(), wrong.to_string().as_bytes());
    let refused = skopeo_inspect(&wrong_path, &registry, "ecr/app:1");
    assert_wrong_password_401(&refused, &registry, "AWS");
}

/// The library on the engine double, as a Rust pipeline uses it.
fn connect(engine: &engine_double::EngineDouble) -> dagger_sdk::Query {
    use registry_config::module::{EngineClient, Session};
    let client = EngineClient::new(&Session::new(engine.port(), engine.token())).unwrap();
    dagger_sdk::Query {
        proc: None,
        selection: dagger_sdk::Selection::default(),
        graphql_client: std::sync::Arc::new(client),
    }
}

#[tokio::test]
async fn the_library_mints_with_temporary_credentials_and_shows_no_secret() {
    use registry_config::opts::EcrAuthOpts;
    use registry_config::RegistryConfig;

    let moto = Moto::start();
    let (_, temporary) = moto.prepare();
    let engine = engine_double::EngineDouble::start();
    let dag = connect(&engine);
    let seeded =
        |text: &str| dag.r#ref::<dagger_sdk::Secret>(dagger_sdk::Id(engine.seed_secret(text)));
    let opts = EcrAuthOpts {
        session_token: Some(seeded(temporary.session_token.as_deref().unwrap())),
        endpoint: Some(moto.endpoint()),
    };
    let config = RegistryConfig::new()
        .with_ecr_auth_opts(
            REGISTRY,
            seeded(&temporary.access_key_id),
            seeded(&temporary.secret_access_key),
            opts,
        )
        .unwrap();
    let shown = format!("{config:?}");
    assert_eq!(
        shown,
        format!(
            "RegistryConfig {{ steps: [\"ecr {REGISTRY} via {}/\"] }}",
            moto.endpoint()
        )
    );
    engine.reset_log();
    let secret = config.secret(&dag).await.unwrap();
    let id = secret.id().await.unwrap();
    assert!(engine.log().iter().all(|exchange| !exchange.rejected));
    let rendered = engine.secret(&id.0).unwrap().plaintext;
    let expected = json!({"auths": {REGISTRY: {"auth": temporary.boto3_token}}});
    assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), expected);

    let error = RegistryConfig::new()
        .with_ecr_auth("ghcr.io", seeded("a"), seeded("b"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "withEcrAuth: argument address: \"ghcr.io\" is not an Amazon ECR private registry"
        ),
        "{error}"
    );
}

#[test]
fn an_ecr_entry_goes_into_docker_auth_config_as_an_auth_entry() {
    let moto = Moto::start();
    let (user, _) = moto.prepare();
    let mut m = Module::register();
    watch_token(&mut m, &user);
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &user, moto.endpoint());
    let container = m.engine.new_container();
    let changed = m.ok(
        "secretVariable",
        &state,
        vec![("container", json!(container))],
    );
    let container = m.engine.container(changed.as_str().unwrap()).unwrap();
    let secret_id = &container.secret_env["DOCKER_AUTH_CONFIG"];
    let (_, rendered) = m.rendered(&json!(secret_id));
    let expected = json!({"auths": {REGISTRY: {"auth": user.boto3_token}}});
    assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), expected);
}

/// A one-shot forward proxy on 127.0.0.1 that answers `POST http://127.0.0.1:1/` (where nothing
/// listens) as ECR would, and hands the request head it got to the test.
fn ecr_proxy(token: String) -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        head.push_str(&format!("\r\nbody: {}", String::from_utf8_lossy(&body)));
        let ok = head.starts_with("POST http://127.0.0.1:1/ HTTP/1.1");
        let answer = if ok {
            format!(
                r#"{{"authorizationData":[{{"authorizationToken":"{token}","expiresAt":1.7e9}}]}}"#
            )
        } else {
            String::new()
        };
        let status = if ok { "200 OK" } else { "404 Not Found" };
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        let _ = sender.send(head);
    });
    (port, receiver)
}

#[test]
fn the_call_follows_the_proxy_variables_and_sends_only_the_signed_request() {
    let keys = AwsKeys {
        boto3_token: b64("AWS:proxied-ecr-password-0001"),
        ..unused_keys()
    };
    let (proxy, request) = ecr_proxy(keys.boto3_token.clone());
    let mut m = Module::register();
    watch_token(&mut m, &keys);
    let state = with_ecr(&mut m, &json!({}), REGISTRY, &keys, "http://127.0.0.1:1");
    let proxy_url = format!("http://127.0.0.1:{proxy}");
    let outcome = m.call_with_env(
        "RegistryConfig",
        "secret",
        state,
        vec![],
        &[("HTTP_PROXY", proxy_url.as_str())],
    );
    assert_eq!(outcome.exit_code, Some(0), "{}", outcome.stderr);
    let (_, rendered) = m.rendered(outcome.return_value.as_ref().unwrap());
    let expected = json!({"auths": {REGISTRY: {"auth": keys.boto3_token}}});
    assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), expected);

    let head = request.recv().unwrap().to_ascii_lowercase();
    for expected in [
        "x-amz-target: amazonec2containerregistry_v20150921.getauthorizationtoken\r\n",
        "content-type: application/x-amz-json-1.1\r\n",
        "authorization: aws4-hmac-sha256 credential=akiaunusedunused0001/",
        "/us-east-1/ecr/aws4_request, signedheaders=content-type;host;x-amz-date;x-amz-target, signature=",
        "x-amz-date: ",
        "\r\nbody: {}",
    ] {
        assert!(head.contains(expected), "{expected:?} not in {head}");
    }
    assert!(!head.contains("x-amz-security-token"), "{head}");
    assert!(
        !head.contains(&keys.secret_access_key.to_ascii_lowercase()),
        "{head}"
    );
}

/// A plan over string handles whose ECR login's secrets are `ak`/`sk`.
fn ecr_login(address: &str) -> registry_config::core::ecr::EcrLogin<String> {
    use registry_config::core::address::RegistryKey;
    use registry_config::core::ecr::{EcrLogin, EcrRegistry};
    EcrLogin {
        registry: EcrRegistry::parse(&RegistryKey::parse(address).unwrap()).unwrap(),
        access_key_id: "ak".to_owned(),
        secret_access_key: "sk".to_owned(),
        session_token: None,
        endpoint: None,
    }
}

#[test]
fn later_steps_override_an_ecr_entry_and_only_surviving_logins_are_minted() {
    use registry_config::core::address::RegistryKey;
    use registry_config::core::plaintext::Plaintext;
    use registry_config::core::plan::{Plan, ResolveError};

    let key = |address: &str| RegistryKey::parse(address).unwrap();
    let texts = |plan: &Plan<String>| {
        plan.handles()
            .into_iter()
            .map(|h| Plaintext::new(h.clone()))
            .collect::<Vec<_>>()
    };
    let mut plan = Plan::default();
    plan.set_ecr(key(REGISTRY), ecr_login(REGISTRY));
    plan.set_ecr(key(OTHER_REGISTRY), ecr_login(OTHER_REGISTRY));
    // An imported config that holds one of the two keys replaces that ECR entry.
    plan.import(format!(
        r#"{{"auths":{{"{OTHER_REGISTRY}":{{"auth":"{}"}}}}}}"#,
        b64("AWS:imported-password")
    ));
    assert_eq!(
        plan.handles(),
        ["ak", "sk", "ak", "sk", plan.import_handles()[0]]
    );
    let resolution = plan.resolve_logins(texts(&plan)).unwrap();
    assert_eq!(
        resolution
            .logins
            .keys()
            .map(|k| k.as_str())
            .collect::<Vec<_>>(),
        [REGISTRY]
    );
    assert_eq!(
        resolution
            .entries
            .keys()
            .map(|k| k.as_str())
            .collect::<Vec<_>>(),
        [OTHER_REGISTRY]
    );
    let login = &resolution.logins[&key(REGISTRY)];
    assert_eq!(
        (
            login.access_key_id.expose(),
            login.secret_access_key.expose()
        ),
        ("ak", "sk")
    );
    assert_eq!(
        plan.resolve(texts(&plan)).unwrap_err(),
        ResolveError::Unminted {
            keys: vec![REGISTRY.to_owned()]
        }
    );
    // The minted count must match the logins.
    assert!(matches!(
        resolution.complete(Vec::new()),
        Err(ResolveError::Count {
            expected: 1,
            got: 0
        })
    ));

    plan.remove(key(REGISTRY));
    let resolution = plan.resolve_logins(texts(&plan)).unwrap();
    assert!(resolution.logins.is_empty());
    assert_eq!(resolution.complete(Vec::new()).unwrap().len(), 1);
}
