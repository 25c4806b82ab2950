//! The registration documents: the type definitions a module declares, as chains of
//! `TypeDef`/`Function`/`Module` builder calls that each end in the new object's ID. The engine
//! can only use an ID in a later request, so registration sends one aliased request per
//! dependency level (see `module::register`).

use super::{id_chain, string_literal};

/// What a leaf type definition is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Base {
    /// A scalar kind, e.g. `STRING_KIND`.
    Kind(&'static str),
    /// An object type by name (core or this module's).
    Object(&'static str),
}

/// `typeDef{withKind(..)|withObject(..){[withOptional(optional:true){]id}}`.
pub(crate) fn leaf_type(base: Base, optional: bool) -> String {
    let base = match base {
        Base::Kind(kind) => format!("withKind(kind:{kind})"),
        Base::Object(name) => format!("withObject(name:{})", string_literal(name)),
    };
    let mut calls = vec!["typeDef".to_owned(), base];
    if optional {
        calls.push("withOptional(optional:true)".to_owned());
    }
    id_chain(&calls)
}

/// `typeDef{withListOf(elementType:…){id}}`.
pub(crate) fn list_of(element_type_id: &str) -> String {
    id_chain(&[
        "typeDef".to_owned(),
        format!(
            "withListOf(elementType:{})",
            string_literal(element_type_id)
        ),
    ])
}

/// One argument of a function definition.
pub(crate) struct ArgText<'a> {
    /// GraphQL name.
    pub name: &'a str,
    /// The registered type definition's ID.
    pub type_id: &'a str,
    /// What it is for.
    pub description: &'a str,
    /// The default, as JSON text.
    pub default_json: Option<String>,
}

/// `function(name,returnType){withDescription{withArg…{withCachePolicy{id}}}}`.
pub(crate) fn function(
    name: &str,
    return_type_id: &str,
    description: &str,
    args: &[ArgText<'_>],
    cache_policy: &str,
) -> String {
    let mut calls = vec![
        format!(
            "function(name:{},returnType:{})",
            string_literal(name),
            string_literal(return_type_id)
        ),
        format!(
            "withDescription(description:{})",
            string_literal(description)
        ),
    ];
    for arg in args {
        let default = arg
            .default_json
            .as_deref()
            .map(|json| format!(",defaultValue:{}", string_literal(json)))
            .unwrap_or_default();
        calls.push(format!(
            "withArg(name:{},typeDef:{},description:{}{default})",
            string_literal(arg.name),
            string_literal(arg.type_id),
            string_literal(arg.description),
        ));
    }
    calls.push(format!("withCachePolicy(policy:{cache_policy})"));
    id_chain(&calls)
}

/// `typeDef{withObject(name,description){withField…{withFunction…{id}}}}`; `fields` are
/// `(name, type ID, description)`.
pub(crate) fn object(
    name: &str,
    description: &str,
    fields: &[(&str, &str, &str)],
    function_ids: &[String],
) -> String {
    let mut calls = vec![
        "typeDef".to_owned(),
        format!(
            "withObject(name:{},description:{})",
            string_literal(name),
            string_literal(description)
        ),
    ];
    for (field, type_id, field_description) in fields {
        calls.push(format!(
            "withField(name:{},typeDef:{},description:{})",
            string_literal(field),
            string_literal(type_id),
            string_literal(field_description),
        ));
    }
    calls.extend(
        function_ids
            .iter()
            .map(|id| format!("withFunction(function:{})", string_literal(id))),
    );
    id_chain(&calls)
}

/// `module{withDescription{withObject…{id}}}`.
pub(crate) fn module(description: &str, object_ids: &[String]) -> String {
    let mut calls = vec![
        "module".to_owned(),
        format!(
            "withDescription(description:{})",
            string_literal(description)
        ),
    ];
    calls.extend(
        object_ids
            .iter()
            .map(|id| format!("withObject(object:{})", string_literal(id))),
    );
    id_chain(&calls)
}
