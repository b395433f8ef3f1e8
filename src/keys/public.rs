//! The public half: what the registry (and our emulator) verifies RS256 tokens with.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

use super::{KeyError, KeyKind, MAX_BITS, MIN_BITS, pem, spki_fingerprint};

/// An RSA public key of [`MIN_BITS`] to [`MAX_BITS`] bits, parsed once; clones share it.
#[derive(Clone)]
pub struct PublicKey(Arc<Inner>);

struct Inner {
    /// SubjectPublicKeyInfo DER: what the fingerprint hashes and `to_pem` writes.
    spki: Box<[u8]>,
    verifier: ParsedPublicKey,
    bits: usize,
    fingerprint: String,
}

impl PublicKey {
    /// Reads `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) or `-----BEGIN RSA PUBLIC
    /// KEY-----` (PKCS#1); surrounding whitespace and CRLF line endings are fine.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let kind = KeyKind::Public;
        let block = pem::decode(pem, kind)?;
        if !matches!(block.label.as_str(), "PUBLIC KEY" | "RSA PUBLIC KEY") {
            return Err(KeyError::WrongLabel {
                kind,
                label: pem::printable_label(&block.label),
            });
        }
        // aws-lc-rs tries PKCS#1 and then SubjectPublicKeyInfo, whichever the label said.
        let key = rsa::PublicKey::from_der(&block.der)
            .map_err(|e| KeyError::rejected(kind, e, || None))?;
        Self::from_rsa(&key)
    }

    pub(super) fn from_rsa(key: &rsa::PublicKey) -> Result<Self, KeyError> {
        let kind = KeyKind::Public;
        let bits = modulus_bits(key.modulus().big_endian_without_leading_zero());
        if bits < MIN_BITS {
            return Err(KeyError::TooSmall { kind, bits });
        }
        if bits > MAX_BITS {
            return Err(KeyError::TooLarge { kind, bits });
        }
        let spki: Box<[u8]> = key
            .as_der()
            .map_err(|_| KeyError::Rejected {
                kind,
                reason: "it cannot be encoded as SubjectPublicKeyInfo",
            })?
            .as_ref()
            .into();
        // `as_ref` is the PKCS#1 `RSAPublicKey` DER, the form the verifier takes.
        let verifier = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.as_ref())
            .map_err(|e| KeyError::rejected(kind, e, || Some(bits)))?;
        let fingerprint = spki_fingerprint(&spki);
        Ok(Self(Arc::new(Inner {
            spki,
            verifier,
            bits,
            fingerprint,
        })))
    }

    /// The modulus size in bits (exact, not rounded up to bytes).
    pub fn bits(&self) -> usize {
        self.0.bits
    }

    /// `sha256:` and the hex SHA-256 of the SubjectPublicKeyInfo DER, as plans record it.
    pub fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.0.spki
    }

    /// `-----BEGIN PUBLIC KEY-----` PEM with LF endings, as the key portal takes it.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.0.spki)
    }

    /// Whether `signature` is an RS256 (RSA PKCS#1 v1.5, SHA-256) signature of `message`.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verifier.verify_sig(message, signature).is_ok()
    }
}

/// The bit length of a big-endian unsigned integer without leading zero bytes.
fn modulus_bits(be: &[u8]) -> usize {
    be.first()
        .map_or(0, |&top| be.len() * 8 - top.leading_zeros() as usize)
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.spki == other.0.spki
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.0.bits)
            .field("fingerprint", &self.0.fingerprint)
            .finish()
    }
}
