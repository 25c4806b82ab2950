//! The engine versions the module declares are the ones it is proven on: both `dagger.json`
//! files declare the oldest version whose schema the engine double validates every request
//! against (`shared/reference/schemas/<version>.graphqls`). An engine refuses a module that
//! declares a newer version than itself, so declaring more than is proven would lock users of
//! older engines out, and declaring less would claim an engine nobody tested.

use std::path::Path;

/// `engineVersion` of the `dagger.json` at `path` (relative to the repository).
fn declared_engine_version(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    let config: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    config["engineVersion"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has no engineVersion"))
        .to_owned()
}

#[test]
fn both_dagger_json_files_declare_the_oldest_proven_engine() {
    let proven = engine_double::oldest_version();
    for path in ["dagger.json", "runtime/dagger.json"] {
        assert_eq!(
            declared_engine_version(path),
            proven,
            "{path} must declare the oldest engine in shared/reference/schemas/"
        );
    }
}

#[test]
fn the_proven_range_spans_the_stable_line_and_the_1_0_betas() {
    let versions: Vec<&str> = engine_double::schemas()
        .iter()
        .map(|schema| schema.version.as_str())
        .collect();
    assert!(
        versions.iter().any(|v| v.starts_with("v0.21.")),
        "{versions:?}"
    );
    assert!(
        versions.iter().any(|v| v.starts_with("v1.0.0-beta.")),
        "{versions:?}"
    );
}
