//! Which gateway a key set talks to: `--gateway`/`SAASCTL_GATEWAY` for every key set, else the
//! key set's own `gateway`, else the registry's default for its name.

use crate::config::{KeySet, KeySetName};

/// The value that runs the emulator inside the process.
pub const EMBEDDED: &str = "embedded";

/// The default gateway of a key set (`registry-api.md`, "Gateways").
pub fn default_gateway(name: KeySetName) -> &'static str {
    match name {
        KeySetName::Production => "https://commerce.adobe.io/",
        KeySetName::Sandbox => "https://commerce-beta.adobe.io/",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gateway {
    Url(String),
    /// The in-process emulator, its state beside the YAML.
    Embedded,
}

impl std::fmt::Display for Gateway {
    /// As a saved plan records it: the URL, or `embedded`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gateway::Url(url) => f.write_str(url),
            Gateway::Embedded => f.write_str(EMBEDDED),
        }
    }
}

impl Gateway {
    pub fn resolve(override_url: Option<&str>, name: KeySetName, set: &KeySet) -> Self {
        let chosen = override_url
            .or(set.gateway.as_deref())
            .unwrap_or(default_gateway(name));
        if chosen == EMBEDDED {
            Gateway::Embedded
        } else {
            Gateway::Url(chosen.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn set(gateway: Option<&str>) -> KeySet {
        KeySet {
            api_key: Secret::Env("A".into()),
            private_key: Secret::Env("B".into()),
            gateway: gateway.map(str::to_owned),
        }
    }

    #[test]
    fn override_then_key_set_then_default() {
        let sandbox = KeySetName::Sandbox;
        assert_eq!(
            Gateway::resolve(None, sandbox, &set(None)),
            Gateway::Url("https://commerce-beta.adobe.io/".into())
        );
        assert_eq!(
            Gateway::resolve(None, sandbox, &set(Some("embedded"))),
            Gateway::Embedded
        );
        assert_eq!(
            Gateway::resolve(Some("http://127.0.0.1:1/"), sandbox, &set(Some("embedded"))),
            Gateway::Url("http://127.0.0.1:1/".into())
        );
    }
}
