//! Typed access to a call's arguments, with errors that name the function and the argument.
//! Argument values are user input and are not quoted in these errors.

use std::collections::BTreeMap;

use serde_json::Value;

/// The decoded arguments of one call.
pub struct Args<'a> {
    function: &'static str,
    values: &'a BTreeMap<String, Value>,
}

impl<'a> Args<'a> {
    /// Wraps the arguments of `function` (its API name, for messages).
    pub fn new(function: &'static str, values: &'a BTreeMap<String, Value>) -> Self {
        Self { function, values }
    }

    /// A required `String`.
    pub fn string(&self, name: &str) -> Result<&'a str, String> {
        self.required(name, "a String", Value::as_str)
    }

    /// A `Boolean` (the engine injects registered defaults, so it is always present).
    pub fn boolean(&self, name: &str) -> Result<bool, String> {
        self.required(name, "a Boolean", Value::as_bool)
    }

    /// An `Int` (required).
    pub fn int(&self, name: &str) -> Result<i64, String> {
        self.required(name, "an Int", Value::as_i64)
    }

    /// An optional `Int` (absent or null → `None`).
    pub fn optional_int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "an Int")),
        }
    }

    /// A required object ID (Secret, Container): the engine passes it as a JSON string.
    pub fn id(&self, name: &str, type_name: &str) -> Result<String, String> {
        let id = self.required(name, "an object ID", Value::as_str)?;
        if id.is_empty() {
            return Err(format!(
                "{}: argument {name}: expected a {type_name} ID, got an empty string",
                self.function
            ));
        }
        Ok(id.to_owned())
    }

    /// A present value of the right JSON type.
    fn required<T>(
        &self,
        name: &str,
        expected: &str,
        extract: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<T, String> {
        let value = self.values.get(name).ok_or_else(|| {
            format!(
                "{}: argument {name} is missing (the engine sends every required argument)",
                self.function
            )
        })?;
        extract(value).ok_or_else(|| self.wrong_type(name, expected))
    }

    /// The wrong-type message.
    fn wrong_type(&self, name: &str, expected: &str) -> String {
        format!("{}: argument {name} must be {expected}", self.function)
    }
}
