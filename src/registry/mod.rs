//! The live SaaS state: the registry's wire types, the signed client and its retries.

pub mod client;
pub mod connect;
pub mod gateway;
pub mod jwt;
pub mod wire;

pub use client::{ClientOptions, RegistryClient, RegistryError, RetryPolicy, gateway_url};
