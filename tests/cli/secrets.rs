//! No secret reaches output: generated configurations put real key material where users put it
//! by mistake (typo'd fields, broken quotes and indentation, comments, secret references), and
//! every command and format that renders them is checked. Then a merchant with a database
//! target: no command, format or `-vv` log prints or stores its keys, the database password or
//! the crypt key anywhere but where they belong.

use std::path::{Path, PathBuf};
use std::process::Output;

use saasctl::config::{KeySetName, License};
use saasctl::emulator::portal::{self, NewAccount};
use saasctl::emulator::{Emulator, EmulatorConfig, Faults};
use saasctl::keys::PrivateKey;

use crate::common::{TestContext, both, code, saasctl, stderr, stdout, test_key_pem};
use crate::mariadb::{self, PASSWORD};

const API_KEY: &str = "5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f";

/// Key material that must never be printed: the API key, and every line of the PEM body.
fn secrets() -> Vec<String> {
    let mut secrets = vec![API_KEY.to_owned(), API_KEY[..16].to_owned()];
    secrets.extend(
        test_key_pem()
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::to_owned),
    );
    secrets
}

fn indented_pem(indent: &str) -> String {
    test_key_pem()
        .lines()
        .map(|line| format!("{indent}{line}\n"))
        .collect()
}

/// The `keys.production` block, in each shape a user could get wrong.
fn key_blocks() -> Vec<String> {
    let good = "    private_key: {file: keys/production.pem}\n";
    vec![
        format!("    api-key: {API_KEY}\n    api_key: {{env: LUMA_API_KEY}}\n{good}"),
        format!("    api_key: \"{API_KEY}\n{good}"),
        format!("    api_key: '{API_KEY}\n{good}"),
        format!("    api_key: {API_KEY}\n{good}"),
        format!("    api_key: {{env: {API_KEY}}}\n{good}"),
        format!("    api_key: {{file: {API_KEY}}}\n{good}"),
        format!("    api_key: {{env: LUMA_API_KEY, value: {API_KEY}}}\n{good}"),
        format!("      api_key: {API_KEY}\n{good}"),
        format!("   api_key: {API_KEY}\n{good}"),
        format!("    api_key: {{env: LUMA_API_KEY}}  # {API_KEY}\n{good}"),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: |\n{}",
            indented_pem("      ")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: \"{}",
            test_key_pem().replace('\n', "\\n")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    privat_key: |\n{}",
            indented_pem("      ")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: |\n{}",
            indented_pem("    ")
        ),
    ]
}

fn config(keys: &str) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n{keys}    gateway: embedded\nproject:\n  name: Luma\n  data_spaces:\n    live: {{type: production, name: Luma Production}}\nenvironments:\n  production: {{tier: production, data_space: live}}\n"
    )
}

#[test]
fn no_format_of_any_command_prints_key_material() {
    let secrets = secrets();
    let commands: &[&[&str]] = &[
        &["validate", "--format", "human", "--color", "never"],
        &["validate", "--format", "json"],
        &["validate", "--format", "sarif"],
        &["validate", "--format", "github"],
        &["plan", "--format", "text", "--color", "never"],
        &["plan", "--format", "markdown"],
        &["plan", "--format", "json"],
        &["apply", "--auto-approve", "--color", "never"],
    ];
    let mut runs = 0;
    for keys in key_blocks() {
        let workspace = TestContext::offline(&config(&keys));
        for args in commands {
            let output = workspace.run(args);
            runs += 1;
            for text in [stdout(&output), stderr(&output)] {
                for secret in &secrets {
                    assert!(
                        !text.contains(secret.as_str()),
                        "`saasctl {}` printed key material for\n{keys}\n---\n{text}",
                        args.join(" ")
                    );
                }
            }
        }
    }
    assert_eq!(runs, key_blocks().len() * commands.len());
}

/// A key pasted where the name of its variable or file belongs: the messages that name the
/// variable or file (SC007's "cannot read") mask it as they mask the key itself.
#[test]
fn a_key_pasted_as_a_reference_is_masked_where_the_reference_is_named() {
    for reference in [
        format!("{{file: {API_KEY}}}"),
        format!("{{env: x{API_KEY}}}"),
    ] {
        let keys =
            format!("    api_key: {reference}\n    private_key: {{file: keys/production.pem}}\n");
        let yaml = config(&keys).replace("    gateway: embedded\n", "");
        let workspace = TestContext::offline(&yaml);
        for format in ["human", "json", "sarif", "github"] {
            let output = workspace.run(&["validate", "--format", format, "--color", "never"]);
            assert_eq!(code(&output), 1, "{}", both(&output));
            assert!(both(&output).contains("SC007"), "{}", both(&output));
            assert!(!both(&output).contains(&API_KEY[..16]), "{}", both(&output));
        }
    }
}

/// The installation's crypt key (Magento's `crypt/key`, 32 characters).
const CRYPT_KEY: &str = "k7Pz2QwX9mLr4TvB8nYc3HsJ6dFg1AeU";

/// Luma with a database target (production) and an env file target (staging).
const WITH_TARGETS: &str = r#"version: 1
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
  production:
    tier: production
    data_space: live
    websites: [base]
    target:
      mysql:
        url: {env: LUMA_DATABASE_URL}
        crypt_key: {env: LUMA_CRYPT_KEY}
  staging:
    tier: staging
    data_space: staging
    target: {env_file: staging/app/etc/.env}
"#;

/// The staging installation's own env file: it holds the keys, by design.
const STAGING_ENV: &str = "staging/app/etc/.env";

/// Every secret of the merchant, and every line of a PEM body long enough to mean something.
fn every_secret() -> Vec<String> {
    let mut secrets: Vec<String> = [API_KEY, PASSWORD, CRYPT_KEY]
        .iter()
        .flat_map(|s| [(*s).to_owned(), s[..16].to_owned()])
        .collect();
    secrets.extend(
        test_key_pem()
            .lines()
            .filter(|line| !line.starts_with("-----") && line.len() >= 16)
            .map(str::to_owned),
    );
    secrets
}

/// Every file below `dir` but the key files, which are where the secrets come from.
fn stored_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            if path != dir.join("keys") {
                for entry in std::fs::read_dir(&path).expect("read dir") {
                    stack.push(entry.expect("entry").path());
                }
            }
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_command_prints_or_stores_keys_a_database_password_or_a_crypt_key() {
    // Through the embedded registry, whose state lives beside the configuration.
    let workspace = TestContext::offline(WITH_TARGETS);
    every_command_keeps_the_secrets(workspace.path(), None);

    // Through an emulator that keeps its state in a file, with the same key registered.
    let workspace = TestContext::offline(WITH_TARGETS);
    let dir = workspace.path();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = runtime.block_on(async {
        let config = EmulatorConfig {
            state_file: Some(dir.join("emulator-state.json")),
            faults: Faults::default(),
        };
        let emulator = Emulator::bind("127.0.0.1:0".parse().expect("addr"), config)
            .await
            .expect("emulator");
        let key = PrivateKey::from_pem(test_key_pem()).expect("test key");
        let account = NewAccount {
            api_key: Some(API_KEY.to_owned()),
            public_key: key.public_key().to_pem(),
            license: License::AdobeCommerce,
            mage_id: None,
            environment: KeySetName::Production,
        };
        portal::register(&emulator.url(), &account)
            .await
            .expect("register");
        emulator
    });
    every_command_keeps_the_secrets(dir, Some(&emulator.url()));
    runtime
        .block_on(emulator.shutdown())
        .expect("stop the emulator");
    let state = std::fs::read_to_string(dir.join("emulator-state.json")).expect("state");
    assert!(
        state.contains("Luma Stage"),
        "the emulator kept no state: {state}"
    );
}

/// Runs every command with `-vv` in `dir` (holding [`WITH_TARGETS`] and the key files), on a
/// database of its own, through `gateway` (the embedded registry when `None`); then searches
/// what each printed and every file left in `dir` for the secrets.
fn every_command_keeps_the_secrets(dir: &Path, gateway: Option<&str>) {
    std::fs::write(dir.join("keys/production.api-key"), API_KEY).expect("api key");
    let db = mariadb::server().database("");
    let run = |args: &[&str]| -> Output {
        let mut command = saasctl();
        command
            .current_dir(dir)
            .env("LUMA_DATABASE_URL", db.url())
            .env("LUMA_CRYPT_KEY", CRYPT_KEY)
            .args(args);
        if let Some(gateway) = gateway {
            command.env("SAASCTL_GATEWAY", gateway);
        }
        command.output().expect("run saasctl")
    };
    assert!(
        db.url().contains(PASSWORD),
        "the database needs its password"
    );
    // Before, during and after an apply; a rename then goes through `apply --format json`.
    let before: &[&[&str]] = &[
        &["validate", "--format", "human"],
        &["validate", "--format", "json"],
        &["validate", "--format", "sarif"],
        &["validate", "--format", "github"],
        &["plan", "--format", "text"],
        &["plan", "--format", "markdown"],
        &["plan", "--format", "json"],
        &["plan", "--out", "-"],
        &["plan", "--out", "reviewed.json"],
        &["show", "reviewed.json"],
        &["show", "reviewed.json", "--format", "json"],
        &["apply", "reviewed.json"],
        &["render", "production", "--format", "env"],
        &["render", "production", "--format", "env-php"],
        &["render", "production", "--format", "config-set"],
        &["render", "production", "--format", "json"],
        &["render", "staging"],
    ];
    let after: &[&[&str]] = &[
        &["plan", "--format", "text"],
        &["apply", "--auto-approve", "--format", "json"],
        &["apply", "--auto-approve"],
        &["plan", "--detailed-exitcode"],
    ];
    let secrets = every_secret();
    let mut logged = 0;
    let renamed = || {
        let yaml = WITH_TARGETS.replace("name: Luma Staging", "name: Luma Stage");
        std::fs::write(dir.join("saasctl.yaml"), yaml).expect("yaml");
    };
    let steps = before
        .iter()
        .map(|args| (false, args))
        .chain(after.iter().map(|args| (true, args)));
    let mut edited = false;
    for (after_edit, args) in steps {
        if after_edit && !edited {
            renamed();
            edited = true;
        }
        let mut args = args.to_vec();
        args.extend(["-vv", "--color", "never"]);
        let output = run(&args);
        let shown = format!("{}{}", stdout(&output), stderr(&output));
        assert!(
            matches!(code(&output), 0 | 2),
            "`saasctl {}` failed:\n{shown}",
            args.join(" ")
        );
        logged += usize::from(stderr(&output).contains(" TRACE "));
        for secret in &secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "`saasctl {}` printed a secret:\n{shown}",
                args.join(" ")
            );
        }
    }
    // The commands that reach the registry logged with -vv.
    assert!(logged >= 10, "only {logged} runs logged");
    // Applied: the database holds the binding (keys encrypted), the env file its own keys.
    let staging = std::fs::read_to_string(dir.join(STAGING_ENV)).expect("staging env file");
    assert!(staging.contains(API_KEY), "{staging}");
    assert!(
        staging.contains("ENVIRONMENT_NAME='Luma Stage'"),
        "{staging}"
    );
    assert!(
        db.value("services_connector/services_id/environment_id")
            .is_some()
    );

    let files = stored_files(dir);
    let state = match gateway {
        None => ".saasctl/registry.json",
        Some(_) => "emulator-state.json",
    };
    for name in ["reviewed.json", state, STAGING_ENV] {
        assert!(
            files.contains(&dir.join(name)),
            "{name} not among {files:?}"
        );
    }
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).expect("read")).into_owned();
        let own_keys = file == dir.join(STAGING_ENV);
        for secret in &secrets {
            // The staging installation reads its keys from its env file; nothing else may.
            if own_keys
                && !secret.starts_with(&PASSWORD[..16])
                && !secret.starts_with(&CRYPT_KEY[..16])
            {
                continue;
            }
            assert!(
                !text.contains(secret.as_str()),
                "{} holds a secret",
                file.display()
            );
        }
    }
}

/// [`WITH_TARGETS`] with `target` in place of the production installation's target.
fn with_production_target(target: &str) -> String {
    WITH_TARGETS.replace(
        "    target:\n      mysql:\n        url: {env: LUMA_DATABASE_URL}\n        crypt_key: {env: LUMA_CRYPT_KEY}\n",
        target,
    )
}

/// A database URL written into the YAML, in a target the schema refuses as a whole: the
/// schema error names the place and what fits there, and never quotes the value.
#[test]
fn schema_errors_never_quote_a_secret_written_inline() {
    let password = "correct horse battery staple";
    let url = format!("mysql://mage:{password}@db.internal/magento");
    let yaml = with_production_target(&format!(
        "    target: {{mysql: {{url: \"{url}\", crypt_key: {{env: CK}}}}, colour: red}}\n"
    ));
    let workspace = TestContext::offline(&yaml);
    for format in ["human", "json", "sarif", "github"] {
        let output = workspace.run(&["validate", "--format", format, "--color", "never"]);
        let shown = both(&output);
        assert_eq!(code(&output), 1, "{shown}");
        assert!(
            shown.contains(
                "`environments.production.target` must be `{env_file: PATH}` or `{mysql:"
            ),
            "{shown}"
        );
        assert!(!shown.contains("horse battery"), "{format}: {shown}");
        assert!(!shown.contains("db.internal"), "{format}: {shown}");
    }
}

/// Messages are not guessed at: what a rule or the parser says is shown whole, though it holds
/// PEM markers or long `name=number` runs.
#[test]
fn messages_that_hold_no_secret_are_shown_whole() {
    let public = PrivateKey::from_pem(test_key_pem())
        .expect("test key")
        .public_key()
        .to_pem();
    let workspace = TestContext::offline(&config(
        "    api_key: {env: LUMA_API_KEY}\n    private_key: {file: keys/public.pem}\n",
    ));
    crate::common::write_private(&workspace.path().join("keys/public.pem"), &public);
    let output = workspace.run(&["validate", "--color", "never"]);
    assert!(
        stdout(&output).contains(
            "the private key is a `PUBLIC KEY` PEM block; expected an unencrypted RSA key in PEM form, PKCS#8 `-----BEGIN PRIVATE KEY-----` or PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`"
        ),
        "{}",
        both(&output)
    );

    let mut bomb = String::from("version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..8 {
        let previous = if level == 1 {
            "a".to_owned()
        } else {
            format!("b{}", level - 1)
        };
        let aliases = vec![format!("*{previous}"); 10].join(", ");
        bomb.push_str(&format!("b{level}: &b{level} [{aliases}]\n"));
    }
    std::fs::write(workspace.path().join("bomb.yaml"), bomb).expect("write");
    let output = workspace.run(&["validate", "bomb.yaml", "--color", "never"]);
    assert!(
        stdout(&output).contains("alias replay limit exceeded: total_replayed_events="),
        "{}",
        both(&output)
    );
}

/// A data space named like the API key: masked where the plan is shown, and no plan file is
/// saved with it (a file would hold the key).
#[test]
fn a_plan_holding_a_secret_is_not_saved() {
    // TestContext's key files hold `test-api-key`.
    let yaml = config(
        "    api_key: {file: keys/production.api-key}\n    private_key: {file: keys/production.pem}\n",
    )
    .replace("name: Luma Production", "name: test-api-key");
    let workspace = TestContext::offline(&yaml);
    let output = workspace.run(&["plan", "--out", "plan.json", "--color", "never"]);
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stderr(&output)
            .contains("cannot write plan plan.json: a name or value in it equals a secret"),
        "{}",
        both(&output)
    );
    assert!(!both(&output).contains("test-api-key"), "{}", both(&output));
    assert!(!workspace.path().join("plan.json").exists());
}

/// A password holding `@`, `/`, `#` and `:` unencoded: the URL is refused before anything is
/// sent (SC007 at the reference, exit 3) with the hint to percent-encode, and no part of the
/// password is printed or logged.
#[test]
fn a_database_url_with_reserved_characters_is_refused_without_showing_it() {
    let workspace = TestContext::offline(WITH_TARGETS);
    std::fs::write(workspace.path().join("keys/production.api-key"), API_KEY).expect("api key");
    let output = saasctl()
        .current_dir(workspace.path())
        .env("LUMA_DATABASE_URL", "mysql://u:p@ss/w#rd:X9@host/db")
        .env("LUMA_CRYPT_KEY", CRYPT_KEY)
        .args(["plan", "-vv", "--color", "never"])
        .output()
        .expect("run saasctl");
    let shown = both(&output);
    assert_eq!(code(&output), 3, "{shown}");
    assert!(shown.contains("error[SC007]"), "{shown}");
    assert!(shown.contains("percent-encode"), "{shown}");
    for part in ["rd:X9", "w#rd", "ss/w"] {
        assert!(!shown.contains(part), "{part} in {shown}");
    }
}
