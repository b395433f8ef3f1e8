//! Property tests: random desired configurations against random live registry states, run
//! through the offline pipeline, identity, the rules and the planner, then executed on a model
//! of the registry the way `apply` executes them. And every renderer on random UTF-8 documents.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::subsequence;

use super::render;
use super::{Action, Kind, MerchantInput, Named, Object, Plan, plan};
use crate::config::{DataSpaceType, KeySetName, Loaded};
use crate::diagnostic::{
    Diagnostic, Sources, render_github, render_human, render_json, render_sarif,
};
use crate::keys::KeyFingerprint;
use crate::live::{LiveDataSpace, LiveProject, LiveRow, LiveState};
use crate::magento::binding;
use crate::magento::installation::{Installation, Stored};
use crate::rules::Allowances;
use crate::rules::testing::{LUMA, id, load};

/// Names drawn from small pools, so that declarations, previous names and live names collide
/// often: the interesting cases are renames, adoptions, clashes and near-misses of case.
const PROJECT_NAMES: [&str; 5] = ["Luma", "Luma Store", "luma", "Shop", "Other"];
const SPACE_NAMES: [&str; 7] = [
    "Production",
    "Testing 1",
    "Testing 2",
    "Live",
    "Staging",
    "QA",
    "staging",
];
/// Rounds of read, plan, execute `apply` allows itself (`run::execute`).
const MAX_ROUNDS: usize = 6;

static NO_KEYS: BTreeMap<KeySetName, KeyFingerprint> = BTreeMap::new();

/// A declared data space: production or testing, its name and previous names.
#[derive(Debug, Clone)]
struct Space {
    production: bool,
    name: &'static str,
    previous: Vec<&'static str>,
    /// Pinned to `id(n)`: a live data space of either type, a project, or nothing live.
    pin: Option<u32>,
}

#[derive(Debug, Clone)]
struct Desired {
    commerce: bool,
    name: &'static str,
    previous: Vec<&'static str>,
    /// Pinned to `id(n)`, whatever is live under it.
    pin: Option<u32>,
    spaces: Vec<Space>,
}

impl Desired {
    fn yaml(&self) -> String {
        let list = |names: &[&str]| {
            if names.is_empty() {
                String::new()
            } else {
                format!(", previous_names: [{}]", names.join(", "))
            }
        };
        let pin = |n: Option<u32>| n.map(|n| format!(", id: {}", id(n))).unwrap_or_default();
        let mut out = format!(
            "version: 1\naccount:\n  license: {}\nkeys:\n  production:\n    \
             api_key: {{file: keys/production.api-key}}\n    \
             private_key: {{file: keys/production.pem}}\n    gateway: embedded\n\
             project:\n  name: {}\n",
            if self.commerce {
                "adobe-commerce"
            } else {
                "magento-open-source"
            },
            self.name
        );
        if let Some(n) = self.pin {
            out.push_str(&format!("  id: {}\n", id(n)));
        }
        if !self.previous.is_empty() {
            out.push_str(&format!(
                "  previous_names: [{}]\n",
                self.previous.join(", ")
            ));
        }
        out.push_str("  data_spaces:\n");
        for (i, space) in self.spaces.iter().enumerate() {
            let kind = if space.production {
                "production"
            } else {
                "testing"
            };
            out.push_str(&format!(
                "    s{i}: {{type: {kind}, name: {}{}{}}}\n",
                space.name,
                list(&space.previous),
                pin(space.pin)
            ));
        }
        out.push_str("environments:\n");
        for (i, space) in self.spaces.iter().enumerate() {
            let tier = if space.production {
                "production"
            } else {
                "staging"
            };
            out.push_str(&format!(
                "  e{i}: {{tier: {tier}, data_space: s{i}, target: {{env_file: e{i}.env}}}}\n"
            ));
        }
        out
    }
}

fn desired() -> impl Strategy<Value = Desired> {
    (
        any::<bool>(),
        subsequence(PROJECT_NAMES.to_vec(), 1..=3).prop_shuffle(),
        0..=2usize,
        subsequence(SPACE_NAMES.to_vec(), 6).prop_shuffle(),
        proptest::collection::vec(any::<bool>(), 3),
        proptest::collection::vec(proptest::option::weighted(0.2, 1..=9u32), 4),
    )
        .prop_map(
            |(commerce, projects, testing, names, with_previous, pins)| {
                let spaces = (0..=testing)
                    .map(|i| Space {
                        production: i == 0,
                        name: names[i],
                        // A previous name none of the declared names uses.
                        previous: if with_previous[i] {
                            vec![names[i + 3]]
                        } else {
                            Vec::new()
                        },
                        pin: pins[i + 1],
                    })
                    .collect();
                Desired {
                    commerce,
                    name: projects[0],
                    previous: projects[1..].to_vec(),
                    pin: pins[0],
                    spaces,
                }
            },
        )
}

/// A live state the registry could hold: distinct project names, data spaces as a licence
/// gives them (one production, up to two testing) with distinct names per project, each
/// changed since its creation or not.
fn live_state() -> impl Strategy<Value = LiveState> {
    let project = (
        0..=2usize,
        subsequence(SPACE_NAMES.to_vec(), 3).prop_shuffle(),
        proptest::collection::vec(any::<bool>(), 3),
    );
    (
        subsequence(PROJECT_NAMES.to_vec(), 0..=2).prop_shuffle(),
        proptest::collection::vec(project, 2),
    )
        .prop_map(|(names, projects)| {
            let mut next = 0;
            let mut fresh = || {
                next += 1;
                id(next)
            };
            LiveState {
                projects: names
                    .iter()
                    .zip(projects)
                    .map(|(name, (testing, spaces, new))| LiveProject {
                        id: fresh(),
                        name: (*name).to_owned(),
                        data_spaces: (0..=testing)
                            .map(|i| LiveDataSpace {
                                id: fresh(),
                                name: spaces[i].to_owned(),
                                kind: if i == 0 {
                                    DataSpaceType::Production
                                } else {
                                    DataSpaceType::Testing
                                },
                                new: new[i],
                            })
                            .collect(),
                    })
                    .collect(),
            }
            .canonical()
        })
}

/// One merchant's input, as `plan` and `apply` give it: the file with its offline findings.
fn input<'a>(
    (loaded, diagnostics): &'a (Loaded, Vec<Diagnostic>),
    live: &'a LiveState,
    installations: &'a Installations,
) -> MerchantInput<'a> {
    MerchantInput {
        loaded,
        diagnostics,
        live,
        fingerprints: &NO_KEYS,
        gateway: "",
        installations,
    }
}

/// The installations' states, by environment key.
type Installations = BTreeMap<String, Installation>;

/// What an installation holds: nothing, or a binding under an old or the declared names, with
/// or without ids (`id(n)`: any live object, or none).
fn installations(environments: usize) -> impl Strategy<Value = Installations> {
    let id_of = || proptest::option::weighted(0.3, 1..=9u32);
    let binding = (id_of(), id_of(), any::<bool>());
    proptest::collection::vec(proptest::option::weighted(0.6, binding), environments).prop_map(
        |bindings| {
            bindings
                .into_iter()
                .enumerate()
                .filter_map(|(i, binding)| {
                    let (project, space, old) = binding?;
                    let name = |declared: &str| {
                        if old {
                            "Old".to_owned()
                        } else {
                            declared.to_owned()
                        }
                    };
                    let values = [
                        (binding::PATH_KEY_SET, Some("production".to_owned())),
                        (binding::PATH_PROJECT_ID, project.map(id)),
                        (binding::PATH_PROJECT_NAME, Some(name("Luma"))),
                        (binding::PATH_ENVIRONMENT_ID, space.map(id)),
                        (binding::PATH_ENVIRONMENT_NAME, Some(name("Production"))),
                    ]
                    .into_iter()
                    .filter_map(|(path, value)| Some((path.to_owned(), Stored::Plain(value?))))
                    .collect();
                    let installation = Installation {
                        target: crate::config::TargetKind::EnvFile,
                        presence: crate::magento::installation::Presence::Read,
                        values,
                        websites: None,
                    };
                    Some((format!("e{i}"), installation))
                })
                .collect()
        },
    )
}

/// Writes what the plan's installation updates say, as `apply` does once the registry is done.
fn write_installations(
    plan: &Plan,
    installations: &mut Installations,
) -> Result<(), TestCaseError> {
    for change in plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Environment && c.action == Action::Update)
    {
        let key = change.address.rsplit('.').next().unwrap_or_default();
        let installation = installations
            .entry(key.to_owned())
            .or_insert_with(|| Installation {
                target: crate::config::TargetKind::EnvFile,
                presence: crate::magento::installation::Presence::Read,
                values: BTreeMap::new(),
                websites: None,
            });
        for value in &change.values {
            let after = value.after.clone().ok_or_else(|| {
                TestCaseError::fail(format!(
                    "{}: {} unknown after apply",
                    change.address, value.path
                ))
            })?;
            installation
                .values
                .insert(value.path.clone(), Stored::Plain(after));
        }
    }
    Ok(())
}

fn name_of(object: Option<&Object>) -> Option<&str> {
    match object {
        Some(Object::Named(Named { name, .. })) => Some(name),
        _ => None,
    }
}

/// Identity never maps a declaration onto a data space of another type, nor onto one of
/// another project than the project's own.
fn check_identity(plan: &Plan, live: &LiveState) -> Result<(), TestCaseError> {
    let project = plan
        .changes
        .iter()
        .find(|c| c.kind == Kind::Project)
        .and_then(|c| c.project_id.clone());
    for change in plan.changes.iter().filter(|c| c.kind == Kind::DataSpace) {
        let Some(space_id) = &change.environment_id else {
            continue;
        };
        let (owner, space) = live
            .find_data_space(space_id)
            .ok_or_else(|| TestCaseError::fail(format!("{space_id} is not live")))?;
        let declared = match &change.after {
            Some(Object::Named(Named { kind, .. })) => *kind,
            _ => None,
        };
        prop_assert_eq!(declared, Some(space.kind), "{}", change.address);
        prop_assert_eq!(Some(&owner.id), project.as_ref(), "{}", change.address);
    }
    Ok(())
}

/// What `initialize` answers for a licence: the licence's data spaces under their first names.
fn initialize(name: &str, commerce: bool, next: &mut u32) -> Vec<LiveRow> {
    let mut fresh = || {
        *next += 1;
        id(*next)
    };
    let project_id = fresh();
    let spaces: &[(&str, DataSpaceType)] = if commerce {
        &[
            ("Production", DataSpaceType::Production),
            ("Testing 1", DataSpaceType::Testing),
            ("Testing 2", DataSpaceType::Testing),
        ]
    } else {
        &[("Production", DataSpaceType::Production)]
    };
    spaces
        .iter()
        .map(|(space, kind)| LiveRow {
            project_id: project_id.clone(),
            project_name: name.to_owned(),
            environment_id: fresh(),
            environment_name: (*space).to_owned(),
            environment_type: *kind,
        })
        .collect()
}

/// Executes a reviewed plan as `apply` does, round by round, on a registry model that refuses
/// what the registry refuses (a name taken by another project, or by another data space of the
/// project). Answers the live state once nothing is left to do.
fn execute(
    loaded: &(Loaded, Vec<Diagnostic>),
    mut live: LiveState,
    installations: &mut Installations,
    commerce: bool,
) -> Result<LiveState, TestCaseError> {
    // As in `apply`: the reviewed plan checked SC025 against the whole run.
    let allowances = Allowances {
        new_project: true,
        ..Allowances::default()
    };
    let mut next = 1000;
    for _ in 0..MAX_ROUNDS {
        let current = plan(&[input(loaded, &live, installations)], &allowances);
        prop_assert!(
            !current.refused,
            "a reviewed plan is refused mid-apply: {:?}",
            current.diagnostics
        );
        check_identity(&current, &live)?;
        let todo: Vec<_> = current
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp && c.kind != Kind::Environment)
            .collect();
        if todo.is_empty() {
            // The registry is done; the installations are written from this last plan.
            write_installations(&current, installations)?;
            return Ok(live);
        }
        if let Some(create) = todo
            .iter()
            .find(|c| c.kind == Kind::Project && c.action == Action::Create)
        {
            let name = name_of(create.after.as_ref()).unwrap_or_default();
            prop_assert!(
                !live.projects.iter().any(|p| p.name == name),
                "initialize {name:?} beside a live project of that name"
            );
            live = live
                .with_created(initialize(name, commerce, &mut next))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            continue;
        }
        for change in todo.iter().filter(|c| c.kind == Kind::Project) {
            prop_assert_eq!(change.action, Action::Rename);
            let (Some(id), Some(name)) = (&change.project_id, name_of(change.after.as_ref()))
            else {
                return Err(TestCaseError::fail(format!("{change:?}")));
            };
            prop_assert!(
                !live.projects.iter().any(|p| p.name == name && &p.id != id),
                "rename onto another project's name {name:?}"
            );
            live = live.renamed(id, name);
        }
        // Data space renames run concurrently: each must succeed in any order, so no target
        // is the current name of another data space of the project, and no two are the same.
        let renames: Vec<(&String, &str)> = todo
            .iter()
            .filter(|c| c.kind == Kind::DataSpace)
            .map(|c| {
                prop_assert_eq!(c.action, Action::Rename, "{}", c.address);
                match (&c.environment_id, name_of(c.after.as_ref())) {
                    (Some(id), Some(name)) => Ok((id, name)),
                    _ => Err(TestCaseError::fail(format!("{c:?}"))),
                }
            })
            .collect::<Result<_, _>>()?;
        let targets: BTreeSet<&str> = renames.iter().map(|(_, name)| *name).collect();
        prop_assert_eq!(targets.len(), renames.len(), "two renames to one name");
        for (id, name) in &renames {
            let (project, _) = live
                .find_data_space(id)
                .ok_or_else(|| TestCaseError::fail(format!("{id} is not live")))?;
            prop_assert!(
                !project
                    .data_spaces
                    .iter()
                    .any(|s| s.name == *name && &&s.id != id),
                "rename onto the name of another data space {name:?}"
            );
        }
        for (id, name) in renames {
            live = live.renamed(id, name);
        }
    }
    Err(TestCaseError::fail(format!(
        "changes remain after {MAX_ROUNDS} rounds"
    )))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A plan that is not refused executes without the registry refusing any step, converges,
    /// and leaves nothing to do: the next plan is empty and a second apply sends nothing.
    #[test]
    fn applying_a_plan_converges_and_the_next_plan_is_empty(
        desired in desired(),
        live in live_state(),
        mut installed in installations(3),
    ) {
        let loaded = load(&desired.yaml());
        prop_assume!(loaded.0.config.is_some());
        installed.retain(|key, _| key[1..].parse().is_ok_and(|i: usize| i < desired.spaces.len()));
        let reviewed = plan(&[input(&loaded, &live, &installed)], &Allowances::default());
        check_identity(&reviewed, &live)?;
        if reviewed.refused {
            // Refused: apply sends nothing, so there is nothing more to check.
            return Ok(());
        }
        let after = execute(&loaded, live, &mut installed, desired.commerce)?;
        let again = plan(&[input(&loaded, &after, &installed)], &Allowances::default());
        prop_assert!(!again.refused, "{:?}", again.diagnostics);
        let left: Vec<_> = again
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .map(|c| &c.address)
            .collect();
        prop_assert!(left.is_empty(), "left after apply: {left:?}");
        // Every declared name is live, in the project the declaration found.
        let project = after
            .projects
            .iter()
            .find(|p| p.name == desired.name)
            .ok_or_else(|| TestCaseError::fail("the declared project is not live"))?;
        for space in &desired.spaces {
            prop_assert!(
                project.data_spaces.iter().any(|s| s.name == space.name),
                "{} is not live",
                space.name
            );
        }
    }

    /// Any UTF-8 spliced into a valid document (keys, values, comments, line breaks): loading,
    /// validating, planning and every renderer of diagnostics and plans finish without a panic.
    #[test]
    fn renderers_never_panic_on_random_utf8(
        at in 0..LUMA.len(),
        cut in 0..8usize,
        inserted in "\\PC{0,12}|[\u{0}-\u{7f}\u{a0}\u{feff}\u{ffff}\u{10000}-\u{10ffff}\n\t]{0,12}",
        color in any::<bool>(),
    ) {
        let mut at = at;
        while !LUMA.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(LUMA.len());
        while !LUMA.is_char_boundary(end) {
            end -= 1;
        }
        let document = format!("{}{inserted}{}", &LUMA[..at], &LUMA[end..]);
        let loaded = load(&document);
        let diagnostics = &loaded.1;
        let mut sources = Sources::default();
        sources.insert("saasctl.yaml", &document);
        render_human(diagnostics, &sources, color);
        render_json(diagnostics);
        render_sarif(diagnostics, crate::rules::catalogue());
        render_github(diagnostics);
        let planned = plan(
            &[input(&loaded, &LiveState::default(), &Installations::new())],
            &Allowances::default(),
        );
        render::text::render(&planned, color);
        render::markdown::render(&planned);
        render::json::render(&planned);
    }
}
