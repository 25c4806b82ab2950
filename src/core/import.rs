//! Reading an existing `config.json` (e.g. `~/.docker/config.json`) so its `auths` can be merged.
//!
//! Only `auths` is taken: `credsStore` and `credHelpers` name helper binaries that do not exist
//! inside a container, so they are dropped. Errors name the entry key and the field, never the
//! file's content: serde's own messages quote values, so none of them is passed on. A key with
//! credentials in it (`https://user:pass@host`) is only ever shown redacted (`https://***@host`).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::address::{redact_userinfo, AddressError, RegistryKey};
use super::credential::{Credential, ResolvedCredential, Username, UsernameError};
use super::plaintext::Plaintext;

use base64::Engine as _;

/// Why an imported config was rejected. Values are never quoted, only entry keys (as written,
/// with any userinfo replaced by `***`) and field names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON at all, or truncated.
    #[error("the config is not valid JSON (line {line}, column {column})")]
    InvalidJson {
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
    },
    /// The document is not a JSON object.
    #[error("the config is not a JSON object")]
    NotAnObject,
    /// `auths` is present but not an object.
    #[error("\"auths\" is not a JSON object")]
    AuthsNotAnObject,
    /// An `auths` entry is not an object.
    #[error("entry {key:?} is not a JSON object")]
    EntryNotAnObject {
        /// The entry's key as written in the file, userinfo redacted.
        key: String,
    },
    /// A field of an entry is not a string.
    #[error("entry {key:?}: field {field:?} is not a string")]
    FieldNotAString {
        /// The entry's key, userinfo redacted.
        key: String,
        /// The field name.
        field: &'static str,
    },
    /// `auth` is not standard base64 of UTF-8 text.
    #[error("entry {key:?}: \"auth\" is not base64-encoded text")]
    UndecodableAuth {
        /// The entry's key, userinfo redacted.
        key: String,
    },
    /// `auth` decodes to text without the `username:password` colon.
    #[error("entry {key:?}: \"auth\" does not decode to username:password (no colon)")]
    AuthWithoutColon {
        /// The entry's key, userinfo redacted.
        key: String,
    },
    /// A username (from `auth` or `username`) that docker would reject.
    #[error("entry {key:?}: {problem}")]
    Username {
        /// The entry's key, userinfo redacted.
        key: String,
        /// What is wrong with the username.
        problem: UsernameError,
    },
    /// `username` without `password`, or the reverse.
    #[error("entry {key:?}: has a username or a password but not both")]
    IncompleteBasicAuth {
        /// The entry's key, userinfo redacted.
        key: String,
    },
    /// The entry's key is not a registry address.
    #[error("entry {key:?}: {problem}")]
    Key {
        /// The entry's key, userinfo redacted.
        key: String,
        /// What is wrong with it.
        problem: AddressError,
    },
    /// Two keys of the file normalize to the same registry key.
    #[error("entries {first:?} and {second:?} both mean {key:?}; keep one of them")]
    DuplicateKey {
        /// The first key as written, userinfo redacted.
        first: String,
        /// The second key as written, userinfo redacted.
        second: String,
        /// The normalized key they share.
        key: String,
    },
}

/// Parses a config file's `auths` into normalized, resolved credentials, in key order. Entries
/// without any credential (such as the `{}` that credential-helper logins leave) are skipped.
pub fn parse_docker_config(
    content: &str,
) -> Result<Vec<(RegistryKey, ResolvedCredential)>, ImportError> {
    let document: &RawValue =
        serde_json::from_str(content).map_err(|e| ImportError::InvalidJson {
            line: e.line(),
            column: e.column(),
        })?;
    if !starts_with(document, b'{') {
        return Err(ImportError::NotAnObject);
    }
    let file: RawFile<'_> =
        serde_json::from_str(document.get()).map_err(|_| ImportError::NotAnObject)?;
    let Some(auths) = file.auths.filter(|raw| raw.get() != "null") else {
        return Ok(Vec::new());
    };
    if !starts_with(auths, b'{') {
        return Err(ImportError::AuthsNotAnObject);
    }
    let entries: std::collections::BTreeMap<String, &RawValue> =
        serde_json::from_str(auths.get()).map_err(|_| ImportError::AuthsNotAnObject)?;

    let mut seen: std::collections::BTreeMap<RegistryKey, String> = Default::default();
    let mut out = Vec::new();
    for (written_key, raw) in entries {
        // Every message about this entry names it by `shown`, never by the raw key, which may
        // hold a password (`https://user:pass@host`).
        let shown = redact_userinfo(&written_key).into_owned();
        let Some(credential) = parse_entry(&shown, raw)? else {
            continue;
        };
        let key = RegistryKey::parse(&written_key).map_err(|problem| ImportError::Key {
            key: shown.clone(),
            problem,
        })?;
        if let Some(first) = seen.insert(key.clone(), shown.clone()) {
            return Err(ImportError::DuplicateKey {
                first,
                second: shown,
                key: key.as_str().to_owned(),
            });
        }
        out.push((key, credential));
    }
    Ok(out)
}

/// The top level of a config file; every other key is ignored.
#[derive(Deserialize)]
struct RawFile<'a> {
    #[serde(borrow)]
    auths: Option<&'a RawValue>,
}

/// The fields of one `auths` entry that carry credentials; `email` and `serveraddress` are
/// ignored, as docker does.
#[derive(Deserialize)]
struct RawEntry<'a> {
    #[serde(borrow)]
    auth: Option<&'a RawValue>,
    #[serde(borrow)]
    username: Option<&'a RawValue>,
    #[serde(borrow)]
    password: Option<&'a RawValue>,
    #[serde(borrow)]
    identitytoken: Option<&'a RawValue>,
    #[serde(borrow)]
    registrytoken: Option<&'a RawValue>,
}

/// One entry → its credential. Token fields win over basic auth, as the clients that read
/// them do (e.g. Azure's `auth` placeholder next to an `identitytoken`). `key` is the entry's
/// key as errors show it (redacted).
fn parse_entry(key: &str, raw: &RawValue) -> Result<Option<ResolvedCredential>, ImportError> {
    let not_object = || ImportError::EntryNotAnObject {
        key: key.to_owned(),
    };
    if !starts_with(raw, b'{') {
        return Err(not_object());
    }
    let entry: RawEntry<'_> = serde_json::from_str(raw.get()).map_err(|_| not_object())?;
    let field = |name: &'static str, value: Option<&RawValue>| string_field(key, name, value);

    if let Some(token) = field("registrytoken", entry.registrytoken)? {
        return Ok(Some(Credential::RegistryToken(token)));
    }
    if let Some(token) = field("identitytoken", entry.identitytoken)? {
        return Ok(Some(Credential::IdentityToken(token)));
    }
    if let Some(auth) = field("auth", entry.auth)? {
        return decode_auth(key, &auth).map(Some);
    }
    match (
        field("username", entry.username)?,
        field("password", entry.password)?,
    ) {
        (None, None) => Ok(None),
        (Some(username), Some(password)) => Ok(Some(Credential::Basic {
            username: parse_username(key, username.expose())?,
            password,
        })),
        _ => Err(ImportError::IncompleteBasicAuth {
            key: key.to_owned(),
        }),
    }
}

/// A string field; `null`, absent and `""` all count as absent (docker's `omitempty`).
fn string_field(
    key: &str,
    name: &'static str,
    value: Option<&RawValue>,
) -> Result<Option<Plaintext>, ImportError> {
    let Some(value) = value.filter(|raw| raw.get() != "null") else {
        return Ok(None);
    };
    let not_a_string = || ImportError::FieldNotAString {
        key: key.to_owned(),
        field: name,
    };
    if !starts_with(value, b'"') {
        return Err(not_a_string());
    }
    let text: Plaintext = serde_json::from_str(value.get()).map_err(|_| not_a_string())?;
    Ok(Some(text).filter(|text| !text.expose().is_empty()))
}

/// Decodes `auth` like docker: standard base64, split at the first colon, trailing NULs trimmed
/// from the password.
fn decode_auth(key: &str, auth: &Plaintext) -> Result<ResolvedCredential, ImportError> {
    let undecodable = || ImportError::UndecodableAuth {
        key: key.to_owned(),
    };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(auth.expose().len()));
    engine
        .decode_vec(auth.expose().trim(), &mut bytes)
        .map_err(|_| undecodable())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| undecodable())?;
    let (username, password) =
        text.split_once(':')
            .ok_or_else(|| ImportError::AuthWithoutColon {
                key: key.to_owned(),
            })?;
    Ok(Credential::Basic {
        username: parse_username(key, username)?,
        password: Plaintext::new(password.trim_end_matches('\0').to_owned()),
    })
}

/// Applies the same username rules as `withRegistryAuth`.
fn parse_username(key: &str, username: &str) -> Result<Username, ImportError> {
    Username::parse(username).map_err(|problem| ImportError::Username {
        key: key.to_owned(),
        problem: redact_username_problem(problem),
    })
}

/// An imported username may be a mangled secret (e.g. a password pasted into `auth`), so the
/// imported path never quotes it.
fn redact_username_problem(problem: UsernameError) -> UsernameError {
    match problem {
        UsernameError::Colon { .. } => UsernameError::Colon {
            username: "<imported>".to_owned(),
        },
        UsernameError::ControlCharacter { .. } => UsernameError::ControlCharacter {
            username: "<imported>".to_owned(),
        },
        other => other,
    }
}

/// Whether the raw JSON value starts with `byte` (after whitespace): cheap type checks that
/// never quote the value.
fn starts_with(raw: &RawValue, byte: u8) -> bool {
    raw.get().trim_start().as_bytes().first() == Some(&byte)
}
