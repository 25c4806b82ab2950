//! The Dagger module protocol: what the `registry-config` binary does when the engine runs it.
//!
//! The engine starts the binary once per call with `DAGGER_SESSION_PORT`/`DAGGER_SESSION_TOKEN`
//! set. It reads the call in one request; an empty `parentName` means "register your API",
//! anything else is a function to run. It then answers with `returnValue` exactly once and exits
//! 0, or with `error` + `returnError` and exits 2. See `README.md` for the round-trip budget.

mod api;
mod args;
mod call;
mod dispatch;
mod register;
mod reply;
pub mod state;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;

use dagger_sdk::core::graphql_client::DynGraphQLClient;
use dagger_sdk::{Query, Selection};
use serde_json::Value;

pub use transport::{EngineClient, Session};

/// Exit code after a reported error (the Go SDK's convention).
const EXIT_RETURNED_ERROR: u8 = 2;
/// Exit code when the engine could not even be told about the failure.
const EXIT_FAILED: u8 = 1;

/// The binary's entry point.
pub fn main() -> ExitCode {
    let session = match Session::from_env() {
        Ok(session) => session,
        Err(message) => return fail(&message),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(serve(session))
}

/// Reads the call, runs it and reports the outcome to the engine.
async fn serve(session: Session) -> ExitCode {
    let client: DynGraphQLClient = match EngineClient::new(&session) {
        Ok(client) => Arc::new(client),
        Err(message) => return fail(&message),
    };
    let outcome = match call::read(&client).await {
        Ok(call) if call.parent_name.is_empty() => {
            register::register(&client).await.map(Value::String)
        }
        Ok(call) => {
            let dag = Query {
                proc: None,
                selection: Selection::default(),
                graphql_client: client.clone(),
            };
            dispatch::dispatch(&dag, &call).await
        }
        Err(message) => Err(message),
    };
    match outcome {
        Ok(value) => match reply::return_value(&client, &value).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(&message),
        },
        Err(message) => {
            eprintln!("registry-config: {message}");
            match reply::return_error(&client, &message).await {
                Ok(()) => ExitCode::from(EXIT_RETURNED_ERROR),
                Err(report_failure) => fail(&report_failure),
            }
        }
    }
}

/// Prints a failure the engine was not told about and returns the failing exit code.
fn fail(message: &str) -> ExitCode {
    eprintln!("registry-config: {message}");
    ExitCode::from(EXIT_FAILED)
}
