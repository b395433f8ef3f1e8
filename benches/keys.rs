//! Parse, sign, verify and generate with the `rsa` crate (the code path saasctl left), aws-lc-rs
//! (saasctl's) and ring on the same 2048-bit key: `cargo bench --bench keys`. Prints the median
//! of N runs in microseconds and the ratio; asserts only that all sign the same bytes.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::time::Instant;

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use saasctl::keys::{PrivateKey, PublicKey};

const PKCS8: &str = include_str!("../tests/fixtures/keys/test.pem");
const SPKI: &str = include_str!("../tests/fixtures/keys/test.pub.pem");
/// About the size of a registry token's signing input.
const MESSAGE: &[u8] = b"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDAsImlzcyI6IjhFNjMwN0JGNUQ3NzVGQTAwQTQ5NUVGOUBBZG9iZU9yZyIsInN1YiI6IjMxODE1MTlFNUUyNzE0OTkwQTQ5NUUyRUB0ZWNoYWNjdC5hZG9iZS5jb20ifQ";

/// Median wall time of `runs` calls, in microseconds.
fn median_us<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    black_box(f()); // warm-up
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn report3(what: &str, runs: usize, [rsa_us, aws_us, ring_us]: [f64; 3]) {
    println!(
        "{what:<10} n={runs:<4} rsa {rsa_us:>10.1} us   aws-lc-rs {aws_us:>10.1} us   rsa/aws-lc {:>6.2}x   ring {ring_us:>10.1} us",
        rsa_us / aws_us
    );
}

fn report(what: &str, runs: usize, rsa_us: f64, aws_us: f64) {
    println!(
        "{what:<10} n={runs:<4} rsa {rsa_us:>10.1} us   aws-lc-rs {aws_us:>10.1} us   rsa/aws-lc {:>6.2}x",
        rsa_us / aws_us
    );
}

fn main() {
    let rsa_key = rsa::RsaPrivateKey::from_pkcs8_pem(PKCS8).expect("rsa reads the key");
    let ours = PrivateKey::from_pem(PKCS8).expect("keys reads the key");
    let signing = SigningKey::<Sha256>::new(rsa_key.clone());
    assert_eq!(
        signing.sign(MESSAGE).to_vec(),
        ours.sign_rs256(MESSAGE),
        "both paths sign the same bytes"
    );

    // saasctl::keys parses a PEM once per process; aws-lc-rs is called directly where a fresh
    // parse is measured. ring (already built, for rustls) is measured beside them.
    let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&rsa_key).unwrap();
    let der = der.as_bytes();
    let aws_parse = || aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der).unwrap();
    let aws_sign = |pair: &aws_lc_rs::signature::RsaKeyPair| {
        let mut signature = vec![0; pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &rng,
            MESSAGE,
            &mut signature,
        )
        .unwrap();
        signature
    };
    let ring_rng = ring::rand::SystemRandom::new();
    let ring_parse = || ring::rsa::KeyPair::from_pkcs8(der).unwrap();
    let ring_sign = |pair: &ring::rsa::KeyPair| {
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring_rng,
            MESSAGE,
            &mut signature,
        )
        .unwrap();
        signature
    };
    assert_eq!(ring_sign(&ring_parse()), ours.sign_rs256(MESSAGE));

    let runs = 200;
    let parse = [
        median_us(runs, || rsa::RsaPrivateKey::from_pkcs8_pem(PKCS8).unwrap()),
        median_us(runs, aws_parse),
        median_us(runs, ring_parse),
    ];
    report3("parse", runs, parse);
    let (aws_pair, ring_pair) = (aws_parse(), ring_parse());
    let sign = [
        median_us(runs, || signing.sign(MESSAGE).to_vec()),
        median_us(runs, || aws_sign(&aws_pair)),
        median_us(runs, || ring_sign(&ring_pair)),
    ];
    report3("sign", runs, sign);
    // A merchant in a run: its own key read, then its first token signed. aws-lc sets up the
    // key's blinding on its first private operation, so this is more than parse + sign.
    let merchant = [
        median_us(runs, || {
            SigningKey::<Sha256>::new(rsa::RsaPrivateKey::from_pkcs8_pem(PKCS8).unwrap())
                .sign(MESSAGE)
                .to_vec()
        }),
        median_us(runs, || aws_sign(&aws_parse())),
        median_us(runs, || ring_sign(&ring_parse())),
    ];
    report3("merchant", runs, merchant);

    let rsa_public = rsa::RsaPublicKey::from_public_key_pem(SPKI).unwrap();
    let verifying = VerifyingKey::<Sha256>::new(rsa_public);
    let signature = ours.sign_rs256(MESSAGE);
    let rsa_signature = Signature::try_from(signature.as_slice()).unwrap();
    let public = PublicKey::from_pem(SPKI).unwrap();
    report(
        "verify",
        runs,
        median_us(runs, || verifying.verify(MESSAGE, &rsa_signature).is_ok()),
        median_us(runs, || public.verify_rs256(MESSAGE, &signature)),
    );

    // Key generation time varies with how soon primes turn up: few runs, wide spread.
    let runs = 15;
    report(
        "generate",
        runs,
        median_us(runs, || {
            rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap()
        }),
        median_us(runs, || PrivateKey::generate().unwrap()),
    );
}
