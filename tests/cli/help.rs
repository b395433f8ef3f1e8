//! The CLI reference: a snapshot of `--help` for every command, so any change to a flag
//! shows up in review.

use crate::common::{repo, saasctl, stdout};

fn help(args: &[&str]) -> String {
    let output = saasctl()
        .current_dir(repo())
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("run saasctl");
    assert!(output.status.success());
    stdout(&output)
}

#[test]
fn every_command_has_a_help_page() {
    let mut reference = String::new();
    let top = help(&[]);
    reference.push_str(&format!("$ saasctl --help\n{top}\n"));
    let commands: Vec<String> = top
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        // A wrapped description continues further indented.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .filter(|command| command != "help")
        .collect();
    assert!(commands.len() >= 3, "{top}");
    for command in &commands {
        reference.push_str(&format!(
            "$ saasctl {command} --help\n{}\n",
            help(&[command])
        ));
    }
    insta::assert_snapshot!("cli_reference", reference);
}

#[test]
fn completions_and_man_page_are_generated_from_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    for shell in ["bash", "zsh", "fish"] {
        let output = crate::common::run_in(dir.path(), &["completions", shell]);
        assert_eq!(crate::common::code(&output), 0, "{shell}");
        let script = crate::common::stdout(&output);
        assert!(
            script.contains("render") && script.contains("allow-rebind"),
            "{shell}"
        );
    }
    let bash = crate::common::stdout(&crate::common::run_in(dir.path(), &["completions", "bash"]));
    let path = dir.path().join("saasctl.bash");
    std::fs::write(&path, bash).expect("write");
    let parsed = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash");
    assert!(
        parsed.success(),
        "the bash completion script does not parse"
    );
    let man = crate::common::run_in(dir.path(), &["man"]);
    assert_eq!(crate::common::code(&man), 0);
    crate::saasctl_snapshot!("man_page", man);
}

/// The exit statuses of `saasctl man` are the code's table: one line per code, in order.
fn man_exit_statuses(man: &str) -> Vec<(u8, String)> {
    let section: Vec<&str> = man
        .lines()
        .skip_while(|line| *line != ".SH \"EXIT STATUS\"")
        .skip(1)
        .take_while(|line| !line.starts_with(".SH"))
        .collect();
    section
        .chunks(3)
        .filter_map(|chunk| match chunk {
            [".TP", code, meaning] => Some((
                code.trim_start_matches("\\fB")
                    .trim_end_matches("\\fR")
                    .parse()
                    .ok()?,
                (*meaning).to_owned(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn exit_statuses_follow_one_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let man = stdout(&crate::common::run_in(dir.path(), &["man"]));
    let codes: Vec<u8> = man_exit_statuses(&man)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(codes, [0, 1, 2, 3, 4, 64, 130], "{man}");
    // A mistyped command or flag is a usage error, never "changes" (2).
    for args in [
        &["plna"][..],
        &["plan", "--detailed-exitcod"],
        &["validate", "--format", "xml"],
        &[],
    ] {
        let output = crate::common::run_in(dir.path(), args);
        assert_eq!(
            crate::common::code(&output),
            64,
            "{args:?}: {}",
            crate::common::stderr(&output)
        );
    }
    // Asked-for help and version are output.
    for args in [&["--help"][..], &["--version"], &["plan", "--help"]] {
        let output = crate::common::run_in(dir.path(), args);
        assert_eq!(crate::common::code(&output), 0, "{args:?}");
    }
}

/// `saasctl … | head -1`: the reader goes away; saasctl ends as it would have, without a panic.
#[test]
fn a_closed_stdout_ends_quietly_in_every_command_and_format() {
    let workspace = crate::common::TestContext::offline("version: 1\n");
    std::fs::write(
        workspace.path().join("bad.yaml"),
        "version: 1\nproject: {name: 5}\nenvironments: {a: {tier: nope}, b: {tier: nope}}\n",
    )
    .expect("write");
    let runs: [&[&str]; 9] = [
        &["explain", "all"],
        &["schema"],
        &["man"],
        &["completions", "bash"],
        &["validate", "bad.yaml", "--format", "sarif"],
        &["validate", "bad.yaml", "--format", "json"],
        &["validate", "bad.yaml", "--format", "human"],
        &["validate", "bad.yaml", "--format", "github"],
        &["plan", "bad.yaml", "--format", "markdown"],
    ];
    for args in runs {
        // The reader is gone before saasctl writes a byte: every write meets a closed pipe.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = crate::common::saasctl()
            .current_dir(workspace.path())
            .args(args)
            .stdout(writer)
            .output()
            .expect("run saasctl");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// The same for every command that reads the registry, in every format: a plan, an apply
/// (which still does its work), a saved plan shown, a binding rendered.
#[test]
fn a_closed_stdout_ends_quietly_against_a_registry() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("saasctl.yaml"),
        "version: 1\naccount: {license: adobe-commerce}\nkeys:\n  production:\n    \
         api_key: {file: keys/production.api-key}\n    private_key: {file: keys/production.pem}\n    \
         gateway: embedded\nproject:\n  name: Luma\n  data_spaces:\n    \
         live: {type: production, name: Luma Production}\nenvironments:\n  \
         production: {tier: production, data_space: live, websites: [base]}\n",
    )
    .expect("write yaml");
    let closed = |args: &[&str]| {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = crate::common::saasctl()
            .current_dir(dir.path())
            .args(args)
            .stdout(writer)
            .output()
            .expect("run saasctl");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        output.status.code()
    };
    // The apply does its work though nobody reads what it says.
    assert_eq!(closed(&["apply", "--auto-approve"]), Some(0));
    let after = crate::common::run_in(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(
        crate::common::code(&after),
        0,
        "{}",
        crate::common::both(&after)
    );
    let saved = crate::common::run_in(dir.path(), &["plan", "--out", "plan.json"]);
    assert_eq!(
        crate::common::code(&saved),
        0,
        "{}",
        crate::common::both(&saved)
    );
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["text", "markdown", "json"] {
        runs.push(vec!["plan", "--format", format]);
        runs.push(vec!["show", "plan.json", "--format", format]);
    }
    runs.push(vec!["plan", "--out", "-"]);
    for format in ["text", "json"] {
        runs.push(vec!["apply", "--auto-approve", "--format", format]);
    }
    runs.push(vec!["apply", "plan.json"]);
    for format in ["env", "shell", "docker", "env-php", "config-set", "json"] {
        runs.push(vec!["render", "production", "--format", format]);
    }
    runs.push(vec!["validate", "--format", "sarif"]);
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        runs.push(vec!["completions", shell]);
    }
    runs.push(vec!["explain", "SC001"]);
    runs.push(vec!["init", "--merchant", "Luma", "--out", "-"]);
    // Last: with --yes, import writes what is live into the file.
    runs.push(vec!["import"]);
    runs.push(vec!["import", "--yes"]);
    for args in &runs {
        closed(args);
    }
}
