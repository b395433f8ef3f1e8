//! SC005: with Payment Services, every data space serves one installation.

use super::{Context, RuleInfo, SharedBinding};
use crate::config::{DataSpaceType, Service};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC005",
    name: "payment-services-shared-space",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: true,
    summary: "with payment-services, any data space bound to more than one environment",
    explanation: r#"
Payment Services ties payment configuration and transaction reporting to the data space. Two
installations sharing a testing data space would share sandbox merchant onboarding and see each
other's transactions. (A shared production data space is already refused by SC001.)

Fix: bind each installation to its own data space.
"#,
    bad_example: include_str!("examples/sc005.bad.yaml"),
    good_example: include_str!("examples/sc005.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        if !cx
            .config
            .account
            .services
            .contains(&Service::PaymentServices)
        {
            return Vec::new();
        }
        // A shared production data space is SC001's finding too: each rule says why on its own,
        // so neither hides behind the other.
        [DataSpaceType::Production, DataSpaceType::Testing]
            .into_iter()
            .flat_map(|kind| cx.shared_bindings(kind))
            .collect::<Vec<_>>()
            .iter()
            .map(|shared| {
                let SharedBinding { space_key, space, first, other } = shared;
                shared
                    .finding(
                        cx,
                        &INFO,
                        format!(
                            "with payment-services, data space `{space_key}` ({}) cannot serve both `{first}` and `{other}`",
                            space.name
                        ),
                        format!("bind `{other}` to a data space of its own"),
                    )
                    .related(
                        cx.at(&route!["account", "services"]),
                        "payment-services enabled here",
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
    fn points_at_the_second_binding() {
        let findings = findings_of("SC005", super::INFO.bad_example);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!((findings[0].0, findings[0].1), (24, 17));
    }

    #[test]
    fn silent_without_payment_services() {
        let yaml = super::INFO
            .bad_example
            .replace("  services: [payment-services]\n", "");
        assert!(findings_of("SC005", &yaml).is_empty());
    }
}
