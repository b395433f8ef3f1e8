//! No secret reaches output: generated configurations put real key material where users put it
//! by mistake (typo'd fields, broken quotes and indentation, comments, secret references), and
//! every command and format that renders them is checked.

use crate::common::{Workspace, stderr, stdout, test_key_pem};

const API_KEY: &str = "5f2b9c0e7a1d4b3c8e6f0a2b4c6d8e0f";

/// Key material that must never be printed: the API key, and every line of the PEM body.
fn secrets() -> Vec<String> {
    let mut secrets = vec![API_KEY.to_owned(), API_KEY[..16].to_owned()];
    secrets.extend(
        test_key_pem()
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::to_owned),
    );
    secrets
}

fn indented_pem(indent: &str) -> String {
    test_key_pem()
        .lines()
        .map(|line| format!("{indent}{line}\n"))
        .collect()
}

/// The `keys.production` block, in each shape a user could get wrong.
fn key_blocks() -> Vec<String> {
    let good = "    private_key: {file: keys/production.pem}\n";
    vec![
        format!("    api-key: {API_KEY}\n    api_key: {{env: LUMA_API_KEY}}\n{good}"),
        format!("    api_key: \"{API_KEY}\n{good}"),
        format!("    api_key: '{API_KEY}\n{good}"),
        format!("    api_key: {API_KEY}\n{good}"),
        format!("    api_key: {{env: {API_KEY}}}\n{good}"),
        format!("    api_key: {{file: {API_KEY}}}\n{good}"),
        format!("    api_key: {{env: LUMA_API_KEY, value: {API_KEY}}}\n{good}"),
        format!("      api_key: {API_KEY}\n{good}"),
        format!("   api_key: {API_KEY}\n{good}"),
        format!("    api_key: {{env: LUMA_API_KEY}}  # {API_KEY}\n{good}"),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: |\n{}",
            indented_pem("      ")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: \"{}",
            test_key_pem().replace('\n', "\\n")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    privat_key: |\n{}",
            indented_pem("      ")
        ),
        format!(
            "    api_key: {{env: LUMA_API_KEY}}\n    private_key: |\n{}",
            indented_pem("    ")
        ),
    ]
}

fn config(keys: &str) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n{keys}    gateway: embedded\nproject:\n  name: Luma\n  data_spaces:\n    live: {{type: production, name: Luma Production}}\nenvironments:\n  production: {{tier: production, data_space: live}}\n"
    )
}

#[test]
fn no_format_of_any_command_prints_key_material() {
    let secrets = secrets();
    let commands: &[&[&str]] = &[
        &["validate", "--format", "human", "--color", "never"],
        &["validate", "--format", "json"],
        &["validate", "--format", "sarif"],
        &["validate", "--format", "github"],
        &["plan", "--format", "text", "--color", "never"],
        &["plan", "--format", "markdown"],
        &["plan", "--format", "json"],
        &["apply", "--auto-approve", "--color", "never"],
    ];
    let mut runs = 0;
    for keys in key_blocks() {
        let workspace = Workspace::new(&config(&keys));
        for args in commands {
            let output = workspace.run(args);
            runs += 1;
            for text in [stdout(&output), stderr(&output)] {
                for secret in &secrets {
                    assert!(
                        !text.contains(secret.as_str()),
                        "`saasctl {}` printed key material for\n{keys}\n---\n{text}",
                        args.join(" ")
                    );
                }
            }
        }
    }
    assert_eq!(runs, key_blocks().len() * commands.len());
}
