//! `gateway: embedded`: the emulator runs inside the process, its state in
//! `.saasctl/registry.json` beside the YAML, and missing key files are provisioned, so a fresh
//! clone can run the whole job with no service and no keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokio::sync::Mutex;

use super::portal::{NewAccount, PortalError, generate_key, register};
use super::{Emulator, EmulatorConfig, EmulatorError, RunningEmulator};
use crate::config::{KeySet, KeySetName, License, Secret, SecretValue};
use crate::file::io_reason;
use crate::file::write_private;
use crate::keys::PrivateKey;

/// Where the embedded registry keeps its state, relative to the YAML's directory.
pub const STATE_FILE: &str = ".saasctl/registry.json";

/// The embedded emulators of one run, one per state file, started on first use.
#[derive(Debug, Default)]
pub struct EmbeddedRegistries {
    running: Mutex<HashMap<PathBuf, RunningEmulator>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    #[error(transparent)]
    Portal(#[from] PortalError),
    #[error("cannot provision {0}: only {{file: PATH}} key sources can be created")]
    NotAFile(String),
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
}

impl EmbeddedRegistries {
    /// The URL of the embedded registry for a YAML file in `base_dir`.
    pub async fn url(&self, base_dir: &Path) -> Result<String, EmbeddedError> {
        let state_file = base_dir.join(STATE_FILE);
        let mut running = self.running.lock().await;
        if let Some(emulator) = running.get(&state_file) {
            return Ok(emulator.url());
        }
        let emulator = Emulator::bind(
            ([127, 0, 0, 1], 0).into(),
            EmulatorConfig {
                state_file: Some(state_file.clone()),
                ..EmulatorConfig::default()
            },
        )
        .await?;
        let url = emulator.url();
        running.insert(state_file, emulator);
        Ok(url)
    }

    /// Stops every embedded emulator, waiting for their last writes.
    pub async fn shutdown(self) {
        for (_, emulator) in self.running.into_inner() {
            let _ = emulator.shutdown().await;
        }
    }
}

/// Makes sure the key set's files exist and that the embedded registry knows the key: a
/// missing `{file:}` key is generated (0600), and the key is registered under its API key as
/// an account of its own, its environment the key set's `name`.
pub async fn provision(
    url: &str,
    license: License,
    name: KeySetName,
    set: &KeySet,
    base_dir: &Path,
) -> Result<(), EmbeddedError> {
    let (private_key, new_private_key) = match existing(&set.private_key, base_dir)? {
        Some(pem) => {
            let key = PrivateKey::from_pem(pem.expose()).map_err(|e| EmbeddedError::Read {
                path: set.private_key.to_string(),
                reason: e.to_string(),
            })?;
            (key, None)
        }
        None => {
            let path = set
                .private_key
                .file_path(base_dir)
                .ok_or_else(|| EmbeddedError::NotAFile(set.private_key.to_string()))?;
            (generate_key().await?, Some(path))
        }
    };
    let api_key = existing(&set.api_key, base_dir)?.map(|key| key.expose().trim().to_owned());
    if api_key.is_none() && set.api_key.file_path(base_dir).is_none() {
        return Err(EmbeddedError::NotAFile(set.api_key.to_string()));
    }
    let registered = register(
        url,
        &NewAccount {
            api_key: api_key.clone(),
            public_key: private_key.public_key().to_pem(),
            license,
            mage_id: None,
            environment: name,
        },
    )
    .await;
    let api_key = match (registered, api_key) {
        (Ok(account), _) => account.api_key,
        // Registered by an earlier run: the state file remembers it.
        (Err(PortalError::Refused { status: 409, .. }), Some(known)) => known,
        (Err(e), _) => return Err(e.into()),
    };
    if let Some(path) = new_private_key {
        write_file(&path, &private_key.to_pkcs8_pem())?;
    }
    if let Some(path) = set.api_key.file_path(base_dir).filter(|p| !p.exists()) {
        write_file(&path, &format!("{api_key}\n"))?;
    }
    Ok(())
}

/// The secret if it can be read; `None` for a `{file:}` that does not exist yet.
fn existing(secret: &Secret, base_dir: &Path) -> Result<Option<SecretValue>, EmbeddedError> {
    if secret
        .file_path(base_dir)
        .is_some_and(|path| !path.exists())
    {
        return Ok(None);
    }
    secret
        .resolve(base_dir)
        .map(Some)
        .map_err(|e| EmbeddedError::Read {
            path: secret.to_string(),
            reason: e.to_string(),
        })
}

fn write_file(path: &Path, contents: &str) -> Result<(), EmbeddedError> {
    if let Some(dir) = path.parent() {
        crate::file::create_private_dir(dir).map_err(|e| PortalError::Write {
            path: dir.display().to_string(),
            reason: io_reason(&e),
        })?;
    }
    write_private(path, contents.as_bytes()).map_err(|e| {
        PortalError::Write {
            path: path.display().to_string(),
            reason: io_reason(&e),
        }
        .into()
    })
}
