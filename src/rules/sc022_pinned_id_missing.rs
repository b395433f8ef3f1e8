//! SC022: a pinned id names a live object that exists.

use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::{ProjectMatch, SpaceMatch};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC022",
    name: "pinned-id-missing",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a pinned `id` that does not exist live",
    explanation: r#"
A pinned `id` says which live object a declaration is. When the account has no project (or the
project no data space) with that id, the declaration cannot be matched, and matching it some
other way would ignore what the YAML says: the plan is refused. Typical causes: an id copied
from another merchant, keys of another account, or a project still to be created (its data
spaces get their ids only then).

Checked against the live state by `saasctl plan`; in the example below, the account has no
project with the pinned id.

Fix: correct the id (the Admin shows it under Commerce Services Connector), or remove it to
match by name.
"#,
    bad_example: include_str!("examples/sc022.bad.yaml"),
    good_example: include_str!("examples/sc022.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let config = cx.file.config;
        let mut findings = Vec::new();
        if let (ProjectMatch::PinnedMissing, Some(id)) = (&cx.matching.project, &config.project.id)
        {
            findings.push(
                INFO.finding(
                    format!(
                        "project `{}` is pinned to id {id}, which no project of this account has",
                        config.project.name
                    ),
                    cx.file.at(&route!["project", "id"]),
                    "correct the id, or remove it to match the project by name",
                )
                .label("no such project"),
            );
        }
        for (key, outcome) in &cx.matching.data_spaces {
            let (SpaceMatch::PinnedMissing, Some(id)) = (
                outcome,
                config
                    .project
                    .data_spaces
                    .get(key)
                    .and_then(|s| s.id.as_ref()),
            ) else {
                continue;
            };
            let (message, help) = match cx.matching.live_project() {
                Some(project) => (
                    format!(
                        "data space `{key}` is pinned to id {id}, which {} does not have",
                        project.describe()
                    ),
                    "correct the id, or remove it to match the data space by name",
                ),
                None => (
                    format!(
                        "data space `{key}` is pinned to id {id}, but project `{}` does not exist yet",
                        config.project.name
                    ),
                    "remove the id: data spaces get their ids when the project is created",
                ),
            };
            findings.push(
                INFO.finding(
                    message,
                    cx.file.at(&route!["project", "data_spaces", key, "id"]),
                    help,
                )
                .label("no such data space"),
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
        let state = live(&[(1, "Luma", &[(2, "Luma Production", P)])]);
        assert_live_examples(&super::INFO, &state);
        assert_eq!(
            live_findings("SC022", super::INFO.bad_example, &state),
            vec![(
                10,
                7,
                "project `Luma` is pinned to id 3f0c1d2e-0000-4000-8000-000000000001, which no project of this account has".to_owned()
            )]
        );
    }

    #[test]
    fn data_space_ids_missing_from_a_live_or_a_new_project() {
        let yaml = LUMA.replace("name: Luma QA}", &format!("name: Luma QA, id: {}}}", id(9)));
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]);
        let findings = live_findings("SC022", &yaml, &state);
        assert_eq!(
            findings,
            vec![(
                14,
                44,
                format!(
                    "data space `qa` is pinned to id {}, which project `Luma` ({}) does not have",
                    id(9),
                    id(1)
                )
            )]
        );
        let findings = live_findings("SC022", &yaml, &live(&[]));
        assert!(
            findings[0]
                .2
                .ends_with("but project `Luma` does not exist yet")
        );
    }
}
