//! Node packages from npm for the tests, installed once under target/ (so the machine is left
//! alone) and reused.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// A `node_modules` directory holding `packages` (`name@version`), for `NODE_PATH`.
pub fn modules(name: &str, packages: &[&str]) -> PathBuf {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _guard = INSTALLING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    crate::apt::ensure("npm", "npm");
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let ready = prefix.join(format!("ready-{}", packages.join("-").replace('/', "_")));
    if !ready.exists() {
        let output = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .args(packages)
            .output()
            .expect("run npm");
        assert!(
            output.status.success(),
            "cannot install {packages:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::write(&ready, "").expect("mark the modules ready");
    }
    prefix.join("node_modules")
}
