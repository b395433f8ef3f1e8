//! The HTTP side of the emulator: the registry routes behind signature checks and injected
//! faults, and the key portal beside them.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;

use super::faults::Dice;
use super::portal::{self, NewAccount, NewKey, RegisteredAccount};
use super::state::{Caller, Refusal, Store};
use crate::keys::PublicKey;
use crate::registry::jwt;
use crate::registry::wire::{
    self, Cleanup, Environment, EnvironmentName, ErrorBody, GatewayError, GatewayMessage,
    ProjectName, Results, Row,
};

#[derive(Clone)]
pub(crate) struct App {
    pub store: Arc<Store>,
    pub dice: Arc<Dice>,
    /// Registry requests received, answered or not: what benchmarks and tests count.
    pub requests: Arc<std::sync::atomic::AtomicU64>,
}

pub(crate) fn router(app: App) -> Router {
    let registry = Router::new()
        .route("/ping", get(ping))
        .route("/registry", get(list))
        .route("/registry/initialize", post(initialize))
        .route(
            "/registry/projects/{id}",
            get(get_project).patch(rename_project),
        )
        .route(
            "/registry/environments/{id}",
            get(get_environment).patch(rename_environment),
        )
        .route("/registry/environments/{id}/cleanup", post(cleanup))
        .route(
            "/registry/environments/{id}/cloudid/{cloud_id}",
            put(set_cloud_id),
        )
        .fallback(not_found)
        // The last layer added runs first: faults, then authentication, then the handler.
        .layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .layer(middleware::from_fn_with_state(app.clone(), inject_faults));
    Router::new()
        .route("/", get(about))
        .nest("/merchant-registry/v1", registry)
        .route("/portal/accounts", post(register_account))
        .route("/portal/accounts/{mage_id}/keys", post(add_key))
        .route("/portal/requests", get(request_count))
        // Read by `JsonBody`, for the registry and the portal alike.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

/// The registry's `{status, statusText, message, requestId}` body with that HTTP status.
fn status_body(status: StatusCode, message: &str) -> Response {
    let body = ErrorBody {
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or_default().to_owned(),
        message: message.to_owned(),
        request_id: uuid::Uuid::new_v4().to_string(),
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        status_body(status, &self.message)
    }
}

fn jwt_invalid() -> Response {
    status_body(StatusCode::UNAUTHORIZED, wire::JWT_INVALID)
}

fn client_id_invalid() -> Response {
    let body = GatewayError {
        error: GatewayMessage {
            message: wire::CLIENT_ID_INVALID.to_owned(),
        },
    };
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// Lets a request through only with an active API key in both headers and a token that
/// verifies against that key's public key; hands the caller to the handler.
async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // An unknown or revoked API key is unknown to the gateway.
    let caller = match (header("magento-api-key"), header("x-api-key")) {
        (Some(key), Some(same)) if key == same => app.store.read(|s| s.caller(key)),
        _ => None,
    };
    let Some(caller) = caller else {
        return client_id_invalid();
    };
    let verified = header("x-gw-signature").is_some_and(|token| {
        PublicKey::from_pem(&caller.public_key)
            .is_ok_and(|key| jwt::verify(token, &key, jwt::now_secs()).is_ok())
    });
    if !verified {
        return jwt_invalid();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Applies the request's drawn fate: delay, 503, 429, or a committed change whose answer is lost.
async fn inject_faults(State(app): State<App>, request: Request, next: Next) -> Response {
    app.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let fate = app.dice.roll();
    if !fate.delay.is_zero() {
        tokio::time::sleep(fate.delay).await;
    }
    if fate.fail {
        return status_body(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable (injected fault)",
        );
    }
    if fate.throttle {
        let mut response = status_body(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests (injected fault)",
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(app.dice.retry_after_secs()),
        );
        return response;
    }
    let mutation = request.method() != Method::GET;
    let response = next.run(request).await;
    if fate.drop_after_commit && mutation && response.status().is_success() {
        // A body that fails before its first byte makes hyper abort the connection without
        // having sent the buffered status line: the client sees the connection close.
        let aborted = futures::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "answer dropped after commit (injected fault)",
            ))
        });
        return Response::new(Body::from_stream(aborted));
    }
    response
}

/// The largest request body read: the registry's bodies are one short name, the portal's a
/// public key.
const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body of at most [`BODY_LIMIT`] bytes; anything else is refused with the
/// registry's error body (413 when too large, 400 when not the expected JSON).
struct JsonBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Refusal> {
        let body =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => {
                        Refusal::new(413, format!("Request body larger than {BODY_LIMIT} bytes"))
                    }
                    status => Refusal::new(status.as_u16(), rejection.body_text()),
                })?;
        serde_json::from_slice(&body)
            .map(JsonBody)
            .map_err(|e| Refusal::new(400, format!("Invalid request body: {e}")))
    }
}

/// The message of a path id that is not a UUID.
const INVALID_ID: &str = "Invalid id: registry ids are UUIDs";

/// A project or environment id from the path: registry ids are UUIDs, anything else is refused
/// before the state is searched.
fn registry_id(id: String) -> Result<String, Refusal> {
    if uuid::Uuid::try_parse(&id).is_ok() {
        Ok(id)
    } else {
        Err(Refusal::new(400, INVALID_ID))
    }
}

/// `GET /`: what the emulator serves, for whoever opens its URL.
const ABOUT: &str = "\
saasctl emulator: the Commerce Services registry API and a key portal, for tests and rehearsals.

Registry, as Magento calls it on https://commerce.adobe.io/ (production keys) and
https://commerce-beta.adobe.io/ (sandbox keys). Every call sends the API key in both
magento-api-key and x-api-key and a fresh RS256 token in x-gw-signature; an unknown or
revoked API key is answered 401 \"Client ID is invalid\", a bad token 401 \"JWT is invalid\".
  GET   /merchant-registry/v1/ping                                   200 when the keys are valid
  GET   /merchant-registry/v1/registry                               every data space of the keys' projects, one row each
  GET   /merchant-registry/v1/registry/projects/{projectId}          one project's rows
  PATCH /merchant-registry/v1/registry/projects/{projectId}          rename a project: {\"projectName\"}
  POST  /merchant-registry/v1/registry/initialize                    create a project and its licence's data spaces: {\"projectName\"}
  GET   /merchant-registry/v1/registry/environments/{environmentId}  one data space
  PATCH /merchant-registry/v1/registry/environments/{environmentId}  rename a data space: {\"environmentName\"}
  POST  /merchant-registry/v1/registry/environments/{environmentId}/cleanup            delete its synced data (none here)
  PUT   /merchant-registry/v1/registry/environments/{environmentId}/cloudid/{cloudId}  link a Commerce Cloud project

Key portal, as the Commerce account portal's API keys page (no authentication):
  POST  /portal/accounts                  a new account and its first key:
        {\"publicKey\": PEM, \"license\": \"adobe-commerce\"|\"magento-open-source\",
         \"environment\": \"production\"|\"sandbox\" (default production), \"apiKey\"?, \"mageId\"?};
        answers 201 {\"apiKey\", \"mageId\", \"license\", \"environment\", \"revokedPrevious\"}
  POST  /portal/accounts/{mageId}/keys    another key for that account, revoking the account's
        previous key of the same environment (one active key per environment):
        {\"publicKey\": PEM, \"environment\": \"production\"|\"sandbox\", \"apiKey\"?};
        answers 201 as above; 404 for an unknown mageId
  GET   /portal/requests                  how many registry requests were received

Production and sandbox keys of one account see separate registries, as the two gateways are.
`saasctl keys generate` is this portal's client; docs/guide.md (\"The emulator\") tells more.
";

async fn about() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], ABOUT).into_response()
}

async fn ping() -> Response {
    status_body(StatusCode::OK, "pong")
}

async fn not_found() -> Refusal {
    Refusal::new(404, wire::NOT_FOUND)
}

async fn list(State(app): State<App>, Extension(caller): Extension<Caller>) -> Json<Results<Row>> {
    Json(Results {
        results: app.store.read(|s| s.registry(&caller)),
    })
}

async fn get_project(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Results<Row>>, Refusal> {
    let id = registry_id(id)?;
    Ok(Json(Results {
        results: app.store.read(|s| s.project(&caller, &id)),
    }))
}

async fn get_environment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Environment>, Refusal> {
    let id = registry_id(id)?;
    app.store.read(|s| s.environment(&caller, &id)).map(Json)
}

async fn initialize(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    JsonBody(request): JsonBody<ProjectName>,
) -> Result<Json<Results<Row>>, Refusal> {
    let results = mutate(&app, move |s| s.initialize(&caller, &request.project_name)).await?;
    Ok(Json(Results { results }))
}

async fn rename_project(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<ProjectName>,
) -> Result<Json<Results<Row>>, Refusal> {
    let id = registry_id(id)?;
    let results = mutate(&app, move |s| {
        s.rename_project(&caller, &id, &request.project_name)
    })
    .await?;
    Ok(Json(Results { results }))
}

async fn rename_environment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<EnvironmentName>,
) -> Result<Json<Environment>, Refusal> {
    let id = registry_id(id)?;
    mutate(&app, move |s| {
        s.rename_environment(&caller, &id, &request.environment_name)
    })
    .await
    .map(Json)
}

/// The emulator holds no synced data, so cleaning up only checks the data space exists.
async fn cleanup(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Cleanup>, Refusal> {
    let id = registry_id(id)?;
    app.store.read(|s| s.environment(&caller, &id))?;
    Ok(Json(Cleanup { environment_id: id }))
}

async fn set_cloud_id(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((id, cloud_id)): Path<(String, String)>,
) -> Result<Json<Environment>, Refusal> {
    let id = registry_id(id)?;
    mutate(&app, move |s| s.set_cloud_id(&caller, &id, &cloud_id))
        .await
        .map(Json)
}

/// Changes the store on a blocking thread: the change is written and fsynced before it is
/// answered, which must not stall the async workers.
async fn mutate<T: Send + 'static>(
    app: &App,
    change: impl FnOnce(&mut super::state::State) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    let store = Arc::clone(&app.store);
    tokio::task::spawn_blocking(move || store.mutate(change))
        .await
        .unwrap_or_else(|_| Err(Refusal::new(500, "the state writer stopped")))
}

/// `GET /portal/requests`: how many registry requests were received, for benchmarks that run
/// the emulator as a process of its own.
async fn request_count(State(app): State<App>) -> Json<serde_json::Value> {
    let requests = app.requests.load(std::sync::atomic::Ordering::Relaxed);
    Json(serde_json::json!({ "requests": requests }))
}

/// The key portal's "Add New": registers a public key as a new account.
async fn register_account(
    State(app): State<App>,
    JsonBody(request): JsonBody<NewAccount>,
) -> Result<Response, Refusal> {
    let (account, registered) = portal::new_account(request)?;
    mutate(&app, move |s| s.add_account(account)).await?;
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}

/// Another key for an account, as the portal's "Add New" on an existing account does: the
/// account's previous key of that environment is revoked.
async fn add_key(
    State(app): State<App>,
    Path(mage_id): Path<String>,
    JsonBody(request): JsonBody<NewKey>,
) -> Result<Response, Refusal> {
    let environment = request.environment;
    let (key, api_key) = portal::new_key(request)?;
    let (added, mage_id) = mutate(&app, move |s| {
        let added = s.add_key(&mage_id, key)?;
        Ok((added, mage_id))
    })
    .await?;
    let registered = RegisteredAccount {
        api_key,
        license: added.license,
        mage_id,
        environment,
        revoked_previous: added.revoked_previous,
    };
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}
