//! The leak scanner's search: finds a secret in a text in every form it takes on its way out.
//!
//! A text is searched as it is, then through every decoding that could hide a secret, and each
//! decoded view is searched the same way, down to [`MAX_DEPTH`] decodings:
//! - escapes undone: JSON and GraphQL (`\"`, `\\`, `\n`, `\u00e9`), Rust `Debug` (`\u{1}`,
//!   `\0`, `\'`) and `\xNN`; two levels undo a GraphQL string inside a JSON request body;
//! - percent-encoding undone (a secret in a URL or a form body);
//! - every run of base64 characters decoded, standard and URL-safe alike, padded or not, from
//!   each of its first four characters, so a secret inside a longer base64 run is found at every
//!   alignment, and a base64 document holding base64 (`.dockerconfigjson`) is found two levels
//!   down.
//!
//! The search looks for the secret's own bytes, never for an encoding of it, so a short secret
//! is matched only as a whole. Decoding runs that are not base64 gives random bytes (object IDs
//! are base64 of random bytes), where a given short byte string turns up by chance: a secret of
//! fewer than [`SHORT_SENTINEL_BYTES`] bytes is therefore looked for in decoded base64 only
//! when the decoded bytes are UTF-8 text, as every config, `user:password` and document is;
//! longer ones are looked for everywhere. Tests keep short sentinels distinctive with
//! multi-byte characters (see [`crate::sentinels`]).

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// How many decodings deep a text is searched: a GraphQL string in a JSON body (two escapes),
/// holding a base64 document that holds base64 (two decodings), with one to spare.
pub const MAX_DEPTH: usize = 5;

/// Secrets shorter than this are looked for in decoded base64 only when it is UTF-8 text: a
/// match of 8 given bytes in random data has a chance of 2^-64 per position, of 4 bytes 2^-32.
pub const SHORT_SENTINEL_BYTES: usize = 8;

/// How many bytes of decoded views one text may produce, per byte of the text (plus a fixed
/// allowance); past it the scan fails instead of giving up silently.
const DECODED_BYTES_PER_BYTE: usize = 64;

/// A secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The secret, as watched.
    pub sentinel: String,
    /// The decodings that revealed it, outermost first; empty when it was there as it is.
    pub decodings: Vec<Decoding>,
}

impl Finding {
    /// `raw`, or the decodings joined with ` → `, e.g. `base64 → base64`.
    pub fn form(&self) -> String {
        if self.decodings.is_empty() {
            return "raw".to_owned();
        }
        let names: Vec<&str> = self.decodings.iter().map(Decoding::name).collect();
        names.join(" → ")
    }
}

/// One way a text is decoded before it is searched again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    /// JSON, GraphQL and `Debug` escapes undone.
    Escapes,
    /// Percent-encoding undone.
    Percent,
    /// A base64 run decoded (either alphabet, padded or not, any alignment).
    Base64,
}

impl Decoding {
    /// The name used in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Decoding::Escapes => "escaped",
            Decoding::Percent => "percent-encoded",
            Decoding::Base64 => "base64",
        }
    }
}

/// The secrets a scan looks for, ready to search texts.
pub struct Scanner {
    sentinels: Vec<String>,
    /// Every sentinel, for text.
    all: Option<AhoCorasick>,
    /// The sentinels of at least [`SHORT_SENTINEL_BYTES`] bytes, for decoded bytes that are
    /// not text.
    long: Option<AhoCorasick>,
    /// The fewest bytes of a sentinel: shorter views are not searched.
    min_bytes: usize,
}

impl Scanner {
    /// A scanner for `sentinels`. Empty and whitespace-only ones are left out: the module
    /// refuses them as credentials and they occur in every text.
    pub fn new<'a>(sentinels: impl IntoIterator<Item = &'a str>) -> Self {
        let mut kept: Vec<String> = Vec::new();
        for sentinel in sentinels {
            if !sentinel.trim().is_empty() && !kept.iter().any(|s| s == sentinel) {
                kept.push(sentinel.to_owned());
            }
        }
        let long: Vec<&str> = kept
            .iter()
            .map(String::as_str)
            .filter(|s| s.len() >= SHORT_SENTINEL_BYTES)
            .collect();
        Self {
            all: matcher(&kept),
            long: matcher(&long),
            min_bytes: kept.iter().map(String::len).min().unwrap_or(usize::MAX),
            sentinels: kept,
        }
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.sentinels.is_empty()
    }

    /// The first watched secret in `text`, in any form.
    ///
    /// # Panics
    /// If decoding `text` would produce more than [`DECODED_BYTES_PER_BYTE`] bytes per byte
    /// of it (the scan never stops early without saying so).
    pub fn find(&self, text: &[u8]) -> Option<Finding> {
        if self.is_empty() {
            return None;
        }
        let mut budget = text.len() * DECODED_BYTES_PER_BYTE + (1 << 20);
        let mut decodings = Vec::new();
        self.search(text, &mut decodings, &mut budget)
    }

    fn search(
        &self,
        text: &[u8],
        decodings: &mut Vec<Decoding>,
        budget: &mut usize,
    ) -> Option<Finding> {
        let decoded_binary =
            decodings.last() == Some(&Decoding::Base64) && std::str::from_utf8(text).is_err();
        let matcher = if decoded_binary {
            &self.long
        } else {
            &self.all
        };
        if let Some(found) = matcher.as_ref().and_then(|m| m.find(text)) {
            let index = found.pattern().as_usize();
            let sentinels = &self.sentinels;
            let sentinel = if decoded_binary {
                sentinels
                    .iter()
                    .filter(|s| s.len() >= SHORT_SENTINEL_BYTES)
                    .nth(index)
            } else {
                sentinels.get(index)
            };
            return Some(Finding {
                sentinel: sentinel.cloned().unwrap_or_default(),
                decodings: decodings.clone(),
            });
        }
        if decodings.len() == MAX_DEPTH {
            return None;
        }
        let mut views: Vec<(Decoding, Vec<u8>)> = Vec::new();
        if text.contains(&b'\\') {
            views.push((Decoding::Escapes, unescape(text)));
        }
        if text.contains(&b'%') {
            views.push((
                Decoding::Percent,
                percent_encoding::percent_decode(text).collect(),
            ));
        }
        let min_run = (self.min_bytes * 4).div_ceil(3);
        for run in base64_runs(text).filter(|run| run.len() >= min_run) {
            for skip in 0..4.min(run.len()) {
                views.push((Decoding::Base64, decode_base64(&run[skip..])));
            }
        }
        for (decoding, view) in views {
            if view.len() < self.min_bytes || view == text {
                continue;
            }
            *budget = budget.checked_sub(view.len()).unwrap_or_else(|| {
                panic!(
                    "leak scan: decoding a text of {} bytes produced more than {} bytes of \
                     views; raise DECODED_BYTES_PER_BYTE rather than scan less",
                    text.len(),
                    text.len() * DECODED_BYTES_PER_BYTE
                )
            });
            decodings.push(decoding);
            let found = self.search(&view, decodings, budget);
            decodings.pop();
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// A matcher for `patterns`, `None` when there are none. An NFA: a DFA takes quadratic time to
/// build for a long run of one character (tests watch 130,000-byte passwords), and the search
/// is fast either way.
fn matcher<P: AsRef<[u8]>>(patterns: &[P]) -> Option<AhoCorasick> {
    (!patterns.is_empty()).then(|| {
        AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(patterns)
            .expect("leak scan: sentinels build a matcher")
    })
}

/// The maximal runs of base64 characters (both alphabets).
fn base64_runs(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let is_base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
    text.split(move |b| !is_base64(b))
}

/// `run` decoded as unpadded base64 after mapping the URL-safe alphabet onto the standard one;
/// a last character that cannot complete a byte is dropped.
fn decode_base64(run: &[u8]) -> Vec<u8> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    let usable = if run.len() % 4 == 1 {
        run.len() - 1
    } else {
        run.len()
    };
    let standard: Vec<u8> = run[..usable]
        .iter()
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect();
    LENIENT.decode(standard).unwrap_or_default()
}

/// `text` with every escape sequence it holds undone, leniently: JSON/GraphQL (`\"` `\\` `\/`
/// `\b` `\f` `\n` `\r` `\t` `\uXXXX`, surrogate pairs joined), Rust `Debug` (`\0` `\'`
/// `\u{X…}`) and `\xNN`. Anything that is not an escape is kept as it is.
fn unescape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' || i + 1 == text.len() {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let simple = match text[i + 1] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'\'' => Some(b'\''),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'0' => Some(0),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            i += 2;
            continue;
        }
        match escaped_char(&text[i..]) {
            Some((character, length)) => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
                i += length;
            }
            None => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    out
}

/// The character of a `\u{X…}`, `\uXXXX` (with a following low surrogate if it is a high
/// one) or `\xNN` escape at the start of `text`, and the escape's length.
fn escaped_char(text: &[u8]) -> Option<(char, usize)> {
    let hex = |digits: &[u8]| {
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, 16).ok())
    };
    match text.get(1)? {
        b'x' => {
            let code = hex(text.get(2..4)?)?;
            Some((char::from_u32(code)?, 4))
        }
        b'u' if text.get(2) == Some(&b'{') => {
            let close = text.iter().take(12).position(|&b| b == b'}')?;
            Some((char::from_u32(hex(&text[3..close])?)?, close + 1))
        }
        b'u' => {
            let high = hex(text.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&high) && text.get(6..8) == Some(b"\\u") {
                let low = hex(text.get(8..12)?)?;
                if (0xDC00..0xE000).contains(&low) {
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    return Some((char::from_u32(code)?, 12));
                }
            }
            Some((char::from_u32(high)?, 6))
        }
        _ => None,
    }
}
