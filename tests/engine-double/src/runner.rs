//! Running a module binary exactly as the engine does: one process per call, a clean
//! environment with the session port and token, cwd a scratch directory, and a timeout.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{lock, Exchange};
use crate::store::{ErrorRecord, Returned};
use crate::typedefs;
use crate::EngineDouble;

/// How long [`EngineDouble::run`] lets a module process live unless changed with
/// [`EngineDouble::set_run_timeout`].
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// One function call as the engine hands it to the module process.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `FunctionCall.parentName`: the object's original name; `""` for registration.
    pub parent_name: String,
    /// `FunctionCall.name`: the function's original name; `""` for registration and
    /// constructors.
    pub name: String,
    /// Parent state; `Null` for registration and constructors. Every string in it that is a
    /// known object ID is replaced by a fresh alias ID before the call.
    pub parent: Value,
    /// Argument name → decoded JSON value; the double JSON-encodes each value as the engine
    /// does (core objects such as Secret/Container are passed as `json!(id)`).
    pub input_args: Vec<(String, Value)>,
}

impl Call {
    /// The registration call: parent name `""`, name `""`, parent `null`, no arguments.
    pub fn registration() -> Self {
        Self {
            parent_name: String::new(),
            name: String::new(),
            parent: Value::Null,
            input_args: Vec::new(),
        }
    }
}

/// What one module process did, as observed by the double during that run only.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Exit code; `None` if the process was killed by a signal (including the timeout).
    pub exit_code: Option<i32>,
    /// Whether the double killed the process because it outlived the run timeout.
    pub timed_out: bool,
    /// Captured stdout (lossy UTF-8).
    pub stdout: String,
    /// Captured stderr (lossy UTF-8).
    pub stderr: String,
    /// Every file the process left in its working directory, which is also its `TMPDIR`:
    /// path relative to it, and content.
    pub files_written: Vec<(PathBuf, Vec<u8>)>,
    /// Decoded JSON passed to `returnValue`, if called.
    pub return_value: Option<Value>,
    /// The `Error` passed to `returnError`, if called.
    pub return_error: Option<ErrorRecord>,
    /// HTTP requests the double received during the run.
    pub round_trips: usize,
    /// Those requests and their answers, in order.
    pub exchanges: Vec<Exchange>,
    /// How many of them were rejected (see [`Exchange::rejected`]).
    pub rejected_requests: usize,
}

impl Outcome {
    /// The query texts sent during the run, in order.
    pub fn queries(&self) -> Vec<&str> {
        self.exchanges
            .iter()
            .filter_map(|e| e.query.as_deref())
            .collect()
    }
}

fn read_all(source: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut source) = source {
            let _ = source.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Adds every file under `dir` (recursively) to `files`, with its path relative to `root`.
fn collect_files(root: &Path, dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, files);
        } else if let Ok(contents) = std::fs::read(&path) {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            files.push((relative, contents));
        }
    }
}

/// Absolute path for programs given with a directory part, since the child runs elsewhere.
fn program_path(binary: &Path) -> PathBuf {
    if binary.components().count() > 1 {
        std::fs::canonicalize(binary).unwrap_or_else(|err| {
            panic!(
                "engine double: module binary {} not found: {err}",
                binary.display()
            )
        })
    } else {
        binary.to_path_buf()
    }
}

impl EngineDouble {
    /// Sets `currentFunctionCall`, runs `binary` with a clean environment (only `PATH`,
    /// `DAGGER_SESSION_PORT`, `DAGGER_SESSION_TOKEN`, and `TMPDIR`), cwd and `TMPDIR` a fresh
    /// temp dir, no arguments and no stdin; kills it after the run timeout; returns what the
    /// double recorded during this run only, and the files left in that directory. Runs on
    /// one double are serialized.
    pub fn run(&self, binary: &Path, call: &Call) -> Outcome {
        self.run_with_env(binary, call, &[])
    }

    /// Like [`EngineDouble::run`], adding `extra_env` to the child's environment.
    pub fn run_with_env(&self, binary: &Path, call: &Call, extra_env: &[(&str, &str)]) -> Outcome {
        let _serial = lock(&self.run_lock);
        let program = program_path(binary);
        let call_index = {
            let mut store = lock(&self.shared.store);
            let parent = store.alias_ids(&call.parent);
            let args = call
                .input_args
                .iter()
                .map(|(name, value)| (name.clone(), value.to_string()))
                .collect();
            store.set_current_call(&call.parent_name, &call.name, parent.to_string(), args)
        };
        let start = lock(&self.shared.log).len();
        let workdir = tempfile::tempdir().expect("engine double: cannot create a temp dir");

        let mut command = Command::new(&program);
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
            .env("DAGGER_SESSION_PORT", self.port.to_string())
            .env("DAGGER_SESSION_TOKEN", &self.shared.token)
            .env("TMPDIR", workdir.path())
            .envs(extra_env.iter().copied())
            .current_dir(workdir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|err| {
            panic!("engine double: cannot start {}: {err}", program.display())
        });
        let stdout = read_all(child.stdout.take());
        let stderr = read_all(child.stderr.take());

        let deadline = Instant::now() + *lock(&self.run_timeout);
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().expect("engine double: wait for killed child");
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(err) => panic!("engine double: waiting for the module process: {err}"),
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        let mut files_written = Vec::new();
        collect_files(workdir.path(), workdir.path(), &mut files_written);

        let returned = lock(&self.shared.store).finish_call(call_index);
        let exchanges: Vec<Exchange> = {
            let log = lock(&self.shared.log);
            log[start.min(log.len())..].to_vec()
        };
        let (return_value, return_error) = match returned {
            Some(Returned::Value(value)) => (Some(value), None),
            Some(Returned::Error(error)) => (None, Some(error)),
            None => (None, None),
        };
        Outcome {
            exit_code: status.code(),
            timed_out,
            stdout,
            stderr,
            files_written,
            return_value,
            return_error,
            round_trips: exchanges.len(),
            rejected_requests: exchanges.iter().filter(|e| e.rejected).count(),
            exchanges,
        }
    }

    /// Runs the registration call and returns the module ID the binary passed to
    /// `returnValue` (a JSON string), plus the outcome.
    ///
    /// # Panics
    /// If the binary did not return a string that is the ID of a `Module`.
    pub fn register(&self, binary: &Path) -> (String, Outcome) {
        let outcome = self.run(binary, &Call::registration());
        let module_id = match &outcome.return_value {
            Some(Value::String(id)) => id.clone(),
            other => panic!(
                "engine double: registration must returnValue a JSON string (the module ID), \
                 got {other:?}; exit code {:?}, returnError {:?}, stderr:\n{}",
                outcome.exit_code, outcome.return_error, outcome.stderr
            ),
        };
        if lock(&self.shared.store).module(&module_id).is_none() {
            panic!("engine double: registration returned {module_id:?}, which is not a Module ID");
        }
        (module_id, outcome)
    }

    /// Invokes `object.function` of a registered module like the engine: checks the function
    /// exists (`function == ""` is the constructor), panics on unknown or duplicate argument
    /// names and on missing required arguments (a test bug), injects `defaultValue` for
    /// omitted arguments that have one, omits optional arguments without one, passes
    /// arguments in declaration order, then [`EngineDouble::run`]s the binary.
    pub fn invoke(
        &self,
        binary: &Path,
        module_id: &str,
        object: &str,
        function: &str,
        parent: Value,
        args: Vec<(&str, Value)>,
    ) -> Outcome {
        self.invoke_with_env(binary, module_id, object, function, parent, args, &[])
    }

    /// Like [`EngineDouble::invoke`], adding `extra_env` to the child's environment.
    #[allow(clippy::too_many_arguments)]
    pub fn invoke_with_env(
        &self,
        binary: &Path,
        module_id: &str,
        object: &str,
        function: &str,
        parent: Value,
        args: Vec<(&str, Value)>,
        extra_env: &[(&str, &str)],
    ) -> Outcome {
        let module = lock(&self.shared.store)
            .module(module_id)
            .unwrap_or_else(|| panic!("engine double: {module_id:?} is not a Module ID"));
        let def = typedefs::find_function(&module, object, function).unwrap_or_else(|| {
            panic!("engine double: module has no function {object}.{function:?}")
        });
        for (i, (name, _)) in args.iter().enumerate() {
            if !def.args.iter().any(|a| a.name == *name) {
                panic!("engine double: {object}.{function} has no argument {name:?}");
            }
            if args[..i].iter().any(|(earlier, _)| earlier == name) {
                panic!("engine double: argument {name:?} passed twice to {object}.{function}");
            }
        }
        let mut input_args = Vec::new();
        for arg in &def.args {
            match args.iter().find(|(name, _)| *name == arg.name) {
                Some((_, value)) => input_args.push((arg.name.clone(), value.clone())),
                None => match &arg.default_value {
                    Some(default) => input_args.push((arg.name.clone(), default.clone())),
                    None if arg.type_def.optional => {}
                    None => panic!(
                        "engine double: missing required argument {:?} of {object}.{function}",
                        arg.name
                    ),
                },
            }
        }
        let call = Call {
            parent_name: object.to_owned(),
            name: function.to_owned(),
            parent,
            input_args,
        };
        self.run_with_env(binary, &call, extra_env)
    }
}
