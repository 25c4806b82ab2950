//! `dagger call` commands in shell text, and their check against the API: every function
//! exists on the object the previous one returned, every `--flag` is one of its arguments,
//! every required argument is given, and nothing is chained after a value.

use crate::api::{Api, Returns};
use crate::names;

/// Options of `dagger call` itself that take a value (before the first function).
const GLOBAL_OPTIONS_WITH_VALUE: &[&str] = &["-m", "--mod", "--progress", "-o", "--output"];
/// Options of `dagger call` itself without a value.
const GLOBAL_SWITCHES: &[&str] = &[
    "-q",
    "--quiet",
    "-s",
    "--silent",
    "-v",
    "--verbose",
    "-d",
    "--debug",
    "-j",
    "--json",
];
/// Words that end a command in a shell line.
const SHELL_OPERATORS: &[&str] = &["|", "||", "&&", ";", "&", ">", ">>", "2>", "2>&1", "<"];

/// One `dagger call` command: where it is and its words after `dagger call`.
#[derive(Debug, Clone)]
pub struct Command {
    /// `file:line` of its first line.
    pub origin: String,
    /// Its words, as the shell splits them, without `dagger call`.
    pub words: Vec<String>,
}

/// Every `dagger call` in shell text: `\` continuations joined, comment lines skipped, words
/// split as the shell does (quotes removed, `$VARIABLES` kept as written).
pub fn dagger_calls(text: &str, file: &str, first_line: usize) -> Result<Vec<Command>, String> {
    let mut commands = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if logical.is_empty() {
            start = first_line + i;
        }
        let trimmed = line.trim_end();
        match trimmed.strip_suffix('\\') {
            Some(continued) => {
                logical.push_str(continued);
                logical.push(' ');
            }
            None => {
                logical.push_str(trimmed);
                collect(&logical, &format!("{file}:{start}"), &mut commands)?;
                logical.clear();
            }
        }
    }
    if !logical.trim().is_empty() {
        return Err(format!("{file}:{start}: the last line ends with `\\`"));
    }
    Ok(commands)
}

fn collect(line: &str, origin: &str, commands: &mut Vec<Command>) -> Result<(), String> {
    if !line.contains("dagger") {
        return Ok(());
    }
    let words = shlex::split(line).ok_or_else(|| format!("{origin}: unbalanced quotes"))?;
    let mut rest = words.as_slice();
    while let Some(at) = rest
        .windows(2)
        .position(|w| w[0] == "dagger" && w[1] == "call")
    {
        let after = &rest[at + 2..];
        let end = after
            .iter()
            .position(|w| SHELL_OPERATORS.contains(&w.as_str()))
            .unwrap_or(after.len());
        commands.push(Command {
            origin: origin.to_owned(),
            words: after[..end].to_vec(),
        });
        rest = &after[end..];
    }
    Ok(())
}

/// What a checked command called: the module functions, in order (API names).
pub type Called = Vec<String>;

/// Checks one command against the API; the error names the place and the word.
pub fn check(api: &Api, command: &Command) -> Result<Called, String> {
    let fail = |message: String| {
        format!(
            "{}: `dagger call {}`: {message}",
            command.origin,
            command.words.join(" ")
        )
    };
    let words = &command.words;
    let mut i = 0;
    let mut module_given = false;
    while i < words.len() && words[i].starts_with('-') {
        let option = words[i].split('=').next().unwrap_or_default();
        if GLOBAL_OPTIONS_WITH_VALUE.contains(&option) {
            module_given |= option == "-m" || option == "--mod";
            i += if words[i].contains('=') { 1 } else { 2 };
        } else if GLOBAL_SWITCHES.contains(&option) {
            i += 1;
        } else {
            return Err(fail(format!(
                "`{option}` is neither an option of dagger call nor an argument of {}'s constructor (it has none)",
                api.main_object()
            )));
        }
    }
    if !module_given {
        return Err(fail(
            "no `-m <module>`: the call would not reach this module".to_owned(),
        ));
    }
    if i >= words.len() {
        return Err(fail("no function is called".to_owned()));
    }
    let mut called = Vec::new();
    let mut object = api.main_object();
    while i < words.len() {
        let word = &words[i];
        let name = api
            .function_names(&object)
            .into_iter()
            .find(|name| names::kebab(name) == *word)
            .ok_or_else(|| fail(format!("`{word}` is not a function of {object}")))?;
        let function = api.function(&object, &name).map_err(&fail)?;
        if api.is_module_object(&object) {
            called.push(name.clone());
        }
        i += 1;
        let mut given: Vec<String> = Vec::new();
        while i < words.len() && words[i].starts_with("--") {
            let (flag, inline_value) = match words[i].split_once('=') {
                Some((flag, value)) => (flag, Some(value)),
                None => (words[i].as_str(), None),
            };
            let arg = function
                .args
                .iter()
                .find(|arg| format!("--{}", names::kebab(&arg.name)) == flag)
                .ok_or_else(|| fail(format!("`{flag}` is not an argument of {object}.{name}")))?;
            i += 1;
            if inline_value.is_none() && !arg.boolean {
                match words.get(i) {
                    Some(value) if !value.starts_with("--") => i += 1,
                    _ => return Err(fail(format!("`{flag}` of {name} has no value"))),
                }
            }
            if given.contains(&arg.name) && !arg.list {
                return Err(fail(format!("`{flag}` is given twice to {name}")));
            }
            given.push(arg.name.clone());
        }
        if let Some(missing) = function.required().find(|arg| !given.contains(&arg.name)) {
            return Err(fail(format!(
                "{object}.{name} requires `--{}`",
                names::kebab(&missing.name)
            )));
        }
        match function.returns {
            Returns::Object(next) => object = next,
            Returns::Value if i < words.len() => {
                return Err(fail(format!(
                    "{name} returns a value; nothing can be chained after it (`{}`)",
                    words[i]
                )))
            }
            Returns::Value => {}
        }
    }
    Ok(called)
}
