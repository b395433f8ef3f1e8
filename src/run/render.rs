//! `saasctl render`, the use case: one environment's binding with the ids read from its
//! registry, for the CLI to print in a form Magento reads.

use std::path::PathBuf;

use super::connect::Connector;
use super::installations::{TargetError, binding_of};
use super::refresh::{plan_merchants, read_merchants};
use super::{Files, MerchantErrors};
use crate::magento::binding::Binding;
use crate::plan::Kind;
use crate::rules::Allowances;

pub struct Request {
    pub environment: String,
    pub paths: Vec<PathBuf>,
    pub connector: Connector,
}

pub enum Outcome {
    /// The files have errors: nothing was read.
    Invalid(Files),
    Rendered(Box<Binding>),
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Discover(#[from] crate::config::DiscoverError),
    #[error("no configuration file declares environment `{0}`")]
    UnknownEnvironment(String),
    #[error("environment `{environment}` is declared in several files ({}): render one of them", files.join(", "))]
    AmbiguousEnvironment {
        environment: String,
        files: Vec<String>,
    },
    #[error(transparent)]
    Merchants(#[from] MerchantErrors),
    #[error("cannot render environment `{environment}`: {source}")]
    Binding {
        environment: String,
        #[source]
        source: TargetError,
    },
}

/// The binding of `request.environment`, declared in exactly one of the files.
pub async fn render(request: Request) -> Result<Outcome, RenderError> {
    let environment = request.environment;
    let mut files = Files::load(&request.paths, None)?;
    if files.has_errors() {
        return Ok(Outcome::Invalid(files));
    }
    files.files.retain(|file| {
        file.loaded
            .config
            .as_ref()
            .is_some_and(|c| c.environments.contains_key(&environment))
    });
    match files.files.as_slice() {
        [_] => {}
        [] => return Err(RenderError::UnknownEnvironment(environment)),
        several => {
            return Err(RenderError::AmbiguousEnvironment {
                files: several.iter().map(|f| f.loaded.file.clone()).collect(),
                environment,
            });
        }
    }
    let merchants = read_merchants(&files, &request.connector, &|| {}).await;
    request.connector.shutdown().await;
    let plan = plan_merchants(&files, &merchants?, &Allowances::default());
    let loaded = &files.files[0].loaded;
    let unknown = || RenderError::UnknownEnvironment(environment.clone());
    let config = loaded.config.as_ref().ok_or_else(unknown)?;
    let change = plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Environment)
        .find(|c| c.address.ends_with(&format!(".{environment}")))
        .ok_or_else(unknown)?;
    let binding = binding_of(loaded, config, &environment, change).map_err(|source| {
        RenderError::Binding {
            environment: environment.clone(),
            source,
        }
    })?;
    Ok(Outcome::Rendered(Box::new(binding)))
}
