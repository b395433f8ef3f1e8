//! End to end: the signed client against the in-process emulator, the wire contract, faults,
//! persistence, and the real binary.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use saasctl::config::{KeySetName, License, SecretValue};
use saasctl::emulator::portal::{self, NewAccount};
use saasctl::emulator::{Emulator, EmulatorConfig, Faults, RunningEmulator};
use saasctl::keys::PrivateKey;
use saasctl::registry::wire::EnvironmentType;
use saasctl::registry::{ClientOptions, RegistryClient, RegistryError, RetryPolicy, jwt};
use serde_json::{Value, json};

use crate::emulator_process;
use emulator_process::{EmulatorProcess, KEY_PEM};

/// The other checked-in test key (tests/fixtures/keys/README.md), beside `KEY_PEM`.
const OTHER_KEY_PEM: &str = include_str!("../fixtures/keys/other.pem");

fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY_PEM).unwrap()
}

fn other_key() -> PrivateKey {
    PrivateKey::from_pem(OTHER_KEY_PEM).unwrap()
}

fn fast_retries(max_attempts: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_total_delay: Duration::from_millis(500),
        },
    }
}

async fn emulator(config: EmulatorConfig) -> RunningEmulator {
    Emulator::bind("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

/// Registers `key`'s public half and returns the API key.
async fn register(emulator: &RunningEmulator, key: &PrivateKey, license: License) -> String {
    let public_key = key.public_key().to_pem();
    portal::register(
        &emulator.url(),
        &NewAccount {
            api_key: None,
            public_key,
            license,
            mage_id: None,
            environment: KeySetName::Production,
        },
    )
    .await
    .unwrap()
    .api_key
}

fn client(url: &str, api_key: &str, key: &PrivateKey, options: ClientOptions) -> RegistryClient {
    RegistryClient::with_options(url, &SecretValue::new(api_key), key, options).unwrap()
}

/// A GET with hand-made headers; answers status and JSON body.
async fn raw_get(url: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{url}merchant-registry/v1/{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn signed(api_key: &str, token: &str) -> Vec<(String, String)> {
    vec![
        ("magento-api-key".into(), api_key.into()),
        ("x-api-key".into(), api_key.into()),
        ("x-gw-signature".into(), token.into()),
    ]
}

async fn raw_signed(url: &str, path: &str, headers: &[(String, String)]) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    raw_get(url, path, &headers).await
}

fn keys_of(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn assert_jwt_invalid(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["status"], 401, "{body}");
    assert_eq!(body["statusText"], "Unauthorized");
    assert_eq!(body["message"], "JWT is invalid");
    let request_id = body["requestId"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{request_id}");
}

#[tokio::test]
async fn client_calls_verify_and_change_the_registry() {
    let emu = emulator(EmulatorConfig::default()).await;
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&emu.url(), &api_key, &key(), fast_retries(1));

    registry.ping().await.unwrap();
    assert!(registry.list_registry().await.unwrap().is_empty());

    let rows = registry.initialize("Luma").await.unwrap();
    let types: Vec<_> = rows.iter().map(|r| r.environment_type).collect();
    assert_eq!(
        types,
        [
            EnvironmentType::Production,
            EnvironmentType::Testing,
            EnvironmentType::Testing
        ]
    );
    let project_id = rows[0].project_id.clone();
    assert_eq!(registry.get_project(&project_id).await.unwrap(), rows);
    assert_eq!(registry.list_registry().await.unwrap(), rows);

    let renamed = registry
        .rename_project(&project_id, "Luma Store")
        .await
        .unwrap();
    assert!(renamed.iter().all(|r| r.project_name == "Luma Store"));
    let staging = &rows[1].environment_id;
    let env = registry
        .rename_environment(staging, "Luma Staging")
        .await
        .unwrap();
    assert_eq!(env.environment_name, "Luma Staging");
    assert_eq!(env.project_name, "Luma Store");
    assert_eq!(registry.get_environment(staging).await.unwrap(), env);

    let clash = registry.initialize("Luma Store").await.unwrap_err();
    assert!(
        matches!(clash, RegistryError::Status { status: 409, .. }),
        "{clash}"
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    let missing = registry.get_project(&unknown).await.unwrap_err();
    assert!(
        matches!(missing, RegistryError::NotFound { .. }),
        "{missing}"
    );
    let missing = registry
        .rename_environment(&unknown, "X")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, RegistryError::NotFound { .. }),
        "{missing}"
    );

    // Another account sees only its own project, with its licence's data spaces.
    let open_key = register(&emu, &other_key(), License::MagentoOpenSource).await;
    let open = client(&emu.url(), &open_key, &other_key(), fast_retries(1));
    assert!(open.list_registry().await.unwrap().is_empty());
    assert_eq!(open.initialize("Luma").await.unwrap().len(), 1);
    let denied = open.get_environment(staging).await.unwrap_err();
    assert!(matches!(denied, RegistryError::NotFound { .. }), "{denied}");

    // The wrong private key for an API key is refused as bad keys.
    let mixed = client(&emu.url(), &api_key, &other_key(), fast_retries(3));
    let err = mixed.ping().await.unwrap_err();
    assert!(matches!(err, RegistryError::KeysNotValid { .. }), "{err}");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_tokens_are_refused_with_the_registry_error_body() {
    let emu = emulator(EmulatorConfig::default()).await;
    let url = emu.url();
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let signer = key();
    let now = jwt::now_secs();
    let header = r#"{"typ":"JWT","alg":"RS256"}"#;
    let payload = |edit: fn(&mut serde_json::Map<String, Value>)| {
        let mut claims = jwt::claims(now);
        edit(&mut claims);
        serde_json::to_vec(&claims).unwrap()
    };

    let good = jwt::sign(&signer, now);
    let (status, _) = raw_signed(&url, "ping", &signed(&api_key, &good)).await;
    assert_eq!(status, 200);

    let (head, sig) = good.rsplit_once('.').unwrap();
    let tampered = format!("{head}.{}", sig.replace(&sig[..4], "AAAA"));
    let bad_tokens = [
        tampered,
        jwt::sign(&signer, now - 400),
        jwt::sign(&other_key(), now),
        jwt::sign_parts(&signer, br#"{"typ":"JWT","alg":"RS512"}"#, &payload(|_| {})),
        jwt::sign_parts(
            &signer,
            header.as_bytes(),
            &payload(|c| {
                c.insert("iat".into(), json!(1));
            }),
        ),
        jwt::sign_parts(
            &signer,
            header.as_bytes(),
            &payload(|c| {
                c.remove("sub");
            }),
        ),
        jwt::sign_parts(
            &signer,
            header.as_bytes(),
            &payload(|c| {
                let exp = c["exp"].as_u64().unwrap();
                c.insert("exp".into(), json!(exp + 3600));
            }),
        ),
        unsigned(r#"{"typ":"JWT","alg":"none"}"#, &payload(|_| {})),
        unsigned(r#"{"alg":"none"}"#, &payload(|_| {})),
        hs256_with_public_key(&signer, &payload(|_| {})),
    ];
    // Far-future `iat`/`nbf`, and every fixed claim with another value.
    let edits: [fn(&mut serde_json::Map<String, Value>); 6] = [
        |c| {
            c.insert("iat".into(), json!(jwt::now_secs() + 10 * 365 * 86_400));
        },
        |c| {
            c.insert("nbf".into(), json!(jwt::now_secs() + 10 * 365 * 86_400));
        },
        |c| {
            c.insert(
                "aud".into(),
                json!("https://ims-na1.adobelogin.com/c/other"),
            );
        },
        |c| {
            c.insert("iss".into(), json!("000000000000000000000000@AdobeOrg"));
        },
        |c| {
            c.insert("sub".into(), json!("someone@techacct.adobe.com"));
        },
        |c| {
            c.insert(
                "https://ims-na1.adobelogin.com/s/ent_reactor_sdk".into(),
                json!(false),
            );
        },
    ];
    let bad_tokens = bad_tokens.into_iter().chain(
        edits
            .into_iter()
            .map(|edit| jwt::sign_parts(&signer, header.as_bytes(), &payload(edit))),
    );
    for token in bad_tokens {
        let (status, body) = raw_signed(&url, "registry", &signed(&api_key, &token)).await;
        assert_jwt_invalid(status, &body);
    }
    let (status, body) = raw_get(
        &url,
        "registry",
        &[("magento-api-key", &api_key), ("x-api-key", &api_key)],
    )
    .await;
    assert_jwt_invalid(status, &body);

    let client_id_invalid = json!({"error": {"message": "Client ID is invalid"}});
    let mut unknown = signed("unknown-key", &good);
    let (status, body) = raw_signed(&url, "registry", &unknown).await;
    assert_eq!((status, &body), (401, &client_id_invalid));
    unknown[1].1 = api_key.clone();
    unknown[0].1 = "other".into();
    let (status, body) = raw_signed(&url, "registry", &unknown).await;
    assert_eq!((status, &body), (401, &client_id_invalid));
    emu.shutdown().await.unwrap();
}

/// A token with `header` and `payload` and an empty signature, as `alg: none` sends it.
fn unsigned(header: &str, payload: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("{}.{}.", b64.encode(header), b64.encode(payload))
}

/// The classic key-confusion forgery: HS256 with the account's public key PEM as the HMAC
/// secret, which a verifier trusting the token's `alg` would accept.
fn hs256_with_public_key(key: &PrivateKey, payload: &[u8]) -> String {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!(
        "{}.{}",
        b64.encode(r#"{"typ":"JWT","alg":"HS256"}"#),
        b64.encode(payload)
    );
    let secret = hmac::Key::new(hmac::HMAC_SHA256, key.public_key().to_pem().as_bytes());
    let tag = hmac::sign(&secret, input.as_bytes());
    format!("{input}.{}", b64.encode(tag.as_ref()))
}

/// A signed request with any method and body; answers status and JSON body.
async fn raw_send(
    url: &str,
    method: reqwest::Method,
    path: &str,
    api_key: &str,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let token = jwt::sign(&key(), jwt::now_secs());
    let mut request =
        reqwest::Client::new().request(method, format!("{url}merchant-registry/v1/{path}"));
    for (name, value) in signed(api_key, &token) {
        request = request.header(name, value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The registry's error body with `status` and `message`.
fn assert_error_body(status: u16, body: &Value, expected: u16, message: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(
        keys_of(body),
        BTreeSet::from(["status", "statusText", "message", "requestId"]),
        "{body}"
    );
    assert_eq!(body["status"], expected, "{body}");
    assert_eq!(body["message"], message, "{body}");
}

#[tokio::test]
async fn oversized_bodies_and_non_uuid_ids_are_refused() {
    let emu = emulator(EmulatorConfig::default()).await;
    let url = emu.url();
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&url, &api_key, &key(), fast_retries(1));
    let rows = registry.initialize("Luma").await.unwrap();
    let (project, space) = (&rows[0].project_id, &rows[0].environment_id);

    // A body over 64 KiB: the name is never stored, whatever the route.
    let huge = serde_json::to_vec(&json!({"projectName": "x".repeat(100_000)})).unwrap();
    let too_large = "Request body larger than 65536 bytes";
    for (method, path) in [
        (reqwest::Method::POST, "registry/initialize".to_owned()),
        (
            reqwest::Method::PATCH,
            format!("registry/projects/{project}"),
        ),
        (
            reqwest::Method::PATCH,
            format!("registry/environments/{space}"),
        ),
    ] {
        let (status, body) = raw_send(&url, method, &path, &api_key, Some(huge.clone())).await;
        assert_error_body(status, &body, 413, too_large);
    }
    let response = reqwest::Client::new()
        .post(format!("{url}portal/accounts"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert_error_body(413, &body, 413, too_large);
    // Just under the limit is read (and refused for what it says, not for its size).
    let (status, body) = raw_send(
        &url,
        reqwest::Method::POST,
        "registry/initialize",
        &api_key,
        Some(b"{\"projectName\": 1}".to_vec()),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid request body"),
        "{body}"
    );

    // Ids in paths are UUIDs: anything else is a 400, never a search of the state.
    let invalid_id = "Invalid id: registry ids are UUIDs";
    let name =
        || Some(serde_json::to_vec(&json!({"projectName": "X", "environmentName": "X"})).unwrap());
    for bad in [
        "none",
        "..%2F..%2Fetc",
        "%00",
        &format!("{project}x"),
        "12345",
    ] {
        for (method, path, body) in [
            (
                reqwest::Method::GET,
                format!("registry/projects/{bad}"),
                None,
            ),
            (
                reqwest::Method::PATCH,
                format!("registry/projects/{bad}"),
                name(),
            ),
            (
                reqwest::Method::GET,
                format!("registry/environments/{bad}"),
                None,
            ),
            (
                reqwest::Method::PATCH,
                format!("registry/environments/{bad}"),
                name(),
            ),
            (
                reqwest::Method::POST,
                format!("registry/environments/{bad}/cleanup"),
                None,
            ),
            (
                reqwest::Method::PUT,
                format!("registry/environments/{bad}/cloudid/c1"),
                None,
            ),
        ] {
            let (status, answer) = raw_send(&url, method, &path, &api_key, body).await;
            assert_error_body(status, &answer, 400, invalid_id);
        }
    }
    // Nothing was changed by any of it.
    assert_eq!(registry.list_registry().await.unwrap(), rows);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn answers_have_the_shapes_of_the_contract() {
    let emu = emulator(EmulatorConfig::default()).await;
    let url = emu.url();
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&url, &api_key, &key(), fast_retries(1));
    let rows = registry.initialize("Luma").await.unwrap();
    let token = || jwt::sign(&key(), jwt::now_secs());

    let (status, body) = raw_signed(&url, "registry", &signed(&api_key, &token())).await;
    assert_eq!(status, 200);
    assert_eq!(keys_of(&body), BTreeSet::from(["results"]));
    let row = &body["results"][0];
    assert_eq!(
        keys_of(row),
        BTreeSet::from([
            "projectId",
            "projectName",
            "environmentId",
            "environmentName",
            "environmentType"
        ])
    );
    assert_eq!(row["environmentType"], "Production");
    assert_eq!(body["results"][1]["environmentType"], "Testing");

    let path = format!("registry/environments/{}", rows[0].environment_id);
    let (status, env) = raw_signed(&url, &path, &signed(&api_key, &token())).await;
    assert_eq!(status, 200);
    assert_eq!(
        keys_of(&env),
        BTreeSet::from([
            "environmentId",
            "mageId",
            "imsOrganizationId",
            "organizationId",
            "organizationName",
            "projectId",
            "projectName",
            "environmentType",
            "environmentName",
            "accountGroup",
            "entitlementAuthority",
            "accountEntitlements",
            "featureSet",
            "cloudId",
            "subscriptionEndDate",
            "accountSyncStatus",
            "createdAt",
            "updatedAt",
            "hipaa"
        ])
    );
    assert_eq!(
        keys_of(&env["accountSyncStatus"]),
        BTreeSet::from(["status", "updatedAt"])
    );

    let unknown = uuid::Uuid::new_v4();
    let path = format!("registry/projects/{unknown}");
    let (status, empty) = raw_signed(&url, &path, &signed(&api_key, &token())).await;
    assert_eq!((status, empty), (200, json!({"results": []})));

    let path = format!("registry/environments/{unknown}");
    let (status, error) = raw_signed(&url, &path, &signed(&api_key, &token())).await;
    assert_eq!(status, 404);
    assert_eq!(
        keys_of(&error),
        BTreeSet::from(["status", "statusText", "message", "requestId"])
    );
    assert_eq!(error["status"], 404);
    assert_eq!(error["message"], "Merchant registry not found");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn state_survives_restarts_and_is_never_torn() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("registry.json");
    let config = EmulatorConfig {
        state_file: Some(state_file.clone()),
        faults: Faults::default(),
    };
    let emu = emulator(config.clone()).await;
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&emu.url(), &api_key, &key(), fast_retries(1));
    let rows = registry.initialize("Luma").await.unwrap();

    // A reader polling the file while renames rewrite it must always find whole JSON.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = std::thread::spawn({
        let (path, stop) = (state_file.clone(), stop.clone());
        move || {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let text = std::fs::read(&path).unwrap();
                serde_json::from_slice::<Value>(&text).expect("the state file is whole JSON");
                reads += 1;
            }
            reads
        }
    });
    for i in 0..30 {
        registry
            .rename_project(&rows[0].project_id, &format!("Luma {i}"))
            .await
            .unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    emu.shutdown().await.unwrap();

    let text = std::fs::read_to_string(&state_file).unwrap();
    assert!(
        !text.contains("PRIVATE KEY"),
        "private keys are never stored"
    );

    let emu = emulator(config).await;
    let registry = client(&emu.url(), &api_key, &key(), fast_retries(1));
    let live = registry.list_registry().await.unwrap();
    assert_eq!(live.len(), 3);
    assert!(live.iter().all(|r| r.project_name == "Luma 29"));
    assert_eq!(live[0].project_id, rows[0].project_id);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn idempotent_calls_ride_out_injected_failures() {
    let emu = emulator(EmulatorConfig {
        state_file: None,
        faults: Faults {
            fail_rate: 0.5,
            throttle_rate: 0.2,
            retry_after_secs: 0,
            seed: 42,
            ..Faults::default()
        },
    })
    .await;
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&emu.url(), &api_key, &key(), fast_retries(10));
    let before = emu.requests();
    for _ in 0..10 {
        registry.list_registry().await.unwrap();
        registry.ping().await.unwrap();
    }
    // 20 calls succeeded, and took more requests than that: faults fired and were retried.
    let sent = emu.requests() - before;
    assert!(
        sent > 20,
        "{sent} requests for 20 calls: no fault was retried"
    );
    // At these rates, about 60 % of requests fail: a few dozen retries, not hundreds.
    assert!(sent < 200, "{sent} requests for 20 calls");
    emu.shutdown().await.unwrap();
}

/// A server that counts requests and answers each with HTTP `status`, the same `status` in an
/// error body, and `Retry-After`.
async fn counting_server(status: u16, retry_after: &'static str) -> (String, Arc<AtomicUsize>) {
    counting_server_with(status, status, retry_after).await
}

async fn counting_server_with(
    status: u16,
    body_status: u16,
    retry_after: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            let code = axum::http::StatusCode::from_u16(status).unwrap();
            let body =
                json!({"status": body_status, "statusText": "x", "message": "busy", "requestId": "r"});
            (code, [("retry-after", retry_after)], axum::Json(body))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

#[tokio::test]
async fn retries_are_bounded_and_never_repeat_a_create() {
    let (url, hits) = counting_server(503, "0").await;
    let registry = client(&url, "k", &key(), fast_retries(4));
    let err = registry.list_registry().await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Unavailable { status: 503, .. }),
        "{err}"
    );
    assert_eq!(
        hits.swap(0, Ordering::SeqCst),
        4,
        "GET: max_attempts in all"
    );
    let err = registry.initialize("Luma").await.unwrap_err();
    assert!(matches!(err, RegistryError::Uncertain { .. }), "{err}");
    assert_eq!(
        hits.swap(0, Ordering::SeqCst),
        1,
        "POST: a 5xx is not retried"
    );

    // A throttled create was not processed, so it may be sent again.
    let (url, hits) = counting_server(429, "0").await;
    let registry = client(&url, "k", &key(), fast_retries(3));
    let err = registry.initialize("Luma").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Unavailable { status: 429, .. }),
        "{err}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    // A Retry-After beyond the total delay budget ends the retries at once.
    let (url, hits) = counting_server(429, "3").await;
    let registry = client(&url, "k", &key(), fast_retries(5));
    registry.ping().await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // The body is read as well as the status: HTTP 200 carrying status 404 is a failure.
    let (url, _) = counting_server_with(200, 404, "0").await;
    let err = client(&url, "k", &key(), fast_retries(1))
        .get_environment("e")
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err}");

    // Nothing listening: connection errors are retried, then reported.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let err = client(&url, "k", &key(), fast_retries(2))
        .ping()
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err}");
}

#[tokio::test]
async fn a_lost_initialize_answer_is_not_retried() {
    let emu = emulator(EmulatorConfig {
        state_file: None,
        faults: Faults {
            drop_after_commit_rate: 1.0,
            ..Faults::default()
        },
    })
    .await;
    let api_key = register(&emu, &key(), License::AdobeCommerce).await;
    let registry = client(&emu.url(), &api_key, &key(), fast_retries(4));
    let err = registry.initialize("Luma").await.unwrap_err();
    assert!(matches!(err, RegistryError::Uncertain { .. }), "{err}");
    // The connection closes without any answer, not even a status line.
    let token = jwt::sign(&key(), jwt::now_secs());
    let mut raw = reqwest::Client::new()
        .post(format!(
            "{}merchant-registry/v1/registry/initialize",
            emu.url()
        ))
        .json(&json!({"projectName": "Raw"}));
    for (name, value) in signed(&api_key, &token) {
        raw = raw.header(name, value);
    }
    let lost = raw.send().await;
    assert!(lost.is_err(), "{lost:?}");

    // The caller reads the registry again: the project of each lost answer exists once.
    let rows = registry.list_registry().await.unwrap();
    let projects: BTreeSet<_> = rows.iter().map(|r| r.project_name.as_str()).collect();
    assert_eq!(projects, BTreeSet::from(["Luma", "Raw"]));
    assert_eq!(rows.len(), 6);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_never_show_secrets() {
    let api_key = "SECRET-API-KEY-0123456789";
    let secret_line = KEY_PEM.lines().nth(3).unwrap().to_owned();
    let check = |text: String| {
        assert!(!text.contains(api_key), "{text}");
        assert!(!text.contains(&secret_line), "{text}");
    };

    let emu = emulator(EmulatorConfig::default()).await;
    let registry = RegistryClient::with_options(
        &emu.url(),
        &SecretValue::new(api_key),
        &key(),
        fast_retries(1),
    )
    .unwrap();
    check(format!("{registry:?}"));
    let err = registry.list_registry().await.unwrap_err();
    assert!(matches!(err, RegistryError::KeysNotValid { .. }), "{err}");
    check(format!("{err} {err:?}"));

    // A broken key is refused where it is parsed, before any client exists.
    let broken = KEY_PEM.replace(&secret_line, &"A".repeat(64));
    let err = PrivateKey::from_pem(&broken).unwrap_err();
    check(format!("{err} {err:?}"));

    let err =
        RegistryClient::new("http://example.com/", &SecretValue::new(api_key), &key()).unwrap_err();
    assert!(
        matches!(err, RegistryError::InsecureGateway { .. }),
        "{err}"
    );
    check(format!("{err} {err:?}"));
    emu.shutdown().await.unwrap();
}

#[test]
fn the_binary_serves_and_provisions_keys() {
    use std::process::Command;

    let bin = env!("CARGO_BIN_EXE_saasctl");
    let dir = tempfile::tempdir().unwrap();
    let child = EmulatorProcess::start(&dir.path().join("state.json"), &[]);
    let url = child.url.clone();

    let out_dir = dir.path().join("keys");
    let generate = || {
        Command::new(bin)
            .args([
                "keys",
                "generate",
                "--emulator",
                &url,
                "--license",
                "adobe-commerce",
            ])
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    let output = generate();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let api_key = std::fs::read_to_string(out_dir.join("production.api-key")).unwrap();
    assert_eq!(printed.trim(), api_key.trim());
    let pem = std::fs::read_to_string(out_dir.join("production.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    for name in ["production.pem", "production.api-key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out_dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }

    let again = generate();
    assert!(
        !again.status.success(),
        "existing key files are not overwritten"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let registry = RegistryClient::with_options(
            &url,
            &SecretValue::new(api_key),
            &PrivateKey::from_pem(&pem).unwrap(),
            fast_retries(1),
        )
        .unwrap();
        registry.ping().await.unwrap();
        assert_eq!(registry.initialize("Luma").await.unwrap().len(), 3);
    });
    drop(child);
}

#[test]
fn the_binary_listens_on_loopback_unless_told_otherwise() {
    use std::process::Command;

    let bin = env!("CARGO_BIN_EXE_saasctl");
    let help = Command::new(bin)
        .args(["emulator", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let words: Vec<&str> = help.split_whitespace().collect();
    assert!(
        words.join(" ").contains("[default: 127.0.0.1:8089]"),
        "{help}"
    );

    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let output = Command::new(bin)
            .args(["emulator", "--listen", addr])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!(
                "refusing to listen on {addr}: not a loopback address (pass --allow-remote to do it anyway)"
            )),
            "{stderr}"
        );
    }
}

/// The emulator killed with SIGKILL while changes are being written, five times over: each
/// restart on the same state file loads it, and it holds every change that was answered.
#[test]
fn the_state_survives_sigkill_mid_write() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state").join("registry.json");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = EmulatorProcess::start(&state, &[]);
    let api_key = runtime.block_on(emu.register()).api_key;
    let mut emu = Some(emu);
    let mut answered: BTreeSet<String> = BTreeSet::new();
    for round in 0..5u64 {
        let running = emu.take().unwrap();
        let registry = client(&running.url, &api_key, &key(), fast_retries(1));
        // Four writers create projects as fast as the emulator saves them; the kill lands
        // after a delay that differs each round, mid-write or between writes.
        let created = runtime.block_on(async {
            let writers = (0..4).map(|w| {
                let registry = &registry;
                async move {
                    let mut names = Vec::new();
                    for i in 0.. {
                        let name = format!("R{round} W{w} P{i}");
                        match registry.initialize(&name).await {
                            Ok(_) => names.push(name),
                            Err(_) => break,
                        }
                    }
                    names
                }
            });
            let killer = async {
                tokio::time::sleep(Duration::from_millis(150 + 70 * round)).await;
                running.kill9();
            };
            let (lists, _) = futures::join!(futures::future::join_all(writers), killer);
            lists.into_iter().flatten().collect::<Vec<_>>()
        });
        assert!(!created.is_empty(), "round {round}: nothing was written");
        answered.extend(created);

        let text = std::fs::read(&state).unwrap();
        serde_json::from_slice::<Value>(&text).expect("the state file is whole JSON");
        let restarted = EmulatorProcess::start(&state, &[]);
        let registry = client(&restarted.url, &api_key, &key(), fast_retries(1));
        let live: BTreeSet<String> = runtime
            .block_on(registry.list_registry())
            .unwrap()
            .into_iter()
            .map(|row| row.project_name)
            .collect();
        let missing: Vec<_> = answered.difference(&live).collect();
        assert!(missing.is_empty(), "answered but lost: {missing:?}");
        // Unanswered but kept: at most the one change per writer whose answer each kill cut
        // off, in every round so far.
        let kills = usize::try_from(round + 1).unwrap();
        assert!(
            live.len() <= answered.len() + 4 * kills,
            "{} > {} + 4 x {kills}",
            live.len(),
            answered.len()
        );
        emu = Some(restarted);
    }
    eprintln!(
        "sigkill: 5 kills mid-write, {} answered projects all reloaded",
        answered.len()
    );
    emu.unwrap().stop();
}

/// A redirect is reported, never followed: the keys and the signed token never reach another
/// origin (another port, or the same host by another name).
#[tokio::test]
async fn redirects_are_never_followed() {
    let (elsewhere, hits) = counting_server(200, "0").await;
    let port = elsewhere
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    for target in [elsewhere.clone(), format!("http://localhost:{port}/")] {
        for status in [301u16, 302, 303, 307, 308] {
            let location = format!("{target}merchant-registry/v1/registry");
            let app = axum::Router::new().fallback(move || {
                let location = location.clone();
                async move {
                    (
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        [("location", location)],
                    )
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}/", listener.local_addr().unwrap());
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            let registry = client(&url, "api-key", &key(), fast_retries(3));
            let error = registry.list_registry().await.unwrap_err();
            assert!(
                matches!(error, RegistryError::Redirected { status: s, .. } if s == status),
                "{status}: {error}"
            );
            let origin = target.trim_end_matches('/');
            assert!(error.to_string().contains(origin), "{error}");
            server.abort();
        }
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a request reached the redirect's target"
    );
}

/// An answer far larger than any registry's is refused as it streams in, never held whole.
#[tokio::test]
async fn an_oversized_answer_is_refused() {
    for announced in [true, false] {
        let app = axum::Router::new().fallback(move || async move {
            // 64 MiB of JSON-looking bytes, with or without a Content-Length.
            let chunk = bytes::Bytes::from(vec![b' '; 1 << 20]);
            let stream =
                futures::stream::iter((0..64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
            let body = axum::body::Body::from_stream(stream);
            let mut response = axum::response::Response::new(body);
            if announced {
                response
                    .headers_mut()
                    .insert("content-length", (64u64 << 20).into());
            }
            response
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let registry = client(&url, "api-key", &key(), fast_retries(1));
        let error = registry.list_registry().await.unwrap_err();
        assert!(
            error.to_string().contains("larger than 4 MiB"),
            "{announced}: {error}"
        );
        server.abort();
    }
}

/// A registry that drips its answer (a byte at a time, each well within the read timeout)
/// holds a call no longer than one request timeout plus the retry budget: the budget is a total
/// deadline for the retries and their requests, not a sum of waits.
#[tokio::test]
async fn a_dripping_registry_is_given_up_on_within_the_retry_budget() {
    let app = axum::Router::new().fallback(|| async {
        let stream = futures::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Some((Ok::<_, std::io::Error>(bytes::Bytes::from_static(b" ")), ()))
        });
        axum::response::Response::new(axum::body::Body::from_stream(stream))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(1),
        retry: RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_total_delay: Duration::from_secs(2),
        },
    };
    let registry = client(&url, "api-key", &key(), options);
    let started = std::time::Instant::now();
    let error = registry.list_registry().await.unwrap_err();
    let took = started.elapsed();
    // 1 s for the first request, 2 s of retries; 30 attempts of 1 s each before.
    assert!(took < Duration::from_secs(8), "{took:?}: {error}");
    assert!(took >= Duration::from_secs(3), "{took:?}: {error}");
    server.abort();
}

/// A benchmark that runs the emulator as a process of its own reads its request count from
/// `GET /portal/requests`: registry requests only, answered or refused, not the portal's.
#[test]
fn the_emulator_process_counts_registry_requests() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = EmulatorProcess::start(&dir.path().join("state.json"), &[]);
    let api_key = runtime.block_on(emu.register()).api_key;
    let count = || -> u64 {
        runtime.block_on(async {
            let answer: Value = reqwest::get(format!("{}portal/requests", emu.url))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["requests"].as_u64().unwrap()
        })
    };
    assert_eq!(count(), 0);
    let registry = client(&emu.url, &api_key, &key(), fast_retries(1));
    for _ in 0..3 {
        runtime.block_on(registry.list_registry()).unwrap();
    }
    let refused = client(
        &emu.url,
        "not-a-key-of-this-registry",
        &key(),
        fast_retries(1),
    );
    assert!(runtime.block_on(refused.list_registry()).is_err());
    assert_eq!(count(), 4);
}

/// Clients that open a connection and send nothing, or half a request head, are dropped after
/// the emulator's header timeout; a whole request on the same kind of connection is answered.
#[test]
fn idle_and_half_open_connections_are_dropped_after_the_header_timeout() {
    use std::io::{Read, Write};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::bind(
            "127.0.0.1:0".parse().unwrap(),
            EmulatorConfig::default(),
        ))
        .unwrap();
    let limit = saasctl::emulator::HEADER_TIMEOUT;
    let connect = || {
        let stream = std::net::TcpStream::connect(emulator.addr()).unwrap();
        stream
            .set_read_timeout(Some(limit + Duration::from_secs(5)))
            .unwrap();
        stream
    };
    // Both at once: their timeouts run together.
    let started = std::time::Instant::now();
    let streams: Vec<_> = [&b""[..], b"GET /merchant-registry/v1/ping HT"]
        .into_iter()
        .map(|sent| {
            let mut stream = connect();
            stream.write_all(sent).unwrap();
            (sent, stream)
        })
        .collect();
    for (sent, mut stream) in streams {
        // Closed by the emulator: the read ends (an error response may come first).
        let _ = stream.read_to_end(&mut Vec::new());
        let waited = started.elapsed();
        assert!(
            waited >= limit - Duration::from_millis(500) && waited < limit + Duration::from_secs(4),
            "{sent:?}: closed after {waited:?}"
        );
    }
    let mut whole = connect();
    whole
        .write_all(b"GET /portal/requests HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    whole.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    runtime.block_on(emulator.shutdown()).unwrap();
}

/// A registry that answers a create with a project of another name: apply stops that merchant
/// with both names, and creates exactly one project (planning again would not find it by
/// name and create a second).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_another_name_stops_and_creates_once() {
    let creates = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&creates);
    let row = |space: &str, kind: &str| {
        json!({
            "projectId": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "projectName": "Someone Else's",
            "environmentId": space,
            "environmentName": kind,
            "environmentType": kind,
        })
    };
    let answer = json!({"results": [
        row("7c9e6679-7425-40de-944b-e07fc1f90ae7", "Production"),
        row("e4eaaaf2-d142-11e1-b3e4-080027620cdd", "Testing"),
    ]});
    let app = axum::Router::new()
        .route(
            "/merchant-registry/v1/registry",
            axum::routing::get(|| async { axum::Json(json!({"results": []})) }),
        )
        .route(
            "/merchant-registry/v1/registry/initialize",
            axum::routing::post(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                async move { axum::Json(answer) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let workspace = crate::common::TestContext::offline(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    \
         api_key: {file: keys/production.api-key}\n    private_key: {file: keys/production.pem}\n\
         project:\n  name: Luma\n  data_spaces:\n    live: {type: production, name: Luma Production}\n\
         environments:\n  production: {tier: production, data_space: live}\n",
    );
    let dir = workspace.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        crate::common::saasctl()
            .current_dir(dir)
            .env("SAASCTL_GATEWAY", url)
            .args(["apply", "--auto-approve"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    server.abort();
    let shown = crate::common::both(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains(r#"the registry answered the creation of project "Luma" with project "Someone Else's" (0f8fad5b-d9cb-469f-a165-70867728950e)"#),
        "{shown}"
    );
    assert_eq!(creates.load(Ordering::SeqCst), 1, "{shown}");
}
