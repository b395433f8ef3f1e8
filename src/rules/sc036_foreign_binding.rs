//! SC036: an installation's stored binding belongs to this account and the matched project.

use super::installed::{Installed, describe_stored, installed};
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::same_id;
use crate::magento::binding::PATH_PROJECT_ID;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC036",
    name: "foreign-binding",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "an installation whose stored binding points at a data space of another project or account",
    explanation: r#"
An installation stores the ids of the project and data space it sends to. When those ids are
not in the account the keys open, or belong to another project than the one the YAML matched,
the target is most likely the wrong installation (another merchant's database or env file) or
the keys are another account's. Writing the binding would take the installation away from
wherever it sends its data now, without `--allow-rebind` being able to say so.

Checked by `saasctl plan` against the `environment_id` and `project_id` it reads from the
target; in the example below, `deploy/outlet.env` is the env file of another merchant's store,
bound to a project of another account.

Fix: point `target` at this merchant's installation and check that `keys` are this account's;
to take the installation over on purpose, clear its `services_connector/services_id` values
first.
"#,
    bad_example: include_str!("examples/sc036.bad.yaml"),
    good_example: include_str!("examples/sc036.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        installed(cx)
            .into_iter()
            .filter_map(|inst| {
                let problem = foreign(cx, &inst)?;
                Some(
                    INFO.finding(
                        format!(
                            "the installation of environment `{}` {problem}: its binding belongs to another project or account",
                            inst.key
                        ),
                        cx.file.at(&route!["environments", inst.key, "target"]),
                        "point `target` at this merchant's installation and check that `keys` are this account's; to take the installation over, clear its `services_connector/services_id` values first",
                    )
                    .label("bound elsewhere"),
                )
            })
            .collect()
    }
}

/// What is foreign about the stored binding: the data space first, else the project. A project
/// still to be created has no live match to compare with; SC030 covers that move.
fn foreign(cx: &LiveContext, inst: &Installed) -> Option<String> {
    let matched = cx.matching.live_project();
    if let Some(id) = inst.stored_space_id() {
        match cx.live.find_data_space(id) {
            None => {
                return Some(format!(
                    "is bound to {}, which no project of this account has",
                    describe_stored(cx.live, id, inst)
                ));
            }
            Some((project, space)) => {
                if let Some(matched) = matched
                    && !same_id(&matched.id, &project.id)
                {
                    return Some(format!(
                        "is bound to {} of {}, not to a data space of {}",
                        space.describe(),
                        project.describe(),
                        matched.describe()
                    ));
                }
            }
        }
    }
    let id = inst.installation.plain(PATH_PROJECT_ID)?;
    match cx.live.projects.iter().find(|p| same_id(&p.id, id)) {
        None => Some(format!(
            "holds project id {id}, which this account does not have"
        )),
        Some(project) => matched
            .filter(|matched| !same_id(&matched.id, &project.id))
            .map(|matched| {
                format!(
                    "holds the id of {}, not of {}",
                    project.describe(),
                    matched.describe()
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use crate::magento::binding::{PATH_ENVIRONMENT_ID, PATH_PROJECT_ID};
    use crate::rules::testing::{
        P, Setup, T, assert_live_examples_against, id, installation, live, live_findings_in, plain,
    };

    fn setup(project: u32, space: u32) -> Setup {
        Setup::of(live(&[
            (1, "Luma", &[(2, "Luma Production", P)]),
            (
                5,
                "Luma Outlet",
                &[(6, "Outlet Production", P), (7, "Outlet QA", T)],
            ),
        ]))
        .installation(
            "production",
            installation(
                &[
                    (PATH_PROJECT_ID, plain(&id(project))),
                    (PATH_ENVIRONMENT_ID, plain(&id(space))),
                ],
                None,
            ),
        )
    }

    #[test]
    fn examples() {
        assert_live_examples_against(&super::INFO, &setup(8, 9), &setup(1, 2));
        assert_eq!(
            live_findings_in("SC036", super::INFO.bad_example, &setup(8, 9)),
            vec![(
                16,
                13,
                format!(
                    "the installation of environment `production` is bound to data space {}, which no project of this account has: its binding belongs to another project or account",
                    id(9)
                )
            )]
        );
    }

    #[test]
    fn a_data_space_or_project_id_of_another_project() {
        let findings = live_findings_in("SC036", super::INFO.bad_example, &setup(5, 6));
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].2.contains(&format!(
                "is bound to production data space `Outlet Production` ({}) of project `Luma Outlet` ({}), not to a data space of project `Luma` ({})",
                id(6),
                id(5),
                id(1)
            )),
            "{findings:?}"
        );
        let findings = live_findings_in("SC036", super::INFO.bad_example, &setup(5, 2));
        assert!(
            findings[0]
                .2
                .contains("holds the id of project `Luma Outlet`")
        );
        let findings = live_findings_in("SC036", super::INFO.bad_example, &setup(8, 2));
        assert!(
            findings[0]
                .2
                .contains(&format!("holds project id {}, which", id(8)))
        );
    }

    #[test]
    fn a_project_still_to_be_created_is_left_to_sc030() {
        let state = live(&[(5, "Luma Outlet", &[(6, "Outlet Production", P)])]);
        let setup = Setup {
            state,
            ..setup(5, 6)
        };
        assert!(live_findings_in("SC036", super::INFO.bad_example, &setup).is_empty());
    }
}
