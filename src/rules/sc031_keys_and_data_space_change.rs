//! SC031: an installation's keys and its data space do not change in the same apply.

use super::installed::{Installed, moves};
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::magento::binding::{api_key_path, private_key_path};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC031",
    name: "keys-and-data-space-change",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: true,
    summary: "an installation's keys and its data space change in the same plan",
    explanation: r#"
Adobe documents one case in which changing the Commerce Services Connector settings loses data:
new API keys and another data space saved together. The installation then registers with the
new keys while its synced data still sits in the old data space, which the new keys may not
reach. Each change on its own is recoverable; together they are not. This is refused even when
`--allow-rebind` allows the move (SC030): the order is the point.

Checked by `saasctl plan` against the installation it reads from the target; in the example
below, the staging installation holds other keys than the declared ones and is bound to
`Luma Staging`.

Fix: change them in two applies: first the keys with the data space the installation uses,
then the data space.
"#,
    bad_example: include_str!("examples/sc031.bad.yaml"),
    good_example: include_str!("examples/sc031.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        moves(cx)
            .into_iter()
            .filter(|m| keys_change(cx, &m.from))
            .map(|m| {
                let key = m.from.key;
                let set = m.from.environment.keys.as_str();
                INFO.finding(
                    format!(
                        "the installation of environment `{key}` would get other `{set}` keys and move from {} to {} in the same apply: Adobe's documented data-loss case",
                        m.describe_from(cx.live),
                        m.describe_to()
                    ),
                    cx.file.at(&route!["environments", key, "data_space"]),
                    format!(
                        "change them in two applies: first the keys with `{key}` bound to the data space it uses, then the data space"
                    ),
                )
                .label("the data space changes")
                .related(cx.file.at(&route!["keys", set]), "and the keys change")
            })
            .collect()
    }
}

/// Whether a stored key of the environment's key set differs from the declared one. An
/// installation without keys gets its first ones: nothing is lost.
fn keys_change(cx: &LiveContext, installed: &Installed) -> bool {
    let set = installed.environment.keys;
    let Some(declared) = cx.fingerprints.get(&set) else {
        return false;
    };
    [
        (api_key_path(set), &declared.api_key),
        (private_key_path(set), &declared.public_key),
    ]
    .iter()
    .any(|(path, declared)| {
        installed
            .installation
            .values
            .get(path)
            .is_some_and(|stored| stored.shown() != declared.as_str())
    })
}

#[cfg(test)]
mod tests {
    use crate::config::KeySetName;
    use crate::magento::binding::{PATH_ENVIRONMENT_ID, api_key_path, private_key_path};
    use crate::rules::testing::{
        P, Setup, T, assert_live_examples_in, id, installation, key, live, live_findings_in, plain,
    };

    fn setup(api_key: &str) -> Setup {
        Setup::of(live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]))
        .keys(KeySetName::Production, "new-api", "sha256:new")
        .installation(
            "staging",
            installation(
                &[
                    (PATH_ENVIRONMENT_ID, plain(&id(3))),
                    (&api_key_path(KeySetName::Production), key(api_key)),
                    (&private_key_path(KeySetName::Production), key("sha256:new")),
                ],
                None,
            ),
        )
    }

    #[test]
    fn examples() {
        assert_live_examples_in(&super::INFO, &setup("old-api"));
        assert_eq!(
            live_findings_in("SC031", super::INFO.bad_example, &setup("old-api")),
            vec![(
                17,
                17,
                format!(
                    "the installation of environment `staging` would get other `production` keys and move from testing data space `Luma Staging` ({}) of project `Luma` ({}) to data space `qa` (testing data space `Luma QA` ({})) in the same apply: Adobe's documented data-loss case",
                    id(3),
                    id(1),
                    id(4)
                )
            )]
        );
    }

    #[test]
    fn not_lifted_by_allow_rebind() {
        let allowed = setup("old-api").allow_rebind("staging");
        assert_eq!(
            live_findings_in("SC031", super::INFO.bad_example, &allowed).len(),
            1
        );
    }

    #[test]
    fn a_move_alone_or_first_keys_are_fine() {
        assert!(live_findings_in("SC031", super::INFO.bad_example, &setup("new-api")).is_empty());
        let no_keys = setup("old-api").installation(
            "staging",
            installation(&[(PATH_ENVIRONMENT_ID, plain(&id(3)))], None),
        );
        assert!(live_findings_in("SC031", super::INFO.bad_example, &no_keys).is_empty());
    }
}
