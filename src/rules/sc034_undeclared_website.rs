//! SC034: an installation's websites are all declared.

use super::installed::{installed, website_key, website_set};
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC034",
    name: "undeclared-website",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "an installation website that the YAML does not declare",
    explanation: r#"
The Commerce Services feeds send every website of an installation, not only the declared ones:
a website missing from `websites` still sends its catalog to the data space, and the collision
checks (SC003) cannot see it. Codes compare ignoring case, as in Magento.

Checked by `saasctl plan` against the websites it reads from a `mysql` target (an `env_file`
does not show them); in the example below, the installation has the websites `base` and
`wholesale`.

Fix: declare the website under the environment's `websites`, or remove it from the
installation if it is not in use.
"#,
    bad_example: include_str!("examples/sc034.bad.yaml"),
    good_example: include_str!("examples/sc034.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        for inst in installed(cx) {
            let Some(live) = &inst.installation.websites else {
                continue;
            };
            let environment = inst.environment;
            let declared = website_set(environment.websites.iter().map(|c| c.0.as_str()));
            // Point at the list to extend, or at the installation when there is none.
            let at = if environment.websites.is_empty() {
                route!["environments", inst.key, "target"]
            } else {
                route!["environments", inst.key, "websites"]
            };
            for code in live.iter().filter(|c| !declared.contains(&website_key(c))) {
                findings.push(
                    INFO.finding(
                        format!(
                            "the installation of environment `{}` has website `{code}`, which its `websites` do not declare: its data flows to data space `{}` too",
                            inst.key, environment.data_space
                        ),
                        cx.file.at(&at),
                        format!(
                            "add `{code}` to the `websites` of `{}`, or remove the website from the installation if it is not in use",
                            inst.key
                        ),
                    )
                    .label("undeclared website"),
                );
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{
        assert_live_examples_in, live_findings_in, production_with_websites,
    };

    #[test]
    fn examples() {
        let setup = production_with_websites(&["base", "Wholesale"]);
        assert_live_examples_in(&super::INFO, &setup);
        assert_eq!(
            live_findings_in("SC034", super::INFO.bad_example, &setup),
            vec![(
                16,
                15,
                "the installation of environment `production` has website `Wholesale`, which its `websites` do not declare: its data flows to data space `live` too".to_owned()
            )]
        );
    }

    #[test]
    fn without_declared_websites_it_points_at_the_target() {
        let yaml = super::INFO
            .bad_example
            .replace("    websites: [base]\n", "");
        let findings = live_findings_in("SC034", &yaml, &production_with_websites(&["base"]));
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].0, findings[0].1), (17, 7));
    }
}
