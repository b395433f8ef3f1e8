//! From a merchant file to signed registry clients: pick each key set's gateway, start the
//! embedded registry and provision its keys where asked, read the secrets, fingerprint them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::config::{Config, KeySetName, Loaded, SecretError, SecretValue};
#[cfg(feature = "emulator")]
use crate::emulator::embedded::{self, EmbeddedError, EmbeddedRegistries};
use crate::keys::{KeyError, KeyFingerprint, PrivateKey};
use crate::live::{LiveRow, LiveState, undecided};
use crate::registry::gateway::Gateway;
use crate::registry::{ClientOptions, RegistryClient, RegistryError, Throttle, http_client};

/// Merchants read and applied at once, and requests in flight per gateway, unless
/// `--parallelism` says otherwise. Chosen with `cargo bench --bench estate` (BENCHMARKS.md):
/// 200 merchants with their own keys plan at 20 ms per request in 1.5x the 16-way ideal at 16,
/// 1.0x at 32, 0.8x at 64 and 0.75x at 128, where the two cores bound the run; at 100 ms per
/// request 64 halves 32's time and 128 saves a third more. 64 meets the estate targets at both
/// latencies without doubling the gateway's load again; a gateway that answers 429 lowers it
/// (the run's throttle).
pub const DEFAULT_PARALLELISM: usize = 64;

/// Why a merchant's registry could not be read; names the file and key set, never a secret.
#[derive(Debug, thiserror::Error)]
#[error("{file}: key set `{key_set}`: {source}")]
pub struct ConnectError {
    pub file: String,
    pub key_set: &'static str,
    #[source]
    pub source: ConnectFailure,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectFailure {
    #[cfg(feature = "emulator")]
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    #[cfg(not(feature = "emulator"))]
    #[error(
        "`gateway: embedded` needs the registry emulator, which this saasctl was built without (cargo feature `emulator`)"
    )]
    NoEmulator,
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Client(#[from] RegistryError),
    /// SC008 refuses this offline; kept for a configuration that reached here anyway.
    #[error("is not declared under `keys`")]
    Undeclared,
}

/// Opens clients for the merchants of one run. Owns the run's embedded registries.
#[derive(Debug, Default)]
pub struct Connector {
    /// `--gateway` / `SAASCTL_GATEWAY`: one gateway for every key set.
    pub gateway_override: Option<String>,
    pub options: ClientOptions,
    /// How many merchants are read at once: the work is network-bound, the gateway shared.
    pub parallelism: usize,
    /// Whether installation targets are read (and so written), or left alone.
    pub installations: Installations,
    /// One HTTP client for the run: every merchant's requests share its connection pool.
    http: OnceLock<reqwest::Client>,
    /// Each gateway's limit on requests at once, shared by its merchants.
    throttles: Mutex<HashMap<String, Arc<Throttle>>>,
    #[cfg(feature = "emulator")]
    embedded: EmbeddedRegistries,
    #[cfg(feature = "emulator")]
    /// Merchants connect concurrently; provisioning keys of an embedded registry is one at a
    /// time, since files of one directory share its registry and key files.
    provisioning: tokio::sync::Mutex<()>,
}

/// `--installations`: a pipeline that cannot reach an installation (or must not write one on a
/// throwaway runner) plans and applies the registry alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Installations {
    #[default]
    Read,
    Skip,
}

/// A merchant's client for its project's key set, and the fingerprints of all its key sets.
pub struct Connection {
    pub client: RegistryClient,
    /// The project key set's gateway as chosen (a URL, or `embedded`).
    pub gateway: String,
    pub fingerprints: BTreeMap<KeySetName, KeyFingerprint>,
}

impl Connector {
    pub fn new(gateway_override: Option<String>, options: ClientOptions) -> Self {
        Self {
            gateway_override,
            options,
            parallelism: DEFAULT_PARALLELISM,
            installations: Installations::Read,
            http: OnceLock::new(),
            throttles: Mutex::default(),
            #[cfg(feature = "emulator")]
            embedded: EmbeddedRegistries::default(),
            #[cfg(feature = "emulator")]
            provisioning: tokio::sync::Mutex::new(()),
        }
    }

    pub fn with_installations(mut self, installations: Installations) -> Self {
        self.installations = installations;
        self
    }

    /// The gateway `config`'s project key set would be read through (a URL, or `embedded`),
    /// known before anything connects.
    pub fn gateway_of(&self, config: &Config) -> Option<String> {
        let name = config.project.keys;
        let set = config.keys.get(name)?;
        Some(Gateway::resolve(self.gateway_override.as_deref(), name, set).to_string())
    }

    /// Connects `loaded` (which must have its model) through its project's key set.
    pub async fn connect(
        &self,
        loaded: &Loaded,
        config: &Config,
    ) -> Result<Connection, ConnectError> {
        let mut fingerprints = BTreeMap::new();
        let mut client = None;
        for (name, set) in config.keys.iter() {
            let fail = |source: ConnectFailure| ConnectError {
                file: loaded.file.clone(),
                key_set: name.as_str(),
                source,
            };
            let gateway = Gateway::resolve(self.gateway_override.as_deref(), name, set);
            let url = match &gateway {
                Gateway::Url(url) => url.clone(),
                #[cfg(not(feature = "emulator"))]
                Gateway::Embedded => return Err(fail(ConnectFailure::NoEmulator)),
                #[cfg(feature = "emulator")]
                Gateway::Embedded => {
                    let _one_at_a_time = self.provisioning.lock().await;
                    let url = self
                        .embedded
                        .url(&loaded.base_dir)
                        .await
                        .map_err(|e| fail(e.into()))?;
                    embedded::provision(&url, config.account.license, name, set, &loaded.base_dir)
                        .await
                        .map_err(|e| fail(e.into()))?;
                    url
                }
            };
            let secret =
                |s: &crate::config::Secret| s.resolve(&loaded.base_dir).map_err(|e| fail(e.into()));
            let api_key = SecretValue::new(secret(&set.api_key)?.expose().trim());
            // Parsed once: the fingerprint and the client's signatures come from this key. The
            // key's check is CPU work: off the async threads, while other merchants' requests run.
            let pem = secret(&set.private_key)?;
            let key = tokio::task::spawn_blocking(move || PrivateKey::from_pem(pem.expose()))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                .map_err(|e| fail(e.into()))?;
            tracing::trace!(
                file = loaded.file,
                key_set = name.as_str(),
                gateway = %gateway,
                public_key = key.fingerprint(),
                "key set"
            );
            fingerprints.insert(name, KeyFingerprint::new(&key, api_key.expose()));
            if name == config.project.keys {
                let http = match self.http.get() {
                    Some(http) => http.clone(),
                    None => {
                        let http = http_client(&self.options).map_err(|e| fail(e.into()))?;
                        self.http.get_or_init(|| http).clone()
                    }
                };
                client = Some((
                    RegistryClient::with_http(&url, &api_key, &key, &http, self.options.retry)
                        .map_err(|e| fail(e.into()))?
                        .with_throttle(self.throttle(&url)),
                    gateway.to_string(),
                ));
            }
        }
        // SC008 refuses a project key set that is not declared, before anything connects.
        let (client, gateway) = client.ok_or_else(|| ConnectError {
            file: loaded.file.clone(),
            key_set: config.project.keys.as_str(),
            source: ConnectFailure::Undeclared,
        })?;
        Ok(Connection {
            client,
            gateway,
            fingerprints,
        })
    }

    fn throttle(&self, url: &str) -> Arc<Throttle> {
        let mut throttles = self
            .throttles
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            throttles
                .entry(url.to_owned())
                .or_insert_with(|| Throttle::new(self.parallelism)),
        )
    }

    /// Stops the embedded registries, letting their last writes finish.
    pub async fn shutdown(self) {
        #[cfg(feature = "emulator")]
        self.embedded.shutdown().await;
    }
}

/// The account's live state as the planner sees it: the registry's rows, and where identity
/// cannot decide without it, which data spaces were never changed since their creation.
pub async fn read_live(
    client: &RegistryClient,
    config: &Config,
) -> Result<LiveState, RegistryError> {
    let rows = client.list_registry().await?;
    let mut live = LiveState::from_rows(rows.into_iter().map(LiveRow::from)).map_err(|e| {
        RegistryError::Decode {
            url: client.base_url().to_string(),
            reason: e.to_string(),
        }
    })?;
    let undecided = undecided(config, &live);
    let environments =
        futures::future::try_join_all(undecided.iter().map(|id| client.get_environment(id)))
            .await?;
    for environment in environments {
        if environment.created_at.is_some() && environment.created_at == environment.updated_at {
            live.mark_new(&environment.environment_id);
        }
    }
    Ok(live)
}

#[cfg(all(test, not(feature = "emulator")))]
mod without_the_emulator {
    use super::*;
    use crate::rules::testing::{LUMA, load};

    #[tokio::test]
    async fn an_embedded_gateway_is_refused_naming_the_feature() {
        let (loaded, _) = load(LUMA);
        let config = loaded.config.as_ref().expect("a model");
        let connector = Connector::new(None, ClientOptions::default());
        let Err(error) = connector.connect(&loaded, config).await else {
            panic!("connected without an emulator");
        };
        assert!(
            error.to_string().contains("cargo feature `emulator`"),
            "{error}"
        );
    }
}
