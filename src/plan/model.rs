//! The plan: one model for every merchant, what the renderers show, what `plan --out` saves and
//! what apply executes. Its JSON form is the contract (docs/design.md, "The plan file").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{DataSpaceType, KeySetName, Tier};
use crate::diagnostic::JsonDiagnostic;
use crate::digest::json_digest;
use crate::keys::KeyFingerprint;
use crate::live::MatchedBy;

/// The plan file format this build writes and reads.
pub const FORMAT_VERSION: &str = "1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format_version: String,
    pub tool_version: String,
    /// `sha256:` of every merchant's configuration (secret references, never secrets) and key
    /// fingerprints.
    pub config_digest: String,
    /// `sha256:` of the merchants' live digests, in merchant order.
    pub live_digest: String,
    pub merchants: Vec<MerchantPlan>,
    /// Every merchant's changes: by merchant, then project, data spaces, environments.
    pub changes: Vec<Change>,
    pub summary: Summary,
    /// Live objects nothing declares: listed, never deleted.
    pub unmanaged: Vec<Unmanaged>,
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Findings that `# saasctl: ignore[ID] reason` comments accepted, with their reasons:
    /// they refuse nothing, and a reviewer sees them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<JsonDiagnostic>,
    /// An error-severity finding fired: nothing of this plan may be applied.
    pub refused: bool,
    /// What the user allowed on purpose when planning; applying the plan allows the same.
    #[serde(default)]
    pub allowances: crate::rules::Allowances,
    /// Merchants that could not be read: the plan says nothing of them, so it is incomplete
    /// (and never saved).
    #[serde(default)]
    pub unread: Vec<Unread>,
}

impl Plan {
    /// Whether applying would change anything.
    pub fn has_changes(&self) -> bool {
        self.summary.create + self.summary.rename + self.summary.update > 0
    }

    /// Whether applying does anything: a change, or an installation to write whole.
    pub fn has_work(&self) -> bool {
        self.has_changes() || self.changes.iter().any(Change::written_on_apply)
    }

    /// The plans of an estate's shards as one, to be read (one pull-request comment): merchants,
    /// changes, findings and unmanaged objects in shard order, the summary counted again, refused
    /// if any part is. Its digests are of the parts' digests. `None` without plans.
    pub fn merge(plans: Vec<Plan>) -> Option<Plan> {
        let mut parts = plans.into_iter();
        let mut merged = parts.next()?;
        let mut config = vec![merged.config_digest.clone()];
        let mut live = vec![merged.live_digest.clone()];
        for plan in parts {
            config.push(plan.config_digest);
            live.push(plan.live_digest);
            merged.merchants.extend(plan.merchants);
            merged.changes.extend(plan.changes);
            merged.unmanaged.extend(plan.unmanaged);
            merged.diagnostics.extend(plan.diagnostics);
            merged.ignored.extend(plan.ignored);
            merged.unread.extend(plan.unread);
            merged.refused |= plan.refused;
        }
        if config.len() > 1 {
            merged.config_digest = json_digest(&config);
            merged.live_digest = json_digest(&live);
        }
        merged.summary = Summary::count(&merged.changes);
        Some(merged)
    }

    /// One merchant's changes, in order.
    pub fn changes_of<'a>(&'a self, merchant: &'a str) -> impl Iterator<Item = &'a Change> {
        self.changes.iter().filter(move |c| c.merchant == merchant)
    }
}

/// One merchant file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantPlan {
    /// The address prefix of its changes, from the project name.
    pub slug: String,
    pub file: String,
    /// The declared project name (the file name when the file could not be read).
    pub project: String,
    /// The live project, when identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// `sha256:` of the account's live state this plan was made from.
    pub live_digest: String,
    /// The fingerprints of the declared key sets.
    pub keys: BTreeMap<KeySetName, KeyFingerprint>,
    /// The gateway the live state was read through: `apply` refuses another.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gateway: String,
    /// Where the file is, relative to the saved plan's directory (set when the plan is saved),
    /// so `apply PLANFILE` finds it from any working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub refused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Rename,
    Update,
    NoOp,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Rename => "rename",
            Action::Update => "update",
            Action::NoOp => "no-op",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Project,
    DataSpace,
    Environment,
}

/// One declared object and what applying does to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// `project.luma`, `data_space.luma.staging`, `environment.luma.production`.
    pub address: String,
    pub merchant: String,
    pub kind: Kind,
    pub action: Action,
    /// The live object as it is; absent when it does not exist yet or is not read.
    pub before: Option<Object>,
    /// The object as declared.
    pub after: Option<Object>,
    /// How the declaration found its live object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// saasctl chose the live object (by type, or the one unclaimed of its type).
    #[serde(default)]
    pub adopted: bool,
    /// Why, or how it happens, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The live project id the change is executed against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The live data space ("environment" in the registry) id the change is executed against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    /// An installation's config values that change, path by path (an `update`); keys appear
    /// only as fingerprints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueChange>,
    /// Where the installation's values are written: `mysql` or `env_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<crate::config::TargetKind>,
    /// Why an installation with a target was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_read: Option<NotRead>,
}

/// Why an installation's target was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRead {
    /// An env file that does not exist where the plan was made: not a change (a fresh clone
    /// holds no secrets), but apply writes it whole.
    MissingHere,
    /// `--installations=skip`: neither read nor written.
    Skipped,
}

impl Change {
    /// An env file that apply writes whole, though the plan counts no change for it.
    pub fn written_on_apply(&self) -> bool {
        self.not_read == Some(NotRead::MissingHere)
    }

    /// Whether apply writes this change's installation: its values change, or its env file is
    /// missing here.
    pub fn writes_installation(&self) -> bool {
        self.kind == Kind::Environment
            && self.target.is_some()
            && (self.action == Action::Update || self.written_on_apply())
    }

    /// Whether renderers print the note: a no-op's note is shown only when it says something
    /// the line does not.
    pub fn shows_note(&self) -> bool {
        self.action != Action::NoOp || self.adopted || self.not_read.is_some()
    }
}

/// One config value of an installation: what it holds and what it will hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueChange {
    pub path: String,
    /// Absent when the installation has no value there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Absent when it is known only after apply (the id of an object still to be created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Why a value that reads the same still changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ValueReason>,
}

/// Why an installation's value is rewritten although it reads as the binding's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueReason {
    /// A key value in the database in plain text: Magento reads it (`KeyEncrypted` falls back
    /// to the stored text), but the Admin stores it encrypted, and so does apply.
    StoredUnencrypted,
}

impl std::fmt::Display for ValueReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValueReason::StoredUnencrypted => {
                "stored unencrypted; Magento's Admin stores it encrypted"
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Object {
    Binding(Binding),
    Named(Named),
}

/// A project or a data space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DataSpaceType>,
}

/// What an installation is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// The data space's logical key.
    pub data_space: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_space_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_space_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_space_type: Option<DataSpaceType>,
    pub tier: Tier,
    /// `magento_saas/environment`.
    pub key_set: KeySetName,
    pub websites: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub create: usize,
    pub rename: usize,
    pub update: usize,
    #[serde(rename = "no-op")]
    pub no_op: usize,
}

impl Summary {
    pub fn count(changes: &[Change]) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            *match change.action {
                Action::Create => &mut summary.create,
                Action::Rename => &mut summary.rename,
                Action::Update => &mut summary.update,
                Action::NoOp => &mut summary.no_op,
            } += 1;
        }
        summary
    }
}

/// A merchant whose file, registry or installations could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unread {
    pub file: String,
    pub reason: String,
}

/// A live object no declaration claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unmanaged {
    pub kind: Kind,
    /// The merchant through whose keys it was seen.
    pub merchant: String,
    pub id: String,
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub data_space_type: Option<DataSpaceType>,
    /// For a data space: its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}
