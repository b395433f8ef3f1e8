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

#[test]
fn the_embedded_registry_stores_no_api_key_and_ignores_itself_in_git() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), EMBEDDED).expect("write yaml");
    let run = |args: &[&str]| {
        saasctl()
            .current_dir(dir.path())
            .env("LUMA_EMBEDDED_API_KEY", API_KEY)
            .args(args)
            .output()
            .expect("run saasctl")
    };
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
