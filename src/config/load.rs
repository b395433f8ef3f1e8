//! Reading a YAML file into the model: bounded parsing, schema validation, typed model, each
//! problem reported as a located diagnostic (rule SC000) rather than stopping at the first.

use std::path::{Path, PathBuf};

use super::document::{Node, Route, Value};
use super::model::Config;
use super::schema;
use crate::diagnostic::{Diagnostic, Fix, Location, Position, Severity, display_path};
use crate::file::io_reason;

/// The rule id of every problem with the file's YAML or its fit to the schema (documented in
/// `rules::sc000_schema`).
pub const SCHEMA_RULE: &str = "SC000";

fn schema_finding(
    message: impl Into<String>,
    location: Location,
    help: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(SCHEMA_RULE, Severity::Error, message, location).help(help)
}

/// A finding on the raw document, made before the schema is checked (by the rules that know
/// better than the schema what a node means, such as an inline secret).
pub struct DocumentFinding {
    pub route: Route,
    pub diagnostic: Diagnostic,
    /// The node holds a secret: its text is masked before any snippet shows it.
    pub secret: bool,
}

/// The rules run on the raw document while loading; the rules layer passes its own.
pub type DocumentRules<'a> = &'a dyn Fn(&Loaded, &Node) -> Vec<DocumentFinding>;

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// One YAML file as read: its text, its located tree and, when it fits the schema, its model.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The path as shown in diagnostics.
    pub file: String,
    pub path: PathBuf,
    /// The directory secret file paths are relative to.
    pub base_dir: PathBuf,
    pub source: String,
    pub document: Option<Node>,
    /// Every node's position (and its key's) by route, so locating a finding is a lookup,
    /// not a walk through mappings of thousands of entries. Built on the first lookup: most
    /// files of a large estate have no finding to locate, and an index per file is most of
    /// what a loaded file holds.
    positions: std::sync::OnceLock<PositionIndex>,
    pub config: Option<Config>,
}

/// Route -> (the node's position, its mapping key's position).
pub type PositionIndex = std::collections::HashMap<Route, (Position, Option<Position>)>;

fn index_positions(
    node: &Node,
    route: &mut Vec<super::document::Step>,
    index: &mut PositionIndex,
    key: Option<Position>,
) {
    index.insert(Route(route.clone()), (node.position, key));
    match &node.value {
        Value::Mapping(entries) => {
            for (k, v) in entries {
                if let Some(name) = k.key_text() {
                    route.push(super::document::Step::Key(name));
                    index_positions(v, route, index, Some(k.position));
                    route.pop();
                }
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                route.push(super::document::Step::Index(i));
                index_positions(item, route, index, None);
                route.pop();
            }
        }
        _ => {}
    }
}

impl Loaded {
    /// Every node's position and its key's, by route.
    pub fn positions(&self) -> &PositionIndex {
        self.positions.get_or_init(|| {
            let mut index = PositionIndex::default();
            if let Some(document) = &self.document {
                index_positions(document, &mut Vec::new(), &mut index, None);
            }
            index
        })
    }

    /// The location of the node at `route`, or of its nearest existing ancestor.
    pub fn locate(&self, route: &Route) -> Location {
        let position = (0..=route.0.len())
            .rev()
            .find_map(|len| self.positions().get(&Route(route.0[..len].to_vec())))
            .map_or_else(Position::default_start, |(position, _)| *position);
        Location {
            file: self.file.clone(),
            position,
            node: route.to_string(),
        }
    }

    /// The location of the key of the entry at `route`, or of its nearest existing node.
    pub fn locate_key(&self, route: &Route) -> Location {
        match self.positions().get(route).and_then(|(_, key)| *key) {
            Some(position) => Location {
                file: self.file.clone(),
                position,
                node: route.to_string(),
            },
            None => self.locate(route),
        }
    }
}

fn parse_options() -> serde_saphyr::Options {
    // Small budgets: a real config has hundreds of nodes, a YAML bomb billions.
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_documents: 1,
            max_nodes: 1_000_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: MAX_FILE_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_alias_expansions_per_anchor: 100,
        },
    }
}

impl Loaded {
    /// The file at `path` before anything is read.
    fn unread(path: &Path) -> Self {
        Loaded {
            file: display_path(path),
            path: path.to_path_buf(),
            base_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            source: String::new(),
            document: None,
            positions: std::sync::OnceLock::new(),
            config: None,
        }
    }
}

/// A problem with the file as a whole.
fn whole_file(file: &str, message: String, help: &str) -> Diagnostic {
    schema_finding(
        message,
        Location {
            file: file.to_owned(),
            position: Position::default_start(),
            node: String::new(),
        },
        help,
    )
}

fn too_large(file: &str, len: usize) -> Diagnostic {
    whole_file(
        file,
        format!(
            "{file} is {len} bytes, more than the {MAX_FILE_BYTES} bytes a configuration may have"
        ),
        "split the merchants into several files",
    )
}

/// Reads and checks one file. Returns what could be read and every problem found.
pub fn load(path: &Path, document_rules: DocumentRules) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = Loaded::unread(path);
    let file = loaded.file.clone();
    let bytes = match crate::file::read_regular(path, MAX_FILE_BYTES as u64) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            let size = std::fs::metadata(path).map_or(MAX_FILE_BYTES + 1, |m| {
                usize::try_from(m.len()).unwrap_or(usize::MAX)
            });
            return (loaded, vec![too_large(&file, size)]);
        }
        Err(e) => {
            return (
                loaded,
                vec![whole_file(
                    &file,
                    format!("cannot read {file}: {}", io_reason(&e)),
                    "check the path and its permissions",
                )],
            );
        }
    };
    if bytes.len() > MAX_FILE_BYTES {
        return (loaded, vec![too_large(&file, bytes.len())]);
    }
    loaded.source = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let text = String::from_utf8_lossy(valid).into_owned();
            let position = end_position(&text);
            loaded.source = text;
            return (
                loaded,
                vec![schema_finding(
                    "the file is not UTF-8 text",
                    Location {
                        file,
                        position,
                        node: String::new(),
                    },
                    "save the file as UTF-8",
                )],
            );
        }
    };
    let diagnostics = check(&mut loaded, document_rules);
    (loaded, diagnostics)
}

/// [`load`] on the text of the file at `path` as an editor holds it, unsaved changes and all.
pub fn load_text(
    path: &Path,
    text: &str,
    document_rules: DocumentRules,
) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = Loaded::unread(path);
    if text.len() > MAX_FILE_BYTES {
        let finding = too_large(&loaded.file, text.len());
        return (loaded, vec![finding]);
    }
    loaded.source = text.to_owned();
    let diagnostics = check(&mut loaded, document_rules);
    (loaded, diagnostics)
}

/// Parses `loaded.source`, validates it and fills in its document and model.
pub fn check(loaded: &mut Loaded, document_rules: DocumentRules) -> Vec<Diagnostic> {
    let mut document =
        match serde_saphyr::from_str_with_options::<Node>(&loaded.source, parse_options()) {
            Ok(document) => document,
            Err(e) => return vec![syntax_error(loaded, &e)],
        };
    document.close_flow_collections(&loaded.source);
    if matches!(document.value, Value::Null) {
        return vec![schema_finding(
            "the file holds no configuration",
            loaded.locate(&Route::root()),
            "start it with `version: 1`; see examples/quickstart/saasctl.yaml",
        )];
    }
    loaded.document = Some(document);
    let Some(document) = &loaded.document else {
        unreachable!("the document was just set")
    };

    let findings = document_rules(loaded, document);
    let secrets: Vec<&Node> = findings
        .iter()
        .filter(|f| f.secret)
        .filter_map(|f| document.get(&f.route))
        .chain(key_set_values(document))
        .collect();
    // A secret written into the YAML is masked wherever it would be shown, not only here.
    secrets.iter().for_each(|node| register_strings(node));
    register_key_shaped_references(document);
    // A node a rule already explained (an inline secret, say) needs no schema error too.
    let (explained, mut diagnostics): (Vec<Route>, Vec<Diagnostic>) = findings
        .into_iter()
        .map(|f| (f.route, f.diagnostic))
        .unzip();
    let mut wrong = explained.clone();
    for error in schema::validate(document) {
        if explained
            .iter()
            .any(|route| error.route.0.starts_with(&route.0))
        {
            continue;
        }
        wrong.push(error.route.clone());
        let location = if error.at_key {
            loaded.locate_key(&error.route)
        } else {
            loaded.locate(&error.route)
        };
        let mut finding = schema_finding(error.message, location.clone(), error.help);
        if let Some(known) = error.suggestion {
            finding = finding.fix(Fix {
                title: format!("did you mean `{known}`"),
                position: location.position,
                replacement: known,
            });
        }
        diagnostics.push(finding);
    }
    for node in secrets {
        mask(&mut loaded.source, node.position);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        // Rules still run on what could be read: the model of the document without the nodes
        // found wrong, where that fits the schema. Nothing is invented in their place.
        loaded.config = model_without(document, wrong);
        return diagnostics;
    }
    match serde_json::from_value::<Config>(document.to_json()) {
        Ok(config) => loaded.config = Some(config),
        Err(e) => diagnostics.push(schema_finding(
            format!("the configuration does not fit the model: {e}"),
            loaded.locate(&Route::root()),
            "see `saasctl schema`",
        )),
    }
    diagnostics
}

/// The model of `document` without the nodes at `wrong`, if it then fits the schema.
fn model_without(document: &Node, wrong: Vec<Route>) -> Option<Config> {
    let mut pruned = document.clone();
    if !pruned.remove_all(&wrong) {
        return None;
    }
    if !schema::validate(&pruned).is_empty() {
        return None;
    }
    serde_json::from_value::<Config>(pruned.to_json()).ok()
}

/// Where a secret may sit under `keys`, whatever the schema says of it: every value of a key
/// set except `gateway` and the `{env: NAME}` / `{file: PATH}` references. A misspelt field
/// (`api-key: ...`) is a schema error, and its snippet must still not show the key.
fn key_set_values(document: &Node) -> Vec<&Node> {
    let Some(Value::Mapping(sets)) = document.get(&Route::root().at("keys")).map(|n| &n.value)
    else {
        return Vec::new();
    };
    let is_reference = |node: &Node| match &node.value {
        Value::Mapping(entries) => entries
            .iter()
            .all(|(key, _)| matches!(key.as_str(), Some("env" | "file"))),
        _ => false,
    };
    let mut values = Vec::new();
    for (_, set) in sets {
        match &set.value {
            Value::Mapping(fields) => values.extend(
                fields
                    .iter()
                    .filter(|(key, value)| key.as_str() != Some("gateway") && !is_reference(value))
                    .map(|(_, value)| value),
            ),
            _ => values.push(set),
        }
    }
    values
}

/// A reference (`{env: NAME}`, `{file: PATH}`) whose name is shaped like a key is most likely
/// the key itself, pasted where its name belongs: registered, so no message names it.
fn register_key_shaped_references(node: &Node) {
    match &node.value {
        Value::Mapping(entries) => {
            for (key, value) in entries {
                match (key.as_str(), &value.value) {
                    (Some("env" | "file"), Value::String(name))
                        if crate::diagnostic::is_key_shaped(name) =>
                    {
                        crate::diagnostic::register_secret(name);
                    }
                    _ => register_key_shaped_references(value),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(register_key_shaped_references),
        _ => {}
    }
}

/// Registers every string under `node` with the redaction layer.
fn register_strings(node: &Node) {
    match &node.value {
        Value::String(text) => crate::diagnostic::register_secret(text),
        Value::Sequence(items) => items.iter().for_each(register_strings),
        Value::Mapping(entries) => entries
            .iter()
            .for_each(|(_, value)| register_strings(value)),
        _ => {}
    }
}

/// Overwrites a secret's text with `*`, byte for byte, so snippets cannot show it and every
/// other position stays where it was.
fn mask(source: &mut String, position: Position) {
    let start = position.offset.min(source.len());
    let end = (start + position.len).min(source.len());
    if !source.is_char_boundary(start) || !source.is_char_boundary(end) {
        return;
    }
    let masked: String = source[start..end]
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_owned()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect();
    source.replace_range(start..end, &masked);
}

fn syntax_error(loaded: &Loaded, error: &serde_saphyr::Error) -> Diagnostic {
    let position =
        error
            .location()
            .filter(|l| l.line() > 0)
            .map_or_else(Position::default_start, |l| {
                let line = usize::try_from(l.line()).unwrap_or(1);
                let column = usize::try_from(l.column()).unwrap_or(1).max(1);
                Position {
                    line,
                    column,
                    offset: offset_of(&loaded.source, line, column),
                    len: 1,
                }
            });
    let message = error.without_snippet().to_string();
    let message = plain_yaml_message(message.lines().next().unwrap_or("invalid YAML").trim());
    // The parser may quote the input, where a secret can sit that no reference resolved.
    let message = crate::diagnostic::redact_input(&message);
    schema_finding(
        format!("invalid YAML: {message}"),
        Location {
            file: loaded.file.clone(),
            position,
            node: String::new(),
        },
        "fix the YAML syntax at this place",
    )
}

/// The parser's message in the user's words, without its internals (option names, Debug
/// output of its limits); the position is shown apart.
fn plain_yaml_message(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message).trim();
    if let Some(key) = message
        .strip_prefix("duplicate mapping key: ")
        .and_then(|rest| rest.split(", set DuplicateKeyPolicy").next())
    {
        return format!("the key `{key}` appears twice in one mapping; keep one");
    }
    match message.strip_prefix("budget breached: ") {
        Some(limit) if limit.starts_with("Depth") => {
            "the file nests deeper than 64 levels".to_owned()
        }
        Some(limit) if limit.starts_with("Documents") => {
            "the file holds more than one YAML document (`---`); one file describes one merchant"
                .to_owned()
        }
        Some(limit) if limit.starts_with("Alias") || limit.starts_with("Anchor") => {
            "the file uses more anchors or aliases than saasctl reads (1,000)".to_owned()
        }
        Some(_) => "the file is larger or more complex than saasctl reads".to_owned(),
        None => message.to_owned(),
    }
}

/// The byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    line_start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// The position just after `text`, for errors found where the valid text ends.
fn end_position(text: &str) -> Position {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position {
        line,
        column,
        offset: text.len(),
        len: 0,
    }
}

/// The YAML files a list of paths names: files as given, and under a directory every
/// `*.yaml`/`*.yml` that has `version:` at its top level, sorted. Hidden directories and
/// `.saasctl` state are skipped.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| DiscoverError::Read {
            path: display_path(path),
            reason: io_reason(&e),
        })?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files).map_err(|e| DiscoverError::Read {
                path: display_path(path),
                reason: io_reason(&e),
            })?;
            files[before..].sort();
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err(DiscoverError::Empty {
            searched: paths.iter().map(|p| display_path(p)).collect(),
        });
    }
    Ok(files)
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// Nothing to check is not success: a wrong path in CI must not pass silently.
    #[error(
        "no saasctl configuration in {}: a configuration is a *.yaml or *.yml file starting with `version: 1` (see examples/quickstart/saasctl.yaml)",
        .searched.join(", ")
    )]
    Empty { searched: Vec<String> },
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if kind.is_file()
            && matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            )
            && looks_like_saasctl(&path)
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Whether a file in a searched directory is a saasctl config: a top-level `version:` line,
/// or top-level fields of ours without it (then it is loaded, and its missing `version` is
/// reported rather than the file skipped silently).
fn looks_like_saasctl(path: &Path) -> bool {
    match crate::file::read_regular_text(path, MAX_FILE_BYTES as u64) {
        Ok(text) => is_saasctl_text(&text),
        // Loaded, so that its size is reported rather than the file skipped.
        Err(e) => e.kind() == std::io::ErrorKind::FileTooLarge,
    }
}

/// [`looks_like_saasctl`] on a file's text (an editor's buffer).
pub fn is_saasctl_text(text: &str) -> bool {
    const OURS: [&str; 4] = ["account:", "keys:", "project:", "environments:"];
    let top: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']))
        .collect();
    top.iter().any(|l| l.starts_with("version:"))
        || OURS
            .iter()
            .filter(|field| top.iter().any(|l| l.starts_with(*field)))
            .count()
            >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Loaded, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, text).unwrap();
        load(&path, &|_, _| Vec::new())
    }

    #[test]
    fn typos_carry_the_known_word_as_their_fix() {
        let text = "version: 1\naccount: {license: adobe-commerce}\nkeys:\n  production: {api_key: {env: A}, private_key: {env: B}}\nproject:\n  name: Luma\n  data_spacs:\n    live: {type: production, name: Luma}\nenvironments:\n  staging: {tier: stagin, data_space: live}\n";
        // The editor's text: the path is never read.
        let (_, diagnostics) =
            super::load_text(Path::new("/nonexistent/saasctl.yaml"), text, &|_, _| {
                Vec::new()
            });
        let fixes: Vec<(&str, &str, &str)> = diagnostics
            .iter()
            .flat_map(|d| &d.fixes)
            .map(|fix| {
                let at = fix.position.offset..fix.position.offset + fix.position.len;
                (fix.title.as_str(), &text[at], fix.replacement.as_str())
            })
            .collect();
        assert_eq!(
            fixes,
            [
                ("did you mean `data_spaces`", "data_spacs", "data_spaces"),
                ("did you mean `staging`", "stagin", "staging"),
            ]
        );
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "a: é\nbé: x\n";
        assert_eq!(offset_of(text, 2, 3), "a: é\nbé".len());
    }

    #[test]
    fn empty_and_comment_only_files_are_reported() {
        for text in ["", "# nothing\n", "---\n"] {
            let (_, diagnostics) = load_text(text);
            assert_eq!(diagnostics.len(), 1, "{text:?}");
            assert_eq!(diagnostics[0].rule, "SC000");
        }
    }

    #[test]
    fn syntax_errors_point_at_their_line() {
        let (_, diagnostics) = load_text("version: 1\naccount: [a, b\nkeys: {}\n");
        assert_eq!(diagnostics[0].rule, "SC000");
        assert!(diagnostics[0].message.starts_with("invalid YAML"));
        assert!(diagnostics[0].location.position.line >= 2);
    }

    #[test]
    fn binary_garbage_is_reported_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        std::fs::write(&path, b"version: 1\n\xff\xfe\x00garbage").unwrap();
        let (_, diagnostics) = load(&path, &|_, _| Vec::new());
        assert_eq!(diagnostics[0].message, "the file is not UTF-8 text");
        assert_eq!(diagnostics[0].location.position.line, 2);
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let (_, diagnostics) = load_text(&text);
        assert_eq!(diagnostics[0].rule, "SC000");
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, diagnostics) = load_text(&text);
        assert_eq!(diagnostics[0].rule, "SC000");
    }

    #[test]
    fn huge_strings_are_schema_errors_not_crashes() {
        let text = format!("version: 1\nproject: {{name: {}}}\n", "x".repeat(1_000_000));
        let (_, diagnostics) = load_text(&text);
        assert!(diagnostics.iter().all(|d| d.rule == "SC000"));
        assert!(!diagnostics.is_empty());
    }

    #[test]
    fn wrong_types_are_located_on_the_value() {
        let (_, diagnostics) = load_text("version: 1\naccount: 5\n");
        let account = diagnostics
            .iter()
            .find(|d| d.message.contains("`account`"))
            .unwrap();
        assert_eq!(
            (
                account.location.position.line,
                account.location.position.column
            ),
            (2, 10)
        );
    }
}
