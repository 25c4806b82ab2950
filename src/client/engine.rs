//! The library's requests to the engine, sent through the `dagger-sdk` crate's public GraphQL
//! client with the documents of [`crate::graphql::secrets`]: all plaintexts in ONE aliased query
//! (for any real config),
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

/// The most secrets read in one request. Any config a pipeline really has is read in one
/// request (`secret()` stays at 4 round trips up to this many registries); a state with more,
/// which can only be tampered or far over the size limit, is read in requests of this size and
/// given up on as soon as what was read is more than any config can hold, so the engine never
/// builds an answer of many hundred megabytes for it.
pub(crate) const MAX_SECRETS_PER_READ: usize = 1024;

/// More plaintext than this in total is more than any config within the engine's 128,000-byte
/// limit can use (its own secrets, plus at most 32 imported files).
pub(crate) const MAX_PLAINTEXT_BYTES: usize = 16 * 1024 * 1024;

/// The action named in read errors.
const ACTION: &str = "reading the secrets";

/// Reads every secret's plaintext, in one request for up to [`MAX_SECRETS_PER_READ`] distinct
/// secrets. A secret listed more than once (the same selection) is asked for once and shared.
/// With a `container`, the first request also loads that container's ID, so a container the
/// engine does not know fails the call before any plaintext reaches this process and before
/// anything is stored. No request when there is nothing to do.
pub(crate) async fn read_plaintexts(
    client: &DynGraphQLClient,
    secrets: &[&Secret],
    container: Option<&Selection>,
) -> Result<Vec<Plaintext>, ReadFailure> {
    if secrets.is_empty() && container.is_none() {
        return Ok(Vec::new());
    }
    let built = |detail| EngineProblem::new(ACTION, detail);
    let (fields, order) = distinct_fields(secrets).await.map_err(built)?;
    let mut container_field = match container {
        Some(container) => Some(root_field(&container.select("id")).await.map_err(built)?),
        None => None,
    };
    let mut distinct: Vec<Plaintext> = Vec::with_capacity(fields.len());
    let mut total = 0usize;
    let mut chunks = fields.chunks(MAX_SECRETS_PER_READ).peekable();
    while chunks.peek().is_some() || container_field.is_some() {
        let chunk = chunks.next().unwrap_or_default();
        let read = read_chunk(client, chunk, container_field.take()).await?;
        total = read
            .iter()
            .fold(total, |sum, text| sum + text.expose().len());
        if total > MAX_PLAINTEXT_BYTES {
            return Err(EngineProblem::new(
                ACTION,
                "the secrets hold more than 16 MiB, more than any config within the secret size limit can use",
            )
            .into());
        }
        distinct.extend(read);
    }
    order
        .into_iter()
        .map(|index| distinct.get(index).cloned())
        .collect::<Option<Vec<Plaintext>>>()
        .ok_or_else(|| {
            EngineProblem::new(ACTION, "internal error: a secret was not asked for").into()
        })
}

/// One read request: the plaintexts of `fields`, and the container check if given.
async fn read_chunk(
    client: &DynGraphQLClient,
    fields: &[String],
    container_field: Option<String>,
) -> Result<Vec<Plaintext>, ReadFailure> {
    let query = secrets::read_plaintexts(fields, container_field.as_deref());
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
    if container_field.is_some() && !secrets::container_loaded(&mut data) {
        return Err(ReadFailure::Container(EngineProblem::new(
            "loading the container",
            "the ID does not name a Container",
        )));
    }
    let texts = secrets::parse_plaintexts(&mut data, fields.len()).map_err(|index| {
        EngineProblem::new(
            ACTION,
            format!("secret #{index} has no plaintext (is it a Secret?)"),
        )
    })?;
    Ok(texts.into_iter().map(Plaintext::new).collect())
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

/// Reads a File's contents (the CA certificates `verify` trusts; not a secret) with one
/// request.
pub(crate) async fn read_file(
    client: &DynGraphQLClient,
    file: &dagger_sdk::File,
) -> Result<String, EngineProblem> {
    const ACTION: &str = "reading the caCertificates file";
    let field = root_field(&file.selection.select("contents"))
        .await
        .map_err(|detail| EngineProblem::new(ACTION, detail))?;
    let data = client
        .query(&crate::graphql::query([field]))
        .await
        .map_err(|e| EngineProblem::new(ACTION, e))?
        .ok_or_else(|| EngineProblem::new(ACTION, "the answer had no data"))?;
    take_leaf_string(data)
        .ok_or_else(|| EngineProblem::new(ACTION, "the answer had no file contents"))
}
