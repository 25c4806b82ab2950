//! What `verify` reports for one registry, as words: the result line and the failure reasons.
//! Every part of a message is either fixed text, a number, a registry error code from the fixed
//! vocabulary, a non-secret address, or a transport cause — never a body, token or credential.

use std::fmt;
use std::net::IpAddr;

use super::address::{RegistryKey, DOCKER_HUB_KEY};
use super::challenge::ChallengeError;
use super::helper::HelperName;
use super::token::TokenResponseError;

/// The host that serves Docker Hub's registry API (the Hub key is not a host).
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";

/// Transport causes (a TLS alert, an OS error) are cut to this many characters.
const MAX_CAUSE_LEN: usize = 200;

/// The `host[:port]` whose `/v2/` API serves `key`'s registry.
pub fn api_host(key: &RegistryKey) -> &str {
    match key.host() {
        DOCKER_HUB_KEY => DOCKER_HUB_API_HOST,
        host => host,
    }
}

/// Whether `host[:port]` is a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`): the
/// registries docker talks plain HTTP to without being told.
pub fn is_loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']').map_or(bracketed, |(ip, _)| ip),
        None => host_port
            .split_once(':')
            .map_or(host_port, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The result for one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The credentials work; with what was proven for a repository, if one was asked for.
    Ok(Option<Proven>),
    /// The registry answered `GET /v2/` without asking for credentials, so none were checked.
    NotAsked,
    /// A credential helper entry: the helper runs in the container, not here.
    Skipped(HelperName),
    /// The check failed.
    Failed(Failure),
}

/// The access proven for a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven {
    /// `pull`, or `pull, push`.
    pub actions: &'static [&'static str],
    /// The repository path.
    pub repository: String,
    /// Something the caller should know that does not make the check fail.
    pub note: Option<&'static str>,
}

/// The note when push was proven by an upload the registry then refused to cancel (registries
/// that ask for the `delete` action to cancel an upload, which a push token need not have).
pub const UPLOAD_NOT_CANCELLED: &str =
    "the registry refused to cancel the test upload; it expires the empty upload itself";

impl Outcome {
    /// The result line: `<key>: ok`, `<key>: ok (pull, push on team/app)`,
    /// `<key>: skipped (…)`, or `<key>: <failure>`.
    pub fn line(&self, key: &RegistryKey) -> String {
        match self {
            Outcome::Ok(None) => format!("{key}: ok"),
            Outcome::Ok(Some(proven)) => {
                let note = proven
                    .note
                    .map(|note| format!("; {note}"))
                    .unwrap_or_default();
                format!(
                    "{key}: ok ({} on {}{note})",
                    proven.actions.join(", "),
                    proven.repository
                )
            }
            Outcome::NotAsked => format!(
                "{key}: ok (the registry asks for no credentials, so they were not checked)"
            ),
            Outcome::Skipped(helper) => format!(
                "{key}: skipped (credential helper {} runs in the container)",
                helper.as_str()
            ),
            Outcome::Failed(failure) => format!("{key}: {failure}"),
        }
    }

    /// Whether the check failed.
    pub fn failed(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// A request of the handshake, as failures name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The anonymous `GET /v2/` that asks how to authenticate.
    Ping,
    /// `GET /v2/` with the credentials or the token.
    Login,
    /// The request to the challenge's realm for a token.
    Token,
    /// `GET /v2/<repo>/tags/list`, which proves pull when the token says nothing.
    ListTags,
    /// `POST /v2/<repo>/blobs/uploads/`, which proves push.
    OpenUpload,
    /// The `DELETE` that cancels that upload.
    CancelUpload,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Ping => "GET /v2/",
            Step::Login => "GET /v2/ with the credentials",
            Step::Token => "the token request to the realm",
            Step::ListTags => "listing the repository's tags (the pull check)",
            Step::OpenUpload => "opening a blob upload (the push check)",
            Step::CancelUpload => "cancelling the test blob upload",
        })
    }
}

/// Why the check of one registry failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A request answered an unexpected status, with the registry's error codes.
    Status {
        /// Which request.
        step: Step,
        /// The HTTP status.
        status: u16,
        /// Known registry error codes from the body.
        codes: Vec<&'static str>,
    },
    /// The token does not grant what was asked.
    NotGranted {
        /// The repository.
        repository: String,
        /// The actions asked for but not granted.
        missing: Vec<&'static str>,
    },
    /// HTTPS failed for a TLS reason; `fallback` is what plain HTTP then gave, if tried.
    Tls {
        /// The TLS reason.
        reason: String,
        /// The failure over plain HTTP, when that was tried and failed too.
        fallback: Option<Box<Failure>>,
    },
    /// No connection (refused, DNS, reset), with the cause.
    Unreachable {
        /// The cause.
        cause: String,
    },
    /// Connecting, a request or the whole check took longer than its time-out.
    TimedOut {
        /// That time-out in seconds.
        seconds: u64,
    },
    /// The challenge cannot be answered.
    Challenge(ChallengeError),
    /// The challenge's realm is not a URL this check may send credentials to.
    Realm {
        /// Why.
        reason: &'static str,
    },
    /// The token endpoint answered without a usable token.
    Token(TokenResponseError),
    /// The entry's kind of credential cannot answer the registry's challenge.
    CredentialKind {
        /// The entry's kind (`an identity token`).
        kind: &'static str,
    },
    /// The registry's answer breaks the protocol in a way that stops the check.
    Protocol {
        /// What was wrong.
        reason: &'static str,
    },
}

impl Failure {
    /// A transport cause, cut to a bounded length with control characters escaped.
    pub fn cause(text: impl fmt::Display) -> String {
        let text: String = text.to_string().chars().take(MAX_CAUSE_LEN).collect();
        text.escape_debug().to_string()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status {
                step,
                status,
                codes,
            } => {
                write!(f, "{step} answered {status}")?;
                for code in codes {
                    write!(f, " {code}")?;
                }
                if *step == Step::Ping && !matches!(status, 401 | 403) {
                    f.write_str(" (is this a registry? its /v2/ API did not answer)")?;
                }
                Ok(())
            }
            Failure::NotGranted {
                repository,
                missing,
            } => write!(
                f,
                "the token does not grant {} on {repository}",
                missing.join(", ")
            ),
            Failure::Tls { reason, fallback } => {
                write!(f, "TLS failed: {reason}")?;
                if let Some(fallback) = fallback {
                    write!(f, "; the plain HTTP fallback then failed too: {fallback}")?;
                }
                Ok(())
            }
            Failure::Unreachable { cause } => write!(f, "unreachable: {cause}"),
            Failure::TimedOut { seconds } => {
                write!(f, "no answer within {seconds} seconds (time-out)")
            }
            Failure::Challenge(problem) => problem.fmt(f),
            Failure::Realm { reason } => write!(f, "the token realm {reason}"),
            Failure::Token(problem) => problem.fmt(f),
            Failure::CredentialKind { kind } => write!(
                f,
                "the registry asks for a username and password (Basic), which {kind} is not"
            ),
            Failure::Protocol { reason } => f.write_str(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(address: &str) -> RegistryKey {
        RegistryKey::parse(address).expect("valid key")
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "localhost:5000",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]:5000",
            "[::1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "ghcr.io",
            "10.0.0.1:5000",
            "[::2]:5000",
            "localhost.example.com",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn docker_hub_is_checked_at_its_api_host() {
        assert_eq!(api_host(&key("docker.io")), DOCKER_HUB_API_HOST);
        assert_eq!(api_host(&key("quay.io/team")), "quay.io");
    }

    #[test]
    fn result_lines() {
        let ghcr = key("ghcr.io");
        assert_eq!(Outcome::Ok(None).line(&ghcr), "ghcr.io: ok");
        let proven = Proven {
            actions: &["pull", "push"],
            repository: "team/app".into(),
            note: None,
        };
        assert_eq!(
            Outcome::Ok(Some(proven)).line(&ghcr),
            "ghcr.io: ok (pull, push on team/app)"
        );
        let helper = HelperName::parse("ecr-login").expect("valid helper");
        assert_eq!(
            Outcome::Skipped(helper).line(&ghcr),
            "ghcr.io: skipped (credential helper ecr-login runs in the container)"
        );
        let refused = Failure::Status {
            step: Step::Login,
            status: 401,
            codes: vec!["UNAUTHORIZED"],
        };
        assert_eq!(
            Outcome::Failed(refused).line(&ghcr),
            "ghcr.io: GET /v2/ with the credentials answered 401 UNAUTHORIZED"
        );
    }

    #[test]
    fn a_tls_reason_is_kept_when_the_fallback_fails_too() {
        let failure = Failure::Tls {
            reason: "the certificate is signed by an unknown authority".into(),
            fallback: Some(Box::new(Failure::Status {
                step: Step::Ping,
                status: 400,
                codes: vec![],
            })),
        };
        let text = failure.to_string();
        assert!(
            text.starts_with("TLS failed: the certificate is signed by an unknown authority"),
            "{text}"
        );
        assert!(text.contains("GET /v2/ answered 400"), "{text}");
    }

    #[test]
    fn causes_are_bounded_and_escaped() {
        let cause = Failure::cause(format!("a\nb{}", "x".repeat(500)));
        assert!(cause.starts_with("a\\nb"));
        assert!(cause.len() <= MAX_CAUSE_LEN + 1);
    }
}
