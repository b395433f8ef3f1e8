//! SC001: a production data space serves exactly one installation.

use super::{Context, RuleInfo, SharedBinding};
use crate::config::DataSpaceType;
use crate::diagnostic::{Diagnostic, Severity};

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC001",
    name: "production-space-shared",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: true,
    summary: "a production data space bound to more than one environment",
    explanation: r#"
A data space holds the catalog, orders and events that Commerce Services receive from the
installations bound to it. Two installations sending to the production data space mix their
data: a staging site's test products and orders show up in production recommendations and
search, and cannot be removed one by one.

Fix: bind only the production installation to the production data space; bind the others to a
testing data space.
"#,
    bad_example: include_str!("examples/sc001.bad.yaml"),
    good_example: include_str!("examples/sc001.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        cx.shared_bindings(DataSpaceType::Production)
            .iter()
            .map(|shared| {
                let SharedBinding { space_key, space, first, other } = shared;
                shared.finding(
                    cx,
                    &INFO,
                    format!(
                        "production data space `{space_key}` ({}) is bound to environments `{first}` and `{other}`",
                        space.name
                    ),
                    format!("bind `{other}` to a testing data space; only one installation may send data to production"),
                )
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
    fn names_both_environments_at_the_second_binding() {
        let findings = findings_of("SC001", super::INFO.bad_example);
        assert_eq!(
            findings,
            vec![(
                19,
                17,
                "production data space `live` (Luma Production) is bound to environments `production` and `staging`".to_owned()
            )]
        );
    }
}
