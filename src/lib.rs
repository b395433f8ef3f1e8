//! saasctl: the Commerce Services Connector setup as code.
//!
//! Modules in layers, bottom to top (docs/design.md, "Layers"); each imports only from the
//! layers below it, which `tests/layers.rs` checks:
//! `digest`, `pause` -> `diagnostic`, `file`, `keys` -> `config` -> `registry` -> `emulator`, `live`
//! -> `magento` -> `rules` -> `plan` -> `run` -> `error` -> `cli`

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod digest;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod file;
pub mod keys;
pub mod live;
pub mod magento;
pub mod pause;
pub mod plan;
pub mod registry;
pub mod rules;
pub mod run;

pub use error::Error;
