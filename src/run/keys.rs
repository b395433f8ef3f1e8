//! `saasctl keys generate`, the use case: a key pair made, registered with an emulator's key
//! portal (as a new account, or as another key of one) and written, for the CLI to report.

use std::path::PathBuf;

use crate::config::KeySetName;
use crate::emulator::portal::{self, KeyOwner, PortalError, ProvisionedKeys};

pub struct Request {
    /// The emulator's URL.
    pub emulator: String,
    pub owner: KeyOwner,
    pub environment: KeySetName,
    /// The key set's name, for the file names; the environment's name without one.
    pub name: Option<String>,
    pub out: PathBuf,
}

/// Makes, registers and writes the key pair of `request`.
pub async fn generate(request: Request) -> Result<ProvisionedKeys, PortalError> {
    let name = request
        .name
        .unwrap_or_else(|| request.environment.as_str().to_owned());
    portal::provision(
        &request.emulator,
        &request.owner,
        request.environment,
        &name,
        &request.out,
    )
    .await
}
