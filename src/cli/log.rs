//! Logs on standard error (`-v`, `-vv`, `SAASCTL_LOG`), with `tracing`. The events below never
//! carry a secret; every line is still redacted here, a second line of defence, and written
//! while any progress bar steps aside.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::time::Uptime;

/// The filter `-q`, `-v` and `-vv` ask for: saasctl's own events only (a dependency's, such as
/// the HTTP stack's, only through `SAASCTL_LOG`).
fn default_filter(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "saasctl=warn",
        (false, 1) => "saasctl=debug",
        (false, _) => "saasctl=trace",
    }
}

/// Installs the subscriber for this process. `SAASCTL_LOG` (an `EnvFilter` such as
/// `saasctl=debug` or `saasctl::registry=trace`) replaces the flags' filter, except under
/// `--quiet`, which keeps only errors.
pub fn init(verbose: u8, quiet: bool, ansi: bool) {
    let default = default_filter(verbose, quiet);
    let asked = std::env::var("SAASCTL_LOG")
        .ok()
        .filter(|spec| !quiet && !spec.trim().is_empty());
    let filter = match asked.map(|spec| EnvFilter::try_new(spec.trim())) {
        Some(Ok(filter)) => filter,
        Some(Err(e)) => {
            errln!("warning: SAASCTL_LOG is not a log filter ({e}); using {default}");
            EnvFilter::new(default)
        }
        None => EnvFilter::new(default),
    };
    // A second subscriber (tests that run `cli::run` twice in one process) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacted)
        .with_ansi(ansi)
        .with_timer(Uptime::default())
        .try_init();
}

/// Makes one [`Line`] per event.
struct Redacted;

/// One event's text, redacted and written whole when the event is done.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let text = crate::diagnostic::redact(&text);
        super::progress::suspend(|| {
            // A log line that cannot be written is not worth failing the command for.
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        });
    }
}

impl<'a> MakeWriter<'a> for Redacted {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_choose_the_level_and_quiet_wins() {
        assert_eq!(default_filter(0, false), "saasctl=warn");
        assert_eq!(default_filter(1, false), "saasctl=debug");
        assert_eq!(default_filter(2, false), "saasctl=trace");
        assert_eq!(default_filter(5, false), "saasctl=trace");
        assert_eq!(default_filter(0, true), "error");
    }
}
