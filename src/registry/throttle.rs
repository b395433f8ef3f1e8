//! How many requests one gateway gets at once. Starts at `--parallelism`; a 429 halves the
//! limit and, with a `Retry-After`, pauses every request to that gateway until then; answers
//! that are not throttled raise it again by one per window of successes (additive increase,
//! multiplicative decrease, as TCP does), so a large estate backs off together instead of
//! every merchant retrying into the same wall.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Debug)]
pub struct Throttle {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug)]
struct State {
    ceiling: usize,
    limit: usize,
    in_flight: usize,
    /// Successes since the limit last changed; a full window raises it by one.
    successes: usize,
    paused_until: Option<Instant>,
}

/// One request's place under the limit; dropping it frees the place.
#[derive(Debug)]
pub struct Permit {
    throttle: Arc<Throttle>,
}

impl Throttle {
    /// At most `ceiling` requests at once, never fewer than one.
    pub fn new(ceiling: usize) -> Arc<Self> {
        let ceiling = ceiling.max(1);
        Arc::new(Self {
            state: Mutex::new(State {
                ceiling,
                limit: ceiling,
                in_flight: 0,
                successes: 0,
                paused_until: None,
            }),
            changed: Notify::new(),
        })
    }

    /// The current limit (for tests and logs).
    pub fn limit(&self) -> usize {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few counters, consistent after every statement: a panic elsewhere
        // cannot leave it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a place: until any pause is over and fewer than the limit are in flight.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the state is read, so a release in between is not missed.
            changed.as_mut().enable();
            let pause = {
                let mut state = self.lock();
                match state.paused_until {
                    Some(until) if until > Instant::now() => Some(until),
                    _ if state.in_flight < state.limit => {
                        state.in_flight += 1;
                        return Permit {
                            throttle: Arc::clone(self),
                        };
                    }
                    _ => None,
                }
            };
            match pause {
                Some(until) => tokio::time::sleep_until(until).await,
                None => changed.await,
            }
        }
    }

    /// The gateway answered without throttling.
    pub fn succeeded(&self) {
        let mut state = self.lock();
        state.successes += 1;
        if state.successes >= state.limit && state.limit < state.ceiling {
            state.limit += 1;
            state.successes = 0;
            tracing::debug!(
                limit = state.limit,
                "requests at once to the gateway raised"
            );
            drop(state);
            self.changed.notify_waiters();
        }
    }

    /// The gateway answered 429: halve the limit, and pause everyone for `retry_after`.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        let mut state = self.lock();
        state.limit = (state.limit / 2).max(1);
        state.successes = 0;
        if let Some(delay) = retry_after {
            let until = Instant::now() + delay;
            state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
        }
        tracing::debug!(
            limit = state.limit,
            pause_ms = retry_after.map(|d| d.as_millis()),
            "throttled (429): requests at once to the gateway halved"
        );
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.throttle.lock().in_flight -= 1;
        self.throttle.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn holds_requests_to_the_limit() {
        let throttle = Throttle::new(2);
        let first = throttle.acquire().await;
        let _second = throttle.acquire().await;
        let third = tokio::spawn({
            let throttle = Arc::clone(&throttle);
            async move { throttle.acquire().await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!third.is_finished(), "a third request waits for a place");
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .expect("a freed place is taken")
            .expect("task");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_the_limit_and_successes_raise_it_back() {
        let throttle = Throttle::new(16);
        throttle.throttled(None);
        assert_eq!(throttle.limit(), 8);
        throttle.throttled(None);
        throttle.throttled(None);
        throttle.throttled(None);
        throttle.throttled(None);
        assert_eq!(throttle.limit(), 1, "never below one");
        for _ in 0..1 + 2 + 3 {
            throttle.succeeded();
        }
        assert_eq!(throttle.limit(), 4, "one more per window of successes");
        for _ in 0..200 {
            throttle.succeeded();
        }
        assert_eq!(throttle.limit(), 16, "never above the ceiling");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_pauses_every_request() {
        let throttle = Throttle::new(4);
        throttle.throttled(Some(Duration::from_secs(3)));
        let started = Instant::now();
        drop(throttle.acquire().await);
        assert!(started.elapsed() >= Duration::from_secs(3));
        // A shorter Retry-After later does not cut the pause short.
        throttle.throttled(Some(Duration::from_secs(5)));
        throttle.throttled(Some(Duration::from_secs(1)));
        let started = Instant::now();
        let _permit = throttle.acquire().await;
        assert!(started.elapsed() >= Duration::from_secs(5));
    }
}

/// Needs a web server: built with the emulator's.
#[cfg(all(test, feature = "emulator"))]
mod against_a_gateway {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::{HeaderValue, StatusCode};
    use axum::response::IntoResponse;

    use super::*;
    use crate::config::SecretValue;
    use crate::keys::PrivateKey;
    use crate::keys::fixtures::TEST_PEM;
    use crate::registry::{ClientOptions, RegistryClient, RetryPolicy, http_client};

    /// A gateway that answers 429 (Retry-After: 1) whenever more than `capacity` requests are
    /// in flight, and counts both answers.
    #[derive(Default)]
    struct Gateway {
        in_flight: AtomicUsize,
        answered: AtomicUsize,
        throttled: AtomicUsize,
    }

    const CAPACITY: usize = 4;

    async fn registry(
        axum::extract::State(gateway): axum::extract::State<Arc<Gateway>>,
    ) -> axum::response::Response {
        let now = gateway.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
        gateway.in_flight.fetch_sub(1, Ordering::SeqCst);
        if now > CAPACITY {
            gateway.throttled.fetch_add(1, Ordering::SeqCst);
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "{}").into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return response;
        }
        gateway.answered.fetch_add(1, Ordering::SeqCst);
        axum::Json(serde_json::json!({"results": []})).into_response()
    }

    /// 64 merchants read at once through a run's shared throttle of 32: the first 429s halve
    /// the limit and pause everyone, so every read succeeds and the gateway sees far fewer
    /// refusals than the 60 an unthrottled burst would draw.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_throttling_gateway_is_backed_off_from_together() {
        let gateway = Arc::new(Gateway::default());
        let app = axum::Router::new()
            .route(
                "/merchant-registry/v1/registry",
                axum::routing::get(registry),
            )
            .with_state(Arc::clone(&gateway));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let options = ClientOptions {
            retry: RetryPolicy {
                max_attempts: 10,
                max_total_delay: Duration::from_secs(60),
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        };
        let http = http_client(&options).expect("client");
        let key = PrivateKey::from_pem(TEST_PEM).expect("key");
        let throttle = Throttle::new(32);
        let reads = (0..64).map(|i| {
            let client = RegistryClient::with_http(
                &url,
                &SecretValue::new(format!("merchant-{i}")),
                &key,
                &http,
                options.retry,
            )
            .expect("client")
            .with_throttle(Arc::clone(&throttle));
            async move { client.list_registry().await }
        });
        let results = futures::future::join_all(reads).await;
        server.abort();

        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(gateway.answered.load(Ordering::SeqCst), 64);
        let throttled = gateway.throttled.load(Ordering::SeqCst);
        assert!(throttled < 40, "{throttled} refusals");
        assert!(
            throttle.limit() < 32,
            "the limit came down: {}",
            throttle.limit()
        );
    }
}
