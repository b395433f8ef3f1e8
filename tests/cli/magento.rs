//! The Magento side checked against independent implementations: libsodium through PyNaCl for
//! the encryption, and real PHP for the env.php fragment.

use crate::apt;
use crate::python;

use std::process::Command;

use saasctl::config::{DataSpaceType, KeySetName, SecretValue};
use saasctl::magento::binding::{Binding, BindingInput, KeyValues};
use saasctl::magento::crypt::{CryptKey, Decrypted};
use saasctl::magento::render::{Format, render};

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
        assert_eq!(python::magento_crypt("decrypt", crypt_key, &stored), plain);
        // (b) Rust decrypts what Python encrypted.
        let from_python = python::magento_crypt("encrypt", crypt_key, plain);
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
