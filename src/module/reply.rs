//! Ending a call: `returnValue` once on success; `error` + `returnError` on failure.

use dagger_sdk::core::graphql_client::DynGraphQLClient;
use serde_json::Value;

use crate::client::{string_literal, take_leaf_string};

/// `currentFunctionCall{returnValue(value: JSON)}`. The engine answers `null` (a `Void`), which
/// is success; only a GraphQL error is a failure.
pub async fn return_value(client: &DynGraphQLClient, value: &Value) -> Result<(), String> {
    let query = format!(
        "query{{currentFunctionCall{{returnValue(value:{})}}}}",
        string_literal(&value.to_string())
    );
    client
        .query(&query)
        .await
        .map(|_| ())
        .map_err(|e| format!("the engine did not accept the return value: {e}"))
}

/// `error(message){id}` then `currentFunctionCall{returnError(error: ID)}`. `message` must be
/// free of secrets (every error this crate builds is).
pub async fn return_error(client: &DynGraphQLClient, message: &str) -> Result<(), String> {
    let data = client
        .query(&format!(
            "query{{error(message:{}){{id}}}}",
            string_literal(message)
        ))
        .await
        .map_err(|e| format!("the engine did not create the error: {e}"))?
        .unwrap_or_default();
    let id = take_leaf_string(data).ok_or("the engine returned no error ID")?;
    client
        .query(&format!(
            "query{{currentFunctionCall{{returnError(error:{})}}}}",
            string_literal(&id)
        ))
        .await
        .map(|_| ())
        .map_err(|e| format!("the engine did not accept the error: {e}"))
}
