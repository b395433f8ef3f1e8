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

/// The outcome of validating several files.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<Loaded>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates every file the paths name (directories are searched).
pub fn validate_paths(paths: &[PathBuf]) -> Result<Report, config::DiscoverError> {
    let mut report = Report::default();
    for path in config::discover(paths)? {
        let (loaded, diagnostics) = validate_file(&path);
        report
            .sources
            .insert(loaded.file.clone(), loaded.source.clone());
        report.diagnostics.extend(diagnostics);
        report.files.push(loaded);
    }
    Ok(report)
}
