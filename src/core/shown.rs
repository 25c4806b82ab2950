//! How much of a rejected value an error shows: a short prefix of one value, a few hundred bytes
//! of a list. A hostile input may be megabytes long; the error about it stays small.

use super::visible::Invisible;
use crate::limits::{MAX_LISTED_BYTES, MAX_SHOWN_CHARS};

/// `value` as an error may show it: whole when it has at most [`MAX_SHOWN_CHARS`] characters,
/// else its first [`MAX_SHOWN_CHARS`] followed by `…`. Errors quote it with escapes (`{:?}`).
pub fn prefix(value: &str) -> String {
    match value.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// The [`prefix`] of `text` as a quoted string literal, as `{:?}` writes it, with every character
/// a person cannot see escaped too (`{:?}` leaves letters such as U+3164 as they are), so an error
/// shows exactly what was passed, and never more than a short prefix of it.
pub fn quoted(text: &str) -> String {
    let cut = prefix(text);
    let mut out = String::with_capacity(cut.len() + 2);
    out.push('"');
    for c in cut.chars() {
        if Invisible::of(c).is_some() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.extend(c.escape_debug());
        }
    }
    out.push('"');
    out
}

/// `items` as a quoted list (`["a", "b"]`), with only as many as fit in [`MAX_LISTED_BYTES`]
/// (and at least one), followed by `and N more` when some are left out.
pub fn listed<S: AsRef<str>>(items: &[S]) -> String {
    let mut shown = Vec::new();
    let mut used = 0;
    for item in items {
        let text = quoted(item.as_ref());
        if !shown.is_empty() && used + text.len() > MAX_LISTED_BYTES {
            break;
        }
        used += text.len() + 2;
        shown.push(text);
    }
    let more = items.len() - shown.len();
    let list = format!("[{}]", shown.join(", "));
    if more == 0 {
        list
    } else {
        format!("{list} and {more} more")
    }
}
