//! The desired state: the model, YAML loading with positions, the schema, secret sources.

mod document;
mod load;
mod model;
mod schema;
mod secret;

pub use document::{Node, Position, Route, Step, Value};
pub use load::{DiscoverError, Loaded, MAX_FILE_BYTES, check, discover, load};
pub use model::*;
pub use schema::{SCHEMA_ID, SchemaError, schema_json, schema_text, validate as validate_schema};
pub use secret::{Secret, SecretError, SecretValue, io_reason};
