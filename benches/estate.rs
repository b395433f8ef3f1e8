//! An agency's estate against a registry adding 20 ms per request (`ESTATE_LATENCY_MS` sets another):
//! `cargo bench --bench estate [N…]` (default 10 and 200 merchants). For each N it builds two
//! estates, one where every merchant has its own account and key (a real agency) and one where
//! every merchant signs with the same key (the original setup), starts the emulator on
//! loopback and runs the release binary: plan at several parallelisms (to choose the default),
//! with the default (the median of five runs), and sequentially (up to 200 merchants), then
//! apply with four renames per merchant. Prints wall time, requests, the ideal for the concurrency (ceil(requests / C) x
//! latency), CPU per merchant and peak memory, then each target of the estate-scale issue
//! against what this one run measured. Asserts nothing: timing belongs in a benchmark.
//! `ESTATE_KEYS=own` or `ESTATE_KEYS=shared` runs one setup only; `ESTATE_EMULATOR=process` or
//! `ESTATE_EMULATOR=inprocess` runs the registry one way only (both by default: a process of
//! its own, as a real gateway is, and inside the benchmark); `ESTATE_HOLD=1` keeps each estate
//! and its registry up until Enter, to profile a run by hand.
//! Beside saasctl, each estate is read by two yardsticks: a 16-thread reference client that
//! reads, parses and signs inside its timed run as a script would, and a network-only run of
//! the same requests with every key parsed and every token signed beforehand.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

use saasctl::config::{KeySetName, License, SecretValue};
use saasctl::emulator::portal::{NewAccount, register};
use saasctl::emulator::{Emulator, EmulatorConfig, Faults, RunningEmulator};
use saasctl::keys::PrivateKey;
use saasctl::registry::client::http_client;
use saasctl::registry::jwt;
use saasctl::registry::{ClientOptions, RegistryClient};

/// What the registry adds to every request: 20 ms, or `ESTATE_LATENCY_MS`.
static LATENCY: std::sync::LazyLock<Duration> = std::sync::LazyLock::new(|| {
    Duration::from_millis(
        std::env::var("ESTATE_LATENCY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(20),
    )
});
/// The parallelisms compared when choosing the default.
const CHOICES: [u64; 4] = [16, 32, 64, 128];
const DEFAULT: u64 = saasctl::run::connect::DEFAULT_PARALLELISM as u64;

/// Whose key each merchant signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeySetup {
    /// Every merchant its own key, as in a real agency: each run parses every key and sets up
    /// its blinding on its first signature.
    Own,
    /// One key for every merchant, as the issue measured: parsed and set up once per run,
    /// which leaves the cost of everything but per-key RSA.
    Shared,
}

impl KeySetup {
    fn label(self) -> &'static str {
        match self {
            KeySetup::Own => "own keys",
            KeySetup::Shared => "shared key",
        }
    }

    /// `ESTATE_KEYS=own|shared` picks one; both by default.
    fn chosen() -> Vec<KeySetup> {
        match std::env::var("ESTATE_KEYS").as_deref() {
            Ok("own") => vec![KeySetup::Own],
            Ok("shared") => vec![KeySetup::Shared],
            _ => vec![KeySetup::Own, KeySetup::Shared],
        }
    }

    fn keys(self, count: usize) -> Vec<PrivateKey> {
        match self {
            KeySetup::Own => distinct_keys(count),
            KeySetup::Shared => vec![distinct_keys(1).remove(0); count],
        }
    }
}

/// `count` distinct keys, generated once (aws-lc, on every core) and kept under `target/` for
/// the next run.
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

/// Where the registry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    /// A process of its own (`saasctl emulator`), as a real gateway is: its CPU is not the
    /// benchmark's, though both share this machine's two cores.
    Process,
    /// Inside the benchmark process.
    InProcess,
}

impl Host {
    fn label(self) -> &'static str {
        match self {
            Host::Process => "process",
            Host::InProcess => "in-process",
        }
    }

    /// `ESTATE_EMULATOR=process|inprocess` picks one; both by default.
    fn chosen() -> Vec<Host> {
        match std::env::var("ESTATE_EMULATOR").as_deref() {
            Ok("process") => vec![Host::Process],
            Ok("inprocess") => vec![Host::InProcess],
            _ => vec![Host::Process, Host::InProcess],
        }
    }
}

/// A registry adding [`LATENCY`] to every request, served one of the two ways.
enum Registry {
    InProcess(RunningEmulator),
    Process {
        child: std::process::Child,
        url: String,
    },
}

impl Registry {
    fn start(runtime: &tokio::runtime::Runtime, host: Host) -> Registry {
        match host {
            Host::InProcess => Registry::InProcess(runtime.block_on(async {
                Emulator::bind(
                    "127.0.0.1:0".parse().unwrap(),
                    EmulatorConfig {
                        state_file: None,
                        faults: Faults {
                            latency: *LATENCY,
                            ..Faults::default()
                        },
                    },
                )
                .await
                .unwrap()
            })),
            Host::Process => {
                let mut child = Command::new(env!("CARGO_BIN_EXE_saasctl"))
                    .args(["emulator", "--listen", "127.0.0.1:0", "--latency-ms"])
                    .arg(LATENCY.as_millis().to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::inherit())
                    .spawn()
                    .unwrap();
                let mut line = String::new();
                std::io::BufRead::read_line(
                    &mut std::io::BufReader::new(child.stdout.take().unwrap()),
                    &mut line,
                )
                .unwrap();
                let url = line
                    .trim()
                    .strip_prefix("saasctl emulator listening on ")
                    .unwrap_or_else(|| panic!("the emulator said {line:?}"))
                    .to_owned();
                Registry::Process { child, url }
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Registry::InProcess(emulator) => emulator.url(),
            Registry::Process { url, .. } => url.clone(),
        }
    }

    /// Registry requests received so far.
    fn requests(&self, runtime: &tokio::runtime::Runtime) -> u64 {
        match self {
            Registry::InProcess(emulator) => emulator.requests(),
            Registry::Process { url, .. } => runtime.block_on(async {
                let answer: serde_json::Value = reqwest::get(format!("{url}portal/requests"))
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                answer["requests"].as_u64().unwrap()
            }),
        }
    }

    fn stop(self, runtime: &tokio::runtime::Runtime) {
        match self {
            Registry::InProcess(emulator) => runtime.block_on(emulator.shutdown()).unwrap(),
            Registry::Process { mut child, .. } => {
                // SIGTERM: the emulator stops serving and exits.
                let pid = libc::pid_t::try_from(child.id()).unwrap();
                // SAFETY: kill(2) on our own child's pid, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGTERM) };
                child.wait().unwrap();
            }
        }
    }
}

/// One merchant's credentials as files hold them.
struct Credentials {
    api_key: String,
    pem: String,
}

fn credentials(dir: &Path, merchants: usize) -> Vec<Credentials> {
    (0..merchants)
        .map(|i| Credentials {
            api_key: std::fs::read_to_string(dir.join(format!("keys/m{i}.api-key"))).unwrap(),
            pem: std::fs::read_to_string(dir.join(format!("keys/m{i}.pem"))).unwrap(),
        })
        .collect()
}

/// `GET registry` as the gateway wants it, with a token already signed.
async fn list_registry(http: &reqwest::Client, url: &str, api_key: &str, token: &str) {
    let response = http
        .get(format!("{url}merchant-registry/v1/registry"))
        .header("magento-api-key", api_key)
        .header("x-api-key", api_key)
        .header("x-gw-signature", token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.unwrap();
}

/// The reference client: 16 threads, each reading, parsing and signing for its share of the
/// merchants and sending one `GET registry` each, as a script with 16 workers would. Timed
/// from reading the first file to the last answer.
fn reference_client(dir: &Path, url: &str, merchants: usize) -> Duration {
    const THREADS: usize = 16;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let http = http_client(&ClientOptions::default()).unwrap();
                for i in (thread..merchants).step_by(THREADS) {
                    let api_key =
                        std::fs::read_to_string(dir.join(format!("keys/m{i}.api-key"))).unwrap();
                    let pem = std::fs::read_to_string(dir.join(format!("keys/m{i}.pem"))).unwrap();
                    let key = PrivateKey::from_pem(&pem).unwrap();
                    let token = jwt::sign(&key, jwt::now_secs());
                    runtime.block_on(list_registry(&http, url, api_key.trim(), &token));
                }
            });
        }
    });
    started.elapsed()
}

/// The network alone: the same requests at saasctl's default concurrency over one pool, with
/// every file read, every key parsed and every token signed before the clock starts.
fn network_only(
    runtime: &tokio::runtime::Runtime,
    credentials: &[Credentials],
    url: &str,
) -> Duration {
    let now = jwt::now_secs();
    let signed: Vec<(String, String)> = credentials
        .iter()
        .map(|c| {
            let key = PrivateKey::from_pem(&c.pem).unwrap();
            (c.api_key.trim().to_owned(), jwt::sign(&key, now))
        })
        .collect();
    let http = http_client(&ClientOptions::default()).unwrap();
    runtime.block_on(async {
        let started = Instant::now();
        futures::stream::iter(signed.iter())
            .map(|(api_key, token)| list_registry(&http, url, api_key, token))
            .buffer_unordered(DEFAULT as usize)
            .collect::<Vec<()>>()
            .await;
        started.elapsed()
    })
}

fn merchant_yaml(i: usize) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {{file: keys/m{i}.api-key}}\n    private_key: {{file: keys/m{i}.pem}}\nproject:\n  name: Merchant {i}\n  previous_names: [Old Merchant {i}]\n  data_spaces:\n    live: {{type: production, name: M{i} Production}}\n    staging: {{type: testing, name: M{i} Staging, previous_names: [Testing 1]}}\n    qa: {{type: testing, name: M{i} QA, previous_names: [Testing 2]}}\nenvironments:\n  production: {{tier: production, data_space: live, websites: [base]}}\n  staging: {{tier: staging, data_space: staging, websites: [base]}}\n  qa: {{tier: testing, data_space: qa, websites: [base]}}\n"
    )
}

/// What one run of the binary cost: wall time, CPU time (user + system) and peak resident memory,
/// read with `wait4` so they are this child's alone.
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
    ok: bool,
}

/// Runs of the default plan per estate: this VM's timings vary by a tenth from run to run, and
/// the targets are read from the median.
const REPEATS: usize = 5;

/// The median wall time and, separately, the median CPU time and peak memory of `costs`; a
/// failed run fails the lot.
fn median(mut costs: Vec<Cost>) -> Cost {
    let middle = costs.len() / 2;
    let ok = costs.iter().all(|c| c.ok);
    costs.sort_by_key(|c| c.wall);
    let wall = costs[middle].wall;
    costs.sort_by_key(|c| c.cpu);
    let cpu = costs[middle].cpu;
    costs.sort_by_key(|c| c.peak_rss_kib);
    Cost {
        wall,
        cpu,
        peak_rss_kib: costs[middle].peak_rss_kib,
        ok,
    }
}

/// Set in the environment of the small process that starts each measured run.
const STARTER: &str = "ESTATE_STARTER";

/// Runs saasctl with `args` in `dir` through a starter process. Linux carries a process's peak
/// memory across fork and exec, so a child of this process (which holds every key and the
/// registry) would report at least this process's size; the starter is small.
fn saasctl(dir: &Path, url: &str, args: &[&str]) -> Cost {
    let report = Command::new(std::env::current_exe().unwrap())
        .env(STARTER, "1")
        .current_dir(dir)
        .env("SAASCTL_GATEWAY", url)
        .arg(env!("CARGO_BIN_EXE_saasctl"))
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let report = String::from_utf8(report.stdout).unwrap();
    let fields: Vec<u64> = report
        .split_whitespace()
        .map(|f| f.parse().unwrap())
        .collect();
    let [wall_ns, cpu_us, peak_rss_kib, ok] = fields[..] else {
        panic!("the starter reported {report:?}");
    };
    Cost {
        wall: Duration::from_nanos(wall_ns),
        cpu: Duration::from_micros(cpu_us),
        peak_rss_kib: i64::try_from(peak_rss_kib).unwrap(),
        ok: ok == 1,
    }
}

/// The starter: runs the program and arguments it was given and prints the child's wall time
/// (ns), CPU time (µs), peak memory (KiB) and whether it succeeded.
fn start_and_report() {
    let mut args = std::env::args_os().skip(1);
    let program = args.next().unwrap();
    let started = Instant::now();
    #[allow(clippy::zombie_processes, reason = "reaped by wait4 below")]
    let child = Command::new(program)
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
    let wall = started.elapsed();
    let micros = |t: libc::timeval| {
        u64::try_from(t.tv_sec).unwrap() * 1_000_000 + u64::try_from(t.tv_usec).unwrap()
    };
    println!(
        "{} {} {} {}",
        wall.as_nanos(),
        micros(usage.ru_utime) + micros(usage.ru_stime),
        usage.ru_maxrss,
        u8::from(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0)
    );
}

fn ideal(requests: u64, concurrency: u64) -> Duration {
    *LATENCY * u32::try_from(requests.div_ceil(concurrency)).unwrap()
}

/// What one estate measured, for the targets.
struct Summary {
    setup: KeySetup,
    host: Host,
    merchants: usize,
    reference: Duration,
    plan: Cost,
    plan_requests: u64,
    sequential: Option<Duration>,
    apply: Cost,
    apply_requests: u64,
}

/// Runs the estate of `merchants` with `setup`'s keys.
fn estate(
    runtime: &tokio::runtime::Runtime,
    merchants: usize,
    setup: KeySetup,
    host: Host,
) -> Summary {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    let keys = setup.keys(merchants);
    let registry = Registry::start(runtime, host);
    let url = registry.url();
    runtime.block_on(async {
        // Each merchant's account, and its project as someone clicked it: old names.
        let url = url.clone();
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
                        environment: KeySetName::Production,
                    },
                )
                .await
                .unwrap();
                std::fs::write(dir.join(format!("keys/m{i}.api-key")), &api_key).unwrap();
                // Private to its owner, as `saasctl keys generate` writes it (SC014 otherwise).
                let pem = dir.join(format!("keys/m{i}.pem"));
                std::fs::write(&pem, key.to_pkcs8_pem()).unwrap();
                let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
                std::fs::set_permissions(&pem, private).unwrap();
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
    });
    if std::env::var_os("ESTATE_HOLD").is_some() {
        // For profiling one run by hand: the estate and its registry stay up until Enter.
        println!(
            "estate of {merchants} in {}; SAASCTL_GATEWAY={url}; press Enter to go on",
            dir.path().display()
        );
        std::io::stdin().read_line(&mut String::new()).unwrap();
    }
    // Each run: wall time against the ideal for its concurrency and against the issue's
    // yardstick, the 16-way ideal.
    let name = format!(
        "{merchants:>5} merchants, {:<10} {:<10}",
        setup.label(),
        host.label()
    );
    let print_yardstick = |label: &str, wall: Duration| {
        println!(
            "{name} {label:<32} {wall:>8.2?}  {merchants:>5} requests  ratio to 16-way {:>5.2}",
            wall.as_secs_f64() / ideal(merchants as u64, 16).as_secs_f64()
        );
    };
    let network = network_only(runtime, &credentials(dir.path(), merchants), &url);
    print_yardstick("network only (pre-signed)", network);
    let reference = reference_client(dir.path(), &url, merchants);
    print_yardstick("reference client, 16 threads", reference);
    let measure = |label: &str, args: &[&str], concurrency: u64, repeats: usize| {
        let before = registry.requests(runtime);
        let cost = median(
            (0..repeats)
                .map(|_| saasctl(dir.path(), &url, args))
                .collect(),
        );
        let requests = (registry.requests(runtime) - before) / repeats as u64;
        let ratio = |ideal: Duration| cost.wall.as_secs_f64() / ideal.as_secs_f64();
        let label = if repeats > 1 {
            format!("{label} (median of {repeats})")
        } else {
            label.to_owned()
        };
        println!(
            "{name} {label:<32} {:>8.2?}  {requests:>5} requests  ideal {:>8.2?}  ratio {:>5.2}  ratio to 16-way {:>5.2}  cpu/merchant {:>7.2?}  peak {:>3} MiB{}",
            cost.wall,
            ideal(requests, concurrency),
            ratio(ideal(requests, concurrency)),
            ratio(ideal(requests, 16)),
            cost.cpu / u32::try_from(merchants).unwrap(),
            cost.peak_rss_kib / 1024,
            if cost.ok { "" } else { "  (FAILED)" }
        );
        (cost, requests)
    };
    for parallelism in CHOICES {
        measure(
            &format!("plan, parallelism {parallelism}"),
            &["plan", ".", "--parallelism", &parallelism.to_string()],
            parallelism,
            1,
        );
    }
    let (plan, plan_requests) = measure("plan, default", &["plan", "."], DEFAULT, REPEATS);
    let sequential = (merchants <= 200).then(|| {
        measure(
            "plan, sequential",
            &["plan", ".", "--parallelism", "1"],
            1,
            1,
        )
        .0
        .wall
    });
    let (apply, apply_requests) = measure(
        "apply (4 renames each)",
        &["apply", ".", "--auto-approve"],
        DEFAULT,
        1,
    );
    registry.stop(runtime);
    Summary {
        setup,
        host,
        merchants,
        reference,
        plan,
        plan_requests,
        sequential,
        apply,
        apply_requests,
    }
}

/// Each target of the estate-scale issue against this run, per key setup: the largest estate
/// with a sequential run (up to 200 merchants) for the plan and apply targets, the CPU slope
/// from the smallest to the largest estate, and the largest estate's peak memory.
fn verdicts(summaries: &[Summary], setup: KeySetup, host: Host) {
    let runs: Vec<&Summary> = summaries
        .iter()
        .filter(|s| s.setup == setup && s.host == host)
        .collect();
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return;
    };
    println!("\ntargets, {}, registry {}:", setup.label(), host.label());
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    if let Some(s) = runs.iter().rev().find(|s| s.sequential.is_some()) {
        let n = s.merchants;
        let per_merchant = s.plan.cpu / u32::try_from(n).unwrap();
        let to_ideal = s.plan.wall.as_secs_f64() / ideal(s.plan_requests, 16).as_secs_f64();
        let speed_up = s.sequential.unwrap().as_secs_f64() / s.plan.wall.as_secs_f64();
        let apply_to_ideal = s.apply.wall.as_secs_f64() / ideal(n as u64 * 5, 16).as_secs_f64();
        let apply_requests = s.apply_requests as f64 / (n as f64 * 5.0);
        let to_reference = s.plan.wall.as_secs_f64() / s.reference.as_secs_f64();
        println!(
            "  plan of {n}: {to_ideal:.2}x the 16-way ideal (at most 1.0x): {}",
            verdict(to_ideal <= 1.0)
        );
        println!(
            "  plan of {n}: {speed_up:.1}x faster than sequential (at least 20x): {}",
            verdict(speed_up >= 20.0)
        );
        println!(
            "  plan of {n}: {to_reference:.2}x the 16-thread reference client's time (at most 0.8x): {}",
            verdict(to_reference <= 0.8)
        );
        println!(
            "  plan of {n}: {per_merchant:.2?} of CPU per merchant (at most 1.2 ms): {}",
            verdict(per_merchant <= Duration::from_micros(1200))
        );
        println!(
            "  apply of {n} x 4 renames: {apply_to_ideal:.2}x the 16-way ideal for the minimum requests (at most 1.5x): {}",
            verdict(apply_to_ideal <= 1.5)
        );
        println!(
            "  apply of {n} x 4 renames: {apply_requests:.2}x the minimum requests (at most 1.3x): {}",
            verdict(apply_requests <= 1.3)
        );
    }
    if last.merchants > first.merchants {
        // What one more merchant costs, without the process's fixed costs (start-up, seeding
        // the random generator).
        println!(
            "  plan CPU per additional merchant ({} -> {}): {:.2?}",
            first.merchants,
            last.merchants,
            last.plan.cpu.saturating_sub(first.plan.cpu)
                / u32::try_from(last.merchants - first.merchants).unwrap()
        );
    }
    let peak = last.plan.peak_rss_kib / 1024;
    println!(
        "  plan of {}: peak memory {peak} MiB (at most 64 MiB for 1,000): {}",
        last.merchants,
        if last.merchants >= 1000 {
            verdict(peak <= 64)
        } else {
            "(needs 1,000 merchants)"
        }
    );
}

fn main() {
    if std::env::var_os(STARTER).is_some() {
        return start_and_report();
    }
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
    let setups = KeySetup::chosen();
    let hosts = Host::chosen();
    let mut runs = Vec::new();
    for &host in &hosts {
        for &setup in &setups {
            runs.extend(sizes.iter().map(|&n| (host, setup, n)));
        }
    }
    let summaries: Vec<Summary> = runs
        .into_iter()
        .map(|(host, setup, merchants)| estate(&runtime, merchants, setup, host))
        .collect();
    for &host in &hosts {
        for &setup in &setups {
            verdicts(&summaries, setup, host);
        }
    }
}
