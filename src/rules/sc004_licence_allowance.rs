//! SC004: the licence fixes how many data spaces of each type a project has.

use super::{Context, RuleInfo};
use crate::config::DataSpaceType;
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC004",
    name: "licence-allowance",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "more data spaces of a type than the licence gives",
    explanation: r#"
Data spaces are never created one by one: creating a project creates the licence's data
spaces. Adobe Commerce gives 1 production and 2 testing data spaces; Magento Open Source gives
1 production data space. A declaration beyond that can never exist, and an installation bound
to it would never be bound.

Fix: remove the extra data space and bind its environments to a declared one, or check
`account.license`.
"#,
    bad_example: include_str!("examples/sc004.bad.yaml"),
    good_example: include_str!("examples/sc004.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        let license = cx.config.account.license;
        let (production, testing) = license.data_space_allowance();
        let mut findings = Vec::new();
        for (kind, allowed) in [
            (DataSpaceType::Production, production),
            (DataSpaceType::Testing, testing),
        ] {
            let declared = cx
                .config
                .project
                .data_spaces
                .iter()
                .filter(|(_, space)| space.kind == kind);
            for (count, (key, _)) in declared.enumerate().skip(allowed) {
                findings.push(
                    INFO.finding(
                        format!(
                            "{} gives {allowed} {} data space{}; `{key}` is number {}",
                            license.as_str(),
                            kind.as_str(),
                            if allowed == 1 { "" } else { "s" },
                            count + 1
                        ),
                        cx.key(&route!["project", "data_spaces", key]),
                        "remove this data space and bind its environments to a declared one",
                    )
                    .label("beyond the licence")
                    .related(
                        cx.at(&route!["account", "license"]),
                        "licence declared here",
                    ),
                );
            }
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
    fn points_at_the_extra_data_space() {
        let findings = findings_of("SC004", super::INFO.bad_example);
        assert_eq!(
            findings,
            vec![(
                12,
                5,
                "magento-open-source gives 0 testing data spaces; `staging` is number 1".to_owned()
            )]
        );
    }
}
