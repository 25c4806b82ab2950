//! An in-process **engine double** for testing Dagger module binaries without a Dagger engine.
//!
//! [`EngineDouble`] is a fake Dagger engine: an HTTP/1.1 GraphQL server on `127.0.0.1` that
//! checks the session token, validates every request against the real schema of every
//! supported engine version with `apollo-compiler`, and executes it against an object store
//! with real semantics (opaque random IDs, immutable objects, `setSecret` identity by name, type
//! definitions stored as data, container builds recorded step by step). Introspection is
//! answered from one version's schema, as an engine serves a module the API of the version it
//! declares. [`EngineDouble::run`] runs a module binary (or an SDK's entrypoint script) exactly
//! as the engine does: one process per call, talking to the double through
//! `DAGGER_SESSION_PORT` / `DAGGER_SESSION_TOKEN`.
//!
//! ```no_run
//! use engine_double::EngineDouble;
//! use serde_json::json;
//! # let binary = std::path::Path::new("target/debug/registry-config");
//! let engine = EngineDouble::start();
//! let (module, reg) = engine.register(binary);
//! assert_eq!(reg.rejected_requests, 0);
//! let token = engine.seed_secret("hunter2");
//! let out = engine.invoke(binary, &module, "RegistryConfig", "withRegistryAuth", json!({}),
//!     vec![("address", json!("ghcr.io")), ("username", json!("me")), ("secret", json!(token))]);
//! assert_eq!(out.exit_code, Some(0));
//! ```

#![warn(missing_docs)]

mod execution;
mod filesystem;
mod introspection;
mod runner;
mod server;
mod store;
mod typedefs;
mod validation;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;

pub use filesystem::{CacheMountRecord, CopiedFileRecord, DirectoryRecord, ExecRecord, FileRecord};
pub use runner::{Call, Outcome, DEFAULT_RUN_TIMEOUT};
pub use server::{Exchange, Fault, GARBAGE_BODY};
pub use store::{
    ContainerRecord, ErrorRecord, NewFileRecord, SecretMountRecord, SecretRecord, MAX_SECRET_BYTES,
};
pub use typedefs::{ArgDef, FieldDef, FunctionDef, ModuleDef, ObjectDef, TypeDef};
pub use validation::{
    oldest_version, schemas, schemas_dir, EngineSchema, SCHEMAS_ENV, VALIDATION_LOG_ENV,
};

use server::{lock, Shared};

/// A running fake Dagger engine plus its state. The server thread stops on drop.
pub struct EngineDouble {
    shared: Arc<Shared>,
    port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    run_lock: Mutex<()>,
    run_timeout: Mutex<Duration>,
}

impl EngineDouble {
    /// Loads the schemas (once per process), binds `127.0.0.1:0` and starts serving
    /// `POST /query` on a background thread.
    ///
    /// # Panics
    /// If a schema cannot be loaded or validated, or the port cannot be bound.
    pub fn start() -> Self {
        validation::schemas();
        let mut token_bytes = [0u8; 24];
        getrandom::fill(&mut token_bytes).expect("engine double: OS random generator failed");
        let shared = Arc::new(Shared {
            token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token_bytes),
            store: Mutex::default(),
            log: Mutex::default(),
            latency: Mutex::new(Duration::ZERO),
            fault: Mutex::new(None),
            report_label: Mutex::new(
                std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "unknown".to_owned()),
            ),
            introspected: Mutex::new(oldest_schema()),
        });
        let listener =
            TcpListener::bind("127.0.0.1:0").expect("engine double: cannot bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("engine double: cannot make the listener non-blocking");
        let port = listener
            .local_addr()
            .expect("engine double: listener has no address")
            .port();
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel();
        let server_state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("engine-double-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("engine double: cannot build the tokio runtime");
                runtime.block_on(server::serve(listener, server_state, shutdown_rx));
            })
            .expect("engine double: cannot spawn the server thread");
        Self {
            shared,
            port,
            shutdown: Some(shutdown),
            thread: Some(thread),
            run_lock: Mutex::new(()),
            run_timeout: Mutex::new(DEFAULT_RUN_TIMEOUT),
        }
    }

    /// The TCP port the double listens on (on `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The session token; clients must send `Authorization: Basic base64("<token>:")`.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// `http://127.0.0.1:<port>/query`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/query", self.port)
    }

    /// Creates a new Secret (as if from `secret(uri)`) and returns its ID.
    pub fn seed_secret(&self, plaintext: &str) -> String {
        lock(&self.shared.store).seed_secret(plaintext)
    }

    /// Makes `secret(uri: "env:<name>")` resolve to `plaintext`.
    pub fn seed_env_secret(&self, name: &str, plaintext: &str) {
        lock(&self.shared.store).seed_env_secret(name, plaintext);
    }

    /// Creates an empty Container and returns its ID.
    pub fn new_container(&self) -> String {
        lock(&self.shared.store).new_container()
    }

    /// Sleeps this long before answering each request (for benchmarks).
    pub fn set_latency(&self, per_request: Duration) {
        *lock(&self.shared.latency) = per_request;
    }

    /// Installs (or clears with `None`) a fault applied to every matching request.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.shared.fault) = fault;
    }

    /// Names the sender of the requests in the validation log ([`VALIDATION_LOG_ENV`]); by
    /// default the cargo package whose tests run the double.
    pub fn set_report_label(&self, label: &str) {
        *lock(&self.shared.report_label) = label.to_owned();
    }

    /// Answers introspection from the schema of `version` (a file name in [`schemas_dir`], e.g.
    /// `v1.0.0-beta.23`) instead of the oldest: the API a module declaring that version is
    /// served.
    ///
    /// # Panics
    /// If no loaded schema has that version.
    pub fn set_introspected_version(&self, version: &str) {
        let schema = schemas()
            .iter()
            .find(|schema| schema.version == version)
            .unwrap_or_else(|| panic!("engine double: no schema of engine {version} is loaded"));
        *lock(&self.shared.introspected) = schema;
    }

    /// Kill module processes that run longer than this (default [`DEFAULT_RUN_TIMEOUT`]).
    pub fn set_run_timeout(&self, timeout: Duration) {
        *lock(&self.run_timeout) = timeout;
    }

    /// Creates a `ModuleSource` (as the engine passes to an SDK's `moduleRuntime`) whose context
    /// directory holds `files` (relative paths) and whose module is at `subpath` in it; returns
    /// its ID.
    pub fn seed_module_source(
        &self,
        subpath: &str,
        files: impl IntoIterator<Item = String>,
    ) -> String {
        lock(&self.shared.store).seed_module_source(subpath, files)
    }

    /// Creates a `File` holding `contents`; returns its ID.
    pub fn seed_file(&self, contents: &str) -> String {
        lock(&self.shared.store).seed_file(contents)
    }

    /// The Secret behind an ID or alias; `None` if the ID is unknown or not a Secret.
    pub fn secret(&self, id: &str) -> Option<SecretRecord> {
        lock(&self.shared.store).secret(id)
    }

    /// The Container behind an ID or alias; `None` if unknown or not a Container.
    pub fn container(&self, id: &str) -> Option<ContainerRecord> {
        lock(&self.shared.store).container(id)
    }

    /// Every Secret the double holds (seeded, from `secret(uri)`, from `setSecret`), by
    /// canonical ID, in creation order.
    pub fn secrets(&self) -> Vec<(String, SecretRecord)> {
        lock(&self.shared.store).secrets()
    }

    /// Every Container the double holds (each step of a chain is one), by canonical ID, in
    /// creation order.
    pub fn containers(&self) -> Vec<(String, ContainerRecord)> {
        lock(&self.shared.store).containers()
    }

    /// Every File the double holds (seeded by the test, from `Query.file`, from
    /// `Container.file`), by canonical ID, in creation order.
    pub fn files(&self) -> Vec<(String, FileRecord)> {
        lock(&self.shared.store).files()
    }

    /// Every Directory the double holds, by canonical ID, in creation order.
    pub fn directories(&self) -> Vec<(String, DirectoryRecord)> {
        lock(&self.shared.store).directories()
    }

    /// `setSecret` names whose plaintext was overwritten with different content, in order.
    pub fn secret_swaps(&self) -> Vec<String> {
        lock(&self.shared.store).swaps()
    }

    /// The Module behind an ID or alias, as stored data.
    pub fn module(&self, module_id: &str) -> Option<ModuleDef> {
        lock(&self.shared.store).module(module_id)
    }

    /// Deterministic golden text of a module (see [`ModuleDef::describe`]).
    ///
    /// # Panics
    /// If `module_id` is not a Module ID.
    pub fn describe_module(&self, module_id: &str) -> String {
        self.module(module_id)
            .unwrap_or_else(|| panic!("engine double: {module_id:?} is not a Module ID"))
            .describe()
    }

    /// A function of a module object (`function == ""` for the constructor).
    pub fn module_function(
        &self,
        module_id: &str,
        object: &str,
        function: &str,
    ) -> Option<FunctionDef> {
        typedefs::find_function(&self.module(module_id)?, object, function)
    }

    /// Forgets all logged exchanges.
    pub fn reset_log(&self) {
        lock(&self.shared.log).clear();
    }

    /// Every request received (since the last [`EngineDouble::reset_log`]) with its answer.
    pub fn log(&self) -> Vec<Exchange> {
        lock(&self.shared.log).clone()
    }
}

/// The oldest loaded schema: what a module declaring the oldest proven engine is served.
fn oldest_schema() -> &'static EngineSchema {
    schemas()
        .first()
        .expect("engine double: at least one schema is loaded")
}

impl Drop for EngineDouble {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
