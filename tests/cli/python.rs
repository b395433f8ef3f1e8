//! Python tools from PyPI for the tests, each in a virtualenv under target/ so the machine is
//! left alone, created once and reused.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The virtualenv `name` with `requirement` installed; returns its directory.
pub fn venv(name: &str, requirement: &str) -> PathBuf {
    static CREATING: Mutex<()> = Mutex::new(());
    let _guard = CREATING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let ready = venv.join(format!("ready-{requirement}"));
    if !ready.exists() {
        let created = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(
            created.success(),
            "cannot create a virtualenv (python3-venv)"
        );
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", requirement])
            .status()
            .expect("pip install");
        assert!(installed.success(), "cannot install {requirement}");
        std::fs::write(&ready, "").expect("mark the venv ready");
    }
    venv
}

/// Magento's encryption done by libsodium (PyNaCl), independently of saasctl: `mode` is
/// `encrypt` or `decrypt`.
pub fn magento_crypt(mode: &str, crypt_key: &str, value: &str) -> String {
    let python = venv("pynacl-venv", "PyNaCl==1.5.0").join("bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/magento_crypt.py");
    let output = Command::new(python)
        .args([script, mode, crypt_key, value])
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}
