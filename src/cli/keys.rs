//! `saasctl keys generate`: a key pair registered with an emulator's key portal, as a new
//! account or as another key of an existing one.

use std::path::PathBuf;

use super::{Error, ExitStatus};
use crate::config::{KeySetName, License};
use crate::diagnostic::escape;
use crate::emulator::portal::KeyOwner;
use crate::run::keys::{Request, generate};

/// Manage API keys.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make an RSA-2048 key pair and register it with an emulator, as the account portal's
    /// "Add New" does: as a new account (--license), or as another key of an account
    /// (--account), which revokes the account's previous key of that environment. Writes
    /// DIR/NAME.pem and DIR/NAME.api-key (0600), prints the API key.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The emulator's URL, e.g. http://127.0.0.1:8089/.
    #[arg(long, value_name = "URL")]
    pub emulator: String,

    /// A new account's licence: adobe-commerce or magento-open-source.
    #[arg(long, value_parser = parse_license, required_unless_present = "account", conflicts_with = "account")]
    pub license: Option<License>,

    /// Add the key to this existing account (its mageId) instead of making a new account; the
    /// account's previous key of the environment is revoked.
    #[arg(long, value_name = "MAGEID")]
    pub account: Option<String>,

    /// The key's environment: production or sandbox.
    #[arg(long, value_parser = parse_environment, default_value = "production")]
    pub environment: KeySetName,

    /// The key set's name, used for the file names [default: the environment].
    #[arg(long)]
    pub name: Option<String>,

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

fn parse_environment(value: &str) -> Result<KeySetName, String> {
    match value {
        "production" => Ok(KeySetName::Production),
        "sandbox" => Ok(KeySetName::Sandbox),
        _ => Err("expected production or sandbox".to_owned()),
    }
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let Command::Generate(args) = args.command;
    let owner = match (args.account, args.license) {
        (Some(mage_id), _) => KeyOwner::Account(mage_id),
        (None, Some(license)) => KeyOwner::NewAccount(license),
        // clap requires one of the two; kept as a usage error rather than a panic.
        (None, None) => {
            errln!("error: give --license for a new account, or --account MAGEID");
            return Ok(ExitStatus::Usage);
        }
    };
    let environment = args.environment.as_str();
    let request = Request {
        emulator: args.emulator,
        owner: owner.clone(),
        environment: args.environment,
        name: args.name,
        out: args.out,
    };
    let keys = super::runtime()?.block_on(generate(request))?;
    let account = escape::text(&keys.mage_id);
    match owner {
        KeyOwner::NewAccount(_) => {
            errln!("registered account {account} with a {environment} key")
        }
        KeyOwner::Account(_) => errln!("added a {environment} key to account {account}"),
    }
    errln!(
        "wrote {} and {}",
        escape::text(&keys.private_key_path.display().to_string()),
        escape::text(&keys.api_key_path.display().to_string())
    );
    if keys.revoked_previous {
        errln!(
            "the account's previous {environment} key is revoked: point the key set at the new \
             files, then `saasctl plan` shows the installations to update and `saasctl apply` \
             updates them"
        );
    }
    // The API key on stdout is the command's output, for scripts to capture: the one line
    // that bypasses the redaction layer on purpose (docs/design.md, `keys generate`).
    super::emit_out(&format!("{}\n", keys.api_key.expose()));
    Ok(ExitStatus::Success)
}
