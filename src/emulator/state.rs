//! The emulator's registry: accounts and projects, their rules, and their file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::config::{DataSpaceType, License};
use crate::file::io_reason;
use crate::file::write_private;
use crate::registry::wire::{self, AccountSyncStatus, Environment, EnvironmentType, Row};

/// A merchant account: what the key portal registered. Neither the private key nor the API key
/// is stored: the state file may sit in a repository's working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// [`api_key_hash`] of the API key.
    pub api_key_hash: String,
    /// The public key, PEM.
    pub public_key: String,
    pub license: License,
    pub mage_id: String,
    pub organization_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    /// The owning account's [`api_key_hash`].
    pub account: String,
    pub data_spaces: Vec<DataSpace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSpace {
    pub id: String,
    pub name: String,
    pub environment_type: EnvironmentType,
    pub cloud_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Everything the emulator knows; this is the state file's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub accounts: Vec<Account>,
    pub projects: Vec<Project>,
}

/// A request the registry refuses: answered with this status and message in an error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn not_found() -> Self {
        Self::new(404, wire::NOT_FOUND)
    }
}

/// The state file cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the emulator state {path}: {reason}")]
pub struct LoadError {
    pub path: String,
    pub reason: String,
}

fn row(project: &Project, space: &DataSpace) -> Row {
    Row {
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        environment_id: space.id.clone(),
        environment_name: space.name.clone(),
        environment_type: space.environment_type,
    }
}

fn rows(project: &Project) -> Vec<Row> {
    project
        .data_spaces
        .iter()
        .map(|space| row(project, space))
        .collect()
}

fn checked_name(name: &str) -> Result<&str, Refusal> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::new(400, "A name is required"));
    }
    Ok(name)
}

/// How an API key is kept: `sha256:` of it, enough to recognise it and useless to a reader.
pub fn api_key_hash(api_key: &str) -> String {
    crate::digest::digest(api_key.as_bytes())
}

impl State {
    /// The account an API key belongs to.
    pub fn account(&self, api_key: &str) -> Option<&Account> {
        let hash = api_key_hash(api_key);
        self.accounts.iter().find(|a| a.api_key_hash == hash)
    }

    pub fn add_account(&mut self, account: Account) -> Result<(), Refusal> {
        if self
            .accounts
            .iter()
            .any(|a| a.api_key_hash == account.api_key_hash)
        {
            return Err(Refusal::new(409, "API key already registered"));
        }
        self.accounts.push(account);
        Ok(())
    }

    fn projects_of<'a>(&'a self, account_hash: &'a str) -> impl Iterator<Item = &'a Project> {
        self.projects
            .iter()
            .filter(move |p| p.account == account_hash)
    }

    fn project_mut(&mut self, account_hash: &str, id: &str) -> Result<&mut Project, Refusal> {
        self.projects
            .iter_mut()
            .find(|p| p.account == account_hash && p.id == id)
            .ok_or_else(Refusal::not_found)
    }

    /// Where an environment id is: (project index, data space index), within one account.
    fn locate(&self, account_hash: &str, id: &str) -> Result<(usize, usize), Refusal> {
        self.projects
            .iter()
            .enumerate()
            .filter(|(_, p)| p.account == account_hash)
            .find_map(|(i, p)| Some((i, p.data_spaces.iter().position(|s| s.id == id)?)))
            .ok_or_else(Refusal::not_found)
    }

    pub fn registry(&self, account_hash: &str) -> Vec<Row> {
        self.projects_of(account_hash).flat_map(rows).collect()
    }

    /// A project's rows; none when the account has no such project.
    pub fn project(&self, account_hash: &str, id: &str) -> Vec<Row> {
        self.projects_of(account_hash)
            .filter(|p| p.id == id)
            .flat_map(rows)
            .collect()
    }

    pub fn environment(&self, account: &Account, id: &str) -> Result<Environment, Refusal> {
        let (p, s) = self.locate(&account.api_key_hash, id)?;
        let project = &self.projects[p];
        Ok(environment(account, project, &project.data_spaces[s]))
    }

    /// Creates a project with the data spaces of the account's licence.
    pub fn initialize(&mut self, account: &Account, name: &str) -> Result<Vec<Row>, Refusal> {
        let name = checked_name(name)?;
        if self
            .projects_of(&account.api_key_hash)
            .any(|p| p.name == name)
        {
            return Err(Refusal::new(409, "Project name already exists"));
        }
        let now = now_stamp();
        let spaces = account
            .license
            .initial_data_spaces()
            .into_iter()
            .map(|(kind, name)| DataSpace {
                id: uuid::Uuid::new_v4().to_string(),
                name,
                environment_type: match kind {
                    DataSpaceType::Production => EnvironmentType::Production,
                    DataSpaceType::Testing => EnvironmentType::Testing,
                },
                cloud_id: None,
                created_at: now.clone(),
                updated_at: now.clone(),
            })
            .collect();
        let project = Project {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_owned(),
            account: account.api_key_hash.clone(),
            data_spaces: spaces,
        };
        let rows = rows(&project);
        self.projects.push(project);
        Ok(rows)
    }

    pub fn rename_project(
        &mut self,
        account: &Account,
        id: &str,
        name: &str,
    ) -> Result<Vec<Row>, Refusal> {
        let name = checked_name(name)?;
        if self
            .projects_of(&account.api_key_hash)
            .any(|p| p.name == name && p.id != id)
        {
            return Err(Refusal::new(409, "Project name already exists"));
        }
        let project = self.project_mut(&account.api_key_hash, id)?;
        name.clone_into(&mut project.name);
        Ok(rows(project))
    }

    pub fn rename_environment(
        &mut self,
        account: &Account,
        id: &str,
        name: &str,
    ) -> Result<Environment, Refusal> {
        let name = checked_name(name)?;
        let (p, index) = self.locate(&account.api_key_hash, id)?;
        let project = &mut self.projects[p];
        if project
            .data_spaces
            .iter()
            .any(|s| s.name == name && s.id != id)
        {
            return Err(Refusal::new(
                409,
                "Environment name already exists in the project",
            ));
        }
        let space = &mut project.data_spaces[index];
        if space.name != name {
            name.clone_into(&mut space.name);
            space.updated_at = stamp_after(&space.created_at);
        }
        Ok(environment(account, project, &project.data_spaces[index]))
    }

    pub fn set_cloud_id(
        &mut self,
        account: &Account,
        id: &str,
        cloud_id: &str,
    ) -> Result<Environment, Refusal> {
        let (p, index) = self.locate(&account.api_key_hash, id)?;
        let project = &mut self.projects[p];
        let space = &mut project.data_spaces[index];
        space.cloud_id = Some(cloud_id.to_owned());
        space.updated_at = stamp_after(&space.created_at);
        Ok(environment(account, project, &project.data_spaces[index]))
    }
}

fn environment(account: &Account, project: &Project, space: &DataSpace) -> Environment {
    Environment {
        environment_id: space.id.clone(),
        mage_id: Some(account.mage_id.clone()),
        ims_organization_id: None,
        organization_id: Some(account.organization_id.clone()),
        organization_name: Some(format!("Merchant {}", account.mage_id)),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        environment_type: space.environment_type,
        environment_name: space.name.clone(),
        account_group: Some("emulator".to_owned()),
        entitlement_authority: Some("MAGENTO".to_owned()),
        account_entitlements: Vec::new(),
        feature_set: Vec::new(),
        cloud_id: space.cloud_id.clone(),
        subscription_end_date: None,
        account_sync_status: Some(AccountSyncStatus {
            status: Some("COMPLETED".to_owned()),
            updated_at: Some(space.updated_at.clone()),
        }),
        created_at: Some(space.created_at.clone()),
        updated_at: Some(space.updated_at.clone()),
        hipaa: false,
    }
}

/// RFC 3339 UTC time of `secs` since the epoch.
/// Now, to the millisecond, as the registry stamps `createdAt` and `updatedAt`.
fn now_stamp() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let seconds = timestamp(u64::try_from(millis / 1000).unwrap_or(u64::MAX));
    format!("{}.{:03}Z", seconds.trim_end_matches('Z'), millis % 1000)
}

/// A change's stamp: never equal to the creation stamp, so `createdAt == updatedAt` means
/// "never changed" (docs/design.md, "Identity") even for a change in the same millisecond.
fn stamp_after(created: &str) -> String {
    let now = now_stamp();
    if now.as_str() > created {
        now
    } else {
        format!("{}1Z", created.trim_end_matches('Z'))
    }
}

fn timestamp(secs: u64) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Takes the state file's lock (`FILE.lock` beside it), making its directory first; another
/// process holding it is refused with what to do.
fn lock_state(path: &Path) -> Result<crate::file::Lock, LoadError> {
    let error = |reason: String| LoadError {
        path: path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::file::create_private_dir(dir).map_err(|e| error(io_reason(&e)))?;
    }
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    crate::file::try_lock(Path::new(&lock_path))
        .map_err(|e| error(io_reason(&e)))?
        .ok_or_else(|| {
            error(
                "another saasctl process is using it right now; wait for it to finish, then run again"
                    .to_owned(),
            )
        })
}

/// The state in memory and, when given a file, on disk: each change is written before it is
/// answered, so an answer always describes persisted state.
#[derive(Debug)]
pub struct Store {
    path: Option<PathBuf>,
    state: Mutex<State>,
    /// Held while the store is open: one process at a time owns a state file.
    _lock: Option<crate::file::Lock>,
}

impl Store {
    /// Loads `path` if it exists, starts empty otherwise; holds the file's lock (its directory
    /// made first) for as long as the store is open.
    pub fn open(path: Option<&Path>) -> Result<Self, LoadError> {
        let lock = path.map(lock_state).transpose()?;
        let state = match path {
            Some(path) if path.exists() => {
                let error = |reason: String| LoadError {
                    path: path.display().to_string(),
                    reason,
                };
                let text = crate::file::read_regular(path, crate::file::MAX_DATA_BYTES)
                    .map_err(|e| error(io_reason(&e)))?;
                serde_json::from_slice(&text).map_err(|e| error(e.to_string()))?
            }
            // A new file, in the directory the lock just made: starts empty.
            Some(_) | None => State::default(),
        };
        Ok(Self {
            path: path.map(Path::to_path_buf),
            state: Mutex::new(state),
            _lock: lock,
        })
    }

    /// Reads the state.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the state: `f` works on a copy, which replaces the state only once it is on disk,
    /// so a failed write leaves memory and file as they were. The small file is written while
    /// the lock is held, which keeps writes in the order of the changes.
    pub fn mutate<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut state = self.lock();
        let mut next = state.clone();
        let out = f(&mut next)?;
        if let Some(path) = &self.path {
            let json = serde_json::to_vec_pretty(&next)
                .map_err(|e| Refusal::new(500, format!("cannot encode state: {e}")))?;
            write_private(path, &json)
                .map_err(|e| Refusal::new(500, format!("cannot save state: {}", io_reason(&e))))?;
        }
        *state = next;
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half changed (changes are swapped in whole).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(license: License) -> Account {
        Account {
            api_key_hash: api_key_hash("key"),
            public_key: String::new(),
            license,
            mage_id: "MAG000000001".into(),
            organization_id: "org".into(),
        }
    }

    #[test]
    fn initialize_creates_the_licence_data_spaces() {
        let mut state = State::default();
        let commerce = account(License::AdobeCommerce);
        let rows = state.initialize(&commerce, "Luma").unwrap();
        let spaces: Vec<_> = rows
            .iter()
            .map(|r| (r.environment_name.as_str(), r.environment_type))
            .collect();
        assert_eq!(
            spaces,
            [
                ("Production", EnvironmentType::Production),
                ("Testing 1", EnvironmentType::Testing),
                ("Testing 2", EnvironmentType::Testing)
            ]
        );
        let open = Account {
            api_key_hash: api_key_hash("other"),
            ..account(License::MagentoOpenSource)
        };
        assert_eq!(state.initialize(&open, "Luma").unwrap().len(), 1);
        assert_eq!(state.registry(&api_key_hash("key")).len(), 3);
    }

    #[test]
    fn names_are_unique_and_unknown_ids_not_found() {
        let mut state = State::default();
        let acct = account(License::AdobeCommerce);
        let rows = state.initialize(&acct, "Luma").unwrap();
        assert_eq!(state.initialize(&acct, "Luma").unwrap_err().status, 409);
        state.initialize(&acct, "Other").unwrap();
        let id = &rows[0].project_id;
        assert_eq!(
            state.rename_project(&acct, id, "Other").unwrap_err().status,
            409
        );
        assert_eq!(
            state.rename_project(&acct, id, "Luma").unwrap()[0].project_name,
            "Luma"
        );
        assert_eq!(
            state.rename_project(&acct, "nope", "X").unwrap_err().status,
            404
        );
        let env = &rows[1].environment_id;
        let clash = state
            .rename_environment(&acct, env, "Testing 2")
            .unwrap_err();
        assert_eq!(clash.status, 409);
        assert_eq!(
            state
                .rename_environment(&acct, env, "Staging")
                .unwrap()
                .environment_name,
            "Staging"
        );
        assert_eq!(
            state
                .rename_environment(&acct, "nope", "X")
                .unwrap_err()
                .status,
            404
        );
        assert!(state.project(&api_key_hash("key"), "nope").is_empty());
        assert!(state.project("someone-else", id).is_empty());
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(timestamp(951_825_600), "2000-02-29T12:00:00Z");
    }

    #[test]
    fn store_persists_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".saasctl").join("state.json");
        let store = Store::open(Some(&path)).unwrap();
        store
            .mutate(|s| s.add_account(account(License::AdobeCommerce)))
            .unwrap();
        let refused = store.mutate(|s| s.add_account(account(License::AdobeCommerce)));
        assert_eq!(refused.unwrap_err().status, 409);
        // One store at a time owns the file: a second is refused until the first is closed.
        let busy = Store::open(Some(&path)).unwrap_err();
        assert!(
            busy.to_string().contains("another saasctl process"),
            "{busy}"
        );
        drop(store);
        let again = Store::open(Some(&path)).unwrap();
        assert_eq!(again.read(|s| s.accounts.len()), 1);
        drop(again);

        std::fs::write(&path, "{ torn").unwrap();
        let err = Store::open(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("state.json"), "{err}");
    }
}
