//! The Dagger module protocol: what the `registry-config` binary does when the engine runs it.
//!
//! The engine starts the binary once per call with `DAGGER_SESSION_PORT`/`DAGGER_SESSION_TOKEN`
//! set. It reads the call in one request; an empty `parentName` means "register your API",
//! anything else is a function to run. It then answers with `returnValue` exactly once and exits
//! 0, or with `error` + `returnError` and exits 2. See `README.md` for the round-trip budget and
//! for adding a function.

mod args;
mod declaration;
pub mod error;
mod functions;
mod register;
pub mod state;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;

use dagger_sdk::core::graphql_client::DynGraphQLClient;
use dagger_sdk::{Query, Selection};
use serde_json::Value;

use crate::graphql::call::{self, FunctionCall};
use crate::names::Function;
use args::Args;
use declaration::Invocation;
use error::ModuleError;
pub use transport::{EngineClient, Session, MAX_RESPONSE_BYTES};

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
    match run(&client).await {
        Ok(value) => match return_value(&client, &value).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(&message),
        },
        Err(error) => {
            let message = error.to_string();
            eprintln!("registry-config: {message}");
            match return_error(&client, &message).await {
                Ok(()) => ExitCode::from(EXIT_RETURNED_ERROR),
                Err(report_failure) => fail(&report_failure),
            }
        }
    }
}

/// Reads the call and registers the API or runs the function.
async fn run(client: &DynGraphQLClient) -> Result<Value, ModuleError> {
    let call = read_call(client).await?;
    if call.parent_name.is_empty() {
        return register::register(client)
            .await
            .map(Value::String)
            .map_err(ModuleError::Registration);
    }
    let dag = Query {
        proc: None,
        selection: Selection::default(),
        graphql_client: client.clone(),
    };
    dispatch(&dag, &call).await
}

/// Runs one function of the API through its declaration's handler.
async fn dispatch(dag: &Query, call: &FunctionCall) -> Result<Value, ModuleError> {
    let function = Function::find(&call.parent_name, &call.name).ok_or_else(|| {
        ModuleError::UnknownFunction {
            object: call.parent_name.clone(),
            name: call.name.clone(),
        }
    })?;
    let declaration = functions::declaration(function);
    let parent = state::parse_state(function, call.parent.as_deref())?;
    let values = args::decode_values(declaration, &call.args)?;
    let invocation = Invocation {
        dag,
        parent: &parent,
        args: Args::new(declaration, &values),
    };
    (declaration.handler)(invocation).await
}

/// Fetches and decodes the call with the one envelope query.
async fn read_call(client: &DynGraphQLClient) -> Result<FunctionCall, ModuleError> {
    let data = client
        .query(call::ENVELOPE)
        .await
        .map_err(|e| ModuleError::Envelope(e.to_string()))?
        .ok_or_else(|| ModuleError::Envelope("the answer had no data".to_owned()))?;
    call::parse_envelope(data).map_err(ModuleError::Envelope)
}

/// `returnValue` once. The engine answers `null` (a `Void`), which is success.
async fn return_value(client: &DynGraphQLClient, value: &Value) -> Result<(), String> {
    client
        .query(&call::return_value(value))
        .await
        .map(|_| ())
        .map_err(|e| format!("the engine did not accept the return value: {e}"))
}

/// `error(message)` then `returnError`. `message` is free of secrets (every error this crate
/// builds is).
async fn return_error(client: &DynGraphQLClient, message: &str) -> Result<(), String> {
    let data = client
        .query(&call::create_error(message))
        .await
        .map_err(|e| format!("the engine did not create the error: {e}"))?
        .unwrap_or_default();
    let id = call::parse_error_id(data).ok_or("the engine returned no error ID")?;
    client
        .query(&call::return_error(&id))
        .await
        .map(|_| ())
        .map_err(|e| format!("the engine did not accept the error: {e}"))
}

/// Prints a failure the engine was not told about and returns the failing exit code.
fn fail(message: &str) -> ExitCode {
    eprintln!("registry-config: {message}");
    ExitCode::from(EXIT_FAILED)
}
