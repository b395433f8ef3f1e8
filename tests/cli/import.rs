//! `saasctl init` then `saasctl import` end to end: a setup clicked together in the Admin (a
//! project with custom names in the registry emulator, installations bound in a real MariaDB
//! and in an env file) adopted into YAML that plans to "No changes."; an account with two
//! projects; a live setup that breaks SC002 imported as found and flagged by validate.

use std::path::Path;
use std::process::Output;

use saasctl::config::{DataSpaceType, EnvFileFormat, KeySetName, SecretValue};
use saasctl::magento::binding::{Binding, BindingInput, KeyValues};
use saasctl::magento::crypt::CryptKey;
use saasctl::magento::env_file;
use saasctl::registry::wire::Row;

use crate::common::{CRYPT_KEY, TestContext, row};
use crate::common::{both, code, stderr, stdout};
use crate::mariadb::{self, Database, PASSWORD};
use crate::saasctl_snapshot;

/// saasctl in the registry's workspace with the variables the skeleton of `Luma` names.
fn run(registry: &TestContext, db: Option<&Database>, args: &[&str]) -> Output {
    let mut command = registry.command(args);
    command
        .env("SAASCTL_GATEWAY", registry.url())
        .env("LUMA_PRODUCTION_API_KEY", registry.api_key())
        .env("LUMA_PRODUCTION_PRIVATE_KEY", registry.private_key())
        .env("LUMA_PRODUCTION_CRYPT_KEY", CRYPT_KEY);
    if let Some(db) = db {
        command.env("LUMA_PRODUCTION_DATABASE_URL", db.url());
    }
    command.output().expect("run saasctl")
}

/// What the Admin stores when an installation is bound to the data space of `space`.
fn binding(registry: &TestContext, space: &Row) -> Binding {
    Binding::new(BindingInput {
        key_set: KeySetName::Production,
        key_sets: vec![(
            KeySetName::Production,
            KeyValues {
                api_key: SecretValue::new(registry.api_key()),
                private_key: SecretValue::new(registry.private_key()),
            },
        )],
        project_id: Some(space.project_id.clone()),
        project_name: space.project_name.clone(),
        data_space_id: Some(space.environment_id.clone()),
        data_space_name: space.environment_name.clone(),
        data_space_type: match space.environment_type {
            saasctl::registry::wire::EnvironmentType::Production => DataSpaceType::Production,
            saasctl::registry::wire::EnvironmentType::Testing => DataSpaceType::Testing,
        },
    })
    .expect("binding")
}

/// Binds the installation whose database is `db` as the Admin does: the keys encrypted.
fn bind_database(db: &Database, binding: &Binding) {
    let crypt = CryptKey::parse(CRYPT_KEY).expect("crypt key");
    for entry in binding.entries() {
        let value = if entry.is_secret() {
            crypt.encrypt(entry.expose()).expect("encrypt")
        } else {
            entry.expose().to_owned()
        };
        db.sql(&format!(
            "INSERT INTO core_config_data (scope, scope_id, path, value) VALUES ('default', 0, '{}', '{}')",
            entry.path,
            value.replace('\'', "''")
        ));
    }
}

/// Binds the installation configured by the env file at `path`.
fn bind_env_file(path: &Path, binding: &Binding) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("env dir");
    env_file::write(path, EnvFileFormat::Dotenv, binding).expect("write env file");
}

/// The skeleton with its commented targets made live: `# ` removed after `prefix`.
fn uncomment(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix(prefix) {
            Some(rest) if rest.starts_with("target") || rest.starts_with("  ") => {
                format!("{}{rest}\n", prefix.trim_end_matches("# "))
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

fn init(registry: &TestContext) -> String {
    let init = run(registry, None, &["init", "--merchant", "Luma"]);
    assert_eq!(code(&init), 0, "{}", both(&init));
    std::fs::read_to_string(registry.path().join("saasctl.yaml")).expect("skeleton")
}

#[test]
fn a_clicked_setup_is_adopted_and_plans_no_changes() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma Store EU");
    for (old, new) in [
        ("Production", "EU Live"),
        ("Testing 1", "EU Stage"),
        ("Testing 2", "EU Preview"),
    ] {
        registry.rename_data_space(&row(&created, old).environment_id, new);
    }
    let rows = registry.rows();
    let db = mariadb::server().database("");
    db.add_website("wholesale");
    bind_database(&db, &binding(&registry, row(&rows, "EU Live")));
    bind_env_file(
        &registry.path().join("deploy/staging.env"),
        &binding(&registry, row(&rows, "EU Stage")),
    );

    let skeleton = init(&registry);
    let targeted = uncomment(&skeleton, "    # ");
    std::fs::write(registry.path().join("saasctl.yaml"), &targeted).expect("write");

    let import = run(&registry, Some(&db), &["import", "--yes"]);
    assert_eq!(code(&import), 0, "{}", both(&import));
    assert!(!both(&import).contains(PASSWORD));
    saasctl_snapshot!("import_clicked", import);
    let imported = std::fs::read_to_string(registry.path().join("saasctl.yaml")).expect("read");
    insta::with_settings!({filters => crate::common::FILTERS.to_vec()}, {
        insta::assert_snapshot!("import_clicked_yaml", imported);
    });
    // Every comment is kept where it was.
    for line in targeted.lines().filter(|l| l.contains('#')) {
        assert!(imported.contains(line), "lost {line:?}:\n{imported}");
    }

    let validate = run(&registry, Some(&db), &["validate"]);
    assert_eq!(code(&validate), 0, "{}", both(&validate));
    let plan = run(
        &registry,
        Some(&db),
        &["plan", "--detailed-exitcode", "--color", "never"],
    );
    assert_eq!(code(&plan), 0, "{}", both(&plan));
    assert!(stdout(&plan).contains("\nNo changes."), "{}", both(&plan));

    // Nothing more to import.
    let again = run(&registry, Some(&db), &["import"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(
        stdout(&again).contains("saasctl.yaml: nothing to import"),
        "{}",
        both(&again)
    );
}

#[test]
fn an_account_with_two_projects_needs_a_choice() {
    let registry = TestContext::with_registry();
    registry.initialize("Luma Store");
    let outlet = registry.initialize("Luma Outlet");
    let skeleton = init(&registry);
    // With its variables set, the skeleton is valid as it is.
    let validate = run(&registry, None, &["validate"]);
    assert_eq!(code(&validate), 0, "{}", both(&validate));

    let refused = run(&registry, None, &["import"]);
    assert_eq!(code(&refused), 1, "{}", both(&refused));
    saasctl_snapshot!(refused, @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: saasctl.yaml: the account holds several projects and nothing says which one the file describes; choose one with --project NAME|ID:
      [ID]  Luma Outlet
      [ID]  Luma Store
    "#);

    // Chosen, but not on a terminal and without --yes: the diff is shown, nothing written.
    let shown = run(&registry, None, &["import", "--project", "luma outlet"]);
    assert_eq!(code(&shown), 1, "{}", both(&shown));
    saasctl_snapshot!("import_diff_not_written", shown);
    let path = registry.path().join("saasctl.yaml");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), skeleton);

    let by_id = run(
        &registry,
        None,
        &["import", "--project", &outlet[0].project_id, "--yes"],
    );
    assert_eq!(code(&by_id), 0, "{}", both(&by_id));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains(&format!(
            "  name: Luma Outlet\n  id: {}\n",
            outlet[0].project_id
        )),
        "{text}"
    );
    let plan = run(&registry, None, &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
}

#[test]
fn a_staging_installation_on_production_is_imported_and_flagged() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    bind_env_file(
        &registry.path().join("deploy/staging.env"),
        &binding(&registry, row(&created, "Production")),
    );
    let skeleton = init(&registry);
    let targeted = skeleton.replace("    # target: {env_file", "    target: {env_file");
    std::fs::write(registry.path().join("saasctl.yaml"), &targeted).expect("write");

    // Quiet, and nothing to ask: no diff, only what was written.
    let import = run(&registry, None, &["import", "--yes", "--quiet"]);
    assert_eq!(code(&import), 0, "{}", both(&import));
    assert_eq!(stdout(&import), "", "{}", both(&import));
    let text = std::fs::read_to_string(registry.path().join("saasctl.yaml")).expect("read");
    assert!(
        text.contains("    tier: staging\n    data_space: live\n"),
        "{text}"
    );
    let validate = run(&registry, None, &["validate", "--color", "never"]);
    assert_eq!(code(&validate), 1, "{}", both(&validate));
    assert!(
        stdout(&validate).contains("error[SC002]"),
        "{}",
        both(&validate)
    );
    saasctl_snapshot!("import_sc002_validate", validate);
}

#[test]
fn init_never_overwrites_and_needs_a_merchant_off_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = crate::common::run_in(dir.path(), &["init"]);
    assert_eq!(code(&output), 64, "{}", stderr(&output));
    saasctl_snapshot!(output, @r#"
    success: false
    exit_code: 64
    ----- stdout -----

    ----- stderr -----
    error: not on a terminal: pass --merchant NAME (and --license, default adobe-commerce)
    "#);
    let output = crate::common::run_in(
        dir.path(),
        &[
            "init",
            "--merchant",
            "Luma",
            "--license",
            "magento-open-source",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let written = std::fs::read_to_string(dir.path().join("saasctl.yaml")).expect("read");
    insta::assert_snapshot!("init_magento_open_source", written);
    let again = crate::common::run_in(dir.path(), &["init", "--merchant", "Other"]);
    assert_eq!(code(&again), 64, "{}", stderr(&again));
    saasctl_snapshot!(again, @r#"
    success: false
    exit_code: 64
    ----- stdout -----

    ----- stderr -----
    error: saasctl.yaml already exists; saasctl init never overwrites a file: choose another --out, or adopt the live setup into it with `saasctl import saasctl.yaml`
    "#);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("saasctl.yaml")).expect("read"),
        written
    );
}

#[test]
fn on_a_terminal_import_asks_which_project_and_whether_to_write() {
    let registry = TestContext::with_registry();
    let store = registry.initialize("Luma Store");
    registry.initialize("Luma Outlet");
    init(&registry);
    let mut command = registry.command(&["import", "--color", "never"]);
    command
        .env("SAASCTL_GATEWAY", registry.url())
        .env("LUMA_PRODUCTION_API_KEY", registry.api_key())
        .env("LUMA_PRODUCTION_PRIVATE_KEY", registry.private_key());
    // The projects are listed by name: 2 is Luma Store.
    let output = crate::common::on_terminal(&command, "2\nyes\n");
    assert_eq!(code(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    assert!(text.contains("  2) Luma Store  "), "{text}");
    assert!(
        text.contains("Write these changes? Only 'yes' is accepted: "),
        "{text}"
    );
    assert!(text.contains("Wrote saasctl.yaml."), "{text}");
    let yaml = std::fs::read_to_string(registry.path().join("saasctl.yaml")).expect("read");
    assert!(
        yaml.contains(&format!(
            "  name: Luma Store\n  id: {}\n",
            store[0].project_id
        )),
        "{yaml}"
    );
}

#[test]
fn on_a_terminal_init_asks_for_the_merchant_and_the_licence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = crate::common::saasctl();
    command.current_dir(dir.path()).arg("init");
    let output = crate::common::on_terminal(&command, "Luma Store\nmagento-open-source\n");
    assert_eq!(code(&output), 0, "{}", both(&output));
    let yaml = std::fs::read_to_string(dir.path().join("saasctl.yaml")).expect("read");
    assert!(yaml.contains("  name: Luma Store\n"), "{yaml}");
    assert!(yaml.contains("license: magento-open-source"), "{yaml}");
    assert!(
        yaml.contains("{env: LUMA_STORE_PRODUCTION_API_KEY}"),
        "{yaml}"
    );
}

#[test]
fn a_file_with_errors_or_a_project_for_several_files_is_refused_before_connecting() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.yaml"), "version: 1\nproject: 5\n").expect("write");
    let broken = crate::common::run_in(dir.path(), &["import", "a.yaml", "--color", "never"]);
    assert_eq!(code(&broken), 1, "{}", both(&broken));
    assert!(
        stderr(&broken).contains("error[SC000]"),
        "{}",
        both(&broken)
    );
    assert!(
        stderr(&broken).contains("error: a.yaml: the file has errors; fix them, then import"),
        "{}",
        both(&broken)
    );
    std::fs::write(dir.path().join("b.yaml"), "version: 1\n").expect("write");
    let several = crate::common::run_in(
        dir.path(),
        &["import", "a.yaml", "b.yaml", "--project", "Luma"],
    );
    assert_eq!(code(&several), 64, "{}", both(&several));
    saasctl_snapshot!(several, @r#"
    success: false
    exit_code: 64
    ----- stdout -----

    ----- stderr -----
    error: --project chooses the project of one file, and 2 files were given
    "#);
    // `init --out -` prints the skeleton and writes nothing.
    let printed = crate::common::run_in(dir.path(), &["init", "--merchant", "Luma", "--out", "-"]);
    assert_eq!(code(&printed), 0, "{}", both(&printed));
    assert!(stdout(&printed).starts_with("# yaml-language-server: $schema="));
    assert!(!dir.path().join("-").exists());
}

/// A live data space named like the API key: imported, the name would put the key into a file
/// kept in git. Nothing is written, and the key is not printed.
#[test]
fn a_live_name_equal_to_a_secret_is_not_imported() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    registry.rename_data_space(
        &row(&created, "Testing 1").environment_id,
        registry.api_key(),
    );
    let skeleton = init(&registry);
    let import = run(&registry, None, &["import", "--yes"]);
    assert_eq!(code(&import), 1, "{}", both(&import));
    assert!(
        stderr(&import).contains("a name to import equals a secret"),
        "{}",
        both(&import)
    );
    assert!(
        !both(&import).contains(registry.api_key()),
        "{}",
        both(&import)
    );
    let after = std::fs::read_to_string(registry.path().join("saasctl.yaml")).expect("read");
    assert_eq!(after, skeleton);
}
