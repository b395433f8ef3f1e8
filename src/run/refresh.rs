//! Planning files against the live registry: load and check every file, connect each merchant
//! through its keys and read its account's live state (concurrently, with a bound), then plan.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, stream};

use super::connect::{Connection, Connector, Installations, read_live};
use super::files::{CheckedFile, Entry};
use super::{Files, MerchantError, MerchantErrors, installations};
use crate::config::Loaded;
use crate::diagnostic::{Diagnostic, JsonDiagnostic};
use crate::live::LiveState;
use crate::magento::installation::Installation;
use crate::plan::{AllowanceError, MerchantInput, Plan, offline_plan, plan, resolve_allowances};
use crate::rules::Allowances;
use crate::rules::{Secrets, check_file_with};

/// The plan of files refused offline: their findings, and no changes, since nothing was read.
pub fn refused_plan(files: &Files) -> Plan {
    let nothing_read = LiveState::default();
    let no_keys = Default::default();
    let no_installations = Default::default();
    let inputs: Vec<MerchantInput> = files
        .files
        .iter()
        .map(|file| MerchantInput {
            loaded: &file.loaded,
            diagnostics: &file.diagnostics,
            live: &nothing_read,
            fingerprints: &no_keys,
            gateway: "",
            installations: &no_installations,
        })
        .collect();
    let mut plan = offline_plan(&inputs);
    plan.ignored = waived(files.files.iter());
    plan
}

/// What the ignore comments of `files` accepted, as a plan lists it.
fn waived<'a>(files: impl Iterator<Item = &'a CheckedFile>) -> Vec<JsonDiagnostic> {
    files
        .flat_map(|file| &file.ignored)
        .map(JsonDiagnostic::from)
        .collect()
}

/// A merchant connected and read.
pub struct Merchant {
    pub index: usize,
    pub connection: Connection,
    pub live: LiveState,
    /// What each targeted environment's installation holds, by environment key.
    pub installations: BTreeMap<String, Installation>,
}

/// Called once per merchant as its read ends, well or not (progress).
pub type Done<'a> = &'a (dyn Fn() + Sync);

/// Connects every merchant and reads its live state; all failures are reported, not just the
/// first.
pub async fn read_merchants(
    files: &Files,
    connector: &Connector,
    done: Done<'_>,
) -> Result<Vec<Merchant>, MerchantErrors> {
    let (merchants, errors) = read_each_merchant(files, connector, done).await;
    if errors.is_empty() {
        Ok(merchants)
    } else {
        Err(MerchantErrors(errors))
    }
}

/// Every merchant that could be read, and every failure: in an agency run one merchant's
/// failure does not hide the others. Merchants are read concurrently (bounded).
pub async fn read_each_merchant(
    files: &Files,
    connector: &Connector,
    done: Done<'_>,
) -> (Vec<Merchant>, Vec<MerchantError>) {
    let results: Vec<(usize, Result<Read, MerchantError>)> =
        stream::iter(files.files.iter().enumerate())
            .map(|(index, file)| async move {
                let read = read(&file.loaded, connector).await;
                done();
                (index, read)
            })
            .buffered(connector.parallelism.max(1))
            .collect()
            .await;
    let mut merchants = Vec::new();
    let mut errors = Vec::new();
    for (index, result) in results {
        match result {
            Ok(read) => merchants.push(read.merchant(index)),
            Err(e) => errors.push(e),
        }
    }
    (merchants, errors)
}

/// Loads, checks and reads every file of `entries`, each merchant flowing on as soon as its
/// file is checked: its first registry request leaves while later files are still being
/// parsed. Parsing runs off the async threads (it is CPU work); at most the connector's
/// parallelism of merchants are in flight. Files with errors are not read: the caller refuses
/// them.
pub async fn load_and_read(
    entries: Vec<Entry>,
    connector: &Connector,
    done: Done<'_>,
) -> (Files, Vec<Merchant>, Vec<MerchantError>) {
    let flows: Vec<(CheckedFile, Option<Result<Read, MerchantError>>)> = stream::iter(entries)
        .map(|entry| async move {
            let path = entry.path;
            let checked =
                tokio::task::spawn_blocking(move || check_file_with(&path, Secrets::Read))
                    .await
                    // A panic in a check is a bug; it goes on as if it had happened here.
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
            let mut file = CheckedFile::new(checked.0, checked.1);
            if let Some(shown) = &entry.shown {
                file.show_as(shown);
            }
            tracing::trace!(file = file.loaded.file, "checked");
            if file.diagnostics.iter().any(Diagnostic::is_error) {
                done();
                return (file, None);
            }
            let read = read(&file.loaded, connector).await;
            done();
            (file, Some(read))
        })
        .buffered(connector.parallelism.max(1))
        .collect()
        .await;
    let mut files = Files::default();
    let mut merchants = Vec::new();
    let mut errors = Vec::new();
    for (index, (file, read)) in flows.into_iter().enumerate() {
        files.push(file);
        match read {
            Some(Ok(read)) => merchants.push(read.merchant(index)),
            Some(Err(e)) => errors.push(e),
            None => {}
        }
    }
    (files, merchants, errors)
}

/// One merchant connected and read, before it takes its place in the run.
struct Read {
    connection: Connection,
    live: LiveState,
    installations: BTreeMap<String, Installation>,
}

impl Read {
    fn merchant(self, index: usize) -> Merchant {
        Merchant {
            index,
            connection: self.connection,
            live: self.live,
            installations: self.installations,
        }
    }
}

/// Connects the merchant of `loaded` and reads its registry and installations at once.
async fn read(loaded: &Loaded, connector: &Connector) -> Result<Read, MerchantError> {
    let config = loaded
        .config
        .as_ref()
        .ok_or_else(|| MerchantError::Invalid {
            file: loaded.file.clone(),
        })?;
    let targets = match connector.installations {
        Installations::Skip => None,
        Installations::Read => {
            let targets = installations::open(loaded, config)?;
            // An installation that could not be written refuses its merchant before anything
            // is sent, or even connected.
            installations::check_writable(loaded, &targets).await?;
            Some(targets)
        }
    };
    let connection = connector.connect(loaded, config).await?;
    let (live, installations) = match &targets {
        None => {
            let live = read_live(&connection.client, config).await;
            (live, Ok(installations::skipped(config)))
        }
        Some(targets) => tokio::join!(
            read_live(&connection.client, config),
            installations::read(loaded, config, targets)
        ),
    };
    let live = live.map_err(|source| MerchantError::Read {
        file: loaded.file.clone(),
        source,
    })?;
    Ok(Read {
        connection,
        live,
        installations: installations?,
    })
}

/// What the planner reads of each merchant read.
fn inputs<'a>(files: &'a Files, merchants: &'a [Merchant]) -> Vec<MerchantInput<'a>> {
    merchants
        .iter()
        .map(|m| MerchantInput {
            loaded: &files.files[m.index].loaded,
            diagnostics: &files.files[m.index].diagnostics,
            live: &m.live,
            fingerprints: &m.connection.fingerprints,
            gateway: &m.connection.gateway,
            installations: &m.installations,
        })
        .collect()
}

/// The allowances of the command line, each naming one environment of the merchants read.
pub fn resolve(
    files: &Files,
    merchants: &[Merchant],
    allowances: &Allowances,
) -> Result<Allowances, AllowanceError> {
    // A selector for an environment of a merchant that could not be read is left out: that
    // merchant is reported unread, which says more than "names no environment".
    let unread_environments: BTreeSet<&str> = files
        .files
        .iter()
        .enumerate()
        .filter(|(index, _)| !merchants.iter().any(|m| m.index == *index))
        .filter_map(|(_, file)| file.loaded.config.as_ref())
        .flat_map(|config| config.environments.keys().map(String::as_str))
        .collect();
    let read = inputs(files, merchants);
    let mut asked = allowances.clone();
    asked.rebind.retain(|selector| {
        let environment = selector.rsplit('/').next().unwrap_or(selector);
        let one = Allowances {
            new_project: false,
            rebind: [selector.clone()].into(),
        };
        !unread_environments.contains(environment) || resolve_allowances(&one, &read).is_ok()
    });
    resolve_allowances(&asked, &read)
}

/// The plan of `files` against what was read.
pub fn plan_merchants(files: &Files, merchants: &[Merchant], allowances: &Allowances) -> Plan {
    let mut plan = plan(&inputs(files, merchants), allowances);
    plan.ignored = waived(merchants.iter().map(|m| &files.files[m.index]));
    plan
}
