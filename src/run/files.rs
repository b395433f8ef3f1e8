//! The files of a run: every configuration file the paths name, loaded and checked offline.

use std::path::PathBuf;

use crate::config::{self, Loaded};
use crate::diagnostic::{Diagnostic, Sources, display_path};
use crate::rules::{self, Secrets};

/// `--shard I/N`: the I-th of N stable slices of a run's files, chosen by a hash of each
/// file's path, so an estate too large for one CI runner is spread over a matrix of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the file shown as `file` belongs to this shard.
    pub fn holds(self, file: &str) -> bool {
        let hash = crate::digest::sha256_hex(file.as_bytes());
        let bucket = u64::from_str_radix(&hash[..16], 16).unwrap_or(0) % self.count;
        bucket + 1 == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || format!("`{text}` is not I/N with 1 <= I <= N, e.g. 2/4");
        let (index, count) = text.split_once('/').ok_or_else(wrong)?;
        let index: u64 = index.trim().parse().map_err(|_| wrong())?;
        let count: u64 = count.trim().parse().map_err(|_| wrong())?;
        if index == 0 || count == 0 || index > count {
            return Err(wrong());
        }
        Ok(Shard { index, count })
    }
}

/// A file of a run to load, and the name it is shown under when not its path.
pub struct Entry {
    pub path: PathBuf,
    pub shown: Option<String>,
}

/// One file as loaded, with its offline findings (sorted by position).
pub struct CheckedFile {
    pub loaded: Loaded,
    pub diagnostics: Vec<Diagnostic>,
    /// The findings its `# saasctl: ignore[…]` comments accept: they fail nothing.
    pub ignored: Vec<Diagnostic>,
}

impl CheckedFile {
    /// The file and its findings; those its ignore comments accept are kept apart.
    pub fn new(loaded: Loaded, diagnostics: Vec<Diagnostic>) -> Self {
        let (ignored, diagnostics) = diagnostics.into_iter().partition(|d| d.ignored.is_some());
        Self {
            loaded,
            diagnostics,
            ignored,
        }
    }

    /// Shows the file as `shown`, in its findings too: a saved plan's files keep the names its
    /// digests cover, wherever the plan is applied from.
    pub fn show_as(&mut self, shown: &str) {
        for diagnostic in self.diagnostics.iter_mut().chain(&mut self.ignored) {
            diagnostic.location.file = shown.to_owned();
            for related in &mut diagnostic.related {
                related.location.file = shown.to_owned();
            }
        }
        self.loaded.file = shown.to_owned();
    }
}

/// Every file a run names, as loaded and checked offline.
#[derive(Default)]
pub struct Files {
    pub files: Vec<CheckedFile>,
    /// Each file's text, for rendering snippets.
    pub sources: Sources,
}

impl Files {
    /// Validates every file the paths name (directories are searched), or with a shard, only
    /// the files of that shard.
    pub fn load(paths: &[PathBuf], shard: Option<Shard>) -> Result<Self, config::DiscoverError> {
        Self::load_with(paths, shard, Secrets::Read)
    }

    /// [`Files::load`], reading the secrets as `secrets` says (`validate --no-secrets`).
    pub fn load_with(
        paths: &[PathBuf],
        shard: Option<Shard>,
        secrets: Secrets,
    ) -> Result<Self, config::DiscoverError> {
        let mut files = Files::default();
        for (loaded, diagnostics) in check_all(&Self::discover(paths, shard)?, secrets) {
            files.push(CheckedFile::new(loaded, diagnostics));
        }
        Ok(files)
    }

    /// The files `paths` name (directories are searched), or with a shard, those of the shard.
    pub fn discover(
        paths: &[PathBuf],
        shard: Option<Shard>,
    ) -> Result<Vec<PathBuf>, config::DiscoverError> {
        Ok(config::discover(paths)?
            .into_iter()
            .filter(|path| shard.is_none_or(|shard| shard.holds(&display_path(path))))
            .collect())
    }

    /// Loads and checks `entries`, each shown under its name.
    pub fn load_entries(entries: &[Entry]) -> Self {
        let paths: Vec<PathBuf> = entries.iter().map(|entry| entry.path.clone()).collect();
        let mut files = Files::default();
        for ((loaded, diagnostics), entry) in
            check_all(&paths, Secrets::Read).into_iter().zip(entries)
        {
            let mut file = CheckedFile::new(loaded, diagnostics);
            if let Some(shown) = &entry.shown {
                file.show_as(shown);
            }
            files.push(file);
        }
        files
    }

    pub fn push(&mut self, file: CheckedFile) {
        self.sources
            .insert(file.loaded.file.clone(), &file.loaded.source);
        self.files.push(file);
    }

    /// Every finding, in file order.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        self.files
            .iter()
            .flat_map(|file| file.diagnostics.iter().cloned())
            .collect()
    }

    /// Every finding an ignore comment accepts, in file order.
    pub fn all_ignored(&self) -> Vec<Diagnostic> {
        self.files
            .iter()
            .flat_map(|file| file.ignored.iter().cloned())
            .collect()
    }

    pub fn has_errors(&self) -> bool {
        self.files
            .iter()
            .flat_map(|file| &file.diagnostics)
            .any(Diagnostic::is_error)
    }
}

/// What Linux gives a main thread; a spawned one gets 2 MiB unless told. Threads that check
/// files get as much: the YAML parser recurses up to its depth budget.
pub const MAIN_THREAD_STACK: usize = 8 << 20;

/// Each file loaded and checked, alone and with the others, in the order given.
fn check_all(paths: &[PathBuf], secrets: Secrets) -> Vec<(Loaded, Vec<Diagnostic>)> {
    let (loaded, diagnostics): (Vec<Loaded>, Vec<Vec<Diagnostic>>) =
        check_each(paths, secrets).into_iter().unzip();
    let mut run: Vec<(&Loaded, Vec<Diagnostic>)> = loaded.iter().zip(diagnostics).collect();
    rules::settle_run(&mut run, secrets);
    let diagnostics: Vec<Vec<Diagnostic>> = run.into_iter().map(|(_, d)| d).collect();
    loaded.into_iter().zip(diagnostics).collect()
}

/// Each file loaded and checked alone, in the order given; the files are spread over the
/// machine's cores, since checking is CPU work (parsing YAML, the schema, reading keys).
fn check_each(paths: &[PathBuf], secrets: Secrets) -> Vec<(Loaded, Vec<Diagnostic>)> {
    let check = |chunk: &[PathBuf]| -> Vec<_> {
        chunk
            .iter()
            .map(|p| rules::check_alone(p, None, secrets))
            .collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 || paths.len() < 2 {
        return check(paths);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(paths.len().div_ceil(cores))
            .map(|chunk| {
                std::thread::Builder::new()
                    // The main thread's stack: the YAML parser recurses up to its depth budget.
                    .stack_size(MAIN_THREAD_STACK)
                    .spawn_scoped(scope, move || check(chunk))
                    .map_err(|_| chunk)
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker {
                Ok(thread) => thread
                    .join()
                    // A panic in a check is a bug; it goes on as if it had happened here.
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: this chunk is checked here instead.
                Err(chunk) => check(chunk),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_files_exactly_and_stably() {
        let files: Vec<String> = (0..1000).map(|i| format!("merchants/m{i}.yaml")).collect();
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        for file in &files {
            let holders = shards.iter().filter(|s| s.holds(file)).count();
            assert_eq!(holders, 1, "{file}");
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| files.iter().filter(|f| s.holds(f)).count())
            .collect();
        // Roughly even, and the same on every run (the hash is SHA-256 of the path).
        assert!(sizes.iter().all(|&n| (200..300).contains(&n)), "{sizes:?}");
        assert_eq!(sizes, vec![275, 233, 246, 246]);
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for wrong in ["0/4", "5/4", "1/0", "x", "1/", "/2"] {
            assert!(wrong.parse::<Shard>().is_err(), "{wrong}");
        }
    }
}
