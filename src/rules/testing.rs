//! Test helpers for the rules and the planner: configurations loaded from YAML text (through
//! the whole offline pipeline) and live states built from tuples.

use std::collections::BTreeMap;

use crate::config::{DataSpaceType, KeySetName, Loaded};
use crate::diagnostic::Diagnostic;
use crate::keys::KeyFingerprint;
use crate::magento::installation::{Installation, Stored};

use crate::live::{LiveDataSpace, LiveProject, LiveState};
use crate::rules::{Allowances, RuleInfo};

/// A data space id that sorts by `n`.
pub fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub const P: DataSpaceType = DataSpaceType::Production;
pub const T: DataSpaceType = DataSpaceType::Testing;

/// A live data space: (id number, name, type).
pub type Space<'a> = (u32, &'a str, DataSpaceType);

/// A live state from (project id number, name, data spaces).
pub fn live(projects: &[(u32, &str, &[Space])]) -> LiveState {
    LiveState {
        projects: projects
            .iter()
            .map(|(pid, name, spaces)| LiveProject {
                id: id(*pid),
                name: (*name).into(),
                data_spaces: spaces
                    .iter()
                    .map(|(sid, name, kind)| LiveDataSpace {
                        id: id(*sid),
                        name: (*name).into(),
                        kind: *kind,
                        new: false,
                    })
                    .collect(),
            })
            .collect(),
    }
    .canonical()
}

/// `state` with every data space as `initialize` left it (never changed since).
pub fn all_new(mut state: LiveState) -> LiveState {
    for space in state.projects.iter_mut().flat_map(|p| &mut p.data_spaces) {
        space.new = true;
    }
    state
}

/// A merchant: Luma, an Adobe Commerce licence, keys provisioned by the embedded gateway
/// (so missing key files are not findings), a production and two testing data spaces.
pub const LUMA: &str = r#"version: 1
account:
  license: adobe-commerce
keys:
  production:
    api_key: {file: keys/production.api-key}
    private_key: {file: keys/production.pem}
    gateway: embedded
project:
  name: Luma
  data_spaces:
    live: {type: production, name: Luma Production}
    staging: {type: testing, name: Luma Staging}
    qa: {type: testing, name: Luma QA}
environments:
  production: {tier: production, data_space: live, websites: [base, wholesale]}
  staging: {tier: staging, data_space: staging, websites: [base]}
  qa: {tier: testing, data_space: qa}
"#;

/// Loads `yaml` as `saasctl.yaml` in a fresh directory, as `validate` does.
pub fn load(yaml: &str) -> (Loaded, Vec<Diagnostic>) {
    load_as("saasctl.yaml", yaml)
}

/// Loads `yaml` under `name`; the file is shown by its name alone, for stable snapshots.
pub fn load_as(name: &str, yaml: &str) -> (Loaded, Vec<Diagnostic>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("yaml's directory");
    }
    std::fs::write(&path, yaml).expect("write yaml");
    let (mut loaded, mut diagnostics) = crate::rules::check_file(&path);
    let shown = name.to_owned();
    for d in &mut diagnostics {
        d.location.file = shown.clone();
    }
    loaded.file = shown;
    (loaded, diagnostics)
}

/// The findings of one live rule on `yaml` matched against `state`, as (line, column, message).
pub fn live_findings(rule: &str, yaml: &str, state: &LiveState) -> Vec<(usize, usize, String)> {
    live_findings_in(rule, yaml, &Setup::of(state.clone()))
}

/// [`live_findings`] with the installations' states and the resolved keys' fingerprints.
pub fn live_findings_with(
    rule: &str,
    yaml: &str,
    state: &LiveState,
    installations: &BTreeMap<String, Installation>,
    fingerprints: &BTreeMap<KeySetName, KeyFingerprint>,
) -> Vec<(usize, usize, String)> {
    let setup = Setup {
        state: state.clone(),
        installations: installations.clone(),
        fingerprints: fingerprints.clone(),
        allowances: Allowances::default(),
    };
    live_findings_in(rule, yaml, &setup)
}

/// Everything a live rule runs against besides the YAML.
#[derive(Default, Clone)]
pub struct Setup {
    pub state: LiveState,
    /// By environment key.
    pub installations: BTreeMap<String, Installation>,
    pub fingerprints: BTreeMap<KeySetName, KeyFingerprint>,
    pub allowances: Allowances,
}

impl Setup {
    pub fn of(state: LiveState) -> Self {
        Self {
            state,
            ..Self::default()
        }
    }

    /// With `environment`'s installation.
    pub fn installation(mut self, environment: &str, installation: Installation) -> Self {
        self.installations
            .insert(environment.to_owned(), installation);
        self
    }

    /// With the fingerprint of a resolved key set: (API key, public key).
    pub fn keys(mut self, set: KeySetName, api_key: &str, public_key: &str) -> Self {
        self.fingerprints.insert(
            set,
            KeyFingerprint {
                api_key: api_key.to_owned(),
                public_key: public_key.to_owned(),
            },
        );
        self
    }

    /// With `--allow-rebind environment`.
    pub fn allow_rebind(mut self, environment: &str) -> Self {
        self.allowances.rebind.insert(format!("luma/{environment}"));
        self
    }
}

/// Luma live with its production data space, and a production installation that has the
/// websites `websites` (SC032, SC034).
pub fn production_with_websites(websites: &[&str]) -> Setup {
    Setup::of(live(&[(1, "Luma", &[(2, "Luma Production", P)])]))
        .installation("production", installation(&[], Some(websites)))
}

/// An installation read from a database: its plain values, key fingerprints and websites.
pub fn installation(values: &[(&str, Stored)], websites: Option<&[&str]>) -> Installation {
    Installation {
        target: crate::config::TargetKind::Mysql,
        presence: crate::magento::installation::Presence::Read,
        values: values
            .iter()
            .map(|(path, stored)| ((*path).to_owned(), stored.clone()))
            .collect(),
        websites: websites.map(|codes| codes.iter().map(|c| (*c).to_owned()).collect()),
    }
}

/// A plain stored value.
pub fn plain(value: &str) -> Stored {
    Stored::Plain(value.to_owned())
}

/// A key stored encrypted once, by fingerprint.
pub fn key(fingerprint: &str) -> Stored {
    Stored::Key {
        fingerprint: fingerprint.to_owned(),
        encrypted: true,
    }
}

/// The findings of one live rule on `yaml` run against `setup`, as (line, column, message).
pub fn live_findings_in(rule: &str, yaml: &str, setup: &Setup) -> Vec<(usize, usize, String)> {
    let (loaded, _) = load(yaml);
    let config = loaded.config.clone().expect("valid config");
    let matching = crate::live::match_config(&config, &setup.state);
    let cx = crate::rules::LiveContext {
        file: crate::rules::Context {
            loaded: &loaded,
            config: &config,
            secrets: crate::rules::Secrets::Read,
        },
        merchant: "luma",
        live: &setup.state,
        matching: &matching,
        claimed_in_run: &matching
            .live_project()
            .map(|p| p.id.clone())
            .into_iter()
            .collect(),
        allowances: &setup.allowances,
        installations: &setup.installations,
        fingerprints: &setup.fingerprints,
    };
    positions_of(rule, crate::rules::check_live(&cx))
}

/// The findings of `rule` among `diagnostics`, as (line, column, message).
fn positions_of(rule: &str, diagnostics: Vec<Diagnostic>) -> Vec<(usize, usize, String)> {
    diagnostics
        .into_iter()
        .filter(|d| d.rule == rule && d.ignored.is_none())
        .map(|d| {
            (
                d.location.position.line,
                d.location.position.column,
                d.message,
            )
        })
        .collect()
}

/// The offline findings of one rule on `yaml`, as (line, column, message).
pub fn findings_of(rule: &str, yaml: &str) -> Vec<(usize, usize, String)> {
    positions_of(rule, load(yaml).1)
}

/// The rule fires on its documented bad example and not on its good one.
pub fn assert_examples(info: &RuleInfo) {
    assert!(
        !findings_of(info.id, info.bad_example).is_empty(),
        "{} does not fire on its bad example",
        info.id
    );
    let (_, good) = load(info.good_example);
    assert!(
        !good.iter().any(|d| d.rule == info.id),
        "{} fires on its good example: {good:?}",
        info.id
    );
    assert!(
        !good.iter().any(|d| d.is_error() && d.rule != "SC007"),
        "{}'s good example has errors: {good:?}",
        info.id
    );
}

/// A live rule fires on its bad example and not on its good one, against `state`; both
/// examples are valid offline (bar unreadable keys).
pub fn assert_live_examples(info: &RuleInfo, state: &LiveState) {
    assert_live_examples_in(info, &Setup::of(state.clone()));
}

/// [`assert_live_examples`] against a whole [`Setup`] (installations, keys, allowances).
pub fn assert_live_examples_in(info: &RuleInfo, setup: &Setup) {
    assert_live_examples_against(info, setup, setup);
}

/// [`assert_live_examples_in`] where the fix is in the installation as much as in the YAML:
/// the bad example runs against `bad`, the good one against `good`.
pub fn assert_live_examples_against(info: &RuleInfo, bad: &Setup, good: &Setup) {
    for example in [info.bad_example, info.good_example] {
        let (_, offline) = load(example);
        assert!(
            !offline.iter().any(|d| d.is_error() && d.rule != "SC007"),
            "{}: example has offline errors: {offline:?}",
            info.id
        );
    }
    assert!(
        !live_findings_in(info.id, info.bad_example, bad).is_empty(),
        "{} does not fire on its bad example",
        info.id
    );
    let findings = live_findings_in(info.id, info.good_example, good);
    assert!(
        findings.is_empty(),
        "{} fires on its good example: {findings:?}",
        info.id
    );
}
