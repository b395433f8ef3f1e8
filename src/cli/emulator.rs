//! `saasctl emulator`: runs the local registry emulator until SIGINT or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{Error, ExitStatus};
use crate::emulator::{Emulator, EmulatorConfig, Faults};

/// Run the local registry emulator (the registry API, a key portal, and injectable faults).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub listen: SocketAddr,

    /// Listen on a non-loopback address (the emulator speaks plain HTTP and holds API keys).
    #[arg(long)]
    pub allow_remote: bool,

    /// JSON file the state persists to (created if missing); in memory only without it.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Latency added to every registry request, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,

    /// Random extra latency, up to N milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jitter_ms: u64,

    /// Share of registry requests answered 503 (0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Share of registry requests answered 429 with Retry-After (0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub throttle_rate: f64,

    /// The Retry-After of throttled answers, in seconds.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub retry_after_secs: u64,

    /// Share of changes applied and saved whose answer is then dropped (0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub drop_after_commit_rate: f64,

    /// Seed of the fault draws, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(args: Args) -> Result<ExitStatus, Error> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(Error::NotLoopback(args.listen));
    }
    let config = EmulatorConfig {
        state_file: args.state,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            jitter: Duration::from_millis(args.jitter_ms),
            fail_rate: args.fail_rate,
            throttle_rate: args.throttle_rate,
            retry_after_secs: args.retry_after_secs,
            drop_after_commit_rate: args.drop_after_commit_rate,
            seed: args.seed,
        },
    };
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let running = Emulator::bind(args.listen, config).await?;
        let mut stdout = std::io::stdout().lock();
        // Scripts and tests wait for this line to learn the port.
        writeln!(stdout, "saasctl emulator listening on {}", running.url())
            .and_then(|()| stdout.flush())
            .map_err(|source| Error::Io {
                what: "write to stdout",
                source,
            })?;
        drop(stdout);
        stop_signal().await;
        running.shutdown().await?;
        Ok(ExitStatus::Success)
    })
}

/// Waits for SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
