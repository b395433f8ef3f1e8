use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = saasctl::cli::Cli::parse();
    match saasctl::cli::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            // The one message of a failed command.
            saasctl::cli::print_error(&error);
            ExitCode::from(exit_code(&error))
        }
    }
}

/// The exit code of DESIGN.md for a failure, chosen by what went wrong.
fn exit_code(error: &saasctl::Error) -> u8 {
    match error {
        saasctl::Error::Stale { .. } => 4,
        // Usage, as clap's own errors: the file is there already, a flag is missing.
        saasctl::Error::Init(
            saasctl::run::init::InitError::Exists(_) | saasctl::run::init::InitError::NeedMerchant,
        ) => 2,
        _ => 1,
    }
}
