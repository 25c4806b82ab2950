//! A real CNCF distribution registry (`/usr/bin/docker-registry`, Debian's
//! `docker-registry` package) on 127.0.0.1 with htpasswd (bcrypt) basic auth,
//! over plain HTTP or TLS with a throwaway CA, for the real-client tests.
//!
//! Install the tools with `scripts/install-test-deps.sh`. Every registry
//! listens on `127.0.0.1:<free port>` only, stores in its own temp dir, and is
//! killed (and waited for) when the [`Registry`] is dropped, also on panic.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::token_issuer::{TokenIssuer, ISSUER, SERVICE};

/// Directories searched for the external tools (the harness never trusts `PATH`).
pub const TOOL_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// `PATH` given to every child process.
pub const CLEAN_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The test user the registry's htpasswd file holds.
pub const TEST_USER: &str = "e2euser";
/// That user's password (bcrypt-hashed in the htpasswd file).
pub const TEST_PASSWORD: &str = "e2e-S3cret!";

/// How long the registry may take to answer `GET /v2/` with 401.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at finding a free port (another process may take it between probe and bind).
const START_ATTEMPTS: usize = 3;

/// Finds an external tool, or panics telling how to install it.
pub fn tool(name: &str) -> PathBuf {
    TOOL_DIRS
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` not found in {TOOL_DIRS:?}: run scripts/install-test-deps.sh")
        })
}

/// Runs a setup command (openssl, htpasswd) in a clean env; panics on failure.
pub(crate) fn run_setup(cmd: &mut Command, stdin: Option<&[u8]>) -> Vec<u8> {
    cmd.env_clear()
        .env("PATH", CLEAN_PATH)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot spawn {cmd:?}: {e}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input)
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for setup command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A running registry; killed and waited for on drop.
pub struct Registry {
    /// The user htpasswd accepts, and its password.
    user: String,
    password: String,
    /// The registry process.
    child: Child,
    /// 127.0.0.1:PORT
    host_port: String,
    /// Whether the registry serves TLS.
    tls: bool,
    /// The CA that signed the server certificate (TLS only), alone in its directory.
    ca_cert: Option<PathBuf>,
    /// The registry's combined stdout/stderr.
    log_path: PathBuf,
    /// Owns every file of this registry; removed after the process is gone.
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry with htpasswd auth for [`TEST_USER`]/[`TEST_PASSWORD`] on
    /// `127.0.0.1:<free port>`, over TLS when `tls`, and waits until `GET /v2/`
    /// answers 401. Panics (with the registry log) when it does not come up.
    pub fn start(tls: bool) -> Registry {
        Self::start_with(tls, None, TEST_USER, TEST_PASSWORD)
    }

    /// Starts a TLS registry like [`Registry::start`] whose certificate names only the IP
    /// `127.0.0.1`, so that reaching it as `localhost` meets a certificate for another name.
    pub fn start_tls_for_ip_only() -> Registry {
        Self::start_named(true, None, TEST_USER, TEST_PASSWORD, IP_ONLY)
    }

    /// Starts a plain-HTTP registry with htpasswd auth for `user`/`password` (e.g. `AWS` and
    /// the password of a minted ECR token).
    pub fn start_login(user: &str, password: &str) -> Registry {
        Self::start_with(false, None, user, password)
    }

    /// Starts a registry in `auth: token` mode, over TLS when `tls`: it sends clients to
    /// `issuer`'s realm and accepts the JWTs signed with the issuer's certificate.
    pub fn start_token(issuer: &TokenIssuer, tls: bool) -> Registry {
        Self::start_with(tls, Some(issuer), TEST_USER, TEST_PASSWORD)
    }

    /// Starts a registry with htpasswd auth, or token auth with `issuer`; a TLS one has a
    /// certificate for both loopback names.
    fn start_with(tls: bool, issuer: Option<&TokenIssuer>, user: &str, password: &str) -> Registry {
        Self::start_named(tls, issuer, user, password, BOTH_LOOPBACK_NAMES)
    }

    /// [`Registry::start_with`] with the certificate's `subject_alt_names` (openssl syntax).
    fn start_named(
        tls: bool,
        issuer: Option<&TokenIssuer>,
        user: &str,
        password: &str,
        subject_alt_names: &str,
    ) -> Registry {
        let registry_bin = tool("docker-registry");
        let dir = tempfile::Builder::new()
            .prefix("registry-config-e2e-")
            .tempdir()
            .expect("create registry temp dir");
        let w = dir.path();
        fs::create_dir_all(w.join("store")).expect("mkdir store");

        let auth_block = match issuer {
            Some(issuer) => format!(
                "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                issuer.realm(),
                issuer.certificate().display()
            ),
            None => {
                let htpasswd = run_setup(
                    Command::new(tool("htpasswd")).args(["-niB", user]),
                    Some(password.as_bytes()),
                );
                assert!(
                    htpasswd.starts_with(format!("{user}:$2y$").as_bytes()),
                    "htpasswd did not produce a bcrypt entry"
                );
                fs::write(w.join("htpasswd"), htpasswd).expect("write htpasswd");
                format!(
                    "auth:\n  htpasswd:\n    realm: e2e-registry\n    path: {}\n",
                    w.join("htpasswd").display()
                )
            }
        };

        let ca_cert = tls.then(|| make_certs(w, subject_alt_names));

        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let host_port = format!("127.0.0.1:{}", free_port());
            let config_path = w.join("registry.yml");
            fs::write(
                &config_path,
                registry_config(w, &host_port, tls, &auth_block),
            )
            .expect("write registry.yml");
            let log_path = w.join("registry.log");
            let log = fs::File::create(&log_path).expect("create registry.log");
            let mut child = Command::new(&registry_bin)
                .arg("serve")
                .arg(&config_path)
                .env_clear()
                .env("PATH", CLEAN_PATH)
                .current_dir(w)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("clone log handle"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot spawn {registry_bin:?}: {e}"));
            let url = format!("{}://{host_port}", if tls { "https" } else { "http" });
            if wait_ready(&mut child, &url, ca_cert.as_deref()) {
                return Registry {
                    user: user.to_owned(),
                    password: password.to_owned(),
                    child,
                    host_port,
                    tls,
                    ca_cert,
                    log_path,
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = fs::read_to_string(&log_path).unwrap_or_default();
            // The port was taken between probe and bind: try another one.
            if !last_log.contains("address already in use") {
                break;
            }
        }
        panic!(
            "registry did not answer 401 on /v2/ within {START_TIMEOUT:?}: \
             run scripts/install-test-deps.sh if a tool is missing; log:\n{last_log}"
        );
    }

    /// The HTTP status of an anonymous `GET /v2/` (TLS verified against the
    /// test CA), e.g. `"401"`; `None` when curl could not run.
    pub fn probe_v2(&self) -> Option<String> {
        probe_v2(&self.url(), self.ca_cert.as_deref())
    }

    /// `127.0.0.1:PORT`, the registry's host as clients and `auths` keys spell it.
    pub fn host_port(&self) -> &str {
        &self.host_port
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.host_port)
    }

    /// Whether this registry serves TLS.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// The test CA (PEM) for a TLS registry; it is the only file in its
    /// directory, so its parent works as a skopeo `--cert-dir`.
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.ca_cert.as_deref()
    }

    /// The user the registry accepts.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// That user's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The registry's log so far. Classify a 401 with it:
    /// `error authenticating user` = wrong password, `invalid authorization
    /// credential` = no credentials sent, `TLS handshake error` = client
    /// rejected the certificate.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Waits (up to `timeout`) until the log contains `needle`; the registry may
    /// write a line just after it answered.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// The registry's private working directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills the process and waits for it (idempotent).
    fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `GET /v2/` until it answers 401, the process exits, or [`START_TIMEOUT`].
fn wait_ready(child: &mut Child, url: &str, ca: Option<&Path>) -> bool {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if probe_v2(url, ca).as_deref() == Some("401") {
            return true;
        }
        sleep(Duration::from_millis(10));
    }
    false
}

/// The HTTP status of an anonymous `GET URL/v2/` with curl (no proxy, no .curlrc).
fn probe_v2(url: &str, ca: Option<&Path>) -> Option<String> {
    let mut cmd = Command::new(tool("curl"));
    // -q must come first: it makes curl ignore any .curlrc.
    cmd.args(["-q", "-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .args(["--noproxy", "*", "--max-time", "2"]);
    if let Some(ca) = ca {
        cmd.arg("--cacert").arg(ca);
    }
    let out = cmd
        .arg(format!("{url}/v2/"))
        .env_clear()
        .env("PATH", CLEAN_PATH)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A port that was free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// The registry's YAML config: loopback only, filesystem storage, and `auth_block`.
fn registry_config(w: &Path, host_port: &str, tls: bool, auth_block: &str) -> String {
    let tls_block = if tls {
        format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            w.join("certs/server.crt").display(),
            w.join("certs/server.key").display()
        )
    } else {
        String::new()
    };
    format!(
        "version: 0.1\n\
         log:\n  level: info\n  formatter: text\n\
         storage:\n  filesystem:\n    rootdirectory: {store}\n  delete:\n    enabled: true\n\
         http:\n  addr: {host_port}\n  secret: registry-config-e2e-throwaway\n{tls_block}\
         {auth_block}",
        store = w.join("store").display(),
    )
}

/// The names of the usual server certificate: both ways of reaching the registry.
const BOTH_LOOPBACK_NAMES: &str = "IP:127.0.0.1,DNS:localhost";
/// The names of a server certificate that does not cover `localhost`.
const IP_ONLY: &str = "IP:127.0.0.1";

/// Makes a throwaway CA and a server cert for `subject_alt_names` (e.g.
/// [`BOTH_LOOPBACK_NAMES`]) with the openssl CLI; returns the CA path (`w/ca/ca.crt`, alone
/// in its dir).
fn make_certs(w: &Path, subject_alt_names: &str) -> PathBuf {
    let openssl = tool("openssl");
    let certs = w.join("certs");
    let ca_dir = w.join("ca");
    fs::create_dir_all(&certs).expect("mkdir certs");
    fs::create_dir_all(&ca_dir).expect("mkdir ca");
    let ca_crt = ca_dir.join("ca.crt");
    let ca_key = certs.join("ca.key");
    run_setup(
        Command::new(&openssl)
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=registry-config e2e CA"])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            .arg("-keyout")
            .arg(&ca_key)
            .arg("-out")
            .arg(&ca_crt),
        None,
    );
    let server_key = certs.join("server.key");
    let server_csr = certs.join("server.csr");
    run_setup(
        Command::new(&openssl)
            .args([
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=registry-config e2e server",
            ])
            .arg("-keyout")
            .arg(&server_key)
            .arg("-out")
            .arg(&server_csr),
        None,
    );
    let ext = certs.join("ext.cnf");
    fs::write(
        &ext,
        format!(
            "subjectAltName={subject_alt_names}\n\
             basicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\n"
        ),
    )
    .expect("write ext.cnf");
    run_setup(
        Command::new(&openssl)
            .args(["x509", "-req", "-days", "2"])
            .arg("-in")
            .arg(&server_csr)
            .arg("-CA")
            .arg(&ca_crt)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-CAcreateserial")
            .arg("-CAserial")
            .arg(certs.join("ca.srl"))
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(certs.join("server.crt")),
        None,
    );
    ca_crt
}
