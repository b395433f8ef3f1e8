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
