//! Executes plans: every step is derived from the live state read just before it, so a crash
//! or a lost answer at any point leaves a state from which the next apply finishes the job,
//! without duplicates. Merchants run concurrently (bounded); within one, the project comes
//! before its data spaces, and data space renames run concurrently.

use std::time::Instant;

use futures::{StreamExt, stream};

use super::Files;
use super::connect::read_live;
use super::installations::{self, InstallationError, Written};
use super::refresh::Merchant;
use crate::live::LiveRow;
use crate::plan::{Action, Change, Kind, MerchantInput, Named, Object, Plan, plan};
use crate::registry::wire::Row;
use crate::registry::{RegistryClient, RegistryError};

/// Rounds of read, plan, execute per merchant: a read right before a create, the create,
/// renames, then a check that nothing is left, with room for answers lost on the way.
const MAX_ROUNDS: usize = 7;
/// Data space renames of one project sent at once.
const RENAME_CONCURRENCY: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error("{file}: {source}")]
    Registry {
        file: String,
        #[source]
        source: RegistryError,
    },
    #[error("{file}: the live state changed and the plan is now refused: {reasons}")]
    Refused { file: String, reasons: String },
    #[error("{file}: changes remain after {MAX_ROUNDS} rounds; run apply again")]
    NotConverged { file: String },
}

/// An apply in which some merchants failed: what every merchant did still counts.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}\n{}",
    .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
    self.summary()
)]
pub struct ExecuteFailed {
    pub applied: Applied,
    pub errors: Vec<ExecuteError>,
}

impl ExecuteFailed {
    /// What was done before the failures.
    pub fn summary(&self) -> String {
        format!(
            "apply failed after {} created, {} renamed; run it again to finish",
            self.applied.created, self.applied.renamed
        )
    }
}

/// What an apply did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub created: usize,
    pub renamed: usize,
}

impl std::ops::AddAssign for Applied {
    fn add_assign(&mut self, other: Self) {
        self.created += other.created;
        self.renamed += other.renamed;
    }
}

/// One step of an apply, as it happens; merchants report concurrently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A request is being sent, or something worth saying happened.
    Note(String),
    /// A project was created.
    Created(String),
    /// A project or data space was renamed.
    Renamed(String),
    /// A merchant's registry changes are over, done or failed.
    Merchant(MerchantDone),
}

impl Step {
    /// The progress line, for the steps that have one.
    pub fn line(&self) -> Option<&str> {
        match self {
            Step::Note(line) | Step::Created(line) | Step::Renamed(line) => Some(line),
            Step::Merchant(_) => None,
        }
    }
}

/// What one merchant's apply did to the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerchantDone {
    pub file: String,
    /// The addresses of the changes whose request the registry answered.
    pub done: Vec<String>,
    /// The change whose request failed, if one did.
    pub failed_at: Option<String>,
    /// Why the merchant failed.
    pub error: Option<String>,
}

/// Receives each step; the caller prints it and keeps count.
pub type Progress<'a> = &'a (dyn Fn(Step) + Sync);

/// Applies the changes of every merchant with something to do, and leaves in each merchant
/// the live state its registry now holds. Returns what was done, or every merchant's failure
/// with what was done anyway.
///
/// Requests are the fewest the job needs: the plan's read serves the first round, definite
/// answers update the state without another read, and the registry is read again only after
/// an answer was lost.
pub async fn execute(
    files: &Files,
    merchants: &mut [Merchant],
    planned: &Plan,
    parallelism: usize,
    progress: Progress<'_>,
) -> Result<Applied, ExecuteFailed> {
    let pending = merchants
        .iter_mut()
        .filter(|m| has_changes(planned, &files.files[m.index].loaded.file));
    let results: Vec<(Applied, Result<(), ExecuteError>)> = stream::iter(pending)
        .map(|merchant| async move {
            // What a failed merchant did before failing still counts.
            let mut applied = Applied::default();
            let mut record = MerchantDone {
                file: files.files[merchant.index].loaded.file.clone(),
                ..MerchantDone::default()
            };
            let result = converge(
                files,
                merchant,
                planned,
                progress,
                &mut applied,
                &mut record,
            )
            .await;
            record.error = result.as_ref().err().map(ToString::to_string);
            progress(Step::Merchant(record));
            (applied, result)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let mut applied = Applied::default();
    let mut errors = Vec::new();
    for (done, result) in results {
        applied += done;
        if let Err(e) = result {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(applied)
    } else {
        Err(ExecuteFailed { applied, errors })
    }
}

/// Whether `planned` changes anything of the merchant of `file`: the merchants apply works on.
pub fn has_changes(planned: &Plan, file: &str) -> bool {
    planned
        .merchants
        .iter()
        .filter(|mp| mp.file == file)
        .any(|mp| {
            planned
                .changes_of(&mp.slug)
                .any(|c| c.action != Action::NoOp)
        })
}

/// Writes every installation whose values `plan` (made after the registry changes, so its ids
/// are the registry's) updates, and every env file missing here. Returns what was written and every failure.
pub async fn write_installations(
    files: &Files,
    merchants: &[Merchant],
    plan: &Plan,
) -> (Vec<Written>, Vec<InstallationError>) {
    let mut written = Vec::new();
    let mut errors = Vec::new();
    let mut attempted = 0;
    for merchant in merchants {
        let loaded = &files.files[merchant.index].loaded;
        let Some(config) = &loaded.config else {
            continue;
        };
        let Some(planned) = plan.merchants.iter().find(|m| m.file == loaded.file) else {
            continue;
        };
        for change in plan
            .changes_of(&planned.slug)
            .filter(|c| c.writes_installation())
        {
            let prefix = format!("environment.{}.", planned.slug);
            let key = change.address.strip_prefix(&prefix).unwrap_or_default();
            crate::pause::point("installation", attempted);
            attempted += 1;
            match installations::write(loaded, config, key, change).await {
                Ok(Some(done)) => written.push(done),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
    }
    (written, errors)
}

/// Reads, plans and executes one merchant until its plan has no changes, counting what it
/// does in `applied`.
async fn converge(
    files: &Files,
    merchant: &mut Merchant,
    planned: &Plan,
    progress: Progress<'_>,
    applied: &mut Applied,
    record: &mut MerchantDone,
) -> Result<(), ExecuteError> {
    let loaded = &files.files[merchant.index].loaded;
    // Only files with a model are connected and read (`read_merchants`).
    let Some(config) = &loaded.config else {
        return Ok(());
    };
    let client = &merchant.connection.client;
    let registry = |source| ExecuteError::Registry {
        file: loaded.file.clone(),
        source,
    };
    // The reviewed plan checked SC025 against every file of the run; this merchant alone cannot
    // see the projects the others declare, so it keeps that verdict.
    let mut allowances = planned.allowances.clone();
    allowances.new_project = true;
    let mut live = merchant.live.clone();
    // Whether `live` is what the registry holds: read, or updated from definite answers.
    let mut known = true;
    let mut read_before_create = false;
    for _ in 0..MAX_ROUNDS {
        if !known {
            live = read_live(client, config).await.map_err(registry)?;
            known = true;
        }
        let current = plan(
            &[MerchantInput {
                loaded,
                diagnostics: &files.files[merchant.index].diagnostics,
                live: &live,
                fingerprints: &merchant.connection.fingerprints,
                gateway: &merchant.connection.gateway,
                installations: &merchant.installations,
            }],
            &allowances,
        );
        if current.refused {
            return Err(ExecuteError::Refused {
                file: loaded.file.clone(),
                reasons: current
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| format!("{} {}", d.rule, d.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        // Installations are written once the registry is done (`write_installations`).
        let todo: Vec<&Change> = current
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp && c.kind != Kind::Environment)
            .collect();
        if todo.is_empty() {
            merchant.live = live;
            return Ok(());
        }
        // A project to create: its data spaces exist only afterwards, so plan again then.
        if let Some(create) = todo
            .iter()
            .find(|c| c.kind == Kind::Project && c.action == Action::Create)
        {
            // The registry offers no lock: read it again right before creating, so a project
            // that another apply created since the plan is matched, never created twice.
            if !read_before_create {
                crate::pause::point("create", 0);
                read_before_create = true;
                known = false;
                continue;
            }
            let created = create_project(client, create, progress).await;
            if created.is_err() {
                record.failed_at = Some(create.address.clone());
            }
            match created.map_err(registry)? {
                Some(rows) => {
                    applied.created += 1;
                    record.done.push(create.address.clone());
                    live = live
                        .with_created(rows.into_iter().map(LiveRow::from))
                        .map_err(|e| {
                            registry(RegistryError::Decode {
                                url: client.base_url().to_string(),
                                reason: e.to_string(),
                            })
                        })?;
                }
                None => known = false,
            }
            continue;
        }
        for change in todo.iter().filter(|c| c.kind == Kind::Project) {
            let renamed = rename(client, change, progress).await;
            if renamed.is_err() {
                record.failed_at = Some(change.address.clone());
            }
            if let Some((id, name)) = renamed.map_err(registry)? {
                applied.renamed += 1;
                record.done.push(change.address.clone());
                live = live.renamed(&id, &name);
            }
        }
        let renames: Vec<(&Change, Renamed)> = stream::iter(
            todo.iter()
                .filter(|c| c.kind == Kind::DataSpace && c.action == Action::Rename),
        )
        .map(|change| async move { (*change, rename(client, change, progress).await) })
        .buffer_unordered(RENAME_CONCURRENCY)
        .collect()
        .await;
        // Count every rename that went through before reporting one that did not.
        let mut failed = None;
        for (change, result) in renames {
            match result {
                Ok(Some((id, name))) => {
                    applied.renamed += 1;
                    record.done.push(change.address.clone());
                    live = live.renamed(&id, &name);
                }
                Ok(None) => {}
                Err(e) if failed.is_none() => {
                    record.failed_at = Some(change.address.clone());
                    failed = Some(e);
                }
                Err(_) => {}
            }
        }
        if let Some(e) = failed {
            return Err(registry(e));
        }
    }
    Err(ExecuteError::NotConverged {
        file: loaded.file.clone(),
    })
}

/// A rename's answer: the id and new name, once the registry answered.
type Renamed = Result<Option<(String, String)>, RegistryError>;

fn name_of(object: Option<&Object>) -> &str {
    match object {
        Some(Object::Named(Named { name, .. })) => name,
        _ => "",
    }
}

/// Creates the project; returns the registry's rows of it. An answer lost on the way is not
/// an error (`None`): the next round reads the registry and finds the project by name before
/// anything is sent again.
async fn create_project(
    client: &RegistryClient,
    change: &Change,
    progress: Progress<'_>,
) -> Result<Option<Vec<Row>>, RegistryError> {
    let name = name_of(change.after.as_ref());
    progress(Step::Note(format!(
        "{}: creating \"{name}\"",
        change.address
    )));
    let started = Instant::now();
    match client.initialize(name).await {
        Ok(rows) => {
            let id = rows.first().map_or("", |r| r.project_id.as_str());
            let answered = rows.first().map_or("", |r| r.project_name.as_str());
            if answered != name {
                return Err(RegistryError::CreatedOtherName {
                    asked: crate::diagnostic::escape::quoted(name),
                    answered: crate::diagnostic::escape::quoted(answered),
                    id: id.to_owned(),
                });
            }
            progress(Step::Created(format!(
                "{}: created ({id}) in {:.1}s",
                change.address,
                started.elapsed().as_secs_f64()
            )));
            Ok(Some(rows))
        }
        Err(RegistryError::Uncertain { reason, .. }) => {
            progress(Step::Note(format!(
                "{}: no answer ({reason}); reading the registry before anything else",
                change.address
            )));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Renames a project or data space; returns its id and new name once the registry answered.
async fn rename(client: &RegistryClient, change: &Change, progress: Progress<'_>) -> Renamed {
    let (from, to) = (
        name_of(change.before.as_ref()),
        name_of(change.after.as_ref()),
    );
    progress(Step::Note(format!(
        "{}: renaming \"{from}\" -> \"{to}\"",
        change.address
    )));
    let started = Instant::now();
    let id = match (change.kind, &change.project_id, &change.environment_id) {
        (Kind::Project, Some(id), _) => {
            client.rename_project(id, to).await?;
            id
        }
        (Kind::DataSpace, _, Some(id)) => {
            client.rename_environment(id, to).await?;
            id
        }
        _ => return Ok(None),
    };
    progress(Step::Renamed(format!(
        "{}: renamed in {:.1}s",
        change.address,
        started.elapsed().as_secs_f64()
    )));
    Ok(Some((id.clone(), to.to_owned())))
}
