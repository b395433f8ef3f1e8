//! SC014: a private key file that others than its owner may read, as ssh refuses.

use super::{Context, RuleInfo};
use crate::config::Secret;
use crate::diagnostic::{Diagnostic, Severity, display_path};
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC014",
    name: "key-file-readable-by-others",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a private key file that group or others may access (mode 0644 and the like)",
    explanation: r#"
The private key signs every registry request for the account: whoever reads it can create,
rename and rebind the merchant's data spaces. A key file that the group or other users may
read or write (any of the mode bits 0077, e.g. 0644, the default of many tools) is readable
by every account on the machine, CI runner or container image it sits on. ssh refuses such
keys for the same reason; saasctl warns, since the file is only read.

Fix: `chmod 600 keys/production.pem` (only its owner may read and write it). The key files
saasctl creates itself (`gateway: embedded`, `saasctl keys generate`) already have mode 0600.
"#,
    bad_example: include_str!("examples/sc014.bad.yaml"),
    good_example: include_str!("examples/sc014.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        cx.config
            .keys
            .iter()
            .filter_map(|(name, set)| {
                let path = set.private_key.file_path(&cx.loaded.base_dir)?;
                // The mode alone: the key itself is not read here (`--no-secrets` keeps this).
                let mode = mode_of(&path)?;
                if mode & 0o077 == 0 {
                    return None;
                }
                let shown = display_path(&path);
                let Secret::File(written) = &set.private_key else {
                    return None;
                };
                Some(
                    INFO.finding(
                        format!(
                            "`keys.{}.private_key`: {written} has mode {mode:04o}: others than its owner can access it",
                            name.as_str()
                        ),
                        cx.at(&route!["keys", name.as_str(), "private_key"]),
                        format!("`chmod 600 {shown}`, so that only its owner can read it"),
                    )
                    .label(format!("mode {mode:04o}")),
                )
            })
            .collect()
    }
}

/// The permission bits of the file at `path`; none where it cannot be read (SC007 reports
/// that) or where files have no Unix mode.
#[cfg(unix)]
fn mode_of(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_path: &std::path::Path) -> Option<u32> {
    None
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use crate::keys::fixtures::TEST_PEM;
    use std::os::unix::fs::PermissionsExt;

    /// `yaml`'s SC014 findings with its key file at `mode`, as (line, column, message, help).
    fn findings(yaml: &str, mode: u32) -> Vec<(usize, usize, String, String)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        let key = dir.path().join("keys/production.pem");
        std::fs::write(&key, TEST_PEM).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, yaml).unwrap();
        crate::rules::check_file(&path)
            .1
            .into_iter()
            .filter(|d| d.rule == INFO.id)
            .map(|d| {
                let help = d.help.replace(&display_path(dir.path()), "DIR");
                (
                    d.location.position.line,
                    d.location.position.column,
                    d.message,
                    help,
                )
            })
            .collect()
    }

    #[test]
    fn examples() {
        // The examples differ in the file's mode, which the comments show.
        assert_eq!(findings(INFO.bad_example, 0o644).len(), 1);
        assert!(findings(INFO.good_example, 0o600).is_empty());
    }

    #[test]
    fn warns_on_any_access_by_group_or_others() {
        assert_eq!(
            findings(INFO.bad_example, 0o644),
            vec![(
                7,
                18,
                "`keys.production.private_key`: keys/production.pem has mode 0644: others than its owner can access it".to_owned(),
                "`chmod 600 DIR/keys/production.pem`, so that only its owner can read it".to_owned()
            )]
        );
        for mode in [0o640, 0o604, 0o660, 0o666, 0o755] {
            assert_eq!(findings(INFO.bad_example, mode).len(), 1, "{mode:o}");
        }
        for mode in [0o600, 0o400, 0o700] {
            assert!(findings(INFO.bad_example, mode).is_empty(), "{mode:o}");
        }
    }

    #[test]
    fn a_missing_file_is_left_to_sc007() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, INFO.bad_example).unwrap();
        let (_, diagnostics) = crate::rules::check_file(&path);
        assert!(diagnostics.iter().all(|d| d.rule != INFO.id));
        assert!(diagnostics.iter().any(|d| d.rule == "SC007"));
    }
}
