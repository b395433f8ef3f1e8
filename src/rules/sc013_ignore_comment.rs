//! SC013: `# saasctl: ignore[ID] reason` comments, which accept a finding on purpose, and the
//! ones that cannot: no reason, an unknown rule, nothing to ignore.

use super::RuleInfo;
use crate::config::{IgnoreComment, Loaded, Node, Value, ignore_comments};
use crate::diagnostic::{Diagnostic, Location, Severity};

pub struct Rule;

pub static INFO: RuleInfo = RuleInfo {
    id: "SC013",
    name: "ignore-comment",
    severity: Severity::Warning,
    reads: crate::diagnostic::Reads::Files,
    protects_data: false,
    summary: "an ignore comment without a reason, for an unknown rule, or that ignores nothing",
    explanation: r#"
A finding that is accepted on purpose is ignored with a comment saying why, on the finding's
line or on the line of the key of a mapping that holds it (it then covers everything inside):
`# saasctl: ignore[SC011] spare data space for load tests`; several rules as
`ignore[SC011,SC003] reason`. Ignored findings fail nothing; the summary counts them
("1 ignored") and `--show-ignored` lists them with their reasons (in SARIF as in-source
suppressions with the reason as justification).

The offline rules (SC001 to SC015) can be ignored, except those that protect data (SC001,
SC002, SC003, SC005: a production data space shared or bound to a non-production tier, website
codes colliding, Payment Services on a shared data space): a comment naming one is an error of
its own and lifts nothing. A schema error (SC000) cannot be ignored, nor a rule on the live
state (SC020 onward), which `plan` checks afresh each time; SC030 is lifted only by
`--allow-rebind` on the command line. A comment without a
reason ignores nothing, so that every accepted finding says why; a comment naming an unknown
rule, or one that no longer ignores anything (the finding was fixed, or the comment moved), is
reported so that it does not linger.

Fix: add the reason after the `]`; correct the rule id; remove the comment that ignores
nothing.
"#,
    bad_example: include_str!("examples/sc013.bad.yaml"),
    good_example: include_str!("examples/sc013.good.yaml"),
};

impl super::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}

/// Marks the findings of `loaded` that its ignore comments cover, and adds a finding for each
/// comment that is malformed, has no reason, names no ignorable rule, or ignores nothing.
/// Only files that fit the schema: otherwise the rules did not run, and nothing could be
/// said to be ignored.
pub fn apply(loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) {
    if loaded.config.is_none() {
        return;
    }
    let mut problems = Vec::new();
    let scalars = loaded
        .document
        .as_ref()
        .map(scalar_spans)
        .unwrap_or_default();
    // A `#` inside a multi-line scalar (a block `|` or a quoted string) is text, not a comment.
    let comments = ignore_comments(&loaded.source)
        .into_iter()
        .filter(|c| !scalars.iter().any(|s| s.contains(&c.position.offset)));
    for comment in comments {
        let at = location(loaded, &comment);
        let ignore = match &comment.directive {
            Ok(ignore) => ignore,
            Err(problem) => {
                problems.push(INFO.finding(problem.clone(), at, FORMAT).label("not read"));
                continue;
            }
        };
        if ignore.reason.is_empty() {
            problems.push(
                INFO.finding(
                    format!("`ignore[{}]` gives no reason", ignore.rules.join(",")),
                    at,
                    "say why after the `]`, e.g. `# saasctl: ignore[SC011] spare data space for load tests`; without one it ignores nothing",
                )
                .label("no reason"),
            );
            continue;
        }
        let spans = covered(loaded, comment.position.line);
        for id in &ignore.rules {
            if let Some(protected) = super::catalogue().find(|i| i.id == id && i.protects_data) {
                // Naming it is an error of its own: the comment says data may mix, and it may not.
                let mut refused = INFO
                    .finding(
                        format!("{id} protects data and cannot be ignored"),
                        at.clone(),
                        format!(
                            "fix what {id} reports ({}); `saasctl explain {id}` says how",
                            protected.summary
                        ),
                    )
                    .label("cannot be ignored");
                refused.severity = Severity::Error;
                problems.push(refused);
                continue;
            }
            if let Some(problem) = unignorable(id) {
                problems.push(
                    INFO.finding(problem, at.clone(), FORMAT)
                        .label("cannot be ignored"),
                );
                continue;
            }
            let mut hits = 0;
            for d in diagnostics
                .iter_mut()
                .filter(|d| d.rule == id && d.ignored.is_none())
            {
                let position = d.location.position;
                if position.line == comment.position.line
                    || spans.iter().any(|span| span.contains(&position.offset))
                {
                    d.ignored = Some(ignore.reason.clone());
                    hits += 1;
                }
            }
            if hits == 0 {
                problems.push(
                    INFO.finding(
                        format!("`ignore[{id}]` ignores nothing: no {id} finding on this line or in the mapping its key starts"),
                        at.clone(),
                        "remove it, or move it to the line of the finding",
                    )
                    .label("ignores nothing"),
                );
            }
        }
    }
    diagnostics.extend(problems);
}

const FORMAT: &str = "write `# saasctl: ignore[SC011] reason` on the finding's line, or on the line of the key of the mapping that holds it";

/// Whether a `# saasctl: ignore[ID] reason` comment can accept findings of `id`: an offline
/// rule (SC001 to SC014) that does not protect data, SC013 aside.
pub fn ignorable(id: &str) -> bool {
    unignorable(id).is_none() && !super::catalogue().any(|info| info.id == id && info.protects_data)
}

/// Why `id` cannot be ignored, if it cannot.
fn unignorable(id: &str) -> Option<String> {
    if super::RULES
        .iter()
        .any(|rule| rule.info().id == id && id != INFO.id)
    {
        return None;
    }
    Some(match super::catalogue().find(|info| info.id == id) {
        Some(info) if info.id == INFO.id => format!("{id} cannot be ignored"),
        Some(_) if id == super::sc000_schema::SC000.id => {
            format!("{id} (the schema) cannot be ignored: the file must fit it")
        }
        Some(_) => format!("{id} checks the live state and cannot be ignored in the file"),
        None => format!("`{id}` is not a saasctl rule (`saasctl explain all` lists them)"),
    })
}

/// The byte ranges of the entries whose key is on `line`: from the key to the end of its
/// value, so a comment on a mapping's key covers what is inside.
fn covered(loaded: &Loaded, line: usize) -> Vec<std::ops::Range<usize>> {
    loaded
        .positions()
        .values()
        .filter_map(|(value, key)| key.filter(|k| k.line == line).map(|k| (k, value)))
        .map(|(key, value)| key.offset..(value.offset + value.len).max(key.offset + key.len))
        .collect()
}

/// The byte ranges of the document's scalars.
fn scalar_spans(node: &Node) -> Vec<std::ops::Range<usize>> {
    match &node.value {
        Value::Sequence(items) => items.iter().flat_map(scalar_spans).collect(),
        Value::Mapping(entries) => entries
            .iter()
            .flat_map(|(k, v)| scalar_spans(k).into_iter().chain(scalar_spans(v)))
            .collect(),
        _ => std::iter::once(node.position.offset..node.position.offset + node.position.len)
            .collect(),
    }
}

fn location(loaded: &Loaded, comment: &IgnoreComment) -> Location {
    Location {
        file: loaded.file.clone(),
        position: comment.position,
        // What the comment says identifies it from one commit to the next.
        node: loaded.source[comment.position.offset..][..comment.position.len].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{assert_examples, findings_of, load};

    #[test]
    fn only_offline_rules_that_protect_no_data_are_ignorable() {
        for id in ["SC004", "SC011", "SC014"] {
            assert!(ignorable(id), "{id}");
        }
        for id in [
            "SC000", "SC001", "SC002", "SC003", "SC005", "SC013", "SC030", "SC099",
        ] {
            assert!(!ignorable(id), "{id}");
        }
    }

    #[test]
    fn examples() {
        assert_examples(&INFO);
    }

    fn ignored(yaml: &str) -> Vec<(&'static str, usize, String)> {
        load(yaml)
            .1
            .into_iter()
            .filter_map(|d| {
                d.ignored
                    .map(|reason| (d.rule, d.location.position.line, reason))
            })
            .collect()
    }

    #[test]
    fn a_reason_is_required_and_the_finding_stays() {
        let findings = findings_of("SC013", INFO.bad_example);
        assert_eq!(
            findings,
            vec![
                (12, 47, "`ignore[SC011]` gives no reason".to_owned()),
                (
                    14,
                    16,
                    "`ignore[SC010]` ignores nothing: no SC010 finding on this line or in the mapping its key starts".to_owned()
                ),
            ]
        );
        assert_eq!(findings_of("SC011", INFO.bad_example).len(), 1);
        assert!(ignored(INFO.bad_example).is_empty());
    }

    #[test]
    fn ignores_on_the_line_with_its_reason() {
        assert_eq!(
            ignored(INFO.good_example),
            vec![("SC011", 12, "spare data space for load tests".to_owned())]
        );
    }

    #[test]
    fn a_comment_on_a_mapping_key_covers_the_mapping() {
        let bad = crate::rules::find("SC010").expect("SC010").bad_example;
        let (line, _, _) = findings_of("SC010", bad)[0];
        // On the key of the environment that holds the finding, two lines above it.
        let yaml = bad.replace(
            "  production:\n    tier: production\n",
            "  production:  # saasctl: ignore[SC013, sc010] a rehearsal of the cut-over\n    tier: production\n",
        );
        assert_eq!(
            ignored(&yaml),
            vec![("SC010", line, "a rehearsal of the cut-over".to_owned())]
        );
        assert_eq!(
            findings_of("SC013", &yaml),
            vec![(14, 16, "SC013 cannot be ignored".to_owned())]
        );
        // On another line, it ignores nothing.
        let elsewhere = bad.replace(
            "    tier: production\n",
            "    tier: production  # saasctl: ignore[SC010] a rehearsal\n",
        );
        assert!(ignored(&elsewhere).is_empty());
        assert_eq!(findings_of("SC013", &elsewhere).len(), 1);
    }

    #[test]
    fn a_hash_inside_a_block_or_multi_line_scalar_is_text() {
        let yaml = INFO.good_example.replace(
            "  name: Luma\n",
            "  name: >-\n    Luma\n    # saasctl: ignore[SC011] not a comment\n",
        );
        let (loaded, diagnostics) = load(&yaml);
        assert_eq!(
            loaded.config.as_ref().map(|c| c.project.name.as_str()),
            Some("Luma # saasctl: ignore[SC011] not a comment")
        );
        assert!(
            diagnostics.iter().all(|d| d.rule != INFO.id),
            "{diagnostics:?}"
        );
        assert_eq!(ignored(&yaml).len(), 1);
    }

    #[test]
    fn unknown_schema_and_live_rules_are_reported() {
        let yaml = INFO.good_example.replace(
            "ignore[SC011] spare",
            "ignore[SC011,SC999,SC000,SC020,SC030] spare",
        );
        let messages: Vec<String> = findings_of("SC013", &yaml)
            .into_iter()
            .map(|(_, _, message)| message)
            .collect();
        assert_eq!(
            messages,
            vec![
                "`SC999` is not a saasctl rule (`saasctl explain all` lists them)",
                "SC000 (the schema) cannot be ignored: the file must fit it",
                "SC020 checks the live state and cannot be ignored in the file",
                "SC030 protects data and cannot be ignored",
            ]
        );
        assert_eq!(ignored(&yaml).len(), 1);
    }
}
