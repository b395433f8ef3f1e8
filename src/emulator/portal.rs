//! The emulator's key portal, both sides: the accounts and keys it registers, and the client
//! that makes a key pair, registers it (a new account, or another key of an account, which
//! revokes the previous key of its environment) and writes the key files (`saasctl keys
//! generate`, and the embedded mode's provisioning).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::state::{Account, AccountKey, Refusal, api_key_hash};
use crate::config::{KeySetName, License, SecretValue};
use crate::file::io_reason;
use crate::file::write_private;
use crate::keys::{KeyError, PrivateKey, PublicKey};
use crate::registry::{RegistryError, gateway_url};

/// The portal's accounts, as path segments on the emulator.
const ACCOUNTS_PATH: &[&str] = &["portal", "accounts"];

/// `POST /portal/accounts`: a new account with its first key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAccount {
    /// Generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// PEM.
    pub public_key: String,
    pub license: License,
    /// Generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mage_id: Option<String>,
    /// The key's environment; production when absent.
    #[serde(default)]
    pub environment: KeySetName,
}

/// `POST /portal/accounts/{mageId}/keys`: another key for an existing account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewKey {
    /// Generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// PEM.
    pub public_key: String,
    pub environment: KeySetName,
}

/// The portal's answer to both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredAccount {
    pub api_key: String,
    pub license: License,
    pub mage_id: String,
    pub environment: KeySetName,
    /// Whether the account's previous key of this environment was revoked.
    pub revoked_previous: bool,
}

/// Checks a key and fills in its API key when the request leaves it to the portal: the key
/// to store (its API key only as a hash) and the API key, shown once.
fn checked_key(
    public_key: String,
    api_key: Option<String>,
    environment: KeySetName,
) -> Result<(AccountKey, String), Refusal> {
    // Refuses keys under `keys::MIN_BITS`, as SC007 does for configured keys.
    PublicKey::from_pem(&public_key).map_err(|e| Refusal::new(400, e.to_string()))?;
    let api_key = match api_key {
        Some(key) if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(Refusal::new(400, "The API key must be printable ASCII"));
        }
        Some(key) => key,
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let key = AccountKey {
        environment,
        api_key_hash: api_key_hash(&api_key),
        public_key,
        revoked_at: None,
    };
    Ok((key, api_key))
}

/// Checks a registration and fills in what it leaves to the portal: the account to store and
/// the portal's answer.
pub(crate) fn new_account(request: NewAccount) -> Result<(Account, RegisteredAccount), Refusal> {
    let (key, api_key) = checked_key(request.public_key, request.api_key, request.environment)?;
    let mage_id = request
        .mage_id
        .unwrap_or_else(|| format!("MAG{:09}", rand::rng().random_range(0..1_000_000_000u32)));
    let account = Account {
        mage_id: mage_id.clone(),
        license: request.license,
        organization_id: uuid::Uuid::new_v4().to_string(),
        keys: vec![key],
    };
    let registered = RegisteredAccount {
        api_key,
        license: request.license,
        mage_id,
        environment: request.environment,
        revoked_previous: false,
    };
    Ok((account, registered))
}

/// Checks a new key for an account: the key to store and its API key.
pub(crate) fn new_key(request: NewKey) -> Result<(AccountKey, String), Refusal> {
    checked_key(request.public_key, request.api_key, request.environment)
}

/// A failure to make, register or save a key pair. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error(transparent)]
    Url(#[from] RegistryError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("cannot generate an RSA key pair: {0}")]
    KeyGeneration(String),
    #[error("`{0}` is not a usable key name (letters, digits, `-`, `_`, `.`)")]
    InvalidName(String),
    #[error("{0} already exists; remove it or choose another --name")]
    Exists(String),
    #[error("cannot reach the key portal at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the key portal refused the key ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// A new RSA-2048 key from the OS's random source. Generating is CPU-bound for a noticeable
/// time: it runs off the async workers.
pub async fn generate_key() -> Result<PrivateKey, PortalError> {
    tokio::task::spawn_blocking(PrivateKey::generate)
        .await
        .map_err(|e| PortalError::KeyGeneration(e.to_string()))?
        .map_err(PortalError::from)
}

/// Registers a public key as a new account with the portal of the emulator at `emulator_url`.
pub async fn register(
    emulator_url: &str,
    account: &NewAccount,
) -> Result<RegisteredAccount, PortalError> {
    post(emulator_url, &[], account).await
}

/// Adds a key to the account `mage_id` at the portal of the emulator at `emulator_url`; the
/// account's previous key of that environment is revoked.
pub async fn add_key(
    emulator_url: &str,
    mage_id: &str,
    key: &NewKey,
) -> Result<RegisteredAccount, PortalError> {
    post(emulator_url, &[mage_id, "keys"], key).await
}

/// POSTs `body` to the portal's `accounts/…` path, the `segments` escaped.
async fn post(
    emulator_url: &str,
    segments: &[&str],
    body: &impl Serialize,
) -> Result<RegisteredAccount, PortalError> {
    let mut url = gateway_url(emulator_url)?;
    url.path_segments_mut()
        .map_err(|()| RegistryError::InvalidGateway {
            url: emulator_url.to_owned(),
            reason: "it cannot have a path".to_owned(),
        })?
        .pop_if_empty()
        .extend(ACCOUNTS_PATH.iter().chain(segments));
    let unreachable = |e: reqwest::Error| PortalError::Unreachable {
        url: url.to_string(),
        reason: e.without_url().to_string(),
    };
    let http = reqwest::Client::builder()
        // As the registry client: what answers is where it was sent, never elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(unreachable)?;
    let response = http
        .post(url.clone())
        .json(body)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let message = serde_json::from_slice::<crate::registry::wire::ErrorBody>(&body)
            .map(|b| b.message)
            .unwrap_or_else(|_| status.canonical_reason().unwrap_or_default().to_owned());
        return Err(PortalError::Refused {
            status: status.as_u16(),
            message,
        });
    }
    serde_json::from_slice(&body).map_err(|e| PortalError::Refused {
        status: status.as_u16(),
        message: format!("unexpected answer: {e}"),
    })
}

/// Where [`provision`] registers a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    /// A new account of this licence, as the portal's "Add New" makes one.
    NewAccount(License),
    /// The existing account with this mageId: its previous key of the environment is revoked.
    Account(String),
}

/// The files and API key of a provisioned key set.
#[derive(Debug)]
pub struct ProvisionedKeys {
    pub api_key: SecretValue,
    pub mage_id: String,
    /// Whether the account's previous key of the environment was revoked.
    pub revoked_previous: bool,
    /// `DIR/NAME.pem`, PKCS#8.
    pub private_key_path: PathBuf,
    /// `DIR/NAME.api-key`.
    pub api_key_path: PathBuf,
}

/// Makes a key pair of `environment`, registers it with the emulator for `owner`, and writes
/// `DIR/NAME.pem` and `DIR/NAME.api-key` (mode 0600). Existing files are never overwritten;
/// nothing is written unless the portal accepted the key.
pub async fn provision(
    emulator_url: &str,
    owner: &KeyOwner,
    environment: KeySetName,
    name: &str,
    out_dir: &Path,
) -> Result<ProvisionedKeys, PortalError> {
    let valid_name = !name.is_empty()
        && name.trim_matches('.').len() == name.len()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !valid_name {
        return Err(PortalError::InvalidName(name.to_owned()));
    }
    let private_key_path = out_dir.join(format!("{name}.pem"));
    let api_key_path = out_dir.join(format!("{name}.api-key"));
    for path in [&private_key_path, &api_key_path] {
        if path.exists() {
            return Err(PortalError::Exists(path.display().to_string()));
        }
    }
    let key = generate_key().await?;
    let public_key = key.public_key().to_pem();
    let registered = match owner {
        KeyOwner::NewAccount(license) => {
            let account = NewAccount {
                api_key: None,
                public_key,
                license: *license,
                mage_id: None,
                environment,
            };
            register(emulator_url, &account).await?
        }
        KeyOwner::Account(mage_id) => {
            let key = NewKey {
                api_key: None,
                public_key,
                environment,
            };
            add_key(emulator_url, mage_id, &key).await?
        }
    };
    let write = |path: &Path, contents: &str| {
        write_private(path, contents.as_bytes()).map_err(|e| PortalError::Write {
            path: path.display().to_string(),
            reason: io_reason(&e),
        })
    };
    crate::file::create_private_dir(out_dir).map_err(|e| PortalError::Write {
        path: out_dir.display().to_string(),
        reason: io_reason(&e),
    })?;
    write(&private_key_path, &key.to_pkcs8_pem())?;
    write(&api_key_path, &format!("{}\n", registered.api_key))?;
    Ok(ProvisionedKeys {
        api_key: SecretValue::new(registered.api_key),
        mage_id: registered.mage_id,
        revoked_previous: registered.revoked_previous,
        private_key_path,
        api_key_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::fixtures::TEST_PUBLIC_PEM;

    fn public_pem() -> String {
        TEST_PUBLIC_PEM.to_owned()
    }

    #[test]
    fn accounts_get_generated_keys_and_ids() {
        let (account, registered) = new_account(NewAccount {
            api_key: None,
            public_key: public_pem(),
            license: License::AdobeCommerce,
            mage_id: None,
            environment: KeySetName::Sandbox,
        })
        .unwrap();
        assert_eq!(registered.api_key.len(), 32);
        let [key] = account.keys.as_slice() else {
            panic!("one key: {account:?}");
        };
        assert_eq!(key.api_key_hash, api_key_hash(&registered.api_key));
        assert_eq!(
            (key.environment, registered.environment),
            (KeySetName::Sandbox, KeySetName::Sandbox)
        );
        assert!(account.mage_id.starts_with("MAG"), "{}", account.mage_id);
        assert_eq!(registered.mage_id, account.mage_id);
        // A request without an environment registers a production key.
        let request: NewAccount = serde_json::from_value(serde_json::json!({
            "publicKey": public_pem(), "license": "adobe-commerce"
        }))
        .unwrap();
        assert_eq!(request.environment, KeySetName::Production);
    }

    #[test]
    fn bad_registrations_are_refused() {
        let bad_key = NewAccount {
            api_key: None,
            public_key: "not a key".into(),
            license: License::AdobeCommerce,
            mage_id: None,
            environment: KeySetName::Production,
        };
        assert_eq!(new_account(bad_key).unwrap_err().status, 400);
        let bad_api_key = NewAccount {
            api_key: Some("with space".into()),
            public_key: public_pem(),
            license: License::MagentoOpenSource,
            mage_id: None,
            environment: KeySetName::Production,
        };
        assert_eq!(new_account(bad_api_key).unwrap_err().status, 400);
        let bad_new_key = NewKey {
            api_key: None,
            public_key: "not a key".into(),
            environment: KeySetName::Sandbox,
        };
        assert_eq!(new_key(bad_new_key).unwrap_err().status, 400);
        let unknown_environment = serde_json::from_value::<NewKey>(serde_json::json!({
            "publicKey": public_pem(), "environment": "staging"
        }));
        assert!(unknown_environment.is_err());
    }

    #[tokio::test]
    async fn names_cannot_leave_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["", "..", "../x", "a/b", ".hidden"] {
            let err = provision(
                "http://127.0.0.1:9/",
                &KeyOwner::NewAccount(License::AdobeCommerce),
                KeySetName::Production,
                name,
                dir.path(),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, PortalError::InvalidName(_)), "{name}: {err}");
        }
    }
}
