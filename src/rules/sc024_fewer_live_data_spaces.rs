//! SC024: every declared data space needs a live one of its type in the live project.

use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::live::SpaceMatch;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC024",
    name: "fewer-live-data-spaces",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a live project with fewer data spaces of a type than declared",
    explanation: r#"
Data spaces are created only with their project, by the licence the project was created
under, and never one by one. When the live project has fewer data spaces of a type than the
YAML declares (a project created under Magento Open Source, which has no testing data space,
say), the extra declarations can never exist, whatever the YAML's `account.license` says
(SC004 checks that offline).

Checked against the live state by `saasctl plan`; in the example below, the live project has
only its production data space.

Fix: remove the extra data spaces and bind their environments to existing ones.
"#,
    bad_example: include_str!("examples/sc024.bad.yaml"),
    good_example: include_str!("examples/sc024.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let Some(project) = cx.matching.live_project() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for (key, outcome) in &cx.matching.data_spaces {
            let (SpaceMatch::Missing { live }, Some(declared)) =
                (outcome, cx.file.config.project.data_spaces.get(key))
            else {
                continue;
            };
            let kind = declared.kind.as_str();
            findings.push(
                INFO.finding(
                    format!(
                        "{} has {live} {kind} data space{}, fewer than declared: none is left for `{key}`",
                        project.describe(),
                        if *live == 1 { "" } else { "s" },
                    ),
                    cx.file.key(&route!["project", "data_spaces", key]),
                    "remove this data space and bind its environments to an existing one; data spaces are created only with their project",
                )
                .label("no live data space for it"),
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
            live_findings("SC024", super::INFO.bad_example, &state),
            vec![(
                12,
                5,
                format!(
                    "project `Luma` ({}) has 0 testing data spaces, fewer than declared: none is left for `staging`",
                    id(1)
                )
            )]
        );
    }

    #[test]
    fn one_live_testing_data_space_for_two_declared() {
        let state = live(&[(1, "Luma", &[(2, "Luma Production", P), (3, "Luma QA", T)])]);
        let findings = live_findings("SC024", LUMA, &state);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].2.contains("has 1 testing data space,"));
    }
}
