//! The one redaction layer, by what is known, then by shape. Every secret a run resolves is
//! registered once ([`register_secret`]) and masked exactly, in each form it can take in output
//! (raw, each line of a PEM body, JSON-escaped, percent-encoded, escaped for a terminal, for
//! markdown or in a GitHub workflow command), wherever it appears:
//! everything saasctl prints, logs or saves passes through [`redact`]. Shapes are guessed only
//! in text echoed from input ([`redact_input`]: YAML snippets, syntax errors), where a secret
//! may sit that no run resolved; ids, paths, names and messages are never guessed at.
//! Masking is byte for byte (`*`), so positions and JSON stay valid.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::shape;

/// Shorter secrets are not registered: masking every occurrence of a short word would hide
/// what is not secret. Each line of a PEM body is much longer; so is every key.
pub const MIN_KNOWN: usize = 8;

/// What percent-encoding leaves as it is (RFC 3986's unreserved characters).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How far a match is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extent {
    /// The pattern itself: a secret in one of its forms.
    Exact,
    /// The pattern and the token characters after it: a signed token, known by its prefix.
    Token,
}

/// The secrets of this process in every form registered, by their first [`MIN_KNOWN`] bytes:
/// a registration is one insertion, and a search one lookup per position of the text, however
/// many merchants' keys a run holds.
#[cfg(not(test))]
static KNOWN: RwLock<Option<Known>> = RwLock::new(None);

#[cfg(not(test))]
fn with_known<R>(f: impl FnOnce(&RwLock<Option<Known>>) -> R) -> R {
    f(&KNOWN)
}

// Unit tests share one process: a test's inputs (a randomly mutated document's values) must
// not become another test's secrets, so each test thread registers in its own.
#[cfg(test)]
thread_local! {
    static KNOWN: RwLock<Option<Known>> = const { RwLock::new(None) };
}

#[cfg(test)]
fn with_known<R>(f: impl FnOnce(&RwLock<Option<Known>>) -> R) -> R {
    KNOWN.with(f)
}

/// Each form of each secret, with how far its match is masked, under its first bytes.
type Known = HashMap<u64, Vec<(Box<str>, Extent)>>;

/// The lookup key of the [`MIN_KNOWN`] bytes at the start of `bytes`.
fn head(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..MIN_KNOWN)?.try_into().ok()?))
}

/// Registers a resolved secret: from now on it is masked wherever it appears, line by line (a
/// PEM body), in every form the renderers give it.
pub fn register_secret(secret: &str) {
    // A multi-line secret (a PEM, raw or with escaped `\n`) line by line: its markers name
    // the kind of key, not the key, and stay readable.
    let pieces = secret
        .split('\n')
        .flat_map(|line| line.split("\\n"))
        .map(str::trim)
        .filter(|line| !line.starts_with("-----"));
    let mut forms = Vec::new();
    for piece in pieces {
        if piece.len() < MIN_KNOWN {
            continue;
        }
        forms.push(piece.to_owned());
        let quoted = serde_json::to_string(piece).unwrap_or_default();
        forms.extend(
            quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .map(str::to_owned),
        );
        forms.push(utf8_percent_encode(piece, UNRESERVED).to_string());
        forms.push(super::github::escape_data(piece));
        forms.push(super::github::escape_property(piece));
        forms.push(super::escape::text(piece).into_owned());
        forms.push(super::escape::html(piece));
        forms.push(super::escape::markdown_cell(piece));
    }
    add(forms, Extent::Exact);
}

/// Registers the public start of tokens saasctl signs (a JWT's header): each token that starts
/// with it is masked through its last character.
pub fn register_token_prefix(prefix: &str) {
    add(vec![prefix.to_owned()], Extent::Token);
}

fn add(forms: Vec<String>, extent: Extent) {
    with_known(|known| {
        let mut known = known.write().unwrap_or_else(PoisonError::into_inner);
        let known = known.get_or_insert_with(HashMap::new);
        for form in forms {
            let Some(head) = head(form.as_bytes()) else {
                continue;
            };
            let patterns = known.entry(head).or_default();
            if !patterns.iter().any(|(known, _)| **known == *form) {
                patterns.push((form.into_boxed_str(), extent));
            }
        }
    });
}

/// Where `text` holds a registered secret.
fn known_spans(text: &str) -> Vec<(usize, usize)> {
    with_known(|known| spans_in(&known.read().unwrap_or_else(PoisonError::into_inner), text))
}

fn spans_in(known: &Option<Known>, text: &str) -> Vec<(usize, usize)> {
    let Some(known) = known.as_ref().filter(|k| !k.is_empty()) else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    for start in 0..bytes.len().saturating_sub(MIN_KNOWN - 1) {
        let Some(patterns) = head(&bytes[start..]).and_then(|h| known.get(&h)) else {
            continue;
        };
        for (pattern, extent) in patterns {
            if !bytes[start..].starts_with(pattern.as_bytes()) {
                continue;
            }
            let mut end = start + pattern.len();
            if *extent == Extent::Token {
                let token = |b: &&u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
                end += bytes[end..].iter().take_while(token).count();
            }
            spans.push((start, end));
        }
    }
    spans
}

/// `text` with every registered secret replaced by `*` of the same byte length.
pub fn redact(text: &str) -> Cow<'_, str> {
    mask(text, known_spans(text))
}

/// `text` echoed from input (a YAML snippet, a parser's message): masked as [`redact`] does,
/// and also wherever it is shaped like key material.
pub fn redact_input(text: &str) -> Cow<'_, str> {
    let mut spans = known_spans(text);
    spans.extend(shape::spans(text));
    mask(text, spans)
}

/// Whether `text` holds something shaped like key material.
pub fn is_key_shaped(text: &str) -> bool {
    !shape::spans(text).is_empty()
}

/// `text` with the bytes of every span replaced by `*`. Spans cover whole characters (secrets
/// and ASCII runs), so the result is UTF-8.
fn mask(text: &str, spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (start, end) in spans {
        bytes[start..end.min(text.len())].fill(b'*');
    }
    Cow::Owned(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_and_pem_blocks_are_masked_in_place() {
        let text = "api_key: 5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f\nname: Luma\n";
        let masked = redact_input(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("5f2b9c0e"));
        assert!(masked.ends_with("name: Luma\n"));
        let pem =
            "key: |\n  -----BEGIN PRIVATE KEY-----\n  MIIEvQ==\n  -----END PRIVATE KEY-----\n";
        assert!(!redact_input(pem).contains("MIIEvQ"));
        let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\"unclosed";
        assert!(!redact_input(cut).contains("MIIE"));
        let escaped =
            r#"{"m": "-----BEGIN PRIVATE KEY-----\nMIIEvQ\nQw==\n-----END PRIVATE KEY-----\n"}"#;
        let masked = redact_input(escaped);
        assert!(
            !masked.contains("MIIEvQ") && !masked.contains("Qw=="),
            "{masked}"
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(&masked).is_ok(),
            "{masked}"
        );
    }

    #[test]
    fn ids_digests_and_words_are_kept() {
        for kept in [
            "project 3f0c1d2e-0000-4000-8000-000000000001",
            "CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__PROJECT_ID=3f0c1d2e-0000-4000-8000-000000000001",
            "alias replay limit exceeded: max_total_replayed_events=100000",
            "environment variable LUMA_2024_PRODUCTION_API_KEY is not set",
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "environment variable LUMA_PRODUCTION_API_KEY is not set",
            "https://commerce.adobe.io/merchant-registry/v1/registry",
            "https://json-schema.org/draft/2020-12/schema",
            "Supercalifragilisticexpialidocious",
        ] {
            assert_eq!(redact_input(kept), kept);
        }
    }

    #[test]
    fn any_text_keeps_its_length_and_utf8() {
        let text = "é 0123456789abcdef0123456789abcdefé \u{10348}";
        let masked = redact_input(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.starts_with('é') && masked.ends_with('\u{10348}'));
    }

    #[test]
    fn a_key_in_a_url_path_is_masked() {
        let text = "GET /registry/5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f failed";
        assert!(
            !redact_input(text).contains("5f2b9c0e"),
            "{}",
            redact_input(text)
        );
        let path = "/tmp/.tmpAbC123/deploy/staging.env";
        assert_eq!(redact_input(path), path);
    }

    #[test]
    fn registered_secrets_are_masked_in_every_form_and_nothing_else() {
        let password = r#"p@ss/w#rd:X9"\reg"#;
        register_secret(&format!("{password}\n"));
        let kept = "http://127.0.0.1:43521/merchant-registry/v1/registry and \
            CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__PROJECT_ID=3f0c1d2e-0000-4000-8000-000000000001 \
            and 5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f, shaped like a key but not one";
        assert_eq!(redact(kept), kept);
        for shown in [
            password,
            r#"p%40ss%2Fw%23rd%3AX9%22%5Creg"#,
            r#"p@ss/w#rd:X9\"\\reg"#,
        ] {
            let text = format!("{kept} [{shown}]");
            let stars = "*".repeat(shown.len());
            assert_eq!(redact(&text), format!("{kept} [{stars}]"), "{shown}");
        }
    }

    #[test]
    fn every_line_of_a_registered_private_key_is_masked() {
        let pem = include_str!("../../tests/fixtures/keys/test.pem");
        register_secret(pem);
        let json = serde_json::to_string(pem).unwrap();
        let one_line = pem.replace('\n', "\\n");
        for shown in [pem, json.as_str(), one_line.as_str()] {
            let masked = redact(shown);
            for line in pem
                .lines()
                .filter(|l| l.len() >= MIN_KNOWN && !l.starts_with("-----"))
            {
                assert!(!masked.contains(line), "{masked}");
            }
            assert!(masked.contains("-----BEGIN PRIVATE KEY-----"), "{masked}");
        }
    }

    #[test]
    fn tokens_are_masked_from_their_registered_prefix_to_their_end() {
        register_token_prefix("eyJ0eXAiOiJKV1QiLCJhbGciOiJUZXN0In0.");
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJUZXN0In0.eyJleHAiOjF9.c2lnbmF0dXJl_-x";
        let text = format!("signature: {token}, done");
        assert_eq!(
            redact(&text),
            format!("signature: {}, done", "*".repeat(token.len()))
        );
    }

    #[test]
    fn short_secrets_are_not_registered() {
        register_secret("mage");
        assert_eq!(redact("magento image"), "magento image");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::redact_input;

        const PEM: &str = include_str!("../../tests/fixtures/keys/test.pem");

        /// The PEM's body lines: the key material.
        fn body_lines() -> Vec<&'static str> {
            PEM.lines().filter(|l| !l.starts_with("-----")).collect()
        }

        /// A key-shaped token: 24 to 64 characters of hex or base64url mixing letters and
        /// digits (with a `/`, a token must be 48 long: URL paths stay readable).
        fn api_key() -> impl Strategy<Value = String> {
            "[0-9a-f]{24,64}|[A-Za-z0-9+/_-]{24,64}".prop_filter("mixes letters and digits", |k| {
                k.bytes().filter(u8::is_ascii_digit).count() >= 3
                    && k.bytes().filter(u8::is_ascii_alphabetic).count() >= 3
                    && !k.contains('/')
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 512,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// An API key anywhere in any text, after any separator, is masked whole.
            #[test]
            fn api_keys_never_pass(
                before in "\\PC{0,30}",
                separator in "[ :=\"',;\n\t(\\[{]",
                key in api_key(),
                after in "[ :=\"',;\n\t)\\]}.]\\PC{0,30}",
            ) {
                prop_assume!(!before.ends_with("sha256:"));
                let text = format!("{before}{separator}{key}{after}");
                let masked = redact_input(&text);
                prop_assert_eq!(masked.len(), text.len());
                prop_assert!(!masked.contains(&key), "{}", masked);
            }

            /// A private key, raw, escaped in a JSON string, indented in YAML, or cut anywhere
            /// after its BEGIN line, shows none of its body lines.
            #[test]
            fn private_keys_never_pass(
                before in "\\PC{0,30}",
                after in "\\PC{0,30}",
                form in 0..3usize,
                cut in 40..1800usize,
            ) {
                let pem = &PEM[..cut.min(PEM.len())];
                let shown = match form {
                    0 => pem.to_owned(),
                    1 => serde_json::to_string(pem).expect("a string serialises"),
                    _ => pem.lines().map(|l| format!("    {l}\n")).collect(),
                };
                let text = format!("{before}\n{shown}\n{after}");
                let masked = redact_input(&text);
                for line in body_lines() {
                    // The part of the line the text holds: all of it, or up to the cut. A piece
                    // of 16 characters or more is key material, and must not be shown.
                    let held = (0..=line.len()).rev().find(|&n| text.contains(&line[..n])).unwrap_or(0);
                    if held >= 16 {
                        let piece = &line[..16];
                        prop_assert!(!masked.contains(piece), "{} shown in {}", piece, masked);
                    }
                }
            }
        }
    }
}
