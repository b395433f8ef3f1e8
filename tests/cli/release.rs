//! Releases: the version and where it was built from, the changelog.

use std::process::Command;

use crate::common::{repo, run_in, stdout};

/// The short commit of the checkout the tests run in.
fn head_commit() -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo())
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .expect("run git");
    assert!(output.status.success(), "not a git checkout");
    stdout(&output).trim().to_owned()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let expected = format!("{} ({})", env!("CARGO_PKG_VERSION"), head_commit());
    for args in [&["--version"][..], &["plan", "--version"]] {
        let output = run_in(&repo(), args);
        let line = stdout(&output);
        let version = line.trim().split_once(' ').map(|(_, v)| v);
        assert_eq!(version, Some(expected.as_str()), "{args:?}: {line}");
    }
}

#[test]
fn the_changelog_has_the_version_and_what_is_unreleased() {
    let changelog = std::fs::read_to_string(repo().join("CHANGELOG.md")).expect("CHANGELOG.md");
    let headings: Vec<&str> = changelog
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .collect();
    assert_eq!(headings.first(), Some(&"[Unreleased]"), "{headings:?}");
    let version = format!("[{}] - ", env!("CARGO_PKG_VERSION"));
    assert!(
        headings.iter().any(|h| h.starts_with(&version)),
        "no section for {version}: {headings:?}"
    );
    // Every section heading has its link at the bottom (Keep a Changelog).
    for heading in headings {
        let name = heading.split(" - ").next().unwrap_or(heading);
        assert!(
            changelog.contains(&format!("\n{name}: https://")),
            "{name} has no link"
        );
    }
}
