//! Magento's decryptor and key classification on arbitrary stored values, with a crypt key of
//! each form (raw 32 characters, `base64`, and two keys where the stored value names a version).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use saasctl::magento::crypt::CryptKey;

fn keys() -> &'static [CryptKey] {
    static KEYS: OnceLock<Vec<CryptKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN",
            "base64AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN\nbase64AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ]
        .iter()
        .map(|k| CryptKey::parse(k).expect("a valid crypt key"))
        .collect()
    })
}

fuzz_target!(|stored: &str| {
    for key in keys() {
        key.decrypt(stored);
        key.classify(stored);
    }
    // The stored value's first line read as a crypt key: refused or accepted, never a panic.
    if let Some(line) = stored.lines().next() {
        let _ = CryptKey::parse(line);
    }
});
