//! Amazon ECR, the pure parts: which registry addresses are ECR private registries (the account,
//! the region, the partition, FIPS), the API endpoint that mints their tokens, the endpoints a
//! caller may name instead, and the token the API answers with, checked and turned into the
//! `AWS` login it stands for. No I/O: the signed call lives in the network code.

use std::fmt;

use base64::Engine as _;

use super::address::RegistryKey;
use super::aws_error::AwsError;
use super::credential::{Credential, Username};
use super::plaintext::Plaintext;
use super::verify::{is_loopback, Failure};

/// The user name every ECR token logs in as.
pub const ECR_USERNAME: &str = "AWS";

/// The longest endpoint accepted, in bytes.
pub const MAX_ENDPOINT_LEN: usize = 512;

/// An ECR private registry, `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EcrRegistry {
    region: String,
    china: bool,
    fips: bool,
}

impl EcrRegistry {
    /// The ECR registry a normalized key names, or why it is not one. Only a whole registry
    /// (no namespace) of the `aws` and `aws-cn` partitions is accepted.
    pub fn parse(key: &RegistryKey) -> Result<Self, EcrAddressError> {
        let not_ecr = || EcrAddressError::NotEcr {
            address: key.as_str().to_owned(),
        };
        if key.namespace().is_some() {
            return Err(EcrAddressError::Namespace {
                address: key.as_str().to_owned(),
            });
        }
        let host = key.host();
        let (rest, china) = match host.strip_suffix(".amazonaws.com.cn") {
            Some(rest) => (rest, true),
            None => (
                host.strip_suffix(".amazonaws.com").ok_or_else(not_ecr)?,
                false,
            ),
        };
        let (account, rest) = rest.split_once('.').ok_or_else(not_ecr)?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_ecr());
        }
        let (fips, region) = if let Some(region) = rest.strip_prefix("dkr.ecr-fips.") {
            (true, region)
        } else if let Some(region) = rest.strip_prefix("dkr.ecr.") {
            (false, region)
        } else {
            return Err(not_ecr());
        };
        if !is_region(region) || region.starts_with("cn-") != china || (fips && china) {
            return Err(not_ecr());
        }
        Ok(Self {
            region: region.to_owned(),
            china,
            fips,
        })
    }

    /// The region, e.g. `eu-west-1`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The ECR API endpoint of the registry's region and partition:
    /// `https://api.ecr.<region>.amazonaws.com/`, `…amazonaws.com.cn/` in China, and
    /// `https://ecr-fips.<region>.amazonaws.com/` for a FIPS registry.
    pub fn api_endpoint(&self) -> String {
        let domain = if self.china {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        if self.fips {
            format!("https://ecr-fips.{}.{domain}/", self.region)
        } else {
            format!("https://api.ecr.{}.{domain}/", self.region)
        }
    }
}

/// Whether `region` has the shape of an AWS region name: `<2 letters>(-<letters>)+-<digits>`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// Why an address is not an ECR private registry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EcrAddressError {
    /// Not `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`.
    #[error("{address:?} is not an Amazon ECR private registry; expected <12-digit account>.dkr.ecr.<region>.amazonaws.com (dkr.ecr-fips for FIPS, .amazonaws.com.cn for the China regions)")]
    NotEcr {
        /// The normalized address.
        address: String,
    },
    /// An ECR address with a repository path: a token covers the whole registry.
    #[error("{address:?} names a repository; an ECR token covers the whole registry, so pass the registry host only")]
    Namespace {
        /// The normalized address.
        address: String,
    },
}

/// Where `GetAuthorizationToken` is called instead of the region's API endpoint (a VPC
/// endpoint, LocalStack, a test server): `https://host[:port]`, or `http://` to a loopback host.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EcrEndpoint(String);

impl EcrEndpoint {
    /// Validates an endpoint: an `https://` or loopback `http://` origin, optionally with a
    /// trailing `/`, without credentials, path, query or fragment.
    pub fn parse(endpoint: &str) -> Result<Self, EndpointError> {
        let shown = || endpoint.chars().take(80).collect::<String>();
        if endpoint.len() > MAX_ENDPOINT_LEN {
            return Err(EndpointError::TooLong {
                len: endpoint.len(),
            });
        }
        let (scheme, rest) = if let Some(rest) = endpoint.strip_prefix("https://") {
            ("https", rest)
        } else if let Some(rest) = endpoint.strip_prefix("http://") {
            ("http", rest)
        } else {
            return Err(EndpointError::Scheme { endpoint: shown() });
        };
        let host_port = rest.strip_suffix('/').unwrap_or(rest);
        let valid = !host_port.is_empty()
            && host_port
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
        if !valid {
            return Err(EndpointError::Origin { endpoint: shown() });
        }
        if scheme == "http" && !is_loopback(host_port) {
            return Err(EndpointError::PlainHttp { endpoint: shown() });
        }
        Ok(Self(format!(
            "{scheme}://{}/",
            host_port.to_ascii_lowercase()
        )))
    }

    /// The endpoint as a URL, `scheme://host[:port]/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EcrEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an endpoint was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Longer than [`MAX_ENDPOINT_LEN`].
    #[error("the endpoint is {len} bytes long; at most {MAX_ENDPOINT_LEN} are accepted")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Neither `https://` nor `http://`.
    #[error("{endpoint:?} is not an https:// URL (e.g. https://vpce-0123-abcd.api.ecr.us-east-1.vpce.amazonaws.com)")]
    Scheme {
        /// The endpoint (at most 80 characters of it).
        endpoint: String,
    },
    /// Has credentials, a path, a query or characters no host has.
    #[error("{endpoint:?} is not a plain origin (scheme://host[:port], no credentials, path, query or fragment)")]
    Origin {
        /// The endpoint (at most 80 characters of it).
        endpoint: String,
    },
    /// Plain HTTP to a host that is not a loopback host.
    #[error("{endpoint:?} is plain HTTP to a host that is not a loopback host; the AWS keys' signature and the token would cross the network unencrypted, so use https://")]
    PlainHttp {
        /// The endpoint (at most 80 characters of it).
        endpoint: String,
    },
}

/// What `withEcrAuth` records: the registry, the secrets that sign the call, and where to call.
/// `H` is the secret handle type (or a [`Plaintext`] once read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrLogin<H> {
    /// The registry, which gives the region (and, without an endpoint, the API endpoint).
    pub registry: EcrRegistry,
    /// The AWS access key ID.
    pub access_key_id: H,
    /// The AWS secret access key.
    pub secret_access_key: H,
    /// The session token of temporary credentials.
    pub session_token: Option<H>,
    /// Where to call instead of the region's API endpoint.
    pub endpoint: Option<EcrEndpoint>,
}

impl<H> EcrLogin<H> {
    /// The secret handles, in the order [`EcrLogin::map_secrets`] converts them.
    pub fn secrets(&self) -> impl Iterator<Item = &H> {
        [&self.access_key_id, &self.secret_access_key]
            .into_iter()
            .chain(self.session_token.as_ref())
    }

    /// The same login with every secret converted, in the order of [`EcrLogin::secrets`].
    pub fn map_secrets<T>(&self, mut convert: impl FnMut(&H) -> T) -> EcrLogin<T> {
        EcrLogin {
            registry: self.registry.clone(),
            access_key_id: convert(&self.access_key_id),
            secret_access_key: convert(&self.secret_access_key),
            session_token: self.session_token.as_ref().map(convert),
            endpoint: self.endpoint.clone(),
        }
    }

    /// The URL `GetAuthorizationToken` is sent to.
    pub fn url(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => endpoint.as_str().to_owned(),
            None => self.registry.api_endpoint(),
        }
    }
}

impl<T> EcrLogin<Option<T>> {
    /// The login if every required secret is there.
    pub fn transpose(self) -> Option<EcrLogin<T>> {
        Some(EcrLogin {
            registry: self.registry,
            access_key_id: self.access_key_id?,
            secret_access_key: self.secret_access_key?,
            session_token: match self.session_token {
                Some(token) => Some(token?),
                None => None,
            },
            endpoint: self.endpoint,
        })
    }
}

impl EcrLogin<Plaintext> {
    /// What makes two logins one call: the same keys, region and endpoint mint the same token.
    pub fn call_identity(&self) -> (&str, &str, Option<&str>, &str, String) {
        (
            self.access_key_id.expose(),
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(Plaintext::expose),
            self.registry.region(),
            self.url(),
        )
    }
}

/// Why an `authorizationToken` cannot be rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not standard base64 with padding.
    #[error("the authorizationToken is not base64")]
    NotBase64,
    /// Does not decode to `AWS:<password>` with a non-empty password of printable text.
    #[error("the authorizationToken does not decode to AWS:<password>")]
    NotAwsLogin,
}

/// The login an ECR `authorizationToken` stands for: base64 of `AWS:<password>`, as basic auth
/// for user `AWS`. Rendering it again gives exactly the token (standard base64 with padding,
/// decoded strictly, encodes back to the same text). The decoded bytes are wiped.
pub fn token_login(token: &Plaintext) -> Result<Credential<Plaintext>, TokenError> {
    let decoded = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(token.expose().trim())
            .map_err(|_| TokenError::NotBase64)?,
    );
    let text = std::str::from_utf8(&decoded).map_err(|_| TokenError::NotAwsLogin)?;
    let password = text
        .strip_prefix("AWS:")
        .filter(|password| !password.trim().is_empty())
        .filter(|password| !password.chars().any(char::is_control))
        .ok_or(TokenError::NotAwsLogin)?;
    Ok(Credential::Basic {
        username: Username::aws(),
        password: Plaintext::new(password.to_owned()),
    })
}

/// Why minting one ECR token failed. Never carries a key, a token or a response body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MintFailure {
    /// The API answered an error status, with the AWS error code and message when it gave them.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The AWS error, made safe to show.
        error: Option<AwsError>,
    },
    /// The call did not complete (TLS, connection, time-out).
    Transport(Failure),
    /// A 200 answer without a usable token.
    BadAnswer(&'static str),
    /// The token in a 200 answer cannot be rendered.
    Token(TokenError),
    /// The request could not be signed.
    Signing,
}

impl fmt::Display for MintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MintFailure::Refused {
                status,
                error: Some(error),
            } => write!(f, "HTTP {status}, {error}"),
            MintFailure::Refused {
                status,
                error: None,
            } => write!(f, "HTTP {status} without an AWS error code"),
            MintFailure::Transport(failure) => failure.fmt(f),
            MintFailure::BadAnswer(reason) => f.write_str(reason),
            MintFailure::Token(problem) => problem.fmt(f),
            MintFailure::Signing => f.write_str("the request could not be signed"),
        }
    }
}

/// The ECR entries whose tokens could not be minted, each with its endpoint and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("GetAuthorizationToken failed for {}", describe(.failures))]
pub struct MintProblem {
    /// `(registry key, endpoint URL, failure)`, in key order.
    pub failures: Vec<(String, String, MintFailure)>,
}

/// The failures, one clause each.
fn describe(failures: &[(String, String, MintFailure)]) -> String {
    failures
        .iter()
        .map(|(key, url, failure)| format!("{key:?} (at {url}): {failure}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(address: &str) -> Result<EcrRegistry, EcrAddressError> {
        EcrRegistry::parse(&RegistryKey::parse(address).unwrap())
    }

    #[test]
    fn api_endpoints_follow_region_partition_and_fips() {
        let cases = [
            (
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
                "eu-west-1",
                "https://api.ecr.eu-west-1.amazonaws.com/",
            ),
            (
                "https://123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/",
                "us-gov-west-1",
                "https://api.ecr.us-gov-west-1.amazonaws.com/",
            ),
            (
                "123456789012.dkr.ecr-fips.us-east-2.amazonaws.com",
                "us-east-2",
                "https://ecr-fips.us-east-2.amazonaws.com/",
            ),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
                "https://api.ecr.cn-north-1.amazonaws.com.cn/",
            ),
            (
                "123456789012.dkr.ecr.ap-southeast-5.amazonaws.com",
                "ap-southeast-5",
                "https://api.ecr.ap-southeast-5.amazonaws.com/",
            ),
        ];
        for (address, region, endpoint) in cases {
            let parsed = registry(address).unwrap();
            assert_eq!(parsed.region(), region, "{address}");
            assert_eq!(parsed.api_endpoint(), endpoint, "{address}");
        }
    }

    #[test]
    fn other_addresses_are_refused_naming_them() {
        for address in [
            "ghcr.io",
            "12345678901.dkr.ecr.us-east-1.amazonaws.com",
            "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
            "12345678901a.dkr.ecr.us-east-1.amazonaws.com",
            "123456789012.dkr.ecr.amazonaws.com",
            "123456789012.dkr.ecr.us-east.amazonaws.com",
            "123456789012.dkr.ecr.useast1.amazonaws.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example",
            "123456789012.dkr.ecr.us-east-1.amazonaws.cn",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn",
            "123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:5000",
            "public.ecr.aws",
            "api.ecr.us-east-1.amazonaws.com",
        ] {
            let error = registry(address).unwrap_err();
            let key = RegistryKey::parse(address).unwrap();
            assert!(
                error.to_string().contains(&format!("{:?}", key.as_str())),
                "{address}: {error}"
            );
        }
        let error = registry("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app").unwrap_err();
        assert!(
            matches!(error, EcrAddressError::Namespace { .. }),
            "{error}"
        );
    }

    #[test]
    fn endpoints_are_https_or_loopback_http_origins() {
        for (endpoint, normalized) in [
            (
                "https://vpce-1.api.ecr.us-east-1.vpce.amazonaws.com",
                "https://vpce-1.api.ecr.us-east-1.vpce.amazonaws.com/",
            ),
            ("http://127.0.0.1:5000/", "http://127.0.0.1:5000/"),
            ("http://localhost:4566", "http://localhost:4566/"),
            ("http://[::1]:4566", "http://[::1]:4566/"),
            ("https://Example.COM:8443", "https://example.com:8443/"),
        ] {
            assert_eq!(EcrEndpoint::parse(endpoint).unwrap().as_str(), normalized);
        }
        for (endpoint, expected) in [
            ("http://ecr.example.com", "plain HTTP"),
            ("http://10.0.0.1:4566", "plain HTTP"),
            ("ftp://127.0.0.1", "not an https:// URL"),
            ("api.ecr.us-east-1.amazonaws.com", "not an https:// URL"),
            ("https://user:pw@example.com", "not a plain origin"),
            ("https://example.com/path", "not a plain origin"),
            ("https://example.com/?q=1", "not a plain origin"),
            ("https://", "not a plain origin"),
        ] {
            let error = EcrEndpoint::parse(endpoint).unwrap_err().to_string();
            assert!(error.contains(expected), "{endpoint}: {error}");
        }
        let long = format!("https://{}.com", "a".repeat(MAX_ENDPOINT_LEN));
        assert!(matches!(
            EcrEndpoint::parse(&long),
            Err(EndpointError::TooLong { .. })
        ));
    }

    #[test]
    fn a_token_is_the_aws_login_it_encodes() {
        let token = Plaintext::new("QVdTOnNlY3JldC1wYXNzd29yZA==".to_owned());
        let Credential::Basic { username, password } = token_login(&token).unwrap() else {
            panic!("not basic auth");
        };
        assert_eq!(username.as_str(), "AWS");
        assert_eq!(password.expose(), "secret-password");
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        for (token, expected) in [
            ("not base64!".to_owned(), TokenError::NotBase64),
            ("QVdTOnNlY3JldA".to_owned(), TokenError::NotBase64),
            (encode("AWS:"), TokenError::NotAwsLogin),
            (encode("AWS: "), TokenError::NotAwsLogin),
            (encode("user:secret"), TokenError::NotAwsLogin),
            (encode("AWS:sec\nret"), TokenError::NotAwsLogin),
            (encode("AWSsecret"), TokenError::NotAwsLogin),
        ] {
            assert_eq!(token_login(&Plaintext::new(token)).unwrap_err(), expected);
        }
    }

    #[test]
    fn regions_have_the_aws_shape() {
        for region in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(is_region(region), "{region}");
        }
        for region in [
            "",
            "us",
            "us-1",
            "us-east",
            "USA-east-1",
            "us--1",
            "us-east-123",
            "us-east-x",
        ] {
            assert!(!is_region(region), "{region}");
        }
    }
}
