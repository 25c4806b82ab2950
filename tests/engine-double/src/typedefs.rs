//! Module type definitions as the engine stores them (`TypeDef`, `Function`, `Module`), their
//! GraphQL resolvers, and the deterministic golden text of a registered module.
//!
//! Every `with*` call snapshots the objects its ID arguments refer to, at the time of the call,
//! exactly as the engine resolves IDs; objects are immutable values.

use std::fmt::Write as _;

use serde_json::Value;

use crate::execution::Args;
use crate::store::{not_implemented, Object, Resolved, Store};

/// A type definition (`Query.typeDef` and its `with*` calls).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeDef {
    /// The kind, normalized to the `*_KIND` spelling (`STRING_KIND`, `OBJECT_KIND`, …);
    /// `None` until `withKind`/`withObject`/`withListOf` set it.
    pub kind: Option<String>,
    /// Set by `withOptional`.
    pub optional: bool,
    /// Element type, for `LIST_KIND`.
    pub list_of: Option<Box<TypeDef>>,
    /// Object definition, for `OBJECT_KIND`.
    pub object: Option<ObjectDef>,
}

impl TypeDef {
    /// The GraphQL-style rendering used in golden text: `String!`, `Int` (optional),
    /// `[String!]!`, `Secret!`, `RegistryConfig!`, `Void` …
    pub fn render(&self) -> String {
        let base = match self.kind.as_deref() {
            Some("STRING_KIND") => "String".to_owned(),
            Some("INTEGER_KIND") => "Int".to_owned(),
            Some("FLOAT_KIND") => "Float".to_owned(),
            Some("BOOLEAN_KIND") => "Boolean".to_owned(),
            Some("VOID_KIND") => "Void".to_owned(),
            Some("LIST_KIND") => match &self.list_of {
                Some(elem) => format!("[{}]", elem.render()),
                None => "[<no element type>]".to_owned(),
            },
            Some("OBJECT_KIND") => match &self.object {
                Some(obj) => obj.name.clone(),
                None => "<object without name>".to_owned(),
            },
            Some(other) => format!("<{other}>"),
            None => "<kind unset>".to_owned(),
        };
        if self.optional {
            base
        } else {
            format!("{base}!")
        }
    }
}

/// An object type registered with `TypeDef.withObject`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectDef {
    /// Original name, as registered (`RegistryConfig`, `SecretMount`).
    pub name: String,
    /// Description passed to `withObject`.
    pub description: String,
    /// `deprecated` passed to `withObject`, if any.
    pub deprecated: Option<String>,
    /// Fields added with `withField`, in order.
    pub fields: Vec<FieldDef>,
    /// Functions added with `withFunction`, in registration order.
    pub functions: Vec<FunctionDef>,
    /// Function set with `withConstructor`.
    pub constructor: Option<Box<FunctionDef>>,
}

/// A field registered with `TypeDef.withField`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldDef {
    /// Original field name.
    pub name: String,
    /// The field's type.
    pub type_def: TypeDef,
    /// Description.
    pub description: String,
    /// Deprecation reason, if any.
    pub deprecated: Option<String>,
}

/// A function built with `Query.function` and its `with*` calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionDef {
    /// Original function name.
    pub name: String,
    /// Return type.
    pub return_type: TypeDef,
    /// Description (`withDescription`).
    pub description: String,
    /// Arguments (`withArg`), in order.
    pub args: Vec<ArgDef>,
    /// Cache policy enum value (`Default`, `PerSession`, `Never`) if `withCachePolicy` was called.
    pub cache_policy: Option<String>,
    /// `timeToLive` passed to `withCachePolicy`.
    pub time_to_live: Option<String>,
    /// Deprecation reason (`withDeprecated`).
    pub deprecated: Option<String>,
}

/// One argument registered with `Function.withArg`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArgDef {
    /// Original argument name.
    pub name: String,
    /// Argument type.
    pub type_def: TypeDef,
    /// Description.
    pub description: String,
    /// Decoded `defaultValue` JSON, if one was given.
    pub default_value: Option<Value>,
    /// `defaultPath` ("" if unset).
    pub default_path: String,
    /// `ignore` patterns.
    pub ignore: Vec<String>,
    /// `defaultAddress` ("" if unset).
    pub default_address: String,
    /// Deprecation reason, if any.
    pub deprecated: Option<String>,
}

impl ArgDef {
    /// Whether a caller must pass this argument: non-optional type and no default value.
    pub fn is_required(&self) -> bool {
        !self.type_def.optional && self.default_value.is_none()
    }
}

/// A module built with `Query.module` and its `with*` calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModuleDef {
    /// Description (`withDescription`).
    pub description: String,
    /// Object types added with `withObject`, in order.
    pub objects: Vec<ObjectDef>,
}

impl ModuleDef {
    /// Deterministic, readable golden text: description, then each object with its fields,
    /// constructor and functions (registration order), each function's return type, cache
    /// policy, description and arguments (type, default JSON, description). Texts are quoted
    /// as JSON strings so that multi-line descriptions stay on one line.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "module");
        let _ = writeln!(out, "  description: {}", quote(&self.description));
        for object in &self.objects {
            let _ = writeln!(out, "object {}", object.name);
            let _ = writeln!(out, "  description: {}", quote(&object.description));
            if let Some(reason) = &object.deprecated {
                let _ = writeln!(out, "  deprecated: {}", quote(reason));
            }
            for field in &object.fields {
                let _ = writeln!(out, "  field {}: {}", field.name, field.type_def.render());
                let _ = writeln!(out, "    description: {}", quote(&field.description));
                if let Some(reason) = &field.deprecated {
                    let _ = writeln!(out, "    deprecated: {}", quote(reason));
                }
            }
            if let Some(constructor) = &object.constructor {
                describe_function(&mut out, "constructor", constructor);
            }
            for function in &object.functions {
                describe_function(&mut out, "function", function);
            }
        }
        out
    }
}

fn describe_function(out: &mut String, label: &str, function: &FunctionDef) {
    let _ = writeln!(
        out,
        "  {label} {}: {}",
        function.name,
        function.return_type.render()
    );
    let cache = match (&function.cache_policy, &function.time_to_live) {
        (None, _) => "unset".to_owned(),
        (Some(policy), None) => policy.clone(),
        (Some(policy), Some(ttl)) => format!("{policy} ttl={}", quote(ttl)),
    };
    let _ = writeln!(out, "    cache: {cache}");
    let _ = writeln!(out, "    description: {}", quote(&function.description));
    if let Some(reason) = &function.deprecated {
        let _ = writeln!(out, "    deprecated: {}", quote(reason));
    }
    for arg in &function.args {
        let default = match &arg.default_value {
            Some(value) => format!(" = {value}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "    arg {}: {}{default}",
            arg.name,
            arg.type_def.render()
        );
        let _ = writeln!(out, "      description: {}", quote(&arg.description));
        if !arg.default_path.is_empty() {
            let _ = writeln!(out, "      defaultPath: {}", quote(&arg.default_path));
        }
        if !arg.default_address.is_empty() {
            let _ = writeln!(out, "      defaultAddress: {}", quote(&arg.default_address));
        }
        if !arg.ignore.is_empty() {
            let _ = writeln!(out, "      ignore: {}", Value::from(arg.ignore.clone()));
        }
        if let Some(reason) = &arg.deprecated {
            let _ = writeln!(out, "      deprecated: {}", quote(reason));
        }
    }
}

fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// Normalizes a `TypeDefKind` enum value: `STRING` and `STRING_KIND` both become `STRING_KIND`.
fn normalize_kind(kind: &str) -> String {
    if kind.ends_with("_KIND") {
        kind.to_owned()
    } else {
        format!("{kind}_KIND")
    }
}

/// Rejects field/function names the engine reserves.
fn check_member_name(what: &str, name: &str) -> Result<(), String> {
    if name == "id" {
        return Err(format!(
            "cannot define {what} with reserved name \"id\" on object"
        ));
    }
    if name.is_empty() {
        return Err(format!("{what} name must not be empty"));
    }
    Ok(())
}

/// `Query.typeDef`, `Query.function`, `Query.module`.
pub(crate) fn resolve_query(
    store: &mut Store,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    let object = match field {
        "typeDef" => Object::TypeDef(TypeDef::default()),
        "function" => Object::Function(FunctionDef {
            name: args.str("name")?,
            return_type: store.typedef_arg(&args.str("returnType")?)?,
            ..FunctionDef::default()
        }),
        "module" => Object::Module(ModuleDef::default()),
        _ => return Err(not_implemented("Query", field)),
    };
    Ok(Resolved::Object(store.insert(object)))
}

/// Fields of `TypeDef` objects.
pub(crate) fn resolve_typedef(
    store: &mut Store,
    current: TypeDef,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    let mut next = current;
    match field {
        "kind" => {
            return next
                .kind
                .map(|k| Resolved::Scalar(Value::String(k)))
                .ok_or_else(|| "TypeDef kind is not set".to_owned())
        }
        "optional" => return Ok(Resolved::Scalar(Value::Bool(next.optional))),
        "withKind" => next.kind = Some(normalize_kind(&args.str("kind")?)),
        "withOptional" => next.optional = args.bool("optional")?,
        "withListOf" => {
            let elem = store.typedef_arg(&args.str("elementType")?)?;
            next.kind = Some("LIST_KIND".to_owned());
            next.list_of = Some(Box::new(elem));
        }
        "withObject" => {
            let name = args.str("name")?;
            if name.is_empty() {
                return Err("object name must not be empty".into());
            }
            if args.opt_str("sourceMap")?.is_some() {
                return Err(not_implemented("TypeDef", "withObject(sourceMap:)"));
            }
            next.kind = Some("OBJECT_KIND".to_owned());
            next.object = Some(ObjectDef {
                name,
                description: args.opt_str("description")?.unwrap_or_default(),
                deprecated: args.opt_str("deprecated")?,
                ..ObjectDef::default()
            });
        }
        "withField" => {
            let name = args.str("name")?;
            check_member_name("field", &name)?;
            if args.opt_str("sourceMap")?.is_some() {
                return Err(not_implemented("TypeDef", "withField(sourceMap:)"));
            }
            let type_def = store.typedef_arg(&args.str("typeDef")?)?;
            object_mut(&mut next, "withField")?.fields.push(FieldDef {
                name,
                type_def,
                description: args.opt_str("description")?.unwrap_or_default(),
                deprecated: args.opt_str("deprecated")?,
            });
        }
        "withFunction" => {
            let function = store.function_arg(&args.str("function")?)?;
            check_member_name("function", &function.name)?;
            object_mut(&mut next, "withFunction")?
                .functions
                .push(function);
        }
        "withConstructor" => {
            let function = store.function_arg(&args.str("function")?)?;
            object_mut(&mut next, "withConstructor")?.constructor = Some(Box::new(function));
        }
        _ => return Err(not_implemented("TypeDef", field)),
    }
    Ok(Resolved::Object(store.insert(Object::TypeDef(next))))
}

fn object_mut<'a>(typedef: &'a mut TypeDef, call: &str) -> Result<&'a mut ObjectDef, String> {
    match (&typedef.kind, &mut typedef.object) {
        (Some(kind), Some(object)) if kind == "OBJECT_KIND" => Ok(object),
        _ => Err(format!(
            "TypeDef.{call}: the type definition is not an object (call withObject first)"
        )),
    }
}

/// Fields of `Function` objects.
pub(crate) fn resolve_function(
    store: &mut Store,
    current: FunctionDef,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    let mut next = current;
    match field {
        "name" => return Ok(Resolved::Scalar(Value::String(next.name))),
        "description" => return Ok(Resolved::Scalar(Value::String(next.description))),
        "withDescription" => next.description = args.str("description")?,
        "withDeprecated" => next.deprecated = Some(args.opt_str("reason")?.unwrap_or_default()),
        "withCachePolicy" => {
            next.cache_policy = Some(args.str("policy")?);
            next.time_to_live = args.opt_str("timeToLive")?;
        }
        "withArg" => {
            let name = args.str("name")?;
            if name.is_empty() {
                return Err("argument name must not be empty".into());
            }
            if next.args.iter().any(|a| a.name == name) {
                return Err(format!(
                    "duplicate argument {name:?} on function {:?}",
                    next.name
                ));
            }
            if args.opt_str("sourceMap")?.is_some() {
                return Err(not_implemented("Function", "withArg(sourceMap:)"));
            }
            let type_def = store.typedef_arg(&args.str("typeDef")?)?;
            next.args.push(ArgDef {
                name,
                type_def,
                description: args.opt_str("description")?.unwrap_or_default(),
                default_value: args.opt_json("defaultValue")?,
                default_path: args.opt_str("defaultPath")?.unwrap_or_default(),
                ignore: args.opt_str_list("ignore")?.unwrap_or_default(),
                default_address: args.opt_str("defaultAddress")?.unwrap_or_default(),
                deprecated: args.opt_str("deprecated")?,
            });
        }
        _ => return Err(not_implemented("Function", field)),
    }
    Ok(Resolved::Object(store.insert(Object::Function(next))))
}

/// Fields of `Module` objects.
pub(crate) fn resolve_module(
    store: &mut Store,
    current: ModuleDef,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    let mut next = current;
    match field {
        "description" => return Ok(Resolved::Scalar(Value::String(next.description))),
        "withDescription" => next.description = args.str("description")?,
        "withObject" => {
            let typedef = store.typedef_arg(&args.str("object")?)?;
            match typedef.object {
                Some(object) if typedef.kind.as_deref() == Some("OBJECT_KIND") => {
                    if next.objects.iter().any(|o| o.name == object.name) {
                        return Err(format!("duplicate object {:?} in module", object.name));
                    }
                    next.objects.push(object);
                }
                _ => return Err("Module.withObject: the type definition is not an object".into()),
            }
        }
        _ => return Err(not_implemented("Module", field)),
    }
    Ok(Resolved::Object(store.insert(Object::Module(next))))
}

/// Looks up `object.function` in a module; `function == ""` means the constructor.
pub(crate) fn find_function(
    module: &ModuleDef,
    object: &str,
    function: &str,
) -> Option<FunctionDef> {
    let object = module.objects.iter().find(|o| o.name == object)?;
    if function.is_empty() {
        return object.constructor.as_deref().cloned();
    }
    object
        .functions
        .iter()
        .find(|f| f.name == function)
        .cloned()
}

/// Used by the store to name the runtime type of typedef objects.
pub(crate) fn type_name(object: &Object) -> Option<&'static str> {
    match object {
        Object::TypeDef(_) => Some("TypeDef"),
        Object::Function(_) => Some("Function"),
        Object::Module(_) => Some("Module"),
        _ => None,
    }
}
