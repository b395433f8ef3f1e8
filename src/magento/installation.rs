//! What an installation holds of its binding, as read from its target. Plain values are kept as
//! they are; key values only as fingerprints, the same ones a plan shows for declared keys, so
//! comparing them needs no secret.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One stored value of the binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stored {
    /// A plain value: ids, names, the key set.
    Plain(String),
    /// A key value, by fingerprint; `encrypted` when it was stored encrypted (plain-text keys
    /// in the database work too: Magento falls back to the stored text).
    Key {
        fingerprint: String,
        encrypted: bool,
    },
    /// A key value encrypted twice (SC035): the services cannot authenticate with it.
    EncryptedTwice { fingerprint: String },
}

impl Stored {
    /// How a plan shows it: the value, or the fingerprint of a key.
    pub fn shown(&self) -> &str {
        match self {
            Stored::Plain(value) => value,
            Stored::Key { fingerprint, .. } | Stored::EncryptedTwice { fingerprint } => fingerprint,
        }
    }
}

/// Whether an installation's values were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    #[default]
    Read,
    /// An env file that does not exist on this machine (a fresh clone, a CI runner): apply
    /// writes it whole, a plan does not count it as a change.
    Missing,
    /// `--installations=skip`: neither read nor written.
    Skipped,
}

/// An installation's binding as read, and its websites where the target knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub target: crate::config::TargetKind,
    #[serde(default)]
    pub presence: Presence,
    /// The binding's paths that hold a value.
    pub values: BTreeMap<String, Stored>,
    /// `store_website` codes, `admin` excluded (`mysql` targets only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websites: Option<Vec<String>>,
}

impl Installation {
    /// An installation whose values are not known here.
    pub fn unread(target: crate::config::TargetKind, presence: Presence) -> Self {
        Self {
            target,
            presence,
            values: BTreeMap::new(),
            websites: None,
        }
    }

    /// The plain value at `path`, if any.
    pub fn plain(&self, path: &str) -> Option<&str> {
        match self.values.get(path)? {
            Stored::Plain(value) if !value.is_empty() => Some(value),
            _ => None,
        }
    }
}
