//! Renderers over the plan model: text (a terminal), markdown (a pull-request comment), json
//! (the plan file).

pub mod json;
pub mod markdown;
pub mod text;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::live::LiveState;
    use crate::plan::{Allowances, MerchantInput, Plan, plan};
    use crate::rules::testing::{LUMA, P, T, live, load_as};

    fn plan_of(yaml: &str, state: LiveState) -> Plan {
        let (loaded, diagnostics) = load_as("luma.yaml", yaml);
        plan(
            &[MerchantInput {
                loaded: &loaded,
                diagnostics: &diagnostics,
                live: &state,
                fingerprints: &BTreeMap::new(),
                gateway: "",
                installations: &BTreeMap::new(),
            }],
            &Allowances::default(),
        )
    }

    fn both(plan: &Plan) -> String {
        format!(
            "{}\n---- markdown ----\n{}",
            super::text::render(plan, false),
            super::markdown::render(plan)
        )
    }

    #[test]
    fn create() {
        insta::assert_snapshot!(both(&plan_of(LUMA, LiveState::default())));
    }

    #[test]
    fn rename() {
        let yaml = LUMA.replace(
            "  name: Luma\n",
            "  name: Luma\n  previous_names: [Luma Store]\n",
        );
        let state = live(&[
            (
                1,
                "Luma Store",
                &[
                    (2, "Luma Production", P),
                    (3, "Testing 1", T),
                    (4, "Luma QA", T),
                ],
            ),
            (5, "Other", &[(6, "Production", P)]),
        ]);
        insta::assert_snapshot!(both(&plan_of(&yaml, state)));
    }

    #[test]
    fn no_changes() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]);
        let plan = plan_of(LUMA, state);
        let text = super::text::render(&plan, false);
        assert!(text.lines().any(|l| l == "No changes."));
        insta::assert_snapshot!(both(&plan));
    }

    #[test]
    fn refused() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Testing 1", T),
                (4, "Testing 2", T),
            ],
        )]);
        // Offline errors and live ones (two declarations for two unclaimed data spaces).
        let yaml = LUMA;
        let plan = plan_of(
            &yaml.replace(
                "data_space: live, websites",
                "data_space: staging, websites",
            ),
            state,
        );
        assert!(plan.refused);
        insta::assert_snapshot!(both(&plan));
    }

    #[test]
    fn colour_only_when_asked() {
        let plan = plan_of(LUMA, LiveState::default());
        assert!(!super::text::render(&plan, false).contains('\u{1b}'));
        assert!(super::text::render(&plan, true).contains('\u{1b}'));
    }

    #[test]
    fn json_is_the_plan_file() {
        let plan = plan_of(LUMA, LiveState::default());
        let value: serde_json::Value = serde_json::from_str(&super::json::render(&plan)).unwrap();
        for field in [
            "format_version",
            "tool_version",
            "config_digest",
            "live_digest",
            "changes",
            "summary",
            "unmanaged",
            "diagnostics",
            "refused",
        ] {
            assert!(value.get(field).is_some(), "{field}");
        }
        assert_eq!(value["summary"]["no-op"], 3);
        assert_eq!(value["changes"][0]["address"], "project.luma");
    }
}
