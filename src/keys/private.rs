//! The private key: the one type every part of saasctl reads, checks and signs with.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};

use super::{KeyError, KeyKind, PublicKey, der, pem};

/// An RSA private key of at least [`super::MIN_BITS`] bits, parsed once; clones share it
/// across threads.
#[derive(Clone)]
pub struct PrivateKey(Arc<Inner>);

struct Inner {
    pair: RsaKeyPair,
    public: PublicKey,
}

impl PrivateKey {
    /// Reads an unencrypted PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or PKCS#1 (`-----BEGIN RSA
    /// PRIVATE KEY-----`) PEM; surrounding whitespace and CRLF line endings are fine.
    ///
    /// A key is parsed once per process: validation (SC007) and the client that signs with it
    /// read the same PEM, and aws-lc's checks of a key cost about as much as a signature.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        static PARSED: LazyLock<Mutex<HashMap<[u8; 32], PrivateKey>>> =
            LazyLock::new(Mutex::default);
        let digest = crate::digest::sha256(pem.as_bytes());
        let known = PARSED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&digest)
            .cloned();
        if let Some(key) = known {
            return Ok(key);
        }
        let key = Self::parse_pem(pem)?;
        PARSED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(digest, key.clone());
        Ok(key)
    }

    fn parse_pem(pem: &str) -> Result<Self, KeyError> {
        let kind = KeyKind::Private;
        let block = pem::decode(pem, kind)?;
        let der = block.der.as_slice();
        let pair = match block.label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(der)
                .map_err(|e| KeyError::rejected(kind, e, || der::pkcs8_modulus_bits(der)))?,
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(der)
                .map_err(|e| KeyError::rejected(kind, e, || der::pkcs1_modulus_bits(der)))?,
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "EC PRIVATE KEY" | "DSA PRIVATE KEY" => return Err(KeyError::NotRsa { kind }),
            other => {
                return Err(KeyError::WrongLabel {
                    kind,
                    label: pem::printable_label(other),
                });
            }
        };
        Self::from_pair(pair)
    }

    /// A new 2048-bit key from aws-lc's generator (seeded by the OS).
    pub fn generate() -> Result<Self, KeyError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        Self::from_pair(pair)
    }

    fn from_pair(pair: RsaKeyPair) -> Result<Self, KeyError> {
        // aws-lc-rs has already refused keys outside 2048..=8192 bits; this checks the public
        // half the same way as a registered public key.
        let public = PublicKey::from_rsa(pair.public_key()).map_err(|e| match e {
            KeyError::TooSmall { bits, .. } => KeyError::TooSmall {
                kind: KeyKind::Private,
                bits,
            },
            other => other,
        })?;
        Ok(Self(Arc::new(Inner { pair, public })))
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.public.bits()
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        self.0.public.clone()
    }

    /// `sha256:` and the hex SHA-256 of the public key's SubjectPublicKeyInfo DER.
    pub fn fingerprint(&self) -> &str {
        self.0.public.fingerprint()
    }

    /// An RS256 signature (RSA PKCS#1 v1.5, SHA-256) of `message`; deterministic, and
    /// aws-lc's RSA private operation is blinded and constant-time.
    ///
    /// # Panics
    /// Only if aws-lc fails internally (out of memory): the key was validated when parsed.
    pub fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.0.pair.public_modulus_len()];
        // The random source is ignored for PKCS#1 v1.5; the API takes one for ring parity.
        self.0
            .pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("signing with a validated RSA key");
        signature
    }

    /// The key as PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM with LF endings, for key files.
    /// Key material: keep it in a secret type and write it 0600.
    ///
    /// # Panics
    /// Only if aws-lc fails internally (out of memory) encoding a key it holds.
    pub fn to_pkcs8_pem(&self) -> String {
        let der = self
            .0
            .pair
            .as_der()
            .expect("encoding a validated RSA key as PKCS#8");
        pem::encode("PRIVATE KEY", der.as_ref())
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}
