//! Executing a validated GraphQL request against the object store: the request envelope,
//! field collection (aliases, inline fragments, named fragments, `@skip`/`@include`),
//! argument coercion (literals plus schema defaults), and the ordered JSON response.

use std::collections::BTreeMap;

use apollo_compiler::ast::{OperationType, Value as GqlValue};
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node};
use serde_json::Value;

use crate::introspection;
use crate::store::{Parent, Resolved, Store};
use crate::validation::{self, EngineSchema};

/// What executing one request body produced.
pub(crate) struct Executed {
    /// The JSON response body.
    pub body: String,
    /// Whether the request was refused before execution (bad envelope or invalid document).
    pub rejected: bool,
    /// The engine versions whose schema refused the document (empty when none did).
    pub rejected_by: Vec<String>,
}

/// Handles one `POST /query` body: envelope, validation, execution. Introspection is answered
/// from `introspected`'s schema; verdicts are logged under `report_label`.
pub(crate) fn execute_request(
    store: &mut Store,
    body: &[u8],
    introspected: &EngineSchema,
    report_label: &str,
) -> Executed {
    let envelope = match parse_envelope(body) {
        Ok(envelope) => envelope,
        Err(message) => return rejected(vec![serde_json::json!({ "message": message })]),
    };
    let verdict = validation::validate(&envelope.query, report_label);
    let doc = match verdict.document {
        Ok(doc) => doc,
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|e| serde_json::to_value(e).expect("GraphQL errors serialize"))
                .collect();
            return Executed {
                rejected_by: verdict.rejected_by,
                ..rejected(errors)
            };
        }
    };
    let operation = match doc.operations.get(envelope.operation_name.as_deref()) {
        Ok(op) => op,
        Err(err) => {
            return rejected(vec![
                serde_json::json!({ "message": err.message().to_string() }),
            ])
        }
    };
    if operation.operation_type != OperationType::Query {
        return rejected(vec![serde_json::json!({
            "message": "engine double: only query operations are supported"
        })]);
    }
    if introspection::is_introspection(&doc, operation) {
        let operation_name = envelope.operation_name.as_deref();
        return Executed {
            body: introspection::execute(introspected, &envelope.query, operation_name),
            rejected: false,
            rejected_by: Vec::new(),
        };
    }
    let mut exec = Executor { doc: &doc, store };
    let mut path = Vec::new();
    match exec.selection(
        Parent::Query,
        "Query",
        &[&operation.selection_set],
        &mut path,
    ) {
        Ok(fields) => {
            let mut out = String::from("{\"data\":");
            write_object(&mut out, &fields);
            out.push('}');
            Executed {
                body: out,
                rejected: false,
                rejected_by: Vec::new(),
            }
        }
        Err(err) => Executed {
            body: serde_json::json!({
                "data": null,
                "errors": [{ "message": err.message, "path": err.path }],
            })
            .to_string(),
            rejected: false,
            rejected_by: Vec::new(),
        },
    }
}

/// A GraphQL error response for a request refused before execution.
fn rejected(errors: Vec<Value>) -> Executed {
    Executed {
        body: serde_json::json!({ "data": null, "errors": errors }).to_string(),
        rejected: true,
        rejected_by: Vec::new(),
    }
}

struct Envelope {
    query: String,
    operation_name: Option<String>,
}

/// Extracts the query text from a request body, if the body is a JSON object with a string
/// `query` (used for logging and fault matching, before validation).
pub(crate) fn query_text(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("query")?.as_str().map(str::to_owned)
}

fn parse_envelope(body: &[u8]) -> Result<Envelope, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("engine double: request body is not JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or("engine double: request body must be a JSON object")?;
    let query = obj
        .get("query")
        .and_then(Value::as_str)
        .ok_or("engine double: request body has no string `query`")?
        .to_owned();
    match obj.get("variables") {
        None | Some(Value::Null) => {}
        Some(Value::Object(vars)) if vars.is_empty() => {}
        Some(_) => return Err("engine double: GraphQL variables are not supported".into()),
    }
    let operation_name = match obj.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err("engine double: `operationName` must be a string".into()),
    };
    Ok(Envelope {
        query,
        operation_name,
    })
}

/// A resolver or execution failure, with the response path where it happened.
struct ExecError {
    message: String,
    path: Vec<Value>,
}

/// One response value, keeping field order like a real GraphQL server.
enum Out {
    Json(Value),
    Object(Vec<(String, Out)>),
    List(Vec<Out>),
}

struct Executor<'a> {
    doc: &'a Valid<ExecutableDocument>,
    store: &'a mut Store,
}

impl<'a> Executor<'a> {
    /// Executes the merged selection sets on `parent`, whose runtime type is `type_name`.
    fn selection(
        &mut self,
        parent: Parent,
        type_name: &str,
        sets: &[&'a SelectionSet],
        path: &mut Vec<Value>,
    ) -> Result<Vec<(String, Out)>, ExecError> {
        let mut grouped: Vec<(String, Vec<&'a Node<Field>>)> = Vec::new();
        for set in sets {
            self.collect(type_name, set, &mut grouped)?;
        }
        let mut out = Vec::with_capacity(grouped.len());
        for (key, fields) in grouped {
            path.push(Value::String(key.clone()));
            let value = self.field(parent, type_name, &fields, path)?;
            path.pop();
            out.push((key, value));
        }
        Ok(out)
    }

    /// GraphQL's CollectFields: groups fields by response key, applying fragments whose type
    /// condition matches the runtime type, and `@skip`/`@include`.
    fn collect(
        &self,
        type_name: &str,
        set: &'a SelectionSet,
        grouped: &mut Vec<(String, Vec<&'a Node<Field>>)>,
    ) -> Result<(), ExecError> {
        for selection in &set.selections {
            if !included(selection.directives())? {
                continue;
            }
            match selection {
                Selection::Field(field) => {
                    let key = field.response_key().as_str();
                    match grouped.iter_mut().find(|(k, _)| k == key) {
                        Some((_, fields)) => fields.push(field),
                        None => grouped.push((key.to_owned(), vec![field])),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .type_condition
                        .as_ref()
                        .is_none_or(|cond| type_applies(cond.as_str(), type_name));
                    if applies {
                        self.collect(type_name, &fragment.selection_set, grouped)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let fragment =
                        self.doc
                            .fragments
                            .get(&spread.fragment_name)
                            .ok_or_else(|| {
                                plain_error(format!("unknown fragment {}", spread.fragment_name))
                            })?;
                    if type_applies(fragment.type_condition().as_str(), type_name) {
                        self.collect(type_name, &fragment.selection_set, grouped)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        parent: Parent,
        type_name: &str,
        fields: &[&'a Node<Field>],
        path: &mut Vec<Value>,
    ) -> Result<Out, ExecError> {
        let field = fields[0];
        if field.name == "__typename" {
            return Ok(Out::Json(Value::String(type_name.to_owned())));
        }
        let args = Args::from_field(field).map_err(|m| error_at(m, path))?;
        let resolved = self
            .store
            .resolve(parent, type_name, field.name.as_str(), &args)
            .map_err(|m| error_at(m, path))?;
        self.complete(resolved, fields, path)
    }

    fn complete(
        &mut self,
        resolved: Resolved,
        fields: &[&'a Node<Field>],
        path: &mut Vec<Value>,
    ) -> Result<Out, ExecError> {
        match resolved {
            Resolved::Null => Ok(Out::Json(Value::Null)),
            Resolved::Scalar(value) => Ok(Out::Json(value)),
            Resolved::Object(id) => {
                let type_name = self.store.type_name(id);
                let sets: Vec<&'a SelectionSet> = fields.iter().map(|f| &f.selection_set).collect();
                let object = self.selection(Parent::Object(id), type_name, &sets, path)?;
                Ok(Out::Object(object))
            }
            Resolved::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    path.push(Value::from(index));
                    out.push(self.complete(item, fields, path)?);
                    path.pop();
                }
                Ok(Out::List(out))
            }
        }
    }
}

/// Whether a fragment with type condition `condition` applies to an object of `type_name`.
fn type_applies(condition: &str, type_name: &str) -> bool {
    condition == type_name || validation::execution_schema().is_subtype(condition, type_name)
}

/// Evaluates `@skip(if:)` / `@include(if:)` with literal arguments.
fn included(directives: &apollo_compiler::executable::DirectiveList) -> Result<bool, ExecError> {
    for (name, keep_when) in [("skip", false), ("include", true)] {
        if let Some(directive) = directives.get(name) {
            match directive.specified_argument_by_name("if").map(|v| &**v) {
                Some(GqlValue::Boolean(b)) => {
                    if *b != keep_when {
                        return Ok(false);
                    }
                }
                _ => {
                    return Err(plain_error(format!(
                        "engine double: @{name} needs a literal boolean `if`"
                    )))
                }
            }
        }
    }
    Ok(true)
}

fn plain_error(message: String) -> ExecError {
    ExecError {
        message,
        path: Vec::new(),
    }
}

fn error_at(message: String, path: &[Value]) -> ExecError {
    ExecError {
        message,
        path: path.to_vec(),
    }
}

/// Writes an ordered object as compact JSON.
fn write_object(out: &mut String, fields: &[(String, Out)]) {
    out.push('{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(key.clone()).to_string());
        out.push(':');
        write_out(out, value);
    }
    out.push('}');
}

fn write_out(out: &mut String, value: &Out) {
    match value {
        Out::Json(v) => out.push_str(&v.to_string()),
        Out::Object(fields) => write_object(out, fields),
        Out::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_out(out, item);
            }
            out.push(']');
        }
    }
}

/// The coerced arguments of one field: literals from the request, plus the schema's default
/// values for arguments the request omitted. Enum values become JSON strings.
#[derive(Debug, Default)]
pub(crate) struct Args(BTreeMap<String, Value>);

impl Args {
    fn from_field(field: &Field) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for arg in &field.arguments {
            map.insert(arg.name.to_string(), literal_to_json(&arg.value)?);
        }
        for def in &field.definition.arguments {
            if map.contains_key(def.name.as_str()) {
                continue;
            }
            if let Some(default) = &def.default_value {
                map.insert(def.name.to_string(), literal_to_json(default)?);
            }
        }
        Ok(Self(map))
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A required string (or ID) argument.
    pub fn str(&self, name: &str) -> Result<String, String> {
        self.opt_str(name)?
            .ok_or_else(|| format!("missing argument `{name}`"))
    }

    /// An optional string (or ID) argument; absent and `null` are `None`.
    pub fn opt_str(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("argument `{name}` must be a string, got {other}")),
        }
    }

    /// An optional integer argument.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| format!("argument `{name}` must be an integer, got {v}")),
        }
    }

    /// An optional boolean argument.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| format!("argument `{name}` must be a boolean, got {v}")),
        }
    }

    /// A required boolean argument.
    pub fn bool(&self, name: &str) -> Result<bool, String> {
        self.opt_bool(name)?
            .ok_or_else(|| format!("missing argument `{name}`"))
    }

    /// An optional `JSON` scalar argument: a GraphQL string holding JSON text, decoded.
    pub fn opt_json(&self, name: &str) -> Result<Option<Value>, String> {
        match self.opt_str(name) {
            Ok(None) => Ok(None),
            Ok(Some(text)) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("argument `{name}` is not valid JSON text: {e}")),
            Err(_) => Err(format!(
                "argument `{name}` (JSON) must be a string holding JSON text"
            )),
        }
    }

    /// A required `JSON` scalar argument.
    pub fn json(&self, name: &str) -> Result<Value, String> {
        self.opt_json(name)?
            .ok_or_else(|| format!("missing argument `{name}`"))
    }

    /// A required list of strings.
    pub fn str_list(&self, name: &str) -> Result<Vec<String>, String> {
        self.opt_str_list(name)?
            .ok_or_else(|| format!("missing argument `{name}`"))
    }

    /// An optional list of strings.
    pub fn opt_str_list(&self, name: &str) -> Result<Option<Vec<String>>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("argument `{name}` must hold strings"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(format!("argument `{name}` must be a list, got {other}")),
        }
    }
}

fn literal_to_json(value: &GqlValue) -> Result<Value, String> {
    Ok(match value {
        GqlValue::Null => Value::Null,
        GqlValue::Enum(name) => Value::String(name.to_string()),
        GqlValue::Variable(name) => {
            return Err(format!(
                "engine double: variables are not supported (found ${name})"
            ))
        }
        GqlValue::String(s) => Value::String(s.clone()),
        GqlValue::Float(f) => {
            let f = f
                .try_to_f64()
                .map_err(|e| format!("bad float literal: {e}"))?;
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or("non-finite float literal")?
        }
        GqlValue::Int(i) => Value::from(
            i.as_str()
                .parse::<i64>()
                .map_err(|e| format!("bad int literal {}: {e}", i.as_str()))?,
        ),
        GqlValue::Boolean(b) => Value::Bool(*b),
        GqlValue::List(items) => Value::Array(
            items
                .iter()
                .map(|v| literal_to_json(v))
                .collect::<Result<_, _>>()?,
        ),
        GqlValue::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.to_string(), literal_to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}
