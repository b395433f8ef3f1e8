//! Crash safety: `saasctl apply` killed with SIGKILL at every named point of an apply (after
//! each registry step it reports, before the installations, before each installation write:
//! `run::pause`, where it waits to be killed) while it creates and renames in the registry and
//! writes a MariaDB installation and two env files. Each kill leaves all-or-nothing
//! installation writes; the next apply converges without a duplicate project. Prints its counts
//! (`cargo test --test cli crash:: -- --nocapture`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::common::TestContext;
use crate::common::{CRYPT_KEY, both};
use crate::emulator_process;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use emulator_process::{EmulatorProcess, KEY_PEM};
use saasctl::config::EnvFileFormat;
use saasctl::magento::env_file::EnvFile;
use serde_json::Value;

/// Paths of a production key set's binding: the key set, two keys, five `services_id` values.
const BINDING_ROWS: usize = 8;
/// What an env file held before saasctl: kept through every kill.
const ENV_PROLOGUE: &str = "# deploy\nAPP_ENV=deploy\n";

const YAML: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
project:
  name: Crash
  data_spaces:
    live: {type: production, name: Crash Production}
    staging: {type: testing, name: Crash Staging}
    qa: {type: testing, name: Crash QA}
environments:
  production:
    tier: production
    data_space: live
    websites: [base]
    target:
      mysql:
        url: {env: CRASH_DATABASE_URL}
        crypt_key: {env: CRASH_CRYPT_KEY}
  staging:
    tier: staging
    data_space: staging
    websites: [base]
    target: {env_file: deploy/staging.env}
  qa:
    tier: testing
    data_space: qa
    target: {env_file: deploy/qa.env}
"#;

/// One kill point's merchant: its own account, and a test context with its database.
struct Merchant {
    context: TestContext,
    mage_id: String,
}

impl Merchant {
    fn new(runtime: &tokio::runtime::Runtime, emulator: &EmulatorProcess) -> Self {
        let account = runtime.block_on(emulator.register());
        let mut context = TestContext::new().with_database("", "CRASH_DATABASE_URL");
        context.set_env("CRASH_CRYPT_KEY", CRYPT_KEY);
        let dir = context.path();
        std::fs::create_dir(dir.join("keys")).unwrap();
        std::fs::write(dir.join("keys/production.pem"), KEY_PEM).unwrap();
        std::fs::write(dir.join("keys/production.api-key"), &account.api_key).unwrap();
        context.write_yaml(YAML);
        std::fs::create_dir(dir.join("deploy")).unwrap();
        for name in ["staging", "qa"] {
            std::fs::write(dir.join(format!("deploy/{name}.env")), ENV_PROLOGUE).unwrap();
        }
        Self {
            context,
            mage_id: account.mage_id,
        }
    }

    fn command(&self, gateway: &str, args: &[&str]) -> Command {
        let mut command = self.context.command(args);
        command
            .env("SAASCTL_GATEWAY", gateway)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn run(&self, gateway: &str, args: &[&str]) -> Output {
        self.command(gateway, args).output().unwrap()
    }

    fn binding_rows(&self) -> usize {
        self.context
            .database()
            .sql(
                "SELECT COUNT(*) FROM core_config_data WHERE path LIKE 'services_connector/%' \
                 OR path LIKE 'magento_saas/%'",
            )
            .trim()
            .parse()
            .unwrap()
    }

    /// The env file parsed; asserts it is whole: the prologue kept, and either no binding
    /// line or all of them, each once.
    fn env_file(&self, name: &str) -> (EnvFile, usize) {
        let text = std::fs::read_to_string(self.context.path().join(format!("deploy/{name}.env")))
            .expect("the env file is never removed");
        assert!(text.starts_with(ENV_PROLOGUE), "{name}: {text}");
        let file = EnvFile::parse(&text, EnvFileFormat::Dotenv);
        assert_eq!(file.to_text(), text);
        let bound = text
            .lines()
            .filter(|l| l.starts_with("CONFIG__DEFAULT__"))
            .count();
        assert!(
            bound == 0 || bound == BINDING_ROWS,
            "{name}: a torn env file:\n{text}"
        );
        (file, bound)
    }

    /// The merchant's projects in the emulator's state: (name, data space names by id).
    fn projects(&self, state: &Path) -> Vec<(String, Vec<(String, String)>)> {
        let state: Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
        state["projects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["account"] == self.mage_id.as_str())
            .map(|p| {
                let spaces = p["dataSpaces"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        (
                            s["id"].as_str().unwrap().to_owned(),
                            s["name"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                (p["name"].as_str().unwrap().to_owned(), spaces)
            })
            .collect()
    }
}

fn env_var(path: &str) -> String {
    format!(
        "CONFIG__DEFAULT__{}",
        path.to_ascii_uppercase().replace('/', "__")
    )
}

/// How many progress lines an apply prints for its registry writes: those between the plan's
/// summary and `Apply complete`.
fn registry_progress(stdout: &str) -> usize {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("Plan: "))
        .skip(1)
        .take_while(|l| !l.starts_with("Apply complete: "))
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// Runs `command` until it waits at `point` (`run::pause`), then kills it with SIGKILL;
/// fails the test if it ends without reaching the point.
fn kill_at(mut command: Command, point: &str) {
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = marker_dir.path().join("paused");
    let mut child = command
        .env("SAASCTL_TEST_PAUSE_AT", point)
        .env("SAASCTL_TEST_PAUSE_MARKER", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        let ended = child.try_wait().unwrap();
        assert!(
            ended.is_none(),
            "the apply ended ({ended:?}) before {point}"
        );
        assert!(Instant::now() < deadline, "the apply never reached {point}");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Where a kill landed, read from what it left.
#[derive(Debug, Default)]
struct Landed {
    before_project: usize,
    mid_registry: usize,
    before_installations: usize,
    mid_installations: usize,
}

#[test]
fn apply_killed_at_every_point_converges_on_the_next_run() {
    let started = Instant::now();
    let emulator_dir = tempfile::tempdir().unwrap();
    let state = emulator_dir.path().join("state.json");
    let emulator = EmulatorProcess::start(
        &state,
        &["--latency-ms", "30", "--jitter-ms", "30", "--seed", "3"],
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // An uninterrupted apply tells how many progress lines its registry writes print.
    let baseline = Merchant::new(&runtime, &emulator);
    let output = baseline.run(&emulator.url, &["apply", "--auto-approve"]);
    assert_eq!(output.status.code(), Some(0), "{}", both(&output));
    let markers = registry_progress(&String::from_utf8_lossy(&output.stdout));
    assert!(markers >= 5, "{}", both(&output));

    // Every point of an apply: after each registry step it reports, before the
    // installations, before each of the three installation writes.
    let points: Vec<String> = (1..=markers)
        .map(|k| format!("step-{k}"))
        .chain(["installations-0".to_owned()])
        .chain((0..3).map(|i| format!("installation-{i}")))
        .collect();
    let mut landed = Landed::default();
    for point in &points {
        let merchant = Merchant::new(&runtime, &emulator);
        kill_at(
            merchant.command(&emulator.url, &["apply", "--auto-approve"]),
            point,
        );

        // What the kill left: never a torn installation.
        let projects = merchant.projects(&state);
        assert!(projects.len() <= 1, "point {point}: {projects:?}");
        let rows = merchant.binding_rows();
        assert!(
            rows == 0 || rows == BINDING_ROWS,
            "point {point}: {rows} binding rows: not one transaction"
        );
        let (_, staging) = merchant.env_file("staging");
        let (_, qa) = merchant.env_file("qa");
        let renamed = projects.first().map_or(0, |(_, spaces)| {
            spaces
                .iter()
                .filter(|(_, n)| n.starts_with("Crash "))
                .count()
        });
        if projects.is_empty() {
            landed.before_project += 1;
        } else if renamed < 3 {
            landed.mid_registry += 1;
        } else if rows + staging + qa == 0 {
            landed.before_installations += 1;
        } else {
            landed.mid_installations += 1;
        }

        let again = merchant.run(&emulator.url, &["apply", "--auto-approve"]);
        assert_eq!(
            again.status.code(),
            Some(0),
            "point {point}: {}",
            both(&again)
        );
        let plan = merchant.run(&emulator.url, &["plan", "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "point {point}: {}",
            both(&plan)
        );

        let projects = merchant.projects(&state);
        assert_eq!(projects.len(), 1, "point {point}: {projects:?}");
        let (name, spaces) = &projects[0];
        assert_eq!(name, "Crash");
        let id_of = |wanted: &str| {
            spaces
                .iter()
                .find(|(_, n)| n == wanted)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| panic!("point {point}: no {wanted} in {spaces:?}"))
        };
        assert_eq!(merchant.binding_rows(), BINDING_ROWS);
        assert_eq!(
            merchant
                .context
                .database()
                .value("services_connector/services_id/environment_id"),
            Some(id_of("Crash Production"))
        );
        for (file, space) in [("staging", "Crash Staging"), ("qa", "Crash QA")] {
            let (env, bound) = merchant.env_file(file);
            assert_eq!(bound, BINDING_ROWS, "point {point}: {file}");
            let id = env
                .get(&env_var("services_connector/services_id/environment_id"))
                .map(|v| v.trim_matches(['"', '\'']).to_owned());
            assert_eq!(id, Some(id_of(space)), "point {point}: {file}");
        }
    }
    eprintln!(
        "crash: SIGKILL at {} points, each mid-apply ({} before the project existed, {} \
         mid-registry, {} between registry and installations, {} after installation writes \
         began); every re-run converged, 0 duplicate projects, 0 torn installations, {:.1}s",
        points.len(),
        landed.before_project,
        landed.mid_registry,
        landed.before_installations,
        landed.mid_installations,
        started.elapsed().as_secs_f64()
    );
    // The points reach every stage of an apply.
    assert!(
        landed.mid_registry > 0 && landed.before_installations > 0 && landed.mid_installations > 0,
        "{landed:?}"
    );
    emulator.stop();
}

#[test]
fn apply_killed_inside_its_database_transaction_leaves_it_untouched() {
    // The random points rarely land in the few milliseconds of the transaction: here the
    // apply waits inside it (a row it writes is locked by another client) when it is killed.
    let emulator_dir = tempfile::tempdir().unwrap();
    let state = emulator_dir.path().join("state.json");
    let emulator = EmulatorProcess::start(&state, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let merchant = Merchant::new(&runtime, &emulator);
    const NAME_PATH: &str = "services_connector/services_id/environment_name";
    let lock = merchant.context.database().lock_row(NAME_PATH, "Old");
    let mut apply = merchant
        .command(&emulator.url, &["apply", "--auto-approve"])
        .spawn()
        .unwrap();
    merchant.context.database().waiting_writer();
    apply.kill().unwrap();
    let _ = apply.wait();
    drop(lock);
    assert_eq!(merchant.binding_rows(), 1, "only the row that was there");
    let again = merchant.run(&emulator.url, &["apply", "--auto-approve"]);
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
    assert_eq!(merchant.binding_rows(), BINDING_ROWS);
    assert_eq!(
        merchant.context.database().value(NAME_PATH).as_deref(),
        Some("Crash Production")
    );
    emulator.stop();
}

/// SIGKILL at 50 points around the installation writes (before each of 25 env files is
/// written, and inside each write, once its new contents exist but before they are in
/// place): no file but the targets ever holds key material, and the next apply completes
/// every file and leaves no other behind.
#[test]
fn no_key_material_outlives_a_kill_around_the_installation_writes() {
    const ENVIRONMENTS: usize = 25;
    let template = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "version: 1\naccount: {license: adobe-commerce}\nkeys:\n  production:\n    \
         api_key: {file: keys/production.api-key}\n    private_key: {file: keys/production.pem}\n    \
         gateway: embedded\nproject:\n  name: Killed\n  data_spaces:\n    \
         live: {type: production, name: Killed Production}\n    \
         staging: {type: testing, name: Killed Staging}\nenvironments:\n  \
         production: {tier: production, data_space: live}\n",
    );
    for k in 0..ENVIRONMENTS {
        yaml.push_str(&format!(
            "  test{k}: {{tier: testing, data_space: staging, target: {{env_file: deploy/test{k}.env}}}}\n"
        ));
    }
    std::fs::write(template.path().join("saasctl.yaml"), &yaml).unwrap();
    // The registry's part done once: each kill below interrupts the installation writes only.
    let registry_done = crate::common::run_in(
        template.path(),
        &["apply", "--auto-approve", "--installations", "skip"],
    );
    assert_eq!(
        registry_done.status.code(),
        Some(0),
        "{}",
        both(&registry_done)
    );
    let api_key = std::fs::read_to_string(template.path().join("keys/production.api-key"))
        .unwrap()
        .trim()
        .to_owned();
    let pem = std::fs::read_to_string(template.path().join("keys/production.pem")).unwrap();
    let key_line = pem.lines().nth(1).unwrap().to_owned();
    let targets: Vec<String> = (0..ENVIRONMENTS)
        .map(|k| format!("deploy/test{k}.env"))
        .collect();
    // Every file of the workspace that holds key material and is not a key file or a target.
    let strays = |dir: &Path| -> Vec<String> {
        let mut found = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(at) = pending.pop() {
            for entry in std::fs::read_dir(&at).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                let ours = relative.starts_with("keys/") || targets.contains(&relative);
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                if !ours && (text.contains(&api_key) || text.contains(&key_line)) {
                    found.push(relative);
                }
            }
        }
        found
    };
    let points: Vec<String> = (0..ENVIRONMENTS)
        .flat_map(|k| [format!("installation-{k}"), format!("write-{k}")])
        .collect();
    assert_eq!(points.len(), 50);
    for point in &points {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(template.path(), dir.path());
        let mut command = crate::common::saasctl();
        command
            .current_dir(dir.path())
            .args(["apply", "--auto-approve"]);
        kill_at(command, point);
        assert_eq!(
            strays(dir.path()),
            Vec::<String>::new(),
            "killed at {point}"
        );
        let again = crate::common::run_in(dir.path(), &["apply", "--auto-approve"]);
        assert_eq!(again.status.code(), Some(0), "{point}: {}", both(&again));
        assert_eq!(strays(dir.path()), Vec::<String>::new(), "after {point}");
        for target in &targets {
            let text = std::fs::read_to_string(dir.path().join(target)).unwrap();
            assert!(text.contains(&api_key), "{point}: {target} incomplete");
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("deploy"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{point}: {leftovers:?}");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
