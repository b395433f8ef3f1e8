//! SC035: no key value is stored encrypted twice.

use super::installed::installed;
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::magento::installation::Stored;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC035",
    name: "key-encrypted-twice",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Live,
    protects_data: false,
    summary: "a key value stored encrypted twice",
    explanation: r#"
Magento stores the four key values of the Commerce Services Connector encrypted, and decrypts
them once when it reads them. A value that was encrypted again before being saved (an already
encrypted value passed to `bin/magento config:set`, or copied from another installation's
database) decrypts to another encrypted value, which Magento then sends as the key: the
services cannot authenticate, although the Admin shows a key in place.

Checked by `saasctl plan` against the values it reads (and decrypts) from a `mysql` target. The
YAML neither causes nor fixes it: the plan always rewrites such a value, encrypted once, so the
next apply repairs it. In the example below, the installation's production API key is encrypted
twice; after the apply, the same file gives no finding.

Fix: run `saasctl apply`, then `bin/magento cache:clean config`. Set keys through saasctl or as
plain text in the Admin, never as the encrypted text of another installation.
"#,
    bad_example: include_str!("examples/sc035.bad.yaml"),
    good_example: include_str!("examples/sc035.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        for inst in installed(cx) {
            for (path, stored) in &inst.installation.values {
                if !matches!(stored, Stored::EncryptedTwice { .. }) {
                    continue;
                }
                findings.push(
                    INFO.finding(
                        format!(
                            "the installation of environment `{}` stores `{path}` encrypted twice: Magento reads the inner encrypted text as the key, so the services cannot authenticate",
                            inst.key
                        ),
                        cx.file.at(&route!["environments", inst.key, "target"]),
                        "apply rewrites it encrypted once; then run `bin/magento cache:clean config`",
                    )
                    .label("key encrypted twice"),
                );
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::config::KeySetName;
    use crate::magento::binding::api_key_path;
    use crate::magento::installation::Stored;
    use crate::rules::testing::{
        P, Setup, assert_live_examples_against, installation, key, live, live_findings_with,
    };

    fn setup(stored: Stored) -> Setup {
        Setup::of(live(&[(1, "Luma", &[(2, "Luma Production", P)])])).installation(
            "production",
            installation(&[(&api_key_path(KeySetName::Production), stored)], None),
        )
    }

    #[test]
    fn examples() {
        let broken = setup(Stored::EncryptedTwice {
            fingerprint: "0a1b2c3d4e5f".into(),
        });
        let repaired = setup(key("0a1b2c3d4e5f"));
        assert_live_examples_against(&super::INFO, &broken, &repaired);
        assert_eq!(
            live_findings_with(
                "SC035",
                super::INFO.bad_example,
                &broken.state,
                &broken.installations,
                &BTreeMap::new()
            ),
            vec![(
                17,
                7,
                "the installation of environment `production` stores `services_connector/services_connector_integration/production_api_key` encrypted twice: Magento reads the inner encrypted text as the key, so the services cannot authenticate".to_owned()
            )]
        );
    }
}
