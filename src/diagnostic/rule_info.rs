//! What `saasctl explain` and SARIF know of a rule. The rules declare one each; the catalogue
//! lives with them (`rules`), and renderers take it as an argument.

use super::{Diagnostic, Location, Severity};

/// What `saasctl explain` and SARIF know of a rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    /// A short kebab-case name, e.g. `production-space-shared`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule refuses or warns about.
    pub summary: &'static str,
    /// Why it matters and how to fix it (markdown).
    pub explanation: &'static str,
    /// A configuration the rule fires on.
    pub bad_example: &'static str,
    /// The same configuration, fixed.
    pub good_example: &'static str,
}

impl RuleInfo {
    /// A finding of this rule at its default severity.
    pub fn finding(
        &'static self,
        message: impl Into<String>,
        location: Location,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(self.id, self.severity, message, location).help(help)
    }

    /// The full documentation printed by `saasctl explain`.
    pub fn documentation(&self) -> String {
        format!(
            "{id} {name} ({severity})\n\n{summary}\n\n{explanation}\n\nExample that fires:\n\n{bad}\nFixed:\n\n{good}",
            id = self.id,
            name = self.name,
            severity = self.severity,
            summary = self.summary,
            explanation = self.explanation.trim(),
            bad = indent(self.bad_example),
            good = indent(self.good_example),
        )
    }
}

fn indent(yaml: &str) -> String {
    yaml.lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_owned()
            } else {
                format!("    {line}\n")
            }
        })
        .collect()
}
