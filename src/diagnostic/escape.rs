//! The one escaping layer for untrusted text (names from the YAML or the registry, paths,
//! values read from installations, messages from servers) in what people read: on terminals
//! and in text files every control character is shown escaped (`\u{1b}`), so no name can
//! colour, move the cursor, retitle the terminal or start a line of its own; in markdown a name
//! is one inline code span and a block sits in a fence longer than any backtick run inside.
//! JSON and SARIF need none of this: their format escapes every string.

use std::borrow::Cow;

/// Whether `c` is shown escaped: C0 and C1 controls and DEL, the line and paragraph
/// separators, and the bidirectional marks, overrides and isolates, which reorder what a
/// terminal or a browser shows.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` for a terminal or a text file: each hidden character as `\u{…}` (its hex code).
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` between double quotes, as [`text`] with `\` and `"` escaped too, so a name holding
/// a quote cannot close its quotes and read as more of the line.
pub fn quoted(text: &str) -> String {
    let text = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{}\"", self::text(&text))
}

/// Text of several lines (an error listing its failures): as [`text`], line by line, the line
/// breaks kept.
pub fn lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_hidden(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(self::text)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `text` as one inline code span of markdown: escaped as [`text`] (so on one line), between
/// runs of backticks longer than any inside it.
pub fn markdown_code(text: &str) -> String {
    let text = self::text(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    // A span that starts or ends with a backtick or a blank is padded; CommonMark strips one
    // blank on each side.
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `content` (lines already escaped) as a fenced markdown block with `info` (`diff`), the
/// fence longer than any backtick run inside, so no line closes it early.
pub fn markdown_fence(info: &str, content: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(content) + 1).max(3));
    let newline = if content.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{content}{newline}{fence}\n")
}

/// `text` inside HTML in markdown (`<summary>…</summary>`): escaped as [`text`], with `&`,
/// `<`, `>` and `"` as entities, and the characters markdown would read there as code or
/// emphasis as numeric references.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in self::text(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '`' | '*' | '_' | '[' | ']' | '\\' | '!' | '|' => {
                out.push_str(&format!("&#{};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// A message in a markdown table cell: on one line (a line break becomes a blank), `|`
/// escaped, no HTML tag and no image, other hidden characters escaped as [`text`]. Backticks
/// stay: messages quote names as code.
pub fn markdown_cell(text: &str) -> String {
    self::text(&text.replace(['\n', '\r'], " "))
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("![", "!\\[")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "Luma\u{1b}[31m red\u{7}\r\n  + project.evil: \"injected\"\n```\n## :white_check_mark: Security review passed\n![x](https://evil.example/x.png)";

    #[test]
    fn text_shows_every_control_character_escaped() {
        let shown = text(HOSTILE);
        assert!(!shown.chars().any(is_hidden), "{shown}");
        assert!(
            shown.starts_with("Luma\\u{1b}[31m red\\u{7}\\u{d}\\u{a}  + project"),
            "{shown}"
        );
        assert_eq!(text("Luma Production"), "Luma Production");
        assert_eq!(text("a\u{202E}b\u{0}"), "a\\u{202e}b\\u{0}");
    }

    #[test]
    fn quoted_names_cannot_close_their_quotes() {
        assert_eq!(quoted("Luma"), "\"Luma\"");
        assert_eq!(quoted("a\" -> \"b"), r#""a\" -> \"b""#);
        assert_eq!(quoted("a\\\u{7}"), r#""a\\\u{7}""#);
    }

    #[test]
    fn lines_keep_their_breaks_and_escape_the_rest() {
        assert_eq!(lines("a\u{1b}[2J\nb\r"), "a\\u{1b}[2J\nb\\u{d}");
        assert_eq!(lines("a\nb"), "a\nb");
    }

    #[test]
    fn a_markdown_code_span_holds_any_name_on_one_line() {
        let code = markdown_code(HOSTILE);
        assert!(!code.contains('\n'), "{code}");
        assert!(
            code.starts_with("```` Luma") || code.starts_with("````Luma"),
            "{code}"
        );
        assert!(code.ends_with("````"), "{code}");
        assert_eq!(markdown_code("Luma"), "`Luma`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`a"), "`` `a ``");
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(markdown_fence("diff", "+ a\n"), "```diff\n+ a\n```\n");
        let block = markdown_fence("diff", "+ \"````\"\n");
        assert!(
            block.starts_with("`````diff\n") && block.ends_with("\n`````\n"),
            "{block}"
        );
    }

    #[test]
    fn html_and_cells_carry_no_markup() {
        assert_eq!(
            html("<b>x</b> & `y`"),
            "&lt;b&gt;x&lt;/b&gt; &amp; &#96;y&#96;"
        );
        let cell = markdown_cell(HOSTILE);
        assert!(!cell.contains('\n') && !cell.contains("!["), "{cell}");
        assert!(cell.contains("\\u{1b}"), "{cell}");
    }
}
