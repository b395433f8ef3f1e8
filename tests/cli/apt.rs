//! Installs what a test needs from Debian's packages when it is missing, so the suite runs on a
//! fresh machine with only Rust, Python 3 and apt (README). Serialised: apt takes a global lock.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// Makes sure `program` is on the PATH (or at an absolute path), installing `package` with
/// apt-get if it is not. Panics with what to do when it cannot.
pub fn ensure(program: &str, package: &str) {
    static APT: Mutex<()> = Mutex::new(());
    let _guard = APT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if found(program) {
        return;
    }
    let sudo = if is_root() { None } else { Some("sudo") };
    let apt = |args: &[&str]| {
        let mut command = match sudo {
            Some(sudo) => {
                let mut c = Command::new(sudo);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        command
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|status| status.success())
            .unwrap_or(false)
    };
    let installed = apt(&["install", "-y", "-qq", "--no-install-recommends", package])
        || (apt(&["update", "-qq"])
            && apt(&["install", "-y", "-qq", "--no-install-recommends", package]));
    assert!(
        installed && found(program),
        "{program} is missing and `apt-get install {package}` failed: install {package} and rerun"
    );
}

fn found(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .chain([
                Path::new("/usr/sbin").to_path_buf(),
                Path::new("/sbin").to_path_buf(),
            ])
            .any(|dir| dir.join(program).is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}
