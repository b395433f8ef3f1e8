//! SC002: only a production-tier installation may send data to a production data space.

use super::{Context, RuleInfo};
use crate::config::{DataSpaceType, Tier};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC002",
    name: "production-space-non-production-tier",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: true,
    summary: "a production data space bound to an environment whose tier is not production",
    explanation: r#"
A staging, development or testing installation bound to the production data space pollutes
production data with test catalogs and orders. This is the most common Commerce Services
mistake: a staging site cloned from production keeps production's data space id.

Fix: bind the environment to a testing data space, or correct its `tier` if it really is the
production installation.
"#,
    bad_example: include_str!("examples/sc002.bad.yaml"),
    good_example: include_str!("examples/sc002.good.yaml"),
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
            .filter(|(_, env)| env.tier != Tier::Production)
            .filter_map(|(name, env)| {
                let space = spaces.get(&env.data_space)?;
                (space.kind == DataSpaceType::Production).then(|| {
                    INFO.finding(
                        format!(
                            "{} environment `{name}` is bound to production data space `{}` ({})",
                            env.tier.as_str(),
                            env.data_space,
                            space.name
                        ),
                        cx.at(&route!["environments", name, "data_space"]),
                        "bind it to a testing data space so its data stays out of production",
                    )
                    .label("production data space")
                    .related(
                        cx.at(&route!["environments", name, "tier"]),
                        format!("tier is {}", env.tier.as_str()),
                    )
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
    fn points_at_the_binding() {
        let findings = findings_of("SC002", super::INFO.bad_example);
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (16, 17));
        assert!(findings[0].2.contains("staging environment `staging`"));
    }
}
