//! The runtime's build, run for real as it runs in the image: `BUILD_SCRIPT` (taken from the
//! runtime module) in a clean copy of the module's context — only the files git tracks that the
//! engine loads given the root `dagger.json`'s `include`, so a file the build needs but the
//! filter drops fails here — with `CARGO_TARGET_DIR` on a cache directory as the runtime's target cache volume
//! is (`target/runtime-build-cache`, kept between runs, so a warm run recompiles only this
//! crate). The binary it produces must then register the module's API with the engine double.
//!
//! A cold release build takes minutes, so this test is ignored by `cargo test`;
//! `scripts/test.sh` runs it with `--ignored`.

mod runtime_support;

use std::path::Path;
use std::process::Command;

use engine_double::EngineDouble;
use runtime_support::{
    client_versions, constant, module_context_files, repo, runtime_constants, venv,
};

/// The golden text of the registered API (`tests/module_api.rs` keeps it current).
const GOLDEN: &str = "tests/golden/registered-api.txt";

/// Copies `files` (relative to the repository) into `dest`, keeping their paths.
fn copy_context(files: &[String], dest: &Path) {
    for file in files {
        let target = dest.join(file);
        std::fs::create_dir_all(target.parent().expect("a file has a parent"))
            .expect("create the context directories");
        std::fs::copy(repo().join(file), &target)
            .unwrap_or_else(|err| panic!("copy {file} into the context: {err}"));
    }
}

/// `script` with every occurrence of `from` replaced by `to`, which must occur.
fn replace_once(script: &str, from: &str, to: &str) -> String {
    assert!(
        script.contains(from),
        "BUILD_SCRIPT no longer contains {from:?}:\n{script}"
    );
    script.replace(from, to)
}

#[test]
#[ignore = "a release build (minutes when cold); scripts/test.sh runs it with --ignored"]
fn the_build_script_builds_a_binary_that_registers_from_a_clean_context() {
    let constants = runtime_constants(&venv(&client_versions()[0]));
    let c = |name: &str| constant(&constants, name);
    let work = tempfile::tempdir().unwrap();
    let context = work.path().join("src");
    copy_context(&module_context_files(), &context);

    // The script writes the binary to OUT_PATH, an absolute path inside the image; here it goes
    // to the scratch directory instead.
    let out_path = work.path().join("out").join(c("BIN_NAME"));
    let out_dir = out_path.parent().unwrap().display().to_string();
    let script = replace_once(
        &c("BUILD_SCRIPT"),
        &c("OUT_PATH"),
        &out_path.display().to_string(),
    );
    let out_parent = Path::new(&c("OUT_PATH"))
        .parent()
        .unwrap()
        .display()
        .to_string();
    let script = replace_once(
        &script,
        &format!("mkdir -p {out_parent}\n"),
        &format!("mkdir -p {out_dir}\n"),
    );

    let cache = repo().join("target/runtime-build-cache");
    let status = Command::new("sh")
        .args(["-eu", "-c", &script])
        .current_dir(&context)
        .env("CARGO_TARGET_DIR", &cache)
        .env("CARGO_TERM_COLOR", "never")
        .status()
        .expect("run the build script");
    assert!(
        status.success(),
        "the build script failed in a clean copy of the context: {status}"
    );

    let engine = EngineDouble::start();
    let (module_id, outcome) = engine.register(&out_path);
    assert_eq!(outcome.exit_code, Some(0), "{}", outcome.stderr);
    assert_eq!(outcome.rejected_requests, 0, "{:#?}", outcome.exchanges);
    let golden = std::fs::read_to_string(repo().join(GOLDEN)).expect("the golden API");
    assert_eq!(
        engine.describe_module(&module_id),
        golden,
        "the released binary registers the API in {GOLDEN}"
    );
}
