//! SC023: a pinned id names an object of the declaration's kind, type and project.

use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::{ProjectMatch, SpaceMatch};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC023",
    name: "pinned-id-wrong-type",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a pinned `id` of the wrong type: another type, another project, or a data space's id on a project",
    explanation: r#"
A pinned `id` must name the same kind of object as its declaration: a project's `id` a
project, a data space's `id` a data space of the declared type in that very project. A data
space never changes type or project, so an id of the other type or of another project is a
mistake, and following it would bind installations to the wrong data.

Checked against the live state by `saasctl plan`; in the example below,
`77aa0000-0000-4000-8000-000000000003` is the live project's testing data space while the
declaration says production.

Fix: copy the id of the right object (or remove it to match by name).
"#,
    bad_example: include_str!("examples/sc023.bad.yaml"),
    good_example: include_str!("examples/sc023.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let config = cx.file.config;
        let mut findings = Vec::new();
        if let ProjectMatch::PinnedDataSpace { project, space } = &cx.matching.project {
            findings.push(
                INFO.finding(
                    format!(
                        "project `{}` is pinned to the id of {} of {}, not of a project",
                        config.project.name,
                        space.describe(),
                        project.describe()
                    ),
                    cx.file.at(&route!["project", "id"]),
                    "use the project's id, not a data space's",
                )
                .label("a data space's id"),
            );
        }
        for (key, outcome) in &cx.matching.data_spaces {
            let (SpaceMatch::PinnedWrongType { project, space }, Some(declared)) =
                (outcome, config.project.data_spaces.get(key))
            else {
                continue;
            };
            let same_project = cx
                .matching
                .live_project()
                .is_some_and(|p| std::ptr::eq(p, *project));
            let message = if same_project {
                format!(
                    "data space `{key}` is declared {} but is pinned to {} of {}",
                    declared.kind.as_str(),
                    space.describe(),
                    project.describe()
                )
            } else {
                format!(
                    "data space `{key}` is pinned to {}, which belongs to another project, {}",
                    space.describe(),
                    project.describe()
                )
            };
            findings.push(
                INFO.finding(
                    message,
                    cx.file.at(&route!["project", "data_spaces", key, "id"]),
                    "pin the id of a data space of the declared type in this project",
                )
                .label("wrong data space"),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::live::LiveState;
    use crate::rules::testing::{LUMA, P, T, assert_live_examples, id, live, live_findings};

    fn example_state() -> LiveState {
        let mut state = live(&[(1, "Luma", &[(2, "Luma Production", P), (3, "Testing 1", T)])]);
        for space in &mut state.projects[0].data_spaces {
            space.id = space.id.replacen("00000000", "77aa0000", 1);
        }
        state
    }

    #[test]
    fn examples() {
        let state = example_state();
        assert_live_examples(&super::INFO, &state);
        assert_eq!(
            live_findings("SC023", super::INFO.bad_example, &state),
            vec![(
                11,
                57,
                format!(
                    "data space `live` is declared production but is pinned to testing data space `Testing 1` (77aa0000-0000-4000-8000-000000000003) of project `Luma` ({})",
                    id(1)
                )
            )]
        );
    }

    #[test]
    fn a_data_space_of_another_project_or_a_project_pinned_to_a_data_space() {
        let state = live(&[
            (1, "Luma", &[(2, "Luma Production", P)]),
            (5, "Other", &[(6, "Production", P)]),
        ]);
        let yaml = LUMA.replace(
            "name: Luma Production}",
            &format!("name: Luma Production, id: {}}}", id(6)),
        );
        let findings = live_findings("SC023", &yaml, &state);
        assert!(
            findings[0]
                .2
                .contains("belongs to another project, project `Other`"),
            "{findings:?}"
        );
        let yaml = LUMA.replace(
            "  name: Luma\n",
            &format!("  name: Luma\n  id: {}\n", id(2)),
        );
        let findings = live_findings("SC023", &yaml, &state);
        assert_eq!((findings[0].0, findings[0].1), (11, 7));
        assert!(
            findings[0]
                .2
                .starts_with("project `Luma` is pinned to the id of production data space")
        );
    }
}
