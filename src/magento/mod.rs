//! The installation side: an environment's binding as Magento config values, the forms Magento
//! reads them in, Magento's encryption of the key values, and the targets that hold them.
//!
//! Imports only from `config`, `file` and `diagnostic` (layering in docs/design.md).

pub mod binding;
pub mod crypt;
pub mod env_file;
pub mod feeds;
pub mod installation;
pub mod mysql;
pub mod render;

use crate::config::KeySetName;

/// What can go wrong on the installation side. No variant ever carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum MagentoError {
    #[error("crypt key is empty")]
    CryptKeyEmpty,
    /// `index` is the 0-based position of the key in `crypt/key`; the key itself is never shown.
    #[error("crypt key {index} (0-based) is not usable: {reason}")]
    CryptKeyMalformed { index: usize, reason: &'static str },
    #[error("encryption failed")]
    Encrypt,
    #[error("the {0} is not known yet (it is learnt when the registry object is created)")]
    IdNotKnown(&'static str),
    #[error("the environment uses the {} key set, which is not declared", .0.as_str())]
    KeySetNotDeclared(KeySetName),
    #[error(
        "the value of {path} holds the control character U+{code:04X}; saasctl writes no such value: remove it from the name it comes from"
    )]
    ControlCharacter { path: String, code: u32 },
    #[error(
        "{path} holds a multi-line value (a private key), which a docker env file cannot carry (one line per variable, taken literally): write it as dotenv or shell (`format: dotenv|shell` for an env_file target, `--format env|shell` for render), or into a mysql target"
    )]
    MultiLine { path: String },
    /// The updated env file would not read back as the binding.
    #[error("the env file would not read back as the binding")]
    UnsafeEnvUpdate,
    #[error("{0} is not a path of the binding")]
    UnknownPath(String),
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}
