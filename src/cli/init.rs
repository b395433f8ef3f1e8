//! `saasctl init`: writes a skeleton configuration to start from.

use std::path::PathBuf;

use clap::ValueEnum;

use super::ui::Terminal;
use super::{Error, ExitStatus};
use crate::config::License;
use crate::run::init::{Ending, Request, init};

/// Write a skeleton configuration to start from, or to adopt a live setup into
///
/// Key sets as references to variables named after the merchant, the licence's data spaces,
/// environments with commented installation targets. Asks on a terminal; elsewhere takes the
/// flags. Never overwrites a file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The licence; it decides the data spaces (default adobe-commerce).
    #[arg(long, value_enum)]
    pub license: Option<LicenseArg>,

    /// The merchant's name: the project's, and the prefix of the key variables
    /// (`Luma` -> LUMA_PRODUCTION_API_KEY). Required when not on a terminal.
    #[arg(long, value_name = "NAME")]
    pub merchant: Option<String>,

    /// Where to write it; an existing file is never overwritten. `-` prints it.
    #[arg(long, value_name = "FILE", default_value = "saasctl.yaml")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LicenseArg {
    /// 1 production and 2 testing data spaces.
    AdobeCommerce,
    /// 1 production data space.
    MagentoOpenSource,
}

impl From<LicenseArg> for License {
    fn from(license: LicenseArg) -> Self {
        match license {
            LicenseArg::AdobeCommerce => License::AdobeCommerce,
            LicenseArg::MagentoOpenSource => License::MagentoOpenSource,
        }
    }
}

pub fn run(args: Args, quiet: bool) -> Result<ExitStatus, Error> {
    let request = Request {
        merchant: args.merchant,
        license: args.license.map(License::from),
        out: Some(args.out).filter(|out| out.as_os_str() != "-"),
    };
    match init(request, &Terminal::new(false, quiet, false))? {
        Ending::Printed(text) => out!("{text}"),
        Ending::Written {
            path,
            api_key,
            private_key,
        } => outln!(
            "Wrote {path}. Next: set {api_key} and {private_key}, uncomment each installation's `target`, then run `saasctl import{}`.",
            if path == "saasctl.yaml" {
                String::new()
            } else {
                format!(" {path}")
            }
        ),
    }
    Ok(ExitStatus::Success)
}
