//! SC003: inside one data space, each website code belongs to one installation.

use std::collections::HashMap;

use super::{Context, RuleInfo};
use crate::config::{Secret, normalize_name};
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

Files of one repository share a data space too: two files of the same account (their
production `api_key` read from the same variable or file) whose projects have the same name
or pinned `id`, declaring a data space of the same name (or both pinning its `id`), describe
one live data space; a website code their environments both serve is reported in each file.

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

    fn check_across(&self, files: &[Context]) -> Vec<Diagnostic> {
        // (live data space, lower-cased website code) -> every use.
        let mut uses: HashMap<(SpaceIdentity, String), Vec<Use>> = HashMap::new();
        for (file, cx) in files.iter().enumerate() {
            for (environment, env) in &cx.config.environments {
                let Some(space) = SpaceIdentity::of(cx, &env.data_space) else {
                    continue;
                };
                for (index, code) in env.websites.iter().enumerate() {
                    uses.entry((space.clone(), code.0.to_lowercase()))
                        .or_default()
                        .push(Use {
                            file,
                            environment,
                            space: &env.data_space,
                            index,
                            code: &code.0,
                        });
                }
            }
        }
        let mut findings = Vec::new();
        for uses in uses.values() {
            for one in uses {
                let Some(other) = uses.iter().find(|other| other.file != one.file) else {
                    // Every use is in one file: `check` reports those.
                    break;
                };
                let (cx, other_cx) = (&files[one.file], &files[other.file]);
                findings.push(
                    INFO.finding(
                        format!(
                            "website code `{}` of environment `{}` is also served by environment `{}` of {}, on the same data space (`{}`: same account, project and name)",
                            one.code, one.environment, other.environment, other_cx.loaded.file, one.space
                        ),
                        cx.at(&route!["environments", one.environment, "websites", one.index]),
                        "their data would overwrite each other: bind one of them to another data space or use distinct website codes",
                    )
                    .label("served in another file too")
                    .related(
                        other_cx.at(&route!["environments", other.environment, "websites", other.index]),
                        format!("served by `{}` here", other.environment),
                    ),
                );
            }
        }
        findings
    }
}

/// One website code as an environment lists it, in the `file`-th file of a run.
struct Use<'a> {
    file: usize,
    environment: &'a str,
    /// The data space's key in its file.
    space: &'a str,
    index: usize,
    code: &'a str,
}

/// What makes data spaces of two files one live data space: the same pinned id, or the same
/// name in the same project (pinned id, or name) of the same account (the production API key
/// read from the same place).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SpaceIdentity {
    Id(String),
    Named {
        account: String,
        project: String,
        name: String,
    },
}

impl SpaceIdentity {
    /// The identity of the data space `space_key` of `cx`'s file, if it declares one.
    fn of(cx: &Context, space_key: &str) -> Option<Self> {
        let config = cx.config;
        let space = config.project.data_spaces.get(space_key)?;
        if let Some(id) = &space.id {
            return Some(SpaceIdentity::Id(id.to_lowercase()));
        }
        let account = match &config.keys.production.api_key {
            Secret::Env(name) => format!("env:{name}"),
            // The path only: the file is never read here.
            Secret::File(path) => {
                let path = cx.loaded.base_dir.join(path);
                let path = path.canonicalize().unwrap_or(path);
                format!("file:{}", path.display())
            }
        };
        let project = match &config.project.id {
            Some(id) => format!("id:{}", id.to_lowercase()),
            None => format!("name:{}", normalize_name(&config.project.name)),
        };
        Some(SpaceIdentity::Named {
            account,
            project,
            name: normalize_name(&space.name),
        })
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
    fn a_code_served_in_another_file_on_the_same_data_space_is_reported_in_both() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, yaml: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, yaml).unwrap();
            path
        };
        let first = write("a.yaml", super::INFO.good_example);
        let outlet = |space_name: &str| {
            super::INFO
                .good_example
                .replace("Luma Shared Testing", space_name)
                .replace("staging:\n    tier: staging", "outlet:\n    tier: staging")
                .replace("websites: [base, wholesale]", "websites: [Base]")
                .replace("websites: [qa_base]", "websites: [outlet_qa]")
        };
        let run = |second_yaml: &str| -> Vec<Vec<(usize, String)>> {
            let second = write("b.yaml", second_yaml);
            let checked: Vec<_> = [&first, &second]
                .iter()
                .map(|path| crate::rules::check_alone(path, None, crate::rules::Secrets::NotRead))
                .collect();
            let mut run: Vec<_> = checked.iter().map(|(l, d)| (l, d.clone())).collect();
            crate::rules::settle_run(&mut run, crate::rules::Secrets::NotRead);
            run.into_iter()
                .map(|(_, diagnostics)| {
                    diagnostics
                        .into_iter()
                        .filter(|d| d.rule == "SC003")
                        .map(|d| (d.location.position.line, d.message))
                        .collect()
                })
                .collect()
        };
        let found = run(&outlet("Luma Shared Testing"));
        assert_eq!(found[0].len(), 1, "{found:?}");
        assert_eq!(found[1].len(), 1, "{found:?}");
        assert!(
            found[0][0].1.contains(
                "`base` of environment `staging` is also served by environment `outlet` of"
            ),
            "{found:?}"
        );
        assert!(
            found[1][0].1.contains("`Base` of environment `outlet`"),
            "{found:?}"
        );
        // Another data space of the same project, or another account: nothing shared.
        assert_eq!(run(&outlet("Luma Outlet")), vec![vec![], vec![]]);
        let other_account = outlet("Luma Shared Testing").replace("LUMA_API_KEY", "OUTLET_API_KEY");
        assert_eq!(run(&other_account), vec![vec![], vec![]]);
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
