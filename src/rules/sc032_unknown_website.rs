//! SC032: every declared website exists in the installation.

use super::installed::{installed, list_codes, website_key, website_set};
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC032",
    name: "unknown-website",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a declared website code that the installation does not have",
    explanation: r#"
`websites` lists the Magento website codes an installation serves; the collision checks (SC003,
SC033) rely on it. A code the installation's `store_website` table does not have is a typo or a
website not created yet, and every check built on it would be wrong. Codes compare ignoring
case, as MySQL's collation makes Magento do.

Checked by `saasctl plan` against the websites it reads from a `mysql` target (an `env_file`
does not show them); in the example below, the installation has the websites `base` and
`wholesale`.

Fix: correct the code (Stores > All Stores in the Admin shows them), or create the website in
Magento first.
"#,
    bad_example: include_str!("examples/sc032.bad.yaml"),
    good_example: include_str!("examples/sc032.good.yaml"),
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
            let have = website_set(live.iter().map(String::as_str));
            for (index, code) in inst.environment.websites.iter().enumerate() {
                if have.contains(&website_key(&code.0)) {
                    continue;
                }
                findings.push(
                    INFO.finding(
                        format!(
                            "environment `{}` declares website `{}`, which its installation does not have (it has {})",
                            inst.key,
                            code.0,
                            list_codes(live.iter().map(String::as_str))
                        ),
                        cx.file
                            .at(&route!["environments", inst.key, "websites", index]),
                        "correct the code, or create the website in Magento first",
                    )
                    .label("no such website"),
                );
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{
        Setup, assert_live_examples_in, installation, live, live_findings_in,
        production_with_websites,
    };

    #[test]
    fn examples() {
        let setup = production_with_websites(&["base", "wholesale"]);
        assert_live_examples_in(&super::INFO, &setup);
        assert_eq!(
            live_findings_in("SC032", super::INFO.bad_example, &setup),
            vec![(
                16,
                22,
                "environment `production` declares website `wholsale`, which its installation does not have (it has `base`, `wholesale`)".to_owned()
            )]
        );
    }

    #[test]
    fn codes_compare_ignoring_case() {
        let setup = production_with_websites(&["Base", "WHOLESALE"]);
        assert!(live_findings_in("SC032", super::INFO.good_example, &setup).is_empty());
    }

    #[test]
    fn unknown_websites_are_not_checked() {
        let setup = Setup::of(live(&[])).installation("production", installation(&[], None));
        assert!(live_findings_in("SC032", super::INFO.bad_example, &setup).is_empty());
    }
}
