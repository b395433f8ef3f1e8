//! Digests of canonical JSON (config, live state). Key fingerprints are `keys`'s. Imports
//! nothing from the crate, so any layer may use it.

use aws_lc_rs::digest::{Context, SHA256, digest as hash};
use serde::Serialize;

/// The SHA-256 of `bytes`, from the one crypto library the program uses.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(hash(&SHA256, bytes).as_ref());
    out
}

/// Lower-case hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
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
    // Hashed as it is written: a large estate's JSON is never held whole.
    struct Hashing(Context);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(Context::new(&SHA256));
    // Our models have string map keys only, so serialising cannot fail.
    serde_json::to_writer(&mut hashing, value).expect("plan models serialise to JSON");
    format!("sha256:{}", hex(hashing.0.finish().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_digest_is_the_digest_of_the_json() {
        let value = serde_json::json!({"b": [1, "x"], "a": {"c": null}});
        assert_eq!(
            json_digest(&value),
            digest(&serde_json::to_vec(&value).unwrap())
        );
    }

    #[test]
    fn digests_are_prefixed_hex() {
        assert_eq!(
            digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
