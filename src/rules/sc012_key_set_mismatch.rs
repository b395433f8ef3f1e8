//! SC012: installations use the key set their project is registered through.

use super::{Context, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC012",
    name: "key-set-mismatch",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "an environment whose key set differs from its project's",
    explanation: r#"
Projects and data spaces are registered under one API key. An installation set to the other
key set (`magento_saas/environment`) talks to the other gateway with other keys and will not
find its project or data space there.

Fix: set the environment's `keys` to the project's key set, or register the project through
the key set the installations use.
"#,
    bad_example: include_str!("examples/sc012.bad.yaml"),
    good_example: include_str!("examples/sc012.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        let project = &cx.config.project;
        cx.config
            .environments
            .iter()
            .filter(|(_, env)| env.keys != project.keys)
            .map(|(name, env)| {
                INFO.finding(
                    format!(
                        "environment `{name}` uses key set `{}` but project `{}` is registered through `{}`",
                        env.keys.as_str(),
                        project.name,
                        project.keys.as_str()
                    ),
                    cx.at(&route!["environments", name, "keys"]),
                    format!("set `keys: {}` so the installation finds its data space", project.keys.as_str()),
                )
                .label("other key set")
            })
            .collect()
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
    fn warns_at_the_environment_keys() {
        let findings = findings_of("SC012", super::INFO.bad_example);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (22, 11));
    }
}
