//! Desired state + live state -> one plan model; its renderers (text, markdown, json) and
//! digests. Pure: no I/O, no secrets (keys appear only as fingerprints).

mod build;
mod model;
#[cfg(test)]
mod properties;
pub mod render;

pub use build::{
    AllowanceError, MerchantInput, installed, offline_plan, plan, resolve_allowances, slugify,
};
pub use model::*;
