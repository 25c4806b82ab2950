//! The error an AWS API answers with, read from its body and made safe to show: the code from a
//! JSON `__type` (AWS JSON protocols) or an XML `<Code>` (front ends and query protocols), the
//! message from `message`/`Message` or `<Message>`. AWS messages can quote the access key ID or
//! a signature, so the message keeps only its first line, up to [`MAX_MESSAGE_CHARS`], with every
//! word that could be a key, a token or a hash replaced by `<redacted>`; a code that is not a
//! plain identifier is dropped. The body itself is never kept.

use std::fmt;

use serde::Deserialize;

/// The most characters of an AWS message shown.
pub const MAX_MESSAGE_CHARS: usize = 200;
/// The longest error code shown.
const MAX_CODE_LEN: usize = 64;
/// A word this long of key or token characters, with a digit or `+/=` in it, is withheld: access key IDs are 20 characters,
/// secret keys 40, signatures 64.
const MIN_SECRET_WORD: usize = 16;
/// A word this long is withheld even when it holds letters only.
const MIN_PLAIN_SECRET_WORD: usize = 40;

/// An AWS error code and message, both made safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The error code, e.g. `UnrecognizedClientException`.
    pub code: Option<String>,
    /// The message, first line only, bounded, with key-like words withheld.
    pub message: Option<String>,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(code), None) => f.write_str(code),
            (None, Some(message)) => f.write_str(message),
            (None, None) => f.write_str("no error code"),
        }
    }
}

/// The JSON error shape (`message` or `Message`, `__type` or `code`).
#[derive(Deserialize)]
struct JsonError {
    #[serde(rename = "__type", alias = "code", alias = "Code")]
    kind: Option<String>,
    #[serde(alias = "Message")]
    message: Option<String>,
}

/// The code and message of an AWS error body (JSON or XML), or `None` when it has neither.
pub fn parse_aws_error(body: &[u8]) -> Option<AwsError> {
    let (code, message) = match serde_json::from_slice::<JsonError>(body) {
        Ok(json) => (json.kind, json.message),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            (
                xml_element(&text, "Code").map(str::to_owned),
                xml_element(&text, "Message").map(str::to_owned),
            )
        }
    };
    let error = AwsError {
        code: code.as_deref().and_then(safe_code),
        message: message.as_deref().and_then(safe_message),
    };
    (error.code.is_some() || error.message.is_some()).then_some(error)
}

/// The text of the first `<name>…</name>` element.
fn xml_element<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{name}>"))? + name.len() + 2;
    let length = text.get(start..)?.find(&format!("</{name}>"))?;
    text.get(start..start + length)
}

/// The code without a namespace (`com.amazon…#Code`) or a URL suffix (`Code:http://…`), when it
/// is a plain identifier of at most [`MAX_CODE_LEN`] characters.
fn safe_code(code: &str) -> Option<String> {
    let code = code.rsplit('#').next().unwrap_or(code);
    let code = code.split(':').next().unwrap_or(code).trim();
    let plain = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
    plain.then(|| code.to_owned())
}

/// The first line of `message`, with key-like words withheld and cut to [`MAX_MESSAGE_CHARS`].
fn safe_message(message: &str) -> Option<String> {
    let line = message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    let words: Vec<String> = line
        .split(' ')
        .map(|word| {
            if looks_secret(word) {
                "<redacted>".to_owned()
            } else {
                word.chars().filter(|c| !c.is_control()).collect()
            }
        })
        .collect();
    let joined = words.join(" ");
    let mut shown: String = joined.chars().take(MAX_MESSAGE_CHARS).collect();
    if shown.len() < joined.len() {
        shown.push('…');
    }
    Some(shown)
}

/// Whether `word` holds a run of key, token or hash characters that could be one: at least
/// [`MIN_SECRET_WORD`] long with a digit or `+/=` in it (a secret key, a session token, a
/// signature), or [`MIN_PLAIN_SECRET_WORD`] long whatever it holds; or starts like an access key
/// ID. Long words of letters only (`GetAuthorizationToken`) are shown.
fn looks_secret(word: &str) -> bool {
    let mut runs = word.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c)));
    let secret_run = runs.any(|run| {
        let marked = run
            .bytes()
            .any(|b| b.is_ascii_digit() || b"+/=".contains(&b));
        (marked && run.len() >= MIN_SECRET_WORD) || run.len() >= MIN_PLAIN_SECRET_WORD
    });
    let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    secret_run
        || ["AKIA", "ASIA", "ABIA", "ACCA"]
            .iter()
            .any(|prefix| bare.starts_with(prefix) && bare.len() > prefix.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(body: &str) -> String {
        parse_aws_error(body.as_bytes()).unwrap().to_string()
    }

    #[test]
    fn json_and_xml_errors_give_code_and_message() {
        assert_eq!(
            shown(
                r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#
            ),
            "UnrecognizedClientException: The security token included in the request is invalid."
        );
        assert_eq!(
            shown(
                r#"{"__type":"com.amazonaws.ecr#AccessDeniedException","Message":"User is not authorized"}"#
            ),
            "AccessDeniedException: User is not authorized"
        );
        assert_eq!(
            shown(
                r#"{"__type":"InvalidSignatureException:http://internal.amazon.com/coral/","message":"Signature expired"}"#
            ),
            "InvalidSignatureException: Signature expired"
        );
        assert_eq!(
            shown("<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>"),
            "InvalidClientTokenId: The security token included in the request is invalid."
        );
        assert_eq!(
            shown(r#"{"__type":"ThrottlingException"}"#),
            "ThrottlingException"
        );
        assert_eq!(parse_aws_error(b"<html>Bad gateway</html>"), None);
        assert_eq!(parse_aws_error(b""), None);
        assert_eq!(parse_aws_error(b"{}"), None);
    }

    #[test]
    fn keys_signatures_and_long_text_are_withheld() {
        let body = r#"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match. Key AKIAIOSFODNN7EXAMPLE, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\nThe Canonical String for this request should have been\n'POST\n/\nhost:api.ecr.us-east-1.amazonaws.com\nx-amz-security-token:IQoJb3JpZ2luX2VjEJr'\nsignature 5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}"#;
        let text = shown(body);
        for secret in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI",
            "IQoJb3JpZ2lu",
            "5d672d79c15b",
            "Canonical",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.starts_with("InvalidSignatureException: The request signature we calculated does not match. Key <redacted> secret <redacted>"), "{text}");
        assert_eq!(
            shown(r#"{"message":"key ASIAXYZ12 used"}"#),
            "key <redacted> used"
        );
        assert_eq!(
            shown(r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken"}"#),
            "AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken"
        );

        let long = format!(r#"{{"__type":"X","message":"{}"}}"#, "word ".repeat(100));
        let text = shown(&long);
        assert!(
            text.chars().count() <= "X: ".len() + MAX_MESSAGE_CHARS + 1,
            "{text}"
        );
        assert!(text.ends_with('…'));
    }

    #[test]
    fn codes_that_are_not_identifiers_are_dropped() {
        assert_eq!(shown(r#"{"__type":"has space <b>","message":"m"}"#), "m");
        let long = format!(r#"{{"__type":"{}"}}"#, "A".repeat(MAX_CODE_LEN + 1));
        assert_eq!(parse_aws_error(long.as_bytes()), None);
    }
}
