//! `saasctl init`: writes a skeleton configuration to start from.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{Error, ExitStatus, ask};
use crate::config::License;
use crate::run::init::{InitError, env_prefix, skeleton, write};

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

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let to_stdout = args.out.as_os_str() == "-";
    let shown = crate::diagnostic::display_path(&args.out);
    // Before any question: an answer must not be wasted on a file that cannot be written.
    if !to_stdout && std::fs::symlink_metadata(&args.out).is_ok() {
        return Err(InitError::Exists(shown).into());
    }
    let terminal = std::io::stdin().is_terminal();
    let merchant = match args.merchant {
        Some(merchant) => merchant,
        None if terminal => ask("init", "Merchant name (the project's name in the Admin): ")?,
        None => return Err(InitError::NeedMerchant.into()),
    };
    let license = match args.license {
        Some(license) => license.into(),
        None if terminal => loop {
            let answer = ask(
                "init",
                "Licence: adobe-commerce or magento-open-source [adobe-commerce]: ",
            )?;
            match answer.as_str() {
                "" | "adobe-commerce" => break License::AdobeCommerce,
                "magento-open-source" => break License::MagentoOpenSource,
                _ => continue,
            }
        },
        None => License::AdobeCommerce,
    };
    let text = skeleton(license, &merchant)?;
    if to_stdout {
        out!("{text}");
        return Ok(ExitStatus::Success);
    }
    write(&args.out, &text)?;
    let prefix = env_prefix(merchant.trim());
    outln!(
        "Wrote {shown}. Next: set {prefix}_PRODUCTION_API_KEY and {prefix}_PRODUCTION_PRIVATE_KEY, uncomment each installation's `target`, then run `saasctl import{}`.",
        if shown == "saasctl.yaml" {
            String::new()
        } else {
            format!(" {shown}")
        }
    );
    Ok(ExitStatus::Success)
}
