//! The `WWW-Authenticate` challenge a registry answers an anonymous `GET /v2/` with (RFC 7235
//! grammar: `scheme param=value, param="quoted value", …`, several challenges in one header),
//! reduced to what the `docker login` handshake needs.

/// How the registry asks to be authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic`: send the username and password with every request.
    Basic,
    /// `Bearer realm=…,service=…`: fetch a token from `realm` and send it as the bearer.
    Bearer {
        /// The token endpoint (an absolute URL, checked by the caller).
        realm: String,
        /// The `service` parameter the token endpoint expects, if given.
        service: Option<String>,
    },
}

/// Why a challenge header cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// No `Basic` challenge and no `Bearer` challenge with a realm.
    #[error("the registry asks for an authentication scheme docker does not speak ({schemes})")]
    Unsupported {
        /// The schemes offered, comma-separated, at most a few short ones.
        schemes: String,
    },
    /// The header does not follow the RFC 7235 grammar.
    #[error("the registry's WWW-Authenticate header is malformed")]
    Malformed,
}

/// The most schemes named in an [`ChallengeError::Unsupported`] message, and their longest length.
const MAX_SHOWN_SCHEMES: usize = 4;
const MAX_SCHEME_LEN: usize = 32;

/// Parses a `WWW-Authenticate` header and picks the challenge docker would answer: `Bearer`
/// with a realm first, else `Basic`.
pub fn parse_challenge(header: &str) -> Result<Challenge, ChallengeError> {
    let challenges = parse_all(header).ok_or(ChallengeError::Malformed)?;
    let bearer = challenges.iter().find_map(|(scheme, params)| {
        let realm = scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| param(params, "realm"))??;
        Some(Challenge::Bearer {
            realm: realm.to_owned(),
            service: param(params, "service").map(str::to_owned),
        })
    });
    if let Some(bearer) = bearer {
        return Ok(bearer);
    }
    if challenges
        .iter()
        .any(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
    {
        return Ok(Challenge::Basic);
    }
    let schemes = challenges
        .iter()
        .take(MAX_SHOWN_SCHEMES)
        .map(|(scheme, _)| scheme.chars().take(MAX_SCHEME_LEN).collect::<String>())
        .collect::<Vec<_>>()
        .join(", ");
    Err(ChallengeError::Unsupported { schemes })
}

/// A challenge: its scheme and its parameters (names lower-cased).
type Parsed = (String, Vec<(String, String)>);

/// The value of parameter `name` (case-insensitive), if present.
fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Every challenge of the header, or `None` when it is not valid RFC 7235.
fn parse_all(header: &str) -> Option<Vec<Parsed>> {
    let mut cursor = Cursor {
        rest: header.as_bytes(),
    };
    let mut challenges: Vec<Parsed> = Vec::new();
    loop {
        cursor.skip_separators();
        if cursor.rest.is_empty() {
            break;
        }
        let name = cursor.token()?;
        cursor.skip_spaces();
        if cursor.peek() == Some(b'=') {
            // A parameter of the current challenge.
            cursor.advance();
            cursor.skip_spaces();
            let value = if cursor.peek() == Some(b'"') {
                cursor.quoted()?
            } else {
                cursor.bare_value()?
            };
            let (_, params) = challenges.last_mut()?;
            params.push((name.to_ascii_lowercase(), value));
        } else {
            challenges.push((name, Vec::new()));
        }
    }
    (!challenges.is_empty()).then_some(challenges)
}

/// A position in the header.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn advance(&mut self) {
        self.rest = self.rest.get(1..).unwrap_or_default();
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.advance();
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.advance();
        }
    }

    /// An RFC 7230 `token` (registries send schemes and `name=value` parameters, never the
    /// `token68` form).
    fn token(&mut self) -> Option<String> {
        let len = self.rest.iter().take_while(|b| is_tchar(**b)).count();
        if len == 0 {
            return None;
        }
        let (token, rest) = self.rest.split_at(len);
        self.rest = rest;
        String::from_utf8(token.to_vec()).ok()
    }

    /// An unquoted parameter value: a `token` by the grammar, but some servers send a realm URL
    /// unquoted, so anything up to a comma or whitespace is taken (not a control character).
    fn bare_value(&mut self) -> Option<String> {
        let len = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_graphic() && **b != b',' && **b != b'"')
            .count();
        if len == 0 {
            return None;
        }
        let (value, rest) = self.rest.split_at(len);
        self.rest = rest;
        String::from_utf8(value.to_vec()).ok()
    }

    /// A `quoted-string`, unescaped.
    fn quoted(&mut self) -> Option<String> {
        self.advance();
        let mut value = Vec::new();
        loop {
            let byte = self.peek()?;
            self.advance();
            match byte {
                b'"' => return String::from_utf8(value).ok(),
                b'\\' => {
                    value.push(self.peek()?);
                    self.advance();
                }
                byte if byte.is_ascii_control() && byte != b'\t' => return None,
                byte => value.push(byte),
            }
        }
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(realm: &str, service: Option<&str>) -> Challenge {
        Challenge::Bearer {
            realm: realm.to_owned(),
            service: service.map(str::to_owned),
        }
    }

    #[test]
    fn distribution_token_challenge() {
        let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#;
        assert_eq!(
            parse_challenge(header),
            Ok(bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io")
            ))
        );
    }

    #[test]
    fn scheme_and_parameter_names_are_case_insensitive_and_tokens_unquoted() {
        let header = "bearer Realm=https://ghcr.io/token , SERVICE=ghcr.io";
        assert_eq!(
            parse_challenge(header),
            Ok(bearer("https://ghcr.io/token", Some("ghcr.io")))
        );
    }

    #[test]
    fn basic_challenge() {
        assert_eq!(
            parse_challenge(r#"Basic realm="e2e-registry""#),
            Ok(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Basic"), Ok(Challenge::Basic));
    }

    #[test]
    fn bearer_is_preferred_over_basic_in_one_header() {
        let header = r#"Basic realm="x", Bearer realm="https://r.example/token",service="r""#;
        assert_eq!(
            parse_challenge(header),
            Ok(bearer("https://r.example/token", Some("r")))
        );
    }

    #[test]
    fn quoted_strings_unescape() {
        let header = r#"Bearer realm="https://r.example/t\"x",service="a,b""#;
        assert_eq!(
            parse_challenge(header),
            Ok(bearer(r#"https://r.example/t"x"#, Some("a,b")))
        );
    }

    #[test]
    fn bearer_without_realm_and_other_schemes_are_unsupported() {
        assert_eq!(
            parse_challenge(r#"Bearer service="x""#),
            Err(ChallengeError::Unsupported {
                schemes: "Bearer".into()
            })
        );
        assert_eq!(
            parse_challenge("Negotiate, NTLM"),
            Err(ChallengeError::Unsupported {
                schemes: "Negotiate, NTLM".into()
            })
        );
    }

    #[test]
    fn malformed_headers() {
        for header in [
            "",
            "  ",
            r#"realm="x""#,
            r#"Bearer realm="unterminated"#,
            "Bearer realm=",
            "Bearer realm=\"a\u{1}b\"",
        ] {
            assert_eq!(
                parse_challenge(header),
                Err(ChallengeError::Malformed),
                "{header:?}"
            );
        }
    }
}
