//! Command-line definitions, one file per command: each parses its arguments, calls its use
//! case in `run` once, renders what came back, and returns an [`ExitStatus`] or an [`Error`],
//! whose [`Error::status`] gives the exit code.

// The edge: commands print their output here, and nowhere below.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// Output of a command, through the redaction layer (`diagnostic::redact`): no secret the run
/// resolved reaches a terminal or a CI log, whatever produced the text.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::emit_out(&$crate::diagnostic::redact(&format!($($arg)*)))
    };
}

macro_rules! outln {
    () => {
        $crate::cli::emit_out("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::emit_out(&format!("{}\n", $crate::diagnostic::redact(&format!($($arg)*))))
    };
}

macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::emit_err(&format!("{}\n", $crate::diagnostic::redact(&format!($($arg)*))))
    };
}

mod apply;
mod completions;
#[cfg(feature = "emulator")]
mod emulator;
mod explain;
mod import;
mod init;
#[cfg(feature = "emulator")]
mod keys;
mod log;
mod lsp;
mod plan;
mod progress;
mod render;
mod schema;
mod show;
mod ui;
mod validate;

use std::io::{BufRead, Write};

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::Error;

/// How a command ended, by category; the one place that gives each its exit code
/// (docs/design.md, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; with `--detailed-exitcode`, nothing to change.
    Success,
    /// An error: bad input, an unreachable service, a failed apply, `validate`'s error findings.
    Failure,
    /// `plan --detailed-exitcode` only: the plan has changes.
    Changes,
    /// A rule refused the plan: nothing was sent.
    Refused,
    /// A saved plan no longer matches the files or the live state.
    Stale,
    /// The command line is wrong (sysexits' EX_USAGE): never read as "changes".
    Usage,
    /// Stopped by Ctrl-C (SIGINT), as a shell reports it.
    Interrupted,
}

impl ExitStatus {
    /// Every status with its code and meaning, as the README and man page list them.
    pub const TABLE: [(ExitStatus, u8, &'static str); 7] = [
        (
            ExitStatus::Success,
            0,
            "success; with `--detailed-exitcode`, no changes",
        ),
        (
            ExitStatus::Failure,
            1,
            "error: bad input, an unreachable service, a failed apply, a merchant not read; `validate`: an error finding",
        ),
        (
            ExitStatus::Changes,
            2,
            "`plan --detailed-exitcode` only: the plan has changes",
        ),
        (
            ExitStatus::Refused,
            3,
            "`plan`/`apply` refused by a rule: nothing was sent",
        ),
        (
            ExitStatus::Stale,
            4,
            "`apply PLANFILE`: the saved plan no longer matches the files or the live state",
        ),
        (
            ExitStatus::Usage,
            64,
            "usage error: an unknown command or flag, a bad value",
        ),
        (ExitStatus::Interrupted, 130, "interrupted (Ctrl-C)"),
    ];

    pub fn code(self) -> u8 {
        Self::TABLE
            .iter()
            .find(|(status, _, _)| *status == self)
            .map_or(1, |(_, code, _)| *code)
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

impl Error {
    /// The category of a failure.
    pub fn status(&self) -> ExitStatus {
        use crate::run::apply::{ApplyError, Failure};
        use crate::run::import::ImportStop;
        use crate::run::init::InitError;
        match self {
            Error::Apply(ApplyError::Stale { .. }) => ExitStatus::Stale,
            Error::ApplyStopped(Failure::Interrupted { .. }) => ExitStatus::Interrupted,
            Error::Apply(ApplyError::PlanWithFiles(_) | ApplyError::Allowance(_))
            | Error::Plan(crate::run::plan::PlanError::Allowance(_))
            | Error::Import(ImportStop::ProjectWithFiles(_))
            | Error::Init(InitError::Exists(_) | InitError::NeedMerchant) => ExitStatus::Usage,
            _ => ExitStatus::Failure,
        }
    }
}

/// The program: parses the command line, runs the command, reports a failure, and gives the
/// exit code of how it ended.
pub fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version asked for are output, not errors.
            let status = if error.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
            let _ = error.print();
            return status.into();
        }
    };
    match run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            print_error(&error);
            error.status().into()
        }
    }
}

/// Writes to standard output. A closed pipe (`saasctl … | head -1`) is no error: the rest of
/// the output has no reader, and the command still ends as it would have.
pub fn emit_out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Writes to standard error, as [`emit_out`].
pub fn emit_err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[derive(Debug, Parser)]
#[command(
    name = "saasctl",
    version = env!("SAASCTL_VERSION"),
    about = "Manage the Commerce Services Connector setup of Adobe Commerce and Magento Open Source as code",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR_FORCE
    /// asks for colour anywhere), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Log to standard error what is sent and read: -v each registry request (method, path,
    /// status, time, retries), throttling, installation reads and writes; -vv more detail.
    /// SAASCTL_LOG (e.g. `saasctl=debug`) sets a finer filter. Never a key, token, password
    /// or request body.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print only errors and the output asked for: no progress, notes or logs.
    #[arg(short, long, global = true)]
    pub quiet: bool,

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
        self.enabled_for(&std::io::stdout())
    }

    /// Whether to colour what goes to `stream`. `auto` reads the environment as anstream does:
    /// NO_COLOR turns colour off, then CLICOLOR_FORCE on (even off a terminal), CLICOLOR=0
    /// off; otherwise a terminal whose TERM is not `dumb` gets colour.
    pub fn enabled_for(self, stream: &impl anstream::stream::RawStream) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => matches!(
                anstream::AutoStream::choice(stream),
                anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    Import(import::Args),
    Validate(validate::Args),
    Schema(schema::Args),
    Explain(explain::Args),
    Plan(plan::Args),
    Apply(apply::Args),
    Show(show::Args),
    Render(render::Args),
    Completions(completions::Args),
    Man(completions::ManArgs),
    #[cfg(feature = "emulator")]
    Emulator(emulator::Args),
    #[cfg(feature = "emulator")]
    Keys(keys::Args),
    Lsp(lsp::Args),
}

pub fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let color = cli.color.enabled();
    log::init(
        cli.verbose,
        cli.quiet,
        cli.color.enabled_for(&std::io::stderr()),
    );
    let quiet = cli.quiet;
    match cli.command {
        Command::Init(args) => init::run(args, quiet),
        Command::Import(args) => import::run(args, color, quiet),
        Command::Validate(args) => validate::run(args, color),
        Command::Schema(args) => schema::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Plan(args) => plan::run(args, color, quiet),
        Command::Apply(args) => apply::run(args, color, quiet),
        Command::Show(args) => show::run(args, color),
        Command::Render(args) => render::run(args, color),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => emulator::run(args),
        #[cfg(feature = "emulator")]
        Command::Keys(args) => keys::run(args),
        Command::Lsp(args) => lsp::run(args),
    }
}

/// Where the registry is, for the commands that read it.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Send every key set to this gateway (e.g. an emulator's URL, or `embedded`). Plain http://
    /// is accepted only for loopback addresses.
    #[arg(
        long,
        env = "SAASCTL_GATEWAY",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub gateway: Option<String>,

    /// Seconds to wait for each registry answer before retrying or giving up: a gateway that
    /// accepts connections but never answers fails within this time.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,

    /// How many merchants are read and applied at once, over one pool of connections.
    #[arg(long, value_name = "N", default_value_t = crate::run::connect::DEFAULT_PARALLELISM as u64, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub parallelism: u64,
}

impl RegistryArgs {
    pub fn connector(&self) -> crate::run::connect::Connector {
        let options = crate::registry::ClientOptions {
            request_timeout: std::time::Duration::from_secs(self.timeout),
            ..Default::default()
        };
        // An empty SAASCTL_GATEWAY is no choice at all, as if it were unset.
        let gateway = self.gateway.clone().filter(|g| !g.trim().is_empty());
        let mut connector = crate::run::connect::Connector::new(gateway, options);
        connector.parallelism = usize::try_from(self.parallelism).unwrap_or(1);
        connector
    }
}

/// `--shard I/N`, for validate, plan and apply.
#[derive(Debug, Clone, clap::Args)]
pub struct ShardArgs {
    /// Only the I-th of N stable slices of the files (by a hash of each file's path), to
    /// spread a large estate over a CI matrix; every file is in exactly one shard.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::run::Shard>,
}

/// What the user allows on purpose, for `plan` and `apply`.
#[derive(Debug, Clone, clap::Args)]
pub struct AllowArgs {
    /// Create a project even though the account holds projects that nothing in this run
    /// declares (SC025). Projects cannot be deleted: check `previous_names` first.
    #[arg(long)]
    pub allow_new_project: bool,

    /// Let the installation of environment ENV of MERCHANT (as the plan names the merchant)
    /// move to another data space (SC030): it loses access to the data stored in the old one,
    /// and its feeds must be resent. A bare ENV must name one merchant's environment.
    /// Repeatable.
    #[arg(long, value_name = "MERCHANT/ENV")]
    pub allow_rebind: Vec<String>,
}

impl AllowArgs {
    pub fn allowances(&self) -> crate::rules::Allowances {
        crate::rules::Allowances {
            new_project: self.allow_new_project,
            rebind: self.allow_rebind.iter().cloned().collect(),
        }
    }
}

/// Whether `plan` and `apply` touch the installation targets.
#[derive(Debug, Clone, clap::Args)]
pub struct InstallationArgs {
    /// read: read each installation target (and apply writes it); skip: neither read nor
    /// write them, for a pipeline that cannot reach them or must not write them. An env file
    /// missing here is planned as "written on apply", not as a change.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = InstallationMode::Read)]
    pub installations: InstallationMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InstallationMode {
    Read,
    Skip,
}

impl InstallationArgs {
    pub fn mode(&self) -> crate::run::connect::Installations {
        match self.installations {
            InstallationMode::Read => crate::run::connect::Installations::Read,
            InstallationMode::Skip => crate::run::connect::Installations::Skip,
        }
    }
}

/// One failure as every command reports it: `error: ` and the message, escaped and redacted,
/// on stderr.
pub fn print_error(error: &Error) {
    for line in error_lines(error) {
        errln!("{}", crate::diagnostic::escape::lines(&line));
    }
}

/// An error as lines: one `error: ` line for each failure it gathers, then what follows them.
fn error_lines(error: &Error) -> Vec<String> {
    use crate::run::apply::{Failure, INSTALLATIONS_LEFT};
    use crate::run::import::{ImportErrors, ImportStop, UNWRITTEN};
    use crate::run::{InstallationErrors, MerchantErrors};
    fn each<E: std::fmt::Display>(errors: &[E]) -> Vec<String> {
        errors.iter().map(|e| format!("error: {e}")).collect()
    }
    let (mut lines, after) = match error {
        Error::Merchants(MerchantErrors(errors)) => (each(errors), None),
        Error::ImportFailed(ImportErrors(errors)) => (each(errors), None),
        Error::Import(ImportStop::Failed {
            errors: ImportErrors(errors),
            unwritten,
        }) => (
            each(errors),
            unwritten.then(|| format!("error: {UNWRITTEN}")),
        ),
        Error::ApplyStopped(Failure::Registry(failed)) => (
            each(&failed.errors),
            Some(format!("error: {}", failed.summary())),
        ),
        Error::ApplyStopped(Failure::Installations(InstallationErrors(errors))) => {
            (each(errors), Some(INSTALLATIONS_LEFT.to_owned()))
        }
        other => (vec![format!("error: {other}")], None),
    };
    lines.extend(after);
    lines
}

/// The async runtime the network commands run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Files are checked on its threads.
        .thread_stack_size(crate::run::MAIN_THREAD_STACK)
        // Its blocking work (checking files, parsing keys) is CPU-bound: a thread per core
        // does it as fast as hundreds would, without their start-up and memory.
        .max_blocking_threads(std::thread::available_parallelism().map_or(2, usize::from))
        .build()
        .map_err(|source| Error::Io {
            what: "start the async runtime",
            source,
        })
}

/// Asks `question` (on standard error when standard output carries data) and reads the answer.
pub fn ask_on(question: &str, on_stderr: bool) -> Result<crate::run::ui::Answer, std::io::Error> {
    if on_stderr {
        emit_err(&crate::diagnostic::redact(question));
        let _ = std::io::stderr().flush();
    } else {
        out!("{question}");
        let _ = std::io::stdout().flush();
    }
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer)? == 0 {
        // End of input: no answer will come.
        return Ok(crate::run::ui::Answer::Ended);
    }
    Ok(crate::run::ui::Answer::Text(answer.trim().to_owned()))
}
