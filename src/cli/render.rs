//! `saasctl render ENV [PATH…]`: an environment's binding in each form Magento reads, with the
//! ids read from the registry.

use std::path::PathBuf;

use clap::builder::TypedValueParser;

use super::{Error, ExitStatus, RegistryArgs, runtime};
use crate::diagnostic::render_human;
use crate::magento::{self, render::Format as MagentoFormat};
use crate::run::render::{Outcome, Request, render};

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

pub fn run(args: Args, color: bool) -> Result<ExitStatus, Error> {
    let request = Request {
        environment: args.environment,
        paths: args.paths,
        connector: args.registry.connector(),
    };
    let binding = match runtime()?.block_on(render(request))? {
        Outcome::Invalid(files) => {
            let diagnostics = files.all_diagnostics();
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            outln!(
                "{}Nothing rendered: {errors} error{} to fix first.",
                render_human(&diagnostics, &files.sources, color),
                if errors == 1 { "" } else { "s" }
            );
            return Ok(ExitStatus::Refused);
        }
        Outcome::Rendered(binding) => binding,
    };
    let text = magento::render::render(&binding, args.format, args.include_secrets);
    if args.include_secrets {
        // Asked for on purpose: the one output that bypasses the redaction layer.
        super::emit_out(&text);
    } else {
        out!("{text}");
    }
    Ok(ExitStatus::Success)
}
