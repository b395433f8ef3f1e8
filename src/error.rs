//! The one error a command returns: one variant per module's error, converted with `?`. `main`
//! picks the exit code from the variant and prints the message; nothing is flattened to text
//! before the edge.

use crate::config::DiscoverError;
#[cfg(feature = "emulator")]
use crate::emulator::EmulatorError;
#[cfg(feature = "emulator")]
use crate::emulator::portal::PortalError;
use crate::run::MerchantErrors;
use crate::run::apply::{ApplyError, Failure};
use crate::run::plan::PlanError;
use crate::run::plan_file::PlanFileError;

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
    Apply(#[from] ApplyError),
    /// An apply that began and did not finish.
    #[error(transparent)]
    ApplyStopped(#[from] Failure),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[cfg(feature = "emulator")]
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    #[cfg(feature = "emulator")]
    #[error(transparent)]
    Portal(#[from] PortalError),
    #[error(transparent)]
    Render(#[from] crate::run::render::RenderError),
    #[error(transparent)]
    Lsp(#[from] crate::run::lsp::LspError),
    #[error("no rule `{0}`; `saasctl explain all` lists them")]
    UnknownRule(String),
    #[error(transparent)]
    Init(#[from] crate::run::init::InitError),
    #[error(transparent)]
    Import(#[from] crate::run::import::ImportStop),
    #[error(transparent)]
    ImportFailed(#[from] crate::run::import::ImportErrors),
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
