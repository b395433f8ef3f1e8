//! The JSON Schema of the YAML, generated from the model, and schema validation with every
//! error located on its YAML node.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;

use super::document::{Node, Route, Step};
use super::model::Config;

/// Where editors find the published schema; examples point at the checked-in copy instead.
pub const SCHEMA_ID: &str = "https://saasctl.dev/schemas/saasctl.schema.json";

/// The JSON Schema, as checked in at `schemas/saasctl.schema.json`.
pub fn schema_json() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), SCHEMA_ID.into());
    }
    schema
}

/// The schema pretty-printed with a final newline, byte for byte the checked-in file.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema_json()).unwrap_or_default();
    text.push('\n');
    text
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(&schema_json()).expect("the generated schema is a valid schema")
    })
}

/// One schema violation, located by its route into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub route: Route,
    /// Whether the position to show is the mapping key at `route` (unknown or missing fields).
    pub at_key: bool,
    pub message: String,
    pub help: String,
}

/// Every schema violation of the document, not just the first.
pub fn validate(document: &Node) -> Vec<SchemaError> {
    let instance = document.to_json();
    let mut errors = Vec::new();
    for error in validator().iter_errors(&instance) {
        let route = Route(
            error
                .instance_path()
                .into_iter()
                .map(|segment| match segment {
                    LocationSegment::Property(name) => Step::Key(name.into_owned()),
                    LocationSegment::Index(index) => Step::Index(index),
                })
                .collect(),
        );
        errors.extend(describe(&route, error.kind(), &error.to_string(), document));
    }
    errors
}

fn describe(
    route: &Route,
    kind: &ValidationErrorKind,
    fallback: &str,
    document: &Node,
) -> Vec<SchemaError> {
    let at = |route: Route, at_key: bool, message: String, help: &str| SchemaError {
        route,
        at_key,
        message,
        help: help.to_owned(),
    };
    let place = if route.0.is_empty() {
        "the document".to_owned()
    } else {
        format!("`{route}`")
    };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                at(
                    route.at(name.as_str()),
                    true,
                    format!("unknown field `{name}` in {place}"),
                    "remove it or fix its spelling; `saasctl schema` lists every field",
                )
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![at(
                route.clone(),
                true,
                format!("{place} is missing the required field `{name}`"),
                "add the field; `saasctl schema` describes it",
            )]
        }
        ValidationErrorKind::Maximum { .. } | ValidationErrorKind::Minimum { .. }
            if route.0 == [Step::Key("version".into())] =>
        {
            let found = document
                .get(route)
                .and_then(Node::key_text)
                .unwrap_or_default();
            vec![at(
                route.clone(),
                false,
                format!("unsupported version {found}"),
                "this saasctl reads `version: 1`",
            )]
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
            if matches!(route.0.last(), Some(Step::Key(k)) if k == "api_key" || k == "private_key") =>
        {
            vec![at(
                route.clone(),
                false,
                format!("{place} must be `{{env: NAME}}` or `{{file: PATH}}`"),
                "name the environment variable or the file that holds the secret",
            )]
        }
        ValidationErrorKind::Type { .. } => {
            let found = document.get(route).map_or("nothing", Node::kind);
            vec![at(
                route.clone(),
                false,
                format!("{place} has the wrong type: {fallback} (found {found})"),
                "see `saasctl schema` for the expected shape",
            )]
        }
        _ => vec![at(
            route.clone(),
            false,
            format!("{place}: {fallback}"),
            "see `saasctl schema` for the allowed values",
        )],
    }
}
