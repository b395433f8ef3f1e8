//! Each targeted installation: its binding read from the target (key values decrypted where
//! needed and kept only as fingerprints), and after the registry changes, the binding written
//! back with the ids read from the registry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{
    Config, EnvFileFormat, EnvFileTarget, KeySetName, Loaded, MysqlTarget, SecretError, Service,
    Target, TargetKind,
};
use crate::keys::{PrivateKey, api_key_fingerprint};
use crate::magento::MagentoError;
use crate::magento::binding::{self, Binding, BindingInput, KeyValues};
use crate::magento::crypt::{CryptKey, StoredValue};
use crate::magento::env_file;
use crate::magento::installation::{Installation, Presence, Stored};
use crate::magento::mysql::{MysqlError, MysqlTarget as MysqlDatabase};
use crate::magento::render::env_var_name;
use crate::plan::{Binding as PlannedBinding, Change, Object};

/// Why an installation could not be read or written; names the file and environment, never a
/// secret (a database URL is shown without its password).
#[derive(Debug, thiserror::Error)]
#[error("{file}: environment `{environment}`: {source}")]
pub struct InstallationError {
    pub file: String,
    pub environment: String,
    /// Boxed: errors travel through every layer above.
    #[source]
    pub source: Box<TargetError>,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Magento(#[from] MagentoError),
    #[error(transparent)]
    Mysql(#[from] MysqlError),
    /// Writing with a key that cannot read what is stored would break the installation.
    #[error(
        "the crypt_key cannot decrypt the value stored at {path}: it is not this installation's key (app/etc/env.php crypt/key); nothing is written"
    )]
    WrongCryptKey { path: String },
    /// An env file of keys that git would pick up.
    #[error(
        "{path} would hold keys inside the git work tree {root}, and git does not ignore it: add the line `{line}` to {root}/.gitignore, or write the env file outside the work tree; nothing was sent"
    )]
    NotIgnoredByGit {
        path: String,
        root: String,
        line: String,
    },
    /// An env file's directory that this user cannot create files in.
    #[error(
        "cannot write into {dir} ({reason}): the env file is replaced through a file beside it; nothing was sent"
    )]
    DirectoryNotWritable { dir: String, reason: String },
}

/// The fingerprint a plan shows for a stored key value: the API key's short hash, or the
/// public key of a private key (`unreadable:` and a short hash when it is no key at all).
pub fn stored_key_fingerprint(path: &str, value: &str) -> String {
    // An installation's keys may be others than the configured ones: secrets all the same.
    crate::diagnostic::register_secret(value);
    let is_private = path.ends_with("_private_key");
    if !is_private {
        return api_key_fingerprint(value);
    }
    match PrivateKey::from_pem(value) {
        Ok(key) => key.fingerprint().to_owned(),
        Err(_) => format!("unreadable:{}", api_key_fingerprint(value)),
    }
}

/// Every path of `config`'s binding: the key set, the declared key sets' keys, project and
/// data space.
fn binding_paths(config: &Config) -> Vec<String> {
    let mut paths = vec![binding::PATH_KEY_SET.to_owned()];
    for (name, _) in config.keys.iter() {
        paths.push(binding::api_key_path(name));
        paths.push(binding::private_key_path(name));
    }
    paths.extend(
        [
            binding::PATH_PROJECT_ID,
            binding::PATH_PROJECT_NAME,
            binding::PATH_ENVIRONMENT_ID,
            binding::PATH_ENVIRONMENT_NAME,
            binding::PATH_ENVIRONMENT_TYPE,
        ]
        .map(str::to_owned),
    );
    paths
}

fn is_key_path(path: &str) -> bool {
    path.ends_with("_api_key") || path.ends_with("_private_key")
}

/// A targeted installation opened: its secrets read and its crypt key parsed, before any
/// concurrent work; nothing is connected yet.
pub enum Opened {
    EnvFile(PathBuf, EnvFileFormat),
    /// Boxed: a database's connection options are large.
    Mysql(Box<(MysqlDatabase, CryptKey)>),
}

/// Every targeted installation of `config`, by environment key, opened.
pub fn open(loaded: &Loaded, config: &Config) -> Result<Vec<(String, Opened)>, InstallationError> {
    let mut opened = Vec::new();
    for (key, environment) in &config.environments {
        let Some(target) = &environment.target else {
            continue;
        };
        let target = match target {
            Target::EnvFile(file) => open_env_file(loaded, config, file),
            Target::Mysql(mysql) => {
                open_mysql(loaded, mysql).map(|opened| Opened::Mysql(Box::new(opened)))
            }
        };
        opened.push((
            key.clone(),
            target.map_err(|source| InstallationError {
                file: loaded.file.clone(),
                environment: key.clone(),
                source: Box::new(source),
            })?,
        ));
    }
    Ok(opened)
}

/// Every targeted installation of `config`, left alone (`--installations=skip`).
pub fn skipped(config: &Config) -> BTreeMap<String, Installation> {
    config
        .environments
        .iter()
        .filter_map(|(key, environment)| {
            let target = environment.target.as_ref()?;
            Some((
                key.clone(),
                Installation::unread(target.kind(), Presence::Skipped),
            ))
        })
        .collect()
}

/// Checks, before anything is sent, that every opened installation can be written: the
/// database user's privileges on `core_config_data`, an env file's directory (or the nearest
/// one that exists, which a write creates the rest under).
pub async fn check_writable(
    loaded: &Loaded,
    opened: &[(String, Opened)],
) -> Result<(), InstallationError> {
    let checks = opened.iter().map(|(key, target)| async move {
        let checked = match target {
            Opened::EnvFile(path, _) => directory_writable(path),
            Opened::Mysql(opened) => opened.0.check_writable().await.map_err(TargetError::from),
        };
        checked.map_err(|source| InstallationError {
            file: loaded.file.clone(),
            environment: key.clone(),
            source: Box::new(source),
        })
    });
    futures::future::try_join_all(checks).await.map(drop)
}

/// Creates and removes a probe file where the env file at `path` would be written.
fn directory_writable(path: &Path) -> Result<(), TargetError> {
    let Some(dir) = path
        .parent()
        .into_iter()
        .flat_map(Path::ancestors)
        .find(|dir| dir.as_os_str().is_empty() || dir.is_dir())
    else {
        return Ok(());
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let probe = dir.join(format!(".saasctl-write-check-{}", std::process::id()));
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    match created {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(TargetError::DirectoryNotWritable {
            dir: dir.display().to_string(),
            reason: crate::file::io_reason(&e),
        }),
    }
}

/// Reads the opened installations of `loaded`, all at once.
pub async fn read(
    loaded: &Loaded,
    config: &Config,
    opened: &[(String, Opened)],
) -> Result<BTreeMap<String, Installation>, InstallationError> {
    let reads = opened.iter().map(|(key, target)| async move {
        let installation = match target {
            Opened::EnvFile(path, format) => {
                tracing::debug!(environment = key, path = %path.display(), "reading env file");
                read_env_file(path, *format, config)
            }
            Opened::Mysql(opened) => {
                let url = opened.0.shown_url();
                tracing::debug!(environment = key, url, "reading core_config_data");
                read_mysql(&opened.0, &opened.1, config).await
            }
        };
        installation
            .map(|installation| (key.clone(), installation))
            .map_err(|source| InstallationError {
                file: loaded.file.clone(),
                environment: key.clone(),
                source: Box::new(source),
            })
    });
    futures::future::try_join_all(reads)
        .await
        .map(|read| read.into_iter().collect())
}

/// An env file target, refused before anything is read when its dialect cannot carry the
/// binding (a docker env file and the private keys), or when git would pick it up.
fn open_env_file(
    loaded: &Loaded,
    config: &Config,
    file: &EnvFileTarget,
) -> Result<Opened, TargetError> {
    let format = file.format();
    if let Some((name, _)) = config.keys.iter().next()
        && !env_file::carries_line_breaks(format)
    {
        return Err(MagentoError::MultiLine {
            path: binding::private_key_path(name),
        }
        .into());
    }
    let path = loaded.base_dir.join(file.path());
    if let Some(exposed) = crate::file::git_exposure(&path) {
        return Err(TargetError::NotIgnoredByGit {
            path: path.display().to_string(),
            root: exposed.root.display().to_string(),
            line: exposed.line,
        });
    }
    Ok(Opened::EnvFile(path, format))
}

/// An env file's values: plain text (Magento never decrypts environment values).
fn read_env_file(
    path: &Path,
    format: EnvFileFormat,
    config: &Config,
) -> Result<Installation, TargetError> {
    // A fresh clone or a CI runner holds no env file: it is written where it is deployed.
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Installation::unread(TargetKind::EnvFile, Presence::Missing));
    }
    let file = env_file::read(path, format)?;
    let mut values = BTreeMap::new();
    for path in binding_paths(config) {
        let Some(value) = file.get(&env_var_name(&path)) else {
            continue;
        };
        let stored = if is_key_path(&path) {
            Stored::Key {
                fingerprint: stored_key_fingerprint(&path, value),
                encrypted: false,
            }
        } else {
            Stored::Plain(value.to_owned())
        };
        values.insert(path, stored);
    }
    Ok(Installation {
        target: TargetKind::EnvFile,
        presence: Presence::Read,
        values,
        websites: None,
    })
}

/// A database's values: key values decrypted with the installation's crypt key (a value it
/// cannot decrypt is refused), then fingerprinted; its websites.
async fn read_mysql(
    database: &MysqlDatabase,
    crypt: &CryptKey,
    config: &Config,
) -> Result<Installation, TargetError> {
    let stored = database.read(&binding_paths(config)).await?;
    let mut values = BTreeMap::new();
    for (path, value) in stored.values {
        let stored = if !is_key_path(&path) {
            Stored::Plain(value)
        } else {
            match crypt.classify(&value) {
                StoredValue::OtherKey => return Err(TargetError::WrongCryptKey { path }),
                StoredValue::Encrypted(plain) => Stored::Key {
                    fingerprint: stored_key_fingerprint(&path, plain.expose()),
                    encrypted: true,
                },
                StoredValue::EncryptedTwice { inner, innermost } => Stored::EncryptedTwice {
                    fingerprint: stored_key_fingerprint(
                        &path,
                        innermost.as_ref().unwrap_or(&inner).expose(),
                    ),
                },
                // Magento reads these as the stored text (KeyEncrypted's fallback).
                StoredValue::Plain | StoredValue::Legacy | StoredValue::EncryptedUnreadable => {
                    Stored::Key {
                        fingerprint: stored_key_fingerprint(&path, &value),
                        encrypted: false,
                    }
                }
            }
        };
        values.insert(path, stored);
    }
    Ok(Installation {
        target: TargetKind::Mysql,
        presence: Presence::Read,
        values,
        websites: Some(stored.websites),
    })
}

fn open_mysql(
    loaded: &Loaded,
    mysql: &MysqlTarget,
) -> Result<(MysqlDatabase, CryptKey), TargetError> {
    let url = mysql.url.resolve(&loaded.base_dir)?;
    let crypt = CryptKey::parse(mysql.crypt_key.resolve(&loaded.base_dir)?.expose())?;
    Ok((MysqlDatabase::new(&url, &mysql.table_prefix)?, crypt))
}

/// What applying wrote to one installation, for the next steps.
pub struct Written {
    pub file: String,
    pub address: String,
    pub target: crate::config::TargetKind,
    /// The installation was bound to another data space before.
    pub rebound: bool,
    /// The services in use, whose feeds are resent after a data space change.
    pub services: Vec<Service>,
    /// The installation's key set: Payment Services' feeds are named after it.
    pub keys: KeySetName,
}

/// Writes the binding of `change` (an environment after the registry changes) to its target.
pub async fn write(
    loaded: &Loaded,
    config: &Config,
    key: &str,
    change: &Change,
) -> Result<Option<Written>, InstallationError> {
    let Some(environment) = config.environments.get(key) else {
        return Ok(None);
    };
    let Some(target) = &environment.target else {
        return Ok(None);
    };
    if !change.writes_installation() {
        return Ok(None);
    }
    let fail = |source: TargetError| InstallationError {
        file: loaded.file.clone(),
        environment: key.to_owned(),
        source: Box::new(source),
    };
    let binding = binding_of(loaded, config, key, change).map_err(fail)?;
    match target {
        Target::EnvFile(file) => {
            let path = loaded.base_dir.join(file.path());
            let changed =
                env_file::write(&path, file.format(), &binding).map_err(|e| fail(e.into()))?;
            tracing::debug!(environment = key, path = %path.display(), changed, "wrote env file");
        }
        Target::Mysql(mysql) => {
            let (database, crypt) = open_mysql(loaded, mysql).map_err(fail)?;
            // Keys encrypted before the lock is taken (encryption can fail); which of them are
            // written is decided under it.
            let mut encrypted = BTreeMap::new();
            for entry in binding.entries().iter().filter(|e| e.is_secret()) {
                let stored = crypt.encrypt(entry.expose()).map_err(|e| fail(e.into()))?;
                encrypted.insert(entry.path.clone(), stored);
            }
            let paths: Vec<String> = binding.entries().iter().map(|e| e.path.clone()).collect();
            let written = database
                .write(&paths, |current| {
                    rows_to_write(&binding, &crypt, &encrypted, current)
                })
                .await
                .map_err(fail)?;
            tracing::debug!(
                environment = key,
                url = database.shown_url(),
                paths = ?written,
                "wrote core_config_data in one transaction"
            );
        }
    }
    let rebound = change.values.iter().any(|v| {
        v.path == binding::PATH_ENVIRONMENT_ID && v.before.as_deref().is_some_and(|b| !b.is_empty())
    });
    Ok(Some(Written {
        file: loaded.file.clone(),
        address: change.address.clone(),
        target: target.kind(),
        rebound,
        services: config.account.services.clone(),
        keys: environment.keys,
    }))
}

/// The binding's rows that the database does not hold as they are, against its current
/// values: a key only when it does not decrypt to the binding's (an unchanged key is never
/// encrypted again) or is stored in plain text.
fn rows_to_write(
    binding: &Binding,
    crypt: &CryptKey,
    encrypted: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, TargetError> {
    let mut rows = Vec::new();
    for entry in binding.entries() {
        let stored = current.get(&entry.path);
        let row = if entry.is_secret() {
            let same = match stored.map(|value| crypt.classify(value)) {
                Some(StoredValue::Encrypted(plain)) => plain.expose() == entry.expose(),
                // Written since the plan with a key this crypt key cannot read.
                Some(StoredValue::OtherKey) => {
                    return Err(TargetError::WrongCryptKey {
                        path: entry.path.clone(),
                    });
                }
                _ => false,
            };
            (!same)
                .then(|| encrypted.get(&entry.path).cloned())
                .flatten()
        } else {
            (stored.map(String::as_str) != Some(entry.expose())).then(|| entry.expose().to_owned())
        };
        if let Some(value) = row {
            rows.push((entry.path.clone(), value));
        }
    }
    Ok(rows)
}

/// Environment `key`'s binding with real values: the declared ones, the ids the registry gave
/// (an id not known yet is an error), the resolved keys.
pub fn binding_of(
    loaded: &Loaded,
    config: &Config,
    key: &str,
    change: &Change,
) -> Result<Binding, TargetError> {
    let environment = config
        .environments
        .get(key)
        .ok_or_else(|| MagentoError::UnknownPath(format!("environments.{key}")))?;
    let Some(Object::Binding(planned)) = &change.after else {
        return Err(MagentoError::IdNotKnown("data space").into());
    };
    let PlannedBinding {
        data_space_name,
        data_space_type,
        ..
    } = planned;
    let mut key_sets: Vec<(KeySetName, KeyValues)> = Vec::new();
    for (name, set) in config.keys.iter() {
        key_sets.push((
            name,
            KeyValues {
                api_key: set.api_key.resolve(&loaded.base_dir)?,
                private_key: set.private_key.resolve(&loaded.base_dir)?,
            },
        ));
    }
    Ok(Binding::new(BindingInput {
        key_set: environment.keys,
        key_sets,
        project_id: change.project_id.clone(),
        project_name: config.project.name.clone(),
        data_space_id: change.environment_id.clone(),
        data_space_name: data_space_name.clone().unwrap_or_default(),
        data_space_type: data_space_type.ok_or(MagentoError::IdNotKnown("data space type"))?,
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_env_file_directory_is_probed_where_a_write_would_land() {
        let dir = tempfile::tempdir().unwrap();
        // Not there yet: the nearest existing directory is where the write creates it.
        directory_writable(&dir.path().join("deploy/staging/.env")).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "probe left"
        );
        // /proc takes no new files, even from root.
        let refused = directory_writable(Path::new("/proc/saasctl/.env")).unwrap_err();
        assert!(
            refused.to_string().starts_with("cannot write into /proc ("),
            "{refused}"
        );
    }
}
