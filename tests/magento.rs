//! The Magento side checked against independent implementations: libsodium through PyNaCl for
//! the encryption, and real PHP for the env.php fragment.

#[path = "support/apt.rs"]
mod apt;

use std::path::PathBuf;
use std::process::Command;

use saasctl::config::{DataSpaceType, KeySetName, SecretValue};
use saasctl::magento::binding::{Binding, BindingInput, KeyValues};
use saasctl::magento::crypt::{CryptKey, Decrypted};
use saasctl::magento::render::{Format, render};

/// PyNaCl from PyPI, in a virtualenv under target/ so the machine is left alone.
fn python_with_pynacl() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pynacl-venv");
    let python = venv.join("bin/python");
    if !venv.join("ready").exists() {
        let created = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(created.success(), "cannot create a virtualenv");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "PyNaCl==1.5.0"])
            .status()
            .expect("pip install");
        assert!(installed.success(), "cannot install PyNaCl");
        std::fs::write(venv.join("ready"), "").expect("mark the venv ready");
    }
    python
}

/// Magento's SodiumChachaIetf in Python: the nonce is also the associated data.
const MAGENTO_CRYPT_PY: &str = r#"
import base64, os, sys
from nacl.bindings import (
    crypto_aead_chacha20poly1305_ietf_decrypt as dec,
    crypto_aead_chacha20poly1305_ietf_encrypt as enc,
)

def key_of(k):
    return base64.b64decode(k[6:]) if k.startswith("base64") else k.encode()

mode, crypt_key, value = sys.argv[1], sys.argv[2], sys.argv[3]
keys = [key_of(k) for k in crypt_key.split()]
if mode == "encrypt":
    nonce = os.urandom(12)
    raw = nonce + enc(value.encode(), nonce, nonce, keys[-1])
    print(f"{len(keys) - 1}:3:" + base64.b64encode(raw).decode(), end="")
else:
    version, cipher, data = value.split(":", 2)
    raw = base64.b64decode(data)
    nonce = raw[:12]
    print(dec(raw[12:], nonce, nonce, keys[int(version)]).decode(), end="")
"#;

fn python_crypt(mode: &str, crypt_key: &str, value: &str) -> String {
    let output = Command::new(python_with_pynacl())
        .args(["-c", MAGENTO_CRYPT_PY, mode, crypt_key, value])
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn encryption_agrees_with_libsodium_both_ways() {
    let b64 = "base64AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    for crypt_key in [
        "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN",
        &format!("uPuzBU067DXTM4PqEi14Sv5tbWjVcRZI\n{b64}"),
    ] {
        let key = CryptKey::parse(crypt_key).expect("crypt key");
        let plain = "-----BEGIN PRIVATE KEY-----\nMIIE é 💥\n-----END PRIVATE KEY-----";
        // (a) Python decrypts what Rust encrypted.
        let stored = key.encrypt(plain).expect("encrypt");
        assert_eq!(python_crypt("decrypt", crypt_key, &stored), plain);
        // (b) Rust decrypts what Python encrypted.
        let from_python = python_crypt("encrypt", crypt_key, plain);
        assert!(from_python.starts_with(&format!("{}:3:", key.version())));
        match key.decrypt(&from_python) {
            Decrypted::Value(bytes) => assert_eq!(bytes.as_str(), Some(plain)),
            other => panic!("Rust cannot decrypt Python's value: {other:?}"),
        }
    }
}

fn binding() -> Binding {
    Binding::new(BindingInput {
        key_set: KeySetName::Sandbox,
        key_sets: vec![
            (
                KeySetName::Production,
                KeyValues {
                    api_key: SecretValue::new("prod-api-key"),
                    private_key: SecretValue::new(
                        "-----BEGIN PRIVATE KEY-----\nA\\B'C\n-----END PRIVATE KEY-----\n",
                    ),
                },
            ),
            (
                KeySetName::Sandbox,
                KeyValues {
                    api_key: SecretValue::new("sandbox'api\\key"),
                    private_key: SecretValue::new(
                        "-----BEGIN PRIVATE KEY-----\nS\n-----END PRIVATE KEY-----",
                    ),
                },
            ),
        ],
        project_id: Some("5f7c2a10-1b2c-4d3e-8f90-a1b2c3d4e5f6".into()),
        project_name: "Luma's \\ shop".into(),
        data_space_id: Some("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into()),
        data_space_name: "Live \"EU\" $HOME é".into(),
        data_space_type: DataSpaceType::Testing,
    })
    .expect("binding")
}

#[test]
fn env_php_fragment_is_what_php_reads() {
    apt::ensure("php", "php-cli");
    let dir = tempfile::tempdir().expect("temp dir");
    let b = binding();
    for include_secrets in [false, true] {
        let fragment = render(&b, Format::EnvPhp, include_secrets);
        let env_php = dir.path().join("env.php");
        std::fs::write(&env_php, format!("<?php\nreturn [\n{fragment}];\n"))
            .expect("write env.php");
        // Flatten `system/default` back to paths, as Magento's config reader addresses them.
        let script = r#"
            $env = include $argv[1];
            $flat = [];
            $walk = function ($node, $prefix) use (&$walk, &$flat) {
                foreach ($node as $k => $v) {
                    $path = $prefix === '' ? $k : "$prefix/$k";
                    if (is_array($v)) { $walk($v, $path); } else { $flat[$path] = $v; }
                }
            };
            $walk($env['system']['default'], '');
            echo json_encode($flat, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        "#;
        let output = Command::new("php")
            .args(["-r", script])
            .arg(&env_php)
            .output()
            .expect("run php");
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let from_php: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("php printed JSON");
        let json: serde_json::Value =
            serde_json::from_str(&render(&b, Format::Json, include_secrets)).expect("json format");
        assert_eq!(from_php, json);
        // Key order as well: PHP arrays keep insertion order.
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys(&from_php), keys(&json));
    }
}
