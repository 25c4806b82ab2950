//! `oci-probe`: a tiny, real OCI registry client for the registry-config tests.
//!
//! It reads registry credentials the way a Rust tool inside a container would:
//! [`docker_credential::get_credential`] looks the registry up in
//! `$DOCKER_CONFIG/config.json` (or `$HOME/.docker/config.json`), and
//! [`oci_client`] pushes or pulls with the credential it found.
//!
//! ```text
//! oci-probe lookup SERVER   exit 0 when config.json has a credential for SERVER, 3 when not
//! oci-probe push REF        push a small deterministic artifact to REF
//! oci-probe pull REF        pull REF (the artifact above, or a one-layer OCI image)
//! oci-probe version         print the versions of the probe and its two client crates
//! ```
//!
//! Environment: `DOCKER_CONFIG` (directory holding `config.json`), `E2E_HTTP=1`
//! for a plain-HTTP registry, `E2E_CA=/path/ca.crt` (PEM) to trust a test CA.
//!
//! Only loopback registries (`127.0.0.1`, `localhost`, `[::1]`) are accepted.
//! Credentials are never printed; on failure the whole error chain is printed.
//! Exit codes: 0 ok, 1 failure, 2 usage, 3 no credential for the registry.
#![forbid(unsafe_code)]

use std::error::Error as StdError;
use std::process::ExitCode;
use std::time::Duration;

use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::client::{
    Certificate, CertificateEncoding, ClientConfig, ClientProtocol, Config, ImageLayer,
};
use oci_client::manifest::{IMAGE_LAYER_GZIP_MEDIA_TYPE, IMAGE_LAYER_MEDIA_TYPE};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

/// Version of `docker_credential` this probe is pinned to (see Cargo.toml).
const DOCKER_CREDENTIAL_VERSION: &str = "1.4.0";
/// Version of `oci-client` this probe is pinned to (see Cargo.toml).
const OCI_CLIENT_VERSION: &str = "0.18.0";

/// Media type of the probe's single layer.
const PROBE_LAYER_MEDIA_TYPE: &str = "application/vnd.registry-config.probe.layer.v1+text";
/// Media type of the probe's config blob.
const PROBE_CONFIG_MEDIA_TYPE: &str = "application/vnd.registry-config.probe.config.v1+json";
/// Content of the probe's single layer.
const PROBE_LAYER: &[u8] = b"hello from oci-probe\n";

/// Exit code for "the credentials file has no entry for this registry".
const EXIT_NO_MATCH: u8 = 3;
/// Upper bound for a whole push or pull.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// A failure with a message and an optional underlying error chain.
struct Failure {
    /// What the probe was doing.
    context: String,
    /// The underlying error, printed with all its sources.
    source: Option<Box<dyn StdError>>,
}

impl Failure {
    /// A failure without an underlying error.
    fn msg(context: impl Into<String>) -> Self {
        Failure {
            context: context.into(),
            source: None,
        }
    }

    /// A failure caused by `err`.
    fn caused(context: impl Into<String>, err: impl StdError + 'static) -> Self {
        Failure {
            context: context.into(),
            source: Some(Box::new(err)),
        }
    }

    /// Prints the context and every error in the chain to stderr.
    fn report(&self) {
        eprintln!("oci-probe: error: {}", self.context);
        let mut next: Option<&dyn StdError> = self.source.as_deref();
        while let Some(err) = next {
            eprintln!("  caused by: {err}");
            next = err.source();
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["version"] => {
            println!(
                "oci-probe {} (docker_credential {DOCKER_CREDENTIAL_VERSION}, oci-client {OCI_CLIENT_VERSION})",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        ["lookup", server] => return lookup(server),
        ["push", reference] => run(push(reference)),
        ["pull", reference] => run(pull(reference)),
        _ => {
            eprintln!("usage: oci-probe lookup SERVER | push REF | pull REF | version");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report();
            ExitCode::FAILURE
        }
    }
}

/// Runs one async operation on a current-thread runtime, bounded by [`OPERATION_TIMEOUT`].
fn run(op: impl std::future::Future<Output = Result<(), Failure>>) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::caused("cannot start the tokio runtime", e))?;
    runtime.block_on(async {
        tokio::time::timeout(OPERATION_TIMEOUT, op)
            .await
            .unwrap_or_else(|_| {
                Err(Failure::msg(format!(
                    "timed out after {OPERATION_TIMEOUT:?}"
                )))
            })
    })
}

/// `lookup SERVER`: reports whether config.json holds a credential for SERVER.
fn lookup(server: &str) -> ExitCode {
    match credential(server) {
        Ok(Some(kind)) => {
            println!("found {} for {server}", kind.describe());
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("no-match: no credential for {server}");
            ExitCode::from(EXIT_NO_MATCH)
        }
        Err(failure) => {
            failure.report();
            ExitCode::FAILURE
        }
    }
}

/// A credential found in config.json.
enum Found {
    /// `auth` or `username`/`password`.
    Basic(String, String),
    /// `identitytoken` (an OAuth refresh token, which oci-client cannot use).
    IdentityToken,
}

impl Found {
    /// A description that contains no secret.
    fn describe(&self) -> &'static str {
        match self {
            Found::Basic(..) => "a username/password credential",
            Found::IdentityToken => "an identity token",
        }
    }
}

/// Looks `server` up with `docker_credential`; `Ok(None)` when no entry matches.
fn credential(server: &str) -> Result<Option<Found>, Failure> {
    match docker_credential::get_credential(server) {
        Ok(DockerCredential::UsernamePassword(user, password)) => {
            Ok(Some(Found::Basic(user, password)))
        }
        Ok(DockerCredential::IdentityToken(_)) => Ok(Some(Found::IdentityToken)),
        Err(CredentialRetrievalError::NoCredentialConfigured) => Ok(None),
        // The helper's stdout may hold a secret: report only which helper failed.
        Err(CredentialRetrievalError::HelperFailure { helper, .. }) => Err(Failure::msg(format!(
            "credential helper `{helper}` failed for {server}"
        ))),
        Err(err) => Err(Failure::caused(
            format!("cannot read a credential for {server} from config.json"),
            err,
        )),
    }
}

/// The registry auth for `reference`: Basic when found, anonymous (so the
/// registry answers 401) when config.json has no entry.
fn registry_auth(reference: &Reference) -> Result<RegistryAuth, Failure> {
    let server = reference.resolve_registry();
    match credential(server)? {
        Some(Found::Basic(user, password)) => Ok(RegistryAuth::Basic(user, password)),
        Some(Found::IdentityToken) => Err(Failure::msg(format!(
            "config.json holds an identity token for {server}; oci-probe only supports username/password"
        ))),
        None => {
            eprintln!("oci-probe: no credential for {server}; trying anonymously");
            Ok(RegistryAuth::Anonymous)
        }
    }
}

/// Parses `reference` and refuses any registry that is not on loopback.
fn parse_reference(reference: &str) -> Result<Reference, Failure> {
    let parsed: Reference = reference
        .parse()
        .map_err(|e| Failure::caused(format!("invalid reference {reference:?}"), e))?;
    let registry = parsed.resolve_registry();
    let host = registry
        .rsplit_once(':')
        .map_or(registry, |(host, _port)| host);
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        return Err(Failure::msg(format!(
            "refusing non-loopback registry {registry:?}"
        )));
    }
    Ok(parsed)
}

/// An oci-client configured from `E2E_HTTP` and `E2E_CA`.
fn client() -> Result<Client, Failure> {
    let mut config = ClientConfig {
        connect_timeout: Some(Duration::from_secs(5)),
        read_timeout: Some(Duration::from_secs(20)),
        ..ClientConfig::default()
    };
    if std::env::var("E2E_HTTP").is_ok_and(|v| v == "1") {
        config.protocol = ClientProtocol::Http;
    }
    if let Some(ca) = std::env::var_os("E2E_CA") {
        let data = std::fs::read(&ca)
            .map_err(|e| Failure::caused(format!("cannot read E2E_CA {ca:?}"), e))?;
        config.extra_root_certificates.push(Certificate {
            encoding: CertificateEncoding::Pem,
            data,
        });
    }
    Ok(Client::new(config))
}

/// `push REF`: pushes a one-layer artifact (deterministic content) to REF.
async fn push(reference: &str) -> Result<(), Failure> {
    let reference = parse_reference(reference)?;
    let auth = registry_auth(&reference)?;
    let layers = [ImageLayer::new(
        PROBE_LAYER.to_vec(),
        PROBE_LAYER_MEDIA_TYPE.to_string(),
        None,
    )];
    let config = Config::new(b"{}".to_vec(), PROBE_CONFIG_MEDIA_TYPE.to_string(), None);
    let response = client()?
        .push(&reference, &layers, config, &auth, None)
        .await
        .map_err(|e| Failure::caused(format!("push {reference} failed"), e))?;
    println!("pushed {reference} manifest={}", response.manifest_url);
    Ok(())
}

/// `pull REF`: pulls REF (the probe's artifact or a tar/tar+gzip image).
async fn pull(reference: &str) -> Result<(), Failure> {
    let reference = parse_reference(reference)?;
    let auth = registry_auth(&reference)?;
    let image = client()?
        .pull(
            &reference,
            &auth,
            vec![
                PROBE_LAYER_MEDIA_TYPE,
                IMAGE_LAYER_GZIP_MEDIA_TYPE,
                IMAGE_LAYER_MEDIA_TYPE,
            ],
        )
        .await
        .map_err(|e| Failure::caused(format!("pull {reference} failed"), e))?;
    let bytes: usize = image.layers.iter().map(|l| l.data.len()).sum();
    println!(
        "pulled {reference} digest={} layers={} bytes={bytes}",
        image.digest.as_deref().unwrap_or("?"),
        image.layers.len()
    );
    Ok(())
}
