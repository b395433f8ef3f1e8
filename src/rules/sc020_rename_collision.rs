//! SC020: a rename must not take a name another live object already has.

use super::{LiveContext, RuleInfo};
use crate::config::normalize_name;
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::{SpaceMatch, is_rename};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC020",
    name: "rename-collision",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a rename whose new name is taken by another live object",
    explanation: r#"
A rename gives a live project or data space its declared name. When another project of the
account, or another data space of the same project, already has that name, the two could no
longer be told apart: the next plan would match the wrong one by name. Names compare ignoring
case and surrounding spaces. A live data space of the other type with the declared name
counts too: it is not a match (types never change), so it blocks the name. For a project still
to be created, the names `initialize` gives its data spaces (`Production`, `Testing 1`,
`Testing 2`) block the names of the other type the same way.

Checked against the live state by `saasctl plan`; in the example below, the live project `Luma`
has a production data space `Production` and a testing data space named `Luma Production`.

Fix: choose a free name, or rename the other object first (declare it with `previous_names`).
"#,
    bad_example: include_str!("examples/sc020.bad.yaml"),
    good_example: include_str!("examples/sc020.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let Some(project) = cx.matching.live_project() else {
            return initial_name_collisions(cx);
        };
        let config = cx.file.config;
        let mut findings = Vec::new();
        let declared = &config.project.name;
        if is_rename(declared, &project.name) {
            for other in cx.live.projects.iter().filter(|p| {
                !std::ptr::eq(*p, project) && normalize_name(&p.name) == normalize_name(declared)
            }) {
                findings.push(
                    INFO.finding(
                        format!(
                            "{} would be renamed to `{declared}`, but {} already has that name",
                            project.describe(),
                            other.describe()
                        ),
                        cx.file.at(&route!["project", "name"]),
                        "choose a free name, or rename the other project first",
                    )
                    .label("name taken"),
                );
            }
        }
        for (key, outcome) in &cx.matching.data_spaces {
            let (SpaceMatch::Found { live, .. }, Some(space)) =
                (outcome, config.project.data_spaces.get(key))
            else {
                continue;
            };
            if !is_rename(&space.name, &live.name) {
                continue;
            }
            for other in project.data_spaces.iter().filter(|s| {
                !std::ptr::eq(*s, *live) && normalize_name(&s.name) == normalize_name(&space.name)
            }) {
                findings.push(
                    INFO.finding(
                        format!(
                            "data space `{key}` ({}) would be renamed to `{}`, but {} of {} already has that name",
                            live.describe(),
                            space.name,
                            other.describe(),
                            project.describe()
                        ),
                        cx.file.at(&route!["project", "data_spaces", key, "name"]),
                        "choose a free name, or declare the other data space and rename it first",
                    )
                    .label("name taken"),
                );
            }
        }
        findings
    }
}

/// A project still to be created gets the licence's data spaces under their first names. A
/// declared data space renamed to the first name of one of the other type collides with it
/// (types never change, so that one is never its match), whatever the order of the renames:
/// refused now, before `initialize` makes a project that cannot be deleted.
fn initial_name_collisions(cx: &LiveContext) -> Vec<Diagnostic> {
    let config = cx.file.config;
    let initial = config.account.license.initial_data_spaces();
    config
        .project
        .data_spaces
        .iter()
        .filter_map(|(key, space)| {
            let (kind, name) = initial.iter().find(|(kind, name)| {
                *kind != space.kind && normalize_name(name) == normalize_name(&space.name)
            })?;
            Some(
                INFO.finding(
                    format!(
                        "data space `{key}` would be renamed to `{}` once `initialize` creates the project, but `initialize` gives that name to the project's {} data space `{name}`",
                        space.name,
                        kind.as_str()
                    ),
                    cx.file.at(&route!["project", "data_spaces", key, "name"]),
                    "choose another name: the first names of the other type's data spaces are taken",
                )
                .label("name taken"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{LUMA, P, T, assert_live_examples, id, live, live_findings};

    #[test]
    fn examples() {
        let state = live(&[(
            1,
            "Luma",
            &[(2, "Production", P), (3, "Luma Production", T)],
        )]);
        assert_live_examples(&super::INFO, &state);
        assert_eq!(
            live_findings("SC020", super::INFO.bad_example, &state),
            vec![(
                11,
                36,
                format!(
                    "data space `live` (production data space `Production` ({})) would be renamed to `Luma Production`, but testing data space `Luma Production` ({}) of project `Luma` ({}) already has that name",
                    id(2),
                    id(3),
                    id(1)
                )
            )]
        );
    }

    #[test]
    fn a_new_project_cannot_take_the_initial_name_of_another_type() {
        let yaml = LUMA.replace(
            "live: {type: production, name: Luma Production}",
            "live: {type: production, name: testing 2}",
        );
        let findings = live_findings("SC020", &yaml, &live(&[]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!((findings[0].0, findings[0].1), (12, 36));
        assert!(findings[0].2.contains("testing data space `Testing 2`"));
        // The first name of its own type is a match, not a collision.
        let own = LUMA.replace("name: Luma QA", "name: Testing 1");
        assert!(live_findings("SC020", &own, &live(&[])).is_empty());
    }

    #[test]
    fn a_project_rename_onto_another_projects_name() {
        let yaml = LUMA.replace(
            "  name: Luma\n",
            &format!("  name: Luma\n  id: {}\n", id(5)),
        );
        let state = live(&[
            (1, "luma", &[(2, "Production", P)]),
            (5, "Old", &[(6, "Luma Production", P)]),
        ]);
        let findings = live_findings("SC020", &yaml, &state);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (10, 9));
        assert!(
            findings[0]
                .2
                .contains(&format!("project `luma` ({})", id(1)))
        );
    }

    #[test]
    fn a_data_space_of_the_other_type_blocks_the_name() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Staging", P),
                (3, "Luma QA", T),
                (4, "Testing 1", T),
            ],
        )]);
        let findings = live_findings("SC020", LUMA, &state);
        // `live` adopts the production one and would rename it away from `Luma Staging`,
        // while `staging` adopts `Testing 1` and would take that name: refused.
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].2.starts_with("data space `staging`"));
    }
}
