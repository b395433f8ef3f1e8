//! `saasctl show PLANFILE`: prints a saved plan.

use std::path::PathBuf;

use super::plan::Format;
use super::{Error, Exit};
use crate::run::plan_file;

/// Print a saved plan.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `saasctl plan --out FILE`.
    pub plan: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args, color: bool) -> Result<Exit, Error> {
    let plan = plan_file::read(&args.plan)?;
    out!("{}", args.format.render(&plan, color));
    Ok(Exit::Success)
}
