//! Reading an existing `config.json` (e.g. `~/.docker/config.json`) so its entries can be merged.
//!
//! Its `auths` credentials and its `credHelpers` are taken; an empty `auths` entry in a file with
//! a `credsStore` becomes a placeholder, because its credential is in that store on the machine
//! that wrote the file and would otherwise vanish silently (the tool in the container would get
//! a 401 much later). Errors name the entry key and the field, never the
//! file's content: serde's own messages quote values and give positions (which tell how long a
//! secret is or where it breaks), so none of them is passed on. The document is walked with
//! visitors that record what went wrong in terms of entries and fields, and that refuse
//! duplicate keys instead of silently keeping one of them. A key with credentials in it
//! (`https://user:pass@host`) is only ever shown redacted (`https://***@host`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::error::Category;
use serde_json::value::RawValue;

use super::address::{redact_userinfo, AddressError, RegistryKey};
use super::credential::{Credential, ResolvedCredential, Username, UsernameError};
use super::helper::{check_helper_key, HelperKeyError, HelperName};
use super::plaintext::Plaintext;
use super::shown::prefix;
use crate::limits::MAX_IMPORT_BYTES;

use base64::Engine as _;

/// Why an imported config was rejected. Values are never quoted, only entry keys (as written,
/// with any userinfo replaced by `***`) and field names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Larger than [`MAX_IMPORT_BYTES`]; refused from its length, before parsing. The size is
    /// given in whole KiB, rounded up, so that it does not tell a secret's length.
    #[error("the config is {kib} KiB (rounded up); at most {} KiB are accepted, while a config.json is a few KiB: pass the file that holds the registry logins", MAX_IMPORT_BYTES / 1024)]
    TooLarge {
        /// The size in KiB, rounded up.
        kib: usize,
    },
    /// Not JSON at all, or truncated, outside any `auths` entry. No position is given.
    #[error(
        "the config is not valid JSON; withDockerConfig takes the content of a config.json file"
    )]
    InvalidJson,
    /// A syntax error inside the value of one `auths` entry. No position is given.
    #[error("the config is not valid JSON inside entry {key:?}")]
    InvalidEntryJson {
        /// The entry's key as written in the file, userinfo redacted.
        key: String,
    },
    /// The document is not a JSON object.
    #[error("the config is not a JSON object")]
    NotAnObject,
    /// The document has `credHelpers` or `credsStore` more than once.
    #[error("the config has more than one {name:?} key; tools disagree on which one counts, so keep one")]
    DuplicateSection {
        /// The section.
        name: &'static str,
    },
    /// `credHelpers` is not an object.
    #[error("\"credHelpers\" is not a JSON object")]
    HelpersNotAnObject,
    /// A `credHelpers` key written twice.
    #[error("the key {key:?} appears twice in \"credHelpers\"; tools disagree on which one counts, so keep one")]
    DuplicateHelper {
        /// The key, userinfo redacted.
        key: String,
    },
    /// A `credHelpers` key that names a namespace, which no tool looks a helper up by.
    #[error("the credential helper for {key:?}: {problem}")]
    HelperKey {
        /// The key, userinfo redacted.
        key: String,
        /// Why the key cannot hold a helper.
        problem: HelperKeyError,
    },
    /// A `credHelpers` value that is not a string.
    #[error("the credential helper for {key:?} is not a string")]
    HelperNotAString {
        /// The key, userinfo redacted.
        key: String,
    },
    /// A `credHelpers` value that is not a helper name. The value is not quoted: imported
    /// content may be anything, a pasted secret included.
    #[error("the credential helper for {key:?} {reason}")]
    Helper {
        /// The key, userinfo redacted.
        key: String,
        /// What is wrong with the name.
        reason: &'static str,
    },
    /// `credsStore` is not a string.
    #[error("\"credsStore\" is not a string")]
    StoreNotAString,
    /// `credsStore` is not a helper name. The value is not quoted, as for [`ImportError::Helper`].
    #[error("\"credsStore\" {reason}")]
    Store {
        /// What is wrong with the name.
        reason: &'static str,
    },
    /// The document has `auths` more than once.
    #[error("the config has more than one \"auths\" key; tools disagree on which one counts, so keep one")]
    DuplicateAuths,
    /// `auths` is present but not an object.
    #[error("\"auths\" is not a JSON object")]
    AuthsNotAnObject,
    /// The same key written twice (byte for byte) in `auths`.
    #[error(
        "entry {key:?} appears twice in \"auths\"; tools disagree on which one counts, so keep one"
    )]
    DuplicateEntry {
        /// The entry's key as written in the file, userinfo redacted.
        key: String,
    },
    /// An `auths` entry is not an object.
    #[error("entry {key:?} is not a JSON object")]
    EntryNotAnObject {
        /// The entry's key as written in the file, userinfo redacted.
        key: String,
    },
    /// A credential field written twice in one entry.
    #[error("entry {key:?}: field {field:?} appears twice; tools disagree on which one counts, so keep one")]
    DuplicateField {
        /// The entry's key, userinfo redacted.
        key: String,
        /// The field name.
        field: &'static str,
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

/// One entry of an imported config.
#[derive(Debug)]
pub enum Imported {
    /// A credential to use: from `auths`, or a helper from `credHelpers`.
    Credential(ResolvedCredential),
    /// A credential kept on the desktop that wrote the file, which no container can reach: an
    /// empty `auths` entry in a file with a `credsStore` (the credential is in that store), or a
    /// `credHelpers` entry naming a desktop-only helper (`osxkeychain`, `desktop`, …).
    InStore(HelperName),
}

/// Parses a config file into normalized entries, in key order: its `auths` credentials, its
/// `credHelpers` (which win over an `auths` entry for the same registry, as in docker), and a
/// placeholder for each empty `auths` entry when the file names a `credsStore` and for each
/// helper that exists only on a desktop. Other empty entries are skipped.
pub fn parse_docker_config(content: &str) -> Result<Vec<(RegistryKey, Imported)>, ImportError> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            kib: content.len().div_ceil(1024),
        });
    }
    let sections = read_sections(content)?;
    let store = match sections.creds_store {
        Some(raw) => store_name(raw)?,
        None => None,
    };
    let mut imported = parse_auths(sections.auths, store.as_ref())?;
    if let Some(raw) = sections.cred_helpers {
        for (key, helper) in parse_helpers(raw)? {
            let entry = if helper.is_desktop_only() {
                Imported::InStore(helper)
            } else {
                Imported::Credential(Credential::Helper(helper))
            };
            imported.insert(key, entry);
        }
    }
    Ok(imported.into_iter().collect())
}

/// The `auths` entries, keyed by their normalized key; empty ones become `store` placeholders.
fn parse_auths(
    mut entries: Vec<(String, &RawValue)>,
    store: Option<&HelperName>,
) -> Result<BTreeMap<RegistryKey, Imported>, ImportError> {
    entries.sort_by(|(a, _), (b, _)| a.cmp(b));
    let mut seen: BTreeMap<RegistryKey, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (written_key, raw) in entries {
        // Every message about this entry names it by `shown`, never by the raw key, which may
        // hold a password (`https://user:pass@host`).
        let shown = shown_key(&written_key);
        let entry = match (parse_entry(&shown, raw)?, store) {
            (Some(credential), _) => Imported::Credential(credential),
            (None, Some(store)) => Imported::InStore(store.clone()),
            (None, None) => continue,
        };
        let key = parse_key(&written_key, &shown)?;
        if let Some(first) = seen.insert(key.clone(), shown.clone()) {
            return Err(ImportError::DuplicateKey {
                first,
                second: shown,
                key: key.as_str().to_owned(),
            });
        }
        out.insert(key, entry);
    }
    Ok(out)
}

/// The `credHelpers` object: normalized host keys (a namespace key is refused: tools look helpers
/// up by host) and valid helper names, each key once.
fn parse_helpers(raw: &RawValue) -> Result<Vec<(RegistryKey, HelperName)>, ImportError> {
    let mut reading = Reading::default();
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    let entries = Auths(&mut reading)
        .deserialize(&mut deserializer)
        .map_err(|_| match reading.problem.take() {
            Some(ImportError::DuplicateEntry { key }) => ImportError::DuplicateHelper { key },
            _ => ImportError::HelpersNotAnObject,
        })?
        .unwrap_or_default();
    let mut helpers: BTreeMap<RegistryKey, (String, HelperName)> = BTreeMap::new();
    for (written_key, value) in entries {
        let shown = shown_key(&written_key);
        let key = parse_key(&written_key, &shown)?;
        check_helper_key(&key).map_err(|problem| ImportError::HelperKey {
            key: shown.clone(),
            problem,
        })?;
        let name: String = serde_json::from_str(value.get())
            .map_err(|_| ImportError::HelperNotAString { key: shown.clone() })?;
        let helper = HelperName::parse(&name).map_err(|problem| ImportError::Helper {
            key: shown.clone(),
            reason: problem.reason(),
        })?;
        if let Some((first, _)) = helpers.insert(key.clone(), (shown.clone(), helper)) {
            return Err(ImportError::DuplicateKey {
                first,
                second: shown,
                key: key.as_str().to_owned(),
            });
        }
    }
    Ok(helpers
        .into_iter()
        .map(|(key, (_, helper))| (key, helper))
        .collect())
}

/// The `credsStore` name (`desktop`, `osxkeychain`, `pass`, …); `""` means none.
fn store_name(raw: &RawValue) -> Result<Option<HelperName>, ImportError> {
    let name: String = serde_json::from_str(raw.get()).map_err(|_| ImportError::StoreNotAString)?;
    if name.is_empty() {
        return Ok(None);
    }
    HelperName::parse(&name)
        .map(Some)
        .map_err(|problem| ImportError::Store {
            reason: problem.reason(),
        })
}

/// A key as errors show it: any userinfo redacted, cut to a short prefix (an imported key may be
/// long).
fn shown_key(written_key: &str) -> String {
    prefix(&redact_userinfo(written_key))
}

/// A written key, normalized; errors name it by `shown` (redacted).
fn parse_key(written_key: &str, shown: &str) -> Result<RegistryKey, ImportError> {
    RegistryKey::parse(written_key).map_err(|problem| ImportError::Key {
        key: shown.to_owned(),
        problem,
    })
}

/// The credential sections of the document as written, values unparsed; no `auths` entries
/// when `auths` is absent or `null`.
fn read_sections(content: &str) -> Result<Sections<'_>, ImportError> {
    let mut reading = Reading::default();
    let mut deserializer = serde_json::Deserializer::from_str(content);
    let result = Document(&mut reading)
        .deserialize(&mut deserializer)
        .and_then(|auths| deserializer.end().map(|()| auths));
    match result {
        Ok(Some(sections)) => Ok(sections),
        // Valid JSON, but an array, a string, a number...
        Ok(None) => Err(ImportError::NotAnObject),
        Err(error) => Err(match error.classify() {
            // The visitors' own refusals: what they recorded.
            Category::Data => reading.problem.unwrap_or(ImportError::NotAnObject),
            // Syntax errors and truncation: at most the entry being read.
            Category::Syntax | Category::Eof | Category::Io => match reading.entry {
                Some(key) => ImportError::InvalidEntryJson { key },
                None => ImportError::InvalidJson,
            },
        }),
    }
}

/// What the visitors learned before serde gave up: the problem they refused the document for,
/// or the entry whose value was being read when a syntax error struck.
#[derive(Default)]
struct Reading {
    problem: Option<ImportError>,
    entry: Option<String>,
}

/// Records `problem` and gives serde an error to unwind with (its text is never shown).
fn refuse<E: de::Error>(slot: &mut Option<ImportError>, problem: ImportError) -> E {
    *slot = Some(problem);
    E::custom("refused")
}

/// The top level: an object whose keys of interest are `auths`, `credHelpers` and `credsStore`.
/// Any other JSON value is read to its end (`None`), so that a value followed by garbage, such
/// as a password starting with digits, is reported as not JSON rather than as not an object.
struct Document<'r>(&'r mut Reading);

/// The sections of a config file that carry credentials, values unparsed.
#[derive(Default)]
struct Sections<'de> {
    /// The `auths` entries as written.
    auths: Vec<(String, &'de RawValue)>,
    /// The `credHelpers` object, if present.
    cred_helpers: Option<&'de RawValue>,
    /// The `credsStore` value, if present.
    creds_store: Option<&'de RawValue>,
}

/// The sections, or `None` when the document is not an object.
type Entries<'de> = Option<Sections<'de>>;

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = Entries<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = Entries<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut auths: Option<Option<Vec<(String, &'de RawValue)>>> = None;
        let mut sections = Sections::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let duplicate = |name: &'static str| ImportError::DuplicateSection { name };
            match key.as_ref() {
                "auths" if auths.is_some() => {
                    return Err(refuse(&mut self.0.problem, ImportError::DuplicateAuths))
                }
                "auths" => auths = Some(map.next_value_seed(Auths(&mut *self.0))?),
                "credHelpers" if sections.cred_helpers.is_some() => {
                    return Err(refuse(&mut self.0.problem, duplicate("credHelpers")))
                }
                "credHelpers" => sections.cred_helpers = Some(map.next_value()?),
                "credsStore" if sections.creds_store.is_some() => {
                    return Err(refuse(&mut self.0.problem, duplicate("credsStore")))
                }
                "credsStore" => sections.creds_store = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        sections.auths = auths.flatten().unwrap_or_default();
        Ok(Some(sections))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The `auths` object: `null`, or entries with unique keys whose values are kept raw.
struct Auths<'r>(&'r mut Reading);

impl<'de> DeserializeSeed<'de> for Auths<'_> {
    type Value = Option<Vec<(String, &'de RawValue)>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        self.0.problem = Some(ImportError::AuthsNotAnObject);
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Auths<'_> {
    type Value = Option<Vec<(String, &'de RawValue)>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.problem = None;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.0.problem = None;
        let mut keys = BTreeSet::new();
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            // Messages name the entry by its key with any credentials redacted.
            let shown = shown_key(&key);
            if !keys.insert(key.clone()) {
                return Err(refuse(
                    &mut self.0.problem,
                    ImportError::DuplicateEntry { key: shown },
                ));
            }
            self.0.entry = Some(shown);
            let value: &'de RawValue = map.next_value()?;
            self.0.entry = None;
            entries.push((key, value));
        }
        Ok(Some(entries))
    }
}

/// The fields of one `auths` entry that carry credentials; `email` and `serveraddress` are
/// ignored, as docker does.
#[derive(Default)]
struct RawEntry<'a> {
    auth: Option<&'a RawValue>,
    username: Option<&'a RawValue>,
    password: Option<&'a RawValue>,
    identitytoken: Option<&'a RawValue>,
    registrytoken: Option<&'a RawValue>,
}

/// Reads one entry's fields, refusing a credential field written twice.
struct EntryFields<'k> {
    key: &'k str,
    problem: &'k mut Option<ImportError>,
}

impl<'de> DeserializeSeed<'de> for EntryFields<'_> {
    type Value = RawEntry<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        *self.problem = Some(ImportError::EntryNotAnObject {
            key: self.key.to_owned(),
        });
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntryFields<'_> {
    type Value = RawEntry<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        *self.problem = None;
        let mut entry = RawEntry::default();
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            let (field, slot) = match name.as_ref() {
                "auth" => ("auth", &mut entry.auth),
                "username" => ("username", &mut entry.username),
                "password" => ("password", &mut entry.password),
                "identitytoken" => ("identitytoken", &mut entry.identitytoken),
                "registrytoken" => ("registrytoken", &mut entry.registrytoken),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.is_some() {
                return Err(refuse(
                    self.problem,
                    ImportError::DuplicateField {
                        key: self.key.to_owned(),
                        field,
                    },
                ));
            }
            *slot = Some(map.next_value()?);
        }
        Ok(entry)
    }
}

/// One entry → its credential. Token fields win over basic auth, as the clients that read
/// them do (e.g. Azure's `auth` placeholder next to an `identitytoken`). `key` is the entry's
/// key as errors show it (redacted).
fn parse_entry(key: &str, raw: &RawValue) -> Result<Option<ResolvedCredential>, ImportError> {
    let mut problem = None;
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    let entry = EntryFields {
        key,
        problem: &mut problem,
    }
    .deserialize(&mut deserializer)
    .map_err(|_| {
        problem
            .take()
            .unwrap_or_else(|| ImportError::EntryNotAnObject {
                key: key.to_owned(),
            })
    })?;
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

/// Applies the same username rules as `withRegistryAuth`. An imported username may be a mangled
/// secret (e.g. a password pasted into `auth`), so the error never quotes any of it.
fn parse_username(key: &str, username: &str) -> Result<Username, ImportError> {
    Username::parse(username).map_err(|problem| ImportError::Username {
        key: key.to_owned(),
        problem: problem.redacted(),
    })
}

/// Whether the raw JSON value starts with `byte` (after whitespace): cheap type checks that
/// never quote the value.
fn starts_with(raw: &RawValue, byte: u8) -> bool {
    raw.get().trim_start().as_bytes().first() == Some(&byte)
}
