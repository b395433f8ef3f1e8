//! The saasctl files an editor works on: those of its workspace folders as on disk, and the
//! open ones as edited, each checked alone once per change and settled with the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::convert::LineIndex;
use crate::config::{self, Config, Loaded, Route};
use crate::diagnostic::Diagnostic;
use crate::route;
use crate::rules::{self, Secrets};
use crate::run::Files;

/// One saasctl file as last checked.
pub struct Document {
    /// Its text: the editor's while open, else the file's on disk.
    pub text: String,
    pub lines: LineIndex,
    pub loaded: Loaded,
    /// Its findings on its own.
    alone: Vec<Diagnostic>,
    /// Its findings with the other files' (the rules across files), ignore comments applied;
    /// those they accept are left out, as `validate` leaves them out.
    pub findings: Vec<Diagnostic>,
    /// The names of the project and its data spaces in the file as saved, by the route of
    /// each `name`: what the registry knows them by, when an edit renames them.
    pub saved_names: Vec<(Route, String)>,
}

impl Document {
    fn check(path: &Path, text: String, secrets: Secrets) -> Self {
        let (loaded, alone) = rules::check_alone(path, Some(&text), secrets);
        Self {
            lines: LineIndex::new(&text),
            text,
            saved_names: loaded.config.as_ref().map(names).unwrap_or_default(),
            loaded,
            alone,
            findings: Vec::new(),
        }
    }

    /// The file as on disk; `None` when it cannot be read as text or is not ours.
    fn from_disk(path: &Path, secrets: Secrets) -> Option<Self> {
        let text =
            crate::file::read_regular_text(path, crate::config::MAX_FILE_BYTES as u64).ok()?;
        config::is_saasctl_text(&text).then(|| Self::check(path, text, secrets))
    }
}

/// The names of the project and its data spaces, by the route of each `name`.
pub fn names(config: &Config) -> Vec<(Route, String)> {
    std::iter::once((route!["project", "name"], config.project.name.clone()))
        .chain(config.project.data_spaces.iter().map(|(key, space)| {
            (
                route!["project", "data_spaces", key.as_str(), "name"],
                space.name.clone(),
            )
        }))
        .collect()
}

pub struct Workspace {
    /// The folders searched for saasctl files.
    roots: Vec<PathBuf>,
    secrets: Secrets,
    pub documents: BTreeMap<PathBuf, Document>,
}

impl Workspace {
    /// The saasctl files under `roots` (searched as `validate DIR` searches), checked.
    pub fn new(roots: Vec<PathBuf>, secrets: Secrets) -> Self {
        let mut workspace = Self {
            roots,
            secrets,
            documents: BTreeMap::new(),
        };
        // A folder without saasctl files, or one that cannot be read, holds none.
        for path in Files::discover(&workspace.roots, None).unwrap_or_default() {
            if let Some(document) = Document::from_disk(&path, secrets) {
                workspace.documents.insert(path, document);
            }
        }
        workspace.settle();
        workspace
    }

    /// The editor's text of `path` (opened or changed): checked when the file is ours, that is
    /// a workspace file or text that looks like a saasctl configuration. Whether it is.
    pub fn edit(&mut self, path: &Path, text: String) -> bool {
        if !self.documents.contains_key(path) && !config::is_saasctl_text(&text) {
            return false;
        }
        let mut document = Document::check(path, text, self.secrets);
        // The names as saved stay those of the file as it was before the editor changed it.
        let saved = match self.documents.get(path) {
            Some(before) => Some(before.saved_names.clone()),
            None => Document::from_disk(path, self.secrets).map(|on_disk| on_disk.saved_names),
        };
        if let Some(saved) = saved {
            document.saved_names = saved;
        }
        self.documents.insert(path.to_path_buf(), document);
        self.settle();
        true
    }

    /// The editor closed `path`: it is the file on disk again, if that is a workspace file.
    pub fn close(&mut self, path: &Path) {
        if !self.documents.contains_key(path) {
            return;
        }
        let on_disk = self
            .roots
            .iter()
            .any(|root| path.starts_with(root))
            .then(|| Document::from_disk(path, self.secrets))
            .flatten();
        match on_disk {
            Some(document) => self.documents.insert(path.to_path_buf(), document),
            None => self.documents.remove(path),
        };
        self.settle();
    }

    /// Runs the rules across files and applies each file's ignore comments.
    fn settle(&mut self) {
        let mut run: Vec<(&Loaded, Vec<Diagnostic>)> = self
            .documents
            .values()
            .map(|document| (&document.loaded, document.alone.clone()))
            .collect();
        rules::settle_run(&mut run, self.secrets);
        let settled: Vec<Vec<Diagnostic>> = run
            .into_iter()
            .map(|(_, diagnostics)| {
                diagnostics
                    .into_iter()
                    .filter(|d| d.ignored.is_none())
                    .collect()
            })
            .collect();
        for (document, findings) in self.documents.values_mut().zip(settled) {
            document.findings = findings;
        }
    }

    /// The document shown in findings as `file`.
    pub fn shown_as(&self, file: &str) -> Option<(&PathBuf, &Document)> {
        self.documents
            .iter()
            .find(|(_, document)| document.loaded.file == file)
    }
}
