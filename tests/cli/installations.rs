//! Installations end to end: the binding written to each target after the registry, read back
//! on the next plan, drift repaired, other lines of an env file kept.

use std::path::Path;
use std::process::Output;

use crate::common::{CRYPT_KEY, both, code, saasctl, stderr, stdout};

const LUMA: &str = r#"version: 1
account:
  license: adobe-commerce
  services: [live-search]
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
    gateway: embedded
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    staging: {type: testing, name: Luma Staging}
environments:
  production: {tier: production, data_space: live, websites: [base]}
  staging:
    tier: staging
    data_space: staging
    websites: [base]
    target: {env_file: deploy/staging.env}
"#;

fn run(dir: &Path, args: &[&str]) -> Output {
    saasctl()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run saasctl")
}

fn env_value<'a>(text: &'a str, path: &str) -> Option<&'a str> {
    let name = format!(
        "CONFIG__DEFAULT__{}=",
        path.to_ascii_uppercase().replace('/', "__")
    );
    text.lines()
        .find_map(|line| line.strip_prefix(&name))
        .map(|v| v.trim_matches(['"', '\'']))
}

#[test]
fn an_env_file_target_is_written_kept_and_repaired() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    std::fs::create_dir(dir.path().join("deploy")).expect("deploy dir");
    let env_path = dir.path().join("deploy/staging.env");
    std::fs::write(&env_path, "# staging\nAPP_ENV=staging\n").expect("env file");

    let plan = run(
        dir.path(),
        &["plan", "--detailed-exitcode", "--color", "never"],
    );
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        stdout(&plan).contains(
            "services_connector/services_id/environment_id: (not set) -> (known after apply)"
        ),
        "{}",
        both(&plan)
    );

    let apply = run(dir.path(), &["apply", "--auto-approve", "--color", "never"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(
        stdout(&apply).contains("Apply complete: 3 created, 0 renamed, 1 updated."),
        "{}",
        both(&apply)
    );
    for step in [
        "redeploy",
        "variables_order = \"EGPCS\"",
        "clear_env = no (or an env[NAME] = $NAME line per variable)",
    ] {
        assert!(stdout(&apply).contains(step), "{step}: {}", both(&apply));
    }

    let text = std::fs::read_to_string(&env_path).expect("read env file");
    assert!(text.starts_with("# staging\nAPP_ENV=staging\n"), "{text}");
    assert_eq!(
        env_value(&text, "magento_saas/environment"),
        Some("production")
    );
    assert_eq!(
        env_value(&text, "services_connector/services_id/environment_name"),
        Some("Luma Staging")
    );
    assert_eq!(
        env_value(&text, "services_connector/services_id/environment"),
        Some("Testing")
    );
    let api_key =
        std::fs::read_to_string(dir.path().join("keys/production.api-key")).expect("api key");
    assert_eq!(
        env_value(
            &text,
            "services_connector/services_connector_integration/production_api_key"
        ),
        Some(api_key.trim())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env_path)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The key itself is written to the file, never printed.
    assert!(!both(&apply).contains(api_key.trim()));

    let again = run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));

    // Drift: someone edited the data space name by hand; the plan repairs it.
    let drifted = text.replace("Luma Staging", "Old Name");
    std::fs::write(&env_path, &drifted).expect("drift");
    let plan = run(
        dir.path(),
        &["plan", "--detailed-exitcode", "--color", "never"],
    );
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        stdout(&plan).contains("environment_name: Old Name -> Luma Staging"),
        "{}",
        both(&plan)
    );
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(std::fs::read_to_string(&env_path).expect("read"), text);
}

#[test]
fn render_prints_the_binding_in_every_form_with_secrets_only_on_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    let early = run(dir.path(), &["render", "production", "--format", "json"]);
    assert_eq!(code(&early), 1, "{}", both(&early));
    assert!(stderr(&early).contains("not known yet"), "{}", both(&early));
    // A file with errors: nothing to render, and no plan was refused.
    std::fs::write(dir.path().join("bad.yaml"), "version: 1\nproject: 5\n").expect("write");
    let invalid = run(dir.path(), &["render", "production", "bad.yaml"]);
    assert_eq!(code(&invalid), 3, "{}", both(&invalid));
    assert!(
        stdout(&invalid).ends_with("Nothing rendered: 4 errors to fix first.\n"),
        "{}",
        both(&invalid)
    );
    assert!(!stdout(&invalid).contains("Plan"), "{}", both(&invalid));

    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let api_key =
        std::fs::read_to_string(dir.path().join("keys/production.api-key")).expect("api key");
    let json = run(dir.path(), &["render", "production", "--format", "json"]);
    assert_eq!(code(&json), 0, "{}", both(&json));
    let values: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        values["services_connector/services_id/environment_name"],
        "Luma Production"
    );
    assert_eq!(
        values["services_connector/services_id/environment"],
        "Production"
    );
    assert_eq!(
        values["services_connector/services_connector_integration/production_api_key"],
        "<redacted>"
    );
    for format in ["env", "env-php", "config-set"] {
        let output = run(dir.path(), &["render", "production", "--format", format]);
        assert_eq!(code(&output), 0, "{format}: {}", both(&output));
        assert!(
            !both(&output).contains(api_key.trim()),
            "{format} printed the key"
        );
    }
    // The ids are what `render` is run for: never masked, though `NAME=<uuid>` is long.
    let env = stdout(&run(
        dir.path(),
        &["render", "production", "--format", "env"],
    ));
    for path in [
        "services_connector/services_id/project_id",
        "services_connector/services_id/environment_id",
    ] {
        let id = values[path].as_str().expect("an id");
        assert!(uuid::Uuid::try_parse(id).is_ok(), "{path}: {id}");
        assert_eq!(env_value(&env, path), Some(id), "{env}");
    }
    let config_set = run(
        dir.path(),
        &["render", "production", "--format", "config-set"],
    );
    let text = stdout(&config_set);
    let order: Vec<usize> = [
        "production_api_key",
        "services_id/project_id",
        "services_id/environment_id",
    ]
    .iter()
    .map(|path| {
        text.find(path)
            .unwrap_or_else(|| panic!("{path} in {text}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    let secrets = run(
        dir.path(),
        &[
            "render",
            "production",
            "--format",
            "env",
            "--include-secrets",
        ],
    );
    assert!(
        stdout(&secrets).contains(api_key.trim()),
        "{}",
        both(&secrets)
    );
    let unknown = run(dir.path(), &["render", "nowhere"]);
    assert_eq!(code(&unknown), 1, "{}", both(&unknown));
}

/// Each rendered `config:set` line, parsed by a POSIX shell, is `config:set -- PATH VALUE`
/// with VALUE byte for byte the binding's, private keys (which start with `-`) included: a
/// `--` keeps Symfony's console from reading a value as an option.
#[test]
fn config_set_lines_parse_to_the_binding_in_a_posix_shell() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let render = |format: &str| {
        let args = [
            "render",
            "production",
            "--format",
            format,
            "--include-secrets",
        ];
        let output = run(dir.path(), &args);
        assert_eq!(code(&output), 0, "{}", both(&output));
        stdout(&output)
    };
    let values: serde_json::Value = serde_json::from_str(&render("json")).expect("json");
    // The whole output as one script, `bin/magento` replaced by a function that prints its
    // arguments: a multi-line value must stay one argument.
    let script = render("config-set")
        .lines()
        .map(|line| match line.strip_prefix("bin/magento ") {
            Some(command) => format!("emit {command}"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let parsed = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "emit() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\036'; }}\n{script}"
        ))
        .output()
        .expect("sh");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let (mut checked, mut dashed) = (0, 0);
    for command in parsed
        .stdout
        .split(|b| *b == 0x1e)
        .filter(|c| !c.is_empty())
    {
        let argv: Vec<String> = command
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8(a.to_vec()).expect("utf-8"))
            .collect();
        let [set, dashes, path, value] = argv.as_slice() else {
            panic!("a command parses to {argv:?}");
        };
        assert_eq!(
            (set.as_str(), dashes.as_str()),
            ("config:set", "--"),
            "{argv:?}"
        );
        assert_eq!(Some(value.as_str()), values[path].as_str(), "{path}");
        dashed += usize::from(value.starts_with('-'));
        checked += 1;
    }
    // Every path config:set accepts; the others are explained in comments.
    assert_eq!(checked, 4, "{checked} commands");
    assert_eq!(dashed, 1, "the private key, which starts with `-----BEGIN`");
}

/// A `shell` env file, loaded with `set -a; .`, gives Magento the exact key; a `docker` one
/// is refused before anything is sent, naming what can carry a private key.
#[test]
fn env_file_dialects_are_written_for_their_consumer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shell = LUMA.replace(
        "target: {env_file: deploy/staging.env}",
        "target: {env_file: {path: deploy/staging.sh, format: shell}}",
    );
    std::fs::write(dir.path().join("saasctl.yaml"), &shell).expect("write yaml");
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let pem = std::fs::read_to_string(dir.path().join("keys/production.pem")).expect("pem");
    let loaded = std::process::Command::new("sh")
        .args([
            "-c",
            "set -a; . deploy/staging.sh; printf %s \"$CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_CONNECTOR_INTEGRATION__PRODUCTION_PRIVATE_KEY\"",
        ])
        .current_dir(dir.path())
        .output()
        .expect("sh");
    assert!(loaded.status.success(), "{}", both(&loaded));
    assert_eq!(stdout(&loaded), pem.trim());
    let again = run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));

    let docker = LUMA.replace(
        "target: {env_file: deploy/staging.env}",
        "target: {env_file: {path: deploy/staging.list, format: docker}}",
    );
    std::fs::write(dir.path().join("saasctl.yaml"), &docker).expect("write yaml");
    let refused = run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&refused), 1, "{}", both(&refused));
    assert!(
        stderr(&refused).contains("which a docker env file cannot carry")
            && stderr(&refused).contains("format: dotenv|shell"),
        "{}",
        both(&refused)
    );
    assert!(!dir.path().join("deploy/staging.list").exists());
}

/// `render --format env-php --crypt-key {env: NAME}` writes the key values as
/// `config:set --lock-env` does; a mysql-less environment without it says they are plain.
#[test]
fn render_env_php_encrypts_the_keys_with_the_given_crypt_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let crypt_key = CRYPT_KEY;
    let encrypted = saasctl()
        .current_dir(dir.path())
        .env("LUMA_CRYPT_KEY", crypt_key)
        .args([
            "render",
            "production",
            "--format",
            "env-php",
            "--include-secrets",
        ])
        .args(["--crypt-key", "{env: LUMA_CRYPT_KEY}"])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&encrypted), 0, "{}", both(&encrypted));
    let text = stdout(&encrypted);
    let api_key =
        std::fs::read_to_string(dir.path().join("keys/production.api-key")).expect("api key");
    assert!(
        !text.contains(api_key.trim()) && !text.contains("BEGIN"),
        "{text}"
    );
    let stored = text
        .lines()
        .find(|l| l.contains("'production_api_key'"))
        .and_then(|l| l.split(" => '").nth(1))
        .map(|v| v.trim_end_matches("',"))
        .expect("the API key line");
    assert_eq!(
        crate::python::magento_crypt("decrypt", crypt_key, stored),
        api_key.trim()
    );
    assert!(!both(&encrypted).contains(crypt_key));

    let plain = run(dir.path(), &["render", "production", "--format", "env-php"]);
    assert!(
        stdout(&plain).contains("The key values are plain text"),
        "{}",
        both(&plain)
    );
    let literal = run(
        dir.path(),
        &[
            "render",
            "production",
            "--format",
            "env-php",
            "--crypt-key",
            crypt_key,
        ],
    );
    assert_eq!(code(&literal), 64, "{}", both(&literal));
    assert!(!both(&literal).contains(crypt_key), "{}", both(&literal));
    let wrong_format = saasctl()
        .current_dir(dir.path())
        .env("LUMA_CRYPT_KEY", crypt_key)
        .args([
            "render",
            "production",
            "--format",
            "env",
            "--crypt-key",
            "{env: LUMA_CRYPT_KEY}",
        ])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&wrong_format), 1, "{}", both(&wrong_format));
}

/// An env file of keys aimed into a directory of a git work tree that git does not ignore is
/// refused with the line to add; once added (git agreeing), it is written. A directory that
/// saasctl creates keeps itself out of git.
#[test]
fn an_env_file_that_git_would_pick_up_is_refused_with_the_line_to_add() {
    crate::apt::ensure("git", "git");
    let dir = tempfile::tempdir().expect("temp dir");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("git")
    };
    assert!(git(&["init", "-q"]).status.success());
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    std::fs::create_dir(dir.path().join("deploy")).expect("deploy dir");

    let refused = run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&refused), 1, "{}", both(&refused));
    assert!(
        stderr(&refused).contains("git does not ignore it: add the line `/deploy/staging.env` to"),
        "{}",
        both(&refused)
    );
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_ne!(code(&apply), 0, "{}", both(&apply));
    assert!(!dir.path().join("deploy/staging.env").exists());

    std::fs::write(dir.path().join(".gitignore"), "/deploy/staging.env\n").expect("gitignore");
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(
        git(&["check-ignore", "-q", "deploy/staging.env"])
            .status
            .success()
    );

    // A directory saasctl makes: ignored by the .gitignore it writes there.
    let fresh = LUMA.replace("deploy/staging.env", "secrets/staging.env");
    std::fs::write(dir.path().join("saasctl.yaml"), fresh).expect("write yaml");
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(dir.path().join("secrets/staging.env").exists());
    assert!(
        git(&["check-ignore", "-q", "secrets/staging.env"])
            .status
            .success()
    );
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(
        !stdout(&status).contains("staging.env"),
        "{}",
        both(&status)
    );
}

/// On a fresh clone (or a CI runner) the env file is not there: the plan says it is written on
/// apply and counts no change; `--installations=skip` neither reads nor writes any target.
#[test]
fn a_missing_env_file_is_no_change_and_skip_touches_no_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A database target behind a closed loopback port: reading it would fail.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let yaml = LUMA.replace(
        "  production: {tier: production, data_space: live, websites: [base]}",
        "  production:\n    tier: production\n    data_space: live\n    websites: [base]\n    \
         target: {mysql: {url: {env: LUMA_DATABASE_URL}, crypt_key: {env: LUMA_CRYPT_KEY}}}",
    );
    std::fs::write(dir.path().join("saasctl.yaml"), &yaml).expect("write yaml");
    let with_db = |args: &[&str]| {
        saasctl()
            .current_dir(dir.path())
            .env(
                "LUMA_DATABASE_URL",
                format!("mysql://magento:secret@127.0.0.1:{port}/magento"),
            )
            .env("LUMA_CRYPT_KEY", CRYPT_KEY)
            .args(args)
            .output()
            .expect("run saasctl")
    };
    let unreachable = with_db(&["plan"]);
    assert_eq!(code(&unreachable), 1, "{}", both(&unreachable));

    let applied = with_db(&["apply", "--auto-approve", "--installations", "skip"]);
    assert_eq!(code(&applied), 0, "{}", both(&applied));
    assert!(
        !dir.path().join("deploy").exists(),
        "skip wrote the env file"
    );
    let plan = with_db(&[
        "plan",
        "--installations=skip",
        "--detailed-exitcode",
        "--color",
        "never",
    ]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    assert!(
        stdout(&plan).contains("neither read nor written (--installations=skip)"),
        "{}",
        both(&plan)
    );

    // Without the database: the env file missing here is a note, not a change.
    std::fs::write(dir.path().join("saasctl.yaml"), LUMA).expect("write yaml");
    let plan = run(
        dir.path(),
        &["plan", "--detailed-exitcode", "--color", "never"],
    );
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    assert!(
        stdout(&plan).contains("its env_file is not present here: written on apply"),
        "{}",
        both(&plan)
    );
    assert!(stdout(&plan).contains("No changes."), "{}", both(&plan));
    assert!(!stdout(&plan).contains("(not set) ->"), "{}", both(&plan));
    let markdown = run(dir.path(), &["plan", "--format", "markdown"]);
    assert!(
        stdout(&markdown).contains("not present here: written on apply"),
        "{}",
        both(&markdown)
    );
    // Where it is deployed, apply writes it whole; then nothing is left to do.
    let apply = run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let text = std::fs::read_to_string(dir.path().join("deploy/staging.env")).expect("env file");
    assert!(
        env_value(&text, "services_connector/services_id/environment_name") == Some("Luma Staging"),
        "{text}"
    );
    let again = run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(stdout(&again).contains("No changes."), "{}", both(&again));
}
