//! The bounds that keep a hostile or oversized plan cheap: a plan rebuilt from stored steps keeps
//! only what can affect the result, and one whose keys and usernames alone cannot fit the
//! engine's secret limit is refused before any secret is read.

use proptest::prelude::*;
use registry_config::core::address::RegistryKey;
use registry_config::core::credential::{Credential, Username};
use registry_config::core::ecr::{token_login, EcrLogin, EcrRegistry};
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::{Plan, ResolveError, Step, MAX_IMPORTS};
use registry_config::core::render::{render, rendered_len as exact_len, MAX_CONFIG_BYTES};
use registry_config::core::shown::{listed, prefix};
use registry_config::limits::{
    MAX_ARGUMENT_BYTES, MAX_ID_BYTES, MAX_IMPORT_BYTES, MAX_LISTED_BYTES, MAX_PATH_LEN,
    MAX_SHOWN_CHARS, MAX_STATE_BYTES,
};
use registry_config::module::state::parse_state;
use registry_config::module::MAX_RESPONSE_BYTES;
use registry_config::Function;
use test_support::b64;

/// One builder call, over a small set of keys so that calls collide.
#[derive(Clone, Debug)]
enum Op {
    Basic(usize, String),
    Token(usize),
    Remove(usize),
    /// `withEcrAuth` on an ECR key; its token's password has this many bytes.
    Ecr(usize, usize),
    Import,
}

const KEYS: [&str; 6] = [
    "ghcr.io",
    "quay.io",
    "docker.io",
    "localhost:5000",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn",
];
/// The indexes of the ECR keys in [`KEYS`].
const ECR_KEYS: [usize; 2] = [4, 5];

fn key(index: usize) -> RegistryKey {
    RegistryKey::parse(KEYS[index % KEYS.len()]).unwrap()
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..KEYS.len(), "[a-z]{1,12}").prop_map(|(k, user)| Op::Basic(k, user)),
        (0..KEYS.len()).prop_map(Op::Token),
        (0..KEYS.len()).prop_map(Op::Remove),
        (0..ECR_KEYS.len(), 1..200usize).prop_map(|(k, len)| Op::Ecr(ECR_KEYS[k], len)),
        Just(Op::Import),
    ]
}

/// The steps as a tampered or replayed state would hold them: every call, nothing dropped.
fn raw_steps(ops: &[Op]) -> Vec<Step<String>> {
    ops.iter()
        .enumerate()
        .map(|(i, op)| match op {
            Op::Basic(k, user) => Step::Set {
                key: key(*k),
                credential: Credential::Basic {
                    username: Username::parse(user).unwrap(),
                    password: format!("pw-{i}"),
                },
            },
            Op::Token(k) => Step::Set {
                key: key(*k),
                credential: Credential::RegistryToken(format!("tok-{i}")),
            },
            Op::Remove(k) => Step::Remove { key: key(*k) },
            Op::Ecr(k, len) => Step::Ecr {
                key: key(*k),
                login: EcrLogin {
                    registry: EcrRegistry::parse(&key(*k)).unwrap(),
                    access_key_id: format!("ak-{i}"),
                    // The minted password's length travels in the secret key's handle.
                    secret_access_key: format!("{len}"),
                    session_token: None,
                    endpoint: None,
                },
            },
            Op::Import => Step::Import {
                config: format!("cfg-{i}"),
            },
        })
        .collect()
}

/// The plan the builders make from the same calls, one at a time.
fn built(ops: &[Op]) -> Plan<String> {
    let mut plan = Plan::default();
    for step in raw_steps(ops) {
        match step {
            Step::Set { key, credential } => plan.set(key, credential),
            Step::Ecr { key, login } => plan.set_ecr(key, login),
            Step::Remove { key } => plan.remove(key),
            Step::Import { config } => plan.import(config),
        }
    }
    plan
}

/// Resolves a plan without imports whose handles are the plaintexts themselves, each ECR entry
/// minted as a token whose password is as long as its secret key's handle says.
fn rendered_len(plan: &Plan<String>) -> usize {
    let plaintexts = plan
        .handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect();
    let resolution = plan.resolve_logins(plaintexts).unwrap();
    let minted = resolution
        .logins
        .values()
        .map(|login| {
            let len: usize = login.secret_access_key.expose().parse().unwrap();
            let token = b64(&format!("AWS:{}", "p".repeat(len)));
            token_login(&Plaintext::new(token)).unwrap()
        })
        .collect();
    let entries = resolution.complete(minted).unwrap();
    let rendered = render(&entries).unwrap();
    assert_eq!(
        rendered.len(),
        exact_len(&entries),
        "the exact size counts the minted tokens"
    );
    rendered.len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_plan_rebuilt_from_stored_steps_equals_the_built_one(ops in prop::collection::vec(op(), 0..40)) {
        prop_assert_eq!(Plan::from_steps(raw_steps(&ops)), built(&ops));
    }

    #[test]
    fn the_lower_bound_never_exceeds_the_rendered_size(
        ops in prop::collection::vec(op().prop_filter("no imports", |op| !matches!(op, Op::Import)), 0..20)
    ) {
        let plan = built(&ops);
        prop_assert!(plan.min_rendered_len() <= rendered_len(&plan));
    }
}

#[test]
fn the_lower_bound_is_exact_for_basic_entries_without_imports() {
    let mut plan: Plan<String> = Plan::default();
    plan.set(
        key(0),
        Credential::Basic {
            username: Username::parse("me").unwrap(),
            password: String::new(),
        },
    );
    // {"auths":{"ghcr.io":{"auth":"bWU6"}}}: base64("me:") with an empty password.
    assert_eq!(
        plan.min_rendered_len(),
        r#"{"auths":{"ghcr.io":{"auth":"bWU6"}}}"#.len()
    );
}

#[test]
fn shadowed_steps_hold_no_handle_to_read() {
    let ops: Vec<Op> = (0..1_000).map(|i| Op::Basic(0, format!("u{i}"))).collect();
    let plan = Plan::from_steps(raw_steps(&ops));
    assert_eq!(plan.handles(), [&"pw-999".to_owned()]);
    // A removal with no import before it leaves nothing at all.
    let plan = Plan::from_steps(raw_steps(&[Op::Token(1), Op::Remove(1)]));
    assert!(plan.steps().is_empty());
}

#[test]
fn keys_and_usernames_that_cannot_fit_are_refused_before_reading() {
    let long = "u".repeat(1_000);
    let mut plan: Plan<String> = Plan::default();
    for i in 0..100 {
        plan.set(
            RegistryKey::parse(&format!("r{i}.example.com")).unwrap(),
            Credential::Basic {
                username: Username::parse(&long).unwrap(),
                password: "x".into(),
            },
        );
    }
    // Each entry: "rN.example.com" + `":{"auth":"` … `"}` around base64 of 1,001 bytes (1,336).
    let entry = |key_len: usize| key_len + 3 + 11 + 1_336;
    let expected = 12 + 10 * entry(14) + 90 * entry(15) + 99;
    assert_eq!(plan.min_rendered_len(), expected);
    assert!(expected > MAX_CONFIG_BYTES);
    let error = plan.check_bounds().unwrap_err();
    assert_eq!(error, ResolveError::CannotFit { at_least_kib: 133 });
    assert_eq!(
        error.to_string(),
        "the registry keys and usernames alone take at least 133 KiB, over the engine's 128000-byte secret limit; split the registries across several configs"
    );
    // An import after the entries may turn each into a short token entry: no refusal.
    plan.import("cfg".into());
    assert!(plan.check_bounds().is_ok());
}

#[test]
fn more_imports_than_the_bound_are_refused() {
    let mut plan: Plan<String> = Plan::default();
    for i in 0..MAX_IMPORTS {
        plan.import(format!("cfg-{i}"));
    }
    assert!(plan.check_bounds().is_ok());
    plan.import("one-more".into());
    assert_eq!(
        plan.check_bounds(),
        Err(ResolveError::TooManyImports {
            count: MAX_IMPORTS + 1
        })
    );
}

#[test]
fn the_lower_bound_allows_an_import_that_turns_entries_into_short_helpers() {
    let mut plan: Plan<String> = Plan::default();
    for address in ["a.io", "b.io"] {
        plan.set(
            RegistryKey::parse(address).unwrap(),
            Credential::Basic {
                username: Username::parse("me").unwrap(),
                password: "pw".into(),
            },
        );
    }
    plan.import(r#"{"credHelpers":{"a.io":"x","b.io":"x"}}"#.into());
    let plaintexts = plan
        .handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect();
    let rendered = render(&plan.resolve(plaintexts).unwrap()).unwrap();
    assert_eq!(
        rendered.as_str(),
        r#"{"auths":{},"credHelpers":{"a.io":"x","b.io":"x"}}"#
    );
    assert!(plan.min_rendered_len() <= rendered.len());
}

#[test]
fn the_input_bounds_fit_together() {
    // Every import read whole still fits in one answer from the engine.
    assert_eq!(MAX_IMPORTS * MAX_IMPORT_BYTES, MAX_RESPONSE_BYTES);
    // An import can hold anything a rendered config can.
    const { assert!(MAX_IMPORT_BYTES > MAX_CONFIG_BYTES) };
    // No string argument is longer than a path; a state can hold the longest ID.
    assert_eq!(MAX_ARGUMENT_BYTES, MAX_PATH_LEN);
    const { assert!(MAX_STATE_BYTES > MAX_ID_BYTES && MAX_STATE_BYTES < MAX_RESPONSE_BYTES) };
}

#[test]
fn errors_show_a_short_prefix_of_a_value_and_a_few_hundred_bytes_of_a_list() {
    assert_eq!(prefix("ghcr.io"), "ghcr.io");
    let exact = "é".repeat(MAX_SHOWN_CHARS);
    assert_eq!(prefix(&exact), exact);
    let long = "é".repeat(12 * 1024 * 1024);
    assert_eq!(prefix(&long), format!("{}…", "é".repeat(MAX_SHOWN_CHARS)));

    assert_eq!(listed::<&str>(&[]), "[]");
    assert_eq!(listed(&["a", "b\u{202e}"]), "[\"a\", \"b\\u{202e}\"]");
    let keys: Vec<String> = (0..600_000).map(|i| format!("r{i}.example.com")).collect();
    let shown = listed(&keys);
    let count = shown.matches(".example.com\"").count();
    assert!(shown.len() <= MAX_LISTED_BYTES + 40, "{shown}");
    assert!(
        shown.ends_with(&format!("] and {} more", 600_000 - count)),
        "{shown}"
    );
    // One over-long item is still named, by its prefix.
    let one = listed(&[long.as_str()]);
    assert!(one.len() < 300 && one.starts_with("[\"éé"), "{one}");
}

#[test]
fn a_state_over_the_size_limit_is_refused_without_parsing() {
    let over = format!("[{}", " ".repeat(MAX_STATE_BYTES));
    let error = parse_state(Function::Secret, Some(&over))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "secret: the RegistryConfig state is malformed: it takes 2049 KiB, more than the 2048 KiB a state written by this module can take"
    );
    let at_limit = format!("{{}}{}", " ".repeat(MAX_STATE_BYTES - 2));
    assert!(parse_state(Function::Secret, Some(&at_limit)).is_ok());
    assert_eq!(
        parse_state(Function::SecretMountMount, Some("{"))
            .unwrap_err()
            .to_string(),
        "SecretMount.mount: the SecretMount state is malformed: it is not JSON"
    );
    assert!(parse_state(Function::Secret, None)
        .unwrap()
        .as_object()
        .unwrap()
        .is_empty());
}
