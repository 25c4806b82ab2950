//! The runtime SDK module (`runtime/`, Python) run as the engine runs it: the Python SDK's own
//! module entrypoint (`dagger.mod.cli.app`, from the engine's runtime template) in a virtualenv
//! per supported `dagger-io` client, against the engine double. The double answers the full
//! introspection query the client sends on connect, and hands over `currentFunctionCall` with the
//! names the module registered (`module_runtime`, `mod_source`, `introspection_json`), as the
//! engine does. Every request is validated against every engine schema; the validation log
//! counts them under `registry-config-runtime`.

mod runtime_support;

use engine_double::{ContainerRecord, EngineDouble, FileRecord, Outcome};
use runtime_support::{
    client_versions, constant, declared_engine_version, entrypoint, invoke, main_object,
    module_context_files, register, runtime_constants, venv,
};
use serde_json::{json, Value};

/// The label the runtime's requests are counted under in the validation report.
const REPORT_LABEL: &str = "registry-config-runtime";

/// A double that serves the API of the engine version the runtime declares (as an engine does)
/// and reports its validation verdicts as the runtime's.
fn engine() -> EngineDouble {
    let engine = EngineDouble::start();
    engine.set_introspected_version(&declared_engine_version());
    engine.set_report_label(REPORT_LABEL);
    engine
}

fn assert_clean_run(what: &str, outcome: &Outcome) {
    assert_eq!(
        outcome.exit_code,
        Some(0),
        "{what}: exit code; stderr:\n{}\nrequests: {:#?}",
        outcome.stderr,
        outcome.exchanges
    );
    assert_eq!(
        outcome.rejected_requests, 0,
        "{what}: a request some engine schema rejects: {:#?}",
        outcome.exchanges
    );
}

#[test]
fn the_runtime_registers_module_runtime_through_the_python_sdk() {
    for version in client_versions() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = entrypoint(&venv(&version), dir.path());
        let engine = engine();
        let outcome = register(&engine, &runtime);
        assert_clean_run(&format!("dagger-io {version}: registration"), &outcome);
        let Some(Value::String(module_id)) = &outcome.return_value else {
            panic!(
                "dagger-io {version}: registration returned {:?}",
                outcome.return_value
            );
        };
        assert!(
            outcome.queries()[0].contains("__schema"),
            "dagger-io {version}: the client introspects first: {:?}",
            outcome.queries()
        );
        let module = engine.module(module_id).expect("a Module ID");
        let objects: Vec<&str> = module.objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            objects,
            ["RegistryConfigRustRuntime"],
            "dagger-io {version}"
        );
        assert_eq!(main_object(), "RegistryConfigRustRuntime");
        let function = engine
            .module_function(module_id, &main_object(), "module_runtime")
            .unwrap_or_else(|| panic!("dagger-io {version}: no module_runtime in {module:#?}"));
        assert_eq!(module.objects[0].functions.len(), 1, "dagger-io {version}");
        assert_eq!(function.return_type.render(), "Container!");
        let args: Vec<(String, String)> = function
            .args
            .iter()
            .map(|arg| (arg.name.clone(), arg.type_def.render()))
            .collect();
        assert_eq!(
            args,
            [
                ("mod_source".to_owned(), "ModuleSource!".to_owned()),
                ("introspection_json".to_owned(), "File".to_owned()),
            ],
            "dagger-io {version}"
        );
    }
}

/// The ways the engine passes `introspectionJson`: a File, null, or not at all.
fn introspection_json_variants(engine: &EngineDouble) -> Vec<(&'static str, Option<Value>)> {
    let file = engine.seed_file(r#"{"__schema":{}}"#);
    vec![
        ("as a File ID", Some(json!(file))),
        ("as null", Some(Value::Null)),
        ("left out", None),
    ]
}

#[test]
fn module_runtime_builds_the_crate_and_returns_the_runtime_image() {
    let context = module_context_files();
    for version in client_versions() {
        let venv = venv(&version);
        let constants = runtime_constants(&venv);
        let dir = tempfile::tempdir().unwrap();
        let runtime = entrypoint(&venv, dir.path());
        let engine = engine();
        let registration = register(&engine, &runtime);
        assert_clean_run(&format!("dagger-io {version}: registration"), &registration);
        let Some(Value::String(module_id)) = registration.return_value else {
            panic!("dagger-io {version}: no module ID");
        };
        for (how, introspection_json) in introspection_json_variants(&engine) {
            let what = format!("dagger-io {version}, introspectionJson {how}");
            let mod_source = engine.seed_module_source(".", context.clone());
            let mut args = vec![("mod_source", json!(mod_source))];
            if let Some(value) = introspection_json {
                args.push(("introspection_json", value));
            }
            let outcome = invoke(&engine, &runtime, &module_id, "module_runtime", args);
            assert_clean_run(&what, &outcome);
            let Some(Value::String(container_id)) = &outcome.return_value else {
                panic!("{what}: returned {:?}", outcome.return_value);
            };
            let image = engine
                .container(container_id)
                .unwrap_or_else(|| panic!("{what}: {container_id:?} is not a Container"));
            assert_runtime_image(&what, &image, &constants, &context);
        }
    }
}

/// The returned container is `RUNTIME_IMAGE` running the binary that `BUILD_SCRIPT` built in
/// `RUST_IMAGE` from the module's context, with the cargo caches mounted.
fn assert_runtime_image(
    what: &str,
    image: &ContainerRecord,
    constants: &Value,
    context: &[String],
) {
    let c = |name: &str| constant(constants, name);
    assert_eq!(
        image.from.as_deref(),
        Some(c("RUNTIME_IMAGE").as_str()),
        "{what}"
    );
    assert_eq!(image.entrypoint, [c("ENTRYPOINT")], "{what}");
    assert!(image.default_args.is_empty(), "{what}: {image:#?}");
    assert!(
        image.execs.is_empty(),
        "{what}: nothing runs in the runtime image"
    );
    let copied = image
        .copied_files
        .get(&c("ENTRYPOINT"))
        .unwrap_or_else(|| panic!("{what}: no file at the entrypoint: {image:#?}"));
    assert_eq!(copied.permissions, Some(0o755), "{what}");
    let FileRecord::FromContainer {
        container: build,
        path,
    } = &copied.source
    else {
        panic!("{what}: the entrypoint is not a built file: {copied:#?}");
    };
    assert_eq!(path, &c("OUT_PATH"), "{what}");
    assert_eq!(
        build.from.as_deref(),
        Some(c("RUST_IMAGE").as_str()),
        "{what}"
    );
    let [exec] = build.execs.as_slice() else {
        panic!("{what}: the build is one exec: {build:#?}");
    };
    assert_eq!(
        exec.args,
        ["sh", "-eu", "-c", c("BUILD_SCRIPT").as_str()],
        "{what}"
    );
    assert!(
        c("BUILD_SCRIPT").contains(&format!(
            "cargo build --release --locked --bin {}",
            c("BIN_NAME")
        )),
        "{what}"
    );
    assert_eq!(
        exec.workdir.as_deref(),
        Some(c("SRC_DIR").as_str()),
        "{what}"
    );
    assert_eq!(
        exec.env.get("CARGO_TARGET_DIR"),
        Some(&c("TARGET_DIR")),
        "{what}"
    );
    let caches: Vec<(&str, &str, &str)> = exec
        .caches
        .iter()
        .map(|(path, cache)| (path.as_str(), cache.key.as_str(), cache.sharing.as_str()))
        .collect();
    assert_eq!(
        caches,
        [
            (
                c("TARGET_DIR").as_str(),
                c("TARGET_CACHE").as_str(),
                "LOCKED"
            ),
            (
                "/usr/local/cargo/git",
                c("CARGO_GIT_CACHE").as_str(),
                "SHARED"
            ),
            (
                "/usr/local/cargo/registry",
                c("CARGO_REGISTRY_CACHE").as_str(),
                "SHARED"
            ),
        ],
        "{what}"
    );
    let source = exec
        .directories
        .get(&c("SRC_DIR"))
        .unwrap_or_else(|| panic!("{what}: no source mounted: {exec:#?}"));
    let mounted: Vec<&str> = source.files.iter().map(String::as_str).collect();
    assert_eq!(
        mounted, context,
        "{what}: the mounted source is the module's context"
    );
}

/// `rust-version` of the root `Cargo.toml`, as (major, minor).
fn crate_rust_version() -> (u32, u32) {
    let manifest = std::fs::read_to_string(runtime_support::repo().join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    major_minor(version).unwrap_or_else(|| panic!("rust-version {version:?}"))
}

/// `"1.98"` or `"1.98.0"` as (1, 98).
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[test]
fn the_rust_image_is_at_least_rust_version_on_the_runtime_images_debian_release() {
    let constants = runtime_constants(&venv(&client_versions()[0]));
    let rust_image = constant(&constants, "RUST_IMAGE");
    let runtime_image = constant(&constants, "RUNTIME_IMAGE");
    // rust:<major>.<minor>[.<patch>]-slim-<release>
    let (version, release) = rust_image
        .strip_prefix("rust:")
        .and_then(|tag| tag.split_once("-slim-"))
        .unwrap_or_else(|| panic!("RUST_IMAGE {rust_image:?} is not rust:X.Y-slim-<release>"));
    let image_version =
        major_minor(version).unwrap_or_else(|| panic!("RUST_IMAGE {rust_image:?}: version"));
    assert!(
        image_version >= crate_rust_version(),
        "RUST_IMAGE {rust_image:?} is older than Cargo.toml's rust-version {:?}",
        crate_rust_version()
    );
    // debian:<release>-slim
    assert_eq!(
        runtime_image,
        format!("debian:{release}-slim"),
        "RUNTIME_IMAGE must be the slim image of RUST_IMAGE's Debian release"
    );
}

#[test]
fn the_include_filter_keeps_the_source_directory_but_what_a_bang_pattern_drops() {
    use runtime_support::included;
    let patterns: Vec<String> = [
        "dagger.json",
        "**/*",
        "!target",
        "!runtime/sdk",
        "!runtime/.venv",
        "!docs/*.tmp",
    ]
    .map(str::to_owned)
    .to_vec();
    for kept in [
        "Cargo.toml",
        "src/main.rs",
        "tests/target/x",
        "runtime/src/main/main.py",
        "docs/a/b.tmp",
    ] {
        assert!(included(kept, &patterns), "{kept}");
    }
    for dropped in [
        "target",
        "target/debug/registry-config",
        "runtime/sdk/x.py",
        "runtime/.venv/bin/python",
        "docs/x.tmp",
    ] {
        assert!(!included(dropped, &patterns), "{dropped}");
    }
    // The last matching pattern decides: a later plain pattern brings a file back, and a path
    // no pattern matches is not loaded.
    let reinclude: Vec<String> = ["src/**/*", "!src/gen", "src/gen/keep.rs"]
        .map(str::to_owned)
        .to_vec();
    assert!(included("src/gen/keep.rs", &reinclude));
    assert!(!included("src/gen/other.rs", &reinclude));
    assert!(included("src/lib.rs", &reinclude));
    assert!(!included("Cargo.toml", &reinclude));
}

#[test]
fn the_module_context_holds_what_the_build_needs_and_no_build_output() {
    let files = module_context_files();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "src/main.rs",
        "src/lib.rs",
        "dagger.json",
    ] {
        assert!(
            files.iter().any(|f| f == needed),
            "{needed} missing from the context"
        );
    }
    assert!(!files.iter().any(|f| f.starts_with("target/")), "{files:?}");
}
