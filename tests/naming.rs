//! Secret naming (SPEC §4): content-derived, stable, argon2id, prefix kept.

use registry_config::core::address::RegistryKey;
use registry_config::core::credential::{Credential, Username};
use registry_config::core::naming::{
    content_digest, secret_name, PrefixError, SecretPrefix, DEFAULT_PREFIX, DIGEST_LEN,
};
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::Plan;
use registry_config::core::render::{render, RenderedConfig};
use sha2::{Digest, Sha256};

fn config(password: &str) -> RenderedConfig {
    let mut plan: Plan<String> = Plan::default();
    plan.set(
        RegistryKey::parse("ghcr.io").unwrap(),
        Credential::Basic {
            username: Username::parse("me").unwrap(),
            password: password.to_owned(),
        },
    );
    render(
        &plan
            .resolve(vec![Plaintext::new(password.to_owned())])
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn same_content_same_name_different_content_different_name() {
    let prefix = SecretPrefix::default();
    let a1 = secret_name(&prefix, &config("password-a")).unwrap();
    let a2 = secret_name(&prefix, &config("password-a")).unwrap();
    let b = secret_name(&prefix, &config("password-b")).unwrap();
    assert_eq!(a1, a2);
    assert_ne!(a1, b);
}

#[test]
fn name_is_prefix_dash_hex_digest() {
    let name = secret_name(&SecretPrefix::default(), &config("pw")).unwrap();
    let digest = name
        .strip_prefix(&format!("{DEFAULT_PREFIX}-"))
        .expect("default prefix");
    assert_eq!(digest.len(), DIGEST_LEN * 2);
    assert!(digest
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));

    let custom = SecretPrefix::parse("helm-push").unwrap();
    let named = secret_name(&custom, &config("pw")).unwrap();
    assert_eq!(named, format!("helm-push-{digest}"));
}

#[test]
fn digest_is_not_a_plain_hash_and_never_contains_the_content() {
    let rendered = config("pw-sentinel");
    let name = secret_name(&SecretPrefix::default(), &rendered).unwrap();
    let plain_sha256 = hex::encode(Sha256::digest(rendered.as_bytes()));
    assert!(!name.contains(&plain_sha256));
    assert!(!name.contains("pw-sentinel"));
    // argon2id is deterministic for the same bytes and the fixed salt.
    assert_eq!(
        *content_digest(rendered.as_bytes()).unwrap(),
        *content_digest(rendered.as_bytes()).unwrap()
    );
}

#[test]
fn known_answer_for_the_empty_config() {
    // Pins the parameters (argon2id v19, m=19456 KiB, t=2, p=1, fixed salt): a change of any of
    // them renames every secret and invalidates users' downstream caches, so it must be
    // deliberate. The expected value was computed independently with Python's argon2-cffi:
    // hash_secret_raw(b'{"auths":{}}', b'registry-config/secret-name/v1', time_cost=2,
    // memory_cost=19456, parallelism=1, hash_len=32, type=Type.ID, version=19).
    let digest = hex::encode(*content_digest(br#"{"auths":{}}"#).unwrap());
    assert_eq!(digest.len(), 64);
    assert_eq!(
        digest,
        include_str!("golden/empty-config-digest.txt").trim()
    );
}

#[test]
fn prefixes_are_validated() {
    assert_eq!(SecretPrefix::parse("").unwrap().as_str(), DEFAULT_PREFIX);
    for fine in ["helm-push", "ci_1.2", "A-Z.a_z-0.9", &"x".repeat(128)] {
        assert_eq!(SecretPrefix::parse(fine).unwrap().as_str(), fine);
    }
    assert!(matches!(
        SecretPrefix::parse("has space"),
        Err(PrefixError::Invalid { character: ' ', .. })
    ));
    assert!(matches!(
        SecretPrefix::parse("tab\there"),
        Err(PrefixError::Invalid {
            character: '\t',
            ..
        })
    ));
    assert!(matches!(
        SecretPrefix::parse(&"x".repeat(200)),
        Err(PrefixError::TooLong { len: 200 })
    ));
}

#[test]
fn prefixes_are_ascii_so_nothing_can_spoof_a_name_in_a_trace() {
    // Each of these was accepted before: printable, no whitespace, no control character.
    for (name, character) in [
        ("ci\u{202e}gnp.exe", '\u{202e}'),
        ("zero\u{200b}width", '\u{200b}'),
        ("\u{feff}bom", '\u{feff}'),
        ("isolate\u{2066}", '\u{2066}'),
        ("j\u{fc}rgen", '\u{fc}'),
        ("\u{441}i", '\u{441}'), // Cyrillic es, looks like a Latin c
        ("a/b", '/'),
        ("a:b", ':'),
        ("a+b", '+'),
    ] {
        let error = SecretPrefix::parse(name).unwrap_err();
        assert_eq!(
            error,
            PrefixError::Invalid {
                name: name.to_owned(),
                character
            }
        );
        let message = error.to_string();
        assert!(message.is_ascii(), "{message}");
        assert!(
            message.ends_with("a secret name may use only ASCII letters, digits, '-', '_' and '.'"),
            "{message}"
        );
    }
    assert_eq!(
        SecretPrefix::parse("ci\u{202e}gnp.exe").unwrap_err().to_string(),
        "\"ci\\u{202e}gnp.exe\" contains U+202E; a secret name may use only ASCII letters, digits, '-', '_' and '.'"
    );
    assert_eq!(
        SecretPrefix::parse("has space").unwrap_err().to_string(),
        "\"has space\" contains U+0020; a secret name may use only ASCII letters, digits, '-', '_' and '.'"
    );
}
