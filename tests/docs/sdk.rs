//! Calls in Go, Python and TypeScript sources checked against the API by each SDK's naming.
//!
//! Every chain that starts at `dag` is followed call by call: each method must be a function
//! of the object the previous call returned (Go `WithRegistryAuth`, Python
//! `with_registry_auth`, TypeScript `withRegistryAuth`), take its required arguments
//! positionally (plus Go's `ctx` when it returns a value) and name only optional arguments in
//! its options (Go `dagger.RegistryConfigMountSecretOpts{Path: …}`, Python `path=…`,
//! TypeScript `{ path: … }`). A chain may not stop at one of the module's objects, since
//! calls made later on a variable could not be checked; it may end in a method value
//! (`….SecretMount(path).Mount`) that another call applies.

use crate::api::{Api, Function, Returns};
use crate::names;
use crate::tokens::{tokenize, Kind, Lang, Token};

/// A chain that starts at `dag`, as checked.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The index of its `dag` token.
    pub at: usize,
    /// The module functions it calls (API names), in order.
    pub module_calls: Vec<String>,
}

/// An example function declared in a source (Go method of the module's object, Python
/// `@function`, TypeScript `@func()`).
#[derive(Debug, Clone)]
pub struct Declared {
    /// Its name as written.
    pub name: String,
    /// The index of its name token.
    pub at: usize,
}

/// The result of checking a source.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every chain from `dag`.
    pub chains: Vec<Chain>,
    /// Every example function declared.
    pub declared: Vec<Declared>,
    /// Every problem found, with its line.
    pub errors: Vec<String>,
}

/// Tokenizes and checks one source.
pub fn check(api: &Api, lang: Lang, source: &str, origin: &str) -> Checked {
    let mut checked = Checked::default();
    let tokens = match tokenize(lang, source) {
        Ok(tokens) => tokens,
        Err(error) => {
            checked.errors.push(format!("{origin}: {error}"));
            return checked;
        }
    };
    for (at, token) in tokens.iter().enumerate() {
        let starts_chain = token.is_ident("dag")
            && tokens.get(at + 1).is_some_and(|t| t.is("."))
            && !(at > 0 && tokens[at - 1].is("."));
        if starts_chain {
            match follow(api, lang, &tokens, at) {
                Ok(module_calls) => checked.chains.push(Chain { at, module_calls }),
                Err(error) => checked
                    .errors
                    .push(format!("{origin}:{}: {error}", token.line)),
            }
        }
        if let Some(name) = declared_at(lang, &tokens, at) {
            checked.declared.push(Declared { name, at });
        }
    }
    checked
}

/// The helper every SDK adds to objects to apply a function to them (`Container.With`).
fn is_client_helper(lang: Lang, method: &str) -> bool {
    match lang {
        Lang::Go => method == "With",
        Lang::Python => method == "with_",
        Lang::TypeScript => method == "with",
    }
}

/// The SDK's spelling of an API name.
fn sdk_name(lang: Lang, api_name: &str) -> String {
    match lang {
        Lang::Go => names::pascal(api_name),
        Lang::Python => names::python(api_name),
        Lang::TypeScript => api_name.to_owned(),
    }
}

/// Follows the chain whose `dag` is at `at`; returns the module functions it calls.
fn follow(api: &Api, lang: Lang, tokens: &[Token], at: usize) -> Result<Vec<String>, String> {
    let mut object = "Query".to_owned();
    let mut module_calls = Vec::new();
    let mut i = at + 1;
    while let (Some(dot), Some(method)) = (tokens.get(i), tokens.get(i + 1)) {
        if !dot.is(".") || method.kind != Kind::Ident {
            break;
        }
        let called = tokens.get(i + 2).is_some_and(|t| t.is("("));
        if called && is_client_helper(lang, &method.text) {
            i = matching(tokens, i + 2)? + 1;
            continue;
        }
        let name = api
            .function_names(&object)
            .into_iter()
            .find(|name| sdk_name(lang, name) == method.text)
            .ok_or_else(|| format!("`{}` is not a function of {object}", method.text))?;
        let function = api.function(&object, &name)?;
        if api.is_module_object(&object) {
            module_calls.push(name.clone());
        }
        if !called {
            // A method value (Go `.Mount`, Python `.mount`): applied by the call around it.
            return Ok(module_calls);
        }
        let close = matching(tokens, i + 2)?;
        let args = split_arguments(&tokens[i + 3..close]);
        check_arguments(api, lang, &object, &function, &args)
            .map_err(|error| format!("{}.{}: {error}", object, method.text))?;
        i = close + 1;
        match &function.returns {
            Returns::Object(next) => object = next.clone(),
            Returns::Value => return Ok(module_calls),
        }
    }
    if api.is_module_object(&object) {
        return Err(format!(
            "the chain stops at {object}; call its functions in the same chain so that they are checked"
        ));
    }
    Ok(module_calls)
}

/// Checks a call's arguments against the function's.
fn check_arguments(
    api: &Api,
    lang: Lang,
    object: &str,
    function: &Function,
    args: &[&[Token]],
) -> Result<(), String> {
    let required: Vec<&str> = function.required().map(|a| a.name.as_str()).collect();
    let optional: Vec<&str> = function
        .args
        .iter()
        .filter(|a| !a.required)
        .map(|a| a.name.as_str())
        .collect();
    let mut positional = args.len();
    let mut named: Vec<String> = Vec::new();
    match lang {
        Lang::Go => {
            if let Some(last) = args.last().filter(|a| is_go_options(a)) {
                positional -= 1;
                let expected = if object == "Query" {
                    format!("{}Opts", names::pascal(&function.name))
                } else {
                    format!(
                        "{}{}Opts",
                        api.client_type_name(object),
                        names::pascal(&function.name)
                    )
                };
                if last[2].text != expected {
                    return Err(format!(
                        "options are `dagger.{expected}`, not `{}`",
                        last[2].text
                    ));
                }
                named = keys_of_literal(&last[3..]);
            }
            if function.returns == Returns::Value {
                // Go passes a context to every call that returns a value.
                positional = positional
                    .checked_sub(1)
                    .ok_or("a call that returns a value takes ctx first")?;
            }
        }
        Lang::Python => {
            positional = args
                .iter()
                .take_while(|a| !is_python_keyword_argument(a))
                .count();
            for arg in &args[positional..] {
                if !is_python_keyword_argument(arg) {
                    return Err("a positional argument follows a keyword argument".to_owned());
                }
                named.push(arg[0].text.clone());
            }
        }
        Lang::TypeScript => {
            if let Some(last) = args.last().filter(|a| a.first().is_some_and(|t| t.is("{"))) {
                positional -= 1;
                named = keys_of_literal(last);
            }
        }
    }
    let spelled = |name: &str| match lang {
        Lang::Go => names::pascal(name),
        Lang::Python => names::python(name),
        Lang::TypeScript => name.to_owned(),
    };
    let mut given: Vec<&str> = Vec::new();
    for key in &named {
        let allowed: &[&str] = if lang == Lang::Python {
            // Python also accepts required arguments by keyword.
            &[&required[..], &optional[..]].concat()
        } else {
            &optional
        };
        let Some(arg) = allowed.iter().find(|a| spelled(a) == *key) else {
            return Err(format!(
                "`{key}` is not an optional argument (optional: {})",
                optional
                    .iter()
                    .map(|a| spelled(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if given.contains(arg) {
            return Err(format!("`{key}` is given twice"));
        }
        given.push(arg);
    }
    if positional > required.len() {
        return Err(format!(
            "{positional} positional arguments, but only {} required ({}); optional ones go in the options",
            required.len(),
            required.join(", ")
        ));
    }
    given.extend(required.iter().take(positional));
    if let Some(missing) = required.iter().find(|r| !given.contains(r)) {
        return Err(format!(
            "the required argument `{}` is not given",
            spelled(missing)
        ));
    }
    Ok(())
}

/// Go options: `dagger.<Type><Function>Opts{…}`.
fn is_go_options(arg: &[Token]) -> bool {
    arg.len() >= 4
        && arg[0].is_ident("dagger")
        && arg[1].is(".")
        && arg[2].text.ends_with("Opts")
        && arg[3].is("{")
}

/// Python `name=value` (not `name == value`).
fn is_python_keyword_argument(arg: &[Token]) -> bool {
    arg.len() >= 2 && arg[0].kind == Kind::Ident && arg[1].is("=")
}

/// The keys of a `{ key: value, shorthand }` literal (Go struct fields, TypeScript object).
fn keys_of_literal(literal: &[Token]) -> Vec<String> {
    let inner = match literal {
        [open, inner @ .., close] if open.is("{") && close.is("}") => inner,
        _ => return Vec::new(),
    };
    split_arguments(inner)
        .iter()
        .filter_map(|entry| entry.first())
        .map(|key| key.text.trim_matches(['"', '\'']).to_owned())
        .collect()
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[Token], open: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        if ["(", "[", "{"].iter().any(|b| token.is(b)) {
            depth += 1;
        } else if [")", "]", "}"].iter().any(|b| token.is(b)) {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
    }
    Err(format!("line {}: unclosed bracket", tokens[open].line))
}

/// Splits tokens at the commas outside brackets; an empty trailing entry is dropped.
fn split_arguments(tokens: &[Token]) -> Vec<&[Token]> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if ["(", "[", "{"].iter().any(|b| token.is(b)) {
            depth += 1;
        } else if [")", "]", "}"].iter().any(|b| token.is(b)) {
            depth = depth.saturating_sub(1);
        } else if token.is(",") && depth == 0 {
            args.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        args.push(&tokens[start..]);
    }
    args
}

/// The name of the example function declared at `at`, if one is: a Go method of the
/// module's object `Examples`, a Python method after `@function`, a TypeScript method after
/// `@func()`.
fn declared_at(lang: Lang, tokens: &[Token], at: usize) -> Option<String> {
    let window = |len: usize| tokens.get(at..at + len);
    match lang {
        Lang::Go => match window(7)? {
            [func, open, _receiver, star, object, close, name]
                if func.is_ident("func")
                    && open.is("(")
                    && star.is("*")
                    && object.is_ident("Examples")
                    && close.is(")") =>
            {
                Some(name.text.clone())
            }
            _ => None,
        },
        Lang::Python => {
            let [at_sign, decorator] = window(2)? else {
                return None;
            };
            if !(at_sign.is("@") && decorator.is_ident("function")) {
                return None;
            }
            let def = tokens[at + 2..].iter().position(|t| t.is_ident("def"))?;
            tokens.get(at + 3 + def).map(|name| name.text.clone())
        }
        Lang::TypeScript => {
            let [at_sign, decorator, open, close] = window(4)? else {
                return None;
            };
            if !(at_sign.is("@") && decorator.is_ident("func") && open.is("(") && close.is(")")) {
                return None;
            }
            let name = tokens
                .get(at + 4..)?
                .iter()
                .find(|t| t.kind == Kind::Ident && t.text != "async")?;
            Some(name.text.clone())
        }
    }
}
