//! docs/troubleshooting.md has an entry for every registry error message.

use saasctl::registry::RegistryError;

use crate::common::repo;

/// What stands for a value in a message: every string field, and the numbers below.
const VALUE: &str = "\u{0}";
const NUMBER: u64 = 987_654;
const STATUS: u16 = 599;

/// One error of each variant, with placeholders for its values.
fn every_registry_error() -> Vec<RegistryError> {
    let value = || VALUE.to_owned();
    let errors = vec![
        RegistryError::InvalidGateway {
            url: value(),
            reason: value(),
        },
        RegistryError::InsecureGateway { host: value() },
        RegistryError::InvalidApiKey,
        RegistryError::InvalidId(value()),
        RegistryError::KeysNotValid { message: value() },
        RegistryError::NotFound { message: value() },
        RegistryError::Throttled {
            asked_secs: NUMBER,
            limit_secs: NUMBER,
        },
        RegistryError::Status {
            status: STATUS,
            message: value(),
            request_id: None,
        },
        RegistryError::Unavailable {
            status: STATUS,
            message: value(),
        },
        RegistryError::Unreachable {
            url: value(),
            reason: value(),
        },
        RegistryError::Uncertain {
            call: value(),
            reason: value(),
        },
        RegistryError::Decode {
            url: value(),
            reason: value(),
        },
        RegistryError::Redirected {
            status: STATUS,
            to: value(),
        },
        RegistryError::CreatedOtherName {
            asked: value(),
            answered: value(),
            id: value(),
        },
        RegistryError::Http(value()),
    ];
    for error in &errors {
        // A new variant fails to compile here until it is listed above and documented.
        match error {
            RegistryError::InvalidGateway { .. }
            | RegistryError::InsecureGateway { .. }
            | RegistryError::InvalidApiKey
            | RegistryError::InvalidId(_)
            | RegistryError::KeysNotValid { .. }
            | RegistryError::NotFound { .. }
            | RegistryError::Throttled { .. }
            | RegistryError::Status { .. }
            | RegistryError::Unavailable { .. }
            | RegistryError::Unreachable { .. }
            | RegistryError::Uncertain { .. }
            | RegistryError::Decode { .. }
            | RegistryError::Redirected { .. }
            | RegistryError::CreatedOtherName { .. }
            | RegistryError::Http(_) => {}
        }
    }
    errors
}

fn troubleshooting() -> String {
    std::fs::read_to_string(repo().join("docs/troubleshooting.md"))
        .expect("docs/troubleshooting.md")
}

#[test]
fn every_registry_error_message_is_explained() {
    let section = troubleshooting();
    for error in every_registry_error() {
        let message = error
            .to_string()
            .replace(&NUMBER.to_string(), VALUE)
            .replace(&STATUS.to_string(), VALUE);
        // Each heading is the message with words for its values: its fixed text is there.
        let heading = section
            .lines()
            .filter(|line| line.starts_with("### "))
            .find(|line| {
                message
                    .split(VALUE)
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .all(|part| line.contains(part))
            });
        let heading =
            heading.unwrap_or_else(|| panic!("no entry for `{}`", message.replace(VALUE, "…")));
        // With a cause and a fix.
        let entry = &section[section.find(heading).expect("heading")..];
        let entry = &entry[..entry[4..].find("\n#").map_or(entry.len(), |i| i + 4)];
        assert!(
            entry.contains("Cause:") && entry.contains("Fix:"),
            "{entry}"
        );
    }
}
