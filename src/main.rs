use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = saasctl::cli::Cli::parse();
    match saasctl::cli::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(saasctl::cli::Exit::Failure as u8)
        }
    }
}
