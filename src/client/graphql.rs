//! The few raw GraphQL requests the library makes itself, through the `dagger-sdk` crate's public
//! GraphQL client: reading many plaintexts in ONE aliased query, storing the rendered config with
//! `setSecret`, and resolving an ID. Going raw (instead of the crate's per-field getters) is what
//! keeps `secret()` at a constant number of round trips, keeps plaintext in wiped buffers, and
//! avoids the crate's `unwrap`s on unexpected answers.

use std::collections::HashMap;

use dagger_sdk::core::gql_client::GraphQLErrorPathParam;
use dagger_sdk::core::graphql_client::{DynGraphQLClient, GraphQLError};
use dagger_sdk::{Id, Secret, Selection};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::core::plaintext::Plaintext;
use crate::core::render::RenderedConfig;
use crate::error::EngineProblem;

/// Why [`read_plaintexts`] failed.
pub(crate) enum ReadFailure {
    /// The engine refused or failed the read.
    Engine(EngineProblem),
    /// The engine cannot load the container that was checked along with the read.
    Container(EngineProblem),
}

impl From<EngineProblem> for ReadFailure {
    fn from(problem: EngineProblem) -> Self {
        ReadFailure::Engine(problem)
    }
}

/// The alias of the container check in the read request.
const CONTAINER_ALIAS: &str = "container";

/// Reads every secret's plaintext with one request: `query{s0:<secret 0>{plaintext} s1:…}`.
/// A secret listed more than once (the same selection) is asked for once and shared. With a
/// `container`, the same request also loads that container's ID, so a container the engine does
/// not know fails the call before any plaintext reaches this process and before anything is
/// stored. No request is made when there is nothing to read or check.
pub(crate) async fn read_plaintexts(
    client: &DynGraphQLClient,
    secrets: &[&Secret],
    container: Option<&Selection>,
) -> Result<Vec<Plaintext>, ReadFailure> {
    const ACTION: &str = "reading the secrets";
    if secrets.is_empty() && container.is_none() {
        return Ok(Vec::new());
    }
    let mut aliases: HashMap<String, usize> = HashMap::with_capacity(secrets.len());
    let mut order = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let field = root_field(&secret.selection.select("plaintext"))
            .await
            .map_err(|detail| EngineProblem::new(ACTION, detail))?;
        let next = aliases.len();
        order.push(*aliases.entry(field).or_insert(next));
    }
    let mut fields: Vec<(usize, String)> = aliases.into_iter().map(|(f, i)| (i, f)).collect();
    fields.sort_unstable();
    let mut body: Vec<String> = fields
        .iter()
        .map(|(index, field)| format!("s{index}:{field}"))
        .collect();
    if let Some(container) = container {
        let field = root_field(&container.select("id"))
            .await
            .map_err(|detail| EngineProblem::new(ACTION, detail))?;
        body.push(format!("{CONTAINER_ALIAS}:{field}"));
    }
    let query = format!("query{{{}}}", body.join(" "));
    let mut data = client
        .query(&query)
        .await
        .map_err(|error| match failed_alias(&error) {
            Some(CONTAINER_ALIAS) => {
                ReadFailure::Container(EngineProblem::new("loading the container", &error))
            }
            _ => ReadFailure::Engine(EngineProblem::new(ACTION, &error)),
        })?
        .ok_or_else(|| EngineProblem::new(ACTION, "the answer had no data"))?;

    if container.is_some() {
        let loaded = data.get_mut(CONTAINER_ALIAS).map(Value::take);
        if loaded.and_then(take_leaf_string).is_none() {
            return Err(ReadFailure::Container(EngineProblem::new(
                "loading the container",
                "the ID does not name a Container",
            )));
        }
    }
    let mut distinct = Vec::with_capacity(fields.len());
    for (index, _) in &fields {
        let alias = format!("s{index}");
        let value = data.get_mut(&alias).map(Value::take).unwrap_or(Value::Null);
        let text = take_leaf_string(value).ok_or_else(|| {
            ReadFailure::Engine(EngineProblem::new(
                ACTION,
                format!("secret #{index} has no plaintext (is it a Secret?)"),
            ))
        })?;
        distinct.push(Plaintext::new(text));
    }
    order
        .into_iter()
        .map(|index| distinct.get(index).cloned())
        .collect::<Option<Vec<Plaintext>>>()
        .ok_or_else(|| {
            EngineProblem::new(ACTION, "internal error: a secret was not asked for").into()
        })
}

/// The alias (first path element) of the field a GraphQL error is about, if it says.
fn failed_alias(error: &GraphQLError) -> Option<&str> {
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

/// `setSecret(name, plaintext){id}`. The query text holding the config lives in a wiped buffer,
/// and the engine's message is withheld on failure because it could quote the plaintext.
pub(crate) async fn set_secret(
    client: &DynGraphQLClient,
    name: &str,
    config: &RenderedConfig,
) -> Result<Id, EngineProblem> {
    const ACTION: &str = "storing the rendered config with setSecret";
    let name = string_literal(name);
    // A JSON string literal is a valid GraphQL string literal; escaping grows text at most
    // six-fold, so this capacity means the buffer never reallocates (no unwiped copies).
    let mut query = Zeroizing::new(Vec::with_capacity(64 + name.len() + 6 * config.len()));
    query.extend_from_slice(b"query{setSecret(name:");
    query.extend_from_slice(name.as_bytes());
    query.extend_from_slice(b",plaintext:");
    serde_json::to_writer(&mut *query, config.as_str())
        .map_err(|_| EngineProblem::withheld(ACTION))?;
    query.extend_from_slice(b"){id}}");
    let query = std::str::from_utf8(&query).map_err(|_| EngineProblem::withheld(ACTION))?;
    let data = client
        .query(query)
        .await
        .map_err(|_| EngineProblem::withheld(ACTION))?
        .ok_or_else(|| EngineProblem::withheld(ACTION))?;
    data.pointer("/setSecret/id")
        .and_then(Value::as_str)
        .map(|id| Id(id.to_owned()))
        .ok_or_else(|| EngineProblem::new(ACTION, "the answer had no secret ID"))
}

/// Executes `<selection>{id}` and returns the ID (used to materialize a container change).
pub(crate) async fn resolve_id(
    client: &DynGraphQLClient,
    selection: &Selection,
    action: &'static str,
) -> Result<Id, EngineProblem> {
    let field = root_field(&selection.select("id"))
        .await
        .map_err(|detail| EngineProblem::new(action, detail))?;
    let data = client
        .query(&format!("query{{{field}}}"))
        .await
        .map_err(|e| EngineProblem::new(action, e))?
        .ok_or_else(|| EngineProblem::new(action, "the answer had no data"))?;
    take_leaf_string(data)
        .map(Id)
        .ok_or_else(|| EngineProblem::new(action, "the answer had no ID"))
}

/// A GraphQL string literal for `text` (JSON string syntax is valid GraphQL string syntax).
pub(crate) fn string_literal(text: &str) -> String {
    Value::from(text).to_string()
}

/// The crate renders a selection as `query{a(..){b{c}}}`; this returns `a(..){b{c}}` so several
/// selections can be aliased into one document.
async fn root_field(selection: &Selection) -> Result<String, String> {
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
