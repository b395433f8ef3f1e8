//! The JSON Schema: checked in, current, documented, and usable by other validators.

use crate::common::{repo, run_in, stdout};

#[test]
fn the_checked_in_schema_is_current() {
    let path = repo().join("schemas/saasctl.schema.json");
    let expected = saasctl::config::schema_text();
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != expected {
        if std::env::var_os("SAASCTL_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &expected).expect("write schema");
        } else {
            panic!(
                "schemas/saasctl.schema.json is stale: run `SAASCTL_UPDATE_SCHEMA=1 cargo test --test cli schema` and commit it"
            );
        }
    }
    let output = run_in(&repo(), &["schema"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), expected);
}

/// Editors show these descriptions on hover and completion.
#[test]
fn every_property_has_a_description() {
    fn walk(value: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(properties) = value.get("properties").and_then(|p| p.as_object()) {
            for (name, property) in properties {
                if property.get("description").is_none() {
                    missing.push(format!("{path}.{name}"));
                }
            }
        }
        if let Some(object) = value.as_object() {
            for (key, child) in object {
                walk(child, &format!("{path}/{key}"), missing);
            }
        }
    }
    let schema = saasctl::config::schema_json();
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without description: {missing:?}"
    );
}
