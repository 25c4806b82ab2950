//! Registry key normalization, table-tested against the anchors' key-form × tool matrix and the
//! edge cases users actually type.

use std::borrow::Cow;

use base64::Engine as _;
use proptest::prelude::*;
use registry_config::core::address::{redact_userinfo, AddressError, RegistryKey, DOCKER_HUB_KEY};
use registry_config::core::credential::{Credential, Username};
use registry_config::core::import::{parse_docker_config, ImportError};
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::Plan;
use registry_config::core::render::render;
use registry_config::core::shown::quoted;
use registry_config::core::visible::{check_visible, find_invisible, shows_nothing};

/// Accepted inputs and the key they must become.
const ACCEPTED: &[(&str, &str)] = &[
    // Docker Hub: every alias of the compatibility matrix becomes the one key all tools find.
    ("docker.io", DOCKER_HUB_KEY),
    ("index.docker.io", DOCKER_HUB_KEY),
    ("registry-1.docker.io", DOCKER_HUB_KEY),
    ("registry.hub.docker.com", DOCKER_HUB_KEY),
    ("https://index.docker.io/v1/", DOCKER_HUB_KEY),
    ("https://index.docker.io/v1", DOCKER_HUB_KEY),
    ("index.docker.io/v1/", DOCKER_HUB_KEY),
    ("http://docker.io", DOCKER_HUB_KEY),
    ("https://registry-1.docker.io/", DOCKER_HUB_KEY),
    ("DOCKER.IO", DOCKER_HUB_KEY),
    ("  docker.io  ", DOCKER_HUB_KEY),
    // Plain hosts (matrix rows `ghcr.io`, `https://ghcr.io`, `localhost:5000`, `http://localhost:5000`).
    ("ghcr.io", "ghcr.io"),
    ("https://ghcr.io", "ghcr.io"),
    ("https://ghcr.io/", "ghcr.io"),
    ("HTTPS://GHCR.IO/", "ghcr.io"),
    ("Http://Ghcr.Io", "ghcr.io"),
    ("ghcr.io///", "ghcr.io"),
    ("localhost:5000", "localhost:5000"),
    ("http://localhost:5000", "localhost:5000"),
    ("localhost", "localhost"),
    ("registry.example.com:443", "registry.example.com:443"),
    ("my-registry.internal:65535", "my-registry.internal:65535"),
    ("zot:1", "zot:1"),
    // IP addresses with ports.
    ("127.0.0.1:5000", "127.0.0.1:5000"),
    ("http://10.0.0.1:5000/", "10.0.0.1:5000"),
    ("[::1]:5000", "[::1]:5000"),
    ("[::1]", "[::1]"),
    ("https://[2001:DB8::1]:8443/", "[2001:db8::1]:8443"),
    // Namespace scopes (matrix row `quay.io/org`), host lower-cased, path kept as written.
    ("quay.io/org", "quay.io/org"),
    ("Quay.IO/org/", "quay.io/org"),
    ("https://quay.io/org/team", "quay.io/org/team"),
    ("localhost:5000/e2e", "localhost:5000/e2e"),
    ("ghcr.io/my-org/sub_team.x", "ghcr.io/my-org/sub_team.x"),
    ("ghcr.io/a__b/c--d", "ghcr.io/a__b/c--d"),
    // Registry URLs: the API-version path and the scheme's default port name the registry.
    ("https://registry.example.com/v2/", "registry.example.com"),
    ("https://registry.example.com/v2", "registry.example.com"),
    ("https://registry.example.com/v1/", "registry.example.com"),
    ("http://registry.example.com/v2//", "registry.example.com"),
    (
        "https://registry.example.com:443/v2/",
        "registry.example.com",
    ),
    ("https://registry.example.com:443", "registry.example.com"),
    ("HTTPS://Registry.Example.com:443/", "registry.example.com"),
    ("http://localhost:80/v2/", "localhost"),
    ("http://localhost:80", "localhost"),
    ("https://[::1]:443/v2/", "[::1]"),
    // ... but another port is kept, and so is the port of a bare address.
    (
        "https://registry.example.com:80/v2/",
        "registry.example.com:80",
    ),
    ("http://localhost:443", "localhost:443"),
    ("https://localhost:5000/v2/", "localhost:5000"),
    ("http://10.0.0.1:5000/v1", "10.0.0.1:5000"),
    // Only a path that is exactly /v1 or /v2 is the API; anything longer stays a namespace.
    ("https://quay.io/v2/org", "quay.io/v2/org"),
    // Without a scheme, v1 and v2 are namespaces (legal repository path components).
    ("registry.example.com/v2", "registry.example.com/v2"),
    ("registry.example.com/v2/", "registry.example.com/v2"),
    ("localhost:5000/v1", "localhost:5000/v1"),
    // Docker Hub through its URLs, with its default port.
    ("https://index.docker.io:443/v1/", DOCKER_HUB_KEY),
    ("https://index.docker.io/v2/", DOCKER_HUB_KEY),
    ("https://registry-1.docker.io:443/v2/", DOCKER_HUB_KEY),
    ("https://docker.io:443", DOCKER_HUB_KEY),
    ("http://docker.io:80/v1", DOCKER_HUB_KEY),
    // IPv6 literals are written in their canonical (RFC 5952) form.
    ("[0:0:0:0:0:0:0:1]", "[::1]"),
    ("[0:0:0:0:0:0:0:1]:5000", "[::1]:5000"),
    ("[2001:DB8:0:0:0:0:0:1]:5000", "[2001:db8::1]:5000"),
    ("[2001:0db8::0001]/org", "[2001:db8::1]/org"),
    ("[::FFFF:10.0.0.1]", "[::ffff:10.0.0.1]"),
    ("[::ffff:0a00:0001]:8443", "[::ffff:10.0.0.1]:8443"),
    ("https://[0:0:0:0:0:0:0:1]:443/v2/", "[::1]"),
    // Dotted-quad IPv4 and host names that merely contain numbers.
    ("0.0.0.0:5000", "0.0.0.0:5000"),
    ("255.255.255.255", "255.255.255.255"),
    ("10.0.0.1.nip.io", "10.0.0.1.nip.io"),
    ("123abc.example", "123abc.example"),
    ("registry.0xyz", "registry.0xyz"),
    ("zot:5000/app", "zot:5000/app"),
];

#[test]
fn accepted_addresses_normalize_to_the_documented_key() {
    for (input, expected) in ACCEPTED {
        let key =
            RegistryKey::parse(input).unwrap_or_else(|e| panic!("{input:?} was rejected: {e}"));
        assert_eq!(key.as_str(), *expected, "normalizing {input:?}");
        // Normalization is idempotent: a key parses back to itself.
        let again = RegistryKey::parse(key.as_str()).expect("a key must parse");
        assert_eq!(again, key, "re-normalizing {expected:?}");
    }
}

#[test]
fn host_and_namespace_are_split() {
    let key = RegistryKey::parse("Quay.io:8443/org/team").unwrap();
    assert_eq!(key.host(), "quay.io:8443");
    assert_eq!(key.namespace(), Some("org/team"));
    let host_only = RegistryKey::parse("ghcr.io").unwrap();
    assert_eq!(host_only.host(), "ghcr.io");
    assert_eq!(host_only.namespace(), None);
    let hub = RegistryKey::parse("docker.io").unwrap();
    assert_eq!(hub.namespace(), None);
}

/// Rejected inputs, the variant expected, and a fragment the message must contain.
/// An input, whether its error is the expected variant, and a fragment of the message.
type Rejection = (&'static str, fn(&AddressError) -> bool, &'static str);

fn rejected() -> Vec<Rejection> {
    vec![
        ("", |e| matches!(e, AddressError::Empty), "empty"),
        ("   \t ", |e| matches!(e, AddressError::Empty), "empty"),
        (
            "ghcr .io",
            |e| matches!(e, AddressError::Whitespace { .. }),
            "whitespace",
        ),
        (
            "ghcr.io\u{0}",
            |e| matches!(e, AddressError::ControlCharacter { .. }),
            "control",
        ),
        (
            "ghcr.io/\u{7}org",
            |e| matches!(e, AddressError::ControlCharacter { .. }),
            "control",
        ),
        (
            "ghcr.io/org/app:1.0",
            |e| matches!(e, AddressError::Tag { .. }),
            "\"ghcr.io/org/app\"",
        ),
        (
            "localhost:5000/app:latest",
            |e| matches!(e, AddressError::Tag { .. }),
            "tag",
        ),
        (
            "docker.io/library/alpine:3",
            |e| matches!(e, AddressError::Tag { .. }),
            "tag",
        ),
        (
            "ghcr.io/org/app@sha256:0123",
            |e| matches!(e, AddressError::Digest { .. }),
            "digest",
        ),
        (
            "ghcr.io:0",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "1 to 65535",
        ),
        (
            "ghcr.io:65536",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        (
            "ghcr.io:",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        (
            "ghcr.io:+80",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        (
            "ghcr.io:latest",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        (
            "ghcr.io:000080",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        // Ports are written without leading zeros: "080" is refused rather than guessed at.
        (
            "ghcr.io:080",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "without leading zeros",
        ),
        (
            "https://ghcr.io:0443/v2/",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "without leading zeros",
        ),
        (
            "[::1]:05000",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        (
            "ghcr.io:00",
            |e| matches!(e, AddressError::InvalidPort { .. }),
            "port",
        ),
        // A host whose last label is a number must be a dotted-quad IPv4 address.
        (
            "999.999.999.999",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "four decimal numbers from 0 to 255",
        ),
        (
            "256.0.0.1:5000",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "not an IPv4 address",
        ),
        (
            "010.0.0.1",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "without leading zeros",
        ),
        (
            "http://010.0.0.1:5000/",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "IPv4",
        ),
        (
            "1.2.3",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "IPv4",
        ),
        (
            "1.2.3.4.5",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "IPv4",
        ),
        (
            "1234:5000",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "ends in a number",
        ),
        (
            "registry.123/org",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "ends in a number",
        ),
        (
            "http://0x7f.1",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "IPv4",
        ),
        (
            "registry.0x1f",
            |e| matches!(e, AddressError::InvalidIpv4 { .. }),
            "IPv4",
        ),
        (
            "::1",
            |e| matches!(e, AddressError::UnbracketedIpv6 { .. }),
            "brackets",
        ),
        (
            "2001:db8::1:5000",
            |e| matches!(e, AddressError::UnbracketedIpv6 { .. }),
            "brackets",
        ),
        (
            "[::1",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "[not-ip]:5000",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "[::1]5000",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "-bad.example.com",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "bad..example.com",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "reg_istry.example.com",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "https://",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "/org",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
        (
            "oci://ghcr.io",
            |e| matches!(e, AddressError::UnsupportedScheme { .. }),
            "scheme",
        ),
        (
            "ftp://ghcr.io",
            |e| matches!(e, AddressError::UnsupportedScheme { .. }),
            "scheme",
        ),
        (
            "quay.io/Org",
            |e| matches!(e, AddressError::InvalidNamespace { .. }),
            "lower-case",
        ),
        (
            "quay.io//org",
            |e| matches!(e, AddressError::InvalidNamespace { .. }),
            "namespace",
        ),
        (
            "quay.io/-org",
            |e| matches!(e, AddressError::InvalidNamespace { .. }),
            "namespace",
        ),
        (
            "quay.io/o..rg",
            |e| matches!(e, AddressError::InvalidNamespace { .. }),
            "namespace",
        ),
        (
            "docker.io/myorg",
            |e| matches!(e, AddressError::DockerHubNamespace { .. }),
            "https://index.docker.io/v1/",
        ),
        // Without a scheme only docker's legacy `index.docker.io/v1` means the Hub; a bare
        // `/v2` is a namespace, and Hub namespaces are refused.
        (
            "index.docker.io/v2",
            |e| matches!(e, AddressError::DockerHubNamespace { .. }),
            "\"docker.io\"",
        ),
        (
            "https://docker.io/v2/library",
            |e| matches!(e, AddressError::DockerHubNamespace { .. }),
            "namespace",
        ),
        // An `@` in the path followed by a digest keeps the digest message.
        (
            "https://ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            |e| matches!(e, AddressError::Digest { .. }),
            "digest",
        ),
        (
            "localhost:5000/app@sha512:abc/",
            |e| matches!(e, AddressError::Digest { .. }),
            "digest",
        ),
        (
            "ghcr.io/app@sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
            |e| matches!(e, AddressError::Digest { .. }),
            "digest",
        ),
        (
            "ümlaut.example",
            |e| matches!(e, AddressError::InvalidHost { .. }),
            "host",
        ),
    ]
}

#[test]
fn rejected_addresses_get_a_specific_error_that_quotes_the_address() {
    for (input, is_expected, fragment) in rejected() {
        let error = RegistryKey::parse(input).expect_err(&format!("{input:?} must be rejected"));
        assert!(
            is_expected(&error),
            "{input:?} gave the wrong error: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(fragment),
            "{input:?}: message {message:?} lacks {fragment:?}"
        );
        let trimmed = input.trim();
        if !trimmed.is_empty() && !trimmed.chars().any(char::is_control) {
            assert!(
                message.contains(trimmed),
                "{input:?}: message {message:?} does not quote the input"
            );
        }
    }
}

#[test]
fn over_long_addresses_are_rejected_by_length() {
    let long = format!("{}.example.com", "a".repeat(300));
    assert!(
        matches!(RegistryKey::parse(&long), Err(AddressError::TooLong { len }) if len == long.len())
    );
    let label = format!("{}.example.com", "a".repeat(64));
    assert!(matches!(
        RegistryKey::parse(&label),
        Err(AddressError::InvalidHost { .. })
    ));
    let at_limit = format!("{}.com", "a".repeat(59));
    assert!(RegistryKey::parse(&at_limit).is_ok());
}

/// Addresses with userinfo: the input, the redacted form every message must quote, and the
/// secret part that must appear nowhere.
const WITH_USERINFO: &[(&str, &str, &str)] = &[
    (
        "https://robot:hunter2-pw@ghcr.io",
        "https://***@ghcr.io",
        "hunter2-pw",
    ),
    ("robot:hunter2-pw@ghcr.io", "***@ghcr.io", "hunter2-pw"),
    ("robot@ghcr.io", "***@ghcr.io", "robot"),
    (
        "http://robot@localhost:5000/org",
        "http://***@localhost:5000/org",
        "robot",
    ),
    (
        "HTTPS://Robot:Hunter2-pw@GHCR.IO",
        "HTTPS://***@GHCR.IO",
        "Hunter2-pw",
    ),
    (
        "  https://robot:hunter2-pw@ghcr.io/  ",
        "https://***@ghcr.io/",
        "hunter2-pw",
    ),
    // '@' inside the password: the userinfo runs to the last '@' of the authority.
    (
        "https://robot:p@ss-w0rd@ghcr.io",
        "https://***@ghcr.io",
        "ss-w0rd",
    ),
    // A '/' inside the password moves the '@' into the "path"; what follows is no digest.
    (
        "https://robot:pa/ss-w0rd@ghcr.io",
        "https://***@ghcr.io",
        "ss-w0rd",
    ),
    (
        "https://robot:1234/ss-w0rd@ghcr.io:443",
        "https://***@ghcr.io:443",
        "ss-w0rd",
    ),
    (
        "https://robot:pa/ss-w0rd@zot:5000",
        "https://***@zot:5000",
        "ss-w0rd",
    ),
    (
        "https://robot:pa/ss-w0rd@[::1]:5000",
        "https://***@[::1]:5000",
        "ss-w0rd",
    ),
    ("robot:1234/ss-w0rd@ghcr.io:0", "***@ghcr.io:0", "ss-w0rd"),
    ("robot:1234/ss-w0rd@zot:99999", "***@zot:99999", "ss-w0rd"),
    (
        "robot:1234/ss-w0rd@10.0.0.1:080",
        "***@10.0.0.1:080",
        "ss-w0rd",
    ),
    (
        "robot:1234/ss-w0rd@ghcr.io:latest",
        "***@ghcr.io:latest",
        "ss-w0rd",
    ),
    ("robot:1/ss-w0rd@zot:abc", "***@zot:abc", "ss-w0rd"),
    (
        "https://a:b/c@d-hidden/e@ghcr.io",
        "https://***@ghcr.io",
        "d-hidden",
    ),
    // Userinfo and a digest: the userinfo is redacted, the digest is kept.
    (
        "user-hidden@host/path@sha256:abc",
        "***@host/path@sha256:abc",
        "user-hidden",
    ),
    (
        "https://robot:hunter2-pw@ghcr.io/app@sha256:0123abcd",
        "https://***@ghcr.io/app@sha256:0123abcd",
        "hunter2-pw",
    ),
    // Userinfo together with every other defect: the userinfo is reported, redacted.
    (
        "oci://robot:hunter2-pw@ghcr.io",
        "oci://***@ghcr.io",
        "hunter2-pw",
    ),
    ("robot:hunter2-pw://x@ghcr.io", "***@ghcr.io", "hunter2-pw"),
    (
        "https:/robot:hunter2-pw@ghcr.io",
        "***@ghcr.io",
        "hunter2-pw",
    ),
    (
        "https://robot:hunter 2-pw@ghcr.io",
        "https://***@ghcr.io",
        "2-pw",
    ),
    (
        "https://robot:hunter\u{7}2-pw@ghcr.io",
        "https://***@ghcr.io",
        "2-pw",
    ),
    (
        "https://robot:hunter2-pw@ghcr .io",
        "https://***@ghcr .io",
        "hunter2-pw",
    ),
    (
        "https://robot:hunter2-pw@ghcr.io:99999",
        "https://***@ghcr.io:99999",
        "hunter2-pw",
    ),
    (
        "https://robot:hunter2-pw@ghcr.io:080",
        "https://***@ghcr.io:080",
        "hunter2-pw",
    ),
    (
        "https://robot:hunter2-pw@fe80::1",
        "https://***@fe80::1",
        "hunter2-pw",
    ),
    ("robot:hunter2-pw@999.1.1.1", "***@999.1.1.1", "hunter2-pw"),
    (
        "robot:hunter2-pw@ghcr.io/app:1.0",
        "***@ghcr.io/app:1.0",
        "hunter2-pw",
    ),
    (
        "robot:hunter2-pw@ghcr.io/Org",
        "***@ghcr.io/Org",
        "hunter2-pw",
    ),
    (
        "robot:hunter2-pw@docker.io/org",
        "***@docker.io/org",
        "hunter2-pw",
    ),
    ("robot:hunter2-pw@", "***@", "hunter2-pw"),
    // An '@' in the path not followed by a digest of a known algorithm may be a userinfo '@'
    // moved by a '/' in the password, so it is treated as one (the conservative reading).
    ("ghcr.io/app-hidden@latest", "***@latest", "app-hidden"),
    ("ghcr.io/app-hidden@md5:abc", "***@md5:abc", "app-hidden"),
    // The part before a digest must be a valid image name, or it may be userinfo.
    ("robot:pa/ss-w0rd@sha256:abc", "***@sha256:abc", "ss-w0rd"),
    ("ghcr.io/Ss-W0rd@sha256:abc", "***@sha256:abc", "Ss-W0rd"),
];

#[test]
fn userinfo_is_refused_with_its_own_message_quoting_the_redacted_address() {
    for (input, redacted, secret) in WITH_USERINFO {
        let error = RegistryKey::parse(input).expect_err(&format!("{input:?} must be rejected"));
        assert_eq!(
            error,
            AddressError::Userinfo {
                address: (*redacted).to_owned()
            },
            "{input:?}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{redacted:?} has credentials before '@'")),
            "{input:?}: {message}"
        );
        assert!(
            message.contains("pass the registry alone, and the username and password as the username and secret arguments instead"),
            "{input:?}: {message}"
        );
        assert!(!message.contains("digest"), "{input:?}: {message}");
        for shown in [message, format!("{error:?}")] {
            assert!(
                !shown.contains(secret),
                "{input:?} leaked {secret:?}: {shown}"
            );
        }
    }
}

#[test]
fn redaction_leaves_addresses_without_userinfo_untouched() {
    for address in [
        "ghcr.io",
        "https://registry.example.com:443/v2/",
        "ghcr.io/org/app@sha256:0123",
        "ghcr.io/org/app@sha256:abc/",
        "ghcr.io/org/app:1.0@sha256:abc",
        "https://[::1]:5000/app@sha256:abc",
        "localhost:5000/app@sha512:abc",
        "ghcr.io/app@sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
        "",
    ] {
        assert!(
            matches!(redact_userinfo(address), Cow::Borrowed(a) if a == address),
            "{address:?}"
        );
    }
    for (input, redacted, _) in WITH_USERINFO {
        assert_eq!(redact_userinfo(input.trim()), *redacted, "{input:?}");
    }
}

/// Every combination of scheme, userinfo, host and suffix: whatever is wrong with the address,
/// the password never reaches a message (nor `Debug`), and the address is never accepted.
/// (Not among the hosts: one named like a digest, `sha256:abc`. `pw/x@sha256:abc` is a valid
/// image reference with a digest, its only valid reading, and is reported as one.)
#[test]
fn no_error_quotes_the_password_of_an_address_with_userinfo() {
    const PASSWORD: &str = "S3NT1NEL";
    let long = format!("{}.example.com", "a".repeat(300));
    let schemes = ["", "https://", "HTTP://", "oci://", "https:/", "://"];
    let userinfos = [
        format!("robot:{PASSWORD}@"),
        format!("{PASSWORD}@"),
        format!("robot:{PASSWORD}/x@"),
        format!("robot:x/{PASSWORD}@"),
        format!("{PASSWORD}/x@"),
        format!("robot:1/{PASSWORD}/x@"),
        format!("robot:{PASSWORD}@x@"),
        format!("robot:{PASSWORD}:x@"),
        format!("robot:a b{PASSWORD}@"),
        format!("robot:\u{0}{PASSWORD}@"),
    ];
    let hosts = [
        "ghcr.io",
        "ghcr .io",
        "ghcr.io\u{7}",
        "ghcr.io:0",
        "ghcr.io:080",
        "ghcr.io:443",
        "[::1",
        "[::1]:5000",
        "[::1]:0",
        "zot:5000",
        "zot:abc",
        "ghcr.io:latest",
        "10.0.0.1:080",
        "localhost:99999",
        "fe80::1",
        "999.1.1.1",
        "-bad",
        "",
        long.as_str(),
    ];
    let suffixes = [
        "",
        "/",
        "/org",
        "/Org",
        "/app:1",
        "/app@sha256:abc",
        "/v2/",
        "@",
    ];
    for scheme in schemes {
        for userinfo in &userinfos {
            for host in hosts {
                for suffix in suffixes {
                    let address = format!("{scheme}{userinfo}{host}{suffix}");
                    let error = RegistryKey::parse(&address)
                        .expect_err(&format!("{address:?} must be rejected"));
                    for shown in [error.to_string(), format!("{error:?}")] {
                        assert!(!shown.contains(PASSWORD), "{address:?} leaked: {shown}");
                    }
                }
            }
        }
    }
}

proptest! {
    /// Any printable password, pasted into a URL's userinfo, stays out of the error.
    #[test]
    fn any_password_in_the_userinfo_stays_out_of_the_error(
        password in "Zq9[ -~]{0,24}",
        scheme in prop::sample::select(vec!["", "https://", "http://", "ftp://"]),
        suffix in prop::sample::select(vec!["", "/", "/org", "/app@sha256:abc", "/v2/", ":5000"]),
    ) {
        let address = format!("{scheme}robot:{password}@ghcr.io{suffix}");
        let error = RegistryKey::parse(&address).expect_err("userinfo is refused");
        for shown in [error.to_string(), format!("{error:?}")] {
            prop_assert!(!shown.contains(password.trim()), "{address:?}: {shown}");
            let escaped = password.escape_debug().to_string();
            prop_assert!(!shown.contains(escaped.trim()), "{address:?}: {shown}");
        }
    }
}

/// An imported key with userinfo is named redacted in every import error, including the ones
/// raised before the key itself is checked.
#[test]
fn imported_keys_with_userinfo_are_only_ever_shown_redacted() {
    const KEY: &str = "https://robot:import-pw-hidden@ghcr.io";
    let auth = base64::engine::general_purpose::STANDARD.encode("user:pw");
    type IsExpected = fn(&ImportError) -> bool;
    let cases: Vec<(String, IsExpected)> = vec![
        (format!(r#"{{"auth":"{auth}"}}"#), |e| {
            matches!(
                e,
                ImportError::Key {
                    problem: AddressError::Userinfo { .. },
                    ..
                }
            )
        }),
        ("[]".to_owned(), |e| {
            matches!(e, ImportError::EntryNotAnObject { .. })
        }),
        (r#"{"auth":7}"#.to_owned(), |e| {
            matches!(e, ImportError::FieldNotAString { .. })
        }),
        (r#"{"auth":"!!"}"#.to_owned(), |e| {
            matches!(e, ImportError::UndecodableAuth { .. })
        }),
        (r#"{"auth":"bm9jb2xvbg=="}"#.to_owned(), |e| {
            matches!(e, ImportError::AuthWithoutColon { .. })
        }),
        (r#"{"username":"a\u0007","password":"p"}"#.to_owned(), |e| {
            matches!(e, ImportError::Username { .. })
        }),
        (r#"{"username":"a"}"#.to_owned(), |e| {
            matches!(e, ImportError::IncompleteBasicAuth { .. })
        }),
    ];
    for (entry, is_expected) in cases {
        let config = format!(r#"{{"auths":{{"{KEY}":{entry}}}}}"#);
        let error = parse_docker_config(&config).expect_err(&config);
        assert!(is_expected(&error), "{entry}: {error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with("entry \"https://***@ghcr.io\""),
            "{entry}: {message}"
        );
        for shown in [message, format!("{error:?}")] {
            assert!(!shown.contains("import-pw-hidden"), "{entry}: {shown}");
        }
    }
}

#[test]
fn imported_url_keys_normalize_like_addresses() {
    let auth = base64::engine::general_purpose::STANDARD.encode("user:pw");
    // A registry's login URL and its bare host are one key: importing both is a duplicate.
    let config = format!(
        r#"{{"auths":{{"https://registry.example.com:443/v2/":{{"auth":"{auth}"}},"registry.example.com":{{"auth":"{auth}"}}}}}}"#
    );
    let error = parse_docker_config(&config).expect_err("two keys for one registry");
    assert_eq!(
        error,
        ImportError::DuplicateKey {
            first: "https://registry.example.com:443/v2/".to_owned(),
            second: "registry.example.com".to_owned(),
            key: "registry.example.com".to_owned(),
        }
    );
    let config = format!(
        r#"{{"auths":{{"https://index.docker.io:443/v1/":{{"auth":"{auth}"}},"https://[0:0:0:0:0:0:0:1]:5000/v2/":{{"auth":"{auth}"}}}}}}"#
    );
    let keys: Vec<String> = parse_docker_config(&config)
        .unwrap()
        .into_iter()
        .map(|(key, _)| key.as_str().to_owned())
        .collect();
    assert_eq!(keys, ["[::1]:5000", DOCKER_HUB_KEY]);
}

/// The canonical form is what is written into `config.json`.
#[test]
fn canonical_keys_are_what_gets_rendered() {
    let mut plan: Plan<String> = Plan::default();
    for address in [
        "[0:0:0:0:0:0:0:1]:5000",
        "https://registry.example.com:443/v2/",
        "https://index.docker.io:443/v1/",
        "[::FFFF:10.0.0.1]",
    ] {
        plan.set(
            RegistryKey::parse(address).unwrap(),
            Credential::Basic {
                username: Username::parse("me").unwrap(),
                password: "pw".to_owned(),
            },
        );
    }
    let plaintexts = plan
        .handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect();
    let rendered = render(&plan.resolve(plaintexts).unwrap()).unwrap();
    let json: serde_json::Value = serde_json::from_str(rendered.as_str()).unwrap();
    let keys: Vec<&String> = json["auths"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "[::1]:5000",
            "[::ffff:10.0.0.1]",
            DOCKER_HUB_KEY,
            "registry.example.com"
        ]
    );
}

// --- Characters a person cannot see ---

/// Invisible by their Unicode properties: a soft hyphen, a Hangul filler, the Mongolian vowel
/// separator, an invisible function application, a combining grapheme joiner, a right-to-left
/// override, a zero-width space, a byte-order mark, a line separator, a tag character.
const INVISIBLE: [char; 10] = [
    '\u{00AD}',
    '\u{3164}',
    '\u{180E}',
    '\u{2061}',
    '\u{034F}',
    '\u{202E}',
    '\u{200B}',
    '\u{FEFF}',
    '\u{2028}',
    '\u{E0041}',
];

#[test]
fn invisible_characters_are_found_by_their_unicode_properties() {
    for c in INVISIBLE {
        let found = find_invisible(&format!("ab{c}cd")).unwrap_or_else(|| panic!("{c:?}"));
        assert_eq!(found.character(), c);
        assert!(
            found
                .to_string()
                .starts_with(&format!("U+{:04X}, ", u32::from(c))),
            "{found}"
        );
    }
    // Visible text stays visible: letters of any script, accents, emoji, symbols, spaces.
    for text in [
        "ghcr.io",
        "jos\u{e9}",
        "\u{7528}\u{6237}",
        "\u{1F680}",
        "a b\u{a0}c",
        "\u{2014}",
    ] {
        assert_eq!(find_invisible(text), None, "{text:?}");
    }
    assert!(shows_nothing("") && shows_nothing(" \u{3164}\u{200b}\t") && !shows_nothing(" x "));
    assert_eq!(
        quoted("a\u{3164}b\u{202e}\"\n"),
        r#""a\u{3164}b\u{202e}\"\n""#
    );
    assert_eq!(check_visible("/run/auth.json"), Ok(()));
    assert_eq!(
        check_visible("/run/\u{202e}nosj.htua").unwrap_err().to_string(),
        "\"/run/\\u{202e}nosj.htua\" contains U+202E, a bidirectional control character (Bidi_Control), which changes how the text around it is displayed"
    );
    let long = format!("/{}\u{3164}", "a".repeat(100));
    let message = check_visible(&long).unwrap_err().to_string();
    assert!(
        message.contains("aaa…\" contains U+3164") && message.len() < 250,
        "{message}"
    );
}

#[test]
fn addresses_with_invisible_characters_are_refused_shown_escaped() {
    for c in INVISIBLE {
        for address in [format!("gh{c}cr.io"), format!("quay.io/o{c}rg")] {
            let error = RegistryKey::parse(&address).unwrap_err();
            assert!(
                matches!(error, AddressError::Invisible(_)),
                "{c:?}: {error:?}"
            );
            let message = error.to_string();
            assert!(!message.contains(c), "{message}");
            assert!(
                message.contains(&format!("\\u{{{:x}}}", u32::from(c))),
                "{message}"
            );
        }
    }
    assert_eq!(
        RegistryKey::parse("ghcr\u{3164}.io").unwrap_err().to_string(),
        "the address \"ghcr\\u{3164}.io\" contains U+3164, an invisible character (Default_Ignorable_Code_Point), so two different values would look the same; pass the registry host as it is spelled"
    );
}
