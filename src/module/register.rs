//! Registration: declaring the API of [`super::api`] to the engine and returning the module ID.
//!
//! Type definitions are built with one aliased request per dependency level — leaf types, list
//! types, functions, objects, the module — because an ID produced in a request can only be used
//! in a later one. Together with the envelope and the return that is 7 round trips, whatever the
//! number of functions.

use std::collections::BTreeMap;

use dagger_sdk::core::graphql_client::DynGraphQLClient;

use super::api::{self, CachePolicy, Type};
use crate::client::{string_literal, take_leaf_string};

/// A type definition as registered: the type plus whether it may be null/omitted.
type TypeKey = (Type, bool);

/// Builds the module's type definitions and returns the module ID.
pub async fn register(client: &DynGraphQLClient) -> Result<String, String> {
    let (leaves, leaf_fields): (Vec<TypeKey>, Vec<String>) = leaf_types().into_iter().unzip();
    let leaf_ids = execute(client, "type definitions", leaf_fields).await?;
    let mut types: BTreeMap<TypeKey, String> = leaves.into_iter().zip(leaf_ids).collect();

    let string_id = lookup(&types, (Type::String, false))?.to_owned();
    let list_fields = vec![chain(&[
        "typeDef".to_owned(),
        format!("withListOf(elementType:{})", string_literal(&string_id)),
    ])];
    let list_ids = execute(client, "list type definitions", list_fields).await?;
    if let Some(id) = list_ids.into_iter().next() {
        types.insert((Type::StringList, false), id);
    }

    let mut function_fields = Vec::new();
    for object in api::OBJECTS {
        for function in object.functions {
            function_fields.push(function_field(function, &types)?);
        }
    }
    let mut function_ids = execute(client, "function definitions", function_fields)
        .await?
        .into_iter();

    let mut object_fields = Vec::new();
    for object in api::OBJECTS {
        let mut calls = vec![
            "typeDef".to_owned(),
            format!(
                "withObject(name:{},description:{})",
                string_literal(object.name),
                string_literal(object.description)
            ),
        ];
        for field in object.fields {
            calls.push(format!(
                "withField(name:{},typeDef:{},description:{})",
                string_literal(field.name),
                string_literal(lookup(&types, (field.ty, false))?),
                string_literal(field.description),
            ));
        }
        for _ in object.functions {
            let id = function_ids
                .next()
                .ok_or("the engine returned fewer function IDs than were defined")?;
            calls.push(format!("withFunction(function:{})", string_literal(&id)));
        }
        object_fields.push(chain(&calls));
    }
    let object_ids = execute(client, "object definitions", object_fields).await?;

    let mut calls = vec![
        "module".to_owned(),
        format!(
            "withDescription(description:{})",
            string_literal(api::MODULE_DESCRIPTION)
        ),
    ];
    calls.extend(
        object_ids
            .iter()
            .map(|id| format!("withObject(object:{})", string_literal(id))),
    );
    execute(client, "the module definition", vec![chain(&calls)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| "the engine returned no module ID".to_owned())
}

/// Every (type, optional) pair the API uses with the field that defines it, except list types
/// (which need an element type's ID first).
fn leaf_types() -> Vec<(TypeKey, String)> {
    let mut keys = std::collections::BTreeSet::new();
    keys.insert((Type::String, false));
    for object in api::OBJECTS {
        for field in object.fields {
            keys.insert((field.ty, false));
        }
        for function in object.functions {
            keys.insert((function.returns, false));
            for arg in function.args {
                keys.insert((arg.ty, arg.optional));
            }
        }
    }
    keys.into_iter()
        .filter_map(|key| leaf_type_field(key).map(|field| (key, field)))
        .collect()
}

/// `typeDef{withKind(..)|withObject(..){[withOptional(optional:true){]id}}`; `None` for lists.
fn leaf_type_field((ty, optional): TypeKey) -> Option<String> {
    let base = match ty {
        Type::String => "withKind(kind:STRING_KIND)".to_owned(),
        Type::Int => "withKind(kind:INTEGER_KIND)".to_owned(),
        Type::Boolean => "withKind(kind:BOOLEAN_KIND)".to_owned(),
        Type::Secret => "withObject(name:\"Secret\")".to_owned(),
        Type::Container => "withObject(name:\"Container\")".to_owned(),
        Type::RegistryConfig => {
            format!("withObject(name:{})", string_literal(api::REGISTRY_CONFIG))
        }
        Type::SecretMount => format!("withObject(name:{})", string_literal(api::SECRET_MOUNT)),
        Type::StringList => return None,
    };
    let mut calls = vec!["typeDef".to_owned(), base];
    if optional {
        calls.push("withOptional(optional:true)".to_owned());
    }
    Some(chain(&calls))
}

/// `function(name, returnType){withDescription{withArg…{withCachePolicy{id}}}}`.
fn function_field(
    function: &api::Function,
    types: &BTreeMap<TypeKey, String>,
) -> Result<String, String> {
    let mut calls = vec![
        format!(
            "function(name:{},returnType:{})",
            string_literal(function.name),
            string_literal(lookup(types, (function.returns, false))?)
        ),
        format!(
            "withDescription(description:{})",
            string_literal(function.description)
        ),
    ];
    for arg in function.args {
        let default = arg
            .default
            .map(|json| format!(",defaultValue:{}", string_literal(json)))
            .unwrap_or_default();
        calls.push(format!(
            "withArg(name:{},typeDef:{},description:{}{default})",
            string_literal(arg.name),
            string_literal(lookup(types, (arg.ty, arg.optional))?),
            string_literal(arg.description),
        ));
    }
    let policy = match function.cache {
        CachePolicy::Default => "Default",
        CachePolicy::Never => "Never",
    };
    calls.push(format!("withCachePolicy(policy:{policy})"));
    Ok(chain(&calls))
}

/// `c1{c2{…{cn{id}}}}` — a chain of field calls, each on the previous result, ending in the ID.
fn chain(calls: &[String]) -> String {
    format!(
        "{}{{id}}{}",
        calls.join("{"),
        "}".repeat(calls.len().saturating_sub(1))
    )
}

/// Sends one aliased request (`d0:… d1:…`) and returns the IDs in order.
async fn execute(
    client: &DynGraphQLClient,
    what: &str,
    fields: Vec<String>,
) -> Result<Vec<String>, String> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let body: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, field)| format!("d{i}:{field}"))
        .collect();
    let mut data = client
        .query(&format!("query{{{}}}", body.join(" ")))
        .await
        .map_err(|e| format!("the engine rejected {what}: {e}"))?
        .ok_or_else(|| format!("the engine answered {what} without data"))?;
    (0..fields.len())
        .map(|i| {
            let value = data
                .get_mut(format!("d{i}"))
                .map(serde_json::Value::take)
                .unwrap_or_default();
            take_leaf_string(value)
                .ok_or_else(|| format!("the engine answered {what} without an ID"))
        })
        .collect()
}

/// The registered ID of a type.
fn lookup(types: &BTreeMap<TypeKey, String>, key: TypeKey) -> Result<&str, String> {
    types
        .get(&key)
        .map(String::as_str)
        .ok_or_else(|| format!("internal error: type {key:?} was not registered"))
}
