//! The redaction layer over every renderer, as the command edge applies it: random secrets,
//! registered where a run resolves them, are absent from every output and saved file in each
//! form they can take, while random ids, URLs, names and variable names stay whole.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

use crate::config::{DataSpaceType, KeySetName, Secret};
use crate::diagnostic::{
    Diagnostic, Location, Position, Severity, Sources, redact, render_github, render_human,
    render_json, render_sarif,
};
use crate::live::{LiveDataSpace, LiveProject, LiveState};
use crate::magento::binding::{Binding, BindingInput, KeyValues};
use crate::magento::crypt::CryptKey;
use crate::magento::mysql::MysqlTarget;
use crate::magento::render::{Format, Keys, render as render_binding};
use crate::plan::{MerchantInput, plan, render};
use crate::registry::RegistryError;
use crate::rules::Allowances;
use crate::rules::testing::load;

const PEM: &str = include_str!("../../tests/fixtures/keys/test.pem");

/// What a user may leave unencoded in a URL's password (the rest is percent-encoded): the URL
/// as written differs from the strictly encoded form, and both must be masked.
const LOOSE_USERINFO: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'?')
    .add(b'@');

#[derive(Debug, Clone)]
struct Secrets {
    api_key: String,
    password: String,
    crypt_key: String,
}

impl Secrets {
    /// Every form of every secret that must not be shown: raw, JSON-escaped, percent-encoded
    /// strictly and as written in the URL, escaped for a GitHub annotation; the private key
    /// line by line.
    fn forms(&self) -> Vec<String> {
        let lines = PEM
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= crate::diagnostic::MIN_KNOWN);
        let mut forms: Vec<String> = [&self.api_key, &self.password, &self.crypt_key]
            .into_iter()
            .map(String::as_str)
            .chain(lines)
            .flat_map(|secret| {
                let json = serde_json::to_string(secret).unwrap_or_default();
                [
                    secret.to_owned(),
                    json[1..json.len() - 1].to_owned(),
                    utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
                    secret.replace('%', "%25"),
                ]
            })
            .collect();
        forms.push(utf8_percent_encode(&self.password, LOOSE_USERINFO).to_string());
        forms
    }

    /// Resolves each secret as a run does: the keys from their files, the database URL, the
    /// crypt key.
    fn resolve(&self, dir: &std::path::Path) -> Result<(), TestCaseError> {
        let fail = |e: &dyn std::fmt::Display| TestCaseError::fail(e.to_string());
        let url = format!(
            "mysql://magento:{}@db.local/m2",
            utf8_percent_encode(&self.password, LOOSE_USERINFO)
        );
        for (file, value) in [
            ("api-key", self.api_key.as_str()),
            ("key.pem", PEM),
            ("url", &url),
        ] {
            std::fs::write(dir.join(file), value).map_err(|e| fail(&e))?;
        }
        let _api_key = Secret::File("api-key".into())
            .resolve(dir)
            .map_err(|e| fail(&e))?;
        let _private_key = Secret::File("key.pem".into())
            .resolve(dir)
            .map_err(|e| fail(&e))?;
        let url = Secret::File("url".into())
            .resolve(dir)
            .map_err(|e| fail(&e))?;
        MysqlTarget::new(&url, "").map_err(|e| fail(&e))?;
        CryptKey::parse(&self.crypt_key).map_err(|e| fail(&e))?;
        Ok(())
    }
}

fn secrets() -> impl Strategy<Value = Secrets> {
    (
        "[A-Za-z0-9]{32}",
        "[A-Za-z0-9@/#:?!\"&+=%]{10,24}",
        "[A-Za-z0-9]{32}",
    )
        .prop_map(|(api_key, password, crypt_key)| Secrets {
            api_key,
            password,
            crypt_key,
        })
}

/// What must stay readable.
#[derive(Debug, Clone)]
struct Shown {
    ids: [String; 3],
    url: String,
    names: [String; 2],
    variable: String,
}

fn shown() -> impl Strategy<Value = Shown> {
    let id = any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string());
    let name = "[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9})?";
    (
        [id.clone(), id.clone(), id],
        (1024..65535u16, "[a-z]{3,10}", "[a-z0-9-]{1,12}"),
        [name, name],
        "[A-Z]{2,8}_[A-Z0-9_]{20,30}",
    )
        .prop_filter("two names", |(_, _, [a, b], _)| {
            !a.contains(b.as_str()) && !b.contains(a.as_str())
        })
        .prop_map(|(ids, (port, host, path), names, variable)| Shown {
            ids,
            url: format!("http://127.0.0.1:{port}/{host}/{path}/v1/registry"),
            names,
            variable,
        })
}

/// One output as printed (through [`redact`], as `out!` does), and what it must show whole.
struct Output {
    what: String,
    text: String,
    kept: Vec<String>,
}

/// Every output of one merchant.
fn outputs(secrets: &Secrets, shown: &Shown) -> Result<Vec<Output>, TestCaseError> {
    let mut outputs = Vec::new();
    let mut add = |what: &str, text: String, kept: &[&String]| {
        outputs.push(Output {
            what: what.to_owned(),
            text: redact(&text).into_owned(),
            kept: kept.iter().map(|k| (*k).clone()).collect(),
        });
    };
    let [project_id, space_id, other_id] = &shown.ids;
    let [project, space] = &shown.names;

    // The binding, in each format, a name equal to a secret.
    let keys = KeyValues {
        api_key: crate::config::SecretValue::new(secrets.api_key.as_str()),
        private_key: crate::config::SecretValue::new(PEM),
    };
    let binding = Binding::new(BindingInput {
        key_set: KeySetName::Production,
        key_sets: vec![(KeySetName::Production, keys)],
        project_id: Some(project_id.clone()),
        project_name: project.clone(),
        data_space_id: Some(space_id.clone()),
        data_space_name: secrets.password.clone(),
        data_space_type: DataSpaceType::Production,
    })
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for format in Format::ALL {
        let text = render_binding(&binding, format, Keys::REDACTED)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        add(
            &format!("{format:?}"),
            text,
            &[project_id, space_id, project],
        );
    }

    // A plan: the declared project and data space live, and a data space named like the key.
    let yaml = format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    \
         api_key: {{env: {variable}}}\n    private_key: {{file: keys/production.pem}}\n    \
         gateway: embedded\nproject:\n  name: {project}\n  data_spaces:\n    \
         live: {{type: production, name: {space}}}\nenvironments:\n  \
         production: {{tier: production, data_space: live}}\n",
        variable = shown.variable,
    );
    let loaded = load(&yaml);
    let live = LiveState {
        projects: vec![LiveProject {
            id: project_id.clone(),
            name: project.clone(),
            data_spaces: vec![
                LiveDataSpace {
                    id: space_id.clone(),
                    name: space.clone(),
                    kind: DataSpaceType::Production,
                    new: false,
                },
                LiveDataSpace {
                    id: other_id.clone(),
                    name: secrets.api_key.clone(),
                    kind: DataSpaceType::Testing,
                    new: false,
                },
            ],
        }],
    }
    .canonical();
    let planned = plan(
        &[MerchantInput {
            loaded: &loaded.0,
            diagnostics: &loaded.1,
            live: &live,
            fingerprints: &BTreeMap::new(),
            gateway: &shown.url,
            installations: &BTreeMap::new(),
        }],
        &Allowances::default(),
    );
    // The data space named like the key is listed, masked, by its id.
    let kept = [project_id, space_id, other_id, project, space];
    add("plan text", render::text::render(&planned, false), &kept);
    add("plan markdown", render::markdown::render(&planned), &kept);
    add("plan json", render::json::render(&planned), &kept);

    // Findings whose messages hold what must stay, and a secret a service echoed.
    let at = Location {
        file: "saasctl.yaml".into(),
        position: Position::default_start(),
        node: "keys.production.api_key".into(),
    };
    // A message about keys that holds none: never guessed at.
    let hint =
        "expected PKCS#8 `-----BEGIN PRIVATE KEY-----` or PKCS#1 `-----BEGIN RSA PRIVATE KEY-----`"
            .to_owned();
    let diagnostics = vec![
        Diagnostic::new(
            "SC007",
            Severity::Error,
            format!(
                "environment variable {} of project {project_id} at {} said {}",
                shown.variable, shown.url, secrets.password
            ),
            at.clone(),
        )
        .help(format!("the data space {space} ({space_id}); {hint}"))
        .related(at, format!("crypt key {}", secrets.crypt_key)),
    ];
    let mut sources = Sources::default();
    sources.insert("saasctl.yaml", &yaml);
    let kept = [
        &shown.variable,
        project_id,
        &shown.url,
        space,
        space_id,
        &hint,
    ];
    add("human", render_human(&diagnostics, &sources, false), &kept);
    add("json", render_json(&diagnostics), &kept);
    let sarif = render_sarif(&diagnostics, crate::rules::catalogue());
    add("sarif", sarif, &kept);
    add("github", render_github(&diagnostics), &kept);

    // Errors carrying a service's words.
    let unreachable = RegistryError::Unreachable {
        url: shown.url.clone(),
        reason: format!("refused for key {}", secrets.api_key),
    };
    add("unreachable", unreachable.to_string(), &[&shown.url]);
    let refused = RegistryError::Status {
        status: 400,
        message: format!(
            "{project_id}: bad signature {}",
            PEM.lines().nth(3).unwrap_or_default()
        ),
        request_id: Some(other_id.clone()),
    };
    add("status", refused.to_string(), &[project_id]);
    Ok(outputs)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn secrets_never_shown_and_the_rest_always(secrets in secrets(), shown in shown()) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        secrets.resolve(dir.path())?;
        let forms = secrets.forms();
        for Output { what, text, kept } in outputs(&secrets, &shown)? {
            for form in &forms {
                prop_assert!(!text.contains(form.as_str()), "{} shows {}:\n{}", what, form, text);
            }
            for kept in &kept {
                prop_assert!(text.contains(kept.as_str()), "{} hides {}:\n{}", what, kept, text);
            }
        }

        // A saved plan: refused while it holds a name equal to a secret, never written raw.
        let loaded = load(&format!(
            "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    \
             api_key: {{env: {}}}\n    private_key: {{file: keys/production.pem}}\n    \
             gateway: embedded\nproject:\n  name: {}\n  data_spaces:\n    \
             live: {{type: production, name: {}}}\nenvironments:\n  \
             production: {{tier: production, data_space: live}}\n",
            shown.variable, secrets.api_key, shown.names[1],
        ));
        let planned = plan(
            &[MerchantInput {
                loaded: &loaded.0,
                diagnostics: &loaded.1,
                live: &LiveState::default(),
                fingerprints: &BTreeMap::new(),
                gateway: &shown.url,
                installations: &BTreeMap::new(),
            }],
            &Allowances::default(),
        );
        let path = dir.path().join("plan.json");
        let written = super::plan_file::write(&planned, &path);
        prop_assert!(matches!(written, Err(super::plan_file::PlanFileError::Secret { .. })), "{:?}", written);
        prop_assert!(!path.exists());
    }
}
