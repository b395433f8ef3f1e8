//! The terminal side of a use case (`run::ui::Ui`): progress bars or log lines on standard
//! error, steps as they happen, questions read from standard input.

use std::io::IsTerminal;
use std::time::Instant;

use super::progress::{self, Progress};
use crate::run::ui::{Answer, Tick, Ui};

/// How a command shows itself.
pub struct Terminal {
    pub color: bool,
    pub quiet: bool,
    /// Standard output carries data (a JSON report, a plan file): text for people goes to
    /// standard error.
    pub data_on_stdout: bool,
    /// Approval was given on the command line (`--yes`): nothing will be asked.
    pub approved: bool,
    /// On a terminal each step carries the time since the command began; logs get plain lines.
    started: Option<Instant>,
}

impl Terminal {
    pub fn new(color: bool, quiet: bool, data_on_stdout: bool) -> Self {
        let timed = std::io::stdout().is_terminal() && !data_on_stdout;
        Self {
            color,
            quiet,
            data_on_stdout,
            approved: false,
            started: timed.then(Instant::now),
        }
    }

    /// Text for people, unless `--quiet`.
    pub fn say(&self, text: &str) {
        if !self.quiet {
            self.print(text);
        }
    }

    /// Text for people even with `--quiet` (what was asked for, or what a question is about).
    pub fn print(&self, text: &str) {
        if self.data_on_stdout {
            errln!("{text}");
        } else {
            outln!("{text}");
        }
    }
}

impl Ui for Terminal {
    fn progress(&self, stage: &'static str, total: usize) -> Box<dyn Tick + '_> {
        Box::new(Progress::new(stage, total, self.quiet))
    }

    fn step(&self, line: &str) {
        // A step names what it changed: a name read from the YAML or the registry.
        let line = crate::diagnostic::escape::text(line);
        progress::suspend(|| match self.started {
            Some(started) => self.say(&format!(
                "[{:>5.1}s] {line}",
                started.elapsed().as_secs_f64()
            )),
            None => self.say(&line),
        });
    }

    fn ask(&self, question: &str) -> Result<Answer, std::io::Error> {
        if !std::io::stdin().is_terminal() {
            return Ok(Answer::NoTerminal);
        }
        super::ask_on(question, self.data_on_stdout)
    }
}
