//! An environment's binding: the Magento config values at the `default` scope that bind an
//! installation to a data space (docs/design.md, "Installations (the Magento side)").

use super::MagentoError;
use crate::config::{DataSpaceType, KeySetName, SecretValue};

pub const PATH_KEY_SET: &str = "magento_saas/environment";
pub const PATH_PROJECT_ID: &str = "services_connector/services_id/project_id";
pub const PATH_PROJECT_NAME: &str = "services_connector/services_id/project_name";
pub const PATH_ENVIRONMENT_ID: &str = "services_connector/services_id/environment_id";
pub const PATH_ENVIRONMENT_NAME: &str = "services_connector/services_id/environment_name";
pub const PATH_ENVIRONMENT_TYPE: &str = "services_connector/services_id/environment";

/// `services_connector/services_connector_integration/{set}_api_key`.
pub fn api_key_path(set: KeySetName) -> String {
    format!(
        "services_connector/services_connector_integration/{}_api_key",
        set.as_str()
    )
}

/// `services_connector/services_connector_integration/{set}_private_key`.
pub fn private_key_path(set: KeySetName) -> String {
    format!(
        "services_connector/services_connector_integration/{}_private_key",
        set.as_str()
    )
}

/// The value of `services_connector/services_id/environment` for a data space type.
pub fn environment_type_value(kind: DataSpaceType) -> &'static str {
    match kind {
        DataSpaceType::Production => "Production",
        DataSpaceType::Testing => "Testing",
    }
}

/// One declared key set's resolved values.
#[derive(Debug, Clone)]
pub struct KeyValues {
    pub api_key: SecretValue,
    pub private_key: SecretValue,
}

/// What a binding is built from; plain values, so it needs no planner.
#[derive(Debug, Clone)]
pub struct BindingInput {
    /// The key set the environment uses (`magento_saas/environment`).
    pub key_set: KeySetName,
    /// Every declared key set; all of them are written, whichever one is in use.
    pub key_sets: Vec<(KeySetName, KeyValues)>,
    /// `None` while the project is still to be created.
    pub project_id: Option<String>,
    pub project_name: String,
    /// `None` while the data space is still to be created.
    pub data_space_id: Option<String>,
    pub data_space_name: String,
    pub data_space_type: DataSpaceType,
}

/// A config value: plain, or a secret (the four key values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Plain(String),
    Secret(SecretValue),
}

/// One row of the binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub value: Value,
}

impl Entry {
    pub fn is_secret(&self) -> bool {
        matches!(self.value, Value::Secret(_))
    }

    /// The value itself; call only where it is written or deliberately shown.
    pub fn expose(&self) -> &str {
        match &self.value {
            Value::Plain(value) => value,
            Value::Secret(secret) => secret.expose(),
        }
    }

    /// The value as shown: secrets are `<redacted>` unless `include_secrets`.
    pub fn shown(&self, include_secrets: bool) -> &str {
        match &self.value {
            Value::Secret(_) if !include_secrets => REDACTED,
            _ => self.expose(),
        }
    }
}

pub const REDACTED: &str = "<redacted>";

/// An environment's binding, in a fixed order: key set, key values, project, data space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    entries: Vec<Entry>,
}

impl Binding {
    /// Builds the binding. Ids not known yet are an error: rendering never uses a placeholder.
    pub fn new(input: BindingInput) -> Result<Self, MagentoError> {
        let project_id = input
            .project_id
            .filter(|id| !id.is_empty())
            .ok_or(MagentoError::IdNotKnown("project id"))?;
        let data_space_id = input
            .data_space_id
            .filter(|id| !id.is_empty())
            .ok_or(MagentoError::IdNotKnown("data space id"))?;
        if !input
            .key_sets
            .iter()
            .any(|(name, _)| *name == input.key_set)
        {
            return Err(MagentoError::KeySetNotDeclared(input.key_set));
        }
        let plain = |path: &str, value: String| Entry {
            path: path.to_owned(),
            value: Value::Plain(value),
        };
        let mut entries = vec![plain(PATH_KEY_SET, input.key_set.as_str().to_owned())];
        let mut sets = input.key_sets;
        sets.sort_by_key(|(name, _)| *name);
        sets.dedup_by_key(|(name, _)| *name);
        for (name, keys) in sets {
            // Magento trims every decrypted value, so a file's trailing newline never counts.
            entries.push(Entry {
                path: api_key_path(name),
                value: Value::Secret(SecretValue::new(php_trim(keys.api_key.expose()))),
            });
            entries.push(Entry {
                path: private_key_path(name),
                value: Value::Secret(SecretValue::new(php_trim(keys.private_key.expose()))),
            });
        }
        entries.push(plain(PATH_PROJECT_ID, project_id));
        entries.push(plain(PATH_PROJECT_NAME, input.project_name));
        entries.push(plain(PATH_ENVIRONMENT_ID, data_space_id));
        entries.push(plain(PATH_ENVIRONMENT_NAME, input.data_space_name));
        entries.push(plain(
            PATH_ENVIRONMENT_TYPE,
            environment_type_value(input.data_space_type).to_owned(),
        ));
        // Nothing read (a live name, an id) may put a NUL, an escape or the like into an env
        // file, a database or a rendered script; a key's line breaks are its own.
        for entry in &entries {
            let unwritable = |c: &char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
            if let Some(found) = entry.expose().chars().find(unwritable) {
                return Err(MagentoError::ControlCharacter {
                    path: entry.path.clone(),
                    code: u32::from(found),
                });
            }
        }
        Ok(Self { entries })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// Only the given paths (`render ENV PATH…`), in binding order; an empty list keeps all.
    pub fn select(&self, paths: &[String]) -> Result<Self, MagentoError> {
        if let Some(unknown) = paths.iter().find(|p| self.get(p).is_none()) {
            return Err(MagentoError::UnknownPath(unknown.clone()));
        }
        if paths.is_empty() {
            return Ok(self.clone());
        }
        Ok(Self {
            entries: self
                .entries
                .iter()
                .filter(|e| paths.contains(&e.path))
                .cloned()
                .collect(),
        })
    }
}

fn php_trim(value: &str) -> &str {
    value.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0b'])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn input() -> BindingInput {
        BindingInput {
            key_set: KeySetName::Production,
            key_sets: vec![
                (
                    KeySetName::Sandbox,
                    KeyValues {
                        api_key: SecretValue::new("sandbox-api-key"),
                        private_key: SecretValue::new(
                            "-----BEGIN PRIVATE KEY-----\nSANDBOX\n-----END PRIVATE KEY-----\n",
                        ),
                    },
                ),
                (
                    KeySetName::Production,
                    KeyValues {
                        api_key: SecretValue::new("prod-api-key\n"),
                        private_key: SecretValue::new(
                            "-----BEGIN PRIVATE KEY-----\nPROD\n-----END PRIVATE KEY-----\n",
                        ),
                    },
                ),
            ],
            project_id: Some("5f7c2a10-1b2c-4d3e-8f90-a1b2c3d4e5f6".into()),
            project_name: "Luma's shop".into(),
            data_space_id: Some("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into()),
            data_space_name: "Live \"EU\" $HOME".into(),
            data_space_type: DataSpaceType::Production,
        }
    }

    pub(crate) fn binding() -> Binding {
        Binding::new(input()).unwrap()
    }

    #[test]
    fn no_binding_holds_a_nul_or_an_escape() {
        for name in ["Live\u{1b}[2J", "Live\0", "Live\u{7}"] {
            let mut hostile = input();
            hostile.data_space_name = name.into();
            let error = Binding::new(hostile).unwrap_err().to_string();
            assert!(
                error.starts_with("the value of services_connector/services_id/environment_name holds the control character U+00"),
                "{error}"
            );
        }
    }

    #[test]
    fn order_and_values() {
        let b = binding();
        let rows: Vec<(&str, &str, bool)> = b
            .entries()
            .iter()
            .map(|e| (e.path.as_str(), e.shown(false), e.is_secret()))
            .collect();
        assert_eq!(
            rows,
            [
                ("magento_saas/environment", "production", false),
                (
                    "services_connector/services_connector_integration/production_api_key",
                    "<redacted>",
                    true
                ),
                (
                    "services_connector/services_connector_integration/production_private_key",
                    "<redacted>",
                    true
                ),
                (
                    "services_connector/services_connector_integration/sandbox_api_key",
                    "<redacted>",
                    true
                ),
                (
                    "services_connector/services_connector_integration/sandbox_private_key",
                    "<redacted>",
                    true
                ),
                (
                    "services_connector/services_id/project_id",
                    "5f7c2a10-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                    false
                ),
                (
                    "services_connector/services_id/project_name",
                    "Luma's shop",
                    false
                ),
                (
                    "services_connector/services_id/environment_id",
                    "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                    false
                ),
                (
                    "services_connector/services_id/environment_name",
                    "Live \"EU\" $HOME",
                    false
                ),
                (
                    "services_connector/services_id/environment",
                    "Production",
                    false
                ),
            ]
        );
        assert_eq!(
            b.get(&api_key_path(KeySetName::Production))
                .unwrap()
                .expose(),
            "prod-api-key"
        );
    }

    #[test]
    fn unknown_ids_and_undeclared_key_sets_are_errors() {
        let mut i = input();
        i.project_id = None;
        assert!(matches!(
            Binding::new(i).unwrap_err(),
            MagentoError::IdNotKnown("project id")
        ));
        let mut i = input();
        i.data_space_id = None;
        assert!(matches!(
            Binding::new(i).unwrap_err(),
            MagentoError::IdNotKnown("data space id")
        ));
        let mut i = input();
        i.key_set = KeySetName::Sandbox;
        i.key_sets.retain(|(n, _)| *n == KeySetName::Production);
        assert!(matches!(
            Binding::new(i).unwrap_err(),
            MagentoError::KeySetNotDeclared(KeySetName::Sandbox)
        ));
    }

    #[test]
    fn select_paths() {
        let b = binding();
        let some = b
            .select(&[PATH_ENVIRONMENT_ID.into(), PATH_KEY_SET.into()])
            .unwrap();
        let paths: Vec<&str> = some.entries().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [PATH_KEY_SET, PATH_ENVIRONMENT_ID]);
        assert!(matches!(
            b.select(&["nope".into()]).unwrap_err(),
            MagentoError::UnknownPath(_)
        ));
        assert_eq!(b.select(&[]).unwrap(), b);
    }
}
