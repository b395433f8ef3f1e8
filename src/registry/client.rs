//! The signed registry client: every call of registry-api.md, with retries for the idempotent ones.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rand::RngExt;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::jwt;
use super::throttle::Throttle;
use super::wire::{self, Environment, EnvironmentName, FailureProbe, ProjectName, Results, Row};
use crate::config::SecretValue;
use crate::keys::PrivateKey;

/// The registry's path below the gateway.
const API_PATH: &str = "merchant-registry/v1/";

/// A failed registry call. Never carries the API key or the private key.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("`{url}` is not a usable gateway URL: {reason}")]
    InvalidGateway { url: String, reason: String },
    #[error(
        "plain http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost), not `{host}`; use https://"
    )]
    InsecureGateway { host: String },
    #[error("the API key contains characters that cannot be sent in a header")]
    InvalidApiKey,
    #[error("`{0}` is not a registry id")]
    InvalidId(String),
    #[error("the API key and private key are not valid for this gateway: {message}")]
    KeysNotValid { message: String },
    #[error("the registry has no such object (it answered: {message})")]
    NotFound { message: String },
    /// 429 with a `Retry-After` beyond what saasctl waits in all.
    #[error(
        "the registry is throttling requests and asked to wait {asked_secs} s; saasctl waits at most {limit_secs} s in all: run it again later"
    )]
    Throttled { asked_secs: u64, limit_secs: u64 },
    #[error("the registry answered {status}: {message}")]
    Status {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    #[error("the registry is unavailable ({status}): {message}")]
    Unavailable { status: u16, message: String },
    #[error("cannot reach the registry at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "no answer from the registry to {call} ({reason}); it may or may not have been applied: read the registry before trying again"
    )]
    Uncertain { call: String, reason: String },
    #[error("unexpected answer from {url}: {reason}")]
    Decode { url: String, reason: String },
    /// A 3xx: followed, it would carry the keys and the signed token to another place.
    #[error(
        "the registry answered {status}, redirecting to {to}; saasctl follows no redirect (it would send the keys there): set the gateway to the URL that answers"
    )]
    Redirected { status: u16, to: String },
    /// A create answered with another project: planning again would create a second one.
    #[error(
        "the registry answered the creation of project {asked} with project {answered} ({id}): this merchant stops here, so that no second project is created; add {answered} to the project's previous_names (or rename it in the portal) before applying again"
    )]
    CreatedOtherName {
        asked: String,
        answered: String,
        id: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
}

/// How transient failures (connection errors, timeouts, 5xx, 429) are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The delay before the second attempt; it doubles for each further one.
    pub base_delay: Duration,
    /// The most one backoff delay may be (a `Retry-After` may ask for more).
    pub max_delay: Duration,
    /// How long the retries of one call may take in all, from its first failure: the waits
    /// and the retried requests together (a total deadline).
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_total_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The backoff before attempt `attempt + 1`: exponential, capped, with jitter in [50 %, 100 %]
    /// so that many clients do not retry in lockstep.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        exp.min(self.max_delay)
            .mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// Timeouts and retries of a [`RegistryClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// A client of one gateway with one key set.
pub struct RegistryClient {
    http: reqwest::Client,
    base: Url,
    api_key: SecretValue,
    /// Parsed once by the caller; signs the tokens (see `token`).
    key: PrivateKey,
    retry: RetryPolicy,
    /// Shared by every client of the gateway in a run; its own otherwise.
    throttle: Arc<Throttle>,
    /// The last token and the second it was signed in. A token's only varying claim is `exp`
    /// (seconds) and RS256 is deterministic, so a token signed again in the same second would
    /// be the same bytes: each request still carries a fresh token, signed once.
    token: Mutex<Option<(u64, HeaderValue)>>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// An HTTP client with `options`' timeouts: one per run, shared by every merchant's
/// [`RegistryClient`] (HTTP/2 where the gateway offers it).
pub fn http_client(options: &ClientOptions) -> Result<reqwest::Client, RegistryError> {
    reqwest::Client::builder()
        // Credentials ride on every request: a redirect is reported, never followed.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        .user_agent(concat!("saasctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| RegistryError::Http(describe(&e)))
}

/// The largest answer read: a registry lists a few projects; a larger answer is refused as it
/// streams in, not held whole.
const MAX_ANSWER: usize = 4 << 20;

/// The body of `response`, read chunk by chunk; `None` once it passes [`MAX_ANSWER`].
async fn read_capped(
    mut response: reqwest::Response,
) -> Result<Option<bytes::Bytes>, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER as u64)
    {
        return Ok(None);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body.freeze()))
}

/// Where a `Location` (absolute, or relative to `base`) points: its scheme, host and port only,
/// since its path and query may carry anything.
fn origin_of(base: &Url, location: &str) -> String {
    match base.join(location) {
        Ok(target) => target.origin().ascii_serialization(),
        Err(_) => "an unreadable location".to_owned(),
    }
}

/// Parses a gateway (or emulator) URL: https anywhere, plain http only on loopback hosts.
/// The result's path ends with `/`, so relative paths join below it.
pub fn gateway_url(gateway: &str) -> Result<Url, RegistryError> {
    let invalid = |reason: &str| RegistryError::InvalidGateway {
        url: gateway.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(gateway.trim())
        .map_err(|_| invalid("it is not an absolute URL such as https://commerce.adobe.io/"))?;
    let host = url.host_str().ok_or_else(|| invalid("it has no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(RegistryError::InsecureGateway {
                host: host.to_owned(),
            });
        }
        _ => {
            return Err(invalid(
                "only https:// (or http:// on loopback) is supported",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials in the URL are not supported"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// One id as a path segment: percent-encoded, and never a dot segment that would climb the path.
fn segment(id: &str) -> Result<String, RegistryError> {
    if id.is_empty() || id.trim_matches('.').is_empty() {
        return Err(RegistryError::InvalidId(id.to_owned()));
    }
    Ok(id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect())
}

/// A request's path below the registry base for the log, and the id it names apart: a whole
/// path with an id is as long as a key, and the redaction would mask it.
fn logged_path<'a>(base: &Url, url: &'a Url) -> (&'a str, &'a str) {
    let path = url.path();
    let relative = path.strip_prefix(base.path()).unwrap_or(path);
    match relative.rsplit_once('/') {
        Some((call, id)) if call.starts_with("registry/") => (call, id),
        _ => (relative, "-"),
    }
}

/// What one attempt came to.
enum Attempt {
    Done(Result<bytes::Bytes, RegistryError>),
    /// Worth another attempt; `sent` says whether the request may have reached the service.
    Transient {
        error: RegistryError,
        retry_after: Option<Duration>,
        sent: bool,
    },
}

impl RegistryClient {
    /// A client with default timeouts and retries.
    pub fn new(
        gateway: &str,
        api_key: &SecretValue,
        private_key: &PrivateKey,
    ) -> Result<Self, RegistryError> {
        Self::with_options(gateway, api_key, private_key, ClientOptions::default())
    }

    pub fn with_options(
        gateway: &str,
        api_key: &SecretValue,
        private_key: &PrivateKey,
        options: ClientOptions,
    ) -> Result<Self, RegistryError> {
        Self::with_http(
            gateway,
            api_key,
            private_key,
            &http_client(&options)?,
            options.retry,
        )
    }

    /// A client sending through `http`, a pool shared with the run's other clients
    /// (connections reused, root certificates loaded once).
    pub fn with_http(
        gateway: &str,
        api_key: &SecretValue,
        private_key: &PrivateKey,
        http: &reqwest::Client,
        retry: RetryPolicy,
    ) -> Result<Self, RegistryError> {
        let base =
            gateway_url(gateway)?
                .join(API_PATH)
                .map_err(|e| RegistryError::InvalidGateway {
                    url: gateway.to_owned(),
                    reason: e.to_string(),
                })?;
        if HeaderValue::from_str(api_key.expose().trim()).is_err() {
            return Err(RegistryError::InvalidApiKey);
        }
        Ok(Self {
            http: http.clone(),
            base,
            api_key: SecretValue::new(api_key.expose().trim()),
            key: private_key.clone(),
            retry,
            throttle: Throttle::new(usize::MAX),
            token: Mutex::default(),
        })
    }

    /// Sends under `throttle`, the limit this client shares with the run's other clients of
    /// the same gateway.
    #[must_use]
    pub fn with_throttle(mut self, throttle: Arc<Throttle>) -> Self {
        self.throttle = throttle;
        self
    }

    /// The registry base URL, `GATEWAY/merchant-registry/v1/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `GET ping`: succeeds when the keys are valid.
    pub async fn ping(&self) -> Result<(), RegistryError> {
        self.call(Method::GET, "ping", None).await.map(drop)
    }

    /// `GET registry`: one row per data space over all of the merchant's projects.
    pub async fn list_registry(&self) -> Result<Vec<Row>, RegistryError> {
        self.rows(Method::GET, "registry".to_owned(), None).await
    }

    /// `GET registry/projects/{id}`: the project's rows; [`RegistryError::NotFound`] when it has none.
    pub async fn get_project(&self, project_id: &str) -> Result<Vec<Row>, RegistryError> {
        let path = format!("registry/projects/{}", segment(project_id)?);
        let rows = self.rows(Method::GET, path, None).await?;
        if rows.is_empty() {
            return Err(RegistryError::NotFound {
                message: format!("project {project_id}"),
            });
        }
        Ok(rows)
    }

    /// `GET registry/environments/{id}`: the full data space object.
    pub async fn get_environment(
        &self,
        environment_id: &str,
    ) -> Result<Environment, RegistryError> {
        let path = format!("registry/environments/{}", segment(environment_id)?);
        self.decode(Method::GET, &path, None).await
    }

    /// `POST registry/initialize`: creates a project and its licence's data spaces. Never retried
    /// once the request may have been sent: a lost answer is [`RegistryError::Uncertain`], and the
    /// caller reads the registry to learn whether the project exists.
    pub async fn initialize(&self, project_name: &str) -> Result<Vec<Row>, RegistryError> {
        let body = serde_json::to_value(ProjectName {
            project_name: project_name.to_owned(),
        })
        .map_err(|e| RegistryError::Http(e.to_string()))?;
        self.rows(Method::POST, "registry/initialize".to_owned(), Some(body))
            .await
    }

    /// `PATCH registry/projects/{id}`: renames a project (idempotent, so retried).
    pub async fn rename_project(
        &self,
        project_id: &str,
        project_name: &str,
    ) -> Result<Vec<Row>, RegistryError> {
        let path = format!("registry/projects/{}", segment(project_id)?);
        let body = serde_json::to_value(ProjectName {
            project_name: project_name.to_owned(),
        })
        .map_err(|e| RegistryError::Http(e.to_string()))?;
        self.rows(Method::PATCH, path, Some(body)).await
    }

    /// `PATCH registry/environments/{id}`: renames a data space (idempotent, so retried).
    pub async fn rename_environment(
        &self,
        environment_id: &str,
        environment_name: &str,
    ) -> Result<Environment, RegistryError> {
        let path = format!("registry/environments/{}", segment(environment_id)?);
        let body = serde_json::to_value(EnvironmentName {
            environment_name: environment_name.to_owned(),
        })
        .map_err(|e| RegistryError::Http(e.to_string()))?;
        self.decode(Method::PATCH, &path, Some(body)).await
    }

    async fn rows(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<Vec<Row>, RegistryError> {
        let rows = self
            .decode::<Results<Row>>(method, &path, body)
            .await?
            .results;
        // Checked at the wire: everything after trusts ids to be ids and names to be text.
        if let Some(reason) = rows.iter().find_map(invalid_row) {
            return Err(RegistryError::Decode {
                url: self
                    .base
                    .join(&path)
                    .map_or_else(|_| path.clone(), String::from),
                reason,
            });
        }
        Ok(rows)
    }

    async fn decode<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, RegistryError> {
        let bytes = self.call(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| RegistryError::Decode {
            url: self
                .base
                .join(path)
                .map_or_else(|_| path.to_owned(), String::from),
            reason: e.to_string(),
        })
    }

    /// Sends a call, retrying transient failures where that cannot apply a change twice.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<bytes::Bytes, RegistryError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| RegistryError::InvalidGateway {
                url: self.base.to_string(),
                reason: e.to_string(),
            })?;
        // POST creates; PATCH sets a name, so repeating it is harmless.
        let idempotent = method != Method::POST;
        // From the first failure on, retries (their waits and their requests alike) end by
        // this deadline: a registry that drips its answers cannot hold a call longer.
        let mut deadline: Option<tokio::time::Instant> = None;
        let mut attempt = 1;
        loop {
            let sending = self.attempt(method.clone(), &url, body.as_ref(), attempt);
            let outcome = match deadline {
                None => sending.await,
                Some(deadline) => match tokio::time::timeout_at(deadline, sending).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        let reason = format!(
                            "no answer within the retry budget of {} s",
                            self.retry.max_total_delay.as_secs_f64()
                        );
                        return Err(if idempotent {
                            RegistryError::Unreachable {
                                url: url.to_string(),
                                reason,
                            }
                        } else {
                            RegistryError::Uncertain {
                                call: format!("{method} {path}"),
                                reason,
                            }
                        });
                    }
                },
            };
            let (error, retry_after, sent) = match outcome {
                Attempt::Done(result) => return result,
                Attempt::Transient {
                    error,
                    retry_after,
                    sent,
                } => (error, retry_after, sent),
            };
            if sent && !idempotent {
                return Err(RegistryError::Uncertain {
                    call: format!("{method} {path}"),
                    reason: error.to_string(),
                });
            }
            let delay = retry_after.unwrap_or_else(|| self.retry.backoff(attempt));
            let now = tokio::time::Instant::now();
            let deadline = *deadline.get_or_insert(now + self.retry.max_total_delay);
            if attempt >= self.retry.max_attempts || now + delay > deadline {
                let (path, id) = logged_path(&self.base, &url);
                tracing::debug!(%method, path, id, attempt, %error, "giving up");
                // A Retry-After is honoured up to the bound; beyond it, say so.
                return Err(match retry_after {
                    Some(asked) if now + asked > deadline => RegistryError::Throttled {
                        asked_secs: asked.as_secs().max(1),
                        limit_secs: self.retry.max_total_delay.as_secs(),
                    },
                    _ => error,
                });
            }
            let (path, id) = logged_path(&self.base, &url);
            tracing::debug!(
                %method,
                path,
                id,
                attempt,
                backoff_ms = delay.as_millis(),
                retry_after = retry_after.is_some(),
                %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt of a call (`attempt` counts from 1, for the log). The log names method,
    /// path (ids are not secrets), status and time; never a header or a body.
    async fn attempt(
        &self,
        method: Method,
        url: &Url,
        body: Option<&serde_json::Value>,
        attempt: u32,
    ) -> Attempt {
        let headers = match self.headers().await {
            Ok(headers) => headers,
            Err(error) => return Attempt::Done(Err(error)),
        };
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        let unreachable = |e: &reqwest::Error| RegistryError::Unreachable {
            url: url.to_string(),
            reason: describe(e),
        };
        let permit = self.throttle.acquire().await;
        let started = std::time::Instant::now();
        let (path, id) = logged_path(&self.base, url);
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(
                    %method,
                    path,
                    id,
                    attempt,
                    elapsed_ms = started.elapsed().as_millis(),
                    error = %describe(&e),
                    "registry request failed"
                );
                return Attempt::Transient {
                    error: unreachable(&e),
                    retry_after: None,
                    // A connection that was never made carried nothing.
                    sent: !e.is_connect(),
                };
            }
        };
        let status = response.status();
        if status.is_redirection() {
            drop(permit);
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "nowhere named".to_owned(), |l| origin_of(url, l));
            return Attempt::Done(Err(RegistryError::Redirected {
                status: status.as_u16(),
                to,
            }));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = match read_capped(response).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Attempt::Done(Err(RegistryError::Decode {
                    url: url.to_string(),
                    reason: format!(
                        "the answer is larger than {} MiB, far beyond any registry answer",
                        MAX_ANSWER >> 20
                    ),
                }));
            }
            Err(e) => {
                return Attempt::Transient {
                    error: unreachable(&e),
                    retry_after: None,
                    sent: true,
                };
            }
        };
        drop(permit);
        tracing::debug!(
            %method,
            path,
            id,
            status = status.as_u16(),
            attempt,
            elapsed_ms = started.elapsed().as_millis(),
            "registry request"
        );
        let attempt = self.judge(status, retry_after, bytes);
        match &attempt {
            Attempt::Transient {
                error: RegistryError::Unavailable { status: 429, .. },
                retry_after,
                ..
            } => self.throttle.throttled(*retry_after),
            _ => self.throttle.succeeded(),
        }
        attempt
    }

    /// Reads status and body together: a body whose `status` is not 200, or that holds an
    /// `error` object, is a failure even under HTTP 200.
    fn judge(
        &self,
        status: StatusCode,
        retry_after: Option<Duration>,
        bytes: bytes::Bytes,
    ) -> Attempt {
        let probe: FailureProbe = serde_json::from_slice(&bytes).unwrap_or_default();
        let body_status = probe
            .status
            .as_ref()
            .map(|s| s.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0))
            .filter(|&s| s != 200);
        if status.is_success() && body_status.is_none() && probe.error.is_none() {
            return Attempt::Done(Ok(bytes));
        }
        let code = body_status.unwrap_or(status.as_u16());
        let message = self.redact(
            probe
                .message
                .or(probe.error.map(|e| e.message))
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("no message").to_owned()),
        );
        let keys_rejected = [wire::JWT_INVALID, wire::CLIENT_ID_INVALID]
            .iter()
            .any(|m| message.eq_ignore_ascii_case(m));
        let error = match code {
            _ if keys_rejected || code == 401 => RegistryError::KeysNotValid { message },
            404 => RegistryError::NotFound { message },
            429 => {
                return Attempt::Transient {
                    error: RegistryError::Unavailable {
                        status: 429,
                        message,
                    },
                    retry_after,
                    sent: false,
                };
            }
            500..=599 => {
                return Attempt::Transient {
                    error: RegistryError::Unavailable {
                        status: code,
                        message,
                    },
                    retry_after,
                    sent: true,
                };
            }
            _ => RegistryError::Status {
                status: code,
                message,
                request_id: probe.request_id,
            },
        };
        Attempt::Done(Err(error))
    }

    /// The authentication headers, with a token signed for this request.
    async fn headers(&self) -> Result<HeaderMap, RegistryError> {
        let mut key = HeaderValue::from_str(self.api_key.expose())
            .map_err(|_| RegistryError::InvalidApiKey)?;
        key.set_sensitive(true);
        let signature = self.token(jwt::now_secs()).await;
        let mut headers = HeaderMap::new();
        headers.insert("magento-api-key", key.clone());
        headers.insert("x-api-key", key);
        headers.insert("x-gw-signature", signature);
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(headers)
    }

    /// The token for a request sent at `now`.
    async fn token(&self, now: u64) -> HeaderValue {
        let lock = || self.token.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, token)) = lock().as_ref().filter(|(signed_at, _)| *signed_at == now) {
            return token.clone();
        }
        // Signing is most of a request's CPU (a key's first one also sets up its blinding): it
        // runs on the blocking pool, off the threads that poll every merchant's requests, and
        // on every core.
        let key = self.key.clone();
        let token = match tokio::task::spawn_blocking(move || jwt::sign(&key, now)).await {
            Ok(token) => token,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // Cancelled as the runtime shuts down: sign here instead.
                Err(_) => jwt::sign(&self.key, now),
            },
        };
        // base64url and dots: always a valid header value.
        let mut token = HeaderValue::try_from(token).expect("a JWT is a valid header value");
        // The claims are fixed and public; the token itself never reaches a log.
        tracing::trace!(
            claims = %serde_json::Value::Object(jwt::claims(now)),
            "signed a token (RS256; claims shown, signature not)"
        );
        token.set_sensitive(true);
        *lock() = Some((now, token.clone()));
        token
    }

    /// A service message with our API key taken out, should the service echo it, and its
    /// control characters escaped: it is shown on terminals and in pull-request comments.
    fn redact(&self, message: String) -> String {
        crate::diagnostic::escape::text(&message.replace(self.api_key.expose(), "<redacted>"))
            .into_owned()
    }
}

/// The longest name a registry answer may carry: the portal takes far shorter ones.
const MAX_NAME_CHARS: usize = 255;

/// Why a row of a registry answer is not one: its ids are UUIDs, its names printable text of
/// bounded length (a name with a control character could colour a terminal or forge a line).
fn invalid_row(row: &Row) -> Option<String> {
    for (what, id) in [
        ("project id", &row.project_id),
        ("data space id", &row.environment_id),
    ] {
        if uuid::Uuid::try_parse(id).is_err() {
            return Some(format!(
                "a {what} is not a UUID: {}",
                crate::diagnostic::escape::quoted(&id.chars().take(64).collect::<String>())
            ));
        }
    }
    for (what, name) in [
        ("project name", &row.project_name),
        ("data space name", &row.environment_name),
    ] {
        if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Some(format!(
                "a {what} is empty or longer than {MAX_NAME_CHARS} characters"
            ));
        }
        if name.chars().any(crate::diagnostic::escape::is_hidden) {
            return Some(format!(
                "a {what} holds a control character: {}",
                crate::diagnostic::escape::quoted(name)
            ));
        }
    }
    None
}

/// An HTTP error's causes, without the request URL repeated.
fn describe(error: &reqwest::Error) -> String {
    let mut reason = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        String::new()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if !reason.is_empty() {
            reason.push_str(": ");
        }
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    if reason.is_empty() {
        reason = error.to_string();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:8089",
            "http://[::1]:8089/",
            "http://localhost:1",
            "https://commerce.adobe.io/",
        ] {
            assert!(gateway_url(ok).is_ok(), "{ok}");
        }
        let err = gateway_url("http://commerce.adobe.io/").unwrap_err();
        assert!(
            matches!(err, RegistryError::InsecureGateway { .. }),
            "{err}"
        );
        assert!(gateway_url("ftp://127.0.0.1/").is_err());
        assert!(gateway_url("not a url").is_err());
    }

    #[test]
    fn registry_paths_join_below_the_gateway() {
        for (gateway, base) in [
            (
                "https://commerce.adobe.io/",
                "https://commerce.adobe.io/merchant-registry/v1/",
            ),
            (
                "https://commerce.adobe.io",
                "https://commerce.adobe.io/merchant-registry/v1/",
            ),
            (
                "http://127.0.0.1:9/prefix",
                "http://127.0.0.1:9/prefix/merchant-registry/v1/",
            ),
        ] {
            let url = gateway_url(gateway).unwrap().join(API_PATH).unwrap();
            assert_eq!(url.as_str(), base);
        }
    }

    #[test]
    fn logged_paths_keep_ids_apart() {
        let base = gateway_url("http://127.0.0.1:9/gw")
            .unwrap()
            .join(API_PATH)
            .unwrap();
        let id = "3f0c1d2e-0000-4000-8000-000000000001";
        let url = base.join(&format!("registry/environments/{id}")).unwrap();
        assert_eq!(logged_path(&base, &url), ("registry/environments", id));
        let url = base.join("registry").unwrap();
        assert_eq!(logged_path(&base, &url), ("registry", "-"));
        let url = base.join("registry/initialize").unwrap();
        assert_eq!(logged_path(&base, &url), ("registry/initialize", "-"));
    }

    #[test]
    fn ids_cannot_climb_the_path() {
        assert_eq!(segment("a/b?c").unwrap(), "a%2Fb%3Fc");
        for bad in ["", ".", ".."] {
            assert!(segment(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_total_delay: Duration::from_secs(1),
        };
        let first = policy.backoff(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let late = policy.backoff(8);
        assert!(late >= Duration::from_millis(150) && late <= Duration::from_millis(300));
    }
}
