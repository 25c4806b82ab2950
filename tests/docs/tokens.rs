//! A tokenizer for the Go, Python and TypeScript example sources, just precise enough to
//! follow call chains: identifiers, punctuation and literals, with comments dropped and string
//! contents (which may mention `dag.…` in prose) kept out of the way.

/// The three SDK languages the examples are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Go SDK.
    Go,
    /// Python SDK.
    Python,
    /// TypeScript SDK.
    TypeScript,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name (`dag`, `WithRegistryAuth`, `func`).
    Ident,
    /// A string, rune or template literal.
    Literal,
    /// Punctuation or an operator (`.`, `(`, `=`, `=>`, `:=`).
    Punct,
}

/// A token and the line it starts on.
#[derive(Debug, Clone)]
pub struct Token {
    /// Its kind.
    pub kind: Kind,
    /// Its text (for literals, the whole literal with its quotes).
    pub text: String,
    /// 1-based line number.
    pub line: usize,
}

impl Token {
    /// Whether this is the punctuation `text`.
    pub fn is(&self, text: &str) -> bool {
        self.kind == Kind::Punct && self.text == text
    }

    /// Whether this is the identifier `text`.
    pub fn is_ident(&self, text: &str) -> bool {
        self.kind == Kind::Ident && self.text == text
    }
}

/// Operators of two or three characters, kept whole so that `==` is never read as `=`.
const OPERATORS: &[&str] = &[
    "...", "=>", "==", "!=", "<=", ">=", ":=", "->", "**", "&&", "||", "++", "--", "+=", "-=",
];

/// Splits `source` into tokens.
pub fn tokenize(lang: Lang, source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest = &chars[i..];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if starts(rest, "//") && lang != Lang::Python || c == '#' && lang == Lang::Python {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if starts(rest, "/*") && lang != Lang::Python {
            let end = find(&chars, i + 2, "*/").ok_or(format!("line {line}: unclosed /*"))?;
            line += count_lines(&chars[i..end]);
            i = end + 2;
        } else if let Some(len) = string_prefix(lang, rest) {
            let start_line = line;
            let end = literal_end(lang, &chars, i + len)
                .ok_or(format!("line {line}: unclosed string literal"))?;
            line += count_lines(&chars[i..end]);
            tokens.push(Token {
                kind: Kind::Literal,
                text: chars[i..end].iter().collect(),
                line: start_line,
            });
            i = end;
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Ident,
                text: chars[start..i].iter().collect(),
                line,
            });
        } else {
            let text = OPERATORS
                .iter()
                .find(|op| starts(rest, op))
                .map(|op| (*op).to_owned())
                .unwrap_or_else(|| c.to_string());
            i += text.chars().count();
            tokens.push(Token {
                kind: Kind::Punct,
                text,
                line,
            });
        }
    }
    Ok(tokens)
}

/// The length of a string literal's opening (prefix letters and quotes) at the start of
/// `rest`, if one starts there.
fn string_prefix(lang: Lang, rest: &[char]) -> Option<usize> {
    let prefix = if lang == Lang::Python {
        rest.iter()
            .take_while(|c| "rRbBfFuU".contains(**c))
            .count()
            .min(2)
    } else {
        0
    };
    let quote = *rest.get(prefix)?;
    let quotes: &[char] = match lang {
        Lang::Python => &['"', '\''],
        Lang::Go | Lang::TypeScript => &['"', '\'', '`'],
    };
    if !quotes.contains(&quote) {
        return None;
    }
    Some(prefix)
}

/// The index just past the literal whose quote is at `open`.
fn literal_end(lang: Lang, chars: &[char], open: usize) -> Option<usize> {
    let quote = chars[open];
    let triple = lang == Lang::Python
        && chars.get(open + 1) == Some(&quote)
        && chars.get(open + 2) == Some(&quote);
    if triple {
        let closing: String = [quote; 3].iter().collect();
        return find(chars, open + 3, &closing).map(|end| end + 3);
    }
    let raw = quote == '`' && lang == Lang::Go;
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if !raw => i += 2,
            '\n' if quote != '`' => return None,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn starts(rest: &[char], text: &str) -> bool {
    let mut chars = rest.iter();
    text.chars().all(|t| chars.next() == Some(&t))
}

fn find(chars: &[char], from: usize, text: &str) -> Option<usize> {
    (from..chars.len()).find(|&i| starts(&chars[i..], text))
}

fn count_lines(chars: &[char]) -> usize {
    chars.iter().filter(|c| **c == '\n').count()
}
