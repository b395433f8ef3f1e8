//! The rule catalogue. Each rule lives in its own file with its id, severity, documentation,
//! check and tests; this file only lists them and runs them.

pub mod sc000_schema;
mod sc001_production_space_shared;
mod sc002_production_space_non_production_tier;
mod sc003_website_code_collision;
mod sc004_licence_allowance;
mod sc005_payment_services_shared_space;
mod sc006_inline_secret;
mod sc007_unreadable_key;
mod sc008_undeclared_reference;
pub(crate) mod sc009_name_clash;
mod sc010_production_tier_testing_space;
mod sc011_unbound_data_space;
mod sc012_key_set_mismatch;
mod sc013_ignore_comment;
mod sc014_key_file_readable_by_others;
mod sc015_control_character;
mod sc020_rename_collision;
mod sc021_ambiguous_match;
mod sc022_pinned_id_missing;
mod sc023_pinned_id_wrong_type;
mod sc024_fewer_live_data_spaces;
mod sc025_new_project_beside_undeclared;
mod sc030_rebind;
mod sc031_keys_and_data_space_change;
mod sc032_unknown_website;
mod sc033_live_website_collision;
mod sc034_undeclared_website;
mod sc035_key_encrypted_twice;
mod sc036_foreign_binding;

// What the installation rules (SC030-SC036) share.
mod installed;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use crate::config::DocumentFinding;
use crate::config::KeySetName;
use crate::config::{self, Config, DataSpace, DataSpaceType, Loaded, Node, Route};
pub use crate::diagnostic::RuleInfo;
use crate::diagnostic::{Diagnostic, Location};
use crate::keys::KeyFingerprint;
use crate::live::{LiveState, Matching};
use crate::magento::installation::Installation;
use crate::route;
pub use sc013_ignore_comment::ignorable;

/// What a rule sees of a file that fits the schema.
pub struct Context<'a> {
    pub loaded: &'a Loaded,
    pub config: &'a Config,
    pub secrets: Secrets,
}

/// Whether validation reads the secrets the file references (rule SC007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Secrets {
    /// Read each one: a missing or unusable secret is an error.
    #[default]
    Read,
    /// `validate --no-secrets`: read none; a note says they were not checked.
    NotRead,
    /// In CI (`CI=true`): read them, but an environment variable that is not set or empty is a
    /// note, not an error (a pull request from a fork gets no secrets: GitHub Actions sets them
    /// empty).
    MissingVariablesAreNotes,
}

impl Context<'_> {
    /// Where the node at `route` is.
    pub fn at(&self, route: &Route) -> Location {
        self.loaded.locate(route)
    }

    /// Where the key of the entry at `route` is.
    pub fn key(&self, route: &Route) -> Location {
        self.loaded.locate_key(route)
    }
}

/// A data space bound to a second (or later) environment.
pub struct SharedBinding<'a> {
    pub space_key: &'a str,
    pub space: &'a DataSpace,
    /// The environment bound first, in declared order.
    pub first: &'a str,
    pub other: &'a str,
}

impl SharedBinding<'_> {
    /// The finding at `other`'s binding, with `first`'s binding as the related place.
    pub fn finding(
        &self,
        cx: &Context,
        info: &'static RuleInfo,
        message: String,
        help: String,
    ) -> Diagnostic {
        info.finding(
            message,
            cx.at(&route!["environments", self.other, "data_space"]),
            help,
        )
        .label("second environment bound here")
        .related(
            cx.at(&route!["environments", self.first, "data_space"]),
            format!("`{}` is bound here first", self.first),
        )
    }
}

impl<'a> Context<'a> {
    /// Every data space of `kind` bound to more than one environment: one entry per extra
    /// environment.
    pub fn shared_bindings(&self, kind: DataSpaceType) -> Vec<SharedBinding<'a>> {
        let config = self.config;
        let mut shared = Vec::new();
        for (space_key, space) in config
            .project
            .data_spaces
            .iter()
            .filter(|(_, s)| s.kind == kind)
        {
            let bound = config.environments_bound_to(space_key);
            if let Some((first, others)) = bound.split_first() {
                shared.extend(others.iter().map(|other| SharedBinding {
                    space_key,
                    space,
                    first,
                    other,
                }));
            }
        }
        shared
    }
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;

    /// Checks a file that fits the schema.
    fn check(&self, _cx: &Context) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Checks the raw document, for problems the schema would only report vaguely.
    fn check_document(&self, _loaded: &Loaded, _document: &Node) -> Vec<DocumentFinding> {
        Vec::new()
    }

    /// Checks the files of a run together (those that fit the schema), for problems that
    /// span files; each finding is located in the file it is about.
    fn check_across(&self, _files: &[Context]) -> Vec<Diagnostic> {
        Vec::new()
    }
}

static RULES: &[&dyn Rule] = &[
    &sc001_production_space_shared::Rule,
    &sc002_production_space_non_production_tier::Rule,
    &sc003_website_code_collision::Rule,
    &sc004_licence_allowance::Rule,
    &sc005_payment_services_shared_space::Rule,
    &sc006_inline_secret::Rule,
    &sc007_unreadable_key::Rule,
    &sc008_undeclared_reference::Rule,
    &sc009_name_clash::Rule,
    &sc010_production_tier_testing_space::Rule,
    &sc011_unbound_data_space::Rule,
    &sc012_key_set_mismatch::Rule,
    &sc013_ignore_comment::Rule,
    &sc014_key_file_readable_by_others::Rule,
    &sc015_control_character::Rule,
];

/// What a live rule sees: one file, its account's live state and how the two matched.
pub struct LiveContext<'a> {
    pub file: Context<'a>,
    /// The merchant as plans name it (its address slug).
    pub merchant: &'a str,
    pub live: &'a LiveState,
    pub matching: &'a Matching<'a>,
    /// Live project ids that some file of the run declares (on any account).
    pub claimed_in_run: &'a BTreeSet<String>,
    pub allowances: &'a Allowances,
    /// What each targeted environment's installation holds, by environment key.
    pub installations: &'a BTreeMap<String, Installation>,
    /// The fingerprints of the declared key sets, as resolved.
    pub fingerprints: &'a BTreeMap<KeySetName, KeyFingerprint>,
}

/// What the user allowed on purpose for one run (flags of `plan` and `apply`); recorded in the
/// saved plan, so applying it allows exactly what was reviewed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowances {
    /// `--allow-new-project`: create a project beside projects nothing declares (SC025).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_project: bool,
    /// `--allow-rebind MERCHANT/ENV`: environments whose installation may move to another data
    /// space (SC030), each as `merchant/environment` (the merchant as plans name it).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub rebind: BTreeSet<String>,
}

impl Allowances {
    /// Whether environment `environment` of `merchant` may move to another data space.
    pub fn allows_rebind(&self, merchant: &str, environment: &str) -> bool {
        self.rebind.contains(&format!("{merchant}/{environment}"))
    }

    /// What was allowed, as the command line says it; empty when nothing was.
    pub fn flags(&self) -> Vec<String> {
        let mut flags: Vec<String> = self
            .rebind
            .iter()
            .map(|selector| format!("--allow-rebind {selector}"))
            .collect();
        if self.new_project {
            flags.push("--allow-new-project".to_owned());
        }
        flags
    }
}

/// A rule on the live state (SC020 onward): run by the planner, never by `validate`.
pub trait LiveRule: Sync {
    fn info(&self) -> &'static RuleInfo;

    fn check(&self, cx: &LiveContext) -> Vec<Diagnostic>;
}

static LIVE_RULES: &[&dyn LiveRule] = &[
    &sc020_rename_collision::Rule,
    &sc021_ambiguous_match::Rule,
    &sc022_pinned_id_missing::Rule,
    &sc023_pinned_id_wrong_type::Rule,
    &sc024_fewer_live_data_spaces::Rule,
    &sc025_new_project_beside_undeclared::Rule,
    &sc030_rebind::Rule,
    &sc031_keys_and_data_space_change::Rule,
    &sc032_unknown_website::Rule,
    &sc033_live_website_collision::Rule,
    &sc034_undeclared_website::Rule,
    &sc035_key_encrypted_twice::Rule,
    &sc036_foreign_binding::Rule,
];

/// Every rule's documentation, SC000 first, the live rules last.
pub fn catalogue() -> impl Iterator<Item = &'static RuleInfo> {
    std::iter::once(&sc000_schema::SC000)
        .chain(RULES.iter().map(|rule| rule.info()))
        .chain(LIVE_RULES.iter().map(|rule| rule.info()))
}

/// The rule reference, `docs/rules.md`: every rule's documentation, as `saasctl explain`
/// prints it, in markdown.
pub fn reference() -> String {
    let mut out = String::from(
        "# saasctl rules\n\n<!-- Generated from the rule catalogue (src/rules): run `SAASCTL_UPDATE_DOCS=1 cargo test --lib rules::tests::the_rule_reference_is_current` after changing a rule. -->\n\n`saasctl explain ID` prints a rule's section; `saasctl explain all` lists them.\n\n| id | name | severity | what |\n|---|---|---|---|\n",
    );
    for info in catalogue() {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            info.id,
            info.anchor(),
            info.name,
            info.severity,
            info.summary
        ));
    }
    for info in catalogue() {
        out.push('\n');
        out.push_str(&info.markdown());
    }
    out
}

/// The rule with this id (`SC001`, `sc001` or `1`).
pub fn find(id: &str) -> Option<&'static RuleInfo> {
    let wanted = id.trim().to_ascii_uppercase();
    let wanted = match wanted.parse::<u32>() {
        Ok(number) => format!("SC{number:03}"),
        Err(_) => wanted,
    };
    catalogue().find(|info| info.id == wanted || info.name.eq_ignore_ascii_case(id.trim()))
}

pub fn check_document(loaded: &Loaded, document: &Node) -> Vec<DocumentFinding> {
    RULES
        .iter()
        .flat_map(|rule| rule.check_document(loaded, document))
        .collect()
}

/// Loads one file and runs every rule on it, marking the findings its ignore comments
/// accept (`Diagnostic::ignored`). Findings are sorted by position.
pub fn check_file(path: &Path) -> (Loaded, Vec<Diagnostic>) {
    check_file_with(path, Secrets::Read)
}

/// [`check_file`], reading the secrets as `secrets` says.
pub fn check_file_with(path: &Path, secrets: Secrets) -> (Loaded, Vec<Diagnostic>) {
    let (loaded, mut diagnostics) = check_alone(path, None, secrets);
    settle(&loaded, &mut diagnostics);
    (loaded, diagnostics)
}

/// Loads one file and runs every rule on it alone; the rules across files
/// ([`check_across`]) and its ignore comments ([`settle`]) are still to come. `text` is the
/// file's text as an editor holds it; without it the file is read.
pub fn check_alone(path: &Path, text: Option<&str>, secrets: Secrets) -> (Loaded, Vec<Diagnostic>) {
    let (loaded, mut diagnostics) = match text {
        Some(text) => config::load_text(path, text, &check_document),
        None => config::load(path, &check_document),
    };
    if let Some(config) = &loaded.config {
        diagnostics.extend(check(&loaded, config, secrets));
    }
    (loaded, diagnostics)
}

/// Finishes the files of a run, each checked alone ([`check_alone`]): adds the findings
/// across files to the files they are about, then settles each file ([`settle`]).
pub fn settle_run(files: &mut [(&Loaded, Vec<Diagnostic>)], secrets: Secrets) {
    for finding in check_across(files.iter().map(|(loaded, _)| *loaded), secrets) {
        if let Some((_, diagnostics)) = files
            .iter_mut()
            .find(|(loaded, _)| loaded.file == finding.location.file)
        {
            diagnostics.push(finding);
        }
    }
    for (loaded, diagnostics) in files {
        settle(loaded, diagnostics);
    }
}

/// The findings across the files of a run, each located in one of them.
fn check_across<'a>(files: impl Iterator<Item = &'a Loaded>, secrets: Secrets) -> Vec<Diagnostic> {
    let contexts: Vec<Context> = files
        .filter_map(|loaded| {
            loaded.config.as_ref().map(|config| Context {
                loaded,
                config,
                secrets,
            })
        })
        .collect();
    if contexts.len() < 2 {
        return Vec::new();
    }
    RULES
        .iter()
        .flat_map(|rule| rule.check_across(&contexts))
        .collect()
}

/// Marks the findings of `loaded` that its ignore comments accept, reports the comments that
/// accept nothing (SC013), and sorts the findings by position: once every rule has run.
pub fn settle(loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) {
    sc013_ignore_comment::apply(loaded, diagnostics);
    Diagnostic::sort(diagnostics);
}

/// Runs every rule on a file that fits the schema.
pub fn check(loaded: &Loaded, config: &Config, secrets: Secrets) -> Vec<Diagnostic> {
    let cx = Context {
        loaded,
        config,
        secrets,
    };
    RULES.iter().flat_map(|rule| rule.check(&cx)).collect()
}

/// Runs every live rule on a file matched against its account's live state.
pub fn check_live(cx: &LiveContext) -> Vec<Diagnostic> {
    LIVE_RULES.iter().flat_map(|rule| rule.check(cx)).collect()
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
        let generated = reference();
        if std::env::var_os("SAASCTL_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).expect("write docs/rules.md");
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "docs/rules.md is stale: run `SAASCTL_UPDATE_DOCS=1 cargo test --lib rules::tests::the_rule_reference_is_current` and commit it"
        );
        // Every rule's help URI points at its heading in it.
        for info in catalogue() {
            let heading = format!("\n## {}\n", info.id);
            assert!(generated.contains(&heading), "{heading}");
            assert!(
                info.help_uri()
                    .ends_with(&format!("#{}", info.id.to_ascii_lowercase()))
            );
        }
    }

    #[test]
    fn ids_are_unique_and_ordered() {
        let ids: Vec<&str> = catalogue().map(|i| i.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn find_accepts_id_number_and_name() {
        assert_eq!(find("sc001").map(|i| i.id), Some("SC001"));
        assert_eq!(find("3").map(|i| i.id), Some("SC003"));
        assert_eq!(find("inline-secret").map(|i| i.id), Some("SC006"));
        assert!(find("SC999").is_none());
    }
}
