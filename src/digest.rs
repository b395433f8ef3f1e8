//! The one place saasctl hashes: digests of canonical JSON, and key fingerprints that let a
//! plan name a key without holding it.

use rsa::RsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::SecretValue;

/// Lower-case hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// `sha256:` and the hex digest of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// The digest of a value's canonical JSON: struct fields in declaration order, maps in
/// document order (declared order is meaningful: testing data spaces are assigned by it),
/// lists sorted by their owners before hashing.
pub fn json_digest<T: Serialize + ?Sized>(value: &T) -> String {
    // Our models have string map keys only, so serialising cannot fail.
    let bytes = serde_json::to_vec(value).expect("plan models serialise to JSON");
    digest(&bytes)
}

/// How a key set appears in a plan: hashes only, never the keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFingerprint {
    /// `sha256:` of the DER (SubjectPublicKeyInfo) public key.
    pub public_key: String,
    /// The first 12 hex digits of the SHA-256 of the API key.
    pub api_key: String,
}

impl KeyFingerprint {
    /// From the DER public key and the API key (surrounding whitespace, such as a key file's
    /// trailing newline, is not part of the key).
    pub fn new(public_key_der: &[u8], api_key: &str) -> Self {
        let mut short = sha256_hex(api_key.trim().as_bytes());
        short.truncate(12);
        Self {
            public_key: digest(public_key_der),
            api_key: short,
        }
    }

    /// From a resolved key set: the private key's public half and the API key.
    pub fn of(private_key: &RsaPrivateKey, api_key: &SecretValue) -> Result<Self, String> {
        let der = private_key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| format!("cannot encode the public key: {e}"))?;
        Ok(Self::new(der.as_bytes(), api_key.expose()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_prefixed_hex() {
        assert_eq!(
            digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn api_key_fingerprint_is_short_and_ignores_the_trailing_newline() {
        let a = KeyFingerprint::new(b"der", "key\n");
        assert_eq!(a, KeyFingerprint::new(b"der", "key"));
        assert_eq!(a.api_key.len(), 12);
        assert!(a.public_key.starts_with("sha256:"));
    }
}
