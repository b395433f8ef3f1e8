//! The registry emulator: the registry API of `registry-api.md` over HTTP, with persistent
//! state, strict signature checks, seeded fault injection, and a key portal.
//!
//! ```no_run
//! # async fn demo() -> Result<(), saasctl::emulator::EmulatorError> {
//! use saasctl::emulator::{Emulator, EmulatorConfig};
//! // Port 0: the system picks a free port; `url()` tells which.
//! let running = Emulator::bind(([127, 0, 0, 1], 0).into(), EmulatorConfig::default()).await?;
//! println!("{}", running.url());
//! running.shutdown().await
//! # }
//! ```

pub mod embedded;
mod faults;
pub mod portal;
mod server;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Faults, RateError};
pub use state::LoadError;

/// How an emulator runs.
#[derive(Debug, Clone, Default)]
pub struct EmulatorConfig {
    /// Where the state persists; in memory only when `None`.
    pub state_file: Option<PathBuf>,
    pub faults: Faults,
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Rate(#[from] RateError),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("the emulator stopped: {0}")]
    Serve(String),
}

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Serves on `listener` (within a Tokio runtime) until shut down.
    pub async fn start(
        listener: TcpListener,
        config: EmulatorConfig,
    ) -> Result<RunningEmulator, EmulatorError> {
        config.faults.validate()?;
        let addr = listener.local_addr().map_err(|e| EmulatorError::Listen {
            addr: "the given listener".to_owned(),
            reason: e.to_string(),
        })?;
        let app = server::App {
            store: Arc::new(state::Store::open(config.state_file.as_deref())?),
            dice: Arc::new(faults::Dice::new(config.faults)),
            requests: Arc::default(),
        };
        let requests = Arc::clone(&app.requests);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, server::router(app), stopped));
        Ok(RunningEmulator {
            addr,
            requests,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Binds `addr` and serves on it.
    pub async fn bind(
        addr: SocketAddr,
        config: EmulatorConfig,
    ) -> Result<RunningEmulator, EmulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| EmulatorError::Listen {
                addr: addr.to_string(),
                reason: e.to_string(),
            })?;
        Self::start(listener, config).await
    }
}

/// A connection that has not sent a whole request head this long after it opened (or after
/// its last answer) is closed: idle and half-open clients hold nothing for long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts connections on `listener` and serves `router` on each (HTTP/1.1 with
/// [`HEADER_TIMEOUT`]) until `stopped` fires or its sender is dropped; then lets open
/// connections finish.
async fn serve(
    listener: TcpListener,
    router: axum::Router,
    stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stopped = std::pin::pin!(stopped);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors, a connection reset before it was accepted:
                    // the listener itself is fine.
                    Err(e) => {
                        tracing::debug!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(stream),
                        hyper_util::service::TowerToHyperService::new(router.clone()),
                    );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::trace!(error = %e, "connection ended");
                    }
                });
            }
            _ = &mut stopped => break,
        }
    }
    graceful.shutdown().await;
    Ok(())
}

/// A serving emulator. Dropping it asks the server to stop; [`RunningEmulator::shutdown`] also
/// waits for it.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    requests: Arc<std::sync::atomic::AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningEmulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many registry requests it has received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The gateway URL to give a client, e.g. `http://127.0.0.1:8089/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops serving: open requests get up to 5 s to finish, then the server is aborted.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(EmulatorError::Serve(e.to_string())),
            Ok(Err(e)) => Err(EmulatorError::Serve(e.to_string())),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
