//! The forms Magento reads a binding in (docs/design.md, `saasctl render`).

use std::fmt::Write as _;
use std::str::FromStr;

use super::binding::{
    Binding, Entry, PATH_ENVIRONMENT_ID, PATH_ENVIRONMENT_NAME, PATH_ENVIRONMENT_TYPE,
    PATH_KEY_SET, PATH_PROJECT_ID, PATH_PROJECT_NAME,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// dotenv `CONFIG__DEFAULT__…` lines.
    Env,
    /// The `app/etc/env.php` `'system'` fragment.
    EnvPhp,
    /// `bin/magento config:set` commands.
    ConfigSet,
    /// One JSON object: path -> value.
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Env, Format::EnvPhp, Format::ConfigSet, Format::Json];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Env => "env",
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
            .ok_or_else(|| format!("unknown format {s:?}: env, env-php, config-set or json"))
    }
}

/// Renders `binding` in `format`; secrets are `<redacted>` unless `include_secrets`.
pub fn render(binding: &Binding, format: Format, include_secrets: bool) -> String {
    match format {
        Format::Env => env(binding, include_secrets),
        Format::EnvPhp => env_php(binding, include_secrets),
        Format::ConfigSet => config_set(binding, include_secrets),
        Format::Json => json(binding, include_secrets),
    }
}

/// The environment variable Magento reads for a `default`-scope path.
pub fn env_var_name(path: &str) -> String {
    format!(
        "CONFIG__DEFAULT__{}",
        path.to_ascii_uppercase().replace('/', "__")
    )
}

fn env(binding: &Binding, include_secrets: bool) -> String {
    let mut out = String::new();
    for entry in binding.entries() {
        let _ = writeln!(
            out,
            "{}={}",
            env_var_name(&entry.path),
            dotenv_quote(entry.shown(include_secrets))
        );
    }
    out
}

/// A dotenv value: bare when it has only safe characters, single-quoted (literal in every
/// dotenv reader) when it has no quote, backslash or line break, else double-quoted with backslash escapes and `\$` so no
/// reader interpolates it.
pub fn dotenv_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,/:@+=%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_owned();
    }
    if !value.contains(['\'', '\n', '\r', '\\']) {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '$' => out.push_str("\\$"),
            '`' => out.push_str("\\`"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

fn write_php(out: &mut String, children: &[(&str, Node)], depth: usize, include_secrets: bool) {
    let indent = "    ".repeat(depth);
    for (name, node) in children {
        match node {
            Node::Leaf(entry) => {
                let _ = writeln!(
                    out,
                    "{indent}{} => {},",
                    php_quote(name),
                    php_quote(entry.shown(include_secrets))
                );
            }
            Node::Branch(grand) => {
                let _ = writeln!(out, "{indent}{} => [", php_quote(name));
                write_php(out, grand, depth + 1, include_secrets);
                let _ = writeln!(out, "{indent}],");
            }
        }
    }
}

fn env_php(binding: &Binding, include_secrets: bool) -> String {
    let mut tree = Vec::new();
    for entry in binding.entries() {
        let segments: Vec<&str> = entry.path.split('/').collect();
        insert(&mut tree, &segments, entry);
    }
    let mut out = String::from(
        "// Merge into the array returned by app/etc/env.php (values are plain text).\n",
    );
    out.push_str("'system' => [\n    'default' => [\n");
    write_php(&mut out, &tree, 2, include_secrets);
    out.push_str("    ],\n],\n");
    out.push_str("// Then run: bin/magento app:config:import\n");
    out
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
        for format in Format::ALL {
            insta::assert_snapshot!(format!("{}", format.as_str()), render(&b, format, false));
        }
        insta::assert_snapshot!("env-secrets", render(&b, Format::Env, true));
        insta::assert_snapshot!("config-set-secrets", render(&b, Format::ConfigSet, true));
    }

    #[test]
    fn no_secret_without_include_secrets() {
        let b = binding();
        for format in Format::ALL {
            let out = render(&b, format, false);
            assert!(!out.contains("prod-api-key"), "{out}");
            assert!(!out.contains("BEGIN PRIVATE KEY"), "{out}");
        }
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
        assert_eq!(dotenv_quote("abc-1"), "abc-1");
        assert_eq!(dotenv_quote(""), "''");
        assert_eq!(dotenv_quote("a b $X"), "'a b $X'");
        assert_eq!(dotenv_quote("it's\n$X\\"), "\"it's\\n\\$X\\\\\"");
        assert_eq!(php_quote("a\\'b"), "'a\\\\\\'b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!("env-php".parse::<Format>(), Ok(Format::EnvPhp));
        assert!("yaml".parse::<Format>().is_err());
    }
}
