//! `saasctl render ENV [PATH…]`: an environment's binding in each form Magento reads, with the
//! ids read from the registry.

use std::path::PathBuf;

use clap::builder::TypedValueParser;

use super::plan::load_or_refuse;
use super::{Error, Exit, RegistryArgs, runtime};
use crate::magento::render::{self, Format as MagentoFormat};
use crate::plan::{Allowances, Kind};
use crate::run::installations::binding_of;
use crate::run::refresh::{plan_merchants, read_merchants};

/// Print an environment's binding as Magento config values.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment (its key under `environments`).
    pub environment: String,

    /// Configuration files or directories; exactly one of them may declare the environment.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// env: dotenv `CONFIG__DEFAULT__…` lines; env-php: the `app/etc/env.php` fragment;
    /// config-set: `bin/magento config:set` commands; json: path -> value.
    #[arg(
        long,
        default_value = "env",
        value_parser = clap::builder::PossibleValuesParser::new(
            MagentoFormat::ALL.map(MagentoFormat::as_str)
        ).try_map(|name: String| name.parse::<MagentoFormat>())
    )]
    pub format: MagentoFormat,

    /// Print the API and private keys instead of `<redacted>`.
    #[arg(long)]
    pub include_secrets: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub fn run(args: Args, color: bool) -> Result<Exit, Error> {
    let Some(mut files) = load_or_refuse(&args.paths, None, super::plan::Format::Text, color)?
    else {
        return Ok(Exit::Refused);
    };
    files.files.retain(|file| {
        file.loaded
            .config
            .as_ref()
            .is_some_and(|c| c.environments.contains_key(&args.environment))
    });
    match files.files.as_slice() {
        [_] => {}
        [] => return Err(Error::UnknownEnvironment(args.environment)),
        several => {
            return Err(Error::AmbiguousEnvironment {
                environment: args.environment.clone(),
                files: several.iter().map(|f| f.loaded.file.clone()).collect(),
            });
        }
    }
    let plan = runtime()?.block_on(async {
        let connector = args.registry.connector();
        let merchants = read_merchants(&files, &connector, &|| {}).await;
        connector.shutdown().await;
        Ok::<_, Error>(plan_merchants(&files, &merchants?, &Allowances::default()))
    })?;
    let loaded = &files.files[0].loaded;
    let config = loaded
        .config
        .as_ref()
        .ok_or(Error::UnknownEnvironment(args.environment.clone()))?;
    let change = plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Environment)
        .find(|c| c.address.ends_with(&format!(".{}", args.environment)))
        .ok_or_else(|| Error::UnknownEnvironment(args.environment.clone()))?;
    let binding =
        binding_of(loaded, config, &args.environment, change).map_err(|source| Error::Render {
            environment: args.environment.clone(),
            source,
        })?;
    let text = render::render(&binding, args.format, args.include_secrets);
    if args.include_secrets {
        // Asked for on purpose: the one output that bypasses the redaction layer.
        print!("{text}");
    } else {
        out!("{text}");
    }
    Ok(Exit::Success)
}
