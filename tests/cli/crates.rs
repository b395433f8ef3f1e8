//! Tools from crates.io for the tests, each built once under target/ (so the machine is left
//! alone) and reused.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The executable of crate `name` at `version`, built with `cargo install --locked` and `args`
/// (features) when not built yet.
pub fn tool(name: &str, version: &str, args: &[&str]) -> PathBuf {
    static BUILDING: Mutex<()> = Mutex::new(());
    let _guard = BUILDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let tools = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crates");
    let root = tools.join(format!("{name}-{version}"));
    let executable = root.join("bin").join(name);
    if !executable.exists() {
        let output = Command::new(env!("CARGO"))
            .args([
                "install",
                "--locked",
                "--quiet",
                &format!("{name}@{version}"),
            ])
            .args(args)
            .arg("--root")
            .arg(&root)
            .arg("--target-dir")
            .arg(tools.join("build"))
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo install");
        assert!(
            output.status.success(),
            "cannot build {name} {version}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    executable
}
