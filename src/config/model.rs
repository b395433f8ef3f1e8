//! The desired state, YAML version 1: one merchant account, its keys, its SaaS project,
//! the project's data spaces and the Magento installations bound to them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// One merchant account managed by saasctl: its keys, its SaaS project, the project's data
/// spaces and the Magento installations (environments) bound to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "saasctl configuration")]
pub struct Config {
    /// Format version of this file. Only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// How plans name this merchant (`project.NAME`, `--allow-rebind NAME/ENV`). Without it,
    /// the file's name without its extension, lower-cased; never the project's name, so a
    /// rename leaves every plan address as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"), length(max = 63))]
    pub merchant: Option<String>,
    /// The Commerce licence and the services in use; they decide how many data spaces exist.
    pub account: Account,
    /// The API key sets of the account: `production` is required, `sandbox` optional.
    pub keys: Keys,
    /// The SaaS project and its data spaces.
    pub project: Project,
    /// The Magento installations, by logical key, each bound to one data space.
    pub environments: IndexMap<String, Environment>,
}

impl Config {
    /// The environments bound to the data space `space_key`, in declared order.
    pub fn environments_bound_to(&self, space_key: &str) -> Vec<&String> {
        self.environments
            .iter()
            .filter(|(_, env)| env.data_space == space_key)
            .map(|(name, _)| name)
            .collect()
    }
}

/// The merchant's licence and services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The Commerce licence: `adobe-commerce` gives 1 production and 2 testing data spaces,
    /// `magento-open-source` gives 1 production data space.
    pub license: License,
    /// The Commerce Services in use. `payment-services` forbids sharing a data space.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum License {
    AdobeCommerce,
    MagentoOpenSource,
}

impl License {
    /// How many data spaces of each type the licence gives: (production, testing).
    pub fn data_space_allowance(self) -> (usize, usize) {
        match self {
            License::AdobeCommerce => (1, 2),
            License::MagentoOpenSource => (1, 0),
        }
    }

    /// The data spaces `initialize` creates with a project, by type and first name:
    /// `Production`, `Testing 1`, `Testing 2` (a type's only one has the type's name alone).
    pub fn initial_data_spaces(self) -> Vec<(DataSpaceType, String)> {
        let (production, testing) = self.data_space_allowance();
        [
            (DataSpaceType::Production, "Production", production),
            (DataSpaceType::Testing, "Testing", testing),
        ]
        .into_iter()
        .flat_map(|(kind, word, of)| {
            (1..=of).map(move |i| {
                let name = if of == 1 {
                    word.to_owned()
                } else {
                    format!("{word} {i}")
                };
                (kind, name)
            })
        })
        .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            License::AdobeCommerce => "adobe-commerce",
            License::MagentoOpenSource => "magento-open-source",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    ProductRecommendations,
    LiveSearch,
    CatalogService,
    PaymentServices,
    DataConnection,
}

/// The key sets (Admin: Commerce Services Connector > API keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    /// The production API key and private key.
    pub production: KeySet,
    /// The sandbox API key and private key (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<KeySet>,
}

impl Keys {
    pub fn get(&self, name: KeySetName) -> Option<&KeySet> {
        match name {
            KeySetName::Production => Some(&self.production),
            KeySetName::Sandbox => self.sandbox.as_ref(),
        }
    }

    /// The declared key sets with their names.
    pub fn iter(&self) -> impl Iterator<Item = (KeySetName, &KeySet)> {
        std::iter::once((KeySetName::Production, &self.production))
            .chain(self.sandbox.iter().map(|k| (KeySetName::Sandbox, k)))
    }
}

/// One API key with its private key, as generated in the Adobe Commerce account portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySet {
    /// Where the API key is read from: `{env: NAME}` or `{file: PATH}`. Never a literal.
    pub api_key: Secret,
    /// Where the RSA private key (PEM, PKCS#8 or PKCS#1, at least 2048 bits) is read from.
    pub private_key: Secret,
    /// The gateway URL (default per key set), or `embedded` for the in-process emulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub gateway: Option<String>,
}

/// The name of a key set; also the value of `magento_saas/environment`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum KeySetName {
    #[default]
    Production,
    Sandbox,
}

impl KeySetName {
    pub fn as_str(self) -> &'static str {
        match self {
            KeySetName::Production => "production",
            KeySetName::Sandbox => "sandbox",
        }
    }
}

/// The SaaS project ("Create Project" in the Admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The project name as shown in the Admin.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// The key set through which the project is registered.
    #[serde(default)]
    pub keys: KeySetName,
    /// Pins the project to a live project id (a UUID) instead of matching by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ))]
    pub id: Option<String>,
    /// Names the project had before; a live project with one of them is renamed, never
    /// guessed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_names: Vec<String>,
    /// The project's data spaces ("SaaS environments"), by logical key.
    pub data_spaces: IndexMap<String, DataSpace>,
}

/// One data space of the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSpace {
    /// `production` or `testing`; the licence fixes how many of each exist.
    #[serde(rename = "type")]
    pub kind: DataSpaceType,
    /// The data space name as shown in the Admin.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// Pins the data space to a live environment id (a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ))]
    pub id: Option<String>,
    /// Names the data space had before; a live one with such a name is renamed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DataSpaceType {
    Production,
    Testing,
}

impl DataSpaceType {
    pub fn as_str(self) -> &'static str {
        match self {
            DataSpaceType::Production => "production",
            DataSpaceType::Testing => "testing",
        }
    }
}

/// One Magento installation and its Commerce Services binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// What the installation is: `production`, `staging`, `development` or `testing`.
    pub tier: Tier,
    /// The key set the installation uses (`magento_saas/environment`).
    #[serde(default)]
    pub keys: KeySetName,
    /// The logical key (under `project.data_spaces`) of the data space it is bound to.
    #[schemars(length(min = 1))]
    pub data_space: String,
    /// The Magento website codes this installation serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<WebsiteCode>,
    /// Where the installation's Magento configuration lives, so plan reads it and apply
    /// writes the binding there. Without one, the binding is only shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// Where an installation's binding is read and written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// The installation's MySQL / MariaDB database (`core_config_data`, `store_website`).
    Mysql(MysqlTarget),
    /// A file of `CONFIG__DEFAULT__…` lines, relative to this YAML file; only the binding's
    /// lines are touched. A path alone is a dotenv file; `{path, format}` names the dialect.
    EnvFile(EnvFileTarget),
}

/// An env file: its path, and the dialect of the program that loads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvFileTarget {
    /// A dotenv file.
    Path(#[schemars(length(min = 1))] String),
    Spec(EnvFileSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvFileSpec {
    /// Relative to this YAML file.
    #[schemars(length(min = 1))]
    pub path: String,
    /// `dotenv` (default), `shell` or `docker`.
    #[serde(default)]
    pub format: EnvFileFormat,
}

impl EnvFileTarget {
    pub fn path(&self) -> &str {
        match self {
            EnvFileTarget::Path(path) | EnvFileTarget::Spec(EnvFileSpec { path, .. }) => path,
        }
    }

    pub fn format(&self) -> EnvFileFormat {
        match self {
            EnvFileTarget::Path(_) => EnvFileFormat::Dotenv,
            EnvFileTarget::Spec(spec) => spec.format,
        }
    }
}

/// How an env file is written, for the program that loads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvFileFormat {
    // Read by dotenv libraries (Symfony Dotenv, python-dotenv, Docker Compose's `env_file`):
    // a private key in double quotes with `\n` escapes.
    #[default]
    Dotenv,
    // Loaded by a POSIX shell (`set -a; . FILE`): a private key in double quotes with real
    // line breaks.
    Shell,
    // `docker run --env-file`: one `NAME=VALUE` per line, taken literally; it cannot carry a
    // private key.
    Docker,
}

impl EnvFileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvFileFormat::Dotenv => "dotenv",
            EnvFileFormat::Shell => "shell",
            EnvFileFormat::Docker => "docker",
        }
    }
}

impl Target {
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Mysql(_) => TargetKind::Mysql,
            Target::EnvFile(_) => TargetKind::EnvFile,
        }
    }
}

/// What kind of target an installation has, as plans and reports name it: `mysql` or
/// `env_file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Mysql,
    EnvFile,
}

impl std::fmt::Display for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TargetKind::Mysql => "mysql",
            TargetKind::EnvFile => "env_file",
        })
    }
}

/// A Magento database and what is needed to write its encrypted values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MysqlTarget {
    /// `mysql://USER:PASSWORD@HOST:PORT/DATABASE`, a secret: `{env: NAME}` or `{file: PATH}`.
    pub url: Secret,
    /// The whole `crypt/key` value of `app/etc/env.php`, a secret: `{env: NAME}` or
    /// `{file: PATH}`.
    pub crypt_key: Secret,
    /// Magento's table prefix (`db-prefix`), if the installation uses one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9_]*$"), length(max = 32))]
    pub table_prefix: String,
}

/// A Magento website code: a letter, then letters, digits or underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct WebsiteCode(
    #[schemars(regex(pattern = r"^[a-zA-Z][a-zA-Z0-9_]*$"), length(max = 32))] pub String,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    Production,
    Staging,
    Development,
    Testing,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Production => "production",
            Tier::Staging => "staging",
            Tier::Development => "development",
            Tier::Testing => "testing",
        }
    }
}

/// How project and data space names compare: the Admin trims and ignores case.
pub fn normalize_name(name: &str) -> String {
    name.trim().to_lowercase()
}
