//! SC007: every referenced secret resolves and is usable: private keys are RSA keys, an
//! installation's database URL and crypt key have the forms Magento's are in.

use super::{Context, RuleInfo, Secrets};
use crate::config::{KeySet, Route, Secret, SecretError, SecretValue, Target};
use crate::diagnostic::{Diagnostic, Severity};
use crate::keys::{MIN_BITS, PrivateKey};
use crate::magento::crypt::CryptKey;
use crate::magento::mysql::MysqlTarget;
use crate::route;

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC007",
    name: "unreadable-key",
    severity: Severity::Error,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "a secret that cannot be read or used: a private key that is not an RSA key of at least 2048 bits, a database URL or crypt key Magento could not use",
    explanation: r#"
Every registry request is signed with the key set's private key (RS256), and Magento checks
the same when keys are saved in the Admin. A missing environment variable, an unreadable file,
a key that is not RSA, is encrypted, or is shorter than 2048 bits fails at apply time, after
the pull request was approved. saasctl reads each secret during validation instead, and
reports only where it looked, never what it read.

An installation's database target is read the same way: its `url` must be
`mysql://USER:PASSWORD@HOST:PORT/DATABASE` (or `mariadb://`), and its `crypt_key` the whole
`crypt/key` value of the installation's `app/etc/env.php`: one or more keys of 32 characters
(or `base64` and 32 bytes encoded), separated by whitespace. A wrong one would fail at apply
time, after the registry was already changed.

Fix: set the environment variable or create the file (paths are relative to the YAML file);
use the PEM private key downloaded with the API key (`-----BEGIN PRIVATE KEY-----` or
`-----BEGIN RSA PRIVATE KEY-----`), unencrypted. With `gateway: embedded`, missing key files
are created on the first apply.

Where the secrets are absent on purpose (a pull request from a fork), `validate --no-secrets`
reads none and notes that the keys were not checked; in CI (`CI=true`) a variable that is not
set or empty is such a note rather than an error. `plan` and `apply` need every secret.
"#,
    bad_example: include_str!("examples/sc007.bad.yaml"),
    good_example: include_str!("examples/sc007.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context) -> Vec<Diagnostic> {
        if cx.secrets == Secrets::NotRead {
            return not_read(cx);
        }
        let mut findings = target_findings(cx);
        for (name, set) in cx.config.keys.iter() {
            for (field, secret) in [("api_key", &set.api_key), ("private_key", &set.private_key)] {
                let problem = match secret.resolve(&cx.loaded.base_dir) {
                    Err(_) if will_be_provisioned(set, secret, &cx.loaded.base_dir) => None,
                    Err(SecretError::EnvMissing(variable) | SecretError::EnvEmpty(variable))
                        if cx.secrets == Secrets::MissingVariablesAreNotes =>
                    {
                        findings.push(absent_in_ci(cx, name.as_str(), field, &variable));
                        None
                    }
                    Err(e) => Some(e.to_string()),
                    Ok(value) if field == "private_key" => PrivateKey::from_pem(value.expose())
                        .err()
                        .map(|e| e.to_string()),
                    Ok(_) => None,
                };
                if let Some(problem) = problem {
                    findings.push(
                        INFO.finding(
                            format!("`keys.{}.{field}`: {problem}", name.as_str()),
                            cx.at(&route!["keys", name.as_str(), field]),
                            help(field, secret),
                        )
                        .label(secret.to_string()),
                    );
                }
            }
        }
        findings
    }
}

/// Each database target's `url` and `crypt_key`, resolved and parsed as `plan` will.
fn target_findings(cx: &Context) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for (environment, env) in &cx.config.environments {
        let Some(Target::Mysql(target)) = &env.target else {
            continue;
        };
        let usable = |field: &str, value: &SecretValue| match field {
            "url" => MysqlTarget::new(value, "").err().map(|e| e.to_string()),
            _ => CryptKey::parse(value.expose()).err().map(|e| e.to_string()),
        };
        for (field, secret) in [("url", &target.url), ("crypt_key", &target.crypt_key)] {
            let route: Route = route![
                "environments",
                environment.as_str(),
                "target",
                "mysql",
                field
            ];
            let shown = format!("environments.{environment}.target.mysql.{field}");
            let problem = match secret.resolve(&cx.loaded.base_dir) {
                Err(SecretError::EnvMissing(variable) | SecretError::EnvEmpty(variable))
                    if cx.secrets == Secrets::MissingVariablesAreNotes =>
                {
                    findings.push(absent_in_ci_at(cx, &route, &shown, &variable));
                    None
                }
                Err(e) => Some(e.to_string()),
                Ok(value) => usable(field, &value),
            };
            if let Some(problem) = problem {
                let help = if field == "url" {
                    "point it at `mysql://USER:PASSWORD@HOST:PORT/DATABASE`, with reserved characters of the password percent-encoded"
                } else {
                    "point it at the whole `crypt/key` value of the installation's app/etc/env.php"
                };
                findings.push(
                    INFO.finding(format!("`{shown}`: {problem}"), cx.at(&route), help)
                        .label(secret.to_string()),
                );
            }
        }
    }
    findings
}

/// `--no-secrets`: one note on the file's `keys`, naming the key sets left unchecked.
fn not_read(cx: &Context) -> Vec<Diagnostic> {
    let sets: Vec<String> = cx
        .config
        .keys
        .iter()
        .map(|(name, _)| format!("`{}`", name.as_str()))
        .collect();
    if sets.is_empty() {
        return Vec::new();
    }
    let databases = cx
        .config
        .environments
        .values()
        .filter(|env| matches!(env.target, Some(Target::Mysql(_))))
        .count();
    let and_databases = match databases {
        0 => String::new(),
        1 => ", nor the database target's URL and crypt key".to_owned(),
        n => format!(", nor the {n} database targets' URLs and crypt keys"),
    };
    vec![
        Diagnostic::new(
            INFO.id,
            Severity::Info,
            format!(
                "secrets were not read (--no-secrets): the keys of {} are not checked{and_databases}",
                sets.join(", ")
            ),
            cx.key(&route!["keys"]),
        )
        .label("not read")
        .help("`saasctl validate` without --no-secrets, where the secrets are set, checks them; `plan` reads them too"),
    ]
}

/// In CI, a variable that is not set or empty (what GitHub Actions makes of a secret a fork's
/// pull request may not read): a note, since a pull request from a fork gets no
/// secrets; `plan` and `apply`, which need it, still fail without it.
fn absent_in_ci(cx: &Context, set: &str, field: &str, variable: &str) -> Diagnostic {
    absent_in_ci_at(
        cx,
        &route!["keys", set, field],
        &format!("keys.{set}.{field}"),
        variable,
    )
}

fn absent_in_ci_at(cx: &Context, route: &Route, shown: &str, variable: &str) -> Diagnostic {
    Diagnostic::new(
        INFO.id,
        Severity::Info,
        format!("`{shown}`: environment variable {variable} is not set or empty, so it was not checked (CI=true)"),
        cx.at(route),
    )
    .label("not set in this pipeline")
    .help("pipelines without secrets (pull requests from forks) get this note; where the secret is set it is checked, and `plan` and `apply` need it")
}

/// With the embedded gateway, missing key files are generated by the first apply.
fn will_be_provisioned(set: &KeySet, secret: &Secret, base_dir: &std::path::Path) -> bool {
    set.gateway.as_deref() == Some("embedded")
        && secret
            .file_path(base_dir)
            .is_some_and(|path| !path.exists())
}

fn help(field: &str, secret: &Secret) -> String {
    let key = format!(
        "the unencrypted RSA private key (PEM, at least {MIN_BITS} bits) that belongs to the API key"
    );
    match (field, secret) {
        ("private_key", Secret::File(_)) => format!("point it at {key}"),
        ("private_key", Secret::Env(_)) => format!("set the variable to {key}"),
        _ => "set the variable or create the file; paths are relative to this YAML file".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::fixtures::{EC_PEM, TEST_PEM, TEST_PKCS1_PEM, WEAK_1024_PEM};
    use crate::rules::testing::{assert_examples, findings_of};

    /// The good example's diagnostics with `pem` in its `{file:}` private key.
    fn check_with_key(pem: &str) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        let key = dir.path().join("keys/production.pem");
        std::fs::write(&key, pem).unwrap();
        // Only its owner may read it, as SC014 wants.
        #[cfg(unix)]
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        std::fs::write(dir.path().join("keys/production.api-key"), "abc").unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(
            &path,
            INFO.good_example.replace("    gateway: embedded\n", ""),
        )
        .unwrap();
        crate::rules::check_file(&path).1
    }

    /// SC007's finding for `pem`, if any.
    fn problem_with(pem: &str) -> Option<String> {
        check_with_key(pem)
            .into_iter()
            .find(|d| d.rule == "SC007")
            .map(|d| d.message)
    }

    #[test]
    fn examples() {
        assert_examples(&INFO);
    }

    /// A production installation's database target with `url` and `crypt_key` as given, and
    /// the files they may name, beside a usable key.
    fn target_problems(url: &str, crypt_key: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        let key = dir.path().join("keys/production.pem");
        std::fs::write(&key, TEST_PEM).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        std::fs::write(dir.path().join("keys/production.api-key"), "abc").unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let yaml = format!(
            "{}    target:\n      mysql:\n        url: {url}\n        crypt_key: {crypt_key}\n",
            INFO.good_example.replace("    gateway: embedded\n", "")
        );
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, yaml).unwrap();
        crate::rules::check_file(&path)
            .1
            .into_iter()
            .filter(|d| d.rule == "SC007")
            .collect()
    }

    #[test]
    fn database_targets_secrets_are_read_and_checked_at_their_place() {
        let url = ("url", "mysql://magento:secret@db.local:3306/magento");
        let key = ("crypt.key", "0123456789abcdef0123456789abcdef");
        let good = target_problems("{file: url}", "{file: crypt.key}", &[url, key]);
        assert!(good.is_empty(), "{good:?}");
        // (url, crypt_key, files, the line of the value at fault, what the message says)
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], usize, &'a str);
        let cases: [Case; 5] = [
            (
                "{env: SAASCTL_EXAMPLE_UNSET_URL}",
                "{file: crypt.key}",
                &[key],
                18,
                "SAASCTL_EXAMPLE_UNSET_URL is not set",
            ),
            (
                "{file: url}",
                "{env: SAASCTL_EXAMPLE_UNSET_KEY}",
                &[url],
                19,
                "SAASCTL_EXAMPLE_UNSET_KEY is not set",
            ),
            (
                "{file: url}",
                "{file: missing.key}",
                &[url],
                19,
                "missing.key",
            ),
            (
                "{file: url}",
                "{file: crypt.key}",
                &[url, ("crypt.key", "not a key")],
                19,
                "crypt",
            ),
            (
                "{file: url}",
                "{file: crypt.key}",
                &[("url", "postgres://u:p@db/m"), key],
                18,
                "mysql:// or mariadb://",
            ),
        ];
        for (url, crypt_key, files, line, says) in cases {
            let found = target_problems(url, crypt_key, files);
            assert_eq!(found.len(), 1, "{url} {crypt_key}: {found:?}");
            let position = found[0].location.position;
            assert_eq!(
                (position.line, position.column),
                (line, if line == 18 { 14 } else { 20 }),
                "{found:?}"
            );
            assert!(found[0].message.contains(says), "{}", found[0].message);
            assert!(
                !found[0].message.contains("secret@") && !found[0].message.contains(":p@"),
                "{}",
                found[0].message
            );
        }
    }

    #[test]
    fn names_the_source_never_the_content() {
        let findings = findings_of("SC007", INFO.bad_example);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!((findings[0].0, findings[0].1), (6, 14));
        assert!(
            findings[0]
                .2
                .contains("SAASCTL_EXAMPLE_UNSET_VARIABLE is not set")
        );
        assert_eq!((findings[1].0, findings[1].1), (7, 18));
        assert!(findings[1].2.contains("no such file"));
    }

    #[test]
    fn accepts_pkcs8_and_pkcs1_and_refuses_small_or_other_keys() {
        assert_eq!(problem_with(TEST_PEM), None);
        assert_eq!(problem_with(TEST_PKCS1_PEM), None);
        assert_eq!(
            problem_with(WEAK_1024_PEM).unwrap(),
            "`keys.production.private_key`: the RSA private key has 1024 bits; at least 2048 are required: generate a 2048-bit key"
        );
        assert!(problem_with(EC_PEM).unwrap().contains("not an RSA key"));
        let garbage =
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWNvbnRlbnQ=\n-----END PRIVATE KEY-----\n";
        let err = problem_with(garbage).unwrap();
        assert!(!err.contains("c2VjcmV0"), "{err}");
    }

    #[test]
    fn help_fits_the_source_and_the_minimum_is_the_crates() {
        let key =
            "the unencrypted RSA private key (PEM, at least 2048 bits) that belongs to the API key";
        assert_eq!(
            help("private_key", &Secret::File("k.pem".into())),
            format!("point it at {key}")
        );
        assert_eq!(
            help("private_key", &Secret::Env("KEY".into())),
            format!("set the variable to {key}")
        );
        assert!(INFO.summary.contains(&MIN_BITS.to_string()));
        assert!(INFO.explanation.contains(&MIN_BITS.to_string()));
    }

    /// The bad example's SC007 findings, read as `secrets` says.
    fn bad_with(secrets: Secrets) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        std::fs::write(&path, INFO.bad_example).unwrap();
        crate::rules::check_file_with(&path, secrets)
            .1
            .into_iter()
            .filter(|d| d.rule == "SC007")
            .collect()
    }

    #[test]
    fn no_secrets_reads_none_and_says_so() {
        let findings = bad_with(Secrets::NotRead);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Info);
        assert_eq!(
            findings[0].message,
            "secrets were not read (--no-secrets): the keys of `production` are not checked"
        );
        assert_eq!(findings[0].location.position.line, 4);
    }

    #[test]
    fn in_ci_a_missing_variable_is_a_note_and_a_missing_file_still_an_error() {
        let findings = bad_with(Secrets::MissingVariablesAreNotes);
        let seen: Vec<(Severity, usize)> = findings
            .iter()
            .map(|d| (d.severity, d.location.position.line))
            .collect();
        assert_eq!(seen, vec![(Severity::Info, 6), (Severity::Error, 7)]);
        assert!(findings[0].message.contains(
            "SAASCTL_EXAMPLE_UNSET_VARIABLE is not set or empty, so it was not checked (CI=true)"
        ));
    }

    #[test]
    fn a_real_key_file_passes() {
        let diagnostics = check_with_key(TEST_PEM);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        // Without the files, the same YAML fails.
        assert!(
            !findings_of(
                "SC007",
                &INFO.good_example.replace("    gateway: embedded\n", "")
            )
            .is_empty()
        );
    }
}
