//! Magento's `Encryptor` for cipher version 3 (ChaCha20-Poly1305 IETF), as
//! magento/framework 2.4.8 writes and reads the key values in `core_config_data`
//! (registry-api.md, "How Magento encrypts the four key values").

use std::fmt;

use aws_lc_rs::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use super::MagentoError;
use crate::config::SecretValue;

/// `Encryptor::CIPHER_AEAD_CHACHA20POLY1305`; Magento uses ChaCha for any version at or above it.
const CIPHER_CHACHA: i64 = 3;
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// `ConfigOptionsListConstants::STORE_KEY_ENCODED_RANDOM_STRING_PREFIX` (2.4.7+).
const BASE64_KEY_PREFIX: &str = "base64";

/// The whole `crypt/key` of `app/etc/env.php`: every key, the last one current.
#[derive(Clone)]
pub struct CryptKey {
    keys: Vec<[u8; KEY_LEN]>,
}

impl fmt::Debug for CryptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CryptKey(<{} keys redacted>)", self.keys.len())
    }
}

/// What `Encryptor::decrypt()` gives for a stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decrypted {
    /// The cipher-3 form authenticated with this key: the plain text, `trim()`med as Magento
    /// does (it may be empty or not UTF-8).
    Value(DecryptedBytes),
    /// Magento returns `''`: an empty or `"0"` input, a key version not in `crypt/key`, bad
    /// base64, a value too short for a nonce and tag, or an authentication failure.
    Empty,
    /// No colon, or a cipher version below 3: Magento's legacy mcrypt ciphers, which saasctl
    /// neither writes nor reads.
    Legacy,
}

/// Decrypted bytes; `Debug` never shows them (they are key material).
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptedBytes(Vec<u8>);

impl DecryptedBytes {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for DecryptedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecryptedBytes(<{} bytes redacted>)", self.0.len())
    }
}

/// A stored key value as the `KeyEncrypted` backend model reads it: decrypted when that gives
/// non-empty UTF-8, otherwise the stored text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredValue {
    /// Encrypted with this crypt key; Magento reads the decrypted value.
    Encrypted(SecretValue),
    /// Encrypted with this key around another `N:3:…` value: Magento reads that inner
    /// ciphertext as the key, so the services cannot authenticate. `innermost` is the inner
    /// value decrypted again, when this key can.
    EncryptedTwice {
        inner: SecretValue,
        innermost: Option<SecretValue>,
    },
    /// Authenticates with this key but decrypts to nothing or to non-UTF-8: Magento falls back
    /// to the stored text. The crypt key is right; the value is not usable.
    EncryptedUnreadable,
    /// In the cipher-3 form but not decryptable with this key (another key, or a key version
    /// this `crypt/key` lacks): writing with this key would break the installation.
    OtherKey,
    /// Not in an encrypted form Magento 2.4 writes: Magento reads it as plain text.
    Plain,
    /// A legacy mcrypt form (a colon, cipher version below 3): saasctl cannot check it.
    Legacy,
}

impl CryptKey {
    /// Parses the whole `crypt/key` value. Errors name a key's position, never its content.
    pub fn parse(value: &str) -> Result<Self, MagentoError> {
        let keys = value
            .split_whitespace()
            .enumerate()
            .map(|(index, key)| {
                crate::diagnostic::register_secret(key);
                decode_key(key).map_err(|reason| MagentoError::CryptKeyMalformed { index, reason })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(MagentoError::CryptKeyEmpty);
        }
        Ok(Self { keys })
    }

    /// The current key's version: its 0-based index in `crypt/key`.
    pub fn version(&self) -> usize {
        self.keys.len() - 1
    }

    /// `Encryptor::encrypt()`: `"{version}:3:" + base64(nonce || ciphertext || tag)`, the
    /// random 12-byte nonce also being the associated data.
    pub fn encrypt(&self, plain: &str) -> Result<String, MagentoError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| MagentoError::Encrypt)?;
        let key = self.keys.last().ok_or(MagentoError::CryptKeyEmpty)?;
        let sealing = aead_key(key).ok_or(MagentoError::Encrypt)?;
        let mut body = plain.as_bytes().to_vec();
        sealing
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(nonce),
                &mut body,
            )
            .map_err(|_| MagentoError::Encrypt)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&body);
        Ok(format!(
            "{}:{CIPHER_CHACHA}:{}",
            self.version(),
            STANDARD.encode(&out)
        ))
    }

    /// `Encryptor::decrypt()`, step by step as Magento does it.
    pub fn decrypt(&self, stored: &str) -> Decrypted {
        // PHP's `if ($data)`: '' and '0' are false.
        if stored.is_empty() || stored == "0" {
            return Decrypted::Empty;
        }
        let parts: Vec<&str> = stored.splitn(4, ':').collect();
        let (key_version, cipher, data) = match parts.as_slice() {
            [version, cipher, data] => (php_int(version), php_int(cipher), *data),
            [cipher, data] => (0, php_int(cipher), *data),
            // One part is Blowfish, four parts Rijndael-256 with an IV.
            _ => return Decrypted::Legacy,
        };
        if cipher < CIPHER_CHACHA {
            return Decrypted::Legacy;
        }
        let Some(key) = usize::try_from(key_version)
            .ok()
            .and_then(|v| self.keys.get(v))
        else {
            return Decrypted::Empty;
        };
        let Some(mut bytes) = php_base64_decode(data) else {
            return Decrypted::Empty;
        };
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Decrypted::Empty;
        }
        let mut body = bytes.split_off(NONCE_LEN);
        let Ok(nonce) = <[u8; NONCE_LEN]>::try_from(bytes.as_slice()) else {
            return Decrypted::Empty;
        };
        let Some(opening) = aead_key(key) else {
            return Decrypted::Empty;
        };
        match opening.open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(nonce),
            &mut body,
        ) {
            Ok(plain) => Decrypted::Value(DecryptedBytes(php_trim(plain).to_vec())),
            Err(_) => Decrypted::Empty,
        }
    }

    /// How Magento (`KeyEncrypted`) reads a stored key value, and whether this crypt key is the
    /// one that wrote it.
    pub fn classify(&self, stored: &str) -> StoredValue {
        match self.decrypt(stored) {
            Decrypted::Value(bytes) => match bytes.as_str() {
                Some(text) if !text.is_empty() => {
                    if looks_encrypted(text) {
                        let innermost = match self.decrypt(text) {
                            Decrypted::Value(inner) => inner
                                .as_str()
                                .filter(|s| !s.is_empty())
                                .map(SecretValue::new),
                            _ => None,
                        };
                        StoredValue::EncryptedTwice {
                            inner: SecretValue::new(text),
                            innermost,
                        }
                    } else {
                        StoredValue::Encrypted(SecretValue::new(text))
                    }
                }
                _ => StoredValue::EncryptedUnreadable,
            },
            Decrypted::Legacy if !stored.contains(':') => StoredValue::Plain,
            Decrypted::Legacy => StoredValue::Legacy,
            Decrypted::Empty if looks_encrypted(stored) => StoredValue::OtherKey,
            Decrypted::Empty => StoredValue::Plain,
        }
    }
}

/// Whether `value` has the shape `Encryptor::encrypt()` gives: `N:3:` then base64 long enough
/// for a nonce and a tag.
pub fn looks_encrypted(value: &str) -> bool {
    let mut parts = value.splitn(3, ':');
    let (Some(version), Some(cipher), Some(data)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit())
        && cipher == "3"
        && !data.contains(':')
        && STANDARD
            .decode(data)
            .is_ok_and(|bytes| bytes.len() >= NONCE_LEN + TAG_LEN)
}

/// `Encryptor::decodeKey()` plus the 32-byte requirement of `sodium_crypto_aead_*`.
fn decode_key(key: &str) -> Result<[u8; KEY_LEN], &'static str> {
    if let Some(encoded) = key.strip_prefix(BASE64_KEY_PREFIX) {
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a `base64` key whose rest is not valid base64")?;
        return <[u8; KEY_LEN]>::try_from(bytes.as_slice())
            .map_err(|_| "a `base64` key must decode to 32 bytes");
    }
    <[u8; KEY_LEN]>::try_from(key.as_bytes())
        .map_err(|_| "a key must be 32 characters, or `base64` and the base64 of 32 bytes")
}

fn aead_key(key: &[u8; KEY_LEN]) -> Option<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, key)
        .ok()
        .map(LessSafeKey::new)
}

/// PHP's `(int)` cast of a string: leading whitespace, a sign, digits; anything else is 0.
fn php_int(text: &str) -> i64 {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    // PHP saturates on overflow; any huge version is simply not a key.
    let value = digits[..end]
        .parse::<i64>()
        .unwrap_or(if end == 0 { 0 } else { i64::MAX });
    if negative { -value } else { value }
}

/// PHP's non-strict `base64_decode()`: characters outside the alphabet are skipped, padding
/// is optional, a dangling single character fails.
fn php_base64_decode(data: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    let filtered: String = data
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
        .collect();
    LENIENT.decode(filtered).ok()
}

/// PHP's `trim()`: space, tab, newline, carriage return, NUL and vertical tab.
fn php_trim(bytes: &[u8]) -> &[u8] {
    const WS: &[u8] = b" \t\n\r\0\x0b";
    let start = bytes
        .iter()
        .position(|b| !WS.contains(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !WS.contains(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN";
    const KEY_B: &str = "uPuzBU067DXTM4PqEi14Sv5tbWjVcRZI";

    fn text(decrypted: Decrypted) -> String {
        match decrypted {
            Decrypted::Value(bytes) => bytes.as_str().expect("utf-8").to_owned(),
            other => panic!("not decrypted: {other:?}"),
        }
    }

    #[test]
    fn magento_published_vectors() {
        let a = CryptKey::parse(KEY_A).unwrap();
        let b = CryptKey::parse(KEY_B).unwrap();
        assert_eq!(
            text(a.decrypt("0:3:146BhsQ3grT0VgkYuY3ii3gpClXHkFqlIcNpAD4+bAMBP+ToCHZHiJID")),
            "Hello World!!!"
        );
        assert_eq!(
            text(b.decrypt("0:3:6SQaVrCnY10n8tOxYyvWuVGKddjR12ZbGylM9K+bRHqsqltRwuLs15vV")),
            "Hello World!!!"
        );
        assert_eq!(a.decrypt("0:3:bWFsZm9ybWVkLWlucHV0"), Decrypted::Empty);
        // Each vector fails with the other key: an authentication failure is ''.
        assert_eq!(
            b.decrypt("0:3:146BhsQ3grT0VgkYuY3ii3gpClXHkFqlIcNpAD4+bAMBP+ToCHZHiJID"),
            Decrypted::Empty
        );
    }

    #[test]
    fn round_trip_and_format() {
        let key = CryptKey::parse(KEY_A).unwrap();
        let stored = key.encrypt("secret value").unwrap();
        assert!(stored.starts_with("0:3:"), "{stored}");
        assert!(looks_encrypted(&stored));
        let raw = STANDARD.decode(&stored[4..]).unwrap();
        assert_eq!(raw.len(), 12 + "secret value".len() + 16);
        assert_eq!(text(key.decrypt(&stored)), "secret value");
        // A fresh nonce every time.
        assert_ne!(key.encrypt("secret value").unwrap(), stored);
    }

    #[test]
    fn key_versions() {
        let b64 = format!("base64{}", STANDARD.encode([7u8; 32]));
        let both = CryptKey::parse(&format!("  {KEY_A}\n\t{b64}  ")).unwrap();
        assert_eq!(both.version(), 1);
        let stored = both.encrypt("x").unwrap();
        assert!(stored.starts_with("1:3:"), "{stored}");
        // The old key still decrypts its own values (version 0).
        assert_eq!(
            text(both.decrypt("0:3:146BhsQ3grT0VgkYuY3ii3gpClXHkFqlIcNpAD4+bAMBP+ToCHZHiJID")),
            "Hello World!!!"
        );
        // A version the key list lacks gives ''.
        let only_a = CryptKey::parse(KEY_A).unwrap();
        assert_eq!(only_a.decrypt(&stored), Decrypted::Empty);
        assert_eq!(only_a.classify(&stored), StoredValue::OtherKey);
        // The two-part form means key version 0.
        assert_eq!(
            text(only_a.decrypt("3:146BhsQ3grT0VgkYuY3ii3gpClXHkFqlIcNpAD4+bAMBP+ToCHZHiJID")),
            "Hello World!!!"
        );
    }

    #[test]
    fn decrypted_values_are_trimmed() {
        let key = CryptKey::parse(KEY_A).unwrap();
        let stored = key
            .encrypt("\n -----BEGIN PRIVATE KEY-----\n\0 \n")
            .unwrap();
        assert_eq!(text(key.decrypt(&stored)), "-----BEGIN PRIVATE KEY-----");
        let blank = key.encrypt(" \n").unwrap();
        assert_eq!(key.classify(&blank), StoredValue::EncryptedUnreadable);
    }

    #[test]
    fn malformed_keys_are_typed_errors_that_never_quote_the_key() {
        for bad in [
            "short",
            "6wRADHwwCBGgdxbcHhovGB0upmg0mbsNX",
            "base64!!notbase64",
            "base64AAAA",
        ] {
            let err = CryptKey::parse(&format!("{KEY_A} {bad}")).unwrap_err();
            assert!(
                matches!(err, MagentoError::CryptKeyMalformed { index: 1, .. }),
                "{err:?}"
            );
            assert!(!err.to_string().contains(bad), "{err}");
            assert!(!format!("{err:?}").contains(bad), "{err:?}");
        }
        assert!(matches!(
            CryptKey::parse(" \n ").unwrap_err(),
            MagentoError::CryptKeyEmpty
        ));
        assert!(!format!("{:?}", CryptKey::parse(KEY_A).unwrap()).contains(KEY_A));
    }

    #[test]
    fn classify_as_the_key_encrypted_backend_reads() {
        let a = CryptKey::parse(KEY_A).unwrap();
        let b = CryptKey::parse(KEY_B).unwrap();
        let stored = a.encrypt("api-key-123").unwrap();
        assert_eq!(
            a.classify(&stored),
            StoredValue::Encrypted(SecretValue::new("api-key-123"))
        );
        assert_eq!(b.classify(&stored), StoredValue::OtherKey);
        assert_eq!(a.classify("abcdef0123456789"), StoredValue::Plain);
        assert_eq!(
            a.classify("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"),
            StoredValue::Plain
        );
        assert_eq!(a.classify(""), StoredValue::Plain);
        assert_eq!(a.classify("0:2:abcd"), StoredValue::Legacy);
        assert_eq!(a.classify("a:b:c:d"), StoredValue::Legacy);
        // Odd inputs never panic.
        for odd in [
            "0:3:",
            "9999999999999999999999:3:AAAA",
            "-1:3:AAAA",
            ":::",
            "0:3:é",
        ] {
            let _ = a.classify(odd);
        }
    }

    #[test]
    fn encrypted_twice_is_detected() {
        let key = CryptKey::parse(KEY_A).unwrap();
        let once = key.encrypt("api-key-123").unwrap();
        let twice = key.encrypt(&once).unwrap();
        assert_eq!(
            key.classify(&twice),
            StoredValue::EncryptedTwice {
                inner: SecretValue::new(once),
                innermost: Some(SecretValue::new("api-key-123")),
            }
        );
    }

    #[test]
    fn php_helpers() {
        assert_eq!(php_int("12abc"), 12);
        assert_eq!(php_int(" -3"), -3);
        assert_eq!(php_int("abc"), 0);
        assert_eq!(php_int(""), 0);
        assert_eq!(php_base64_decode("bWFs\nZm9y"), Some(b"malfor".to_vec()));
        assert_eq!(php_base64_decode("QQ"), Some(b"A".to_vec()));
        assert_eq!(php_trim(b" \0a b\x0b"), b"a b");
        assert_eq!(php_trim(b"  "), b"");
    }
}
