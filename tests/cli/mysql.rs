//! The `mysql` target end to end against a real MariaDB: the binding written in one
//! transaction with the keys encrypted as Magento does, nothing rewritten when nothing changed,
//! drift repaired, a wrong crypt key refused before any write, table prefixes, key versions.

use std::path::Path;
use std::process::Output;

use saasctl::magento::crypt::{CryptKey, Decrypted};

use crate::common::{CRYPT_KEY, TestContext, both, code, saasctl, stderr, stdout};
use crate::mariadb::{self, Database, PASSWORD};

/// Magento 2.4.7's form: a second, `base64` key (key version 1).
const TWO_KEYS: &str =
    "6wRADHwwCBGgdxbcHhovGB0upmg0mbsN\nbase64AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Luma with one installation that has a database target: `env` (tier `tier`) on data space
/// `space`, serving `websites`, its tables under `prefix`.
fn config(env: &str, tier: &str, space: &str, websites: &str, prefix: &str) -> String {
    let production = if env == "production" {
        ""
    } else {
        "  production: {tier: production, data_space: live, websites: [base]}\n"
    };
    format!(
        r#"version: 1
account:
  license: adobe-commerce
  services: [live-search]
keys:
  production:
    api_key: {{file: keys/production.api-key}}
    private_key: {{file: keys/production.pem}}
    gateway: embedded
project:
  name: Luma
  data_spaces:
    live: {{type: production, name: Luma Production}}
    staging: {{type: testing, name: Luma Staging}}
    qa: {{type: testing, name: Luma QA}}
environments:
{production}  {env}:
    tier: {tier}
    data_space: {space}
    websites: {websites}
    target:
      mysql:
        url: {{env: LUMA_DATABASE_URL}}
        crypt_key: {{env: LUMA_CRYPT_KEY}}
        table_prefix: "{prefix}"
"#
    )
}

/// The production installation with its database.
fn yaml(prefix: &str) -> String {
    config("production", "production", "live", "[base]", prefix)
}

/// A staging installation with its database, on one of the testing data spaces.
fn staging_on(space: &str, websites: &str) -> String {
    config("staging", "staging", space, websites, "")
}

/// A workspace with the embedded registry and one MariaDB database, its crypt key in
/// `LUMA_CRYPT_KEY`.
struct Site {
    context: TestContext,
    crypt_key: String,
}

impl Site {
    fn new(prefix: &str, crypt_key: &str) -> Self {
        Self::with_yaml(prefix, crypt_key, &yaml(prefix))
    }

    fn with_yaml(prefix: &str, crypt_key: &str, yaml: &str) -> Self {
        let mut context = TestContext::new().with_database(prefix, "LUMA_DATABASE_URL");
        context.write_yaml(yaml);
        context.set_env("LUMA_CRYPT_KEY", crypt_key);
        Site {
            context,
            crypt_key: crypt_key.to_owned(),
        }
    }

    fn db(&self) -> &Database {
        self.context.database()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.context.run(args)
    }

    fn run_with_key(&self, crypt_key: &str, args: &[&str]) -> Output {
        self.command(crypt_key, args).output().expect("run saasctl")
    }

    fn command(&self, crypt_key: &str, args: &[&str]) -> std::process::Command {
        let mut command = self.context.command(args);
        command.env("LUMA_CRYPT_KEY", crypt_key);
        command
    }

    fn path(&self) -> &Path {
        self.context.path()
    }

    fn write_yaml(&self, yaml: &str) {
        self.context.write_yaml(yaml);
    }

    fn decrypt(&self, path: &str) -> String {
        let stored = self.db().value(path).unwrap_or_else(|| panic!("no {path}"));
        match CryptKey::parse(&self.crypt_key)
            .expect("key")
            .decrypt(&stored)
        {
            Decrypted::Value(bytes) => bytes.as_str().expect("utf-8").to_owned(),
            other => panic!("{path}: {other:?}"),
        }
    }
}

const API_KEY_PATH: &str = "services_connector/services_connector_integration/production_api_key";
const PRIVATE_KEY_PATH: &str =
    "services_connector/services_connector_integration/production_private_key";

#[test]
fn the_binding_is_written_encrypted_once_and_drift_is_repaired() {
    let site = Site::new("", CRYPT_KEY);
    let plan = site.run(&["plan", "--detailed-exitcode", "--color", "never"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(!both(&plan).contains(PASSWORD));

    let apply = site.run(&["apply", "--auto-approve", "--color", "never"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(
        stdout(&apply).contains("bin/magento cache:clean config"),
        "{}",
        both(&apply)
    );
    assert!(!both(&apply).contains(PASSWORD));

    let api_key =
        std::fs::read_to_string(site.path().join("keys/production.api-key")).expect("key");
    let pem = std::fs::read_to_string(site.path().join("keys/production.pem")).expect("pem");
    assert!(
        site.db()
            .value(API_KEY_PATH)
            .expect("stored")
            .starts_with("0:3:")
    );
    assert_eq!(site.decrypt(API_KEY_PATH), api_key.trim());
    assert_eq!(site.decrypt(PRIVATE_KEY_PATH), pem.trim());
    // And libsodium, independently of saasctl, reads the same key material.
    for (path, expected) in [
        (API_KEY_PATH, api_key.trim()),
        (PRIVATE_KEY_PATH, pem.trim()),
    ] {
        let stored = site.db().value(path).expect("stored");
        assert_eq!(
            crate::python::magento_crypt("decrypt", CRYPT_KEY, &stored),
            expected
        );
    }
    assert_eq!(
        site.db().value("magento_saas/environment").as_deref(),
        Some("production")
    );
    assert_eq!(
        site.db()
            .value("services_connector/services_id/environment")
            .as_deref(),
        Some("Production")
    );
    let environment_id = site
        .db()
        .value("services_connector/services_id/environment_id")
        .expect("environment id");
    assert_eq!(environment_id.len(), 36, "{environment_id}");

    // Nothing changed: nothing is written, the encrypted values stay byte for byte.
    let stored = site.db().value(API_KEY_PATH);
    let again = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(stdout(&again).contains("No changes."), "{}", both(&again));
    assert_eq!(site.db().value(API_KEY_PATH), stored);

    // Drift: a name edited in the database is planned as an update and repaired.
    site.db().sql(
        "UPDATE core_config_data SET value = 'Old' WHERE path = 'services_connector/services_id/environment_name'",
    );
    let plan = site.run(&["plan", "--detailed-exitcode", "--color", "never"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        stdout(&plan).contains("environment_name: Old -> Luma Production"),
        "{}",
        both(&plan)
    );
    let repair = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&repair), 0, "{}", both(&repair));
    assert_eq!(
        site.db()
            .value("services_connector/services_id/environment_name")
            .as_deref(),
        Some("Luma Production")
    );
    assert_eq!(
        site.db().value(API_KEY_PATH),
        stored,
        "an unchanged key was rewritten"
    );

    // Websites are read from store_website: a new one changes no config value.
    site.db().add_website("wholesale");
    let plan = site.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
}

#[test]
fn a_key_stored_in_plain_text_is_planned_as_an_update_and_written_encrypted() {
    let site = Site::new("", CRYPT_KEY);
    let apply = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    // As a hand-written row would hold it: Magento reads it (KeyEncrypted falls back), but
    // the Admin never stores it so.
    let api_key = site.decrypt(API_KEY_PATH);
    site.db().sql(&format!(
        "UPDATE core_config_data SET value = '{api_key}' WHERE path = '{API_KEY_PATH}'"
    ));
    let plan = site.run(&["plan", "--detailed-exitcode", "--color", "never"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let line = stdout(&plan)
        .lines()
        .find(|l| l.contains("production_api_key:"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no update of the API key: {}", both(&plan)));
    assert!(
        line.ends_with("(stored unencrypted; Magento's Admin stores it encrypted)"),
        "{line}"
    );
    assert!(!both(&plan).contains(&api_key), "the key itself was shown");
    let json = site.run(&["plan", "--format", "json"]);
    assert!(
        stdout(&json).contains(r#""reason": "stored_unencrypted""#),
        "{}",
        both(&json)
    );

    let apply = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert!(
        site.db()
            .value(API_KEY_PATH)
            .expect("stored")
            .starts_with("0:3:")
    );
    assert_eq!(site.decrypt(API_KEY_PATH), api_key);
    let again = site.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
}

#[test]
fn a_wrong_crypt_key_is_refused_before_anything_is_written() {
    let site = Site::new("", CRYPT_KEY);
    let apply = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let before = site
        .db()
        .sql("SELECT path, value FROM core_config_data ORDER BY path");
    site.db().sql(
        "UPDATE core_config_data SET value = 'Old' WHERE path = 'services_connector/services_id/environment_name'",
    );
    let changed = site
        .db()
        .sql("SELECT path, value FROM core_config_data ORDER BY path");
    let wrong = "uPuzBU067DXTM4PqEi14Sv5tbWjVcRZI";
    let refused = site.run_with_key(wrong, &["apply", "--auto-approve"]);
    assert_eq!(code(&refused), 1, "{}", both(&refused));
    assert!(
        stderr(&refused).contains("crypt_key cannot decrypt"),
        "{}",
        both(&refused)
    );
    assert!(!both(&refused).contains(wrong) && !both(&refused).contains(PASSWORD));
    assert_eq!(
        site.db()
            .sql("SELECT path, value FROM core_config_data ORDER BY path"),
        changed
    );
    assert_ne!(before, changed);
}

#[test]
fn a_table_prefix_and_a_second_base64_key_are_honoured() {
    let site = Site::new("m2_", TWO_KEYS);
    let apply = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    // Written with the last key: key version 1.
    assert!(
        site.db()
            .value(API_KEY_PATH)
            .expect("stored")
            .starts_with("1:3:")
    );
    let api_key =
        std::fs::read_to_string(site.path().join("keys/production.api-key")).expect("key");
    assert_eq!(site.decrypt(API_KEY_PATH), api_key.trim());
    let again = site.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
}

#[test]
fn an_unreachable_database_is_an_error_without_its_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("saasctl.yaml"), yaml("")).expect("yaml");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let output = saasctl()
        .current_dir(dir.path())
        .env(
            "LUMA_DATABASE_URL",
            format!("mysql://saasctl:{PASSWORD}@127.0.0.1:{port}/magento"),
        )
        .env("LUMA_CRYPT_KEY", CRYPT_KEY)
        .args(["plan"])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&output), 1, "{}", both(&output));
    assert!(
        stderr(&output).contains("mysql://saasctl:***@127.0.0.1"),
        "{}",
        both(&output)
    );
    assert!(!both(&output).contains(PASSWORD));
}

#[test]
fn a_move_to_another_data_space_is_refused_then_allowed_with_the_resync_commands() {
    let site = Site::with_yaml("", CRYPT_KEY, &staging_on("staging", "[base]"));
    let apply = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let bound = site
        .db()
        .value("services_connector/services_id/environment_id")
        .expect("bound");

    site.write_yaml(&staging_on("qa", "[base]"));
    let before = site
        .db()
        .sql("SELECT path, value FROM core_config_data ORDER BY path");
    for args in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let refused = site.run(args);
        assert_eq!(code(&refused), 3, "{}", both(&refused));
        assert!(stdout(&refused).contains("[SC030]"), "{}", both(&refused));
    }
    assert_eq!(
        site.db()
            .sql("SELECT path, value FROM core_config_data ORDER BY path"),
        before,
        "a refused plan wrote to the installation"
    );

    let moved = site.run(&["apply", "--auto-approve", "--allow-rebind", "staging"]);
    assert_eq!(code(&moved), 0, "{}", both(&moved));
    let text = stdout(&moved);
    assert!(text.contains("bin/magento cache:clean config"), "{text}");
    assert!(
        text.contains("bin/magento saas:resync --feed products --cleanup-feed"),
        "{text}"
    );
    let now = site
        .db()
        .value("services_connector/services_id/environment_id")
        .expect("bound");
    assert_ne!(now, bound);
    assert_eq!(
        site.db()
            .value("services_connector/services_id/environment_name")
            .as_deref(),
        Some("Luma QA")
    );
}

#[test]
fn installation_websites_are_checked_against_the_declaration() {
    let site = Site::with_yaml("", CRYPT_KEY, &staging_on("staging", "[base, luma_de]"));
    let missing = site.run(&["plan", "--color", "never"]);
    assert_eq!(code(&missing), 3, "{}", both(&missing));
    assert!(stdout(&missing).contains("[SC032]"), "{}", both(&missing));
    assert!(stdout(&missing).contains("luma_de"), "{}", both(&missing));

    site.write_yaml(&staging_on("staging", "[base]"));
    site.db().add_website("wholesale");
    let warned = site.run(&["plan", "--color", "never"]);
    assert_eq!(code(&warned), 0, "{}", both(&warned));
    assert!(stdout(&warned).contains("[SC034]"), "{}", both(&warned));
    assert!(stdout(&warned).contains("wholesale"), "{}", both(&warned));
}

/// The connection dropped mid-transaction: a second client holds the lock of a row the binding
/// writes after others, the apply's connection is killed while it waits there, and the
/// database keeps none of the rows it had written; the next apply writes them all.
#[test]
fn a_connection_killed_mid_transaction_writes_nothing_and_the_next_apply_completes() {
    use std::process::Stdio;

    let site = Site::new("", CRYPT_KEY);
    const NAME_PATH: &str = "services_connector/services_id/environment_name";
    let binding_rows = || {
        site.db().sql(
            "SELECT COUNT(*) FROM core_config_data WHERE path LIKE 'services_connector/%' \
             OR path LIKE 'magento_saas/%'",
        )
    };
    let lock = site.db().lock_row(NAME_PATH, "Old");
    let apply = site
        .command(
            &site.crypt_key,
            &["apply", "--auto-approve", "--color", "never"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start apply");
    site.db()
        .sql(&format!("KILL {}", site.db().waiting_writer()));
    let killed = apply.wait_with_output().expect("apply ends");
    let text = both(&killed);
    assert_eq!(code(&killed), 1, "{text}");
    assert!(
        !text.contains(PASSWORD) && !text.contains(CRYPT_KEY),
        "{text}"
    );
    drop(lock);
    // Rolled back whole: only the row that was there before.
    assert_eq!(binding_rows().trim(), "1");
    assert_eq!(site.db().value(NAME_PATH).as_deref(), Some("Old"));

    let again = site.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert_eq!(
        site.db().value(NAME_PATH).as_deref(),
        Some("Luma Production")
    );
    // The key set, the two production keys, the five services_id values.
    assert_eq!(binding_rows().trim(), "8");
    let api_key =
        std::fs::read_to_string(site.path().join("keys/production.api-key")).expect("key");
    assert_eq!(site.decrypt(API_KEY_PATH), api_key.trim());
    let plan = site.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}", both(&plan));
}

/// A database user that may read but not write `core_config_data`: the merchant is refused
/// before anything is sent, naming the missing privilege; with the writable user the plan still
/// has everything to do (the registry was never changed).
#[test]
fn a_read_only_database_user_refuses_the_merchant_before_anything_is_sent() {
    let mut registry = TestContext::with_registry().with_database("", "LUMA_DATABASE_URL");
    registry.set_env("LUMA_CRYPT_KEY", CRYPT_KEY);
    let db = registry.database();
    registry.write_yaml(&yaml(""));
    let reader = format!("ro_{}", db.name);
    mariadb::server()
        .root_sql(&format!(
            "CREATE USER '{reader}'@'127.0.0.1' IDENTIFIED BY 'Ro-pw-5e1d'; \
             GRANT SELECT ON {}.* TO '{reader}'@'127.0.0.1';",
            db.name
        ))
        .expect("create the read-only user");
    let read_only = db.url().replace(
        &format!("saasctl:{PASSWORD}@"),
        &format!("{reader}:Ro-pw-5e1d@"),
    );
    let run = |url: &str, args: &[&str]| {
        registry
            .command(args)
            .env("SAASCTL_GATEWAY", registry.url())
            .env("LUMA_DATABASE_URL", url)
            .output()
            .expect("run saasctl")
    };
    for args in [&["plan"][..], &["apply", "--auto-approve"]] {
        let output = run(&read_only, args);
        assert_eq!(code(&output), 1, "{args:?}: {}", both(&output));
        let shown = both(&output);
        assert!(
            shown.contains("the database user cannot update core_config_data")
                && shown.contains("grant it SELECT, INSERT and UPDATE"),
            "{args:?}: {shown}"
        );
        assert!(!shown.contains("Ro-pw-5e1d"), "{shown}");
    }
    // The registry's own count: not one request was sent.
    assert_eq!(registry.requests(), 0);
    assert_eq!(db.value(API_KEY_PATH), None);
    let plan = run(&db.url(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    assert!(
        stdout(&plan).contains("+ project.saasctl"),
        "{}",
        both(&plan)
    );
    assert!(registry.requests() > 0);
}

/// Another saasctl writing the same database (two configurations may share one): the write
/// waits for its named lock, then goes through whole.
#[test]
fn a_write_waits_while_another_saasctl_writes_the_database() {
    let site = Site::new("", CRYPT_KEY);
    let holder = site.db().hold_write_lock();
    let apply = site
        .command(CRYPT_KEY, &["apply", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start apply");
    let started = std::time::Instant::now();
    while !site.db().writer_waits_for_the_lock() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the apply never waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(site.db().value(API_KEY_PATH), None, "written while locked");
    drop(holder);
    let output = apply.wait_with_output().expect("wait");
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert!(site.db().value(API_KEY_PATH).is_some());
}

/// Two configurations writing one database: an apply paused after planning while another
/// rebinds the installation still leaves it wholly as one of them, never mixed (what to write is
/// decided under the database's write lock, against the rows as they are then).
#[test]
fn two_configurations_writing_one_database_never_leave_it_mixed() {
    // One registry (a process both configurations reach) and one database.
    let mut registry = TestContext::with_registry().with_database("", "LUMA_DATABASE_URL");
    registry.set_env("LUMA_CRYPT_KEY", CRYPT_KEY);
    let db = registry.database();
    registry.write_yaml(&staging_on("staging", "[base]"));
    std::fs::write(registry.path().join("b.yaml"), staging_on("qa", "[base]")).expect("b.yaml");
    let command = |args: &[&str]| {
        let mut command = registry.command(args);
        command.env("SAASCTL_GATEWAY", registry.url());
        command
    };
    let run = |args: &[&str]| registry.run(args);
    let first = run(&["apply", "--auto-approve"]);
    assert_eq!(code(&first), 0, "{}", both(&first));
    let id_path = "services_connector/services_id/environment_id";
    let name_path = "services_connector/services_id/environment_name";
    let staging_id = db.value(id_path).expect("bound");
    // One value drifted: this apply plans to write that one path only.
    db.sql(&format!(
        "UPDATE core_config_data SET value = 'Old' WHERE path = '{name_path}'"
    ));
    let markers = tempfile::tempdir().expect("marker dir");
    let marker = markers.path().join("paused");
    let paused = command(&["apply", "--auto-approve"])
        .env("SAASCTL_TEST_PAUSE_AT", "installation-0")
        .env("SAASCTL_TEST_PAUSE_MARKER", &marker)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start apply");
    let started = std::time::Instant::now();
    while !marker.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the apply never paused"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Meanwhile the other configuration moves the installation to its data space.
    let other = run(&[
        "apply",
        "b.yaml",
        "--auto-approve",
        "--allow-rebind",
        "staging",
    ]);
    assert_eq!(code(&other), 0, "{}", both(&other));
    assert_ne!(db.value(id_path), Some(staging_id.clone()));
    std::fs::remove_file(&marker).expect("resume");
    let output = paused.wait_with_output().expect("wait");
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        (db.value(id_path), db.value(name_path)),
        (Some(staging_id), Some("Luma Staging".to_owned())),
        "the installation holds a mix of both configurations"
    );
}
