//! Object state as the engine stores it between calls.
//!
//! `RegistryConfig` state is `{"steps":[…]}` in call order; each step holds only its kind, the
//! normalized key, the username and Secret IDs — never a plaintext. The engine hands the state
//! back on the next call (possibly with IDs re-encoded, so IDs are never compared), and it may
//! have been tampered with, so decoding re-validates every key and username and reports problems
//! by step number and field, without quoting values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use dagger_sdk::{Id, Query, Secret};

use super::error::ModuleError;
use crate::client::RegistryConfig;
use crate::core::address::RegistryKey;
use crate::core::credential::{Credential, Username};
use crate::core::ecr::{EcrEndpoint, EcrLogin, EcrRegistry};
use crate::core::helper::{check_helper_key, HelperName};
use crate::core::plan::{Plan, Step};
use crate::limits::{MAX_ID_BYTES, MAX_STATE_BYTES};
use crate::names::Function;

/// A Secret ID as the engine handed it over.
pub type SecretId = String;

/// A decoded `RegistryConfig` state: the plan with Secret IDs as handles.
pub type ConfigPlan = Plan<SecretId>;

/// The library's view of a decoded state: each Secret ID becomes a `Secret` reference.
pub(crate) fn library(dag: &Query, plan: &ConfigPlan) -> RegistryConfig {
    RegistryConfig::from_plan(plan.map_handles(|id| dag.r#ref::<Secret>(Id(id.clone()))))
}

/// One step as serialized ([`decode_config`] reads the same shape back, field by field).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
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
    /// A credential helper (no secret).
    CredentialHelper { key: String, helper: String },
    /// An Amazon ECR login, minted when the config is rendered.
    #[serde(rename_all = "camelCase")]
    Ecr {
        key: String,
        access_key_id: SecretId,
        secret_access_key: SecretId,
        #[serde(skip_serializing_if = "Option::is_none")]
        session_token: Option<SecretId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
    },
    /// Removal of a key an earlier import may bring in.
    Remove { key: String },
    /// An imported config.json.
    DockerConfig { secret: SecretId },
}

/// `RegistryConfig` state.
#[derive(Serialize)]
struct StoredConfig {
    steps: Vec<StoredStep>,
}

/// Encodes a plan as state JSON.
pub fn encode_config(plan: &ConfigPlan) -> Result<Value, ModuleError> {
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
                    Credential::Helper(helper) => StoredStep::CredentialHelper {
                        key,
                        helper: helper.as_str().to_owned(),
                    },
                }
            }
            Step::Ecr { key, login } => StoredStep::Ecr {
                key: key.as_str().to_owned(),
                access_key_id: login.access_key_id.clone(),
                secret_access_key: login.secret_access_key.clone(),
                session_token: login.session_token.clone(),
                endpoint: login.endpoint.as_ref().map(|e| e.as_str().to_owned()),
            },
            Step::Remove { key } => StoredStep::Remove {
                key: key.as_str().to_owned(),
            },
            Step::Import { config } => StoredStep::DockerConfig {
                secret: config.clone(),
            },
        })
        .collect();
    serde_json::to_value(StoredConfig { steps })
        .map_err(|_| ModuleError::Encoding("RegistryConfig"))
}

/// The most steps a decoded state may hold. A config that fits the engine's secret limit has
/// at most about 7,000 entries (each takes at least 18 bytes), so a longer state was not
/// written by this module; the bound keeps decoding a tampered state cheap.
pub const MAX_STATE_STEPS: usize = 10_000;

/// The start of every state decoding error.
const MALFORMED: &str = "the RegistryConfig state is malformed";

/// Parses the parent object's state text for a call to `function` (`None` is a fresh object,
/// `{}`), after checking its size: a state over [`MAX_STATE_BYTES`] was not written by this
/// module, and parsing it could cost many times its size in memory. Errors give the size in
/// whole KiB and never quote the text.
pub fn parse_state(function: Function, text: Option<&str>) -> Result<Value, ModuleError> {
    let Some(text) = text else {
        return Ok(Value::Object(Default::default()));
    };
    let object = function.object().api_name();
    let problem = if text.len() > MAX_STATE_BYTES {
        format!(
            "the {object} state is malformed: it takes {} KiB, more than the {} KiB a state written by this module can take",
            text.len().div_ceil(1024),
            MAX_STATE_BYTES / 1024
        )
    } else {
        match serde_json::from_str(text) {
            Ok(state) => return Ok(state),
            Err(_) => format!("the {object} state is malformed: it is not JSON"),
        }
    };
    Err(ModuleError::State { function, problem })
}

/// Decodes and re-validates state JSON for a call to `function` (`{}` is the empty config).
/// Errors name the step (1-based) and the field, never a value: a tampered state may carry
/// anything.
pub fn decode_config(function: Function, state: &Value) -> Result<ConfigPlan, ModuleError> {
    decode_steps(state).map_err(|problem| ModuleError::State { function, problem })
}

/// [`decode_config`] with the problem as text.
fn decode_steps(state: &Value) -> Result<ConfigPlan, String> {
    let Value::Object(fields) = state else {
        return Err(format!(
            "{MALFORMED}: it is not a JSON object (expected {{\"steps\":[…]}} as written by this module)"
        ));
    };
    if let Some(unknown) = fields.keys().find(|name| name.as_str() != "steps") {
        return Err(format!(
            "{MALFORMED}: unknown field {} (expected {{\"steps\":[…]}} as written by this module)",
            field_name(unknown)
        ));
    }
    let steps = match fields.get("steps") {
        None => return Ok(Plan::default()),
        Some(Value::Array(steps)) => steps,
        Some(_) => return Err(format!("{MALFORMED}: field \"steps\" is not a list")),
    };
    if steps.len() > MAX_STATE_STEPS {
        return Err(format!(
            "{MALFORMED}: it has {} steps; at most {MAX_STATE_STEPS} are accepted",
            steps.len()
        ));
    }
    let decoded = steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            decode_step(step)
                .map_err(|problem| format!("{MALFORMED}: step {}: {problem}", index + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Plan::from_steps(decoded))
}

/// The fields each kind of step has, besides `kind`.
fn step_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "basic" => &["key", "username", "secret"],
        "identityToken" | "registryToken" => &["key", "secret"],
        "credentialHelper" => &["key", "helper"],
        "ecr" => &[
            "key",
            "accessKeyId",
            "secretAccessKey",
            "sessionToken",
            "endpoint",
        ],
        "remove" => &["key"],
        "dockerConfig" => &["secret"],
        _ => return None,
    })
}

/// One step, with the problem (field and what is wrong) on failure.
fn decode_step(step: &Value) -> Result<Step<SecretId>, String> {
    let (kind, fields) = step_kind(step)?;
    let key = || {
        let key = string_field(fields, "key")?;
        RegistryKey::parse(key)
            .ok()
            .filter(|parsed| parsed.as_str() == key)
            .ok_or_else(|| "field \"key\" is not a normalized registry key".to_owned())
    };
    let id = |name: &'static str| {
        let id = string_field(fields, name)?;
        if id.is_empty() {
            return Err(format!("field {name:?} is an empty Secret ID"));
        }
        if id.len() > MAX_ID_BYTES {
            return Err(format!(
                "field \"secret\" is {} bytes long, longer than any Secret ID (at most {MAX_ID_BYTES} bytes are accepted)",
                id.len()
            ));
        }
        Ok(id.to_owned())
    };
    let secret = || id("secret");
    let set = |credential| {
        Ok(Step::Set {
            key: key()?,
            credential,
        })
    };
    match kind {
        "basic" => {
            let username = Username::parse(string_field(fields, "username")?)
                .map_err(|_| "field \"username\" is not a valid username".to_owned())?;
            set(Credential::Basic {
                username,
                password: secret()?,
            })
        }
        "identityToken" => set(Credential::IdentityToken(secret()?)),
        "registryToken" => set(Credential::RegistryToken(secret()?)),
        "credentialHelper" => {
            let helper = HelperName::parse_for_container(string_field(fields, "helper")?)
                .map_err(|_| "field \"helper\" is not a valid helper name".to_owned())?;
            let key = key()?;
            check_helper_key(&key).map_err(|problem| format!("field \"key\": {problem}"))?;
            Ok(Step::Set {
                key,
                credential: Credential::Helper(helper),
            })
        }
        "ecr" => {
            let key = key()?;
            let registry = EcrRegistry::parse(&key)
                .map_err(|_| "field \"key\" is not an Amazon ECR registry".to_owned())?;
            let optional = |name| fields.contains_key(name).then(|| id(name)).transpose();
            let endpoint = match fields.contains_key("endpoint") {
                false => None,
                true => {
                    let text = string_field(fields, "endpoint")?;
                    let endpoint = EcrEndpoint::parse(text)
                        .ok()
                        .filter(|parsed| parsed.as_str() == text)
                        .ok_or("field \"endpoint\" is not a normalized ECR endpoint")?;
                    Some(endpoint)
                }
            };
            Ok(Step::Ecr {
                key,
                login: EcrLogin {
                    registry,
                    access_key_id: id("accessKeyId")?,
                    secret_access_key: id("secretAccessKey")?,
                    session_token: optional("sessionToken")?,
                    endpoint,
                },
            })
        }
        "remove" => Ok(Step::Remove { key: key()? }),
        _ => Ok(Step::Import { config: secret()? }),
    }
}

/// A step's kind and fields, after checking that it has exactly the fields of its kind.
fn step_kind(step: &Value) -> Result<(&str, &serde_json::Map<String, Value>), String> {
    let Value::Object(fields) = step else {
        return Err("it is not a JSON object".to_owned());
    };
    let kind = string_field(fields, "kind")?;
    let expected = step_fields(kind).ok_or(
        "field \"kind\" is not one of basic, identityToken, registryToken, credentialHelper, ecr, remove, dockerConfig",
    )?;
    if let Some(unknown) = fields
        .keys()
        .find(|name| name.as_str() != "kind" && !expected.contains(&name.as_str()))
    {
        return Err(format!(
            "unknown field {} for kind {kind:?}",
            field_name(unknown)
        ));
    }
    Ok((kind, fields))
}

/// A required string field of a step.
fn string_field<'a>(
    fields: &'a serde_json::Map<String, Value>,
    name: &'static str,
) -> Result<&'a str, String> {
    match fields.get(name) {
        None => Err(format!("field {name:?} is missing")),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(format!("field {name:?} is not a string")),
    }
}

/// A field name from a tampered state, quoted with escapes and cut to a readable length.
fn field_name(name: &str) -> String {
    const MAX_SHOWN: usize = 40;
    let shown: String = name.chars().take(MAX_SHOWN).collect();
    if shown.len() < name.len() {
        format!("{shown:?}…")
    } else {
        format!("{shown:?}")
    }
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

/// A state field: its name, its JSON type test, and that type's name for messages.
type FieldCheck = (&'static str, fn(&Value) -> bool, &'static str);

/// Decodes `SecretMount` state for a call to `function`, naming the field that is missing or of
/// the wrong type.
pub fn decode_secret_mount(
    function: Function,
    state: &Value,
) -> Result<SecretMountState, ModuleError> {
    decode_mount_fields(state).map_err(|problem| ModuleError::State { function, problem })
}

/// [`decode_secret_mount`] with the problem as text.
fn decode_mount_fields(state: &Value) -> Result<SecretMountState, String> {
    const MALFORMED_MOUNT: &str = "the SecretMount state is malformed";
    let Value::Object(fields) = state else {
        return Err(format!("{MALFORMED_MOUNT}: it is not a JSON object"));
    };
    let expected: [FieldCheck; 6] = [
        ("path", Value::is_string, "a string"),
        ("secretName", Value::is_string, "a string"),
        ("skipOnEmpty", Value::is_boolean, "a boolean"),
        ("owner", Value::is_string, "a string"),
        ("mode", Value::is_i64, "an integer"),
        ("registryConfig", Value::is_object, "an object"),
    ];
    if let Some(unknown) = fields
        .keys()
        .find(|name| !expected.iter().any(|(field, _, _)| field == name))
    {
        return Err(format!(
            "{MALFORMED_MOUNT}: unknown field {}",
            field_name(unknown)
        ));
    }
    for (name, has_type, type_name) in expected {
        match fields.get(name) {
            None => return Err(format!("{MALFORMED_MOUNT}: field {name:?} is missing")),
            Some(value) if !has_type(value) => {
                return Err(format!(
                    "{MALFORMED_MOUNT}: field {name:?} is not {type_name}"
                ))
            }
            Some(_) => {}
        }
    }
    // The fields are checked above (with messages that name them); this reads them in place.
    SecretMountState::deserialize(state)
        .map_err(|_| format!("{MALFORMED_MOUNT} (expected the fields written by secretMount)"))
}
