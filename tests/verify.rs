//! `verify` through the real binary and the engine double, against real registries on 127.0.0.1:
//! the Debian `docker-registry` with htpasswd (Basic) over HTTP and over TLS with a private CA,
//! and in token mode with the harness's token issuer. Every call goes through the leak scan.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::clients::{self, ClientResult};
use test_support::module::Module;
use test_support::oci_layout::OciLayout;
use test_support::registry::Registry;
use test_support::token_issuer::{TokenIssuer, READER, WRITER, WRITER_REFRESH_TOKEN};

/// `withRegistryAuth` for the registry with `password` (added to the leak scan).
fn with_registry(m: &mut Module, state: &Value, registry: &Registry, password: &str) -> Value {
    m.with_auth(state, registry.host_port(), registry.user(), password)
}

/// The lines `verify` returned.
fn lines(value: Value) -> Vec<String> {
    serde_json::from_value(value).expect("a list of strings")
}

/// Uploads of `repository` the registry still holds open: each has a `startedat` file (a
/// cancelled upload loses it and its `data`; distribution 2.8 leaves only an empty hash-state
/// directory behind, which its upload purger removes).
fn open_uploads(registry: &Registry, repository: &str) -> usize {
    let uploads = registry
        .dir()
        .join("store/docker/registry/v2/repositories")
        .join(repository)
        .join("_uploads");
    let Ok(entries) = std::fs::read_dir(uploads) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|upload| {
            upload.path().join("startedat").exists() || upload.path().join("data").exists()
        })
        .count()
}

/// A TCP server on 127.0.0.1 that answers every connection with `404 Not Found`: a web server
/// that is not a registry.
fn not_a_registry() -> u16 {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            );
        }
    });
    port
}

#[test]
fn basic_auth_over_http_passes_with_the_right_password() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let out = lines(m.ok("verify", &state, vec![]));
    assert_eq!(out, vec![format!("{}: ok", registry.host_port())]);
    assert!(
        registry.wait_log("authorized request", Duration::from_secs(2))
            || registry.wait_log(registry.user(), Duration::from_secs(2)),
        "the registry saw an authenticated request: {}",
        registry.log()
    );
}

#[test]
fn basic_auth_over_http_fails_naming_401_with_a_wrong_password() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, "wrong-password-sentinel");
    let error = m.err("verify", &state, vec![]);
    assert!(
        error.starts_with("verify: 1 of 1 registries failed"),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "{}: GET /v2/ with the credentials answered 401 UNAUTHORIZED",
            registry.host_port()
        )),
        "{error}"
    );
    assert!(
        registry.wait_log("error authenticating user", Duration::from_secs(2)),
        "the registry refused the password itself: {}",
        registry.log()
    );
}

#[test]
fn verify_reads_the_secrets_in_one_request_like_secret() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let state = m.with_auth(&state, "127.0.0.1:1", "other", "second-entry-sentinel");
    let state = m.ok(
        "withoutRegistryAuth",
        &state,
        vec![("address", json!("127.0.0.1:1"))],
    );
    let state = m.ok(
        "withCredentialHelper",
        &state,
        vec![("address", json!("gcr.io")), ("helper", json!("gcloud"))],
    );
    let secret = m.call("RegistryConfig", "secret", state.clone(), vec![]);
    let verify = m.call("RegistryConfig", "verify", state.clone(), vec![]);
    assert_eq!(verify.exit_code, Some(0), "{}", verify.stderr);
    assert_eq!(
        verify.round_trips + 1,
        secret.round_trips,
        "verify costs what secret() does, without its setSecret"
    );
    m.engine.reset_log();
    m.ok("verify", &state, vec![]);
    assert_eq!(m.plaintext_reads().len(), 1, "one plaintext read");
    assert!(!m.stored_a_secret());
}

#[test]
fn helper_entries_are_skipped_and_every_registry_gets_a_line() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let state = m.ok(
        "withCredentialHelper",
        &state,
        vec![
            (
                "address",
                json!("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            ),
            ("helper", json!("ecr-login")),
        ],
    );
    let out = lines(m.ok("verify", &state, vec![]));
    assert_eq!(
        out,
        vec![
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com: skipped (credential helper ecr-login runs in the container)".to_owned(),
            format!("{}: ok", registry.host_port()),
        ]
    );
}

#[test]
fn push_with_basic_auth_is_proven_by_an_upload_that_is_cancelled() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let image = format!("{}/team/app:1.0", registry.host_port());
    let out = lines(m.ok(
        "verify",
        &state,
        vec![("image", json!(image)), ("push", json!(true))],
    ));
    assert_eq!(
        out,
        vec![format!(
            "{}: ok (pull, push on team/app)",
            registry.host_port()
        )]
    );
    assert!(
        registry.wait_log("DELETE /v2/team/app/blobs/uploads/", Duration::from_secs(2)),
        "the upload was cancelled: {}",
        registry.log()
    );
    assert_eq!(
        open_uploads(&registry, "team/app"),
        0,
        "nothing is left behind"
    );
}

#[test]
fn an_image_checks_only_the_entry_that_covers_it() {
    let registry = Registry::start(false);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    // An entry that would fail (nothing listens there) is not checked for this image.
    let state = m.with_auth(&state, "127.0.0.1:1", "other", "unchecked-entry-sentinel");
    let image = format!("{}/team/app", registry.host_port());
    let out = lines(m.ok("verify", &state, vec![("image", json!(image))]));
    assert_eq!(
        out,
        vec![format!("{}: ok (pull on team/app)", registry.host_port())]
    );

    let error = m.err("verify", &state, vec![("image", json!("ghcr.io/team/app"))]);
    assert!(
        error.starts_with("verify: argument image: no entry of the config covers repository \"team/app\" of registry \"ghcr.io\""),
        "{error}"
    );
}

#[test]
fn bad_arguments_are_refused_before_any_secret_is_read() {
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), "127.0.0.1:1", "me", "argument-sentinel");
    m.engine.reset_log();
    let cases = [
        (
            vec![("image", json!("ghcr.io/Team/app"))],
            "verify: argument image: \"ghcr.io/Team/app\" is not an image reference",
        ),
        (
            vec![("image", json!("robot:hunter22@ghcr.io/team/app"))],
            "verify: argument image: \"***@ghcr.io/team/app\" holds credentials",
        ),
        (
            vec![("push", json!(true))],
            "verify: argument push: push needs an image",
        ),
        (
            vec![(
                "caCertificates",
                json!(m.engine.seed_file("not a certificate")),
            )],
            "verify: argument caCertificates: the file holds no certificate",
        ),
        (
            vec![(
                "caCertificates",
                json!(m.engine.seed_file(
                    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
                )),
            )],
            "verify: argument caCertificates: the file is not a PEM bundle",
        ),
    ];
    for (args, expected) in cases {
        let error = m.err("verify", &state, args);
        assert!(error.starts_with(expected), "{error}");
        assert!(!error.contains("hunter22"), "{error}");
    }
    assert!(m.plaintext_reads().is_empty(), "no secret was read");
}

#[test]
fn an_unreachable_registry_fails_with_the_cause() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let mut m = Module::register();
    let key = format!("127.0.0.1:{port}");
    let state = m.with_auth(&json!({}), &key, "me", "unreachable-sentinel");
    let error = m.err("verify", &state, vec![]);
    assert!(
        error.contains(&format!("{key}: unreachable: ")) && error.contains("refused"),
        "{error}"
    );
}

#[test]
fn a_port_that_is_not_a_registry_fails_clearly() {
    let mut m = Module::register();
    let key = format!("127.0.0.1:{}", not_a_registry());
    let state = m.with_auth(&json!({}), &key, "me", "not-a-registry-sentinel");
    let error = m.err("verify", &state, vec![]);
    assert!(
        error.contains(&format!(
            "{key}: GET /v2/ answered 404 (is this a registry?"
        )),
        "{error}"
    );
}

#[test]
fn a_silent_port_fails_within_the_time_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let key = format!(
        "127.0.0.1:{}",
        listener.local_addr().expect("address").port()
    );
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), &key, "me", "silent-port-sentinel");
    let started = Instant::now();
    let error = m.err("verify", &state, vec![]);
    let took = started.elapsed();
    assert!(
        error.contains(&format!("{key}: no answer within 5 seconds (time-out)")),
        "{error}"
    );
    assert!(
        took < Duration::from_secs(10),
        "the connect time-out ended it: {took:?}"
    );
    drop(listener);
}

/// A `caCertificates` File holding the TLS registry's private CA.
fn ca_file(m: &Module, registry: &Registry) -> String {
    let path = registry.ca_cert_path().expect("a TLS registry has a CA");
    let pem = std::fs::read_to_string(path).expect("read the CA certificate");
    m.engine.seed_file(&pem)
}

#[test]
fn basic_auth_over_tls_with_the_private_ca_passes() {
    let registry = Registry::start(true);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let ca = ca_file(&m, &registry);
    let out = lines(m.ok("verify", &state, vec![("caCertificates", json!(ca))]));
    assert_eq!(out, vec![format!("{}: ok", registry.host_port())]);
}

#[test]
fn basic_auth_over_tls_with_a_wrong_password_fails_naming_401() {
    let registry = Registry::start(true);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, "tls-wrong-password-sentinel");
    let ca = ca_file(&m, &registry);
    let error = m.err("verify", &state, vec![("caCertificates", json!(ca))]);
    assert!(
        error.contains(&format!(
            "{}: GET /v2/ with the credentials answered 401 UNAUTHORIZED",
            registry.host_port()
        )),
        "{error}"
    );
}

#[test]
fn without_the_private_ca_the_tls_reason_survives_the_http_fallback() {
    let registry = Registry::start(true);
    let mut m = Module::register();
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let error = m.err("verify", &state, vec![]);
    // 127.0.0.1 may be tried over plain HTTP; the TLS server answers that with 400, which
    // must not hide why HTTPS failed.
    assert!(
        error.contains(&format!(
            "{}: TLS failed: the registry's certificate is signed by an unknown authority; pass its CA certificate (PEM) in caCertificates; the plain HTTP fallback then failed too: GET /v2/ answered 400",
            registry.host_port()
        )),
        "{error}"
    );
    assert!(
        registry.wait_log("TLS handshake error", Duration::from_secs(2)),
        "the registry saw the client refuse its certificate: {}",
        registry.log()
    );
}

#[test]
fn a_certificate_for_another_name_fails_naming_the_mismatch_despite_the_http_fallback() {
    // The certificate names only 127.0.0.1 and is signed by the CA passed in caCertificates:
    // reached as localhost, the one thing wrong is the name.
    let registry = Registry::start_tls_for_ip_only();
    let port = registry
        .host_port()
        .rsplit_once(':')
        .expect("host:port")
        .1
        .to_owned();
    let by_name = format!("localhost:{port}");
    let mut m = Module::register();
    let ca = ca_file(&m, &registry);
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let state = m.with_auth(&state, &by_name, registry.user(), registry.password());

    let out = lines(m.ok(
        "verify",
        &state,
        vec![
            ("image", json!(format!("{}/any", registry.host_port()))),
            ("caCertificates", json!(ca)),
        ],
    ));
    assert_eq!(
        out,
        vec![format!("{}: ok (pull on any)", registry.host_port())]
    );

    let error = m.err(
        "verify",
        &state,
        vec![
            ("image", json!(format!("{by_name}/any"))),
            ("caCertificates", json!(ca)),
        ],
    );
    // localhost may be tried over plain HTTP; the TLS server answers that with 400, which
    // must not hide why HTTPS failed.
    assert!(
        error.contains(&format!(
            "{by_name}: TLS failed: the registry's certificate is not valid for this host name; the plain HTTP fallback then failed too: GET /v2/ answered 400"
        )),
        "{error}"
    );
    assert!(!error.contains(registry.password()), "{error}");
    assert!(
        registry.wait_log("TLS handshake error", Duration::from_secs(2)),
        "the registry saw the client refuse its certificate: {}",
        registry.log()
    );
}

/// A token-mode registry and its issuer.
fn token_registry() -> (TokenIssuer, Registry) {
    let issuer = TokenIssuer::start();
    let registry = Registry::start_token(&issuer, false);
    (issuer, registry)
}

/// `withRegistryAuth` for the token registry as `user`.
fn with_user(m: &mut Module, registry: &Registry, (user, password): (&str, &str)) -> Value {
    m.with_auth(&json!({}), registry.host_port(), user, password)
}

#[test]
fn token_auth_writer_may_push() {
    let (issuer, registry) = token_registry();
    let mut m = Module::register();
    let state = with_user(&mut m, &registry, WRITER);
    let image = format!("{}/team/app", registry.host_port());
    let out = lines(m.ok(
        "verify",
        &state,
        vec![("image", json!(image)), ("push", json!(true))],
    ));
    assert_eq!(
        out,
        vec![format!(
            "{}: ok (pull, push on team/app)",
            registry.host_port()
        )]
    );
    let requests = issuer.requests();
    assert_eq!(
        requests
            .last()
            .map(|r| (r.account.as_deref(), r.scopes.clone())),
        Some((
            Some(WRITER.0),
            vec!["repository:team/app:pull,push".to_owned()]
        )),
        "{requests:?}"
    );
}

#[test]
fn token_auth_reader_may_pull_but_not_push() {
    let (_issuer, registry) = token_registry();
    let mut m = Module::register();
    let state = with_user(&mut m, &registry, READER);
    let image = format!("{}/team/app:1.0", registry.host_port());
    let out = lines(m.ok("verify", &state, vec![("image", json!(image))]));
    assert_eq!(
        out,
        vec![format!("{}: ok (pull on team/app)", registry.host_port())]
    );

    let error = m.err(
        "verify",
        &state,
        vec![("image", json!(image)), ("push", json!(true))],
    );
    assert!(
        error.contains(&format!(
            "{}: the token does not grant push on team/app",
            registry.host_port()
        )),
        "{error}"
    );
}

#[test]
fn token_auth_login_passes_for_both_users_and_fails_with_a_wrong_password() {
    let (_issuer, registry) = token_registry();
    let mut m = Module::register();
    for user in [READER, WRITER] {
        let state = with_user(&mut m, &registry, user);
        let out = lines(m.ok("verify", &state, vec![]));
        assert_eq!(out, vec![format!("{}: ok", registry.host_port())]);
    }
    let state = with_user(
        &mut m,
        &registry,
        (WRITER.0, "token-wrong-password-sentinel"),
    );
    let error = m.err("verify", &state, vec![]);
    assert!(
        error.contains(&format!(
            "{}: the token request to the realm answered 401 UNAUTHORIZED",
            registry.host_port()
        )),
        "{error}"
    );
}

#[test]
fn token_auth_with_an_identity_token_uses_the_refresh_token_grant() {
    let (issuer, registry) = token_registry();
    let mut m = Module::register();
    let token = m.secret("", WRITER_REFRESH_TOKEN);
    let state = m.ok(
        "withIdentityToken",
        &json!({}),
        vec![
            ("address", json!(registry.host_port())),
            ("token", json!(token)),
        ],
    );
    let image = format!("{}/team/app", registry.host_port());
    let out = lines(m.ok(
        "verify",
        &state,
        vec![("image", json!(image)), ("push", json!(true))],
    ));
    assert_eq!(
        out,
        vec![format!(
            "{}: ok (pull, push on team/app)",
            registry.host_port()
        )]
    );
    let last = issuer.requests().pop().expect("a token request");
    assert_eq!(
        (last.method.as_str(), last.account.as_deref()),
        ("POST", Some(WRITER.0))
    );
}

/// One row of the agreement table: what each client says for the same credentials.
struct Agreement {
    case: &'static str,
    verify: Result<String, String>,
    skopeo_login: ClientResult,
    docker_login: ClientResult,
    push: ClientResult,
}

/// `ok`, or the first line of a client's output that says why not.
fn said(result: &ClientResult) -> String {
    if result.ok {
        let succeeded = result
            .output
            .lines()
            .find(|line| line.contains("Succeeded"));
        return succeeded.map_or("ok".to_owned(), |line| format!("ok ({})", line.trim()));
    }
    let line = result
        .output
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("(no output)");
    format!("fails: {}", line.trim())
}

/// Runs every client against `registry` with the same credentials.
fn agreement(
    case: &'static str,
    registry: &Registry,
    (user, password): (&str, &str),
    layout: &OciLayout,
) -> Agreement {
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), registry.host_port(), user, password);
    let image = format!("{}/team/app", registry.host_port());
    let outcome = m.call(
        "RegistryConfig",
        "verify",
        state.clone(),
        vec![("image", json!(image)), ("push", json!(true))],
    );
    let verify = match &outcome.return_error {
        None => Ok(lines(outcome.return_value.clone().expect("a value")).join("; ")),
        Some(_) => Err(test_support::module::assert_returned_error(&outcome)),
    };
    let (_, rendered) = m.rendered(&m.ok("secret", &state, vec![]));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = clients::write_mounted_config(dir.path(), rendered.as_bytes());
    Agreement {
        case,
        verify,
        skopeo_login: clients::skopeo_login(registry, user, password),
        docker_login: clients::docker_login(registry, user, password),
        push: clients::skopeo_push(&config, registry, layout, "team/app:agreement"),
    }
}

#[test]
fn verify_agrees_with_an_actual_push() {
    let layout = OciLayout::build();
    let basic = Registry::start(false);
    let (_issuer, token) = token_registry();
    let rows = [
        agreement(
            "htpasswd, right password",
            &basic,
            (basic.user(), basic.password()),
            &layout,
        ),
        agreement(
            "htpasswd, wrong password",
            &basic,
            (basic.user(), "agreement-wrong-sentinel"),
            &layout,
        ),
        agreement("token, writer", &token, WRITER, &layout),
        agreement("token, reader (pull only)", &token, READER, &layout),
        agreement(
            "token, wrong password",
            &token,
            (WRITER.0, "agreement-token-wrong-sentinel"),
            &layout,
        ),
    ];
    println!("| Credentials | `verify --image … --push` | `skopeo login` | `docker login` | `skopeo copy` (push) |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        let verify = match &row.verify {
            Ok(line) => line.clone(),
            Err(error) => format!("fails: {error}"),
        };
        println!(
            "| {} | {verify} | {} | {} | {} |",
            row.case,
            said(&row.skopeo_login),
            said(&row.docker_login),
            said(&row.push)
        );
    }
    for row in &rows {
        assert_eq!(
            row.verify.is_ok(),
            row.push.ok,
            "{}: verify says {:?}, the push {}",
            row.case,
            row.verify,
            row.push
        );
    }
    let expected_push = [true, false, true, false, false];
    let pushed: Vec<bool> = rows.iter().map(|row| row.push.ok).collect();
    assert_eq!(pushed, expected_push, "the cases are what they claim to be");
}

/// A token the issuer grants `user` for `scope`, fetched with curl as a CI job would.
fn issued_token(issuer: &TokenIssuer, (user, password): (&str, &str), scope: &str) -> String {
    let url = format!(
        "{}?service={}&scope={scope}",
        issuer.realm(),
        test_support::token_issuer::SERVICE
    );
    let out = std::process::Command::new(test_support::registry::tool("curl"))
        .args(["-q", "-s", "--noproxy", "*", "--max-time", "5", "-u"])
        .arg(format!("{user}:{password}"))
        .arg(url)
        .env_clear()
        .output()
        .expect("run curl");
    let body: Value = serde_json::from_slice(&out.stdout).expect("a token response");
    body["token"].as_str().expect("a token").to_owned()
}

#[test]
fn a_registry_token_is_sent_as_the_bearer_and_its_grant_is_read() {
    let (issuer, registry) = token_registry();
    let mut m = Module::register();
    let image = format!("{}/team/app", registry.host_port());
    for (user, expected) in [
        (WRITER, Ok("ok (pull, push on team/app)")),
        (READER, Err("the token does not grant push on team/app")),
    ] {
        let token = issued_token(&issuer, user, "repository:team/app:pull,push");
        let secret = m.secret("", &token);
        let state = m.ok(
            "withRegistryToken",
            &json!({}),
            vec![
                ("address", json!(registry.host_port())),
                ("token", json!(secret)),
            ],
        );
        let args = vec![("image", json!(image)), ("push", json!(true))];
        match expected {
            Ok(line) => assert_eq!(
                lines(m.ok("verify", &state, args)),
                vec![format!("{}: {line}", registry.host_port())]
            ),
            Err(reason) => {
                let error = m.err("verify", &state, args);
                assert!(
                    error.contains(&format!("{}: {reason}", registry.host_port())),
                    "{error}"
                );
            }
        }
    }
}

#[test]
fn credentials_never_go_to_a_plain_http_realm_of_a_tls_registry() {
    let issuer = TokenIssuer::start();
    let registry = Registry::start_token(&issuer, true);
    let mut m = Module::register();
    let state = with_user(&mut m, &registry, WRITER);
    let ca = ca_file(&m, &registry);
    let error = m.err("verify", &state, vec![("caCertificates", json!(ca))]);
    assert!(
        error.contains(&format!(
            "{}: the token realm is plain HTTP; credentials are sent to an HTTP realm only when the registry itself is a loopback host reached over HTTP",
            registry.host_port()
        )),
        "{error}"
    );
    assert!(issuer.requests().is_empty(), "the realm was never asked");
}

/// What a scripted registry answers: status, extra headers, body.
type Reply = (u16, Vec<(&'static str, String)>, &'static str);

/// A plain-HTTP server on 127.0.0.1 that answers each request (one per connection) with
/// `script(method, path, authenticated)`.
fn scripted_registry(script: fn(&str, &str, bool) -> Reply) -> u16 {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut request = vec![0u8; 16 * 1024];
            let read = stream.read(&mut request).unwrap_or(0);
            let text = String::from_utf8_lossy(&request[..read]).into_owned();
            let mut words = text.split_whitespace();
            let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let authenticated = text.to_ascii_lowercase().contains("\r\nauthorization:");
            let (status, headers, body) = script(method, path, authenticated);
            let mut answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(body);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

/// A Basic-auth registry whose blob uploads open and whose cancel is refused (or, for the
/// `elsewhere` repository, point to another host).
fn registry_refusing_cancel(method: &str, path: &str, authenticated: bool) -> Reply {
    let denied = r#"{"errors":[{"code":"DENIED","message":"delete not granted"}]}"#;
    match (method, path, authenticated) {
        (_, _, false) => (
            401,
            vec![("WWW-Authenticate", r#"Basic realm="scripted""#.to_owned())],
            r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
        ),
        ("GET", "/v2/", true) => (200, vec![], "{}"),
        ("GET", path, true) if path.ends_with("/tags/list") => (404, vec![], "{}"),
        ("POST", "/v2/team/app/blobs/uploads/", true) => (
            202,
            vec![(
                "Location",
                "/v2/team/app/blobs/uploads/u1?_state=x".to_owned(),
            )],
            "",
        ),
        ("POST", "/v2/elsewhere/blobs/uploads/", true) => (
            202,
            vec![(
                "Location",
                "http://127.0.0.2:9/v2/elsewhere/blobs/uploads/u2".to_owned(),
            )],
            "",
        ),
        ("DELETE", _, true) => (403, vec![], denied),
        _ => (404, vec![], "{}"),
    }
}

#[test]
fn push_is_proven_even_where_the_registry_refuses_to_cancel_the_upload() {
    let port = scripted_registry(registry_refusing_cancel);
    let key = format!("127.0.0.1:{port}");
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), &key, "me", "scripted-sentinel");
    let out = lines(m.ok(
        "verify",
        &state,
        vec![
            ("image", json!(format!("{key}/team/app"))),
            ("push", json!(true)),
        ],
    ));
    assert_eq!(
        out,
        vec![format!("{key}: ok (pull, push on team/app; the registry refused to cancel the test upload; it expires the empty upload itself)")]
    );
    let error = m.err(
        "verify",
        &state,
        vec![
            ("image", json!(format!("{key}/elsewhere"))),
            ("push", json!(true)),
        ],
    );
    assert!(
        error.contains(&format!("{key}: the registry opened the test blob upload but gave no upload location on its own host")),
        "{error}"
    );
}

/// A forward proxy that answers, as a Basic-auth registry, only for `127.0.0.1:1` (where
/// nothing listens) and only in the absolute form requests sent through a proxy take.
fn proxy_for_port_1(method: &str, path: &str, authenticated: bool) -> Reply {
    match (method, path, authenticated) {
        ("GET", "http://127.0.0.1:1/v2/", false) => (
            401,
            vec![("WWW-Authenticate", r#"Basic realm="proxied""#.to_owned())],
            "",
        ),
        ("GET", "http://127.0.0.1:1/v2/", true) => (200, vec![], "{}"),
        _ => (404, vec![], ""),
    }
}

#[test]
fn the_proxy_variables_of_the_environment_are_followed() {
    let proxy = scripted_registry(proxy_for_port_1);
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), "127.0.0.1:1", "me", "proxy-sentinel");
    let proxy_url = format!("http://127.0.0.1:{proxy}");
    let outcome = m.call_with_env(
        "RegistryConfig",
        "verify",
        state,
        vec![],
        &[("HTTP_PROXY", proxy_url.as_str())],
    );
    assert_eq!(
        outcome.return_value,
        Some(json!(["127.0.0.1:1: ok"])),
        "{}",
        outcome.stderr
    );
}

/// A server that answers 200 to everything, like an open registry (or a catch-all web server).
fn answers_everything(_method: &str, _path: &str, _authenticated: bool) -> Reply {
    (200, vec![], "{}")
}

#[test]
fn a_registry_that_asks_for_no_credentials_is_not_reported_as_checking_them() {
    let port = scripted_registry(answers_everything);
    let key = format!("127.0.0.1:{port}");
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), &key, "me", "open-registry-sentinel");
    let out = lines(m.ok("verify", &state, vec![]));
    assert_eq!(
        out,
        vec![format!(
            "{key}: ok (the registry asks for no credentials, so they were not checked)"
        )]
    );
}

/// What the CONNECT proxy saw in clear: the request line of every connection and every byte
/// it carried, both ways.
#[derive(Default)]
struct ProxyRecord {
    request_lines: Vec<String>,
    carried: Vec<u8>,
}

/// Copies `from` to `to` until either side ends, keeping a copy of every byte in `record`.
fn tunnel_one_way(
    mut from: std::net::TcpStream,
    mut to: std::net::TcpStream,
    record: &std::sync::Mutex<ProxyRecord>,
) {
    use std::io::{Read, Write};
    let mut buffer = [0u8; 16 * 1024];
    while let Ok(read) = from.read(&mut buffer) {
        if read == 0 {
            break;
        }
        record
            .lock()
            .expect("record")
            .carried
            .extend_from_slice(&buffer[..read]);
        if to.write_all(&buffer[..read]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// An HTTP CONNECT proxy on 127.0.0.1 that tunnels only to `target` (other targets get 403)
/// and records what it sees. It accepts connections for 30 seconds; every socket has a
/// 10-second read time-out, so it stops by itself.
fn connect_proxy(target: String) -> (u16, std::sync::Arc<std::sync::Mutex<ProxyRecord>>) {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::{Arc, Mutex};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("non-blocking");
    let port = listener.local_addr().expect("address").port();
    let record = Arc::new(Mutex::new(ProxyRecord::default()));
    let shared = Arc::clone(&record);
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let Ok((mut client, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let (record, target) = (Arc::clone(&shared), target.clone());
            std::thread::spawn(move || {
                let timeout = Some(Duration::from_secs(10));
                let _ = client.set_nonblocking(false);
                let _ = client.set_read_timeout(timeout);
                // The request head, byte by byte so that no tunnelled byte is taken with it.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let request_line = head.lines().next().unwrap_or("").to_owned();
                {
                    let mut record = record.lock().expect("record");
                    record.request_lines.push(request_line.clone());
                    record.carried.extend_from_slice(head.as_bytes());
                }
                if request_line != format!("CONNECT {target} HTTP/1.1") {
                    let _ = client.write_all(
                        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                }
                let Ok(upstream) = TcpStream::connect(&target) else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = upstream.set_read_timeout(timeout);
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .is_err()
                {
                    return;
                }
                let (Ok(client_out), Ok(upstream_in)) = (client.try_clone(), upstream.try_clone())
                else {
                    return;
                };
                let back = Arc::clone(&record);
                let answers =
                    std::thread::spawn(move || tunnel_one_way(upstream_in, client_out, &back));
                tunnel_one_way(client, upstream, &record);
                let _ = answers.join();
            });
        }
    });
    (port, record)
}

#[test]
fn an_https_registry_is_reached_through_https_proxy_with_connect() {
    let registry = Registry::start(true);
    let (proxy, record) = connect_proxy(registry.host_port().to_owned());
    let mut m = Module::register();
    let ca = ca_file(&m, &registry);
    let state = with_registry(&mut m, &json!({}), &registry, registry.password());
    let proxy_url = format!("http://127.0.0.1:{proxy}");
    // Nothing in the environment exempts 127.0.0.1 (the double clears it), so the proxy
    // variable applies to it like to any host.
    let outcome = m.call_with_env(
        "RegistryConfig",
        "verify",
        state,
        vec![("caCertificates", json!(ca))],
        &[("HTTPS_PROXY", proxy_url.as_str())],
    );
    assert_eq!(
        outcome.return_value,
        Some(json!([format!("{}: ok", registry.host_port())])),
        "{}",
        outcome.stderr
    );

    let record = record.lock().expect("record");
    assert!(!record.request_lines.is_empty(), "the proxy was used");
    for line in &record.request_lines {
        assert_eq!(line, &format!("CONNECT {} HTTP/1.1", registry.host_port()));
    }
    // The tunnel carried a TLS handshake (a record of type 22 right after the CONNECT head)
    // and, since verify passed, the authenticated request inside it.
    let tunnelled = record
        .carried
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|end| &record.carried[end + 4..]);
    assert_eq!(tunnelled.and_then(|bytes| bytes.first()), Some(&0x16));
    let clear = test_support::leak::Scanner::new([
        registry.password(),
        format!("{}:{}", registry.user(), registry.password()).as_str(),
    ]);
    assert!(
        clear.find(&record.carried).is_none(),
        "the credentials crossed the proxy in clear"
    );
    assert!(
        registry.wait_log("authorized request", Duration::from_secs(2))
            || registry.wait_log(registry.user(), Duration::from_secs(2)),
        "the registry saw an authenticated request: {}",
        registry.log()
    );
}
