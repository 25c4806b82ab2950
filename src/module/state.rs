//! Object state as the engine stores it between calls.
//!
//! `RegistryConfig` state is `{"steps":[…]}` in call order; each step holds only its kind, the
//! normalized key, the username and Secret IDs — never a plaintext. The engine hands the state
//! back on the next call (possibly with IDs re-encoded, so IDs are never compared), and it may
//! have been tampered with, so decoding re-validates every key and username and reports problems
//! by step number and field, without quoting values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::address::RegistryKey;
use crate::core::credential::{Credential, Username};
use crate::core::plan::{Plan, Step};

/// A Secret ID as the engine handed it over.
pub type SecretId = String;

/// One step as serialized.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
enum StoredStep {
    /// Basic auth.
    Basic {
        key: String,
        username: String,
        secret: SecretId,
    },
    /// `identitytoken`.
    IdentityToken { key: String, secret: SecretId },
    /// `registrytoken`.
    RegistryToken { key: String, secret: SecretId },
    /// Removal of a key an earlier import may bring in.
    Remove { key: String },
    /// An imported config.json.
    DockerConfig { secret: SecretId },
}

/// `RegistryConfig` state.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StoredConfig {
    #[serde(default)]
    steps: Vec<StoredStep>,
}

/// Encodes a plan as state JSON.
pub fn encode_config(plan: &Plan<SecretId>) -> Result<Value, String> {
    let steps = plan
        .steps()
        .iter()
        .map(|step| match step {
            Step::Set { key, credential } => {
                let key = key.as_str().to_owned();
                match credential {
                    Credential::Basic { username, password } => StoredStep::Basic {
                        key,
                        username: username.as_str().to_owned(),
                        secret: password.clone(),
                    },
                    Credential::IdentityToken(secret) => StoredStep::IdentityToken {
                        key,
                        secret: secret.clone(),
                    },
                    Credential::RegistryToken(secret) => StoredStep::RegistryToken {
                        key,
                        secret: secret.clone(),
                    },
                }
            }
            Step::Remove { key } => StoredStep::Remove {
                key: key.as_str().to_owned(),
            },
            Step::Import { config } => StoredStep::DockerConfig {
                secret: config.clone(),
            },
        })
        .collect();
    serde_json::to_value(StoredConfig { steps })
        .map_err(|_| "internal error: the RegistryConfig state could not be encoded".to_owned())
}

/// Decodes and re-validates state JSON (`{}` is the empty config).
pub fn decode_config(state: &Value) -> Result<Plan<SecretId>, String> {
    let stored: StoredConfig = serde_json::from_value(state.clone()).map_err(|_| {
        "the RegistryConfig state is malformed (expected {\"steps\":[…]} as written by this module)"
            .to_owned()
    })?;
    let mut steps = Vec::with_capacity(stored.steps.len());
    for (index, step) in stored.steps.into_iter().enumerate() {
        let step_number = index + 1;
        let key = |key: &str| {
            let parsed = RegistryKey::parse(key).ok().filter(|k| k.as_str() == key);
            parsed.ok_or_else(|| {
                format!("the RegistryConfig state is malformed: step {step_number} has a key that is not normalized")
            })
        };
        let secret = |secret: SecretId| {
            if secret.is_empty() {
                Err(format!(
                    "the RegistryConfig state is malformed: step {step_number} has an empty secret ID"
                ))
            } else {
                Ok(secret)
            }
        };
        steps.push(match step {
            StoredStep::Basic {
                key: k,
                username,
                secret: s,
            } => Step::Set {
                key: key(&k)?,
                credential: Credential::Basic {
                    username: Username::parse(&username).map_err(|_| {
                        format!("the RegistryConfig state is malformed: step {step_number} has an invalid username")
                    })?,
                    password: secret(s)?,
                },
            },
            StoredStep::IdentityToken { key: k, secret: s } => Step::Set {
                key: key(&k)?,
                credential: Credential::IdentityToken(secret(s)?),
            },
            StoredStep::RegistryToken { key: k, secret: s } => Step::Set {
                key: key(&k)?,
                credential: Credential::RegistryToken(secret(s)?),
            },
            StoredStep::Remove { key: k } => Step::Remove { key: key(&k)? },
            StoredStep::DockerConfig { secret: s } => Step::Import { config: secret(s)? },
        });
    }
    Ok(Plan::from_steps(steps))
}

/// `SecretMount` state: the Go module's public fields plus the config.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretMountState {
    /// Mount path.
    pub path: String,
    /// Secret-name prefix (`""` = default).
    pub secret_name: String,
    /// Leave the container unchanged when there are no entries.
    pub skip_on_empty: bool,
    /// Owner (`""` = root).
    pub owner: String,
    /// File mode (0 = engine default).
    pub mode: i64,
    /// The config's state.
    pub registry_config: Value,
}

/// Decodes `SecretMount` state.
pub fn decode_secret_mount(state: &Value) -> Result<SecretMountState, String> {
    serde_json::from_value(state.clone()).map_err(|_| {
        "the SecretMount state is malformed (expected the fields written by secretMount)".to_owned()
    })
}
