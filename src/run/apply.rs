//! Executes plans: every step is derived from the live state read just before it, so a crash
//! or a lost answer at any point leaves a state from which the next apply finishes the job,
//! without duplicates. Merchants run concurrently (bounded); within one, the project comes
//! before its data spaces, and data space renames run concurrently.

use std::time::Instant;

use futures::{StreamExt, stream};
use serde::Serialize;

use super::Files;
use super::connect::read_live;
use super::installations::{self, InstallationError, Written};
use super::refresh::Merchant;
use crate::live::LiveRow;
use crate::plan::{Action, Change, Kind, MerchantInput, Named, Object, Plan, plan};
use crate::registry::wire::Row;
use crate::registry::{RegistryClient, RegistryError};

/// Rounds of read, plan, execute per merchant: create, renames, then a check that nothing is
/// left, with room for answers lost on the way.
const MAX_ROUNDS: usize = 6;
/// Data space renames of one project sent at once.
const RENAME_CONCURRENCY: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
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
    "{}apply failed after {} created, {} renamed; run it again to finish",
    .errors.iter().map(|e| format!("{e}\nerror: ")).collect::<String>(),
    .applied.created,
    .applied.renamed
)]
pub struct ApplyFailed {
    pub applied: Applied,
    pub errors: Vec<ApplyError>,
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
pub async fn apply(
    files: &Files,
    merchants: &mut [Merchant],
    planned: &Plan,
    parallelism: usize,
    progress: Progress<'_>,
) -> Result<Applied, ApplyFailed> {
    let pending = merchants
        .iter_mut()
        .filter(|m| has_changes(planned, &files.files[m.index].loaded.file));
    let results: Vec<(Applied, Result<(), ApplyError>)> = stream::iter(pending)
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
        Err(ApplyFailed { applied, errors })
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
/// are the registry's) updates. Returns what was written and every failure.
pub async fn write_installations(
    files: &Files,
    merchants: &[Merchant],
    plan: &Plan,
) -> (Vec<Written>, Vec<InstallationError>) {
    let mut written = Vec::new();
    let mut errors = Vec::new();
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
            .filter(|c| c.kind == Kind::Environment && c.action == Action::Update)
        {
            let prefix = format!("environment.{}.", planned.slug);
            let key = change.address.strip_prefix(&prefix).unwrap_or_default();
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
) -> Result<(), ApplyError> {
    let loaded = &files.files[merchant.index].loaded;
    // Only files with a model are connected and read (`read_merchants`).
    let Some(config) = &loaded.config else {
        return Ok(());
    };
    let client = &merchant.connection.client;
    let registry = |source| ApplyError::Registry {
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
            return Err(ApplyError::Refused {
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
    Err(ApplyError::NotConverged {
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

/// What an apply did, merchant by merchant, for pipelines (`apply --format json`).
#[derive(Debug, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub status: ReportStatus,
    pub summary: ReportSummary,
    pub merchants: Vec<MerchantReport>,
}

impl Report {
    /// The version of this report's shape.
    pub const FORMAT_VERSION: u32 = 1;

    /// A report of nothing done.
    pub fn empty(status: ReportStatus) -> Self {
        Self {
            format_version: Self::FORMAT_VERSION,
            status,
            summary: ReportSummary::default(),
            merchants: Vec::new(),
        }
    }

    /// Nothing was applied: these merchants of `files` could not be connected or read.
    pub fn unread(files: &Files, errors: &[super::MerchantError]) -> Self {
        Self::empty(ReportStatus::Failed).with_unread(files, errors)
    }

    /// The report with these merchants of `files` added as failed: they could not be
    /// connected or read, so nothing of theirs was sent.
    pub fn with_unread(mut self, files: &Files, errors: &[super::MerchantError]) -> Self {
        let project = |file: &str| {
            files
                .files
                .iter()
                .find(|f| f.loaded.file == file)
                .and_then(|f| f.loaded.config.as_ref())
                .map(|c| c.project.name.to_string())
                .unwrap_or_default()
        };
        self.merchants.extend(errors.iter().map(|e| MerchantReport {
            file: e.file().to_owned(),
            project: project(e.file()),
            status: ReportStatus::Failed,
            error: Some(e.to_string()),
            changes: Vec::new(),
            installations: Vec::new(),
        }));
        if !errors.is_empty() {
            self.status = ReportStatus::Failed;
        }
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Every change applied (or found done) and every installation written.
    Applied,
    NoChanges,
    /// The plan is refused: nothing was sent.
    Refused,
    /// Something failed: see each merchant.
    Failed,
}

#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub applied: usize,
    pub skipped: usize,
    pub failed: usize,
    pub installations_written: usize,
    pub installations_failed: usize,
}

#[derive(Debug, Serialize)]
pub struct MerchantReport {
    pub file: String,
    pub project: String,
    /// `applied` or `failed`.
    pub status: ReportStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub changes: Vec<ChangeReport>,
    pub installations: Vec<InstallationReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Not sent: found as planned, or not reached once the merchant failed.
    Skipped,
    Failed,
    /// An installation's binding written.
    Written,
}

#[derive(Debug, Serialize)]
pub struct ChangeReport {
    pub address: String,
    pub kind: Kind,
    pub action: Action,
    pub status: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InstallationReport {
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub status: Outcome,
    /// Moved to another data space: its feeds must be resent.
    pub rebound: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What became of every change of `planned`: `done` per merchant whose registry changes ran,
/// `written` and `failed` for the installations (none when the registry changes failed).
pub fn report(
    planned: &Plan,
    done: &[MerchantDone],
    written: &[Written],
    failed: &[InstallationError],
) -> Report {
    let mut summary = ReportSummary::default();
    let mut merchants = Vec::new();
    for merchant in &planned.merchants {
        let changes: Vec<&Change> = planned
            .changes_of(&merchant.slug)
            .filter(|c| c.action != Action::NoOp)
            .collect();
        if changes.is_empty() {
            continue;
        }
        let record = done.iter().find(|d| d.file == merchant.file);
        let error = record.and_then(|r| r.error.clone());
        // A data space created with its project, in the project's one request.
        let project_created = changes.iter().any(|c| {
            c.kind == Kind::Project
                && c.action == Action::Create
                && record.is_some_and(|r| r.done.contains(&c.address))
        });
        let mut report = MerchantReport {
            file: merchant.file.clone(),
            project: merchant.project.clone(),
            status: ReportStatus::Applied,
            error: error.clone(),
            changes: Vec::new(),
            installations: Vec::new(),
        };
        for change in changes.iter().filter(|c| c.kind != Kind::Environment) {
            let sent = record.is_some_and(|r| r.done.contains(&change.address));
            let failed_here = record.is_some_and(|r| r.failed_at.as_ref() == Some(&change.address));
            let failed_first = record.is_some_and(|r| r.failed_at.is_some());
            let (status, error, note) = if sent {
                (Outcome::Applied, None, None)
            } else if change.kind == Kind::DataSpace
                && change.action == Action::Create
                && project_created
            {
                (Outcome::Applied, None, Some("created with its project"))
            } else {
                match &error {
                    None => (Outcome::Skipped, None, Some("found as planned")),
                    // The change whose request failed, or a merchant refused or unfinished.
                    Some(e) if failed_here || !failed_first => {
                        (Outcome::Failed, Some(e.clone()), None)
                    }
                    Some(_) => (
                        Outcome::Skipped,
                        None,
                        Some("not sent: an earlier change of the merchant failed"),
                    ),
                }
            };
            match status {
                Outcome::Applied | Outcome::Written => summary.applied += 1,
                Outcome::Skipped => summary.skipped += 1,
                Outcome::Failed => summary.failed += 1,
            }
            report.changes.push(ChangeReport {
                address: change.address.clone(),
                kind: change.kind,
                action: change.action,
                status,
                error,
                note: note.map(str::to_owned),
            });
        }
        // The installations apply writes (`write_installations`).
        for change in changes.iter().filter(|c| {
            c.kind == Kind::Environment && c.action == Action::Update && c.target.is_some()
        }) {
            let installation = if let Some(w) = written
                .iter()
                .find(|w| w.file == merchant.file && w.address == change.address)
            {
                summary.installations_written += 1;
                InstallationReport {
                    address: change.address.clone(),
                    target: Some(w.target.clone()),
                    status: Outcome::Written,
                    rebound: w.rebound,
                    error: None,
                }
            } else if let Some(e) = failed.iter().find(|e| {
                e.file == merchant.file
                    && change.address == format!("environment.{}.{}", merchant.slug, e.environment)
            }) {
                summary.installations_failed += 1;
                InstallationReport {
                    address: change.address.clone(),
                    target: change.target.clone(),
                    status: Outcome::Failed,
                    rebound: false,
                    error: Some(e.source.to_string()),
                }
            } else {
                InstallationReport {
                    address: change.address.clone(),
                    target: change.target.clone(),
                    status: Outcome::Skipped,
                    rebound: false,
                    error: None,
                }
            };
            if installation.status == Outcome::Failed && report.error.is_none() {
                report.error = installation.error.clone();
            }
            report.installations.push(installation);
        }
        if report.error.is_some() {
            report.status = ReportStatus::Failed;
        }
        merchants.push(report);
    }
    let status = if merchants.iter().any(|m| m.status == ReportStatus::Failed) {
        ReportStatus::Failed
    } else if merchants.is_empty() {
        ReportStatus::NoChanges
    } else {
        ReportStatus::Applied
    };
    Report {
        format_version: Report::FORMAT_VERSION,
        status,
        summary,
        merchants,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::live::LiveState;
    use crate::plan::{Allowances, MerchantInput};
    use crate::rules::testing::{LUMA, load_as};

    /// Luma against an empty registry: a project and its data spaces to create.
    fn luma_plan() -> Plan {
        let (loaded, diagnostics) = load_as("luma.yaml", LUMA);
        let (fingerprints, installations) = (BTreeMap::new(), BTreeMap::new());
        let live = LiveState::default();
        plan(
            &[MerchantInput {
                loaded: &loaded,
                diagnostics: &diagnostics,
                live: &live,
                fingerprints: &fingerprints,
                gateway: "",
                installations: &installations,
            }],
            &Allowances::default(),
        )
    }

    fn statuses(report: &Report) -> Vec<(String, Outcome, Option<String>)> {
        report.merchants[0]
            .changes
            .iter()
            .map(|c| {
                (
                    c.address.clone(),
                    c.status,
                    c.error.clone().or(c.note.clone()),
                )
            })
            .collect()
    }

    /// The plan's project creation.
    fn project_change(planned: &Plan) -> &Change {
        planned
            .changes
            .iter()
            .find(|c| c.kind == Kind::Project)
            .expect("project")
    }

    #[test]
    fn a_created_project_brings_its_data_spaces() {
        let planned = luma_plan();
        let project = project_change(&planned);
        let done = MerchantDone {
            file: "luma.yaml".to_owned(),
            done: vec![project.address.clone()],
            ..MerchantDone::default()
        };
        let report = report(&planned, &[done], &[], &[]);
        assert_eq!(report.status, ReportStatus::Applied);
        assert_eq!(report.format_version, 1);
        let statuses = statuses(&report);
        assert!(statuses.len() > 1, "{statuses:?}");
        assert_eq!(
            statuses[0],
            (project.address.clone(), Outcome::Applied, None)
        );
        for (address, status, note) in &statuses[1..] {
            assert_eq!(*status, Outcome::Applied, "{address}");
            assert_eq!(note.as_deref(), Some("created with its project"));
        }
        assert_eq!(report.summary.applied, statuses.len());
    }

    #[test]
    fn a_failed_request_fails_its_change_and_skips_those_not_reached() {
        let planned = luma_plan();
        let project = project_change(&planned);
        let failed = MerchantDone {
            file: "luma.yaml".to_owned(),
            done: Vec::new(),
            failed_at: Some(project.address.clone()),
            error: Some("the registry answered 400: bad name".to_owned()),
        };
        let report = report(&planned, &[failed], &[], &[]);
        assert_eq!(report.status, ReportStatus::Failed);
        let statuses = statuses(&report);
        assert_eq!(
            statuses[0],
            (
                project.address.clone(),
                Outcome::Failed,
                Some("the registry answered 400: bad name".to_owned())
            )
        );
        assert!(
            statuses[1..]
                .iter()
                .all(|(_, status, _)| *status == Outcome::Skipped),
            "{statuses:?}"
        );
        assert_eq!(report.summary.failed, 1);
        assert_eq!(report.summary.skipped, statuses.len() - 1);

        // Refused or unfinished as a whole: every change it had left failed with that reason.
        let refused = MerchantDone {
            file: "luma.yaml".to_owned(),
            error: Some("luma.yaml: the live state changed".to_owned()),
            ..MerchantDone::default()
        };
        let report = super::report(&planned, &[refused], &[], &[]);
        assert!(
            report.merchants[0]
                .changes
                .iter()
                .all(|c| c.status == Outcome::Failed && c.error.is_some())
        );
    }
}
