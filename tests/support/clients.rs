//! Real registry clients run against a [`Registry`], each reading one
//! credentials file: skopeo, the docker CLI (no daemon), oras-py, and the Rust
//! probe `oci-probe` (docker_credential + oci-client).
//!
//! Every call runs in an isolated environment: `env_clear()`, a fixed `PATH`
//! (with a test's credential-helper directory in front inside
//! [`with_path_prefix`]), a fresh empty `HOME` and `XDG_RUNTIME_DIR`, a fresh
//! working directory, and only the variables the check names (`DOCKER_CONFIG`,
//! `E2E_HTTP`, ...), so the client can read no credentials file but the one
//! under test. Every call is bounded by [`CLIENT_TIMEOUT`] and killed when it
//! runs over.
//!
//! Image arguments are `REPOSITORY:TAG` (e.g. `e2e/hello:v1`); the registry's
//! `127.0.0.1:PORT` is put in front.
#![allow(dead_code)]

use std::cell::RefCell;
use std::fmt;
use std::fs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::oci_layout::OciLayout;
use super::registry::{tool, Registry, CLEAN_PATH};

/// Upper bound for one client call (each takes well under a second when it works).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Exit code of `oras_client.py` and `oci-probe lookup` when no key matches.
pub const EXIT_NO_MATCH: i32 = 3;

/// The outcome of one client call.
#[derive(Debug, Clone)]
pub struct ClientResult {
    /// The client exited 0 (and did not time out).
    pub ok: bool,
    /// Combined stdout and stderr, in order.
    pub output: String,
    /// The exit code; `None` when killed (timeout) or ended by a signal.
    pub code: Option<i32>,
    /// The call ran over [`CLIENT_TIMEOUT`] and was killed.
    pub timed_out: bool,
    /// Wall time, process start included.
    pub elapsed: Duration,
    /// What was run (for messages).
    pub label: String,
}

impl fmt::Display for ClientResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match (self.timed_out, self.code) {
            (true, _) => format!("TIMED OUT after {CLIENT_TIMEOUT:?}"),
            (false, Some(code)) => format!("exit {code}"),
            (false, None) => "killed by a signal".to_string(),
        };
        write!(
            f,
            "{}: {status} in {} ms\n{}",
            self.label,
            self.elapsed.as_millis(),
            self.output.trim_end()
        )
    }
}

/// Writes `dir/config.json` with mode 0400, the way the engine mounts a
/// secret file, and returns its path. Replaces an existing file.
pub fn write_mounted_config(dir: &Path, bytes: &[u8]) -> PathBuf {
    fs::create_dir_all(dir).expect("create config dir");
    let path = dir.join("config.json");
    if path.exists() {
        fs::remove_file(&path).expect("remove old config.json");
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o400)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .expect("write config.json");
    // The umask cannot widen 0400, but make the mode explicit anyway.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).expect("chmod 0400");
    path
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The oras-py venv: `$REGISTRY_CONFIG_VENV` or `<repo>/target/test-venv`.
pub fn venv_dir() -> PathBuf {
    std::env::var_os("REGISTRY_CONFIG_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/test-venv"))
}

/// The venv's python, or a panic telling how to make it.
fn venv_python() -> PathBuf {
    let python = venv_dir().join("bin/python");
    assert!(
        python.is_file(),
        "{} missing: run scripts/install-test-deps.sh",
        python.display()
    );
    python
}

/// The oras-py driver script.
fn oras_script() -> PathBuf {
    repo_root().join("tests/support/oras_client.py")
}

/// The `oci-probe` binary: `$OCI_PROBE_BIN`, else built once per test process
/// with `cargo build -p oci-probe` into the test's own target dir and profile.
pub fn oci_probe_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("OCI_PROBE_BIN") {
            return PathBuf::from(bin);
        }
        // The test binary is <target>/<profile>/deps/<name>-<hash>.
        let exe = std::env::current_exe().expect("current_exe");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test binary lives in <target>/<profile>/deps");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_string(),
            Some(other) => other.to_string(),
        };
        let target_dir = profile_dir.parent().expect("target dir");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--quiet", "-p", "oci-probe", "--profile", &profile])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .output()
            .expect("run cargo build -p oci-probe");
        assert!(
            out.status.success(),
            "cargo build -p oci-probe failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = profile_dir.join("oci-probe");
        assert!(bin.is_file(), "{} missing after build", bin.display());
        bin
    })
    .clone()
}

thread_local! {
    /// The directory [`with_path_prefix`] puts in front of [`CLEAN_PATH`] on this thread.
    static PATH_PREFIX: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// Runs `f` with `dir` in front of every client's `PATH` (the clients `f` starts on this
/// thread), so they find a test's `docker-credential-<name>`; the plain [`CLEAN_PATH`] is
/// back afterwards, also when `f` panics.
pub fn with_path_prefix<T>(dir: &Path, f: impl FnOnce() -> T) -> T {
    /// Clears the prefix when dropped.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            PATH_PREFIX.with(|prefix| prefix.borrow_mut().take());
        }
    }
    let previous = PATH_PREFIX.with(|prefix| prefix.borrow_mut().replace(dir.to_path_buf()));
    assert!(previous.is_none(), "with_path_prefix does not nest");
    let _reset = Reset;
    f()
}

/// The `PATH` of a client started now on this thread.
fn client_path() -> std::ffi::OsString {
    PATH_PREFIX.with(|prefix| match prefix.borrow().as_deref() {
        Some(dir) => {
            let mut path = dir.as_os_str().to_owned();
            path.push(":");
            path.push(CLEAN_PATH);
            path
        }
        None => CLEAN_PATH.into(),
    })
}

/// A command in a clean, isolated environment with its own temp dir.
struct Isolated {
    /// HOME, XDG_RUNTIME_DIR, the working dir and the output file live here.
    tmp: tempfile::TempDir,
    /// The command, env already cleared.
    cmd: Command,
    /// What is being run.
    label: String,
}

impl Isolated {
    /// `program` with `env_clear()`, `PATH` ([`client_path`]), a fresh `HOME` and
    /// `XDG_RUNTIME_DIR`.
    fn new(program: impl AsRef<std::ffi::OsStr>, label: String) -> Isolated {
        let tmp = tempfile::Builder::new()
            .prefix("registry-config-client-")
            .tempdir()
            .expect("client temp dir");
        let home = tmp.path().join("home");
        let run = tmp.path().join("run");
        let work = tmp.path().join("work");
        for d in [&home, &run, &work] {
            fs::create_dir(d).expect("mkdir");
            fs::set_permissions(d, fs::Permissions::from_mode(0o700)).expect("chmod 0700");
        }
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", client_path())
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &run)
            .current_dir(&work)
            .stdin(Stdio::null());
        Isolated { tmp, cmd, label }
    }

    /// Runs the command with a timeout; stdout and stderr go to one file.
    fn run(mut self) -> ClientResult {
        let out_path = self.tmp.path().join("output");
        let out = fs::File::create(&out_path).expect("create output file");
        self.cmd
            .stdout(out.try_clone().expect("clone output handle"))
            .stderr(out);
        let start = Instant::now();
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn {}: {e}", self.label));
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break Some(status);
            }
            if start.elapsed() > CLIENT_TIMEOUT {
                timed_out = true;
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            sleep(Duration::from_millis(5));
        };
        let elapsed = start.elapsed();
        let output = String::from_utf8_lossy(&fs::read(&out_path).unwrap_or_default()).into_owned();
        let code = status.and_then(|s| s.code());
        ClientResult {
            ok: !timed_out && code == Some(0),
            output,
            code,
            timed_out,
            elapsed,
            label: self.label,
        }
    }
}

/// `127.0.0.1:PORT/REPO:TAG`.
fn reference(reg: &Registry, image: &str) -> String {
    format!("{}/{image}", reg.host_port())
}

/// The directory holding `config` for clients that read `$DOCKER_CONFIG/config.json`.
fn docker_config_dir(config: &Path) -> &Path {
    assert_eq!(
        config.file_name().and_then(|n| n.to_str()),
        Some("config.json"),
        "DOCKER_CONFIG clients read <dir>/config.json; got {}",
        config.display()
    );
    config.parent().expect("config.json has a parent dir")
}

/// The skopeo cert dir (holds only the test CA) of a TLS registry.
fn cert_dir(reg: &Registry) -> &Path {
    reg.ca_cert_path()
        .and_then(Path::parent)
        .expect("TLS registry has a CA dir")
}

/// skopeo's TLS flag for `prefix` (`""`, `"src-"`, `"dest-"`): no verification
/// for plain HTTP (that is how skopeo allows http), the test CA for TLS.
fn skopeo_tls_args(cmd: &mut Command, reg: &Registry, prefix: &str) {
    if reg.tls() {
        cmd.arg(format!("--{prefix}cert-dir")).arg(cert_dir(reg));
    } else {
        cmd.arg(format!("--{prefix}tls-verify=false"));
    }
}

/// skopeo copy (push) of the OCI layout to `image`, credentials from `--dest-authfile`.
pub fn skopeo_push(config: &Path, reg: &Registry, layout: &OciLayout, image: &str) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(tool("skopeo"), format!("skopeo copy oci: -> {target}"));
    run.cmd
        .args(["--insecure-policy", "copy", "--dest-authfile"])
        .arg(config);
    skopeo_tls_args(&mut run.cmd, reg, "dest-");
    run.cmd
        .arg(layout.skopeo_ref())
        .arg(format!("docker://{target}"));
    run.run()
}

/// skopeo inspect --raw (the manifest) of `image`, credentials from `--authfile`.
pub fn skopeo_inspect(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(
        tool("skopeo"),
        format!("skopeo inspect --authfile {target}"),
    );
    run.cmd.args(["inspect", "--raw", "--authfile"]).arg(config);
    skopeo_tls_args(&mut run.cmd, reg, "");
    run.cmd.arg(format!("docker://{target}"));
    run.run()
}

/// skopeo inspect --raw of `image`, credentials found through `DOCKER_CONFIG`
/// (the directory of `config`, which must be named `config.json`).
pub fn skopeo_inspect_docker_config(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(
        tool("skopeo"),
        format!("skopeo inspect (DOCKER_CONFIG) {target}"),
    );
    run.cmd
        .env("DOCKER_CONFIG", docker_config_dir(config))
        .args(["inspect", "--raw"]);
    skopeo_tls_args(&mut run.cmd, reg, "");
    run.cmd.arg(format!("docker://{target}"));
    run.run()
}

/// skopeo inspect --raw of `image`, credentials found only through `REGISTRY_AUTH_FILE`
/// (no `--authfile`, no docker config).
pub fn skopeo_inspect_registry_auth_file(
    config: &Path,
    reg: &Registry,
    image: &str,
) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(
        tool("skopeo"),
        format!("skopeo inspect (REGISTRY_AUTH_FILE) {target}"),
    );
    run.cmd
        .env("REGISTRY_AUTH_FILE", config)
        .args(["inspect", "--raw"]);
    skopeo_tls_args(&mut run.cmd, reg, "");
    run.cmd.arg(format!("docker://{target}"));
    run.run()
}

/// skopeo copy (pull) of `image` to `dir:<dest>`, credentials from `--src-authfile`.
pub fn skopeo_pull(config: &Path, reg: &Registry, image: &str, dest: &Path) -> ClientResult {
    let source = reference(reg, image);
    let mut run = Isolated::new(tool("skopeo"), format!("skopeo copy {source} -> dir:"));
    run.cmd
        .args(["--insecure-policy", "copy", "--src-authfile"])
        .arg(config);
    skopeo_tls_args(&mut run.cmd, reg, "src-");
    run.cmd
        .arg(format!("docker://{source}"))
        .arg(format!("dir:{}", dest.display()));
    run.run()
}

/// `docker manifest inspect` (no daemon needed) of `image` with `DOCKER_CONFIG`
/// set to the directory of `config`. `--insecure` for plain HTTP (without it
/// the CLI skips the http endpoint). Note: the docker CLI never verifies TLS
/// for 127.0.0.1/localhost, and reports a wrong password as "no such manifest"
/// (the registry log tells the truth).
pub fn docker_manifest_inspect(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(tool("docker"), format!("docker manifest inspect {target}"));
    run.cmd
        .env("DOCKER_CONFIG", docker_config_dir(config))
        .args(["manifest", "inspect"]);
    if !reg.tls() {
        run.cmd.arg("--insecure");
    }
    run.cmd.arg(target);
    run.run()
}

/// Runs `oras_client.py OP REF --config CONFIG` with the venv's python.
fn oras(op: &str, config: &Path, reg: &Registry, image: &str) -> ClientResult {
    let target = reference(reg, image);
    let mut run = Isolated::new(venv_python(), format!("oras-py {op} {target}"));
    run.cmd
        .arg(oras_script())
        .args([op, &target, "--config"])
        .arg(config);
    match reg.ca_cert_path() {
        Some(ca) => run.cmd.arg("--ca").arg(ca),
        None => run.cmd.arg("--http"),
    };
    run.run()
}

/// oras-py push of a one-file artifact to `image`, `config` passed as
/// `config_path`. Exit [`EXIT_NO_MATCH`] when oras-py finds no key for the
/// registry (checked first, as oras-py would otherwise hang for ~130 s).
pub fn oras_push(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    oras("push", config, reg, image)
}

/// oras-py pull of `image`, the artifact [`oras_push`] pushed: fails unless it pulled that
/// file with its content.
pub fn oras_pull(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    oras("pull", config, reg, image)
}

/// oras-py's key lookup only (no request): exit 0 found, [`EXIT_NO_MATCH`] not.
pub fn oras_lookup(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    oras("lookup", config, reg, image)
}

/// `oci-probe ARGS` with `DOCKER_CONFIG`, plus `E2E_HTTP=1` or `E2E_CA`.
fn oci_probe(config: &Path, reg: &Registry, args: [&str; 2]) -> ClientResult {
    let mut run = Isolated::new(oci_probe_bin(), format!("oci-probe {}", args.join(" ")));
    run.cmd
        .env("DOCKER_CONFIG", docker_config_dir(config))
        .args(args);
    match reg.ca_cert_path() {
        Some(ca) => run.cmd.env("E2E_CA", ca),
        None => run.cmd.env("E2E_HTTP", "1"),
    };
    run.run()
}

/// `oci-probe lookup 127.0.0.1:PORT`: docker_credential's key lookup only;
/// exit 0 found, [`EXIT_NO_MATCH`] not.
pub fn oci_probe_lookup(config: &Path, reg: &Registry) -> ClientResult {
    oci_probe(config, reg, ["lookup", reg.host_port()])
}

/// `oci-probe lookup SERVER` for any server string (e.g. `index.docker.io`):
/// docker_credential's key lookup only, so no registry is needed and nothing
/// is sent; exit 0 found, [`EXIT_NO_MATCH`] not.
pub fn oci_probe_lookup_server(config: &Path, server: &str) -> ClientResult {
    let mut run = Isolated::new(oci_probe_bin(), format!("oci-probe lookup {server}"));
    run.cmd
        .env("DOCKER_CONFIG", docker_config_dir(config))
        .args(["lookup", server]);
    run.run()
}

/// `oci-probe push`: oci-client pushes a one-layer artifact to `image`.
pub fn oci_probe_push(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    oci_probe(config, reg, ["push", &reference(reg, image)])
}

/// `oci-probe pull`: oci-client pulls `image` (probe artifact or OCI image).
pub fn oci_probe_pull(config: &Path, reg: &Registry, image: &str) -> ClientResult {
    oci_probe(config, reg, ["pull", &reference(reg, image)])
}

/// One line per client and server with its version, e.g. `("skopeo", "1.9.3")`.
pub fn client_versions() -> Vec<(&'static str, String)> {
    /// The first line the probe printed; panics unless it exited 0 and printed one.
    fn first_line(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
        let label = format!("{} {}", program.as_ref().to_string_lossy(), args.join(" "));
        let mut run = Isolated::new(program, label);
        run.cmd.args(args);
        let result = run.run();
        assert!(result.ok, "version probe failed:\n{result}");
        let line = result.output.lines().next().unwrap_or_default().trim();
        assert!(!line.is_empty(), "version probe printed nothing:\n{result}");
        line.to_string()
    }
    vec![
        (
            "docker-registry",
            first_line(tool("docker-registry"), &["--version"]),
        ),
        ("skopeo", first_line(tool("skopeo"), &["--version"])),
        ("docker CLI", first_line(tool("docker"), &["--version"])),
        (
            "oras-py",
            first_line(
                venv_python(),
                &[
                    "-c",
                    "import importlib.metadata as m; print('oras', m.version('oras'))",
                ],
            ),
        ),
        ("oci-probe", first_line(oci_probe_bin(), &["version"])),
    ]
}

/// A proxy URL on a loopback port nothing listens on (bound, then released): a client given it
/// in every proxy variable sends each request there and fails at once, so a check that names a
/// public registry (Docker Hub) sends nothing beyond 127.0.0.1, not even a DNS query (resolving
/// the registry's name is the proxy's job).
fn closed_loopback_proxy() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Routes every request of `cmd` to [`closed_loopback_proxy`] (the variables Go's
/// `http.ProxyFromEnvironment` reads, in both cases).
fn offline(cmd: &mut Command) {
    let proxy = closed_loopback_proxy();
    for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        cmd.env(name, &proxy);
    }
}

/// skopeo inspect --raw of the Docker Hub `image` (`docker://docker.io/IMAGE`), credentials
/// from `--authfile`, offline ([`offline`]): it looks its credentials up, then fails to
/// connect through the closed proxy.
pub fn skopeo_inspect_hub_offline(config: &Path, image: &str) -> ClientResult {
    let target = format!("docker://docker.io/{image}");
    let mut run = Isolated::new(tool("skopeo"), format!("skopeo inspect (offline) {target}"));
    offline(&mut run.cmd);
    run.cmd
        .args(["inspect", "--raw", "--authfile"])
        .arg(config)
        .arg(target);
    run.run()
}

/// `docker manifest inspect docker.io/IMAGE` with `DOCKER_CONFIG` set to the directory of
/// `config`, offline ([`offline`]): it looks its credentials up, then fails to connect through
/// the closed proxy.
pub fn docker_manifest_inspect_hub_offline(config: &Path, image: &str) -> ClientResult {
    let target = format!("docker.io/{image}");
    let mut run = Isolated::new(
        tool("docker"),
        format!("docker manifest inspect (offline) {target}"),
    );
    offline(&mut run.cmd);
    run.cmd
        .env("DOCKER_CONFIG", docker_config_dir(config))
        .args(["manifest", "inspect", &target]);
    run.run()
}

/// `skopeo login` to the registry as `user` (written to the isolated `auth.json`; TLS checked
/// against the test CA, plain HTTP allowed for an HTTP registry).
pub fn skopeo_login(reg: &Registry, user: &str, password: &str) -> ClientResult {
    let mut run = Isolated::new(tool("skopeo"), format!("skopeo login {}", reg.host_port()));
    run.cmd
        .args(["login", "--username", user, "--password", password]);
    skopeo_tls_args(&mut run.cmd, reg, "");
    run.cmd.arg(reg.host_port());
    run.run()
}

/// `docker login` to the registry as `user`, with no Docker daemon reachable (the CLI then
/// logs in itself), into the isolated `~/.docker/config.json`.
pub fn docker_login(reg: &Registry, user: &str, password: &str) -> ClientResult {
    let mut run = Isolated::new(tool("docker"), format!("docker login {}", reg.host_port()));
    run.cmd
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["login", "--username", user, "--password", password])
        .arg(reg.host_port());
    run.run()
}
