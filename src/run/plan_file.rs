//! Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): written atomically and private
//! (0600 from creation), read back only in a format version this build knows.

use std::path::Path;

use crate::diagnostic::display_path;
use crate::file::{io_reason, write_private};
use crate::plan::render::json;
use crate::plan::{FORMAT_VERSION, Plan};

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot write plan {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot read plan {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not a saasctl plan: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "{path} has plan format_version {found}; this saasctl reads version {FORMAT_VERSION}: make the plan again with this version"
    )]
    Version { path: String, found: String },
}

/// Writes `plan` to `path` atomically and privately (mode 0600): a reader never sees half a
/// plan.
pub fn write(plan: &Plan, path: &Path) -> Result<(), PlanFileError> {
    let mut plan = plan.clone();
    let plan_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(plan_dir) = plan_dir.canonicalize() {
        for merchant in &mut plan.merchants {
            merchant.path = Path::new(&merchant.file)
                .canonicalize()
                .ok()
                .map(|file| relative_to(&file, &plan_dir).display().to_string());
        }
    }
    write_private(path, json::render(&plan).as_bytes()).map_err(|e| PlanFileError::Write {
        path: display_path(path),
        reason: io_reason(&e),
    })
}

/// Where each configuration file of `plan` (read from `plan_path`) is, from here.
pub fn config_paths(plan: &Plan, plan_path: &Path) -> Vec<std::path::PathBuf> {
    let plan_dir = plan_path.parent().unwrap_or(Path::new(""));
    plan.merchants
        .iter()
        .map(|m| match &m.path {
            Some(relative) => plan_dir.join(relative),
            None => m.file.clone().into(),
        })
        .collect()
}

/// `target` as seen from the directory `base` (both absolute).
fn relative_to(target: &Path, base: &Path) -> std::path::PathBuf {
    let target: Vec<_> = target.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut relative: std::path::PathBuf = base[common..].iter().map(|_| "..").collect();
    relative.extend(&target[common..]);
    relative
}

/// Reads a saved plan; a plan of another format version is refused with what to do.
pub fn read(path: &Path) -> Result<Plan, PlanFileError> {
    let shown = display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    let invalid = |reason: String| PlanFileError::Invalid {
        path: shown.clone(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON ({e})")))?;
    match value.get("format_version") {
        Some(serde_json::Value::String(v)) if v == FORMAT_VERSION => {}
        Some(other) => {
            return Err(PlanFileError::Version {
                path: shown,
                found: other.to_string(),
            });
        }
        None => return Err(invalid("it has no `format_version`".to_owned())),
    }
    serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::config::KeySetName;
    use crate::keys::KeyFingerprint;
    use crate::keys::fixtures::{TEST_PEM, test_key};
    use crate::live::LiveState;
    use crate::plan::{Allowances, MerchantInput, plan};
    use crate::rules::testing::load;

    const API_KEY: &str = "api-key-0123456789abcdef-very-secret";

    fn a_plan() -> (Plan, String) {
        let pem = TEST_PEM.to_owned();
        let fingerprint = KeyFingerprint::new(&test_key(), API_KEY);
        let (loaded, _) = load(crate::rules::testing::LUMA);
        let plan = plan(
            &[MerchantInput {
                loaded: &loaded,
                diagnostics: &[],
                live: &LiveState::default(),
                fingerprints: &BTreeMap::from([(KeySetName::Production, fingerprint)]),
                gateway: "embedded",
                installations: &BTreeMap::new(),
            }],
            &Allowances::default(),
        );
        (plan, pem)
    }

    #[test]
    fn saved_plans_are_private_read_back_and_hold_no_secret() {
        let (plan, pem) = a_plan();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        write(&plan, &path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read(&path).unwrap(), plan);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(API_KEY));
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!text.contains(&body));
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(
                !text.contains(line),
                "a line of the private key is in the plan"
            );
        }
        assert!(text.contains(&plan.merchants[0].keys[&KeySetName::Production].api_key));
        // Only the plan is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn other_format_versions_and_garbage_are_refused_clearly() {
        let (plan, _) = a_plan();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let mut value = serde_json::to_value(&plan).unwrap();
        value["format_version"] = serde_json::json!("2");
        std::fs::write(&path, value.to_string()).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("format_version \"2\"; this saasctl reads version 1"),
            "{err}"
        );
        std::fs::write(&path, "{}").unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("no `format_version`")
        );
        std::fs::write(&path, "not json").unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("not a saasctl plan")
        );
    }
}
