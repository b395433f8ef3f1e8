//! How long offline validation of a large agency file takes: `cargo bench --bench validate`.
//! Prints the median and the slowest of several runs; it asserts nothing (timing belongs in a
//! benchmark, not in a test).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write;
use std::time::{Duration, Instant};

fn large_config(environments: usize) -> String {
    let mut yaml = String::from(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {env: BENCH_API_KEY}\n    private_key: {file: keys/production.pem}\n    gateway: embedded\nproject:\n  name: Bench\n  data_spaces:\n    live: {type: production, name: Bench Production}\n    staging: {type: testing, name: Bench Staging}\n    qa: {type: testing, name: Bench QA}\nenvironments:\n  production:\n    tier: production\n    data_space: live\n    websites: [base]\n",
    );
    for i in 1..environments {
        let space = if i % 2 == 0 { "staging" } else { "qa" };
        let _ = write!(
            yaml,
            "  env_{i}:\n    tier: testing\n    data_space: {space}\n    websites: [site_{i}_a, site_{i}_b]\n"
        );
    }
    yaml
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    std::fs::write(&path, large_config(1_000)).expect("write");
    let (_, diagnostics) = saasctl::rules::check_file(&path);
    // Only the API key variable is missing; the rest must be clean, or the bench measures errors.
    assert!(
        diagnostics.iter().all(|d| d.rule == "SC007"),
        "{diagnostics:?}"
    );

    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(saasctl::rules::check_file(&path));
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "validate 1,000 environments ({} KiB): median {:.2?}, slowest {:.2?} over {} runs",
        std::fs::metadata(&path)
            .map(|m| m.len() / 1024)
            .unwrap_or(0),
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}
