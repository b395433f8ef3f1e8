//! SC033: inside one data space, each live website code belongs to one installation.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::installed::website_key;
use super::{LiveContext, RuleInfo};
use crate::config::Route;
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC033",
    name: "live-website-collision",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: true,
    summary: "installations sharing a data space whose live website codes collide",
    explanation: r#"
Inside a data space, Commerce Services key catalog and storefront data by website code. SC003
compares the declared codes; this rule compares what the installations really have, undeclared
websites included, since every website of an installation sends its data. Codes compare
ignoring case, as MySQL's collation makes Magento do: `Base` and `base` are one website code.
An environment whose websites were not read (no `mysql` target) counts with its declared ones.
Codes that both environments declare with the same spelling are left to SC003.

Checked by `saasctl plan` against the websites it reads from `mysql` targets; in the example
below, the staging installation has the website `base`, and the QA installation has `qa_base`
and `Base`.

Fix: bind one of the installations to another data space, or rename or remove the website in
one of them.
"#,
    bad_example: include_str!("examples/sc033.bad.yaml"),
    good_example: include_str!("examples/sc033.good.yaml"),
};

/// One environment's use of a website code.
#[derive(Clone, Copy)]
struct Use<'a> {
    environment: &'a str,
    code: &'a str,
    /// Where the YAML declares it, and how it spells it.
    declared: Option<(usize, &'a str)>,
}

impl<'a> Use<'a> {
    /// How the YAML spells it, where declared.
    fn spelling(&self) -> Option<&'a str> {
        self.declared.map(|(_, spelling)| spelling)
    }

    fn route(&self) -> Route {
        match self.declared {
            Some((index, _)) => route!["environments", self.environment, "websites", index],
            None => route!["environments", self.environment, "target"],
        }
    }

    fn describe(&self) -> String {
        let undeclared = if self.declared.is_some() {
            ""
        } else {
            " (not declared)"
        };
        format!("`{}` of `{}`{undeclared}", self.code, self.environment)
    }
}

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        // (data space, lower-cased code) -> its first use.
        let mut first_use: HashMap<(&str, String), Use> = HashMap::new();
        let mut findings = Vec::new();
        for (key, environment) in &cx.file.config.environments {
            let declared: HashMap<String, (usize, &str)> = environment
                .websites
                .iter()
                .enumerate()
                .map(|(index, code)| (website_key(&code.0), (index, code.0.as_str())))
                .collect();
            let codes: Vec<&str> = match cx.installations.get(key).and_then(|i| i.websites.as_ref())
            {
                Some(live) => live.iter().map(String::as_str).collect(),
                None => environment.websites.iter().map(|c| c.0.as_str()).collect(),
            };
            for code in codes {
                let lower = website_key(code);
                let this = Use {
                    environment: key,
                    code,
                    declared: declared.get(&lower).copied(),
                };
                let first = match first_use.entry((environment.data_space.as_str(), lower)) {
                    Entry::Vacant(entry) => {
                        entry.insert(this);
                        continue;
                    }
                    Entry::Occupied(entry) => *entry.get(),
                };
                if first.environment == this.environment
                    || (first.spelling().is_some() && first.spelling() == this.spelling())
                {
                    continue;
                }
                findings.push(
                    INFO.finding(
                        format!(
                            "website code {} collides with {}: both installations send to data space `{}`",
                            this.describe(),
                            first.describe(),
                            environment.data_space
                        ),
                        cx.file.at(&this.route()),
                        "their data would overwrite each other: bind one of them to another data space, or rename or remove the website in one of them",
                    )
                    .label("second use of this website code")
                    .related(
                        cx.file.at(&first.route()),
                        format!("first used by `{}`", first.environment),
                    ),
                );
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{
        P, Setup, T, assert_live_examples_in, installation, live, live_findings_in,
    };

    fn setup() -> Setup {
        Setup::of(live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]))
        .installation("staging", installation(&[], Some(&["base"])))
        .installation("qa", installation(&[], Some(&["qa_base", "Base"])))
    }

    #[test]
    fn examples() {
        assert_live_examples_in(&super::INFO, &setup());
        assert_eq!(
            live_findings_in("SC033", super::INFO.bad_example, &setup()),
            vec![(
                28,
                7,
                "website code `Base` of `qa` (not declared) collides with `base` of `staging`: both installations send to data space `shared`".to_owned()
            )]
        );
    }

    #[test]
    fn an_environment_without_installation_counts_with_its_declared_websites() {
        let setup = Setup::of(setup().state)
            .installation("qa", installation(&[], Some(&["qa_base", "BASE"])));
        let findings = live_findings_in("SC033", super::INFO.bad_example, &setup);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].2.contains("`base` of `staging`"));
    }

    #[test]
    fn the_same_declared_code_is_left_to_sc003() {
        let yaml = super::INFO
            .bad_example
            .replace("websites: [qa_base]", "websites: [base]");
        let setup = setup().installation("qa", installation(&[], Some(&["base"])));
        assert!(live_findings_in("SC033", &yaml, &setup).is_empty());
    }
}
