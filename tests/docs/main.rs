//! The documentation cannot drift from the module: every `dagger call` in the README and in
//! `examples/shell/`, and every call in the Go, Python and TypeScript example modules (and the
//! README's snippets in those languages), is checked against the API the module binary
//! registers and the engine schemas; the examples follow the Daggerverse layout and naming;
//! the Markdown documents have no fence that closes early or never.

mod api;
mod cli;
mod examples;
mod markdown;
mod names;
mod sdk;
mod tokens;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use api::Api;
use examples::Shows;
use tokens::Lang;

/// The registered API, loaded once per test process.
fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(Api::load)
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The uses every SDK's examples must show, one function example each.
const REQUIRED_FUNCTION_EXAMPLES: &[&str] = &[
    "mountDockerConfig",
    "mountSecret",
    "withCredentialHelper",
    "kubernetesSecret",
    "withDockerConfig",
    "secretMount",
];

/// An example module: its directory, language, `dagger.json` SDK and the source holding its
/// functions.
struct ExampleModule {
    dir: &'static str,
    lang: Lang,
    sdk: &'static str,
    source: &'static str,
}

impl ExampleModule {
    fn source_path(&self) -> PathBuf {
        repo().join(self.dir).join(self.source)
    }

    fn origin(&self) -> String {
        format!("{}/{}", self.dir, self.source)
    }
}

const EXAMPLE_MODULES: &[ExampleModule] = &[
    ExampleModule {
        dir: "examples/go",
        lang: Lang::Go,
        sdk: "go",
        source: "main.go",
    },
    ExampleModule {
        dir: "examples/python",
        lang: Lang::Python,
        sdk: "python",
        source: "src/main/main.py",
    },
    ExampleModule {
        dir: "examples/typescript",
        lang: Lang::TypeScript,
        sdk: "typescript",
        source: "src/index.ts",
    },
];

fn shell_examples() -> Vec<PathBuf> {
    let dir = repo().join("examples/shell");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sh"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no script in examples/shell");
    scripts
}

/// Every `dagger call` of the README's code blocks and of the shell examples.
fn documented_calls() -> Vec<cli::Command> {
    let mut calls = Vec::new();
    let readme = read(&repo().join("README.md"));
    for block in markdown::code_blocks(&readme) {
        calls.extend(
            cli::dagger_calls(&block.text, "README.md", block.first_line)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    for script in shell_examples() {
        let name = format!(
            "examples/shell/{}",
            script.file_name().unwrap_or_default().to_string_lossy()
        );
        calls.extend(cli::dagger_calls(&read(&script), &name, 1).unwrap_or_else(|e| panic!("{e}")));
    }
    calls
}

#[test]
fn every_dagger_call_in_the_readme_and_the_shell_examples_matches_the_registered_api() {
    let calls = documented_calls();
    let errors: Vec<String> = calls
        .iter()
        .filter_map(|call| cli::check(api(), call).err())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let from_readme = calls
        .iter()
        .filter(|c| c.origin.starts_with("README.md"))
        .count();
    // Calls outside code blocks are refused by the Markdown check.
    assert!(from_readme > 0, "no `dagger call` found in README.md");
}

#[test]
fn every_sdk_example_and_readme_snippet_calls_only_registered_functions_and_arguments() {
    let mut errors = Vec::new();
    for module in EXAMPLE_MODULES {
        let checked = sdk::check(
            api(),
            module.lang,
            &read(&module.source_path()),
            &module.origin(),
        );
        errors.extend(checked.errors);
        let into_module = checked
            .chains
            .iter()
            .filter(|c| !c.module_calls.is_empty())
            .count();
        assert!(
            into_module >= REQUIRED_FUNCTION_EXAMPLES.len(),
            "{}: {into_module} chains into the module",
            module.dir
        );
    }
    let readme = read(&repo().join("README.md"));
    let mut snippets = 0;
    for block in markdown::code_blocks(&readme) {
        let lang = match block.info.as_str() {
            "go" => Lang::Go,
            "python" => Lang::Python,
            "typescript" => Lang::TypeScript,
            _ => continue,
        };
        let checked = sdk::check(
            api(),
            lang,
            &block.text,
            &format!(
                "README.md ({} block at line {})",
                block.info, block.first_line
            ),
        );
        errors.extend(checked.errors);
        snippets += checked
            .chains
            .iter()
            .filter(|c| !c.module_calls.is_empty())
            .count();
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        snippets >= 3,
        "only {snippets} chains into the module in the README's Go/Python/TypeScript blocks"
    );
}

/// What each example of a source shows, with the module functions its body calls.
fn examples_of(lang: Lang, origin: &str, source: &str) -> Vec<(String, Shows, BTreeSet<String>)> {
    let checked = sdk::check(api(), lang, source, origin);
    assert!(checked.errors.is_empty(), "{}", checked.errors.join("\n"));
    let mut out = Vec::new();
    for (i, declared) in checked.declared.iter().enumerate() {
        let end = checked
            .declared
            .get(i + 1)
            .map_or(usize::MAX, |next| next.at);
        let called: BTreeSet<String> = checked
            .chains
            .iter()
            .filter(|chain| chain.at > declared.at && chain.at < end)
            .flat_map(|chain| chain.module_calls.iter().cloned())
            .collect();
        let shows = examples::shows(api(), Some(lang), &declared.name)
            .unwrap_or_else(|e| panic!("{origin}: {e}"));
        out.push((declared.name.clone(), shows, called));
    }
    out
}

#[test]
fn examples_are_named_by_the_daggerverse_convention_and_show_what_their_names_say() {
    let mut shown_by = Vec::new();
    for module in EXAMPLE_MODULES {
        let origin = module.origin();
        let mut shown = BTreeSet::new();
        for (name, shows, called) in examples_of(module.lang, &origin, &read(&module.source_path()))
        {
            if let Shows::Function(function) = &shows {
                assert!(
                    called.contains(function),
                    "{origin}: {name} never calls {function} (calls {called:?})"
                );
            }
            assert!(
                !called.is_empty(),
                "{origin}: {name} calls nothing of the module"
            );
            assert!(
                shown.insert(shows.clone()),
                "{origin}: two examples show {shows:?}"
            );
        }
        shown_by.push((origin, shown));
    }
    let mut shell_shown = BTreeSet::new();
    for script in shell_examples() {
        let stem = script
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let shows =
            examples::shows(api(), None, &stem).unwrap_or_else(|e| panic!("examples/shell: {e}"));
        let origin = format!("examples/shell/{stem}.sh");
        let calls = cli::dagger_calls(&read(&script), &origin, 1).unwrap_or_else(|e| panic!("{e}"));
        assert!(!calls.is_empty(), "{origin} has no `dagger call`");
        if let Shows::Function(function) = &shows {
            let called: Vec<String> = calls
                .iter()
                .filter_map(|c| cli::check(api(), c).ok())
                .flatten()
                .collect();
            assert!(called.contains(function), "{origin} never calls {function}");
        }
        shell_shown.insert(shows);
    }
    shown_by.push(("examples/shell".to_owned(), shell_shown));

    let (first_origin, first) = &shown_by[0];
    for (origin, shown) in &shown_by[1..] {
        assert_eq!(
            shown, first,
            "{origin} and {first_origin} show different examples"
        );
    }
    for function in REQUIRED_FUNCTION_EXAMPLES {
        assert!(
            first.contains(&Shows::Function((*function).to_owned())),
            "no example of {function}"
        );
    }
}

#[test]
fn example_modules_depend_on_the_root_module_by_relative_path_with_its_engine() {
    let root: serde_json::Value =
        serde_json::from_str(&read(&repo().join("dagger.json"))).expect("JSON");
    for ExampleModule {
        dir, sdk, source, ..
    } in EXAMPLE_MODULES
    {
        let path = repo().join(dir).join("dagger.json");
        let config: serde_json::Value = serde_json::from_str(&read(&path)).expect("JSON");
        assert_eq!(config["sdk"]["source"], *sdk, "{dir}/dagger.json");
        assert_eq!(
            config["engineVersion"], root["engineVersion"],
            "{dir}/dagger.json"
        );
        let dependencies = config["dependencies"].as_array().expect("dependencies");
        assert_eq!(dependencies.len(), 1, "{dir}/dagger.json");
        assert_eq!(dependencies[0]["name"], root["name"], "{dir}/dagger.json");
        let source_dir = dependencies[0]["source"].as_str().expect("a source");
        let target = repo()
            .join(dir)
            .join(source_dir)
            .canonicalize()
            .expect("the dependency exists");
        assert_eq!(
            target,
            repo().canonicalize().expect("the repository"),
            "{dir}: the dependency is not this module"
        );
        assert!(
            repo().join(dir).join(source).is_file(),
            "{dir}: no {source}"
        );
    }
    for (dir, file) in [
        ("examples/go", "go.mod"),
        ("examples/python", "pyproject.toml"),
        ("examples/python", "src/main/__init__.py"),
        ("examples/typescript", "package.json"),
        ("examples/typescript", "tsconfig.json"),
    ] {
        assert!(repo().join(dir).join(file).is_file(), "{dir}: no {file}");
    }
}

/// The name `dagger call` gives an example function of an example module: the SDKs register
/// it in camelCase (Go lowers the first letter, Python joins snake_case words), the CLI
/// spells that in kebab-case.
fn cli_name_of_example(lang: Lang, declared: &str) -> String {
    match lang {
        Lang::Go => {
            let mut chars = declared.chars();
            let first = chars.next().map(|c| c.to_ascii_lowercase());
            names::kebab(&first.into_iter().chain(chars).collect::<String>())
        }
        Lang::Python => declared.replace('_', "-"),
        Lang::TypeScript => names::kebab(declared),
    }
}

#[test]
fn the_examples_readme_calls_functions_the_example_modules_declare() {
    let text = read(&repo().join("examples/README.md"));
    let mut checked = 0;
    for block in markdown::code_blocks(&text) {
        for call in cli::dagger_calls(&block.text, "examples/README.md", block.first_line)
            .unwrap_or_else(|e| panic!("{e}"))
        {
            let module = call.words.get(1).map(String::as_str).unwrap_or_default();
            let function = call.words.get(2).map(String::as_str).unwrap_or_default();
            assert_eq!(
                call.words.first().map(String::as_str),
                Some("-m"),
                "{}",
                call.origin
            );
            let example = EXAMPLE_MODULES
                .iter()
                .find(|example| example.dir == module)
                .unwrap_or_else(|| panic!("{}: `{module}` is not an example module", call.origin));
            let declared = sdk::check(
                api(),
                example.lang,
                &read(&example.source_path()),
                example.dir,
            )
            .declared;
            let names: Vec<String> = declared
                .iter()
                .map(|d| cli_name_of_example(example.lang, &d.name))
                .collect();
            assert!(
                names.iter().any(|name| name == function),
                "{}: {module} has no function `{function}` ({names:?})",
                call.origin
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "examples/README.md calls no example");
}

#[test]
fn shell_examples_are_strict_bash_scripts_calling_the_module_from_a_variable() {
    for script in shell_examples() {
        let origin = script.display().to_string();
        let text = read(&script);
        assert!(
            text.starts_with("#!/usr/bin/env bash\nset -euo pipefail\n"),
            "{origin}: shebang and `set -euo pipefail` first"
        );
        assert!(
            text.contains("\nMODULE=\"${MODULE:-"),
            "{origin}: the module comes from MODULE"
        );
        for call in cli::dagger_calls(&text, &origin, 1).unwrap_or_else(|e| panic!("{e}")) {
            assert!(
                call.words
                    .starts_with(&["-m".to_owned(), "$MODULE".to_owned()]),
                "{}: the call does not start with -m \"$MODULE\"",
                call.origin
            );
        }
        let syntax = std::process::Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .expect("bash runs");
        assert!(
            syntax.status.success(),
            "{origin}: {}",
            String::from_utf8_lossy(&syntax.stderr)
        );
    }
}

#[test]
fn markdown_documents_have_no_fence_that_closes_early_or_never() {
    let mut documents = Vec::new();
    collect_markdown(repo(), &mut documents);
    for required in [
        "README.md",
        "BENCHMARKS.md",
        "runtime/README.md",
        "examples/README.md",
    ] {
        assert!(
            documents.contains(&repo().join(required)),
            "{required} is not checked"
        );
    }
    let mut problems = Vec::new();
    for document in &documents {
        let relative = document
            .strip_prefix(repo())
            .unwrap_or(document)
            .display()
            .to_string();
        problems.extend(
            markdown::problems(&read(document))
                .into_iter()
                .map(|p| format!("{relative}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `*.md` of the repository outside build output, dependencies and hidden directories.
fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            let skipped =
                name.starts_with('.') || ["target", "node_modules", "sdk"].contains(&name.as_ref());
            if !skipped {
                collect_markdown(&path, out);
            }
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

// The checks themselves: each catches the mistake it exists for.

fn call(line: &str) -> Result<cli::Called, String> {
    let calls = cli::dagger_calls(line, "test", 1).expect("shell words");
    assert_eq!(calls.len(), 1, "{line}");
    cli::check(api(), &calls[0])
}

#[test]
fn the_call_check_rejects_what_the_module_and_the_engine_do_not_have() {
    let ok = "dagger call -m . with-registry-auth --address a --username u --secret env:T \\\n  mount-secret --container alpine --variable REGISTRY_AUTH_FILE with-exec --args ls stdout";
    assert_eq!(
        call(ok),
        Ok(vec![
            "withRegistryAuth".to_owned(),
            "mountSecret".to_owned()
        ])
    );
    for (wrong, expected) in [
        ("dagger call -m . with-registry-auht --address a --username u --secret env:T secret", "`with-registry-auht` is not a function of RegistryConfig"),
        ("dagger call -m . with-registry-auth --address a --username u --password env:T secret", "`--password` is not an argument of RegistryConfig.withRegistryAuth"),
        ("dagger call -m . with-registry-auth --address a --secret env:T secret", "requires `--username`"),
        ("dagger call -m . with-registry-auth --address a --username u --secret env:T mount-docker-config --container alpine with-exec --argz ls", "`--argz` is not an argument of Container.withExec"),
        ("dagger call -m . secret-mount --path /p mount --container alpine with-exek --args ls", "`with-exek` is not a function of Container"),
        ("dagger call -m . registries secret", "registries returns a value"),
        ("dagger call -m . kubernetes-secret --name", "`--name` of kubernetesSecret has no value"),
        ("dagger call with-credential-helper --address a --helper h secret", "no `-m <module>`"),
        ("dagger call -m . --address a registries", "`--address` is neither an option of dagger call"),
    ] {
        let error = call(wrong).expect_err(wrong);
        assert!(error.contains(expected), "{wrong}\n{error}");
    }
    // `--skip-on-empty` is a Boolean: it takes no value, so `mount` is the next function.
    assert!(call(
        "dagger call -m . secret-mount --path /p --skip-on-empty mount --container alpine"
    )
    .is_ok());
    // Comments are skipped and `\` lines joined.
    let calls = cli::dagger_calls(
        "# dagger call -m . nothing\ndagger call -m . \\\n  registries\n",
        "t",
        1,
    )
    .expect("words");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].words, ["-m", ".", "registries"]);
}

fn sdk_errors(lang: Lang, source: &str) -> Vec<String> {
    sdk::check(api(), lang, source, "test").errors
}

#[test]
fn the_sdk_check_rejects_unregistered_functions_and_arguments_in_each_language() {
    let valid = [
        (
            Lang::Go,
            r#"x := dag.RegistryConfig().WithRegistryAuth("a", u, s).MountSecret(c, dagger.RegistryConfigMountSecretOpts{Path: "/p", Variable: "V"}).WithExec([]string{"ls"}).Stdout(ctx)"#,
        ),
        (
            Lang::Python,
            r#"x = await dag.registry_config().with_registry_auth("a", u, s).mount_secret(c, path="/p", variable="V").with_exec(["ls"]).stdout()"#,
        ),
        (
            Lang::TypeScript,
            r#"const x = dag.registryConfig().withRegistryAuth("a", u, s).mountSecret(c, { path: "/p", variable: "V" }).withExec(["ls"]).stdout()"#,
        ),
    ];
    for (lang, source) in valid {
        assert_eq!(sdk_errors(lang, source), Vec::<String>::new(), "{source}");
    }
    for (lang, wrong, expected) in [
        (
            Lang::Go,
            r#"dag.RegistryConfig().WithRegistryAuht("a", u, s).Secret()"#,
            "`WithRegistryAuht` is not a function of RegistryConfig",
        ),
        (
            Lang::Go,
            r#"dag.RegistryConfig().MountSecret(c, dagger.RegistryConfigMountSecretOpts{Paht: "/p"})"#,
            "`Paht` is not an optional argument",
        ),
        (
            Lang::Go,
            r#"dag.RegistryConfig().MountSecret(c, dagger.RegistryConfigMountDockerConfigOpts{Dir: "/p"})"#,
            "options are `dagger.RegistryConfigMountSecretOpts`",
        ),
        (
            Lang::Go,
            r#"dag.RegistryConfig().WithRegistryAuth("a", s).Secret()"#,
            "the required argument `Secret` is not given",
        ),
        (
            Lang::Go,
            r#"dag.RegistryConfig().Registries()"#,
            "takes ctx first",
        ),
        (
            Lang::Go,
            r#"cfg := dag.RegistryConfig().WithRegistryAuth("a", u, s)"#,
            "the chain stops at RegistryConfig",
        ),
        (
            Lang::Python,
            r#"dag.registry_config().with_registry_auth("a", u, s).mount_secret(c, paht="/p")"#,
            "`paht` is not an optional argument",
        ),
        (
            Lang::Python,
            r#"dag.registry_config().kubernetes_secret("n", "ns")"#,
            "positional arguments, but only 1 required",
        ),
        (
            Lang::Python,
            r#"dag.registry_config().secret_mount("/p").mount(c).with_exek(["ls"])"#,
            "`with_exek` is not a function of Container",
        ),
        (
            Lang::TypeScript,
            r#"dag.registryConfig().withRegistryAuth("a", u, s).mountSecret(c, { paht: "/p" })"#,
            "`paht` is not an optional argument",
        ),
        (
            Lang::TypeScript,
            r#"dag.registryConfig().mountDockerConfig()"#,
            "the required argument `container` is not given",
        ),
        (
            Lang::TypeScript,
            r#"dag.registryConfig().withRegistryAuth("a", u, s).secretMount("/p").mount(c).withExec(["ls"], { argz: 1 })"#,
            "`argz` is not an optional argument",
        ),
    ] {
        let errors = sdk_errors(lang, wrong);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{wrong}\n{errors:?}"
        );
    }
    // Prose and comments that mention `dag.` are not calls.
    assert!(sdk_errors(
        Lang::Python,
        "\"\"\"dag.registry_config().nothing()\"\"\"\n# dag.nothing()"
    )
    .is_empty());
}

#[test]
fn the_example_name_check_follows_the_daggerverse_convention() {
    let function = |f: &str| Ok(Shows::Function(f.to_owned()));
    let module = |m: &str| Ok(Shows::Module(m.to_owned()));
    assert_eq!(
        examples::shows(api(), Some(Lang::Go), "RegistryConfigMountSecret"),
        function("mountSecret")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::Go), "RegistryConfigSecretMount_Helm"),
        function("secretMount")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::Go), "RegistryConfig_AllTools"),
        module("alltools")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::Python), "registry_config_secret_mount"),
        function("secretMount")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::Python), "registry_config__all_tools"),
        module("alltools")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::TypeScript), "registryConfigSecret"),
        function("secret")
    );
    assert_eq!(
        examples::shows(api(), Some(Lang::TypeScript), "registryConfig_allTools"),
        module("alltools")
    );
    assert_eq!(
        examples::shows(api(), None, "registry_config_secret_mount"),
        function("secretMount")
    );
    assert_eq!(
        examples::shows(api(), None, "registry_config_all_tools"),
        module("alltools")
    );
    for (lang, wrong) in [
        (Some(Lang::Go), "RegistryConfigMountSecrets"),
        (Some(Lang::Go), "MountSecret"),
        (Some(Lang::Python), "registry_config_mount_secrets"),
        (Some(Lang::TypeScript), "registryConfigMountSecrets"),
    ] {
        assert!(examples::shows(api(), lang, wrong).is_err(), "{wrong}");
    }
}

/// The README's "Use it" block as it once was: its fence closed after the third command, so
/// the next comments rendered as headings and the commands as paragraphs.
const CLOSED_EARLY: &str = "# registry-config\n\n## Use it\n\n```sh\n# Render a config\ndagger call -m x \\\n  registries\n```\n\n# Tools fetch their own credentials\ndagger call -m x \\\n  with-credential-helper --address a --helper h \\\n  secret\n\nText.\n\n```sh\ndagger install x\n```\n";

#[test]
fn the_markdown_check_catches_a_block_that_closes_early_or_never() {
    let problems = markdown::problems(CLOSED_EARLY);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("line 11: a second level-1 heading")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("line 12: a line ending in `\\`")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("line 12: a `dagger call` command in prose")),
        "{problems:?}"
    );
    let unclosed = "# t\n\n```sh\ndagger call -m x registries\n";
    assert_eq!(
        markdown::problems(unclosed),
        ["line 3: this code fence is never closed (the block runs to the end of its container)"]
    );
    // A shorter run of backticks does not close a longer fence.
    assert_eq!(markdown::problems("# t\n\n````md\n```sh\n```\n").len(), 1);
    // Closed blocks, `~~~` fences and fences in lists and quotes are fine.
    let fine = "# t\n\n```sh\na\n```\n\n~~~\nb\n~~~~\n\n- item\n\n  ```go\n  c\n  ```\n\n> ```\n> d\n> ```\n";
    assert_eq!(markdown::problems(fine), Vec::<String>::new());
    let blocks = markdown::code_blocks(fine);
    assert_eq!(
        blocks
            .iter()
            .map(|b| (b.info.as_str(), b.first_line))
            .collect::<Vec<_>>(),
        [("sh", 4), ("", 8), ("go", 14), ("", 18)]
    );
}
