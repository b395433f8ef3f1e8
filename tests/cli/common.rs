//! The harness: run the real binary in one test context (a workspace, and on request a registry
//! emulator and a MariaDB database), and filter unstable text out of what it prints before
//! snapshotting.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use saasctl::config::{KeySetName, License, SecretValue};
use saasctl::emulator::{Emulator, EmulatorConfig, Faults, RunningEmulator, portal};
use saasctl::keys::PrivateKey;
use saasctl::registry::wire::{EnvironmentType, Row};
use saasctl::registry::{ClientOptions, RegistryClient, RetryPolicy};

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
    // Inline, for short outputs: the snapshot beside the test that makes it.
    ($output:expr, @$snapshot:literal) => {
        insta::with_settings!({filters => $crate::common::FILTERS.to_vec()}, {
            insta::assert_snapshot!($crate::common::transcript(&$output), @$snapshot);
        })
    };
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

/// A crypt key as Magento's `crypt/key` holds one (32 characters), for the tests' installations.
pub const CRYPT_KEY: &str = "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN";

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

/// One test's world, as uv's `TestContext`: a workspace directory holding `saasctl.yaml`, the
/// variables every run of saasctl there gets, and on request a registry emulator (in this
/// process, on a loopback port, with keys registered through its portal) and a MariaDB
/// database. `run` points saasctl at what the context holds; `command` leaves the gateway to
/// the test.
pub struct TestContext {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    registry: Option<Emulated>,
    databases: Vec<crate::mariadb::Database>,
}

/// The emulator of a context, served by its own runtime for as long as the context lives, and
/// a client on the keys registered with it.
struct Emulated {
    runtime: tokio::runtime::Runtime,
    emulator: Option<RunningEmulator>,
    client: RegistryClient,
    api_key: String,
    private_key: String,
}

impl TestContext {
    /// An empty workspace.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
            registry: None,
            databases: Vec::new(),
        }
    }

    /// Offline: `saasctl.yaml` with `yaml`, the checked-in test key as every key set's key
    /// files, and the variables the rule examples reference.
    pub fn offline(yaml: &str) -> Self {
        let mut context = Self::new();
        let dir = context.path().to_owned();
        std::fs::create_dir(dir.join("keys")).expect("keys dir");
        for name in ["production", "sandbox"] {
            write_private(&dir.join(format!("keys/{name}.pem")), test_key_pem());
            std::fs::write(dir.join(format!("keys/{name}.api-key")), "test-api-key")
                .expect("write api key");
        }
        context.write_yaml(yaml);
        context.set_env("LUMA_API_KEY", "test-api-key");
        context.set_env("LUMA_SANDBOX_API_KEY", "test-sandbox-api-key");
        context
    }

    /// With a registry emulator and the production key registered with it under `keys/`.
    pub fn with_registry() -> Self {
        Self::with_faults(Faults::default())
    }

    /// With a registry emulator that injects `faults`.
    pub fn with_faults(faults: Faults) -> Self {
        let mut context = Self::new();
        context.registry = Some(Emulated::start(faults, context.path()));
        context
    }

    /// Adds a MariaDB database (tables under `prefix`), its URL in the variable `url_variable`
    /// of every run; a context may hold several.
    pub fn with_database(mut self, prefix: &str, url_variable: &str) -> Self {
        let database = crate::mariadb::server().database(prefix);
        self.set_env(url_variable, &database.url());
        self.databases.push(database);
        self
    }

    /// Gives every later run of saasctl in this context the variable `name`.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.to_owned()));
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The first database added.
    pub fn database(&self) -> &crate::mariadb::Database {
        self.databases.first().expect("a context with a database")
    }

    /// Every database added, in order.
    pub fn databases(&self) -> &[crate::mariadb::Database] {
        &self.databases
    }

    fn emulated(&self) -> &Emulated {
        self.registry.as_ref().expect("a context with a registry")
    }

    /// The API key registered with the emulator.
    pub fn api_key(&self) -> &str {
        &self.emulated().api_key
    }

    /// The private key (PEM) registered with the emulator.
    pub fn private_key(&self) -> &str {
        &self.emulated().private_key
    }

    pub fn url(&self) -> String {
        self.emulated().emulator.as_ref().expect("running").url()
    }

    /// Registry requests the emulator has received so far.
    pub fn requests(&self) -> u64 {
        self.emulated()
            .emulator
            .as_ref()
            .expect("running")
            .requests()
    }

    /// Writes `saasctl.yaml`.
    pub fn write_yaml(&self, yaml: &str) {
        std::fs::write(self.path().join("saasctl.yaml"), yaml).expect("write yaml");
    }

    /// saasctl in the workspace with the context's variables, stdin not a terminal, no
    /// gateway chosen yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = saasctl();
        command
            .current_dir(self.path())
            .env_remove("SAASCTL_GATEWAY")
            .stdin(Stdio::null())
            .args(args);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Runs saasctl here, `SAASCTL_GATEWAY` set to the context's emulator if it has one.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        if self.registry.is_some() {
            command.env("SAASCTL_GATEWAY", self.url());
        }
        command.output().expect("run saasctl")
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.emulated().runtime.block_on(future)
    }

    pub fn rows(&self) -> Vec<Row> {
        self.block_on(self.emulated().client.list_registry())
            .expect("list registry")
    }

    /// How many projects the account holds: an apply must never duplicate one.
    pub fn projects(&self) -> usize {
        let ids: std::collections::BTreeSet<String> =
            self.rows().into_iter().map(|row| row.project_id).collect();
        ids.len()
    }

    /// The live state as sorted `Project: type name` lines.
    pub fn live(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .rows()
            .iter()
            .map(|row| {
                let kind = match row.environment_type {
                    EnvironmentType::Production => "production",
                    EnvironmentType::Testing => "testing",
                };
                format!("{}: {kind} {}", row.project_name, row.environment_name)
            })
            .collect();
        lines.sort();
        lines
    }

    /// The distinct live project ids.
    pub fn project_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.rows().into_iter().map(|r| r.project_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Creates a project with the licence's data spaces; answers its rows.
    pub fn initialize(&self, name: &str) -> Vec<Row> {
        self.block_on(self.emulated().client.initialize(name))
            .expect("initialize")
    }

    pub fn rename_project(&self, id: &str, name: &str) {
        self.block_on(self.emulated().client.rename_project(id, name))
            .expect("rename project");
    }

    pub fn rename_data_space(&self, id: &str, name: &str) {
        self.block_on(self.emulated().client.rename_environment(id, name))
            .expect("rename data space");
    }
}

impl Emulated {
    fn start(faults: Faults, dir: &Path) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let (emulator, keys) = runtime.block_on(async {
            let emulator = Emulator::bind(
                "127.0.0.1:0".parse().expect("addr"),
                EmulatorConfig {
                    state_file: None,
                    faults,
                },
            )
            .await
            .expect("start emulator");
            let keys = portal::provision(
                &emulator.url(),
                &portal::KeyOwner::NewAccount(License::AdobeCommerce),
                KeySetName::Production,
                "production",
                &dir.join("keys"),
            )
            .await
            .expect("provision keys");
            (emulator, keys)
        });
        let api_key = keys.api_key.expose().to_owned();
        let private_key = std::fs::read_to_string(&keys.private_key_path).expect("read key");
        // Patient, but quick: the faults test reads through injected 503s and 429s.
        let options = ClientOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 30,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
                max_total_delay: Duration::from_secs(3),
            },
        };
        let client = runtime.block_on(async {
            RegistryClient::with_options(
                &emulator.url(),
                &SecretValue::new(api_key.as_str()),
                &PrivateKey::from_pem(&private_key).expect("provisioned key"),
                options,
            )
            .expect("client")
        });
        Self {
            runtime,
            emulator: Some(emulator),
            client,
            api_key,
            private_key,
        }
    }
}

impl Drop for Emulated {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            let _ = self.runtime.block_on(emulator.shutdown());
        }
    }
}

/// The row of the data space named `name`.
pub fn row<'a>(rows: &'a [Row], name: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.environment_name == name)
        .unwrap_or_else(|| panic!("no data space `{name}` in {rows:?}"))
}
