//! Loading the Dagger engine schema and validating request documents against it with
//! `apollo-compiler`.
//!
//! The schema is never copied into the repository: it is read at run time from the path in
//! [`SCHEMA_ENV`] or, by default, from `shared/reference/dagger-schema.graphqls` beside the repo.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

/// Environment variable naming the schema file to load instead of the default location.
pub const SCHEMA_ENV: &str = "REGISTRY_CONFIG_SCHEMA";

/// The schema path the double uses: `$REGISTRY_CONFIG_SCHEMA` if set, else
/// `shared/reference/dagger-schema.graphqls` next to the repository checkout.
pub fn schema_path() -> PathBuf {
    match std::env::var_os(SCHEMA_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/reference/dagger-schema.graphqls"
        )),
    }
}

/// The validated engine schema, parsed once per test process.
///
/// # Panics
/// If the schema file is missing or apollo-compiler rejects it.
pub fn schema() -> &'static Valid<Schema> {
    static SCHEMA: OnceLock<Valid<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| load(&schema_path()))
}

/// Reads and validates the schema at `path`, panicking with a clear message on failure.
fn load(path: &Path) -> Valid<Schema> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!(
            "engine double: cannot read the Dagger schema at {} ({err}); \
             set {SCHEMA_ENV} to the path of dagger-schema.graphqls",
            path.display()
        )
    });
    Schema::parse_and_validate(text, path).unwrap_or_else(|invalid| {
        panic!(
            "engine double: the Dagger schema at {} is not valid GraphQL:\n{}",
            path.display(),
            invalid.errors
        )
    })
}

/// Parses and validates one request document; on failure returns the GraphQL errors
/// (message and locations) the double answers with.
pub(crate) fn validate(query: &str) -> Result<Valid<ExecutableDocument>, Vec<GraphQLError>> {
    ExecutableDocument::parse_and_validate(schema(), query, "request.graphql")
        .map_err(|invalid| invalid.errors.iter().map(|d| d.to_json()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_schema_validates() {
        let schema = schema();
        for name in [
            "Query",
            "FunctionCall",
            "Secret",
            "Container",
            "TypeDef",
            "Module",
        ] {
            assert!(schema.types.contains_key(name), "{name}");
        }
    }

    #[test]
    #[should_panic(expected = "cannot read the Dagger schema")]
    fn a_missing_schema_panics_clearly() {
        load(Path::new("/nonexistent/dagger-schema.graphqls"));
    }

    #[test]
    #[should_panic(expected = "is not valid GraphQL")]
    fn an_invalid_schema_panics_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.graphqls");
        std::fs::write(&path, "type Query { x: Nope }").unwrap();
        load(&path);
    }

    #[test]
    fn documents_are_checked_against_the_schema() {
        assert!(validate(
            "query{currentFunctionCall{parentName name parent inputArgs{name value}}}"
        )
        .is_ok());
        let errors = validate("query{currentFunctionCall{nope}}").unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("nope")), "{messages:?}");
    }
}
