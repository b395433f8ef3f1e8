//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and others): every rule
//! described (with its `saasctl explain` text and a link to the rule reference), each result
//! with a fingerprint that follows the finding across commits.

use serde_json::{Value, json};

use super::{Diagnostic, RuleInfo, Severity};
use crate::digest::digest;

/// The key of saasctl's fingerprint in `partialFingerprints`; the version changes only if
/// what is hashed does.
pub const FINGERPRINT_KEY: &str = "saasctl/v1";

/// The SARIF log of `diagnostics`, describing every rule of `catalogue`.
pub fn render_sarif<'a>(
    diagnostics: &[Diagnostic],
    catalogue: impl IntoIterator<Item = &'a RuleInfo>,
) -> String {
    let rules: Vec<Value> = catalogue
        .into_iter()
        .map(|info| {
            let explain = format!(
                "{}\n\n`saasctl explain {}` prints this with an example.",
                info.explanation.trim(),
                info.id
            );
            json!({
                "id": info.id,
                "name": info.name,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.explanation.trim() },
                "help": { "text": info.documentation(), "markdown": explain },
                "helpUri": info.help_uri(),
                "defaultConfiguration": { "level": level(info.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if !d.help.is_empty() {
                text.push_str("\nhelp: ");
                text.push_str(&d.help);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [physical(&d.location, None)],
                "relatedLocations": d.related.iter().enumerate()
                    .map(|(i, r)| {
                        let mut loc = physical(&r.location, Some(&r.label));
                        loc["id"] = json!(i);
                        loc
                    })
                    .collect::<Vec<_>>(),
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(d) },
            });
            if let Some(reason) = &d.ignored {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "saasctl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": super::rule_info::PROJECT_URI,
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// What identifies a finding from one commit to the next: its rule, file, the YAML path of
/// its node and its message without the values in it, hashed (`sha256:`, which the
/// redaction layer keeps). Line numbers are left out, so
/// a finding keeps its identity when lines above it move; a value renamed in place (a data
/// space's name in the message) keeps it too.
pub fn fingerprint(d: &Diagnostic) -> String {
    let text = [
        d.rule,
        &d.location.file,
        &d.location.node,
        &value_free(&d.message),
    ]
    .join("\u{0}");
    digest(text.as_bytes())
}

/// `message` with what is quoted (`…`, "…"), in parentheses, or a number replaced by `_`.
fn value_free(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match c {
            '`' => Some('`'),
            '"' => Some('"'),
            '(' => Some(')'),
            _ => None,
        };
        if let Some(close) = close {
            for next in chars.by_ref() {
                if next == close {
                    break;
                }
            }
            out.push(c);
            out.push('_');
            out.push(close);
        } else if c.is_ascii_digit() {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(location: &super::Location, label: Option<&str>) -> Value {
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": location.file },
            "region": {
                "startLine": location.position.line,
                "startColumn": location.position.column,
            },
        },
    });
    if let Some(label) = label {
        value["message"] = json!({ "text": label });
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Location, Position};

    fn at(line: usize, node: &str, message: &str) -> Diagnostic {
        Diagnostic::new(
            "SC002",
            Severity::Error,
            message,
            Location {
                file: "saasctl.yaml".into(),
                position: Position {
                    line,
                    column: 17,
                    ..Position::default()
                },
                node: node.into(),
            },
        )
    }

    #[test]
    fn values_are_left_out_of_what_identifies_a_finding() {
        assert_eq!(
            value_free(
                "staging environment `qa` is bound to data space \"x\" (Luma Production) of 1024 bits"
            ),
            "staging environment `_` is bound to data space \"_\" (_) of _ bits"
        );
        assert_eq!(value_free("unclosed `quote"), "unclosed `_`");
    }

    #[test]
    fn fingerprints_survive_moved_lines_and_renamed_values() {
        let node = "environments.staging.data_space";
        let one = at(
            16,
            node,
            "environment `staging` is bound to `live` (Luma Production)",
        );
        let moved = at(
            40,
            node,
            "environment `staging` is bound to `live` (Luma Production)",
        );
        let renamed = at(
            16,
            node,
            "environment `staging` is bound to `live` (Luma Live)",
        );
        assert_eq!(fingerprint(&one), fingerprint(&moved));
        assert_eq!(fingerprint(&one), fingerprint(&renamed));
        assert!(fingerprint(&one).starts_with("sha256:"));
        // Another node, file or rule is another finding.
        let other = at(16, "environments.qa.data_space", &one.message);
        assert_ne!(fingerprint(&one), fingerprint(&other));
        let mut elsewhere = one.clone();
        elsewhere.location.file = "other.yaml".into();
        assert_ne!(fingerprint(&one), fingerprint(&elsewhere));
        let mut rule = one.clone();
        rule.rule = "SC010";
        assert_ne!(fingerprint(&one), fingerprint(&rule));
    }
}
