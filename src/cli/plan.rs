//! `saasctl plan`: reads the live state and prints what apply would change.

use std::path::PathBuf;

use clap::ValueEnum;

use super::progress::Progress;
use super::{AllowArgs, Error, Exit, RegistryArgs, runtime};
use crate::diagnostic::{Severity, render_human};
use crate::plan::{Allowances, Plan, render};
use crate::run::Files;
use crate::run::plan_file;
use crate::run::refresh::{plan_merchants, read_each_merchant, refused_plan};
use crate::run::{MerchantError, MerchantErrors, Shard};

/// Read the live registry and show what apply would change.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched for *.yaml/*.yml files with `version:` at the top.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// Also save the plan to FILE (JSON, mode 0600), for `saasctl apply FILE`; `-` writes it
    /// to standard output (the readable plan then goes to standard error). A symlink is
    /// written through and stays a link; anything but a regular file is refused.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit 2 when the plan has changes (0 when it has none).
    #[arg(long)]
    pub detailed_exitcode: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,

    #[command(flatten)]
    pub allow: AllowArgs,

    #[command(flatten)]
    pub findings: super::validate::FindingArgs,

    #[command(flatten)]
    pub shard: super::ShardArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Terraform-like lines, coloured on a terminal.
    Text,
    /// For a pull-request comment.
    Markdown,
    /// The plan file format.
    Json,
}

impl Format {
    pub fn render(self, plan: &Plan, color: bool) -> String {
        match self {
            Format::Text => render::text::render(plan, color),
            Format::Markdown => render::markdown::render(plan),
            Format::Json => render::json::render(plan),
        }
    }
}

/// Loads the files; when they have errors, prints them and the refusal and returns `None`.
pub fn load_or_refuse(
    paths: &[PathBuf],
    shard: Option<Shard>,
    format: Format,
    color: bool,
) -> Result<Option<Files>, Error> {
    let files = Files::load(paths, shard)?;
    if !files.has_errors() {
        return Ok(Some(files));
    }
    let refused = refused_plan(&files);
    match format {
        Format::Text => outln!(
            "{}{}",
            render_human(&files.all_diagnostics(), &files.sources, color),
            render::text::summary_line(&refused)
        ),
        other => out!("{}", other.render(&refused, color)),
    }
    Ok(None)
}

/// Reads every merchant's live state and plans those that could be read; the others'
/// failures come back beside the plan.
pub fn make_plan(
    files: &Files,
    registry: &RegistryArgs,
    allowances: &Allowances,
    quiet: bool,
) -> Result<(Plan, Vec<MerchantError>), Error> {
    runtime()?.block_on(async {
        let connector = registry.connector();
        let progress = Progress::new("read", files.files.len(), quiet);
        let (merchants, errors) = read_each_merchant(files, &connector, &|| progress.tick()).await;
        drop(progress);
        connector.shutdown().await;
        Ok((plan_merchants(files, &merchants, allowances), errors))
    })
}

pub fn run(args: Args, color: bool, quiet: bool) -> Result<Exit, Error> {
    let Some(files) = load_or_refuse(&args.paths, args.shard.shard, args.format, color)? else {
        return Ok(Exit::Refused);
    };
    let (plan, failed) = make_plan(&files, &args.registry, &args.allow.allowances(), quiet)?;
    // `--out -`: the plan file goes to stdout, so what people read goes to stderr.
    let to_stdout = args.out.as_deref() == Some(std::path::Path::new("-"));
    let ignored = files.all_ignored();
    if !ignored.is_empty() {
        let listed = if args.findings.show_ignored {
            format!(
                "{}{} ignored offline.\n",
                render_human(&ignored, &files.sources, color && !to_stdout),
                ignored.len()
            )
        } else {
            format!(
                "{} ignored offline (`# saasctl: ignore` comments); --show-ignored lists them.\n",
                ignored.len()
            )
        };
        // Beside a text plan; kept out of a markdown comment or a JSON document.
        if args.format == Format::Text && !to_stdout {
            outln!("{listed}");
        } else {
            errln!("{listed}");
        }
    }
    if to_stdout {
        // With --quiet, the plan file is the one output asked for.
        if !quiet {
            errln!("{}", args.format.render(&plan, false));
        }
    } else {
        out!("{}", args.format.render(&plan, color));
    }
    if !failed.is_empty() {
        // The others' plans are shown; a partial plan is never saved.
        return Err(Error::Merchants(MerchantErrors(failed)));
    }
    let warnings = plan
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if args.findings.strict && warnings > 0 && !plan.refused {
        // A gate that failed leaves nothing to apply.
        errln!(
            "--strict: the plan has {warnings} warning{}; fix them or accept them with `# saasctl: ignore[ID] reason`{}.",
            if warnings == 1 { "" } else { "s" },
            match &args.out {
                Some(out) if !to_stdout => format!("; {} was not written", out.display()),
                _ => String::new(),
            }
        );
        return Ok(Exit::Findings);
    }
    if let Some(out) = &args.out {
        if plan.refused {
            // A refused plan can never be applied: saving it would only invite the attempt.
            errln!("The plan is refused: {} was not written.", out.display());
            return Ok(Exit::Refused);
        }
        if to_stdout {
            out!("{}", render::json::render(&plan));
            return Ok(if args.detailed_exitcode && plan.has_changes() {
                Exit::Changes
            } else {
                Exit::Success
            });
        }
        plan_file::write(&plan, out)?;
        if !quiet {
            errln!(
                "Saved the plan to {}; apply it with `saasctl apply {}`.",
                out.display(),
                out.display()
            );
        }
    }
    Ok(if plan.refused {
        Exit::Refused
    } else if args.detailed_exitcode && plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    })
}
