//! Offline validation: load each file, check the schema and every rule.

use std::path::{Path, PathBuf};

use crate::config::{self, Loaded};
use crate::diagnostic::{Diagnostic, Sources};
use crate::rules;

/// Loads one file and runs every rule on it. Findings are sorted by position.
pub fn validate_file(path: &Path) -> (Loaded, Vec<Diagnostic>) {
    let (loaded, mut diagnostics) = config::load(path);
    if let Some(config) = &loaded.config {
        diagnostics.extend(rules::check(&loaded, config));
    }
    Diagnostic::sort(&mut diagnostics);
    (loaded, diagnostics)
}

/// Every file a run names, as loaded and checked offline.
pub struct Files {
    pub loaded: Vec<Loaded>,
    /// Each file's findings, in the order of `loaded`.
    pub diagnostics: Vec<Vec<Diagnostic>>,
    pub sources: Sources,
}

impl Files {
    /// Validates every file the paths name (directories are searched).
    pub fn load(paths: &[PathBuf]) -> Result<Self, config::DiscoverError> {
        let mut files = Files {
            loaded: Vec::new(),
            diagnostics: Vec::new(),
            sources: Sources::default(),
        };
        for path in config::discover(paths)? {
            let (loaded, diagnostics) = validate_file(&path);
            files
                .sources
                .insert(loaded.file.clone(), loaded.source.clone());
            files.loaded.push(loaded);
            files.diagnostics.push(diagnostics);
        }
        Ok(files)
    }

    /// Every finding, in file order.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.iter().flatten().cloned().collect()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().flatten().any(Diagnostic::is_error)
    }
}
