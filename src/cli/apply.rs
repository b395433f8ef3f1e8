//! `saasctl apply`: applies a saved plan as it is, or plans then applies.

use std::path::PathBuf;

use clap::ValueEnum;

use super::ui::Terminal;
use super::{AllowArgs, Error, ExitStatus, RegistryArgs, runtime};
use crate::config::TargetKind;
use crate::diagnostic::render_human;
use crate::plan::{Kind, Plan, render};
use crate::run::apply::{Application, ApplyUi, Done, Ending, Failure, Request, apply};
use crate::run::installations::Written;

/// Apply a saved plan (reviewed: no prompt), or plan and apply configuration files.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `saasctl plan --out FILE` (followed by the files it was made from where
    /// they lie outside its directory: it reads no other), or configuration files and
    /// directories.
    #[arg(default_value = "saasctl.yaml")]
    pub targets: Vec<PathBuf>,

    /// Apply without asking. Required when not on a terminal, unless a saved plan is applied.
    #[arg(long)]
    pub auto_approve: bool,

    /// How long to wait for another apply of the same configuration files to finish (each
    /// file is locked for the whole apply); 0, the default, refuses at once.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub lock_timeout: u64,

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
    pub installations: super::InstallationArgs,

    #[command(flatten)]
    pub shard: super::ShardArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl ApplyUi for Terminal {
    fn review(&self, plan: &Plan, asking: bool) {
        // Shown unless `--quiet` and nobody is asked about it.
        if !self.quiet || asking {
            self.print(render::text::render(plan, self.color && !self.data_on_stdout).trim_end());
        }
        // The merchants left out, on the error stream too, before anything is asked or sent.
        for unread in &plan.unread {
            errln!("error: {}: {}", unread.file, unread.reason);
        }
    }

    fn applying(&self) {
        if !self.data_on_stdout {
            self.say("");
        }
    }
}

pub fn run(args: Args, color: bool, quiet: bool) -> Result<ExitStatus, Error> {
    let json = args.format == Format::Json;
    let ui = Terminal::new(color, quiet, json);
    let request = Request {
        targets: args.targets,
        shard: args.shard.shard,
        connector: args
            .registry
            .connector()
            .with_installations(args.installations.mode()),
        allowances: args.allow.allowances(),
        auto_approve: args.auto_approve,
        lock_timeout: std::time::Duration::from_secs(args.lock_timeout),
    };
    let done = runtime()?.block_on(apply(request, &ui))?;
    if json {
        // Plain data: always serialises.
        outln!(
            "{}",
            serde_json::to_string_pretty(&done.report).unwrap_or_default()
        );
    }
    show(done, &ui, json)
}

/// Shows how the apply ended (beyond the JSON report) and picks its exit status.
fn show(done: Done, ui: &Terminal, json: bool) -> Result<ExitStatus, Error> {
    match done.outcome {
        Ending::Invalid(files) => {
            let findings =
                render_human(&files.all_diagnostics(), &files.sources, ui.color && !json);
            if json {
                errln!("{findings}");
            } else {
                let refused = crate::run::refresh::refused_plan(&files);
                outln!("{findings}{}", render::text::summary_line(&refused));
            }
            Ok(ExitStatus::Refused)
        }
        Ending::Refused => Ok(ExitStatus::Refused),
        Ending::NoChanges { left_out: 0 } => Ok(ExitStatus::Success),
        Ending::NoChanges { left_out } => Err(Failure::LeftOut { count: left_out }.into()),
        Ending::Unread(errors) => Err(errors.into()),
        Ending::Applied(application) => finish(*application, ui, json),
    }
}

/// After changes were sent: the summary, each installation's binding and what must follow in
/// Magento; or what stopped the apply (the steps and the report said what was done before).
fn finish(application: Application, ui: &Terminal, json: bool) -> Result<ExitStatus, Error> {
    let Application {
        plan,
        bindings,
        written,
        failure,
    } = application;
    if let Some(
        failure @ (Failure::Registry(_) | Failure::Interrupted { .. } | Failure::Installations(_)),
    ) = failure
    {
        return Err(failure.into());
    }
    if !(ui.quiet || json) {
        // Counted as the plan counts them (a data space made by `initialize` is created, even
        // if its declared name took a rename request); the steps showed the requests.
        let summary = plan.summary;
        outln!(
            "\nApply complete: {} created, {} renamed, {} updated.",
            summary.create,
            summary.rename,
            summary.update
        );
        outln!("\nBindings:");
        for change in bindings
            .iter()
            .flat_map(|b| &b.changes)
            .filter(|c| c.kind == Kind::Environment)
        {
            outln!("  {}", render::text::change_line(change));
        }
        print_next_steps(&written);
    }
    match failure {
        Some(failure) => Err(failure.into()),
        None => Ok(ExitStatus::Success),
    }
}

/// What must follow in Magento once its values changed: a cache clean after a database write,
/// a redeploy for an env file (and what PHP needs to pass the variables on), and after a data
/// space change, every feed resent.
fn print_next_steps(written: &[Written]) {
    if written.is_empty() {
        return;
    }
    outln!("\nNext steps in Magento:");
    for done in written {
        match done.target {
            TargetKind::Mysql => outln!("  {}: bin/magento cache:clean config", done.address),
            TargetKind::EnvFile => {
                outln!(
                    "  {}: redeploy (or restart PHP) so Magento reads the new environment values.",
                    done.address
                );
                // Magento reads only $_ENV; the stock php.ini ("GPCS") leaves it empty, and
                // PHP-FPM clears the environment by default.
                outln!(
                    "    Magento sees them only with php.ini's variables_order = \"EGPCS\" and, under PHP-FPM,"
                );
                outln!("    the pool's clear_env = no (or an env[NAME] = $NAME line per variable)");
            }
        }
        if done.rebound {
            outln!(
                "  {}: moved to another data space; resend every feed:",
                done.address
            );
            for command in crate::magento::feeds::resync_commands(&done.services, done.keys) {
                outln!("    {command}");
            }
        }
    }
}
