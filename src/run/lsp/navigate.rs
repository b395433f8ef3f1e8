//! Hover and go-to-definition: a finding's rule explained, a data space or key set reference
//! resolved to its declaration.

use std::path::Path;

use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position};

use super::convert::uri_of;
use super::workspace::Document;
use crate::config::{Route, Step};
use crate::diagnostic::Position as Span;
use crate::rules;

/// What the editor shows over `position`: the rules of the findings there, else the
/// declaration of the reference there.
pub fn hover(document: &Document, position: Position) -> Option<Hover> {
    let offset = document.lines.offset(&document.text, position);
    let explained: Vec<String> = document
        .findings
        .iter()
        .filter(|finding| covers(finding.location.position, offset))
        .filter_map(|finding| rules::find(finding.rule))
        .map(|info| format!("{}\n\n[{}]({})", info.about(), info.id, info.help_uri()))
        .collect();
    let value = if explained.is_empty() {
        let declaration = declaration_at(document, offset)?;
        declaration_text(document, &declaration)?
    } else {
        explained.join("\n\n---\n\n")
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    })
}

/// Where the reference at `position` is declared, in the same file.
pub fn definition(path: &Path, document: &Document, position: Position) -> Option<Location> {
    let offset = document.lines.offset(&document.text, position);
    let declaration = declaration_at(document, offset)?;
    let (_, key) = document.loaded.positions().get(&declaration)?;
    let key = (*key)?;
    Some(Location::new(
        uri_of(path)?,
        document.lines.range(&document.text, key.offset, key.len),
    ))
}

/// Whether `offset` is on the node at `span` (or just after it, where a cursor ends a word).
fn covers(span: Span, offset: usize) -> bool {
    (span.offset..=span.offset + span.len).contains(&offset)
}

/// The declaration that the reference at `offset` names, when it is one and it is declared: a
/// data space (`data_space: live`) or a key set (`keys: sandbox`).
fn declaration_at(document: &Document, offset: usize) -> Option<Route> {
    let loaded = &document.loaded;
    let (route, _) = loaded
        .positions()
        .iter()
        .filter(|(_, (span, _))| covers(*span, offset))
        .max_by_key(|(route, _)| route.0.len())?;
    let keys = |key: &str| Step::Key(key.to_owned());
    let declared_under = match route.0.as_slice() {
        [first, _, last] if *first == keys("environments") && *last == keys("data_space") => {
            Route(vec![keys("project"), keys("data_spaces")])
        }
        [first, _, last] if *first == keys("environments") && *last == keys("keys") => {
            Route(vec![keys("keys")])
        }
        [first, last] if *first == keys("project") && *last == keys("keys") => {
            Route(vec![keys("keys")])
        }
        _ => return None,
    };
    let name = loaded.document.as_ref()?.get(route)?.as_str()?;
    let declaration = declared_under.at(name);
    loaded
        .positions()
        .contains_key(&declaration)
        .then_some(declaration)
}

/// The declaration at `route` as written (key to value's end, whole lines), with its line.
fn declaration_text(document: &Document, route: &Route) -> Option<String> {
    let loaded = &document.loaded;
    let (value, key) = loaded.positions().get(route)?;
    let key = (*key)?;
    // The checked text: a secret in it is masked.
    let source = &loaded.source;
    let start = source.get(..key.offset)?.rfind('\n').map_or(0, |at| at + 1);
    let end = value.offset + value.len;
    let end = source
        .get(end..)?
        .find('\n')
        .map_or(source.len(), |at| end + at);
    let what = match route.0.first() {
        Some(Step::Key(first)) if first == "keys" => "key set",
        _ => "data space",
    };
    Some(format!(
        "{what} `{}`, declared on line {}:\n\n```yaml\n{}\n```",
        key_name(route),
        key.line,
        source.get(start..end)?
    ))
}

fn key_name(route: &Route) -> String {
    match route.0.last() {
        Some(Step::Key(name)) => name.clone(),
        _ => String::new(),
    }
}
