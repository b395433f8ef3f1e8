//! The emulator's key portal end to end: what `GET /` tells, and a key rotated within one
//! account (`keys generate --account`) carried through the registry and two Magento databases.

use std::path::Path;
use std::process::Output;

use saasctl::config::SecretValue;
use saasctl::keys::PrivateKey;
use saasctl::magento::crypt::{CryptKey, Decrypted};
use saasctl::registry::{RegistryClient, RegistryError};

use crate::common::{CRYPT_KEY, TestContext, both, code, stderr, stdout};
use crate::emulator_process::EmulatorProcess;

const API_KEY_PATH: &str = "services_connector/services_connector_integration/production_api_key";
const PRIVATE_KEY_PATH: &str =
    "services_connector/services_connector_integration/production_private_key";

#[test]
fn the_emulators_root_describes_the_registry_and_the_portal() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = EmulatorProcess::start(&dir.path().join("state.json"), &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, content_type, page) = runtime.block_on(async {
        let response = reqwest::get(&emulator.url).await.unwrap();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        (
            response.status(),
            content_type,
            response.text().await.unwrap(),
        )
    });
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; charset=utf-8");
    for route in [
        "GET   /merchant-registry/v1/ping ",
        "GET   /merchant-registry/v1/registry ",
        "GET   /merchant-registry/v1/registry/projects/{projectId} ",
        "PATCH /merchant-registry/v1/registry/projects/{projectId} ",
        "POST  /merchant-registry/v1/registry/initialize ",
        "GET   /merchant-registry/v1/registry/environments/{environmentId} ",
        "PATCH /merchant-registry/v1/registry/environments/{environmentId} ",
        "POST  /merchant-registry/v1/registry/environments/{environmentId}/cleanup ",
        "PUT   /merchant-registry/v1/registry/environments/{environmentId}/cloudid/{cloudId} ",
        "POST  /portal/accounts ",
        "POST  /portal/accounts/{mageId}/keys ",
        "GET   /portal/requests ",
    ] {
        assert!(page.contains(route), "{route:?} missing from:\n{page}");
    }
    assert!(page.contains("revoking the account's"), "{page}");
}

/// Luma with two installations whose Magento databases are targets, on `key`'s files.
fn luma(key: &str) -> String {
    format!(
        r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {{file: keys/{key}.api-key}}
    private_key: {{file: keys/{key}.pem}}
project:
  name: Luma
  data_spaces:
    live: {{type: production, name: Luma Production}}
    staging: {{type: testing, name: Luma Staging}}
environments:
  production:
    tier: production
    data_space: live
    websites: [base]
    target:
      mysql: {{url: {{env: PRODUCTION_DATABASE_URL}}, crypt_key: {{env: CRYPT_KEY}}}}
  staging:
    tier: staging
    data_space: staging
    websites: [base]
    target:
      mysql: {{url: {{env: STAGING_DATABASE_URL}}, crypt_key: {{env: CRYPT_KEY}}}}
"#
    )
}

/// A merchant's test context with its two installations' databases, and its emulator.
struct Merchant {
    context: TestContext,
    emulator: EmulatorProcess,
}

impl Merchant {
    fn new() -> Self {
        let mut context = TestContext::new()
            .with_database("", "PRODUCTION_DATABASE_URL")
            .with_database("", "STAGING_DATABASE_URL");
        context.set_env("CRYPT_KEY", CRYPT_KEY);
        let emulator = EmulatorProcess::start(&context.path().join("emulator/state.json"), &[]);
        Self { context, emulator }
    }

    fn path(&self) -> &Path {
        self.context.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.context
            .command(args)
            .env("SAASCTL_GATEWAY", &self.emulator.url)
            .output()
            .expect("run saasctl")
    }

    /// `keys generate` against the emulator with `args`; asserts it succeeded.
    fn generate(&self, args: &[&str]) -> Output {
        let url = self.emulator.url.clone();
        let mut all = vec!["keys", "generate", "--emulator", &url, "--out", "keys"];
        all.extend(args);
        let output = self.run(&all);
        assert_eq!(code(&output), 0, "{}", both(&output));
        output
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    /// What each installation's database holds at `path`, decrypted.
    fn stored(&self, path: &str) -> Vec<String> {
        let key = CryptKey::parse(CRYPT_KEY).unwrap();
        self.context
            .databases()
            .iter()
            .map(|db| {
                let value = db.value(path).unwrap_or_else(|| panic!("no {path}"));
                match key.decrypt(&value) {
                    Decrypted::Value(bytes) => bytes.as_str().unwrap().to_owned(),
                    other => panic!("{path}: {other:?}"),
                }
            })
            .collect()
    }

    /// Whether the registry takes `key`'s pair: `ping` through the registry client.
    fn registry_accepts(&self, key: &str) -> Result<(), RegistryError> {
        let api_key = SecretValue::new(self.read(&format!("keys/{key}.api-key")).trim());
        let private_key = PrivateKey::from_pem(&self.read(&format!("keys/{key}.pem"))).unwrap();
        let client = RegistryClient::new(&self.emulator.url, &api_key, &private_key).unwrap();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(client.ping())
    }
}

/// The mageId `keys generate` names on stderr: `… account MAG123456789 …`.
fn mage_id(output: &Output) -> String {
    stderr(output)
        .split_whitespace()
        .find(|word| word.starts_with("MAG"))
        .unwrap_or_else(|| panic!("no mageId in {}", both(output)))
        .to_owned()
}

#[test]
fn a_key_rotated_in_its_account_is_planned_and_applied_to_every_installation() {
    let merchant = Merchant::new();

    // Key A: a new account, applied to both installations.
    let a = merchant.generate(&["--license", "adobe-commerce"]);
    let account = mage_id(&a);
    assert!(
        stderr(&a).contains(&format!(
            "registered account {account} with a production key"
        )),
        "{}",
        both(&a)
    );
    std::fs::write(merchant.path().join("saasctl.yaml"), luma("production")).unwrap();
    let apply = merchant.run(&["apply", "--auto-approve", "--color", "never"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    let (api_key_a, pem_a) = (
        merchant.read("keys/production.api-key"),
        merchant.read("keys/production.pem"),
    );
    assert_eq!(merchant.stored(API_KEY_PATH), [api_key_a.trim(); 2]);

    // Key B in the same account: A is revoked, and the registry refuses it.
    let b = merchant.generate(&["--account", &account, "--name", "rotated"]);
    assert!(
        stderr(&b).contains(&format!("added a production key to account {account}")),
        "{}",
        both(&b)
    );
    assert!(
        stderr(&b).contains("previous production key is revoked"),
        "{}",
        both(&b)
    );
    let api_key_b = merchant.read("keys/rotated.api-key");
    assert_eq!(stdout(&b), api_key_b);
    assert_ne!(api_key_b, api_key_a);
    let refused = merchant.registry_accepts("production").unwrap_err();
    assert!(
        matches!(refused, RegistryError::KeysNotValid { .. }),
        "{refused}"
    );
    merchant.registry_accepts("rotated").unwrap();
    let stale = merchant.run(&["plan", "--color", "never"]);
    assert_eq!(code(&stale), 1, "{}", both(&stale));
    assert!(
        stderr(&stale).contains("the API key and private key are not valid for this gateway"),
        "the old key's refusal: {}",
        both(&stale)
    );

    // The YAML points at B: the same project, each installation's two key values updated
    // (shown by fingerprint, never the key).
    std::fs::write(merchant.path().join("saasctl.yaml"), luma("rotated")).unwrap();
    let plan = merchant.run(&["plan", "--detailed-exitcode", "--color", "never"]);
    assert_eq!(code(&plan), 2, "{}", both(&plan));
    let text = stdout(&plan);
    for path in [API_KEY_PATH, PRIVATE_KEY_PATH] {
        let updates: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&format!("{path}: ")))
            .collect();
        assert_eq!(updates.len(), 2, "{path} in each installation:\n{text}");
        for update in updates {
            let (old, new) = update.split_once(" -> ").unwrap();
            assert_ne!(old, new, "{text}");
        }
    }
    assert!(
        text.contains("Plan: 0 to create, 0 to rename, 2 to update."),
        "{text}"
    );
    assert!(!both(&plan).contains(api_key_b.trim()), "{}", both(&plan));

    let apply = merchant.run(&["apply", "--auto-approve", "--color", "never"]);
    assert_eq!(code(&apply), 0, "{}", both(&apply));
    assert_eq!(merchant.stored(API_KEY_PATH), [api_key_b.trim(); 2]);
    let pem_b = merchant.read("keys/rotated.pem");
    assert_ne!(pem_b, pem_a);
    assert_eq!(merchant.stored(PRIVATE_KEY_PATH), [pem_b.trim(); 2]);
    let again = merchant.run(&["plan", "--detailed-exitcode", "--color", "never"]);
    assert_eq!(code(&again), 0, "{}", both(&again));
    assert!(stdout(&again).contains("No changes."), "{}", both(&again));

    // A sandbox key for the account revokes no production key.
    let sandbox = merchant.generate(&["--account", &account, "--environment", "sandbox"]);
    assert!(!stderr(&sandbox).contains("revoked"), "{}", both(&sandbox));
    merchant.registry_accepts("sandbox").unwrap();
    let still = merchant.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&still), 0, "{}", both(&still));

    // An unknown account: refused with the mageId named, and no file written.
    let unknown = merchant.run(&[
        "keys",
        "generate",
        "--emulator",
        &merchant.emulator.url,
        "--account",
        "MAG000000000",
        "--name",
        "nobody",
        "--out",
        "keys",
    ]);
    assert_eq!(code(&unknown), 1, "{}", both(&unknown));
    assert!(
        stderr(&unknown).contains("(404): No account MAG000000000"),
        "{}",
        both(&unknown)
    );
    assert!(!merchant.path().join("keys/nobody.pem").exists());
}
