//! `saasctl init`: a skeleton configuration to start from. It is complete YAML that fits the
//! schema and the rules; what only the merchant can give is named, never invented: the key
//! variables to set (`validate` reports them until they are), and the commented targets that
//! tell `saasctl import` where each installation's binding lives.

use std::path::{Path, PathBuf};

use super::ui::{Answer, Ui};
use crate::config::edit::scalar;
use crate::config::{License, SCHEMA_ID};
use crate::file::{create_new, io_reason};

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Never overwritten: the file may hold work.
    #[error(
        "{0} already exists; saasctl init never overwrites a file: choose another --out, or adopt the live setup into it with `saasctl import {0}`"
    )]
    Exists(String),
    #[error("the merchant name must be 1 to 255 characters, not blank")]
    BadMerchant,
    #[error("not on a terminal: pass --merchant NAME (and --license, default adobe-commerce)")]
    NeedMerchant,
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("init cancelled; nothing was written")]
    Cancelled,
    #[error("cannot read the answer: {0}")]
    Answer(std::io::Error),
}

/// What to write.
pub struct Request {
    pub merchant: Option<String>,
    pub license: Option<License>,
    /// The new file; `None` prints the skeleton instead.
    pub out: Option<PathBuf>,
}

/// What init did.
pub enum Ending {
    /// The skeleton, to print.
    Printed(String),
    /// The file written, and the variables its keys read.
    Written {
        path: String,
        api_key: String,
        private_key: String,
    },
}

/// Writes a skeleton for the merchant of `request`, asking on a terminal what the command line
/// left out.
pub fn init(request: Request, ui: &dyn Ui) -> Result<Ending, InitError> {
    // Before any question: an answer must not be wasted on a file that cannot be written.
    if let Some(out) = &request.out
        && std::fs::symlink_metadata(out).is_ok()
    {
        return Err(InitError::Exists(crate::diagnostic::display_path(out)));
    }
    let ask = |question: &str| match ui.ask(question).map_err(InitError::Answer)? {
        Answer::Text(answer) => Ok(Some(answer)),
        Answer::NoTerminal => Ok(None),
        Answer::Ended => Err(InitError::Cancelled),
    };
    let merchant = match request.merchant {
        Some(merchant) => merchant,
        None => ask("Merchant name (the project's name in the Admin): ")?
            .ok_or(InitError::NeedMerchant)?,
    };
    let license = match request.license {
        Some(license) => license,
        None => loop {
            let answer = ask("Licence: adobe-commerce or magento-open-source [adobe-commerce]: ")?;
            match answer.as_deref() {
                None | Some("" | "adobe-commerce") => break License::AdobeCommerce,
                Some("magento-open-source") => break License::MagentoOpenSource,
                Some(_) => continue,
            }
        },
    };
    let text = skeleton(license, &merchant)?;
    let Some(out) = request.out else {
        return Ok(Ending::Printed(text));
    };
    write(&out, &text)?;
    let prefix = env_prefix(merchant.trim());
    Ok(Ending::Written {
        path: crate::diagnostic::display_path(&out),
        api_key: format!("{prefix}_PRODUCTION_API_KEY"),
        private_key: format!("{prefix}_PRODUCTION_PRIVATE_KEY"),
    })
}

/// The prefix of the merchant's environment variable names: `Luma Store` -> `LUMA_STORE`.
pub fn env_prefix(merchant: &str) -> String {
    let mut prefix = String::new();
    for c in merchant.chars() {
        if c.is_ascii_alphanumeric() {
            prefix.push(c.to_ascii_uppercase());
        } else if !prefix.is_empty() && !prefix.ends_with('_') {
            prefix.push('_');
        }
    }
    let prefix = prefix.trim_end_matches('_');
    if prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
        prefix.to_owned()
    } else if prefix.is_empty() {
        "MERCHANT".to_owned()
    } else {
        format!("MERCHANT_{prefix}")
    }
}

/// The skeleton for `merchant` under `license`.
pub fn skeleton(license: License, merchant: &str) -> Result<String, InitError> {
    let merchant = merchant.trim();
    if merchant.is_empty() || merchant.chars().count() > 255 {
        return Err(InitError::BadMerchant);
    }
    let env = env_prefix(merchant);
    let name = |suffix: &str| scalar(&format!("{merchant} {suffix}"));
    let (allowance, data_spaces, environments) = match license {
        License::AdobeCommerce => (
            "1 production + 2 testing data spaces",
            format!(
                "    live: {{type: production, name: {}}}\n    staging: {{type: testing, name: {}}}\n    qa: {{type: testing, name: {}}}\n",
                name("Production"),
                name("Staging"),
                name("QA")
            ),
            format!(
                "{}  staging:\n    tier: staging\n    data_space: staging\n    # target: {{env_file: deploy/staging.env}}       # a dotenv of CONFIG__DEFAULT__… lines\n",
                production(&env)
            ),
        ),
        License::MagentoOpenSource => (
            "1 production data space",
            format!(
                "    live: {{type: production, name: {}}}\n",
                name("Production")
            ),
            production(&env),
        ),
    };
    // Never empty, ASCII; cut to the schema's limit of 63 characters.
    let slug = crate::plan::slugify(merchant);
    let slug = slug.get(..63).unwrap_or(&slug).trim_end_matches('-');
    let merchant_field = format!("merchant: {slug}");
    let merchant_line = format!(
        "{merchant_field:<39}# how plans name it: project.{slug}, --allow-rebind {slug}/ENV\n"
    );
    Ok(format!(
        "# yaml-language-server: $schema={SCHEMA_ID}
# {merchant}: the Commerce Services Connector setup, made by `saasctl init`.
# Next: set the variables named below, uncomment each installation's `target`, then run
# `saasctl import` to write in the live project, data spaces and bindings.
version: 1
{merchant_line}account:
{license_line:<37}# {allowance}
keys:
  production:                        # Admin: Commerce Services Connector > API keys
    api_key: {{env: {env}_PRODUCTION_API_KEY}}           # a reference, never the key
    private_key: {{env: {env}_PRODUCTION_PRIVATE_KEY}}   # the PEM private key; or {{file: PATH}}
  # sandbox:
  #   api_key: {{env: {env}_SANDBOX_API_KEY}}
  #   private_key: {{env: {env}_SANDBOX_PRIVATE_KEY}}
project:
  name: {project}
  data_spaces:
{data_spaces}environments:
{environments}",
        license_line = format!("  license: {}", license.as_str()),
        project = scalar(merchant),
    ))
}

/// The production installation, its database target commented.
fn production(env: &str) -> String {
    format!(
        "  production:
    tier: production
    data_space: live
    # target:
    #   mysql:
    #     url: {{env: {env}_PRODUCTION_DATABASE_URL}}    # mysql://USER:PASSWORD@HOST:PORT/DATABASE
    #     crypt_key: {{env: {env}_PRODUCTION_CRYPT_KEY}}  # app/etc/env.php crypt/key
"
    )
}

/// Writes `text` to the new file `path`; an existing file is never replaced.
pub fn write(path: &Path, text: &str) -> Result<(), InitError> {
    let shown = crate::diagnostic::display_path(path);
    create_new(path, text.as_bytes()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => InitError::Exists(shown.clone()),
        _ => InitError::Write {
            path: shown.clone(),
            reason: io_reason(&e),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TargetKind;
    use crate::rules::testing::load;

    #[test]
    fn variable_names_come_from_the_merchant() {
        assert_eq!(env_prefix("Luma"), "LUMA");
        assert_eq!(env_prefix("Luma Store (EU)"), "LUMA_STORE_EU");
        assert_eq!(env_prefix("3 Bears"), "MERCHANT_3_BEARS");
        assert_eq!(env_prefix("Café"), "CAF");
        assert_eq!(env_prefix("日本"), "MERCHANT");
    }

    /// The skeleton fits the schema and the rules; only the unset key variables are errors.
    #[test]
    fn the_skeleton_fails_only_on_what_the_merchant_fills_in() {
        for license in [License::AdobeCommerce, License::MagentoOpenSource] {
            let text = skeleton(license, "Luma: Store #1").unwrap();
            assert!(text.starts_with(&format!("# yaml-language-server: $schema={SCHEMA_ID}\n")));
            let (loaded, diagnostics) = load(&text);
            let config = loaded.config.expect("the skeleton fits the model");
            assert_eq!(config.project.name, "Luma: Store #1");
            assert_eq!(config.account.license, license);
            let errors: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} {}", d.rule, d.message))
                .collect();
            assert_eq!(
                errors,
                [
                    "SC007 `keys.production.api_key`: environment variable LUMA_STORE_1_PRODUCTION_API_KEY is not set",
                    "SC007 `keys.production.private_key`: environment variable LUMA_STORE_1_PRODUCTION_PRIVATE_KEY is not set",
                ],
                "{license:?}"
            );
        }
    }

    /// Uncommenting the examples gives the targets they describe.
    #[test]
    fn the_commented_targets_are_valid_once_uncommented() {
        let text = skeleton(License::AdobeCommerce, "Luma").unwrap();
        let uncommented: String = text
            .lines()
            .map(|line| match line.find("# ") {
                Some(i) if line[..i].trim().is_empty() && i >= 4 => {
                    format!("{}{}\n", &line[..i], &line[i + 2..])
                }
                _ => format!("{line}\n"),
            })
            .collect();
        let (loaded, _) = load(&uncommented);
        let config = loaded.config.expect("fits the model");
        assert!(config.keys.sandbox.is_none());
        let kinds: Vec<TargetKind> = config
            .environments
            .values()
            .filter_map(|e| e.target.as_ref().map(|t| t.kind()))
            .collect();
        assert_eq!(kinds, [TargetKind::Mysql, TargetKind::EnvFile]);
    }
}
