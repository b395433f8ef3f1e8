//! `gateway: embedded`: the in-process registry keeps no secret, and what it creates beside the
//! YAML stays out of git.

use crate::common::{code, saasctl, stderr, stdout};

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
environments:
  production: {tier: production, data_space: live, websites: [base]}
"#;

const API_KEY: &str = "embedded0123456789abcdef0123456789";

/// A directory holding the embedded configuration.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), EMBEDDED).expect("write yaml");
    dir
}

/// saasctl in `dir`, with the API key in the environment.
fn command(dir: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut command = saasctl();
    command
        .current_dir(dir)
        .env("LUMA_EMBEDDED_API_KEY", API_KEY)
        .args(args);
    command
}

#[test]
fn the_embedded_registry_stores_no_api_key_and_ignores_itself_in_git() {
    let dir = workspace();
    let run = |args: &[&str]| command(dir.path(), args).output().expect("run saasctl");
    let apply = run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}{}", stdout(&apply), stderr(&apply));
    let again = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}{}", stdout(&again), stderr(&again));

    let state = std::fs::read_to_string(dir.path().join(".saasctl/registry.json")).expect("state");
    assert!(!state.contains(API_KEY), "the state file holds the API key");
    for created in [".saasctl", "secrets"] {
        let ignore = std::fs::read_to_string(dir.path().join(created).join(".gitignore"))
            .unwrap_or_else(|e| panic!("{created}/.gitignore: {e}"));
        assert!(
            ignore.lines().any(|line| line == "*"),
            "{created}: {ignore}"
        );
    }
}

#[test]
fn a_second_run_on_the_same_embedded_state_is_refused_clearly() {
    let dir = workspace();
    let run = |args: &[&str]| command(dir.path(), args).output().expect("run saasctl");
    let first = run(&["apply", "--auto-approve"]);
    assert_eq!(code(&first), 0, "{}{}", stdout(&first), stderr(&first));
    // Another saasctl process holds the state (here: this test, through the same lock).
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join(".saasctl/registry.json.lock"))
        .expect("lock file");
    lock.try_lock().expect("take the lock");
    let second = run(&["plan"]);
    assert_eq!(code(&second), 1, "{}{}", stdout(&second), stderr(&second));
    assert!(
        stderr(&second).contains("another saasctl process is using it"),
        "{}",
        stderr(&second)
    );
    drop(lock);
    let third = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&third), 0, "{}{}", stdout(&third), stderr(&third));

    // Two applies at once: each either finishes or is refused clearly (the configuration's lock,
    // or the embedded state's); the state stays whole.
    let children: Vec<_> = (0..2)
        .map(|_| {
            command(dir.path(), &["apply", "--auto-approve"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        let err = stderr(&output);
        assert!(
            code(&output) == 0
                || err.contains("another saasctl process is using it")
                || err.contains("is locked by another saasctl apply"),
            "{err}"
        );
    }
    let state = std::fs::read_to_string(dir.path().join(".saasctl/registry.json")).expect("state");
    serde_json::from_str::<serde_json::Value>(&state).expect("the state file is whole");
}
