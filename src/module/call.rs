//! Reading the function call the engine is running this process for, in ONE request.

use std::collections::BTreeMap;

use dagger_sdk::core::graphql_client::DynGraphQLClient;
use serde::Deserialize;
use serde_json::Value;

/// The envelope: everything about the call in one query.
const ENVELOPE: &str = "query{currentFunctionCall{parentName name parent inputArgs{name value}}}";

/// The call as the engine describes it. `parent_name` is empty only for registration.
#[derive(Debug)]
pub struct FunctionCall {
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

/// Why the call could not be read; the message never quotes argument values (they are user
/// input, and the function has not validated them yet).
pub fn read_error(detail: &str) -> String {
    format!("cannot read the function call from the engine: {detail}")
}

/// Fetches and decodes the call.
pub async fn read(client: &DynGraphQLClient) -> Result<FunctionCall, String> {
    let data = client
        .query(ENVELOPE)
        .await
        .map_err(|e| read_error(&e.to_string()))?
        .ok_or_else(|| read_error("the answer had no data"))?;
    let Envelope { call } = serde_json::from_value(data)
        .map_err(|_| read_error("the answer is not a function call"))?;
    let parent = match call.parent.as_deref() {
        None | Some("") | Some("null") => Value::Object(Default::default()),
        Some(text) => serde_json::from_str(text)
            .map_err(|_| read_error("the parent object's state is not JSON"))?,
    };
    let mut args = BTreeMap::new();
    for arg in call.input_args {
        let value: Value = serde_json::from_str(&arg.value).map_err(|_| {
            read_error(&format!("the value of argument {:?} is not JSON", arg.name))
        })?;
        args.insert(arg.name, value);
    }
    Ok(FunctionCall {
        parent_name: call.parent_name,
        name: call.name,
        parent,
        args,
    })
}
