//! `saasctl show PLANFILE…`: prints a saved plan, or the plans of an estate's shards as one.

use std::path::PathBuf;

use super::plan::Format;
use super::{Error, ExitStatus};
use crate::plan::Plan;
use crate::run::plan_file;

/// Print a saved plan; several plans (the shards of one estate) are shown as one.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Plans saved by `saasctl plan --out FILE` (or printed by `plan --format json`).
    #[arg(required = true, value_name = "PLAN")]
    pub plans: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args, color: bool) -> Result<ExitStatus, Error> {
    let plans = args
        .plans
        .iter()
        .map(|path| plan_file::read_to_show(path))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(plan) = Plan::merge(plans) {
        out!("{}", args.format.render(&plan, color));
    }
    Ok(ExitStatus::Success)
}
