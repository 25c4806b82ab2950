//! Fuzzing with proptest at a large case count (not part of the default run; `scripts/fuzz.sh`
//! runs it): key normalization, imported-config parsing and module state decoding must never
//! panic or hang, and what they accept must keep its invariants.
//!
//! `FUZZ_CASES` sets the number of cases per target (default 200,000).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use registry_config::core::address::RegistryKey;
use registry_config::core::import::parse_docker_config;
use registry_config::module::state::{decode_config, decode_secret_mount, encode_config};
use registry_config::Function;
use serde_json::{json, Value};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

/// Runs `strategy` through `check` for `cases()` cases and prints how many ran and how long.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config);
    runner.run(&strategy, check).unwrap();
    eprintln!(
        "fuzz {name}: {} cases in {:.1} s",
        cases(),
        started.elapsed().as_secs_f64()
    );
}

/// Address-like strings: schemes, hosts, ports, paths, tags and digests in any mix.
fn address_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just(""),
        Just("http://"),
        Just("HTTPS://"),
        Just("oci://"),
        Just("https:/")
    ];
    let host = prop_oneof![
        "[a-zA-Z0-9.-]{0,20}",
        Just("docker.io".to_owned()),
        Just("index.docker.io".to_owned()),
        "\\[[0-9a-fA-F:]{0,12}\\]?",
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}",
    ];
    let port = prop_oneof![Just(String::new()), ":[0-9]{0,7}", ":[a-z+-]{0,4}"];
    let path = "(/[a-zA-Z0-9._:@-]{0,8}){0,4}/?";
    (
        scheme,
        host,
        port,
        path,
        any::<bool>(),
        "[ \\t\\x00-\\x1f]{0,2}",
    )
        .prop_map(|(scheme, host, port, path, pad, junk)| {
            let core = format!("{scheme}{host}{port}{path}");
            if pad {
                format!(" {core}{junk}")
            } else {
                core
            }
        })
}

#[test]
#[ignore = "fuzzing: run with scripts/fuzz.sh"]
fn fuzz_key_normalization() {
    fuzz("normalization (arbitrary text)", any::<String>(), |input| {
        if let Ok(key) = RegistryKey::parse(&input) {
            prop_assert_eq!(RegistryKey::parse(key.as_str()).unwrap(), key);
        }
        Ok(())
    });
    fuzz("normalization (address-like)", address_like(), |input| {
        if let Ok(key) = RegistryKey::parse(&input) {
            let again = RegistryKey::parse(key.as_str()).unwrap();
            prop_assert_eq!(&again, &key);
            prop_assert!(!key
                .as_str()
                .chars()
                .any(|c| c.is_whitespace() || c.is_control()));
            prop_assert!(
                key.as_str().len() <= 255 || key.as_str() == "https://index.docker.io/v1/"
            );
        }
        Ok(())
    });
}

/// Arbitrary JSON, shallow or deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[A-Za-z0-9+/=:]{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("auths".to_owned()),
                    Just("auth".to_owned()),
                    Just("username".to_owned()),
                    Just("password".to_owned()),
                    Just("identitytoken".to_owned()),
                    Just("registrytoken".to_owned()),
                    Just("ghcr.io".to_owned()),
                    Just("docker.io".to_owned()),
                    Just("steps".to_owned()),
                    Just("kind".to_owned()),
                    Just("key".to_owned()),
                    Just("secret".to_owned()),
                    "[a-z.:/]{0,10}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
#[ignore = "fuzzing: run with scripts/fuzz.sh"]
fn fuzz_imported_config_parsing() {
    fuzz("import (arbitrary text)", any::<String>(), |input| {
        let _ = parse_docker_config(&input);
        Ok(())
    });
    fuzz("import (arbitrary JSON)", json_value(), |value| {
        let text = value.to_string();
        if let Ok(entries) = parse_docker_config(&text) {
            for (key, _) in &entries {
                prop_assert_eq!(&RegistryKey::parse(key.as_str()).unwrap(), key);
            }
        }
        // Also as an `auths` map.
        let _ = parse_docker_config(&json!({ "auths": value }).to_string());
        Ok(())
    });
}

#[test]
#[ignore = "fuzzing: run with scripts/fuzz.sh"]
fn fuzz_state_decoding() {
    fuzz("state (arbitrary JSON)", json_value(), |value| {
        if let Ok(plan) = decode_config(Function::Secret, &value) {
            // Whatever decodes re-encodes to a state that decodes to the same plan.
            let encoded = encode_config(&plan).unwrap();
            prop_assert_eq!(decode_config(Function::Secret, &encoded).unwrap(), plan);
        }
        let _ = decode_config(Function::Secret, &json!({ "steps": value }));
        let _ = decode_secret_mount(Function::SecretMountMount, &value);
        Ok(())
    });
    let step = (
        prop_oneof![
            Just("basic"),
            Just("identityToken"),
            Just("registryToken"),
            Just("remove"),
            Just("dockerConfig"),
            Just("x")
        ],
        prop_oneof![address_like(), Just("ghcr.io".to_owned())],
        "[a-z:\\x00]{0,4}",
        "[A-Za-z0-9+/]{0,8}",
    );
    fuzz(
        "state (step-shaped)",
        proptest::collection::vec(step, 0..6),
        |steps| {
            let steps: Vec<Value> = steps
            .into_iter()
            .map(|(kind, key, username, secret)| json!({"kind": kind, "key": key, "username": username, "secret": secret}))
            .collect();
            let _ = decode_config(Function::Secret, &json!({ "steps": steps }));
            Ok(())
        },
    );
}
