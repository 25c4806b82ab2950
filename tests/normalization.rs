//! Registry key normalization, table-tested against the anchors' key-form × tool matrix and the
//! edge cases users actually type.

use registry_config::core::address::{AddressError, RegistryKey, DOCKER_HUB_KEY};

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
