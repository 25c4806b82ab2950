//! A `moto` server on 127.0.0.1 as the AWS implementation of the ECR tests: moto's own IAM, STS
//! and ECR APIs, prepared by `moto_aws.py` (an IAM user with an access key, a role to assume)
//! and then checking every request's SigV4 signature and IAM policy.

use std::fs;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::clients::repo_root;
use crate::registry::free_port;

/// How long moto may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The moto venv: `$REGISTRY_CONFIG_MOTO_VENV` or `<repo>/target/moto-venv`
/// (scripts/install-test-deps.sh makes it).
pub fn moto_venv() -> PathBuf {
    std::env::var_os("REGISTRY_CONFIG_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/moto-venv"))
}

/// AWS credentials moto issued.
#[derive(Clone, Debug)]
pub struct AwsKeys {
    /// The access key ID.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token (temporary credentials only).
    pub session_token: Option<String>,
    /// The `authorizationToken` boto3 got from ECR with these keys.
    pub boto3_token: String,
}

/// A running moto server; stopped when dropped.
pub struct Moto {
    child: Child,
    endpoint: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts `moto_server` on a free 127.0.0.1 port and waits until it accepts connections.
    pub fn start() -> Moto {
        let server = moto_venv().join("bin/moto_server");
        assert!(
            server.is_file(),
            "{} missing: run scripts/install-test-deps.sh",
            server.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("registry-config-moto-")
            .tempdir()
            .expect("create moto temp dir");
        let log = dir.path().join("moto.log");
        let port = free_port();
        let log_file = fs::File::create(&log).expect("create moto.log");
        let mut child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn {server:?}: {e}"));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "moto exited with {status}: {}",
                    fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "moto did not come up within {START_TIMEOUT:?}"
            );
            sleep(Duration::from_millis(200));
        }
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Runs `moto_aws.py`: an IAM user with an access key and a role it may assume, then the
    /// signature and IAM checks on. Returns the user's keys and the assumed role's temporary
    /// credentials, each with the token boto3 got for them.
    pub fn prepare(&self) -> (AwsKeys, AwsKeys) {
        let output = Command::new(moto_venv().join("bin/python"))
            .arg(repo_root().join("tests/support/moto_aws.py"))
            .arg(&self.endpoint)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("run moto_aws.py");
        assert!(
            output.status.success(),
            "moto_aws.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let setup: Value = serde_json::from_slice(&output.stdout).expect("moto_aws.py JSON");
        let text = |value: &Value, field: &str| {
            value[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} missing"))
                .to_owned()
        };
        let user = AwsKeys {
            access_key_id: text(&setup, "accessKeyId"),
            secret_access_key: text(&setup, "secretAccessKey"),
            session_token: None,
            boto3_token: text(&setup, "token"),
        };
        let session = &setup["session"];
        let temporary = AwsKeys {
            access_key_id: text(session, "accessKeyId"),
            secret_access_key: text(session, "secretAccessKey"),
            session_token: Some(text(session, "sessionToken")),
            boto3_token: text(session, "token"),
        };
        (user, temporary)
    }

    /// How many `GetAuthorizationToken`-shaped requests (`POST /`) moto has answered so far.
    pub fn posts(&self) -> usize {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("\"POST / HTTP/1.1\"")
            .count()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
