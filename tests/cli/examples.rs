//! The shipped examples: valid for saasctl, and valid for an independent JSON Schema
//! validator, as an editor would check them.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{code, repo, run_in, stdout};

fn example_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["quickstart", "adobe-commerce", "magento-open-source"] {
        files.push(repo().join("examples").join(dir).join("saasctl.yaml"));
    }
    let agency = repo().join("examples/agency/merchants");
    let mut merchants: Vec<PathBuf> = std::fs::read_dir(agency)
        .expect("agency dir")
        .map(|e| e.expect("entry").path())
        .collect();
    merchants.sort();
    assert!(merchants.len() >= 3);
    files.extend(merchants);
    files
}

#[test]
fn examples_carry_the_schema_modeline() {
    for file in example_files() {
        let text = std::fs::read_to_string(&file).expect("read example");
        let modeline = text.lines().next().unwrap_or_default();
        let target = modeline
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{} lacks the modeline", file.display()));
        let schema = file.parent().expect("dir").join(target);
        assert!(
            schema.exists(),
            "{}: {target} does not exist",
            file.display()
        );
    }
}

#[test]
fn the_quickstart_has_no_findings() {
    let output = run_in(&repo(), &["validate", "examples/quickstart/saasctl.yaml"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("No problems found in 1 file."));
}

#[test]
fn examples_break_no_rule_but_need_their_secrets() {
    let output = run_in(&repo(), &["validate", "examples", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    for d in diagnostics {
        assert_eq!(d["rule"], "SC007", "unexpected finding: {d}");
    }
    // Every example file was found, including the agency's merchants.
    let files: std::collections::BTreeSet<&str> = diagnostics
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(files.len(), example_files().len() - 1, "{files:?}");
}

/// check-jsonschema from PyPI.
pub(crate) fn check_jsonschema() -> PathBuf {
    crate::python::venv("check-jsonschema-venv", "check-jsonschema==0.33.0")
        .join("bin/check-jsonschema")
}

#[test]
fn examples_validate_against_the_schema_with_an_independent_validator() {
    let output = Command::new(check_jsonschema())
        .arg("--schemafile")
        .arg(repo().join("schemas/saasctl.schema.json"))
        .args(example_files())
        .output()
        .expect("run check-jsonschema");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // And it rejects what saasctl rejects: an unknown field.
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(&example_files()[0]).expect("read");
    std::fs::write(&bad, text.replace("license:", "licence:")).expect("write");
    let output = Command::new(check_jsonschema())
        .arg("--schemafile")
        .arg(repo().join("schemas/saasctl.schema.json"))
        .arg(&bad)
        .output()
        .expect("run check-jsonschema");
    assert!(!output.status.success());
}
