//! Running the runtime SDK module (`runtime/`, Python) as the engine does: through the Python
//! SDK's own module entrypoint, in a virtualenv per supported `dagger-io` client, against the
//! engine double.

#![allow(dead_code)] // Each test crate that includes this module uses a part of it.

use std::path::{Path, PathBuf};

use engine_double::{Call, EngineDouble, Outcome};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `dagger-io` versions the runtime is checked against: `DAGGER_IO_VERSIONS` in
/// `scripts/check-runtime.sh`, which also builds their virtualenvs.
pub fn client_versions() -> Vec<String> {
    let script = std::fs::read_to_string(repo().join("scripts/check-runtime.sh"))
        .expect("scripts/check-runtime.sh");
    let line = script
        .lines()
        .find_map(|line| line.strip_prefix("DAGGER_IO_VERSIONS=("))
        .expect("DAGGER_IO_VERSIONS=(...) in scripts/check-runtime.sh");
    let versions: Vec<String> = line
        .trim_end_matches(')')
        .split_whitespace()
        .map(|word| word.trim_matches('"').to_owned())
        .collect();
    assert!(!versions.is_empty(), "no dagger-io version in {line:?}");
    versions
}

/// The virtualenv `scripts/check-runtime.sh` builds for `version`, with `dagger-io` and the
/// runtime package installed.
///
/// # Panics
/// If it is missing, or its installed runtime differs from `runtime/src` (run
/// `scripts/check-runtime.sh`, which `scripts/test.sh` runs first).
pub fn venv(version: &str) -> PathBuf {
    let prefix = std::env::var_os("RUNTIME_VENV_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/runtime-venv"));
    let venv = PathBuf::from(format!("{}-{version}", prefix.display()));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/check-runtime.sh",
        python.display()
    );
    let installed = std::process::Command::new(&python)
        .args([
            "-c",
            "import main.main, sys; sys.stdout.write(main.main.__file__)",
        ])
        .env_clear()
        .output()
        .expect("run the venv's python");
    assert!(
        installed.status.success(),
        "the runtime package is not installed in {}: run scripts/check-runtime.sh\n{}",
        venv.display(),
        String::from_utf8_lossy(&installed.stderr)
    );
    let installed = std::fs::read(String::from_utf8_lossy(&installed.stdout).as_ref())
        .expect("the installed runtime source");
    let source = std::fs::read(repo().join("runtime/src/main/main.py")).expect("runtime source");
    assert!(
        installed == source,
        "the runtime installed in {} is older than runtime/src: run scripts/check-runtime.sh",
        venv.display()
    );
    venv
}

/// The Python SDK's runtime entrypoint (the engine's runtime template), as an executable script
/// run by the venv's interpreter, written into `dir`.
pub fn entrypoint(venv: &Path, dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("runtime");
    let script = format!(
        "#!{}\nimport sys\nfrom dagger.mod.cli import app\nif __name__ == '__main__':\n    sys.exit(app())\n",
        venv.join("bin/python").display()
    );
    std::fs::write(&path, script).expect("write the entrypoint");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("make the entrypoint executable");
    path
}

/// A string field of `runtime/dagger.json`.
fn runtime_config(field: &str) -> String {
    let text = std::fs::read_to_string(repo().join("runtime/dagger.json")).expect("dagger.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("runtime/dagger.json");
    config[field]
        .as_str()
        .unwrap_or_else(|| panic!("runtime/dagger.json has no {field}"))
        .to_owned()
}

/// The runtime module's name (`runtime/dagger.json`).
pub fn module_name() -> String {
    runtime_config("name")
}

/// The engine version the runtime module declares: the API an engine serves it.
pub fn declared_engine_version() -> String {
    runtime_config("engineVersion")
}

/// The main object's name as the Python SDK derives it: the module name in PascalCase.
pub fn main_object() -> String {
    module_name()
        .split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The environment the Python SDK's runtime container sets for the entrypoint.
pub fn sdk_env() -> Vec<(&'static str, String)> {
    vec![
        ("DAGGER_MODULE", module_name()),
        ("DAGGER_DEFAULT_PYTHON_PACKAGE", "main".to_owned()),
        ("DAGGER_MAIN_OBJECT", main_object()),
    ]
}

/// Runs the registration call of the runtime module through `entrypoint`.
pub fn register(engine: &EngineDouble, entrypoint: &Path) -> Outcome {
    let env = sdk_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    engine.run_with_env(entrypoint, &Call::registration(), &env)
}

/// Calls `function` of the registered runtime module's main object through `entrypoint`, as
/// the engine does (arguments by their registered names, defaults injected).
pub fn invoke(
    engine: &EngineDouble,
    entrypoint: &Path,
    module_id: &str,
    function: &str,
    args: Vec<(&str, serde_json::Value)>,
) -> Outcome {
    let env = sdk_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let parent = serde_json::json!({});
    engine.invoke_with_env(
        entrypoint,
        module_id,
        &main_object(),
        function,
        parent,
        args,
        &env,
    )
}

/// The runtime module's constants (`RUST_IMAGE`, `OUT_PATH`, `BUILD_SCRIPT`, …) as the module
/// computes them, read from the package installed in `venv`.
pub fn runtime_constants(venv: &Path) -> serde_json::Value {
    let output = std::process::Command::new(venv.join("bin/python"))
        .args([
            "-c",
            "import json, sys, main.main as m\n\
             names = [n for n in dir(m) if n.isupper() and isinstance(getattr(m, n), str)]\n\
             json.dump({n: getattr(m, n) for n in names}, sys.stdout)",
        ])
        .env_clear()
        .output()
        .expect("run the venv's python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the constants as JSON")
}

/// One string constant of [`runtime_constants`].
pub fn constant(constants: &serde_json::Value, name: &str) -> String {
    constants[name]
        .as_str()
        .unwrap_or_else(|| panic!("runtime/src/main/main.py has no string constant {name}"))
        .to_owned()
}

/// The files of the module's context as the engine loads it from a clean checkout: the files
/// git tracks that [`context_patterns`] include. Relative paths, sorted.
pub fn module_context_files() -> Vec<String> {
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(repo())
        .output()
        .expect("run git ls-files");
    assert!(listed.status.success(), "git ls-files failed");
    let patterns = context_patterns();
    let mut files: Vec<String> = String::from_utf8(listed.stdout)
        .expect("UTF-8 paths")
        .split('\0')
        .filter(|path| !path.is_empty())
        .filter(|path| repo().join(path).is_file())
        .filter(|path| included(path, &patterns))
        .map(str::to_owned)
        .collect();
    files.sort();
    files
}

/// The include patterns the engine loads a local module's context directory with, for a module
/// whose `dagger.json` is at the root of its context (as this one is): the config file, the
/// source directory (`**/*`), then the `include` list of the root `dagger.json`.
pub fn context_patterns() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("dagger.json")).expect("dagger.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("dagger.json is JSON");
    let configured = config["include"].as_array().cloned().unwrap_or_default();
    ["dagger.json".to_owned(), "**/*".to_owned()]
        .into_iter()
        .chain(configured.iter().map(|pattern| {
            pattern
                .as_str()
                .expect("include entries are strings")
                .to_owned()
        }))
        .collect()
}

/// Whether a directory loaded with these include patterns holds `path` (relative to the
/// context): each pattern that matches the path or one of its parent directories decides in
/// order, the last one winning; a plain pattern includes, a `!pattern` excludes, and a path no
/// pattern matches is left out. Patterns are anchored at the context root; `*` and `?` stay
/// within one path segment and `**` spans segments.
pub fn included(path: &str, patterns: &[String]) -> bool {
    let mut included = false;
    for pattern in patterns {
        let (negated, glob) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern.as_str()),
        };
        if matches_path_or_parent(glob, path) {
            included = !negated;
        }
    }
    included
}

/// Whether `glob` (anchored at the root) matches `path` or a directory containing it.
fn matches_path_or_parent(glob: &str, path: &str) -> bool {
    let cleaned = glob
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    let matcher = globset::GlobBuilder::new(cleaned)
        .literal_separator(true)
        .build()
        .unwrap_or_else(|err| panic!("dagger.json include pattern {glob:?}: {err}"))
        .compile_matcher();
    let segments: Vec<&str> = path.split('/').collect();
    (1..=segments.len()).any(|depth| matcher.is_match(segments[..depth].join("/")))
}
