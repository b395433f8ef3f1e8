//! A YAML document kept with the position of every node, so that schema errors and rule
//! findings can point at the exact line and column of the node they are about.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostic::Position;

/// Converts the parser's location into a [`Position`].
fn position_of(location: &serde_saphyr::Location) -> Position {
    let span = location.span();
    Position {
        line: usize::try_from(location.line()).unwrap_or(usize::MAX),
        column: usize::try_from(location.column()).unwrap_or(usize::MAX),
        offset: span
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(0),
        len: span
            .byte_len()
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(0),
    }
}

/// Where the bracket `closer` that ends a flow collection is, looking from `from` (after its
/// last child) past separators, blanks and comments; `None` where something else comes first.
fn closing_bracket(source: &str, from: usize, closer: u8) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b if b == closer => return Some(at),
            b' ' | b'\t' | b'\r' | b'\n' | b',' => at += 1,
            // A comment runs to the end of its line.
            b'#' => at = source[at..].find('\n').map_or(bytes.len(), |i| at + i),
            // The rest of a quoted scalar the parser's span left out (its closing quote).
            b'"' | b'\'' if at == from => at += 1,
            _ => return None,
        }
    }
    None
}

/// One step of a route into the document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl From<&str> for Step {
    fn from(key: &str) -> Self {
        Step::Key(key.to_owned())
    }
}

impl From<&String> for Step {
    fn from(key: &String) -> Self {
        Step::Key(key.clone())
    }
}

impl From<usize> for Step {
    fn from(index: usize) -> Self {
        Step::Index(index)
    }
}

/// A path from the document root to one node, e.g. `environments.staging.data_space`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Route(pub Vec<Step>);

impl Route {
    pub fn root() -> Self {
        Route(Vec::new())
    }

    /// The route extended by one step.
    pub fn at(&self, step: impl Into<Step>) -> Self {
        let mut steps = self.0.clone();
        steps.push(step.into());
        Route(steps)
    }
}

/// Builds a route from keys and indices: `route!["environments", name, "websites", 0]`.
#[macro_export]
macro_rules! route {
    ($($step:expr),* $(,)?) => {
        $crate::config::Route(vec![$($crate::config::Step::from($step)),*])
    };
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    Sequence(Vec<Node>),
    /// Entries in document order; a key keeps its own position.
    Mapping(Vec<(Node, Node)>),
}

impl Node {
    /// The node at `route`, if the document has one there.
    pub fn get(&self, route: &Route) -> Option<&Node> {
        route.0.iter().try_fold(self, |node, step| node.child(step))
    }

    fn child(&self, step: &Step) -> Option<&Node> {
        match (&self.value, step) {
            (Value::Mapping(entries), Step::Key(key)) => {
                entries.iter().find(|(k, _)| k.is_key(key)).map(|(_, v)| v)
            }
            (Value::Sequence(items), Step::Index(index)) => items.get(*index),
            _ => None,
        }
    }

    /// Removes the nodes at `routes` from their mappings and sequences, in one walk of the
    /// document however many there are (a file may have thousands of wrong keys); the root
    /// cannot be removed. Whether every route named a node.
    pub fn remove_all(&mut self, routes: &[Route]) -> bool {
        let all: std::collections::HashSet<&[Step]> =
            routes.iter().map(|r| r.0.as_slice()).collect();
        if all.contains(&[][..]) {
            return false;
        }
        // A node inside another one to remove goes with it.
        let wanted: std::collections::HashSet<&[Step]> = all
            .iter()
            .copied()
            .filter(|r| !(1..r.len()).any(|len| all.contains(&r[..len])))
            .collect();
        // Only the ancestors of a wanted node are walked into.
        let ancestors: std::collections::HashSet<&[Step]> = wanted
            .iter()
            .flat_map(|r| (0..r.len()).map(move |len| &r[..len]))
            .collect();
        let mut removed = 0;
        self.remove_under(&mut Vec::new(), &wanted, &ancestors, &mut removed);
        removed == wanted.len()
    }

    fn remove_under(
        &mut self,
        route: &mut Vec<Step>,
        wanted: &std::collections::HashSet<&[Step]>,
        ancestors: &std::collections::HashSet<&[Step]>,
        removed: &mut usize,
    ) {
        if !ancestors.contains(route.as_slice()) {
            return;
        }
        match &mut self.value {
            Value::Mapping(entries) => {
                entries.retain_mut(|(key, value)| {
                    let Some(name) = key.key_text() else {
                        return true;
                    };
                    route.push(Step::Key(name));
                    let keep = if wanted.contains(route.as_slice()) {
                        *removed += 1;
                        false
                    } else {
                        value.remove_under(route, wanted, ancestors, removed);
                        true
                    };
                    route.pop();
                    keep
                });
            }
            Value::Sequence(items) => {
                let mut index = 0;
                items.retain_mut(|item| {
                    route.push(Step::Index(index));
                    index += 1;
                    let keep = if wanted.contains(route.as_slice()) {
                        *removed += 1;
                        false
                    } else {
                        item.remove_under(route, wanted, ancestors, removed);
                        true
                    };
                    route.pop();
                    keep
                });
            }
            _ => {}
        }
    }

    /// The key node of the mapping entry at `route` (for "unknown field" and similar).
    pub fn key_at(&self, route: &Route) -> Option<&Node> {
        let (last, parent) = route.0.split_last()?;
        let Step::Key(key) = last else { return None };
        match &self.get(&Route(parent.to_vec()))?.value {
            Value::Mapping(entries) => entries.iter().find(|(k, _)| k.is_key(key)).map(|(k, _)| k),
            _ => None,
        }
    }

    /// The byte offset just after the node.
    fn end(&self) -> usize {
        self.position.offset + self.position.len
    }

    /// Ends every flow collection (`{…}`, `[…]`) at its closing bracket in `source`: the parser
    /// spans only its opening token, and its children end before the bracket (and before any
    /// comment after it).
    pub fn close_flow_collections(&mut self, source: &str) {
        let children: Vec<&mut Node> = match &mut self.value {
            Value::Sequence(items) => items.iter_mut().collect(),
            Value::Mapping(entries) => entries.iter_mut().map(|(_, v)| v).collect(),
            _ => return,
        };
        let mut last = self.position.offset + 1;
        for child in children {
            child.close_flow_collections(source);
            last = last.max(child.end());
        }
        let closer = match source.as_bytes().get(self.position.offset) {
            Some(b'{') => b'}',
            Some(b'[') => b']',
            _ => return,
        };
        if let Some(close) = closing_bracket(source, last, closer) {
            self.position.len = close + 1 - self.position.offset;
        }
    }

    /// The position of the deepest existing node along `route`: a missing leaf is
    /// reported at its parent rather than at the document start.
    pub fn locate(&self, route: &Route) -> Position {
        let mut node = self;
        for step in &route.0 {
            match node.child(step) {
                Some(child) => node = child,
                None => break,
            }
        }
        node.position
    }

    /// A scalar rendered as the text a mapping key compares by.
    /// Whether this key node is `key`, without allocating (lookups walk whole mappings).
    fn is_key(&self, key: &str) -> bool {
        match &self.value {
            Value::String(s) => s == key,
            _ => self.key_text().as_deref() == Some(key),
        }
    }

    pub fn key_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some("null".to_owned()),
            Value::Sequence(_) | Value::Mapping(_) => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The plain JSON value, for schema validation and typed deserialization.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Sequence(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short name for the node's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let mut position = position_of(&spanned.referenced);
        // The parser spans only a container's first token; extend it over its children so a
        // secret inside can be masked whole.
        let children_end = match &spanned.value {
            Value::Sequence(items) => items.iter().map(Node::end).max(),
            Value::Mapping(entries) => entries.iter().map(|(_, v)| v.end()).max(),
            _ => None,
        };
        if let Some(end) = children_end {
            position.len = position.len.max(end.saturating_sub(position.offset));
        }
        Ok(Node {
            value: spanned.value,
            position,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Integer))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Integer))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Integer))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        // Documents stay loaded for the whole run: no growth slack, in an estate of thousands.
        items.shrink_to_fit();
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Node, Node>()? {
            entries.push((key, value));
        }
        entries.shrink_to_fit();
        Ok(Value::Mapping(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_all_takes_every_route_in_one_walk() {
        let mut node: Node =
            serde_saphyr::from_str("a: {b: 1, c: 2}\nd: [p, q, r]\ne: 3\n").unwrap();
        let route = |steps: &[Step]| Route(steps.to_vec());
        let key = |k: &str| Step::Key(k.to_owned());
        assert!(node.remove_all(&[
            route(&[key("a"), key("b")]),
            route(&[key("d"), Step::Index(0)]),
            route(&[key("d"), Step::Index(2)]),
            // Inside a node that goes: taken with it.
            route(&[key("e")]),
            route(&[key("e"), key("f")]),
        ]));
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": {"c": 2}, "d": ["q"]})
        );
        assert!(!node.remove_all(&[route(&[key("missing")])]));
        assert!(!node.remove_all(&[Route::root()]));
    }
}
