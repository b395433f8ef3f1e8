//! Between saasctl's places (byte offsets into a file, paths) and the protocol's (lines and
//! UTF-16 columns, URIs).

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// Where each line of a text starts, to turn byte offsets into positions and back.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// The byte offset of each line's first character.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { starts }
    }

    /// The position of byte `offset` of `text` (the text this index was made from): its line
    /// and its column in UTF-16 code units, as the protocol counts them. An offset past the
    /// end, or inside a character, is moved back to the nearest character start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let character = text[start..offset].encode_utf16().count();
        Position::new(as_u32(line), as_u32(character))
    }

    /// The range of bytes `offset..offset + len` of `text`.
    pub fn range(&self, text: &str, offset: usize, len: usize) -> Range {
        Range::new(
            self.position(text, offset),
            self.position(text, offset.saturating_add(len)),
        )
    }

    /// The byte offset of `position` in `text`; a column past its line's end is its end.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let mut units = 0;
        for (at, c) in text[start..end].char_indices() {
            if units >= position.character as usize {
                return start + at;
            }
            units += c.len_utf16();
        }
        end
    }
}

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The file a `file:` URI names; other schemes (unsaved `untitled:` buffers) name none.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of `path` (absolute).
pub fn uri_of(path: &Path) -> Option<Uri> {
    url::Url::from_file_path(path).ok()?.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let text = "a: é𝄞x\nb: y\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position::new(0, 6));
        assert_eq!(index.offset(text, Position::new(0, 6)), x);
        let y = text.find('y').unwrap();
        assert_eq!(
            index.range(text, y, 1),
            Range::new(Position::new(1, 3), Position::new(1, 4))
        );
        assert_eq!(index.position(text, text.len()), Position::new(2, 0));
        // Inside `𝄞`: its start; past a line's end: its end.
        assert_eq!(index.position(text, x - 1), Position::new(0, 4));
        assert_eq!(index.offset(text, Position::new(1, 99)), text.len() - 1);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/a dir/ü.yaml");
        let uri = uri_of(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%BC.yaml");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
        assert_eq!(path_of(&"untitled:Untitled-1".parse().unwrap()), None);
    }
}
