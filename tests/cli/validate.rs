//! `saasctl validate`: located diagnostics in every format, and the exit codes.

use crate::common::{TestContext, code, repo, run_in, stderr, stdout};

/// Sets the mode of the file at `path`.
fn chmod(path: &std::path::Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))
        .expect("chmod");
}

/// The human report of each rule's documented failing example.
#[test]
fn each_rule_reports_its_bad_example() {
    let mut underlined = 0;
    for info in saasctl::rules::catalogue() {
        if info.reads == saasctl::diagnostic::Reads::Live {
            continue; // live-state rules need a registry; tested with the plan
        }
        let workspace = TestContext::offline(info.bad_example);
        if info.id == "SC014" {
            // What its example's comment says: the key file has the mode of `touch`.
            chmod(&workspace.path().join("keys/production.pem"), 0o644);
        }
        let output = workspace.run(&["validate", "--color", "never"]);
        let text = stdout(&output);
        assert!(text.contains(&format!("[{}]", info.id)), "{text}");
        let expected = if info.severity == saasctl::diagnostic::Severity::Error {
            1
        } else {
            0
        };
        assert_eq!(code(&output), expected, "{}: {text}", info.id);
        for (line, run) in underlines(&text) {
            assert_exact_underline(info.id, &line, &run);
            underlined += 1;
        }
        crate::saasctl_snapshot!(format!("human_{}", info.id), output);
    }
    assert!(underlined > 20, "only {underlined} underlines read");
}

/// Each snippet line of a human report with the text its caret (or dash) run underlines.
fn underlines(report: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut source: Option<String> = None;
    for line in report.lines() {
        let Some((gutter, rest)) = line.split_once(" | ").or_else(|| line.split_once(" |")) else {
            source = None;
            continue;
        };
        if gutter.trim().parse::<usize>().is_ok() {
            source = Some(rest.to_owned());
            continue;
        }
        let Some(code) = &source else { continue };
        let indent = rest.len() - rest.trim_start().len();
        let marks = rest.trim_start();
        let run = marks
            .chars()
            .take_while(|c| *c == marks.chars().next().unwrap_or(' '))
            .count();
        if run > 0 && marks.starts_with(['^', '-']) {
            let underlined: String = code.chars().skip(indent).take(run).collect();
            found.push((code.clone(), underlined));
        }
    }
    found
}

/// An underline covers its node exactly: a flow collection to its closing bracket, never a
/// blank or a comment after it.
fn assert_exact_underline(rule: &str, line: &str, underlined: &str) {
    assert!(
        !underlined.is_empty(),
        "{rule}: empty underline in `{line}`"
    );
    assert_eq!(underlined, underlined.trim_end(), "{rule}: `{line}`");
    assert!(
        !underlined.contains(" #"),
        "{rule}: the underline runs into a comment: `{underlined}` in `{line}`"
    );
    for (open, close) in [('{', '}'), ('[', ']')] {
        if underlined.starts_with(open) {
            let depth = underlined.chars().fold(0i32, |depth, c| {
                depth + i32::from(c == open) - i32::from(c == close)
            });
            let whole_line = line.trim_start().starts_with(underlined);
            assert!(
                (underlined.ends_with(close) && depth == 0) || whole_line,
                "{rule}: `{underlined}` is not the whole collection in `{line}`"
            );
        }
    }
}

#[test]
fn a_valid_file_exits_zero_even_with_warnings() {
    let sc010 = saasctl::rules::find("SC010").expect("SC010");
    let output = TestContext::offline(sc010.bad_example).run(&["validate"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 1 warning"));
}

fn sc001_bad() -> TestContext {
    TestContext::offline(saasctl::rules::find("SC001").expect("SC001").bad_example)
}

#[test]
fn json_format_lists_located_diagnostics() {
    let output = sc001_bad().run(&["validate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    crate::saasctl_snapshot!(output);
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let output = sc001_bad().run(&["validate", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "SC001"));
    let results = run["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "SC001")
        .expect("SC001 result");
    assert_eq!(result["ruleId"], "SC001");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(19), Some(17))
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        16
    );
    let rule = rules.iter().find(|r| r["id"] == "SC001").expect("SC001");
    assert_eq!(
        rule["helpUri"],
        "https://github.com/saasctl/saasctl/blob/main/docs/rules.md#sc001"
    );
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .expect("help")
            .ends_with("`saasctl explain SC001` prints this with an example.")
    );
    assert_eq!(
        result["partialFingerprints"]["saasctl/v1"]
            .as_str()
            .map(|f| f.starts_with("sha256:") && f.len() == 71),
        Some(true)
    );
}

/// Every finding of every rule's example, as SARIF, against the official schema (vendored:
/// tests/fixtures/sarif/README.md).
#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/sarif/sarif-2.1.0.json")).expect("schema");
    // The schema's two `language` patterns have a lone `]`: a literal in ECMA-262's web
    // grammar (Annex B), a syntax error to the Rust regex engine that compiles them. Escaped,
    // they mean the same; nothing else is changed.
    let published = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    for owner in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(language, published);
        *language = serde_json::json!(published.replace("}]?", r"}\]?"));
    }
    assert!(!schema.to_string().contains(published));
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    // The schema is strict (no unknown properties): a misspelt field fails here.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [], "extra": 1})));
    let mut checked = 0;
    for info in
        saasctl::rules::catalogue().filter(|info| info.reads == saasctl::diagnostic::Reads::Files)
    {
        let output = TestContext::offline(info.bad_example).run(&["validate", "--format", "sarif"]);
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", info.id);
        checked += sarif["runs"][0]["results"].as_array().map_or(0, Vec::len);
    }
    assert!(checked >= 13, "{checked} results");
    // Ignored findings, listed, are results with in-source suppressions.
    let sc013 = saasctl::rules::find("SC013").expect("SC013");
    let output = TestContext::offline(sc013.good_example).run(&[
        "validate",
        "--format",
        "sarif",
        "--show-ignored",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "inSource"
    );
}

/// A finding keeps its fingerprint when lines are added above it.
#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let fingerprints = |yaml: &str| -> Vec<(String, u64, String)> {
        let output = TestContext::offline(yaml).run(&["validate", "--format", "sarif"]);
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().expect("rule").to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                    r["partialFingerprints"]["saasctl/v1"]
                        .as_str()
                        .expect("fingerprint")
                        .to_owned(),
                )
            })
            .collect()
    };
    let bad = saasctl::rules::find("SC001").expect("SC001").bad_example;
    let before = fingerprints(bad);
    let after = fingerprints(&format!("# a comment\n# and another\n{bad}"));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, b.1 + 2, &b.2), (&a.0, a.1, &a.2));
    }
    let distinct: std::collections::BTreeSet<_> = before.iter().map(|f| &f.2).collect();
    assert_eq!(
        distinct.len(),
        before.len(),
        "two findings share a fingerprint"
    );
}

#[test]
fn github_format_prints_workflow_annotations() {
    let output = sc001_bad().run(&["validate", "--format", "github"]);
    crate::saasctl_snapshot!(output, @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    ::notice file=saasctl.yaml,line=12,col=5,title=SC011 info::data space `staging` (Luma Staging) is bound to no environment%0Akeep it if it is spare on purpose; otherwise bind an environment to it
    ::error file=saasctl.yaml,line=19,col=17,title=SC001 error::production data space `live` (Luma Production) is bound to environments `production` and `staging`%0Abind `staging` to a testing data space; only one installation may send data to production

    ----- stderr -----
    "#);
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(dir.path(), &["validate", "nope.yaml"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stderr(&output),
        "error: cannot read nope.yaml: no such file\n"
    );
}

#[test]
fn the_default_path_is_saasctl_yaml() {
    let output = sc001_bad().run(&["validate", "--format", "github"]);
    assert!(stdout(&output).contains("file=saasctl.yaml,line=19,col=17"));
}

#[test]
fn directories_are_searched_and_every_file_reported() {
    let output = run_in(
        &repo(),
        &["validate", "examples/agency", "--format", "github"],
    );
    let text = stdout(&output);
    for merchant in ["acme", "globex", "initech"] {
        assert!(
            text.contains(&format!("examples/agency/merchants/{merchant}.yaml")),
            "{text}"
        );
    }
}

/// Whatever the input, validate reports and never panics.
#[test]
fn hostile_input_never_panics() {
    let seeds: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01],
        b"version: [".to_vec(),
        b"- - - - -".to_vec(),
        "[".repeat(100_000).into_bytes(),
        format!(
            "version: 1\nproject: {{name: \"{}\"}}\n",
            "x".repeat(2_000_000)
        )
        .into_bytes(),
        b"version: 1\naccount: {license: adobe-commerce}\nkeys: 5\nproject: []\nenvironments: ~\n"
            .to_vec(),
        b"&a [*a]".to_vec(),
        b"version: !!binary aGVsbG8=\n".to_vec(),
        b"? [a]\n: b\n".to_vec(),
    ];
    for (i, seed) in seeds.iter().enumerate() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("saasctl.yaml"), seed).expect("write");
        let output = run_in(dir.path(), &["validate"]);
        assert_eq!(code(&output), 1, "input {i}: {}", stderr(&output));
        assert!(stderr(&output).is_empty(), "input {i}: {}", stderr(&output));
        assert!(
            stdout(&output).contains("SC000"),
            "input {i}: {}",
            stdout(&output)
        );
    }
}

/// Every single-byte deletion and every truncation of a real file: a report that accounts for
/// it (a file whose model cannot be read has an error), each finding inside the file, and every
/// renderer copes.
#[test]
fn every_deletion_and_truncation_of_an_example_is_reported_in_process() {
    let text =
        std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml")).expect("read");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    let deletions =
        (0..text.len()).map(|i| [&text.as_bytes()[..i], &text.as_bytes()[i + 1..]].concat());
    let truncations = (0..text.len()).map(|i| text.as_bytes()[..i].to_vec());
    let mut checked = 0;
    for bytes in deletions.chain(truncations) {
        std::fs::write(&path, &bytes).expect("write");
        let (loaded, diagnostics) = saasctl::rules::check_file(&path);
        let shown = String::from_utf8_lossy(&bytes);
        if loaded.config.is_none() {
            assert!(
                diagnostics.iter().any(|d| d.is_error()),
                "no model and no error for:\n{shown}"
            );
        }
        let lines = loaded.source.lines().count() + 1;
        for d in &diagnostics {
            let position = d.location.position;
            assert!(
                position.line >= 1
                    && position.line <= lines
                    && position.offset <= loaded.source.len(),
                "{} at {:?} outside the file:\n{shown}",
                d.rule,
                position
            );
        }
        let mut sources = saasctl::diagnostic::Sources::default();
        sources.insert(loaded.file.clone(), &loaded.source);
        let human = saasctl::diagnostic::render_human(&diagnostics, &sources, false);
        assert_eq!(human.is_empty(), diagnostics.is_empty(), "{shown}");
        checked += 1;
    }
    assert_eq!(checked, 2 * text.len());
}

#[test]
fn shards_split_an_estate_into_disjoint_complete_slices() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml =
        std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml")).expect("read");
    // 24 merchants: one project each (one copied 24 times would be one project served 24
    // times, SC003 across files).
    for i in 0..24 {
        let merchant = yaml.replace("name: Luma Quickstart", &format!("name: Merchant {i}"));
        std::fs::write(dir.path().join(format!("m{i:02}.yaml")), merchant).expect("write");
    }
    let count = |args: &[&str]| -> usize {
        let output = run_in(dir.path(), args);
        let text = stdout(&output);
        text.lines()
            .find_map(|l| l.strip_prefix("No problems found in "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let total = count(&["validate", "."]);
    assert_eq!(total, 24);
    let slices: Vec<usize> = (1..=3)
        .map(|i| count(&["validate", ".", "--shard", &format!("{i}/3")]))
        .collect();
    assert_eq!(slices.iter().sum::<usize>(), total, "{slices:?}");
    let again: Vec<usize> = (1..=3)
        .map(|i| count(&["validate", ".", "--shard", &format!("{i}/3")]))
        .collect();
    assert_eq!(slices, again);
    let wrong = run_in(dir.path(), &["validate", ".", "--shard", "4/3"]);
    assert_eq!(code(&wrong), 64, "{}", stderr(&wrong));
}

/// Multi-byte characters inserted anywhere in real configurations (keys, values, comments,
/// inside quotes, at line ends): every diagnostic renders in every format without a panic.
#[test]
fn no_renderer_panics_on_multi_byte_text_anywhere() {
    use saasctl::diagnostic::{Sources, render_github, render_human, render_json, render_sarif};
    let inserts = [
        "é",
        "\u{a0}",
        "\u{feff}",
        "\u{ffff}",
        "💥",
        "\u{2028}",
        "ß",
        "\"",
        "'",
        "\t",
        ":",
        "#",
        "\n",
        "{",
        "[",
        "-----BEGIN PRIVATE KEY-----",
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    let mut seed: u64 = 0x5eed;
    let mut next = |bound: usize| {
        // A fixed linear congruential sequence: the same cases on every run.
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap_or(0) % bound.max(1)
    };
    let mut rendered = 0;
    for example in ["adobe-commerce", "quickstart", "magento-open-source"] {
        let source =
            std::fs::read_to_string(repo().join(format!("examples/{example}/saasctl.yaml")))
                .expect("read example");
        for _ in 0..150 {
            let mut text = source.clone();
            for _ in 0..=next(4) {
                let mut at = next(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, inserts[next(inserts.len())]);
            }
            std::fs::write(&path, &text).expect("write");
            let (loaded, diagnostics) = saasctl::rules::check_file(&path);
            let mut sources = Sources::default();
            sources.insert(loaded.file.clone(), &loaded.source);
            for color in [false, true] {
                let _ = render_human(&diagnostics, &sources, color);
            }
            let _ = render_json(&diagnostics);
            let _ = render_sarif(&diagnostics, saasctl::rules::catalogue());
            let _ = render_github(&diagnostics);
            rendered += diagnostics.len();
        }
    }
    assert!(
        rendered > 450,
        "the mutations produced only {rendered} diagnostics"
    );
}

#[test]
fn nothing_to_check_is_an_error_saying_what_was_searched() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.yaml"), "title: not ours\n").expect("write");
    for command in ["validate", "plan", "apply"] {
        let output = run_in(dir.path(), &[command, "."]);
        assert_eq!(code(&output), 1, "{command}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("no saasctl configuration in ."),
            "{command}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_configuration_without_version_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let quickstart =
        std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml")).expect("read");
    let without_version = quickstart.replace("version: 1\n", "");
    std::fs::write(dir.path().join("merchant.yaml"), without_version).expect("write");
    std::fs::create_dir(dir.path().join("workflows")).expect("dir");
    std::fs::write(
        dir.path().join("workflows/ci.yml"),
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    )
    .expect("write");
    let output = run_in(dir.path(), &["validate", ".", "--color", "never"]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("merchant.yaml"), "{text}");
    assert!(text.contains("`version`"), "{text}");
    assert!(!text.contains("ci.yml"), "{text}");
}

#[test]
fn a_schema_error_does_not_hide_rule_findings_elsewhere() {
    let sc001 = saasctl::rules::find("SC001").expect("SC001").bad_example;
    let yaml = sc001.replace("project:\n", "colour: blue\nproject:\n");
    assert_ne!(yaml, sc001);
    let output = TestContext::offline(&yaml).run(&["validate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert!(rules.contains(&"SC000"), "{rules:?}");
    assert!(rules.contains(&"SC001"), "{rules:?}");
}

#[test]
fn messages_suggest_fields_and_values_and_explain_patterns() {
    let quickstart =
        std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml")).expect("read");
    let yaml = quickstart
        .replace("environments:", "enviroments:")
        .replace("license: adobe-commerce", "license: adobe-comerce");
    let text = stdout(&TestContext::offline(&yaml).run(&["validate", "--color", "never"]));
    assert!(text.contains("did you mean `environments`?"), "{text}");
    assert!(
        text.contains("must be one of: adobe-commerce, magento-open-source"),
        "{text}"
    );
    assert!(text.contains("did you mean `adobe-commerce`?"), "{text}");
    let yaml = quickstart.replace(
        "websites: [base, wholesale]",
        "websites: [base, 9wholesale]",
    );
    let text = stdout(&TestContext::offline(&yaml).run(&["validate", "--color", "never"]));
    assert!(
        text.contains("is not a Magento website code: a letter, then"),
        "{text}"
    );
    assert!(!text.contains("^[a-zA-Z]"), "{text}");
}

/// The messages of the trial's bad inputs, in the user's words: no parser internals, no value.
#[test]
fn messages_for_broken_files() {
    let cases = [
        ("duplicate-key.yaml", "version: 1\nversion: 2\n".to_owned()),
        (
            "too-deep.yaml",
            format!("version: 1\nx: {}{}\n", "[".repeat(70), "]".repeat(70)),
        ),
        (
            "two-documents.yaml",
            "version: 1\n---\nversion: 1\n".to_owned(),
        ),
        (
            "unclosed.yaml",
            "version: 1\nproject: {name: \"Luma\n".to_owned(),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut transcript = String::new();
    for (name, text) in cases {
        std::fs::write(dir.path().join(name), text).expect("write");
        let output = run_in(dir.path(), &["validate", name, "--color", "never"]);
        assert_eq!(code(&output), 1, "{name}");
        transcript.push_str(&crate::common::transcript(&output));
        transcript.push('\n');
    }
    for internal in [
        "DuplicateKeyPolicy",
        "budget breached",
        "Depth {",
        "Documents {",
    ] {
        assert!(!transcript.contains(internal), "{internal}:\n{transcript}");
    }
    insta::assert_snapshot!(transcript);
}

/// SC007's bad example: an unset variable and a missing key file.
fn unset_secrets() -> TestContext {
    TestContext::offline(saasctl::rules::find("SC007").expect("SC007").bad_example)
}

#[test]
fn no_secrets_reads_none_and_passes_with_a_note() {
    let workspace = unset_secrets();
    assert_eq!(code(&workspace.run(&["validate"])), 1);
    let output = workspace.run(&["validate", "--no-secrets", "--color", "never"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    crate::saasctl_snapshot!(output);
    // Everything else is still checked.
    let sc002 = saasctl::rules::find("SC002").expect("SC002");
    let output = TestContext::offline(sc002.bad_example).run(&["validate", "--no-secrets"]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("error[SC002]"));
}

#[test]
fn in_ci_an_unset_variable_is_a_note_and_a_missing_file_an_error() {
    let workspace = unset_secrets();
    let in_ci = |value: &str| {
        crate::common::saasctl()
            .current_dir(workspace.path())
            .env("CI", value)
            .args(["validate", "--format", "json"])
            .output()
            .expect("run saasctl")
    };
    let severities = |output: &std::process::Output| -> Vec<(String, u64)> {
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["rule"] == "SC007")
            .map(|d| {
                (
                    d["severity"].as_str().expect("severity").to_owned(),
                    d["line"].as_u64().expect("line"),
                )
            })
            .collect()
    };
    let output = in_ci("true");
    assert_eq!(
        severities(&output),
        vec![("info".to_owned(), 6), ("error".to_owned(), 7)]
    );
    assert_eq!(code(&output), 1);
    // Outside CI the variable is an error too.
    assert_eq!(
        severities(&in_ci("false")),
        vec![("error".to_owned(), 6), ("error".to_owned(), 7)]
    );
    // With the file in place, CI passes with the note.
    std::fs::copy(
        workspace.path().join("keys/production.pem"),
        workspace.path().join("keys/does-not-exist.pem"),
    )
    .expect("copy key");
    chmod(&workspace.path().join("keys/does-not-exist.pem"), 0o600);
    let output = in_ci("true");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("is not set or empty, so it was not checked (CI=true)"));
    // GitHub Actions passes a secret a fork's pull request may not read as an empty string.
    let output = crate::common::saasctl()
        .current_dir(workspace.path())
        .env("CI", "true")
        .env("SAASCTL_EXAMPLE_UNSET_VARIABLE", "")
        .args(["validate"])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let output = crate::common::saasctl()
        .current_dir(workspace.path())
        .env("SAASCTL_EXAMPLE_UNSET_VARIABLE", "")
        .args(["validate"])
        .output()
        .expect("run saasctl");
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(stdout(&output).contains("SAASCTL_EXAMPLE_UNSET_VARIABLE is empty"));
}

#[test]
fn a_key_file_others_can_read_is_a_warning_until_chmod_600() {
    let workspace = sc001_bad();
    let key = workspace.path().join("keys/production.pem");
    let warned = |args: &[&str]| stdout(&workspace.run(args)).contains("warning[SC014]");
    assert!(!warned(&["validate"]));
    chmod(&key, 0o644);
    assert!(warned(&["validate"]));
    // Only the mode is looked at, so --no-secrets keeps the warning.
    assert!(warned(&["validate", "--no-secrets"]));
    let output = workspace.run(&["validate", "--strict", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let sc014 = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == "SC014")
        .expect("SC014")
        .clone();
    assert_eq!(sc014["severity"], "warning");
    assert_eq!(
        sc014["help"],
        "`chmod 600 keys/production.pem`, so that only its owner can read it"
    );
    chmod(&key, 0o600);
    assert!(!warned(&["validate"]));
}
