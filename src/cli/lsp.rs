//! `saasctl lsp`: the language server, for editors.

use super::{Error, ExitStatus};

/// Serve editors over the Language Server Protocol on stdin/stdout.
///
/// `validate`'s checks on the files as edited, with the rules across the workspace's saasctl
/// files; hovers that explain findings, go-to-definition for data space and key set
/// references, and fixes.
///
/// Secrets are not read unless the editor sends `initializationOptions: {"readSecrets":
/// true}`. Editor setup: docs/editors.md.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitStatus, Error> {
    crate::run::lsp::serve_stdio()?;
    Ok(ExitStatus::Success)
}
