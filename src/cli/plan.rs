//! `saasctl plan`: reads the live state and prints what apply would change.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::ui::Terminal;
use super::{AllowArgs, Error, ExitStatus, RegistryArgs, runtime};
use crate::diagnostic::render_human;
use crate::plan::{Plan, render};
use crate::run::plan::{Outcome, Planned, Request, Saved, plan};
use crate::run::{Files, MerchantErrors};

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
    pub installations: super::InstallationArgs,

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

pub fn run(args: Args, color: bool, quiet: bool) -> Result<ExitStatus, Error> {
    // `--out -`: the plan file goes to stdout, so what people read goes to stderr.
    let to_stdout = args.out.as_deref() == Some(Path::new("-"));
    let ui = Terminal::new(color, quiet, to_stdout);
    let request = Request {
        paths: args.paths,
        shard: args.shard.shard,
        connector: args
            .registry
            .connector()
            .with_installations(args.installations.mode()),
        allowances: args.allow.allowances(),
        strict: args.findings.strict,
        save_to: args.out.clone().filter(|_| !to_stdout),
    };
    let planned = match runtime()?.block_on(plan(request, &ui))? {
        Outcome::Invalid { files, plan } => {
            show_refused(&files, &plan, args.format, color);
            return Ok(ExitStatus::Refused);
        }
        Outcome::Planned(planned) => planned,
    };
    let Planned {
        files,
        plan,
        unread,
        saved,
    } = &planned;
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
            errln!("{}", args.format.render(plan, false));
        }
    } else {
        out!("{}", args.format.render(plan, color));
    }
    if !unread.is_empty() {
        // The others' plans are shown; a partial plan is never saved.
        return Err(MerchantErrors(planned.unread).into());
    }
    let not_written = |out: &Option<PathBuf>| match out {
        Some(out) if !to_stdout => format!("; {} was not written", out.display()),
        _ => String::new(),
    };
    let warnings = planned.warnings();
    if args.findings.strict && warnings > 0 && !plan.refused {
        // A gate that failed leaves nothing to apply.
        errln!(
            "--strict: the plan has {warnings} warning{}; fix them or accept them with `# saasctl: ignore[ID] reason`{}.",
            if warnings == 1 { "" } else { "s" },
            not_written(&args.out)
        );
        return Ok(ExitStatus::Failure);
    }
    match saved {
        Saved::Refused => {
            // A refused plan can never be applied: saving it would only invite the attempt.
            errln!(
                "The plan is refused: {} was not written.",
                args.out.as_deref().unwrap_or(Path::new("-")).display()
            );
        }
        Saved::Written(out) if !quiet => errln!(
            "Saved the plan to {}; apply it with `saasctl apply {}`.",
            out.display(),
            out.display()
        ),
        _ if to_stdout && !plan.refused => out!("{}", render::json::render(plan)),
        _ if to_stdout => errln!("The plan is refused: - was not written."),
        _ => {}
    }
    Ok(if plan.refused {
        ExitStatus::Refused
    } else if args.detailed_exitcode && plan.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// Files with errors: their findings and the refusal, in the format asked for.
pub fn show_refused(files: &Files, refused: &Plan, format: Format, color: bool) {
    match format {
        Format::Text => outln!(
            "{}{}",
            render_human(&files.all_diagnostics(), &files.sources, color),
            render::text::summary_line(refused)
        ),
        other => out!("{}", other.render(refused, color)),
    }
}
