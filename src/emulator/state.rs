//! The emulator's registry: accounts and projects, their rules, and their file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::config::{DataSpaceType, KeySetName, License};
use crate::file::io_reason;
use crate::file::write_private;
use crate::registry::wire::{self, AccountSyncStatus, Environment, EnvironmentType, Row};

/// A merchant account: what the key portal registered, and every key it was given. Neither a
/// private key nor an API key is stored: the state file may sit in a repository's working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub mage_id: String,
    pub license: License,
    pub organization_id: String,
    /// Revoked keys too: their API keys stay taken. At most one active key per environment,
    /// as in Adobe's portal.
    pub keys: Vec<AccountKey>,
}

/// One key pair of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountKey {
    /// Which gateway's registry the key opens: production and sandbox are separate registries.
    pub environment: KeySetName,
    /// [`api_key_hash`] of the API key.
    pub api_key_hash: String,
    /// The public key, PEM.
    pub public_key: String,
    /// When a newer key of its environment replaced it; a revoked key is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// What [`State::add_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAdded {
    /// The account's licence.
    pub license: License,
    /// Whether the account's previous key of the environment was revoked.
    pub revoked_previous: bool,
}

/// Who a registry request comes from: an account, through its active key of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub mage_id: String,
    pub organization_id: String,
    pub license: License,
    pub environment: KeySetName,
    /// The key's public half, PEM: what the request's token must verify against.
    pub public_key: String,
}

impl Caller {
    fn owns(&self, project: &Project) -> bool {
        project.account == self.mage_id && project.keys == self.environment
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    /// The owning account's mageId.
    pub account: String,
    /// The environment of the keys that created it: only keys of that environment see it.
    pub keys: KeySetName,
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

/// The state file's format. Version 1 (no `version` field) had one key per account and
/// projects owned by that key's hash; it is read and migrated.
const STATE_VERSION: u32 = 2;

/// Everything the emulator knows; this is the state file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    version: u32,
    pub accounts: Vec<Account>,
    pub projects: Vec<Project>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            accounts: Vec::new(),
            projects: Vec::new(),
        }
    }
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
    /// Reads a state file's JSON, of this format or migrated from version 1.
    pub fn from_json(text: &[u8]) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        let Version { version } = serde_json::from_slice(text).map_err(|e| e.to_string())?;
        match version {
            None => v1::State::from_json(text)?.migrate(),
            Some(STATE_VERSION) => serde_json::from_slice(text).map_err(|e| e.to_string()),
            Some(other) => Err(format!(
                "it is of format version {other}, and this saasctl reads versions 1 and \
                 {STATE_VERSION}: run a newer saasctl, or start with another --state file"
            )),
        }
    }

    /// Who an API key belongs to, if it is an active key.
    pub fn caller(&self, api_key: &str) -> Option<Caller> {
        let hash = api_key_hash(api_key);
        self.accounts.iter().find_map(|account| {
            let key = account
                .keys
                .iter()
                .find(|k| k.api_key_hash == hash && k.revoked_at.is_none())?;
            Some(Caller {
                mage_id: account.mage_id.clone(),
                organization_id: account.organization_id.clone(),
                license: account.license,
                environment: key.environment,
                public_key: key.public_key.clone(),
            })
        })
    }

    /// Refuses an API key that any account was ever given.
    fn check_new_key(&self, key: &AccountKey) -> Result<(), Refusal> {
        let taken = self
            .accounts
            .iter()
            .flat_map(|a| &a.keys)
            .any(|k| k.api_key_hash == key.api_key_hash);
        if taken {
            return Err(Refusal::new(409, "API key already registered"));
        }
        Ok(())
    }

    pub fn add_account(&mut self, account: Account) -> Result<(), Refusal> {
        for key in &account.keys {
            self.check_new_key(key)?;
        }
        if self.accounts.iter().any(|a| a.mage_id == account.mage_id) {
            return Err(Refusal::new(
                409,
                format!(
                    "Account {id} already exists: add a key to it with POST /portal/accounts/{id}/keys",
                    id = account.mage_id
                ),
            ));
        }
        self.accounts.push(account);
        Ok(())
    }

    /// Adds a key to an account and revokes the account's active key of the same environment,
    /// as Adobe's portal keeps one key per environment.
    pub fn add_key(&mut self, mage_id: &str, key: AccountKey) -> Result<KeyAdded, Refusal> {
        self.check_new_key(&key)?;
        let account = self
            .accounts
            .iter_mut()
            .find(|a| a.mage_id == mage_id)
            .ok_or_else(|| {
                Refusal::new(
                    404,
                    format!(
                        "No account {mage_id} in this emulator: check the mageId, or register a \
                         new account with POST /portal/accounts"
                    ),
                )
            })?;
        let now = now_stamp();
        let mut revoked = false;
        for old in &mut account.keys {
            if old.environment == key.environment && old.revoked_at.is_none() {
                old.revoked_at = Some(now.clone());
                revoked = true;
            }
        }
        account.keys.push(key);
        Ok(KeyAdded {
            license: account.license,
            revoked_previous: revoked,
        })
    }

    fn projects_of<'a>(&'a self, caller: &'a Caller) -> impl Iterator<Item = &'a Project> {
        self.projects.iter().filter(move |p| caller.owns(p))
    }

    fn project_mut(&mut self, caller: &Caller, id: &str) -> Result<&mut Project, Refusal> {
        self.projects
            .iter_mut()
            .find(|p| caller.owns(p) && p.id == id)
            .ok_or_else(Refusal::not_found)
    }

    /// Where an environment id is: (project index, data space index), among the caller's.
    fn locate(&self, caller: &Caller, id: &str) -> Result<(usize, usize), Refusal> {
        self.projects
            .iter()
            .enumerate()
            .filter(|(_, p)| caller.owns(p))
            .find_map(|(i, p)| Some((i, p.data_spaces.iter().position(|s| s.id == id)?)))
            .ok_or_else(Refusal::not_found)
    }

    pub fn registry(&self, caller: &Caller) -> Vec<Row> {
        self.projects_of(caller).flat_map(rows).collect()
    }

    /// A project's rows; none when the caller has no such project.
    pub fn project(&self, caller: &Caller, id: &str) -> Vec<Row> {
        self.projects_of(caller)
            .filter(|p| p.id == id)
            .flat_map(rows)
            .collect()
    }

    pub fn environment(&self, caller: &Caller, id: &str) -> Result<Environment, Refusal> {
        let (p, s) = self.locate(caller, id)?;
        let project = &self.projects[p];
        Ok(environment(caller, project, &project.data_spaces[s]))
    }

    /// Creates a project with the data spaces of the account's licence.
    pub fn initialize(&mut self, caller: &Caller, name: &str) -> Result<Vec<Row>, Refusal> {
        let name = checked_name(name)?;
        if self.projects_of(caller).any(|p| p.name == name) {
            return Err(Refusal::new(409, "Project name already exists"));
        }
        let now = now_stamp();
        let spaces = caller
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
            account: caller.mage_id.clone(),
            keys: caller.environment,
            data_spaces: spaces,
        };
        let rows = rows(&project);
        self.projects.push(project);
        Ok(rows)
    }

    pub fn rename_project(
        &mut self,
        caller: &Caller,
        id: &str,
        name: &str,
    ) -> Result<Vec<Row>, Refusal> {
        let name = checked_name(name)?;
        if self
            .projects_of(caller)
            .any(|p| p.name == name && p.id != id)
        {
            return Err(Refusal::new(409, "Project name already exists"));
        }
        let project = self.project_mut(caller, id)?;
        name.clone_into(&mut project.name);
        Ok(rows(project))
    }

    pub fn rename_environment(
        &mut self,
        caller: &Caller,
        id: &str,
        name: &str,
    ) -> Result<Environment, Refusal> {
        let name = checked_name(name)?;
        let (p, index) = self.locate(caller, id)?;
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
        Ok(environment(caller, project, &project.data_spaces[index]))
    }

    pub fn set_cloud_id(
        &mut self,
        caller: &Caller,
        id: &str,
        cloud_id: &str,
    ) -> Result<Environment, Refusal> {
        let (p, index) = self.locate(caller, id)?;
        let project = &mut self.projects[p];
        let space = &mut project.data_spaces[index];
        space.cloud_id = Some(cloud_id.to_owned());
        space.updated_at = stamp_after(&space.created_at);
        Ok(environment(caller, project, &project.data_spaces[index]))
    }
}

fn environment(caller: &Caller, project: &Project, space: &DataSpace) -> Environment {
    Environment {
        environment_id: space.id.clone(),
        mage_id: Some(caller.mage_id.clone()),
        ims_organization_id: None,
        organization_id: Some(caller.organization_id.clone()),
        organization_name: Some(format!("Merchant {}", caller.mage_id)),
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
                State::from_json(&text).map_err(error)?
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

/// The state file before accounts had keys per environment: one key per account, projects
/// owned by its hash. Each account becomes one with that key as its production key.
mod v1 {
    use std::collections::HashMap;

    use serde::Deserialize;

    use super::{AccountKey, STATE_VERSION};
    use crate::config::{KeySetName, License};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Account {
        api_key_hash: String,
        public_key: String,
        license: License,
        mage_id: String,
        organization_id: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Project {
        id: String,
        name: String,
        /// The owning account's API key hash.
        account: String,
        data_spaces: Vec<super::DataSpace>,
    }

    #[derive(Deserialize)]
    pub(super) struct State {
        accounts: Vec<Account>,
        projects: Vec<Project>,
    }

    impl State {
        pub(super) fn from_json(text: &[u8]) -> Result<Self, String> {
            serde_json::from_slice(text).map_err(|e| e.to_string())
        }

        pub(super) fn migrate(self) -> Result<super::State, String> {
            let mut owners = HashMap::new();
            let mut accounts: Vec<super::Account> = Vec::new();
            for old in self.accounts {
                if accounts.iter().any(|a| a.mage_id == old.mage_id) {
                    return Err(format!(
                        "two accounts have mageId {}, which format version {STATE_VERSION} \
                         does not allow: give one of them another mageId in the file",
                        old.mage_id
                    ));
                }
                owners.insert(old.api_key_hash.clone(), old.mage_id.clone());
                accounts.push(super::Account {
                    mage_id: old.mage_id,
                    license: old.license,
                    organization_id: old.organization_id,
                    keys: vec![AccountKey {
                        environment: KeySetName::Production,
                        api_key_hash: old.api_key_hash,
                        public_key: old.public_key,
                        revoked_at: None,
                    }],
                });
            }
            let projects = self
                .projects
                .into_iter()
                .map(|old| {
                    let account = owners.get(&old.account).ok_or_else(|| {
                        format!("project {} belongs to no account in the file", old.id)
                    })?;
                    Ok(super::Project {
                        id: old.id,
                        name: old.name,
                        account: account.clone(),
                        keys: KeySetName::Production,
                        data_spaces: old.data_spaces,
                    })
                })
                .collect::<Result<_, String>>()?;
            Ok(super::State {
                version: STATE_VERSION,
                accounts,
                projects,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(environment: KeySetName, api_key: &str) -> AccountKey {
        AccountKey {
            environment,
            api_key_hash: api_key_hash(api_key),
            public_key: format!("the public half of {api_key}"),
            revoked_at: None,
        }
    }

    fn account(license: License, mage_id: &str, api_key: &str) -> Account {
        Account {
            mage_id: mage_id.into(),
            license,
            organization_id: "org".into(),
            keys: vec![key(KeySetName::Production, api_key)],
        }
    }

    /// A state holding `accounts`.
    fn state_with(accounts: Vec<Account>) -> State {
        let mut state = State::default();
        for account in accounts {
            state.add_account(account).unwrap();
        }
        state
    }

    fn caller(state: &State, api_key: &str) -> Caller {
        state.caller(api_key).expect("an active key")
    }

    #[test]
    fn initialize_creates_the_licence_data_spaces() {
        let mut state = state_with(vec![
            account(License::AdobeCommerce, "MAG000000001", "key"),
            account(License::MagentoOpenSource, "MAG000000002", "other"),
        ]);
        let commerce = caller(&state, "key");
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
        let open = caller(&state, "other");
        assert_eq!(state.initialize(&open, "Luma").unwrap().len(), 1);
        assert_eq!(state.registry(&commerce).len(), 3);
    }

    #[test]
    fn names_are_unique_and_unknown_ids_not_found() {
        let mut state = state_with(vec![
            account(License::AdobeCommerce, "MAG000000001", "key"),
            account(License::AdobeCommerce, "MAG000000002", "someone else"),
        ]);
        let acct = caller(&state, "key");
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
        assert!(state.project(&acct, "nope").is_empty());
        assert!(
            state
                .project(&caller(&state, "someone else"), id)
                .is_empty()
        );
    }

    #[test]
    fn a_new_key_revokes_the_previous_one_of_its_environment_and_keeps_the_projects() {
        let mut state = state_with(vec![account(License::AdobeCommerce, "MAG1", "a")]);
        let rows = state.initialize(&caller(&state, "a"), "Luma").unwrap();

        let added = state.add_key("MAG1", key(KeySetName::Production, "b"));
        assert_eq!(
            added,
            Ok(KeyAdded {
                license: License::AdobeCommerce,
                revoked_previous: true
            })
        );
        assert_eq!(state.caller("a"), None, "the old key is revoked");
        let b = caller(&state, "b");
        assert_eq!(b.public_key, "the public half of b");
        assert_eq!(state.registry(&b), rows);

        // Sandbox is another registry: its first key revokes nothing and sees no project.
        let added = state
            .add_key("MAG1", key(KeySetName::Sandbox, "s"))
            .unwrap();
        assert!(!added.revoked_previous);
        assert!(state.registry(&caller(&state, "s")).is_empty());
        assert_eq!(caller(&state, "b").environment, KeySetName::Production);

        // A revoked API key stays taken; an unknown account or a taken mageId is refused.
        let reused = state.add_key("MAG1", key(KeySetName::Production, "a"));
        assert_eq!(reused.unwrap_err().status, 409);
        let unknown = state
            .add_key("MAG9", key(KeySetName::Production, "c"))
            .unwrap_err();
        assert_eq!(unknown.status, 404);
        assert!(unknown.message.contains("No account MAG9"), "{unknown:?}");
        let taken = state
            .add_account(account(License::AdobeCommerce, "MAG1", "d"))
            .unwrap_err();
        assert_eq!(taken.status, 409);
        assert!(
            taken.message.contains("/portal/accounts/MAG1/keys"),
            "{taken:?}"
        );
        let keys = &state.accounts[0].keys;
        assert_eq!(keys.len(), 3);
        assert!(keys[0].revoked_at.is_some() && keys[1..].iter().all(|k| k.revoked_at.is_none()));
    }

    /// A state file as saasctl wrote it before accounts had keys per environment.
    const VERSION_1: &str = r#"{
  "accounts": [{"apiKeyHash": "API_KEY_HASH", "publicKey": "PEM", "license": "adobe-commerce",
                "mageId": "MAG000000001", "organizationId": "org"}],
  "projects": [{"id": "p1", "name": "Luma", "account": "API_KEY_HASH", "dataSpaces": [
    {"id": "s1", "name": "Production", "environmentType": "Production", "cloudId": null,
     "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}]}]
}"#;

    #[test]
    fn version_1_state_files_are_migrated_and_unknown_versions_refused() {
        let text = VERSION_1.replace("API_KEY_HASH", &api_key_hash("old"));
        let mut state = State::from_json(text.as_bytes()).unwrap();
        let old = caller(&state, "old");
        assert_eq!(
            (
                old.mage_id.as_str(),
                old.environment,
                old.public_key.as_str()
            ),
            ("MAG000000001", KeySetName::Production, "PEM")
        );
        assert_eq!(state.registry(&old)[0].project_name, "Luma");
        // Saved in the new format, and read back the same.
        let saved = serde_json::to_vec(&state).unwrap();
        assert_eq!(State::from_json(&saved).unwrap(), state);
        let added = state.add_key("MAG000000001", key(KeySetName::Production, "new"));
        assert!(added.unwrap().revoked_previous);
        assert_eq!(
            state.registry(&caller(&state, "new"))[0].project_name,
            "Luma"
        );

        let orphan = VERSION_1.replace("\"account\": \"API_KEY_HASH\"", "\"account\": \"x\"");
        let err = State::from_json(orphan.as_bytes()).unwrap_err();
        assert_eq!(err, "project p1 belongs to no account in the file");
        let newer = State::from_json(br#"{"version": 3, "accounts": []}"#).unwrap_err();
        assert!(newer.contains("format version 3"), "{newer}");
        let torn = State::from_json(b"{ torn").unwrap_err();
        assert!(torn.contains("line 1"), "{torn}");
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
        let commerce = || account(License::AdobeCommerce, "MAG000000001", "key");
        store.mutate(|s| s.add_account(commerce())).unwrap();
        let refused = store.mutate(|s| s.add_account(commerce()));
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

        // A version-1 file opens, migrated; the first change saves it as version 2.
        std::fs::write(
            &path,
            VERSION_1.replace("API_KEY_HASH", &api_key_hash("old")),
        )
        .unwrap();
        let old = Store::open(Some(&path)).unwrap();
        let caller = old.read(|s| s.caller("old")).expect("the old key");
        assert_eq!(old.read(|s| s.registry(&caller)).len(), 1);
        old.mutate(|s| s.initialize(&caller, "Other")).unwrap();
        drop(old);
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(saved["version"], 2);

        std::fs::write(&path, "{ torn").unwrap();
        let err = Store::open(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("state.json"), "{err}");
    }
}
