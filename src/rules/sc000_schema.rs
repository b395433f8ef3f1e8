//! SC000: the file must be YAML that fits the schema. Checked by `config::load`; this file
//! holds its documentation.

use super::RuleInfo;
use crate::diagnostic::Severity;

pub static SC000: RuleInfo = RuleInfo {
    id: crate::config::SCHEMA_RULE,
    name: "schema",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "the file is not YAML, or does not fit the saasctl schema",
    explanation: r#"
Every file is parsed as YAML (one document, bounded in size, depth and alias expansion) and
checked against the JSON Schema that `saasctl schema` prints: required fields, allowed values,
types, and no unknown fields (a misspelt field would otherwise be silently ignored).
Every problem is reported at the YAML node it is about, all of them in one run.

Fix: correct the field at the reported line. Editors that read the
`# yaml-language-server: $schema=...` modeline complete and check fields as you type.
"#,
    bad_example: include_str!("examples/sc000.bad.yaml"),
    good_example: include_str!("examples/sc000.good.yaml"),
};

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_examples, findings_of};

    #[test]
    fn examples() {
        assert_examples(&super::SC000);
    }

    #[test]
    fn unknown_fields_point_at_the_key_and_all_errors_are_reported() {
        let findings = findings_of(
            "SC000",
            "version: 1\naccount:\n  licence: adobe-commerce\n  colour: red\n",
        );
        let at = |line, column| findings.iter().any(|f| (f.0, f.1) == (line, column));
        assert!(at(3, 3), "{findings:?}");
        assert!(at(4, 3), "{findings:?}");
        // `keys`, `project` and `environments` are missing too, all in the same run.
        assert!(findings.len() >= 6, "{findings:?}");
    }

    #[test]
    fn wrong_enum_values_point_at_the_value() {
        let yaml = super::SC000
            .good_example
            .replace("tier: production", "tier: prod");
        let findings = findings_of("SC000", &yaml);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!((findings[0].0, findings[0].1), (14, 11));
        assert!(findings[0].2.contains("environments.production.tier"));
    }

    #[test]
    fn unsupported_versions_are_named() {
        let yaml = super::SC000
            .good_example
            .replace("version: 1", "version: 2");
        let findings = findings_of("SC000", &yaml);
        assert_eq!(findings[0].2, "unsupported version 2");
    }
}
