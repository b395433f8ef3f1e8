//! `saasctl explain ID`: a rule's documentation.

use super::{Error, ExitStatus};
use crate::rules;

/// Print a rule's documentation: what it refuses, why, an example and the fix.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule id (e.g. SC001), its number, or its name; `all` lists every rule.
    pub id: String,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    if args.id.eq_ignore_ascii_case("all") {
        for info in rules::catalogue() {
            outln!("{}  {:<8} {}", info.id, info.severity, info.summary);
        }
        return Ok(ExitStatus::Success);
    }
    match rules::find(&args.id) {
        Some(info) => {
            out!("{}", info.documentation());
            Ok(ExitStatus::Success)
        }
        None => Err(Error::UnknownRule(args.id)),
    }
}
