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
    render_man(&mut out).map_err(|source| Error::Io {
        what: "render the man page",
        source,
    })?;
    out!("{}", String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}

/// clap's sections, and the exit statuses from the one table the code uses.
fn render_man(out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    // The package's version, not the commit `--version` adds: pages change with the CLI only.
    let man = clap_mangen::Man::new(Cli::command().version(env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (_, code, meaning) in ExitStatus::TABLE {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff_text(meaning))?;
    }
    man.render_version_section(out)
}

/// `text` as a roff paragraph: backslashes escaped, no line read as a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e");
    match escaped.strip_prefix(['.', '\'']) {
        Some(_) => format!("\\&{escaped}"),
        None => escaped,
    }
}
