//! `saasctl completions SHELL` and `saasctl man`: shell completions and the man page, generated
//! from the same clap definitions as `--help`, so they never drift.

use clap::CommandFactory;

use super::{Cli, Error, ExitStatus};

/// Print shell completions (bash, zsh, fish, elvish, powershell).
#[derive(Debug, clap::Args)]
pub struct Args {
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "saasctl", &mut out);
    out!("{}", String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}

/// Print the man page (roff), e.g. `saasctl man > /usr/local/share/man/man1/saasctl.1`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn man(_: ManArgs) -> Result<ExitStatus, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|source| Error::Io {
            what: "render the man page",
            source,
        })?;
    out!("{}", String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}
