//! `saasctl validate`: offline checks of the YAML, no network.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Error, Exit};
use crate::diagnostic::{self, render_github, render_human, render_json, render_sarif};
use crate::run::Files;

/// Check configuration files offline: schema and rules, no network.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched for *.yaml/*.yml files with `version:` at the top.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    #[command(flatten)]
    pub shard: super::ShardArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Messages with a source snippet.
    Human,
    /// `{"format_version": "1", "diagnostics": [...]}`.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

pub fn run(args: Args, color: bool) -> Result<Exit, Error> {
    let files = Files::load(&args.paths, args.shard.shard)?;
    let diagnostics = files.all_diagnostics();
    let out = match args.format {
        Format::Human => {
            let mut out = render_human(&diagnostics, &files.sources, color);
            let count = files.files.len();
            let plural = if count == 1 { "" } else { "s" };
            if diagnostics.is_empty() {
                out.push_str(&format!("No problems found in {count} file{plural}.\n"));
            } else {
                out.push_str(&format!(
                    "{} in {count} file{plural}.\n",
                    diagnostic::summary(&diagnostics)
                ));
            }
            out
        }
        Format::Json => render_json(&diagnostics),
        Format::Sarif => render_sarif(&diagnostics, crate::rules::catalogue()),
        Format::Github => render_github(&diagnostics),
    };
    out!("{out}");
    Ok(if files.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    })
}
