//! `saasctl render`, the use case: one environment's binding with the ids read from its
//! registry, for the CLI to print in a form Magento reads.

use std::path::PathBuf;

use super::connect::Connector;
use super::installations::{TargetError, binding_of};
use super::refresh::{plan_merchants, read_merchants};
use super::{Files, MerchantErrors};
use crate::config::{Secret, SecretError, Target};
use crate::magento::MagentoError;
use crate::magento::crypt::CryptKey;
use crate::magento::render::{Format, Keys};
use crate::plan::Kind;
use crate::rules::Allowances;

pub struct Request {
    pub environment: String,
    pub paths: Vec<PathBuf>,
    pub connector: Connector,
    pub format: Format,
    pub include_secrets: bool,
    /// `--crypt-key`: the installation's crypt key, for env.php (relative paths are relative
    /// to the working directory). Without it, a mysql target's `crypt_key` is used.
    pub crypt_key: Option<Secret>,
}

pub enum Outcome {
    /// The files have errors: nothing was read.
    Invalid(Files),
    /// The binding in the asked form; with `include_secrets`, it holds the keys.
    Rendered(String),
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
    #[error("--crypt-key applies to --format env-php only: the other forms are read as plain text")]
    CryptKeyFormat,
    #[error("--crypt-key: {0}")]
    CryptKeySecret(#[from] SecretError),
    #[error("cannot render environment `{environment}`: {source}")]
    Form {
        environment: String,
        #[source]
        source: MagentoError,
    },
}

/// The binding of `request.environment`, declared in exactly one of the files, in
/// `request.format`.
pub async fn render(request: Request) -> Result<Outcome, RenderError> {
    if request.crypt_key.is_some() && request.format != Format::EnvPhp {
        return Err(RenderError::CryptKeyFormat);
    }
    let given_crypt_key = request
        .crypt_key
        .as_ref()
        .map(|secret| secret.resolve(std::path::Path::new(".")))
        .transpose()?;
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
    let binding_error = |source: TargetError| RenderError::Binding {
        environment: environment.clone(),
        source,
    };
    let binding = binding_of(loaded, config, &environment, change).map_err(binding_error)?;
    let form_error = |source: MagentoError| RenderError::Form {
        environment: environment.clone(),
        source,
    };
    let target_crypt_key = match config.environments.get(&environment).map(|e| &e.target) {
        Some(Some(Target::Mysql(mysql))) if request.format == Format::EnvPhp => Some(
            mysql
                .crypt_key
                .resolve(&loaded.base_dir)
                .map_err(|e| binding_error(e.into()))?,
        ),
        _ => None,
    };
    let crypt = given_crypt_key
        .or(target_crypt_key)
        .map(|key| CryptKey::parse(key.expose()))
        .transpose()
        .map_err(form_error)?;
    let keys = Keys {
        include_secrets: request.include_secrets,
        crypt: crypt.as_ref(),
    };
    crate::magento::render::render(&binding, request.format, keys)
        .map(Outcome::Rendered)
        .map_err(form_error)
}
