//! `saasctl render ENV [PATH…]`: an environment's binding in each form Magento reads, with the
//! ids read from the registry.

use std::path::PathBuf;

use clap::builder::TypedValueParser;

use super::{Error, ExitStatus, RegistryArgs, runtime};
use crate::config::Secret;
use crate::diagnostic::render_human;
use crate::magento::render::Format as MagentoFormat;
use crate::run::render::{Outcome, Request, render};

/// Print an environment's binding as Magento config values.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment (its key under `environments`).
    pub environment: String,

    /// Configuration files or directories; exactly one of them may declare the environment.
    #[arg(default_value = "saasctl.yaml")]
    pub paths: Vec<PathBuf>,

    /// env: dotenv `CONFIG__DEFAULT__…` lines; shell: the same for `set -a; . FILE`; docker:
    /// for `docker run --env-file` (no private key); env-php: the `app/etc/env.php` fragment;
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

    /// The installation's `crypt/key` (app/etc/env.php), as `{env: NAME}` or `{file: PATH}`:
    /// env-php's key values are then encrypted as `config:set --lock-env` writes them. A
    /// mysql target's crypt_key is used without it.
    #[arg(long, value_name = "SECRET", value_parser = SecretReference)]
    pub crypt_key: Option<Secret>,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// A secret reference as the YAML writes it; never the secret itself, which would show in
/// the process list. A refused value is not echoed: it may be the secret.
#[derive(Clone)]
struct SecretReference;

impl clap::builder::TypedValueParser for SecretReference {
    type Value = Secret;

    fn parse_ref(
        &self,
        _command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Secret, clap::Error> {
        value
            .to_str()
            .and_then(|text| serde_saphyr::from_str::<Secret>(text).ok())
            .ok_or_else(|| {
                let flag = arg.map_or_else(String::new, |a| format!("{a}: "));
                clap::Error::raw(
                    clap::error::ErrorKind::ValueValidation,
                    format!(
                        "{flag}expected a reference such as {{env: NAME}} or {{file: PATH}}, never the secret itself\n"
                    ),
                )
            })
    }
}

pub fn run(args: Args, color: bool) -> Result<ExitStatus, Error> {
    let request = Request {
        environment: args.environment,
        paths: args.paths,
        connector: args.registry.connector(),
        format: args.format,
        include_secrets: args.include_secrets,
        crypt_key: args.crypt_key,
    };
    let text = match runtime()?.block_on(render(request))? {
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
        Outcome::Rendered(text) => text,
    };
    if args.include_secrets {
        // Asked for on purpose: the one output that bypasses the redaction layer.
        super::emit_out(&text);
    } else {
        out!("{text}");
    }
    Ok(ExitStatus::Success)
}
