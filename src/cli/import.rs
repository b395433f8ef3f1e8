//! `saasctl import`: writes what the live setup has into the configuration files.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{Error, ExitStatus, RegistryArgs, ask, runtime};
use crate::diagnostic::{Diagnostic, render_human};
use crate::run::Files;
use crate::run::import::{ImportError, ImportErrors, ImportFailure, Imported, import};
use crate::run::refresh::read_each_merchant;

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

pub fn run(args: Args, color: bool) -> Result<ExitStatus, Error> {
    let files = Files::load(&args.paths, None)?;
    if args.project.is_some() && files.files.len() > 1 {
        return Err(Error::ProjectWithFiles(files.files.len()));
    }
    // A file whose model cannot be read has nothing to import into: its errors first.
    let broken: Vec<&crate::run::CheckedFile> = files
        .files
        .iter()
        .filter(|f| f.loaded.config.is_none())
        .collect();
    if !broken.is_empty() {
        let diagnostics: Vec<Diagnostic> = broken
            .iter()
            .flat_map(|f| f.diagnostics.iter().filter(|d| d.is_error()).cloned())
            .collect();
        errln!("{}", render_human(&diagnostics, &files.sources, color));
        let invalid = broken
            .iter()
            .map(|f| {
                ImportFailure::from(ImportError::Invalid {
                    file: f.loaded.file.clone(),
                })
            })
            .collect();
        return Err(ImportErrors(invalid).into());
    }
    let terminal = std::io::stdin().is_terminal();
    let runtime = runtime()?;
    let connector = args.registry.connector();
    let (merchants, failed) = runtime.block_on(read_each_merchant(&files, &connector, &|| {}));
    runtime.block_on(connector.shutdown());

    let mut imported = Vec::new();
    let mut errors = Vec::new();
    for merchant in &merchants {
        let loaded = &files.files[merchant.index].loaded;
        let attempt =
            |wanted: Option<&str>| import(loaded, &merchant.live, &merchant.installations, wanted);
        let result = match attempt(args.project.as_deref()) {
            Err(ImportError::SeveralProjects { file, projects }) if terminal => {
                let id = choose(&file, &projects)?;
                attempt(Some(&id))
            }
            other => other,
        };
        match result {
            Ok(file) => {
                show(&file, color);
                imported.push(file);
            }
            Err(e) => errors.push(e),
        }
    }

    if !failed.is_empty() || !errors.is_empty() {
        // One failed file stops the run before anything is written: import again once fixed.
        if imported.iter().any(Imported::has_changes) {
            errln!("Nothing was written: the files below could not be imported.");
        }
        let failures = failed
            .into_iter()
            .map(ImportFailure::from)
            .chain(errors.into_iter().map(ImportFailure::from))
            .collect();
        return Err(ImportErrors(failures).into());
    }
    let changed: Vec<&Imported> = imported.iter().filter(|i| i.has_changes()).collect();
    if !changed.is_empty() {
        if !args.yes {
            if !terminal {
                return Err(Error::ImportNotATerminal);
            }
            let answer = ask("import", "\nWrite these changes? Only 'yes' is accepted: ")?;
            if answer != "yes" {
                return Err(Error::Cancelled("import"));
            }
        }
        for file in &changed {
            file.write().map_err(|e| ImportErrors(vec![e.into()]))?;
            outln!("Wrote {}.", file.file);
        }
        outln!(
            "Next: `saasctl validate` checks the files, and `saasctl plan` shows what still differs from the live setup (nothing, unless it breaks a rule)."
        );
    }
    Ok(ExitStatus::Success)
}

/// The diff of one file and the notes on it.
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

/// Asks which of `projects` the file describes; answers its id.
fn choose(file: &str, projects: &[crate::live::LiveProject]) -> Result<String, Error> {
    outln!("The account of {file} holds several projects:");
    for (i, project) in projects.iter().enumerate() {
        outln!("  {}) {}  {}", i + 1, project.name, project.id);
    }
    loop {
        let answer = ask(
            "import",
            &format!("Which one does {file} describe? [1-{}]: ", projects.len()),
        )?;
        if let Some(project) = answer
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| projects.get(i))
        {
            return Ok(project.id.clone());
        }
    }
}
