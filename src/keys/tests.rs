//! Fixtures are test-only keys made once with openssl (tests/fixtures/keys/README.md).

use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};

use super::fixtures::{
    EC_PEM as EC, EC_PUBLIC_PEM as EC_PUBLIC, TEST_PEM as PKCS8, TEST_PKCS1_PEM as PKCS1,
    TEST_PUBLIC_PEM as SPKI, WEAK_1024_PEM as WEAK_1024,
};
use super::*;

const PKCS1_PUBLIC: &str = include_str!("../../tests/fixtures/keys/test-pkcs1.pub.pem");

const MESSAGE: &[u8] = b"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9";

fn key() -> PrivateKey {
    fixtures::test_key()
}

fn rsa_key() -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::from_pkcs8_pem(PKCS8).expect("the rsa crate reads the fixture")
}

/// Asserts that `text` quotes no line of any fixture's base64 body.
fn assert_no_key_material(text: &str) {
    for fixture in [PKCS8, PKCS1, WEAK_1024, EC] {
        for line in fixture.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "{text:?} quotes key material");
        }
    }
}

#[test]
fn pkcs8_and_pkcs1_of_one_key_are_the_same_key() {
    let pkcs8 = key();
    let pkcs1 = PrivateKey::from_pem(PKCS1).unwrap();
    assert_eq!(pkcs8.bits(), 2048);
    assert_eq!(pkcs1.bits(), 2048);
    assert_eq!(pkcs8.fingerprint(), pkcs1.fingerprint());
    assert_eq!(pkcs8.public_key(), pkcs1.public_key());
    assert!(pkcs8.fingerprint().starts_with("sha256:"));
    assert_eq!(pkcs8.fingerprint().len(), "sha256:".len() + 64);
}

#[test]
fn both_public_key_forms_match_the_private_key() {
    let public = key().public_key();
    let spki = PublicKey::from_pem(SPKI).unwrap();
    let pkcs1 = PublicKey::from_pem(PKCS1_PUBLIC).unwrap();
    assert_eq!(spki, public);
    assert_eq!(pkcs1, public);
    assert_eq!(pkcs1.fingerprint(), key().fingerprint());
    assert_eq!(spki.bits(), 2048);
    // Written as openssl writes it.
    assert_eq!(public.to_pem(), SPKI);
}

#[test]
fn pkcs8_pem_is_written_as_openssl_writes_it() {
    assert_eq!(key().to_pkcs8_pem(), PKCS8);
    assert_eq!(PrivateKey::from_pem(PKCS1).unwrap().to_pkcs8_pem(), PKCS8);
}

#[test]
fn surrounding_whitespace_and_crlf_are_tolerated() {
    let crlf = format!("\r\n  {}\r\n\n", PKCS8.replace('\n', "\r\n"));
    assert_eq!(
        PrivateKey::from_pem(&crlf).unwrap().fingerprint(),
        key().fingerprint()
    );
    let crlf = format!("\n{}  \n", SPKI.replace('\n', "\r\n"));
    assert_eq!(PublicKey::from_pem(&crlf).unwrap(), key().public_key());
}

#[test]
fn keys_under_2048_bits_are_refused_with_their_size() {
    let err = PrivateKey::from_pem(WEAK_1024).unwrap_err();
    assert_eq!(
        err,
        KeyError::TooSmall {
            kind: KeyKind::Private,
            bits: 1024
        }
    );
    assert_eq!(
        err.to_string(),
        "the RSA private key has 1024 bits; at least 2048 are required: generate a 2048-bit key"
    );

    let weak = rsa::RsaPrivateKey::from_pkcs8_pem(WEAK_1024).unwrap();
    let pkcs1 = weak.to_pkcs1_pem(LineEnding::LF).unwrap();
    assert_eq!(PrivateKey::from_pem(&pkcs1).unwrap_err(), err);

    let public = weak
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    assert_eq!(
        PublicKey::from_pem(&public).unwrap_err(),
        KeyError::TooSmall {
            kind: KeyKind::Public,
            bits: 1024
        }
    );
    let public = weak.to_public_key().to_pkcs1_pem(LineEnding::LF).unwrap();
    assert!(matches!(
        PublicKey::from_pem(&public),
        Err(KeyError::TooSmall { bits: 1024, .. })
    ));
}

#[test]
fn sign_then_verify_round_trips() {
    let key = key();
    let signature = key.sign_rs256(MESSAGE);
    assert_eq!(signature.len(), 256);
    let public = PublicKey::from_pem(SPKI).unwrap();
    assert!(public.verify_rs256(MESSAGE, &signature));
    assert!(!public.verify_rs256(b"another message", &signature));
    let mut flipped = signature.clone();
    flipped[10] ^= 1;
    assert!(!public.verify_rs256(MESSAGE, &flipped));
    assert!(!public.verify_rs256(MESSAGE, &signature[1..]));
    assert!(!public.verify_rs256(MESSAGE, &[]));
}

#[test]
fn signatures_are_byte_identical_to_the_rsa_crate_and_verify_both_ways() {
    let ours = key().sign_rs256(MESSAGE);
    let signing = SigningKey::<Sha256>::new(rsa_key());
    let theirs = signing.sign(MESSAGE).to_vec();
    // PKCS#1 v1.5 is deterministic: same key, same message, same bytes.
    assert_eq!(ours, theirs);

    let verifying = VerifyingKey::<Sha256>::new(rsa_key().to_public_key());
    let signature = Signature::try_from(ours.as_slice()).unwrap();
    assert!(verifying.verify(MESSAGE, &signature).is_ok());
    assert!(key().public_key().verify_rs256(MESSAGE, &theirs));
}

#[test]
fn fingerprints_hash_the_spki_der_and_the_trimmed_api_key() {
    // Cross-checked against the rsa crate's DER and a plain SHA-256.
    let der = rsa_key().to_public_key().to_public_key_der().unwrap();
    let expected = format!("sha256:{}", sha256_hex(der.as_bytes()));
    let fingerprint = KeyFingerprint::new(&key(), "0123456789abcdef\n");
    assert_eq!(fingerprint.public_key, expected);
    assert_eq!(key().fingerprint(), expected);
    assert_eq!(key().public_key().spki_der(), der.as_bytes());
    assert_eq!(fingerprint.api_key, &sha256_hex(b"0123456789abcdef")[..12]);
    assert_eq!(
        api_key_fingerprint("  0123456789abcdef"),
        fingerprint.api_key
    );
    assert_eq!(
        serde_json::to_value(&fingerprint).unwrap(),
        serde_json::json!({"public_key": expected, "api_key": fingerprint.api_key})
    );
    assert_ne!(
        KeyFingerprint::new(&fixtures::other_key(), "0123456789abcdef"),
        fingerprint
    );
}

#[test]
fn generated_keys_are_2048_bits_and_read_back() {
    let key = PrivateKey::generate().unwrap();
    assert_eq!(key.bits(), 2048);
    let pem = key.to_pkcs8_pem();
    let again = PrivateKey::from_pem(&pem).unwrap();
    assert_eq!(again.fingerprint(), key.fingerprint());
    assert!(
        again
            .public_key()
            .verify_rs256(MESSAGE, &key.sign_rs256(MESSAGE))
    );
    // The rsa crate (today's readers) reads what we write.
    let theirs = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let der = theirs.to_public_key().to_public_key_der().unwrap();
    assert_eq!(der.as_bytes(), key.public_key().spki_der());
    assert_ne!(
        key.fingerprint(),
        PrivateKey::generate().unwrap().fingerprint()
    );
}

#[test]
fn unusable_input_gives_errors_that_say_what_to_do() {
    let private = KeyKind::Private;
    let cases: &[(&str, KeyError)] = &[
        ("", KeyError::Empty { kind: private }),
        (" \r\n\t", KeyError::Empty { kind: private }),
        ("garbage", KeyError::NotPem { kind: private }),
        (EC, KeyError::NotRsa { kind: private }),
        (
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
            KeyError::NotRsa { kind: private },
        ),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            KeyError::Encrypted,
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            KeyError::Encrypted,
        ),
        (
            SPKI,
            KeyError::WrongLabel {
                kind: private,
                label: "PUBLIC KEY".into(),
            },
        ),
    ];
    for (pem, expected) in cases {
        let err = PrivateKey::from_pem(pem).unwrap_err();
        assert_eq!(&err, expected, "{pem:?}");
        assert_no_key_material(&err.to_string());
    }
    assert!(
        KeyError::NotPem { kind: private }
            .to_string()
            .contains("`-----BEGIN PRIVATE KEY-----` or PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`")
    );

    let public = KeyKind::Public;
    assert_eq!(
        PublicKey::from_pem(EC_PUBLIC).unwrap_err(),
        KeyError::NotRsa { kind: public }
    );
    assert_eq!(
        PublicKey::from_pem(PKCS8).unwrap_err(),
        KeyError::WrongLabel {
            kind: public,
            label: "PRIVATE KEY".into()
        }
    );
    assert_eq!(
        PublicKey::from_pem("").unwrap_err(),
        KeyError::Empty { kind: public }
    );
}

#[test]
fn truncated_or_damaged_pem_is_an_error_never_a_panic() {
    // Every proper prefix, including ones cut inside the END line.
    let trimmed = PKCS8.trim_end();
    for end in (0..trimmed.len()).filter(|&i| trimmed.is_char_boundary(i)) {
        let err = PrivateKey::from_pem(&trimmed[..end]).unwrap_err();
        assert_no_key_material(&err.to_string());
        assert_no_key_material(&format!("{err:?}"));
    }
    // Lines missing from the middle: valid base64, broken DER.
    let lines: Vec<&str> = PKCS8.lines().collect();
    let short = [&lines[..5], &lines[9..]].concat().join("\n");
    assert!(matches!(
        PrivateKey::from_pem(&short),
        Err(KeyError::Malformed { .. } | KeyError::Rejected { .. })
    ));
    let short = [&lines[..5], &lines[9..]].concat().join("\n");
    let _ = PrivateKey::from_pem(&short.replace("PRIVATE KEY", "RSA PRIVATE KEY"));
    // One changed character in each line of the body: refused or (rarely) a different key.
    for i in 1..lines.len() - 1 {
        let mut damaged = lines.clone();
        let line = damaged[i].replacen(|c: char| c.is_ascii_alphanumeric(), "+", 1);
        damaged[i] = &line;
        if let Err(err) = PrivateKey::from_pem(&damaged.join("\n")) {
            assert_no_key_material(&err.to_string());
        }
    }
    // Base64 that is not base64, and a key followed by more text.
    let bad = PKCS8.replacen('A', "!", 1);
    assert!(matches!(
        PrivateKey::from_pem(&bad),
        Err(KeyError::Malformed { .. })
    ));
    let two = format!("{PKCS8}{SPKI}");
    assert!(matches!(
        PrivateKey::from_pem(&two),
        Err(KeyError::Malformed { .. })
    ));
    let public: String = SPKI.chars().take(SPKI.len() / 2).collect();
    assert!(PublicKey::from_pem(&public).is_err());
}

#[test]
fn labels_that_might_be_key_material_are_not_quoted() {
    let pem = "-----BEGIN MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx-----\nAAAA\n-----END MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx-----";
    let err = PrivateKey::from_pem(pem).unwrap_err();
    assert_eq!(
        err,
        KeyError::WrongLabel {
            kind: KeyKind::Private,
            label: "unrecognised".into()
        }
    );
}

#[test]
fn debug_shows_size_and_fingerprint_only() {
    let key = key();
    let debug = format!("{key:?} {:?}", key.public_key());
    assert!(debug.contains("bits: 2048"), "{debug}");
    assert!(debug.contains(key.fingerprint()), "{debug}");
    assert_no_key_material(&debug);
}

#[test]
fn keys_are_shared_across_threads() {
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<PrivateKey>();
    assert_shareable::<PublicKey>();
    assert_shareable::<KeyError>();

    let key = key();
    let expected = key.sign_rs256(MESSAGE);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let key = key.clone();
            std::thread::spawn(move || key.sign_rs256(MESSAGE))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), expected);
    }
}

#[test]
fn randomness_is_seeded_from_the_os_not_cpu_jitter() {
    // .cargo/config.toml builds aws-lc without CPU jitter (30-40 ms of CPU per process).
    // SAFETY: a side-effect-free query of how aws-lc was built.
    let jitter = unsafe { aws_lc_sys::FIPS_is_entropy_cpu_jitter() };
    assert_eq!(
        jitter, 0,
        "aws-lc gathers CPU jitter: build with AWS_LC_SYS_NO_JITTER_ENTROPY=1 (.cargo/config.toml)"
    );
}

#[test]
fn a_key_with_escaped_line_breaks_is_named_as_such() {
    let escaped = PKCS8.trim_end().replace('\n', "\\n");
    let message = PrivateKey::from_pem(&escaped).unwrap_err().to_string();
    assert!(
        message.contains("its line breaks are the two characters `\\n`"),
        "{message}"
    );
    assert!(!message.contains("after the END line"), "{message}");
    // Real line breaks are read as always.
    assert!(PrivateKey::from_pem(PKCS8).is_ok());
}
