//! Private keys and API keys: parsing, size checks, fingerprints and RS256, on aws-lc-rs.
//!
//! The bottom layer: imports nothing from the rest of the crate. A `PrivateKey` or `PublicKey`
//! that exists is a usable RSA key of at least [`MIN_BITS`]; parse once and share it (cloning
//! is an `Arc` bump). Neither errors nor `Debug` output ever contain key material.

mod der;
#[cfg(test)]
pub(crate) mod fixtures;
mod pem;
mod private;
mod public;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::digest::sha256_hex;
use serde::{Deserialize, Serialize};

pub use private::PrivateKey;
pub use public::PublicKey;

/// The smallest RSA key the registry accepts for signing.
pub const MIN_BITS: usize = 2048;
/// The largest RSA key aws-lc-rs signs and verifies with.
pub const MAX_BITS: usize = 8192;

/// Which half of a key pair an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Private,
    Public,
}

impl KeyKind {
    /// The PEM forms this kind is accepted in, for error messages.
    fn accepted(self) -> &'static str {
        match self {
            KeyKind::Private => {
                "expected an unencrypted RSA key in PEM form, PKCS#8 `-----BEGIN PRIVATE KEY-----` or PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`"
            }
            KeyKind::Public => {
                "expected an RSA key in PEM form, `-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`"
            }
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Private => "private key",
            KeyKind::Public => "public key",
        })
    }
}

/// A key that cannot be used, or could not be made. Never carries key material: only sizes,
/// PEM labels (when they look like labels) and fixed reasons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the {kind} is empty; {}", .kind.accepted())]
    Empty { kind: KeyKind },
    #[error("the {kind} is not PEM; {}", .kind.accepted())]
    NotPem { kind: KeyKind },
    #[error("the {kind} is a `{label}` PEM block; {}", .kind.accepted())]
    WrongLabel { kind: KeyKind, label: String },
    #[error(
        "the private key is encrypted; the registry needs it unencrypted (decrypt it with `openssl pkey -in KEY.pem -out PLAIN.pem`)"
    )]
    Encrypted,
    #[error("the {kind} PEM is damaged: {detail}; copy or export the key again")]
    Malformed { kind: KeyKind, detail: &'static str },
    #[error(
        "the {kind} is not an RSA key (EC and other key types cannot sign RS256); generate a {MIN_BITS}-bit RSA key"
    )]
    NotRsa { kind: KeyKind },
    #[error(
        "the RSA {kind} has {bits} bits; at least {MIN_BITS} are required: generate a {MIN_BITS}-bit key"
    )]
    TooSmall { kind: KeyKind, bits: usize },
    #[error(
        "the RSA {kind} has {bits} bits; at most {MAX_BITS} are supported: generate a {MIN_BITS}-bit key"
    )]
    TooLarge { kind: KeyKind, bits: usize },
    #[error("the {kind} is not a valid RSA key ({reason}); generate a {MIN_BITS}-bit RSA key")]
    Rejected { kind: KeyKind, reason: &'static str },
    #[error("cannot generate an RSA key pair: the system's random source or crypto library failed")]
    Generate,
}

impl KeyError {
    /// Maps aws-lc-rs's reason; `bits` reads the size when it is the complaint.
    fn rejected(
        kind: KeyKind,
        rejected: aws_lc_rs::error::KeyRejected,
        bits: impl FnOnce() -> Option<usize>,
    ) -> Self {
        match rejected.description_() {
            "WrongAlgorithm" => KeyError::NotRsa { kind },
            // PKCS#1 parse failures come back as `Unspecified`.
            "InvalidEncoding" | "Unspecified" => KeyError::Malformed {
                kind,
                detail: "the DER inside is not a key of this form (truncated or edited?)",
            },
            "TooSmall" => match bits() {
                Some(bits) => KeyError::TooSmall { kind, bits },
                None => KeyError::Rejected {
                    kind,
                    reason: "too small",
                },
            },
            "TooLarge" => match bits() {
                Some(bits) => KeyError::TooLarge { kind, bits },
                None => KeyError::Rejected {
                    kind,
                    reason: "too large",
                },
            },
            "InconsistentComponents" => KeyError::Rejected {
                kind,
                reason: "its components do not fit together",
            },
            _ => KeyError::Rejected {
                kind,
                reason: "the crypto library refused it",
            },
        }
    }
}

/// `sha256:` and the hex SHA-256 of a SubjectPublicKeyInfo DER: how a plan names a key pair.
fn spki_fingerprint(spki_der: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(spki_der))
}

/// The first 12 hex digits of the SHA-256 of the API key; surrounding whitespace (a key
/// file's trailing newline) is not part of the key.
pub fn api_key_fingerprint(api_key: &str) -> String {
    let mut short = sha256_hex(api_key.trim().as_bytes());
    short.truncate(12);
    short
}

/// How a key set appears in a plan: hashes only, never the keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFingerprint {
    /// [`PrivateKey::fingerprint`]: `sha256:` of the public key's SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// [`api_key_fingerprint`]: the first 12 hex digits of the SHA-256 of the API key.
    pub api_key: String,
}

impl KeyFingerprint {
    /// From a key set: the private key (its public half) and the API key.
    pub fn new(private_key: &PrivateKey, api_key: &str) -> Self {
        Self {
            public_key: private_key.fingerprint().to_owned(),
            api_key: api_key_fingerprint(api_key),
        }
    }
}
