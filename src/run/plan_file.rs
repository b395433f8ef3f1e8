//! Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): written atomically and private
//! (0600 from creation), read back only in a format version this build knows.

use std::path::Path;

use crate::diagnostic::display_path;
use crate::digest::json_digest;
use crate::file::{io_reason, write_private};
use crate::plan::{FORMAT_VERSION, Plan};

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot write plan {path}: {reason}")]
    Write { path: String, reason: String },
    /// A name equal to a secret (a data space named like the API key) would be saved raw.
    #[error(
        "cannot write plan {path}: a name or value in it equals a secret saasctl read (an API key, a private key's line, a password), and no file may hold a secret; rename what holds it"
    )]
    Secret { path: String },
    #[error("cannot read plan {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not a saasctl plan: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "{path} has plan format_version {found}; this saasctl reads version {FORMAT_VERSION}: make the plan again with this version"
    )]
    Version { path: String, found: String },
    /// Any edit of a saved plan, whatever the field: what was reviewed is what is applied.
    #[error(
        "{path} was edited after it was saved (its content no longer matches its {DIGEST_FIELD}); plan again instead of editing the file"
    )]
    Edited { path: String },
    /// A saved plan names only the files it was made from, beside or below itself.
    #[error(
        "{path} names {file}, which lies outside the plan's directory: apply it with that file named too (`saasctl apply {path} {file}`), or save the plan beside the configuration"
    )]
    Outside { path: String, file: String },
    #[error("{file} is not one of the files {path} was made from")]
    NotInPlan { path: String, file: String },
}

/// The field of a saved plan holding the digest of everything else in it.
const DIGEST_FIELD: &str = "plan_digest";

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
    let text = sealed(&plan);
    if crate::diagnostic::redact(&text) != text {
        return Err(PlanFileError::Secret {
            path: display_path(path),
        });
    }
    write_private(path, text.as_bytes()).map_err(|e| PlanFileError::Write {
        path: display_path(path),
        reason: io_reason(&e),
    })
}

/// The plan's JSON with, last, the digest of all of it: every field is covered.
fn sealed(plan: &Plan) -> String {
    // The model has string map keys only, so it converts to a JSON value.
    let mut value = serde_json::to_value(plan).unwrap_or_default();
    let digest = json_digest(&value);
    if let Some(fields) = value.as_object_mut() {
        fields.insert(DIGEST_FIELD.to_owned(), digest.into());
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Where each configuration file of `plan` (read from `plan_path`) is, from here. A file
/// outside the plan's directory is read only when it is one of `named` (on the command line):
/// an edited plan must not open files of its choosing.
pub fn config_paths(
    plan: &Plan,
    plan_path: &Path,
    named: &[std::path::PathBuf],
) -> Result<Vec<std::path::PathBuf>, PlanFileError> {
    let plan_dir = plan_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let shown = display_path(plan_path);
    let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = canonical(plan_dir);
    let named: Vec<std::path::PathBuf> = named.iter().map(|p| canonical(p)).collect();
    let paths: Vec<std::path::PathBuf> = plan
        .merchants
        .iter()
        .map(|m| match &m.path {
            Some(relative) => plan_dir.join(relative),
            None => m.file.clone().into(),
        })
        .collect();
    for path in &paths {
        let real = canonical(path);
        if !real.starts_with(&root) && !named.contains(&real) {
            return Err(PlanFileError::Outside {
                path: shown,
                file: display_path(path),
            });
        }
    }
    let planned: Vec<std::path::PathBuf> = paths.iter().map(|p| canonical(p)).collect();
    if let Some(extra) = named.iter().find(|n| !planned.contains(n)) {
        return Err(PlanFileError::NotInPlan {
            path: shown,
            file: display_path(extra),
        });
    }
    Ok(paths)
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

/// Reads a saved plan to apply it: refused when edited since it was saved, or of another format
/// version, with what to do.
pub fn read(path: &Path) -> Result<Plan, PlanFileError> {
    read_plan(path, true)
}

/// Reads a plan to show it: saved by `plan --out` or printed by `plan --format json`, edited or
/// not (`show` applies nothing).
pub fn read_to_show(path: &Path) -> Result<Plan, PlanFileError> {
    read_plan(path, false)
}

/// Reads a plan; `sealed`: saved by `plan --out` and not edited since.
fn read_plan(path: &Path, sealed: bool) -> Result<Plan, PlanFileError> {
    let shown = display_path(path);
    let text = crate::file::read_regular_text(path, crate::file::MAX_DATA_BYTES).map_err(|e| {
        PlanFileError::Read {
            path: shown.clone(),
            reason: io_reason(&e),
        }
    })?;
    let invalid = |reason: String| PlanFileError::Invalid {
        path: shown.clone(),
        reason,
    };
    let mut value: serde_json::Value =
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
    let digest = value
        .as_object_mut()
        .and_then(|fields| fields.shift_remove(DIGEST_FIELD));
    if sealed && digest.as_ref().and_then(serde_json::Value::as_str) != Some(&json_digest(&value)) {
        return Err(PlanFileError::Edited { path: shown });
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
    use crate::plan::{MerchantInput, plan};
    use crate::rules::Allowances;
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

    #[test]
    fn any_edit_of_a_saved_plan_is_refused() {
        let (plan, _) = a_plan();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        write(&plan, &path).unwrap();
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        type Edit = fn(&mut serde_json::Value);
        let edits: [(&str, Edit); 5] = [
            ("allowances", |v| {
                v["allowances"]["rebind"] = serde_json::json!(["staging"])
            }),
            ("a live digest", |v| {
                v["merchants"][0]["live_digest"] = serde_json::json!("sha256:00")
            }),
            ("tool_version", |v| {
                v["tool_version"] = serde_json::json!("9.9.9")
            }),
            ("an unknown field", |v| v["extra"] = serde_json::json!(true)),
            ("the digest itself", |v| {
                v["plan_digest"] = serde_json::json!("sha256:00")
            }),
        ];
        for (what, edit) in edits {
            let mut edited = saved.clone();
            edit(&mut edited);
            std::fs::write(&path, edited.to_string()).unwrap();
            let err = read(&path).unwrap_err();
            assert!(matches!(err, PlanFileError::Edited { .. }), "{what}: {err}");
        }
        // An unknown field with a digest recomputed over it is still refused.
        let mut forged = saved.clone();
        let fields = forged.as_object_mut().unwrap();
        fields.shift_remove(DIGEST_FIELD);
        fields.insert("extra".to_owned(), serde_json::json!(true));
        let digest = json_digest(&forged);
        forged[DIGEST_FIELD] = digest.into();
        std::fs::write(&path, forged.to_string()).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("unknown field `extra`"), "{err}");
        // Untouched, it reads back.
        std::fs::write(&path, saved.to_string()).unwrap();
        assert_eq!(read(&path).unwrap(), plan);
    }

    #[test]
    fn a_plan_opens_only_files_under_its_directory_or_named() {
        let (mut plan, _) = a_plan();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plans")).unwrap();
        std::fs::write(dir.path().join("saasctl.yaml"), "version: 1\n").unwrap();
        let plan_path = dir.path().join("plans/plan.json");
        plan.merchants[0].path = Some("../saasctl.yaml".to_owned());
        let err = config_paths(&plan, &plan_path, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("lies outside the plan's directory"), "{err}");
        let named = [dir.path().join("saasctl.yaml")];
        let paths = config_paths(&plan, &plan_path, &named).unwrap();
        assert_eq!(
            paths[0].canonicalize().unwrap(),
            named[0].canonicalize().unwrap()
        );
        plan.merchants[0].path = Some("../../../../../../etc/passwd".to_owned());
        let err = config_paths(&plan, &plan_path, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("etc/passwd"), "{err}");
        let err = config_paths(&plan, &plan_path, &named)
            .unwrap_err()
            .to_string();
        assert!(err.contains("lies outside"), "{err}");
        // Beside the plan: no need to name it.
        let beside = dir.path().join("plan.json");
        plan.merchants[0].path = Some("saasctl.yaml".to_owned());
        assert!(config_paths(&plan, &beside, &[]).is_ok());
        // A named file the plan was not made from is refused.
        std::fs::write(dir.path().join("other.yaml"), "version: 1\n").unwrap();
        let err = config_paths(&plan, &beside, &[dir.path().join("other.yaml")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not one of the files"), "{err}");
    }
}
