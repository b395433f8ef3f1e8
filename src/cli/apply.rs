//! `saasctl apply`: applies a saved plan as it is, or plans then applies.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::plan::{Format, load_or_refuse};
use super::{AllowArgs, Error, Exit, RegistryArgs, ask, runtime};
use crate::plan::{Kind, Plan, render};
use crate::run::Files;
use crate::run::InstallationErrors;
use crate::run::apply::{Step, apply, write_installations};
use crate::run::connect::Connector;
use crate::run::installations::Written;
use crate::run::plan_file;
use crate::run::refresh::{Merchant, plan_merchants, read_merchants};

/// Apply a saved plan (reviewed: no prompt), or plan and apply configuration files.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `saasctl plan --out FILE`, or configuration files and directories.
    #[arg(default_value = "saasctl.yaml")]
    pub targets: Vec<PathBuf>,

    /// Apply without asking. Required when not on a terminal, unless a saved plan is applied.
    #[arg(long)]
    pub auto_approve: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,

    #[command(flatten)]
    pub allow: AllowArgs,

    #[command(flatten)]
    pub shard: super::ShardArgs,
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

pub fn run(args: Args, color: bool) -> Result<Exit, Error> {
    crate::keys::seed_random_in_background();
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
        return apply_saved(&args.targets[0], &args.registry, color);
    }
    let Some(files) = load_or_refuse(&args.targets, args.shard.shard, Format::Text, color)? else {
        return Ok(Exit::Refused);
    };
    let runtime = runtime()?;
    let connector = args.registry.connector();
    let result = (|| {
        let mut merchants = runtime.block_on(read_all(&files, &connector))?;
        let plan = plan_merchants(&files, &merchants, &args.allow.allowances());
        out!("{}", render::text::render(&plan, color));
        if plan.refused {
            return Ok(Exit::Refused);
        }
        if !plan.has_changes() {
            return Ok(Exit::Success);
        }
        // The prompt blocks on stdin: outside the runtime, so no async worker waits on it.
        if !args.auto_approve {
            confirm()?;
        }
        runtime.block_on(execute(
            &files,
            &mut merchants,
            &plan,
            connector.parallelism,
        ))
    })();
    runtime.block_on(connector.shutdown());
    result
}

/// Applies a reviewed plan, after checking that neither the files nor the live state changed.
fn apply_saved(path: &Path, registry: &RegistryArgs, color: bool) -> Result<Exit, Error> {
    let saved = plan_file::read(path)?;
    if saved.refused {
        out!("{}", render::text::render(&saved, color));
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
            let mut merchants = read_all(&files, &connector).await?;
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
                outln!("No changes.");
                return Ok(Exit::Success);
            }
            execute(&files, &mut merchants, &saved, connector.parallelism).await
        }
        .await;
        connector.shutdown().await;
        result
    })
}

async fn read_all(files: &Files, connector: &Connector) -> Result<Vec<Merchant>, Error> {
    Ok(read_merchants(files, connector).await?)
}

/// Asks on a terminal; elsewhere `--auto-approve` is required.
fn confirm() -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NotATerminal);
    }
    if ask("apply", "\nApply these changes? Only 'yes' is accepted: ")? == "yes" {
        Ok(())
    } else {
        Err(Error::Cancelled("apply"))
    }
}

/// Runs the changes, then prints the resulting bindings.
async fn execute(
    files: &Files,
    merchants: &mut [Merchant],
    plan: &Plan,
    parallelism: usize,
) -> Result<Exit, Error> {
    outln!();
    // On a terminal each step carries the time since apply began; logs get plain lines.
    let started = std::time::Instant::now();
    let on_terminal = std::io::stdout().is_terminal();
    let (created, renamed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let progress = |step: Step| {
        match step {
            Step::Created(_) => created.fetch_add(1, Ordering::Relaxed),
            Step::Renamed(_) => renamed.fetch_add(1, Ordering::Relaxed),
            Step::Note(_) => 0,
        };
        let line = step.line();
        if on_terminal {
            outln!("[{:>5.1}s] {line}", started.elapsed().as_secs_f64());
        } else {
            outln!("{line}");
        }
    };
    // Ctrl-C stops between requests: every request sent either happened or did not, and the
    // next apply converges from the live state.
    tokio::select! {
        applied = apply(files, merchants, plan, parallelism, &progress) => applied?,
        _ = tokio::signal::ctrl_c() => {
            return Err(Error::Interrupted {
                created: created.load(Ordering::Relaxed),
                renamed: renamed.load(Ordering::Relaxed),
            });
        }
    };
    // Each merchant now holds its registry's state, as the answers told: no read needed.
    let final_plan = plan_merchants(files, merchants, &plan.allowances);
    let written = write_installations(files, merchants, &final_plan)
        .await
        .map_err(|errors| Error::Installations(InstallationErrors(errors)))?;
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
    Ok(Exit::Success)
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
