//! Answering schema introspection (`__schema`, `__type`) the way an engine does: from the schema
//! of one engine version, executed by apollo-compiler's introspection executor.
//!
//! Clients such as the Python SDK (`gql` with `fetch_schema_from_transport`) send the full
//! introspection query when they connect and build their queries from the answer, so the answer
//! must describe a real engine's schema. A module is served the API of the engine version it
//! declares; the double serves the oldest loaded version unless told otherwise
//! (`EngineDouble::set_introspected_version`).

use apollo_compiler::executable::Operation;
use apollo_compiler::introspection;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::ExecutableDocument;

use crate::validation::EngineSchema;

/// The root fields that make an operation an introspection request.
const INTROSPECTION_FIELDS: [&str; 2] = ["__schema", "__type"];

/// Whether `operation` selects `__schema` or `__type` at its root.
pub(crate) fn is_introspection(document: &ExecutableDocument, operation: &Operation) -> bool {
    operation
        .root_fields(document)
        .any(|field| INTROSPECTION_FIELDS.contains(&field.name.as_str()))
}

/// Executes the introspection request `query` (operation `operation_name`) against `engine`'s
/// schema and returns the JSON response body. An operation that mixes introspection with
/// concrete fields is refused with a GraphQL error: engines' clients never send one.
pub(crate) fn execute(engine: &EngineSchema, query: &str, operation_name: Option<&str>) -> String {
    let document =
        match ExecutableDocument::parse_and_validate(engine.schema(), query, "request.graphql") {
            Ok(document) => document,
            Err(invalid) => return errors(invalid.errors.iter().map(|d| d.to_json().message)),
        };
    let operation = match document.operations.get(operation_name) {
        Ok(operation) => operation,
        Err(err) => return errors([err.message().to_string()]),
    };
    let concrete = operation
        .root_fields(&document)
        .any(|field| !field.name.as_str().starts_with("__"));
    if concrete {
        return errors([
            "engine double: introspection mixed with other root fields is not \
                        implemented"
                .to_owned(),
        ]);
    }
    if let Err(err) = introspection::check_max_depth(&document, operation) {
        return errors([err.message().to_string()]);
    }
    let variables = Valid::assume_valid(JsonMap::new());
    let implementers = engine.schema().implementers_map();
    match introspection::partial_execute(
        engine.schema(),
        &implementers,
        &document,
        operation,
        &variables,
    ) {
        Ok(response) => {
            serde_json::to_string(&response).expect("an introspection response serializes")
        }
        Err(err) => errors([err.message().to_string()]),
    }
}

/// A GraphQL response with no data and these error messages.
fn errors(messages: impl IntoIterator<Item = String>) -> String {
    let errors: Vec<serde_json::Value> = messages
        .into_iter()
        .map(|message| serde_json::json!({ "message": message }))
        .collect();
    serde_json::json!({ "data": null, "errors": errors }).to_string()
}
