//! The files of a run: every configuration file the paths name, loaded and checked offline.

use std::path::PathBuf;

use crate::config::{self, Loaded};
use crate::diagnostic::{Diagnostic, Sources};
use crate::rules;

/// One file as loaded, with its offline findings (sorted by position).
pub struct CheckedFile {
    pub loaded: Loaded,
    pub diagnostics: Vec<Diagnostic>,
}

/// Every file a run names, as loaded and checked offline.
pub struct Files {
    pub files: Vec<CheckedFile>,
    /// Each file's text, for rendering snippets.
    pub sources: Sources,
}

impl Files {
    /// Validates every file the paths name (directories are searched).
    pub fn load(paths: &[PathBuf]) -> Result<Self, config::DiscoverError> {
        let mut files = Files {
            files: Vec::new(),
            sources: Sources::default(),
        };
        for path in config::discover(paths)? {
            let (loaded, diagnostics) = rules::check_file(&path);
            files.sources.insert(loaded.file.clone(), &loaded.source);
            files.files.push(CheckedFile {
                loaded,
                diagnostics,
            });
        }
        Ok(files)
    }

    /// Loads the files a saved plan names, each shown under the name the plan recorded (its
    /// digests cover that name), wherever the plan is applied from.
    pub fn load_as(entries: &[(PathBuf, String)]) -> Self {
        let mut files = Files {
            files: Vec::new(),
            sources: Sources::default(),
        };
        for (path, shown) in entries {
            let (mut loaded, mut diagnostics) = rules::check_file(path);
            for diagnostic in &mut diagnostics {
                diagnostic.location.file.clone_from(shown);
                for related in &mut diagnostic.related {
                    related.location.file.clone_from(shown);
                }
            }
            loaded.file.clone_from(shown);
            files.sources.insert(shown.clone(), &loaded.source);
            files.files.push(CheckedFile {
                loaded,
                diagnostics,
            });
        }
        files
    }

    /// Every finding, in file order.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        self.files
            .iter()
            .flat_map(|file| file.diagnostics.iter().cloned())
            .collect()
    }

    pub fn has_errors(&self) -> bool {
        self.files
            .iter()
            .flat_map(|file| &file.diagnostics)
            .any(Diagnostic::is_error)
    }
}
