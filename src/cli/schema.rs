//! `saasctl schema`: prints the JSON Schema of the YAML.

use super::{Error, ExitStatus};

/// Print the JSON Schema of the configuration file, for editors and other validators.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitStatus, Error> {
    out!("{}", crate::config::schema_text());
    Ok(ExitStatus::Success)
}
