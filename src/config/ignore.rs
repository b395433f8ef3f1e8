//! `# saasctl: ignore[SC011] reason` comments, read from the source text: the located tree
//! has no comments.

use crate::diagnostic::Position;

/// One `saasctl:` comment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreComment {
    /// Where the comment starts (its `#`), spanning to the end of the line.
    pub position: Position,
    /// What it says, or why it cannot be read.
    pub directive: Result<Ignore, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The rule ids as written, upper-cased.
    pub rules: Vec<String>,
    /// Why the findings are accepted; empty when missing.
    pub reason: String,
}

/// Every comment of `source` that starts with `saasctl:`, in line order.
pub fn ignore_comments(source: &str) -> Vec<IgnoreComment> {
    let mut comments = Vec::new();
    let mut offset = 0;
    for (index, line) in source.split_inclusive('\n').enumerate() {
        if let Some(start) = comment_start(line) {
            let text = line[start + 1..].trim();
            if let Some(rest) = text.strip_prefix("saasctl:") {
                let len = line[start..].trim_end().len();
                comments.push(IgnoreComment {
                    position: Position {
                        line: index + 1,
                        column: line[..start].chars().count() + 1,
                        offset: offset + start,
                        len,
                    },
                    directive: parse(rest.trim()),
                });
            }
        }
        offset += line.len();
    }
    comments
}

/// The byte index of the `#` that starts a comment on `line`: at its start or after
/// whitespace, outside single- and double-quoted scalars.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some('\''), '\'') if chars.peek().is_some_and(|&(_, next)| next == '\'') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            // A quote opens a scalar only where a scalar can start, not inside `it's`.
            (None, '"' | '\'') if previous.is_whitespace() || "[{:,-".contains(previous) => {
                quote = Some(c);
            }
            (None, '#') if previous.is_whitespace() => return Some(i),
            (None, _) => {}
        }
        previous = c;
    }
    None
}

fn parse(text: &str) -> Result<Ignore, String> {
    let Some(rest) = text.strip_prefix("ignore") else {
        return Err(format!(
            "`saasctl: {text}` is not a saasctl comment; write `saasctl: ignore[SC011] reason`"
        ));
    };
    let Some(list) = rest.strip_prefix('[') else {
        return Err(
            "`saasctl: ignore` names no rule; write `saasctl: ignore[SC011] reason`".into(),
        );
    };
    let Some((ids, reason)) = list.split_once(']') else {
        return Err("`saasctl: ignore[` has no closing `]`".into());
    };
    let mut rules: Vec<String> = Vec::new();
    for id in ids.split(',').map(|id| id.trim().to_ascii_uppercase()) {
        if !id.is_empty() && !rules.contains(&id) {
            rules.push(id);
        }
    }
    if rules.is_empty() {
        return Err(
            "`saasctl: ignore[]` names no rule; write `saasctl: ignore[SC011] reason`".into(),
        );
    }
    Ok(Ignore {
        rules,
        reason: reason.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignores(source: &str) -> Vec<(usize, usize, Result<Ignore, String>)> {
        ignore_comments(source)
            .into_iter()
            .map(|c| (c.position.line, c.position.column, c.directive))
            .collect()
    }

    fn ignore(rules: &[&str], reason: &str) -> Result<Ignore, String> {
        Ok(Ignore {
            rules: rules.iter().map(|r| (*r).to_owned()).collect(),
            reason: reason.into(),
        })
    }

    #[test]
    fn reads_ids_and_reason_after_a_value() {
        let source = "a: 1\n    spare: {type: testing}  # saasctl: ignore[sc011, SC003,SC011] spare for load tests\n";
        assert_eq!(
            ignores(source),
            vec![(2, 29, ignore(&["SC011", "SC003"], "spare for load tests"))]
        );
        let comment = &ignore_comments(source)[0];
        assert_eq!(
            &source[comment.position.offset..][..comment.position.len],
            "# saasctl: ignore[sc011, SC003,SC011] spare for load tests"
        );
    }

    #[test]
    fn a_hash_inside_quotes_or_a_word_is_no_comment() {
        assert!(ignores("name: \"a # saasctl: ignore[SC011] x\"\n").is_empty());
        assert!(ignores("name: 'it''s # saasctl: ignore[SC011] x'\n").is_empty());
        assert!(ignores("name: a#saasctl: ignore[SC011] x\n").is_empty());
        assert!(ignores("name: \"a \\\" # b\"\n").is_empty());
        // An apostrophe inside a plain scalar opens no quote.
        assert_eq!(
            ignores("name: it's # saasctl: ignore[SC011] why\n"),
            vec![(1, 12, ignore(&["SC011"], "why"))]
        );
        // Other comments are not ours.
        assert!(ignores("# yaml-language-server: $schema=x\n# ignore[SC011]\n").is_empty());
    }

    #[test]
    fn malformed_comments_say_what_is_wrong() {
        let found = ignores(
            "# saasctl: ignore SC011\n# saasctl: ignore[SC011 reason\n# saasctl: ignore[]\n# saasctl: skip\n# saasctl: ignore[SC011]\n",
        );
        assert!(found[0].2.as_ref().unwrap_err().contains("names no rule"));
        assert!(found[1].2.as_ref().unwrap_err().contains("no closing"));
        assert!(found[2].2.as_ref().unwrap_err().contains("names no rule"));
        assert!(
            found[3]
                .2
                .as_ref()
                .unwrap_err()
                .contains("not a saasctl comment")
        );
        assert_eq!(found[4].2, ignore(&["SC011"], ""));
    }
}
