//! Releases: the version and where it was built from, the changelog, the man pages.

use std::process::Command;

use clap::CommandFactory;

use crate::common::{both, code, repo, run_in, stderr, stdout};

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

/// `saasctl-plan.1` for `saasctl plan`, `saasctl-keys-generate.1` for `saasctl keys generate`:
/// the top page first, then every command's, as the CLI defines them.
fn man_page_names() -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, names: &mut Vec<String>) {
        names.push(format!("{prefix}.1"));
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" && !sub.is_hide_set() {
                walk(sub, &format!("{prefix}-{}", sub.get_name()), names);
            }
        }
    }
    let mut names = Vec::new();
    walk(&saasctl::cli::Cli::command(), "saasctl", &mut names);
    names
}

/// A page's section headings (`.SH NAME`, `.SH "EXIT STATUS"`).
fn man_sections(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|line| line.strip_prefix(".SH "))
        .map(|heading| heading.trim_matches('"').to_owned())
        .collect()
}

#[test]
fn every_command_has_a_man_page_with_exit_status_environment_and_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man/man1");
    let output = run_in(dir.path(), &["man", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(code(&output), 0, "{}", both(&output));
    let names = man_page_names();
    assert!(names.len() >= 14, "{names:?}");
    assert!(names.contains(&"saasctl-keys-generate.1".to_owned()));
    // It says what it wrote, and wrote nothing else.
    let listed: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    let expected: Vec<String> = names
        .iter()
        .map(|name| out.join(name).display().to_string())
        .collect();
    assert_eq!(listed, expected);
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("read man dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(written, sorted);

    let mut pages = String::new();
    for name in &names {
        let page = std::fs::read_to_string(out.join(name)).expect("read page");
        let sections = man_sections(&page);
        for section in ["NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
            assert!(
                sections.iter().any(|s| s == section),
                "{name}: no {section}: {sections:?}"
            );
        }
        let title = page
            .lines()
            .find(|line| line.starts_with(".TH "))
            .unwrap_or_default();
        let version = format!("\"saasctl {}\"", env!("CARGO_PKG_VERSION"));
        let command = name.trim_end_matches(".1");
        assert!(
            title.starts_with(&format!(".TH {command} 1 ")) && title.contains(&version),
            "{name}: {title}"
        );
        // Rendered as man renders it, without a warning.
        let rendered = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(out.join(name))
            .env("MANWIDTH", "80")
            .output()
            .expect("run man");
        assert!(rendered.status.success(), "{name}: {}", both(&rendered));
        assert_eq!(stderr(&rendered), "", "{name}");
        if name != "saasctl.1" {
            pages.push_str(&format!("==> {name} <==\n{page}\n"));
        }
    }
    // `saasctl man` prints the top page (snapshotted in help.rs); the others are current here.
    let top = run_in(dir.path(), &["man"]);
    let written = std::fs::read_to_string(out.join("saasctl.1")).expect("read top page");
    assert_eq!(stdout(&top), written);
    insta::assert_snapshot!("man_pages", pages);
}

/// Every `SAASCTL_` variable the code reads, and those of other tools it follows, is on the
/// top page; the test hooks are not.
#[test]
fn the_man_page_names_every_variable_saasctl_reads() {
    let page = stdout(&run_in(&repo(), &["man"]));
    let environment: Vec<&str> = page
        .lines()
        .skip_while(|line| *line != ".SH ENVIRONMENT")
        .take_while(|line| *line != ".SH FILES")
        .collect();
    let documented = |name: &str| environment.contains(&format!("\\fB{name}\\fR").as_str());
    let mut read = Vec::new();
    let mut sources = vec![repo().join("src")];
    while let Some(path) = sources.pop() {
        if path.is_dir() {
            sources.extend(
                std::fs::read_dir(&path)
                    .expect("read src")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        for opener in ["env = \"", "var(\"", "var_os(\""] {
            for (at, _) in text.match_indices(&format!("{opener}SAASCTL_")) {
                let rest = &text[at + opener.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                read.push(name);
            }
        }
    }
    read.sort();
    read.dedup();
    // Hooks for the tests and the generated docs, no user's business.
    read.retain(|name| !name.starts_with("SAASCTL_TEST_") && name != "SAASCTL_UPDATE_DOCS");
    assert!(read.contains(&"SAASCTL_GATEWAY".to_owned()), "{read:?}");
    assert!(read.contains(&"SAASCTL_LOG".to_owned()), "{read:?}");
    for name in read
        .iter()
        .map(String::as_str)
        .chain(["CI", "NO_COLOR", "CLICOLOR_FORCE"])
    {
        assert!(
            documented(name),
            "{name} is not in ENVIRONMENT:\n{}",
            environment.join("\n")
        );
    }
}
