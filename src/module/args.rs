//! Typed access to a call's arguments, bound to the function's declaration: reading an argument
//! the declaration does not have, or as another type, is an internal error (which the tests that
//! run every function would report). Argument values are user input and are not quoted.
//!
//! Every argument is bounded before a function sees it: its JSON text before it is parsed (by
//! what the declared type can take: an object ID at most [`MAX_ID_BYTES`]), and a string's value
//! when it is read (at most [`MAX_ARGUMENT_BYTES`], which its JSON text may exceed by its
//! escapes). The library's own checks then apply each argument's own, smaller bound.

use std::collections::BTreeMap;

use serde_json::Value;

use super::declaration::{Declaration, Type};
use super::error::ModuleError;
use crate::limits::{MAX_ARGUMENT_BYTES, MAX_ID_BYTES};

/// The longest value an argument of type `ty` may have, in bytes.
fn max_value_len(ty: Type) -> usize {
    match ty {
        Type::Secret | Type::Container => MAX_ID_BYTES,
        _ => MAX_ARGUMENT_BYTES,
    }
}

/// The longest JSON text of a value of at most [`max_value_len`] bytes: an ID is base64, so only
/// its quotes are added; a string may escape every byte as a six-byte `\u00XX`.
fn max_text_len(ty: Type) -> usize {
    match ty {
        Type::Secret | Type::Container => MAX_ID_BYTES + 2,
        _ => MAX_ARGUMENT_BYTES * 6 + 2,
    }
}

/// Parses the declared arguments' JSON texts, refusing a text longer than a value of its type
/// can take ([`max_text_len`]) before parsing it, so that parsing costs a bounded amount.
/// Arguments the declaration does not have are left out.
pub(crate) fn decode_values(
    declaration: &Declaration,
    raw: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, ModuleError> {
    let mut values = BTreeMap::new();
    for arg in declaration.args {
        let Some(text) = raw.get(arg.name) else {
            continue;
        };
        if text.len() > max_text_len(arg.ty) {
            return Err(ModuleError::EncodedArgumentTooLong {
                function: declaration.function,
                argument: arg.name,
                len: text.len(),
                max: max_value_len(arg.ty),
            });
        }
        let value = serde_json::from_str(text).map_err(|_| ModuleError::ArgumentNotJson {
            function: declaration.function,
            argument: arg.name,
        })?;
        values.insert(arg.name.to_owned(), value);
    }
    Ok(values)
}

/// The decoded arguments of one call.
pub(crate) struct Args<'a> {
    declaration: &'a Declaration,
    values: &'a BTreeMap<String, Value>,
}

impl<'a> Args<'a> {
    /// The arguments of a call to `declaration`'s function.
    pub(crate) fn new(declaration: &'a Declaration, values: &'a BTreeMap<String, Value>) -> Self {
        Self {
            declaration,
            values,
        }
    }

    /// The function being called.
    pub(crate) fn function(&self) -> crate::names::Function {
        self.declaration.function
    }

    /// A `String` (required, or with a default the engine injects) of at most
    /// [`MAX_ARGUMENT_BYTES`].
    pub(crate) fn string(&self, name: &'static str) -> Result<&'a str, ModuleError> {
        let text = self.present(name, |ty| ty == Type::String, "a String", Value::as_str)?;
        self.bounded(name, text, MAX_ARGUMENT_BYTES)
    }

    /// A `String` whose default is `""`, which the API uses for "not set": `None` then.
    pub(crate) fn non_empty(&self, name: &'static str) -> Result<Option<&'a str>, ModuleError> {
        self.string(name)
            .map(|text| Some(text).filter(|t| !t.is_empty()))
    }

    /// An optional object ID without a default (a `File`, a `Secret`): absent or null → `None`.
    pub(crate) fn optional_id(&self, name: &'static str) -> Result<Option<String>, ModuleError> {
        self.declared(name, |ty| matches!(ty, Type::File | Type::Secret))?;
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(id)) if !id.is_empty() => Ok(Some(id.clone())),
            Some(_) if self.declared(name, |ty| ty == Type::Secret).is_ok() => {
                Err(self.wrong_type(name, "a Secret ID"))
            }
            Some(_) => Err(self.wrong_type(name, "a File ID")),
        }
    }

    /// A `Boolean` (the engine injects registered defaults, so it is always present).
    pub(crate) fn boolean(&self, name: &'static str) -> Result<bool, ModuleError> {
        self.present(name, |ty| ty == Type::Boolean, "a Boolean", Value::as_bool)
    }

    /// An `Int` (required, or with a default the engine injects).
    pub(crate) fn int(&self, name: &'static str) -> Result<i64, ModuleError> {
        self.present(name, |ty| ty == Type::Int, "an Int", Value::as_i64)
    }

    /// An optional `Int` without a default (absent or null → `None`).
    pub(crate) fn optional_int(&self, name: &'static str) -> Result<Option<i64>, ModuleError> {
        self.declared(name, |ty| ty == Type::Int)?;
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "an Int")),
        }
    }

    /// A required object ID (`Secret`, `Container`): the engine passes it as a JSON string.
    pub(crate) fn id(&self, name: &'static str) -> Result<String, ModuleError> {
        let is_object = |ty| matches!(ty, Type::Secret | Type::Container);
        let id = self.present(name, is_object, "an object ID", Value::as_str)?;
        if id.is_empty() {
            let secret = self.declared(name, |ty| ty == Type::Secret).is_ok();
            return Err(ModuleError::EmptyId {
                function: self.declaration.function,
                argument: name,
                type_name: if secret { "Secret" } else { "Container" },
            });
        }
        Ok(id.to_owned())
    }

    /// `text` if it is at most `max` bytes long.
    fn bounded(
        &self,
        name: &'static str,
        text: &'a str,
        max: usize,
    ) -> Result<&'a str, ModuleError> {
        if text.len() > max {
            return Err(ModuleError::ArgumentTooLong {
                function: self.declaration.function,
                argument: name,
                len: text.len(),
                max,
            });
        }
        Ok(text)
    }

    /// A present value of argument `name`, declared with a type `accepts` takes.
    fn present<T>(
        &self,
        name: &'static str,
        accepts: impl Fn(Type) -> bool,
        expected: &'static str,
        extract: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<T, ModuleError> {
        self.declared(name, accepts)?;
        let value = self.values.get(name).ok_or(ModuleError::MissingArgument {
            function: self.declaration.function,
            argument: name,
        })?;
        extract(value).ok_or_else(|| self.wrong_type(name, expected))
    }

    /// Checks that the declaration has argument `name` with a type `accepts` takes.
    fn declared(
        &self,
        name: &'static str,
        accepts: impl Fn(Type) -> bool,
    ) -> Result<(), ModuleError> {
        let declared = self
            .declaration
            .args
            .iter()
            .any(|arg| arg.name == name && accepts(arg.ty));
        if declared {
            Ok(())
        } else {
            Err(ModuleError::Undeclared {
                function: self.declaration.function,
                argument: name,
            })
        }
    }

    /// The wrong-type error.
    fn wrong_type(&self, name: &'static str, expected: &'static str) -> ModuleError {
        ModuleError::WrongType {
            function: self.declaration.function,
            argument: name,
            expected,
        }
    }
}
