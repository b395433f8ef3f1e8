//! `saasctl keys generate`: a key pair registered with an emulator's key portal.

use std::path::PathBuf;

use super::{Error, ExitStatus};
use crate::config::License;
use crate::emulator::portal;

/// Manage API keys.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make an RSA-2048 key pair and register it with an emulator, as the account portal's
    /// "Add New" does; writes DIR/NAME.pem and DIR/NAME.api-key (0600), prints the API key.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The emulator's URL, e.g. http://127.0.0.1:8089/.
    #[arg(long, value_name = "URL")]
    pub emulator: String,

    /// The account's licence: adobe-commerce or magento-open-source.
    #[arg(long, value_parser = parse_license)]
    pub license: License,

    /// The key set's name, used for the file names.
    #[arg(long, default_value = "production")]
    pub name: String,

    /// Directory to write the key files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn parse_license(value: &str) -> Result<License, String> {
    match value {
        "adobe-commerce" => Ok(License::AdobeCommerce),
        "magento-open-source" => Ok(License::MagentoOpenSource),
        _ => Err("expected adobe-commerce or magento-open-source".to_owned()),
    }
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let Command::Generate(args) = args.command;
    let runtime = super::runtime()?;
    let keys = runtime.block_on(portal::provision(
        &args.emulator,
        args.license,
        &args.name,
        &args.out,
    ))?;
    errln!(
        "wrote {} and {}",
        keys.private_key_path.display(),
        keys.api_key_path.display()
    );
    // The API key on stdout is the command's output, for scripts to capture: the one line
    // that bypasses the redaction layer on purpose (docs/design.md, `keys generate`).
    super::emit_out(&format!("{}\n", keys.api_key.expose()));
    Ok(ExitStatus::Success)
}
