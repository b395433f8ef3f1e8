//! SC003: inside one data space, each website code belongs to one installation.

use std::collections::HashMap;

use super::{Context, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC003",
    name: "website-code-collision",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: true,
    summary: "the same website code in two environments bound to the same data space",
    explanation: r#"
Commerce Services key catalog and storefront data by website code inside a data space. Two
installations that share a data space and both serve website `base` overwrite each other's
catalog, prices and events: whichever synced last wins.

Magento compares website codes ignoring case (`store_website.code` is unique under MySQL's
default collation), so `Base` and `base` are the same code. A code listed twice in one
environment's `websites` is a mistake of the same kind and is reported too.

Fix: give each installation its own data space, or make their website codes distinct (rename
the website code in one installation); list each code once.
"#,
    bad_example: include_str!("examples/sc003.bad.yaml"),
    good_example: include_str!("examples/sc003.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        // (data space, lower-cased website code) -> (environment, index) of its first use.
        let mut first_use: HashMap<(&str, String), (&str, usize)> = HashMap::new();
        let mut findings = Vec::new();
        for (env_name, env) in &cx.config.environments {
            for (index, code) in env.websites.iter().enumerate() {
                let key = (env.data_space.as_str(), code.0.to_lowercase());
                match first_use.get(&key) {
                    None => {
                        first_use.insert(key, (env_name, index));
                    }
                    Some(&(first_env, first_index)) if first_env == env_name => findings.push(
                        INFO.finding(
                            format!(
                                "website code `{}` is listed twice in environment `{env_name}` (codes compare ignoring case)",
                                code.0
                            ),
                            cx.at(&route!["environments", env_name, "websites", index]),
                            "list each website code once",
                        )
                        .label("listed again")
                        .related(
                            cx.at(&route!["environments", env_name, "websites", first_index]),
                            "first listed here",
                        ),
                    ),
                    Some(&(first_env, first_index)) => findings.push(
                        INFO.finding(
                            format!(
                                "website code `{}` is served by environments `{first_env}` and `{env_name}`, both bound to data space `{}`",
                                code.0, env.data_space
                            ),
                            cx.at(&route!["environments", env_name, "websites", index]),
                            "their data would overwrite each other: bind one of them to another data space or use distinct website codes",
                        )
                        .label("second use of this website code")
                        .related(
                            cx.at(&route!["environments", first_env, "websites", first_index]),
                            format!("first used by `{first_env}`"),
                        ),
                    ),
                }
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
    fn points_at_the_repeated_code() {
        let findings = findings_of("SC003", super::INFO.bad_example);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!((findings[0].0, findings[0].1), (24, 16));
        assert!(findings[0].2.contains("`staging` and `qa`"));
    }

    #[test]
    fn codes_compare_ignoring_case_and_a_repeat_in_one_list_is_reported() {
        let other_case = super::INFO
            .good_example
            .replace("websites: [qa_base]", "websites: [Base]")
            .replace("data_space: qa", "data_space: shared");
        let findings = findings_of("SC003", &other_case);
        assert!(
            findings
                .iter()
                .any(|f| f.2.contains("website code `Base` is served")),
            "{findings:?}\n{other_case}"
        );
        let repeated = super::INFO
            .good_example
            .replace("websites: [qa_base]", "websites: [qa_base, QA_Base]");
        let findings = findings_of("SC003", &repeated);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].2.contains("listed twice"), "{findings:?}");
    }

    #[test]
    fn the_same_code_in_different_data_spaces_is_fine() {
        let yaml = super::INFO
            .good_example
            .replace("websites: [qa_base]", "websites: [base]")
            .replace(
                "data_space: shared\n    websites: [base]",
                "data_space: live\n    websites: [base]",
            );
        assert!(findings_of("SC003", &yaml).is_empty());
    }
}
