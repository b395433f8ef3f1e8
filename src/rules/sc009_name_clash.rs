//! SC009: data space names, previous names and pinned ids identify exactly one data space.

use std::collections::HashMap;

use super::{Context, RuleInfo};
use crate::config::{Route, normalize_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC009",
    name: "name-clash",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "two data spaces, or a name and another's previous name, that clash",
    explanation: r#"
saasctl finds each live data space by its pinned `id`, then its `name`, then its
`previous_names`. Two declarations with the same name, or a name that is another data
space's previous name, or the same pinned id twice, would match the same live data space:
a rename could move one data space's identity to another. Names are compared ignoring case
and surrounding spaces, as the Admin shows them.

Fix: give every data space a distinct name, and drop previous names that are now used by
another data space.
"#,
    bad_example: include_str!("examples/sc009.bad.yaml"),
    good_example: include_str!("examples/sc009.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        // Every identifying value: (what, value) -> (data space key, route, description).
        let mut claimed: HashMap<(&str, String), (&str, Route, String)> = HashMap::new();
        let mut findings = Vec::new();
        for (key, space) in &cx.config.project.data_spaces {
            let base = route!["project", "data_spaces", key];
            let mut claims = vec![(
                "name",
                normalize_name(&space.name),
                base.at("name"),
                format!("name `{}`", space.name),
            )];
            for (i, previous) in space.previous_names.iter().enumerate() {
                claims.push((
                    "name",
                    normalize_name(previous),
                    base.at("previous_names").at(i),
                    format!("previous name `{previous}`"),
                ));
            }
            if let Some(id) = &space.id {
                claims.push(("id", id.to_lowercase(), base.at("id"), format!("id `{id}`")));
            }
            for (what, value, route, description) in claims {
                match claimed.get(&(what, value.clone())) {
                    Some((other, _, _)) if *other == key.as_str() => {}
                    Some((other, other_route, other_description)) => findings.push(
                        INFO.finding(
                            format!("data space `{key}`'s {description} clashes with data space `{other}`'s {other_description}"),
                            cx.at(&route),
                            "each name, previous name and id must identify one data space; rename one of them",
                        )
                        .label("clashes")
                        .related(cx.at(other_route), format!("`{other}` claims it here")),
                    ),
                    None => {
                        claimed.insert((what, value), (key.as_str(), route, description));
                    }
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
    fn reports_the_later_claim() {
        let findings = findings_of("SC009", super::INFO.bad_example);
        assert_eq!(
            findings,
            vec![(
                13,
                31,
                "data space `qa`'s name `Testing 1` clashes with data space `staging`'s previous name `Testing 1`".to_owned()
            )]
        );
    }

    #[test]
    fn duplicate_names_differing_in_case_clash() {
        let yaml = super::INFO
            .good_example
            .replace("name: Luma QA", "name: luma staging ");
        assert_eq!(findings_of("SC009", &yaml).len(), 1);
    }
}
