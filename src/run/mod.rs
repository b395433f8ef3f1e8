//! Orchestration of a run: load its files, connect each merchant (gateway, embedded registry,
//! keys), read live state concurrently, plan, and apply (ordered, concurrent where safe,
//! idempotent, resumable).

pub mod apply;
pub mod connect;
pub mod execute;
mod files;
pub mod import;
pub mod init;
pub mod installations;
#[cfg(feature = "emulator")]
pub mod keys;
pub mod lsp;
pub mod plan;
pub mod plan_file;
#[cfg(test)]
mod redaction;
pub mod refresh;
pub mod render;
pub mod ui;

pub use files::{CheckedFile, Entry, Files, MAIN_THREAD_STACK, Shard};

use crate::registry::RegistryError;

/// Why one merchant could not be connected or read.
#[derive(Debug, thiserror::Error)]
pub enum MerchantError {
    #[error("{file}: the file has errors")]
    Invalid { file: String },
    #[error(transparent)]
    Connect(#[from] connect::ConnectError),
    #[error(transparent)]
    Installation(#[from] installations::InstallationError),
    #[error("{file}: {source}")]
    Read {
        file: String,
        #[source]
        source: RegistryError,
    },
}

impl MerchantError {
    /// The merchant as a plan lists it: its file, and why it could not be read.
    pub fn unread(&self) -> crate::plan::Unread {
        let file = self.file().to_owned();
        let message = self.to_string();
        let reason = message
            .strip_prefix(&format!("{file}: "))
            .unwrap_or(&message)
            .to_owned();
        crate::plan::Unread { file, reason }
    }

    /// The merchant's file.
    pub fn file(&self) -> &str {
        match self {
            MerchantError::Invalid { file } | MerchantError::Read { file, .. } => file,
            MerchantError::Connect(e) => &e.file,
            MerchantError::Installation(e) => &e.file,
        }
    }
}

/// Every installation that could not be written, one per line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct InstallationErrors(pub Vec<installations::InstallationError>);

/// Every merchant of a run that could not be connected or read, one per line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct MerchantErrors(pub Vec<MerchantError>);
