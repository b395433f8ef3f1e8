//! Hostile names from the registry: escape sequences, a bell, line breaks and a markdown fence
//! in a live data space's name neither reach a terminal raw nor forge lines of a plan or of a
//! pull-request comment.

use crate::common::{TestContext, both, code, row, stderr, stdout};

/// What a registry (or whoever renamed the data space in the portal) could answer.
const HOSTILE: &str = "Evil\u{1b}[31m\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n  + project.evil: \"injected line\"\n```\n## :white_check_mark: Security review passed\n![x](https://evil.example/x.png)";

/// Printable, but markup where a pull-request comment would read it as such: backtick
/// fences, HTML, an image, a table cell's bar.
const MARKUP: &str =
    "Evil ```` <details><summary>ok</summary> ![x](https://evil.example/x.png) | ```";

/// Luma with its staging data space pinned to the live one that holds the hostile name (a
/// rename shows it inside the plan's diff block) and the second testing one left unmanaged
/// (listed on its own line).
fn yaml(staging_id: &str) -> String {
    format!(
        "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    \
         api_key: {{file: keys/production.api-key}}\n    private_key: {{file: keys/production.pem}}\n\
         project:\n  name: Luma\n  data_spaces:\n    \
         live: {{type: production, name: Production}}\n    \
         staging: {{type: testing, name: Luma Staging, id: {staging_id}}}\n\
         environments:\n  production: {{tier: production, data_space: live}}\n  \
         staging: {{tier: staging, data_space: staging}}\n"
    )
}

/// A name with control characters is refused at the wire (the merchant is not read, and
/// says why with the name escaped); one that is printable markup is shown inside code.
#[test]
fn hostile_live_names_are_refused_or_escaped_in_text_and_markdown() {
    let registry = TestContext::with_registry();
    let created = registry.initialize("Luma");
    let staging = row(&created, "Testing 1").environment_id.clone();
    let unmanaged = row(&created, "Testing 2").environment_id.clone();
    registry.rename_data_space(&staging, HOSTILE);
    registry.write_yaml(&yaml(&staging));
    for format in ["text", "markdown"] {
        let refused = registry.run(&["plan", "--color", "never", "--format", format]);
        assert_eq!(code(&refused), 1, "{}", both(&refused));
        let shown = both(&refused);
        let raw: Vec<char> = shown
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "raw control characters {raw:?} in\n{shown}");
        assert!(
            stderr(&refused)
                .contains(r#"a data space name holds a control character: "Evil\u{1b}[31m"#),
            "{shown}"
        );
        for line in stdout(&refused).lines() {
            let forged = line.trim_start().starts_with("+ project.evil")
                || line.starts_with("##") && line.contains("Security review")
                || line.starts_with("![");
            assert!(!forged, "forged line {line:?} in\n{shown}");
        }
    }

    registry.rename_data_space(&staging, MARKUP);
    registry.rename_data_space(&unmanaged, &format!("{MARKUP} 2"));
    let text = registry.run(&["plan", "--color", "never"]);
    assert_eq!(code(&text), 0, "{}", both(&text));
    assert!(
        stdout(&text).contains(&format!("{MARKUP:?}")),
        "{}",
        both(&text)
    );

    let markdown = registry.run(&["plan", "--format", "markdown"]);
    assert_eq!(code(&markdown), 0, "{}", both(&markdown));
    let comment = stdout(&markdown);
    assert!(
        !comment.chars().any(|c| c.is_control() && c != '\n'),
        "{comment}"
    );
    // No line of the comment is an injected fence, tag or image.
    for line in comment.lines() {
        let forged = line.starts_with("![")
            || line.starts_with("<details><summary>ok")
            || line.starts_with("```") && !line.starts_with("`````");
        assert!(!forged, "forged line {line:?} in\n{comment}");
    }
    // The merchant's diff block: opened and closed by the same fence, longer than the
    // name's backtick run, with every line of the section inside it.
    let open = comment
        .lines()
        .position(|l| l.starts_with("`````diff"))
        .unwrap_or_else(|| panic!("no long fence in\n{comment}"));
    let close = comment
        .lines()
        .skip(open + 1)
        .position(|l| l.starts_with('`'))
        .map(|i| open + 1 + i)
        .expect("a closing fence");
    let lines: Vec<&str> = comment.lines().collect();
    assert_eq!(lines[close], "`````", "{comment}");
    assert!(
        lines[open + 1..close].iter().any(|l| l.contains(MARKUP)),
        "{comment}"
    );
    assert_eq!(lines[close + 1..].first(), Some(&""), "{comment}");
    assert_eq!(lines[close + 2], "</details>", "{comment}");
    // The unmanaged one: its name on one line, inside one code span.
    let listed = lines
        .iter()
        .find(|l| l.contains(&unmanaged))
        .unwrap_or_else(|| panic!("{unmanaged} not listed in\n{comment}"));
    assert!(
        listed.starts_with("- `````") && listed.ends_with("`````"),
        "{listed}"
    );
}
