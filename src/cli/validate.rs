//! `saasctl validate`: offline checks of the YAML, no network.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Error, Exit};
use crate::diagnostic::{self, render_github, render_human, render_json, render_sarif};
use crate::validate::validate_paths;

/// Check configuration files offline: schema and rules, no network.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched for *.yaml/*.yml files with `version:` at the top.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Messages with a source snippet.
    Human,
    /// `{"diagnostics": [...]}`.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

pub fn run(args: Args, color: bool) -> Result<Exit, Error> {
    let report = validate_paths(&args.paths).map_err(|e| Error::new(e.to_string()))?;
    let out = match args.format {
        Format::Human => {
            let mut out = render_human(&report.diagnostics, &report.sources, color);
            let files = report.files.len();
            let plural = if files == 1 { "" } else { "s" };
            if report.diagnostics.is_empty() {
                out.push_str(&format!("No problems found in {files} file{plural}.\n"));
            } else {
                out.push_str(&format!(
                    "{} in {files} file{plural}.\n",
                    diagnostic::summary(&report.diagnostics)
                ));
            }
            out
        }
        Format::Json => render_json(&report.diagnostics),
        Format::Sarif => render_sarif(&report.diagnostics),
        Format::Github => render_github(&report.diagnostics),
    };
    print!("{out}");
    Ok(if report.has_errors() {
        Exit::Failure
    } else {
        Exit::Success
    })
}
