//! The API the documentation may call, from its sources of truth: this module's functions as
//! the module binary registers them (through the engine double), and the core types
//! (`Container`, `Secret`, `Query`, …) as every engine schema in `shared/reference/schemas/`
//! defines them. Nothing here is a hand-written list of functions.

use apollo_compiler::ast::FieldDefinition;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;
use engine_double::{ArgDef, ModuleDef, ObjectDef, TypeDef};
use test_support::module::Module;

use crate::names;

/// One argument of a function.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The API name (camelCase).
    pub name: String,
    /// Whether a caller must give it (non-null and no default).
    pub required: bool,
    /// A list (`dagger call` accepts the flag more than once).
    pub list: bool,
    /// A Boolean (`dagger call` takes it as `--flag` or `--flag=value`).
    pub boolean: bool,
}

/// What a function returns: an object to chain into, or a value that ends the chain.
#[derive(Debug, Clone, PartialEq)]
pub enum Returns {
    /// An object type, by its API name.
    Object(String),
    /// A scalar, an enum or a list of them.
    Value,
}

/// A function (or field) of an object type.
#[derive(Debug, Clone)]
pub struct Function {
    /// The API name (camelCase).
    pub name: String,
    /// Its arguments, in declaration order.
    pub args: Vec<Arg>,
    /// Its result.
    pub returns: Returns,
}

impl Function {
    /// The required arguments, in declaration order.
    pub fn required(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|arg| arg.required)
    }
}

/// The registered module plus the engine schemas.
pub struct Api {
    /// The module's name in `dagger.json` (`registry-config`).
    pub module_name: String,
    module: ModuleDef,
}

impl Api {
    /// Registers the real module binary with an engine double and keeps what it declared.
    pub fn load() -> Self {
        let registered = Module::register();
        let module = registered
            .engine
            .module(&registered.id)
            .expect("the registered module");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dagger.json");
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root).expect("dagger.json"))
                .expect("dagger.json is JSON");
        let module_name = config["name"]
            .as_str()
            .expect("dagger.json name")
            .to_owned();
        let api = Self {
            module_name,
            module,
        };
        assert!(
            api.module_object(&api.main_object()).is_some(),
            "the module registers no main object {}",
            api.main_object()
        );
        api
    }

    /// The object `dagger call -m <module>` starts from (`RegistryConfig`).
    pub fn main_object(&self) -> String {
        names::object_of_module(&self.module_name)
    }

    /// Whether `type_name` is an object this module registers (not a core type).
    pub fn is_module_object(&self, type_name: &str) -> bool {
        self.module_object(type_name).is_some()
    }

    /// The name generated clients give an object: the engine prefixes a module's objects with
    /// the module's name unless they already start with it (`SecretMount` →
    /// `RegistryConfigSecretMount`); core types keep theirs.
    pub fn client_type_name(&self, type_name: &str) -> String {
        let main = self.main_object();
        if self.is_module_object(type_name) && !type_name.starts_with(&main) {
            format!("{main}{type_name}")
        } else {
            type_name.to_owned()
        }
    }

    /// The names of every function (and field) of `type_name`: the module's own, or those
    /// every engine schema defines. Empty for an unknown type.
    pub fn function_names(&self, type_name: &str) -> Vec<String> {
        if let Some(object) = self.module_object(type_name) {
            let functions = object.functions.iter().map(|f| f.name.clone());
            let fields = object.fields.iter().map(|f| f.name.clone());
            return functions.chain(fields).collect();
        }
        let mut names: Vec<String> = Vec::new();
        for (i, schema) in engine_double::schemas().iter().enumerate() {
            let here: Vec<String> = core_fields(schema.schema(), type_name)
                .map(|fields| fields.iter().map(|f| f.name.to_string()).collect())
                .unwrap_or_default();
            names = if i == 0 {
                here
            } else {
                names.into_iter().filter(|n| here.contains(n)).collect()
            };
        }
        if type_name == "Query" {
            names.push(names::camel_of_module(&self.module_name));
        }
        names
    }

    /// The function `name` of `type_name`, or why it cannot be called: not registered by the
    /// module, or missing from an engine schema (naming the versions).
    pub fn function(&self, type_name: &str, name: &str) -> Result<Function, String> {
        if let Some(object) = self.module_object(type_name) {
            return module_function(object, name).ok_or_else(|| {
                format!(
                    "`{name}` is not registered on {type_name} (registered: {})",
                    self.function_names(type_name).join(", ")
                )
            });
        }
        if type_name == "Query" && name == names::camel_of_module(&self.module_name) {
            return Ok(Function {
                name: name.to_owned(),
                args: Vec::new(),
                returns: Returns::Object(self.main_object()),
            });
        }
        core_function(type_name, name)
    }

    fn module_object(&self, type_name: &str) -> Option<&ObjectDef> {
        self.module.objects.iter().find(|o| o.name == type_name)
    }
}

/// A registered function or field of a module object.
fn module_function(object: &ObjectDef, name: &str) -> Option<Function> {
    if let Some(function) = object.functions.iter().find(|f| f.name == name) {
        return Some(Function {
            name: function.name.clone(),
            args: function.args.iter().map(module_arg).collect(),
            returns: module_returns(&function.return_type),
        });
    }
    object
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|field| Function {
            name: field.name.clone(),
            args: Vec::new(),
            returns: module_returns(&field.type_def),
        })
}

fn module_arg(arg: &ArgDef) -> Arg {
    Arg {
        name: arg.name.clone(),
        required: arg.is_required(),
        list: arg.type_def.kind.as_deref() == Some("LIST_KIND"),
        boolean: arg.type_def.kind.as_deref() == Some("BOOLEAN_KIND"),
    }
}

fn module_returns(type_def: &TypeDef) -> Returns {
    match (&type_def.kind, &type_def.object) {
        (Some(kind), Some(object)) if kind == "OBJECT_KIND" => Returns::Object(object.name.clone()),
        _ => Returns::Value,
    }
}

/// A core function as every engine schema has it: arguments all of them accept (required if
/// any requires it) and the oldest schema's return type.
fn core_function(type_name: &str, name: &str) -> Result<Function, String> {
    let mut merged: Option<Function> = None;
    let mut missing = Vec::new();
    for schema in engine_double::schemas() {
        let Some(field) = core_fields(schema.schema(), type_name)
            .and_then(|fields| fields.into_iter().find(|f| f.name == name))
        else {
            missing.push(schema.version.clone());
            continue;
        };
        let here = Function {
            name: name.to_owned(),
            args: field
                .arguments
                .iter()
                .map(|arg| Arg {
                    name: arg.name.to_string(),
                    required: arg.ty.is_non_null() && arg.default_value.is_none(),
                    list: arg.ty.is_list(),
                    boolean: arg.ty.inner_named_type().as_str() == "Boolean",
                })
                .collect(),
            returns: core_returns(schema.schema(), field),
        };
        merged = Some(match merged {
            None => here,
            Some(mut earlier) => {
                earlier
                    .args
                    .retain(|arg| here.args.iter().any(|a| a.name == arg.name));
                for arg in &mut earlier.args {
                    arg.required |= here.args.iter().any(|a| a.name == arg.name && a.required);
                }
                earlier
            }
        });
    }
    match merged {
        Some(function) if missing.is_empty() => Ok(function),
        Some(_) => Err(format!(
            "`{type_name}.{name}` is missing from the engine schema of {}",
            missing.join(", ")
        )),
        None => Err(format!("`{name}` is not a function of {type_name}")),
    }
}

/// The fields of an object or interface type of a schema.
fn core_fields<'s>(schema: &'s Schema, type_name: &str) -> Option<Vec<&'s FieldDefinition>> {
    match schema.types.get(type_name)? {
        ExtendedType::Object(object) => Some(object.fields.values().map(|f| &***f).collect()),
        ExtendedType::Interface(interface) => {
            Some(interface.fields.values().map(|f| &***f).collect())
        }
        _ => None,
    }
}

fn core_returns(schema: &Schema, field: &FieldDefinition) -> Returns {
    let named = field.ty.inner_named_type();
    match schema.types.get(named.as_str()) {
        Some(ExtendedType::Object(_) | ExtendedType::Interface(_)) if !field.ty.is_list() => {
            Returns::Object(named.to_string())
        }
        _ => Returns::Value,
    }
}
