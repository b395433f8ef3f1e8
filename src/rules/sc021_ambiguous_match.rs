//! SC021: a declaration that could be several live objects is refused, never guessed.

use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::{ProjectMatch, SpaceMatch};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC021",
    name: "ambiguous-adoption",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a declaration that could adopt more than one live object",
    explanation: r#"
A data space that no `id`, `name` or `previous_names` finds may adopt the one live data space
of its type that nothing else claims. When there are several such data spaces (or several
declarations competing for one), any choice could bind an installation to another's data, so
the plan is refused. The same holds for a project whose name or previous names match several
live projects.

Checked against the live state by `saasctl plan`; in the example below, the live project has
`Luma Production` and two testing data spaces, `Testing 1` and `Testing 2`, and `Luma Staging`
matches neither by name.

Fix: pin the declaration's `id`, or put the live name in its `previous_names`.
"#,
    bad_example: include_str!("examples/sc021.bad.yaml"),
    good_example: include_str!("examples/sc021.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        if let ProjectMatch::Ambiguous { candidates } = &cx.matching.project {
            let names: Vec<String> = candidates.iter().map(|p| p.describe()).collect();
            findings.push(
                INFO.finding(
                    format!(
                        "project `{}` could be any of {}",
                        cx.file.config.project.name,
                        names.join(", ")
                    ),
                    cx.file.at(&route!["project", "name"]),
                    "pin the project's `id` to the live project it is",
                )
                .label("ambiguous"),
            );
        }
        let project = cx.matching.live_project();
        for (key, outcome) in &cx.matching.data_spaces {
            let (SpaceMatch::Ambiguous { candidates }, Some(project)) = (outcome, project) else {
                continue;
            };
            let names: Vec<String> = candidates.iter().map(|s| s.describe()).collect();
            findings.push(
                INFO.finding(
                    format!(
                        "data space `{key}` could be any of {} of {}",
                        names.join(", "),
                        project.describe()
                    ),
                    cx.file.key(&route!["project", "data_spaces", key]),
                    "pin its `id`, or list the live name in its `previous_names`",
                )
                .label("ambiguous"),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{LUMA, P, T, assert_live_examples, id, live, live_findings};

    #[test]
    fn examples() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Testing 1", T),
                (4, "Testing 2", T),
            ],
        )]);
        assert_live_examples(&super::INFO, &state);
        assert_eq!(
            live_findings("SC021", super::INFO.bad_example, &state),
            vec![(
                12,
                5,
                format!(
                    "data space `staging` could be any of testing data space `Testing 1` ({}), testing data space `Testing 2` ({}) of project `Luma` ({})",
                    id(3),
                    id(4),
                    id(1)
                )
            )]
        );
    }

    #[test]
    fn a_project_name_shared_by_two_live_projects() {
        let state = live(&[
            (1, "Luma", &[(2, "Production", P)]),
            (3, "LUMA", &[(4, "Production", P)]),
        ]);
        let findings = live_findings("SC021", LUMA, &state);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (10, 9));
        assert!(findings[0].2.starts_with("project `Luma` could be any of"));
    }
}
