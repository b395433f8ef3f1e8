//! PEM framing (RFC 7468): one block, base64 at any line length, CRLF or LF. aws-lc-rs reads
//! DER only, and doing the framing here lets errors name what was found.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::{KeyError, KeyKind};

/// A decoded PEM block. The DER is wiped on drop: for private keys it is key material.
pub(super) struct Block {
    pub label: String,
    pub der: Zeroizing<Vec<u8>>,
}

/// Decodes the one PEM block in `text`; only whitespace may surround it.
pub(super) fn decode(text: &str, kind: KeyKind) -> Result<Block, KeyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(KeyError::Empty { kind });
    }
    let Some(rest) = text.strip_prefix("-----BEGIN ") else {
        return Err(KeyError::NotPem { kind });
    };
    let malformed = |detail| KeyError::Malformed { kind, detail };
    // A key pasted from a JSON or shell string keeps `\n` as two characters.
    if rest.contains("\\n") && !rest.contains('\n') {
        return Err(malformed(
            "its line breaks are the two characters `\\n` (an escaped string stored as it is); store it with real line breaks, e.g. as the file was downloaded or with `printf '%b'`",
        ));
    }
    let (label, body) = rest
        .split_once("-----")
        .ok_or(malformed("the BEGIN line is incomplete"))?;
    let end = format!("-----END {label}-----");
    let Some((body, after)) = body.split_once(end.as_str()) else {
        return Err(malformed("there is no matching END line (truncated?)"));
    };
    if !after.trim().is_empty() {
        return Err(malformed(
            "there is text after the END line; keep one key per file",
        ));
    }
    let label = label.to_owned();
    let mut base64 = Zeroizing::new(String::with_capacity(body.len()));
    for line in body.lines() {
        // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`) mark legacy encryption.
        if line.contains(':') {
            if line.contains("ENCRYPTED") {
                return Err(KeyError::Encrypted);
            }
            continue;
        }
        base64.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    if base64.is_empty() {
        return Err(malformed("the PEM block is empty"));
    }
    let der = STANDARD
        .decode(base64.as_bytes())
        .map_err(|_| malformed("the body is not valid base64 (truncated or edited?)"))?;
    Ok(Block {
        label,
        der: Zeroizing::new(der),
    })
}

/// `label` for use in an error message: PEM labels are short upper-case words; anything else
/// is not quoted, in case it is a pasted key.
pub(super) fn printable_label(label: &str) -> String {
    let sane = label.len() <= 40
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
    if sane {
        label.to_owned()
    } else {
        "unrecognised".to_owned()
    }
}

/// A PEM block with 64-character lines and LF endings, as OpenSSL and the `rsa` crate write it.
pub(super) fn encode(label: &str, der: &[u8]) -> String {
    let base64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = String::with_capacity(base64.len() + base64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in base64.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}
