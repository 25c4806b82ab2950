//! Loading the Dagger engine schemas — one SDL per supported engine version — and validating
//! every request document against each of them with `apollo-compiler`.
//!
//! The schemas are never copied into the repository: they are read at run time from the
//! directory in [`SCHEMAS_ENV`] or, by default, `shared/reference/schemas/` beside the checkout.
//! Each file there is named after the engine version whose schema it holds
//! (`v0.21.1.graphqls`), so adding a file adds a version the module is proven against. A request
//! is accepted only when every version accepts it; the errors name each version that refused.
//!
//! With [`VALIDATION_LOG_ENV`] set to a directory, every verdict is also appended there (one
//! line per request and version, the query only as a SHA-256), so a whole test run can report
//! per version how many distinct requests were validated and rejected (`scripts/test.sh` does).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use sha2::{Digest as _, Sha256};

/// Environment variable naming the directory of `<version>.graphqls` files to load instead of
/// the default location.
pub const SCHEMAS_ENV: &str = "REGISTRY_CONFIG_SCHEMAS";

/// Environment variable naming a directory where every validation verdict is appended.
pub const VALIDATION_LOG_ENV: &str = "REGISTRY_CONFIG_VALIDATION_LOG";

/// The file extension of a schema file.
const SCHEMA_EXTENSION: &str = "graphqls";

/// One engine version's schema.
pub struct EngineSchema {
    /// The engine version, as the file is named (`v0.21.1`).
    pub version: String,
    /// Where it was read from.
    pub path: PathBuf,
    parsed_version: semver::Version,
    schema: Valid<Schema>,
}

impl EngineSchema {
    /// The validated schema.
    pub fn schema(&self) -> &Valid<Schema> {
        &self.schema
    }
}

/// The schema directory the double uses: `$REGISTRY_CONFIG_SCHEMAS` if set, else
/// `shared/reference/schemas/` next to the repository checkout.
pub fn schemas_dir() -> PathBuf {
    match std::env::var_os(SCHEMAS_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/reference/schemas"
        )),
    }
}

/// Every supported engine version's schema, oldest first, parsed once per test process.
///
/// # Panics
/// If the directory holds no schema, a file name is not a version, or apollo-compiler rejects
/// a schema.
pub fn schemas() -> &'static [EngineSchema] {
    static SCHEMAS: OnceLock<Vec<EngineSchema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| load_dir(&schemas_dir()))
}

/// The oldest supported engine version (the floor a module may declare in `dagger.json`).
pub fn oldest_version() -> &'static str {
    schemas()
        .first()
        .map(|s| s.version.as_str())
        .expect("engine double: at least one schema is loaded")
}

/// The schema requests are executed against: the newest. Execution only needs field and
/// argument definitions, which every accepted request has in all versions.
pub(crate) fn execution_schema() -> &'static Valid<Schema> {
    schemas()
        .last()
        .map(EngineSchema::schema)
        .expect("engine double: at least one schema is loaded")
}

/// Reads every `<version>.graphqls` in `dir`, sorted by version.
fn load_dir(dir: &Path) -> Vec<EngineSchema> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|err| {
        panic!(
            "engine double: cannot read the Dagger schemas directory {} ({err}); \
             set {SCHEMAS_ENV} to a directory of <version>.graphqls files",
            dir.display()
        )
    });
    let mut schemas: Vec<EngineSchema> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == SCHEMA_EXTENSION))
        .map(|path| load(&path))
        .collect();
    assert!(
        !schemas.is_empty(),
        "engine double: no *.{SCHEMA_EXTENSION} schema in {}",
        dir.display()
    );
    schemas.sort_by(|a, b| a.parsed_version.cmp(&b.parsed_version));
    schemas
}

/// Reads and validates one schema file, panicking with a clear message on failure.
fn load(path: &Path) -> EngineSchema {
    let version = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default()
        .to_owned();
    let parsed_version =
        semver::Version::parse(version.trim_start_matches('v')).unwrap_or_else(|err| {
            panic!(
                "engine double: schema file {} is not named after an engine version such as \
                 v0.21.1.{SCHEMA_EXTENSION} ({err})",
                path.display()
            )
        });
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!(
            "engine double: cannot read the Dagger schema at {} ({err})",
            path.display()
        )
    });
    let schema = Schema::parse_and_validate(text, path).unwrap_or_else(|invalid| {
        panic!(
            "engine double: the Dagger schema at {} is not valid GraphQL:\n{}",
            path.display(),
            invalid.errors
        )
    });
    EngineSchema {
        version,
        path: path.to_owned(),
        parsed_version,
        schema,
    }
}

/// A document that every schema accepted (validated against the execution schema), or the
/// errors of every version that refused it, each message prefixed with `[engine <version>]`.
pub(crate) struct Verdict {
    /// The document to execute, when every version accepted it.
    pub document: Result<Valid<ExecutableDocument>, Vec<GraphQLError>>,
    /// The versions that refused it (empty when accepted).
    pub rejected_by: Vec<String>,
}

/// Parses and validates one request document against every schema; the verdicts are logged
/// under `report_label` (see [`record`]).
pub(crate) fn validate(query: &str, report_label: &str) -> Verdict {
    let mut errors = Vec::new();
    let mut rejected_by = Vec::new();
    let mut executable = None;
    let count = schemas().len();
    for (index, engine) in schemas().iter().enumerate() {
        let outcome =
            ExecutableDocument::parse_and_validate(engine.schema(), query, "request.graphql");
        record(&engine.version, query, outcome.is_ok(), report_label);
        match outcome {
            Ok(document) if index + 1 == count => executable = Some(document),
            Ok(_) => {}
            Err(invalid) => {
                rejected_by.push(engine.version.clone());
                errors.extend(invalid.errors.iter().map(|diagnostic| {
                    let mut error = diagnostic.to_json();
                    error.message = format!("[engine {}] {}", engine.version, error.message);
                    error
                }));
            }
        }
    }
    let document = match executable {
        Some(document) if rejected_by.is_empty() => Ok(document),
        _ => Err(errors),
    };
    Verdict {
        document,
        rejected_by,
    }
}

/// Appends one verdict to the validation log, when [`VALIDATION_LOG_ENV`] names a directory:
/// `<version>\t<accepted|rejected>\t<sha256 of the query>\t<label>` in a file per process.
/// Logging failures are ignored: the log is a report, not part of what the double checks.
fn record(version: &str, query: &str, accepted: bool, label: &str) {
    let Some(dir) = std::env::var_os(VALIDATION_LOG_ENV).filter(|dir| !dir.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("{label}-{}.tsv", std::process::id()));
    let digest = hex_digest(query);
    let verdict = if accepted { "accepted" } else { "rejected" };
    if let Ok(mut out) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        // One write per line: appends from concurrent tests then never interleave.
        let line = format!("{version}\t{verdict}\t{digest}\t{label}\n");
        let _ = out.write_all(line.as_bytes());
    }
}

/// Lower-case hex SHA-256 of `text`.
fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_schema_loads_with_the_module_protocol_types() {
        assert!(schemas().len() >= 2, "v0.21 and 1.0 lines");
        for engine in schemas() {
            for name in [
                "Query",
                "FunctionCall",
                "Secret",
                "Container",
                "TypeDef",
                "Module",
            ] {
                assert!(
                    engine.schema().types.contains_key(name),
                    "{name} in {}",
                    engine.version
                );
            }
        }
    }

    #[test]
    fn schemas_are_sorted_oldest_first_by_version_not_by_name() {
        let versions: Vec<&semver::Version> = schemas().iter().map(|s| &s.parsed_version).collect();
        let mut sorted = versions.clone();
        sorted.sort();
        assert_eq!(versions, sorted);
        assert_eq!(oldest_version(), schemas()[0].version);
    }

    #[test]
    #[should_panic(expected = "cannot read the Dagger schemas directory")]
    fn a_missing_directory_panics_clearly() {
        load_dir(Path::new("/nonexistent/schemas"));
    }

    #[test]
    #[should_panic(expected = "no *.graphqls schema")]
    fn an_empty_directory_panics_clearly() {
        let dir = tempfile::tempdir().unwrap();
        load_dir(dir.path());
    }

    #[test]
    #[should_panic(expected = "is not named after an engine version")]
    fn a_file_not_named_after_a_version_panics_clearly() {
        load_one("latest.graphqls", "type Query { x: String }");
    }

    #[test]
    #[should_panic(expected = "is not valid GraphQL")]
    fn an_invalid_schema_panics_clearly() {
        load_one("v9.9.9.graphqls", "type Query { x: Nope }");
    }

    /// Loads a schema file named `name` holding `text`.
    fn load_one(name: &str, text: &str) -> EngineSchema {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        load(&path)
    }

    #[test]
    fn versions_sort_semantically() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["v1.0.0-beta.10", "v0.21.11", "v0.21.2", "v1.0.0-beta.9"] {
            std::fs::write(
                dir.path().join(format!("{name}.graphqls")),
                "type Query { x: String }",
            )
            .unwrap();
        }
        let loaded: Vec<String> = load_dir(dir.path())
            .into_iter()
            .map(|s| s.version)
            .collect();
        assert_eq!(
            loaded,
            ["v0.21.2", "v0.21.11", "v1.0.0-beta.9", "v1.0.0-beta.10"]
        );
    }

    #[test]
    fn documents_are_checked_against_every_schema() {
        let accepted = validate(
            "query{currentFunctionCall{parentName name parent inputArgs{name value}}}",
            "engine-double",
        );
        assert!(accepted.document.is_ok());
        assert!(accepted.rejected_by.is_empty());

        let everywhere = validate("query{currentFunctionCall{nope}}", "engine-double");
        assert_eq!(everywhere.rejected_by.len(), schemas().len());
        let messages: Vec<String> = everywhere
            .document
            .err()
            .unwrap()
            .into_iter()
            .map(|e| e.message)
            .collect();
        for engine in schemas() {
            let tag = format!("[engine {}]", engine.version);
            assert!(
                messages
                    .iter()
                    .any(|m| m.starts_with(&tag) && m.contains("nope")),
                "{messages:?}"
            );
        }
    }

    /// The engine versions whose `Query` lacks `field`.
    fn versions_without(field: &str) -> Vec<String> {
        schemas()
            .iter()
            .filter(|engine| {
                !engine.schema().types["Query"]
                    .as_object()
                    .is_some_and(|query| query.fields.contains_key(field))
            })
            .map(|engine| engine.version.clone())
            .collect()
    }

    /// A document selecting `field` of `Query`, if every version that has the field takes no
    /// required argument for it.
    fn document_selecting(field: &str) -> Option<String> {
        let mut selection = None;
        for engine in schemas() {
            let Some(definition) = engine.schema().types["Query"]
                .as_object()
                .and_then(|query| query.fields.get(field))
            else {
                continue;
            };
            if definition.arguments.iter().any(|arg| arg.is_required()) {
                return None;
            }
            let leaf = engine
                .schema()
                .types
                .get(definition.ty.inner_named_type())
                .is_some_and(|ty| ty.is_leaf());
            selection = Some(if leaf {
                format!("query{{{field}}}")
            } else {
                format!("query{{{field}{{__typename}}}}")
            });
        }
        selection
    }

    /// Asserts that the document selecting `field` is rejected by exactly the versions that
    /// lack it, with every error naming one of them.
    fn assert_rejected_by_exactly_the_versions_without(field: &str, query: &str) {
        let lacking = versions_without(field);
        let verdict = validate(query, "engine-double");
        assert_eq!(verdict.rejected_by, lacking, "{query}");
        let messages: Vec<String> = verdict
            .document
            .err()
            .unwrap()
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert!(
            messages.iter().all(|m| lacking
                .iter()
                .any(|version| m.starts_with(&format!("[engine {version}]")))),
            "{messages:?}"
        );
    }

    #[test]
    fn a_field_only_some_versions_have_is_rejected_naming_the_others() {
        // Fields the newest engine has and the oldest lacks, and the reverse: derived from the
        // loaded schemas, so any set of versions works.
        let (oldest, newest) = (&schemas()[0], &schemas()[schemas().len() - 1]);
        for (has, lacks) in [(newest, oldest), (oldest, newest)] {
            let query_fields = |engine: &EngineSchema| -> Vec<String> {
                engine.schema().types["Query"]
                    .as_object()
                    .map(|query| query.fields.keys().map(|name| name.to_string()).collect())
                    .unwrap_or_default()
            };
            let lacked = query_fields(lacks);
            let (field, query) = query_fields(has)
                .into_iter()
                .filter(|field| !lacked.contains(field))
                .find_map(|field| document_selecting(&field).map(|query| (field, query)))
                .unwrap_or_else(|| {
                    panic!(
                        "no argument-free Query field of {} is missing from {}",
                        has.version, lacks.version
                    )
                });
            assert!(versions_without(&field).contains(&lacks.version));
            assert_rejected_by_exactly_the_versions_without(&field, &query);
        }
    }
}
