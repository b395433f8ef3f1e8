//! The checked-in test keys (tests/fixtures/keys/README.md), for every unit test of the crate:
//! no test generates RSA keys.

use super::PrivateKey;

/// 2048-bit RSA, PKCS#8.
pub const TEST_PEM: &str = include_str!("../../tests/fixtures/keys/test.pem");
/// The same key as [`TEST_PEM`], PKCS#1.
pub const TEST_PKCS1_PEM: &str = include_str!("../../tests/fixtures/keys/test-pkcs1.pem");
/// [`TEST_PEM`]'s public half, SubjectPublicKeyInfo.
pub const TEST_PUBLIC_PEM: &str = include_str!("../../tests/fixtures/keys/test.pub.pem");
/// 1024-bit RSA, PKCS#8: too small.
pub const WEAK_1024_PEM: &str = include_str!("../../tests/fixtures/keys/weak-1024.pem");
/// EC P-256, PKCS#8, and its public half: not RSA.
pub const EC_PEM: &str = include_str!("../../tests/fixtures/keys/ec-p256.pem");
pub const EC_PUBLIC_PEM: &str = include_str!("../../tests/fixtures/keys/ec-p256.pub.pem");
/// A second, different 2048-bit RSA key, PKCS#8.
pub const OTHER_PEM: &str = include_str!("../../tests/fixtures/keys/other.pem");

/// [`TEST_PEM`], parsed.
pub fn test_key() -> PrivateKey {
    PrivateKey::from_pem(TEST_PEM).expect("the test key fixture")
}

/// [`OTHER_PEM`], parsed.
pub fn other_key() -> PrivateKey {
    PrivateKey::from_pem(OTHER_PEM).expect("the other key fixture")
}
