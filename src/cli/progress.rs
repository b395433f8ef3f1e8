//! Progress over many merchants: a bar on standard error when it is a terminal that can draw
//! one, plain lines at a modest rate elsewhere (CI logs, TERM=dumb), nothing with `--quiet`.
//! Whatever else is written while a bar is drawn goes through [`suspend`], so they never mix.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Off a terminal, runs of fewer merchants print no progress: they are done in moments.
const PLAIN_MIN: usize = 10;
/// Off a terminal, a line at every tenth of the merchants, or after this long without one.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// The bar being drawn, if any: log lines and output step aside for it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `write` with the bar (if any) hidden, then draws it again.
pub fn suspend<R>(write: impl FnOnce() -> R) -> R {
    let bar = BAR.lock().unwrap_or_else(PoisonError::into_inner).clone();
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// Counts merchants done (`verb`: "read", "applied") out of a total; cleared when dropped.
pub struct Progress {
    verb: &'static str,
    total: usize,
    done: AtomicUsize,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines { step: usize, last: Mutex<Instant> },
    Hidden,
}

impl crate::run::ui::Tick for Progress {
    fn tick(&self) {
        self.tick();
    }
}

impl Progress {
    pub fn new(verb: &'static str, total: usize, quiet: bool) -> Self {
        // A terminal that can draw a bar: not TERM=dumb, nor a terminal without TERM.
        let target = ProgressDrawTarget::stderr();
        let drawable = std::io::stderr().is_terminal() && !target.is_hidden();
        let shown = match choose(total, quiet, drawable) {
            Mode::Bar => {
                let bar = ProgressBar::with_draw_target(Some(total as u64), target);
                let style = ProgressStyle::with_template(
                    "{prefix:>8} [{bar:30}] {pos}/{len} merchants ({elapsed})",
                )
                .map(|style| style.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_prefix(verb);
                *BAR.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
                Shown::Bar(bar)
            }
            Mode::Lines { step } => Shown::Lines {
                step,
                last: Mutex::new(Instant::now()),
            },
            Mode::Hidden => Shown::Hidden,
        };
        Self {
            verb,
            total,
            done: AtomicUsize::new(0),
            shown,
        }
    }

    /// One more merchant done.
    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.shown {
            Shown::Bar(bar) => bar.inc(1),
            Shown::Lines { step, last } => {
                let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
                if done == self.total || done.is_multiple_of(*step) || last.elapsed() >= PLAIN_EVERY
                {
                    *last = Instant::now();
                    errln!("{} {done}/{} merchants", self.verb, self.total);
                }
            }
            Shown::Hidden => {}
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Mode {
    Bar,
    /// A line every `step` merchants (or after [`PLAIN_EVERY`]).
    Lines {
        step: usize,
    },
    Hidden,
}

fn choose(total: usize, quiet: bool, on_terminal: bool) -> Mode {
    if quiet || total == 0 {
        Mode::Hidden
    } else if on_terminal {
        Mode::Bar
    } else if total >= PLAIN_MIN {
        Mode::Lines {
            step: total.div_ceil(10),
        }
    } else {
        Mode::Hidden
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
            *BAR.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_on_a_terminal_lines_in_logs_nothing_when_quiet() {
        assert_eq!(choose(500, false, true), Mode::Bar);
        assert_eq!(choose(2, false, true), Mode::Bar);
        assert_eq!(choose(500, false, false), Mode::Lines { step: 50 });
        assert_eq!(choose(15, false, false), Mode::Lines { step: 2 });
        assert_eq!(choose(9, false, false), Mode::Hidden);
        assert_eq!(choose(500, true, true), Mode::Hidden);
        assert_eq!(choose(500, true, false), Mode::Hidden);
        assert_eq!(choose(0, false, true), Mode::Hidden);
    }
}
