//! saasctl: the Commerce Services Connector setup as code.
//!
//! Modules in layers, bottom to top (DESIGN.md, "Architecture"); each imports only from the
//! layers below it, which `tests/layers.rs` checks:
//! `diagnostic`, `file` -> `config` -> `registry` -> `emulator`, `live` -> `rules` -> `plan`
//! -> `run` -> `cli`.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod digest;
pub mod emulator;
pub mod error;
pub mod file;
pub mod keys;
pub mod live;
pub mod magento;
pub mod plan;
pub mod registry;
pub mod rules;
pub mod run;

pub use error::Error;
