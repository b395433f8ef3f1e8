//! Secret sources: the YAML names where a secret lives, never the secret itself.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::file::io_reason;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a secret is read from: `{env: NAME}` or `{file: PATH}` (relative to the YAML file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Secret {
    /// The name of an environment variable holding the secret.
    Env(#[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))] String),
    /// A file holding the secret; a relative path is relative to the YAML file.
    File(#[schemars(length(min = 1))] String),
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Env(name) => write!(f, "environment variable {name}"),
            Secret::File(path) => write!(f, "file {path}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set")]
    EnvMissing(String),
    #[error("environment variable {0} is empty")]
    EnvEmpty(String),
    #[error("cannot read {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{0} is empty")]
    FileEmpty(String),
}

impl Secret {
    /// The file this secret is read from, resolved against the YAML file's directory.
    pub fn file_path(&self, base_dir: &Path) -> Option<PathBuf> {
        match self {
            Secret::File(path) => Some(base_dir.join(path)),
            Secret::Env(_) => None,
        }
    }

    /// Reads the secret, and registers it with the redaction layer: from now on no output
    /// shows it. Errors name the source, never its content.
    pub fn resolve(&self, base_dir: &Path) -> Result<SecretValue, SecretError> {
        let value = self.read(base_dir)?;
        crate::diagnostic::register_secret(value.expose());
        Ok(value)
    }

    fn read(&self, base_dir: &Path) -> Result<SecretValue, SecretError> {
        match self {
            Secret::Env(name) => match std::env::var(name) {
                Ok(value) if value.trim().is_empty() => Err(SecretError::EnvEmpty(name.clone())),
                Ok(value) => Ok(SecretValue(value)),
                Err(_) => Err(SecretError::EnvMissing(name.clone())),
            },
            Secret::File(path) => {
                let full = base_dir.join(path);
                let value = read_secret_file(&full).map_err(|reason| SecretError::File {
                    path: full.display().to_string(),
                    reason,
                })?;
                if value.trim().is_empty() {
                    return Err(SecretError::FileEmpty(full.display().to_string()));
                }
                Ok(SecretValue(value))
            }
        }
    }
}

/// A secret file is small (a private key is a few KiB): more is refused, not read on.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// Reads a secret file: only a regular file (through symlinks) of at most [`MAX_SECRET_BYTES`],
/// so a path to a device or a fifo neither blocks nor fills memory.
fn read_secret_file(path: &Path) -> Result<String, String> {
    crate::file::read_regular_text(path, MAX_SECRET_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            format!(
                "it is larger than {} KiB, which no key is",
                MAX_SECRET_BYTES / 1024
            )
        } else {
            io_reason(&e)
        }
    })
}

/// A resolved secret. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is sent or used, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn devices_fifos_and_huge_files_are_refused_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge.pem");
        std::fs::write(&huge, vec![b'A'; 70_000]).unwrap();
        let fifo = dir.path().join("fifo.pem");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()));
        for (path, reason) in [
            ("/dev/zero", "not a regular file"),
            (fifo.to_str().unwrap(), "not a regular file"),
            (huge.to_str().unwrap(), "larger than 64 KiB"),
            (dir.path().to_str().unwrap(), "not a regular file"),
        ] {
            let err = super::Secret::File(path.into())
                .resolve(dir.path())
                .unwrap_err();
            assert!(err.to_string().contains(reason), "{path}: {err}");
        }
    }

    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = SecretValue::new("super-secret-api-key");
        assert_eq!(format!("{secret:?}"), "SecretValue(<redacted>)");
    }

    #[test]
    fn file_errors_name_the_path_not_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let err = Secret::File("missing.pem".into())
            .resolve(dir.path())
            .unwrap_err();
        assert!(err.to_string().contains("missing.pem"), "{err}");
        assert!(err.to_string().contains("no such file"), "{err}");
    }

    #[test]
    fn relative_files_are_read_beside_the_yaml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key"), "abc\n").unwrap();
        let value = Secret::File("key".into()).resolve(dir.path()).unwrap();
        assert_eq!(value.expose(), "abc\n");
    }
}
