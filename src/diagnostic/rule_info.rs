//! What `saasctl explain` and SARIF know of a rule. The rules declare one each; the catalogue
//! lives with them (`rules`), and renderers take it as an argument.

use super::{Diagnostic, Location, Severity};

/// The project's home, for SARIF's `informationUri`.
pub const PROJECT_URI: &str = "https://github.com/saasctl/saasctl";

/// The rule reference, `docs/rules.md` (generated from the catalogue, tested to be current):
/// each rule's `helpUri` is an anchor in it.
pub const RULES_URI: &str = "https://github.com/saasctl/saasctl/blob/main/docs/rules.md";

/// What a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// The configuration files (and the secrets they name).
    Files,
    /// The registry and the installations too.
    Live,
}

/// What `saasctl explain` and SARIF know of a rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    /// A short kebab-case name, e.g. `production-space-shared`.
    pub name: &'static str,
    pub severity: Severity,
    /// What the rule reads: the files alone (`validate` runs it), or the live state too (only
    /// `plan` and `apply` can).
    pub reads: Reads,
    /// It refuses what would mix or lose data: no ignore comment lifts it (only a command-line
    /// allowance, where the rule has one).
    pub protects_data: bool,
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

    /// The rule's section of the rule reference: its heading's anchor. The id alone: longer
    /// anchors (`sc001-production-space-shared`) have the shape of a key, which output masks.
    pub fn help_uri(&self) -> String {
        format!("{RULES_URI}#{}", self.anchor())
    }

    /// `sc001`: the anchor of the rule's heading (`## SC001`) in the rule reference.
    pub fn anchor(&self) -> String {
        self.id.to_ascii_lowercase()
    }

    /// The rule's section of `docs/rules.md`.
    pub fn markdown(&self) -> String {
        format!(
            "## {id}\n\n`{name}` ({severity}): {summary}\n\n{protects}{explanation}\n\nExample that fires:\n\n```yaml\n{bad}```\n\nFixed:\n\n```yaml\n{good}```\n",
            id = self.id,
            name = self.name,
            severity = self.severity,
            summary = self.summary,
            protects = self.protection(),
            explanation = self.explanation.trim(),
            bad = format_args!("{}\n", self.bad_example.trim_end()),
            good = format_args!("{}\n", self.good_example.trim_end()),
        )
    }

    /// For a rule that protects data, the paragraph that says so.
    fn protection(&self) -> &'static str {
        if self.protects_data {
            "This rule protects data: no `# saasctl: ignore` comment lifts it.\n\n"
        } else {
            ""
        }
    }

    /// The full documentation printed by `saasctl explain`.
    pub fn documentation(&self) -> String {
        format!(
            "{about}\n\nExample that fires:\n\n{bad}\nFixed:\n\n{good}",
            about = self.about(),
            bad = indent(self.bad_example),
            good = indent(self.good_example),
        )
    }

    /// The documentation without its examples: what, why and the fix (an editor's hover).
    pub fn about(&self) -> String {
        format!(
            "{id} {name} ({severity})\n\n{summary}\n\n{protects}{explanation}",
            id = self.id,
            name = self.name,
            severity = self.severity,
            summary = self.summary,
            protects = self.protection(),
            explanation = self.explanation.trim(),
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
