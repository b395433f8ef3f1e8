//! The desired state: the model, YAML loading with positions, the schema, secret sources.

mod document;
pub mod edit;
mod ignore;
mod load;
mod model;
mod reference;
mod schema;
mod secret;

pub use document::{Node, Route, Step, Value};
pub use ignore::{Ignore, IgnoreComment, ignore_comments};
pub use load::{
    DiscoverError, DocumentFinding, DocumentRules, Loaded, MAX_FILE_BYTES, SCHEMA_RULE, check,
    discover, is_saasctl_text, load, load_text,
};
pub use model::*;
pub use reference::yaml_reference;
pub use schema::{SCHEMA_ID, SchemaError, schema_json, schema_text, validate as validate_schema};
pub use secret::{Secret, SecretError, SecretValue};
