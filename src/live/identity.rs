//! Which live object each declaration is (docs/design.md, "Identity"): a project by pinned `id`,
//! else `name`, else `previous_names`; a data space likewise, then by type among data spaces
//! never changed since `initialize` made them (all new, so no assignment can mislead), else by
//! adopting the one unclaimed data space of its type when exactly one declaration is left.
//! Anything else is ambiguous: renames are declared, never guessed.
//!
//! This module only states facts; the live rules (SC020-SC024) turn the refused outcomes into
//! diagnostics, and the model turns the rest into changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::state::{LiveDataSpace, LiveProject, LiveState, same_id};
use crate::config::{Config, DataSpace, DataSpaceType, normalize_name};

/// How a declaration found its live object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Id,
    Name,
    PreviousName,
    /// Assigned by type: every unclaimed data space of its type is new (never changed since
    /// `initialize`), so they are indistinguishable.
    Type,
    /// The one unclaimed live data space of the declaration's type.
    Adoption,
    /// The data space the declaration's installations are bound to (their stored
    /// `environment_id`): evidence, not a guess.
    Installation,
}

impl MatchedBy {
    /// Whether saasctl chose the live object rather than the YAML naming it.
    pub fn is_adoption(self) -> bool {
        matches!(self, MatchedBy::Type | MatchedBy::Adoption)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Id => "id",
            MatchedBy::Name => "name",
            MatchedBy::PreviousName => "previous_name",
            MatchedBy::Type => "type",
            MatchedBy::Adoption => "adoption",
            MatchedBy::Installation => "installation",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProjectMatch<'l> {
    Found {
        live: &'l LiveProject,
        by: MatchedBy,
    },
    /// No live project is this one: `initialize` creates it.
    Create,
    /// The pinned id is not live (SC022).
    PinnedMissing,
    /// The pinned id is a data space's (SC023).
    PinnedDataSpace {
        project: &'l LiveProject,
        space: &'l LiveDataSpace,
    },
    /// The name or previous names match several live projects (SC021).
    Ambiguous { candidates: Vec<&'l LiveProject> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum SpaceMatch<'l> {
    Found {
        live: &'l LiveDataSpace,
        by: MatchedBy,
    },
    /// The project is still to be created; `initialize` creates this data space.
    Initialize,
    /// The pinned id is not live (SC022).
    PinnedMissing,
    /// The pinned id is a data space of the other type or of another project (SC023).
    PinnedWrongType {
        project: &'l LiveProject,
        space: &'l LiveDataSpace,
    },
    /// Several live data spaces could be this one (SC021).
    Ambiguous { candidates: Vec<&'l LiveDataSpace> },
    /// The live project has fewer data spaces of this type than are declared (SC024).
    Missing { live: usize },
    /// The project itself is not identified, or another declaration claims the same pinned
    /// id (SC009 refuses that offline): nothing more can be said.
    Unknown,
}

/// How one configuration's declarations match one account's live state.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching<'l> {
    pub project: ProjectMatch<'l>,
    /// Per declared data space, by logical key, in declared order.
    pub data_spaces: Vec<(String, SpaceMatch<'l>)>,
}

impl<'l> Matching<'l> {
    /// The live project, when identified.
    pub fn live_project(&self) -> Option<&'l LiveProject> {
        match self.project {
            ProjectMatch::Found { live, .. } => Some(live),
            _ => None,
        }
    }

    pub fn data_space(&self, key: &str) -> Option<&SpaceMatch<'l>> {
        self.data_spaces
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m)
    }

    /// The identified project's live data spaces that no declaration claims.
    pub fn unclaimed(&self) -> Vec<&'l LiveDataSpace> {
        let Some(project) = self.live_project() else {
            return Vec::new();
        };
        project
            .data_spaces
            .iter()
            .filter(|space| !self.claims(space))
            .collect()
    }

    fn claims(&self, space: &LiveDataSpace) -> bool {
        self.data_spaces
            .iter()
            .any(|(_, m)| matches!(m, SpaceMatch::Found { live, .. } if std::ptr::eq(*live, space)))
    }
}

/// Whether a matched live object must be renamed to its declared name. Matching ignores case
/// and surrounding spaces; the declared spelling is still what the Admin should show.
pub fn is_rename(declared: &str, live: &str) -> bool {
    declared != live
}

/// The live data spaces whose newness (`createdAt == updatedAt`) would decide a match that is
/// ambiguous without it: the caller reads them and marks the new ones ([`LiveState::mark_new`]),
/// then matches again. Empty when names, ids and single adoptions decide everything.
pub fn undecided(config: &Config, live: &LiveState) -> Vec<String> {
    let matching = match_config(config, live);
    let ambiguous = matching
        .data_spaces
        .iter()
        .any(|(_, m)| matches!(m, SpaceMatch::Ambiguous { .. }));
    if !ambiguous {
        return Vec::new();
    }
    matching
        .unclaimed()
        .into_iter()
        .filter(|space| !space.new)
        .map(|space| space.id.clone())
        .collect()
}

/// Matches `config`'s project and data spaces against one account's live state.
pub fn match_config<'l>(config: &Config, live: &'l LiveState) -> Matching<'l> {
    match_config_with(config, live, &BTreeMap::new())
}

/// [`match_config`] with the installations' evidence: by data space key, the live data space
/// id its installations are bound to.
pub fn match_config_with<'l>(
    config: &Config,
    live: &'l LiveState,
    installed: &BTreeMap<String, String>,
) -> Matching<'l> {
    let project = match_project(config, live);
    let declared: Vec<(&String, &DataSpace)> = config.project.data_spaces.iter().collect();
    let outcomes = match &project {
        ProjectMatch::Found { live: project, .. } => {
            match_spaces(&declared, project, live, installed)
        }
        ProjectMatch::Create => declared
            .iter()
            .map(|(_, space)| match &space.id {
                // A project still to be created has no ids yet: a pin must be wrong.
                Some(id) => match live.find_data_space(id) {
                    Some((project, space)) => SpaceMatch::PinnedWrongType { project, space },
                    None => SpaceMatch::PinnedMissing,
                },
                None => SpaceMatch::Initialize,
            })
            .collect(),
        _ => declared.iter().map(|_| SpaceMatch::Unknown).collect(),
    };
    Matching {
        project,
        data_spaces: declared
            .iter()
            .map(|(key, _)| (*key).clone())
            .zip(outcomes)
            .collect(),
    }
}

fn match_project<'l>(config: &Config, live: &'l LiveState) -> ProjectMatch<'l> {
    let declared = &config.project;
    if let Some(id) = &declared.id {
        if let Some(project) = live.projects.iter().find(|p| same_id(&p.id, id)) {
            return ProjectMatch::Found {
                live: project,
                by: MatchedBy::Id,
            };
        }
        return match live.find_data_space(id) {
            Some((project, space)) => ProjectMatch::PinnedDataSpace { project, space },
            None => ProjectMatch::PinnedMissing,
        };
    }
    let by_names = |names: &[&String], by: MatchedBy| {
        let names: Vec<String> = names.iter().map(|n| normalize_name(n)).collect();
        let candidates: Vec<&LiveProject> = live
            .projects
            .iter()
            .filter(|p| names.contains(&normalize_name(&p.name)))
            .collect();
        match candidates.as_slice() {
            [] => None,
            [one] => Some(ProjectMatch::Found { live: one, by }),
            _ => Some(ProjectMatch::Ambiguous { candidates }),
        }
    };
    let previous: Vec<&String> = declared.previous_names.iter().collect();
    by_names(&[&declared.name], MatchedBy::Name)
        .or_else(|| by_names(&previous, MatchedBy::PreviousName))
        .unwrap_or(ProjectMatch::Create)
}

fn match_spaces<'l>(
    declared: &[(&String, &DataSpace)],
    project: &'l LiveProject,
    live: &'l LiveState,
    installed: &BTreeMap<String, String>,
) -> Vec<SpaceMatch<'l>> {
    let mut outcomes: Vec<Option<SpaceMatch<'l>>> = vec![None; declared.len()];
    let mut claimed: Vec<&'l LiveDataSpace> = Vec::new();
    let is_claimed =
        |claimed: &[&LiveDataSpace], s: &LiveDataSpace| claimed.iter().any(|c| std::ptr::eq(*c, s));

    // Pinned ids first, then names, then previous names: the strongest claim wins.
    for ((_, space), outcome) in declared.iter().zip(outcomes.iter_mut()) {
        let Some(id) = &space.id else { continue };
        *outcome = Some(match live.find_data_space(id) {
            Some((owner, found)) if std::ptr::eq(owner, project) && found.kind == space.kind => {
                if is_claimed(&claimed, found) {
                    SpaceMatch::Unknown
                } else {
                    claimed.push(found);
                    SpaceMatch::Found {
                        live: found,
                        by: MatchedBy::Id,
                    }
                }
            }
            Some((owner, found)) => SpaceMatch::PinnedWrongType {
                project: owner,
                space: found,
            },
            None => SpaceMatch::PinnedMissing,
        });
    }
    for by in [MatchedBy::Name, MatchedBy::PreviousName] {
        for ((_, space), outcome) in declared.iter().zip(outcomes.iter_mut()) {
            if outcome.is_some() {
                continue;
            }
            let names: Vec<String> = match by {
                MatchedBy::Name => vec![normalize_name(&space.name)],
                _ => space
                    .previous_names
                    .iter()
                    .map(|n| normalize_name(n))
                    .collect(),
            };
            // Only a data space of the declared type can be this one; a same-named one of
            // the other type is a rename collision (SC020), not a match.
            let candidates: Vec<&'l LiveDataSpace> = project
                .data_spaces
                .iter()
                .filter(|s| s.kind == space.kind && !is_claimed(&claimed, s))
                .filter(|s| names.contains(&normalize_name(&s.name)))
                .collect();
            *outcome = match candidates.as_slice() {
                [] => None,
                [one] => {
                    claimed.push(one);
                    Some(SpaceMatch::Found { live: one, by })
                }
                _ => Some(SpaceMatch::Ambiguous { candidates }),
            };
        }
    }

    // What the installations are bound to, where names said nothing.
    for ((key, space), outcome) in declared.iter().zip(outcomes.iter_mut()) {
        if outcome.is_some() {
            continue;
        }
        let bound = installed.get(key.as_str()).and_then(|id| {
            project
                .data_spaces
                .iter()
                .find(|s| same_id(&s.id, id) && s.kind == space.kind && !is_claimed(&claimed, s))
        });
        if let Some(found) = bound {
            claimed.push(found);
            *outcome = Some(SpaceMatch::Found {
                live: found,
                by: MatchedBy::Installation,
            });
        }
    }
    for kind in [DataSpaceType::Production, DataSpaceType::Testing] {
        let mut of_kind: Vec<&'l LiveDataSpace> = project
            .data_spaces
            .iter()
            .filter(|s| s.kind == kind)
            .collect();
        // New data spaces are indistinguishable; name then id only makes the order stable.
        of_kind.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let live_count = of_kind.len();
        let unclaimed: Vec<&'l LiveDataSpace> = of_kind
            .into_iter()
            .filter(|s| !is_claimed(&claimed, s))
            .collect();
        let open: Vec<&mut Option<SpaceMatch<'l>>> = declared
            .iter()
            .zip(outcomes.iter_mut())
            .filter(|((_, space), outcome)| space.kind == kind && outcome.is_none())
            .map(|(_, outcome)| outcome)
            .collect();
        if unclaimed.is_empty() {
            for outcome in open {
                *outcome = Some(SpaceMatch::Missing { live: live_count });
            }
        } else if unclaimed.iter().all(|s| s.new) {
            // All new: declared order against the stable order above.
            let mut candidates = unclaimed.into_iter();
            for outcome in open {
                *outcome = Some(match candidates.next() {
                    Some(live) => SpaceMatch::Found {
                        live,
                        by: MatchedBy::Type,
                    },
                    None => SpaceMatch::Missing { live: live_count },
                });
            }
        } else if let ([_], [one]) = (open.as_slice(), unclaimed.as_slice()) {
            let one = *one;
            for outcome in open {
                *outcome = Some(SpaceMatch::Found {
                    live: one,
                    by: MatchedBy::Adoption,
                });
            }
        } else {
            for outcome in open {
                *outcome = Some(SpaceMatch::Ambiguous {
                    candidates: unclaimed.clone(),
                });
            }
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(SpaceMatch::Unknown))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{LUMA, P, T, all_new, id, live, load};

    /// (key, how, live id number) for every matched data space; other outcomes by name.
    fn outcomes(yaml: &str, state: &LiveState) -> (String, Vec<(String, String)>) {
        let (loaded, _) = load(yaml);
        let config = loaded.config.expect("valid config");
        let m = match_config(&config, state);
        let project = match &m.project {
            ProjectMatch::Found { live, by } => format!("{} by {}", live.name, by.as_str()),
            other => format!("{other:?}"),
        };
        let spaces = m
            .data_spaces
            .iter()
            .map(|(key, outcome)| {
                let text = match outcome {
                    SpaceMatch::Found { live, by } => format!("{} by {}", live.name, by.as_str()),
                    SpaceMatch::Ambiguous { candidates } => format!(
                        "ambiguous {:?}",
                        candidates.iter().map(|c| &c.name).collect::<Vec<_>>()
                    ),
                    SpaceMatch::Missing { live } => format!("missing, {live} live"),
                    SpaceMatch::PinnedWrongType { space, .. } => {
                        format!("wrong type {}", space.name)
                    }
                    other => format!("{other:?}"),
                };
                (key.clone(), text)
            })
            .collect();
        (project, spaces)
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect()
    }

    #[test]
    fn a_missing_project_is_created_with_its_data_spaces() {
        let (project, spaces) = outcomes(LUMA, &live(&[(1, "Other", &[(2, "Production", P)])]));
        assert_eq!(project, "Create");
        assert!(spaces.iter().all(|(_, s)| s == "Initialize"), "{spaces:?}");
    }

    #[test]
    fn names_match_trimmed_and_ignoring_case() {
        let state = live(&[(
            1,
            " luma ",
            &[
                (2, "LUMA production", P),
                (3, "Luma Staging", T),
                (4, "luma qa", T),
            ],
        )]);
        assert_eq!(
            outcomes(LUMA, &state),
            (
                " luma  by name".into(),
                pairs(&[
                    ("live", "LUMA production by name"),
                    ("staging", "Luma Staging by name"),
                    ("qa", "luma qa by name"),
                ])
            )
        );
    }

    #[test]
    fn pinned_ids_win_over_names() {
        let yaml = LUMA
            .replace(
                "  name: Luma\n",
                &format!("  name: Luma\n  id: {}\n", id(9)),
            )
            .replace(
                "name: Luma QA}",
                &format!("name: Luma QA, id: {}}}", id(12)),
            );
        let state = live(&[
            (1, "Luma", &[(2, "Production", P)]),
            (
                9,
                "Old",
                &[
                    (10, "Luma Production", P),
                    (11, "Luma QA", T),
                    (12, "Whatever", T),
                ],
            ),
        ]);
        assert_eq!(
            outcomes(&yaml, &state),
            (
                "Old by id".into(),
                pairs(&[
                    ("live", "Luma Production by name"),
                    ("staging", "Luma QA by adoption"),
                    ("qa", "Whatever by id"),
                ])
            )
        );
    }

    #[test]
    fn previous_names_find_project_and_data_space() {
        let yaml = LUMA
            .replace(
                "  name: Luma\n",
                "  name: Luma\n  previous_names: [Luma Store]\n",
            )
            .replace(
                "name: Luma Staging}",
                "name: Luma Staging, previous_names: [Testing 1]}",
            );
        let state = live(&[(
            1,
            "Luma Store",
            &[
                (2, "Luma Production", P),
                (3, "Testing 2", T),
                (4, "Testing 1", T),
                (5, "Luma QA", T),
            ],
        )]);
        assert_eq!(
            outcomes(&yaml, &state),
            (
                "Luma Store by previous_name".into(),
                pairs(&[
                    ("live", "Luma Production by name"),
                    ("staging", "Testing 1 by previous_name"),
                    ("qa", "Luma QA by name"),
                ])
            )
        );
    }

    #[test]
    fn new_data_spaces_are_assigned_by_type_testing_in_declared_order() {
        // As `initialize` leaves them: default names, never changed since.
        let state = all_new(live(&[(
            1,
            "Luma",
            &[
                (7, "Testing 2", T),
                (3, "Production", P),
                (5, "Testing 1", T),
            ],
        )]));
        assert_eq!(
            outcomes(LUMA, &state).1,
            pairs(&[
                ("live", "Production by type"),
                ("staging", "Testing 1 by type"),
                ("qa", "Testing 2 by type"),
            ])
        );
        assert!(undecided(&load(LUMA).0.config.unwrap(), &state).is_empty());
    }

    #[test]
    fn data_spaces_with_user_names_are_never_assigned_by_type() {
        // The same project after someone renamed its data spaces in the Admin: swapping two
        // YAML lines must not swap which data space an environment gets.
        let state = live(&[(
            1,
            "Luma",
            &[(3, "Main", P), (5, "Preview", T), (7, "Sandbox", T)],
        )]);
        let (project, spaces) = outcomes(LUMA, &state);
        assert_eq!(project, "Luma by name");
        assert_eq!(
            spaces,
            pairs(&[
                ("live", "Main by adoption"),
                ("staging", r#"ambiguous ["Preview", "Sandbox"]"#),
                ("qa", r#"ambiguous ["Preview", "Sandbox"]"#),
            ])
        );
        // Identity asks for the evidence that could decide: the two unclaimed testing ones.
        let config = load(LUMA).0.config.unwrap();
        assert_eq!(undecided(&config, &state), vec![id(5), id(7)]);
    }

    #[test]
    fn an_installations_binding_is_evidence_that_decides_a_match() {
        let state = live(&[(
            1,
            "Luma",
            &[(3, "Main", P), (5, "Preview", T), (7, "Sandbox", T)],
        )]);
        let config = load(LUMA).0.config.unwrap();
        let installed = BTreeMap::from([("qa".to_owned(), id(5))]);
        let m = match_config_with(&config, &state, &installed);
        let by = |key: &str| match m.data_space(key) {
            Some(SpaceMatch::Found { live, by }) => format!("{} by {}", live.name, by.as_str()),
            other => format!("{other:?}"),
        };
        assert_eq!(by("qa"), "Preview by installation");
        // With one testing data space left for one declaration, staging is adopted.
        assert_eq!(by("staging"), "Sandbox by adoption");
    }

    #[test]
    fn a_production_space_claimed_by_its_initial_name_leaves_new_testing_ones_to_type() {
        // The user declared the production data space under the registry's own initial name.
        let yaml = LUMA.replace("name: Luma Production", "name: Production");
        let state = all_new(live(&[(
            1,
            "Luma",
            &[
                (3, "Production", P),
                (5, "Testing 1", T),
                (7, "Testing 2", T),
            ],
        )]));
        assert_eq!(
            outcomes(&yaml, &state).1,
            pairs(&[
                ("live", "Production by name"),
                ("staging", "Testing 1 by type"),
                ("qa", "Testing 2 by type"),
            ])
        );
    }

    #[test]
    fn one_changed_data_space_among_new_ones_makes_the_type_ambiguous() {
        let mut state = all_new(live(&[(
            1,
            "Luma",
            &[
                (3, "Production", P),
                (5, "Testing 1", T),
                (7, "Testing 2", T),
            ],
        )]));
        state.projects[0].data_spaces[2].new = false;
        assert_eq!(
            outcomes(LUMA, &state).1[1].1,
            r#"ambiguous ["Testing 1", "Testing 2"]"#
        );
    }

    #[test]
    fn one_unclaimed_data_space_of_a_type_is_adopted() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Luma Staging", T),
                (4, "Testing 2", T),
            ],
        )]);
        assert_eq!(
            outcomes(LUMA, &state).1[2],
            ("qa".into(), "Testing 2 by adoption".into())
        );
    }

    #[test]
    fn several_candidates_for_adoption_are_ambiguous() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Production", P),
                (3, "Testing 1", T),
                (4, "Testing 2", T),
            ],
        )]);
        let spaces = outcomes(LUMA, &state).1;
        assert_eq!(
            spaces[1..],
            pairs(&[
                ("staging", r#"ambiguous ["Testing 1", "Testing 2"]"#),
                ("qa", r#"ambiguous ["Testing 1", "Testing 2"]"#),
            ])
        );
    }

    #[test]
    fn a_live_project_with_fewer_data_spaces_leaves_declarations_missing() {
        let state = live(&[(1, "Luma", &[(2, "Production", P)])]);
        assert_eq!(
            outcomes(LUMA, &state).1,
            pairs(&[
                ("live", "Production by adoption"),
                ("staging", "missing, 0 live"),
                ("qa", "missing, 0 live"),
            ])
        );
        let state = live(&[(1, "Luma", &[(2, "Luma Production", P), (3, "Luma QA", T)])]);
        assert_eq!(
            outcomes(LUMA, &state).1[1],
            ("staging".into(), "missing, 1 live".into())
        );
    }

    #[test]
    fn pinned_ids_that_are_missing_or_of_the_wrong_type_are_not_matched() {
        let yaml = LUMA
            .replace(
                "  name: Luma\n",
                &format!("  name: Luma\n  id: {}\n", id(3)),
            )
            .replace(
                "name: Luma QA}",
                &format!("name: Luma QA, id: {}}}", id(99)),
            );
        let state = live(&[(1, "Luma", &[(2, "Luma Production", P), (3, "Luma QA", T)])]);
        let (project, spaces) = outcomes(&yaml, &state);
        assert!(project.starts_with("PinnedDataSpace"), "{project}");
        assert!(spaces.iter().all(|(_, s)| s == "Unknown"));

        let yaml = LUMA
            .replace(
                "name: Luma Production}",
                &format!("name: Luma Production, id: {}}}", id(3)),
            )
            .replace(
                "name: Luma QA}",
                &format!("name: Luma QA, id: {}}}", id(99)),
            );
        let spaces = outcomes(&yaml, &state).1;
        assert_eq!(spaces[0].1, "wrong type Luma QA");
        assert_eq!(spaces[2].1, "PinnedMissing");
    }

    #[test]
    fn a_same_named_data_space_of_the_other_type_is_not_a_match() {
        let state = live(&[(
            1,
            "Luma",
            &[
                (2, "Luma Staging", P),
                (3, "Luma QA", T),
                (4, "Testing 2", T),
            ],
        )]);
        let spaces = outcomes(LUMA, &state).1;
        assert_eq!(spaces[0].1, "Luma Staging by adoption");
        assert_eq!(spaces[1].1, "Testing 2 by adoption");
    }
}
