//! Every GraphQL document the crate sends, built as text by pure functions next to the code that
//! reads their answers. The library and the module both go through here; sending is the
//! caller's business (the `dagger-sdk` client in a pipeline, `module::transport` in the module).
//!
//! The documents use string literals only, never variables: an ID literal is valid for the
//! current `ID` type and for the per-type `FooID` scalars that modules declaring an engine
//! before v0.22 also see, so one text is valid on every supported engine.

pub(crate) mod call;
pub(crate) mod secrets;
pub(crate) mod typedefs;

use dagger_sdk::Selection;
use serde_json::Value;

/// A GraphQL string literal for `text` (JSON string syntax is valid GraphQL string syntax).
pub(crate) fn string_literal(text: &str) -> String {
    Value::from(text).to_string()
}

/// `<prefix>0:<field 0> <prefix>1:<field 1> …`: several root fields under their aliases.
pub(crate) fn aliased<'a>(
    prefix: &'a str,
    fields: impl IntoIterator<Item = &'a str> + 'a,
) -> impl Iterator<Item = String> + 'a {
    fields
        .into_iter()
        .enumerate()
        .map(move |(index, field)| format!("{prefix}{index}:{field}"))
}

/// `query{<field> <field> …}`: several (aliased) root fields in one request.
pub(crate) fn query(fields: impl IntoIterator<Item = String>) -> String {
    format!(
        "query{{{}}}",
        fields.into_iter().collect::<Vec<_>>().join(" ")
    )
}

/// The leaf strings of the answer to a [`query`] of [`aliased`] fields, in order; `None` where one is missing.
pub(crate) fn take_aliased(data: &mut Value, prefix: &str, count: usize) -> Vec<Option<String>> {
    (0..count)
        .map(|index| {
            data.get_mut(format!("{prefix}{index}"))
                .map(Value::take)
                .and_then(take_leaf_string)
        })
        .collect()
}

/// `c1{c2{…{cn{id}}}}`: a chain of field calls, each on the previous result, ending in the ID.
pub(crate) fn id_chain(calls: &[String]) -> String {
    format!(
        "{}{{id}}{}",
        calls.join("{"),
        "}".repeat(calls.len().saturating_sub(1))
    )
}

/// The `dagger-sdk` crate renders a selection as `query{a(..){b{c}}}`; this returns `a(..){b{c}}`
/// so that several selections can be aliased into one document.
pub(crate) async fn root_field(selection: &Selection) -> Result<String, String> {
    let document = selection
        .build()
        .await
        .map_err(|e| format!("the query could not be built: {e}"))?;
    document
        .strip_prefix("query{")
        .and_then(|rest| rest.strip_suffix('}'))
        .filter(|field| !field.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| "the query builder produced an unexpected document".to_owned())
}

/// A selection chain answers as nested single-key objects ending in one scalar; this walks down
/// and takes the string out without copying it.
pub(crate) fn take_leaf_string(mut value: Value) -> Option<String> {
    loop {
        match value {
            Value::String(text) => return Some(text),
            Value::Object(object) if object.len() == 1 => {
                value = object.into_iter().next().map(|(_, v)| v)?;
            }
            _ => return None,
        }
    }
}
