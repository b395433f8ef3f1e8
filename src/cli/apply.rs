//! `saasctl apply`: applies a saved plan as it is, or plans then applies.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use clap::ValueEnum;

use super::plan::{Format as PlanFormat, load_or_refuse};
use super::progress::{self, Progress};
use super::{AllowArgs, Error, Exit, RegistryArgs, ask_on, runtime};
use crate::diagnostic::render_human;
use crate::plan::{Kind, Plan, render};
use crate::run::Files;
use crate::run::InstallationErrors;
use crate::run::MerchantError;
use crate::run::apply::{
    Report, ReportStatus, Step, apply, has_changes, report, write_installations,
};
use crate::run::connect::Connector;
use crate::run::installations::Written;
use crate::run::plan_file;
use crate::run::refresh::{Merchant, plan_merchants, read_each_merchant, read_merchants};

/// Apply a saved plan (reviewed: no prompt), or plan and apply configuration files.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `saasctl plan --out FILE`, or configuration files and directories.
    #[arg(default_value = "saasctl.yaml")]
    pub targets: Vec<PathBuf>,

    /// Apply without asking. Required when not on a terminal, unless a saved plan is applied.
    #[arg(long)]
    pub auto_approve: bool,

    /// What to print: text as it happens, or at the end a JSON report of what was done per
    /// merchant (each change applied, skipped or failed; installations written), for
    /// pipelines. With json, the plan and the steps go to standard error.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub registry: RegistryArgs,

    #[command(flatten)]
    pub allow: AllowArgs,

    #[command(flatten)]
    pub shard: super::ShardArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How the run shows itself.
#[derive(Debug, Clone, Copy)]
struct Ui {
    color: bool,
    quiet: bool,
    json: bool,
}

impl Ui {
    /// Text for people: on stdout, or on stderr when stdout carries the JSON report; none
    /// with `--quiet`.
    fn say(&self, text: &str) {
        if !self.quiet {
            self.print(text);
        }
    }

    fn print(&self, text: &str) {
        if self.json {
            errln!("{text}");
        } else {
            outln!("{text}");
        }
    }

    /// The plan about to be applied: shown unless `--quiet` and nobody is asked about it.
    fn show_plan(&self, plan: &Plan, asking: bool) {
        if !self.quiet || asking {
            self.print(render::text::render(plan, self.color && !self.json).trim_end());
        }
    }

    /// The merchants left out of this apply because they could not be read, on stderr before
    /// anything is asked or sent (the JSON report lists them too).
    fn left_out(&self, unread: &[MerchantError]) {
        for error in unread {
            super::print_error(error);
        }
    }

    /// The JSON report of merchants that could not be read, nothing being applied.
    fn unread(&self, files: &Files, error: &Error) {
        if let Error::Merchants(failed) = error {
            self.report(&Report::unread(files, &failed.0));
        }
    }

    /// The JSON report, on stdout.
    fn report(&self, report: &Report) {
        if self.json {
            // Plain data: always serialises.
            let text = serde_json::to_string_pretty(report).unwrap_or_default();
            outln!("{text}");
        }
    }
}

/// Whether the one target is a saved plan (a JSON object with `format_version`) rather than
/// YAML, which may be a flow mapping too.
fn is_saved_plan(targets: &[PathBuf]) -> bool {
    let [target] = targets else { return false };
    target.is_file()
        && std::fs::read(target)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .is_some_and(|value| value.get("format_version").is_some())
}

pub fn run(args: Args, color: bool, quiet: bool) -> Result<Exit, Error> {
    let ui = Ui {
        color,
        quiet,
        json: args.format == Format::Json,
    };
    if args.targets.len() > 1 {
        // A saved plan is what was reviewed: it is applied alone, never mixed with files.
        if let Some(plan) = args
            .targets
            .iter()
            .find(|t| is_saved_plan(std::slice::from_ref(*t)))
        {
            return Err(Error::PlanWithFiles(plan.clone()));
        }
    }
    if is_saved_plan(&args.targets) {
        return apply_saved(&args.targets[0], &args.registry, ui);
    }
    let files = if ui.json {
        let files = Files::load(&args.targets, args.shard.shard)?;
        if files.has_errors() {
            errln!(
                "{}",
                render_human(&files.all_diagnostics(), &files.sources, false)
            );
            ui.report(&Report::empty(ReportStatus::Refused));
            return Ok(Exit::Refused);
        }
        files
    } else {
        let Some(files) = load_or_refuse(&args.targets, args.shard.shard, PlanFormat::Text, color)?
        else {
            return Ok(Exit::Refused);
        };
        files
    };
    let runtime = runtime()?;
    let connector = args.registry.connector();
    let result = (|| {
        // One merchant that cannot be read holds back no other: it is left out and named.
        let (mut merchants, unread) = runtime.block_on(read_each(&files, &connector, quiet));
        let plan = plan_merchants(&files, &merchants, &args.allow.allowances());
        ui.show_plan(
            &plan,
            !args.auto_approve && plan.has_changes() && !plan.refused,
        );
        ui.left_out(&unread);
        if plan.refused {
            ui.report(&Report::empty(ReportStatus::Refused));
            return Ok(Exit::Refused);
        }
        if !plan.has_changes() {
            if !unread.is_empty() {
                ui.report(&Report::unread(&files, &unread));
                return Err(Error::LeftOut {
                    count: unread.len(),
                });
            }
            ui.report(&Report::empty(ReportStatus::NoChanges));
            return Ok(Exit::Success);
        }
        // The prompt blocks on stdin: outside the runtime, so no async worker waits on it.
        if !args.auto_approve {
            confirm(ui)?;
        }
        runtime.block_on(execute(
            &files,
            &mut merchants,
            &unread,
            &plan,
            connector.parallelism,
            ui,
        ))
    })();
    runtime.block_on(connector.shutdown());
    result
}

/// Applies a reviewed plan, after checking that neither the files nor the live state changed.
fn apply_saved(path: &Path, registry: &RegistryArgs, ui: Ui) -> Result<Exit, Error> {
    let saved = plan_file::read(path)?;
    if saved.refused {
        ui.show_plan(&saved, false);
        ui.report(&Report::empty(ReportStatus::Refused));
        return Ok(Exit::Refused);
    }
    let entries: Vec<(PathBuf, String)> = plan_file::config_paths(&saved, path)
        .into_iter()
        .zip(saved.merchants.iter().map(|m| m.file.clone()))
        .collect();
    let files = Files::load_as(&entries);
    let connector = registry.connector();
    // The plan was reviewed against one registry: never send it to another.
    for (file, reviewed) in files.files.iter().zip(&saved.merchants) {
        let gateway = file
            .loaded
            .config
            .as_ref()
            .and_then(|c| connector.gateway_of(c));
        if let Some(gateway) = gateway.filter(|g| *g != reviewed.gateway) {
            return Err(Error::PlanMismatch {
                plan: path.to_path_buf(),
                file: reviewed.file.clone(),
                what: format!(
                    "was planned through gateway {}, and this run would send to {gateway}",
                    reviewed.gateway
                ),
            });
        }
    }
    runtime()?.block_on(async {
        let result = async {
            let mut merchants = read_all(&files, &connector, ui.quiet)
                .await
                .inspect_err(|e| ui.unread(&files, e))?;
            let current = plan_merchants(&files, &merchants, &saved.allowances);
            // ... and with one set of keys.
            for reviewed in &saved.merchants {
                let now = current.merchants.iter().find(|m| m.file == reviewed.file);
                if now.is_some_and(|now| now.keys != reviewed.keys) {
                    return Err(Error::PlanMismatch {
                        plan: path.to_path_buf(),
                        file: reviewed.file.clone(),
                        what: "was planned with other keys than this run resolves".to_owned(),
                    });
                }
            }
            let stale = |what| Error::Stale {
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
                return Err(Error::PlanEdited {
                    plan: path.to_path_buf(),
                });
            }
            if !current.has_changes() {
                ui.say("No changes.");
                ui.report(&Report::empty(ReportStatus::NoChanges));
                return Ok(Exit::Success);
            }
            execute(
                &files,
                &mut merchants,
                &[],
                &saved,
                connector.parallelism,
                ui,
            )
            .await
        }
        .await;
        connector.shutdown().await;
        result
    })
}

/// Every merchant, or the failures of those that could not be read: a saved plan was
/// reviewed whole and is applied whole.
async fn read_all(
    files: &Files,
    connector: &Connector,
    quiet: bool,
) -> Result<Vec<Merchant>, Error> {
    let progress = Progress::new("read", files.files.len(), quiet);
    Ok(read_merchants(files, connector, &|| progress.tick()).await?)
}

/// The merchants that could be read, and the failures of the others.
async fn read_each(
    files: &Files,
    connector: &Connector,
    quiet: bool,
) -> (Vec<Merchant>, Vec<MerchantError>) {
    let progress = Progress::new("read", files.files.len(), quiet);
    read_each_merchant(files, connector, &|| progress.tick()).await
}

/// Asks on a terminal; elsewhere `--auto-approve` is required.
fn confirm(ui: Ui) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NotATerminal);
    }
    let question = "\nApply these changes? Only 'yes' is accepted: ";
    if ask_on("apply", question, ui.json)? == "yes" {
        Ok(())
    } else {
        Err(Error::Cancelled("apply"))
    }
}

/// Runs the changes, then prints the resulting bindings (or the JSON report); `unread` are the
/// merchants left out, reported failed.
async fn execute(
    files: &Files,
    merchants: &mut [Merchant],
    unread: &[MerchantError],
    plan: &Plan,
    parallelism: usize,
    ui: Ui,
) -> Result<Exit, Error> {
    if !ui.json {
        ui.say("");
    }
    // On a terminal each step carries the time since apply began; logs get plain lines.
    let started = std::time::Instant::now();
    let on_terminal = std::io::stdout().is_terminal();
    let (created, renamed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let records = Mutex::new(Vec::new());
    let pending = merchants
        .iter()
        .filter(|m| has_changes(plan, &files.files[m.index].loaded.file))
        .count();
    let result = {
        let bar = Progress::new("applied", pending, ui.quiet);
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
            let Some(line) = step.line() else { return };
            progress::suspend(|| {
                if on_terminal && !ui.json {
                    ui.say(&format!(
                        "[{:>5.1}s] {line}",
                        started.elapsed().as_secs_f64()
                    ));
                } else {
                    ui.say(line);
                }
            });
        };
        // Ctrl-C stops between requests: every request sent either happened or did not, and
        // the next apply converges from the live state.
        tokio::select! {
            applied = apply(files, merchants, plan, parallelism, &progress) => applied,
            _ = tokio::signal::ctrl_c() => {
                return Err(Error::Interrupted {
                    created: created.load(Ordering::Relaxed),
                    renamed: renamed.load(Ordering::Relaxed),
                });
            }
        }
    };
    let records = records.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Err(failed) = result {
        ui.report(&report(plan, &records, &[], &[]).with_unread(files, unread));
        return Err(failed.into());
    }
    // Each merchant now holds its registry's state, as the answers told: no read needed.
    let final_plan = plan_merchants(files, merchants, &plan.allowances);
    let (written, failed) = write_installations(files, merchants, &final_plan).await;
    ui.report(&report(plan, &records, &written, &failed).with_unread(files, unread));
    if !failed.is_empty() {
        return Err(Error::Installations(InstallationErrors(failed)));
    }
    let finished = if unread.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(Error::LeftOut {
            count: unread.len(),
        })
    };
    if ui.quiet || ui.json {
        return finished;
    }
    // Counted as the plan counts them (a data space made by `initialize` is created, even if
    // its declared name took a rename request); the progress lines show the requests.
    let summary = plan.summary;
    outln!(
        "\nApply complete: {} created, {} renamed, {} updated.",
        summary.create,
        summary.rename,
        summary.update
    );
    outln!("\nBindings:");
    for change in final_plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Environment)
    {
        outln!("  {}", render::text::change_line(change));
    }
    print_next_steps(&written);
    finished
}

/// What must follow in Magento once its values changed: a cache clean after a database write,
/// a redeploy for an env file, and after a data space change, every feed resent.
fn print_next_steps(written: &[Written]) {
    if written.is_empty() {
        return;
    }
    outln!("\nNext steps in Magento:");
    for done in written {
        match done.target.as_str() {
            "mysql" => outln!("  {}: bin/magento cache:clean config", done.address),
            _ => outln!(
                "  {}: redeploy (or restart PHP) so Magento reads the new environment values",
                done.address
            ),
        }
        if done.rebound {
            outln!(
                "  {}: moved to another data space; resend every feed:",
                done.address
            );
            for command in crate::magento::feeds::resync_commands(&done.services) {
                outln!("    {command}");
            }
        }
    }
}
