//! Everyday output: `-v`/`-vv` logs and `SAASCTL_LOG`, `--quiet`, progress over many merchants
//! (plain lines in logs, a bar on a terminal), `NO_COLOR` and `CLICOLOR_FORCE`, and
//! `apply --format json`.

use std::time::Duration;

use saasctl::emulator::Faults;

use crate::common::TestContext;
use crate::common::{both, code, on_terminal, saasctl, stderr, stdout};
use crate::plan_apply::LUMA;

/// An SGR (colour) escape; cursor movement of a progress bar is not colour.
fn has_colour(text: &str) -> bool {
    text.split("\u{1b}[").skip(1).any(|rest| {
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .collect();
        rest[code.len()..].starts_with('m')
    })
}

#[test]
fn verbose_logs_each_request_and_quiet_prints_only_the_plan() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let plain = registry.run(&["plan", "--color", "never"]);
    assert_eq!(code(&plain), 0, "{}", both(&plain));
    assert_eq!(stderr(&plain), "", "no log without -v");

    let verbose = registry.run(&["plan", "-v", "--color", "never"]);
    assert_eq!(code(&verbose), 0, "{}", both(&verbose));
    assert_eq!(stdout(&verbose), stdout(&plain), "logs go to stderr only");
    let log = stderr(&verbose);
    let request = log
        .lines()
        .find(|l| l.contains("registry request"))
        .unwrap_or_else(|| panic!("no request line:\n{log}"));
    for part in [
        "DEBUG",
        "method=GET",
        "path=\"registry\"",
        "status=200",
        "attempt=1",
        "elapsed_ms=",
    ] {
        assert!(request.contains(part), "{part} missing in {request}");
    }
    assert!(!log.contains("TRACE"), "{log}");

    let detailed = registry.run(&["plan", "-vv", "--color", "never"]);
    let log = stderr(&detailed);
    assert!(
        log.lines()
            .any(|l| l.contains("signed a token") && l.contains("\"exp\":")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("key set") && l.contains("public_key=\"sha256:")),
        "{log}"
    );

    // SAASCTL_LOG chooses without a flag; a filter it cannot read is said and ignored.
    let filtered = registry
        .command(&["plan", "--color", "never"])
        .env("SAASCTL_GATEWAY", registry.url())
        .env("SAASCTL_LOG", "saasctl::registry=debug")
        .output()
        .expect("run");
    assert!(
        stderr(&filtered).contains("registry request"),
        "{}",
        both(&filtered)
    );
    let bad = registry
        .command(&["plan", "--color", "never"])
        .env("SAASCTL_GATEWAY", registry.url())
        .env("SAASCTL_LOG", "saasctl=loud")
        .output()
        .expect("run");
    assert_eq!(code(&bad), 0, "{}", both(&bad));
    assert!(
        stderr(&bad).starts_with("warning: SAASCTL_LOG is not a log filter"),
        "{}",
        both(&bad)
    );

    let quiet = registry.run(&["plan", "-q", "--color", "never", "--out", "plan.json"]);
    assert_eq!(code(&quiet), 0, "{}", both(&quiet));
    assert_eq!(
        stdout(&quiet),
        stdout(&plain),
        "the plan is what was asked for"
    );
    assert_eq!(stderr(&quiet), "", "no note about the saved plan");

    let piped = registry.run(&["plan", "-q", "--out", "-"]);
    assert_eq!(code(&piped), 0, "{}", both(&piped));
    assert_eq!(stderr(&piped), "", "only the plan file, on stdout");
    let saved: serde_json::Value = serde_json::from_slice(&piped.stdout).expect("plan file");
    assert_eq!(saved["format_version"], "1");

    let both_flags = registry.run(&["plan", "-q", "-v"]);
    assert_eq!(code(&both_flags), 64, "{}", both(&both_flags));
    assert!(stderr(&both_flags).contains("cannot be used with"));

    let applied = registry.run(&["apply", "--quiet", "--auto-approve"]);
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    assert_eq!(
        (stdout(&applied), stderr(&applied)),
        (String::new(), String::new())
    );
    assert_eq!(registry.live().len(), 3, "applied all the same");
}

#[test]
fn retries_and_throttling_are_logged() {
    let registry = TestContext::with_faults(Faults {
        latency: Duration::ZERO,
        jitter: Duration::ZERO,
        fail_rate: 0.4,
        throttle_rate: 0.4,
        retry_after_secs: 0,
        drop_after_commit_rate: 0.0,
        seed: 11,
    });
    registry.write_yaml(LUMA);
    let mut logs = String::new();
    for _ in 0..10 {
        let output = registry.run(&["plan", "-v", "--color", "never"]);
        logs.push_str(&stderr(&output));
        if logs.contains("retrying") && logs.contains("throttled (429)") {
            break;
        }
    }
    let retry = logs
        .lines()
        .find(|l| l.contains("retrying"))
        .unwrap_or_else(|| panic!("no retry logged:\n{logs}"));
    assert!(
        retry.contains("backoff_ms=") && retry.contains("attempt=") && retry.contains("error="),
        "{retry}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("throttled (429)") && l.contains("limit=")),
        "{logs}"
    );
}

/// `n` merchants in one account, one file each.
fn estate(registry: &TestContext, n: usize) {
    for i in 1..=n {
        std::fs::write(
            registry.path().join(format!("shop{i:02}.yaml")),
            LUMA.replace("name: Luma\n", &format!("name: Shop {i:02}\n")),
        )
        .expect("write yaml");
    }
}

#[test]
fn progress_is_plain_lines_in_logs_a_bar_on_a_terminal_and_nothing_when_quiet() {
    let registry = TestContext::with_registry();
    estate(&registry, 12);
    let plan = registry.run(&["plan", ".", "--color", "never"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    let log = stderr(&plan);
    let lines: Vec<&str> = log.lines().filter(|l| l.starts_with("read ")).collect();
    // Every tenth (here every second) merchant, the last one included, in order.
    assert_eq!(
        lines,
        (1..=6)
            .map(|i| format!("read {}/12 merchants", 2 * i))
            .collect::<Vec<_>>(),
        "{}",
        both(&plan)
    );
    assert!(
        !stdout(&plan).contains("merchants"),
        "progress stays off stdout"
    );

    let quiet = registry.run(&["plan", ".", "-q", "--color", "never"]);
    assert_eq!(stderr(&quiet), "", "{}", both(&quiet));

    // On a terminal: a bar on stderr, cleared once done, and the plan itself.
    let mut command = registry.command(&["plan", ".", "--color", "never"]);
    command
        .env("SAASCTL_GATEWAY", registry.url())
        .env("TERM", "xterm-256color");
    let screen = stdout(&on_terminal(&command, ""));
    assert!(screen.contains("    read ["), "{screen}");
    assert!(screen.contains("/12 merchants ("), "{screen}");
    assert!(screen.contains("Plan: 48 to create"), "{screen}");
    // A terminal that cannot draw one gets the plain lines.
    command.env("TERM", "dumb");
    let screen = stdout(&on_terminal(&command, ""));
    assert!(!screen.contains("    read ["), "{screen}");
    assert!(screen.contains("read 12/12 merchants"), "{screen}");

    let applied = registry.run(&["apply", ".", "--auto-approve", "--color", "never"]);
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    assert!(
        stderr(&applied).contains("applied 12/12 merchants"),
        "{}",
        both(&applied)
    );
}

#[test]
fn no_color_and_clicolor_force_are_honoured() {
    let registry = TestContext::with_registry();
    registry.write_yaml(LUMA);
    let on_a_terminal = |env: &[(&str, &str)]| {
        let mut command = registry.command(&["plan"]);
        command
            .env("SAASCTL_GATEWAY", registry.url())
            .env("TERM", "xterm-256color");
        for (name, value) in env {
            command.env(name, value);
        }
        stdout(&on_terminal(&command, ""))
    };
    assert!(has_colour(&on_a_terminal(&[])), "a terminal gets colour");
    let screen = on_a_terminal(&[("NO_COLOR", "1")]);
    assert!(
        !has_colour(&screen) && screen.contains("Plan:"),
        "{screen:?}"
    );
    assert!(!has_colour(&on_a_terminal(&[("TERM", "dumb")])));

    let off_a_terminal = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = registry.command(&["plan"]);
        command.env("SAASCTL_GATEWAY", registry.url()).args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        stdout(&command.output().expect("run"))
    };
    assert!(!has_colour(&off_a_terminal(&[], &[])));
    assert!(has_colour(&off_a_terminal(&[("CLICOLOR_FORCE", "1")], &[])));
    // NO_COLOR wins over CLICOLOR_FORCE; --color wins over both.
    assert!(!has_colour(&off_a_terminal(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &[]
    )));
    assert!(!has_colour(&off_a_terminal(
        &[("CLICOLOR_FORCE", "1")],
        &["--color", "never"]
    )));
    assert!(has_colour(&off_a_terminal(
        &[("NO_COLOR", "1")],
        &["--color", "always"]
    )));
}

/// Luma with its production installation in an env file at `target`.
fn with_env_file(target: &str) -> String {
    LUMA.replace(
        "production: {tier: production, data_space: live, websites: [base, wholesale]}",
        &format!(
            "production: {{tier: production, data_space: live, websites: [base, wholesale], target: {{env_file: {target}}}}}"
        ),
    )
}

#[test]
fn apply_json_reports_each_change_and_installation() {
    let registry = TestContext::with_registry();
    registry.write_yaml(&with_env_file("app/etc/.env"));
    // Quiet: the steps (concurrent renames, in any order) stay out of the snapshot.
    let applied = registry.run(&["apply", "--auto-approve", "--format", "json", "-q"]);
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    crate::saasctl_snapshot!("apply-json", applied);

    // Without --quiet, what people read goes to stderr; stdout stays JSON.
    let again = registry.run(&["apply", "--auto-approve", "--format", "json"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert_eq!(report["status"], "no_changes", "{}", both(&again));
    assert_eq!(report["merchants"], serde_json::json!([]));
    assert!(
        stderr(&again).contains("saasctl (saasctl.yaml)"),
        "{}",
        both(&again)
    );

    // An installation that cannot be written: the registry's part is reported applied, the
    // installation failed with its message, and the exit code says so.
    let failing = TestContext::with_registry();
    failing.write_yaml(&with_env_file("gone/.env"));
    std::os::unix::fs::symlink("/nonexistent/saasctl-test", failing.path().join("gone"))
        .expect("symlink");
    let failed = failing.run(&["apply", "--auto-approve", "--format", "json", "-q"]);
    assert_eq!(code(&failed), 1, "{}", both(&failed));
    crate::saasctl_snapshot!("apply-json-installation-failed", failed);

    // A merchant that cannot be read: nothing is applied, and the report names it.
    std::fs::write(
        failing.path().join("keys/production.api-key"),
        "not-registered",
    )
    .expect("api key");
    let unread = failing.run(&["apply", "--auto-approve", "--format", "json", "-q"]);
    assert_eq!(code(&unread), 1, "{}", both(&unread));
    crate::saasctl_snapshot!("apply-json-unread", unread);
}

#[test]
fn apply_json_of_a_refused_configuration_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), "version: 1\nproject: {}\n").expect("yaml");
    let output = saasctl()
        .current_dir(dir.path())
        .args(["apply", "--auto-approve", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(code(&output), 3, "{}", both(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["status"], "refused");
    assert!(stderr(&output).contains("error"), "{}", both(&output));
}
