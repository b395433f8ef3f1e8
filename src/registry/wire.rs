//! The registry's JSON shapes, as `registry-api.md` fixes them. The client decodes them and the
//! emulator encodes them, so both sides share one definition.

use serde::{Deserialize, Serialize};

/// The type of a data space ("SaaS environment").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EnvironmentType {
    Production,
    Testing,
}

/// One data space of one project, as listed by the registry calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub project_id: String,
    pub project_name: String,
    pub environment_id: String,
    pub environment_name: String,
    pub environment_type: EnvironmentType,
}

/// The `{"results": [...]}` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results<T> {
    pub results: Vec<T>,
}

/// `accountSyncStatus` of an [`Environment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSyncStatus {
    pub status: Option<String>,
    pub updated_at: Option<String>,
}

/// The full data space object of `registry/environments/{id}`. Fields the service may leave out
/// or send as null are optional, so that decoding a real answer does not fail on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub environment_id: String,
    #[serde(default)]
    pub mage_id: Option<String>,
    #[serde(default)]
    pub ims_organization_id: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub organization_name: Option<String>,
    pub project_id: String,
    pub project_name: String,
    pub environment_type: EnvironmentType,
    pub environment_name: String,
    #[serde(default)]
    pub account_group: Option<String>,
    #[serde(default)]
    pub entitlement_authority: Option<String>,
    #[serde(default)]
    pub account_entitlements: Vec<serde_json::Value>,
    #[serde(default)]
    pub feature_set: Vec<serde_json::Value>,
    #[serde(default)]
    pub cloud_id: Option<String>,
    #[serde(default)]
    pub subscription_end_date: Option<String>,
    #[serde(default)]
    pub account_sync_status: Option<AccountSyncStatus>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub hipaa: bool,
}

/// `POST registry/initialize` and `PATCH registry/projects/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectName {
    pub project_name: String,
}

/// `PATCH registry/environments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentName {
    pub environment_name: String,
}

/// The answer of `POST registry/environments/{id}/cleanup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cleanup {
    pub environment_id: String,
}

/// The registry's error body, e.g. `{"status":404,"statusText":"Not Found",
/// "message":"Merchant registry not found","requestId":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status: u16,
    pub status_text: String,
    pub message: String,
    pub request_id: String,
}

/// The gateway's error body, `{"error":{"message":"Client ID is invalid"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayError {
    pub error: GatewayMessage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayMessage {
    pub message: String,
}

/// What the client reads from any body to decide whether it is a failure, whatever else the body
/// holds: a `status` other than 200, or an `error` object.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FailureProbe {
    #[serde(default)]
    pub status: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub error: Option<GatewayMessage>,
}

/// The message a bad API key or signature is answered with.
pub const JWT_INVALID: &str = "JWT is invalid";
/// The gateway's message for an unknown API key.
pub const CLIENT_ID_INVALID: &str = "Client ID is invalid";
/// The message of a 404 for an unknown id.
pub const NOT_FOUND: &str = "Merchant registry not found";
