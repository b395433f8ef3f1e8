//! An agency's estate against a registry adding 20 ms per request:
//! `cargo bench --bench estate [N…]` (default 10 and 200 merchants). Generates N merchants,
//! each its own account and key, starts the emulator on loopback, and runs the release binary:
//! plan at several parallelisms (to choose the default), with the default, and sequentially
//! (up to 200 merchants), then apply with four renames per merchant. Prints wall time,
//! requests, the ideal for the concurrency (ceil(requests / C) x latency), CPU per merchant and
//! peak memory. Asserts nothing: timing belongs in a benchmark.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

use saasctl::config::{License, SecretValue};
use saasctl::emulator::portal::{NewAccount, register};
use saasctl::emulator::{Emulator, EmulatorConfig, Faults};
use saasctl::keys::PrivateKey;
use saasctl::registry::{ClientOptions, RegistryClient};

const LATENCY: Duration = Duration::from_millis(20);
/// The parallelisms compared when choosing the default.
const CHOICES: [u64; 3] = [16, 32, 64];
const DEFAULT: u64 = saasctl::run::connect::DEFAULT_PARALLELISM as u64;

/// `count` distinct keys, as every merchant has its own: generated once (aws-lc, on every
/// core) and kept under `target/` for the next run. `ESTATE_SHARED_KEY=1` gives every merchant
/// the same key instead, as this benchmark's first version did: saasctl then parses it and sets
/// up its blinding once, which shows the cost of everything but RSA.
fn keys(count: usize) -> Vec<PrivateKey> {
    if std::env::var_os("ESTATE_SHARED_KEY").is_some() {
        return vec![distinct_keys(1).remove(0); count];
    }
    distinct_keys(count)
}

fn distinct_keys(count: usize) -> Vec<PrivateKey> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/estate-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let indices: Vec<usize> = (0..count).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = indices
            .chunks(count.div_ceil(cores).max(1))
            .map(|chunk| {
                let dir = &dir;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|i| {
                            let path = dir.join(format!("{i}.pem"));
                            match std::fs::read_to_string(&path) {
                                Ok(pem) => PrivateKey::from_pem(&pem).unwrap(),
                                Err(_) => {
                                    let key = PrivateKey::generate().unwrap();
                                    std::fs::write(&path, key.to_pkcs8_pem()).unwrap();
                                    key
                                }
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

fn merchant_yaml(i: usize) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {{file: keys/m{i}.api-key}}\n    private_key: {{file: keys/m{i}.pem}}\nproject:\n  name: Merchant {i}\n  previous_names: [Old Merchant {i}]\n  data_spaces:\n    live: {{type: production, name: M{i} Production}}\n    staging: {{type: testing, name: M{i} Staging, previous_names: [Testing 1]}}\n    qa: {{type: testing, name: M{i} QA, previous_names: [Testing 2]}}\nenvironments:\n  production: {{tier: production, data_space: live, websites: [base]}}\n  staging: {{tier: staging, data_space: staging, websites: [base]}}\n  qa: {{tier: testing, data_space: qa, websites: [base]}}\n"
    )
}

/// What one run of the binary cost: wall time, CPU time (user + system) and peak resident memory,
/// read with `wait4` so they are this child's alone.
struct Cost {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
    ok: bool,
}

fn saasctl(dir: &Path, url: &str, args: &[&str]) -> Cost {
    let started = Instant::now();
    #[allow(clippy::zombie_processes, reason = "reaped by wait4 below")]
    let child = Command::new(env!("CARGO_BIN_EXE_saasctl"))
        .current_dir(dir)
        .env("SAASCTL_GATEWAY", url)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; the pid is our own child's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.try_into().unwrap())
            + Duration::from_micros(t.tv_usec.try_into().unwrap())
    };
    Cost {
        wall: started.elapsed(),
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

fn ideal(requests: u64, concurrency: u64) -> Duration {
    LATENCY * u32::try_from(requests.div_ceil(concurrency)).unwrap()
}

/// Runs the estate of `merchants`; returns the default plan's CPU time.
fn estate(runtime: &tokio::runtime::Runtime, merchants: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    let keys = keys(merchants);
    let emulator = runtime.block_on(async {
        let emulator = Emulator::bind(
            "127.0.0.1:0".parse().unwrap(),
            EmulatorConfig {
                state_file: None,
                faults: Faults {
                    latency: LATENCY,
                    ..Faults::default()
                },
            },
        )
        .await
        .unwrap();
        // Each merchant's account, and its project as someone clicked it: old names.
        let url = emulator.url();
        let accounts = (0..merchants).map(|i| {
            let (url, key, dir) = (url.clone(), keys[i].clone(), dir.path().to_owned());
            async move {
                let api_key = format!("estate-{i:04}-0a1b2c3d4e5f60718293a4b5c6d7e8f9");
                register(
                    &url,
                    &NewAccount {
                        api_key: Some(api_key.clone()),
                        public_key: key.public_key().to_pem(),
                        license: License::AdobeCommerce,
                        mage_id: None,
                    },
                )
                .await
                .unwrap();
                std::fs::write(dir.join(format!("keys/m{i}.api-key")), &api_key).unwrap();
                std::fs::write(dir.join(format!("keys/m{i}.pem")), key.to_pkcs8_pem()).unwrap();
                std::fs::write(dir.join(format!("m{i}.yaml")), merchant_yaml(i)).unwrap();
                let client = RegistryClient::with_options(
                    &url,
                    &SecretValue::new(api_key),
                    &key,
                    ClientOptions::default(),
                )
                .unwrap();
                client
                    .initialize(&format!("Old Merchant {i}"))
                    .await
                    .unwrap();
            }
        });
        futures::stream::iter(accounts)
            .buffer_unordered(16)
            .collect::<Vec<()>>()
            .await;
        emulator
    });
    let url = emulator.url();
    // Each run: wall time against the ideal for its concurrency and against the issue's
    // yardstick, the 16-way ideal.
    let measure = |label: &str, args: &[&str], concurrency: u64| {
        let before = emulator.requests();
        let cost = saasctl(dir.path(), &url, args);
        let requests = emulator.requests() - before;
        let ratio = |ideal: Duration| cost.wall.as_secs_f64() / ideal.as_secs_f64();
        println!(
            "{merchants:>5} merchants {label:<24} {:>8.2?}  {requests:>5} requests  ideal {:>8.2?}  ratio {:>5.2}  ratio to 16-way {:>5.2}  cpu/merchant {:>7.2?}  peak {:>3} MiB{}",
            cost.wall,
            ideal(requests, concurrency),
            ratio(ideal(requests, concurrency)),
            ratio(ideal(requests, 16)),
            cost.cpu / u32::try_from(merchants).unwrap(),
            cost.peak_rss_kib / 1024,
            if cost.ok { "" } else { "  (FAILED)" }
        );
        (cost.wall, requests, cost.cpu)
    };
    for parallelism in CHOICES {
        measure(
            &format!("plan, parallelism {parallelism}"),
            &["plan", ".", "--parallelism", &parallelism.to_string()],
            parallelism,
        );
    }
    let (plan, _, plan_cpu) = measure("plan, default", &["plan", "."], DEFAULT);
    if merchants <= 200 {
        let (sequential, _, _) =
            measure("plan, sequential", &["plan", ".", "--parallelism", "1"], 1);
        println!(
            "{merchants:>5} merchants plan speed-up over sequential: {:.1}x",
            sequential.as_secs_f64() / plan.as_secs_f64()
        );
    }
    let (_, requests, _) = measure(
        "apply (4 renames each)",
        &["apply", ".", "--auto-approve"],
        DEFAULT,
    );
    let minimum = merchants as u64 * 5;
    println!(
        "{merchants:>5} merchants apply sent {requests} requests, {:.2}x the minimum of {minimum} (1 read + 4 renames each)",
        requests as f64 / minimum as f64
    );
    runtime.block_on(emulator.shutdown()).unwrap();
    plan_cpu
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 200]
    } else {
        sizes
    };
    let cpu: Vec<(usize, Duration)> = sizes
        .iter()
        .map(|&merchants| (merchants, estate(&runtime, merchants)))
        .collect();
    // What one more merchant costs, without the process's fixed costs (start-up, seeding the
    // random generator): the slope between the smallest and the largest estate.
    if let (Some(&(few, few_cpu)), Some(&(many, many_cpu))) = (cpu.first(), cpu.last())
        && many > few
    {
        println!(
            "plan CPU per additional merchant ({few} -> {many}): {:.2?}",
            many_cpu.saturating_sub(few_cpu) / u32::try_from(many - few).unwrap()
        );
    }
}
