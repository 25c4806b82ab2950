//! Running the real `registry-config` binary through the engine double, as the engine does, with
//! a leak scan of everything each call exchanged.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine as _;
use engine_double::{EngineDouble, Outcome};
use serde_json::{json, Value};

/// The compiled module binary under test: cargo builds it next to the test executables'
/// directory (`target/<profile>/registry-config` beside `target/<profile>/deps/`) before it runs
/// the package's integration tests.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let test = std::env::current_exe().expect("the test executable's path");
        let profile_dir = test
            .parent()
            .and_then(Path::parent)
            .expect("a test executable under target/<profile>/deps");
        let binary = profile_dir.join("registry-config");
        assert!(
            binary.is_file(),
            "module binary not built at {}",
            binary.display()
        );
        binary
    })
}

/// An engine double with the module registered, plus the secrets whose leaks are scanned for.
pub struct Module {
    /// The fake engine.
    pub engine: EngineDouble,
    /// The registered module's ID.
    pub id: String,
    sentinels: Vec<String>,
}

impl Module {
    /// Starts a double and registers the module (asserting a clean registration).
    pub fn register() -> Self {
        let engine = EngineDouble::start();
        let (id, outcome) = engine.register(binary());
        assert_eq!(
            outcome.exit_code,
            Some(0),
            "registration failed: {outcome:#?}"
        );
        assert_eq!(outcome.rejected_requests, 0, "{:#?}", outcome.exchanges);
        Self {
            engine,
            id,
            sentinels: Vec::new(),
        }
    }

    /// Seeds a secret and adds it (and its derived forms with `username`) to the leak scan.
    pub fn secret(&mut self, username: &str, plaintext: &str) -> String {
        self.watch(username, plaintext);
        self.engine.seed_secret(plaintext)
    }

    /// Seeds an imported config.json; its `auth` values and passwords are scanned for.
    pub fn config_secret(&mut self, content: &str, credentials: &[(&str, &str)]) -> String {
        for (user, password) in credentials {
            self.watch(user, password);
        }
        self.engine.seed_secret(content)
    }

    /// Adds `password`, `user:password` and their base64 forms to the leak scan.
    pub fn watch(&mut self, username: &str, password: &str) {
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let joined = format!("{username}:{password}");
        self.sentinels
            .extend([password.to_owned(), b64(password), b64(&joined), joined]);
    }

    /// `withRegistryAuth(address, user, <a new secret holding password>)` on `state`, which must
    /// succeed; the password is added to the leak scan. Returns the new state.
    pub fn with_auth(&mut self, state: &Value, address: &str, user: &str, password: &str) -> Value {
        let secret = self.secret(user, password);
        self.ok(
            "withRegistryAuth",
            state,
            vec![
                ("address", json!(address)),
                ("username", json!(user)),
                ("secret", json!(secret)),
            ],
        )
    }

    /// Invokes `object.function` like the engine (defaults injected) and scans for leaks.
    pub fn call(
        &self,
        object: &str,
        function: &str,
        parent: Value,
        args: Vec<(&str, Value)>,
    ) -> Outcome {
        let outcome = self
            .engine
            .invoke(binary(), &self.id, object, function, parent, args);
        assert_eq!(
            outcome.rejected_requests, 0,
            "schema-invalid request: {:#?}",
            outcome.exchanges
        );
        self.assert_no_leak(&outcome);
        outcome
    }

    /// A call on `RegistryConfig` that must succeed; returns its return value.
    pub fn ok(&self, function: &str, parent: &Value, args: Vec<(&str, Value)>) -> Value {
        self.ok_on("RegistryConfig", function, parent, args)
    }

    /// A call on `object` that must succeed; returns its return value.
    pub fn ok_on(
        &self,
        object: &str,
        function: &str,
        parent: &Value,
        args: Vec<(&str, Value)>,
    ) -> Value {
        let outcome = self.call(object, function, parent.clone(), args);
        assert_eq!(
            outcome.exit_code,
            Some(0),
            "{object}.{function} failed: {}",
            outcome.stderr
        );
        assert!(outcome.return_error.is_none());
        outcome.return_value.clone().expect("a return value")
    }

    /// A call on `RegistryConfig` that must fail the documented way (returned Error, exit 2);
    /// returns the error message.
    pub fn err(&self, function: &str, parent: &Value, args: Vec<(&str, Value)>) -> String {
        self.err_on("RegistryConfig", function, parent, args)
    }

    /// A call on `object` that must fail the documented way; returns the message.
    pub fn err_on(
        &self,
        object: &str,
        function: &str,
        parent: &Value,
        args: Vec<(&str, Value)>,
    ) -> String {
        let outcome = self.call(object, function, parent.clone(), args);
        assert_returned_error(&outcome)
    }

    /// The plaintext reads the engine received since its log was last reset (queries that read
    /// `plaintext` and are not the `setSecret` that stores the rendered config).
    pub fn plaintext_reads(&self) -> Vec<String> {
        self.engine
            .log()
            .into_iter()
            .filter_map(|exchange| exchange.query)
            .filter(|query| query.contains("plaintext") && !query.contains("setSecret"))
            .collect()
    }

    /// Whether `setSecret` was called since the engine's log was last reset.
    pub fn stored_a_secret(&self) -> bool {
        self.engine.log().iter().any(|exchange| {
            exchange
                .query
                .as_deref()
                .is_some_and(|q| q.contains("setSecret"))
        })
    }

    /// Asserts that no watched secret appears anywhere it must not.
    pub fn assert_no_leak(&self, outcome: &Outcome) {
        assert_no_leak(&self.engine, outcome, &self.sentinels);
    }

    /// The plaintext and name of a Secret the module returned.
    pub fn rendered(&self, secret_id: &Value) -> (String, String) {
        let id = secret_id.as_str().expect("a Secret ID string");
        let record = self.engine.secret(id).expect("a known secret");
        (record.name, record.plaintext)
    }
}

/// Asserts exit code 2 with a returned Error and no return value; returns the message.
pub fn assert_returned_error(outcome: &Outcome) -> String {
    assert_eq!(outcome.exit_code, Some(2), "expected exit 2: {outcome:#?}");
    assert!(
        outcome.return_value.is_none(),
        "an error must not also return a value"
    );
    let error = outcome.return_error.as_ref().expect("a returned Error");
    assert!(!error.message.is_empty());
    error.message.clone()
}

/// The leak scan: every request except the `setSecret` plaintext argument, every response except
/// answers to plaintext reads, stdout, stderr, returned values and errors, and every container
/// the double knows about must be free of the sentinels.
pub fn assert_no_leak(engine: &EngineDouble, outcome: &Outcome, sentinels: &[String]) {
    let mut places: Vec<(String, String)> = Vec::new();
    for (i, exchange) in outcome.exchanges.iter().enumerate() {
        places.push((
            format!("request #{i}"),
            without_set_secret_plaintext(&exchange.request),
        ));
        let reads_plaintext = exchange
            .query
            .as_deref()
            .is_some_and(|q| q.contains("plaintext"))
            && !exchange
                .query
                .as_deref()
                .is_some_and(|q| q.contains("setSecret"));
        if !reads_plaintext {
            places.push((format!("response #{i}"), exchange.response.clone()));
        }
    }
    places.push(("stdout".into(), outcome.stdout.clone()));
    places.push(("stderr".into(), outcome.stderr.clone()));
    places.push((
        "return value".into(),
        json!(outcome.return_value).to_string(),
    ));
    if let Some(error) = &outcome.return_error {
        places.push(("returned error".into(), format!("{error:?}")));
    }
    if let Some(Value::String(id)) = &outcome.return_value {
        if let Some(container) = engine.container(id) {
            places.push((
                "container".into(),
                format!(
                    "{:?} {:?} {:?}",
                    container.env, container.files, container.mounts
                ),
            ));
            for file in container.files.values() {
                places.push(("withNewFile".into(), file.contents.clone()));
            }
        }
        if let Some(secret) = engine.secret(id) {
            places.push(("secret name".into(), secret.name.clone()));
        }
    }
    for (place, text) in &places {
        for sentinel in sentinels.iter().filter(|s| s.len() >= 6) {
            assert!(
                !text.contains(sentinel.as_str()),
                "secret {sentinel:?} leaked into the {place}: {text}"
            );
        }
    }
}

/// A request body with the `plaintext:"…"` argument of `setSecret` cut out (that argument is the
/// one place the rendered config must go).
fn without_set_secret_plaintext(request: &str) -> String {
    let Ok(body) = serde_json::from_str::<Value>(request) else {
        return request.to_owned();
    };
    let Some(query) = body["query"].as_str() else {
        return request.to_owned();
    };
    let Some(start) = query
        .find("setSecret(")
        .and_then(|at| query[at..].find("plaintext:\"").map(|p| at + p))
    else {
        return request.to_owned();
    };
    let literal_start = start + "plaintext:".len();
    let mut end = literal_start + 1;
    let bytes = query.as_bytes();
    while end < bytes.len() {
        match bytes[end] {
            b'\\' => end += 2,
            b'"' => break,
            _ => end += 1,
        }
    }
    format!(
        "{}{}",
        &query[..literal_start],
        &query[(end + 1).min(query.len())..]
    )
}

/// `{"steps":[…]}` of a state value, for assertions.
pub fn steps(state: &Value) -> &Vec<Value> {
    state["steps"]
        .as_array()
        .expect("RegistryConfig state has steps")
}
