//! SC015: names, keys and values are printable text, without control characters.

use super::{DocumentFinding, RuleInfo};
use crate::config::{Loaded, Node, Route, Value};
use crate::diagnostic::Severity;
use crate::diagnostic::escape::is_hidden;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC015",
    name: "control-character",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a name, key or value holding a control character",
    explanation: r#"
Names reach terminals, CI logs, pull-request comments, Magento's configuration and the Admin.
A control character in one (an escape sequence, a line break, a NUL, a bidirectional override)
is invisible in the YAML but acts where the name is shown: it colours or clears a terminal,
starts a line of its own in a plan or a comment, or cuts a value short in a database. saasctl
shows such characters escaped (`\u{1b}`) and never writes them, so a name holding one could
never be applied as written.

Fix: remove the character; in a double-quoted YAML string, look for escapes such as `\e`,
`\n`, `\t`, `\0` or `\u...`.
"#,
    bad_example: include_str!("examples/sc015.bad.yaml"),
    good_example: include_str!("examples/sc015.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, loaded: &Loaded, document: &Node) -> Vec<DocumentFinding> {
        let mut findings = Vec::new();
        visit(document, &Route::root(), &mut |route, text, is_key| {
            let Some(found) = text.chars().find(|c| is_hidden(*c)) else {
                return;
            };
            let what = if is_key { "the key of" } else { "" };
            let message = format!(
                "{what} `{route}` holds the control character U+{:04X}: names, keys and values are printable text",
                u32::from(found)
            );
            let location = if is_key {
                loaded.locate_key(route)
            } else {
                loaded.locate(route)
            };
            findings.push(DocumentFinding {
                route: route.clone(),
                diagnostic: INFO
                    .finding(message.trim_start(), location, "remove the character")
                    .label("control character"),
                secret: false,
            });
        });
        findings
    }
}

/// Calls `check` with every mapping key and string of `node`, but a pasted private key's
/// (SC006 reports it, and a PEM has line breaks).
fn visit(node: &Node, route: &Route, check: &mut dyn FnMut(&Route, &str, bool)) {
    match &node.value {
        Value::String(text) if !text.contains("-----BEGIN") => check(route, text, false),
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, &route.at(i), check);
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                let Some(name) = key.key_text() else { continue };
                let at = route.at(name.as_str());
                check(&at, &name, true);
                visit(value, &at, check);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{LUMA, assert_examples, findings_of};

    #[test]
    fn examples() {
        assert_examples(&super::INFO);
    }

    #[test]
    fn every_control_character_in_names_keys_and_values_is_found_where_it_is() {
        for (hostile, line) in [
            ("name: \"Luma\\e[31m\"", 10),
            ("name: \"Luma\\u202Eorp\"", 10),
            ("name: \"Luma\\0\"", 10),
            ("name: \"Luma\\n  + project.evil: x\"", 10),
            ("name: \"Luma\\t\"", 10),
        ] {
            let yaml = LUMA.replace("name: Luma\n", &format!("{hostile}\n"));
            let findings = findings_of("SC015", &yaml);
            assert_eq!(findings.len(), 1, "{hostile}: {findings:?}");
            assert_eq!((findings[0].0, findings[0].1), (line, 9), "{hostile}");
            assert!(findings[0].2.contains("`project.name`"), "{findings:?}");
        }
        let key = LUMA.replace("    qa: {type", "    \"q\\ea\": {type");
        let findings = findings_of("SC015", &key);
        assert!(
            findings[0]
                .2
                .starts_with("the key of `project.data_spaces.q"),
            "{findings:?}"
        );
        assert!(findings_of("SC015", LUMA).is_empty());
    }
}
