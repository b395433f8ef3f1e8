//! `# saasctl: ignore[ID] reason`: ignored findings fail nothing, are counted, and are listed
//! with `--show-ignored` in every format; `--strict` makes warnings fail.

use crate::common::{TestContext, code, saasctl, stderr, stdout};

/// SC010 (a warning) on `production` and SC011 (a note) on `spare`, both ignored: one on the
/// finding's line, one on the key of the mapping that holds it.
const IGNORED: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {env: LUMA_API_KEY}
    private_key: {file: keys/production.pem}
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    qa: {type: testing, name: "Luma # QA"}
    spare: {type: testing, name: Luma Spare}  # saasctl: ignore[SC011] spare data space for load tests
environments:
  production:  # saasctl: ignore[SC010] the cut-over rehearsal runs on qa until June
    tier: production
    data_space: qa
  live: {tier: production, data_space: live}
"#;

fn ignored() -> TestContext {
    TestContext::offline(IGNORED)
}

#[test]
fn ignored_findings_are_counted_and_fail_nothing() {
    let output = ignored().run(&["validate", "--strict", "--color", "never"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    crate::saasctl_snapshot!(output, @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    0 errors, 0 warnings, 0 notes, 2 ignored in 1 file.

    ----- stderr -----
    "#);
}

#[test]
fn show_ignored_lists_them_with_their_reasons() {
    let output = ignored().run(&["validate", "--show-ignored", "--color", "never"]);
    assert_eq!(code(&output), 0);
    crate::saasctl_snapshot!(output);
}

#[test]
fn json_lists_ignored_findings_apart_only_when_asked() {
    let workspace = ignored();
    let json = |args: &[&str]| -> serde_json::Value {
        let output = workspace.run(args);
        assert_eq!(code(&output), 0);
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let plain = json(&["validate", "--format", "json"]);
    assert_eq!(plain["diagnostics"], serde_json::json!([]));
    assert!(plain.get("ignored").is_none(), "{plain}");
    let shown = json(&["validate", "--format", "json", "--show-ignored"]);
    assert_eq!(shown["diagnostics"], serde_json::json!([]));
    let reasons: Vec<(&str, &str)> = shown["ignored"]
        .as_array()
        .expect("ignored")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().expect("rule"),
                d["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("SC011", "spare data space for load tests"),
            ("SC010", "the cut-over rehearsal runs on qa until June"),
        ]
    );
}

#[test]
fn sarif_marks_them_as_in_source_suppressions() {
    let output = ignored().run(&["validate", "--format", "sarif", "--show-ignored"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for result in results {
        let suppression = &result["suppressions"][0];
        assert_eq!(suppression["kind"], "inSource");
        assert!(
            suppression["justification"]
                .as_str()
                .is_some_and(|j| !j.is_empty())
        );
    }
    let sc010 = results
        .iter()
        .find(|r| r["ruleId"] == "SC010")
        .expect("SC010");
    assert_eq!(
        sc010["suppressions"][0]["justification"],
        "the cut-over rehearsal runs on qa until June"
    );
    // Not asked for: not listed.
    let output = ignored().run(&["validate", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_annotations_show_them_as_notices() {
    let output = ignored().run(&["validate", "--format", "github", "--show-ignored"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(
        text.contains(
            "::notice file=saasctl.yaml,line=17,col=17,title=SC010 ignored::production environment"
        ),
        "{text}"
    );
    assert!(
        text.contains("(ignored: the cut-over rehearsal runs on qa until June)"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        ignored()
            .run(&["validate", "--format", "github"])
            .stdout
            .is_empty()
    );
}

#[test]
fn strict_makes_warnings_fail_and_notes_do_not() {
    let unignored = IGNORED.replace(
        "  # saasctl: ignore[SC010] the cut-over rehearsal runs on qa until June",
        "",
    );
    let workspace = TestContext::offline(&unignored);
    let output = workspace.run(&["validate"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let output = workspace.run(&["validate", "--strict"]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 1 warning, 0 notes, 1 ignored"));
    // A note (SC011) does not fail even with --strict.
    let notes_only = IGNORED.replace(
        "  # saasctl: ignore[SC011] spare data space for load tests",
        "",
    );
    let output = TestContext::offline(&notes_only).run(&["validate", "--strict"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

/// The embedded registry, with SC010 on `production` and SC011 on `spare`.
const EMBEDDED: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {env: LUMA_EMBEDDED_API_KEY}
    private_key: {file: secrets/production.pem}
    gateway: embedded
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    qa: {type: testing, name: Luma QA}
    spare: {type: testing, name: Luma Spare}  # saasctl: ignore[SC011] kept for load tests
environments:
  production: {tier: production, data_space: qa, websites: [base]}
"#;

fn plan(yaml: &str, args: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), yaml).expect("write yaml");
    let output = saasctl()
        .current_dir(dir.path())
        .env(
            "LUMA_EMBEDDED_API_KEY",
            "embedded0123456789abcdef0123456789",
        )
        .args(["plan", "--color", "never"])
        .args(args)
        .output()
        .expect("run saasctl");
    (dir, output)
}

#[test]
fn plan_strict_fails_on_a_warning_and_saves_nothing() {
    let (dir, output) = plan(EMBEDDED, &["--out", "plan.json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(dir.path().join("plan.json").exists());
    let (dir, output) = plan(EMBEDDED, &["--strict", "--out", "plan.json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--strict: the plan has 1 warning; fix them or accept them with `# saasctl: ignore[ID] reason`; plan.json was not written."),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("SC010"), "{}", stdout(&output));
    assert!(!dir.path().join("plan.json").exists());
    // Ignored, the warning fails nothing; --show-ignored lists what was ignored.
    let accepted = EMBEDDED.replace(
        "websites: [base]}\n",
        "websites: [base]}  # saasctl: ignore[SC010] rehearsal\n",
    );
    let (_, output) = plan(&accepted, &["--strict", "--show-ignored"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let (listed, planned) = text.split_once("2 ignored offline.").expect("the list");
    assert!(listed.contains("note: ignored: rehearsal"), "{text}");
    assert!(
        listed.contains("note: ignored: kept for load tests"),
        "{text}"
    );
    assert!(!planned.contains("SC010"), "{text}");
    let (_, output) = plan(&accepted, &["--strict"]);
    assert!(
        stdout(&output).contains(
            "2 ignored offline (`# saasctl: ignore` comments); --show-ignored lists them."
        ),
        "{}",
        stdout(&output)
    );
    // The pull-request comment lists what was waived (reviewers must see it).
    let (_, output) = plan(&accepted, &["--format", "markdown", "--show-ignored"]);
    assert!(
        stdout(&output).contains("| ignored warning `SC010` |"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("2 ignored offline."),
        "{}",
        stderr(&output)
    );
}

/// A Payment Services merchant whose staging site is on the production data space, with every
/// rule that refuses it "ignored" by a comment: nothing is lifted, and each comment is an error.
const DATA_MIXED: &str = r#"version: 1
account:
  license: adobe-commerce
  services: [payment-services]
keys:
  production:
    api_key: {env: LUMA_EMBEDDED_API_KEY}
    private_key: {file: secrets/production.pem}
    gateway: embedded
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    staging: {type: testing, name: Luma Staging}
environments:
  production: {tier: production, data_space: live, websites: [base]}
  staging:  # saasctl: ignore[SC002,SC001,SC003,SC005] cut-over rehearsal
    tier: staging
    data_space: live
    websites: [base]
"#;

#[test]
fn rules_that_protect_data_are_never_lifted_by_a_comment() {
    let workspace = TestContext::offline(DATA_MIXED);
    let output = workspace.run(&["validate", "--color", "never", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let findings: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_owned(),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for rule in ["SC001", "SC002", "SC003", "SC005"] {
        assert!(
            findings.iter().any(|(r, _)| r == rule),
            "{rule} lifted: {findings:?}"
        );
        let refusal = format!("{rule} protects data and cannot be ignored");
        assert!(
            findings.iter().any(|(r, m)| r == "SC013" && *m == refusal),
            "{refusal}: {findings:?}"
        );
    }
    let sc013_errors = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "SC013" && d["severity"] == "error")
        .count();
    assert_eq!(sc013_errors, 4, "{report}");
    // The plan is refused too, with the same findings, and nothing is read or sent.
    let (_dir, planned) = plan(DATA_MIXED, &["--strict"]);
    assert_eq!(code(&planned), 3, "{}", stdout(&planned));
    assert!(
        stdout(&planned).contains("SC002 protects data"),
        "{}",
        stdout(&planned)
    );
    // An ignore of a warning still works as before.
    let (_dir, warning) = plan(EMBEDDED, &[]);
    assert_eq!(code(&warning), 0, "{}", stdout(&warning));
}

/// A pull-request comment shows what was waived, and why: reviewers must see it.
#[test]
fn the_markdown_plan_lists_ignored_findings_with_their_reasons() {
    let (_dir, output) = plan(EMBEDDED, &["--format", "markdown"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let comment = stdout(&output);
    assert!(
        comment.contains("| ignored info `SC011` | `saasctl.yaml:14:")
            && comment.contains("| ignored: kept for load tests |"),
        "{comment}"
    );
    let (_dir, output) = plan(EMBEDDED, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        json["ignored"][0]["reason"], "kept for load tests",
        "{json}"
    );
}
