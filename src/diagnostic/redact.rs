//! The one redaction layer: everything saasctl prints or saves passes through [`redact`], which
//! masks whatever could be a secret, byte for byte (`*`), so positions and JSON stay valid.
//! Masked: PEM blocks, and tokens in the shape of keys (long runs of base64/hex characters that
//! mix letters and digits). Kept: UUIDs (registry ids) and `sha256:` digests (fingerprints are
//! meant to be shown). Structure-aware masking (values under `keys`) happens where the YAML is
//! read; this layer catches what reaches text without structure (syntax errors, messages).

use std::borrow::Cow;

/// Shortest run of token characters treated as key material.
const MIN_TOKEN: usize = 24;

/// `text` with every secret-shaped part replaced by `*` of the same byte length.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut spans = token_spans(text, 0, text.len(), &looks_like_key);
    for (start, end) in pem_bodies(text) {
        // Inside a PEM block every base64 run is key material, however short.
        spans.extend(token_spans(text, start, end, &|_| true));
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (start, end) in spans {
        bytes[start..end].fill(b'*');
    }
    // Only ASCII runs were replaced, by ASCII.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
}

/// The bodies of PEM blocks: from the end of a `-----BEGIN …-----` marker to the next
/// `-----END`, or, when a broken quote cut the block, to the end of its paragraph. Works on
/// raw text and on text where newlines are escaped (`\n` in a JSON string).
fn pem_bodies(text: &str) -> Vec<(usize, usize)> {
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("-----BEGIN") {
        let marker = from + found + "-----BEGIN".len();
        let start = text[marker..]
            .find("-----")
            .map_or(text.len(), |i| marker + i + "-----".len());
        // The END line counts only when what lies before it can be a PEM body.
        let end = text[start..]
            .find("-----END")
            .map(|i| start + i)
            .filter(|&end| text[start..end].bytes().all(is_pem_body_byte))
            .unwrap_or_else(|| cut_block_end(text, start));
        bodies.push((start, end));
        from = end.max(start);
        if from >= text.len() {
            break;
        }
    }
    bodies
}

/// What a PEM body may hold, raw, indented in YAML, or escaped in a JSON string.
fn is_pem_body_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(byte, b'+' | b'/' | b'=' | b'\\' | b'"' | b'\'' | b'|')
        || byte.is_ascii_whitespace()
}

/// Where a PEM block without its END line stops: the rest of its line (a one-line block with
/// escaped newlines), then every following line that is base64.
fn cut_block_end(text: &str, start: usize) -> usize {
    let mut end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    for line in text[end..].split_inclusive('\n').skip(1) {
        // A body line starts with base64 (a broken quote may follow it on the same line).
        let body = line.trim().trim_matches(['"', '\'']);
        let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        let prefix = body.bytes().take_while(base64).count();
        if prefix < 16 && (body.is_empty() || prefix < body.len()) {
            break;
        }
        end += line.len();
    }
    end
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=' | b'_' | b'-')
}

/// Runs of token characters in `text[start..end]` that `secret` accepts. The character after a
/// backslash is an escape (`\n`), not part of a run.
fn token_spans(
    text: &str,
    start: usize,
    end: usize,
    secret: &dyn Fn(&str) -> bool,
) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = start;
    while i < end {
        if !is_token_byte(bytes[i]) || (i > 0 && bytes[i - 1] == b'\\') {
            i += 1;
            continue;
        }
        let run = i;
        while i < end && is_token_byte(bytes[i]) {
            i += 1;
        }
        if secret(&text[run..i]) && !text[..run].ends_with("sha256:") {
            spans.push((run, i));
        }
    }
    spans
}

/// A token shaped like key material: long, mixing letters and digits. Registry ids
/// (hyphenated UUIDs) are not; runs with `/` must be longer, so URL paths are not either,
/// unless one of their segments is key-shaped by itself (`/registry/<key>`).
fn looks_like_key(token: &str) -> bool {
    if token.contains('/') {
        (token.len() >= 2 * MIN_TOKEN && mixes_letters_and_digits(token))
            || token.split('/').any(looks_like_key)
    } else {
        let is_id = token.len() == 36 && uuid::Uuid::try_parse(token).is_ok();
        token.len() >= MIN_TOKEN && !is_id && mixes_letters_and_digits(token)
    }
}

fn mixes_letters_and_digits(token: &str) -> bool {
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    let letters = token.bytes().filter(u8::is_ascii_alphabetic).count();
    digits >= 3 && letters >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_and_pem_blocks_are_masked_in_place() {
        let text = "api_key: 5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f\nname: Luma\n";
        let masked = redact(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("5f2b9c0e"));
        assert!(masked.ends_with("name: Luma\n"));
        let pem =
            "key: |\n  -----BEGIN PRIVATE KEY-----\n  MIIEvQ==\n  -----END PRIVATE KEY-----\n";
        assert!(!redact(pem).contains("MIIEvQ"));
        let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\"unclosed";
        assert!(!redact(cut).contains("MIIE"));
        let escaped =
            r#"{"m": "-----BEGIN PRIVATE KEY-----\nMIIEvQ\nQw==\n-----END PRIVATE KEY-----\n"}"#;
        let masked = redact(escaped);
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
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "environment variable LUMA_PRODUCTION_API_KEY is not set",
            "https://commerce.adobe.io/merchant-registry/v1/registry",
            "https://json-schema.org/draft/2020-12/schema",
            "Supercalifragilisticexpialidocious",
        ] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn any_text_keeps_its_length_and_utf8() {
        let text = "é 0123456789abcdef0123456789abcdefé \u{10348}";
        let masked = redact(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.starts_with('é') && masked.ends_with('\u{10348}'));
    }

    #[test]
    fn a_key_in_a_url_path_is_masked() {
        let text = "GET /registry/5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f failed";
        assert!(!redact(text).contains("5f2b9c0e"), "{}", redact(text));
        let path = "/tmp/.tmpAbC123/deploy/staging.env";
        assert_eq!(redact(path), path);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::redact;

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
                let masked = redact(&text);
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
                let masked = redact(&text);
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
