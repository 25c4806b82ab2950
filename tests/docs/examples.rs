//! The Daggerverse naming convention of example functions and scripts, for a module `foo`
//! with a function `bar` (docs.dagger.io, "Daggerverse", "Examples"):
//!
//! | | module example `baz` | example of `bar` | example `baz` of `bar` |
//! |---|---|---|---|
//! | Go | `Foo_Baz` | `FooBar` | `FooBar_Baz` |
//! | Python | `foo__baz` | `foo_bar` | `foo_bar__baz` |
//! | TypeScript | `foo_baz` | `fooBar` | `fooBar_baz` |
//! | shell | `foo_baz.sh` | `foo_bar.sh` | `foo_bar_baz.sh` |

use crate::api::Api;
use crate::names;
use crate::tokens::Lang;

/// What an example shows, in words that compare across languages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shows {
    /// A module-level example, by its label (lower case, without separators).
    Module(String),
    /// An example of a function of the module's main object (its API name).
    Function(String),
}

/// Reads an example's name (a function name, or a script's file stem for `lang` `None`).
pub fn shows(api: &Api, lang: Option<Lang>, name: &str) -> Result<Shows, String> {
    let functions = api.function_names(&api.main_object());
    let snake_module = api.module_name.replace('-', "_");
    let (prefix, module_separator, function_spelling, label_separator): (
        String,
        &str,
        fn(&str) -> String,
        &str,
    ) = match lang {
        Some(Lang::Go) => (api.main_object(), "_", names::pascal, "_"),
        Some(Lang::Python) => (
            snake_module,
            "__",
            |f| format!("_{}", names::python(f)),
            "__",
        ),
        Some(Lang::TypeScript) => (
            names::camel_of_module(&api.module_name),
            "_",
            names::pascal,
            "_",
        ),
        None => (snake_module, "_", |f| format!("_{}", names::python(f)), "_"),
    };
    let rest = name.strip_prefix(&prefix).ok_or_else(|| {
        format!("`{name}` does not start with `{prefix}`, the module's name in this convention")
    })?;
    let function = functions
        .iter()
        .filter(|f| {
            let spelled = function_spelling(f);
            rest == spelled || rest.starts_with(&format!("{spelled}{label_separator}"))
        })
        .max_by_key(|f| f.len());
    if let Some(function) = function {
        return Ok(Shows::Function(function.clone()));
    }
    match rest.strip_prefix(module_separator) {
        Some(label) if !label.is_empty() && (lang.is_none() || !label.starts_with('_')) => {
            Ok(Shows::Module(label.replace('_', "").to_lowercase()))
        }
        _ => Err(format!(
            "`{name}` names neither a module example (`{prefix}{module_separator}<name>`) nor a function of {} ({})",
            api.main_object(),
            functions.join(", ")
        )),
    }
}
