//! SC011: a declared data space that no installation uses.

use super::{Context, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC011",
    name: "unbound-data-space",
    severity: Severity::Info,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a declared data space bound to no environment",
    explanation: r#"
Declaring a data space keeps its name managed, which is useful for one that is kept spare.
It may also be a leftover of an environment that was removed or renamed.

Fix: nothing, if it is kept on purpose; otherwise bind an environment to it.
"#,
    bad_example: include_str!("examples/sc011.bad.yaml"),
    good_example: include_str!("examples/sc011.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        cx.config
            .project
            .data_spaces
            .iter()
            .filter(|(key, _)| cx.config.environments_bound_to(key).is_empty())
            .map(|(key, space)| {
                INFO.finding(
                    format!(
                        "data space `{key}` ({}) is bound to no environment",
                        space.name
                    ),
                    cx.key(&route!["project", "data_spaces", key]),
                    "keep it if it is spare on purpose; otherwise bind an environment to it",
                )
                .label("unused")
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
    fn notes_the_data_space_key() {
        let findings = findings_of("SC011", super::INFO.bad_example);
        assert_eq!(
            findings,
            vec![(
                12,
                5,
                "data space `spare` (Luma Spare) is bound to no environment".to_owned()
            )]
        );
    }
}
