//! The leak scanner, tested: each form a secret can take is planted in each place the scan
//! covers, in a fresh engine double, and must be reported there; near misses and the two
//! legitimate places (the `setSecret` plaintext, the answers to plaintext reads) must not be;
//! and the sentinel passwords, sent through every function, are shown to travel in their
//! escaped and nested forms exactly where the scan leaves them out.

#[path = "engine-double/tests/common/mod.rs"]
mod common;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use engine_double::{EngineDouble, ErrorRecord, Exchange, Outcome};
use serde_json::{json, Value};
use test_support::leak::{Decoding, Scanner};
use test_support::module::{call_leaks, store_leaks, Leak, Module};
use test_support::sentinels;

/// A password with a control character: rendering refuses it, but a leak of one (escaped as
/// `\u0001` by JSON and `\u{1}` by `Debug`) must still be found.
const CONTROL: &str = "sentinel\u{1}control";

/// The secrets planted: the sentinel passwords and [`CONTROL`].
const PLANTED: [&str; 4] = [
    sentinels::ESCAPES,
    sentinels::SHORT,
    sentinels::INVISIBLE,
    CONTROL,
];

/// A planted form: its name, the text, and the decodings that must reveal the secret.
type Form = (String, String, Vec<Decoding>);

/// Every form of `secret` the scan must find.
fn forms(secret: &str) -> Vec<Form> {
    use Decoding::{Base64, Escapes, Percent};
    let json = serde_json::to_string(secret).unwrap();
    let debug = format!("{secret:?}");
    // An escaping that leaves the secret as it is (JSON keeps U+200B) needs no undoing.
    let undo = |escaped: &str, times: usize| {
        if escaped.contains(secret) {
            vec![]
        } else {
            vec![Escapes; times]
        }
    };
    let mut forms = vec![
        ("raw".to_owned(), format!("x {secret} y"), vec![]),
        ("JSON-escaped".to_owned(), json.clone(), undo(&json, 1)),
        ("Debug-escaped".to_owned(), debug.clone(), undo(&debug, 1)),
        (
            "a GraphQL string in a JSON body".to_owned(),
            serde_json::to_string(&format!("query{{x(a:{json})}}")).unwrap(),
            undo(&json, 2),
        ),
        (
            "percent-encoded".to_owned(),
            secret.bytes().map(|b| format!("%{b:02X}")).collect(),
            vec![Percent],
        ),
        (
            "base64 of a document holding base64 (.dockerconfigjson)".to_owned(),
            STANDARD.encode(
                json!({"auths": {"r.io": {"auth": STANDARD.encode(format!("u:{secret}"))}}})
                    .to_string(),
            ),
            vec![Base64, Base64],
        ),
    ];
    let engines = [
        ("standard", STANDARD),
        ("standard unpadded", STANDARD_NO_PAD),
        ("URL-safe", URL_SAFE),
        ("URL-safe unpadded", URL_SAFE_NO_PAD),
    ];
    for (name, engine) in engines {
        // "user:" is 5 bytes: with 0, 1 or 2 more in front the secret starts at each of the
        // three positions within a base64 quantum, inside a longer run.
        for prefix in ["", "a", "ab"] {
            let encoded = engine.encode(format!("{prefix}user:{secret}and more after it"));
            forms.push((
                format!("{name} base64 at alignment {}", (prefix.len() + 5) % 3),
                format!("Basic {encoded}"),
                vec![Base64],
            ));
        }
    }
    // A run that starts before the encoding does (glued to other base64 characters).
    for glued in ["a", "ab", "abc"] {
        forms.push((
            format!("base64 glued to {} other characters", glued.len()),
            format!("{glued}{}", STANDARD.encode(format!("user:{secret}"))),
            vec![Base64],
        ));
    }
    forms
}

/// A GraphQL string literal.
fn lit(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A call that exchanged nothing and returned nothing.
fn empty_outcome() -> Outcome {
    Outcome {
        exit_code: Some(0),
        timed_out: false,
        stdout: String::new(),
        stderr: String::new(),
        files_written: Vec::new(),
        return_value: None,
        return_error: None,
        round_trips: 0,
        exchanges: Vec::new(),
        rejected_requests: 0,
    }
}

/// One logged exchange with `query` and the answer `response`.
fn exchange(query: &str, response: &str) -> Exchange {
    Exchange {
        target: "POST /query".into(),
        request: json!({ "query": query, "variables": null }).to_string(),
        query: Some(query.to_owned()),
        status: Some(200),
        response: response.to_owned(),
        rejected: false,
        rejected_by: Vec::new(),
        faulted: false,
    }
}

/// The places of a call's outcome: name (as reported) and how to plant a text there.
type OutcomePlace = (&'static str, fn(&mut Outcome, &str));

fn outcome_places() -> Vec<OutcomePlace> {
    vec![
        ("request #0", |o, text| {
            o.exchanges.push(exchange(
                &format!("query{{container{{from(address:\"{text}\"){{id}}}}}}"),
                "{}",
            ))
        }),
        ("request #0", |o, text| {
            let mut planted = exchange("query{container{id}}", "{}");
            planted.request =
                json!({"query": "query{container{id}}", "variables": {"v": text}}).to_string();
            o.exchanges.push(planted)
        }),
        ("response #0", |o, text| {
            o.exchanges.push(exchange(
                "query{container{id}}",
                &json!({"data": {"container": {"id": text}}}).to_string(),
            ))
        }),
        ("response #0", |o, text| {
            o.exchanges
                .push(exchange("query{container{id}}", &format!("<html>{text}")))
        }),
        ("stdout", |o, text| o.stdout = format!("started\n{text}\n")),
        ("stderr", |o, text| o.stderr = format!("error: {text}\n")),
        ("file", |o, text| {
            o.files_written
                .push(("cache/state.json".into(), text.as_bytes().to_vec()))
        }),
        ("file", |o, text| {
            o.files_written.push((text.into(), Vec::new()))
        }),
        ("return value", |o, text| {
            o.return_value = Some(json!({"steps": [{"key": text}]}))
        }),
        ("returned error", |o, text| {
            o.return_error = Some(ErrorRecord {
                message: format!("secret: {text}"),
                values: Vec::new(),
            })
        }),
        ("returned error", |o, text| {
            o.return_error = Some(ErrorRecord {
                message: "secret: failed".into(),
                values: vec![("detail".into(), json!([text]))],
            })
        }),
    ]
}

/// The places in the double's store: a description and the query that plants `text` there
/// (`{secret}` stands for the ID of a seeded secret).
fn store_places(text: &str) -> Vec<(&'static str, String)> {
    let text = lit(text);
    vec![
        (
            "container env value",
            format!("query{{container{{withEnvVariable(name:\"V\",value:{text}){{id}}}}}}"),
        ),
        (
            "container env name",
            format!("query{{container{{withEnvVariable(name:{text},value:\"v\"){{id}}}}}}"),
        ),
        (
            "container image address",
            format!("query{{container{{from(address:{text}){{id}}}}}}"),
        ),
        (
            "container file contents",
            format!("query{{container{{withNewFile(path:\"/f\",contents:{text}){{id}}}}}}"),
        ),
        (
            "container file path",
            format!("query{{container{{withNewFile(path:{text},contents:\"\"){{id}}}}}}"),
        ),
        (
            "container mount path",
            format!(
                "query{{container{{withMountedSecret(path:{text},source:{{secret}}){{id}}}}}}"
            ),
        ),
        (
            "container mount owner",
            format!("query{{container{{withMountedSecret(path:\"/m\",source:{{secret}},owner:{text}){{id}}}}}}"),
        ),
        (
            "container secret variable name",
            format!(
                "query{{container{{withSecretVariable(name:{text},secret:{{secret}}){{id}}}}}}"
            ),
        ),
        (
            "container workdir",
            format!("query{{container{{withWorkdir(path:{text}){{id}}}}}}"),
        ),
        (
            "container exec argument",
            format!("query{{container{{withExec(args:[\"sh\",{text}]){{id}}}}}}"),
        ),
        (
            "container entrypoint",
            format!("query{{container{{withEntrypoint(args:[{text}]){{id}}}}}}"),
        ),
        (
            "container default argument",
            format!("query{{container{{withDefaultArgs(args:[\"-v\",{text}]){{id}}}}}}"),
        ),
        (
            "container cache path",
            format!("query{{container{{withMountedCache(path:{text},cache:{{cache}}){{id}}}}}}"),
        ),
        (
            "container directory mount path",
            format!(
                "query{{container{{withMountedDirectory(path:{text},source:{{directory}}){{id}}}}}}"
            ),
        ),
        (
            "container copied file path",
            format!("query{{container{{withFile(path:{text},source:{{file}}){{id}}}}}}"),
        ),
        (
            "container copied file owner",
            format!(
                "query{{container{{withFile(path:\"/f\",source:{{file}},owner:{text}){{id}}}}}}"
            ),
        ),
        (
            "File contents (Query.file)",
            format!("query{{file(name:\"config.json\",contents:{text}){{id}}}}"),
        ),
        (
            "File name (Query.file)",
            format!("query{{file(name:{text},contents:\"{{}}\"){{id}}}}"),
        ),
        (
            "secret name",
            format!("query{{setSecret(name:{text},plaintext:\"x\"){{id}}}}"),
        ),
    ]
}

/// A fresh double holding the inputs [`store_places`] refer to: a seeded secret, a cache
/// volume, a seeded file and a directory, none of them a place; returns it and `query` with
/// their IDs filled in.
fn double_with_inputs(query: &str) -> (EngineDouble, String) {
    let engine = EngineDouble::start();
    let secret = engine.seed_secret("a seeded secret");
    let file = engine.seed_file("a seeded file");
    let cache = common::data(&engine, "query{cacheVolume(key:\"k\"){id}}")["cacheVolume"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let directory = context_directory(&engine, "src/lib.rs");
    let query = query
        .replace("{secret}", &lit(&secret))
        .replace("{file}", &lit(&file))
        .replace("{cache}", &lit(&cache))
        .replace("{directory}", &lit(&directory));
    (engine, query)
}

/// The ID of the context `Directory` of a module source the test seeded with one file at
/// `path`.
fn context_directory(engine: &EngineDouble, path: &str) -> String {
    let source = engine.seed_module_source(".", [path.to_owned()]);
    let data = common::data(
        engine,
        &format!(
            "query{{node(id:{}){{... on ModuleSource{{contextDirectory{{id}}}}}}}}",
            lit(&source)
        ),
    );
    data["node"]["contextDirectory"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Asserts `leaks` is one leak of `secret` in `place` revealed by `decodings`.
fn assert_reported(leaks: &[Leak], place: &str, secret: &str, form: &Form) {
    let (name, _, decodings) = form;
    assert_eq!(leaks.len(), 1, "{name} in the {place}: {leaks:#?}");
    let leak = &leaks[0];
    assert!(
        leak.place.starts_with(place),
        "{name} planted in the {place}, reported in the {}",
        leak.place
    );
    assert_eq!(leak.finding.sentinel, secret, "{name} in the {place}");
    assert_eq!(&leak.finding.decodings, decodings, "{name} in the {place}");
}

#[test]
fn every_form_is_reported_in_every_place_of_a_call() {
    let engine = EngineDouble::start();
    let mut cases = 0;
    for secret in PLANTED {
        let scanner = Scanner::new([secret]);
        for form in forms(secret) {
            for (place, plant) in outcome_places() {
                let mut outcome = empty_outcome();
                plant(&mut outcome, &form.1);
                let leaks = call_leaks(&engine, &outcome, &scanner);
                assert_reported(&leaks, place, secret, &form);
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 4 * 21 * 11);
}

#[test]
fn every_form_is_reported_in_every_container_and_secret_the_double_holds() {
    for secret in PLANTED {
        let scanner = Scanner::new([secret]);
        for form in forms(secret) {
            for (place, query) in store_places(&form.1) {
                let (engine, query) = double_with_inputs(&query);
                common::data(&engine, &query);
                let place = place.split(' ').next().unwrap();
                assert_reported(&store_leaks(&engine, &scanner), place, secret, &form);
            }
            // A secret's URI (`secret(uri: "env:…")`).
            let engine = EngineDouble::start();
            engine.seed_env_secret(&form.1, "x");
            common::data(
                &engine,
                &format!(
                    "query{{secret(uri:{}){{id}}}}",
                    lit(&format!("env:{}", form.1))
                ),
            );
            assert_reported(&store_leaks(&engine, &scanner), "secret", secret, &form);
        }
    }
}

/// A representative set of forms: raw, escaped twice, percent-encoded, base64 in base64 and
/// URL-safe unpadded base64 at an odd alignment.
fn some_forms(secret: &str) -> Vec<Form> {
    let keep = [
        "raw",
        "a GraphQL string in a JSON body",
        "percent-encoded",
        "base64 of a document holding base64 (.dockerconfigjson)",
        "URL-safe unpadded base64 at alignment 0",
    ];
    let kept: Vec<Form> = forms(secret)
        .into_iter()
        .filter(|(name, _, _)| keep.contains(&name.as_str()))
        .collect();
    assert_eq!(kept.len(), keep.len());
    kept
}

/// The places of a leak, without the object IDs.
fn places(leaks: &[Leak]) -> Vec<&str> {
    let mut places: Vec<&str> = leaks
        .iter()
        .map(|leak| leak.place.split(' ').next().unwrap())
        .collect();
    places.sort_unstable();
    places
}

#[test]
fn a_file_a_request_created_is_reported_wherever_it_went() {
    for secret in PLANTED {
        let scanner = Scanner::new([secret]);
        for form in some_forms(secret) {
            let text = lit(&form.1);
            // Query.file + withFile: the File and the container it was copied into.
            let engine = EngineDouble::start();
            common::data(
                &engine,
                &format!("query{{file(name:\"c\",contents:{text}){{id}}}}"),
            );
            let file = engine.files()[0].0.clone();
            common::data(
                &engine,
                &format!(
                    "query{{container{{withFile(path:\"/c\",source:{}){{id}}}}}}",
                    lit(&file)
                ),
            );
            let leaks = store_leaks(&engine, &scanner);
            assert_eq!(
                places(&leaks),
                ["File", "container"],
                "{}: {leaks:#?}",
                form.0
            );
            for leak in &leaks {
                assert_eq!(leak.finding.sentinel, secret);
                assert_eq!(leak.finding.decodings, form.2, "{}", form.0);
            }
            // Container.file: the container and the File read from it (which records the
            // container and the path).
            let engine = EngineDouble::start();
            common::data(
                &engine,
                &format!(
                    "query{{container{{withExec(args:[{text}]){{file(path:\"/out\"){{id}}}}}}}}"
                ),
            );
            let leaks = store_leaks(&engine, &scanner);
            assert_eq!(
                places(&leaks),
                ["File", "container"],
                "{}: {leaks:#?}",
                form.0
            );
            let engine = EngineDouble::start();
            common::data(
                &engine,
                &format!("query{{container{{file(path:{text}){{id}}}}}}"),
            );
            assert_reported(&store_leaks(&engine, &scanner), "File", secret, &form);
        }
    }
}

#[test]
fn every_form_is_reported_in_a_directory_entry() {
    for secret in PLANTED {
        let scanner = Scanner::new([secret]);
        for form in some_forms(secret) {
            let engine = EngineDouble::start();
            context_directory(&engine, &format!("src/{}", form.1));
            assert_reported(&store_leaks(&engine, &scanner), "Directory", secret, &form);
        }
    }
}

#[test]
fn a_file_the_test_seeded_is_an_input_wherever_it_went() {
    let secret = sentinels::ESCAPES;
    let scanner = Scanner::new([secret]);
    let engine = EngineDouble::start();
    // A CA bundle holding the secret, seeded by the test and copied into a container, which
    // is then read back from it.
    let bundle = engine.seed_file(&format!("-----BEGIN CERTIFICATE-----\n{secret}\n"));
    common::data(
        &engine,
        &format!(
            "query{{container{{withFile(path:\"/ca.pem\",source:{}){{file(path:\"/ca.pem\"){{id}}}}}}}}",
            lit(&bundle)
        ),
    );
    assert_eq!(engine.files().len(), 2);
    assert_eq!(store_leaks(&engine, &scanner), []);
    // The same contents from a request are a leak.
    common::data(
        &engine,
        &format!(
            "query{{file(name:\"ca.pem\",contents:{}){{id}}}}",
            lit(secret)
        ),
    );
    assert_eq!(places(&store_leaks(&engine, &scanner)), ["File"]);
}

#[test]
fn near_misses_and_other_secrets_are_not_reported() {
    let engine = EngineDouble::start();
    for secret in PLANTED {
        // The same forms of the secret with its last character changed.
        let mut near: Vec<char> = secret.chars().collect();
        *near.last_mut().unwrap() = 'Z';
        let near: String = near.into_iter().collect();
        let scanner = Scanner::new([secret]);
        for (name, text, _) in forms(&near) {
            for (place, plant) in outcome_places() {
                let mut outcome = empty_outcome();
                plant(&mut outcome, &text);
                assert_eq!(
                    call_leaks(&engine, &outcome, &scanner),
                    [],
                    "{name} of another secret in the {place}"
                );
            }
        }
    }
}

#[test]
fn short_sentinels_are_found_in_text_and_decoded_text_but_not_in_decoded_random_bytes() {
    let short = Scanner::new(["pw-1"]);
    let long = Scanner::new(["pw-1-long-sentinel"]);
    for text in [
        "x pw-1 y".to_owned(),
        serde_json::to_string(&format!("query{{x(a:{})}}", lit("\"pw-1\""))).unwrap(),
        STANDARD.encode("user:pw-1"),
        URL_SAFE_NO_PAD.encode(json!({"auth": STANDARD.encode("ab:pw-1")}).to_string()),
    ] {
        assert!(short.find(text.as_bytes()).is_some(), "{text}");
    }
    // Inside bytes that are not text, 4 given bytes occur by chance: only a long sentinel is
    // looked for there.
    let binary = |secret: &str| {
        let mut bytes = vec![0xff, 0xfe, 0x80];
        bytes.extend_from_slice(secret.as_bytes());
        bytes.push(0xc0);
        STANDARD.encode(bytes)
    };
    assert_eq!(short.find(binary("pw-1").as_bytes()), None);
    assert!(long.find(binary("pw-1-long-sentinel").as_bytes()).is_some());
    // Blank sentinels are no secrets (the module refuses them) and are left out.
    assert!(Scanner::new(["", " \n"]).is_empty());
    assert_eq!(sentinels::SHORT.chars().count(), 4);
}

#[test]
fn the_exclusions_are_exactly_the_set_secret_plaintext_and_plaintext_answers() {
    let engine = EngineDouble::start();
    let secret = sentinels::ESCAPES;
    let scanner = Scanner::new([secret]);
    let s = lit(secret);
    let leaks_in = |query: &str, response: &str| {
        let mut outcome = empty_outcome();
        outcome.exchanges.push(exchange(query, response));
        call_leaks(&engine, &outcome, &scanner)
    };
    let clean = [
        // The rendered config goes to setSecret, in one call or several.
        format!("query{{setSecret(name:\"n\",plaintext:{s}){{id}}}}"),
        format!("query{{setSecret( plaintext: {s} , name:\"n\"){{id}}}}"),
        format!("query{{a:setSecret(name:\"n\",plaintext:\"x\"){{id}} b:setSecret(name:\"m\",plaintext:{s}){{id}}}}"),
    ];
    for query in &clean {
        assert_eq!(leaks_in(query, "{}"), [], "{query}");
    }
    let leaking = [
        // The secret as the name, or beside the plaintext, or after the call.
        format!("query{{setSecret(name:{s},plaintext:\"x\"){{id}}}}"),
        format!("query{{setSecret(name:\"plaintext:{}\",plaintext:\"x\"){{id}}}}", &s[1..s.len() - 1]),
        format!("query{{a:setSecret(name:\"n\",plaintext:\"x\"){{id}} b:container{{withEnvVariable(name:\"plaintext\",value:{s}){{id}}}}}}"),
        // A setSecret whose arguments are not string literals is scanned whole.
        format!("query{{setSecret(name:\"n\",plaintext:\"\"\"{secret}\"\"\"){{id}}}}"),
    ];
    for query in &leaking {
        let leaks = leaks_in(query, "{}");
        assert_eq!(leaks.len(), 1, "{query}");
        assert_eq!(leaks[0].place, "request #0");
    }

    // The answer to a plaintext read carries plaintexts in `plaintext` fields only.
    let read = "query{s0:node(id:\"x\"){... on Secret{plaintext}}}";
    let answer = json!({"data": {"s0": {"plaintext": secret}}}).to_string();
    assert_eq!(leaks_in(read, &answer), []);
    let elsewhere = json!({"data": {"s0": {"plaintext": "x", "name": secret}}}).to_string();
    assert_eq!(leaks_in(read, &elsewhere)[0].place, "response #0");
    let not_a_read = "query{s0:node(id:\"x\"){... on Secret{name}}}";
    assert_eq!(leaks_in(not_a_read, &answer)[0].place, "response #0");

    // The secrets the test seeded and the configs stored with setSecret are not places.
    engine.seed_secret(secret);
    common::data(
        &engine,
        &format!("query{{setSecret(name:\"n\",plaintext:{s}){{id}}}}"),
    );
    assert_eq!(store_leaks(&engine, &scanner), []);
}

/// A call: object, function, parent state, arguments.
type Call<'a> = (&'a str, &'a str, Value, Vec<(&'a str, Value)>);

/// The rendered config of a call's returned Secret or of the secret its container holds.
fn delivered(m: &Module, function: &str, outcome: &Outcome) -> String {
    let id = outcome
        .return_value
        .as_ref()
        .and_then(Value::as_str)
        .unwrap();
    let secret_id = match m.engine.container(id) {
        Some(container) => container
            .mounts
            .values()
            .map(|mount| mount.secret_id.clone())
            .chain(container.secret_env.values().cloned())
            .next()
            .unwrap_or_else(|| panic!("{function}: no secret in the container")),
        None => id.to_owned(),
    };
    m.engine.secret(&secret_id).unwrap().plaintext
}

#[test]
fn the_sentinels_travel_escaped_and_nested_only_where_the_scan_leaves_them_out() {
    let mut m = Module::register();
    // ESCAPES and SHORT as passwords, INVISIBLE from an imported config.
    let state = m.with_auth(&json!({}), "ghcr.io", "me", sentinels::ESCAPES);
    let state = m.with_auth(&state, "quay.io", "robot", sentinels::SHORT);
    let import = json!({"auths": {"inv.example.com": {"username": "inv", "password": sentinels::INVISIBLE}}})
        .to_string();
    let imported = m.config_secret(&import, &[("inv", sentinels::INVISIBLE)]);
    let state = m.ok(
        "withDockerConfig",
        &state,
        vec![("config", json!(imported))],
    );
    let expected_auths = [
        ("ghcr.io", format!("me:{}", sentinels::ESCAPES)),
        ("quay.io", format!("robot:{}", sentinels::SHORT)),
        ("inv.example.com", format!("inv:{}", sentinels::INVISIBLE)),
    ];
    let container = m.engine.new_container();
    let mount = m.ok("secretMount", &state, vec![("path", json!("/cfg.json"))]);
    let calls: Vec<Call> = vec![
        ("RegistryConfig", "secret", state.clone(), vec![]),
        (
            "RegistryConfig",
            "kubernetesSecret",
            state.clone(),
            vec![("name", json!("regcred"))],
        ),
        (
            "RegistryConfig",
            "mountSecret",
            state.clone(),
            vec![("container", json!(container))],
        ),
        (
            "RegistryConfig",
            "mountDockerConfig",
            state.clone(),
            vec![("container", json!(container))],
        ),
        (
            "RegistryConfig",
            "secretVariable",
            state.clone(),
            vec![("container", json!(container))],
        ),
        (
            "SecretMount",
            "mount",
            mount,
            vec![("container", json!(container))],
        ),
    ];
    for (object, function, parent, args) in calls {
        // Module::call runs the full scan and panics on a leak.
        let outcome = m.call(object, function, parent, args);
        assert_eq!(outcome.exit_code, Some(0), "{function}: {}", outcome.stderr);
        let mut rendered = delivered(&m, function, &outcome);
        if function == "kubernetesSecret" {
            let manifest: Value = serde_json::from_str(&rendered).unwrap();
            let config = STANDARD
                .decode(manifest["data"][".dockerconfigjson"].as_str().unwrap())
                .unwrap();
            rendered = String::from_utf8(config).unwrap();
        }
        let config: Value = serde_json::from_str(&rendered).unwrap();
        for (key, joined) in &expected_auths {
            assert_eq!(
                config["auths"][key]["auth"],
                STANDARD.encode(joined),
                "{function}: {key}"
            );
        }
        // Where the sentinels did travel: the plaintext reads' answers (escaped, for those
        // JSON escapes) and the setSecret request (base64, or base64 in base64 for the
        // manifest), both left out of the scan.
        for secret in sentinels::ALL {
            let scanner = Scanner::new([secret]);
            let mut forms = Vec::new();
            for exchange in &outcome.exchanges {
                for text in [&exchange.request, &exchange.response] {
                    if let Some(finding) = scanner.find(text.as_bytes()) {
                        forms.push(finding.form());
                    }
                }
            }
            let read = if serde_json::to_string(secret).unwrap().contains(secret) {
                "raw"
            } else {
                "escaped"
            };
            assert!(
                forms.iter().any(|form| form == read),
                "{function}: the plaintext read answered {secret:?} {read}: {forms:?}"
            );
            let stored = if function == "kubernetesSecret" {
                "base64 → base64"
            } else {
                "base64"
            };
            assert!(
                forms.iter().any(|form| form.ends_with(stored)),
                "{function}: the config went to setSecret as {stored}: {forms:?}"
            );
        }
    }
}
