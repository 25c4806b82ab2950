//! The library's requests to the engine, sent through the `dagger-sdk` crate's public GraphQL
//! client with the documents of [`crate::graphql::secrets`]: all plaintexts in ONE aliased query,
//! the rendered config with one `setSecret`, and an object's ID. Going raw (instead of the
//! crate's per-field getters) keeps `secret()` at a constant number of round trips, keeps
//! plaintext in wiped buffers, and avoids the crate's `unwrap`s on unexpected answers.

use std::collections::HashMap;

use dagger_sdk::core::graphql_client::DynGraphQLClient;
use dagger_sdk::{Id, Secret, Selection};

use crate::core::plaintext::Plaintext;
use crate::core::render::RenderedConfig;
use crate::error::EngineProblem;
use crate::graphql::{root_field, secrets, take_leaf_string};

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

/// Reads every secret's plaintext with one request. A secret listed more than once (the same
/// selection) is asked for once and shared. With a `container`, the same request loads that
/// container's ID, so a container the engine does not know fails the call before any plaintext
/// reaches this process and before anything is stored. No request when there is nothing to do.
pub(crate) async fn read_plaintexts(
    client: &DynGraphQLClient,
    secrets: &[&Secret],
    container: Option<&Selection>,
) -> Result<Vec<Plaintext>, ReadFailure> {
    const ACTION: &str = "reading the secrets";
    if secrets.is_empty() && container.is_none() {
        return Ok(Vec::new());
    }
    let built = |detail| EngineProblem::new(ACTION, detail);
    let (fields, order) = distinct_fields(secrets).await.map_err(built)?;
    let container_field = match container {
        Some(container) => Some(root_field(&container.select("id")).await.map_err(built)?),
        None => None,
    };
    let query = secrets::read_plaintexts(&fields, container_field.as_deref());
    let mut data = client
        .query(&query)
        .await
        .map_err(|error| match secrets::failed_alias(&error) {
            Some(secrets::CONTAINER_ALIAS) => {
                ReadFailure::Container(EngineProblem::new("loading the container", &error))
            }
            _ => ReadFailure::Engine(EngineProblem::new(ACTION, &error)),
        })?
        .ok_or_else(|| EngineProblem::new(ACTION, "the answer had no data"))?;
    if container.is_some() && !secrets::container_loaded(&mut data) {
        return Err(ReadFailure::Container(EngineProblem::new(
            "loading the container",
            "the ID does not name a Container",
        )));
    }
    let distinct: Vec<Plaintext> = secrets::parse_plaintexts(&mut data, fields.len())
        .map_err(|index| {
            EngineProblem::new(
                ACTION,
                format!("secret #{index} has no plaintext (is it a Secret?)"),
            )
        })?
        .into_iter()
        .map(Plaintext::new)
        .collect();
    order
        .into_iter()
        .map(|index| distinct.get(index).cloned())
        .collect::<Option<Vec<Plaintext>>>()
        .ok_or_else(|| {
            EngineProblem::new(ACTION, "internal error: a secret was not asked for").into()
        })
}

/// The distinct `<secret>{plaintext}` root fields, and for each secret the index of its field.
async fn distinct_fields(secrets: &[&Secret]) -> Result<(Vec<String>, Vec<usize>), String> {
    let mut index_of: HashMap<String, usize> = HashMap::with_capacity(secrets.len());
    let mut fields = Vec::with_capacity(secrets.len());
    let mut order = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let field = root_field(&secret.selection.select("plaintext")).await?;
        let index = *index_of.entry(field.clone()).or_insert_with(|| {
            fields.push(field);
            fields.len() - 1
        });
        order.push(index);
    }
    Ok((fields, order))
}

/// Stores the rendered config with `setSecret`. The query text holding it lives in a wiped
/// buffer, and the engine's message is withheld on failure because it could quote the plaintext.
pub(crate) async fn set_secret(
    client: &DynGraphQLClient,
    name: &str,
    config: &RenderedConfig,
) -> Result<Id, EngineProblem> {
    const ACTION: &str = "storing the rendered config with setSecret";
    let query = secrets::set_secret(name, config).ok_or(EngineProblem::withheld(ACTION))?;
    let data = client
        .query(&query)
        .await
        .map_err(|_| EngineProblem::withheld(ACTION))?
        .ok_or_else(|| EngineProblem::withheld(ACTION))?;
    secrets::parse_set_secret(&data)
        .map(Id)
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
        .query(&secrets::resolve_id(&field))
        .await
        .map_err(|e| EngineProblem::new(action, e))?
        .ok_or_else(|| EngineProblem::new(action, "the answer had no data"))?;
    take_leaf_string(data)
        .map(Id)
        .ok_or_else(|| EngineProblem::new(action, "the answer had no ID"))
}
