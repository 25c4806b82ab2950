//! The module protocol's documents: reading the function call (the envelope) and ending it with
//! a return value or an error.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{string_literal, take_leaf_string};

/// The envelope: everything about the call in one query.
pub(crate) const ENVELOPE: &str =
    "query{currentFunctionCall{parentName name parent inputArgs{name value}}}";

/// The call as the engine describes it. `parent_name` is empty only for registration.
#[derive(Debug)]
pub(crate) struct FunctionCall {
    /// The object the function belongs to (its original name), or `""` for registration.
    pub parent_name: String,
    /// The function's original name.
    pub name: String,
    /// The parent object's state as JSON text, not yet parsed (`None` for a fresh object: the
    /// engine sends `null` or nothing). The module bounds its size before parsing it.
    pub parent: Option<String>,
    /// Argument values in the engine's JSON encoding, not yet parsed (bounded first, like the
    /// state).
    pub args: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "currentFunctionCall")]
    call: RawCall,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCall {
    parent_name: String,
    name: String,
    parent: Option<String>,
    input_args: Vec<RawArg>,
}

#[derive(Deserialize)]
struct RawArg {
    name: String,
    value: String,
}

/// Decodes the answer to [`ENVELOPE`], leaving the state and the argument values as the JSON
/// text the engine sent: they are user input, parsed only once their size is known to be sane.
pub(crate) fn parse_envelope(data: Value) -> Result<FunctionCall, String> {
    let Envelope { call } =
        serde_json::from_value(data).map_err(|_| "the answer is not a function call".to_owned())?;
    let parent = call
        .parent
        .filter(|text| !matches!(text.as_str(), "" | "null"));
    let args = call
        .input_args
        .into_iter()
        .map(|arg| (arg.name, arg.value))
        .collect();
    Ok(FunctionCall {
        parent_name: call.parent_name,
        name: call.name,
        parent,
        args,
    })
}

/// `currentFunctionCall{returnValue(value: JSON)}`; the engine answers `null` (a `Void`).
pub(crate) fn return_value(value: &Value) -> String {
    format!(
        "query{{currentFunctionCall{{returnValue(value:{})}}}}",
        string_literal(&value.to_string())
    )
}

/// `error(message){id}`: creates the Error to return. `message` must be free of secrets.
pub(crate) fn create_error(message: &str) -> String {
    format!("query{{error(message:{}){{id}}}}", string_literal(message))
}

/// The Error's ID from the answer to [`create_error`].
pub(crate) fn parse_error_id(data: Value) -> Option<String> {
    take_leaf_string(data)
}

/// `currentFunctionCall{returnError(error: ID)}`.
pub(crate) fn return_error(error_id: &str) -> String {
    format!(
        "query{{currentFunctionCall{{returnError(error:{})}}}}",
        string_literal(error_id)
    )
}
