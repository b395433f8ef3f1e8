//! Parse, sign, verify and generate for the `rsa` crate (today's code path) against aws-lc-rs
//! (`saasctl::keys`) on the same 2048-bit key: `cargo bench --bench keys`. Prints the median
//! of N runs in microseconds and the ratio; asserts only that both sign the same bytes.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::time::Instant;

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use saasctl::keys::{PrivateKey, PublicKey};
use sha2::Sha256;

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

    let runs = 200;
    report(
        "parse",
        runs,
        median_us(runs, || rsa::RsaPrivateKey::from_pkcs8_pem(PKCS8).unwrap()),
        median_us(runs, || PrivateKey::from_pem(PKCS8).unwrap()),
    );
    report(
        "sign",
        runs,
        median_us(runs, || signing.sign(MESSAGE).to_vec()),
        median_us(runs, || ours.sign_rs256(MESSAGE)),
    );

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
            rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap()
        }),
        median_us(runs, || PrivateKey::generate().unwrap()),
    );
}
