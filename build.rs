//! Stamps the git commit the binary is built from into `--version` (`SAASCTL_VERSION`).
//! Outside a git checkout of this package (a crates.io download, a source tarball, no git
//! installed) the version is the package's alone: the build never fails for want of git.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let package = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-changed=build.rs");
    let version = match commit(&manifest_dir) {
        Some(commit) => format!("{package} ({commit})"),
        None => package,
    };
    println!("cargo:rustc-env=SAASCTL_VERSION={version}");
}

/// The short commit of HEAD, when `dir` is the top of a git work tree; asks Cargo to build
/// again when HEAD moves (a checkout, or a commit on the checked-out branch).
fn commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8(output.stdout).ok()?;
        (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
    };
    // A package vendored inside another repository would otherwise take that one's commit.
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // Worktrees keep HEAD apart from the shared refs: ask git where each file is. HEAD's log
    // grows with every commit and checkout, even when the branch's ref is packed. A file
    // that does not exist is not watched: Cargo would run this script on every build.
    let mut watched = vec!["HEAD".to_owned(), "logs/HEAD".to_owned()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        let path = git(&["rev-parse", "--path-format=absolute", "--git-path", &name]);
        if let Some(path) = path.filter(|path| Path::new(path).is_file()) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    git(&["rev-parse", "--short", "HEAD"])
}
