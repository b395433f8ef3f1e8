//! The `env_file` target: a file of `NAME=VALUE` lines of which saasctl owns only the
//! binding's `CONFIG__DEFAULT__…` lines; every other byte is kept as it is. Its dialect is the
//! one of the program that loads it: a dotenv library, a POSIX shell, or `docker --env-file`.

use std::ops::Range;
use std::path::Path;

use super::MagentoError;
use super::binding::Binding;
use super::render::env_var_name;
use crate::config::EnvFileFormat;
use crate::file::{io_reason, write_private};

/// A parsed env file: its logical lines, which concatenate back to the exact input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    format: EnvFileFormat,
    lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    /// The line as written, its line ending included; a quoted value may span several lines.
    raw: String,
    assignment: Option<Assignment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Assignment {
    key: String,
    value: String,
    /// The value token (quotes included) within `raw`.
    token: Range<usize>,
}

impl EnvFile {
    /// Parses any text as `format` reads it; what is not an assignment is kept as an opaque
    /// line.
    pub fn parse(text: &str, format: EnvFileFormat) -> Self {
        let mut lines = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let rest = &text[pos..];
            let (len, assignment) = match parse_assignment(rest, format) {
                Some((end, assignment)) => (line_end(rest, end), Some(assignment)),
                None => (line_end(rest, 0), None),
            };
            lines.push(Line {
                raw: rest[..len].to_owned(),
                assignment,
            });
            pos += len;
        }
        Self { format, lines }
    }

    /// An empty file of `format`.
    pub fn empty(format: EnvFileFormat) -> Self {
        Self {
            format,
            lines: Vec::new(),
        }
    }

    /// The file's text, byte for byte what was parsed (or updated).
    pub fn to_text(&self) -> String {
        self.lines.iter().map(|l| l.raw.as_str()).collect()
    }

    /// A variable's value as the file's reader sees it: the last assignment wins.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .filter_map(|l| l.assignment.as_ref())
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }

    /// The current value of each binding path, in binding order (`None`: not in the file).
    pub fn current<'a>(&'a self, binding: &'a Binding) -> Vec<(&'a str, Option<&'a str>)> {
        binding
            .entries()
            .iter()
            .map(|e| (e.path.as_str(), self.get(&env_var_name(&e.path))))
            .collect()
    }

    /// The file with the binding's values: lines of our keys whose value differs are
    /// rewritten (their `export`, spacing and comment kept), missing keys are appended in
    /// binding order, and nothing else changes. Refused when the result would not read back
    /// as the binding (an unterminated quote earlier in the file would swallow our lines), or
    /// when the dialect cannot carry a value.
    pub fn updated(&self, binding: &Binding) -> Result<String, MagentoError> {
        let mut lines = self.lines.clone();
        let mut missing = Vec::new();
        for entry in binding.entries() {
            let key = env_var_name(&entry.path);
            let value = entry.expose();
            let mut found = false;
            // Every line of the key gets the value, so no stale duplicate remains.
            for line in &mut lines {
                let Some(a) = &line.assignment else { continue };
                if a.key != key {
                    continue;
                }
                found = true;
                if a.value != value {
                    let token = quote(self.format, &entry.path, value)?;
                    let start = a.token.start;
                    line.raw.replace_range(a.token.clone(), &token);
                    line.assignment = Some(Assignment {
                        key: key.clone(),
                        value: value.to_owned(),
                        token: start..start + token.len(),
                    });
                }
            }
            if !found {
                missing.push(format!("{key}={}", quote(self.format, &entry.path, value)?));
            }
        }
        let mut text: String = lines.iter().map(|l| l.raw.as_str()).collect();
        let newline = if self.lines.first().is_some_and(|l| l.raw.ends_with("\r\n")) {
            "\r\n"
        } else {
            "\n"
        };
        if !missing.is_empty() && !text.is_empty() && !text.ends_with('\n') {
            text.push_str(newline);
        }
        for line in missing {
            text.push_str(&line);
            text.push_str(newline);
        }
        let check = EnvFile::parse(&text, self.format);
        let reads_back = binding
            .entries()
            .iter()
            .all(|e| check.get(&env_var_name(&e.path)) == Some(e.expose()));
        if reads_back {
            Ok(text)
        } else {
            Err(MagentoError::UnsafeEnvUpdate)
        }
    }
}

/// Whether `format` can carry a value with line breaks (a private key): docker takes the rest
/// of the line as it is, with no quotes and no escapes.
pub fn carries_line_breaks(format: EnvFileFormat) -> bool {
    format != EnvFileFormat::Docker
}

/// `value` (of the binding's `path`) as a token of `format` that its reader reads back byte
/// for byte.
pub fn quote(format: EnvFileFormat, path: &str, value: &str) -> Result<String, MagentoError> {
    if value.contains(['\n', '\r']) && !carries_line_breaks(format) {
        return Err(MagentoError::MultiLine {
            path: path.to_owned(),
        });
    }
    Ok(match format {
        EnvFileFormat::Dotenv => dotenv_quote(value),
        EnvFileFormat::Shell => shell_quote(value),
        EnvFileFormat::Docker => value.to_owned(),
    })
}

/// Characters that need no quoting in any dialect.
fn is_bare(value: &str) -> bool {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,/:@+=%".contains(c);
    !value.is_empty() && value.chars().all(safe)
}

/// A dotenv value: bare when it has only safe characters, single-quoted (literal in every
/// dotenv reader) when it has no quote, backslash or line break, else double-quoted with
/// backslash escapes and `\$` so no reader interpolates it.
pub fn dotenv_quote(value: &str) -> String {
    if is_bare(value) {
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

/// A POSIX shell word for `set -a; . FILE`: bare, single-quoted when it holds no quote or
/// line break, else double-quoted with the four characters the shell interprets there escaped
/// and line breaks kept as they are.
fn shell_quote(value: &str) -> String {
    if is_bare(value) {
        return value.to_owned();
    }
    if !value.contains(['\'', '\n', '\r']) {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Reads an env file; a missing file is an empty one (apply creates it).
pub fn read(path: &Path, format: EnvFileFormat) -> Result<EnvFile, MagentoError> {
    match crate::file::read_regular_text(path, crate::file::MAX_DATA_BYTES) {
        Ok(text) => Ok(EnvFile::parse(&text, format)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(EnvFile::empty(format)),
        Err(e) => Err(MagentoError::Read {
            path: path.display().to_string(),
            reason: io_reason(&e),
        }),
    }
}

/// How long a write waits for another saasctl writing an env file of the same directory.
const WRITE_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Updates the file at `path` with `binding`, atomically and with mode 0600. Returns whether
/// anything changed (an unchanged file is not rewritten).
pub fn write(path: &Path, format: EnvFileFormat, binding: &Binding) -> Result<bool, MagentoError> {
    let fail = |e: std::io::Error| MagentoError::Write {
        path: path.display().to_string(),
        reason: io_reason(&e),
    };
    // The file holds the keys in plain text (Magento never decrypts environment values): a
    // directory made for it keeps itself out of git.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::file::create_private_dir(dir).map_err(fail)?;
    // One writer at a time per directory (two configurations may share an env file), from
    // the read to the rename: the file is replaced, so its directory holds the lock.
    let _one_writer =
        crate::file::lock_existing(dir, WRITE_LOCK_TIMEOUT).map_err(|e| MagentoError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let file = read(path, format)?;
    let before = file.to_text();
    let after = file.updated(binding).map_err(|e| match e {
        MagentoError::UnsafeEnvUpdate => MagentoError::Write {
            path: path.display().to_string(),
            reason: "an unterminated quote in the file would swallow the binding's lines"
                .to_owned(),
        },
        other => other,
    })?;
    if after == before && path.exists() {
        return Ok(false);
    }
    write_private(path, after.as_bytes()).map_err(fail)?;
    Ok(true)
}

/// The length of the line starting at `rest`, ending included, from byte `from` on.
fn line_end(rest: &str, from: usize) -> usize {
    rest.get(from..)
        .and_then(|tail| tail.find('\n'))
        .map_or(rest.len(), |i| from + i + 1)
}

/// `[export ]KEY=VALUE [# comment]` (docker: `KEY=VALUE`, the value taken as it is): returns
/// where the value token ends and the assignment.
fn parse_assignment(rest: &str, format: EnvFileFormat) -> Option<(usize, Assignment)> {
    let blank = |c: char| c == ' ' || c == '\t';
    let physical = &rest[..line_end(rest, 0)];
    if format == EnvFileFormat::Docker {
        return docker_assignment(physical);
    }
    let mut i = physical.len() - physical.trim_start_matches(blank).len();
    if let Some(after) = physical[i..].strip_prefix("export")
        && after.starts_with(blank)
    {
        i += "export".len() + (after.len() - after.trim_start_matches(blank).len());
    }
    let key_len = physical[i..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(physical.len() - i);
    let key = &physical[i..i + key_len];
    if !key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    i += key_len;
    i += physical[i..].len() - physical[i..].trim_start_matches(blank).len();
    i += physical[i..].strip_prefix('=').map(|_| 1)?;
    i += physical[i..].len() - physical[i..].trim_start_matches(blank).len();
    let start = i;
    let (end, value) = match rest[start..].chars().next() {
        Some('\'') => {
            let close = rest[start + 1..].find('\'')?;
            let end = start + 1 + close + 1;
            (end, rest[start + 1..end - 1].to_owned())
        }
        Some('"') => {
            let (len, value) = double_quoted(&rest[start + 1..], format)?;
            (start + 1 + len + 1, value)
        }
        _ => {
            let line = physical[start..].trim_end_matches(['\n', '\r']);
            // An unquoted value ends at ` #` (a comment) and loses trailing blanks.
            let cut = line
                .char_indices()
                .find(|&(j, c)| c == '#' && (j == 0 || line[..j].ends_with(blank)))
                .map_or(line.len(), |(j, _)| j);
            let value = line[..cut].trim_end_matches(blank);
            (start + value.len(), value.to_owned())
        }
    };
    Some((
        end,
        Assignment {
            key: key.to_owned(),
            value,
            token: start..end,
        },
    ))
}

/// `docker --env-file`'s reading: leading blanks dropped, `#` lines are comments, the name
/// ends at `=`, the value is the rest of the line as it is.
fn docker_assignment(physical: &str) -> Option<(usize, Assignment)> {
    let line = physical.trim_end_matches(['\n', '\r']);
    let start_of_name = line.len() - line.trim_start().len();
    let (name, value) = line[start_of_name..].split_once('=')?;
    if name.is_empty() || name.starts_with('#') || name.contains(char::is_whitespace) {
        return None;
    }
    let start = start_of_name + name.len() + 1;
    Some((
        line.len(),
        Assignment {
            key: name.to_owned(),
            value: value.to_owned(),
            token: start..line.len(),
        },
    ))
}

/// A double-quoted value after its opening quote: (bytes up to the closing quote, value).
/// A shell reads only `\\`, `\"`, `\$` and a backquote as escapes; dotenv readers also `\n`, `\r`,
/// `\t` and `\'`.
fn double_quoted(text: &str, format: EnvFileFormat) -> Option<(usize, String)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((i, value)),
            '\\' if format == EnvFileFormat::Shell => match chars.next() {
                Some((_, e @ ('\\' | '"' | '$' | '`'))) => value.push(e),
                // A line continuation: both characters vanish.
                Some((_, '\n')) => {}
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return None,
            },
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 't')) => value.push('\t'),
                Some((_, e @ ('\\' | '"' | '\'' | '$' | '`'))) => value.push(e),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return None,
            },
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magento::binding::tests::binding;

    #[test]
    fn a_write_waits_for_another_writer_of_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("staging.env");
        let binding = binding();
        let other = crate::file::lock_existing(dir.path(), std::time::Duration::ZERO).unwrap();
        let writer = std::thread::spawn({
            let path = path.clone();
            move || write(&path, EnvFileFormat::Dotenv, &binding)
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !path.exists(),
            "written while another writer held the directory"
        );
        drop(other);
        assert!(writer.join().unwrap().unwrap());
        assert!(path.exists());
    }

    const OURS: &str = "CONFIG__DEFAULT__SERVICES_CONNECTOR__SERVICES_ID__ENVIRONMENT_ID";

    #[test]
    fn values_as_dotenv_readers_see_them() {
        let file = EnvFile::parse(
            "# c\nA=plain # comment\nexport B='single # not comment'\r\nC=\"x\\ny \\\"q\\\" \\$HOME\"\n\
             D = spaced\t\nE=\"multi\nline\"\nA=second\nnot an assignment\nF=#empty\nG=a#b",
            EnvFileFormat::Dotenv,
        );
        assert_eq!(file.get("A"), Some("second"));
        assert_eq!(file.get("B"), Some("single # not comment"));
        assert_eq!(file.get("C"), Some("x\ny \"q\" $HOME"));
        assert_eq!(file.get("D"), Some("spaced"));
        assert_eq!(file.get("E"), Some("multi\nline"));
        assert_eq!(file.get("F"), Some(""));
        assert_eq!(file.get("G"), Some("a#b"));
        assert_eq!(file.get("not"), None);
    }

    #[test]
    fn only_our_lines_change() {
        let b = binding();
        let before = format!(
            "# deploy settings\r\nAPP_ENV=prod\r\n\r\nexport {OURS}='old-id'  # ours\r\nZ=\"keep\\n\"\r\n"
        );
        let after = EnvFile::parse(&before, EnvFileFormat::Dotenv)
            .updated(&b)
            .unwrap();
        let expected_line =
            format!("export {OURS}=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d  # ours\r\n");
        assert!(
            after.starts_with(&format!(
                "# deploy settings\r\nAPP_ENV=prod\r\n\r\n{expected_line}Z=\"keep\\n\"\r\n"
            )),
            "{after}"
        );
        // The rest appended in binding order, with the file's line ending.
        let appended: Vec<&str> = after
            .lines()
            .skip(5)
            .map(|l| l.split('=').next().unwrap_or(""))
            .collect();
        assert_eq!(appended.len(), b.entries().len() - 1);
        assert_eq!(appended[0], "CONFIG__DEFAULT__MAGENTO_SAAS__ENVIRONMENT");
        assert!(after.ends_with("ENVIRONMENT=Production\r\n"), "{after}");
        let reread = EnvFile::parse(&after, EnvFileFormat::Dotenv);
        for (path, value) in reread.current(&b) {
            assert_eq!(value, b.get(path).map(|e| e.expose()), "{path}");
        }
        // Updating again changes nothing.
        assert_eq!(reread.updated(&b).unwrap(), after);
    }

    #[test]
    fn missing_final_newline_and_empty_file() {
        let b = binding();
        let after = EnvFile::parse("A=1", EnvFileFormat::Dotenv)
            .updated(&b)
            .unwrap();
        assert!(after.starts_with("A=1\nCONFIG__DEFAULT__"), "{after}");
        let fresh = EnvFile::empty(EnvFileFormat::Dotenv).updated(&b).unwrap();
        assert!(fresh.starts_with("CONFIG__DEFAULT__MAGENTO_SAAS__ENVIRONMENT=production\n"));
    }

    #[test]
    fn an_unterminated_quote_that_would_swallow_our_lines_is_refused() {
        let b = binding();
        assert!(matches!(
            EnvFile::parse("BROKEN=\"abc\n", EnvFileFormat::Dotenv).updated(&b),
            Err(MagentoError::UnsafeEnvUpdate)
        ));
    }

    #[test]
    fn writes_privately_and_only_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("staging.env");
        std::fs::write(&path, "KEEP=1\n").unwrap();
        let b = binding();
        assert!(write(&path, EnvFileFormat::Dotenv, &b).unwrap());
        assert!(!write(&path, EnvFileFormat::Dotenv, &b).unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("KEEP=1\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write(&dir.path().join("new.env"), EnvFileFormat::Dotenv, &b).unwrap());
    }

    /// A small deterministic generator instead of proptest: odd inputs built from the pieces
    /// that trip dotenv parsers.
    #[test]
    fn generated_odd_inputs_never_panic_and_round_trip() {
        const PIECES: &[&str] = &[
            "A", "KEY", OURS, "=", " ", "\t", "'", "\"", "\\", "#", "\n", "\r\n", "\r", "export ",
            "export", "é", "💥", "$", "x", "\\n", "\\\"", "-", ".", "_", "\0",
        ];
        let b = binding();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut refused = 0;
        for _ in 0..5000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let file = EnvFile::parse(&text, EnvFileFormat::Dotenv);
            assert_eq!(file.to_text(), text);
            match file.updated(&b) {
                Ok(after) => {
                    let reread = EnvFile::parse(&after, EnvFileFormat::Dotenv);
                    for (path, value) in reread.current(&b) {
                        assert_eq!(value, b.get(path).map(|e| e.expose()), "{text:?}");
                    }
                    // Lines that are not ours are kept, in order.
                    let others = |f: &EnvFile| -> Vec<String> {
                        f.lines
                            .iter()
                            .filter(|l| {
                                l.assignment
                                    .as_ref()
                                    .is_none_or(|a| !a.key.starts_with("CONFIG__"))
                            })
                            .map(|l| l.raw.trim_end_matches(['\r', '\n']).to_owned())
                            .collect()
                    };
                    assert_eq!(others(&reread), others(&file), "{text:?}");
                }
                Err(MagentoError::UnsafeEnvUpdate) => refused += 1,
                Err(other) => panic!("{other}"),
            }
        }
        assert!(refused < 2500, "too many refusals: {refused}");
    }

    #[test]
    fn rendered_values_parse_back() {
        for value in ["", "a b", "it's", "x\ny\r\n", "$HOME `x` \\ \"q\"", "é💥#"] {
            let line = format!("K={}\n", dotenv_quote(value));
            assert_eq!(
                EnvFile::parse(&line, EnvFileFormat::Dotenv).get("K"),
                Some(value),
                "{line}"
            );
        }
    }
}
