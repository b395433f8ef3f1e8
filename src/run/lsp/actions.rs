//! Code actions: the fixes findings carry (did-you-mean), `previous_names` for a renamed
//! project or data space, and an ignore comment for a warning that may be ignored.

use std::collections::HashMap;
use std::ops::Range as Bytes;
use std::path::Path;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};

use super::convert::uri_of;
use super::workspace::{Document, names};
use crate::config::edit::{Edits, Yaml};
use crate::config::{Route, Step, normalize_name};
use crate::diagnostic::Severity;
use crate::rules;

/// An action in saasctl's terms: its title, and its edits (the bytes of the text each
/// replaces, and with what).
struct Found {
    title: String,
    edits: Vec<(Bytes<usize>, String)>,
}

/// The actions for the lines `range` of `document` touches.
pub fn actions(path: &Path, document: &Document, range: Range) -> Vec<CodeActionOrCommand> {
    let lines = range.start.line..=range.end.line;
    let on_lines = |offset: usize, len: usize| {
        let at = document.lines.range(&document.text, offset, len);
        lines.contains(&at.start.line) || lines.contains(&at.end.line)
    };
    let mut found: Vec<Found> = Vec::new();
    for finding in &document.findings {
        let at = finding.location.position;
        if !on_lines(at.offset, at.len) {
            continue;
        }
        for fix in &finding.fixes {
            let span = fix.position.offset..fix.position.offset + fix.position.len;
            found.push(Found {
                title: fix.title.clone(),
                edits: vec![(span, fix.replacement.clone())],
            });
        }
        if finding.severity == Severity::Warning && rules::ignorable(finding.rule) {
            found.extend(ignore_comment(document, finding.rule, at.offset));
        }
    }
    found.extend(
        renames(document)
            .into_iter()
            .filter(|(name, _)| on_lines(name.start, name.len()))
            .map(|(_, action)| action),
    );
    let Some(uri) = uri_of(path) else {
        return Vec::new();
    };
    found
        .into_iter()
        .map(|Found { title, edits }| {
            let edits = edits
                .into_iter()
                .map(|(span, text)| TextEdit {
                    range: document.lines.range(&document.text, span.start, span.len()),
                    new_text: text,
                })
                .collect();
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            })
        })
        .collect()
}

/// `# saasctl: ignore[RULE]` at the end of the line of `offset`, when it has no comment. The
/// reason is left for the user to write: without one, the comment ignores nothing (SC013 says
/// so), so the action cannot lift a finding by itself.
fn ignore_comment(document: &Document, rule: &str, offset: usize) -> Option<Found> {
    let text = &document.text;
    let start = text.get(..offset)?.rfind('\n').map_or(0, |at| at + 1);
    let end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |at| offset + at);
    let end = if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    if text[start..end].contains('#') {
        return None;
    }
    Some(Found {
        title: format!("ignore {rule} on this line (then say why after the `]`)"),
        edits: vec![(end..end, format!("  # saasctl: ignore[{rule}]"))],
    })
}

/// For each project or data space name the editor changed from the file as saved, the edit
/// that lists the saved name in its `previous_names`, so the plan renames the live object
/// (its data stays) instead of missing it; each with the bytes of the name it is about.
fn renames(document: &Document) -> Vec<(Bytes<usize>, Found)> {
    let loaded = &document.loaded;
    let (Some(config), Some(tree)) = (&loaded.config, &loaded.document) else {
        return Vec::new();
    };
    let now = names(config);
    let mut found = Vec::new();
    for (route, saved) in &document.saved_names {
        let Some((_, name)) = now.iter().find(|(at, _)| at == route) else {
            continue;
        };
        let holder = Route(route.0[..route.0.len() - 1].to_vec());
        let previous_route = holder.at("previous_names");
        let mut previous: Vec<String> = tree
            .get(&previous_route)
            .map(|node| node.to_json())
            .and_then(|json| serde_json::from_value(json).ok())
            .unwrap_or_default();
        if normalize_name(name) == normalize_name(saved)
            || previous
                .iter()
                .any(|p| normalize_name(p) == normalize_name(saved))
        {
            continue;
        }
        let Some((span, _)) = loaded.positions().get(route) else {
            continue;
        };
        previous.push(saved.clone());
        let mut edits = Edits::new(&loaded.source, tree);
        if edits
            .set(&previous_route, Yaml::List(previous), &["name"])
            .is_err()
            || edits.edited().is_err()
        {
            continue;
        }
        let what = match holder.0.last() {
            Some(Step::Key(key)) if holder.0.len() > 1 => format!("data space `{key}`"),
            _ => "the project".to_owned(),
        };
        found.push((
            span.offset..span.offset + span.len,
            Found {
                title: format!(
                    "add `previous_names: [{saved}]`: rename {what} in the registry, keeping its data"
                ),
                edits: edits
                    .changes()
                    .map(|(span, text)| (span, text.to_owned()))
                    .collect(),
            },
        ));
    }
    found
}
