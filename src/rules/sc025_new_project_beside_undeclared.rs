//! SC025: a project is created while the account holds projects that nothing in the run
//! declares.

use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::ProjectMatch;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC025",
    name: "new-project-beside-undeclared",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a project would be created while the account holds projects nothing declares",
    explanation: r#"
`initialize` creates a project with its data spaces, and the registry has no call that deletes
one: a project created by mistake stays in the account for good. The usual mistake is a rename
in the YAML without `previous_names`: the declared name matches no live project, so the plan
creates a second, empty one and every installation would be pointed at it.

When the account already holds a project that no file of the run declares, creating another is
refused and the undeclared projects are named. Pass `--allow-new-project` when a second project
is really wanted.

Checked against the live state by `saasctl plan`; in the example below, the account holds the
project `Luma Store`.

Fix: add the live name to `previous_names` (or pin its `id`), or pass `--allow-new-project`.
"#,
    bad_example: include_str!("examples/sc025.bad.yaml"),
    good_example: include_str!("examples/sc025.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        if cx.allowances.new_project || cx.matching.project != ProjectMatch::Create {
            return Vec::new();
        }
        let undeclared: Vec<String> = cx
            .live
            .projects
            .iter()
            .filter(|p| !cx.claimed_in_run.contains(&p.id))
            .map(|p| format!("`{}` ({})", p.name, p.id))
            .collect();
        if undeclared.is_empty() {
            return Vec::new();
        }
        let config = cx.file.config;
        vec![
            INFO.finding(
                format!(
                    "project `{}` matches no live project and would be created, but the account holds {} that nothing declares: {}",
                    config.project.name,
                    if undeclared.len() == 1 { "a project" } else { "projects" },
                    undeclared.join(", ")
                ),
                cx.file.at(&route!["project", "name"]),
                "if it was renamed, add its live name to `previous_names` (or pin its `id`); to create another project on purpose, pass --allow-new-project",
            )
            .label("no live project has this name"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{P, assert_live_examples, live, live_findings};

    #[test]
    fn examples() {
        let state = live(&[(1, "Luma Store", &[(2, "Production", P)])]);
        assert_live_examples(&super::INFO, &state);
        let findings = live_findings("SC025", super::INFO.bad_example, &state);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (9, 9));
        assert!(findings[0].2.contains("`Luma Store`"), "{findings:?}");
    }

    #[test]
    fn an_empty_account_gets_its_first_project() {
        assert!(live_findings("SC025", super::INFO.bad_example, &live(&[])).is_empty());
    }
}
