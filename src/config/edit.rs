//! Edits to a YAML file's text that keep everything they do not touch: comments, layout,
//! quoting, order. Each edit replaces one node's text or inserts one mapping entry at the byte
//! spans of the located tree (never a re-serialized document); the edited text is parsed again
//! and must hold exactly the old document with the values set, or nothing is written.

use std::ops::Range;

use super::document::{Node, Route, Step, Value};

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Str(String),
    List(Vec<String>),
    /// Entries in order.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    pub fn str(text: impl Into<String>) -> Self {
        Yaml::Str(text.into())
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Yaml::Str(s) => serde_json::Value::String(s.clone()),
            Yaml::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|s| serde_json::Value::String(s.clone()))
                    .collect(),
            ),
            Yaml::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value on one line: `name`, `[a, b]`, `{type: testing, name: QA}`.
    fn flow(&self) -> String {
        match self {
            Yaml::Str(s) => scalar(s),
            Yaml::List(items) => {
                let items: Vec<String> = items.iter().map(|s| scalar(s)).collect();
                format!("[{}]", items.join(", "))
            }
            Yaml::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", scalar(k), v.flow()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    /// `key: value` lines at `indent` for a block mapping: a mapping of mappings is a block
    /// of its own, anything flatter stays on one line.
    fn block_entry(key: &str, value: &Yaml, indent: &str) -> String {
        match value {
            Yaml::Map(entries) if entries.iter().any(|(_, v)| matches!(v, Yaml::Map(_))) => {
                let inner = format!("{indent}  ");
                let mut text = format!("{indent}{}:\n", scalar(key));
                for (k, v) in entries {
                    text.push_str(&Yaml::block_entry(k, v, &inner));
                }
                text
            }
            _ => format!("{indent}{}: {}\n", scalar(key), value.flow()),
        }
    }
}

/// A string as a YAML scalar: plain where it reads back as the same string in any context
/// (flow collections included), else double-quoted (a JSON string is a valid YAML one).
pub fn scalar(text: &str) -> String {
    const SPECIAL: &[char] = &[
        '#', ':', ',', '[', ']', '{', '}', '"', '\'', '\n', '\r', '\t', '&', '*', '!', '|', '>',
        '%', '@', '`', '\\',
    ];
    let plain = !text.is_empty()
        && text.trim() == text
        && !text.contains(SPECIAL)
        && !text.starts_with(['-', '?'])
        // `yes`, `1e3`, `null`, `~`: plain, they would read back as something else.
        && serde_saphyr::from_str::<Value>(text).is_ok_and(|v| v == Value::String(text.into()));
    if plain {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("`{route}` cannot be written: {reason}")]
    Unsupported { route: String, reason: &'static str },
    #[error(
        "the edited file would not read back as the old one with the new values; nothing was written (edit it by hand: {reason})"
    )]
    Mismatch { reason: String },
}

/// The edits to one file's text, collected, then applied at once.
pub struct Edits<'a> {
    source: &'a str,
    document: &'a Node,
    /// Byte range replaced, and its replacement, in the order they were made.
    edits: Vec<(Range<usize>, String)>,
    /// The document the edited text must read back as.
    expected: serde_json::Value,
}

impl<'a> Edits<'a> {
    /// Edits of `source`, whose located tree is `document`.
    pub fn new(source: &'a str, document: &'a Node) -> Self {
        Self {
            source,
            document,
            edits: Vec::new(),
            expected: document.to_json(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Sets the value at `route`: the node there is replaced (nothing happens when it already
    /// holds `value`), or a new entry is inserted in its mapping, after the first of the
    /// sibling keys `after` that exists, else last. Missing mappings on the way are created.
    pub fn set(&mut self, route: &Route, value: Yaml, after: &[&str]) -> Result<(), EditError> {
        if let Some(node) = self.document.get(route) {
            if node.to_json() == value.to_json() {
                return Ok(());
            }
            self.replace(route, node, &value)?;
        } else {
            let (Some(Step::Key(key)), parent) = (route.0.last(), route.0.split_last()) else {
                return Err(self.unsupported(route, "only mapping entries can be added"));
            };
            let parent = Route(parent.map(|(_, p)| p.to_vec()).unwrap_or_default());
            match self.document.get(&parent) {
                Some(node) if matches!(node.value, Value::Mapping(_)) => {
                    self.insert(&parent, node, key, &value, after)?;
                }
                Some(node) if matches!(node.value, Value::Null) => {
                    self.replace(
                        &parent,
                        node,
                        &Yaml::Map(vec![(key.clone(), value.clone())]),
                    )?;
                }
                Some(_) => return Err(self.unsupported(route, "its parent is not a mapping")),
                None => {
                    // Nothing is recorded here: the parent's own `set` records the value.
                    return self.set(&parent, Yaml::Map(vec![(key.clone(), value)]), &[]);
                }
            }
        }
        set_json(&mut self.expected, &route.0, value.to_json());
        Ok(())
    }

    fn unsupported(&self, route: &Route, reason: &'static str) -> EditError {
        EditError::Unsupported {
            route: route.to_string(),
            reason,
        }
    }

    /// Replaces `node`, the value at `route`.
    fn replace(&mut self, route: &Route, node: &Node, value: &Yaml) -> Result<(), EditError> {
        let start = node.position.offset;
        let flow = matches!(self.source.as_bytes().get(start), Some(b'{' | b'['));
        let edit = match &node.value {
            Value::Mapping(_) | Value::Sequence(_) if flow => {
                (start..self.closing_bracket(node)?, value.flow())
            }
            // A block collection: from just after its key's colon, so no `-` is left behind.
            Value::Mapping(_) | Value::Sequence(_) => {
                let colon = self.colon_after_key(route)?;
                (colon + 1..end(node), format!(" {}", value.flow()))
            }
            // `key:` with nothing after it.
            Value::Null if node.position.len == 0 => {
                let colon = self.colon_after_key(route)?;
                (colon + 1..colon + 1, format!(" {}", value.flow()))
            }
            _ => (start..end(node), value.flow()),
        };
        self.edits.push(edit);
        Ok(())
    }

    /// The byte just after the `}` or `]` that closes the flow collection `node`.
    fn closing_bracket(&self, node: &Node) -> Result<usize, EditError> {
        let children_end = match &node.value {
            Value::Mapping(entries) => entries.last().map(|(_, v)| end(v)),
            Value::Sequence(items) => items.last().map(end),
            _ => None,
        };
        let from = children_end.unwrap_or(node.position.offset + 1);
        self.source[from..]
            .find(['}', ']'])
            .map(|i| from + i + 1)
            .ok_or_else(|| EditError::Mismatch {
                reason: "an unclosed flow collection".to_owned(),
            })
    }

    /// The offset of the `:` after the key of the entry at `route`.
    fn colon_after_key(&self, route: &Route) -> Result<usize, EditError> {
        let key = self
            .document
            .key_at(route)
            .ok_or_else(|| self.unsupported(route, "it is not a mapping entry"))?;
        let from = end(key);
        self.source[from..]
            .find(':')
            .map(|i| from + i)
            .ok_or_else(|| self.unsupported(route, "its key has no `:`"))
    }

    /// Inserts `key: value` into the mapping `node` at `route`.
    fn insert(
        &mut self,
        route: &Route,
        node: &Node,
        key: &str,
        value: &Yaml,
        after: &[&str],
    ) -> Result<(), EditError> {
        let Value::Mapping(entries) = &node.value else {
            return Err(self.unsupported(route, "it is not a mapping"));
        };
        let anchor = after
            .iter()
            .find_map(|name| entries.iter().find(|(k, _)| k.as_str() == Some(name)))
            .or(entries.last());
        let is_flow = self.source.as_bytes().get(node.position.offset) == Some(&b'{');
        if is_flow {
            let (at, text) = match anchor {
                Some((_, v)) => (end(v), format!(", {}: {}", scalar(key), value.flow())),
                None => (
                    node.position.offset + 1,
                    format!("{}: {}", scalar(key), value.flow()),
                ),
            };
            self.edits.push((at..at, text));
            return Ok(());
        }
        let (Some((_, last)), Some((first_key, _))) = (anchor, entries.first()) else {
            return Err(self.unsupported(route, "an empty block mapping"));
        };
        // The new line goes after the anchor entry's last line, indented as its siblings.
        let line_start = self.source[..first_key.position.offset]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let indent: String = self.source[line_start..first_key.position.offset]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        // New lines end as the file's do.
        let newline = if self.source.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let entry = Yaml::block_entry(key, value, &indent).replace('\n', newline);
        let after_value = end(last);
        match self.source[after_value..].find('\n') {
            Some(i) => {
                let at = after_value + i + 1;
                self.edits.push((at..at, entry));
            }
            None => {
                let at = self.source.len();
                self.edits.push((at..at, format!("{newline}{entry}")));
            }
        }
        Ok(())
    }

    /// Each edit: the byte range of the source it replaces, and the text put there.
    pub fn changes(&self) -> impl Iterator<Item = (Range<usize>, &str)> {
        self.edits
            .iter()
            .map(|(range, text)| (range.clone(), text.as_str()))
    }

    /// `text` (the source, or a copy with secrets masked byte for byte) with the edits made.
    pub fn apply(&self, text: &str) -> String {
        let mut order: Vec<usize> = (0..self.edits.len()).collect();
        // Last first, so earlier offsets stay valid; at one offset, the first made ends first.
        order.sort_by(|a, b| {
            let (ra, rb) = (&self.edits[*a].0, &self.edits[*b].0);
            (rb.start, rb.end, b).cmp(&(ra.start, ra.end, a))
        });
        let mut out = text.to_owned();
        for i in order {
            let (range, replacement) = &self.edits[i];
            out.replace_range(range.clone(), replacement);
        }
        out
    }

    /// Applies the edits to the source and checks that the result reads back as the old
    /// document with exactly the values set.
    pub fn edited(&self) -> Result<String, EditError> {
        let text = self.apply(self.source);
        let document = serde_saphyr::from_str::<Node>(&text).map_err(|e| EditError::Mismatch {
            reason: e.without_snippet().to_string(),
        })?;
        if document.to_json() != self.expected {
            return Err(EditError::Mismatch {
                reason: "other values would change".to_owned(),
            });
        }
        Ok(text)
    }
}

/// The byte offset just after `node` (a collection's last child included).
fn end(node: &Node) -> usize {
    node.position.offset + node.position.len
}

/// Sets `value` at `steps` in a JSON document, creating objects on the way.
fn set_json(json: &mut serde_json::Value, steps: &[Step], value: serde_json::Value) {
    let Some((first, rest)) = steps.split_first() else {
        *json = value;
        return;
    };
    let child = match (json, first) {
        (serde_json::Value::Object(map), Step::Key(key)) => map
            .entry(key.clone())
            .or_insert(serde_json::Value::Object(serde_json::Map::new())),
        (serde_json::Value::Array(items), Step::Index(i)) if *i < items.len() => &mut items[*i],
        (json, Step::Key(key)) => {
            // A null (or other scalar) parent becomes the mapping the edit creates.
            *json = serde_json::Value::Object(serde_json::Map::new());
            let serde_json::Value::Object(map) = json else {
                return;
            };
            map.entry(key.clone())
                .or_insert(serde_json::Value::Object(serde_json::Map::new()))
        }
        _ => return,
    };
    set_json(child, rest, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route;

    fn edit(source: &str, f: impl FnOnce(&mut Edits)) -> String {
        let document: Node = serde_saphyr::from_str(source).unwrap();
        let mut edits = Edits::new(source, &document);
        f(&mut edits);
        edits.edited().unwrap()
    }

    const BLOCK: &str = "# Luma\nversion: 1\nproject:\n  name: Luma   # shown in the Admin\n  data_spaces:\n    live: {type: production, name: Production}\n    # QA\n    qa:\n      type: testing\n      name: \"Testing 1\"\nenvironments:\n  production:\n    tier: production\n    data_space: live\n    websites:\n      - base\n";

    #[test]
    fn entries_are_inserted_after_their_sibling_keeping_comments() {
        let text = edit(BLOCK, |e| {
            e.set(&route!["project", "id"], Yaml::str("p-1"), &["name"])
                .unwrap();
            e.set(
                &route!["project", "data_spaces", "live", "id"],
                Yaml::str("e-1"),
                &["name"],
            )
            .unwrap();
            e.set(
                &route!["project", "data_spaces", "qa", "id"],
                Yaml::str("e-2"),
                &["name"],
            )
            .unwrap();
        });
        assert_eq!(
            text,
            "# Luma\nversion: 1\nproject:\n  name: Luma   # shown in the Admin\n  id: p-1\n  data_spaces:\n    live: {type: production, name: Production, id: e-1}\n    # QA\n    qa:\n      type: testing\n      name: \"Testing 1\"\n      id: e-2\nenvironments:\n  production:\n    tier: production\n    data_space: live\n    websites:\n      - base\n"
        );
    }

    #[test]
    fn values_are_replaced_in_place_and_equal_ones_left_alone() {
        let text = edit(BLOCK, |e| {
            e.set(&route!["project", "name"], Yaml::str("Luma: EU"), &[])
                .unwrap();
            e.set(
                &route!["project", "data_spaces", "qa", "name"],
                Yaml::str("Luma QA"),
                &[],
            )
            .unwrap();
            e.set(
                &route!["environments", "production", "websites"],
                Yaml::List(vec!["base".into(), "wholesale".into()]),
                &[],
            )
            .unwrap();
            e.set(
                &route!["environments", "production", "data_space"],
                Yaml::str("live"),
                &[],
            )
            .unwrap();
        });
        assert!(
            text.contains("  name: \"Luma: EU\"   # shown in the Admin\n"),
            "{text}"
        );
        assert!(text.contains("      name: Luma QA\n"), "{text}");
        assert!(
            text.ends_with("    websites: [base, wholesale]\n"),
            "{text}"
        );
    }

    #[test]
    fn new_entries_go_into_flow_and_empty_mappings() {
        let source = "project:\n  data_spaces: {}\nenvironments:\n  staging: {tier: staging, data_space: qa}\nother:\n";
        let text = edit(source, |e| {
            e.set(
                &route!["project", "data_spaces", "qa"],
                Yaml::Map(vec![
                    ("type".into(), Yaml::str("testing")),
                    ("name".into(), Yaml::str("Luma QA")),
                ]),
                &[],
            )
            .unwrap();
            e.set(
                &route!["environments", "staging", "websites"],
                Yaml::List(vec!["base".into()]),
                &["data_space"],
            )
            .unwrap();
            e.set(&route!["other", "x"], Yaml::str("y"), &[]).unwrap();
        });
        assert_eq!(
            text,
            "project:\n  data_spaces: {qa: {type: testing, name: Luma QA}}\nenvironments:\n  staging: {tier: staging, data_space: qa, websites: [base]}\nother: {x: \"y\"}\n"
        );
    }

    #[test]
    fn missing_mappings_are_created_as_blocks() {
        let text = edit("version: 1\nkeys:\n  production: {}", |e| {
            e.set(
                &route!["project", "data_spaces", "live"],
                Yaml::Map(vec![("type".into(), Yaml::str("production"))]),
                &[],
            )
            .unwrap();
        });
        assert_eq!(
            text,
            "version: 1\nkeys:\n  production: {}\nproject:\n  data_spaces:\n    live: {type: production}\n"
        );
    }

    #[test]
    fn an_edit_that_would_not_read_back_is_refused() {
        // The flow mapping closes on a line of its own: the new line would land inside it.
        let source = "a:\n  b: {x: 1,\n    y: 2\n  }\n";
        let document: Node = serde_saphyr::from_str(source).unwrap();
        let mut edits = Edits::new(source, &document);
        edits.set(&route!["a", "c"], Yaml::str("z"), &[]).unwrap();
        assert!(matches!(edits.edited(), Err(EditError::Mismatch { .. })));
    }

    #[test]
    fn new_lines_end_as_the_files_lines_do() {
        let text = edit("project:\r\n  name: Luma\r\nother: 1\r\n", |e| {
            e.set(&route!["project", "id"], Yaml::str("p-1"), &["name"])
                .unwrap();
        });
        assert_eq!(
            text,
            "project:\r\n  name: Luma\r\n  id: p-1\r\nother: 1\r\n"
        );
    }

    /// Every shipped example and rule example takes the edits import makes, in whatever
    /// style it is written; `edited` checks each result reads back as intended.
    #[test]
    fn every_example_takes_the_edits_import_makes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in ["examples", "src/rules/examples"] {
            let mut stack = vec![root.join(dir)];
            while let Some(path) = stack.pop() {
                if path.is_dir() {
                    stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    paths.push(path);
                }
            }
        }
        assert!(paths.len() > 20, "{paths:?}");
        let mut edited = 0;
        for path in paths {
            let source = std::fs::read_to_string(&path).unwrap();
            let Ok(document) = serde_saphyr::from_str::<Node>(&source) else {
                continue; // the syntax-error examples
            };
            let keys = |route: &Route| match document.get(route).map(|n| &n.value) {
                Some(Value::Mapping(entries)) => {
                    entries.iter().filter_map(|(k, _)| k.key_text()).collect()
                }
                _ => Vec::new(),
            };
            let spaces = keys(&route!["project", "data_spaces"]);
            let environments = keys(&route!["environments"]);
            if spaces.is_empty() || environments.is_empty() {
                continue;
            }
            let mut edits = Edits::new(&source, &document);
            let id = "3f0c1a2b-0000-4000-8000-000000000001";
            edits
                .set(&route!["project", "id"], Yaml::str(id), &["name"])
                .unwrap();
            for space in &spaces {
                let at = route!["project", "data_spaces", space];
                edits.set(&at.at("id"), Yaml::str(id), &["name"]).unwrap();
                edits
                    .set(&at.at("name"), Yaml::str("Renamed: live"), &[])
                    .unwrap();
            }
            for environment in &environments {
                let at = route!["environments", environment];
                edits
                    .set(&at.at("data_space"), Yaml::str(&spaces[0]), &[])
                    .unwrap();
                edits
                    .set(
                        &at.at("websites"),
                        Yaml::List(vec!["base".into(), "b2b".into()]),
                        &["data_space"],
                    )
                    .unwrap();
                edits
                    .set(&at.at("keys"), Yaml::str("sandbox"), &["tier"])
                    .unwrap();
            }
            let text = edits
                .edited()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Comments are all still there.
            for line in source.lines().filter(|l| l.trim_start().starts_with('#')) {
                assert!(text.contains(line), "{}: lost {line:?}", path.display());
            }
            edited += 1;
        }
        assert!(edited > 20, "{edited}");
    }

    /// A value shared through an anchor cannot change in one place only: refused, not spread.
    #[test]
    fn a_shared_anchor_is_not_edited_for_one_of_its_users() {
        let source =
            "base: &base {tier: staging, data_space: qa}\nenvironments:\n  a: *base\n  b: *base\n";
        let document: Node = serde_saphyr::from_str(source).unwrap();
        let mut edits = Edits::new(source, &document);
        let set = edits.set(
            &route!["environments", "a", "data_space"],
            Yaml::str("live"),
            &[],
        );
        assert!(
            set.is_err() || edits.edited().is_err(),
            "{:?}",
            edits.edited()
        );
    }

    #[test]
    fn scalars_are_quoted_only_where_needed() {
        for (text, written) in [
            ("Luma Production", "Luma Production"),
            ("yes", "\"yes\""),
            ("1e3", "\"1e3\""),
            ("a, b", "\"a, b\""),
            ("- x", "\"- x\""),
            (" padded", "\" padded\""),
            ("Café #1", "\"Café #1\""),
            (
                "3f0c1a2b-0000-4000-8000-000000000001",
                "3f0c1a2b-0000-4000-8000-000000000001",
            ),
        ] {
            assert_eq!(scalar(text), written, "{text}");
        }
    }
}
