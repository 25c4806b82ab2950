//! Registration: the API the module declares to the engine is exactly SPEC §2, with complete
//! descriptions, in 7 round trips, with no request the engine's schema would reject.

use engine_double::{Call, EngineDouble};
use test_support::module::binary;

const GOLDEN: &str = "tests/golden/registered-api.txt";

#[test]
fn registered_api_matches_the_golden() {
    let engine = EngineDouble::start();
    let (module_id, outcome) = engine.register(binary());
    assert_eq!(outcome.exit_code, Some(0), "{}", outcome.stderr);
    assert_eq!(outcome.rejected_requests, 0, "{:#?}", outcome.exchanges);
    assert_eq!(outcome.stdout, "");
    assert_eq!(outcome.stderr, "");

    let described = engine.describe_module(&module_id);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &described).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(described, golden, "registered API differs from {GOLDEN}");
}

#[test]
fn registration_takes_seven_round_trips() {
    // envelope, leaf types, list types, functions, objects, module, returnValue
    let engine = EngineDouble::start();
    let (_, outcome) = engine.register(binary());
    assert_eq!(outcome.round_trips, 7, "{:#?}", outcome.queries());
}

#[test]
fn every_function_and_argument_is_documented_and_dispatches() {
    let engine = EngineDouble::start();
    let (module_id, _) = engine.register(binary());
    let module = engine.module(&module_id).expect("module");
    assert!(!module.description.is_empty());
    let mut functions = 0;
    for object in &module.objects {
        assert!(!object.description.is_empty(), "{}", object.name);
        for field in &object.fields {
            assert!(
                !field.description.is_empty(),
                "{}.{}",
                object.name,
                field.name
            );
        }
        for function in &object.functions {
            functions += 1;
            assert!(
                function.description.len() > 30,
                "{}.{}",
                object.name,
                function.name
            );
            for arg in &function.args {
                assert!(
                    !arg.description.is_empty(),
                    "{}.{}({})",
                    object.name,
                    function.name,
                    arg.name
                );
            }
            // Dispatch knows every registered name: a call with no arguments fails on an
            // argument (or succeeds), never as an unknown function.
            let outcome = engine.run(
                binary(),
                &Call {
                    parent_name: object.name.clone(),
                    name: function.name.clone(),
                    parent: serde_json::json!({}),
                    input_args: vec![],
                },
            );
            let message = outcome.return_error.map(|e| e.message).unwrap_or_default();
            assert!(
                !message.contains("unknown function"),
                "{}.{}: {message}",
                object.name,
                function.name
            );
        }
    }
    assert_eq!(functions, registry_config::Function::ALL.len());
}
