//! What the benchmarks share: large configurations.

use std::fmt::Write;

/// A file with `environments` installations: each with its own website codes, or all sharing
/// one code on one data space (each then an SC003 finding).
pub fn large_config(environments: usize, shared_code: bool) -> String {
    let mut yaml = String::from(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {env: BENCH_API_KEY}\n    private_key: {file: keys/production.pem}\n    gateway: embedded\nproject:\n  name: Bench\n  data_spaces:\n    live: {type: production, name: Bench Production}\n    staging: {type: testing, name: Bench Staging}\n    qa: {type: testing, name: Bench QA}\nenvironments:\n  production:\n    tier: production\n    data_space: live\n    websites: [base]\n",
    );
    for i in 1..environments {
        let (space, websites) = if shared_code {
            ("qa", "[shared]".to_owned())
        } else {
            let space = if i % 2 == 0 { "staging" } else { "qa" };
            (space, format!("[site_{i}_a, site_{i}_b]"))
        };
        let _ = write!(
            yaml,
            "  env_{i}:\n    tier: testing\n    data_space: {space}\n    websites: {websites}\n"
        );
    }
    yaml
}
