//! `saasctl import`: writes into a configuration file what the live setup has and the file does
//! not say yet, so that adopting a setup clicked together in the Admin plans to "No changes.":
//! the project's id (and its live name), each data space's id, type and live name, and for each
//! targeted installation the data space it is bound to, its key set and its websites.
//!
//! What the file already decides is kept: a pinned id, a name that matches, a rename declared
//! with `previous_names`. The file is edited in place (comments and layout kept, see
//! `config::edit`); secrets are never written, only the references already there. Where the
//! live setup breaks a rule, import still writes what it found: `validate` then says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::connect::Connector;
use super::refresh::read_each_merchant;
use super::ui::{Answer, Ui};
use super::{Files, MerchantError};
use crate::config::edit::{EditError, Edits, Yaml};
use crate::config::{Config, DataSpaceType, KeySetName, Loaded, normalize_name};
use crate::file::{io_reason, replace_keeping_mode};
use crate::live::{
    LiveDataSpace, LiveProject, LiveState, MatchedBy, ProjectMatch, SpaceMatch, match_config,
    match_config_with, same_id,
};
use crate::magento::binding;
use crate::magento::installation::Installation;
use crate::plan::installed;
use crate::route;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file has errors; fix them, then import")]
    Invalid { file: String },
    /// A live name equal to a secret (a data space named like the API key) kept out of git.
    #[error(
        "{file}: a name to import equals a secret saasctl read (an API key, a private key's line, a password); nothing is written: rename it in the account first"
    )]
    Secret { file: String },
    #[error(
        "{file}: the account holds several projects and nothing says which one the file describes; choose one with --project NAME|ID:{}",
        list(projects)
    )]
    SeveralProjects {
        file: String,
        projects: Vec<LiveProject>,
    },
    #[error(
        "{file}: the account has no project `{wanted}`; its projects:{}",
        list(projects)
    )]
    UnknownProject {
        file: String,
        wanted: String,
        projects: Vec<LiveProject>,
    },
    #[error(
        "{file}: the account holds no project yet: nothing to import (`saasctl apply` creates the one the file declares)"
    )]
    NoProject { file: String },
    #[error(
        "{file}: `project.id` pins {pinned}, which is not a project of this account; remove the pin to import"
    )]
    PinnedMissing { file: String, pinned: String },
    #[error("{file}: --project chose {chosen}, but the file pins project {pinned}")]
    Conflict {
        file: String,
        chosen: String,
        pinned: String,
    },
    #[error("{file}: {source}")]
    Edit {
        file: String,
        #[source]
        source: EditError,
    },
    #[error("cannot {what} {file}: {reason}")]
    Io {
        what: &'static str,
        file: String,
        reason: String,
    },
    #[error("{file} changed while saasctl import was reading it; run import again")]
    Changed { file: String },
}

/// Why one file was not imported: its merchant could not be read, or not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Read(#[from] MerchantError),
    #[error(transparent)]
    Import(#[from] ImportError),
}

/// Every file that could not be imported, one per line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ImportErrors(pub Vec<ImportFailure>);

/// The projects by name, one per line with its id.
fn list(projects: &[LiveProject]) -> String {
    let mut sorted: Vec<&LiveProject> = projects.iter().collect();
    sorted.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    sorted
        .into_iter()
        .map(|p| format!("\n  {}  {}", p.id, crate::diagnostic::escape::text(&p.name)))
        .collect()
}

/// One file with what import would write into it.
#[derive(Debug)]
pub struct Imported {
    pub file: String,
    path: PathBuf,
    /// The project the file describes.
    pub project: LiveProject,
    original: String,
    edited: String,
    /// The text before and after, inline secrets masked: what may be shown.
    pub shown_before: String,
    pub shown_after: String,
    /// What import found but did not write, and choices it made that the diff alone does not
    /// explain.
    pub notes: Vec<String>,
}

impl Imported {
    pub fn has_changes(&self) -> bool {
        self.original != self.edited
    }

    /// Writes the edited text over the file, atomically, keeping its mode; refused when the
    /// file changed since it was read.
    pub fn write(&self) -> Result<(), ImportError> {
        let now = read_config(&self.path).map_err(|e| ImportError::Io {
            what: "read",
            file: self.file.clone(),
            reason: io_reason(&e),
        })?;
        if now != self.original {
            return Err(ImportError::Changed {
                file: self.file.clone(),
            });
        }
        if crate::diagnostic::redact(&self.edited) != self.edited {
            return Err(ImportError::Secret {
                file: self.file.clone(),
            });
        }
        replace_keeping_mode(&self.path, self.edited.as_bytes()).map_err(|e| ImportError::Io {
            what: "write",
            file: self.file.clone(),
            reason: io_reason(&e),
        })
    }
}

/// What `loaded` lacks of `live` and of its installations. `wanted` is `--project NAME|ID`.
pub fn import_file(
    loaded: &Loaded,
    live: &LiveState,
    installations: &BTreeMap<String, Installation>,
    wanted: Option<&str>,
) -> Result<Imported, ImportError> {
    let file = loaded.file.clone();
    let (Some(config), Some(document)) = (&loaded.config, &loaded.document) else {
        return Err(ImportError::Invalid { file });
    };
    // The text as it is on disk: `loaded.source` has inline secrets masked byte for byte.
    let original = read_config(&loaded.path).map_err(|e| ImportError::Io {
        what: "read",
        file: file.clone(),
        reason: io_reason(&e),
    })?;
    let same_layout = original.len() == loaded.source.len()
        && original
            .bytes()
            .zip(loaded.source.bytes())
            .all(|(raw, shown)| raw == shown || shown == b'*');
    if !same_layout {
        return Err(ImportError::Changed { file });
    }
    let project = choose_project(config, live, wanted, &file)?;
    let mut edits = Edits::new(&original, document);
    let mut notes = Vec::new();
    let edit_error = |source| ImportError::Edit {
        file: file.clone(),
        source,
    };

    let declared = &config.project;
    let pinned = declared
        .id
        .as_deref()
        .is_some_and(|id| same_id(id, &project.id));
    if !pinned {
        edits
            .set(&route!["project", "id"], Yaml::str(&project.id), &["name"])
            .map_err(edit_error)?;
    }
    if !pinned && !names_it(&declared.name, &declared.previous_names, &project.name) {
        edits
            .set(&route!["project", "name"], Yaml::str(&project.name), &[])
            .map_err(edit_error)?;
    }

    let spaces = data_spaces(config, live, project, installations, &mut notes);
    for (key, space, keep_name) in &spaces.declared {
        let at = |field: &str| route!["project", "data_spaces", key, field];
        let declared_id = declared.data_spaces.get(key).and_then(|d| d.id.as_deref());
        if !declared_id.is_some_and(|id| same_id(id, &space.id)) {
            edits
                .set(&at("id"), Yaml::str(&space.id), &["name"])
                .map_err(edit_error)?;
        }
        if !keep_name {
            edits
                .set(&at("name"), Yaml::str(&space.name), &[])
                .map_err(edit_error)?;
        }
    }
    for (key, space) in &spaces.added {
        let value = Yaml::Map(vec![
            ("type".into(), Yaml::str(space.kind.as_str())),
            ("name".into(), Yaml::str(&space.name)),
            ("id".into(), Yaml::str(&space.id)),
        ]);
        edits
            .set(&route!["project", "data_spaces", key], value, &[])
            .map_err(edit_error)?;
    }
    let key_of = |id: &str| {
        spaces
            .declared
            .iter()
            .map(|(key, space, _)| (key, *space))
            .chain(spaces.added.iter().map(|(key, space)| (key, *space)))
            .find(|(_, space)| same_id(&space.id, id))
            .map(|(key, _)| key.clone())
    };

    for (key, environment) in &config.environments {
        let Some(installation) = installations.get(key) else {
            continue;
        };
        let at = |field: &str| route!["environments", key, field];
        match installation.plain(binding::PATH_ENVIRONMENT_ID) {
            Some(id) => match key_of(id) {
                Some(space) => edits
                    .set(&at("data_space"), Yaml::Str(space), &[])
                    .map_err(edit_error)?,
                None => notes.push(format!(
                    "environment `{key}`: its installation is bound to data space {id}, which is not a data space of {}; `data_space` is left as it is (see SC036)",
                    project.describe()
                )),
            },
            None => notes.push(format!(
                "environment `{key}`: its installation holds no binding yet; `data_space` is left as it is (apply writes the binding)"
            )),
        }
        if let Some(stored) = installation.plain(binding::PATH_KEY_SET) {
            let set = [KeySetName::Production, KeySetName::Sandbox]
                .into_iter()
                .find(|s| s.as_str() == stored);
            match set {
                Some(set) if set == environment.keys => {}
                Some(set) if config.keys.get(set).is_some() => edits
                    .set(&at("keys"), Yaml::str(set.as_str()), &["tier"])
                    .map_err(edit_error)?,
                _ => notes.push(format!(
                    "environment `{key}`: its installation uses the key set `{stored}`, which the file does not declare under `keys`; `keys` is left as it is"
                )),
            }
        }
        let declared_websites: BTreeSet<&str> =
            environment.websites.iter().map(|w| w.0.as_str()).collect();
        match &installation.websites {
            Some(codes) if codes.iter().map(String::as_str).collect::<BTreeSet<_>>() != declared_websites => edits
                .set(&at("websites"), Yaml::List(codes.clone()), &["data_space"])
                .map_err(edit_error)?,
            Some(_) => {}
            None if environment.websites.is_empty() => notes.push(format!(
                "environment `{key}`: an {} target does not list the installation's websites; declare `websites` by hand",
                installation.target
            )),
            None => {}
        }
    }

    let edited = edits.edited().map_err(edit_error)?;
    Ok(Imported {
        file,
        path: loaded.path.clone(),
        project: project.clone(),
        shown_before: loaded.source.clone(),
        shown_after: edits.apply(&loaded.source),
        original,
        edited,
        notes,
    })
}

/// Whether `name` or one of `previous` is `live`: the file already says which object it is.
fn names_it(name: &str, previous: &[String], live: &str) -> bool {
    std::iter::once(name)
        .chain(previous.iter().map(String::as_str))
        .any(|n| normalize_name(n) == normalize_name(live))
}

/// The live project the file describes: `--project`, else the one it names or pins, else the
/// only one.
fn choose_project<'l>(
    config: &Config,
    live: &'l LiveState,
    wanted: Option<&str>,
    file: &str,
) -> Result<&'l LiveProject, ImportError> {
    let several = |mut projects: Vec<&LiveProject>| {
        // By name, as people look for them.
        projects.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        ImportError::SeveralProjects {
            file: file.to_owned(),
            projects: projects.into_iter().cloned().collect(),
        }
    };
    if let Some(wanted) = wanted {
        let found: Vec<&LiveProject> = live
            .projects
            .iter()
            .filter(|p| same_id(&p.id, wanted) || normalize_name(&p.name) == normalize_name(wanted))
            .collect();
        let chosen = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(ImportError::UnknownProject {
                    file: file.to_owned(),
                    wanted: wanted.to_owned(),
                    projects: live.projects.clone(),
                });
            }
            _ => return Err(several(found)),
        };
        return match &config.project.id {
            Some(pinned) if !same_id(pinned, &chosen.id) => Err(ImportError::Conflict {
                file: file.to_owned(),
                chosen: chosen.describe(),
                pinned: pinned.clone(),
            }),
            _ => Ok(chosen),
        };
    }
    match match_config(config, live).project {
        ProjectMatch::Found { live, .. } => Ok(live),
        ProjectMatch::Ambiguous { candidates } => Err(several(candidates)),
        ProjectMatch::PinnedMissing | ProjectMatch::PinnedDataSpace { .. } => {
            Err(ImportError::PinnedMissing {
                file: file.to_owned(),
                pinned: config.project.id.clone().unwrap_or_default(),
            })
        }
        ProjectMatch::Create => match live.projects.as_slice() {
            [] => Err(ImportError::NoProject {
                file: file.to_owned(),
            }),
            [one] => Ok(one),
            _ => Err(several(live.projects.iter().collect())),
        },
    }
}

/// Which live data space each declaration is, and the live ones nothing declares.
struct Spaces<'l> {
    /// Declared key, its live data space, whether its declared name stays.
    declared: Vec<(String, &'l LiveDataSpace, bool)>,
    /// New keys for live data spaces the file does not declare.
    added: Vec<(String, &'l LiveDataSpace)>,
}

fn data_spaces<'l>(
    config: &Config,
    live: &'l LiveState,
    project: &'l LiveProject,
    installations: &BTreeMap<String, Installation>,
    notes: &mut Vec<String>,
) -> Spaces<'l> {
    // The project is chosen: the file's data spaces are matched within it, with the
    // installations' bindings as evidence, exactly as plan matches them.
    let mut pinned = config.clone();
    pinned.project.id = Some(project.id.clone());
    let matching = match_config_with(&pinned, live, &installed(&pinned, installations));
    let mut declared = Vec::new();
    let mut open = Vec::new();
    for (key, outcome) in &matching.data_spaces {
        match outcome {
            SpaceMatch::Found { live, by } => declared.push((
                key.clone(),
                *live,
                matches!(by, MatchedBy::Id | MatchedBy::Name | MatchedBy::PreviousName),
            )),
            SpaceMatch::PinnedMissing | SpaceMatch::PinnedWrongType { .. } => notes.push(format!(
                "data space `{key}`: its pinned id is not a data space of its type in {}; it is left as it is (validate and plan report it)",
                project.describe()
            )),
            _ => open.push(key),
        }
    }
    // What nothing decided: the unclaimed data space of the type whose name is most like the
    // declaration's key and name (`staging` and `Luma Stage`), else the first in a stable
    // order. It is a proposal: the diff shows the choice and a note says it was one.
    for key in open {
        let Some(space) = config.project.data_spaces.get(key) else {
            continue;
        };
        let next = unclaimed(project, &declared)
            .into_iter()
            .filter(|s| s.kind == space.kind)
            .enumerate()
            .max_by_key(|(i, s)| {
                (
                    likeness(&[key, &space.name], &s.name),
                    std::cmp::Reverse(*i),
                )
            })
            .map(|(_, s)| s);
        match next {
            Some(found) => {
                notes.push(format!(
                    "data space `{key}` is {}: no name, id or installation said which {} data space it is; rename the key if it reads wrong",
                    found.describe(),
                    space.kind.as_str()
                ));
                declared.push((key.clone(), found, false));
            }
            None => notes.push(format!(
                "data space `{key}`: {} has no {} data space left for it; it is left as it is (plan refuses it)",
                project.describe(),
                space.kind.as_str()
            )),
        }
    }
    let mut taken: BTreeSet<String> = config.project.data_spaces.keys().cloned().collect();
    let added = unclaimed(project, &declared)
        .into_iter()
        .map(|space| {
            let key = new_key(space, &taken);
            taken.insert(key.clone());
            (key, space)
        })
        .collect();
    Spaces { declared, added }
}

/// How much `live` reads like the texts of a declaration: for each of their words, the longest
/// start it shares with a word of `live` (3 letters at least, or the whole of both), summed.
fn likeness(declared: &[&str], live: &str) -> usize {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let live = words(live);
    declared
        .iter()
        .flat_map(|text| words(text))
        .map(|word| {
            live.iter()
                .map(|l| {
                    let shared = word
                        .chars()
                        .zip(l.chars())
                        .take_while(|(a, b)| a == b)
                        .count();
                    if shared >= 3 || word == *l { shared } else { 0 }
                })
                .max()
                .unwrap_or(0)
        })
        .sum()
}

/// The project's data spaces no declaration claims: production first, then by name.
fn unclaimed<'l>(
    project: &'l LiveProject,
    declared: &[(String, &'l LiveDataSpace, bool)],
) -> Vec<&'l LiveDataSpace> {
    let mut spaces: Vec<&LiveDataSpace> = project
        .data_spaces
        .iter()
        .filter(|s| !declared.iter().any(|(_, d, _)| std::ptr::eq(*d, *s)))
        .collect();
    spaces.sort_by_key(|s| {
        (
            s.kind != DataSpaceType::Production,
            s.name.clone(),
            s.id.clone(),
        )
    });
    spaces
}

/// A key for a data space the file does not declare: its name in lower case, words joined by
/// `_` (`Luma QA` -> `luma_qa`), unique in the file.
fn new_key(space: &LiveDataSpace, taken: &BTreeSet<String>) -> String {
    let mut key = String::new();
    for c in space.name.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = if key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        key.to_owned()
    } else {
        format!("{}_{key}", space.kind.as_str())
            .trim_end_matches('_')
            .to_owned()
    };
    (1..)
        .map(|n| {
            if n == 1 {
                key.clone()
            } else {
                format!("{key}_{n}")
            }
        })
        .find(|k| !taken.contains(k))
        .unwrap_or(key)
}

/// What to import, and how.
pub struct Request {
    pub paths: Vec<PathBuf>,
    /// `--project NAME|ID`: the project of the one file, where its account holds several.
    pub project: Option<String>,
    pub connector: Connector,
    /// Write without asking; required off a terminal.
    pub yes: bool,
}

/// What the one running the import is shown and asked.
pub trait ImportUi: Ui {
    /// One file's import, before anything is written: what would change in it.
    fn show(&self, imported: &Imported);
}

/// Why the files that could be imported were not written either.
pub const UNWRITTEN: &str = "nothing was written, not even the files that could be imported; import again once these are fixed";

/// How an import that ran ended.
pub enum Ending {
    /// Files whose model cannot be read: nothing to import into (their findings first).
    Invalid(Files, ImportErrors),
    /// Each file with what it holds now (written where it changed).
    Imported(Vec<Imported>),
}

/// Why an import stopped before writing anything.
#[derive(Debug, thiserror::Error)]
pub enum ImportStop {
    #[error(transparent)]
    Discover(#[from] crate::config::DiscoverError),
    #[error("--project chooses the project of one file, and {0} files were given")]
    ProjectWithFiles(usize),
    /// One failed file stops the run before anything is written: import again once fixed.
    #[error("{errors}{}", if *unwritten { format!("\n{UNWRITTEN}") } else { String::new() })]
    Failed {
        errors: ImportErrors,
        /// Files that could be imported were not written either.
        unwritten: bool,
    },
    #[error("not on a terminal: nothing was written; pass --yes to write the changes shown above")]
    NotATerminal,
    #[error("import cancelled; nothing was changed")]
    Cancelled,
    #[error("cannot read the answer: {0}")]
    Answer(std::io::Error),
}

/// Imports the live setup into the files of `request`; asks which project where an account
/// holds several (on a terminal), and whether to write.
pub async fn import(request: Request, ui: &dyn ImportUi) -> Result<Ending, ImportStop> {
    let files = Files::load(&request.paths, None)?;
    if request.project.is_some() && files.files.len() > 1 {
        return Err(ImportStop::ProjectWithFiles(files.files.len()));
    }
    let broken: Vec<ImportFailure> = files
        .files
        .iter()
        .filter(|f| f.loaded.config.is_none())
        .map(|f| {
            ImportFailure::from(ImportError::Invalid {
                file: f.loaded.file.clone(),
            })
        })
        .collect();
    if !broken.is_empty() {
        return Ok(Ending::Invalid(files, ImportErrors(broken)));
    }
    let (merchants, failed) = read_each_merchant(&files, &request.connector, &|| {}).await;
    request.connector.shutdown().await;
    let mut imported = Vec::new();
    let mut errors = Vec::new();
    for merchant in &merchants {
        let loaded = &files.files[merchant.index].loaded;
        let attempt = |wanted: Option<&str>| {
            import_file(loaded, &merchant.live, &merchant.installations, wanted)
        };
        let result = match attempt(request.project.as_deref()) {
            Err(ImportError::SeveralProjects { file, projects }) => {
                match choose(ui, &file, &projects)? {
                    Some(id) => attempt(Some(&id)),
                    None => Err(ImportError::SeveralProjects { file, projects }),
                }
            }
            other => other,
        };
        match result {
            Ok(file) => {
                ui.show(&file);
                imported.push(file);
            }
            Err(e) => errors.push(e),
        }
    }
    if !failed.is_empty() || !errors.is_empty() {
        let failures = failed
            .into_iter()
            .map(ImportFailure::from)
            .chain(errors.into_iter().map(ImportFailure::from))
            .collect();
        return Err(ImportStop::Failed {
            errors: ImportErrors(failures),
            unwritten: imported.iter().any(Imported::has_changes),
        });
    }
    if imported.iter().any(Imported::has_changes) && !request.yes {
        match ui
            .ask("\nWrite these changes? Only 'yes' is accepted: ")
            .map_err(ImportStop::Answer)?
        {
            Answer::Text(yes) if yes == "yes" => {}
            Answer::NoTerminal => return Err(ImportStop::NotATerminal),
            Answer::Text(_) | Answer::Ended => return Err(ImportStop::Cancelled),
        }
    }
    for file in imported.iter().filter(|i| i.has_changes()) {
        file.write().map_err(|e| ImportStop::Failed {
            errors: ImportErrors(vec![e.into()]),
            unwritten: false,
        })?;
        ui.step(&format!("Wrote {}.", file.file));
    }
    Ok(Ending::Imported(imported))
}

/// The project of `file` among those of its account, asked on a terminal; `None` off one.
fn choose(
    ui: &dyn ImportUi,
    file: &str,
    projects: &[LiveProject],
) -> Result<Option<String>, ImportStop> {
    let listed: String = projects
        .iter()
        .enumerate()
        .map(|(i, project)| format!("  {}) {}  {}\n", i + 1, project.name, project.id))
        .collect();
    let mut question = format!(
        "The account of {file} holds several projects:\n{listed}Which one does {file} describe? [1-{}]: ",
        projects.len()
    );
    loop {
        match ui.ask(&question).map_err(ImportStop::Answer)? {
            Answer::NoTerminal => return Ok(None),
            Answer::Ended => return Err(ImportStop::Cancelled),
            Answer::Text(answer) => {
                let chosen = answer
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| projects.get(i));
                if let Some(project) = chosen {
                    return Ok(Some(project.id.clone()));
                }
            }
        }
        question = format!("Which one does {file} describe? [1-{}]: ", projects.len());
    }
}

/// A configuration's text as on disk, as `config::load` reads it.
fn read_config(path: &std::path::Path) -> std::io::Result<String> {
    crate::file::read_regular_text(path, crate::config::MAX_FILE_BYTES as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magento::installation::Stored;
    use crate::rules::testing::{P, T, id, live};

    const SKELETON: &str = r#"# Luma's setup
version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    staging: {type: testing, name: Luma Staging}   # the staging site's
environments:
  production:
    tier: production
    data_space: live
    target: {env_file: production.env}
  staging:
    tier: staging   # one installation
    data_space: staging
    target: {env_file: staging.env}
"#;

    /// The account clicked together in the Admin: project 1, renamed data spaces.
    fn clicked() -> LiveState {
        live(&[(
            1,
            "Luma Store",
            &[(2, "Luma Live", P), (3, "Luma QA", T), (4, "Luma Stage", T)],
        )])
    }

    /// An installation bound to data space `space`, serving `websites` when known.
    fn bound(space: u32, websites: Option<&[&str]>) -> Installation {
        Installation {
            presence: crate::magento::installation::Presence::Read,
            target: if websites.is_some() {
                crate::config::TargetKind::Mysql
            } else {
                crate::config::TargetKind::EnvFile
            },
            values: BTreeMap::from([
                (
                    binding::PATH_ENVIRONMENT_ID.to_owned(),
                    Stored::Plain(id(space)),
                ),
                (
                    binding::PATH_KEY_SET.to_owned(),
                    Stored::Plain("production".into()),
                ),
            ]),
            websites: websites.map(|w| w.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    struct File {
        _dir: tempfile::TempDir,
        loaded: Loaded,
    }

    fn file(yaml: &str) -> File {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, yaml).expect("write yaml");
        let (mut loaded, _) = crate::rules::check_file(&path);
        loaded.file = "saasctl.yaml".into();
        File { _dir: dir, loaded }
    }

    fn installations(items: &[(&str, Installation)]) -> BTreeMap<String, Installation> {
        items
            .iter()
            .map(|(k, i)| ((*k).to_owned(), i.clone()))
            .collect()
    }

    #[test]
    fn a_clicked_setup_is_written_in_keeping_comments() {
        let file = file(SKELETON);
        let installations = installations(&[
            ("production", bound(2, Some(&["base", "wholesale"]))),
            ("staging", bound(4, None)),
        ]);
        let imported = import_file(&file.loaded, &clicked(), &installations, None).unwrap();
        insta::assert_snapshot!(imported.edited, @r#"
        # Luma's setup
        version: 1
        account:
          license: adobe-commerce
        keys:
          production:
            api_key: {file: keys/production.api-key}
            private_key: {file: keys/production.pem}
        project:
          name: Luma Store
          id: 00000000-0000-4000-8000-000000000001
          data_spaces:
            live: {type: production, name: Luma Live, id: 00000000-0000-4000-8000-000000000002}
            staging: {type: testing, name: Luma Stage, id: 00000000-0000-4000-8000-000000000004}   # the staging site's
            luma_qa: {type: testing, name: Luma QA, id: 00000000-0000-4000-8000-000000000003}
        environments:
          production:
            tier: production
            data_space: live
            websites: [base, wholesale]
            target: {env_file: production.env}
          staging:
            tier: staging   # one installation
            data_space: staging
            target: {env_file: staging.env}
        "#);
        assert_eq!(
            imported.notes,
            [
                "environment `staging`: an env_file target does not list the installation's websites; declare `websites` by hand"
            ]
        );

        // Imported again: nothing left to write.
        std::fs::write(&file.loaded.path, &imported.edited).unwrap();
        let again = self::file(&imported.edited);
        let second = import_file(&again.loaded, &clicked(), &installations, None).unwrap();
        assert!(!second.has_changes(), "{}", second.edited);
    }

    #[test]
    fn several_projects_need_a_choice() {
        let file = file(SKELETON);
        let state = live(&[
            (1, "Luma Store", &[(2, "Production", P)]),
            (5, "Luma Outlet", &[(6, "Production", P)]),
        ]);
        let none = BTreeMap::new();
        let err = import_file(&file.loaded, &state, &none, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "saasctl.yaml: the account holds several projects and nothing says which one the file describes; choose one with --project NAME|ID:\n  {}  Luma Outlet\n  {}  Luma Store",
                id(5),
                id(1)
            )
        );
        let chosen = import_file(&file.loaded, &state, &none, Some("luma outlet")).unwrap();
        assert_eq!(chosen.project.id, id(5));
        let by_id = import_file(&file.loaded, &state, &none, Some(&id(1))).unwrap();
        assert_eq!(by_id.project.name, "Luma Store");
        let err = import_file(&file.loaded, &state, &none, Some("Nope")).unwrap_err();
        assert!(matches!(err, ImportError::UnknownProject { .. }), "{err}");
    }

    #[test]
    fn a_staging_installation_on_production_is_written_as_found_and_flagged() {
        let file = file(SKELETON);
        let installations = installations(&[
            ("production", bound(2, Some(&["base"]))),
            ("staging", bound(2, Some(&["base"]))),
        ]);
        let imported = import_file(&file.loaded, &clicked(), &installations, None).unwrap();
        assert!(
            imported
                .edited
                .contains("    tier: staging   # one installation\n    data_space: live\n"),
            "{}",
            imported.edited
        );
        let after = self::file(&imported.edited);
        let (_, diagnostics) = crate::rules::check_file(&after.loaded.path);
        let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule).collect();
        assert!(rules.contains(&"SC002"), "{rules:?}");
    }

    #[test]
    fn what_the_file_decides_is_kept() {
        // A declared rename and a pinned id stay; only what is missing is written.
        let yaml = SKELETON
            .replace(
                "  name: Luma\n",
                "  name: Luma\n  previous_names: [Luma Store]\n",
            )
            .replace(
                "staging: {type: testing, name: Luma Staging}",
                &format!(
                    "staging: {{type: testing, name: Luma Staging, id: {}}}",
                    id(3)
                ),
            );
        let file = file(&yaml);
        let imported = import_file(&file.loaded, &clicked(), &BTreeMap::new(), None).unwrap();
        let text = &imported.edited;
        assert!(text.contains("  name: Luma\n  id: 00000000-0000-4000-8000-000000000001\n  previous_names: [Luma Store]\n"), "{text}");
        assert!(
            text.contains(&format!(
                "staging: {{type: testing, name: Luma Staging, id: {}}}",
                id(3)
            )),
            "{text}"
        );
        assert!(
            text.contains("luma_stage: {type: testing, name: Luma Stage"),
            "{text}"
        );
    }

    #[test]
    fn what_cannot_be_written_is_said_and_left_alone() {
        let file = file(SKELETON);
        let mut foreign = bound(99, Some(&["base"]));
        foreign.values.insert(
            binding::PATH_KEY_SET.to_owned(),
            Stored::Plain("sandbox".into()),
        );
        let unbound = Installation {
            target: crate::config::TargetKind::Mysql,
            presence: crate::magento::installation::Presence::Read,
            values: BTreeMap::new(),
            websites: Some(vec!["base".into()]),
        };
        let installations = installations(&[("production", unbound), ("staging", foreign)]);
        let imported = import_file(&file.loaded, &clicked(), &installations, None).unwrap();
        assert_eq!(
            imported.notes,
            [
                format!("data space `staging` is testing data space `Luma Stage` ({}): no name, id or installation said which testing data space it is; rename the key if it reads wrong", id(4)),
                "environment `production`: its installation holds no binding yet; `data_space` is left as it is (apply writes the binding)".to_owned(),
                format!("environment `staging`: its installation is bound to data space {}, which is not a data space of project `Luma Store` ({}); `data_space` is left as it is (see SC036)", id(99), id(1)),
                "environment `staging`: its installation uses the key set `sandbox`, which the file does not declare under `keys`; `keys` is left as it is".to_owned(),
            ]
        );
        let text = &imported.edited;
        assert!(text.contains("    tier: staging   # one installation\n    data_space: staging\n    websites: [base]\n"), "{text}");
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let file = file(SKELETON);
        let imported = import_file(&file.loaded, &clicked(), &BTreeMap::new(), None).unwrap();
        assert!(imported.has_changes());
        std::fs::write(&file.loaded.path, format!("{SKELETON}# edited meanwhile\n")).unwrap();
        assert!(matches!(imported.write(), Err(ImportError::Changed { .. })));
        std::fs::write(&file.loaded.path, SKELETON).unwrap();
        imported.write().unwrap();
        assert_eq!(
            std::fs::read_to_string(&file.loaded.path).unwrap(),
            imported.edited
        );
    }

    #[test]
    fn likeness_prefers_names_that_share_word_starts() {
        let declared = ["staging", "Luma Staging"];
        assert_eq!(likeness(&declared, "Luma Stage"), 12);
        assert_eq!(likeness(&declared, "Luma QA"), 4);
        assert_eq!(likeness(&["qa", "Luma QA"], "Luma QA"), 8);
        assert_eq!(
            likeness(&["qa"], "Quality"),
            0,
            "a short start alone does not count"
        );
        assert_eq!(likeness(&declared, "Testing 1"), 0);
    }

    #[test]
    fn keys_for_new_data_spaces_are_unique_names() {
        let space = |name: &str| LiveDataSpace {
            id: id(9),
            name: name.into(),
            kind: T,
            new: false,
        };
        let taken = BTreeSet::from(["luma_qa".to_owned()]);
        assert_eq!(new_key(&space("Luma QA"), &taken), "luma_qa_2");
        assert_eq!(new_key(&space("Testing 1"), &taken), "testing_1");
        assert_eq!(new_key(&space("2nd"), &taken), "testing_2nd");
        assert_eq!(new_key(&space("…"), &taken), "testing");
    }
}
