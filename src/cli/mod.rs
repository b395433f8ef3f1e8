//! Command-line definitions, one file per command. Each command returns an [`Exit`] or an
//! [`Error`]; `main` turns them into the process exit code.

mod emulator;
mod explain;
mod keys;
mod schema;
mod validate;

use std::io::IsTerminal;

use clap::{Parser, Subcommand, ValueEnum};

/// The exit codes of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Changes = 2,
    Refused = 3,
    Stale = 4,
}

/// A failure reported as `error: …` with exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "saasctl",
    version,
    about = "Manage the Commerce Services Connector setup of Adobe Commerce and Magento Open Source as code",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to standard output.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Validate(validate::Args),
    Schema(schema::Args),
    Explain(explain::Args),
    Emulator(emulator::Args),
    Keys(keys::Args),
}

pub fn run(cli: Cli) -> Result<Exit, Error> {
    let color = cli.color.enabled();
    match cli.command {
        Command::Validate(args) => validate::run(args, color),
        Command::Schema(args) => schema::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Keys(args) => keys::run(args),
    }
}
