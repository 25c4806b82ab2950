//! Markdown structure checks (with pulldown-cmark, a CommonMark parser) and the code blocks
//! of a document.
//!
//! A fence that closes too early or never closes silently turns code into prose and prose
//! into code: shell comments become headings, commands become paragraphs. The checks catch
//! each symptom: a fenced block that no closing fence ends, a second level-1 heading (a
//! `# comment` out of its block), and a `\` line break or a `dagger call` in prose (a command
//! out of its block, which the call check would not see).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

/// A fenced code block: its info string, its text and the line its content starts on.
#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// The language tag (`sh`, `go`, …), empty if none.
    pub info: String,
    /// The content, without the fences.
    pub text: String,
    /// 1-based line of the first content line.
    pub first_line: usize,
}

/// Every fenced code block of a document.
pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(CodeBlock {
                    info: info
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    text: String::new(),
                    first_line: line_of(markdown, range.start) + 1,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Every structural problem of a document, each with its line.
pub fn problems(markdown: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut level_one_headings = 0;
    let mut in_code_block = false;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        let line = line_of(markdown, range.start);
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            _ => {}
        }
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_)))
                if !closed_by_a_fence(&markdown[range.clone()]) =>
            {
                problems.push(format!(
                    "line {line}: this code fence is never closed (the block runs to the end of its container)"
                ));
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => {
                level_one_headings += 1;
                if level_one_headings > 1 {
                    problems.push(format!(
                        "line {line}: a second level-1 heading `{}` (a `#` comment outside its code block?)",
                        markdown[range].lines().next().unwrap_or_default().trim()
                    ));
                }
            }
            Event::Text(text) if !in_code_block && text.contains("dagger call ") => {
                problems.push(format!(
                    "line {line}: a `dagger call` command in prose (outside its code block?)"
                ));
            }
            Event::HardBreak if markdown[range].starts_with('\\') => {
                problems.push(format!(
                    "line {line}: a line ending in `\\` outside a code block (a continued command outside its block?)"
                ));
            }
            _ => {}
        }
    }
    problems
}

/// Whether a fenced block's source (as the parser delimits it) ends with a closing fence:
/// the opening fence's character, at least as many of them, and nothing but spaces after
/// (CommonMark 4.5). Container markers (`>` and indentation) before either fence are skipped.
fn closed_by_a_fence(block: &str) -> bool {
    let mut lines = block.trim_end_matches(['\n', '\r']).lines();
    let Some(opening) = lines.next().map(strip_container) else {
        return false;
    };
    let Some(fence_char) = opening.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return false;
    };
    let opening_len = opening.chars().take_while(|c| *c == fence_char).count();
    let Some(closing) = lines.last().map(strip_container) else {
        return false;
    };
    let closing_len = closing.chars().take_while(|c| *c == fence_char).count();
    closing_len >= opening_len && closing[closing_len..].trim().is_empty()
}

fn strip_container(line: &str) -> &str {
    line.trim_start_matches([' ', '\t', '>'])
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}
