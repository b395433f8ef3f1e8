//! Masking by shape, for text echoed from input (YAML snippets, syntax errors), where a secret
//! may sit that no run resolved (pasted into the YAML, say): PEM blocks, and tokens in the shape
//! of keys (long runs of base64/hex characters that mix letters and digits). Kept: UUIDs
//! (registry ids), `sha256:` digests, `NAME=value` split at the `=`, and upper-case variable
//! names.

/// Shortest run of token characters treated as key material.
const MIN_TOKEN: usize = 24;

/// The byte ranges of `text` shaped like key material.
pub(super) fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = token_spans(text, 0, text.len(), &looks_like_key);
    for (start, end) in pem_bodies(text) {
        // Inside a PEM block every base64 run is key material, however short.
        spans.extend(token_spans(text, start, end, &|_| true));
    }
    spans
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
/// (hyphenated UUIDs) are not, nor variable names (`LUMA_2024_API_KEY`); `NAME=value` is two
/// tokens (base64 pads with `=` only at its end); runs with `/` must be longer, so URL paths
/// are not either, unless one of their segments is key-shaped by itself (`/registry/<key>`).
fn looks_like_key(token: &str) -> bool {
    let unpadded = token.trim_end_matches('=');
    if unpadded.contains('=') {
        return unpadded.split('=').any(looks_like_key);
    }
    if token.contains('/') {
        (token.len() >= 2 * MIN_TOKEN && mixes_letters_and_digits(token))
            || token.split('/').any(looks_like_key)
    } else {
        let is_id = token.len() == 36 && uuid::Uuid::try_parse(token).is_ok();
        token.len() >= MIN_TOKEN
            && !is_id
            && !is_variable_name(token)
            && mixes_letters_and_digits(token)
    }
}

/// An environment variable's name as people write them: upper case, digits and underscores.
fn is_variable_name(token: &str) -> bool {
    token.contains('_')
        && token.starts_with(|c: char| c.is_ascii_uppercase())
        && token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn mixes_letters_and_digits(token: &str) -> bool {
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    let letters = token.bytes().filter(u8::is_ascii_alphabetic).count();
    digits >= 3 && letters >= 3
}
