//! The **naive baseline** for `BENCHMARKS.md`: the `registry-config` chain written the way the
//! `dagger-sdk` crate's generated API invites, and the way the Go module works — every field of
//! the call read with its own getter, every secret loaded and its plaintext read one at a time.
//!
//! It implements only what the benchmark chain needs: `RegistryConfig.withRegistryAuth` (state
//! `{"auths":[{"address","username","secret"}]}`) and `RegistryConfig.secret` (renders
//! `{"auths":{ADDRESS:{"auth":base64(user:pass)}}}`, names it `registry-config-<sha256 hex>`,
//! `setSecret`, returns the ID). It is not registered with an engine; the benchmark drives it
//! with `EngineDouble::run`. Round trips per call (engine double): envelope `4 + 2·args`,
//! `dag.load::<Secret>` + `plaintext()` 2 per secret, `setSecret{id}` 1, `returnValue` 1.
//!
//! With `NAIVE_NAMING=argon2id` in its environment it names the secret like the real module
//! (argon2id, m=19456 KiB, t=2, p=1) instead of SHA-256, so the benchmark can separate the cost
//! of the naming policy from the cost of the protocol.

use std::collections::BTreeMap;
use std::process::ExitCode;

use base64::Engine as _;
use dagger_sdk::errors::DaggerError;
use dagger_sdk::{Id, Json, Query, Secret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Object state: the Go module's shape (address, username, Secret ID per entry).
#[derive(Serialize, Deserialize, Default)]
struct State {
    #[serde(default)]
    auths: Vec<Auth>,
}

#[derive(Serialize, Deserialize)]
struct Auth {
    address: String,
    username: String,
    secret: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Without a session the crate would download a CLI; a module must never do that.
    if std::env::var_os("DAGGER_SESSION_PORT").is_none()
        || std::env::var_os("DAGGER_SESSION_TOKEN").is_none()
    {
        eprintln!("naive-module: DAGGER_SESSION_PORT/DAGGER_SESSION_TOKEN not set");
        return ExitCode::from(1);
    }
    match dagger_sdk::connect(|dag| async move { serve(dag).await }).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("naive-module: {e:?}");
            ExitCode::from(2)
        }
    }
}

/// Reads the call field by field, dispatches, and returns the value (or the error).
async fn serve(dag: Query) -> eyre::Result<()> {
    let call = dag.current_function_call();
    let parent_name = call.parent_name().await?;
    let name = call.name().await?;
    let parent = call.parent().await?;
    let mut args = BTreeMap::new();
    for arg in call.input_args().await? {
        let arg_name = arg.name().await?;
        let value = arg.value().await?;
        args.insert(arg_name, value.0);
    }

    let result = match (parent_name.as_str(), name.as_str()) {
        ("RegistryConfig", "withRegistryAuth") => with_registry_auth(&parent, &args),
        ("RegistryConfig", "secret") => secret(&dag, &parent).await,
        _ => Err(eyre::eyre!("unknown function {parent_name}.{name}")),
    };
    match result {
        Ok(value) => void(call.return_value(Json(value)).await),
        Err(error) => {
            void(call.return_error(dag.error(error.to_string())).await)?;
            Err(error)
        }
    }
}

/// `returnValue`/`returnError` answer `null`, which the crate's `Void` cannot decode: its
/// `Unpack` error means success.
fn void<T>(result: Result<T, DaggerError>) -> eyre::Result<()> {
    match result {
        Ok(_) | Err(DaggerError::Unpack(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn state(parent: &Json) -> eyre::Result<State> {
    let value: Option<State> = serde_json::from_str(&parent.0)?;
    Ok(value.unwrap_or_default())
}

fn string_arg(args: &BTreeMap<String, String>, name: &str) -> eyre::Result<String> {
    let raw = args
        .get(name)
        .ok_or_else(|| eyre::eyre!("missing argument {name}"))?;
    Ok(serde_json::from_str(raw)?)
}

fn with_registry_auth(parent: &Json, args: &BTreeMap<String, String>) -> eyre::Result<String> {
    let mut state = state(parent)?;
    state.auths.push(Auth {
        address: string_arg(args, "address")?,
        username: string_arg(args, "username")?,
        secret: string_arg(args, "secret")?,
    });
    Ok(serde_json::to_string(&state)?)
}

#[derive(Serialize)]
struct Entry {
    auth: String,
}

async fn secret(dag: &Query, parent: &Json) -> eyre::Result<String> {
    let state = state(parent)?;
    let mut auths = BTreeMap::new();
    for auth in &state.auths {
        let secret: Secret = dag.load(Id(auth.secret.clone())).await?;
        let password = secret.plaintext().await?;
        let joined = format!("{}:{password}", auth.username);
        let encoded = base64::engine::general_purpose::STANDARD.encode(joined);
        auths.insert(auth.address.clone(), Entry { auth: encoded });
    }
    let config = serde_json::to_string(&serde_json::json!({ "auths": auths }))?;
    let digest = match std::env::var("NAIVE_NAMING").as_deref() {
        Ok("argon2id") => argon2id(config.as_bytes())?,
        _ => Sha256::digest(config.as_bytes()).to_vec(),
    };
    let name = format!("registry-config-{}", hex::encode(digest));
    let id = dag.set_secret(name, config).id().await?;
    Ok(serde_json::to_string(&id.0)?)
}

/// The real module's naming digest (OWASP-minimum argon2id, fixed domain-separation salt).
fn argon2id(content: &[u8]) -> eyre::Result<Vec<u8>> {
    let params = argon2::Params::new(19 * 1024, 2, 1, Some(32))
        .map_err(|e| eyre::eyre!("argon2 parameters: {e}"))?;
    let mut digest = vec![0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(content, b"registry-config/secret-name/v1", &mut digest)
        .map_err(|e| eyre::eyre!("argon2: {e}"))?;
    Ok(digest)
}
