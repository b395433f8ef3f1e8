//! SC010: a production installation normally sends its data to the production data space.

use super::{Context, RuleInfo};
use crate::config::{DataSpaceType, Tier};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC010",
    name: "production-tier-testing-space",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a production-tier environment bound to a testing data space",
    explanation: r#"
A live storefront bound to a testing data space serves recommendations and search results
computed from test data, and its real orders and events never reach the production data
space. This is allowed (for example while migrating), but rarely intended.

Fix: bind the production environment to the production data space, or correct its `tier`.
"#,
    bad_example: include_str!("examples/sc010.bad.yaml"),
    good_example: include_str!("examples/sc010.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        let spaces = &cx.config.project.data_spaces;
        cx.config
            .environments
            .iter()
            .filter(|(_, env)| env.tier == Tier::Production)
            .filter_map(|(name, env)| {
                let space = spaces.get(&env.data_space)?;
                (space.kind == DataSpaceType::Testing).then(|| {
                    INFO.finding(
                        format!(
                            "production environment `{name}` is bound to testing data space `{}` ({})",
                            env.data_space, space.name
                        ),
                        cx.at(&route!["environments", name, "data_space"]),
                        "bind it to the production data space, unless this is deliberate",
                    )
                    .label("testing data space")
                    .related(cx.at(&route!["environments", name, "tier"]), "tier is production")
                })
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
    fn warns_at_the_binding() {
        let findings = findings_of("SC010", super::INFO.bad_example);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (16, 17));
    }
}
