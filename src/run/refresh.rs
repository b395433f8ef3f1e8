//! Planning files against the live registry: load and check every file, connect each merchant
//! through its keys and read its account's live state (concurrently, with a bound), then plan.

use std::collections::BTreeMap;

use futures::{StreamExt, stream};

use super::connect::{Connection, Connector, read_live};
use super::{Files, MerchantError, MerchantErrors, installations};
use crate::live::LiveState;
use crate::magento::installation::Installation;
use crate::plan::{Allowances, MerchantInput, Plan, offline_plan, plan};

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
    offline_plan(&inputs)
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
/// failure does not hide the others.
pub async fn read_each_merchant(
    files: &Files,
    connector: &Connector,
    done: Done<'_>,
) -> (Vec<Merchant>, Vec<MerchantError>) {
    // First, one merchant after the other: embedded registries started, every secret read,
    // every key parsed, every target opened. Only reads run concurrently.
    let mut ready = Vec::new();
    let mut errors = Vec::new();
    for (index, file) in files.files.iter().enumerate() {
        let loaded = &file.loaded;
        let opened = async {
            let config = loaded
                .config
                .as_ref()
                .ok_or_else(|| MerchantError::Invalid {
                    file: loaded.file.clone(),
                })?;
            let connection = connector.connect(loaded, config).await?;
            let targets = installations::open(loaded, config)?;
            Ok::<_, MerchantError>((index, loaded, config, connection, targets))
        };
        match opened.await {
            Ok(merchant) => ready.push(merchant),
            Err(e) => {
                errors.push(e);
                done();
            }
        }
    }
    let results: Vec<Result<Merchant, MerchantError>> = stream::iter(ready)
        .map(|(index, loaded, config, connection, targets)| async move {
            // The registry and the installations are read at the same time.
            let (live, installations) = tokio::join!(
                read_live(&connection.client, config),
                installations::read(loaded, config, &targets)
            );
            done();
            let live = live.map_err(|source| MerchantError::Read {
                file: loaded.file.clone(),
                source,
            })?;
            Ok(Merchant {
                index,
                connection,
                live,
                installations: installations?,
            })
        })
        .buffered(connector.parallelism.max(1))
        .collect()
        .await;
    let mut merchants = Vec::new();
    for result in results {
        match result {
            Ok(merchant) => merchants.push(merchant),
            Err(e) => errors.push(e),
        }
    }
    (merchants, errors)
}

/// The plan of `files` against what was read.
pub fn plan_merchants(files: &Files, merchants: &[Merchant], allowances: &Allowances) -> Plan {
    let inputs: Vec<MerchantInput> = merchants
        .iter()
        .map(|m| MerchantInput {
            loaded: &files.files[m.index].loaded,
            diagnostics: &files.files[m.index].diagnostics,
            live: &m.live,
            fingerprints: &m.connection.fingerprints,
            gateway: &m.connection.gateway,
            installations: &m.installations,
        })
        .collect();
    plan(&inputs, allowances)
}
