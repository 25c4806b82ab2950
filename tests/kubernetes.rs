//! `kubernetesSecret`: the module's image pull secret manifest, read by the real `kubectl` on
//! this machine without a cluster (`kubectl kustomize` parses and re-emits the object), and
//! compared with what `kubectl create secret docker-registry --dry-run=client` makes for the
//! same credentials.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use serde_json::{json, Value};
use test_support::b64;
use test_support::module::Module;

const PASSWORD: &str = "kubernetes-sentinel-pw";

/// A module with `withRegistryAuth(ghcr.io, me, PASSWORD)` and that state.
fn with_auth() -> (Module, Value) {
    let mut m = Module::register();
    let state = m.with_auth(&json!({}), "ghcr.io", "me", PASSWORD);
    (m, state)
}

/// `.dockerconfigjson` of a manifest, decoded.
fn docker_config_json(manifest: &Value) -> String {
    let encoded = manifest["data"][".dockerconfigjson"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Runs kubectl with no cluster configured.
fn kubectl(args: &[&str], dir: &Path) -> String {
    let kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]
        .into_iter()
        .find(|path| Path::new(path).is_file())
        .expect("kubectl (client only) is on the machine image");
    let output = Command::new(kubectl)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("KUBECONFIG", dir.join("no-cluster"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_manifest_wraps_exactly_the_rendered_config_and_kubectl_reads_it() {
    let (m, state) = with_auth();
    let (config_name, config) = m.rendered(&m.ok("secret", &state, vec![]));
    let out = m.call(
        "RegistryConfig",
        "kubernetesSecret",
        state.clone(),
        vec![("name", json!("regcred")), ("namespace", json!("ci"))],
    );
    assert_eq!(
        out.round_trips, 4,
        "like secret: envelope, read, setSecret, return"
    );
    let (name, plaintext) = m.rendered(out.return_value.as_ref().unwrap());
    assert!(name.starts_with("registry-config-kubernetes-"), "{name}");
    assert_ne!(name, config_name);
    assert_eq!(
        plaintext,
        format!(
            r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"regcred","namespace":"ci"}},"type":"kubernetes.io/dockerconfigjson","data":{{".dockerconfigjson":"{}"}}}}"#,
            b64(&config)
        )
    );
    let manifest: Value = serde_json::from_str(&plaintext).unwrap();
    assert_eq!(docker_config_json(&manifest), config);

    // kubectl parses it as a Secret without a cluster.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pull-secret.json"), &plaintext).unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n- pull-secret.json\n",
    )
    .unwrap();
    let read = kubectl(&["kustomize", "."], dir.path());
    for line in [
        "kind: Secret",
        "type: kubernetes.io/dockerconfigjson",
        "  name: regcred",
        "  namespace: ci",
        &format!("  .dockerconfigjson: {}", b64(&config)),
    ] {
        assert!(read.lines().any(|l| l == line), "{line:?} not in:\n{read}");
    }

    // What kubectl itself makes for the same credentials: the same type and key, and a
    // .dockerconfigjson for the same registry whose `auth` is the same. kubectl also writes
    // `username` and `password` in clear inside the entry (the module writes `auth` only, as
    // docker does), and `metadata.creationTimestamp: null`; the module adds `namespace` when
    // asked and keeps keys in a fixed order so the same input gives the same bytes.
    let theirs: Value = serde_json::from_str(&kubectl(
        &[
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--namespace",
            "ci",
            "--docker-server=ghcr.io",
            "--docker-username=me",
            &format!("--docker-password={PASSWORD}"),
            "--dry-run=client",
            "-o",
            "json",
        ],
        dir.path(),
    ))
    .unwrap();
    assert_eq!(theirs["type"], manifest["type"]);
    assert_eq!(theirs["metadata"]["name"], manifest["metadata"]["name"]);
    assert_eq!(
        theirs["metadata"]["namespace"],
        manifest["metadata"]["namespace"]
    );
    let theirs_config: Value = serde_json::from_str(&docker_config_json(&theirs)).unwrap();
    let ours_config: Value = serde_json::from_str(&config).unwrap();
    assert_eq!(
        theirs_config["auths"]["ghcr.io"]["auth"],
        ours_config["auths"]["ghcr.io"]["auth"]
    );
    assert_eq!(
        theirs_config["auths"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ours_config["auths"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>()
    );
}

#[test]
fn names_namespaces_and_helpers_are_refused_clearly() {
    let (m, state) = with_auth();
    let cases = [
        (
            "RegCred",
            "",
            "argument name: \"RegCred\" is not a Kubernetes object name",
        ),
        (
            "-x",
            "",
            "argument name: \"-x\" is not a Kubernetes object name",
        ),
        (
            "a..b",
            "",
            "argument name: \"a..b\" is not a Kubernetes object name",
        ),
        (
            "ok",
            "ci.prod",
            "argument namespace: \"ci.prod\" is not a Kubernetes namespace",
        ),
        (
            "ok",
            "CI",
            "argument namespace: \"CI\" is not a Kubernetes namespace",
        ),
    ];
    for (name, namespace, expected) in cases {
        let message = m.err(
            "kubernetesSecret",
            &state,
            vec![("name", json!(name)), ("namespace", json!(namespace))],
        );
        let expected = format!("kubernetesSecret: {expected}");
        assert!(
            message.starts_with(&expected),
            "{message}\nexpected: {expected}"
        );
    }
    let with_helper = m.ok(
        "withCredentialHelper",
        &state,
        vec![
            ("address", json!("public.ecr.aws")),
            ("helper", json!("ecr-login")),
        ],
    );
    let message = m.err(
        "kubernetesSecret",
        &with_helper,
        vec![("name", json!("regcred"))],
    );
    assert!(
        message.starts_with("kubernetesSecret: the config names a credential helper for \"public.ecr.aws\", but the kubelet"),
        "{message}"
    );
}

#[test]
fn entries_the_kubelet_ignores_are_refused_naming_the_key_and_field() {
    use registry_config::core::address::RegistryKey;
    use registry_config::core::credential::{Credential, Username};
    use registry_config::core::helper::HelperName;
    use registry_config::core::kubernetes::{check_pull_secret_entries, PullSecretError};
    use registry_config::core::plaintext::Plaintext;
    use registry_config::core::render::ResolvedEntries;

    let key = |address: &str| RegistryKey::parse(address).unwrap();
    let token = || Plaintext::new("token-sentinel".into());
    let mut entries = ResolvedEntries::new();
    entries.insert(
        key("ghcr.io"),
        Credential::Basic {
            username: Username::parse("me").unwrap(),
            password: token(),
        },
    );
    assert_eq!(check_pull_secret_entries(&entries), Ok(()));
    for (credential, field) in [
        (Credential::IdentityToken(token()), "identitytoken"),
        (Credential::RegistryToken(token()), "registrytoken"),
    ] {
        let mut with_token = entries.clone();
        with_token.insert(key("myreg.azurecr.io"), credential);
        let error = check_pull_secret_entries(&with_token).unwrap_err();
        assert_eq!(
            error,
            PullSecretError::Token {
                key: "myreg.azurecr.io".into(),
                field
            }
        );
        assert_eq!(
            error.to_string(),
            format!("the config holds an \"{field}\" entry for \"myreg.azurecr.io\", but the kubelet reads only \"auth\", \"username\" and \"password\" from an image pull secret, so pods would pull from that registry anonymously; use withRegistryAuth for that registry (with the username the registry expects for a token), or withoutRegistryAuth to leave it out")
        );
        assert!(!format!("{error:?}").contains("sentinel"));
    }
    entries.insert(
        key("public.ecr.aws"),
        Credential::Helper(HelperName::parse("ecr-login").unwrap()),
    );
    assert_eq!(
        check_pull_secret_entries(&entries),
        Err(PullSecretError::Helper {
            key: "public.ecr.aws".into()
        })
    );
}
