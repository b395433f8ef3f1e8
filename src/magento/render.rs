//! The forms Magento reads a binding in (docs/design.md, `saasctl render`).

use std::fmt::Write as _;
use std::str::FromStr;

use super::MagentoError;
use super::binding::{
    Binding, Entry, PATH_ENVIRONMENT_ID, PATH_ENVIRONMENT_NAME, PATH_ENVIRONMENT_TYPE,
    PATH_KEY_SET, PATH_PROJECT_ID, PATH_PROJECT_NAME,
};
use super::crypt::CryptKey;
use super::env_file::quote;
use crate::config::EnvFileFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// dotenv `CONFIG__DEFAULT__…` lines.
    Env,
    /// The same lines for a POSIX shell (`set -a; . FILE`).
    Shell,
    /// The same lines for `docker run --env-file` (no private key).
    Docker,
    /// The `app/etc/env.php` `'system'` fragment.
    EnvPhp,
    /// `bin/magento config:set` commands.
    ConfigSet,
    /// One JSON object: path -> value.
    Json,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Env,
        Format::Shell,
        Format::Docker,
        Format::EnvPhp,
        Format::ConfigSet,
        Format::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Env => "env",
            Format::Shell => "shell",
            Format::Docker => "docker",
            Format::EnvPhp => "env-php",
            Format::ConfigSet => "config-set",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown format {s:?}: env, shell, docker, env-php, config-set or json")
            })
    }
}

/// How the four key values appear.
#[derive(Clone, Copy, Default)]
pub struct Keys<'a> {
    /// As they are, or `<redacted>`.
    pub include_secrets: bool,
    /// The installation's crypt key: env.php's key values are then encrypted with it, as
    /// `config:set --lock-env` writes them (the other forms are read as plain text).
    pub crypt: Option<&'a CryptKey>,
}

impl Keys<'_> {
    pub const REDACTED: Keys<'static> = Keys {
        include_secrets: false,
        crypt: None,
    };

    pub fn shown(crypt: Option<&CryptKey>) -> Keys<'_> {
        Keys {
            include_secrets: true,
            crypt,
        }
    }
}

/// Renders `binding` in `format`. Fails only where the form cannot carry a value (a private
/// key in a docker env file) or encryption fails.
pub fn render(binding: &Binding, format: Format, keys: Keys<'_>) -> Result<String, MagentoError> {
    match format {
        Format::Env => env(binding, EnvFileFormat::Dotenv, keys),
        Format::Shell => env(binding, EnvFileFormat::Shell, keys),
        Format::Docker => env(binding, EnvFileFormat::Docker, keys),
        Format::EnvPhp => env_php(binding, keys),
        Format::ConfigSet => Ok(config_set(binding, keys.include_secrets)),
        Format::Json => Ok(json(binding, keys.include_secrets)),
    }
}

/// The environment variable Magento reads for a `default`-scope path.
pub fn env_var_name(path: &str) -> String {
    format!(
        "CONFIG__DEFAULT__{}",
        path.to_ascii_uppercase().replace('/', "__")
    )
}

fn env(binding: &Binding, format: EnvFileFormat, keys: Keys<'_>) -> Result<String, MagentoError> {
    let mut out = String::new();
    for entry in binding.entries() {
        let value = quote(format, &entry.path, entry.shown(keys.include_secrets))?;
        let _ = writeln!(out, "{}={value}", env_var_name(&entry.path));
    }
    Ok(out)
}

/// PHP single-quoted string: only `\` and `'` need escaping.
pub fn php_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// POSIX shell word: bare when safe, else single-quoted with `'\''` for quotes.
pub fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,/:@+=%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_owned();
    }
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// A tree of path segments, in first-seen order.
enum Node<'a> {
    Leaf(&'a Entry),
    Branch(Vec<(&'a str, Node<'a>)>),
}

fn insert<'a>(children: &mut Vec<(&'a str, Node<'a>)>, segments: &[&'a str], entry: &'a Entry) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        children.push((first, Node::Leaf(entry)));
        return;
    }
    let index = match children
        .iter()
        .position(|(name, node)| name == first && matches!(node, Node::Branch(_)))
    {
        Some(index) => index,
        None => {
            children.push((first, Node::Branch(Vec::new())));
            children.len() - 1
        }
    };
    if let Some((_, Node::Branch(grand))) = children.get_mut(index) {
        insert(grand, rest, entry);
    }
}

fn write_php(
    out: &mut String,
    children: &[(&str, Node)],
    depth: usize,
    keys: Keys<'_>,
) -> Result<(), MagentoError> {
    let indent = "    ".repeat(depth);
    for (name, node) in children {
        match node {
            Node::Leaf(entry) => {
                let value = match keys.crypt {
                    Some(crypt) if entry.is_secret() && keys.include_secrets => {
                        crypt.encrypt(entry.expose())?
                    }
                    _ => entry.shown(keys.include_secrets).to_owned(),
                };
                let _ = writeln!(out, "{indent}{} => {},", php_quote(name), php_quote(&value));
            }
            Node::Branch(grand) => {
                let _ = writeln!(out, "{indent}{} => [", php_quote(name));
                write_php(out, grand, depth + 1, keys)?;
                let _ = writeln!(out, "{indent}],");
            }
        }
    }
    Ok(())
}

/// What env.php's key values are, for its header: Magento reads them through the
/// `KeyEncrypted` backend, which decrypts them.
pub const ENV_PHP_PLAIN: &str = "\
// The key values are plain text. Magento decrypts them when it reads env.php (KeyEncrypted);
// a plain value is read only through its fallback when decrypting throws, which needs
// mcrypt_compat loaded (Magento 2.3 requires it; 2.4 unverified). To write them encrypted,
// as `bin/magento config:set --lock-env` does, pass --crypt-key {env: NAME} with the
// installation's app/etc/env.php crypt/key.
";

fn env_php(binding: &Binding, keys: Keys<'_>) -> Result<String, MagentoError> {
    let mut tree = Vec::new();
    for entry in binding.entries() {
        let segments: Vec<&str> = entry.path.split('/').collect();
        insert(&mut tree, &segments, entry);
    }
    let mut out = String::from("// Merge into the array returned by app/etc/env.php.\n");
    match keys.crypt {
        Some(crypt) => {
            let _ = writeln!(
                out,
                "// The key values are encrypted with the installation's crypt key (version {}), as\n\
                 // `bin/magento config:set --lock-env` writes them.",
                crypt.version()
            );
        }
        _ => out.push_str(ENV_PHP_PLAIN),
    }
    out.push_str("'system' => [\n    'default' => [\n");
    write_php(&mut out, &tree, 2, keys)?;
    out.push_str("    ],\n],\n");
    out.push_str("// Then run: bin/magento app:config:import\n");
    Ok(out)
}

/// Why `config:set` refuses a path, and how to set it instead.
fn refused(path: &str) -> Option<&'static str> {
    match path {
        PATH_KEY_SET => Some(
            "declared in no system.xml, so config:set refuses it; set it with --format env-php or env",
        ),
        PATH_PROJECT_NAME => Some(
            "config:set refuses it; saving project_id stores it (services-id 3.3.0+), else use --format env-php or env",
        ),
        PATH_ENVIRONMENT_NAME | PATH_ENVIRONMENT_TYPE => Some(
            "config:set refuses it; saving environment_id stores it (services-id 3.3.0+), else use --format env-php or env",
        ),
        _ => None,
    }
}

fn config_set(binding: &Binding, include_secrets: bool) -> String {
    // Magento's order: saving project_id clears the data space values, saving environment_id
    // reads them back from the registry, so keys first, then project_id, then environment_id.
    let rank = |path: &str| match path {
        PATH_PROJECT_ID => 1,
        PATH_ENVIRONMENT_ID => 2,
        _ => 0,
    };
    let mut settable: Vec<&Entry> = binding
        .entries()
        .iter()
        .filter(|e| refused(&e.path).is_none())
        .collect();
    settable.sort_by_key(|e| rank(&e.path));
    let mut out = String::new();
    for entry in settable {
        let _ = writeln!(
            out,
            // `--` ends the options: a value starting with `-` (a PEM) stays an argument.
            "bin/magento config:set -- {} {}",
            shell_quote(&entry.path),
            shell_quote(entry.shown(include_secrets))
        );
    }
    for entry in binding.entries() {
        if let Some(why) = refused(&entry.path) {
            let _ = writeln!(
                out,
                "# {} = {}: {why}",
                entry.path,
                one_line(entry.shown(include_secrets))
            );
        }
    }
    out
}

/// Keeps a comment on one line whatever the value holds.
fn one_line(value: &str) -> String {
    value.replace('\n', "\\n").replace('\r', "\\r")
}

fn json(binding: &Binding, include_secrets: bool) -> String {
    let object: serde_json::Map<String, serde_json::Value> = binding
        .entries()
        .iter()
        .map(|e| (e.path.clone(), e.shown(include_secrets).into()))
        .collect();
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(object))
        .unwrap_or_else(|_| "{}".to_owned());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magento::binding::tests::binding;

    #[test]
    fn snapshots() {
        let b = binding();
        let shown = |format| render(&b, format, Keys::shown(None)).unwrap();
        for format in Format::ALL {
            let redacted = render(&b, format, Keys::REDACTED).unwrap();
            insta::assert_snapshot!(format!("{}", format.as_str()), redacted);
        }
        insta::assert_snapshot!("env-secrets", shown(Format::Env));
        insta::assert_snapshot!("shell-secrets", shown(Format::Shell));
        insta::assert_snapshot!("config-set-secrets", shown(Format::ConfigSet));
    }

    #[test]
    fn no_secret_without_include_secrets() {
        let b = binding();
        for format in Format::ALL {
            let out = render(&b, format, Keys::REDACTED).unwrap();
            assert!(!out.contains("prod-api-key"), "{out}");
            assert!(!out.contains("BEGIN PRIVATE KEY"), "{out}");
        }
    }

    #[test]
    fn a_docker_env_file_cannot_carry_a_private_key() {
        let b = binding();
        match render(&b, Format::Docker, Keys::shown(None)) {
            Err(MagentoError::MultiLine { path }) => assert!(path.ends_with("_private_key")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn env_php_with_a_crypt_key_holds_only_ciphertext() {
        let b = binding();
        let crypt = CryptKey::parse("6wRADHwwCBGgdxbcHhovGB0upmg0mbsN").unwrap();
        let out = render(&b, Format::EnvPhp, Keys::shown(Some(&crypt))).unwrap();
        for entry in b.entries().iter().filter(|e| e.is_secret()) {
            let line = out
                .lines()
                .find(|l| l.contains(entry.path.rsplit('/').next().unwrap()))
                .unwrap();
            let stored = line.split(" => '").nth(1).unwrap().trim_end_matches("',");
            assert!(stored.starts_with("0:3:"), "{line}");
            match crypt.decrypt(stored) {
                crate::magento::crypt::Decrypted::Value(plain) => {
                    assert_eq!(plain.as_str(), Some(entry.expose()));
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(out.contains("encrypted with the installation's crypt key (version 0)"));
        let plain = render(&b, Format::EnvPhp, Keys::REDACTED).unwrap();
        assert!(plain.contains(ENV_PHP_PLAIN), "{plain}");
    }

    #[test]
    fn env_var_names() {
        assert_eq!(
            env_var_name("services_connector/services_id/environment_id"),
            "CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__ENVIRONMENT_ID"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(php_quote("a\\'b"), "'a\\\\\\'b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!("env-php".parse::<Format>(), Ok(Format::EnvPhp));
        assert!("yaml".parse::<Format>().is_err());
    }
}
