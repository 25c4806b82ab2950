//! Running the real `registry-config` binary through the engine double, as the engine does, with
//! a leak scan of everything each call exchanged.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use engine_double::{
    CacheMountRecord, ContainerRecord, CopiedFileRecord, DirectoryRecord, EngineDouble, Exchange,
    ExecRecord, FileRecord, NewFileRecord, Outcome, SecretMountRecord, SecretRecord,
};
use serde_json::{json, Value};

use crate::leak::{Finding, Scanner};

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
    /// The scanner for `sentinels`, built when first needed after they change.
    scanner: OnceCell<Scanner>,
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
            scanner: OnceCell::new(),
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

    /// Adds `password` and `user:password` to the leak scan, which finds them in every form
    /// (see [`crate::leak`]); `user:password` names the `auth` form when that is what leaked.
    /// A blank password is no secret (the module refuses it) and is not watched.
    pub fn watch(&mut self, username: &str, password: &str) {
        if password.trim().is_empty() {
            return;
        }
        self.sentinels
            .extend([password.to_owned(), format!("{username}:{password}")]);
        self.scanner.take();
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
        self.call_with_env(object, function, parent, args, &[])
    }

    /// Like [`Module::call`], with `env` added to the module process's environment (the proxy
    /// variables a container may set, say).
    pub fn call_with_env(
        &self,
        object: &str,
        function: &str,
        parent: Value,
        args: Vec<(&str, Value)>,
        env: &[(&str, &str)],
    ) -> Outcome {
        let outcome =
            self.engine
                .invoke_with_env(binary(), &self.id, object, function, parent, args, env);
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
        report(&call_leaks(&self.engine, outcome, self.scanner()));
    }

    fn scanner(&self) -> &Scanner {
        self.scanner
            .get_or_init(|| Scanner::new(self.sentinels.iter().map(String::as_str)))
    }

    /// Asserts that no watched secret appears in any exchange the double logged since it
    /// started (or its log was last reset) nor anywhere in its store ([`session_leaks`]).
    pub fn assert_session_clean(&self) {
        report(&session_leaks(&self.engine, self.scanner()));
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

/// A watched secret found somewhere it must not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// Where: `request #2`, `response #0`, `stderr`, `return value`, `returned error`,
    /// `container <id>`, `secret <id> name`, …
    pub place: String,
    /// The secret and the decodings that revealed it.
    pub finding: Finding,
}

/// Every leak of the scanner's secrets in what one module call left: its requests (all but the
/// plaintext argument of `setSecret`), the answers to them (all but the `plaintext` fields of
/// answers to plaintext reads), stdout, stderr, the files it left in its working directory
/// (also its `TMPDIR`), the returned value or error, and everything the double holds
/// ([`store_leaks`]). One leak per place at most.
pub fn call_leaks(engine: &EngineDouble, outcome: &Outcome, scanner: &Scanner) -> Vec<Leak> {
    let mut places = Places::new(scanner);
    places.exchanges(&outcome.exchanges);
    places.text("stdout", outcome.stdout.as_bytes());
    places.text("stderr", outcome.stderr.as_bytes());
    for (path, contents) in &outcome.files_written {
        let place = format!("file {} written", path.display());
        places.text(&place, path.to_string_lossy().as_bytes());
        places.text(&place, contents);
    }
    if let Some(value) = &outcome.return_value {
        places.json("return value", value);
    }
    if let Some(error) = &outcome.return_error {
        places.text("returned error", error.message.as_bytes());
        for (name, value) in &error.values {
            places.text("returned error", name.as_bytes());
            places.json("returned error", value);
        }
    }
    places.store(engine);
    places.leaks
}

/// Every leak of the scanner's secrets in a session driven from the test itself (the Rust library): every
/// exchange in the double's log, as [`call_leaks`] scans them, and [`store_leaks`].
pub fn session_leaks(engine: &EngineDouble, scanner: &Scanner) -> Vec<Leak> {
    let mut places = Places::new(scanner);
    places.exchanges(&engine.log());
    places.store(engine);
    places.leaks
}

/// Every leak in what the double holds, each text field raw: every container (image address,
/// env names and values, secret variable names, mount paths and owners, `withNewFile` paths,
/// contents and owners, cache paths and keys, mounted directories and their entries, workdir,
/// each exec's arguments, workdir and env, `withFile` paths, owners and sources, entrypoint and
/// default args), every `File` (the name and contents of one made with `Query.file`, the path
/// and container of one read with `Container.file`), every `Directory`'s entries, and every
/// secret's name and URI. The test's inputs are not places: secret plaintexts (seeded, or the
/// configs stored with `setSecret`) and the contents of files the test seeded
/// (`EngineDouble::seed_file`); the double records the origin in the file itself
/// ([`FileRecord::Seeded`] vs [`FileRecord::Created`]), so a seeded file copied into a
/// container stays an input and a module's `Query.file` stays a place.
pub fn store_leaks(engine: &EngineDouble, scanner: &Scanner) -> Vec<Leak> {
    let mut places = Places::new(scanner);
    places.store(engine);
    places.leaks
}

/// The leak scan of one call: panics naming the place, the secret and its form if
/// [`call_leaks`] finds any.
pub fn assert_no_leak<S: AsRef<str>>(engine: &EngineDouble, outcome: &Outcome, sentinels: &[S]) {
    let scanner = Scanner::new(sentinels.iter().map(AsRef::as_ref));
    report(&call_leaks(engine, outcome, &scanner));
}

/// The leak scan of a library session: panics if [`session_leaks`] finds any.
pub fn assert_session_clean<S: AsRef<str>>(engine: &EngineDouble, sentinels: &[S]) {
    let scanner = Scanner::new(sentinels.iter().map(AsRef::as_ref));
    report(&session_leaks(engine, &scanner));
}

fn report(leaks: &[Leak]) {
    if leaks.is_empty() {
        return;
    }
    let lines: Vec<String> = leaks
        .iter()
        .map(|leak| {
            format!(
                "secret {:?} leaked into the {} ({})",
                leak.finding.sentinel,
                leak.place,
                leak.finding.form()
            )
        })
        .collect();
    panic!("{}", lines.join("\n"));
}

/// The places of one scan and the leaks found so far.
struct Places<'a> {
    scanner: &'a Scanner,
    leaks: Vec<Leak>,
}

impl<'a> Places<'a> {
    fn new(scanner: &'a Scanner) -> Self {
        Self {
            scanner,
            leaks: Vec::new(),
        }
    }

    /// Scans `text` (raw bytes, as the place holds them) unless `place` already leaked.
    fn text(&mut self, place: &str, text: &[u8]) {
        if self.scanner.is_empty() || self.leaks.iter().any(|leak| leak.place == place) {
            return;
        }
        if let Some(finding) = self.scanner.find(text) {
            self.leaks.push(Leak {
                place: place.to_owned(),
                finding,
            });
        }
    }

    /// Scans every key and string of `value` as the string itself (not JSON-escaped).
    fn json(&mut self, place: &str, value: &Value) {
        match value {
            Value::String(text) => self.text(place, text.as_bytes()),
            Value::Array(items) => items.iter().for_each(|item| self.json(place, item)),
            Value::Object(members) => {
                for (key, member) in members {
                    self.text(place, key.as_bytes());
                    self.json(place, member);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Each request's fields (its query without the `setSecret` plaintext) and each answer
    /// (without the `plaintext` fields when the query reads plaintexts).
    fn exchanges(&mut self, exchanges: &[Exchange]) {
        for (i, exchange) in exchanges.iter().enumerate() {
            let place = format!("request #{i}");
            let mut reads_plaintext = false;
            match serde_json::from_str::<Value>(&exchange.request) {
                Ok(Value::Object(mut body)) => {
                    if let Some(Value::String(query)) = body.remove("query") {
                        let query = without_set_secret_plaintexts(&query);
                        reads_plaintext = query.contains("plaintext");
                        self.text(&place, query.as_bytes());
                    }
                    self.json(&place, &Value::Object(body));
                }
                _ => self.text(&place, exchange.request.as_bytes()),
            }
            let place = format!("response #{i}");
            match serde_json::from_str::<Value>(&exchange.response) {
                Ok(mut answer) => {
                    if reads_plaintext {
                        remove_plaintext_fields(&mut answer);
                    }
                    self.json(&place, &answer);
                }
                Err(_) => self.text(&place, exchange.response.as_bytes()),
            }
        }
    }

    /// Every container, file, directory and secret the double holds (see [`store_leaks`]).
    fn store(&mut self, engine: &EngineDouble) {
        for (id, container) in engine.containers() {
            self.container(&format!("container {id}"), &container);
        }
        for (id, file) in engine.files() {
            self.file(&format!("File {id}"), &file);
        }
        for (id, directory) in engine.directories() {
            self.directory(&format!("Directory {id}"), &directory);
        }
        for (id, secret) in engine.secrets() {
            // The plaintext is the test's input or the config stored with setSecret.
            let SecretRecord { name, uri, .. } = secret;
            self.text(&format!("secret {id} name"), name.as_bytes());
            self.text(&format!("secret {id} URI"), uri.as_bytes());
        }
    }

    /// Every field of a container that holds text, raw. The records are taken apart without
    /// `..` where they can grow, so a field added to the double must be added here.
    fn container(&mut self, place: &str, container: &ContainerRecord) {
        let ContainerRecord {
            from,
            mounts,
            env,
            secret_env,
            files,
            caches,
            directories,
            workdir,
            execs,
            copied_files,
            entrypoint,
            default_args,
        } = container;
        self.texts(place, from);
        for (path, mount) in mounts {
            // The secret ID, mode and flags are the engine's, never the module's text.
            let SecretMountRecord { owner, .. } = mount;
            self.texts(place, [path, owner]);
        }
        self.env(place, env);
        // Values are Secret IDs the engine made.
        self.texts(place, secret_env.keys());
        for (path, file) in files {
            let NewFileRecord {
                contents,
                owner,
                permissions: _,
                inherit_owner: _,
                expand: _,
            } = file;
            self.texts(place, [path, contents, owner]);
        }
        self.caches(place, caches);
        self.directories(place, directories);
        self.texts(place, workdir);
        for exec in execs {
            let ExecRecord {
                args,
                workdir,
                env,
                caches,
                directories,
            } = exec;
            self.texts(place, args);
            self.texts(place, workdir);
            self.env(place, env);
            self.caches(place, caches);
            self.directories(place, directories);
        }
        for (path, copied) in copied_files {
            let CopiedFileRecord {
                source,
                owner,
                permissions: _,
            } = copied;
            self.texts(place, [path, owner]);
            self.file(place, source);
        }
        self.texts(place, entrypoint.iter().chain(default_args));
    }

    /// A file's text: the name and contents of one a request created with `Query.file`, the
    /// path and container of one read with `Container.file`. A file the test seeded
    /// (`EngineDouble::seed_file`, e.g. a CA bundle) is an input, like a seeded secret.
    fn file(&mut self, place: &str, file: &FileRecord) {
        match file {
            FileRecord::Seeded { .. } => {}
            FileRecord::Created { name, contents } => self.texts(place, [name, contents]),
            FileRecord::FromContainer { container, path } => {
                self.texts(place, [path]);
                self.container(place, container);
            }
        }
    }

    /// A directory's entries (file paths).
    fn directory(&mut self, place: &str, directory: &DirectoryRecord) {
        let DirectoryRecord { files } = directory;
        self.texts(place, files);
    }

    /// Mounted directories: mount paths and entries.
    fn directories(&mut self, place: &str, directories: &BTreeMap<String, DirectoryRecord>) {
        for (path, directory) in directories {
            self.texts(place, [path]);
            self.directory(place, directory);
        }
    }

    /// Cache mounts: paths, volume keys and sharing modes.
    fn caches(&mut self, place: &str, caches: &BTreeMap<String, CacheMountRecord>) {
        for (path, cache) in caches {
            let CacheMountRecord { key, sharing } = cache;
            self.texts(place, [path, key, sharing]);
        }
    }

    /// Environment variables: names and values.
    fn env(&mut self, place: &str, env: &BTreeMap<String, String>) {
        for (name, value) in env {
            self.texts(place, [name, value]);
        }
    }

    /// Scans each of `texts`.
    fn texts<'t>(&mut self, place: &str, texts: impl IntoIterator<Item = &'t String>) {
        for text in texts {
            self.text(place, text.as_bytes());
        }
    }
}

/// Removes every `plaintext` member of an answer: the values the engine hands over when asked
/// for a Secret's plaintext, the one place its answers carry secrets.
fn remove_plaintext_fields(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(remove_plaintext_fields),
        Value::Object(members) => {
            members.remove("plaintext");
            members.values_mut().for_each(remove_plaintext_fields);
        }
        _ => {}
    }
}

/// A query with the `plaintext` argument value of every `setSecret(…)` call cut out (that
/// argument is the one place the rendered config must go). The arguments are parsed, so a
/// `plaintext:` inside another argument's string is not mistaken for it; a `setSecret` whose
/// arguments cannot be parsed is left whole, and so scanned.
fn without_set_secret_plaintexts(query: &str) -> String {
    let mut kept = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(at) = rest.find("setSecret(") {
        let arguments = at + "setSecret(".len();
        kept.push_str(&rest[..arguments]);
        rest = &rest[arguments..];
        if let Some((start, end)) = plaintext_argument(rest) {
            kept.push_str(&rest[..start]);
            rest = &rest[end..];
        }
    }
    kept.push_str(rest);
    kept
}

/// The byte range of the `plaintext` argument's string literal in `arguments` (the text after
/// `setSecret(`), if the arguments are `name: "…"` pairs of string literals up to `)`.
fn plaintext_argument(arguments: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    loop {
        at += arguments[at..].len() - arguments[at..].trim_start_matches([' ', ',', '\n']).len();
        if arguments[at..].starts_with(')') {
            return None;
        }
        let name_end = at + arguments[at..].find(':')?;
        let name = arguments[at..name_end].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let literal = name_end
            + 1
            + (arguments[name_end + 1..].len() - arguments[name_end + 1..].trim_start().len());
        if !arguments[literal..].starts_with('"') || arguments[literal..].starts_with("\"\"\"") {
            return None;
        }
        let mut strings =
            serde_json::Deserializer::from_str(&arguments[literal..]).into_iter::<String>();
        strings.next()?.ok()?;
        let end = literal + strings.byte_offset();
        if name == "plaintext" {
            return Some((literal, end));
        }
        at = end;
    }
}

/// `{"steps":[…]}` of a state value, for assertions.
pub fn steps(state: &Value) -> &Vec<Value> {
    state["steps"]
        .as_array()
        .expect("RegistryConfig state has steps")
}
