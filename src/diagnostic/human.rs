//! The human format: rustc-style messages with a snippet of the YAML around the node.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::escape::text as shown;
use super::{Diagnostic, Location, Severity, Sources};

/// Renders every diagnostic with its snippet; `color` adds ANSI styles.
pub fn render_human(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&renderer.render(&report(diagnostic, sources)));
        out.push_str("\n\n");
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::NOTE,
    }
}

/// The byte range to underline: the node's first line only, so a whole mapping does not
/// paint the screen.
fn underline(text: &str, location: &Location) -> std::ops::Range<usize> {
    let range = underline_bytes(text, location);
    // Whatever the parser reported, the renderer slices on char boundaries only.
    floor_char_boundary(text, range.start)..ceil_char_boundary(text, range.end)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

fn underline_bytes(text: &str, location: &Location) -> std::ops::Range<usize> {
    let start = floor_char_boundary(text, location.position.offset);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let node_end = start + location.position.len.max(1);
    let end = if node_end <= line_end {
        node_end
    } else {
        // A node over several lines: its first line, without a comment after it.
        start + code_len(&text[start..line_end])
    };
    let end = end.min(line_end).max(start);
    if end == start && start < text.len() {
        // A zero-width node (an empty value) still gets one caret.
        let next = text[start..]
            .char_indices()
            .nth(1)
            .map_or(text.len(), |(i, _)| start + i);
        return start..next;
    }
    start..end
}

/// The length of `line` without a trailing comment and the blanks before it (a `#` outside
/// quotes that follows a blank starts a comment in YAML).
fn code_len(line: &str) -> usize {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') if previous.is_whitespace() => return line[..i].trim_end().len(),
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            _ => {}
        }
        previous = c;
    }
    line.trim_end().len()
}

/// One annotation to draw: where, how, and its label.
struct Mark<'a> {
    kind: AnnotationKind,
    location: &'a Location,
    label: std::borrow::Cow<'a, str>,
}

/// Annotations this many lines apart or closer share one snippet.
const NEAR_LINES: usize = 5;

/// The snippets that draw `marks` over `text`: each holds only the lines its annotations are
/// on (and those between them), never the whole file, so rendering a finding costs the lines
/// it shows, not the file's size, however many findings a large file has.
fn snippets<'a>(
    text: &'a str,
    path: &str,
    mut marks: Vec<Mark<'a>>,
) -> Vec<Snippet<'a, annotate_snippets::Annotation<'a>>> {
    marks.sort_by_key(|m| m.location.position.line);
    let mut clusters: Vec<Vec<Mark<'a>>> = Vec::new();
    for mark in marks {
        match clusters.last_mut() {
            Some(cluster)
                if cluster.last().is_some_and(|last| {
                    mark.location.position.line <= last.location.position.line + NEAR_LINES
                }) =>
            {
                cluster.push(mark);
            }
            _ => clusters.push(vec![mark]),
        }
    }
    // The primary annotation's snippet first: the report's `-->` names where it is.
    clusters.sort_by_key(|cluster| {
        !cluster
            .iter()
            .any(|m| matches!(m.kind, AnnotationKind::Primary))
    });
    clusters
        .into_iter()
        .map(|cluster| {
            let ranges: Vec<std::ops::Range<usize>> = cluster
                .iter()
                .map(|m| underline(text, m.location))
                .collect();
            let first = ranges.iter().map(|r| r.start).min().unwrap_or(0);
            let last = ranges.iter().map(|r| r.end).max().unwrap_or(0);
            let start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            let end = text[last..].find('\n').map_or(text.len(), |i| last + i);
            let line = cluster
                .iter()
                .map(|m| m.location.position.line)
                .min()
                .unwrap_or(1)
                .max(1);
            cluster.into_iter().zip(ranges).fold(
                Snippet::source(&text[start..end])
                    .line_start(line)
                    .path(path.to_owned())
                    .fold(true),
                |snippet, (mark, range)| {
                    snippet.annotation(
                        mark.kind
                            .span(range.start - start..range.end - start)
                            .label(mark.label),
                    )
                },
            )
        })
        .collect()
}

/// What was read (names in messages and labels, paths) is shown escaped ([`shown`]).
fn report<'a>(diagnostic: &'a Diagnostic, sources: &'a Sources) -> Vec<Group<'a>> {
    let title = level(diagnostic.severity)
        .primary_title(shown(&diagnostic.message))
        .id(diagnostic.rule);
    let file = diagnostic.location.file.as_str();
    let path = shown(file);
    let mut groups = Vec::new();
    let primary = match sources.get(file) {
        Some(text) => {
            let mut marks = vec![Mark {
                kind: AnnotationKind::Primary,
                location: &diagnostic.location,
                label: shown(&diagnostic.label),
            }];
            marks.extend(
                diagnostic
                    .related
                    .iter()
                    .filter(|r| r.location.file == file)
                    .map(|related| Mark {
                        kind: AnnotationKind::Context,
                        location: &related.location,
                        label: shown(&related.label),
                    }),
            );
            snippets(text, &path, marks)
                .into_iter()
                .fold(Group::with_title(title), |group, snippet| {
                    group.element(snippet)
                })
        }
        None => title.element(
            annotate_snippets::Origin::path(path)
                .line(diagnostic.location.position.line)
                .char_column(diagnostic.location.position.column),
        ),
    };
    groups.push(primary);
    for related in diagnostic
        .related
        .iter()
        .filter(|r| r.location.file != file)
    {
        if let Some(text) = sources.get(&related.location.file) {
            groups.push(
                snippets(
                    text,
                    &shown(&related.location.file),
                    vec![Mark {
                        kind: AnnotationKind::Context,
                        location: &related.location,
                        label: std::borrow::Cow::Borrowed(""),
                    }],
                )
                .into_iter()
                .fold(
                    Group::with_title(Level::NOTE.secondary_title(shown(&related.label))),
                    |group, snippet| group.element(snippet),
                ),
            );
        }
    }
    if let Some(reason) = &diagnostic.ignored {
        groups.push(Group::with_title(
            Level::NOTE.secondary_title(format!("ignored: {}", shown(reason))),
        ));
    }
    if !diagnostic.help.is_empty() {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(shown(&diagnostic.help)),
        ));
    }
    groups
}
