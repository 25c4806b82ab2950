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
    /// The parent object's state (`{}` for a fresh object; `null` from the engine becomes `{}`).
    pub parent: Value,
    /// Argument values, decoded from the engine's JSON encoding.
    pub args: BTreeMap<String, Value>,
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

/// Decodes the answer to [`ENVELOPE`]. Errors never quote argument values: they are user input
/// the function has not validated yet.
pub(crate) fn parse_envelope(data: Value) -> Result<FunctionCall, String> {
    let Envelope { call } =
        serde_json::from_value(data).map_err(|_| "the answer is not a function call".to_owned())?;
    let parent = match call.parent.as_deref() {
        None | Some("") | Some("null") => Value::Object(Default::default()),
        Some(text) => serde_json::from_str(text)
            .map_err(|_| "the parent object's state is not JSON".to_owned())?,
    };
    let mut args = BTreeMap::new();
    for arg in call.input_args {
        let value: Value = serde_json::from_str(&arg.value)
            .map_err(|_| format!("the value of argument {:?} is not JSON", arg.name))?;
        args.insert(arg.name, value);
    }
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
