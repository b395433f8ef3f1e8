//! `saasctl plan` and `saasctl apply` end to end: the real binary against a registry emulator
//! served by the test process, keys provisioned through its portal, the live state set up and
//! checked with the signed client.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use saasctl::emulator::Faults;

use crate::common::{TestContext, both, code, row, stderr, stdout};

/// One merchant: a project, a production and two testing data spaces, three installations.
pub(crate) const LUMA: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    staging: {type: testing, name: Luma Staging}
    qa: {type: testing, name: Luma QA}
environments:
  production: {tier: production, data_space: live, websites: [base, wholesale]}
  staging: {tier: staging, data_space: staging, websites: [base]}
  qa: {tier: testing, data_space: qa}
"#;

/// Luma, once called `Luma Store`, whose data spaces had the names `initialize` gives them;
/// `staging` was the second testing one, so the type order alone would guess wrong.
const LUMA_RENAMED: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
project:
  name: Luma
  previous_names: [Luma Store]
  data_spaces:
    live: {type: production, name: Luma Production, previous_names: [Production]}
    staging: {type: testing, name: Luma Staging, previous_names: [Testing 2]}
    qa: {type: testing, name: Luma QA, previous_names: [Testing 1]}
environments:
  production: {tier: production, data_space: live, websites: [base, wholesale]}
  staging: {tier: staging, data_space: staging, websites: [base]}
  qa: {tier: testing, data_space: qa}
"#;

/// What `LUMA` leaves in the registry once applied.
const LUMA_LIVE: [&str; 3] = [
    "Luma: production Luma Production",
    "Luma: testing Luma QA",
    "Luma: testing Luma Staging",
];

/// The names `initialize` gives an Adobe Commerce project's data spaces.
fn initialized(project: &str) -> Vec<String> {
    let mut names: Vec<String> = [
        "production Production",
        "testing Testing 1",
        "testing Testing 2",
    ]
    .iter()
    .map(|space| format!("{project}: {space}"))
    .collect();
    names.sort();
    names
}

fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[test]
fn create_then_nothing_to_change() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let gateway = registry.url();
    let with_flag = |args: &[&str]| {
        registry
            .command(args)
            .args(["--gateway", &gateway])
            .output()
            .expect("run saasctl")
    };

    let plan = with_flag(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        has_line(
            &stdout(&plan),
            "Plan: 4 to create, 0 to rename, 0 to update."
        ),
        "{}",
        both(&plan)
    );
    assert!(registry.rows().is_empty(), "plan sent a change");

    let apply = with_flag(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(
        // Counted as the plan counted them.
        stdout(&apply).contains("Apply complete: 4 created, 0 renamed, 0 updated."),
        "{}",
        both(&apply)
    );
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(registry.project_ids().len(), 1);

    let again = with_flag(&["apply", "--auto-approve"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(has_line(&stdout(&again), "No changes."), "{}", both(&again));
    assert_eq!(registry.live(), LUMA_LIVE);

    let plan = with_flag(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    assert!(has_line(&stdout(&plan), "No changes."), "{}", both(&plan));
}

#[test]
fn the_gateway_may_come_from_the_environment() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let plan = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
}

#[test]
fn an_unreachable_registry_is_an_error() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    // A loopback port nobody listens on any more.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/", listener.local_addr().expect("addr"))
    };
    for args in [
        &["plan", "--detailed-exitcode"][..],
        &["apply", "--auto-approve"][..],
    ] {
        let output = registry
            .command(args)
            .env("SAASCTL_GATEWAY", &dead)
            .output()
            .expect("run saasctl");
        assert_eq!(code(&output), 1, "{}", both(&output));
        assert!(stderr(&output).starts_with("error: "), "{}", both(&output));
        assert!(
            stderr(&output).contains("saasctl.yaml"),
            "{}",
            both(&output)
        );
    }
    assert!(registry.rows().is_empty());
}

/// `--allow-rebind` naming an environment of a merchant that could not be read: that merchant
/// is reported unread (exit 1), not the allowance as naming nothing (a usage error).
#[test]
fn an_allowance_for_an_unread_merchant_reports_the_merchant() {
    let registry = TestContext::with_registry();
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/", listener.local_addr().expect("addr"))
    };
    let through = |yaml: &str, gateway: &str| {
        yaml.replace(
            "private_key: {file: keys/production.pem}",
            &format!("private_key: {{file: keys/production.pem}}\n    gateway: {gateway}"),
        )
    };
    registry.write_yaml(&through(LUMA, &registry.url()));
    let globex = through(&LUMA.replace("name: Luma\n", "name: Globex\n"), &dead);
    std::fs::write(registry.path().join("globex.yaml"), globex).expect("globex.yaml");
    let output = registry
        .command(&[
            "plan",
            "saasctl.yaml",
            "globex.yaml",
            "--allow-rebind",
            "globex/staging",
        ])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(stdout(&output).contains("Not read"), "{}", both(&output));
    assert!(
        !both(&output).contains("names no environment"),
        "{}",
        both(&output)
    );
}

#[test]
fn previous_names_rename_the_project_and_its_data_spaces() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma Store");
    registry.write_yaml(LUMA_RENAMED);

    let plan = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        has_line(
            &stdout(&plan),
            "Plan: 0 to create, 4 to rename, 0 to update."
        ),
        "{}",
        both(&plan)
    );
    assert_eq!(
        registry.live(),
        initialized("Luma Store"),
        "plan sent a change"
    );

    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
    // The same objects, renamed: by their previous names, not by the type order.
    let rows = registry.rows();
    assert_eq!(registry.project_ids(), vec![created[0].project_id.clone()]);
    for (old, new) in [
        ("Production", "Luma Production"),
        ("Testing 1", "Luma QA"),
        ("Testing 2", "Luma Staging"),
    ] {
        assert_eq!(
            row(&rows, new).environment_id,
            row(&created, old).environment_id,
            "{old} -> {new}"
        );
    }
    let again = registry.run(&["apply", "--auto-approve"]);
    assert!(has_line(&stdout(&again), "No changes."), "{}", both(&again));
}

#[test]
fn the_one_unclaimed_data_space_of_a_type_is_adopted() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    registry.rename_data_space(&row(&created, "Testing 1").environment_id, "Luma Staging");
    registry.rename_data_space(
        &row(&created, "Production").environment_id,
        "Luma Production",
    );
    registry.write_yaml(LUMA);

    let plan = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let text = stdout(&plan);
    let qa = text
        .lines()
        .position(|l| l.contains("data_space.saasctl.qa"))
        .unwrap_or_else(|| panic!("no qa line in {text}"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[qa].contains("\"Testing 2\" -> \"Luma QA\""),
        "{}",
        lines[qa]
    );
    assert!(
        lines[qa..=qa + 1].iter().any(|l| l.contains("adopted")),
        "{text}"
    );
    assert!(
        has_line(&text, "Plan: 0 to create, 1 to rename, 0 to update."),
        "{text}"
    );

    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(
        row(&registry.rows(), "Luma QA").environment_id,
        row(&created, "Testing 2").environment_id
    );
}

/// A plan refused: exit 3, the rule named, and the live state as it was.
fn assert_refused(registry: &TestContext, rule: &str, args: &[&str]) -> String {
    let before = registry.rows();
    let output = registry.run(args);
    assert_eq!(code(&output), 3, "{}", both(&output));
    let text = stdout(&output);
    assert!(text.contains(&format!("[{rule}]")), "{}", both(&output));
    assert_eq!(
        registry.rows(),
        before,
        "a refused {args:?} changed the registry"
    );
    text
}

#[test]
fn an_offline_error_refuses_before_anything_is_sent() {
    let registry = TestContext::with_registry();
    registry.write_yaml(&LUMA.replace(
        "staging: {tier: staging, data_space: staging,",
        "staging: {tier: production, data_space: live,",
    ));
    for args in [
        &["plan", "--detailed-exitcode"][..],
        &["apply", "--auto-approve"][..],
    ] {
        let text = assert_refused(&registry, "SC001", args);
        let sc001 = text
            .lines()
            .find(|l| l.contains("[SC001]"))
            .expect("SC001 line");
        assert!(
            sc001.contains("`production`") && sc001.contains("`staging`"),
            "{text}"
        );
    }
    assert!(registry.rows().is_empty());
}

#[test]
fn a_pinned_project_id_that_is_gone_is_refused() {
    let registry = TestContext::with_registry();
    registry.initialize("Luma");
    registry.write_yaml(&LUMA.replace(
        "  name: Luma\n",
        "  name: Luma\n  id: 3f0c0000-0000-4000-8000-000000000000\n",
    ));
    for args in [
        &["plan", "--out", "refused.json"][..],
        &["apply", "--auto-approve"][..],
    ] {
        let text = assert_refused(&registry, "SC022", args);
        assert!(
            text.contains("3f0c0000-0000-4000-8000-000000000000"),
            "{text}"
        );
    }
    // A refused plan is not saved, and nothing suggests applying it.
    assert!(!registry.path().join("refused.json").exists());
    let plan = registry.run(&["plan", "--out", "refused.json"]);
    assert!(
        stderr(&plan).contains("refused.json was not written") && !stderr(&plan).contains("apply"),
        "{}",
        both(&plan)
    );
    assert_eq!(registry.live(), initialized("Luma"));
}

#[test]
fn a_saved_plan_is_never_applied_to_another_gateway() {
    let planned = TestContext::with_registry();
    let other = TestContext::with_registry();
    planned.write_yaml(LUMA);
    let plan = planned.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let apply = planned
        .command(&["apply", "plan.json"])
        .env("SAASCTL_GATEWAY", other.url())
        .output()
        .expect("run saasctl");
    assert_eq!(code(&apply), 1, "{}", both(&apply));
    assert!(
        stderr(&apply).contains("was planned through gateway"),
        "{}",
        both(&apply)
    );
    assert!(planned.rows().is_empty() && other.rows().is_empty());
}

#[test]
fn an_edited_saved_plan_is_refused() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let plan = registry.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let path = registry.path().join("plan.json");
    let text = std::fs::read_to_string(&path).expect("read plan");
    assert!(text.contains("\"Luma QA\""), "{text}");
    std::fs::write(&path, text.replace("\"Luma QA\"", "\"Luma Edited\"")).expect("edit");
    let show = registry.run(&["show", "plan.json", "--color", "never"]);
    assert!(stdout(&show).contains("Luma Edited"), "{}", both(&show));
    let apply = registry.run(&["apply", "plan.json"]);
    assert_eq!(code(&apply), 1, "{}", both(&apply));
    assert!(
        stderr(&apply).contains("was edited after it was saved"),
        "{}",
        both(&apply)
    );
    assert!(registry.rows().is_empty(), "an edited plan sent a change");
}

#[test]
fn a_saved_plan_applies_from_another_directory() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    std::fs::create_dir(registry.path().join("plans")).expect("plans dir");
    let plan = registry.run(&["plan", "--out", "plans/plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let plan_path = registry.path().join("plans/plan.json");
    let config = registry.path().join("saasctl.yaml");
    let apply_with = |named: &[&Path]| {
        registry
            .command(&["apply", plan_path.to_str().expect("utf-8 path")])
            .args(named)
            .current_dir(elsewhere.path())
            .env("SAASCTL_GATEWAY", registry.url())
            .output()
            .expect("run saasctl")
    };
    // The configuration is outside the plan's directory: read only when named.
    let unnamed = apply_with(&[]);
    assert_eq!(code(&unnamed), 1, "{}", both(&unnamed));
    assert!(
        stderr(&unnamed).contains("lies outside the plan's directory"),
        "{}",
        both(&unnamed)
    );
    assert!(registry.rows().is_empty());
    let apply = apply_with(&[&config]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
}

#[test]
fn a_project_renamed_without_previous_names_is_not_created_beside_the_old_one() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let first = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&first), 0, "{}", both(&first));
    registry.write_yaml(&LUMA.replace("  name: Luma\n", "  name: Luma Store\n"));
    for args in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let text = assert_refused(&registry, "SC025", args);
        assert!(text.contains("`Luma`"), "{text}");
    }
    let allowed = registry.run(&["apply", "--auto-approve", "--allow-new-project"]);
    assert_eq!(code(&allowed), 0, "{}", both(&allowed));
    assert_eq!(registry.projects(), 2);
}

#[test]
fn a_rename_onto_another_projects_name_is_refused() {
    let registry = TestContext::with_registry();
    let store = registry.initialize("Luma Store");
    registry.initialize("Luma");
    let pinned = &store[0].project_id;
    registry
        .write_yaml(&LUMA.replace("  name: Luma\n", &format!("  name: Luma\n  id: {pinned}\n")));
    for args in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        assert_refused(&registry, "SC020", args);
    }
    let mut expected = initialized("Luma");
    expected.extend(initialized("Luma Store"));
    expected.sort();
    assert_eq!(registry.live(), expected);
}

#[test]
fn an_ambiguous_adoption_is_refused() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    registry.rename_data_space(
        &row(&created, "Production").environment_id,
        "Luma Production",
    );
    // Someone named one testing data space: which declaration it is cannot be known.
    registry.rename_data_space(&row(&created, "Testing 1").environment_id, "Preview");
    registry.write_yaml(LUMA);
    for args in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let text = assert_refused(&registry, "SC021", args);
        assert!(
            text.contains("Preview") && text.contains("Testing 2"),
            "{text}"
        );
    }
}

#[test]
fn an_apply_stopped_between_create_and_renames_converges_without_a_guess() {
    // What a crash after `initialize` and the first rename leaves: the testing data spaces
    // were never changed since creation, so they are new and assigned by type.
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    registry.rename_data_space(
        &row(&created, "Production").environment_id,
        "Luma Production",
    );
    registry.write_yaml(LUMA);
    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(registry.projects(), 1);
    let again = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
}

#[test]
fn a_production_space_declared_under_its_initial_name_applies_in_one_run() {
    // The trial's first failure: `Production` claimed by name made the testing ones ambiguous
    // only after the create, and every later apply was refused.
    let registry = TestContext::with_registry();
    let yaml = LUMA.replace("name: Luma Production", "name: Production");
    registry.write_yaml(&yaml);
    let plan = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let again = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert_eq!(registry.projects(), 1);
}

#[test]
fn a_saved_plan_is_refused_once_the_registry_changed() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    let project_id = created[0].project_id.clone();
    registry.write_yaml(LUMA_RENAMED);

    let plan = registry.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let saved = registry.path().join("plan.json");
    assert_private_and_secret_free(&registry, &saved);

    registry.rename_project(&project_id, "Luma Store");
    let before = registry.live();
    let stale = registry.run(&["apply", "plan.json"]);
    assert_eq!(code(&stale), 4, "{}", both(&stale));
    assert!(
        stderr(&stale).contains("the live registry changed"),
        "{}",
        both(&stale)
    );
    assert_eq!(registry.live(), before);

    // Planned again, the saved plan applies as it is: it was reviewed, so no prompt.
    let plan = registry.run(&["plan", "--out", "fresh.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let show = registry.run(&["show", "fresh.json", "--color", "never"]);
    assert_eq!(code(&show), 0, "{}", both(&show));
    assert_eq!(
        stdout(&show),
        stdout(&plan),
        "show differs from the plan it saved"
    );
    let apply = registry.run(&["apply", "fresh.json"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(registry.project_ids(), vec![project_id]);

    // Applied, the plan no longer matches the registry it was made against.
    let twice = registry.run(&["apply", "fresh.json"]);
    assert_eq!(code(&twice), 4, "{}", both(&twice));
    assert_eq!(registry.live(), LUMA_LIVE);
}

#[test]
fn a_saved_plan_is_refused_once_the_configuration_changed() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let plan = registry.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    registry.write_yaml(&LUMA.replace("name: Luma QA", "name: Luma Test"));
    let stale = registry.run(&["apply", "plan.json"]);
    assert_eq!(code(&stale), 4, "{}", both(&stale));
    assert!(
        stderr(&stale).contains("the configuration or its keys changed"),
        "{}",
        both(&stale)
    );
    assert!(registry.rows().is_empty(), "a stale plan sent a change");
}

/// The plan file is 0600 and holds neither the API key nor any line of the private key.
fn assert_private_and_secret_free(registry: &TestContext, path: &PathBuf) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .expect("plan file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let text = std::fs::read_to_string(path).expect("read plan");
    assert!(!registry.api_key().is_empty());
    assert!(
        !text.contains(registry.api_key()),
        "the plan holds the API key"
    );
    let body: Vec<&str> = registry
        .private_key()
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    assert!(body.len() > 10, "{body:?}");
    for line in body {
        assert!(
            !text.contains(line),
            "the plan holds private key line {line}"
        );
    }
}

#[test]
fn apply_off_a_terminal_needs_auto_approve() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let output = registry.run(&["apply"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stderr(&output).contains("--auto-approve"),
        "{}",
        both(&output)
    );
    assert!(
        registry.rows().is_empty(),
        "apply without approval sent a change"
    );
}

#[test]
fn apply_converges_through_injected_faults() {
    let registry = TestContext::with_faults(Faults {
        latency: Duration::ZERO,
        jitter: Duration::from_millis(2),
        fail_rate: 0.3,
        throttle_rate: 0.1,
        retry_after_secs: 0,
        drop_after_commit_rate: 0.3,
        seed: 7,
    });
    registry.write_yaml(LUMA);
    let mut runs = Vec::new();
    let mut converged = false;
    for _ in 0..8 {
        let output = registry.run(&["apply", "--auto-approve"]);
        assert!(matches!(code(&output), 0 | 1), "{}", both(&output));
        converged = code(&output) == 0;
        runs.push(both(&output));
        if converged {
            break;
        }
    }
    assert!(converged, "no run succeeded:\n{}", runs.join("\n"));
    assert_eq!(registry.live(), LUMA_LIVE, "{}", runs.join("\n"));
    assert_eq!(registry.project_ids().len(), 1);

    // Nothing is left; a read may still meet a fault, so allow a few tries for the last word.
    let last = (0..4)
        .map(|_| registry.run(&["apply", "--auto-approve"]))
        .find(|o| code(o) == 0)
        .expect("a last run succeeds");
    assert!(has_line(&stdout(&last), "No changes."), "{}", both(&last));
    assert_eq!(registry.live(), LUMA_LIVE);
}

#[test]
fn json_plan_has_the_documented_shape() {
    let registry = TestContext::with_registry();
    registry.initialize("Other Store");
    registry.write_yaml(LUMA);
    // A second project beside one nothing declares is allowed on purpose (SC025).
    let output = registry.run(&["plan", "--format", "json", "--allow-new-project"]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON plan");
    assert_eq!(plan["format_version"], "1");
    assert_eq!(plan["refused"], false);
    assert_eq!(plan["allowances"]["new_project"], true);
    assert!(plan["tool_version"].is_string());
    assert!(plan["config_digest"].is_string());
    assert!(plan["live_digest"].is_string());
    let changes = plan["changes"].as_array().expect("changes[]");
    let project = changes
        .iter()
        .find(|c| c["address"] == "project.saasctl")
        .expect("project.saasctl");
    assert_eq!(project["action"], "create");
    assert!(
        changes
            .iter()
            .any(|c| c["address"] == "data_space.saasctl.staging")
    );
    assert!(
        changes
            .iter()
            .any(|c| c["address"] == "environment.saasctl.production")
    );
    assert_eq!(plan["summary"]["create"], 4, "{}", plan["summary"]);
    assert_eq!(plan["summary"]["rename"], 0, "{}", plan["summary"]);
    let unmanaged = plan["unmanaged"].as_array().expect("unmanaged[]");
    assert!(
        unmanaged
            .iter()
            .any(|u| u.to_string().contains("Other Store")),
        "{unmanaged:?}"
    );
    assert!(plan["diagnostics"].is_array());
}

/// Snapshots the text and markdown plans, with ids, ports and temporary paths filtered.
fn snapshot_plans(registry: &TestContext, name: &str) {
    for (format, suffix) in [("text", "text"), ("markdown", "markdown")] {
        let output = registry.run(&[
            "plan",
            "saasctl.yaml",
            "--color",
            "never",
            "--format",
            format,
        ]);
        assert_eq!(code(&output), 0, "{}", both(&output));
        crate::saasctl_snapshot!(format!("{name}_{suffix}"), output);
    }
}

#[test]
fn create_plan_snapshots() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    snapshot_plans(&registry, "create_plan");
}

#[test]
fn rename_plan_snapshots() {
    let registry = TestContext::with_registry();
    registry.initialize("Luma Store");
    registry.write_yaml(LUMA_RENAMED);
    snapshot_plans(&registry, "rename_plan");
}

#[test]
fn a_change_of_case_is_a_rename() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("LUMA");
    registry.rename_data_space(
        &row(&created, "Production").environment_id,
        "luma production",
    );
    registry.rename_data_space(&row(&created, "Testing 1").environment_id, "LUMA STAGING");
    registry.write_yaml(LUMA);
    let plan = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let text = stdout(&plan);
    assert!(text.contains(r#""LUMA" -> "Luma""#), "{text}");
    assert!(
        text.contains(r#""luma production" -> "Luma Production""#),
        "{text}"
    );
    let apply = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(registry.project_ids(), vec![created[0].project_id.clone()]);
}

#[test]
fn one_merchants_failure_does_not_hide_the_others_plans() {
    let registry = TestContext::with_registry();
    let gateway = |url: &str| {
        LUMA.replace(
            "    private_key: {file: keys/production.pem}\n",
            &format!("    private_key: {{file: keys/production.pem}}\n    gateway: {url}\n"),
        )
    };
    registry.write_yaml(&gateway(&registry.url()));
    // A second merchant whose own gateway refuses connections (nothing listens on port 1).
    let broken = LUMA.replace("name: Luma\n", "name: Broken\n").replace(
        "    private_key: {file: keys/production.pem}\n",
        "    private_key: {file: keys/production.pem}\n    gateway: http://127.0.0.1:1/\n",
    );
    std::fs::write(registry.path().join("broken.yaml"), broken).expect("write");
    let output = registry
        .command(&["plan", "saasctl.yaml", "broken.yaml", "--color", "never"])
        .output()
        .expect("run saasctl");
    let text = both(&output);
    assert_eq!(code(&output), 1, "{text}");
    assert!(stdout(&output).contains("project.saasctl"), "{text}");
    assert!(stderr(&output).contains("broken.yaml"), "{text}");
}

#[test]
fn one_unreadable_merchant_holds_back_no_others_apply() {
    let registry = TestContext::with_registry();
    registry.write_yaml(&LUMA.replace(
        "    private_key: {file: keys/production.pem}\n",
        &format!(
            "    private_key: {{file: keys/production.pem}}\n    gateway: {}\n",
            registry.url()
        ),
    ));
    // A second merchant whose own gateway refuses connections (nothing listens on port 1).
    let broken = LUMA.replace("name: Luma\n", "name: Broken\n").replace(
        "    private_key: {file: keys/production.pem}\n",
        "    private_key: {file: keys/production.pem}\n    gateway: http://127.0.0.1:1/\n",
    );
    std::fs::write(registry.path().join("broken.yaml"), broken).expect("write");
    let files = ["saasctl.yaml", "broken.yaml"];

    let apply = registry
        .command(&[&["apply", "--auto-approve", "--color", "never"][..], &files].concat())
        .output()
        .expect("run saasctl");
    let text = both(&apply);
    assert_eq!(code(&apply), 1, "{text}");
    assert_eq!(registry.live(), LUMA_LIVE, "{text}");
    assert!(stdout(&apply).contains("Apply complete"), "{text}");
    assert!(
        stderr(&apply).contains("error: broken.yaml: cannot reach the registry"),
        "{text}"
    );
    assert!(
        stderr(&apply).contains(
            "1 merchant could not be read and was left out of this apply (the errors above); run apply again to include it"
        ),
        "{text}"
    );

    // Nothing left to do for the one that was read; the other is still named, and still fails.
    let again = registry
        .command(&[&["apply", "--auto-approve", "--format", "json"][..], &files].concat())
        .output()
        .expect("run saasctl");
    assert_eq!(code(&again), 1, "{}", both(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON report");
    assert_eq!(report["status"], "failed", "{report}");
    let merchants = report["merchants"].as_array().expect("merchants");
    assert_eq!(merchants.len(), 1, "{report}");
    assert_eq!(merchants[0]["file"], "broken.yaml", "{report}");
    assert_eq!(merchants[0]["status"], "failed", "{report}");
}

/// A plan never reads as "No changes." for an estate that was not all read: the merchants
/// not read are named above the summary in every format, and the exit is 1, also with
/// `--detailed-exitcode` (a pipeline must not post a clean comment for them).
#[test]
fn merchants_not_read_are_named_in_every_plan_format_and_never_read_as_no_changes() {
    let registry = TestContext::with_registry();
    let with_gateway = |yaml: &str, gateway: &str| {
        yaml.replace(
            "    private_key: {file: keys/production.pem}\n",
            &format!("    private_key: {{file: keys/production.pem}}\n    gateway: {gateway}\n"),
        )
    };
    registry.write_yaml(&with_gateway(LUMA, &registry.url()));
    let applied = registry
        .command(&["apply", "--auto-approve"])
        .output()
        .expect("run");
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    // The registry is down for one merchant (nothing listens on port 1), the database for
    // another.
    let down = with_gateway(
        &LUMA.replace("name: Luma\n", "name: Down\n"),
        "http://127.0.0.1:1/",
    );
    std::fs::write(registry.path().join("down.yaml"), down).expect("write");
    let no_database = with_gateway(
        &LUMA.replace("name: Luma\n", "name: Nodb\n").replace(
            "  qa: {tier: testing, data_space: qa}\n",
            "  qa:\n    tier: testing\n    data_space: qa\n    target:\n      mysql:\n        url: {env: NODB_URL}\n        crypt_key: {env: NODB_CRYPT_KEY}\n",
        ),
        &registry.url(),
    );
    std::fs::write(registry.path().join("nodb.yaml"), no_database).expect("write");
    let files = ["saasctl.yaml", "down.yaml", "nodb.yaml"];
    let plan = |format: &str| {
        let output = registry
            .command(
                &[
                    &[
                        "plan",
                        "--detailed-exitcode",
                        "--color",
                        "never",
                        "--format",
                        format,
                    ][..],
                    &files,
                ]
                .concat(),
            )
            .env("NODB_URL", "mysql://magento:secret@127.0.0.1:1/magento")
            .env("NODB_CRYPT_KEY", "0123456789abcdef0123456789abcdef")
            .output()
            .expect("run saasctl");
        assert_eq!(code(&output), 1, "{format}: {}", both(&output));
        stdout(&output)
    };

    let text = plan("text");
    assert!(!text.contains("No changes."), "{text}");
    let named = text
        .find("Not read")
        .expect("a section of merchants not read");
    assert!(
        named < text.find("saasctl (saasctl.yaml)").expect("saasctl"),
        "{text}"
    );
    assert!(
        text.contains("  down.yaml: cannot reach the registry"),
        "{text}"
    );
    assert!(text.contains("  nodb.yaml: "), "{text}");
    assert!(
        text.trim_end().ends_with(
            "2 of 3 merchants could not be read; the others: 0 to create, 0 to rename, 0 to update."
        ),
        "{text}"
    );

    let markdown = plan("markdown");
    assert!(!markdown.contains("No changes."), "{markdown}");
    let warning = markdown.find("[!WARNING]").expect("a warning");
    assert!(
        warning
            < markdown
                .find("2 of 3 merchants could not be read")
                .expect("summary"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- `down.yaml`: cannot reach the registry"),
        "{markdown}"
    );
    assert!(markdown.contains("- `nodb.yaml`: "), "{markdown}");

    let json: serde_json::Value = serde_json::from_str(&plan("json")).expect("JSON plan");
    let unread: Vec<&str> = json["unread"]
        .as_array()
        .expect("unread")
        .iter()
        .map(|u| u["file"].as_str().expect("file"))
        .collect();
    assert_eq!(unread, ["down.yaml", "nodb.yaml"], "{json}");
    assert!(
        json["unread"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("cannot reach")
    );
}

/// Each merchant flows on as soon as its file is checked: with two merchants in flight, the
/// first registry request is answered before the last file is even parsed (an order the
/// bound makes certain, not a timing).
#[test]
fn the_first_request_leaves_before_the_last_file_is_checked() {
    let registry = TestContext::with_registry();
    std::fs::create_dir(registry.path().join("estate")).expect("estate dir");
    for i in 0..40 {
        std::fs::write(
            registry.path().join(format!("estate/m{i:02}.yaml")),
            LUMA.replace("name: Luma\n", &format!("name: Luma {i:02}\n"))
                .replace("{file: keys/", "{file: ../keys/"),
        )
        .expect("write");
    }
    let output = registry.run(&[
        "plan",
        "estate",
        "-vv",
        "--parallelism",
        "2",
        "--color",
        "never",
    ]);
    let log = stderr(&output);
    let first_request = log
        .lines()
        .position(|line| line.contains("registry request"))
        .expect("a request logged");
    let last_checked = log
        .lines()
        .position(|line| line.contains("checked") && line.contains("m39.yaml"))
        .expect("the last file's check logged");
    assert!(first_request < last_checked, "{log}");
}

#[test]
fn a_gateway_that_never_answers_times_out_clearly() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let started = std::time::Instant::now();
    let output = registry
        .command(&["plan", "--timeout", "1"])
        .env("SAASCTL_GATEWAY", &url)
        .output()
        .expect("run saasctl");
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(stderr(&output).contains("timed out"), "{}", both(&output));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

#[test]
fn a_saved_plan_mixed_with_other_files_or_plans_is_refused() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let plan = registry.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    std::fs::copy(
        registry.path().join("plan.json"),
        registry.path().join("second.json"),
    )
    .expect("copy");
    let two_plans = registry.run(&["apply", "plan.json", "second.json"]);
    assert_eq!(code(&two_plans), 64, "{}", both(&two_plans));
    assert!(
        stderr(&two_plans).contains("second.json is a second saved plan"),
        "{}",
        both(&two_plans)
    );
    // Files beside a plan name what it may read; one it was not made from is no merchant to add.
    std::fs::write(registry.path().join("other.yaml"), LUMA).expect("write");
    let other = registry.run(&["apply", "plan.json", "other.yaml"]);
    assert_eq!(code(&other), 1, "{}", both(&other));
    assert!(
        stderr(&other).contains("other.yaml is not one of the files plan.json was made from"),
        "{}",
        both(&other)
    );
    assert!(registry.rows().is_empty());
    let named = registry.run(&["apply", "plan.json", "saasctl.yaml"]);
    assert_eq!(code(&named), 0, "{}", both(&named));
}

#[test]
fn ctrl_c_during_apply_says_what_was_done_and_the_next_apply_finishes() {
    use std::io::BufRead;
    let registry = TestContext::with_faults(Faults {
        latency: Duration::from_millis(400),
        jitter: Duration::ZERO,
        fail_rate: 0.0,
        throttle_rate: 0.0,
        retry_after_secs: 0,
        drop_after_commit_rate: 0.0,
        seed: 7,
    });
    registry.write_yaml(LUMA);
    let mut child = registry
        .command(&["apply", "--auto-approve"])
        .env("SAASCTL_GATEWAY", registry.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn saasctl");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    // Interrupt once the first rename is under way, after the project was created.
    for line in lines.by_ref() {
        if line.expect("line").contains("renaming") {
            break;
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let output = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted after 1 created"), "{err}");
    assert!(err.contains("run apply again"), "{err}");

    let again = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert_eq!(registry.live(), LUMA_LIVE);
    assert_eq!(registry.projects(), 1);
}

#[test]
fn plan_out_writes_through_a_symlink_refuses_special_files_and_takes_dash() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    std::fs::create_dir(registry.path().join("plans")).expect("dir");
    std::fs::write(registry.path().join("plans/real.json"), "{}").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink("plans/real.json", registry.path().join("plan.json")).expect("link");
    let plan = registry.run(&["plan", "--out", "plan.json"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let link = registry.path().join("plan.json");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    let saved = std::fs::read_to_string(registry.path().join("plans/real.json")).expect("read");
    assert!(saved.contains("\"format_version\""), "{saved}");

    for special in ["/dev/null", "plans"] {
        let refused = registry.run(&["plan", "--out", special]);
        assert_eq!(code(&refused), 1, "{special}: {}", both(&refused));
        assert!(
            stderr(&refused).contains("not a regular file"),
            "{}",
            both(&refused)
        );
    }
    assert!(
        std::fs::metadata("/dev/null")
            .expect("meta")
            .file_type()
            .is_char_device()
    );

    let dash = registry.run(&["plan", "--out", "-", "--color", "never"]);
    assert_eq!(code(&dash), 0, "{}", both(&dash));
    let json: serde_json::Value =
        serde_json::from_slice(&dash.stdout).expect("plan JSON on stdout");
    assert_eq!(json["format_version"], "1");
    assert!(stderr(&dash).contains("project.saasctl"), "{}", both(&dash));
}

#[test]
fn a_throttling_registry_is_waited_for_within_a_bound_and_named() {
    let registry = TestContext::with_faults(Faults {
        latency: Duration::ZERO,
        jitter: Duration::ZERO,
        fail_rate: 0.0,
        throttle_rate: 1.0,
        retry_after_secs: 3600,
        drop_after_commit_rate: 0.0,
        seed: 3,
    });
    registry.write_yaml(LUMA);
    let started = std::time::Instant::now();
    let output = registry.run(&["plan"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stderr(&output).contains("throttling requests and asked to wait 3600 s"),
        "{}",
        both(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// `--allow-rebind` names one environment of one merchant: a bare name shared by two merchants
/// is a usage error naming both, `MERCHANT/ENV` lifts that merchant's SC030 only, and what was
/// allowed is shown in every plan format and kept in the saved plan.
#[test]
fn an_allowed_rebind_names_one_merchants_environment() {
    let registry = TestContext::with_registry();
    let merchant = |name: &str, staging_space: &str| {
        LUMA.replace("name: Luma\n", &format!("name: {name}\n"))
            .replace(
                "  staging: {tier: staging, data_space: staging, websites: [base]}\n",
                &format!(
                    "  staging:\n    tier: staging\n    data_space: {staging_space}\n    websites: [base]\n    target: {{env_file: deploy/{name}-staging.env}}\n"
                ),
            )
            .replace("  qa: {tier: testing, data_space: qa}\n", "")
    };
    let write = |space: &str| {
        for name in ["Luma", "Owl"] {
            std::fs::write(
                registry
                    .path()
                    .join(format!("{}.yaml", name.to_lowercase())),
                merchant(name, space),
            )
            .expect("write");
        }
    };
    let files = ["luma.yaml", "owl.yaml"];
    let plan =
        |args: &[&str]| registry.run(&[&["plan", "--color", "never"][..], args, &files].concat());
    write("staging");
    let applied = registry.run(&[&["apply", "--auto-approve"][..], &files].concat());
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    // Both staging installations would move to `qa`.
    write("qa");
    let refused = plan(&[]);
    assert_eq!(code(&refused), 3, "{}", both(&refused));
    assert!(
        stdout(&refused).contains("--allow-rebind luma/staging"),
        "{}",
        both(&refused)
    );
    assert!(
        stdout(&refused).contains("--allow-rebind owl/staging"),
        "{}",
        both(&refused)
    );
    let bare = plan(&["--allow-rebind", "staging"]);
    assert_eq!(code(&bare), 64, "{}", both(&bare));
    assert!(
        stderr(&bare).contains("luma/staging") && stderr(&bare).contains("owl/staging"),
        "{}",
        both(&bare)
    );
    let nobody = plan(&["--allow-rebind", "acme/staging"]);
    assert_eq!(code(&nobody), 64, "{}", both(&nobody));
    assert!(
        stderr(&nobody)
            .contains("one of: luma/production, luma/staging, owl/production, owl/staging"),
        "{}",
        both(&nobody)
    );

    let one = plan(&["--allow-rebind", "luma/staging"]);
    assert_eq!(code(&one), 3, "owl's move is still refused: {}", both(&one));
    let text = stdout(&one);
    assert!(
        text.contains("Allowed on the command line: --allow-rebind luma/staging"),
        "{text}"
    );
    assert!(
        text.contains("--allow-rebind owl/staging"),
        "SC030 for owl only: {text}"
    );
    assert!(
        !text.contains("--allow-rebind luma/staging and resend"),
        "{text}"
    );

    let both_allowed = [
        "--allow-rebind",
        "luma/staging",
        "--allow-rebind",
        "owl/staging",
    ];
    let markdown = plan(&[&both_allowed[..], &["--format", "markdown"]].concat());
    assert_eq!(code(&markdown), 0, "{}", both(&markdown));
    assert!(
        stdout(&markdown).contains("**Allowed on the command line:** `--allow-rebind luma/staging`, `--allow-rebind owl/staging`"),
        "{}",
        stdout(&markdown)
    );
    let saved = plan(&[&both_allowed[..], &["--out", "plan.json"]].concat());
    assert_eq!(code(&saved), 0, "{}", both(&saved));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(registry.path().join("plan.json")).expect("plan"))
            .expect("json");
    assert_eq!(
        file["allowances"]["rebind"],
        serde_json::json!(["luma/staging", "owl/staging"])
    );
}

/// Starts `apply --auto-approve` in `registry`'s workspace and waits until it holds its lock,
/// paused before its first registry step (`run::pause`).
fn paused_apply(registry: &TestContext, marker: &std::path::Path) -> std::process::Child {
    let mut child = registry
        .command(&["apply", "--auto-approve"])
        .env("SAASCTL_GATEWAY", registry.url())
        .env("SAASCTL_TEST_PAUSE_AT", "step-1")
        .env("SAASCTL_TEST_PAUSE_MARKER", marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start apply");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(child.try_wait().expect("wait").is_none(), "the apply ended");
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never paused"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// Two applies of one configuration: the second is refused while the first runs, naming the
/// process that holds the file, and sends nothing; with --lock-timeout it waits, then applies
/// what is left.
#[test]
fn a_second_apply_of_one_file_waits_or_is_refused_and_sends_nothing() {
    let registry = TestContext::with_registry();
    registry.initialize("Luma Store");
    registry.write_yaml(LUMA_RENAMED);
    let markers = tempfile::tempdir().expect("temp dir");

    let mut first = paused_apply(&registry, &markers.path().join("first"));
    let before = registry.requests();
    let second = registry.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&second), 1, "{}", both(&second));
    assert!(
        stderr(&second).contains(&format!(
            "saasctl.yaml is locked by another saasctl apply (process {})",
            first.id()
        )),
        "{}",
        both(&second)
    );
    assert_eq!(
        registry.requests(),
        before,
        "the refused apply sent requests"
    );

    // Killed mid-apply, the first lets go of its lock with its process.
    first.kill().expect("kill");
    first.wait().expect("wait");
    let mut third = paused_apply(&registry, &markers.path().join("third"));
    let waiting = registry
        .command(&["apply", "--auto-approve", "--lock-timeout", "60"])
        .env("SAASCTL_GATEWAY", registry.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the waiting apply");
    let held = registry.requests();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        registry.requests(),
        held,
        "the waiting apply read before its turn"
    );
    third.kill().expect("kill");
    third.wait().expect("wait");
    let waited = waiting.wait_with_output().expect("wait");
    assert_eq!(code(&waited), 0, "{}", both(&waited));
    let converged = registry.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&converged), 0, "{}", both(&converged));
}

/// Someone creates the project between apply's read and its create (another apply, the
/// Admin): the registry is read again right before creating, and the project is matched by
/// its name, never created a second time.
#[test]
fn a_project_created_since_the_read_is_matched_not_created_twice() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let markers = tempfile::tempdir().expect("temp dir");
    let marker = markers.path().join("create");
    let mut apply = registry
        .command(&["apply", "--auto-approve"])
        .env("SAASCTL_GATEWAY", registry.url())
        .env("SAASCTL_TEST_PAUSE_AT", "create-0")
        .env("SAASCTL_TEST_PAUSE_MARKER", &marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start apply");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(apply.try_wait().expect("wait").is_none(), "the apply ended");
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never paused"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let elsewhere = registry.initialize("Luma");
    std::fs::remove_file(&marker).expect("let the apply go on");
    let output = apply.wait_with_output().expect("wait");
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(registry.projects(), 1, "{}", both(&output));
    assert_eq!(
        registry.project_ids(),
        vec![elsewhere[0].project_id.clone()]
    );
}
