//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and others).

use serde_json::{Value, json};

use super::{Diagnostic, RuleInfo, Severity};

/// The SARIF log of `diagnostics`, describing every rule of `catalogue`.
pub fn render_sarif<'a>(
    diagnostics: &[Diagnostic],
    catalogue: impl IntoIterator<Item = &'a RuleInfo>,
) -> String {
    let rules: Vec<Value> = catalogue
        .into_iter()
        .map(|info| {
            json!({
                "id": info.id,
                "name": info.name,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.explanation.trim() },
                "help": { "text": info.explanation.trim(), "markdown": info.explanation.trim() },
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
            json!({
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
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "saasctl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/saasctl/saasctl",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
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
