//! SC008: references point at declared data spaces and key sets.

use super::{Context, RuleInfo};
use crate::config::{KeySetName, Route};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC008",
    name: "undeclared-reference",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a reference to an undeclared data space or key set",
    explanation: r#"
Environments name their data space by its logical key under `project.data_spaces`, and
environments and the project name their key set (`production` or `sandbox`) under `keys`.
A reference to something not declared there cannot be bound: usually a typo, or a data space
renamed in one place only.

Fix: use one of the declared keys, or declare the missing data space or key set.
"#,
    bad_example: include_str!("examples/sc008.bad.yaml"),
    good_example: include_str!("examples/sc008.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        let config = cx.config;
        let mut findings = Vec::new();
        let mut key_set = |name: KeySetName, route: Route, whose: String| {
            if config.keys.get(name).is_none() {
                findings.push(
                    INFO.finding(
                        format!(
                            "{whose} uses key set `{}`, which `keys` does not declare",
                            name.as_str()
                        ),
                        cx.at(&route),
                        format!("declare `keys.{}` or use `production`", name.as_str()),
                    )
                    .label("undeclared key set"),
                );
            }
        };
        key_set(
            config.project.keys,
            route!["project", "keys"],
            format!("project `{}`", config.project.name),
        );
        for (env_name, env) in &config.environments {
            key_set(
                env.keys,
                route!["environments", env_name, "keys"],
                format!("environment `{env_name}`"),
            );
        }
        let declared: Vec<&str> = config
            .project
            .data_spaces
            .keys()
            .map(String::as_str)
            .collect();
        for (env_name, env) in &config.environments {
            if config.project.data_spaces.contains_key(&env.data_space) {
                continue;
            }
            findings.push(
                INFO.finding(
                    format!(
                        "environment `{env_name}` is bound to data space `{}`, which `project.data_spaces` does not declare",
                        env.data_space
                    ),
                    cx.at(&route!["environments", env_name, "data_space"]),
                    format!("use one of: {}", declared.join(", ")),
                )
                .label("undeclared data space"),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_examples, findings_of};

    #[test]
    fn examples() {
        assert_examples(&super::INFO);
    }

    #[test]
    fn reports_key_set_and_data_space_at_their_values() {
        let findings = findings_of("SC008", super::INFO.bad_example);
        let places: Vec<(usize, usize)> = findings.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(places, vec![(19, 11), (20, 17)], "{findings:?}");
        assert!(findings[1].2.contains("data space `stagign`"));
    }
}
