//! saasctl: the Commerce Services Connector setup as code.
//!
//! The data flows config -> rules -> (registry) -> plan -> apply; each stage is a module.

pub mod apply;
pub mod atomic_file;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod emulator;
pub mod keys;
pub mod plan;
pub mod registry;
pub mod rules;
pub mod validate;
