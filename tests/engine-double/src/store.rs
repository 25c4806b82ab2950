//! The double's object store: opaque random IDs (and aliases of them), immutable core objects
//! (`FunctionCall`, `Secret`, `Error`, `Container`, …) and their field resolvers.
//!
//! Type definitions (`TypeDef`, `Function`, `Module`) live in [`crate::typedefs`]; this file
//! stores them and dispatches to it.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde_json::Value;

use crate::execution::Args;
use crate::filesystem::{
    self, CacheMountRecord, CopiedFileRecord, DirectoryRecord, ExecRecord, FileRecord,
    ModuleSourceState, CONTAINER_BUILD_FIELDS,
};
use crate::typedefs::{self, FunctionDef, ModuleDef, TypeDef};

/// The largest plaintext `setSecret` accepts, in bytes (the engine's limit).
pub const MAX_SECRET_BYTES: usize = 128_000;

/// Index of an object in the store.
pub(crate) type ObjId = usize;

/// The object a field is resolved on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parent {
    /// The root `Query` object.
    Query,
    /// A stored object.
    Object(ObjId),
}

/// A resolver's result, before sub-selections are applied.
#[derive(Debug)]
pub(crate) enum Resolved {
    Null,
    Scalar(Value),
    Object(ObjId),
    List(Vec<Resolved>),
}

/// A secret as the double holds it: `Secret.name` and `Secret.plaintext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRecord {
    /// `setSecret` name (empty for seeded and `secret(uri)` secrets).
    pub name: String,
    /// Current plaintext (for `setSecret` secrets: the last one bound to the name).
    pub plaintext: String,
    /// `secret(uri)` URI (empty for seeded and `setSecret` secrets).
    pub uri: String,
}

/// The recorded state of a `Container`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerRecord {
    /// Address passed to `Container.from`, if any.
    pub from: Option<String>,
    /// Secret mounts by target path (`withMountedSecret`).
    pub mounts: BTreeMap<String, SecretMountRecord>,
    /// Plain environment variables (`withEnvVariable`), unexpanded.
    pub env: BTreeMap<String, String>,
    /// Secret environment variables (`withSecretVariable`): name → canonical Secret ID.
    pub secret_env: BTreeMap<String, String>,
    /// Files written with `withNewFile` (a leak if they ever hold credentials), by path.
    pub files: BTreeMap<String, NewFileRecord>,
    /// Cache volumes mounted with `withMountedCache`, by path.
    pub caches: BTreeMap<String, CacheMountRecord>,
    /// Directories mounted with `withMountedDirectory`, by path.
    pub directories: BTreeMap<String, DirectoryRecord>,
    /// The working directory set with `withWorkdir`, if any.
    pub workdir: Option<String>,
    /// Every `withExec`, in order.
    pub execs: Vec<ExecRecord>,
    /// Files copied in with `withFile`, by path.
    pub copied_files: BTreeMap<String, CopiedFileRecord>,
    /// `withEntrypoint` (empty when never set).
    pub entrypoint: Vec<String>,
    /// `withDefaultArgs`, cleared by `withoutDefaultArgs` and by `withEntrypoint`.
    pub default_args: Vec<String>,
}

/// One `withMountedSecret` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMountRecord {
    /// Canonical ID of the mounted Secret (the ID it was created with, even if the module
    /// passed an alias); resolve it with `EngineDouble::secret`.
    pub secret_id: String,
    /// `owner` ("" = engine default).
    pub owner: String,
    /// `inheritOwner`.
    pub inherit_owner: bool,
    /// `mode` (256 = 0o400 when the module omits it, per the schema default).
    pub mode: i64,
    /// `expand`.
    pub expand: bool,
}

/// One `withNewFile` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFileRecord {
    /// File contents.
    pub contents: String,
    /// `permissions` (schema default 420 = 0o644).
    pub permissions: i64,
    /// `owner`.
    pub owner: String,
    /// `inheritOwner`.
    pub inherit_owner: bool,
    /// `expand`.
    pub expand: bool,
}

/// An `Error` object: message plus `withValue` entries (decoded JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    /// `Error.message`.
    pub message: String,
    /// `withValue(name, value)` entries in order, values decoded from JSON text.
    pub values: Vec<(String, Value)>,
}

/// What a function call returned.
#[derive(Debug, Clone)]
pub(crate) enum Returned {
    Value(Value),
    Error(ErrorRecord),
}

/// The `FunctionCall` the module process sees.
#[derive(Debug, Clone)]
pub(crate) struct FunctionCallState {
    pub name: String,
    pub parent_name: String,
    /// JSON text of the parent state.
    pub parent: String,
    /// `FunctionCallArgValue` objects.
    pub args: Vec<ObjId>,
    pub returned: Option<Returned>,
}

#[derive(Debug, Clone)]
pub(crate) struct SecretState {
    name: String,
    plaintext: String,
    uri: String,
}

impl SecretState {
    fn record(&self) -> SecretRecord {
        SecretRecord {
            name: self.name.clone(),
            plaintext: self.plaintext.clone(),
            uri: self.uri.clone(),
        }
    }
}

/// Every kind of object the double stores.
#[derive(Debug, Clone)]
pub(crate) enum Object {
    FunctionCall(FunctionCallState),
    ArgValue { name: String, value: String },
    Secret(SecretState),
    Error { message: String, values: Vec<ObjId> },
    ErrorValue { name: String, value: Value },
    Container(ContainerRecord),
    Directory(DirectoryRecord),
    File(FileRecord),
    CacheVolume { key: String },
    ModuleSource(ModuleSourceState),
    TypeDef(TypeDef),
    Function(FunctionDef),
    Module(ModuleDef),
}

impl Object {
    fn type_name(&self) -> &'static str {
        match self {
            Object::FunctionCall(_) => "FunctionCall",
            Object::ArgValue { .. } => "FunctionCallArgValue",
            Object::Secret(_) => "Secret",
            Object::Error { .. } => "Error",
            Object::ErrorValue { .. } => "ErrorValue",
            Object::Container(_) => "Container",
            Object::Directory(_) => "Directory",
            Object::File(_) => "File",
            Object::CacheVolume { .. } => "CacheVolume",
            Object::ModuleSource(_) => "ModuleSource",
            other => typedefs::type_name(other).expect("typedef object"),
        }
    }
}

struct Entry {
    /// The ID the object was created with.
    id: String,
    object: Object,
}

/// All objects, IDs and secret bindings of one double.
#[derive(Default)]
pub(crate) struct Store {
    entries: Vec<Entry>,
    by_id: HashMap<String, ObjId>,
    set_secret_names: HashMap<String, ObjId>,
    env_secrets: HashMap<String, String>,
    swaps: Vec<String>,
    current_call: Option<ObjId>,
}

/// The error for schema-valid fields the double does not implement.
pub(crate) fn not_implemented(type_name: &str, field: &str) -> String {
    format!("engine double: {type_name}.{field} is not implemented")
}

/// A fresh opaque ID: standard base64 of 48 random bytes.
fn random_id() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("engine double: OS random generator failed");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn scalar(value: impl Into<Value>) -> Result<Resolved, String> {
    Ok(Resolved::Scalar(value.into()))
}

impl Store {
    fn fresh_id(&mut self) -> String {
        loop {
            let id = random_id();
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Stores a new object under a new ID.
    pub(crate) fn insert(&mut self, object: Object) -> ObjId {
        let id = self.fresh_id();
        let index = self.entries.len();
        self.by_id.insert(id.clone(), index);
        self.entries.push(Entry { id, object });
        index
    }

    /// A new alias ID for an existing object.
    fn alias(&mut self, index: ObjId) -> String {
        let id = self.fresh_id();
        self.by_id.insert(id.clone(), index);
        id
    }

    /// Resolves any ID (canonical or alias).
    pub(crate) fn lookup(&self, id: &str) -> Result<ObjId, String> {
        self.by_id.get(id).copied().ok_or_else(|| {
            let shown: String = id.chars().take(16).collect();
            format!("engine double: unknown object ID {shown:?}…")
        })
    }

    /// Runtime GraphQL type of a stored object.
    pub(crate) fn type_name(&self, index: ObjId) -> &'static str {
        self.entries[index].object.type_name()
    }

    /// The ID an object was created with.
    pub(crate) fn canonical_id(&self, index: ObjId) -> &str {
        &self.entries[index].id
    }

    fn object(&self, index: ObjId) -> &Object {
        &self.entries[index].object
    }

    fn lookup_typed(&self, id: &str, want: &str) -> Result<ObjId, String> {
        let index = self.lookup(id)?;
        let got = self.type_name(index);
        if got != want {
            return Err(format!("ID refers to a {got}, expected a {want}"));
        }
        Ok(index)
    }

    /// Snapshot of the `TypeDef` an ID argument refers to.
    pub(crate) fn typedef_arg(&self, id: &str) -> Result<TypeDef, String> {
        match self.object(self.lookup_typed(id, "TypeDef")?) {
            Object::TypeDef(t) => Ok(t.clone()),
            _ => unreachable!("checked type"),
        }
    }

    /// The key of the `CacheVolume` an ID argument refers to.
    pub(crate) fn cache_volume_key(&self, id: &str) -> Result<String, String> {
        match self.object(self.lookup_typed(id, "CacheVolume")?) {
            Object::CacheVolume { key } => Ok(key.clone()),
            _ => unreachable!("checked type"),
        }
    }

    /// Snapshot of the `Directory` an ID argument refers to.
    pub(crate) fn directory_arg(&self, id: &str) -> Result<DirectoryRecord, String> {
        match self.object(self.lookup_typed(id, "Directory")?) {
            Object::Directory(d) => Ok(d.clone()),
            _ => unreachable!("checked type"),
        }
    }

    /// Snapshot of the `File` an ID argument refers to.
    pub(crate) fn file_arg(&self, id: &str) -> Result<FileRecord, String> {
        match self.object(self.lookup_typed(id, "File")?) {
            Object::File(f) => Ok(f.clone()),
            _ => unreachable!("checked type"),
        }
    }

    /// Snapshot of the `Function` an ID argument refers to.
    pub(crate) fn function_arg(&self, id: &str) -> Result<FunctionDef, String> {
        match self.object(self.lookup_typed(id, "Function")?) {
            Object::Function(f) => Ok(f.clone()),
            _ => unreachable!("checked type"),
        }
    }

    // ----- test-facing helpers -----

    /// Creates a standalone secret (as from `secret(uri)`); returns its ID.
    pub(crate) fn seed_secret(&mut self, plaintext: &str) -> String {
        let index = self.insert(Object::Secret(SecretState {
            name: String::new(),
            plaintext: plaintext.to_owned(),
            uri: String::new(),
        }));
        self.canonical_id(index).to_owned()
    }

    /// Seeds the value `secret(uri: "env:NAME")` reads.
    pub(crate) fn seed_env_secret(&mut self, name: &str, plaintext: &str) {
        self.env_secrets
            .insert(name.to_owned(), plaintext.to_owned());
    }

    /// Creates an empty container; returns its ID.
    pub(crate) fn new_container(&mut self) -> String {
        let index = self.insert(Object::Container(ContainerRecord::default()));
        self.canonical_id(index).to_owned()
    }

    /// Creates a `ModuleSource` whose context directory holds `files` (relative paths) and whose
    /// module lives at `subpath` in it; returns its ID.
    pub(crate) fn seed_module_source(
        &mut self,
        subpath: &str,
        files: impl IntoIterator<Item = String>,
    ) -> String {
        let source = ModuleSourceState {
            subpath: subpath.to_owned(),
            context: DirectoryRecord {
                files: files.into_iter().collect(),
            },
        };
        let index = self.insert(Object::ModuleSource(source));
        self.canonical_id(index).to_owned()
    }

    /// Creates a `File` holding `contents`; returns its ID.
    pub(crate) fn seed_file(&mut self, contents: &str) -> String {
        let file = FileRecord::Seeded {
            contents: contents.to_owned(),
        };
        let index = self.insert(Object::File(file));
        self.canonical_id(index).to_owned()
    }

    /// The secret behind any ID (canonical or alias).
    pub(crate) fn secret(&self, id: &str) -> Option<SecretRecord> {
        match self.object(self.lookup(id).ok()?) {
            Object::Secret(s) => Some(s.record()),
            _ => None,
        }
    }

    /// Every secret held, by canonical ID, in creation order.
    pub(crate) fn secrets(&self) -> Vec<(String, SecretRecord)> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.object {
                Object::Secret(s) => Some((entry.id.clone(), s.record())),
                _ => None,
            })
            .collect()
    }

    /// Every container held (each step of a chain is one), by canonical ID, in creation order.
    pub(crate) fn containers(&self) -> Vec<(String, ContainerRecord)> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.object {
                Object::Container(c) => Some((entry.id.clone(), c.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every `File` held, by canonical ID, in creation order.
    pub(crate) fn files(&self) -> Vec<(String, FileRecord)> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.object {
                Object::File(f) => Some((entry.id.clone(), f.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every `Directory` held, by canonical ID, in creation order.
    pub(crate) fn directories(&self) -> Vec<(String, DirectoryRecord)> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.object {
                Object::Directory(d) => Some((entry.id.clone(), d.clone())),
                _ => None,
            })
            .collect()
    }

    /// The container behind any ID (canonical or alias).
    pub(crate) fn container(&self, id: &str) -> Option<ContainerRecord> {
        match self.object(self.lookup(id).ok()?) {
            Object::Container(c) => Some(c.clone()),
            _ => None,
        }
    }

    /// The module behind any ID (canonical or alias).
    pub(crate) fn module(&self, id: &str) -> Option<ModuleDef> {
        match self.object(self.lookup(id).ok()?) {
            Object::Module(m) => Some(m.clone()),
            _ => None,
        }
    }

    /// Names whose `setSecret` plaintext was overwritten with different content.
    pub(crate) fn swaps(&self) -> Vec<String> {
        self.swaps.clone()
    }

    /// Installs the `currentFunctionCall`; `args` hold JSON text values.
    pub(crate) fn set_current_call(
        &mut self,
        parent_name: &str,
        name: &str,
        parent: String,
        args: Vec<(String, String)>,
    ) -> ObjId {
        let args = args
            .into_iter()
            .map(|(name, value)| self.insert(Object::ArgValue { name, value }))
            .collect();
        let index = self.insert(Object::FunctionCall(FunctionCallState {
            name: name.to_owned(),
            parent_name: parent_name.to_owned(),
            parent,
            args,
            returned: None,
        }));
        self.current_call = Some(index);
        index
    }

    /// Ends the current call and returns what it recorded.
    pub(crate) fn finish_call(&mut self, index: ObjId) -> Option<Returned> {
        if self.current_call == Some(index) {
            self.current_call = None;
        }
        match self.object(index) {
            Object::FunctionCall(call) => call.returned.clone(),
            _ => None,
        }
    }

    /// Copies `value`, replacing every string that is a known object ID with a new alias ID
    /// of the same object (the engine re-encodes IDs held in module state).
    pub(crate) fn alias_ids(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => match self.by_id.get(s).copied() {
                Some(index) => Value::String(self.alias(index)),
                None => value.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.alias_ids(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.alias_ids(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    // ----- resolvers -----

    /// Resolves `field` on `parent` (whose runtime type is `type_name`).
    pub(crate) fn resolve(
        &mut self,
        parent: Parent,
        type_name: &str,
        field: &str,
        args: &Args,
    ) -> Result<Resolved, String> {
        let index = match parent {
            Parent::Query => return self.resolve_query(field, args),
            Parent::Object(index) => index,
        };
        if field == "id" {
            return scalar(self.canonical_id(index));
        }
        match self.object(index).clone() {
            Object::FunctionCall(call) => self.resolve_call(index, call, field, args),
            Object::ArgValue { name, value } => match field {
                "name" => scalar(name),
                "value" => scalar(value),
                _ => Err(not_implemented(type_name, field)),
            },
            Object::Secret(secret) => match field {
                "name" => scalar(secret.name),
                "plaintext" => scalar(secret.plaintext),
                "uri" => scalar(secret.uri),
                _ => Err(not_implemented(type_name, field)),
            },
            Object::Error { message, values } => match field {
                "message" => scalar(message),
                "values" => Ok(Resolved::List(
                    values.into_iter().map(Resolved::Object).collect(),
                )),
                "withValue" => {
                    let value = Object::ErrorValue {
                        name: args.str("name")?,
                        value: args.json("value")?,
                    };
                    let mut values = values;
                    values.push(self.insert(value));
                    Ok(Resolved::Object(
                        self.insert(Object::Error { message, values }),
                    ))
                }
                _ => Err(not_implemented(type_name, field)),
            },
            Object::ErrorValue { name, value } => match field {
                "name" => scalar(name),
                "value" => scalar(value.to_string()),
                _ => Err(not_implemented(type_name, field)),
            },
            Object::Container(container) => self.resolve_container(index, container, field, args),
            Object::Directory(directory) => {
                filesystem::resolve_directory(self, directory, field, args)
            }
            Object::File(file) => match (field, file) {
                ("contents", FileRecord::Seeded { contents })
                | ("contents", FileRecord::Created { contents, .. }) => {
                    if args.opt_int("offsetLines")?.is_some()
                        || args.opt_int("limitLines")?.is_some()
                    {
                        return Err(not_implemented(
                            type_name,
                            "contents(offsetLines/limitLines)",
                        ));
                    }
                    scalar(contents)
                }
                _ => Err(not_implemented(type_name, field)),
            },
            Object::CacheVolume { .. } => Err(not_implemented(type_name, field)),
            Object::ModuleSource(source) => filesystem::resolve_module_source(self, source, field),
            Object::TypeDef(t) => typedefs::resolve_typedef(self, t, field, args),
            Object::Function(f) => typedefs::resolve_function(self, f, field, args),
            Object::Module(m) => typedefs::resolve_module(self, m, field, args),
        }
    }

    fn resolve_query(&mut self, field: &str, args: &Args) -> Result<Resolved, String> {
        match field {
            "node" => Ok(Resolved::Object(self.lookup(&args.str("id")?)?)),
            "currentFunctionCall" => self.current_call.map(Resolved::Object).ok_or_else(|| {
                "engine double: currentFunctionCall: no function call is executing".to_owned()
            }),
            "setSecret" => self.set_secret(args.str("name")?, args.str("plaintext")?),
            "secret" => {
                let uri = args.str("uri")?;
                let plaintext = match uri.strip_prefix("env:") {
                    Some(name) => self.env_secrets.get(name).cloned().ok_or_else(|| {
                        format!("secret env var not found: {name:?} (engine double: not seeded)")
                    })?,
                    None => {
                        return Err(format!(
                            "engine double: secret(uri: {uri:?}): only env: URIs are supported"
                        ))
                    }
                };
                let secret = SecretState {
                    name: String::new(),
                    plaintext,
                    uri,
                };
                Ok(Resolved::Object(self.insert(Object::Secret(secret))))
            }
            "error" => {
                let error = Object::Error {
                    message: args.str("message")?,
                    values: Vec::new(),
                };
                Ok(Resolved::Object(self.insert(error)))
            }
            "cacheVolume" => {
                if args.opt_str("source")?.is_some() {
                    return Err(not_implemented("Query", "cacheVolume(source:)"));
                }
                let volume = Object::CacheVolume {
                    key: args.str("key")?,
                };
                Ok(Resolved::Object(self.insert(volume)))
            }
            "container" => {
                if args.opt_str("platform")?.is_some() {
                    return Err(not_implemented("Query", "container(platform:)"));
                }
                let container = Object::Container(ContainerRecord::default());
                Ok(Resolved::Object(self.insert(container)))
            }
            "file" => {
                let file = Object::File(FileRecord::Created {
                    name: args.str("name")?,
                    contents: args.str("contents")?,
                });
                Ok(Resolved::Object(self.insert(file)))
            }
            "typeDef" | "function" | "module" => typedefs::resolve_query(self, field, args),
            _ => Err(not_implemented("Query", field)),
        }
    }

    fn set_secret(&mut self, name: String, plaintext: String) -> Result<Resolved, String> {
        if plaintext.len() > MAX_SECRET_BYTES {
            return Err(format!(
                "secret plaintext exceeds {MAX_SECRET_BYTES} bytes (got {} bytes)",
                plaintext.len()
            ));
        }
        if let Some(&index) = self.set_secret_names.get(&name) {
            if let Object::Secret(secret) = &mut self.entries[index].object {
                if secret.plaintext != plaintext {
                    secret.plaintext = plaintext;
                    self.swaps.push(name);
                }
            }
            return Ok(Resolved::Object(index));
        }
        let index = self.insert(Object::Secret(SecretState {
            name: name.clone(),
            plaintext,
            uri: String::new(),
        }));
        self.set_secret_names.insert(name, index);
        Ok(Resolved::Object(index))
    }

    fn resolve_call(
        &mut self,
        index: ObjId,
        call: FunctionCallState,
        field: &str,
        args: &Args,
    ) -> Result<Resolved, String> {
        let returned = match field {
            "name" => return scalar(call.name),
            "parentName" => return scalar(call.parent_name),
            "parent" => return scalar(call.parent),
            "inputArgs" => {
                return Ok(Resolved::List(
                    call.args.into_iter().map(Resolved::Object).collect(),
                ))
            }
            "returnValue" => Returned::Value(args.json("value")?),
            "returnError" => {
                let error = self.lookup_typed(&args.str("error")?, "Error")?;
                Returned::Error(self.error_record(error))
            }
            _ => return Err(not_implemented("FunctionCall", field)),
        };
        if call.returned.is_some() {
            return Err("function call return already set".into());
        }
        if let Object::FunctionCall(stored) = &mut self.entries[index].object {
            stored.returned = Some(returned);
        }
        Ok(Resolved::Null)
    }

    fn error_record(&self, index: ObjId) -> ErrorRecord {
        let Object::Error { message, values } = self.object(index) else {
            unreachable!("checked type")
        };
        let values = values
            .iter()
            .filter_map(|&v| match self.object(v) {
                Object::ErrorValue { name, value } => Some((name.clone(), value.clone())),
                _ => None,
            })
            .collect();
        ErrorRecord {
            message: message.clone(),
            values,
        }
    }

    fn resolve_container(
        &mut self,
        index: ObjId,
        container: ContainerRecord,
        field: &str,
        args: &Args,
    ) -> Result<Resolved, String> {
        if CONTAINER_BUILD_FIELDS.contains(&field) {
            return filesystem::resolve_container_build(self, container, field, args);
        }
        let mut next = container;
        match field {
            "sync" => return scalar(self.canonical_id(index)),
            "envVariable" => {
                return Ok(match next.env.get(&args.str("name")?) {
                    Some(value) => Resolved::Scalar(Value::String(value.clone())),
                    None => Resolved::Null,
                })
            }
            "from" => {
                if args.opt_str("registryService")?.is_some() {
                    return Err(not_implemented("Container", "from(registryService:)"));
                }
                next.from = Some(args.str("address")?);
            }
            "withMountedSecret" => {
                let secret = self.lookup_typed(&args.str("source")?, "Secret")?;
                let mount = SecretMountRecord {
                    secret_id: self.canonical_id(secret).to_owned(),
                    owner: args.opt_str("owner")?.unwrap_or_default(),
                    inherit_owner: args.opt_bool("inheritOwner")?.unwrap_or(false),
                    mode: args.opt_int("mode")?.unwrap_or(256),
                    expand: args.opt_bool("expand")?.unwrap_or(false),
                };
                next.mounts.insert(args.str("path")?, mount);
            }
            "withoutMount" => {
                next.mounts.remove(&args.str("path")?);
            }
            "withSecretVariable" => {
                let secret = self.lookup_typed(&args.str("secret")?, "Secret")?;
                let secret_id = self.canonical_id(secret).to_owned();
                next.secret_env.insert(args.str("name")?, secret_id);
            }
            "withoutSecretVariable" => {
                next.secret_env.remove(&args.str("name")?);
            }
            "withEnvVariable" => {
                next.env.insert(args.str("name")?, args.str("value")?);
            }
            "withoutEnvVariable" => {
                next.env.remove(&args.str("name")?);
            }
            "withNewFile" => {
                let file = NewFileRecord {
                    contents: args.str("contents")?,
                    permissions: args.opt_int("permissions")?.unwrap_or(420),
                    owner: args.opt_str("owner")?.unwrap_or_default(),
                    inherit_owner: args.opt_bool("inheritOwner")?.unwrap_or(false),
                    expand: args.opt_bool("expand")?.unwrap_or(false),
                };
                next.files.insert(args.str("path")?, file);
            }
            _ => return Err(not_implemented("Container", field)),
        }
        Ok(Resolved::Object(self.insert(Object::Container(next))))
    }
}
