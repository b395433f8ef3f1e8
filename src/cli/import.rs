//! `saasctl import`: writes what the live setup has into the configuration files.

use std::path::PathBuf;

use super::ui::Terminal;
use super::{Error, ExitStatus, RegistryArgs, runtime};
use crate::diagnostic::{Diagnostic, render_human};
use crate::run::import::{Ending, ImportUi, Imported, Request, import};

/// Adopt a live setup: write what the registry and the installations hold into the files
///
/// Reads each file's registry through its keys and every installation target, then writes the
/// project's id, each data space's id, type and live name, and each targeted installation's data
/// space, key set and websites, keeping comments and layout. Shows the diff and asks on a
/// terminal; elsewhere writes only with --yes. Secrets are never written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched for *.yaml/*.yml files with `version:` at the top.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// The live project the file describes, by name or id, when its account holds several
    /// and the file names none of them (one file only).
    #[arg(long, value_name = "NAME|ID")]
    pub project: Option<String>,

    /// Write the changes without asking. Required when not on a terminal.
    #[arg(long)]
    pub yes: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub fn run(args: Args, color: bool, quiet: bool) -> Result<ExitStatus, Error> {
    let mut ui = Terminal::new(color, quiet, false);
    ui.approved = args.yes;
    let request = Request {
        paths: args.paths,
        project: args.project,
        connector: args.registry.connector(),
        yes: args.yes,
    };
    match runtime()?.block_on(import(request, &ui))? {
        Ending::Invalid(files, errors) => {
            let diagnostics: Vec<Diagnostic> = files
                .files
                .iter()
                .filter(|f| f.loaded.config.is_none())
                .flat_map(|f| f.diagnostics.iter().filter(|d| d.is_error()).cloned())
                .collect();
            errln!("{}", render_human(&diagnostics, &files.sources, color));
            Err(errors.into())
        }
        Ending::Imported(imported) => {
            if imported.iter().any(Imported::has_changes) {
                ui.say(
                    "Next: `saasctl validate` checks the files, and `saasctl plan` shows what still differs from the live setup (nothing, unless it breaks a rule).",
                );
            }
            Ok(ExitStatus::Success)
        }
    }
}

impl ImportUi for Terminal {
    /// The diff, unless `--quiet` and nobody is asked about it.
    fn show(&self, imported: &Imported) {
        if self.quiet && (!imported.has_changes() || self.approved) {
            return;
        }
        show(imported, self.color);
    }
}

fn show(file: &Imported, color: bool) {
    if file.has_changes() {
        let diff = similar::TextDiff::from_lines(&file.shown_before, &file.shown_after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&file.file, &file.file)
            .to_string();
        for line in text.lines() {
            outln!("{}", paint(line, color));
        }
    } else {
        outln!(
            "{}: nothing to import; it already holds what {} shows.",
            file.file,
            file.project.describe()
        );
    }
    for note in &file.notes {
        outln!("note: {note}");
    }
}

/// A diff line coloured as `git diff` does, on a terminal.
fn paint(line: &str, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let style = match line.as_bytes().first() {
        _ if !color => return line.to_owned(),
        Some(b'+') if !line.starts_with("+++") => AnsiColor::Green.on_default(),
        Some(b'-') if !line.starts_with("---") => AnsiColor::Red.on_default(),
        Some(b'@') => AnsiColor::Cyan.on_default(),
        _ => Style::new().bold(),
    };
    format!("{style}{line}{style:#}")
}
