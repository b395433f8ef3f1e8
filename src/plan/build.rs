//! Builds the plan: every merchant's configuration matched against its account's live state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::model::{
    Action, Binding, Change, FORMAT_VERSION, Kind, MerchantPlan, Named, NotRead, Object, Plan,
    Summary, Unmanaged, ValueChange, ValueReason,
};
use crate::config::{Config, Environment, KeySetName, Loaded, TargetKind};
use crate::diagnostic::{Diagnostic, JsonDiagnostic};
use crate::digest::json_digest;
use crate::keys::KeyFingerprint;
use crate::live::{LiveState, Matching, ProjectMatch, SpaceMatch, is_rename, match_config_with};
use crate::magento::binding;
use crate::magento::installation::{Installation, Presence, Stored};
use crate::rules::{self, Allowances, Context, LiveContext};

/// One merchant file as the planner takes it.
#[derive(Debug, Clone)]
pub struct MerchantInput<'a> {
    /// The file as loaded; without a model (it did not fit the schema) only its diagnostics
    /// count.
    pub loaded: &'a Loaded,
    /// Its offline findings (`rules::check_file`).
    pub diagnostics: &'a [Diagnostic],
    /// Its account's live state.
    pub live: &'a LiveState,
    /// Fingerprints of its resolved key sets, computed by the caller.
    pub fingerprints: &'a BTreeMap<KeySetName, KeyFingerprint>,
    /// The gateway its project key set was read through (empty when nothing was read).
    pub gateway: &'a str,
    /// What each targeted environment's installation holds, by environment key.
    pub installations: &'a BTreeMap<String, Installation>,
}

/// The plan for `merchants`. Merchants are ordered by their address slug; within one, the
/// project, its data spaces and its environments come in declared order.
pub fn plan(merchants: &[MerchantInput], allowances: &Allowances) -> Plan {
    build(merchants, allowances, true)
}

/// The plan of merchants whose live state was not read (their files have errors): their
/// offline findings, and no changes.
pub fn offline_plan(merchants: &[MerchantInput]) -> Plan {
    build(merchants, &Allowances::default(), false)
}

/// The plan; without `read`, nothing is matched and no live rule runs.
fn build(merchants: &[MerchantInput], allowances: &Allowances, read: bool) -> Plan {
    let slugs = slugs(merchants);
    let mut order: Vec<usize> = (0..merchants.len()).collect();
    order.sort_by(|a, b| slugs[*a].cmp(&slugs[*b]));
    // Every file is matched first: whether a project is declared depends on the whole run.
    let matchings: Vec<Option<Matching>> = merchants
        .iter()
        .map(|input| {
            input.loaded.config.as_ref().filter(|_| read).map(|config| {
                match_config_with(config, input.live, &installed(config, input.installations))
            })
        })
        .collect();
    let claimed_in_run: BTreeSet<String> = matchings
        .iter()
        .flatten()
        .filter_map(|m| m.live_project().map(|p| p.id.clone()))
        .collect();

    let mut plans = Vec::new();
    let mut changes = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unmanaged = Vec::new();
    let mut seen_projects: Vec<(&str, &LiveState)> = Vec::new();
    for &i in &order {
        let input = &merchants[i];
        let slug = slugs[i].as_str();
        let mut found = input.diagnostics.to_vec();
        let mut project_id = None;
        if let (Some(config), Some(matching)) = (&input.loaded.config, &matchings[i]) {
            found.extend(rules::check_live(&LiveContext {
                file: Context {
                    loaded: input.loaded,
                    config,
                    secrets: rules::Secrets::Read,
                },
                merchant: slug,
                live: input.live,
                matching,
                claimed_in_run: &claimed_in_run,
                allowances,
                installations: input.installations,
                fingerprints: input.fingerprints,
            }));
            changes.extend(merchant_changes(slug, config, matching, input));
            if let Some(project) = matching.live_project() {
                project_id = Some(project.id.clone());
                unmanaged.extend(matching.unclaimed().into_iter().map(|space| Unmanaged {
                    kind: Kind::DataSpace,
                    merchant: slug.to_owned(),
                    id: space.id.clone(),
                    name: space.name.clone(),
                    data_space_type: Some(space.kind),
                    project_id: Some(project.id.clone()),
                }));
            }
        }
        seen_projects.push((slug, input.live));
        plans.push(MerchantPlan {
            slug: slug.to_owned(),
            file: input.loaded.file.clone(),
            project: input
                .loaded
                .config
                .as_ref()
                .map_or_else(|| file_stem(&input.loaded.path), |c| c.project.name.clone()),
            project_id,
            live_digest: input.live.digest(),
            keys: input.fingerprints.clone(),
            gateway: input.gateway.to_owned(),
            path: None,
            refused: found.iter().any(Diagnostic::is_error),
        });
        diagnostics.extend(found);
    }
    // A project no merchant claims is listed once, under the first merchant that sees it.
    let mut listed = BTreeSet::new();
    for (slug, live) in seen_projects {
        for project in &live.projects {
            if !claimed_in_run.contains(&project.id) && listed.insert(project.id.clone()) {
                unmanaged.push(Unmanaged {
                    kind: Kind::Project,
                    merchant: slug.to_owned(),
                    id: project.id.clone(),
                    name: project.name.clone(),
                    data_space_type: None,
                    project_id: None,
                });
            }
        }
    }

    Diagnostic::sort(&mut diagnostics);
    // Each merchant as `{"file", "config", "keys"}`, serialised straight into the hash.
    #[derive(serde::Serialize)]
    struct Digested<'a> {
        file: &'a str,
        config: &'a Option<crate::config::Config>,
        keys: &'a BTreeMap<KeySetName, KeyFingerprint>,
    }
    let config_digest = json_digest(
        &order
            .iter()
            .map(|&i| Digested {
                file: &merchants[i].loaded.file,
                config: &merchants[i].loaded.config,
                keys: merchants[i].fingerprints,
            })
            .collect::<Vec<_>>(),
    );
    let live_digest = json_digest(&plans.iter().map(|m| &m.live_digest).collect::<Vec<_>>());
    Plan {
        format_version: FORMAT_VERSION.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        config_digest,
        live_digest,
        summary: Summary::count(&changes),
        refused: diagnostics.iter().any(Diagnostic::is_error),
        merchants: plans,
        changes,
        unmanaged,
        diagnostics: diagnostics.iter().map(JsonDiagnostic::from).collect(),
        ignored: Vec::new(),
        allowances: allowances.clone(),
        unread: Vec::new(),
    }
}

fn merchant_changes(
    slug: &str,
    config: &Config,
    matching: &Matching,
    input: &MerchantInput,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let project = &config.project;
    let project_id = matching.live_project().map(|p| p.id.clone());
    let change = |address: String, kind: Kind, action: Action| Change {
        address,
        merchant: slug.to_owned(),
        kind,
        action,
        before: None,
        after: None,
        matched_by: None,
        adopted: false,
        note: None,
        project_id: project_id.clone(),
        environment_id: None,
        values: Vec::new(),
        target: None,
        not_read: None,
    };
    let address = format!("project.{slug}");
    match &matching.project {
        ProjectMatch::Found { live, by } => {
            let action = if is_rename(&project.name, &live.name) {
                Action::Rename
            } else {
                Action::NoOp
            };
            changes.push(Change {
                before: Some(named(&live.name, Some(&live.id), None)),
                after: Some(named(&project.name, Some(&live.id), None)),
                matched_by: Some(*by),
                ..change(address, Kind::Project, action)
            });
        }
        ProjectMatch::Create => changes.push(Change {
            after: Some(named(&project.name, None, None)),
            note: Some(
                "`initialize` creates the project with the licence's data spaces".to_owned(),
            ),
            ..change(address, Kind::Project, Action::Create)
        }),
        // Refused by a live rule: nothing to do until the YAML says which project it is.
        _ => {}
    }
    for (key, outcome) in &matching.data_spaces {
        let Some(space) = project.data_spaces.get(key) else {
            continue;
        };
        let address = format!("data_space.{slug}.{key}");
        match outcome {
            SpaceMatch::Found { live, by } => {
                let action = if is_rename(&space.name, &live.name) {
                    Action::Rename
                } else {
                    Action::NoOp
                };
                let note = match by {
                    crate::live::MatchedBy::Type => Some(format!(
                        "adopted by type: every unclaimed {} data space is as `initialize` made it (never changed), so they are assigned in declared order",
                        space.kind.as_str()
                    )),
                    crate::live::MatchedBy::Adoption => Some(format!(
                        "adopted: the only live {} data space no declaration claims",
                        space.kind.as_str()
                    )),
                    crate::live::MatchedBy::Installation => Some(
                        "matched by its installations: they are bound to this data space".to_owned(),
                    ),
                    _ => None,
                };
                changes.push(Change {
                    before: Some(named(&live.name, Some(&live.id), Some(live.kind))),
                    after: Some(named(&space.name, Some(&live.id), Some(space.kind))),
                    matched_by: Some(*by),
                    adopted: by.is_adoption(),
                    note,
                    environment_id: Some(live.id.clone()),
                    ..change(address, Kind::DataSpace, action)
                });
            }
            SpaceMatch::Initialize => changes.push(Change {
                after: Some(named(&space.name, None, Some(space.kind))),
                note: Some(
                    "created by `initialize` with the project, then renamed to this name (its id is known only then)"
                        .to_owned(),
                ),
                ..change(address, Kind::DataSpace, Action::Create)
            }),
            // Refused by a live rule.
            _ => {}
        }
    }
    for (key, environment) in &config.environments {
        let space = project.data_spaces.get(&environment.data_space);
        let live = match matching.data_space(&environment.data_space) {
            Some(SpaceMatch::Found { live, .. }) => Some(live.id.clone()),
            _ => None,
        };
        let mut not_read = None;
        let (action, values, note) = match (&environment.target, input.installations.get(key)) {
            (Some(_), Some(installation)) if installation.presence == Presence::Skipped => {
                not_read = Some(NotRead::Skipped);
                (
                    Action::NoOp,
                    Vec::new(),
                    "binding; the installation is neither read nor written (--installations=skip)"
                        .to_owned(),
                )
            }
            (Some(target), Some(installation)) if installation.presence == Presence::Missing => {
                not_read = Some(NotRead::MissingHere);
                (
                    Action::NoOp,
                    Vec::new(),
                    format!(
                        "binding; its {} is not present here: written on apply",
                        target.kind()
                    ),
                )
            }
            (Some(target), Some(installation)) => {
                let values = value_changes(config, environment, matching, input, installation);
                let action = if values.is_empty() {
                    Action::NoOp
                } else {
                    Action::Update
                };
                (
                    action,
                    values,
                    format!("binding, read from its {} target", target.kind()),
                )
            }
            _ => (
                Action::NoOp,
                Vec::new(),
                "binding; the installation's values are not read (no target)".to_owned(),
            ),
        };
        changes.push(Change {
            after: Some(Object::Binding(Binding {
                data_space: environment.data_space.clone(),
                data_space_id: live.clone(),
                data_space_name: space.map(|s| s.name.clone()),
                data_space_type: space.map(|s| s.kind),
                tier: environment.tier,
                key_set: environment.keys,
                websites: environment.websites.iter().map(|w| w.0.clone()).collect(),
            })),
            note: Some(note),
            environment_id: live,
            values,
            target: environment.target.as_ref().map(|t| t.kind()),
            not_read,
            ..change(
                format!("environment.{slug}.{key}"),
                Kind::Environment,
                action,
            )
        });
    }
    changes
}

/// By data space key, the live id its installations are bound to, where they agree.
pub fn installed(
    config: &Config,
    installations: &BTreeMap<String, Installation>,
) -> BTreeMap<String, String> {
    let mut bound: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (key, installation) in installations {
        let (Some(environment), Some(id)) = (
            config.environments.get(key),
            installation.plain(binding::PATH_ENVIRONMENT_ID),
        ) else {
            continue;
        };
        bound
            .entry(environment.data_space.clone())
            .and_modify(|seen| {
                if seen.as_deref() != Some(id) {
                    *seen = None;
                }
            })
            .or_insert_with(|| Some(id.to_owned()));
    }
    bound
        .into_iter()
        .filter_map(|(space, id)| Some((space, id?)))
        .collect()
}

/// The binding's values as declared (`None`: known only after apply), keys as the fingerprints
/// of the resolved key sets.
pub fn desired_values(
    config: &Config,
    environment: &Environment,
    matching: &Matching,
    fingerprints: &BTreeMap<KeySetName, KeyFingerprint>,
) -> Vec<(String, Option<String>)> {
    let mut values = vec![(
        binding::PATH_KEY_SET.to_owned(),
        Some(environment.keys.as_str().to_owned()),
    )];
    for (name, _) in config.keys.iter() {
        if let Some(fingerprint) = fingerprints.get(&name) {
            values.push((
                binding::api_key_path(name),
                Some(fingerprint.api_key.clone()),
            ));
            values.push((
                binding::private_key_path(name),
                Some(fingerprint.public_key.clone()),
            ));
        }
    }
    values.push((
        binding::PATH_PROJECT_ID.to_owned(),
        matching.live_project().map(|p| p.id.clone()),
    ));
    values.push((
        binding::PATH_PROJECT_NAME.to_owned(),
        Some(config.project.name.clone()),
    ));
    let space = config.project.data_spaces.get(&environment.data_space);
    let space_id = match matching.data_space(&environment.data_space) {
        Some(SpaceMatch::Found { live, .. }) => Some(live.id.clone()),
        _ => None,
    };
    values.push((binding::PATH_ENVIRONMENT_ID.to_owned(), space_id));
    if let Some(space) = space {
        values.push((
            binding::PATH_ENVIRONMENT_NAME.to_owned(),
            Some(space.name.clone()),
        ));
        values.push((
            binding::PATH_ENVIRONMENT_TYPE.to_owned(),
            Some(binding::environment_type_value(space.kind).to_owned()),
        ));
    }
    values
}

/// The paths whose value the installation does not hold yet. A key stored encrypted twice
/// always changes: writing it once repairs it (SC035).
fn value_changes(
    config: &Config,
    environment: &Environment,
    matching: &Matching,
    input: &MerchantInput,
    installation: &Installation,
) -> Vec<ValueChange> {
    desired_values(config, environment, matching, input.fingerprints)
        .into_iter()
        .filter_map(|(path, after)| {
            let stored = installation.values.get(&path);
            let in_database = installation.target == TargetKind::Mysql;
            let reason = match stored {
                Some(Stored::Key {
                    encrypted: false, ..
                }) if in_database => Some(ValueReason::StoredUnencrypted),
                _ => None,
            };
            let same = match (stored, &after) {
                (Some(Stored::EncryptedTwice { .. }), _) => false,
                (Some(stored), Some(after)) => stored.shown() == after && reason.is_none(),
                _ => false,
            };
            (!same).then(|| ValueChange {
                before: stored.map(|s| s.shown().to_owned()),
                path,
                reason: reason.filter(|_| stored.map(Stored::shown) == after.as_deref()),
                after,
            })
        })
        .collect()
}

fn named(name: &str, id: Option<&String>, kind: Option<crate::config::DataSpaceType>) -> Object {
    Object::Named(Named {
        name: name.to_owned(),
        id: id.cloned(),
        kind,
    })
}

/// A `--allow-rebind` selector that names no environment, or several.
#[derive(Debug, thiserror::Error)]
pub enum AllowanceError {
    #[error("--allow-rebind {selector} names no environment of this run; it takes MERCHANT/ENV, one of: {}", candidates.join(", "))]
    NoMatch {
        selector: String,
        candidates: Vec<String>,
    },
    #[error("--allow-rebind {selector} names an environment of several merchants ({}); name one as MERCHANT/ENV", matches.join(", "))]
    Ambiguous {
        selector: String,
        matches: Vec<String>,
    },
}

/// `allowances` as given on the command line, each `--allow-rebind` selector resolved to the
/// one environment it names: `MERCHANT/ENV` (the merchant as plans name it), or a bare `ENV`
/// that exactly one merchant of the run declares.
pub fn resolve_allowances(
    allowances: &Allowances,
    merchants: &[MerchantInput],
) -> Result<Allowances, AllowanceError> {
    let slugs = slugs(merchants);
    let environments: Vec<String> = merchants
        .iter()
        .zip(&slugs)
        .filter_map(|(input, slug)| input.loaded.config.as_ref().map(|c| (c, slug)))
        .flat_map(|(config, slug)| {
            config
                .environments
                .keys()
                .map(move |env| format!("{slug}/{env}"))
        })
        .collect();
    let mut rebind = std::collections::BTreeSet::new();
    for selector in &allowances.rebind {
        let matches: Vec<&String> = environments
            .iter()
            .filter(|candidate| {
                *candidate == selector
                    || (!selector.contains('/')
                        && candidate
                            .rsplit_once('/')
                            .is_some_and(|(_, env)| env == selector))
            })
            .collect();
        match matches.as_slice() {
            [one] => {
                rebind.insert((*one).clone());
            }
            [] => {
                return Err(AllowanceError::NoMatch {
                    selector: selector.clone(),
                    candidates: environments.clone(),
                });
            }
            several => {
                return Err(AllowanceError::Ambiguous {
                    selector: selector.clone(),
                    matches: several.iter().map(|m| (*m).clone()).collect(),
                });
            }
        }
    }
    Ok(Allowances {
        new_project: allowances.new_project,
        rebind,
    })
}

/// Address slugs, from the file and never from the project, whose name a rename changes: its
/// `merchant:`, else its file name without the extension, lower-cased with other characters as
/// `-`. Merchants sharing one get `-2`, `-3`… in the order of their files, whatever order they
/// were given in.
fn slugs(merchants: &[MerchantInput]) -> Vec<String> {
    let bases: Vec<String> = merchants
        .iter()
        .map(|m| {
            let declared = m.loaded.config.as_ref().and_then(|c| c.merchant.clone());
            declared.unwrap_or_else(|| slugify(&file_stem(&m.loaded.path)))
        })
        .collect();
    let mut order: Vec<usize> = (0..merchants.len()).collect();
    order.sort_by(|a, b| {
        (&bases[*a], &merchants[*a].loaded.file).cmp(&(&bases[*b], &merchants[*b].loaded.file))
    });
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut slugs = vec![String::new(); merchants.len()];
    for i in order {
        let mut slug = bases[i].clone();
        let mut n = 2;
        while taken.contains(&slug) || (slug != bases[i] && bases.contains(&slug)) {
            slug = format!("{}-{n}", bases[i]);
            n += 1;
        }
        taken.insert(slug.clone());
        slugs[i] = slug;
    }
    slugs
}

/// A name as plans write it: lower-cased ASCII letters and digits, anything else as one `-`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "merchant".to_owned()
    } else {
        slug.to_owned()
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{LUMA, P, T, all_new, id, live, load, load_as};

    static NO_KEYS: BTreeMap<KeySetName, KeyFingerprint> = BTreeMap::new();
    static NO_INSTALLATIONS: BTreeMap<String, Installation> = BTreeMap::new();

    fn input<'a>(loaded: &'a Loaded, live: &'a LiveState) -> MerchantInput<'a> {
        MerchantInput {
            loaded,
            diagnostics: &[],
            live,
            fingerprints: &NO_KEYS,
            gateway: "",
            installations: &NO_INSTALLATIONS,
        }
    }

    fn actions(plan: &Plan) -> Vec<(String, &'static str, bool)> {
        plan.changes
            .iter()
            .map(|c| (c.address.clone(), c.action.as_str(), c.adopted))
            .collect()
    }

    #[test]
    fn a_new_project_is_created_with_its_data_spaces() {
        let (loaded, _) = load_as("luma.yaml", LUMA);
        let plan = plan(
            &[input(&loaded, &LiveState::default())],
            &Allowances::default(),
        );
        let got = actions(&plan);
        assert_eq!(got[0], ("project.luma".into(), "create", false));
        assert_eq!(got[1], ("data_space.luma.live".into(), "create", false));
        assert_eq!(
            got[4],
            ("environment.luma.production".into(), "no-op", false)
        );
        assert_eq!(
            (plan.summary.create, plan.summary.no_op, plan.refused),
            (4, 3, false)
        );
        assert!(plan.has_changes());
    }

    #[test]
    fn a_project_rename_leaves_every_address_unchanged() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Luma QA", T),
            ],
        )]);
        let addresses = |yaml: &str| {
            let (loaded, _) = load_as("luma.yaml", yaml);
            let plan = plan(&[input(&loaded, &state)], &Allowances::default());
            let addresses: Vec<String> = plan.changes.iter().map(|c| c.address.clone()).collect();
            (addresses, plan.changes[0].action)
        };
        let (before, action) = addresses(LUMA);
        assert_eq!(action, Action::NoOp);
        let renamed = LUMA.replace(
            "  name: Luma\n",
            "  name: Luma Europe\n  previous_names: [Luma]\n",
        );
        let (after, action) = addresses(&renamed);
        assert_eq!(action, Action::Rename, "{renamed}");
        assert_eq!(after, before);
        // Named after the file, or its merchant: field.
        assert!(after.iter().all(|a| a.contains(".luma")), "{after:?}");
        let named = renamed.replace("version: 1\n", "version: 1\nmerchant: eu-store\n");
        let (named, _) = addresses(&named);
        assert!(named.iter().all(|a| a.contains(".eu-store")), "{named:?}");
    }

    #[test]
    fn renames_and_adoptions_carry_the_live_ids() {
        let (loaded, _) = load(LUMA);
        // As `initialize` left them: new, so assigned by type.
        let state = all_new(live(&[(
            1,
            "Luma",
            &[
                (2, "Production", P),
                (3, "Testing 1", T),
                (4, "Testing 2", T),
            ],
        )]));
        let plan = plan(&[input(&loaded, &state)], &Allowances::default());
        let staging = &plan.changes[2];
        assert_eq!(
            (
                staging.action,
                staging.adopted,
                staging.environment_id.clone()
            ),
            (Action::Rename, true, Some(id(3)))
        );
        assert_eq!(staging.project_id, Some(id(1)));
        let Some(Object::Binding(binding)) = &plan.changes[5].after else {
            panic!("a binding")
        };
        assert_eq!(binding.data_space_id, Some(id(3)));
        assert_eq!(plan.summary.rename, 3);
    }

    #[test]
    fn unmanaged_projects_and_data_spaces_are_listed() {
        let (loaded, _) = load(LUMA);
        let state = live(&[
            (
                1,
                "Luma",
                &[
                    (2, "Luma Production", P),
                    (3, "Luma Staging", T),
                    (4, "Luma QA", T),
                ],
            ),
            (5, "Other", &[(6, "Production", P)]),
        ]);
        let mut yaml_two = LUMA.replace("    qa: {type: testing, name: Luma QA}\n", "");
        yaml_two = yaml_two.replace("  qa: {tier: testing, data_space: qa}\n", "");
        let (two, _) = load(&yaml_two);
        let plan_one = plan(&[input(&loaded, &state)], &Allowances::default());
        assert_eq!(plan_one.unmanaged.len(), 1);
        assert_eq!(
            (plan_one.unmanaged[0].kind, plan_one.unmanaged[0].id.clone()),
            (Kind::Project, id(5))
        );
        assert!(!plan_one.has_changes());
        let plan_two = plan(&[input(&two, &state)], &Allowances::default());
        let ids: Vec<String> = plan_two.unmanaged.iter().map(|u| u.id.clone()).collect();
        assert_eq!(ids, vec![id(4), id(5)]);
    }

    #[test]
    fn offline_and_live_errors_refuse_the_plan() {
        let (loaded, _) = load(LUMA);
        let one_space = live(&[(1, "Luma", &[(2, "Production", P)])]);
        let mut merchant = input(&loaded, &one_space);
        let plan_live = plan(std::slice::from_ref(&merchant), &Allowances::default());
        assert!(plan_live.refused);
        assert!(plan_live.diagnostics.iter().all(|d| d.rule == "SC024"));
        let nothing = LiveState::default();
        merchant.live = &nothing;
        let (_, offline) = load(&LUMA.replace("data_space: qa", "data_space: nowhere"));
        merchant.diagnostics = &offline;
        let plan_offline = plan(&[merchant], &Allowances::default());
        assert!(plan_offline.refused && plan_offline.merchants[0].refused);
        assert!(
            plan_offline
                .diagnostics
                .iter()
                .any(|d| d.rule == "SC008" && d.is_error())
        );
    }

    #[test]
    fn colliding_slugs_are_numbered_by_file_whatever_the_input_order() {
        let (a, _) = load_as("a/luma.yaml", LUMA);
        let (b, _) = load_as(
            "b/Luma!.yaml",
            &LUMA.replace("name: Luma\n", "name: Other\n"),
        );
        let (c, _) = load_as("c/Ünïcode.yaml", LUMA);
        for inputs in [
            vec![
                input(&a, &LiveState::default()),
                input(&b, &LiveState::default()),
            ],
            vec![
                input(&b, &LiveState::default()),
                input(&a, &LiveState::default()),
            ],
        ] {
            let plan = plan(&inputs, &Allowances::default());
            let slugs: Vec<(&str, &str)> = plan
                .merchants
                .iter()
                .map(|m| (m.slug.as_str(), m.file.as_str()))
                .collect();
            assert_eq!(
                slugs,
                vec![("luma", "a/luma.yaml"), ("luma-2", "b/Luma!.yaml")]
            );
        }
        assert_eq!(
            plan(&[input(&c, &LiveState::default())], &Allowances::default()).merchants[0].slug,
            "n-code"
        );
    }

    #[test]
    fn digests_are_stable_and_follow_their_inputs() {
        let (loaded, _) = load(LUMA);
        let one = plan(
            &[input(&loaded, &LiveState::default())],
            &Allowances::default(),
        );
        assert_eq!(
            one,
            plan(
                &[input(&loaded, &LiveState::default())],
                &Allowances::default()
            )
        );
        let other = plan(
            &[input(&loaded, &live(&[(1, "X", &[(2, "P", P)])]))],
            &Allowances::default(),
        );
        assert_eq!(one.config_digest, other.config_digest);
        assert_ne!(one.live_digest, other.live_digest);
    }
}
