//! The credential plan (replace, remove, import order) and imported config.json parsing.

use registry_config::core::address::RegistryKey;
use registry_config::core::credential::{Credential, Username};
use registry_config::core::helper::HelperName;
use registry_config::core::import::{parse_docker_config, ImportError, Imported};
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::{Plan, ResolveError, Step};
use registry_config::core::render::{render, RenderError};
use registry_config::limits::{MAX_IMPORT_BYTES, MAX_LISTED_BYTES};
use test_support::b64;

fn key(address: &str) -> RegistryKey {
    RegistryKey::parse(address).unwrap()
}

fn basic(user: &str, secret: &str) -> Credential<String> {
    Credential::Basic {
        username: Username::parse(user).unwrap(),
        password: secret.to_owned(),
    }
}

/// Resolves a plan whose handles are the plaintexts themselves.
fn render_plan(plan: &Plan<String>) -> Result<String, ResolveError> {
    let plaintexts = plan
        .handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect();
    let entries = plan.resolve(plaintexts)?;
    Ok(render(&entries).unwrap().as_str().to_owned())
}

/// Whether an error is the expected variant.
type IsExpected = fn(&ImportError) -> bool;

#[test]
fn replacing_a_key_keeps_one_step() {
    let mut plan = Plan::default();
    plan.set(key("ghcr.io"), basic("a", "1"));
    plan.set(key("https://GHCR.io"), basic("b", "2"));
    assert_eq!(plan.steps().len(), 1);
    assert_eq!(
        render_plan(&plan).unwrap(),
        format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#, b64("b:2"))
    );
}

#[test]
fn removing_without_imports_leaves_no_trace() {
    let mut plan = Plan::default();
    plan.set(key("docker.io"), basic("a", "1"));
    plan.set(key("ghcr.io"), basic("b", "2"));
    plan.remove(key("https://index.docker.io/v1/"));
    plan.remove(key("quay.io"));
    assert_eq!(plan.steps().len(), 1);
    assert_eq!(plan.keys(vec![]).unwrap(), [key("ghcr.io")]);
}

#[test]
fn imports_merge_in_call_order() {
    let imported = format!(
        r#"{{"auths":{{"docker.io":{{"auth":"{}"}},"ghcr.io":{{"auth":"{}"}},"quay.io":{{"auth":"{}"}}}},"credsStore":"desktop","credHelpers":{{"gcr.io":"gcloud"}}}}"#,
        b64("hub:old"),
        b64("gh:old"),
        b64("quay:imported")
    );
    let mut plan = Plan::default();
    plan.set(key("ghcr.io"), basic("gh", "before-import")); // overridden by the import
    plan.import(imported.clone());
    plan.set(key("docker.io"), basic("hub", "after-import")); // overrides the import
    plan.remove(key("quay.io")); // removes what the import brought in
    assert!(matches!(plan.steps().last(), Some(Step::Remove { .. })));
    assert_eq!(
        render_plan(&plan).unwrap(),
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"https://index.docker.io/v1/":{{"auth":"{}"}}}},"credHelpers":{{"gcr.io":"gcloud"}}}}"#,
            b64("gh:old"),
            b64("hub:after-import")
        )
    );
    assert_eq!(
        plan.keys(vec![Plaintext::new(imported)]).unwrap(),
        [
            key("gcr.io"),
            key("ghcr.io"),
            key("https://index.docker.io/v1/")
        ]
    );
}

#[test]
fn import_reads_every_credential_form_and_drops_empty_entries() {
    let config = format!(
        r#"{{"auths":{{
            "https://index.docker.io/v1/":{{"auth":"{}","email":"x@y"}},
            "ghcr.io":{{"username":"u","password":"p:w"}},
            "myreg.azurecr.io":{{"auth":"{}","identitytoken":"refresh"}},
            "bearer.example.com":{{"registrytoken":"tok"}},
            "helper.example.com":{{}},
            "nulls.example.com":{{"auth":null,"email":null}},
            "padless.example.com":{{"auth":"{}"}}
        }}}}"#,
        b64("hub:pw\0\0"),
        b64("00000000-0000-0000-0000-000000000000:"),
        b64("np:x").trim_end_matches('='),
    );
    let entries = parse_docker_config(&config).unwrap();
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bearer.example.com",
            "ghcr.io",
            "https://index.docker.io/v1/",
            "myreg.azurecr.io",
            "padless.example.com"
        ]
    );
    let find = |k: &str| match &entries.iter().find(|(key, _)| key.as_str() == k).unwrap().1 {
        Imported::Credential(credential) => credential,
        Imported::InStore(store) => panic!("{k} is in store {store:?}"),
    };
    match find("https://index.docker.io/v1/") {
        Credential::Basic { username, password } => {
            assert_eq!(username.as_str(), "hub");
            assert_eq!(
                password.expose(),
                "pw",
                "trailing NULs are trimmed like docker does"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(find("myreg.azurecr.io"), Credential::IdentityToken(t) if t.expose() == "refresh")
    );
    assert!(
        matches!(find("bearer.example.com"), Credential::RegistryToken(t) if t.expose() == "tok")
    );
    assert!(
        matches!(find("ghcr.io"), Credential::Basic { password, .. } if password.expose() == "p:w")
    );
}

#[test]
fn import_errors_name_the_entry_and_never_quote_content() {
    let secret = "s3cr3t-sentinel";
    let cases: Vec<(String, IsExpected)> = vec![
        (format!("{{\"auths\": {secret}"), |e| matches!(e, ImportError::InvalidJson)),
        (format!("[\"{secret}\"]"), |e| matches!(e, ImportError::NotAnObject)),
        (format!("{{\"auths\":\"{secret}\"}}"), |e| matches!(e, ImportError::AuthsNotAnObject)),
        (format!("{{\"auths\":{{\"ghcr.io\":\"{secret}\"}}}}"), |e| matches!(e, ImportError::EntryNotAnObject { key } if key == "ghcr.io")),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":[\"{secret}\"]}}}}}}"), |e| matches!(e, ImportError::FieldNotAString { field: "auth", .. })),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{secret}!!\"}}}}}}"), |e| matches!(e, ImportError::UndecodableAuth { .. })),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}", b64(secret)), |e| matches!(e, ImportError::AuthWithoutColon { .. })),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}", b64(&format!(":{secret}"))), |e| matches!(e, ImportError::Username { .. })),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"password\":\"{secret}\"}}}}}}"), |e| matches!(e, ImportError::IncompleteBasicAuth { .. })),
        (format!("{{\"auths\":{{\"ghcr.io/app:1\":{{\"registrytoken\":\"{secret}\"}}}}}}"), |e| matches!(e, ImportError::Key { .. })),
        (format!("{{\"auths\":{{\"docker.io\":{{\"registrytoken\":\"{secret}\"}},\"https://index.docker.io/v1/\":{{\"registrytoken\":\"x\"}}}}}}"), |e| matches!(e, ImportError::DuplicateKey { .. })),
        (format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}", b64(&format!("u\u{1}{secret}:x"))), |e| matches!(e, ImportError::Username { .. })),
    ];
    for (config, is_expected) in cases {
        let error = parse_docker_config(&config).expect_err(&config);
        assert!(is_expected(&error), "{config}: got {error:?}");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cr3t"), "leaked: {shown}");
        assert!(!shown.contains(&b64(secret)[..8]), "leaked: {shown}");
    }
}

#[test]
fn hostile_documents_are_errors_not_panics() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_docker_config(&deep).is_err());
    let deep_auths = format!(
        "{{\"auths\":{}{}}}",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    assert!(parse_docker_config(&deep_auths).is_err());
    let huge_number = format!(
        "{{\"auths\":{{\"ghcr.io\":{{\"auth\":1{}}}}}}}",
        "0".repeat(10_000)
    );
    assert!(matches!(
        parse_docker_config(&huge_number),
        Err(ImportError::FieldNotAString { .. })
    ));
    assert_eq!(parse_docker_config("{}").unwrap().len(), 0);
    assert_eq!(parse_docker_config("{\"auths\":null}").unwrap().len(), 0);
}

#[test]
fn a_malformed_import_is_reported_by_call_number() {
    let mut plan = Plan::default();
    plan.import("{\"auths\":{}}".to_owned());
    plan.import("not json".to_owned());
    let error = render_plan(&plan).unwrap_err();
    assert!(
        matches!(error, ResolveError::Import { index: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("withDockerConfig call #2"));
}

/// Whether `text` has any ASCII digit (a position or a length would need one).
fn has_digit(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
}

#[test]
fn syntax_errors_give_no_position_only_the_entry_at_most() {
    // A bare password, one with a numeric prefix (serde stops after the number), a config cut
    // short, trailing garbage: serde's positions would tell where and how long the secret is.
    for config in [
        "hunter-sentinel",
        "123456sentinel",
        "\"unterminated-sentinel",
        "{\"auths\":{\"a.io\":{}},",
        "{\"auths\":{}} sentinel",
        "{\"credsStore\": sentinel, \"auths\":{}}",
    ] {
        let error = parse_docker_config(config).unwrap_err();
        assert_eq!(error, ImportError::InvalidJson, "{config}");
        let shown = format!("{error} {error:?}");
        assert!(!has_digit(&shown) && !shown.contains("sentinel"), "{shown}");
    }
    assert_eq!(
        ImportError::InvalidJson.to_string(),
        "the config is not valid JSON; withDockerConfig takes the content of a config.json file"
    );
    // Inside an entry: the entry is named, nothing else.
    for config in [
        "{\"auths\":{\"ghcr.io\":{\"username\":\"u\",\"password\":\"abc\u{1}de-sentinel\"}}}",
        "{\"auths\":{\"ghcr.io\":{\"auth\":\"abc-sentinel",
        "{\"auths\":{\"ghcr.io\":{\"password\":12sentinel}}}",
        "{\"auths\":{\"ok.io\":{},\"ghcr.io\":{\"auth\":\"x\" \"y\"}}}",
    ] {
        let error = parse_docker_config(config).unwrap_err();
        assert_eq!(
            error,
            ImportError::InvalidEntryJson {
                key: "ghcr.io".into()
            },
            "{config:?}"
        );
        assert_eq!(
            error.to_string(),
            "the config is not valid JSON inside entry \"ghcr.io\""
        );
    }
}

#[test]
fn duplicate_auths_entries_and_fields_are_refused_not_resolved_silently() {
    let a = b64("first:pw-sentinel-1");
    let b = b64("second:pw-sentinel-2");
    let cases: Vec<(String, ImportError, &str)> = vec![
        (
            format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{a}"}}}},"auths":{{}}}}"#),
            ImportError::DuplicateAuths,
            "the config has more than one \"auths\" key; tools disagree on which one counts, so keep one",
        ),
        (
            r#"{"auths":null,"auths":null}"#.to_owned(),
            ImportError::DuplicateAuths,
            "",
        ),
        (
            format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{a}"}},"ghcr.io":{{"auth":"{b}"}}}}}}"#),
            ImportError::DuplicateEntry {
                key: "ghcr.io".into(),
            },
            "entry \"ghcr.io\" appears twice in \"auths\"; tools disagree on which one counts, so keep one",
        ),
        (
            // The same key once escaped: byte-identical once read.
            format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{a}"}},"ghcr\u002eio":{{}}}}}}"#),
            ImportError::DuplicateEntry {
                key: "ghcr.io".into(),
            },
            "",
        ),
        (
            format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{a}","auth":"{b}"}}}}}}"#),
            ImportError::DuplicateField {
                key: "ghcr.io".into(),
                field: "auth",
            },
            "entry \"ghcr.io\": field \"auth\" appears twice; tools disagree on which one counts, so keep one",
        ),
        (
            r#"{"auths":{"ghcr.io":{"password":null,"username":"u","password":"p"}}}"#.to_owned(),
            ImportError::DuplicateField {
                key: "ghcr.io".into(),
                field: "password",
            },
            "",
        ),
        (
            r#"{"auths":{"ghcr.io":{"identitytoken":"x","identitytoken":"y"}}}"#.to_owned(),
            ImportError::DuplicateField {
                key: "ghcr.io".into(),
                field: "identitytoken",
            },
            "",
        ),
    ];
    for (config, expected, message) in cases {
        let error = parse_docker_config(&config).unwrap_err();
        assert_eq!(error, expected, "{config}");
        if !message.is_empty() {
            assert_eq!(error.to_string(), message);
        }
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(&a) && !shown.contains(&b), "{shown}");
    }
    // Fields docker ignores may repeat, and so may top-level keys that are not read.
    let config = format!(
        r#"{{"psFormat":"a","psFormat":"b","auths":{{"ghcr.io":{{"auth":"{a}","email":"x","email":"y"}}}}}}"#
    );
    assert_eq!(parse_docker_config(&config).unwrap().len(), 1);
}

#[test]
fn imported_usernames_are_never_quoted() {
    let secret = "imported-secret-sentinel";
    for (config, expected) in [
        (
            format!(r#"{{"auths":{{"ghcr.io":{{"username":"robot:{secret}","password":"p"}}}}}}"#),
            "entry \"ghcr.io\": the username contains ':'; docker splits",
        ),
        (
            format!(
                r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
                b64(&format!("{secret}\u{1}:x"))
            ),
            "entry \"ghcr.io\": the username contains the control character U+0001;",
        ),
        (
            format!(
                r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
                b64(&format!("{secret}\u{202e}:x"))
            ),
            "entry \"ghcr.io\": the username contains U+202E, a bidirectional control character",
        ),
        (
            format!(
                r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
                b64(&format!(" {secret}:x"))
            ),
            "entry \"ghcr.io\": the username starts or ends with whitespace",
        ),
    ] {
        let error = parse_docker_config(&config).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(error.to_string().starts_with(expected), "{shown}");
        assert!(!shown.contains("sentinel"), "{shown}");
        // Not even the length.
        assert!(!shown.contains(&(secret.len() + 1).to_string()), "{shown}");
    }
}

#[test]
fn empty_imported_fields_stay_absent_but_an_empty_imported_password_cannot_render() {
    // Empty fields are absent (docker's omitempty): an entry with only empty tokens is dropped.
    let config = r#"{"auths":{"ghcr.io":{"identitytoken":"","registrytoken":"","auth":""}}}"#;
    assert!(parse_docker_config(config).unwrap().is_empty());
    // An `auth` of "user:" has an empty password: it imports, and rendering refuses it.
    let mut plan: Plan<String> = Plan::default();
    let config = format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#, b64("me:"));
    plan.import(config.clone());
    let entries = plan.resolve(vec![Plaintext::new(config)]).unwrap();
    assert_eq!(
        render(&entries).unwrap_err(),
        RenderError::EmptySecret {
            key: "ghcr.io".into(),
            secret: "password"
        }
    );
}

#[test]
fn keys_with_credentials_stay_redacted_in_duplicate_and_syntax_errors() {
    let password = "imported-key-sentinel-pw";
    let key = format!("https://robot:{password}@ghcr.io");
    let auth = b64("me:pw");
    let configs = [
        format!(r#"{{"auths":{{"{key}":{{"auth":"{auth}"}},"{key}":{{"auth":"{auth}"}}}}}}"#),
        format!(r#"{{"auths":{{"{key}":{{"auth":"{auth}","auth":"{auth}"}}}}}}"#),
        format!("{{\"auths\":{{\"{key}\":{{\"auth\":\"a\u{1}b\"}}}}}}"),
    ];
    for config in configs {
        let error = parse_docker_config(&config).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(shown.contains("https://***@ghcr.io"), "{shown}");
        assert!(!shown.contains(password), "{shown}");
    }
}

#[test]
fn imports_keep_credential_helpers_and_mark_logins_kept_in_a_store() {
    let config = format!(
        r#"{{"auths":{{"ghcr.io":{{}},"quay.io":{{"auth":"{}"}},"gcr.io":{{"auth":"{}"}}}},"credsStore":"osxkeychain","credHelpers":{{"gcr.io":"gcloud","https://123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"}}}}"#,
        b64("q:pw"),
        b64("g:pw")
    );
    let entries = parse_docker_config(&config).unwrap();
    let shown: Vec<(String, String)> = entries
        .iter()
        .map(|(key, entry)| {
            let what = match entry {
                Imported::InStore(store) => format!("store {}", store.as_str()),
                Imported::Credential(Credential::Helper(helper)) => {
                    format!("helper {}", helper.as_str())
                }
                Imported::Credential(_) => "credential".to_owned(),
            };
            (key.as_str().to_owned(), what)
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("123.dkr.ecr.us-east-1.amazonaws.com", "helper ecr-login"),
        ("gcr.io", "helper gcloud"), // credHelpers win over auths, as in docker
        ("ghcr.io", "store osxkeychain"),
        ("quay.io", "credential"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(shown, expected);
    // Without a credsStore an empty entry is skipped, as before.
    assert!(parse_docker_config(r#"{"auths":{"ghcr.io":{}}}"#)
        .unwrap()
        .is_empty());
}

#[test]
fn malformed_helper_sections_are_reported_without_content() {
    let cases: [(&str, &str); 6] = [
        (
            r#"{"credHelpers":["x"]}"#,
            "\"credHelpers\" is not a JSON object",
        ),
        (
            r#"{"credHelpers":{"gcr.io":7}}"#,
            "the credential helper for \"gcr.io\" is not a string",
        ),
        (
            r#"{"credHelpers":{"gcr.io":"../bin/sh"}}"#,
            "the credential helper for \"gcr.io\" contains a path separator",
        ),
        (
            r#"{"credHelpers":{"gcr.io":"a","gcr.io":"b"}}"#,
            "the key \"gcr.io\" appears twice in \"credHelpers\"",
        ),
        (
            r#"{"credsStore":7,"auths":{}}"#,
            "\"credsStore\" is not a string",
        ),
        (
            r#"{"credsStore":"a","credsStore":"b"}"#,
            "the config has more than one \"credsStore\" key",
        ),
    ];
    for (config, expected) in cases {
        let error = parse_docker_config(config).unwrap_err().to_string();
        assert!(error.starts_with(expected), "{config}: {error}");
    }
}

#[test]
fn a_plan_is_empty_only_when_it_can_render_no_entry() {
    let mut plan: Plan<String> = Plan::default();
    assert!(plan.is_empty());
    // A helper holds no secret, but it is an entry.
    plan.set(
        key("123.dkr.ecr.eu-west-1.amazonaws.com"),
        Credential::Helper(HelperName::parse("ecr-login").unwrap()),
    );
    assert!(plan.handles().is_empty() && !plan.is_empty());
    plan.remove(key("123.dkr.ecr.eu-west-1.amazonaws.com"));
    assert!(plan.is_empty());
    // An import may bring entries in; only reading it tells.
    plan.import("{}".into());
    assert!(!plan.is_empty());
}

#[test]
fn desktop_only_helpers_in_an_import_are_placeholders_until_replaced_or_removed() {
    let config = r#"{"credHelpers":{"ghcr.io":"osxkeychain","quay.io":"desktop","gcr.io":"gcloud","registry.example.com":"wincred","r.example.org":"secretservice"}}"#;
    let entries = parse_docker_config(config).unwrap();
    let kinds: Vec<(&str, &str)> = entries
        .iter()
        .map(|(key, entry)| {
            let kind = match entry {
                Imported::InStore(helper) => helper.as_str(),
                Imported::Credential(Credential::Helper(_)) => "helper",
                Imported::Credential(_) => "credential",
            };
            (key.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("gcr.io", "helper"),
            ("ghcr.io", "osxkeychain"),
            ("quay.io", "desktop"),
            ("r.example.org", "secretservice"),
            ("registry.example.com", "wincred"),
        ]
    );
    let mut plan: Plan<String> = Plan::default();
    plan.import(config.into());
    let error = render_plan(&plan).unwrap_err();
    assert_eq!(
        error,
        ResolveError::InCredentialStore {
            keys: vec![
                "ghcr.io".into(),
                "quay.io".into(),
                "r.example.org".into(),
                "registry.example.com".into()
            ],
            stores: vec![
                "desktop".into(),
                "osxkeychain".into(),
                "secretservice".into(),
                "wincred".into()
            ],
        }
    );
    assert!(
        error.to_string().starts_with("the imported config keeps the credentials for [\"ghcr.io\", \"quay.io\", \"r.example.org\", \"registry.example.com\"] in the credential store or desktop-only helper [\"desktop\", \"osxkeychain\", \"secretservice\", \"wincred\"] of the machine that wrote it, which no container can reach;"),
        "{error}"
    );
    // `registries` lists them.
    assert_eq!(
        plan.keys(vec![Plaintext::new(config.into())])
            .unwrap()
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>(),
        [
            "gcr.io",
            "ghcr.io",
            "quay.io",
            "r.example.org",
            "registry.example.com"
        ]
    );
    // Replaced by later calls or removed, they render.
    plan.set(key("ghcr.io"), basic("me", "pw"));
    plan.set(
        key("quay.io"),
        Credential::Helper(HelperName::parse("quay").unwrap()),
    );
    plan.remove(key("registry.example.com"));
    plan.remove(key("r.example.org"));
    assert_eq!(
        render_plan(&plan).unwrap(),
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credHelpers":{{"gcr.io":"gcloud","quay.io":"quay"}}}}"#,
            b64("me:pw")
        )
    );
}

#[test]
fn helpers_a_container_cannot_run_are_refused_for_containers() {
    // The builders and decoded states ask for a helper a container can have.
    for name in ["osxkeychain", "desktop", "wincred", "secretservice"] {
        assert!(HelperName::parse(name).unwrap().is_desktop_only());
        let error = HelperName::parse_for_container(name)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("\"{name}\" exists only on a desktop")),
            "{error}"
        );
    }
    for name in ["ecr-login", "gcloud", "pass", "acr-env"] {
        assert!(HelperName::parse_for_container(name).is_ok(), "{name}");
    }
    // The program prefix, on every path: tools add it themselves.
    assert_eq!(
        HelperName::parse("docker-credential-ecr-login").unwrap_err().to_string(),
        "\"docker-credential-ecr-login\" starts with \"docker-credential-\", which tools add themselves (they would run docker-credential-docker-credential-…); drop the prefix and pass the rest, such as \"ecr-login\" for docker-credential-ecr-login"
    );
    let error = parse_docker_config(r#"{"credHelpers":{"gcr.io":"docker-credential-gcloud"}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error
            .starts_with("the credential helper for \"gcr.io\" starts with \"docker-credential-\""),
        "{error}"
    );
    // Imported values are described, never quoted.
    assert!(!error.contains("gcloud"), "{error}");
}

#[test]
fn imported_helpers_for_a_namespace_are_refused_naming_the_key() {
    for (config, shown) in [
        (r#"{"credHelpers":{"quay.io/org":"quay"}}"#, "quay.io/org"),
        (
            r#"{"credHelpers":{"HTTPS://Quay.io/org":"quay"}}"#,
            "HTTPS://Quay.io/org",
        ),
    ] {
        let error = parse_docker_config(config).unwrap_err();
        assert!(matches!(error, ImportError::HelperKey { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("the credential helper for {shown:?}: \"quay.io/org\" is a namespace; docker, oras, crane and skopeo look credential helpers up by registry host only, so a helper there is never run; use the host")
        );
    }
}

#[test]
fn imported_helper_and_store_values_are_described_not_quoted() {
    let cases = [
        (
            r#"{"credHelpers":{"gcr.io":"../ghp_QuotedSentinel"}}"#,
            "the credential helper for \"gcr.io\" contains a path separator",
        ),
        (
            r#"{"credHelpers":{"gcr.io":"-ghp_QuotedSentinel"}}"#,
            "the credential helper for \"gcr.io\" is not a helper name",
        ),
        (
            r#"{"credHelpers":{"gcr.io":""}}"#,
            "the credential helper for \"gcr.io\" is empty",
        ),
        (
            r#"{"credsStore":"ghp_QuotedSentinel/x"}"#,
            "\"credsStore\" contains a path separator",
        ),
    ];
    for (config, expected) in cases {
        let error = parse_docker_config(config).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(error.to_string().starts_with(expected), "{config}: {error}");
        assert!(!shown.contains("QuotedSentinel"), "{shown}");
    }
    let long = format!(r#"{{"credHelpers":{{"gcr.io":"{}"}}}}"#, "h".repeat(65));
    assert_eq!(
        parse_docker_config(&long).unwrap_err().to_string(),
        "the credential helper for \"gcr.io\" is longer than 64 bytes"
    );
}

#[test]
fn an_import_over_the_size_limit_is_refused_from_its_length_before_parsing() {
    // Exactly at the limit: parsed (whitespace pads a valid file).
    let config = r#"{"auths":{"ghcr.io":{"username":"u","password":"p"}}}"#;
    let at_limit = format!("{config}{}", " ".repeat(MAX_IMPORT_BYTES - config.len()));
    assert_eq!(parse_docker_config(&at_limit).unwrap().len(), 1);
    // One byte more: refused, even though the JSON is broken (it is never parsed).
    let over = format!("{{{}", " ".repeat(MAX_IMPORT_BYTES));
    assert_eq!(
        parse_docker_config(&over).unwrap_err(),
        ImportError::TooLarge { kib: 513 }
    );
    assert_eq!(
        ImportError::TooLarge { kib: 513 }.to_string(),
        "the config is 513 KiB (rounded up); at most 512 KiB are accepted, while a config.json is a few KiB: pass the file that holds the registry logins"
    );
}

#[test]
fn long_imported_keys_are_shown_as_a_short_prefix() {
    let key = format!("{}.example.com", "k".repeat(300));
    let config = format!(r#"{{"auths":{{"{key}":{{"auth":"{}"}}}}}}"#, b64("u:p"));
    let error = parse_docker_config(&config).unwrap_err();
    let ImportError::Key { key: shown, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*shown, format!("{}…", "k".repeat(100)));
    assert!(error.to_string().len() < 400, "{error}");
}

#[test]
fn a_store_error_lists_a_few_hundred_bytes_of_keys_and_counts_the_rest() {
    let entries: Vec<String> = (0..5_000)
        .map(|i| format!(r#""r{i:04}.example.com":{{}}"#))
        .collect();
    let config = format!(
        r#"{{"credsStore":"desktop","auths":{{{}}}}}"#,
        entries.join(",")
    );
    let mut plan: Plan<String> = Plan::default();
    plan.import(config);
    let error = render_plan(&plan).unwrap_err();
    let ResolveError::InCredentialStore { keys, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(keys.len(), 5_000);
    let message = error.to_string();
    let listed = message.matches(".example.com\"").count();
    assert!(listed > 5 && listed * 18 <= MAX_LISTED_BYTES, "{message}");
    assert!(
        message.starts_with(
            "the imported config keeps the credentials for [\"r0000.example.com\", \"r0001.example.com\""
        ) && message.contains(&format!("] and {} more in the credential store or desktop-only helper [\"desktop\"]", 5_000 - listed)),
        "{message}"
    );
    assert!(message.len() < 1024);
}
