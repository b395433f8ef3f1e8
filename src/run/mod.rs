//! Orchestration of a run: load its files, connect each merchant (gateway, embedded registry,
//! keys), read live state concurrently, plan, and apply (ordered, concurrent where safe,
//! idempotent, resumable).

pub mod apply;
pub mod connect;
mod files;
pub mod plan_file;
pub mod refresh;

pub use files::{CheckedFile, Files};
