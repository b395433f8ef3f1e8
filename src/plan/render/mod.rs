//! Renderers over the plan model: text (a terminal), markdown (a pull-request comment), json
//! (the plan file).

pub mod json;
pub mod markdown;
pub mod text;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::live::LiveState;
    use crate::plan::{MerchantInput, Plan, plan};
    use crate::rules::Allowances;
    use crate::rules::testing::{LUMA, P, T, live, load_as};

    fn plan_of(yaml: &str, state: LiveState) -> Plan {
        plan_of_files(&[("luma.yaml".to_owned(), yaml.to_owned())], &state)
    }

    /// One plan of several merchant files (name, YAML), each against `state`.
    fn plan_of_files(files: &[(String, String)], state: &LiveState) -> Plan {
        let loaded: Vec<_> = files
            .iter()
            .map(|(name, yaml)| load_as(name, yaml))
            .collect();
        let fingerprints = BTreeMap::new();
        let installations = BTreeMap::new();
        let inputs: Vec<_> = loaded
            .iter()
            .map(|(loaded, diagnostics)| MerchantInput {
                loaded,
                diagnostics,
                live: state,
                fingerprints: &fingerprints,
                gateway: "",
                installations: &installations,
            })
            .collect();
        plan(&inputs, &Allowances::default())
    }

    /// An estate of `n` merchants, all to be created.
    fn estate(n: usize) -> Plan {
        let files: Vec<_> = (0..n)
            .map(|i| {
                (
                    format!("merchant-{i:03}.yaml"),
                    LUMA.replace("name: Luma", &format!("name: Merchant {i:03}")),
                )
            })
            .collect();
        plan_of_files(&files, &LiveState::default())
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
    fn markdown_starts_with_the_marker_and_the_summary() {
        let markdown = super::markdown::render(&plan_of(LUMA, LiveState::default()));
        let mut lines = markdown.lines();
        assert_eq!(lines.next(), Some(super::markdown::MARKER));
        assert_eq!(lines.next(), Some("### saasctl plan"));
        assert_eq!(
            lines.nth(1),
            Some("**Plan: 4 to create, 0 to rename, 0 to update.**")
        );
    }

    #[test]
    fn markdown_puts_data_loss_on_top() {
        use crate::magento::binding::PATH_ENVIRONMENT_ID;
        use crate::plan::{Action, ValueChange};
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]);
        let mut plan = plan_of(LUMA, state);
        // The staging installation, still bound to the QA data space, moves (allowed).
        let staging = plan
            .changes
            .iter_mut()
            .find(|c| c.address == "environment.luma.staging")
            .unwrap();
        staging.action = Action::Update;
        staging.values = vec![ValueChange {
            path: PATH_ENVIRONMENT_ID.to_owned(),
            before: Some(crate::rules::testing::id(4)),
            after: Some(crate::rules::testing::id(3)),
            reason: None,
        }];
        let markdown = super::markdown::render(&plan);
        let warning = markdown.find("> [!WARNING]").expect("a data-loss warning");
        assert!(warning < markdown.find("<details>").unwrap(), "{markdown}");
        assert!(
            markdown.contains(
                "> - `environment.luma.staging` (`luma.yaml`): 00000000-0000-4000-8000-000000000004 -> 00000000-0000-4000-8000-000000000003\n"
            ),
            "{markdown}"
        );
        // A first binding loses nothing: no warning.
        let staging = plan
            .changes
            .iter_mut()
            .find(|c| c.address == "environment.luma.staging")
            .unwrap();
        staging.values[0].before = None;
        assert!(!super::markdown::render(&plan).contains("[!WARNING]"));
    }

    #[test]
    fn markdown_of_300_merchants_fits_a_comment() {
        let plan = estate(300);
        let text = super::text::render(&plan, false);
        assert!(
            text.len() > 2 * super::markdown::COMMENT_LIMIT,
            "{}",
            text.len()
        );
        let markdown = super::markdown::render(&plan);
        assert!(
            markdown.len() <= super::markdown::COMMENT_LIMIT,
            "{}",
            markdown.len()
        );
        assert!(markdown.starts_with(super::markdown::MARKER));
        assert!(markdown.contains("**Plan: 1200 to create, 0 to rename, 0 to update.**"));
        // Whole sections, the first ones, in order; the note says how many are left out.
        let kept = markdown.matches("<details>").count();
        assert_eq!(kept, markdown.matches("</details>").count());
        assert!((20..300).contains(&kept), "{kept}");
        for i in 0..kept {
            assert!(markdown.contains(&format!("<b>merchant-{i:03}</b>")), "{i}");
        }
        assert!(!markdown.contains(&format!("<b>merchant-{kept:03}</b>")));
        let note = format!(
            "> [!NOTE]\n> Left out to stay within GitHub's comment limit: {} of 300 merchant sections. The whole plan is in the saved plan file (the pipeline's plan artifact): `saasctl show PLANFILE` prints it.\n",
            300 - kept
        );
        assert!(
            markdown.ends_with(&note),
            "{}",
            &markdown[markdown.len() - 400..]
        );
    }

    #[test]
    fn markdown_keeps_findings_before_merchants_when_short_of_room() {
        let plan = plan_of(
            &LUMA.replace(
                "data_space: live, websites",
                "data_space: staging, websites",
            ),
            LiveState::default(),
        );
        let whole = super::markdown::render(&plan);
        let findings = plan.diagnostics.len();
        assert!(findings >= 2);
        // Room for the findings but not the merchant's section.
        let section = whole.find("<details>").unwrap();
        let limit = section + 200;
        let short = super::markdown::render_within(&plan, limit);
        assert!(short.len() <= limit, "{} > {limit}", short.len());
        assert_eq!(short.matches("| error `SC003`").count(), 1, "{short}");
        assert!(short.contains("1 of 1 merchant sections"), "{short}");
        assert!(!short.contains("<details>"), "{short}");
        // Shorter still: findings go too, from the end, and the note counts them.
        let shorter = super::markdown::render_within(&plan, 1_000);
        assert!(shorter.len() <= 1_000, "{}", shorter.len());
        assert!(shorter.contains("findings"), "{shorter}");
        assert!(shorter.contains("Plan refused"), "{shorter}");
    }

    #[test]
    fn shards_merge_into_one_plan() {
        let whole = estate(4);
        let parts: Vec<Plan> = whole
            .merchants
            .iter()
            .map(|m| {
                let mut part = whole.clone();
                part.merchants.retain(|x| x.slug == m.slug);
                part.changes.retain(|c| c.merchant == m.slug);
                part.diagnostics.retain(|d| d.file == m.file);
                part.summary = crate::plan::Summary::count(&part.changes);
                part
            })
            .collect();
        let merged = Plan::merge(parts).unwrap();
        assert_eq!(merged.merchants, whole.merchants);
        assert_eq!(merged.changes, whole.changes);
        assert_eq!(merged.summary, whole.summary);
        assert_eq!(
            super::markdown::render(&merged),
            super::markdown::render(&whole)
        );
        assert!(Plan::merge(Vec::new()).is_none());
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
