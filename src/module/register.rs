//! Registration: declaring the API of [`super::functions`] to the engine and returning the
//! module ID.
//!
//! Type definitions are built with one aliased request per dependency level — leaf types, list
//! types, functions, objects, the module — because an ID produced in a request can only be used
//! in a later one. Together with the envelope and the return that is 7 round trips, whatever the
//! number of functions.

use std::collections::{BTreeMap, BTreeSet};

use dagger_sdk::core::graphql_client::DynGraphQLClient;

use super::declaration::{Declaration, Type};
use super::functions::{fields_of, functions_of, object_declaration, MODULE_DESCRIPTION};
use crate::graphql::typedefs::{self, ArgText, Base};
use crate::graphql::{aliased, query, take_aliased};
use crate::names::Object;

/// A type definition as registered: the type plus whether it may be null/omitted.
type TypeKey = (Type, bool);

/// The registered type definitions' IDs.
type TypeIds = BTreeMap<TypeKey, String>;

/// Builds the module's type definitions and returns the module ID.
pub(crate) async fn register(client: &DynGraphQLClient) -> Result<String, String> {
    let types = register_types(client).await?;
    let mut function_fields = Vec::new();
    for object in Object::ALL {
        for declaration in functions_of(object) {
            function_fields.push(function_field(declaration, &types)?);
        }
    }
    let mut function_ids = execute(client, "function definitions", function_fields)
        .await?
        .into_iter();
    let mut object_fields = Vec::new();
    for object in Object::ALL {
        let ids: Vec<String> = functions_of(object)
            .map(|_| function_ids.next())
            .collect::<Option<_>>()
            .ok_or("the engine returned fewer function IDs than were defined")?;
        object_fields.push(object_field(object, &types, &ids)?);
    }
    let object_ids = execute(client, "object definitions", object_fields).await?;
    let module = typedefs::module(MODULE_DESCRIPTION, &object_ids);
    execute(client, "the module definition", vec![module])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| "the engine returned no module ID".to_owned())
}

/// Registers every (type, optional) pair the API uses: leaf types first, then list types.
async fn register_types(client: &DynGraphQLClient) -> Result<TypeIds, String> {
    let leaves: Vec<TypeKey> = used_types()
        .into_iter()
        .filter(|(ty, _)| *ty != Type::StringList)
        .collect();
    let fields = leaves
        .iter()
        .filter_map(|&(ty, optional)| base(ty).map(|base| typedefs::leaf_type(base, optional)))
        .collect();
    let leaf_ids = execute(client, "type definitions", fields).await?;
    let mut types: TypeIds = leaves.into_iter().zip(leaf_ids).collect();
    let string_id = lookup(&types, (Type::String, false))?.to_owned();
    let list_ids = execute(
        client,
        "list type definitions",
        vec![typedefs::list_of(&string_id)],
    )
    .await?;
    if let Some(id) = list_ids.into_iter().next() {
        types.insert((Type::StringList, false), id);
    }
    Ok(types)
}

/// Every (type, optional) pair of the declarations, `String` included (lists need it).
fn used_types() -> BTreeSet<TypeKey> {
    let mut keys = BTreeSet::from([(Type::String, false)]);
    for object in Object::ALL {
        keys.extend(fields_of(object).iter().map(|field| (field.ty, false)));
        for declaration in functions_of(object) {
            keys.insert((declaration.returns, false));
            keys.extend(
                declaration
                    .args
                    .iter()
                    .map(|arg| (arg.ty, arg.default.optional())),
            );
        }
    }
    keys
}

/// What a leaf type is built from; `None` for lists.
fn base(ty: Type) -> Option<Base> {
    Some(match ty {
        Type::String => Base::Kind("STRING_KIND"),
        Type::Int => Base::Kind("INTEGER_KIND"),
        Type::Boolean => Base::Kind("BOOLEAN_KIND"),
        Type::Secret => Base::Object("Secret"),
        Type::Container => Base::Object("Container"),
        Type::File => Base::Object("File"),
        Type::Module(object) => Base::Object(object.api_name()),
        Type::StringList => return None,
    })
}

/// The function definition of one declaration.
fn function_field(declaration: &Declaration, types: &TypeIds) -> Result<String, String> {
    let args = declaration
        .args
        .iter()
        .map(|arg| {
            Ok(ArgText {
                name: arg.name,
                type_id: lookup(types, (arg.ty, arg.default.optional()))?,
                description: arg.description,
                default_json: arg.default.json(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(typedefs::function(
        declaration.function.api_name(),
        lookup(types, (declaration.returns, false))?,
        declaration.description,
        &args,
        declaration.cache.api_name(),
    ))
}

/// The object definition of `object` with its fields and registered functions.
fn object_field(
    object: Object,
    types: &TypeIds,
    function_ids: &[String],
) -> Result<String, String> {
    let declared = object_declaration(object);
    let fields = declared
        .fields
        .iter()
        .map(|field| {
            Ok((
                field.name,
                lookup(types, (field.ty, false))?,
                field.description,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(typedefs::object(
        object.api_name(),
        declared.description,
        &fields,
        function_ids,
    ))
}

/// Sends one aliased request (`d0:… d1:…`) and returns the IDs in order.
async fn execute(
    client: &DynGraphQLClient,
    what: &str,
    fields: Vec<String>,
) -> Result<Vec<String>, String> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let query = query(aliased("d", fields.iter().map(String::as_str)));
    let mut data = client
        .query(&query)
        .await
        .map_err(|e| format!("the engine rejected {what}: {e}"))?
        .ok_or_else(|| format!("the engine answered {what} without data"))?;
    take_aliased(&mut data, "d", fields.len())
        .into_iter()
        .map(|id| id.ok_or_else(|| format!("the engine answered {what} without an ID")))
        .collect()
}

/// The registered ID of a type.
fn lookup(types: &TypeIds, key: TypeKey) -> Result<&str, String> {
    types
        .get(&key)
        .map(String::as_str)
        .ok_or_else(|| format!("internal error: type {key:?} was not registered"))
}
