//! The harness: run the real binary in a directory, and filter unstable text out of what it
//! prints before snapshotting.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary with a scrubbed environment: only PATH and HOME pass through, so a developer's
/// `SAASCTL_GATEWAY`, colours or secrets never change what a test sees.
pub fn saasctl() -> Command {
    scrubbed(env!("CARGO_BIN_EXE_saasctl"))
}

/// `program` with the environment of [`saasctl`] (a pipeline's shell line runs so).
pub fn scrubbed(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    for name in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
}

/// Unstable text and what replaces it in snapshots: generated ids, ports, temporary
/// directories, timings.
pub const FILTERS: &[(&str, &str)] = &[
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[ID]",
    ),
    (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    (r"/[^\s`'\x22]*/\.tmp[A-Za-z0-9]+", "[TMP]"),
    (r"\[\s*\d+\.\ds\]", "[TIME]"),
];

/// What a run printed, as one text: success, exit code, stdout and stderr, the way uv's
/// `uv_snapshot!` shows a command.
pub fn transcript(output: &Output) -> String {
    format!(
        "success: {}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        output.status.success(),
        code(output),
        stdout(output),
        stderr(output)
    )
}

/// Snapshots a run's whole transcript with the shared filters.
#[macro_export]
macro_rules! saasctl_snapshot {
    ($name:expr, $output:expr) => {
        insta::with_settings!({filters => $crate::common::FILTERS.to_vec()}, {
            insta::assert_snapshot!($name, $crate::common::transcript(&$output));
        })
    };
    ($output:expr) => {
        insta::with_settings!({filters => $crate::common::FILTERS.to_vec()}, {
            insta::assert_snapshot!($crate::common::transcript(&$output));
        })
    };
}

/// Runs saasctl in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    saasctl()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run saasctl")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code and both streams of a run, for an assertion's message.
pub fn both(output: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        code(output),
        stdout(output),
        stderr(output)
    )
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// The checked-in RSA-2048 test key (PKCS#8 PEM, tests/fixtures/keys/README.md).
pub fn test_key_pem() -> &'static str {
    include_str!("../fixtures/keys/test.pem")
}

/// Writes a private key file as it should be: mode 0600, readable by its owner only (SC014).
pub fn write_private(path: &Path, contents: &str) {
    std::fs::write(path, contents).expect("write key");
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod 600");
}

/// A directory holding `saasctl.yaml` with `yaml`, and the key files the examples reference.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new(yaml: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("keys")).expect("keys dir");
        for name in ["production", "sandbox"] {
            write_private(&dir.path().join(format!("keys/{name}.pem")), test_key_pem());
            std::fs::write(
                dir.path().join(format!("keys/{name}.api-key")),
                "test-api-key",
            )
            .expect("write api key");
        }
        std::fs::write(dir.path().join("saasctl.yaml"), yaml).expect("write yaml");
        Self { dir }
    }

    /// Runs saasctl here with the environment variables the rule examples reference.
    pub fn run(&self, args: &[&str]) -> Output {
        saasctl()
            .current_dir(self.dir.path())
            .env("LUMA_API_KEY", "test-api-key")
            .env("LUMA_SANDBOX_API_KEY", "test-sandbox-api-key")
            .args(args)
            .output()
            .expect("run saasctl")
    }
}

/// The repository root, for the checked-in examples and schema.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `command` with a terminal as its standard input and output (util-linux `script`
/// allocates the pseudo-terminal), typing `input`: for the prompts that only a terminal gets.
/// The transcript includes the echoed input.
pub fn on_terminal(command: &Command, input: &str) -> Output {
    let quote =
        |text: &std::ffi::OsStr| format!("'{}'", text.to_string_lossy().replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(quote)
        .collect();
    let mut script = Command::new("script");
    script
        .args([
            "--quiet",
            "--return",
            "--command",
            &line.join(" "),
            "/dev/null",
        ])
        .env_clear();
    for (name, value) in command.get_envs() {
        if let Some(value) = value {
            script.env(name, value);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        script.current_dir(dir);
    }
    let mut child = script
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("type the input");
    }
    child.wait_with_output().expect("wait for script")
}
