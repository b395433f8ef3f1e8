//! What the installation rules (SC030-SC036) share: the targeted environments with what their
//! installation holds, and the installations the plan would move to another data space.

use std::collections::HashSet;

use super::LiveContext;
use crate::config::Environment;
use crate::live::{LiveDataSpace, LiveState, SpaceMatch, same_id};
use crate::magento::binding::{PATH_ENVIRONMENT_ID, PATH_ENVIRONMENT_NAME};
use crate::magento::installation::Installation;

/// An environment whose installation was read.
#[derive(Clone, Copy)]
pub struct Installed<'a> {
    pub key: &'a str,
    pub environment: &'a Environment,
    pub installation: &'a Installation,
}

impl<'a> Installed<'a> {
    /// The stored `environment_id`, when non-empty.
    pub fn stored_space_id(&self) -> Option<&'a str> {
        self.installation.plain(PATH_ENVIRONMENT_ID)
    }
}

/// Every environment with an installation, in declared order; the others have nothing to check.
pub fn installed<'a>(cx: &LiveContext<'a>) -> Vec<Installed<'a>> {
    let installations = cx.installations;
    cx.file
        .config
        .environments
        .iter()
        .filter_map(|(key, environment)| {
            installations.get(key).map(|installation| Installed {
                key,
                environment,
                installation,
            })
        })
        .collect()
}

/// An installation bound to one data space that the plan would bind to another.
pub struct Move<'a> {
    pub from: Installed<'a>,
    /// The stored `environment_id`.
    pub stored_id: &'a str,
    /// The matched live data space; `None` while it is still to be created.
    pub to: Option<&'a LiveDataSpace>,
}

impl Move<'_> {
    /// The data space it is bound to now, as the live state knows it.
    pub fn describe_from(&self, live: &LiveState) -> String {
        describe_stored(live, self.stored_id, &self.from)
    }

    /// The data space it would be bound to.
    pub fn describe_to(&self) -> String {
        let key = &self.from.environment.data_space;
        match self.to {
            Some(space) => format!("data space `{key}` ({})", space.describe()),
            None => format!("data space `{key}`, still to be created"),
        }
    }
}

/// How messages name a stored data space id: live, or with the name the installation stores.
pub fn describe_stored(live: &LiveState, id: &str, installed: &Installed) -> String {
    match live.find_data_space(id) {
        Some((project, space)) => format!("{} of {}", space.describe(), project.describe()),
        None => match installed.installation.plain(PATH_ENVIRONMENT_NAME) {
            Some(name) => format!("data space `{name}` ({id})"),
            None => format!("data space {id}"),
        },
    }
}

/// The installations the plan would bind to another data space than the one they hold. A data
/// space that is not matched (ambiguous, pinned id missing, …) is refused by SC021-SC024.
pub fn moves<'a>(cx: &LiveContext<'a>) -> Vec<Move<'a>> {
    let matching = cx.matching;
    installed(cx)
        .into_iter()
        .filter_map(|from| {
            let stored_id = from.stored_space_id()?;
            let to = match matching.data_space(&from.environment.data_space)? {
                SpaceMatch::Found { live, .. } if same_id(&live.id, stored_id) => return None,
                SpaceMatch::Found { live, .. } => Some(*live),
                SpaceMatch::Initialize => None,
                _ => return None,
            };
            Some(Move {
                from,
                stored_id,
                to,
            })
        })
        .collect()
}

/// A website code as Magento compares them (case-insensitive under MySQL's collation).
pub fn website_key(code: &str) -> String {
    code.to_ascii_lowercase()
}

/// Website codes as a set of [`website_key`]s.
pub fn website_set<'c>(codes: impl IntoIterator<Item = &'c str>) -> HashSet<String> {
    codes.into_iter().map(website_key).collect()
}

/// Codes as messages list them: `base`, `wholesale`; or "none".
pub fn list_codes<'c>(codes: impl IntoIterator<Item = &'c str>) -> String {
    let listed: Vec<String> = codes.into_iter().map(|c| format!("`{c}`")).collect();
    if listed.is_empty() {
        "none".to_owned()
    } else {
        listed.join(", ")
    }
}
