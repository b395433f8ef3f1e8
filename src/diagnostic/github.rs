//! GitHub Actions workflow commands: one `::error file=…,line=…,col=…::` line per finding,
//! shown as annotations on the pull request.

use super::{Diagnostic, Severity, escape};

pub fn render_github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        // An ignored finding is only a notice: an annotation that fails nothing.
        let (command, title) = match (&d.ignored, d.severity) {
            (Some(_), _) => ("notice", format!("{} ignored", d.rule)),
            (None, Severity::Error) => ("error", format!("{} error", d.rule)),
            (None, Severity::Warning) => ("warning", format!("{} warning", d.rule)),
            (None, Severity::Info) => ("notice", format!("{} info", d.rule)),
        };
        // What was read is escaped ([`escape::text`]): a CI log interprets ANSI sequences.
        let mut message = escape::lines(&d.message).into_owned();
        if let Some(reason) = &d.ignored {
            message.push_str(&format!(" (ignored: {})", escape::text(reason)));
        }
        if !d.help.is_empty() {
            message.push('\n');
            message.push_str(&escape::lines(&d.help));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},title={}::{}\n",
            escape_property(&escape::text(&d.location.file)),
            d.location.position.line,
            d.location.position.column,
            escape_property(&title),
            escape_data(&message),
        ));
    }
    out
}

/// A message as a workflow command carries it: also the form of a secret to mask there.
pub(super) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property (file, title) as a workflow command carries it.
pub(super) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::diagnostic::Position;

    #[test]
    fn escapes_workflow_command_syntax() {
        let d = Diagnostic::new(
            "SC003",
            Severity::Error,
            "a, b: 100%\nnext",
            Location {
                file: "dir,x/a:b.yaml".into(),
                node: String::new(),
                position: Position {
                    line: 3,
                    column: 5,
                    ..Position::default()
                },
            },
        );
        assert_eq!(
            render_github(&[d]),
            "::error file=dir%2Cx/a%3Ab.yaml,line=3,col=5,title=SC003 error::a, b: 100%25%0Anext\n"
        );
    }
}
