//! Rendering `config.json`: golden bytes, the namespace and size rules, and properties that must
//! hold for any accepted input.

use std::collections::BTreeMap;

use base64::Engine as _;
use proptest::prelude::*;
use registry_config::core::address::RegistryKey;
use registry_config::core::credential::{Credential, Username, UsernameError};
use registry_config::core::helper::HelperName;
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::Plan;
use registry_config::core::render::{
    render, rendered_len, RenderError, ResolvedEntries, MAX_CONFIG_BYTES,
};

/// Builds a plan from `(address, username, password)` triples and resolves it with the passwords
/// (the plan's handles are the passwords themselves, as plaintext stand-ins).
fn resolve(entries: &[(&str, &str, &str)]) -> ResolvedEntries {
    let mut plan: Plan<String> = Plan::default();
    for (address, username, password) in entries {
        plan.set(
            RegistryKey::parse(address).unwrap(),
            Credential::Basic {
                username: Username::parse(username).unwrap(),
                password: (*password).to_owned(),
            },
        );
    }
    let plaintexts = plan
        .handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect();
    plan.resolve(plaintexts).unwrap()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn rendered(entries: &ResolvedEntries) -> String {
    render(entries).unwrap().as_str().to_owned()
}

#[test]
fn matches_the_go_module_bytes_for_plain_hosts() {
    // The Go module's tests/main.go pins these bytes for ghcr.io + docker.io; with quay.io in
    // place of docker.io the only difference is the key, so the bytes must match exactly.
    let entries = resolve(&[
        ("quay.io", "sagikazarmark", "password2"),
        ("ghcr.io", "sagikazarmark", "password"),
    ]);
    assert_eq!(
        rendered(&entries),
        r#"{"auths":{"ghcr.io":{"auth":"c2FnaWthemFybWFyazpwYXNzd29yZA=="},"quay.io":{"auth":"c2FnaWthemFybWFyazpwYXNzd29yZDI="}}}"#
    );
}

#[test]
fn docker_hub_gets_the_key_every_tool_finds_unlike_the_go_module() {
    // The Go module renders the `docker.io` key here, which docker, oras/Helm and crane never
    // look up (SPEC §3 deliberately differs): same auth bytes, Hub key.
    let entries = resolve(&[
        ("docker.io", "sagikazarmark", "password2"),
        ("ghcr.io", "sagikazarmark", "password"),
    ]);
    assert_eq!(
        rendered(&entries),
        r#"{"auths":{"ghcr.io":{"auth":"c2FnaWthemFybWFyazpwYXNzd29yZA=="},"https://index.docker.io/v1/":{"auth":"c2FnaWthemFybWFyazpwYXNzd29yZDI="}}}"#
    );
}

#[test]
fn last_write_wins_like_the_go_module() {
    // Go test WithRegistryAuth_MultipleCredentials: a second entry for the same address wins.
    let entries = resolve(&[
        ("ghcr.io", "first", "password"),
        ("https://GHCR.io/", "sagikazarmark", "password2"),
    ]);
    assert_eq!(
        rendered(&entries),
        r#"{"auths":{"ghcr.io":{"auth":"c2FnaWthemFybWFyazpwYXNzd29yZDI="}}}"#
    );
}

#[test]
fn empty_config_renders_empty_auths() {
    assert_eq!(rendered(&BTreeMap::new()), r#"{"auths":{}}"#);
}

#[test]
fn tokens_render_their_own_field_and_nothing_else() {
    let mut plan: Plan<String> = Plan::default();
    plan.set(
        RegistryKey::parse("myreg.azurecr.io").unwrap(),
        Credential::IdentityToken("refresh-token".into()),
    );
    plan.set(
        RegistryKey::parse("registry.example.com").unwrap(),
        Credential::RegistryToken("bearer \"quoted\"".into()),
    );
    let entries = plan
        .resolve(vec![
            Plaintext::new("refresh-token".into()),
            Plaintext::new("bearer \"quoted\"".into()),
        ])
        .unwrap();
    assert_eq!(
        rendered(&entries),
        r#"{"auths":{"myreg.azurecr.io":{"identitytoken":"refresh-token"},"registry.example.com":{"registrytoken":"bearer \"quoted\""}}}"#
    );
}

#[test]
fn passwords_with_colons_and_unicode_round_trip() {
    let entries = resolve(&[("ghcr.io", "me", "pa:ss:wörd \"x\"")]);
    let json: serde_json::Value = serde_json::from_str(&rendered(&entries)).unwrap();
    let auth = json["auths"]["ghcr.io"]["auth"].as_str().unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), "me:pa:ss:wörd \"x\"");
}

/// The `auth` value of `key` in a rendered config, decoded.
fn decoded_auth(config: &str, key: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(config).unwrap();
    let auth = json["auths"][key]["auth"].as_str().unwrap();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(auth)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn one_trailing_newline_is_removed_from_a_password_or_token_as_docker_login_does() {
    // `--secret file:token.txt` ends in a newline; `docker login --password-stdin` drops one.
    for (password, sent) in [
        ("s3cret\n", "s3cret"),
        ("s3cret\r\n", "s3cret"),
        ("s3cret", "s3cret"),
        (" s3cret \n", " s3cret "),
    ] {
        let config = rendered(&resolve(&[("ghcr.io", "me", password)]));
        assert_eq!(
            decoded_auth(&config, "ghcr.io"),
            format!("me:{sent}"),
            "{password:?}"
        );
    }
    let mut plan: Plan<String> = Plan::default();
    plan.set(
        RegistryKey::parse("myreg.azurecr.io").unwrap(),
        Credential::IdentityToken("t".into()),
    );
    plan.set(
        RegistryKey::parse("registry.example.com").unwrap(),
        Credential::RegistryToken("t".into()),
    );
    let entries = plan
        .resolve(vec![
            Plaintext::new("refresh-token\n".into()),
            Plaintext::new("bearer\r\n".into()),
        ])
        .unwrap();
    assert_eq!(
        rendered(&entries),
        r#"{"auths":{"myreg.azurecr.io":{"identitytoken":"refresh-token"},"registry.example.com":{"registrytoken":"bearer"}}}"#
    );
}

#[test]
fn control_characters_left_in_a_secret_are_refused_naming_only_the_key() {
    // Only one line ending goes; what is left must not hold a control character, anywhere.
    for password in [
        "s3cret-sentinel\n\n",
        "s3cret-sentinel\r",
        "s3cret-sentinel\n\r\n",
        "s3cret\0sentinel",
        "s3cret\tsentinel",
        "s3cret\nsentinel",
        "\u{7f}s3cret-sentinel",
        "s3cret-sentinel\u{85}",
    ] {
        let error = render(&resolve(&[
            ("ghcr.io", "me", "fine"),
            ("quay.io", "me", password),
        ]))
        .unwrap_err();
        assert_eq!(
            error,
            RenderError::ControlInSecret {
                key: "quay.io".into(),
                secret: "password"
            },
            "{password:?}"
        );
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("sentinel") && !shown.contains("s3cret"),
            "{shown}"
        );
        // Neither the length nor where the character is.
        for number in (1..=password.len() + 2).map(|n| n.to_string()) {
            assert!(!shown.contains(&format!(" {number} ")), "{shown}");
        }
    }
    assert_eq!(
        render(&resolve(&[("quay.io", "me", "a\0b")])).unwrap_err().to_string(),
        "the password for \"quay.io\" contains a control character (a NUL, a tab, a line break or another non-printing character); clients would send it as is and the registry would refuse it, or refuse to send it at all; one trailing newline (\\n or \\r\\n) of a password or token passed to withRegistryAuth, withIdentityToken or withRegistryToken is removed, as docker login --password-stdin does, and nothing else; check where the secret comes from"
    );
    for (credential, secret) in [
        (Credential::IdentityToken(String::new()), "identity token"),
        (Credential::RegistryToken(String::new()), "registry token"),
    ] {
        let mut plan: Plan<String> = Plan::default();
        plan.set(RegistryKey::parse("myreg.azurecr.io").unwrap(), credential);
        let entries = plan
            .resolve(vec![Plaintext::new("tok\u{1b}[0m".into())])
            .unwrap();
        assert_eq!(
            render(&entries).unwrap_err(),
            RenderError::ControlInSecret {
                key: "myreg.azurecr.io".into(),
                secret
            }
        );
    }
}

#[test]
fn imported_secrets_are_kept_as_written_and_refused_with_a_control_character() {
    // docker reads a config file's values as they are: no newline is removed from an import,
    // so one left in it is refused rather than sent.
    for (config, expected) in [
        (
            r#"{"auths":{"ghcr.io":{"username":"me","password":"pw\n"}}}"#,
            Err("password"),
        ),
        (
            r#"{"auths":{"ghcr.io":{"registrytoken":"tok\r\n"}}}"#,
            Err("registry token"),
        ),
        (
            r#"{"auths":{"ghcr.io":{"username":"me","password":"pw "}}}"#,
            Ok("me:pw "),
        ),
    ] {
        let mut plan: Plan<String> = Plan::default();
        plan.import(config.to_owned());
        let entries = plan
            .resolve(vec![Plaintext::new(config.to_owned())])
            .unwrap();
        match expected {
            Ok(user_pass) => {
                assert_eq!(decoded_auth(&rendered(&entries), "ghcr.io"), user_pass)
            }
            Err(secret) => assert_eq!(
                render(&entries).unwrap_err(),
                RenderError::ControlInSecret {
                    key: "ghcr.io".into(),
                    secret
                }
            ),
        }
    }
}

#[test]
fn a_docker_hub_helper_is_written_under_the_hub_key_and_docker_io() {
    // docker, oras and crane look up the Hub key; containers/image (skopeo, podman, buildah)
    // matches `credHelpers` keys exactly and looks up `docker.io`.
    for address in [
        "docker.io",
        "index.docker.io",
        "https://index.docker.io/v1/",
    ] {
        let mut plan: Plan<String> = Plan::default();
        plan.set(
            RegistryKey::parse(address).unwrap(),
            Credential::Helper(HelperName::parse("ecr-login").unwrap()),
        );
        plan.set(
            RegistryKey::parse("ghcr.io").unwrap(),
            Credential::Helper(HelperName::parse("gh").unwrap()),
        );
        let entries = plan.resolve(vec![]).unwrap();
        let config = rendered(&entries);
        assert_eq!(
            config,
            r#"{"auths":{},"credHelpers":{"docker.io":"ecr-login","ghcr.io":"gh","https://index.docker.io/v1/":"ecr-login"}}"#
        );
        assert_eq!(rendered_len(&entries), config.len());
        assert_eq!(
            plan.min_rendered_len(),
            config.len() - r#","credHelpers":{}"#.len()
        );
    }
    // An `auths` entry for the Hub keeps its one key: containers/image normalizes those.
    let config = rendered(&resolve(&[("docker.io", "me", "pw")]));
    assert_eq!(
        config,
        format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}"}}}}}}"#,
            b64("me:pw")
        )
    );
}

#[test]
fn several_namespaces_of_one_host_without_a_host_key_are_refused() {
    let entries = resolve(&[("quay.io/a", "u", "p"), ("quay.io/b", "u", "p")]);
    let error = render(&entries).unwrap_err();
    assert_eq!(
        error,
        RenderError::AmbiguousNamespaces {
            host: "quay.io".into(),
            keys: vec!["quay.io/a".into(), "quay.io/b".into()],
        }
    );
    assert!(error.to_string().contains("at random"));

    // One namespace alone, or several next to a host-level key, are fine: each entry keeps
    // its own key and credential.
    let auth =
        |user_password: &str| base64::engine::general_purpose::STANDARD.encode(user_password);
    assert_eq!(
        rendered(&resolve(&[("quay.io/a", "u", "pa")])),
        format!(
            r#"{{"auths":{{"quay.io/a":{{"auth":"{}"}}}}}}"#,
            auth("u:pa")
        )
    );
    assert_eq!(
        rendered(&resolve(&[
            ("quay.io/a", "u", "pa"),
            ("quay.io/b", "u", "pb"),
            ("quay.io", "u", "p"),
        ])),
        format!(
            r#"{{"auths":{{"quay.io":{{"auth":"{}"}},"quay.io/a":{{"auth":"{}"}},"quay.io/b":{{"auth":"{}"}}}}}}"#,
            auth("u:p"),
            auth("u:pa"),
            auth("u:pb")
        )
    );
    // Different ports are different hosts.
    assert_eq!(
        rendered(&resolve(&[
            ("localhost:5000/a", "u", "pa"),
            ("localhost:5001/b", "u", "pb")
        ])),
        format!(
            r#"{{"auths":{{"localhost:5000/a":{{"auth":"{}"}},"localhost:5001/b":{{"auth":"{}"}}}}}}"#,
            auth("u:pa"),
            auth("u:pb")
        )
    );
}

/// The exact rendered length of one `ghcr.io` basic-auth entry.
fn exact_len(username: &str, password: &str) -> usize {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{auth}"}}}}}}"#).len()
}

#[test]
fn the_engine_size_limit_is_enforced_before_the_engine_sees_it() {
    let big = "x".repeat(MAX_CONFIG_BYTES);
    let entries = resolve(&[("ghcr.io", "me", &big)]);
    let error = render(&entries).unwrap_err();
    let exact = exact_len("me", &big);
    assert!(exact > MAX_CONFIG_BYTES);
    assert_eq!(
        error,
        RenderError::TooLarge {
            kib: exact.div_ceil(1024)
        }
    );
    assert!(!error.to_string().contains("xxxx"));

    // The largest password that fits renders; three bytes more (one more base64 quad) do not.
    let fixed = exact_len("me", "abc") - 8;
    let fits = "y".repeat((MAX_CONFIG_BYTES - fixed) / 4 * 3 - 3);
    assert!(render(&resolve(&[("ghcr.io", "me", &fits)])).unwrap().len() <= MAX_CONFIG_BYTES);
    let over = format!("{fits}yyy");
    assert!(matches!(
        render(&resolve(&[("ghcr.io", "me", &over)])),
        Err(RenderError::TooLarge { .. })
    ));
}

#[test]
fn the_size_error_does_not_tell_the_secrets_length() {
    // Passwords whose exact rendered sizes differ give the very same error: only whole KiB show.
    let messages: Vec<String> = [130_000usize, 130_003, 130_006, 130_300]
        .iter()
        .map(|&n| {
            let password = "z".repeat(n);
            let exact = exact_len("me", &password);
            let error = render(&resolve(&[("ghcr.io", "me", &password)])).unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains(&exact.to_string()), "{shown}");
            error.to_string()
        })
        .collect();
    assert!(messages.iter().all(|m| m == &messages[0]), "{messages:#?}");
    assert_eq!(
        messages[0],
        "the rendered config is over the engine's 128000-byte secret limit (it is at most 170 KiB; sizes are rounded up to whole KiB so that they do not tell the secrets' lengths); split the registries across several configs"
    );
}

#[test]
fn blank_passwords_and_tokens_are_refused_naming_the_key() {
    // A zero-width space, a Hangul filler and a byte-order mark show nothing either.
    for blank in ["", " ", "\n", "\t \r\n", "\u{200b}", " \u{3164}\u{feff}"] {
        let error = render(&resolve(&[
            ("ghcr.io", "me", "fine"),
            ("quay.io", "me", blank),
        ]))
        .unwrap_err();
        assert_eq!(
            error,
            RenderError::EmptySecret {
                key: "quay.io".into(),
                secret: "password"
            },
            "{blank:?}"
        );
        assert_eq!(
            error.to_string(),
            "the password for \"quay.io\" is empty or only whitespace or invisible characters; no registry accepts that, and clients would fail later or silently go anonymous; check where the secret comes from (an unset environment variable gives an empty secret)"
        );
    }
    for (credential, secret) in [
        (Credential::IdentityToken(String::new()), "identity token"),
        (Credential::RegistryToken("  ".to_owned()), "registry token"),
    ] {
        let mut plan: Plan<String> = Plan::default();
        let token = credential.secret().cloned().unwrap();
        plan.set(RegistryKey::parse("myreg.azurecr.io").unwrap(), credential);
        let entries = plan.resolve(vec![Plaintext::new(token)]).unwrap();
        assert_eq!(
            render(&entries).unwrap_err(),
            RenderError::EmptySecret {
                key: "myreg.azurecr.io".into(),
                secret
            }
        );
    }
    // A password that merely has spaces in it is a password, spaces and all.
    assert_eq!(
        rendered(&resolve(&[("ghcr.io", "me", " pw ")])),
        format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
            base64::engine::general_purpose::STANDARD.encode("me: pw ")
        )
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let entries = resolve(&[("ghcr.io", "me", "hunter2-sentinel")]);
    let config = render(&entries).unwrap();
    let shown = format!("{config:?} {entries:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("bWU6aHVudGVy"), "{shown}");
    assert!(shown.contains("redacted"));
    // Not even the length, which would tell the password's.
    assert!(!format!("{config:?}").contains(&config.len().to_string()));
}

const TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";

#[test]
fn a_pasted_user_colon_token_never_shows_the_token() {
    let pasted = format!("robot:{TOKEN}");
    let error = Username::parse(&pasted).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the username contains ':' (it is 46 bytes long; no part of it is shown, since either side of the colon may be a token); docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret"
    );
    // Neither in Display nor Debug, and for any way the part before the colon can look.
    for before in [
        "robot".to_owned(),
        String::new(),
        "me\n".to_owned(),
        "a\u{202e}b".to_owned(),
        " me".to_owned(),
        "x".repeat(33),
        TOKEN.to_owned(),
    ] {
        let error = Username::parse(&format!("{before}:{TOKEN}")).unwrap_err();
        assert!(matches!(error, UsernameError::Colon { .. }), "{error:?}");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(&TOKEN[4..20]), "{before:?}: {shown}");
        }
    }
    // No part of it is quoted, however short or valid the part before the colon looks: a GitLab
    // token pasted as `glpat-…:x-oauth-basic` is a short valid username before its colon.
    for before in [
        "robot",
        "glpat-xxxxxxxxxxxxxxxxxxxx",
        "",
        &"x".repeat(32),
        TOKEN,
    ] {
        let input = format!("{before}:{TOKEN}");
        let message = Username::parse(&input).unwrap_err().to_string();
        assert_eq!(
            message,
            format!("the username contains ':' (it is {} bytes long; no part of it is shown, since either side of the colon may be a token); docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret", input.len())
        );
    }
    let message = Username::parse("glpat-AbCdEfGh12345678:x-oauth-basic")
        .unwrap_err()
        .to_string();
    assert!(
        !message.contains("glpat") && !message.contains("oauth"),
        "{message}"
    );
    // A username with both a colon and a control character is the colon case, never quoted.
    let both = Username::parse(&format!("me\n{TOKEN}:x")).unwrap_err();
    assert!(matches!(both, UsernameError::Colon { .. }));
    assert!(!both.to_string().contains(&TOKEN[4..20]));
}

#[test]
fn control_characters_are_named_by_code_point_and_quoted_escaped_when_short() {
    let error = Username::parse("me\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the username \"me\\n\" contains the control character U+000A; it is most likely a stray newline or tab from a file or a paste"
    );
    let long = format!("{TOKEN}\u{7}");
    assert_eq!(
        Username::parse(&long).unwrap_err().to_string(),
        "the username (41 bytes, too long to show) contains the control character U+0007; it is most likely a stray newline or tab from a file or a paste"
    );
    assert!(matches!(
        Username::parse("\u{85}x"),
        Err(UsernameError::ControlCharacter { .. })
    ));
}

/// Characters that make a username display differently from what it is: zero-width, bidi
/// controls, separators, and the ones a hand list misses (a soft hyphen, a Hangul filler, the
/// Mongolian vowel separator, an invisible function application, a combining grapheme joiner).
const INVISIBLE: [char; 27] = [
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{202A}',
    '\u{202B}',
    '\u{202C}',
    '\u{202D}',
    '\u{202E}',
    '\u{2066}',
    '\u{2067}',
    '\u{2068}',
    '\u{2069}',
    '\u{200E}',
    '\u{200F}',
    '\u{061C}',
    '\u{2028}',
    '\u{2029}',
    '\u{00AD}',
    '\u{3164}',
    '\u{180E}',
    '\u{2061}',
    '\u{034F}',
    '\u{115F}',
    '\u{FFA0}',
    '\u{E0041}',
];

#[test]
fn invisible_and_bidi_characters_and_separators_are_refused() {
    for c in INVISIBLE {
        let error = Username::parse(&format!("ad{c}min")).unwrap_err();
        assert!(
            matches!(error, UsernameError::Invisible { .. }),
            "{c:?}: {error:?}"
        );
        let message = error.to_string();
        let code = format!("U+{:04X}", u32::from(c));
        assert!(message.contains(&code), "{message}");
        // Shown escaped, never raw (`{:?}` alone would leave U+3164 as it is).
        let escaped = format!("\"ad\\u{{{:x}}}min\"", u32::from(c));
        assert!(message.contains(&escaped), "{message}");
        assert!(!message.contains(c), "raw {c:?} in {message}");
    }
    assert_eq!(
        Username::parse("admin\u{202e}").unwrap_err().to_string(),
        "the username \"admin\\u{202e}\" contains U+202E, a bidirectional control character (Bidi_Control), which changes how the text around it is displayed"
    );
    assert_eq!(
        Username::parse("ad\u{3164}min").unwrap_err().to_string(),
        "the username \"ad\\u{3164}min\" contains U+3164, an invisible character (Default_Ignorable_Code_Point), so two different values would look the same"
    );
    assert_eq!(
        Username::parse("me\u{2028}").unwrap_err().to_string(),
        "the username \"me\\u{2028}\" contains U+2028, a line or paragraph separator, which breaks the text across lines"
    );
    assert_eq!(
        Username::parse("a\u{0600}b").unwrap_err().to_string(),
        "the username \"a\\u{600}b\" contains U+0600, an invisible format character (general category Cf), so two different values would look the same"
    );
    // What people do use in names stays accepted: accents, other scripts, emoji, NBSP inside.
    for name in [
        "jos\u{e9}",
        "\u{7528}\u{6237}",
        "\u{1F680}bot",
        "ci\u{a0}bot",
        "o'brien",
    ] {
        assert!(Username::parse(name).is_ok(), "{name:?}");
    }
}

#[test]
fn surrounding_whitespace_and_blank_usernames_are_refused() {
    for blank in [" ", "   ", "\u{a0}", "\u{3000} "] {
        assert_eq!(
            Username::parse(blank),
            Err(UsernameError::OnlyWhitespace),
            "{blank:?}"
        );
    }
    assert_eq!(
        UsernameError::OnlyWhitespace.to_string(),
        "the username is only whitespace"
    );
    for padded in [" me", "me ", "\u{a0}me", "me\u{3000}"] {
        assert!(
            matches!(
                Username::parse(padded),
                Err(UsernameError::SurroundingWhitespace { .. })
            ),
            "{padded:?}"
        );
    }
    assert_eq!(
        Username::parse("me ").unwrap_err().to_string(),
        "the username \"me \" starts or ends with whitespace; registries compare usernames exactly, so remove it"
    );
    assert_eq!(
        Username::parse("\u{a0}me").unwrap_err().to_string(),
        "the username \"\\u{a0}me\" starts or ends with whitespace; registries compare usernames exactly, so remove it"
    );
    // Inside is fine, and so is any other Unicode.
    for fine in [
        "John Smith",
        "jürgen",
        "00000000-0000-0000-0000-000000000000",
        "oauth2accesstoken",
    ] {
        assert_eq!(Username::parse(fine).unwrap().as_str(), fine);
    }
}

#[test]
fn redacted_username_problems_show_nothing_of_the_username() {
    for input in [
        format!("robot:{TOKEN}"),
        format!("{TOKEN}\u{1}"),
        format!("{TOKEN}\u{202e}"),
        format!(" {TOKEN}"),
    ] {
        let problem = Username::parse(&input).unwrap_err().redacted();
        for shown in [problem.to_string(), format!("{problem:?}")] {
            assert!(!shown.contains(&TOKEN[..12]), "{shown}");
            assert!(!shown.contains(&input.len().to_string()), "{shown}");
        }
        assert!(
            problem.to_string().starts_with("the username "),
            "{problem}"
        );
    }
    assert_eq!(
        Username::parse("robot:x").unwrap_err().redacted().to_string(),
        "the username contains ':'; docker splits the auth value at the first colon, so a username cannot contain one; if this is user:token, pass the user name as username and the token as the secret"
    );
}

/// The characters a person cannot see, by their Unicode properties, from an independent source.
fn invisible() -> regex::Regex {
    regex::Regex::new(r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Cf}\p{Zl}\p{Zp}]")
        .unwrap()
}

/// Characters unassigned in the regex crate's Unicode version.
fn unassigned() -> regex::Regex {
    regex::Regex::new(r"\p{Cn}").unwrap()
}

/// Generated addresses: plain hosts, hosts with ports, Hub aliases and namespaces.
fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9]{0,8}(\\.[a-z]{2,5}){0,2}",
        "[a-z]{1,8}\\.io:[1-9][0-9]{0,3}",
        Just("docker.io".to_owned()),
        Just("https://index.docker.io/v1/".to_owned()),
        "HTTPS://[A-Z]{1,6}\\.COM/",
        "[a-z]{1,6}\\.io/[a-z0-9]{1,6}",
    ]
}

fn username() -> impl Strategy<Value = String> {
    "[^:\\p{Cc}\\p{Cn}\\s\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Bidi_Control}\\p{Zl}\\p{Zp}]{1,24}"
}

/// Any password that is not blank and has no control character (both are refused; see above).
fn password() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("not blank, no control character", |p| {
        !p.trim().is_empty() && !p.chars().any(char::is_control)
    })
}

/// Candidate usernames: anything, and short strings dense in the characters the rules are about.
fn username_candidate() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z :\n\t\u{a0}\u{85}\u{200B}\u{202E}\u{2028}\u{FEFF}\u{061C}\u{AD}\u{3164}\u{180E}\u{2061}\u{34F}]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_accepted_input_renders_valid_json_whose_auths_decode_back(
        entries in proptest::collection::vec((address(), username(), password()), 0..12)
    ) {
        let mut plan: Plan<String> = Plan::default();
        let mut expected: BTreeMap<String, String> = BTreeMap::new();
        for (address, username, password) in &entries {
            let key = RegistryKey::parse(address).unwrap();
            expected.insert(key.as_str().to_owned(), format!("{username}:{password}"));
            plan.set(key, Credential::Basic { username: Username::parse(username).unwrap(), password: password.clone() });
        }
        let plaintexts = plan.handles().into_iter().map(|h| Plaintext::new(h.clone())).collect();
        let resolved = plan.resolve(plaintexts).unwrap();
        match render(&resolved) {
            Ok(config) => {
                let json: serde_json::Value = serde_json::from_slice(config.as_bytes()).unwrap();
                let auths = json["auths"].as_object().unwrap();
                // Keys are unique and exactly the normalized keys, last write winning.
                prop_assert_eq!(auths.len(), expected.len());
                for (key, user_pass) in &expected {
                    let entry = auths[key].as_object().unwrap();
                    prop_assert_eq!(entry.len(), 1);
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(entry["auth"].as_str().unwrap()).unwrap();
                    prop_assert_eq!(&String::from_utf8(decoded).unwrap(), user_pass);
                }
                // Deterministic: same entries, same bytes; keys in byte order.
                let again = render(&resolved).unwrap();
                prop_assert_eq!(config.as_bytes(), again.as_bytes());
                let keys: Vec<&String> = auths.keys().collect();
                let mut sorted = keys.clone();
                sorted.sort();
                prop_assert_eq!(keys, sorted);
            }
            Err(RenderError::AmbiguousNamespaces { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn order_of_different_keys_does_not_matter(
        entries in proptest::collection::btree_map(address(), (username(), password()), 0..8),
        seed in any::<u64>(),
    ) {
        // Distinct normalized keys: insertion order must not change the bytes.
        let mut unique: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        for (address, (user, pass)) in entries {
            let key = RegistryKey::parse(&address).unwrap().as_str().to_owned();
            unique.insert(key, (address, user, pass));
        }
        let forward: Vec<_> = unique.values().cloned().collect();
        let mut shuffled = forward.clone();
        let n = shuffled.len();
        if n > 1 {
            shuffled.rotate_left((seed as usize) % n);
            shuffled.swap(0, (seed as usize / 7) % n);
        }
        let as_refs = |v: &Vec<(String, String, String)>| v.iter().map(|(a, u, p)| (a.clone(), u.clone(), p.clone())).collect::<Vec<_>>();
        let render_list = |list: Vec<(String, String, String)>| {
            let borrowed: Vec<(&str, &str, &str)> = list.iter().map(|(a, u, p)| (a.as_str(), u.as_str(), p.as_str())).collect();
            render(&resolve(&borrowed)).map(|c| c.as_bytes().to_vec())
        };
        prop_assert_eq!(render_list(as_refs(&forward)), render_list(as_refs(&shuffled)));
    }

    #[test]
    fn normalization_never_panics_and_keys_are_fixed_points(input in any::<String>()) {
        if let Ok(key) = RegistryKey::parse(&input) {
            prop_assert_eq!(RegistryKey::parse(key.as_str()).unwrap(), key);
        }
    }

    #[test]
    fn usernames_are_accepted_exactly_when_docker_can_split_them_and_they_read_as_written(input in username_candidate()) {
        // The oracle takes the Unicode properties from the regex crate's own tables; a character
        // unassigned in them (a newer Unicode version may have assigned it) decides nothing.
        if unassigned().is_match(&input) {
            return Ok(());
        }
        let acceptable = !input.is_empty()
            && input.len() <= 1024
            && !input.contains(':')
            && !input.chars().any(char::is_control)
            && !invisible().is_match(&input)
            && input.trim() == input
            && !input.trim().is_empty();
        prop_assert_eq!(Username::parse(&input).is_ok(), acceptable);
        // The part after a colon never shows (unless the fixed wording, the length or the part
        // before the colon happens to contain it; one to three characters, such as a `\`,
        // occur in any message's escapes by chance).
        let template = Username::parse("x:y").map_err(|e| format!("{e} {e:?}")).unwrap_err();
        if let Some((before, after)) = input.split_once(':') {
            let digits = after.chars().all(|c| c.is_ascii_digit());
            if after.chars().count() >= 4 && !digits && !template.contains(after) && !before.contains(after) {
                let error = Username::parse(&input).unwrap_err();
                prop_assert!(!format!("{error} {error:?}").contains(after), "{}", error);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The size check before rendering uses the exact length: any escaping serde_json does
    /// (quotes, backslashes, control characters, non-ASCII) is counted right, so the output
    /// buffer is never reallocated and the limit is never misjudged.
    #[test]
    fn the_size_computed_before_rendering_is_the_rendered_size(
        tokens in proptest::collection::vec(("[a-z]{1,8}", any::<String>(), 0..4u8), 0..8),
        hub_helper in any::<bool>(),
    ) {
        let mut entries = ResolvedEntries::new();
        // A Docker Hub helper is written under two keys.
        if hub_helper {
            let key = RegistryKey::parse("docker.io").unwrap();
            entries.insert(key, Credential::Helper(HelperName::parse("ecr-login").unwrap()));
        }
        for (host, secret, kind) in &tokens {
            let key = RegistryKey::parse(&format!("{host}.example.com")).unwrap();
            // Control characters are refused in secrets; everything else must be counted right.
            let secret: String = secret.chars().filter(|c| !c.is_control()).collect();
            let secret = Plaintext::new(format!("x{secret}"));
            let credential = match kind {
                0 => Credential::Basic { username: Username::parse("me").unwrap(), password: secret },
                1 => Credential::IdentityToken(secret),
                2 => Credential::RegistryToken(secret),
                _ => Credential::Helper(HelperName::parse(host).unwrap()),
            };
            entries.insert(key, credential);
        }
        prop_assert_eq!(rendered_len(&entries), render(&entries).unwrap().len());
    }
}
