//! What declaring a module function means: its description, return type, arguments (with typed
//! defaults), cache policy and handler. Registration, dispatch, argument decoding and the
//! registered-API golden all read the same [`Declaration`], so they cannot drift apart.

use std::future::Future;
use std::pin::Pin;

use dagger_sdk::Query;
use serde_json::Value;

use super::args::Args;
use super::error::ModuleError;
use crate::names::{Function, Object};

/// A type as the API uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Type {
    /// `String`.
    String,
    /// `Int`.
    Int,
    /// `Boolean`.
    Boolean,
    /// The core `Secret` object.
    Secret,
    /// The core `Container` object.
    Container,
    /// The core `File` object.
    File,
    /// One of this module's objects.
    Module(Object),
    /// `[String!]`.
    StringList,
}

/// Function result caching, as registered with `withCachePolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CachePolicy {
    /// The engine default (cached by arguments and parent state). Right for the state builders:
    /// they read no secret, so their result depends on nothing but the IDs they move.
    Default,
    /// Never cached. Used by everything that reads a plaintext or calls `setSecret`: a Secret's
    /// ID does not change with its content (`file:`/`env:` secrets are identified by their URI,
    /// `setSecret` ones by their name), so a cached result could be stale; rendering is cheap.
    Never,
}

impl CachePolicy {
    /// The `FunctionCachePolicy` enum value.
    pub(crate) fn api_name(self) -> &'static str {
        match self {
            CachePolicy::Default => "Default",
            CachePolicy::Never => "Never",
        }
    }
}

/// Whether an argument may be omitted, and what the engine passes when it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ArgDefault {
    /// Must be passed.
    Required,
    /// May be omitted; the function then sees no value.
    Absent,
    /// A `String` default.
    Str(&'static str),
    /// A `Boolean` default.
    Bool(bool),
    /// An `Int` default.
    Int(i64),
}

impl ArgDefault {
    /// Whether the argument may be omitted.
    pub(crate) fn optional(self) -> bool {
        self != ArgDefault::Required
    }

    /// The default as the JSON text registration sends.
    pub(crate) fn json(self) -> Option<String> {
        match self {
            ArgDefault::Required | ArgDefault::Absent => None,
            ArgDefault::Str(text) => Some(Value::from(text).to_string()),
            ArgDefault::Bool(value) => Some(value.to_string()),
            ArgDefault::Int(value) => Some(value.to_string()),
        }
    }
}

/// One argument.
#[derive(Debug)]
pub(crate) struct Arg {
    /// GraphQL name (also what the engine sends back).
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Optionality and default.
    pub default: ArgDefault,
    /// What it is for.
    pub description: &'static str,
}

/// What a handler gets: the client, the parent object's state and the decoded arguments.
pub(crate) struct Invocation<'a> {
    /// The engine.
    pub dag: &'a Query,
    /// The parent object's state.
    pub parent: &'a Value,
    /// The arguments, readable only as declared.
    pub args: Args<'a>,
}

/// A handler's result: the JSON value for `returnValue`.
pub(crate) type Returned<'a> = Pin<Box<dyn Future<Output = Result<Value, ModuleError>> + 'a>>;

/// Runs one function: decode the arguments, apply the library, encode the result.
pub(crate) type Handler = for<'a> fn(Invocation<'a>) -> Returned<'a>;

/// A handler result that is ready now (the state builders do no I/O).
pub(crate) fn ready<'a>(result: Result<Value, ModuleError>) -> Returned<'a> {
    Box::pin(std::future::ready(result))
}

/// One function of the API.
pub(crate) struct Declaration {
    /// Which function (its name and object).
    pub function: Function,
    /// What it does (the generated bindings' documentation).
    pub description: &'static str,
    /// Return type (never optional).
    pub returns: Type,
    /// Arguments in declaration order.
    pub args: &'static [Arg],
    /// Cache policy.
    pub cache: CachePolicy,
    /// What runs when it is called.
    pub handler: Handler,
}

/// One declared field of an object's state.
#[derive(Debug)]
pub(crate) struct Field {
    /// GraphQL name (also the key in the object's state).
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// What it holds.
    pub description: &'static str,
}

/// One object type.
pub(crate) struct ObjectDeclaration {
    /// What it is.
    pub description: &'static str,
    /// Declared (public) fields.
    pub fields: &'static [Field],
}

/// A required argument.
pub(crate) const fn required(name: &'static str, ty: Type, description: &'static str) -> Arg {
    Arg {
        name,
        ty,
        default: ArgDefault::Required,
        description,
    }
}

/// An optional argument with `default`.
pub(crate) const fn optional(
    name: &'static str,
    ty: Type,
    default: ArgDefault,
    description: &'static str,
) -> Arg {
    Arg {
        name,
        ty,
        default,
        description,
    }
}
