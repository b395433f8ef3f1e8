//! SC006: secrets are referenced, never written into the YAML.

use super::{DocumentFinding, RuleInfo};
use crate::config::{Loaded, Node, Route, Value};
use crate::diagnostic::Severity;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC006",
    name: "inline-secret",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a secret written inline in the YAML",
    explanation: r#"
The YAML lives in git, where every clone, fork and CI log can read it. An API key or private key
written into it is leaked the moment it is pushed, and must be revoked in the account portal.
saasctl never prints the value it found: snippets show it masked.

Fix: move the secret to an environment variable or a file kept out of git, and reference it:
`api_key: {env: NAME}` or `private_key: {file: keys/production.pem}`. Then revoke the leaked
key and create a new one.
"#,
    bad_example: include_str!("examples/sc006.bad.yaml"),
    good_example: include_str!("examples/sc006.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, loaded: &Loaded, document: &Node) -> Vec<DocumentFinding> {
        let mut findings = Vec::new();
        for (route, node) in secret_fields(document) {
            match &node.value {
                Value::Null => {}
                // Under a key other than env/file, the value is most likely the secret.
                Value::Mapping(entries) => {
                    for (key, _) in entries {
                        let name = key.key_text().unwrap_or_default();
                        if name != "env" && name != "file" {
                            findings.push(finding(
                                loaded,
                                route.at(name.as_str()),
                                format!("`{route}.{name}` may hold the secret itself; only `env` and `file` are allowed"),
                            ));
                        }
                    }
                }
                // Anything else is the secret itself, or part of it.
                _ => findings.push(finding(
                    loaded,
                    route.clone(),
                    format!("`{route}` holds the secret itself"),
                )),
            }
        }
        let mut pasted = Vec::new();
        find_pem_blocks(document, &Route::root(), &mut |route| {
            pasted.push(route.clone())
        });
        for route in pasted {
            // A key field that holds a PEM is already reported above.
            if !findings.iter().any(|f| f.route == route) {
                let message = format!("`{route}` holds a private key");
                findings.push(finding(loaded, route, message));
            }
        }
        findings
    }
}

/// Every field present that takes a secret reference: the key sets' keys, and the database
/// URL and crypt key of every `mysql` target. Walks each environment once (linear).
fn secret_fields(document: &Node) -> Vec<(Route, &Node)> {
    let mut fields = Vec::new();
    for set in ["production", "sandbox"] {
        for field in ["api_key", "private_key"] {
            let route = route!["keys", set, field];
            if let Some(node) = document.get(&route) {
                fields.push((route, node));
            }
        }
    }
    let environments = document.get(&route!["environments"]).map(|n| &n.value);
    if let Some(Value::Mapping(environments)) = environments {
        for (key, environment) in environments {
            let Some(env) = key.key_text() else { continue };
            for field in ["url", "crypt_key"] {
                let within = route!["target", "mysql", field];
                if let Some(node) = environment.get(&within) {
                    let route = route!["environments", env.as_str(), "target", "mysql", field];
                    fields.push((route, node));
                }
            }
        }
    }
    fields
}

fn finding(loaded: &Loaded, route: Route, message: String) -> DocumentFinding {
    DocumentFinding {
        diagnostic: INFO
            .finding(
                message,
                loaded.locate(&route),
                "reference it instead: {env: NAME} or {file: PATH}, and revoke the leaked key",
            )
            .label("secret (masked)"),
        route,
        secret: true,
    }
}

/// Any string that contains a PEM private key, wherever it was pasted.
fn find_pem_blocks(node: &Node, route: &Route, found: &mut dyn FnMut(&Route)) {
    match &node.value {
        Value::String(text) if text.contains("PRIVATE KEY-----") => found(route),
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                find_pem_blocks(item, &route.at(index), found);
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                if let Some(key) = key.key_text() {
                    find_pem_blocks(value, &route.at(key.as_str()), found);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_examples, findings_of, load};

    #[test]
    fn examples() {
        assert_examples(&super::INFO);
    }

    #[test]
    fn points_at_the_value_and_replaces_the_schema_error() {
        let (_, all) = load(super::INFO.bad_example);
        assert!(!all.iter().any(|d| d.rule == "SC000"), "{all:?}");
        let findings = findings_of("SC006", super::INFO.bad_example);
        assert_eq!(
            findings,
            vec![(
                6,
                14,
                "`keys.production.api_key` holds the secret itself".to_owned()
            )]
        );
    }

    #[test]
    fn a_secret_in_a_list_or_a_wrong_reference_is_never_quoted() {
        for (value, rule) in [
            ("[abc-secret-123]", "SC006"),
            ("{value: abc-secret-123}", "SC006"),
        ] {
            let yaml = super::INFO
                .good_example
                .replace("{env: LUMA_API_KEY}", value);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("saasctl.yaml");
            std::fs::write(&path, &yaml).unwrap();
            let (loaded, diagnostics) = crate::rules::check_file(&path);
            let finding = diagnostics.iter().find(|d| d.rule == rule).expect(rule);
            assert_eq!(finding.location.position.line, 6, "{finding:?}");
            let mut sources = crate::diagnostic::Sources::default();
            sources.insert(loaded.file.clone(), &loaded.source);
            let shown = crate::diagnostic::render_human(&diagnostics, &sources, false);
            assert!(!shown.contains("abc-secret-123"), "{shown}");
        }
    }

    #[test]
    fn a_pasted_private_key_is_found_anywhere_and_never_shown() {
        let pem = "-----BEGIN PRIVATE KEY-----\n      MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n      -----END PRIVATE KEY-----";
        let yaml = super::INFO.good_example.replace(
            "private_key: {file: keys/production.pem}",
            &format!("private_key: |\n      {pem}"),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, &yaml).unwrap();
        let (loaded, diagnostics) = crate::rules::check_file(&path);
        let sc006: Vec<_> = diagnostics.iter().filter(|d| d.rule == "SC006").collect();
        assert_eq!(sc006.len(), 1, "{diagnostics:?}");
        let mut sources = crate::diagnostic::Sources::default();
        sources.insert(loaded.file.clone(), &loaded.source);
        let shown = crate::diagnostic::render_human(&diagnostics, &sources, false);
        assert!(
            !shown.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            "{shown}"
        );
        assert!(shown.contains("SC006"));
    }
}
