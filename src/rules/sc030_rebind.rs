//! SC030: an installation already bound to a data space does not silently move to another.

use super::installed::moves;
use super::{LiveContext, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC030",
    name: "rebind",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Live,
    protects_data: true,
    summary: "an installation already bound to a data space would move to another one",
    explanation: r#"
An installation's `services_connector/services_id/environment_id` says which data space its
catalog, prices and events go to. Binding it to another data space (another live one, or one
still to be created) cuts it off from everything stored in the old one, and nothing in Magento
notices: every feed must be resent with `bin/magento saas:resync --feed NAME --cleanup-feed`.
The usual cause is a mistake in the YAML (the wrong `data_space`, or a renamed data space
matched as a new one), so the move is refused unless it is allowed for that environment.

Checked by `saasctl plan` against the installation it reads from the target; in the example
below, the staging installation is bound to `Luma Staging`.

Fix: bind the environment to the data space it uses (if that was renamed, add its live name to
`previous_names` or pin its `id`); to move it on purpose, pass `--allow-rebind MERCHANT/ENV`
(the merchant as the plan names it, e.g. `luma/staging`) and resend
the feeds after the apply.
"#,
    bad_example: include_str!("examples/sc030.bad.yaml"),
    good_example: include_str!("examples/sc030.good.yaml"),
};

impl super::LiveRule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic> {
        moves(cx)
            .into_iter()
            .filter(|m| !cx.allowances.allows_rebind(cx.merchant, m.from.key))
            .map(|m| {
                let key = m.from.key;
                INFO.finding(
                    format!(
                        "the installation of environment `{key}` is bound to {} and would move to {}: it loses access to the data stored in the first, and its catalog must be resent",
                        m.describe_from(cx.live),
                        m.describe_to()
                    ),
                    cx.file.at(&route!["environments", key, "data_space"]),
                    format!(
                        "bind `{key}` to the data space it uses (add a renamed data space's live name to `previous_names`); to move it on purpose, pass --allow-rebind {}/{key} and resend the feeds after the apply", cx.merchant
                    ),
                )
                .label("moves the installation")
                .related(
                    cx.file.at(&route!["environments", key, "target"]),
                    "its current binding is read here",
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::magento::binding::{PATH_ENVIRONMENT_ID, PATH_ENVIRONMENT_NAME};
    use crate::rules::testing::{
        P, Setup, T, assert_live_examples_in, id, installation, live, live_findings_in, plain,
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
        .installation(
            "staging",
            installation(&[(PATH_ENVIRONMENT_ID, plain(&id(3)))], None),
        )
    }

    #[test]
    fn examples() {
        assert_live_examples_in(&super::INFO, &setup());
        assert_eq!(
            live_findings_in("SC030", super::INFO.bad_example, &setup()),
            vec![(
                17,
                17,
                format!(
                    "the installation of environment `staging` is bound to testing data space `Luma Staging` ({}) of project `Luma` ({}) and would move to data space `qa` (testing data space `Luma QA` ({})): it loses access to the data stored in the first, and its catalog must be resent",
                    id(3),
                    id(1),
                    id(4)
                )
            )]
        );
    }

    #[test]
    fn allowed_per_environment() {
        let allowed = setup().allow_rebind("staging");
        assert!(live_findings_in("SC030", super::INFO.bad_example, &allowed).is_empty());
        let other = setup().allow_rebind("production");
        assert_eq!(
            live_findings_in("SC030", super::INFO.bad_example, &other).len(),
            1
        );
    }

    #[test]
    fn a_data_space_still_to_be_created_and_an_unknown_stored_one() {
        // A new project: every data space is still to be created.
        let setup = Setup::of(live(&[])).installation(
            "staging",
            installation(
                &[
                    (PATH_ENVIRONMENT_ID, plain(&id(7))),
                    (PATH_ENVIRONMENT_NAME, plain("Old Staging")),
                ],
                None,
            ),
        );
        let findings = live_findings_in("SC030", super::INFO.good_example, &setup);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].2.contains(&format!(
                "bound to data space `Old Staging` ({}) and would move to data space `staging`, still to be created",
                id(7)
            )),
            "{findings:?}"
        );
    }

    #[test]
    fn no_stored_binding_or_no_installation_is_no_move() {
        let empty = setup().installation("staging", installation(&[], None));
        assert!(live_findings_in("SC030", super::INFO.bad_example, &empty).is_empty());
        let unread = Setup::of(setup().state);
        assert!(live_findings_in("SC030", super::INFO.bad_example, &unread).is_empty());
    }
}
