//! The YAML reference, `docs/yaml-reference.md`: every field of the schema with its type and
//! description, generated from the schema (itself generated from the model's doc comments).

use serde_json::Value;

use super::schema::schema_json;

/// One row of the reference.
struct Field {
    path: String,
    kind: String,
    /// `yes`, `no`, or `one of` for the forms of a choice such as `target`.
    required: &'static str,
    description: String,
}

/// The reference in markdown: one section per top-level key, one row per field.
pub fn yaml_reference() -> String {
    let schema = schema_json();
    let mut out = String::from(
        "# saasctl YAML reference\n\n<!-- Generated from the schema (schemas/saasctl.schema.json, from the model's doc comments): run `SAASCTL_UPDATE_DOCS=1 cargo test --lib config::reference` after changing the model. -->\n\n",
    );
    out.push_str(&one_line(text(&schema, "description")));
    out.push_str(
        "\n\n`<key>` stands for a key you choose. A secret is never written in the file: it is `{env: NAME}` (an environment variable) or `{file: PATH}` (a file, relative to the YAML file). `saasctl schema` prints the JSON Schema, for editors.\n",
    );
    let required = required_of(&schema);
    for (key, property) in properties(&schema) {
        let mut fields = Vec::new();
        walk(
            &schema,
            property,
            key.clone(),
            yes_no(required.contains(key)),
            &mut fields,
        );
        out.push_str(&format!(
            "\n## {key}\n\n| field | type | required | description |\n|---|---|---|---|\n"
        ));
        for field in fields {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                field.path,
                field.kind,
                field.required,
                cell(&field.description)
            ));
        }
    }
    out
}

/// Adds the row of `node` at `path`, then its children's.
fn walk(root: &Value, node: &Value, path: String, required: &'static str, out: &mut Vec<Field>) {
    // A property's own description says more than its type's.
    let description = match text(node, "description") {
        "" => text(resolve(root, node), "description"),
        own => own,
    }
    .to_owned();
    let target = resolve(root, node);
    let mut description = one_line(&description);
    if let Some(default) = node.get("default").and_then(Value::as_str) {
        description.push_str(&format!(" Default: `{default}`."));
    }
    if let Some(alternatives) = target.get("oneOf").and_then(Value::as_array) {
        let keys: Vec<(&String, &Value)> = alternatives.iter().flat_map(properties).collect();
        // `{env: …}` or `{file: …}` is one value; `{mysql: {…}}` has fields of its own.
        let scalar = keys.iter().all(|(_, v)| !is_object(resolve(root, v)));
        let forms: Vec<String> = keys.iter().map(|(k, _)| format!("`{{{k}: …}}`")).collect();
        out.push(Field {
            path: path.clone(),
            kind: forms.join(" or "),
            required,
            description,
        });
        if !scalar {
            // Each alternative's key is one of the forms to choose from.
            for (alternative, (key, value)) in alternatives.iter().zip(&keys) {
                let mut child = value.as_object().cloned().unwrap_or_default();
                if !child.contains_key("description") {
                    child.insert(
                        "description".into(),
                        text(alternative, "description").into(),
                    );
                }
                walk(
                    root,
                    &Value::Object(child),
                    format!("{path}.{key}"),
                    "one of",
                    out,
                );
            }
        }
        return;
    }
    // A value of several shapes (a path, or `{path, format}`): its kinds, then the fields of
    // the shapes that have some.
    let shapes = match target.get("anyOf").and_then(Value::as_array) {
        Some(branches) => branches.iter().map(|b| resolve(root, b)).collect(),
        None => vec![target],
    };
    let kinds: Vec<String> = shapes.iter().map(|shape| kind(root, shape)).collect();
    out.push(Field {
        path: path.clone(),
        kind: kinds.join(" or "),
        required,
        description,
    });
    for shape in shapes {
        let required_children = required_of(shape);
        for (key, child) in properties(shape) {
            walk(
                root,
                child,
                format!("{path}.{key}"),
                yes_no(required_children.contains(key)),
                out,
            );
        }
    }
    if let Some(child) = target.get("additionalProperties").filter(|v| v.is_object()) {
        walk(root, child, format!("{path}.<key>"), "no", out);
    }
}

/// `node` with `$ref` followed and a nullable `anyOf` reduced to its one non-null branch.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(name) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return resolve(root, &root["$defs"][name]);
    }
    let branches: Vec<&Value> = node
        .get("anyOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|b| b.get("type") != Some(&"null".into()))
        .collect();
    match branches.as_slice() {
        [branch] => resolve(root, branch),
        _ => node,
    }
}

fn kind(root: &Value, node: &Value) -> String {
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    match types.iter().find(|t| **t != "null").copied() {
        Some("array") => format!("list of {}", kind(root, resolve(root, &node["items"]))),
        Some("object") => "mapping".to_owned(),
        Some("integer") => match (node.get("minimum"), node.get("maximum")) {
            (Some(min), Some(max)) if min == max => format!("integer (`{min}`)"),
            _ => "integer".to_owned(),
        },
        Some(other) => other.to_owned(),
        None => "any".to_owned(),
    }
}

fn is_object(node: &Value) -> bool {
    node.get("type") == Some(&"object".into())
}

fn properties(node: &Value) -> Vec<(&String, &Value)> {
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().collect())
        .unwrap_or_default()
}

fn required_of(node: &Value) -> Vec<String> {
    node.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn yes_no(required: bool) -> &'static str {
    if required { "yes" } else { "no" }
}

fn text<'a>(node: &'a Value, key: &str) -> &'a str {
    node.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Schema descriptions wrap like doc comments; a table cell is one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yaml_reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/yaml-reference.md");
        let generated = yaml_reference();
        if std::env::var_os("SAASCTL_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).expect("write docs/yaml-reference.md");
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "docs/yaml-reference.md is stale: run `SAASCTL_UPDATE_DOCS=1 cargo test --lib config::reference` and commit it"
        );
    }

    #[test]
    fn every_field_of_the_schema_has_a_described_row() {
        let reference = yaml_reference();
        for row in [
            "| `version` | integer (`1`) | yes |",
            "| `account.license` | `adobe-commerce` \\| `magento-open-source` | yes |",
            "| `keys.production.api_key` | `{env: …}` or `{file: …}` | yes |",
            "| `environments.<key>.websites` | list of string | no |",
            "| `environments.<key>.target.mysql.crypt_key` | `{env: …}` or `{file: …}` | yes |",
            "| `environments.<key>.target.env_file` | string or mapping | one of |",
            "| `environments.<key>.target.env_file.format` | `dotenv` \\| `shell` \\| `docker` | no |",
        ] {
            assert!(reference.contains(row), "{row}\n{reference}");
        }
        // Every row says what the field is.
        for line in reference.lines().filter(|l| l.starts_with("| `")) {
            assert!(!line.ends_with("|  |"), "{line}");
        }
        assert!(reference.contains("Default: `production`."));
    }
}
