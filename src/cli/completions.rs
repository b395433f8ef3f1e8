//! `saasctl completions SHELL` and `saasctl man`: shell completions and the man pages (one per
//! command), generated from the same clap definitions as `--help`, so they never drift.

use std::path::PathBuf;

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

/// Print the man page (roff), e.g. `saasctl man > /usr/local/share/man/man1/saasctl.1`, or
/// write one per command with --out.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write a page for every command (saasctl.1, saasctl-plan.1, …) into DIR, created if
    /// missing, and print their paths.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn man(args: ManArgs) -> Result<ExitStatus, Error> {
    let pages = man_pages().map_err(|source| Error::Io {
        what: "render the man pages",
        source,
    })?;
    let Some(dir) = args.out else {
        if let Some(top) = pages.first() {
            out!("{}", String::from_utf8_lossy(&top.roff));
        }
        return Ok(ExitStatus::Success);
    };
    let write = |page: &ManPage| -> std::io::Result<PathBuf> {
        let path = dir.join(&page.file_name);
        std::fs::write(&path, &page.roff)?;
        Ok(path)
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        what: "create the man page directory",
        source,
    })?;
    for page in &pages {
        let path = write(page).map_err(|source| Error::Io {
            what: "write a man page",
            source,
        })?;
        outln!("{}", path.display());
    }
    Ok(ExitStatus::Success)
}

/// One command's man page: its file name (`saasctl-plan.1`) and its roff text.
struct ManPage {
    file_name: String,
    roff: Vec<u8>,
}

/// A page for saasctl and for each of its commands, nested ones too, the top page first.
fn man_pages() -> std::io::Result<Vec<ManPage>> {
    // The package's version, not the commit `--version` adds: pages change with the CLI only.
    let mut top = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    top.build();
    let mut pages = Vec::new();
    let mut pending = vec![top];
    while let Some(command) = pending.pop() {
        let mut subcommands: Vec<_> = command
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .cloned()
            .collect();
        pages.push(render_page(&command)?);
        subcommands.reverse();
        pending.extend(subcommands);
    }
    Ok(pages)
}

/// clap's sections, then the exit statuses from the one table the code uses, the environment
/// and the files the command reads.
fn render_page(command: &clap::Command) -> std::io::Result<ManPage> {
    use std::io::Write;
    let takes = Takes::of(command);
    let man = clap_mangen::Man::new(command.clone()).source(format!(
        "saasctl {}",
        command.get_version().unwrap_or_default()
    ));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if takes.arguments {
        man.render_options_section(&mut out)?;
    }
    if takes.subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (_, code, meaning) in ExitStatus::TABLE {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff_text(meaning))?;
    }
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, text) in takes.environment() {
        writeln!(out, ".TP\n{name}\n{}", roff_text(&text))?;
    }
    writeln!(out, ".SH FILES")?;
    let files = takes.files();
    if files.is_empty() {
        writeln!(out, "Only those its arguments and options name.")?;
    }
    for (name, text) in files {
        writeln!(out, ".TP\n{name}\n{}", roff_text(text))?;
    }
    man.render_version_section(&mut out)?;
    Ok(ManPage {
        file_name: man.get_filename(),
        roff: out,
    })
}

/// The variables every command reads: (the tag in roff, what it does).
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "\\fBSAASCTL_LOG\\fR",
        "A log filter such as saasctl=debug or saasctl::registry=trace, in place of the one -v and -vv choose; ignored with --quiet.",
    ),
    (
        "\\fBNO_COLOR\\fR",
        "Set and not empty: no colour with --color auto.",
    ),
    (
        "\\fBCLICOLOR_FORCE\\fR",
        "Set and not 0: colour with --color auto, even when the output is not a terminal (NO_COLOR wins).",
    ),
    ("\\fBCLICOLOR\\fR", "0: no colour with --color auto."),
];

/// What `CI` changes, for the commands that read secrets offline (`validate`).
const CI: (&str, &str) = (
    "\\fBCI\\fR",
    "true or 1 (GitHub Actions, GitLab CI and most CI services set it): an {env: NAME} secret whose variable is unset or empty is a note, not an error, since a pull request from a fork gets no secrets.",
);

/// The variables the configuration names, for the commands that read it.
const SECRET_VARIABLES: (&str, &str) = (
    "\\fINAME\\fR",
    "Each variable an {env: NAME} secret of the configuration names: API keys, private keys (PEM), database URLs, crypt keys. Never printed.",
);

/// The files of the commands that read the configuration: (the tag in roff, what it is).
const CONFIGURATION_FILES: &[(&str, &str)] = &[
    (
        "\\fIsaasctl.yaml\\fR",
        "The configuration read when no PATH is given. A directory PATH is searched for *.yaml and *.yml files with version: at their top, hidden directories skipped.",
    ),
    (
        "{file: \\fIPATH\\fR}",
        "A secret's file (a private key, an API key), relative to the YAML file naming it; a private key readable by its owner only (mode 0600).",
    ),
    (
        "{env_file: \\fIPATH\\fR}",
        "An installation's dotenv file of CONFIG__DEFAULT__ lines: read to plan, written by apply.",
    ),
];

/// The embedded registry's state, for the commands that reach a registry.
const EMBEDDED_STATE: (&str, &str) = (
    "\\fI.saasctl/registry.json\\fR",
    "With --gateway embedded: the registry emulated inside saasctl, its state beside the configuration.",
);

/// What a command takes, read from its clap definition, so a new command or flag gets the
/// sections it needs. The top page describes what every command takes.
struct Takes<'a> {
    arguments: bool,
    subcommands: bool,
    args: Vec<&'a clap::Arg>,
}

impl<'a> Takes<'a> {
    fn of(command: &'a clap::Command) -> Self {
        let own: Vec<&clap::Arg> = command
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .collect();
        let mut args = own.clone();
        args.extend(
            command
                .get_subcommands()
                .flat_map(|sub| sub.get_arguments()),
        );
        Self {
            arguments: !own.is_empty(),
            subcommands: command.has_subcommands(),
            args,
        }
    }

    fn has(&self, id: &str) -> bool {
        self.args.iter().any(|arg| arg.get_id() == id)
    }

    /// The variables of options (`env = …`), those of every command, then those the
    /// configuration brings.
    fn environment(&self) -> Vec<(String, String)> {
        let mut environment: Vec<(String, String)> = Vec::new();
        for arg in &self.args {
            let (Some(name), Some(long)) = (arg.get_env(), arg.get_long()) else {
                continue;
            };
            let tag = format!("\\fB{}\\fR", name.to_string_lossy());
            if !environment.iter().any(|(known, _)| *known == tag) {
                let text = format!("The value of --{long} when the option is not given.");
                environment.push((tag, text));
            }
        }
        let mut fixed = ENVIRONMENT.to_vec();
        if self.has("no_secrets") {
            fixed.push(CI);
        }
        if self.has("paths") {
            fixed.push(SECRET_VARIABLES);
        }
        environment.extend(
            fixed
                .into_iter()
                .map(|(tag, text)| (tag.to_owned(), text.to_owned())),
        );
        environment
    }

    fn files(&self) -> Vec<(&'static str, &'static str)> {
        let mut files = Vec::new();
        if self.has("paths") {
            files.extend_from_slice(CONFIGURATION_FILES);
        }
        if self.has("gateway") {
            files.push(EMBEDDED_STATE);
        }
        files
    }
}

/// `text` as a roff paragraph: backslashes escaped, hyphens typed as the minus of options
/// (`\-\-gateway`, copied as typed), no line read as a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    match escaped.strip_prefix(['.', '\'']) {
        Some(_) => format!("\\&{escaped}"),
        None => escaped,
    }
}
