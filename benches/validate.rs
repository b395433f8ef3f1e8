//! How long offline validation of a large agency file takes: `cargo bench --bench validate`.
//! Prints the median and the slowest of several runs; it asserts nothing (timing belongs in a
//! benchmark, not in a test).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

mod common;
use common::large_config;

/// The times of `runs` validations of the file at `path`, fastest first.
fn timings(path: &std::path::Path, runs: usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(saasctl::rules::check_file(path));
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

/// The median of `runs` validations of `yaml`.
fn median(yaml: &str, runs: usize) -> Duration {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    std::fs::write(&path, yaml).expect("write");
    let times = timings(&path, runs);
    times[times.len() / 2]
}

/// Validation must stay linear: 8x the environments, at most about 8x the time.
fn scaling() {
    for shared_code in [false, true] {
        let small = median(&large_config(1_000, shared_code), 9);
        let large = median(&large_config(8_000, shared_code), 5);
        println!(
            "validate {}: 1,000 environments {small:.2?}, 8,000 {large:.2?}, ratio {:.1}x (linear: 8x)",
            if shared_code {
                "one shared website code"
            } else {
                "distinct website codes"
            },
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
}

/// A file with `count` unknown top-level keys, each a schema error: checked and rendered as
/// `validate` prints it.
fn unknown_keys(count: usize) -> Duration {
    let mut yaml = large_config(1, false);
    for i in 0..count {
        yaml.push_str(&format!("unknown_{i}: {i}\n"));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    std::fs::write(&path, &yaml).expect("write");
    let started = Instant::now();
    let (loaded, diagnostics) = saasctl::rules::check_file(&path);
    let mut sources = saasctl::diagnostic::Sources::default();
    sources.insert(loaded.file.as_str(), &loaded.source);
    std::hint::black_box(saasctl::diagnostic::render_human(
        &diagnostics,
        &sources,
        false,
    ));
    let took = started.elapsed();
    assert!(diagnostics.len() >= count, "{} findings", diagnostics.len());
    took
}

/// Findings must stay linear too: 8x the unknown keys, about 8x the time (and 40,000 within
/// the 2 s).
fn many_findings() {
    let small = unknown_keys(5_000);
    let large = unknown_keys(40_000);
    println!(
        "validate and render 5,000 unknown keys {small:.2?}, 40,000 {large:.2?}, ratio {:.1}x (linear: 8x)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saasctl.yaml");
    std::fs::write(&path, large_config(1_000, false)).expect("write");
    let (_, diagnostics) = saasctl::rules::check_file(&path);
    // Only the API key variable is missing; the rest must be clean, or the bench measures errors.
    assert!(
        diagnostics.iter().all(|d| d.rule == "SC007"),
        "{diagnostics:?}"
    );

    let times = timings(&path, 30);
    println!(
        "validate 1,000 environments ({} KiB): median {:.2?}, slowest {:.2?} over {} runs",
        std::fs::metadata(&path)
            .map(|m| m.len() / 1024)
            .unwrap_or(0),
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    scaling();
    many_findings();
}
