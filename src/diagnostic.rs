//! One diagnostic type for every finding (schema errors, rules, live-state checks), and its
//! renderers: human (with a source snippet), json, sarif and GitHub workflow annotations.

pub mod escape;
mod github;
mod human;
mod redact;
mod rule_info;
mod sarif;
mod shape;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use github::render_github;
pub use human::render_human;
pub use redact::{
    MIN_KNOWN, is_key_shaped, redact, redact_input, register_secret, register_token_prefix,
};
pub use rule_info::{Reads, RuleInfo};
pub use sarif::render_sarif;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a node sits in its file: 1-based line and column, and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub len: usize,
}

impl Position {
    /// Line 1, column 1: for problems with the file as a whole.
    pub fn default_start() -> Self {
        Position {
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        }
    }
}

/// A place in a file, with what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub position: Position,
    /// The YAML path of the node, e.g. `environments.staging.data_space`; empty for the file
    /// as a whole. Unlike the position, it survives edits elsewhere in the file (SARIF
    /// fingerprints use it).
    pub node: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.file, self.position.line, self.position.column
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

/// An edit that fixes a finding (a did-you-mean): `replacement` in place of the bytes at
/// `position` of the finding's file. Editors offer it (`saasctl lsp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as an editor lists it: "did you mean `data_spaces`".
    pub title: String,
    pub position: Position,
    pub replacement: String,
}

/// One finding: which rule, how severe, what and where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// A short label under the offending node in the snippet.
    pub label: String,
    pub related: Vec<Related>,
    pub help: String,
    /// Accepted on purpose by a `# saasctl: ignore[ID] reason` comment: the reason. An
    /// ignored finding fails nothing and is shown only when asked for.
    pub ignored: Option<String>,
    /// Edits that fix it, where one is known for sure enough to offer.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
            location,
            label: String::new(),
            related: Vec::new(),
            help: String::new(),
            ignored: None,
            fixes: Vec::new(),
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    pub fn related(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            label: label.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error && self.ignored.is_none()
    }

    /// The stable order findings are shown in: by file, then position, then rule.
    pub fn sort(diagnostics: &mut [Diagnostic]) {
        diagnostics.sort_by(|a, b| {
            (&a.location.file, a.location.position.offset, a.rule).cmp(&(
                &b.location.file,
                b.location.position.offset,
                b.rule,
            ))
        });
    }
}

/// The JSON form shared by `validate --format json` and the plan's `diagnostics[]`; owned, so
/// a saved plan reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonDiagnostic {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub help: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated>,
    /// Why it is ignored: only in `validate --show-ignored`'s `ignored` list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRelated {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub label: String,
}

impl JsonDiagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        Self {
            rule: d.rule.to_owned(),
            severity: d.severity,
            message: d.message.clone(),
            file: d.location.file.clone(),
            line: d.location.position.line,
            column: d.location.position.column,
            help: d.help.clone(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    file: r.location.file.clone(),
                    line: r.location.position.line,
                    column: r.location.position.column,
                    label: r.label.clone(),
                })
                .collect(),
            reason: d.ignored.clone(),
        }
    }
}

/// The version of `validate --format json`, like the plan file's: bumped only on purpose.
pub const JSON_FORMAT_VERSION: &str = "1";

/// `{"format_version", "diagnostics"}`; ignored findings, when given, go to their own
/// `ignored` list (with their reasons), so nothing counting `diagnostics` counts them.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let list = |ignored: bool| -> Vec<JsonDiagnostic> {
        diagnostics
            .iter()
            .filter(|d| d.ignored.is_some() == ignored)
            .map(JsonDiagnostic::from)
            .collect()
    };
    let mut document =
        serde_json::json!({ "format_version": JSON_FORMAT_VERSION, "diagnostics": list(false) });
    let ignored = list(true);
    if !ignored.is_empty() {
        document["ignored"] = serde_json::json!(ignored);
    }
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

/// The text of each file diagnostics point into, so renderers can show snippets.
#[derive(Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, String>,
}

impl Sources {
    /// Keeps `text` for snippets, redacted: a snippet never shows key material.
    pub fn insert(&mut self, file: impl Into<String>, text: &str) {
        self.files
            .insert(file.into(), redact_input(text).into_owned());
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(String::as_str)
    }
}

/// How a path is shown in diagnostics: as the user gave it, with `/` separators.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The summary line after a human report, e.g. "2 errors, 1 warning, 0 notes", with ", 2
/// ignored" when findings were ignored (whether or not they are in `diagnostics`).
pub fn summary(diagnostics: &[Diagnostic], ignored: usize) -> String {
    let count = |s: Severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == s && d.ignored.is_none())
            .count()
    };
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut out = format!(
        "{}, {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note")
    );
    if ignored > 0 {
        out.push_str(&format!(", {ignored} ignored"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_diagnostics_read_back_as_written() {
        let at = |line, column| Location {
            file: "a.yaml".into(),
            node: String::new(),
            position: Position {
                line,
                column,
                offset: 10,
                len: 1,
            },
        };
        let d = Diagnostic::new("SC020", Severity::Error, "taken", at(3, 4))
            .help("rename")
            .related(at(1, 1), "here");
        let json = serde_json::to_value(JsonDiagnostic::from(&d)).unwrap();
        assert_eq!(json["severity"], "error");
        assert_eq!(json["related"][0]["label"], "here");
        let back: JsonDiagnostic = serde_json::from_value(json).unwrap();
        assert_eq!(back, JsonDiagnostic::from(&d));
    }
}
