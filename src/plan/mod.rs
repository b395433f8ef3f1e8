//! Desired state + live state -> one plan model; its renderers (text, markdown, json) and
//! saved plan files. Pure: no network, no secrets (keys appear only as fingerprints).

mod build;
mod digest;
mod identity;
mod live;
mod model;
pub mod refresh;
pub mod render;
pub mod saved;
#[cfg(test)]
pub(crate) mod testing;

pub use build::{MerchantInput, plan};
pub use digest::{KeyFingerprint, digest, json_digest, sha256_hex};
pub use identity::{MatchedBy, Matching, ProjectMatch, SpaceMatch, is_rename, match_config};
pub use live::{LiveDataSpace, LiveError, LiveProject, LiveRow, LiveState, same_id};
pub use model::*;
