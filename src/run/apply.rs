//! `saasctl apply`, the use case: applies a saved plan as it was reviewed, or plans files and
//! applies them once approved; registry changes first, then the installations. What it did
//! comes back as a [`Done`] (with the JSON [`Report`] pipelines read), whatever failed
//! on the way included.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use super::connect::Connector;
use super::execute::{
    ExecuteFailed, MerchantDone, Step, execute, has_changes, write_installations,
};
use super::installations::{InstallationError, Written};
use super::refresh::{Merchant, load_and_read, plan_merchants, read_each_merchant, resolve};
use super::ui::{Answer, Ui};
use super::{Entry, Files, InstallationErrors, MerchantError, MerchantErrors, Shard, plan_file};
use crate::plan::{Action, Change, Kind, Plan};
use crate::rules::Allowances;

/// What to apply, and how.
pub struct Request {
    /// A saved plan (alone), or configuration files and directories.
    pub targets: Vec<PathBuf>,
    pub shard: Option<Shard>,
    pub connector: Connector,
    pub allowances: Allowances,
    /// Apply without asking; required off a terminal unless a saved plan is applied.
    pub auto_approve: bool,
    /// How long to wait for another apply holding one of the configuration files.
    pub lock_timeout: std::time::Duration,
}

/// What the one running the apply is shown and asked.
pub trait ApplyUi: Ui {
    /// The plan about to be applied (its `unread` merchants are left out of the apply);
    /// `asking` when approval is asked next.
    fn review(&self, plan: &Plan, asking: bool);

    /// Approved: the changes are about to be sent.
    fn applying(&self);
}

/// Why nothing was applied, decided before anything was sent.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Discover(#[from] crate::config::DiscoverError),
    #[error(transparent)]
    PlanFile(#[from] plan_file::PlanFileError),
    #[error(
        "{} is a second saved plan: apply one plan at a time (`saasctl apply {}`)",
        .0.display(),
        .0.display()
    )]
    PlanWithFiles(PathBuf),
    /// The configuration or the live state moved since the saved plan was made.
    #[error("the {what} changed since {} was made; plan again", plan.display())]
    Stale { plan: PathBuf, what: &'static str },
    /// A saved plan against another gateway or with other keys than it was made with.
    #[error("{file} {what}: apply {} against the registry and keys it was made with, or plan again", plan.display())]
    PlanMismatch {
        plan: PathBuf,
        file: String,
        what: String,
    },
    /// A saved plan whose changes are not what its own digests reproduce.
    #[error(
        "{} was edited after it was saved: its changes differ from what its configuration and live state give; plan again instead of editing the file",
        plan.display()
    )]
    PlanEdited { plan: PathBuf },
    #[error(
        "not on a terminal: pass --auto-approve, or apply a plan saved with `saasctl plan --out FILE`"
    )]
    NotATerminal,
    /// The answer was not yes.
    #[error("apply cancelled; nothing was changed")]
    Cancelled,
    #[error("cannot read the answer: {0}")]
    Answer(std::io::Error),
    #[error(transparent)]
    Allowance(#[from] crate::plan::AllowanceError),
    #[error(transparent)]
    Lock(#[from] crate::file::LockError),
}

/// How an apply that ran ended.
pub enum Ending {
    /// The files have errors: nothing was read or sent.
    Invalid(Files),
    /// A rule refused the plan (shown by `review`): nothing was sent.
    Refused,
    /// Nothing to change in the merchants read; `left_out` could not be read (and were named
    /// by `review`).
    NoChanges { left_out: usize },
    /// Changes were sent; `failure` says what did not go through.
    Applied(Box<Application>),
    /// A saved plan's merchants could not all be read: nothing was sent.
    Unread(MerchantErrors),
}

/// An apply that sent changes: what was planned, done and written.
pub struct Application {
    pub plan: Plan,
    /// The plan made from the registry's answers: each installation's binding as it is now.
    pub bindings: Option<Plan>,
    pub written: Vec<Written>,
    pub failure: Option<Failure>,
}

/// What follows installations that could not be written.
pub const INSTALLATIONS_LEFT: &str =
    "the registry is done; run apply again to finish the installations";

/// What stopped an apply that had begun; the report says what was done before.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Registry(ExecuteFailed),
    #[error("{0}\n{INSTALLATIONS_LEFT}")]
    Installations(InstallationErrors),
    /// Merchants that could not be read were left out; the others were applied.
    #[error(
        "{} left out of this apply (the errors above); run apply again to include {}",
        left_out(*count),
        if *count == 1 { "it" } else { "them" }
    )]
    LeftOut { count: usize },
    #[error(
        "interrupted after {created} created, {renamed} renamed; every request sent either happened or did not: run apply again to finish from the live state"
    )]
    Interrupted { created: usize, renamed: usize },
}

/// "1 merchant could not be read and was", "3 merchants could not be read and were".
fn left_out(count: usize) -> String {
    if count == 1 {
        "1 merchant could not be read and was".to_owned()
    } else {
        format!("{count} merchants could not be read and were")
    }
}

/// An apply's end: how it went, and the report of every merchant for pipelines.
pub struct Done {
    pub outcome: Ending,
    pub report: Report,
}

/// Locks every configuration file of an apply for as long as it runs, so two applies of one
/// file never send their changes at once (the registry offers no lock of its own). Taken in
/// one order (sorted), so two applies of overlapping files cannot wait on each other.
fn lock_all(
    paths: &[PathBuf],
    timeout: std::time::Duration,
) -> Result<Vec<crate::file::Lock>, ApplyError> {
    let mut sorted: Vec<(PathBuf, &PathBuf)> = paths
        .iter()
        .map(|p| (p.canonicalize().unwrap_or_else(|_| p.clone()), p))
        .collect();
    sorted.sort();
    sorted.dedup_by(|a, b| a.0 == b.0);
    Ok(sorted
        .iter()
        .map(|(_, path)| crate::file::lock_existing(path, timeout))
        .collect::<Result<_, _>>()?)
}

/// Applies what `request` names; `ui` shows the plan, asks for approval and counts progress.
pub async fn apply(request: Request, ui: &dyn ApplyUi) -> Result<Done, ApplyError> {
    if let Some((plan, named)) = saved_plan(&request.targets)? {
        return apply_saved(&plan, &named, request.connector, request.lock_timeout, ui).await;
    }
    let paths = Files::discover(&request.targets, request.shard)?;
    let _locks = lock_all(&paths, request.lock_timeout)?;
    let connector = request.connector;
    let result = async {
        let entries = paths.into_iter().map(|path| Entry { path, shown: None });
        // One merchant that cannot be read holds back no other: it is left out and named.
        let (files, mut merchants, unread) = read(entries.collect(), &connector, ui).await;
        if files.has_errors() {
            return Ok(Done {
                outcome: Ending::Invalid(files),
                report: Report::empty(ReportStatus::Refused),
            });
        }
        let allowances = resolve(&files, &merchants, &request.allowances)?;
        let mut plan = plan_merchants(&files, &merchants, &allowances);
        plan.unread = unread.iter().map(MerchantError::unread).collect();
        let asking = !request.auto_approve && plan.has_work() && !plan.refused;
        ui.review(&plan, asking);
        if plan.refused {
            return Ok(Done {
                outcome: Ending::Refused,
                report: Report::empty(ReportStatus::Refused),
            });
        }
        if !plan.has_work() {
            let report = if unread.is_empty() {
                Report::empty(ReportStatus::NoChanges)
            } else {
                Report::unread(&files, &unread)
            };
            return Ok(Done {
                outcome: Ending::NoChanges {
                    left_out: unread.len(),
                },
                report,
            });
        }
        if asking {
            approve(ui)?;
        }
        Ok(run(
            &files,
            &mut merchants,
            &unread,
            plan,
            connector.parallelism,
            ui,
        )
        .await)
    }
    .await;
    connector.shutdown().await;
    result
}

/// The saved plan among the targets (a JSON object with `format_version`, rather than YAML,
/// which may be a flow mapping too), and the other targets: files it was made from, named so
/// that it may read them. A saved plan is what was reviewed: never mixed with other files.
fn saved_plan(targets: &[PathBuf]) -> Result<Option<(PathBuf, Vec<PathBuf>)>, ApplyError> {
    let is_saved = |target: &Path| {
        crate::file::read_regular(target, crate::file::MAX_DATA_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .is_some_and(|value| value.get("format_version").is_some())
    };
    let plans: Vec<&PathBuf> = targets.iter().filter(|t| is_saved(t)).collect();
    match plans.as_slice() {
        [] => Ok(None),
        [plan] => Ok(Some((
            (*plan).clone(),
            targets.iter().filter(|t| t != plan).cloned().collect(),
        ))),
        [_, second, ..] => Err(ApplyError::PlanWithFiles((*second).clone())),
    }
}

/// Asks whether to apply; only "yes" is taken, and off a terminal nobody can say it.
fn approve(ui: &dyn ApplyUi) -> Result<(), ApplyError> {
    match ui
        .ask("\nApply these changes? Only 'yes' is accepted: ")
        .map_err(ApplyError::Answer)?
    {
        Answer::Text(yes) if yes == "yes" => Ok(()),
        Answer::NoTerminal => Err(ApplyError::NotATerminal),
        Answer::Text(_) | Answer::Ended => Err(ApplyError::Cancelled),
    }
}

/// Applies a reviewed plan, after checking that neither the files, the keys, the gateway nor
/// the live state changed since.
async fn apply_saved(
    path: &Path,
    named: &[PathBuf],
    connector: Connector,
    lock_timeout: std::time::Duration,
    ui: &dyn ApplyUi,
) -> Result<Done, ApplyError> {
    let saved = plan_file::read(path)?;
    if saved.refused {
        ui.review(&saved, false);
        return Ok(Done {
            outcome: Ending::Refused,
            report: Report::empty(ReportStatus::Refused),
        });
    }
    let paths = plan_file::config_paths(&saved, path, named)?;
    let _locks = lock_all(&paths, lock_timeout)?;
    let entries: Vec<Entry> = paths
        .into_iter()
        .zip(&saved.merchants)
        .map(|(path, reviewed)| Entry {
            path,
            shown: Some(reviewed.file.clone()),
        })
        .collect();
    let files = Files::load_entries(&entries);
    // The plan was reviewed against one registry: never send it to another.
    for (file, reviewed) in files.files.iter().zip(&saved.merchants) {
        let gateway = file
            .loaded
            .config
            .as_ref()
            .and_then(|c| connector.gateway_of(c));
        if let Some(gateway) = gateway.filter(|g| *g != reviewed.gateway) {
            return Err(ApplyError::PlanMismatch {
                plan: path.to_path_buf(),
                file: reviewed.file.clone(),
                what: format!(
                    "was planned through gateway {}, and this run would send to {gateway}",
                    reviewed.gateway
                ),
            });
        }
    }
    let result = async {
        // Reviewed whole, applied whole: a merchant that cannot be read stops them all.
        let (mut merchants, unread) = {
            let progress = ui.progress("read", files.files.len());
            read_each_merchant(&files, &connector, &|| progress.tick()).await
        };
        if !unread.is_empty() {
            return Ok(Done {
                report: Report::unread(&files, &unread),
                outcome: Ending::Unread(MerchantErrors(unread)),
            });
        }
        let current = plan_merchants(&files, &merchants, &saved.allowances);
        check_saved(path, &saved, &current)?;
        if !current.has_work() {
            ui.step("No changes.");
            return Ok(Done {
                outcome: Ending::NoChanges { left_out: 0 },
                report: Report::empty(ReportStatus::NoChanges),
            });
        }
        Ok(run(
            &files,
            &mut merchants,
            &[],
            saved,
            connector.parallelism,
            ui,
        )
        .await)
    }
    .await;
    connector.shutdown().await;
    result
}

/// The saved plan is still what planning its files now gives: the same keys, configuration,
/// live state and changes.
fn check_saved(path: &Path, saved: &Plan, current: &Plan) -> Result<(), ApplyError> {
    for reviewed in &saved.merchants {
        let now = current.merchants.iter().find(|m| m.file == reviewed.file);
        if now.is_some_and(|now| now.keys != reviewed.keys) {
            return Err(ApplyError::PlanMismatch {
                plan: path.to_path_buf(),
                file: reviewed.file.clone(),
                what: "was planned with other keys than this run resolves".to_owned(),
            });
        }
    }
    let stale = |what| ApplyError::Stale {
        plan: path.to_path_buf(),
        what,
    };
    if current.config_digest != saved.config_digest {
        return Err(stale("configuration or its keys"));
    }
    if current.live_digest != saved.live_digest {
        return Err(stale("live registry"));
    }
    // Same inputs, same plan: changes that differ were edited after it was saved.
    if current.changes != saved.changes {
        return Err(ApplyError::PlanEdited {
            plan: path.to_path_buf(),
        });
    }
    Ok(())
}

/// The files loaded, the merchants that could be read, and the failures of the others.
async fn read(
    entries: Vec<Entry>,
    connector: &Connector,
    ui: &dyn ApplyUi,
) -> (Files, Vec<Merchant>, Vec<MerchantError>) {
    let progress = ui.progress("read", entries.len());
    load_and_read(entries, connector, &|| progress.tick()).await
}

/// Sends the changes of `plan`, then writes the installations with the ids the registry
/// answered; `unread` are the merchants left out, reported failed.
async fn run(
    files: &Files,
    merchants: &mut [Merchant],
    unread: &[MerchantError],
    plan: Plan,
    parallelism: usize,
    ui: &dyn ApplyUi,
) -> Done {
    ui.applying();
    let (created, renamed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let lines = AtomicUsize::new(0);
    let records = Mutex::new(Vec::new());
    let pending = merchants
        .iter()
        .filter(|m| has_changes(&plan, &files.files[m.index].loaded.file))
        .count();
    let executed = {
        let bar = ui.progress("applied", pending);
        let progress = |step: Step| {
            match &step {
                Step::Created(_) => {
                    created.fetch_add(1, Ordering::Relaxed);
                }
                Step::Renamed(_) => {
                    renamed.fetch_add(1, Ordering::Relaxed);
                }
                Step::Merchant(done) => {
                    records
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(done.clone());
                    bar.tick();
                }
                Step::Note(_) => {}
            }
            if let Some(line) = step.line() {
                ui.step(line);
                crate::pause::point("step", lines.fetch_add(1, Ordering::Relaxed) + 1);
            }
        };
        // Ctrl-C stops between requests: every request sent either happened or did not, and
        // the next apply converges from the live state.
        tokio::select! {
            executed = execute(files, merchants, &plan, parallelism, &progress) => Some(executed),
            _ = tokio::signal::ctrl_c() => None,
        }
    };
    let records: Vec<MerchantDone> = records.into_inner().unwrap_or_else(PoisonError::into_inner);
    let (bindings, written, failed, failure) = match executed {
        None => {
            let interrupted = Failure::Interrupted {
                created: created.load(Ordering::Relaxed),
                renamed: renamed.load(Ordering::Relaxed),
            };
            (None, Vec::new(), Vec::new(), Some(interrupted))
        }
        Some(Err(failed)) => (
            None,
            Vec::new(),
            Vec::new(),
            Some(Failure::Registry(failed)),
        ),
        Some(Ok(_)) => {
            // Each merchant now holds its registry's state, as the answers told: no read needed.
            let bindings = plan_merchants(files, merchants, &plan.allowances);
            crate::pause::point("installations", 0);
            let (written, failed) = write_installations(files, merchants, &bindings).await;
            let left_out = (!unread.is_empty()).then_some(Failure::LeftOut {
                count: unread.len(),
            });
            (Some(bindings), written, failed, left_out)
        }
    };
    let mut report = report(&plan, &records, &written, &failed).with_unread(files, unread);
    let failure = if failed.is_empty() {
        failure
    } else {
        Some(Failure::Installations(InstallationErrors(failed)))
    };
    if matches!(failure, Some(Failure::Interrupted { .. })) {
        report.status = ReportStatus::Interrupted;
    }
    Done {
        report,
        outcome: Ending::Applied(Box::new(Application {
            plan,
            bindings,
            written,
            failure,
        })),
    }
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
    /// Stopped by Ctrl-C between requests; run apply again to finish.
    Interrupted,
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
    pub target: Option<crate::config::TargetKind>,
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
            .filter(|c| c.action != Action::NoOp || c.written_on_apply())
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
        for change in changes.iter().filter(|c| c.writes_installation()) {
            let installation = if let Some(w) = written
                .iter()
                .find(|w| w.file == merchant.file && w.address == change.address)
            {
                summary.installations_written += 1;
                InstallationReport {
                    address: change.address.clone(),
                    target: Some(w.target),
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
                    target: change.target,
                    status: Outcome::Failed,
                    rebound: false,
                    error: Some(e.source.to_string()),
                }
            } else {
                InstallationReport {
                    address: change.address.clone(),
                    target: change.target,
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
    use crate::plan::{MerchantInput, plan};
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
