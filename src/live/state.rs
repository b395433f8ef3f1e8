//! The live SaaS state as the planner sees it: projects and their data spaces, independent of
//! the registry's wire types, in one canonical order so that equal states have equal digests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::DataSpaceType;
use crate::digest::json_digest;

/// Every project of one merchant account, sorted by id, each with its data spaces sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveState {
    pub projects: Vec<LiveProject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveProject {
    pub id: String,
    pub name: String,
    pub data_spaces: Vec<LiveDataSpace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveDataSpace {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: DataSpaceType,
    /// Never changed since `initialize` made it (`createdAt == updatedAt`): the evidence that
    /// lets identity assign it by type. Read only where identity needs it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
}

/// One registry row (`GET registry`): one data space with its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRow {
    pub project_id: String,
    pub project_name: String,
    pub environment_id: String,
    pub environment_name: String,
    pub environment_type: DataSpaceType,
}

impl From<crate::registry::wire::Row> for LiveRow {
    fn from(row: crate::registry::wire::Row) -> Self {
        use crate::registry::wire::EnvironmentType;
        Self {
            project_id: row.project_id,
            project_name: row.project_name,
            environment_id: row.environment_id,
            environment_name: row.environment_name,
            environment_type: match row.environment_type {
                EnvironmentType::Production => DataSpaceType::Production,
                EnvironmentType::Testing => DataSpaceType::Testing,
            },
        }
    }
}

/// Registry rows that do not describe a consistent state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    #[error("project {project_id} is listed both as `{first}` and as `{second}`")]
    ProjectNameConflict {
        project_id: String,
        first: String,
        second: String,
    },
    #[error("data space {environment_id} is listed twice with different values")]
    DuplicateDataSpace { environment_id: String },
}

impl LiveState {
    /// Records that the data space `id` was never changed since its creation.
    pub fn mark_new(&mut self, id: &str) {
        for space in self.projects.iter_mut().flat_map(|p| &mut p.data_spaces) {
            if same_id(&space.id, id) {
                space.new = true;
            }
        }
    }

    /// The state after `initialize` answered with `rows`: a new project whose data spaces
    /// are new (never changed since their creation).
    pub fn with_created(self, rows: impl IntoIterator<Item = LiveRow>) -> Result<Self, LiveError> {
        let created = LiveState::from_rows(rows)?;
        let mut projects = self.projects;
        for mut project in created.projects {
            for space in &mut project.data_spaces {
                space.new = true;
            }
            projects.retain(|p| p.id != project.id);
            projects.push(project);
        }
        Ok(LiveState { projects }.canonical())
    }

    /// The state after the registry answered a rename of the project or data space `id`.
    pub fn renamed(mut self, id: &str, name: &str) -> Self {
        for project in &mut self.projects {
            if same_id(&project.id, id) {
                name.clone_into(&mut project.name);
            }
            for space in &mut project.data_spaces {
                if same_id(&space.id, id) {
                    name.clone_into(&mut space.name);
                    space.new = false;
                }
            }
        }
        self
    }

    /// Builds the state from registry rows, in any order; identical repeated rows are merged.
    pub fn from_rows(rows: impl IntoIterator<Item = LiveRow>) -> Result<Self, LiveError> {
        let mut projects: BTreeMap<String, LiveProject> = BTreeMap::new();
        for row in rows {
            let kind = row.environment_type;
            let project = projects
                .entry(row.project_id.clone())
                .or_insert_with(|| LiveProject {
                    id: row.project_id.clone(),
                    name: row.project_name.clone(),
                    data_spaces: Vec::new(),
                });
            if project.name != row.project_name {
                return Err(LiveError::ProjectNameConflict {
                    project_id: row.project_id,
                    first: project.name.clone(),
                    second: row.project_name,
                });
            }
            let space = LiveDataSpace {
                id: row.environment_id,
                name: row.environment_name,
                kind,
                new: false,
            };
            match project.data_spaces.iter().find(|s| s.id == space.id) {
                Some(existing) if *existing == space => {}
                Some(_) => {
                    return Err(LiveError::DuplicateDataSpace {
                        environment_id: space.id,
                    });
                }
                None => project.data_spaces.push(space),
            }
        }
        Ok(LiveState {
            projects: projects.into_values().collect(),
        }
        .canonical())
    }

    /// The same state in canonical order: projects by id, data spaces by id.
    pub fn canonical(mut self) -> Self {
        self.projects.sort_by(|a, b| a.id.cmp(&b.id));
        for project in &mut self.projects {
            project.data_spaces.sort_by(|a, b| a.id.cmp(&b.id));
        }
        self
    }

    /// `sha256:` of the canonical JSON; `apply PLANFILE` compares it to find a stale plan.
    pub fn digest(&self) -> String {
        json_digest(&self.clone().canonical())
    }

    /// The data space with this id in any project, with its project.
    pub fn find_data_space(&self, id: &str) -> Option<(&LiveProject, &LiveDataSpace)> {
        self.projects.iter().find_map(|project| {
            project
                .data_spaces
                .iter()
                .find(|space| same_id(&space.id, id))
                .map(|space| (project, space))
        })
    }
}

impl LiveProject {
    /// How messages name it: project `Luma` (3f0c…).
    pub fn describe(&self) -> String {
        format!("project `{}` ({})", self.name, self.id)
    }
}

impl LiveDataSpace {
    /// How messages name it: testing data space `Testing 1` (77aa…).
    pub fn describe(&self) -> String {
        format!(
            "{} data space `{}` ({})",
            self.kind.as_str(),
            self.name,
            self.id
        )
    }
}

/// Ids are UUIDs: the case of their hex digits does not matter.
pub fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn row(project: (&str, &str), space: (&str, &str, &str)) -> LiveRow {
        LiveRow {
            project_id: project.0.into(),
            project_name: project.1.into(),
            environment_id: space.0.into(),
            environment_name: space.1.into(),
            environment_type: match space.2 {
                "Production" => DataSpaceType::Production,
                _ => DataSpaceType::Testing,
            },
        }
    }

    #[test]
    fn rows_become_sorted_projects_and_data_spaces() {
        let state = LiveState::from_rows([
            row(("p2", "Two"), ("e3", "Testing 1", "Testing")),
            row(("p1", "One"), ("e2", "Production", "Production")),
            row(("p2", "Two"), ("e1", "Production", "Production")),
            row(("p2", "Two"), ("e1", "Production", "Production")),
        ])
        .unwrap();
        let ids: Vec<(&str, Vec<&str>)> = state
            .projects
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.data_spaces.iter().map(|s| s.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(ids, vec![("p1", vec!["e2"]), ("p2", vec!["e1", "e3"])]);
    }

    #[test]
    fn unknown_types_are_errors_not_panics() {
        // The type is typed from the wire on: an unknown one fails to decode.
        let row = r#"{"projectId":"p","projectName":"P","environmentId":"e","environmentName":"E","environmentType":"Staging"}"#;
        let err = serde_json::from_str::<crate::registry::wire::Row>(row).unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `Staging`"),
            "{err}"
        );
    }

    #[test]
    fn conflicting_rows_are_errors() {
        let err = LiveState::from_rows([
            row(("p", "P"), ("e", "E", "Testing")),
            row(("p", "Q"), ("f", "F", "Testing")),
        ])
        .unwrap_err();
        assert!(matches!(err, LiveError::ProjectNameConflict { .. }));
        let err = LiveState::from_rows([
            row(("p", "P"), ("e", "E", "Testing")),
            row(("p", "P"), ("e", "F", "Testing")),
        ])
        .unwrap_err();
        assert!(matches!(err, LiveError::DuplicateDataSpace { .. }));
    }

    #[test]
    fn digest_does_not_depend_on_row_order() {
        let a = LiveState::from_rows([
            row(("p", "P"), ("e1", "A", "Production")),
            row(("p", "P"), ("e2", "B", "Testing")),
        ])
        .unwrap();
        let b = LiveState::from_rows([
            row(("p", "P"), ("e2", "B", "Testing")),
            row(("p", "P"), ("e1", "A", "Production")),
        ])
        .unwrap();
        assert_eq!(a.digest(), b.digest());
        assert!(a.digest().starts_with("sha256:"));
        let mut renamed = b.clone();
        renamed.projects[0].name = "Q".into();
        assert_ne!(a.digest(), renamed.digest());
    }
}
