//! The JSON Schema of the YAML, generated from the model, and schema validation with every
//! error located on its YAML node.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;

use super::document::{Node, Route, Step};
use super::model::Config;

/// Where editors find the schema of this version: the file at its release tag (also attached
/// to the release as `saasctl-<version>.schema.json`), so a YAML written by `init` is checked
/// against the format of the saasctl that wrote it. Examples point at the checked-in copy.
pub const SCHEMA_ID: &str = concat!(
    "https://raw.githubusercontent.com/saasctl/saasctl/v",
    env!("CARGO_PKG_VERSION"),
    "/schemas/saasctl.schema.json"
);

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
    /// The known field name or value the one found is a typo of ("did you mean").
    pub suggestion: Option<String>,
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
        // The value itself is never quoted: it may be a secret written where a reference
        // belongs (a database URL with its password). Messages name the place and what fits.
        let expected = error.masked_with("the value").to_string();
        let place = Place {
            route: &route,
            schema_path: error.schema_path().as_str(),
        };
        errors.extend(describe(&place, error.kind(), &expected, document));
    }
    errors
}

/// Every field name the schema knows, for "did you mean".
fn field_names() -> impl Iterator<Item = &'static str> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            fn collect(value: &serde_json::Value, names: &mut Vec<String>) {
                match value {
                    serde_json::Value::Object(map) => {
                        if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                            names.extend(properties.keys().cloned());
                        }
                        map.values().for_each(|v| collect(v, names));
                    }
                    serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, names)),
                    _ => {}
                }
            }
            let mut names = Vec::new();
            collect(&schema_json(), &mut names);
            names.sort();
            names.dedup();
            names
        })
        .iter()
        .map(String::as_str)
}

/// The fields the schema allows in the object whose `additionalProperties` is at
/// `schema_path` (a pointer into the schema, `$ref`s resolved).
fn fields_at(schema_path: &str) -> Option<Vec<&'static str>> {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    let object = SCHEMA
        .get_or_init(schema_json)
        .pointer(schema_path.strip_suffix("/additionalProperties")?)?;
    Some(
        object
            .get("properties")?
            .as_object()?
            .keys()
            .map(String::as_str)
            .collect(),
    )
}

/// Where a violation is: in the document, and in the schema.
struct Place<'a> {
    route: &'a Route,
    schema_path: &'a str,
}

/// The known word closest to `word` by edit distance, when close enough to be a typo.
fn closest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    known
        .map(|candidate| (edit_distance(&word, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn describe(
    place_of: &Place,
    kind: &ValidationErrorKind,
    expected: &str,
    document: &Node,
) -> Vec<SchemaError> {
    let route = place_of.route;
    let at = |route: Route, at_key: bool, message: String, help: &str| SchemaError {
        route,
        at_key,
        message,
        help: help.to_owned(),
        suggestion: None,
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
                // The fields allowed here; all the schema knows where that is not known.
                let suggestion = match fields_at(place_of.schema_path) {
                    Some(here) => closest(name, here.into_iter()),
                    None => closest(name, field_names()),
                };
                let help = match suggestion {
                    Some(known) => format!("did you mean `{known}`? Otherwise remove it; `saasctl schema` lists every field"),
                    None => "remove it or fix its spelling; `saasctl schema` lists every field".to_owned(),
                };
                SchemaError {
                    route: route.at(name.as_str()),
                    at_key: true,
                    message: format!("unknown field `{name}` in {place}"),
                    help,
                    suggestion: suggestion.map(str::to_owned),
                }
            })
            .collect(),
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<&str> = options
                .as_array()
                .map(|values| values.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let found = document.get(route).and_then(Node::key_text).unwrap_or_default();
            let suggestion = closest(&found, allowed.iter().copied());
            let hint = suggestion
                .map(|known| format!("did you mean `{known}`? "))
                .unwrap_or_default();
            vec![SchemaError {
                route: route.clone(),
                at_key: false,
                message: format!("{place} must be one of: {}", allowed.join(", ")),
                help: format!("{hint}use one of the listed values"),
                suggestion: suggestion.map(str::to_owned),
            }]
        }
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::MaxLength { .. }
            if route.0.iter().any(|s| *s == Step::Key("websites".into())) =>
        {
            vec![at(
                route.clone(),
                false,
                format!("{place} is not a Magento website code: a letter, then letters, digits or underscores, at most 32 characters"),
                "use the code of the website as Magento shows it (Stores > All Stores)",
            )]
        }
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
        ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
            if matches!(route.0.last(), Some(Step::Key(k)) if k == "target") =>
        {
            vec![at(
                route.clone(),
                false,
                format!("{place} must be `{{env_file: PATH}}` or `{{mysql: {{url: SECRET, crypt_key: SECRET}}}}` (SECRET: `{{env: NAME}}` or `{{file: PATH}}`), with `table_prefix` if the installation has one"),
                "see `saasctl schema` for the installation targets",
            )]
        }
        ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => vec![at(
            route.clone(),
            false,
            format!("{place} fits none of the shapes it may take"),
            "see `saasctl schema` for the expected shape",
        )],
        ValidationErrorKind::Type { .. } => {
            let found = document.get(route).map_or("nothing", Node::kind);
            vec![at(
                route.clone(),
                false,
                format!("{place} has the wrong type: {expected} (found {found})"),
                "see `saasctl schema` for the expected shape",
            )]
        }
        _ => vec![at(
            route.clone(),
            false,
            format!("{place}: {expected}"),
            "see `saasctl schema` for the allowed values",
        )],
    }
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn typos_get_the_closest_known_field() {
        assert_eq!(closest("api-key", field_names()), Some("api_key"));
        assert_eq!(closest("enviroments", field_names()), Some("environments"));
        assert_eq!(closest("privatekey", field_names()), Some("private_key"));
        assert_eq!(closest("colour", field_names()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
