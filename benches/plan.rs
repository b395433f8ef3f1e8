//! How long the CPU side of planning takes for an agency: `cargo bench --bench plan`.
//! 200 merchants, each with a live project whose names differ from the declared ones, are
//! parsed, validated, matched and diffed; the network is not part of it. Prints the median and
//! the slowest of several runs; asserts nothing.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use saasctl::config::DataSpaceType;
use saasctl::live::{LiveRow, LiveState};
use saasctl::plan::{MerchantInput, plan};
use saasctl::rules::Allowances;
use saasctl::rules::check_file;

const MERCHANTS: usize = 200;

fn merchant_yaml(i: usize) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {{file: keys/production.api-key}}\n    private_key: {{file: keys/production.pem}}\n    gateway: embedded\nproject:\n  name: Merchant {i}\n  previous_names: [Old Merchant {i}]\n  data_spaces:\n    live: {{type: production, name: M{i} Production}}\n    staging: {{type: testing, name: M{i} Staging, previous_names: [Testing 1]}}\n    qa: {{type: testing, name: M{i} QA}}\nenvironments:\n  production: {{tier: production, data_space: live, websites: [base]}}\n  staging: {{tier: staging, data_space: staging, websites: [base]}}\n  qa: {{tier: testing, data_space: qa, websites: [base]}}\n"
    )
}

fn live(i: usize) -> LiveState {
    let project = format!("00000000-0000-4000-8000-{i:012}");
    let row = |n: usize, name: &str, kind: DataSpaceType| LiveRow {
        project_id: project.clone(),
        project_name: format!("Old Merchant {i}"),
        environment_id: format!("{:08}-0000-4000-8000-{i:012}", n),
        environment_name: name.to_owned(),
        environment_type: kind,
    };
    LiveState::from_rows([
        row(1, "Production", DataSpaceType::Production),
        row(2, "Testing 1", DataSpaceType::Testing),
        row(3, "Testing 2", DataSpaceType::Testing),
    ])
    .expect("consistent rows")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths: Vec<_> = (0..MERCHANTS)
        .map(|i| {
            let path = dir.path().join(format!("m{i}.yaml"));
            std::fs::write(&path, merchant_yaml(i)).expect("write");
            path
        })
        .collect();
    let lives: Vec<LiveState> = (0..MERCHANTS).map(live).collect();
    let no_keys = Default::default();
    let no_installations = Default::default();

    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let files: Vec<_> = paths.iter().map(|p| check_file(p)).collect();
            let inputs: Vec<MerchantInput> = files
                .iter()
                .zip(&lives)
                .map(|((loaded, diagnostics), live)| MerchantInput {
                    loaded,
                    diagnostics,
                    live,
                    fingerprints: &no_keys,
                    gateway: "",
                    installations: &no_installations,
                })
                .collect();
            let planned = std::hint::black_box(plan(&inputs, &Allowances::default()));
            assert_eq!(
                planned.summary.rename,
                MERCHANTS * 4,
                "{:?}",
                planned.summary
            );
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "load, validate and plan {MERCHANTS} merchants: median {:.2?}, slowest {:.2?} over {} runs",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}
