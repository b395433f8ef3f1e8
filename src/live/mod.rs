//! The live state and identity: the registry's rows as projects and data spaces, and the
//! matching of declarations to live objects (id, name, previous names, adoption). Pure.

mod identity;
mod state;

pub use identity::{
    MatchedBy, Matching, ProjectMatch, SpaceMatch, is_rename, match_config, match_config_with,
    undecided,
};
pub use state::{LiveDataSpace, LiveError, LiveProject, LiveRow, LiveState, same_id};
