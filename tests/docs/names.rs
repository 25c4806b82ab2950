//! How each client spells an API name: the Dagger CLI in kebab-case, the Go SDK in PascalCase,
//! the Python SDK in snake_case (with a trailing `_` on Python keywords), the TypeScript SDK as
//! the API's own camelCase.

/// Words Python reserves; the Python SDK appends `_` to an API name that is one (`from_`).
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// `withRegistryAuth` → `with-registry-auth`: function and flag names of `dagger call`.
pub fn kebab(api_name: &str) -> String {
    separated(api_name, '-')
}

/// `withRegistryAuth` → `with_registry_auth`, `from` → `from_`: the Python SDK's names.
pub fn python(api_name: &str) -> String {
    let snake = separated(api_name, '_');
    if PYTHON_KEYWORDS.contains(&snake.as_str()) {
        snake + "_"
    } else {
        snake
    }
}

/// `withRegistryAuth` → `WithRegistryAuth`: the Go SDK's method, field and type names.
pub fn pascal(api_name: &str) -> String {
    let mut chars = api_name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `registry-config` → `RegistryConfig`: the name of a module's main object.
pub fn object_of_module(module_name: &str) -> String {
    module_name
        .split(['-', '_'])
        .map(pascal)
        .collect::<Vec<_>>()
        .concat()
}

/// `registry-config` → `registryConfig`: the TypeScript (and GraphQL) spelling of a module.
pub fn camel_of_module(module_name: &str) -> String {
    let pascal = object_of_module(module_name);
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// camelCase to lower-case words joined by `separator`.
fn separated(api_name: &str, separator: char) -> String {
    let mut out = String::with_capacity(api_name.len() + 4);
    for (i, c) in api_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push(separator);
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
