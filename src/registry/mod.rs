//! The registry client: wire types, RS256 signing, requests with retries. Knows nothing of
//! configuration files or plans.

pub mod client;
pub mod gateway;
pub mod jwt;
pub mod throttle;
pub mod wire;

pub use client::{
    ClientOptions, RegistryClient, RegistryError, RetryPolicy, gateway_url, http_client,
};
pub use throttle::Throttle;
