//! The one error a command returns: one variant per module's error, converted with `?`. `main`
//! picks the exit code from the variant and prints the message; nothing is flattened to text
//! before the edge.

use std::path::PathBuf;

use crate::config::DiscoverError;
use crate::emulator::EmulatorError;
use crate::emulator::portal::PortalError;
use crate::run::apply::ApplyFailed;
use crate::run::plan_file::PlanFileError;
use crate::run::{InstallationErrors, MerchantErrors};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    /// Merchants that could not be connected or read; every one is listed.
    #[error(transparent)]
    Merchants(#[from] MerchantErrors),
    #[error(transparent)]
    Apply(#[from] ApplyFailed),
    /// `apply`: merchants that could not be read were left out; the others were applied.
    #[error(
        "{} left out of this apply (the errors above); run apply again to include {}",
        left_out(*count),
        if *count == 1 { "it" } else { "them" }
    )]
    LeftOut { count: usize },
    /// Installations that could not be written after the registry changes.
    #[error("{0}\nthe registry is done; run apply again to finish the installations")]
    Installations(InstallationErrors),
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    #[error(transparent)]
    Portal(#[from] PortalError),
    /// `apply PLANFILE`: the configuration or the live state moved since the plan was made.
    #[error("the {what} changed since {} was made; plan again", plan.display())]
    Stale { plan: PathBuf, what: &'static str },
    /// `apply PLANFILE` against another gateway or with other keys than it was made with.
    #[error("{file} {what}: apply {} against the registry and keys it was made with, or plan again", plan.display())]
    PlanMismatch {
        plan: PathBuf,
        file: String,
        what: String,
    },
    /// A saved plan whose changes are not what its own digests reproduce.
    #[error(
        "{} was edited after it was saved: its changes differ from what its configuration and live state give; plan again instead of editing the file",
        plan.display()
    )]
    PlanEdited { plan: PathBuf },
    #[error(
        "{} is a saved plan: apply it alone (`saasctl apply {}`), or give only configuration files",
        .0.display(),
        .0.display()
    )]
    PlanWithFiles(PathBuf),
    #[error("no configuration file declares environment `{0}`")]
    UnknownEnvironment(String),
    #[error("environment `{environment}` is declared in several files ({}): render one of them", files.join(", "))]
    AmbiguousEnvironment {
        environment: String,
        files: Vec<String>,
    },
    #[error("cannot render environment `{environment}`: {source}")]
    Render {
        environment: String,
        #[source]
        source: crate::run::installations::TargetError,
    },
    #[error("no rule `{0}`; `saasctl explain all` lists them")]
    UnknownRule(String),
    #[error(
        "not on a terminal: pass --auto-approve, or apply a plan saved with `saasctl plan --out FILE`"
    )]
    NotATerminal,
    #[error(
        "interrupted after {created} created, {renamed} renamed; every request sent either happened or did not: run apply again to finish from the live state"
    )]
    Interrupted { created: usize, renamed: usize },
    /// The answer was not yes (`apply`, `import`), or no answer came (`init`).
    #[error("{0} cancelled; nothing was changed")]
    Cancelled(&'static str),
    #[error("not on a terminal: nothing was written; pass --yes to write the changes shown above")]
    ImportNotATerminal,
    #[error("--project chooses the project of one file, and {0} files were given")]
    ProjectWithFiles(usize),
    #[error(transparent)]
    Init(#[from] crate::run::init::InitError),
    #[error(transparent)]
    Import(#[from] crate::run::import::ImportErrors),
    #[error(
        "refusing to listen on {0}: not a loopback address (pass --allow-remote to do it anyway)"
    )]
    NotLoopback(std::net::SocketAddr),
    #[error("cannot {what}")]
    Io {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// "1 merchant could not be read and was", "3 merchants could not be read and were".
fn left_out(count: usize) -> String {
    if count == 1 {
        "1 merchant could not be read and was".to_owned()
    } else {
        format!("{count} merchants could not be read and were")
    }
}
