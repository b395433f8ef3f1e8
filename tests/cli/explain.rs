//! `saasctl explain`: every rule is documented, with examples that really fire.

use crate::common::{code, repo, run_in, stderr, stdout};

#[test]
fn every_rule_is_explained() {
    for info in saasctl::rules::catalogue() {
        let output = run_in(&repo(), &["explain", info.id]);
        assert_eq!(code(&output), 0);
        let text = stdout(&output);
        assert!(text.starts_with(info.id), "{text}");
        for part in ["Example that fires:", "Fixed:", "Fix"] {
            assert!(text.contains(part), "{} lacks {part}", info.id);
        }
    }
}

#[test]
fn explain_sc001_snapshot() {
    insta::assert_snapshot!(stdout(&run_in(&repo(), &["explain", "SC001"])));
}

#[test]
fn unknown_rules_are_an_error() {
    let output = run_in(&repo(), &["explain", "SC999"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stderr(&output),
        "error: no rule `SC999`; `saasctl explain all` lists them\n"
    );
}
