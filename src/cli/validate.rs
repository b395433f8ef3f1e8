//! `saasctl validate`: offline checks of the YAML, no network.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Error, ExitStatus};
use crate::diagnostic::{
    self, Diagnostic, Severity, render_github, render_human, render_json, render_sarif,
};
use crate::rules::Secrets;
use crate::run::Files;

/// Check configuration files offline: schema and rules, no network.
///
/// Secrets: each `{env: NAME}` and `{file: PATH}` secret is read and checked (SC007). With
/// --no-secrets none is read and a note says so, for pipelines that have no secrets (pull
/// requests from forks). In CI (`CI=true`) an environment variable that is not set, or empty
/// (as GitHub Actions passes a secret a fork may not read), is a note instead of an error; a
/// missing file is still an error there, and `plan` and `apply` need every secret.
///
/// A finding accepted on purpose is ignored with a comment saying why, on its line or on the
/// key of a mapping holding it: `# saasctl: ignore[SC011] spare data space for load tests`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched for *.yaml/*.yml files with `version:` at the top.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Read no secret: check everything else, with a note that the keys were not checked.
    #[arg(long)]
    pub no_secrets: bool,

    #[command(flatten)]
    pub findings: FindingArgs,

    #[command(flatten)]
    pub shard: super::ShardArgs,
}

/// What fails a check and what is shown of ignored findings (validate and plan).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct FindingArgs {
    /// Warnings fail too (exit 1), as errors do.
    #[arg(long)]
    pub strict: bool,

    /// Also list the findings that `# saasctl: ignore[ID] reason` comments accept, with their
    /// reasons.
    #[arg(long)]
    pub show_ignored: bool,
}

impl FindingArgs {
    /// Whether `diagnostics` (ignored ones aside) fail the check.
    pub fn fails(self, diagnostics: &[Diagnostic]) -> bool {
        diagnostics.iter().any(|d| {
            d.ignored.is_none()
                && (d.severity == Severity::Error || self.strict && d.severity == Severity::Warning)
        })
    }
}

/// Whether this runs in CI: GitHub Actions, GitLab CI and most others set `CI=true`.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
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

pub fn run(args: Args, color: bool) -> Result<ExitStatus, Error> {
    let secrets = if args.no_secrets {
        Secrets::NotRead
    } else if in_ci() {
        Secrets::MissingVariablesAreNotes
    } else {
        Secrets::Read
    };
    let files = Files::load_with(&args.paths, args.shard.shard, secrets)?;
    let fails = args.findings.fails(&files.all_diagnostics());
    let ignored = files.all_ignored();
    let mut diagnostics = files.all_diagnostics();
    if args.findings.show_ignored {
        diagnostics.extend(ignored.iter().cloned());
        Diagnostic::sort(&mut diagnostics);
    }
    let out = match args.format {
        Format::Human => {
            let mut out = render_human(&diagnostics, &files.sources, color);
            let count = files.files.len();
            let plural = if count == 1 { "" } else { "s" };
            if diagnostics.is_empty() && ignored.is_empty() {
                out.push_str(&format!("No problems found in {count} file{plural}.\n"));
            } else {
                out.push_str(&format!(
                    "{} in {count} file{plural}.\n",
                    diagnostic::summary(&diagnostics, ignored.len())
                ));
            }
            out
        }
        Format::Json => render_json(&diagnostics),
        Format::Sarif => render_sarif(&diagnostics, crate::rules::catalogue()),
        Format::Github => render_github(&diagnostics),
    };
    out!("{out}");
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
