//! The Magento side checked against independent implementations: libsodium through PyNaCl for
//! the encryption, and real PHP for the env.php fragment.

use crate::apt;
use crate::common::CRYPT_KEY;
use crate::python;

use std::process::Command;

use saasctl::config::{DataSpaceType, KeySetName, SecretValue};
use saasctl::magento::binding::{Binding, BindingInput, KeyValues};
use saasctl::magento::crypt::{CryptKey, Decrypted};
use saasctl::magento::render::{self, Format, Keys, render};

#[test]
fn encryption_agrees_with_libsodium_both_ways() {
    let b64 = "base64AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    for crypt_key in [
        CRYPT_KEY,
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
    for keys in [Keys::REDACTED, Keys::shown(None)] {
        let fragment = render(&b, Format::EnvPhp, keys).expect("env-php");
        let env_php = dir.path().join("env.php");
        std::fs::write(&env_php, format!("<?php\nreturn [\n{fragment}];\n"))
            .expect("write env.php");
        let from_php = php_system_default(&env_php);
        let json: serde_json::Value =
            serde_json::from_str(&render(&b, Format::Json, keys).expect("json"))
                .expect("json format");
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

/// `app/etc/env.php`'s `system/default` as PHP reads it, flattened back to config paths as
/// Magento's config reader addresses them.
fn php_system_default(env_php: &std::path::Path) -> serde_json::Value {
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
        .arg(env_php)
        .output()
        .expect("run php");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("php printed JSON")
}

#[test]
fn env_php_with_the_crypt_key_decrypts_as_magento_decrypts_it() {
    apt::ensure("php", "php-cli");
    let crypt_key = CRYPT_KEY;
    let crypt = CryptKey::parse(crypt_key).expect("crypt key");
    let b = binding();
    let fragment = render(&b, Format::EnvPhp, Keys::shown(Some(&crypt))).expect("env-php");
    let dir = tempfile::tempdir().expect("temp dir");
    let env_php = dir.path().join("env.php");
    std::fs::write(&env_php, format!("<?php\nreturn [\n{fragment}];\n")).expect("write");
    let from_php = php_system_default(&env_php);
    let mut keys = 0;
    for entry in b.entries() {
        let stored = from_php[&entry.path].as_str().expect("a string");
        if entry.is_secret() {
            keys += 1;
            assert!(stored.starts_with("0:3:"), "{}: {stored}", entry.path);
            assert_eq!(
                python::magento_crypt("decrypt", crypt_key, stored),
                entry.expose(),
                "{}",
                entry.path
            );
        } else {
            assert_eq!(stored, entry.expose(), "{}", entry.path);
        }
    }
    assert_eq!(keys, 4);
}

/// Each env-file dialect loaded the way its consumer loads it yields the binding exactly.
#[test]
fn each_env_file_dialect_reads_back_in_its_consumer() {
    let b = binding();
    let dir = tempfile::tempdir().expect("temp dir");
    let expected: serde_json::Map<String, serde_json::Value> = b
        .entries()
        .iter()
        .map(|e| (render::env_var_name(&e.path), e.expose().into()))
        .collect();

    // dotenv: python-dotenv, a dotenv library.
    let dotenv = dir.path().join("dotenv.env");
    std::fs::write(
        &dotenv,
        render(&b, Format::Env, Keys::shown(None)).expect("env"),
    )
    .unwrap();
    let python = python::venv("dotenv-venv", "python-dotenv==1.0.1").join("bin/python");
    let output = Command::new(python)
        .args([
            "-c",
            "import json, sys; from dotenv import dotenv_values; \
             print(json.dumps(dotenv_values(sys.argv[1])))",
        ])
        .arg(&dotenv)
        .output()
        .expect("python-dotenv");
    assert_eq!(printed_object(&output), expected, "python-dotenv");

    // shell: `set -a; . FILE` in a POSIX shell, then the environment as Python sees it.
    let shell = dir.path().join("shell.env");
    std::fs::write(
        &shell,
        render(&b, Format::Shell, Keys::shown(None)).expect("shell"),
    )
    .unwrap();
    for sh in ["sh", "bash"] {
        let output = Command::new(sh)
            .args([
                "-c",
                "set -a; . \"$1\"; exec python3 -c 'import json, os; \
                 print(json.dumps({k: v for k, v in os.environ.items() if k.startswith(\"CONFIG__\")}))'",
                "sh",
            ])
            .arg(&shell)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("shell");
        assert_eq!(printed_object(&output), expected, "{sh}");
    }

    // docker: `docker run --env-file` reads each line as NAME=VALUE, literally; it cannot
    // carry a private key, so the rest of the binding is checked.
    assert!(render(&b, Format::Docker, Keys::shown(None)).is_err());
    let single_line: Vec<String> = b
        .entries()
        .iter()
        .filter(|e| !e.expose().contains('\n'))
        .map(|e| e.path.clone())
        .collect();
    let docker_binding = b.select(&single_line).expect("select");
    let docker = render(&docker_binding, Format::Docker, Keys::shown(None)).expect("docker");
    let read: serde_json::Map<String, serde_json::Value> = docker
        .lines()
        .filter(|l| !l.trim_start().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let (name, value) = l.trim_start().split_once('=').expect("NAME=VALUE");
            (name.to_owned(), value.into())
        })
        .collect();
    let expected_docker: serde_json::Map<String, serde_json::Value> = expected
        .into_iter()
        .filter(|(_, v)| !v.as_str().is_some_and(|v| v.contains('\n')))
        .collect();
    assert_eq!(read, expected_docker, "docker");
    assert_eq!(read.len(), single_line.len());
}

/// The JSON object a consumer printed, once it succeeded.
fn printed_object(output: &std::process::Output) -> serde_json::Map<String, serde_json::Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON object")
}
