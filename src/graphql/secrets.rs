//! The documents that move secrets: reading many plaintexts in one aliased query (optionally
//! checking a container in the same request), storing the rendered config with `setSecret`, and
//! resolving an object's ID.

use dagger_sdk::core::gql_client::GraphQLErrorPathParam;
use dagger_sdk::core::graphql_client::GraphQLError;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{aliased, query, take_aliased, take_leaf_string};
use crate::core::render::RenderedConfig;

/// The alias prefix of the plaintext fields in a read.
const PLAINTEXT_PREFIX: &str = "s";
/// The alias of the container check in a read.
pub(crate) const CONTAINER_ALIAS: &str = "container";

/// `query{s0:<secret 0>{plaintext} … container:<container>{id}}` from the secrets' root fields
/// (already ending in `{plaintext}`) and the container's (ending in `{id}`).
pub(crate) fn read_plaintexts(secret_fields: &[String], container_field: Option<&str>) -> String {
    let container = container_field.map(|field| format!("{CONTAINER_ALIAS}:{field}"));
    query(aliased(PLAINTEXT_PREFIX, secret_fields.iter().map(String::as_str)).chain(container))
}

/// The plaintexts from the answer to [`read_plaintexts`], in order, or the index of the first
/// one missing.
pub(crate) fn parse_plaintexts(data: &mut Value, count: usize) -> Result<Vec<String>, usize> {
    take_aliased(data, PLAINTEXT_PREFIX, count)
        .into_iter()
        .enumerate()
        .map(|(index, text)| text.ok_or(index))
        .collect()
}

/// Whether the answer to [`read_plaintexts`] holds the checked container's ID (an ID that names
/// another kind of object answers an empty selection).
pub(crate) fn container_loaded(data: &mut Value) -> bool {
    data.get_mut(CONTAINER_ALIAS)
        .map(Value::take)
        .and_then(take_leaf_string)
        .is_some()
}

/// The alias (first path element) of the field a GraphQL error is about, if it says.
pub(crate) fn failed_alias(error: &GraphQLError) -> Option<&str> {
    let GraphQLError::DomainError { fields, .. } = error else {
        return None;
    };
    fields
        .iter()
        .find_map(|field| match field.path.as_deref()?.first()? {
            GraphQLErrorPathParam::String(alias) => Some(alias.as_str()),
            GraphQLErrorPathParam::Number(_) => None,
        })
}

/// `query{setSecret(name:…,plaintext:…){id}}` in a buffer that is wiped when dropped. `None` only
/// if serialization fails (it writes a string, so it does not).
pub(crate) fn set_secret(name: &str, config: &RenderedConfig) -> Option<Zeroizing<String>> {
    let name = super::string_literal(name);
    // A JSON string literal is a valid GraphQL string literal; escaping grows text at most
    // six-fold, so this capacity means the buffer never reallocates (no unwiped copies).
    let mut query = Zeroizing::new(Vec::with_capacity(64 + name.len() + 6 * config.len()));
    query.extend_from_slice(b"query{setSecret(name:");
    query.extend_from_slice(name.as_bytes());
    query.extend_from_slice(b",plaintext:");
    serde_json::to_writer(&mut *query, config.as_str()).ok()?;
    query.extend_from_slice(b"){id}}");
    match String::from_utf8(std::mem::take(&mut *query)) {
        Ok(text) => Some(Zeroizing::new(text)),
        Err(invalid) => {
            Zeroizing::new(invalid.into_bytes());
            None
        }
    }
}

/// The Secret's ID from the answer to [`set_secret`].
pub(crate) fn parse_set_secret(data: &Value) -> Option<String> {
    data.pointer("/setSecret/id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `query{<field>}` for a root field that ends in `{id}`; its answer is read with
/// [`take_leaf_string`].
pub(crate) fn resolve_id(id_field: &str) -> String {
    format!("query{{{id_field}}}")
}
