//! Releases: the version and where it was built from, the changelog, the man pages, the
//! assets `.ci/dist` builds (the images built from them are in image.rs), and the action's
//! install script.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::SystemTime;

use clap::CommandFactory;

use crate::common::{both, code, repo, run_in, stderr, stdout};
use crate::loopback::Server;

/// The short commit of the checkout the tests run in.
fn head_commit() -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo())
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .expect("run git");
    assert!(output.status.success(), "not a git checkout");
    stdout(&output).trim().to_owned()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let expected = format!("{} ({})", env!("CARGO_PKG_VERSION"), head_commit());
    for args in [&["--version"][..], &["plan", "--version"]] {
        let output = run_in(&repo(), args);
        let line = stdout(&output);
        let version = line.trim().split_once(' ').map(|(_, v)| v);
        assert_eq!(version, Some(expected.as_str()), "{args:?}: {line}");
    }
}

#[test]
fn the_changelog_has_the_version_and_what_is_unreleased() {
    let changelog = std::fs::read_to_string(repo().join("CHANGELOG.md")).expect("CHANGELOG.md");
    let headings: Vec<&str> = changelog
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .collect();
    assert_eq!(headings.first(), Some(&"[Unreleased]"), "{headings:?}");
    let version = format!("[{}] - ", env!("CARGO_PKG_VERSION"));
    assert!(
        headings.iter().any(|h| h.starts_with(&version)),
        "no section for {version}: {headings:?}"
    );
    // Every section heading has its link at the bottom (Keep a Changelog).
    for heading in headings {
        let name = heading.split(" - ").next().unwrap_or(heading);
        assert!(
            changelog.contains(&format!("\n{name}: https://")),
            "{name} has no link"
        );
    }
}

/// `output` is `saasctl --version`'s of this version.
pub fn assert_this_version(output: &Output) {
    let expected = format!("saasctl {} (", env!("CARGO_PKG_VERSION"));
    assert!(stdout(output).starts_with(&expected), "{}", both(output));
}

/// `saasctl-plan.1` for `saasctl plan`, `saasctl-keys-generate.1` for `saasctl keys generate`:
/// the top page first, then every command's, as the CLI defines them.
fn man_page_names() -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, names: &mut Vec<String>) {
        names.push(format!("{prefix}.1"));
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" && !sub.is_hide_set() {
                walk(sub, &format!("{prefix}-{}", sub.get_name()), names);
            }
        }
    }
    let mut names = Vec::new();
    walk(&saasctl::cli::Cli::command(), "saasctl", &mut names);
    names
}

/// A page's section headings (`.SH NAME`, `.SH "EXIT STATUS"`).
fn man_sections(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|line| line.strip_prefix(".SH "))
        .map(|heading| heading.trim_matches('"').to_owned())
        .collect()
}

#[test]
fn every_command_has_a_man_page_with_exit_status_environment_and_files() {
    crate::apt::ensure("man", "man-db");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man/man1");
    let output = run_in(dir.path(), &["man", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let names = man_page_names();
    assert!(names.len() >= 14, "{names:?}");
    assert!(names.contains(&"saasctl-keys-generate.1".to_owned()));
    // It says what it wrote, and wrote nothing else.
    let listed: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    let expected: Vec<String> = names
        .iter()
        .map(|name| out.join(name).display().to_string())
        .collect();
    assert_eq!(listed, expected);
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("read man dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(written, sorted);

    let mut pages = String::new();
    for name in &names {
        let page = std::fs::read_to_string(out.join(name)).expect("read page");
        let sections = man_sections(&page);
        for section in ["NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
            assert!(
                sections.iter().any(|s| s == section),
                "{name}: no {section}: {sections:?}"
            );
        }
        let title = page
            .lines()
            .find(|line| line.starts_with(".TH "))
            .unwrap_or_default();
        let version = format!("\"saasctl {}\"", env!("CARGO_PKG_VERSION"));
        let command = name.trim_end_matches(".1");
        assert!(
            title.starts_with(&format!(".TH {command} 1 ")) && title.contains(&version),
            "{name}: {title}"
        );
        // Rendered as man renders it, without a warning.
        let rendered = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(out.join(name))
            .env("MANWIDTH", "80")
            .output()
            .expect("run man");
        assert!(rendered.status.success(), "{name}: {}", both(&rendered));
        assert_eq!(stderr(&rendered), "", "{name}");
        if name != "saasctl.1" {
            pages.push_str(&format!("==> {name} <==\n{page}\n"));
        }
    }
    // `saasctl man` prints the top page (snapshotted in help.rs); the others are current here.
    let top = run_in(dir.path(), &["man"]);
    let written = std::fs::read_to_string(out.join("saasctl.1")).expect("read top page");
    assert_eq!(stdout(&top), written);
    insta::assert_snapshot!("man_pages", pages);
}

/// Every `SAASCTL_` variable the code reads, and those of other tools it follows, is on the
/// top page; the test hooks are not.
#[test]
fn the_man_page_names_every_variable_saasctl_reads() {
    let page = stdout(&run_in(&repo(), &["man"]));
    let environment: Vec<&str> = page
        .lines()
        .skip_while(|line| *line != ".SH ENVIRONMENT")
        .take_while(|line| *line != ".SH FILES")
        .collect();
    let documented = |name: &str| environment.contains(&format!("\\fB{name}\\fR").as_str());
    let mut read = Vec::new();
    let mut sources = vec![repo().join("src")];
    while let Some(path) = sources.pop() {
        if path.is_dir() {
            sources.extend(
                std::fs::read_dir(&path)
                    .expect("read src")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        for opener in ["env = \"", "var(\"", "var_os(\""] {
            for (at, _) in text.match_indices(&format!("{opener}SAASCTL_")) {
                let rest = &text[at + opener.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                read.push(name);
            }
        }
    }
    read.sort();
    read.dedup();
    // Hooks for the tests and the generated docs, no user's business.
    read.retain(|name| !name.starts_with("SAASCTL_TEST_") && name != "SAASCTL_UPDATE_DOCS");
    assert!(read.contains(&"SAASCTL_GATEWAY".to_owned()), "{read:?}");
    assert!(read.contains(&"SAASCTL_LOG".to_owned()), "{read:?}");
    for name in read
        .iter()
        .map(String::as_str)
        .chain(["CI", "NO_COLOR", "CLICOLOR_FORCE"])
    {
        assert!(
            documented(name),
            "{name} is not in ENVIRONMENT:\n{}",
            environment.join("\n")
        );
    }
}

/// What `.ci/dist` wrote into target/dist/ for this version and the host.
pub struct Dist {
    dir: PathBuf,
    /// `saasctl-<version>-<target>`: the archive's name and its top directory.
    name: String,
}

impl Dist {
    fn archive(&self) -> PathBuf {
        self.dir.join(format!("{}.tar.gz", self.name))
    }

    /// The archive unpacked into `into`; the path of its binary.
    pub fn unpack(&self, into: &Path) -> PathBuf {
        let output = Command::new("tar")
            .arg("-xzf")
            .arg(self.archive())
            .arg("-C")
            .arg(into)
            .output()
            .expect("run tar");
        assert!(output.status.success(), "{}", both(&output));
        into.join(&self.name).join("saasctl")
    }
}

/// The release assets, built by `.ci/dist` (a fat-LTO build: minutes) unless target/dist
/// holds an archive newer than every source it is built from: a test run after a change
/// rebuilds it, one after that reuses it.
pub fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(|| {
        let version = env!("CARGO_PKG_VERSION");
        let dist = Dist {
            dir: repo().join("target/dist"),
            name: format!("saasctl-{version}-x86_64-unknown-linux-gnu"),
        };
        let built = std::fs::metadata(dist.archive())
            .and_then(|m| m.modified())
            .ok();
        let current = built.is_some_and(|built| newest_source() <= built);
        if !current {
            let output = Command::new("bash")
                .arg(repo().join(".ci/dist"))
                .env_remove("CARGO_TARGET_DIR")
                .output()
                .expect("run .ci/dist");
            assert!(
                output.status.success(),
                ".ci/dist failed:\n{}",
                both(&output)
            );
        }
        dist
    })
}

/// When the newest of the files a release is built from was changed.
fn newest_source() -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut pending: Vec<PathBuf> = ["src", "build.rs", "Cargo.toml", "Cargo.lock", ".ci/dist"]
        .iter()
        .map(|path| repo().join(path))
        .collect();
    while let Some(path) = pending.pop() {
        let metadata = std::fs::metadata(&path).expect("source metadata");
        if metadata.is_dir() {
            pending.extend(
                std::fs::read_dir(&path)
                    .expect("read dir")
                    .map(|entry| entry.expect("entry").path()),
            );
        } else {
            newest = newest.max(metadata.modified().expect("mtime"));
        }
    }
    newest
}

#[test]
fn dist_writes_a_static_archive_its_checksum_the_schema_and_an_sbom() {
    let dist = dist();
    let version = env!("CARGO_PKG_VERSION");
    // The checksum verifies, as a user checks it.
    let check = Command::new("sha256sum")
        .args(["-c", &format!("{}.tar.gz.sha256", dist.name)])
        .current_dir(&dist.dir)
        .output()
        .expect("run sha256sum");
    assert!(check.status.success(), "{}", both(&check));
    let schema = std::fs::read_to_string(dist.dir.join(format!("saasctl-{version}.schema.json")))
        .expect("schema asset");
    assert_eq!(schema.trim_end(), saasctl::config::schema_text().trim_end());
    let sbom: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dist.dir.join(format!("saasctl-{version}.cdx.json")))
            .expect("SBOM asset"),
    )
    .expect("SBOM is JSON");
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    let components = sbom["components"].as_array().expect("components");
    assert!(
        components.iter().any(|c| c["name"] == "reqwest"),
        "{components:?}"
    );

    let unpacked = tempfile::tempdir().expect("temp dir");
    let binary = dist.unpack(unpacked.path());
    let top = unpacked.path().join(&dist.name);
    for file in [
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "CHANGELOG.md",
        "completions/saasctl.bash",
        "completions/_saasctl",
        "completions/saasctl.fish",
        "man/man1/saasctl.1",
        "man/man1/saasctl-plan.1",
    ] {
        assert!(top.join(file).is_file(), "the archive has no {file}");
    }
    let file = Command::new("file")
        .arg(&binary)
        .output()
        .expect("run file");
    assert!(
        stdout(&file).contains("static-pie linked") || stdout(&file).contains("statically linked"),
        "{}",
        stdout(&file)
    );
    let ldd = Command::new("ldd").arg(&binary).output().expect("run ldd");
    assert!(!both(&ldd).contains("=>"), "{}", both(&ldd));
    let size = std::fs::metadata(&binary).expect("binary").len();
    assert!(size < 20 << 20, "{size} bytes");
}

/// A loopback server (tests/cli/serve.py) of release assets.
struct Releases {
    _server: Server,
    /// `http://127.0.0.1:<port>`, or `https://` with TLS.
    url: String,
}

impl Releases {
    /// Serves `<path>/v<version>/` in `dir` with the archive (changed by `tamper`) and its
    /// checksum, over TLS with `tls`.
    fn new(dir: &Path, path: &str, tls: Option<&Tls>, tamper: impl FnOnce(&Path)) -> Self {
        let dist = dist();
        let tag = dir
            .join(path)
            .join(format!("v{}", env!("CARGO_PKG_VERSION")));
        std::fs::create_dir_all(&tag).expect("tag dir");
        for file in [
            format!("{}.tar.gz", dist.name),
            format!("{}.tar.gz.sha256", dist.name),
        ] {
            std::fs::copy(dist.dir.join(&file), tag.join(&file)).expect("copy asset");
        }
        tamper(&tag.join(format!("{}.tar.gz", dist.name)));
        let mut command = Command::new("python3");
        command.arg(repo().join("tests/cli/serve.py")).arg(dir);
        if let Some(tls) = tls {
            command.arg(tls.path("leaf.pem")).arg(tls.path("leaf.key"));
        }
        let server = Server::start(command);
        let scheme = if tls.is_some() { "https" } else { "http" };
        Self {
            url: format!("{scheme}://127.0.0.1:{}", server.port),
            _server: server,
        }
    }
}

/// A certificate authority of its own (`ca.pem`) and a server certificate for 127.0.0.1 that
/// it signed (`leaf.pem`, `leaf.key`), made with openssl.
struct Tls {
    dir: tempfile::TempDir,
}

impl Tls {
    fn new() -> Self {
        crate::apt::ensure("openssl", "openssl");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write extensions");
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        for args in [
            &[
                &["req", "-x509"][..],
                &key,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "1",
                    "-subj",
                    "/CN=saasctl test CA",
                ],
            ]
            .concat(),
            &[
                &["req"][..],
                &key,
                &[
                    "-keyout",
                    "leaf.key",
                    "-out",
                    "leaf.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "leaf.pem",
                "-days",
                "1",
                "-extfile",
                "leaf.ext",
            ][..]
                .to_vec(),
        ] {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("run openssl");
            assert!(
                output.status.success(),
                "openssl {args:?}: {}",
                both(&output)
            );
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// action/install.sh as the action's install step runs it.
fn install(releases: &str, version: &str, root: &Path) -> Output {
    Command::new("bash")
        .arg(repo().join("action/install.sh"))
        .env("SAASCTL_VERSION", version)
        .env("SAASCTL_ROOT", root)
        .env("SAASCTL_RELEASES", releases)
        .env("SAASCTL_SOURCE", repo())
        .env("SAASCTL_FALLBACK_DRY_RUN", "1")
        .output()
        .expect("run install.sh")
}

#[test]
fn the_action_installs_the_verified_release_binary_in_seconds() {
    let served = tempfile::tempdir().expect("temp dir");
    let releases = Releases::new(served.path(), "", None, |_| {});
    let root = tempfile::tempdir().expect("temp dir");
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    let started = std::time::Instant::now();
    let output = install(&releases.url, &version, root.path());
    let took = started.elapsed();
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(!both(&output).contains("dry run"), "{}", both(&output));
    assert!(took.as_secs() < 10, "installing took {took:?}");
    let installed = Command::new(root.path().join("bin/saasctl"))
        .arg("--version")
        .output()
        .expect("run the installed saasctl");
    assert_this_version(&installed);
    // The cache's copy is used as is: nothing downloaded, the server may be gone.
    drop(releases);
    let again = install("http://127.0.0.1:1", &version, root.path());
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(stderr(&again).contains("cached"), "{}", both(&again));
}

#[test]
fn the_action_refuses_a_tampered_archive() {
    let served = tempfile::tempdir().expect("temp dir");
    let releases = Releases::new(served.path(), "", None, |archive| {
        let mut bytes = std::fs::read(archive).expect("read archive");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(archive, bytes).expect("tamper");
    });
    let root = tempfile::tempdir().expect("temp dir");
    let output = install(&releases.url, env!("CARGO_PKG_VERSION"), root.path());
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stderr(&output).contains("does not match its published checksum"),
        "{}",
        both(&output)
    );
    assert!(!root.path().join("bin").exists());
}

#[test]
fn the_action_builds_from_source_only_when_no_asset_matches() {
    let served = tempfile::tempdir().expect("temp dir");
    let releases = Releases::new(served.path(), "", None, |_| {});
    let root = tempfile::tempdir().expect("temp dir");
    // A version with no release: the fallback, whose cargo command the dry run prints.
    let output = install(&releases.url, "0.0.0", root.path());
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(
        stderr(&output).contains("has no saasctl-0.0.0-x86_64-unknown-linux-gnu.tar.gz"),
        "{}",
        both(&output)
    );
    let expected = format!(
        "dry run: cargo install --locked --force --root {} --path {}\n",
        root.path().display(),
        repo().display()
    );
    assert_eq!(stdout(&output), expected);
    // A server that fails (not a 404) is an error, never a silent build from source.
    drop(releases);
    let down = install("http://127.0.0.1:1", "0.0.0", root.path());
    assert_eq!(code(&down), 1, "{}", both(&down));
    assert!(!stdout(&down).contains("dry run"), "{}", both(&down));
}

/// `cargo binstall` reads `[package.metadata.binstall]` and fetches the release archive from
/// where the release workflow publishes it (`{repo}/releases/download/v{version}/`): here a
/// loopback HTTPS server stands in for the repository (binstall downloads only over HTTPS),
/// trusted through `--root-certificates`.
#[test]
fn cargo_binstall_installs_the_release_archive_its_metadata_names() {
    let binstall = crate::crates::tool(
        "cargo-binstall",
        "1.20.1",
        &["--no-default-features", "--features", "rustls"],
    );
    let tls = Tls::new();
    let served = tempfile::tempdir().expect("temp dir");
    let repository = "saasctl/saasctl";
    let releases = Releases::new(
        served.path(),
        &format!("{repository}/releases/download"),
        Some(&tls),
        |_| {},
    );
    // The package as `--git` clones it, its repository the loopback server.
    let package = tempfile::tempdir().expect("temp dir");
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    let declared = "repository = \"https://github.com/saasctl/saasctl\"";
    assert!(manifest.contains(declared), "{declared}");
    let manifest = manifest.replace(
        declared,
        &format!("repository = \"{}/{repository}\"", releases.url),
    );
    std::fs::write(package.path().join("Cargo.toml"), manifest).expect("write manifest");
    std::os::unix::fs::symlink(repo().join("src"), package.path().join("src")).expect("link src");

    let root = tempfile::tempdir().expect("temp dir");
    let home = tempfile::tempdir().expect("temp dir");
    let output = Command::new(binstall)
        .arg("--manifest-path")
        .arg(package.path())
        .arg("--root")
        .arg(root.path())
        .arg("--root-certificates")
        .arg(tls.path("ca.pem"))
        .args([
            "--no-confirm",
            "--no-track",
            "--no-discover-github-token",
            // The metadata's URL only: never a build, never a third-party mirror.
            "--strategies",
            "crate-meta-data",
            "--targets",
            "x86_64-unknown-linux-gnu",
            "saasctl",
        ])
        .env("HOME", home.path())
        .env("BINSTALL_DISABLE_TELEMETRY", "true")
        .env_remove("CARGO_HOME")
        .output()
        .expect("run cargo-binstall");
    assert_eq!(code(&output), 0, "{}", both(&output));
    let installed = root.path().join("bin/saasctl");
    let unpacked = tempfile::tempdir().expect("temp dir");
    let shipped = dist().unpack(unpacked.path());
    assert_eq!(
        std::fs::read(&installed).expect("the installed binary"),
        std::fs::read(shipped).expect("the archive's binary")
    );
    let version = Command::new(&installed)
        .arg("--version")
        .output()
        .expect("run the installed saasctl");
    assert_this_version(&version);
}
